"""Reading the resident councils, always through council_scope_for_user."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from communities.models import STREET_WIDE_ROLES, Community
from communities.selectors import person_for_user
from communities.sorting import unit_order
from governance.models import Council, CouncilMember, CouncilSession, CouncilTopic
from governance.scoping import council_scope_for_user
from hotline.dates import local_midnight
from hotline.errors import NotFound


def _held_between(date_from: dt.date | None, date_to: dt.date | None, prefix: str = "") -> Q:
    """Sessions held between two local days, both included (either may be open)."""
    held = Q()
    if date_from is not None:
        held &= Q(**{f"{prefix}held_at__gte": local_midnight(date_from)})
    if date_to is not None:
        held &= Q(**{f"{prefix}held_at__lt": local_midnight(date_to + dt.timedelta(days=1))})
    return held


def council_list_for_user(
    user: AbstractBaseUser | AnonymousUser, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[Council]:
    """The councils the user sees, each with its counts: active members (now);
    sessions, topics, topics turned into a case or a project (of the sessions
    held between the two days when they are given)."""
    held = _held_between(date_from, date_to, "sessions__")
    councils = council_scope_for_user(user).annotate(
        members_active=Count("members", filter=Q(members__is_active=True), distinct=True),
        sessions_count=Count("sessions", filter=held, distinct=True),
        topics_count=Count("sessions__topics", filter=held, distinct=True),
        topics_to_case=Count("sessions__topics", filter=held & Q(sessions__topics__case__isnull=False), distinct=True),
        topics_to_project=Count(
            "sessions__topics", filter=held & Q(sessions__topics__project__isnull=False), distinct=True
        ),
    )
    # Meta.ordering is not applied to a grouped query: order by the units' order.
    return councils.order_by(*unit_order("community__"), "pk")


@dataclass(frozen=True)
class CouncilRow:
    community: Community
    council: Council | None


def council_overview_for_user(
    user: AbstractBaseUser | AnonymousUser, *, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> list[CouncilRow]:
    """Every active community of the user's street with its council (or
    none yet), for the street-wide roles; the user's own community otherwise."""
    person = person_for_user(user)
    if person is None:
        return []
    councils = {c.community_id: c for c in council_list_for_user(user, date_from=date_from, date_to=date_to)}
    if person.role in STREET_WIDE_ROLES:
        communities = list(Community.objects.filter(street_id=person.street_id, is_active=True))
    elif person.community is not None:
        communities = [person.community]
    else:
        communities = []
    return [CouncilRow(community=c, council=councils.get(c.pk)) for c in communities]


def council_get_for_user(*, user: AbstractBaseUser | AnonymousUser, council_id: int) -> Council:
    council = council_scope_for_user(user).filter(pk=council_id).first()
    if council is None:
        raise NotFound("议事厅不存在，或不在您的查看范围内。")
    return council


def council_sessions(
    *, council: Council, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> QuerySet[CouncilSession]:
    """The council's sessions, newest first, with their topics and attendees;
    between two dates (local days, both included) when they are given."""
    sessions = council.sessions.select_related("recorded_by__person").prefetch_related(
        Prefetch("topics", queryset=CouncilTopic.objects.select_related("case", "project", "converted_by")),
        Prefetch("attendees", queryset=CouncilMember.objects.order_by("kind", "name", "id")),
    )
    return sessions.filter(_held_between(date_from, date_to))


def council_topic_get_for_user(*, user: AbstractBaseUser | AnonymousUser, topic_id: int) -> CouncilTopic:
    topic = (
        CouncilTopic.objects.select_related("session__council__community", "case", "project")
        .filter(pk=topic_id, session__council__in=council_scope_for_user(user))
        .first()
    )
    if topic is None:
        raise NotFound("议题不存在，或不在您的查看范围内。")
    return topic


def member_phone_visible_to(user: AbstractBaseUser | AnonymousUser, council: Council) -> bool:
    """Members' phones in full only to the people of that community."""
    person = person_for_user(user)
    return person is not None and person.community_id == council.community_id


def member_phone_display(phone: str, *, visible: bool) -> str:
    """The phone as the page shows it: in full, or only its last four digits."""
    if visible or not phone:
        return phone
    return "*" * max(len(phone) - 4, 3) + phone[-4:]


@dataclass(frozen=True)
class TopicSource:
    """Where a case came from when a council topic became it (for the case page)."""

    title: str
    council_name: str
    held_at: dt.datetime
    url: str | None  # None: the user does not see the council


def council_topic_for_case(*, case_id: int, user: AbstractBaseUser | AnonymousUser) -> TopicSource | None:
    topic = CouncilTopic.objects.select_related("session__council__community").filter(case_id=case_id).first()
    if topic is None:
        return None
    council = topic.session.council
    visible = council_scope_for_user(user).filter(pk=council.pk).exists()
    return TopicSource(
        title=topic.title,
        council_name=f"{council.community.name}{council.name}",
        held_at=topic.session.held_at,
        url=f"{reverse('council-detail', args=[council.pk])}#topic-{topic.pk}" if visible else None,
    )
