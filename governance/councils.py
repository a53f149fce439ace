"""Resident councils (初心议事厅, DESIGN §7): the services that write them.
A community's secretary and officers keep their council — members and
sessions with their topics — and turn a topic into a case of their own
community (channel 居民议事); a leader of the street turns a topic into a
governance project. Each step checks the one predicate `council_may`, locks
the row it changes, and writes one governance event."""

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import TypedDict

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases import services as case_services
from cases.models import TEXT_LIMITS as CASE_TEXT_LIMITS
from cases.models import Channel, Urgency
from communities.models import COMMUNITY_ROLES, STREET_WIDE_ROLES, Community, Role
from communities.selectors import person_for_user
from governance.events import governance_event_record
from governance.models import Council, CouncilMember, CouncilSession, CouncilTopic, MemberKind, Project, ProjectKind
from governance.projects import project_create
from governance.slips import slip_phone_normalize
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean

# The longest texts a council accepts (characters): the one home of its limits.
COUNCIL_TEXT_LIMITS: dict[str, int] = {
    "council_name": 60,
    "name": 64,
    "building": 64,
    "phone": 20,
    "place": 120,
    "summary": 4000,
    "title": 120,
    "discussion": 2000,
    "outcome": 2000,
}
# A session's agenda is short: more topics than this is a paste gone wrong.
SESSION_TOPIC_LIMIT = 20


class CouncilStep(enum.StrEnum):
    VIEW = "view"
    # Keep the council: set it up, add and deactivate members, record sessions.
    RECORD = "record"
    TO_CASE = "to_case"
    TO_PROJECT = "to_project"


def _community_keeper(actor: User | None, community_id: int) -> bool:
    """The community's own secretary and officers keep its council."""
    person = person_for_user(actor) if actor is not None else None
    return person is not None and person.role in COMMUNITY_ROLES and person.community_id == community_id


def council_may(actor: User | None, council: Council, what: str) -> bool:
    """What this user may do with this council: the one predicate the
    services, the buttons and the API's `available_actions` ask."""
    person = person_for_user(actor) if actor is not None else None
    if person is None or person.role == Role.DISPLAY:
        return False
    same_street = person.street_id == council.community.street_id
    if what == CouncilStep.VIEW:
        return same_street and (person.role in STREET_WIDE_ROLES or person.community_id == council.community_id)
    if what in (CouncilStep.RECORD, CouncilStep.TO_CASE):
        return same_street and _community_keeper(actor, council.community_id)
    if what == CouncilStep.TO_PROJECT:
        return same_street and person.role == Role.LEADER
    return False


def council_available_actions(*, actor: User | None, council: Council) -> list[str]:
    return [step.value for step in CouncilStep if council_may(actor, council, step)]


def _require(actor: User, council: Council, what: CouncilStep) -> None:
    if not council_may(actor, council, CouncilStep.VIEW):
        raise NotFound("议事厅不存在。")
    if not council_may(actor, council, what):
        messages = {
            CouncilStep.RECORD: "只有本社区的书记和社区办件员可以维护议事厅成员和议事记录。",
            CouncilStep.TO_CASE: "只有本社区的书记和社区办件员可以把议题转为案件。",
            CouncilStep.TO_PROJECT: "只有街道领导可以把议题转为治理项目。",
        }
        raise NotAllowed(messages.get(what, "您不能执行该操作。"))


def _text(value: str | None, *, label: str, field: str, required: bool = False, limit_key: str = "") -> str:
    limit = COUNCIL_TEXT_LIMITS[limit_key or field]
    return text_clean(value, label=label, field=field, limit=limit, required=required)


def _street_id(council: Council) -> int:
    return council.community.street_id


def _lock_council(council_id: int) -> Council:
    council = Council.objects.select_for_update().filter(pk=council_id).first()
    if council is None:
        raise NotFound("议事厅不存在。")
    return council


# ---------------------------------------------------------------- the council and its members


@transaction.atomic
def council_get_or_create(*, actor: User, community_id: int, at: dt.datetime | None = None) -> Council:
    """The community's council, set up on first use by its secretary or an officer."""
    community = Community.objects.filter(pk=community_id, is_active=True).first()
    if community is None:
        raise NotFound("社区不存在。")
    council = Council.objects.filter(community=community).first()
    if council is not None:
        _require(actor, council, CouncilStep.VIEW)
        return council
    if not _community_keeper(actor, community.pk):
        raise NotAllowed("只有本社区的书记和社区办件员可以设立议事厅。")
    at = at or timezone.now()
    council, created = Council.objects.get_or_create(community=community, defaults={"created_at": at})
    if created:
        governance_event_record(
            street_id=community.street_id, council=council, subject="council", action="create", actor=actor, at=at
        )
    return council


