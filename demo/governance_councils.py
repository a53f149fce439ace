"""Resident councils (初心议事厅) in the demo street: two communities' councils
with their members, two sessions each with their topics; one topic already
turned into a case (channel 居民议事). Everything through the services."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Q
from django.utils import timezone

from cases.vocabulary import STREET_TICKET_PREFIX
from communities.models import Street
from governance import councils
from governance.models import Council, CouncilTopic, MemberKind

# (name, kind, building, phone); phones obviously fake (with 0000) like every demo caller's.
MEMBERS = [
    ("刘建国", MemberKind.BUILDING_HEAD, "3号楼", "13900000301"),
    ("王秀兰", MemberKind.BUILDING_HEAD, "7号楼", "13900000702"),
    ("张志强", MemberKind.OWNERS_COMMITTEE, "业委会", "13900000803"),
    ("李华", MemberKind.PROPERTY, "物业服务中心", "13900000904"),
    ("赵明", MemberKind.PARTY_MEMBER, "5号楼", "13900000505"),
    ("陈淑芬", MemberKind.RESIDENT, "2号楼", "13900000206"),
    ("孙立新", MemberKind.RESIDENT, "9号楼", ""),
]
# (days ago, place, summary, topics (title, discussion, outcome))
SESSIONS = [
    (
        24,
        "社区党群服务中心二楼",
        "本月议事会围绕楼道环境和停车秩序议事，物业和业委会到会。",
        [
            (
                "3号楼楼道堆物清理",
                "多户反映楼道堆放纸箱和旧家具，存在消防隐患。",
                "物业本周内张贴通知，限期自行清理，逾期统一清运。",
            ),
            ("小区停车秩序", "晚间车辆占用消防通道，救护车曾无法进入。", "由业委会牵头划定临时停车位，物业夜间巡查。"),
        ],
    ),
    (
        6,
        "社区议事厅",
        "居民代表提出加装电梯和充电桩问题，议定分头推进。",
        [
            (
                "7号楼加装电梯意见征集",
                "一层住户担心采光和噪音，高层老人盼望尽快加装。",
                "楼门长组织逐户征求意见，月底前汇总。",
            ),
            ("增设电动车充电桩", "电动车入楼道充电现象多，大家担心起火。", "报街道统一规划充电桩点位。"),
            ("东门路灯损坏", "东门两盏路灯坏了一周，老人夜间出行不便。", "由社区登记案件，联系责任单位维修。"),
        ],
    ),
]


def demo_councils(*, units: Sequence[Any], now: dt.datetime) -> int:
    """The councils of the first two demo communities; returns the number of
    cases their topics became (one: the broken street lamps)."""
    cases = 0
    for number, unit in enumerate(units[:2]):
        keeper = unit.secretary
        council = councils.council_get_or_create(
            actor=keeper, community_id=unit.community.pk, at=now - dt.timedelta(days=60)
        )
        members = [
            councils.council_member_add(
                actor=keeper,
                council_id=council.pk,
                name=name if number == 0 else name[0] + "晓" + name[-1],
                kind=kind,
                building=building,
                phone=phone,
                joined_on=timezone.localdate(now) - dt.timedelta(days=60),
                at=now - dt.timedelta(days=60),
            )
            for name, kind, building, phone in MEMBERS[: 7 - number]
        ]
        for days, place, summary, topics in SESSIONS:
            held_at = now - dt.timedelta(days=days + number)
            session = councils.council_session_record(
                actor=keeper,
                council_id=council.pk,
                held_at=held_at,
                place=place,
                summary=summary,
                attendee_ids=[m.pk for m in members[: 5 + number]],
                topics=[{"title": t, "discussion": d, "outcome": o} for t, d, o in topics],
                at=held_at + dt.timedelta(hours=3),
            )
            if number == 0 and days == SESSIONS[-1][0]:
                lamp = session.topics.get(title="东门路灯损坏")
                at = held_at + dt.timedelta(hours=4)
                councils.council_topic_to_case(
                    actor=unit.officer,
                    topic_id=lamp.pk,
                    category="城市管理->市政设施->路灯",
                    # A number of its own: a rebuilt demo street is the same street.
                    ticket_no=f"{STREET_TICKET_PREFIX}{timezone.localtime(at):%Y%m%d}YS0001",
                    at=at,
                )
                cases += 1
    return cases


def demo_councils_delete(*, street: Street) -> None:
    """The street's councils go before its cases (a topic holds on to its case)."""
    CouncilTopic.objects.filter(
        Q(session__council__community__street=street) | Q(case__reported_community__street=street)
    ).delete()
    Council.objects.filter(community__street=street).delete()
