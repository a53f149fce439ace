"""The demo street's 未诉先办 intake: cases its community officers registered
themselves (入户走访, 微信群, 居民议事, 居委会电话), and complaints a clerk
linked as repeats (重复诉求) of an earlier one. Deterministic: fixed texts
and times before `now`; removed with the street by `demo_delete`."""

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from cases import services, similarity
from cases.models import Channel

if TYPE_CHECKING:
    from demo.services import Organisation

# channel, days before now, category, title, content (the compound and building are filled in)
OWN_INTAKE = (
    (
        Channel.VISIT,
        6,
        "城乡建设->供水->管道爆裂",
        "独居老人家中水管渗漏",
        "入户走访时发现{compound}{building}号楼一独居老人家中厨房水管渗漏，需联系维修。",
    ),
    (
        Channel.WECHAT,
        4,
        "城市管理->市容环境->垃圾清运不及时",
        "楼门口堆放装修垃圾",
        "社区微信群居民反映{compound}{building}号楼门口堆放装修垃圾多日，影响通行。",
    ),
    (
        Channel.COUNCIL,
        9,
        "城乡建设->物业管理->物业服务质量",
        "增设休息座椅",
        "居民议事会上居民提出{compound}中心花园缺少休息座椅，老人散步无处歇脚。",
    ),
    (
        Channel.COMMITTEE_PHONE,
        1,
        "城乡建设->物业管理->楼道照明",
        "楼道声控灯失灵",
        "居民打居委会电话反映{compound}{building}号楼楼道声控灯失灵，夜间漆黑。",
    ),
)
# An earlier 12345 complaint and its later paraphrase, linked as a repeat.
REPEATS = (
    (
        "城乡建设->物业管理->楼道照明",
        "楼道灯不亮",
        "{compound}{building}号楼楼道里的灯坏了，夜里摸黑上楼，希望尽快修理。",
        "楼道灯还是不亮",
        "{compound}{building}号楼楼道灯不亮，晚上走路看不见，楼道照明灯损坏没人修。",
    ),
    (
        "城乡建设->供水->管道爆裂",
        "下水道堵塞返水",
        "{compound}{building}号楼下水管道堵了，污水冒出来了。",
        "污水反到地面",
        "{compound}{building}号楼下水道堵塞，污水反到地面，味道很大，要求尽快疏通。",
    ),
)


def demo_intake(*, org: "Organisation", now: dt.datetime) -> int:
    """Register the demo's community intake and linked repeats; returns the number of cases."""
    created = 0
    residential = [u for u in org.units if not u.is_building]
    for index, (channel, days, category, title, content) in enumerate(OWN_INTAKE):
        unit = residential[index % len(residential)]
        at = now - dt.timedelta(days=days, hours=2)
        actor = unit.officer if index % 2 == 0 else unit.secretary
        facts = {"compound": unit.compounds[0], "building": 3 + index}
        services.case_register_in_community(
            actor=actor,
            ticket_no=f"JD{timezone.localtime(at):%Y%m%d}SQ{index + 1:04d}",
            caller_name="居民王女士",
            caller_phone=f"1390000{index + 1:04d}",
            channel=channel,
            category=category,
            title=title,
            content=content.format(**facts),
            compound=unit.compounds[0],
            received_at=at,
            at=at,
        )
        created += 1
    clerk = org.clerks[0]
    for index, (category, first_title, first_content, later_title, later_content) in enumerate(REPEATS):
        unit = residential[(index + 1) % len(residential)]
        facts = {"compound": unit.compounds[0], "building": 5 + index}
        first_at, later_at = now - dt.timedelta(days=8, hours=index), now - dt.timedelta(days=1, hours=index)
        first = services.case_register(
            actor=clerk,
            ticket_no=f"{timezone.localtime(first_at):%Y%m%d}CF{2 * index + 1:04d}",
            caller_name="张先生",
            caller_phone=f"1380000{2 * index + 1:04d}",
            title=first_title,
            category=category,
            content=first_content.format(**facts),
            compound=unit.compounds[0],
            reported_community=unit.community,
            received_at=first_at,
            at=first_at,
        )
        services.case_dispatch(
            case_id=first.pk,
            actor=clerk,
            pairing_id=unit.pairing.pk,
            handler_id=unit.officer.pk,
            at=first_at + dt.timedelta(minutes=20),
        )
        later = services.case_register(
            actor=clerk,
            ticket_no=f"{timezone.localtime(later_at):%Y%m%d}CF{2 * index + 2:04d}",
            caller_name="张先生",
            caller_phone=f"1380000{2 * index + 2:04d}",
            title=later_title,
            category=category,
            content=later_content.format(**facts),
            compound=unit.compounds[0],
            reported_community=unit.community,
            received_at=later_at,
            at=later_at,
        )
        similarity.case_link_repeat(
            case_id=later.pk,
            original_id=first.pk,
            actor=clerk,
            note="同一楼栋同一问题，一周内再次来电。",
            at=later_at + dt.timedelta(minutes=10),
        )
        created += 2
    return created