@transaction.atomic
def council_member_add(
    *,
    actor: User,
    council_id: int,
    name: str,
    kind: str,
    building: str = "",
    phone: str = "",
    joined_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> CouncilMember:
    at = at or timezone.now()
    council = _lock_council(council_id)
    _require(actor, council, CouncilStep.RECORD)
    name = _text(name, label="姓名", field="name", required=True)
    if kind not in MemberKind.values:
        raise InvalidInput("请选择成员身份。", field="kind")
    building = _text(building, label="楼号/单位", field="building")
    phone = slip_phone_normalize(_text(phone, label="联系电话", field="phone"))
    today = timezone.localdate(at)
    joined_on = joined_on or today
    if joined_on > today:
        raise InvalidInput("加入日期不能晚于今天。", field="joined_on")
    member = CouncilMember.objects.create(
        council=council, name=name, kind=kind, building=building, phone=phone, joined_on=joined_on
    )
    governance_event_record(
        street_id=_street_id(council),
        council=council,
        subject=f"member:{member.pk}",
        action="add",
        to_status="active",
        actor=actor,
        at=at,
    )
    return member


@transaction.atomic
def council_member_deactivate(*, actor: User, member_id: int, at: dt.datetime | None = None) -> CouncilMember:
    """A member leaves the council (kept on record: past sessions name them)."""
    at = at or timezone.now()
    member = CouncilMember.objects.select_for_update().filter(pk=member_id).first()
    if member is None:
        raise NotFound("议事厅成员不存在。")
    council = Council.objects.select_related("community").get(pk=member.council_id)
    _require(actor, council, CouncilStep.RECORD)
    if not member.is_active:
        raise Conflict(f"{member.name}已不在任。")
    member.is_active = False
    member.save(update_fields=["is_active"])
    governance_event_record(
        street_id=_street_id(council),
        council=council,
        subject=f"member:{member.pk}",
        action="deactivate",
        from_status="active",
        to_status="inactive",
        actor=actor,
        at=at,
    )
    return member


# ---------------------------------------------------------------- sessions and their topics


class TopicInput(TypedDict, total=False):
    title: str
    discussion: str
    outcome: str


@transaction.atomic
def council_session_record(
    *,
    actor: User,
    council_id: int,
    held_at: dt.datetime | None,
    place: str,
    topics: Sequence[TopicInput],
    attendee_ids: Iterable[int] = (),
    summary: str = "",
    at: dt.datetime | None = None,
) -> CouncilSession:
    """A session held: when, where, who came, the summary and its topics, each
    with what was discussed and what the residents decided. All or nothing."""
    at = at or timezone.now()
    council = _lock_council(council_id)
    _require(actor, council, CouncilStep.RECORD)
    if held_at is None:
        raise InvalidInput("请填写议事时间。", field="held_at")
    if held_at > at:
        raise InvalidInput("议事时间不能晚于现在：请在议事会开过之后再记录。", field="held_at")
    place = _text(place, label="地点", field="place", required=True)
    summary = _text(summary, label="议事纪要", field="summary")
    cleaned: list[dict[str, str]] = []
    for number, topic in enumerate(topics, start=1):
        title = _text(topic.get("title"), label=f"第{number}个议题的议题", field="topics", limit_key="title")
        discussion = _text(
            topic.get("discussion"), label=f"第{number}个议题的讨论情况", field="topics", limit_key="discussion"
        )
        outcome = _text(topic.get("outcome"), label=f"第{number}个议题的议事结果", field="topics", limit_key="outcome")
        if not title:
            if discussion or outcome:
                raise InvalidInput(f"第{number}个议题缺少议题名称。", field="topics")
            continue  # an empty row of the form
        cleaned.append({"title": title, "discussion": discussion, "outcome": outcome})
    if not cleaned:
        raise InvalidInput("请至少填写一个议题。", field="topics")
    if len(cleaned) > SESSION_TOPIC_LIMIT:
        raise InvalidInput(f"一次议事会最多记录{SESSION_TOPIC_LIMIT}个议题。", field="topics")
    wanted = set(attendee_ids)
    attendees = list(CouncilMember.objects.filter(council=council, is_active=True, pk__in=wanted))
    if len(attendees) != len(wanted):
        raise InvalidInput("出席成员须为本议事厅的在任成员。", field="attendees")
    session = CouncilSession.objects.create(
        council=council, held_at=held_at, place=place, summary=summary, recorded_by=actor, recorded_at=at
    )
    session.attendees.set(attendees)
    CouncilTopic.objects.bulk_create(CouncilTopic(session=session, **topic) for topic in cleaned)
    governance_event_record(
        street_id=_street_id(council),
        council=council,
        subject=f"session:{session.pk}",
        action="record",
        note=f"{len(cleaned)}个议题",
        actor=actor,
        at=at,
    )
    return session


def _lock_topic(topic_id: int) -> CouncilTopic:
    topic = (
        CouncilTopic.objects.select_for_update(of=("self",))
        .select_related("session__council__community")
        .filter(pk=topic_id)
        .first()
    )
    if topic is None:
        raise NotFound("议题不存在。")
    return topic


def _not_yet_converted(topic: CouncilTopic) -> None:
    if topic.case_id is not None:
        ticket_no = topic.case.ticket_no if topic.case is not None else ""
        raise Conflict(f"该议题已转为案件 {ticket_no}，不能再次转办。")
    if topic.project_id is not None:
        raise Conflict("该议题已转为治理项目，不能再次转办。")


def council_topic_case_content(topic: CouncilTopic) -> str:
    """The case's content: the topic as the residents put it, and where it came from."""
    session = topic.session
    held = timezone.localtime(session.held_at).strftime("%Y-%m-%d")
    source = f"（来源：{session.council.community.name}{session.council.name} {held} 议事会）"
    parts = [f"议题：{topic.title}"]
    if topic.discussion:
        parts.append(f"讨论情况：{topic.discussion}")
    if topic.outcome:
        parts.append(f"议事结果：{topic.outcome}")
    limit = CASE_TEXT_LIMITS["content"] - len(source) - 1
    body = "\n".join(parts)
    if len(body) > limit:
        body = body[: limit - 1] + "…"
    return f"{body}\n{source}"


@transaction.atomic
def council_topic_to_case(
    *,
    actor: User,
    topic_id: int,
    title: str = "",
    category: str = "",
    urgency: str = Urgency.GENERAL,
    ticket_no: str = "",
    at: dt.datetime | None = None,
) -> CouncilTopic:
    """The topic becomes a case of the community (社区自行登记, channel 居民议事),
    dispatched at once to the community's pairing with the actor as handler;
    the topic names its case. Refused when it was converted before. An empty
    `ticket_no` gets the street's own number."""
    at = at or timezone.now()
    topic = _lock_topic(topic_id)
    council = topic.session.council
    _require(actor, council, CouncilStep.TO_CASE)
    _not_yet_converted(topic)
    title = (title or "").strip() or topic.title
    if len(title) > CASE_TEXT_LIMITS["title"]:
        raise InvalidInput(f"案件标题最多{CASE_TEXT_LIMITS['title']}字。", field="title")
    case = case_services.case_register_in_community(
        actor=actor,
        channel=Channel.COUNCIL,
        title=title,
        content=council_topic_case_content(topic),
        received_at=min(topic.session.held_at, at),
        category=(category or "").strip(),
        urgency=urgency,
        ticket_no=ticket_no,
        at=at,
    )
    topic.case, topic.converted_by, topic.converted_at = case, actor, at
    topic.save(update_fields=["case", "converted_by", "converted_at"])
    governance_event_record(
        street_id=_street_id(council),
        council=council,
        subject=f"topic:{topic.pk}",
        action="to_case",
        to_status="case",
        note=case.ticket_no,
        actor=actor,
        at=at,
    )
    return topic


@transaction.atomic
def council_topic_to_project(
    *,
    actor: User,
    topic_id: int,
    lead_id: int | None,
    due_on: dt.date | None,
    keywords: list[str] | None = None,
    category_paths: list[str] | None = None,
    title: str = "",
    starts_on: dt.date | None = None,
    department_ids: list[int] | None = None,
    at: dt.datetime | None = None,
) -> CouncilTopic:
    """The topic becomes a governance project (一类问题治理) of the street,
    its community responsible; the problem class comes from the key words or
    categories the leader gives. Leaders only; refused when converted before."""
    at = at or timezone.now()
    topic = _lock_topic(topic_id)
    council = topic.session.council
    _require(actor, council, CouncilStep.TO_PROJECT)
    _not_yet_converted(topic)
    starts_on = starts_on or timezone.localdate(at)
    if due_on is None:
        raise InvalidInput("请填写完成期限。", field="due_on")
    description = "\n".join(
        part
        for part in [
            f"来源：{council.community.name}{council.name}议题“{topic.title}”",
            f"讨论情况：{topic.discussion}" if topic.discussion else "",
            f"议事结果：{topic.outcome}" if topic.outcome else "",
        ]
        if part
    )
    project: Project = project_create(
        actor=actor,
        kind=ProjectKind.CLASS,
        title=(title or "").strip() or topic.title,
        lead_id=lead_id,
        starts_on=starts_on,
        due_on=due_on,
        description=description[:2000],
        category_paths=category_paths,
        keywords=keywords,
        department_ids=department_ids,
        community_ids=[council.community_id],
        now=at,
    )
    topic.project, topic.converted_by, topic.converted_at = project, actor, at
    topic.save(update_fields=["project", "converted_by", "converted_at"])
    governance_event_record(
        street_id=_street_id(council),
        council=council,
        subject=f"topic:{topic.pk}",
        action="to_project",
        to_status="project",
        note=project.title,
        actor=actor,
        at=at,
    )
    return topic
