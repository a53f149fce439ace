"""Small helpers the council tests share: a council of community A with members
and one recorded session, made through the services."""

import datetime as dt

from django.utils import timezone

from governance import councils
from governance.models import CouncilSession, MemberKind


def council_with_session(org, *, topics=None, held_at: dt.datetime | None = None) -> CouncilSession:
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    member = councils.council_member_add(
        actor=org.secretary_a,
        council_id=council.pk,
        name="刘楼长",
        kind=MemberKind.BUILDING_HEAD,
        building="3号楼",
        phone="13811112222",
    )
    return councils.council_session_record(
        actor=org.secretary_a,
        council_id=council.pk,
        held_at=held_at or timezone.now() - dt.timedelta(hours=2),
        place="社区活动室",
        attendee_ids=[member.pk],
        summary="居民议事",
        topics=topics
        or [
            {"title": "3号楼楼道堆物", "discussion": "楼道堆满杂物，有火灾隐患。", "outcome": "请社区协调物业清理。"},
            {"title": "增设电动车充电桩", "discussion": "", "outcome": "报街道统一规划。"},
        ],
    )
