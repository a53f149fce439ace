"""吹哨 meetings (吹哨报到, 多方会谈): the services that write them.

Who may convene: clerks and leaders (any case of the street), community
secretaries (their own community's cases) and department chiefs (the cases of
the pairings they lead) — each only for cases in their own case scope and
projects in their project scope. Who keeps a meeting's record afterwards
(minutes, cancel, decisions, files, more cases): its convener, the street's
clerks and leaders, and the secretary of the meeting's community.
`meeting_may` is the one predicate; the pages' buttons and the API's
`available_actions` ask it, and the services raise what `meeting_check` says.

Lock order: the linked cases' rows first (by id), then the meeting, then a decision."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import IO, Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attachments.models import Attachment, OwnerKind
from attachments.services import attachment_add_many
from cases.models import Case
from cases.selectors import case_scope_for_user
from cases.services import case_system_step
from cases.transitions import Action
from communities.models import Community, Department, Person, Role
from communities.selectors import person_for_user
from governance.events import governance_event_record
from governance.meetings_transitions import (
    DecisionAction,
    DecisionStatus,
    MeetingAction,
    MeetingStatus,
    decision_next_status,
    meeting_next_status,
)
from governance.models import (
    Decision,
    Meeting,
    MeetingCase,
    MeetingParty,
    Organisation,
    PartyKind,
    decision_late_q,
)
from governance.scoping import meeting_scope_for_user, project_scope_for_user
from hotline.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from supervision.models import NotificationKind
from supervision.services import notification_send

# Who may call a meeting (each within their own case and project scope).
MEETING_CONVENERS = frozenset({Role.CLERK, Role.LEADER, Role.SECRETARY, Role.CHIEF})
# Who keeps the record of any meeting of the street, besides its convener.
MEETING_KEEPERS = frozenset({Role.CLERK, Role.LEADER})

# What can be done with a meeting (the `what` of `meeting_may`).
CONVENE = "convene"
HOLD = MeetingAction.HOLD.value
CANCEL = MeetingAction.CANCEL.value
DECIDE = "decide"
ATTACH = "attach"
LINK_CASE = "link_case"
MEETING_WHATS = (HOLD, CANCEL, DECIDE, ATTACH, LINK_CASE)
WHAT_LABELS = {
    CONVENE: "召集吹哨会议",
    HOLD: "记录会议纪要",
    CANCEL: "取消会议",
    DECIDE: "添加决定事项",
    ATTACH: "上传会议材料",
    LINK_CASE: "关联案件",
}

# A meeting time outside these bounds is a typing error.
EARLIEST_YEAR = 2000
FURTHEST_AHEAD = dt.timedelta(days=366)
LIMITS = {"title": 120, "place": 120, "agenda": 2000, "minutes": 8000, "reason": 1000, "text": 300, "name": 64}


def _text(value: str | None, *, label: str, field: str, limit: int, required: bool = True) -> str:
    return text_clean(value, label=label, field=field, limit=limit, required=required)


def _aware(value: dt.datetime) -> dt.datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# ---------------------------------------------------------------- the one predicate


def _keeps(person: Person, meeting: Meeting) -> bool:
    """Whether the person keeps this meeting's record (any status)."""
    if person.street_id != meeting.street_id or person.role not in MEETING_CONVENERS:
        return False
    return (
        person.role in MEETING_KEEPERS
        or meeting.convener_id == person.user_id
        or (
            person.role == Role.SECRETARY
            and meeting.community_id is not None
            and meeting.community_id == person.community_id
        )
    )


def meeting_check(
    actor: AbstractBaseUser | AnonymousUser, meeting: Meeting | None, what: str, *, now: dt.datetime | None = None
) -> Person:
    """Raise why `actor` may not do `what` with `meeting` at `now` (None: convene
    a new one); NotAllowed for the person, Conflict for the meeting's status
    (minutes wait for the day of the meeting)."""
    person = person_for_user(actor)
    if person is None or person.role not in MEETING_CONVENERS:
        raise NotAllowed("只有办件员、街道领导、社区书记和包片科长可以召集吹哨会议。")
    if meeting is None:
        if what != CONVENE:
            raise NotAllowed("没有这项操作。")
        return person
    if not _keeps(person, meeting):
        raise NotAllowed("只有会议召集人、街道领导、办件员和本社区书记可以记录这次会议。")
    label = MeetingStatus(meeting.status).label
    if what in (HOLD, CANCEL):
        if meeting_next_status(meeting.status, what) is None:
            raise Conflict(f"会议{label}，不能再{WHAT_LABELS[what]}。", code="invalid_transition")
        if what == HOLD and timezone.localdate(now) < timezone.localdate(meeting.held_at):
            when = timezone.localtime(meeting.held_at).strftime("%Y-%m-%d %H:%M")
            raise Conflict(f"会议定于{when}召开，召开后再记录会议纪要。", code="not_held_yet")
    elif what == DECIDE:
        if meeting.status != MeetingStatus.HELD:
            raise Conflict("请先记录会议纪要（会议召开后）再添加决定事项。", code="invalid_transition")
    elif what in (ATTACH, LINK_CASE):
        if meeting.status == MeetingStatus.CANCELLED:
            raise Conflict(f"会议{label}，不能再{WHAT_LABELS[what]}。", code="invalid_transition")
    else:
        raise NotAllowed("没有这项操作。")
    return person


def meeting_may(
    actor: AbstractBaseUser | AnonymousUser, meeting: Meeting | None, what: str, *, now: dt.datetime | None = None
) -> bool:
    """May `actor` do `what` with `meeting` now? (None: convene a new one.)"""
    try:
        meeting_check(actor, meeting, what, now=now)
    except DomainError:
        return False
    return True


def meeting_available_actions(actor: AbstractBaseUser | AnonymousUser, meeting: Meeting) -> list[str]:
    return [what for what in MEETING_WHATS if meeting_may(actor, meeting, what)]


def decision_check(actor: AbstractBaseUser | AnonymousUser, decision: Decision, action: str) -> Person:
    """Complete: the person answering for it, or whoever keeps the meeting's
    record. Reopen: whoever keeps the record. Then the decision's table."""
    person = person_for_user(actor)
    if person is None or person.street_id != decision.meeting.street_id:
        raise NotAllowed("您不能处理这项决定事项。")
    answers = decision.responsible_user_id == person.user_id
    if action == DecisionAction.COMPLETE and not (answers or _keeps(person, decision.meeting)):
        raise NotAllowed("只有责任人（或街道跟进人）、会议召集人和街道领导可以确认完成。")
    if action == DecisionAction.REOPEN and not _keeps(person, decision.meeting):
        raise NotAllowed("只有会议召集人、街道领导、办件员和本社区书记可以重新打开决定事项。")
    if action not in DecisionAction.values:
        raise NotAllowed("没有这项操作。")
    if decision_next_status(decision.status, action) is None:
        label = DecisionStatus(decision.status).label
        raise Conflict(f"该决定事项{label}，不能再{DecisionAction(action).label}。", code="invalid_transition")
    return person


def decision_may(actor: AbstractBaseUser | AnonymousUser, decision: Decision, action: str) -> bool:
    try:
        decision_check(actor, decision, action)
    except DomainError:
        return False
    return True


def decision_available_actions(actor: AbstractBaseUser | AnonymousUser, decision: Decision) -> list[str]:
    return [action for action in DecisionAction.values if decision_may(actor, decision, action)]


# ---------------------------------------------------------------- convene


def _cases_in_scope(actor: User, case_ids: Iterable[int]) -> list[int]:
    """The ids, each in the actor's case scope, or InvalidInput naming none of them."""
    wanted = list(dict.fromkeys(int(pk) for pk in case_ids))
    found = set(case_scope_for_user(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if len(found) != len(wanted):
        raise InvalidInput("所选案件不存在，或不在您的办理范围内，不能关联。", code="case_out_of_scope", field="cases")
    return wanted


def _lock_cases(case_ids: Iterable[int]) -> list[Case]:
    return list(Case.objects.select_for_update(of=("self",)).filter(pk__in=list(case_ids)).order_by("pk"))


def _lock_meeting(meeting_id: int) -> Meeting:
    meeting = Meeting.objects.select_for_update(of=("self",)).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("会议不存在。")
    return meeting


def _meeting_in_scope(actor: User, meeting_id: int) -> Meeting:
    meeting = meeting_scope_for_user(actor).filter(pk=meeting_id).first()
    if meeting is None:
        raise NotFound("会议不存在，或不在您的查看范围内。")
    return meeting


def _party_rows(
    *,
    street_id: int,
    department_ids: Iterable[int],
    community_ids: Iterable[int],
    organisation_ids: Iterable[int],
    residents: Iterable[str],
) -> list[MeetingParty]:
    department_ids, community_ids = list(dict.fromkeys(department_ids)), list(dict.fromkeys(community_ids))
    organisation_ids = list(dict.fromkeys(organisation_ids))
    departments = list(Department.objects.filter(pk__in=department_ids, street_id=street_id, is_active=True))
    if len(departments) != len(department_ids):
        raise InvalidInput("所选科室不存在。", field="departments")
    communities = list(Community.objects.filter(pk__in=community_ids, street_id=street_id, is_active=True))
    if len(communities) != len(community_ids):
        raise InvalidInput("所选社区不存在。", field="communities")
    organisations = list(Organisation.objects.filter(pk__in=organisation_ids, street_id=street_id, is_active=True))
    if len(organisations) != len(organisation_ids):
        raise InvalidInput("所选外部单位不在本街道的名录中。", field="organisations")
    names = []
    for name in residents:
        name = _text(name, label="居民代表姓名", field="residents", limit=LIMITS["name"], required=False)
        if name and name not in names:
            names.append(name)
    rows = (
        [MeetingParty(kind=PartyKind.DEPARTMENT, department=d) for d in departments]
        + [MeetingParty(kind=PartyKind.COMMUNITY, community=c) for c in communities]
        + [MeetingParty(kind=PartyKind.ORGANISATION, organisation=o) for o in organisations]
        + [MeetingParty(kind=PartyKind.RESIDENT, name=n) for n in names]
    )
    if not rows:
        raise InvalidInput("请至少选择一个参会方（科室、社区、外部单位或居民代表）。", field="parties")
    return rows


def meeting_url(meeting: Meeting) -> str:
    return reverse("meeting-detail", args=[meeting.pk])


def _link_note(meeting: Meeting, parties: Sequence[MeetingParty]) -> str:
    when = timezone.localtime(meeting.held_at).strftime("%Y-%m-%d %H:%M")
    names = "、".join(p.label for p in parties)
    return f"吹哨会议“{meeting.title}”：{when}，{meeting.place}。参会方：{names}。"


def _on_timelines(
    cases: Sequence[Case], meeting: Meeting, *, note: str, stage: str, actor: User | None, at: dt.datetime
) -> dict[int, int]:
    """One MEETING_LINK event on each (locked) case; their ids by case id."""
    data = {"meeting": meeting.pk, "stage": stage, "title": meeting.title}
    return {
        case.pk: case_system_step(case=case, action=Action.MEETING_LINK, note=note, data=data, at=at, actor=actor).pk
        for case in cases
    }


@transaction.atomic
def meeting_convene(
    *,
    actor: User,
    title: str,
    held_at: dt.datetime | None,
    place: str,
    agenda: str,
    community_id: int | None = None,
    project_id: int | None = None,
    case_ids: Iterable[int] = (),
    department_ids: Iterable[int] = (),
    community_ids: Iterable[int] = (),
    organisation_ids: Iterable[int] = (),
    residents: Iterable[str] = (),
    now: dt.datetime | None = None,
) -> Meeting:
    """Call a 吹哨 meeting for cases and/or a project, with its parties. Every
    case must be in the actor's case scope (else refused and nothing written);
    each gets a 吹哨会议 event on its timeline."""
    now = now or timezone.now()
    person = meeting_check(actor, None, CONVENE)
    title = _text(title, label="会议主题", field="title", limit=LIMITS["title"])
    if held_at is None:
        raise InvalidInput("请填写会议时间。", field="held_at")
    held_at = _aware(held_at)
    if held_at.year < EARLIEST_YEAR or held_at > now + FURTHEST_AHEAD:
        raise InvalidInput("会议时间不合理：请填写近一年内的会议时间。", field="held_at")
    place = _text(place, label="会议地点", field="place", limit=LIMITS["place"])
    agenda = _text(agenda, label="会议议程", field="agenda", limit=LIMITS["agenda"])
    ids = _cases_in_scope(actor, case_ids)
    project = None
    if project_id is not None:
        project = project_scope_for_user(actor).filter(pk=project_id).first()
        if project is None:
            raise InvalidInput("所选治理项目不存在，或不在您的范围内。", field="project")
    if not ids and project is None:
        raise InvalidInput("请关联至少一件案件或一个治理项目：吹哨会议为具体问题召开。", field="cases")
    community = None
    if community_id is not None:
        community = Community.objects.filter(pk=community_id, street_id=person.street_id).first()
        if community is None:
            raise InvalidInput("所选社区不存在。", field="community")
    if person.role == Role.SECRETARY:
        if community is not None and community.pk != person.community_id:
            raise InvalidInput("社区书记只能为本社区召集吹哨会议。", field="community")
        community_id = person.community_id
    elif community is not None:
        community_id = community.pk
    elif ids:
        first = Case.objects.only("community_id", "reported_community_id").get(pk=ids[0])
        community_id = first.community_id or first.reported_community_id
    parties = _party_rows(
        street_id=person.street_id,
        department_ids=department_ids,
        community_ids=community_ids,
        organisation_ids=organisation_ids,
        residents=residents,
    )
    cases = _lock_cases(ids)  # the case rows first (the lock order)
    meeting = Meeting.objects.create(
        street_id=person.street_id,
        title=title,
        project=project,
        community_id=community_id,
        convener=actor,
        held_at=held_at,
        place=place,
        agenda=agenda,
        created_by=actor,
        created_at=now,
    )
    for party in parties:
        party.meeting = meeting
    MeetingParty.objects.bulk_create(parties)
    events = _on_timelines(cases, meeting, note=_link_note(meeting, parties), stage=CONVENE, actor=actor, at=now)
    MeetingCase.objects.bulk_create(MeetingCase(meeting=meeting, case=c, event_id=events[c.pk]) for c in cases)
    governance_event_record(
        street_id=person.street_id,
        meeting=meeting,
        subject="meeting",
        action=CONVENE,
        to_status=meeting.status,
        actor=actor,
        at=now,
    )
    return meeting


# ---------------------------------------------------------------- minutes, cancel


def _linked_case_ids(meeting_id: int) -> list[int]:
    return list(MeetingCase.objects.filter(meeting_id=meeting_id).order_by("case_id").values_list("case_id", flat=True))


@transaction.atomic
def meeting_record_minutes(
    *,
    actor: User,
    meeting_id: int,
    minutes: str,
    absent_party_ids: Iterable[int] = (),
    attendees: Mapping[int, str] | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """The meeting took place (已安排 → 已召开): its minutes (required) and who
    came for each party (every party present unless named absent; the person
    who came, optional). The linked cases' timelines say it was held."""
    now = now or timezone.now()
    _meeting_in_scope(actor, meeting_id)
    minutes = _text(minutes, label="会议纪要", field="minutes", limit=LIMITS["minutes"])
    cases = _lock_cases(_linked_case_ids(meeting_id))
    meeting = _lock_meeting(meeting_id)
    meeting_check(actor, meeting, HOLD, now=now)
    target = meeting_next_status(meeting.status, HOLD)
    assert target is not None
    parties = list(meeting.parties.all())
    known = {p.pk for p in parties}
    absent = set(absent_party_ids)
    attendees = dict(attendees or {})
    if not absent <= known or not set(attendees) <= known:
        raise InvalidInput("出席情况中的参会方不属于这次会议。", field="attendance")
    if absent == known:
        raise InvalidInput("没有一个参会方到会：请核对出席情况，或取消会议。", field="attendance")
    for party in parties:
        party.attended = party.pk not in absent
        party.attendee = _text(
            attendees.get(party.pk, party.attendee),
            label="出席人",
            field="attendance",
            limit=LIMITS["name"],
            required=False,
        )
    MeetingParty.objects.bulk_update(parties, ["attended", "attendee"])
    previous = meeting.status
    meeting.status, meeting.minutes, meeting.recorded_at = target, minutes, now
    meeting.save(update_fields=["status", "minutes", "recorded_at"])
    present = [p for p in parties if p.attended]
    note = f"吹哨会议“{meeting.title}”已召开，会议纪要已记录。到会：{'、'.join(p.label for p in present)}。"
    _on_timelines(cases, meeting, note=note, stage=HOLD, actor=actor, at=now)
    governance_event_record(
        street_id=meeting.street_id,
        meeting=meeting,
        subject="meeting",
        action=HOLD,
        from_status=previous,
        to_status=target,
        actor=actor,
        at=now,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting_id: int, reason: str, now: dt.datetime | None = None) -> Meeting:
    """Call a scheduled meeting off, with the reason (required)."""
    now = now or timezone.now()
    _meeting_in_scope(actor, meeting_id)
    reason = _text(reason, label="取消原因", field="reason", limit=LIMITS["reason"])
    cases = _lock_cases(_linked_case_ids(meeting_id))
    meeting = _lock_meeting(meeting_id)
    meeting_check(actor, meeting, CANCEL)
    target = meeting_next_status(meeting.status, CANCEL)
    assert target is not None
    previous = meeting.status
    meeting.status, meeting.cancel_reason = target, reason
    meeting.save(update_fields=["status", "cancel_reason"])
    _on_timelines(cases, meeting, note=f"吹哨会议“{meeting.title}”已取消：{reason}", stage=CANCEL, actor=actor, at=now)
    governance_event_record(
        street_id=meeting.street_id,
        meeting=meeting,
        subject="meeting",
        action=CANCEL,
        from_status=previous,
        to_status=target,
        note=reason,
        actor=actor,
        at=now,
    )
    return meeting


# ---------------------------------------------------------------- more cases, files


@transaction.atomic
def meeting_case_link(*, actor: User, meeting_id: int, case_id: int, now: dt.datetime | None = None) -> MeetingCase:
    """Add a case to a meeting later (in the actor's case scope, else refused)."""
    now = now or timezone.now()
    _meeting_in_scope(actor, meeting_id)
    (case_id,) = _cases_in_scope(actor, [case_id])
    cases = _lock_cases([case_id])
    meeting = _lock_meeting(meeting_id)
    meeting_check(actor, meeting, LINK_CASE)
    if MeetingCase.objects.filter(meeting=meeting, case_id=case_id).exists():
        raise Conflict("该案件已关联这次会议。", code="already_linked")
    events = _on_timelines(
        cases, meeting, note=_link_note(meeting, list(meeting.parties.all())), stage=LINK_CASE, actor=actor, at=now
    )
    link = MeetingCase.objects.create(meeting=meeting, case=cases[0], event_id=events[case_id])
    governance_event_record(
        street_id=meeting.street_id,
        meeting=meeting,
        subject=f"case:{case_id}",
        action=LINK_CASE,
        note=cases[0].ticket_no,
        actor=actor,
        at=now,
    )
    return link


def meeting_attach(
    *, actor: User, meeting_id: int, uploads: Sequence[tuple[IO[Any], str]], now: dt.datetime | None = None
) -> list[Attachment]:
    """Files of the meeting (sign-in sheet, photos, documents): checked by
    content by the attachments app; its owner hooks (governance.meetings_files)
    lock the meeting and ask `meeting_may`."""
    if not uploads:
        raise InvalidInput("请选择要上传的文件。", field="files")
    _meeting_in_scope(actor, meeting_id)
    return attachment_add_many(owner_kind=OwnerKind.MEETING, owner_id=meeting_id, uploads=uploads, actor=actor, at=now)


# ---------------------------------------------------------------- decisions


def _street_person(user_id: int | None, street_id: int) -> Person | None:
    if user_id is None:
        return None
    return Person.objects.filter(user_id=user_id, street_id=street_id).exclude(role=Role.DISPLAY).first()


def decision_url(decision: Decision) -> str:
    return f"{reverse('meeting-detail', args=[decision.meeting_id])}#decision-{decision.pk}"


@transaction.atomic
def decision_add(
    *,
    actor: User,
    meeting_id: int,
    text: str,
    due_on: dt.date | None,
    owner_id: int | None = None,
    organisation_id: int | None = None,
    follow_up_id: int | None = None,
    now: dt.datetime | None = None,
) -> Decision:
    """A decision of a held meeting with its owner — a person of the street,
    or an outside body of the register with a street-side follow-up person —
    and its due date; refused without either. The person who answers for it is told."""
    now = now or timezone.now()
    _meeting_in_scope(actor, meeting_id)
    text = _text(text, label="决定事项", field="text", limit=LIMITS["text"])
    meeting = _lock_meeting(meeting_id)
    meeting_check(actor, meeting, DECIDE)
    organisation = None
    if organisation_id is not None:
        organisation = Organisation.objects.filter(
            pk=organisation_id, street_id=meeting.street_id, is_active=True
        ).first()
        if organisation is None:
            raise InvalidInput("所选责任单位不在本街道的名录中。", field="organisation")
        if owner_id is not None:
            raise InvalidInput("责任人与责任单位只能选一种：外部单位负责时，请选择街道跟进人。", field="owner")
        if _street_person(follow_up_id, meeting.street_id) is None:
            raise InvalidInput("外部单位负责的事项，请选择本街道的跟进人。", field="follow_up")
    else:
        if owner_id is None:
            raise InvalidInput("请指定责任人（本街道人员），或责任单位及街道跟进人。", field="owner")
        if _street_person(owner_id, meeting.street_id) is None:
            raise InvalidInput("责任人须是本街道人员。", field="owner")
        follow_up_id = None
    if due_on is None:
        raise InvalidInput("请填写完成期限。", field="due_on")
    if due_on < timezone.localdate(now):
        raise InvalidInput("完成期限不能早于今天。", field="due_on")
    decision = Decision.objects.create(
        meeting=meeting,
        text=text,
        owner_id=owner_id if organisation is None else None,
        organisation=organisation,
        follow_up_id=follow_up_id,
        due_on=due_on,
    )
    governance_event_record(
        street_id=meeting.street_id,
        meeting=meeting,
        subject=f"decision:{decision.pk}",
        action="add",
        to_status=decision.status,
        note=text,
        actor=actor,
        at=now,
    )
    whom = f"（责任单位：{organisation.name}，由您跟进）" if organisation is not None else ""
    notification_send(
        recipients=[decision.responsible_user_id or 0],
        kind=NotificationKind.DECISION_ASSIGNED,
        title=f"吹哨会议决定事项交办：{meeting.title}",
        text=f"{text}{whom}，完成期限{due_on:%Y-%m-%d}。",
        url=decision_url(decision),
        at=now,
        actor_id=actor.pk,
    )
    return decision


def _lock_decision(actor: User, decision_id: int) -> Decision:
    found = Decision.objects.filter(pk=decision_id, meeting__in=meeting_scope_for_user(actor)).first()
    if found is None:
        raise NotFound("决定事项不存在，或不在您的查看范围内。")
    decision = Decision.objects.select_for_update(of=("self",)).select_related("meeting").get(pk=decision_id)
    return decision


def _decision_step(
    *, actor: User, decision_id: int, action: str, changes: dict, note: str, now: dt.datetime
) -> Decision:
    """One step of a decision's table: checked, saved with its changes, recorded."""
    decision = _lock_decision(actor, decision_id)
    decision_check(actor, decision, action)
    target = decision_next_status(decision.status, action)
    assert target is not None
    previous = decision.status
    decision.status = target
    for name, value in changes.items():
        setattr(decision, name, value)
    decision.save(update_fields=["status", *changes])
    governance_event_record(
        street_id=decision.meeting.street_id,
        meeting=decision.meeting,
        subject=f"decision:{decision.pk}",
        action=action,
        from_status=previous,
        to_status=target,
        note=note,
        actor=actor,
        at=now,
    )
    return decision


@transaction.atomic
def decision_complete(*, actor: User, decision_id: int, note: str = "", now: dt.datetime | None = None) -> Decision:
    """Mark a decision done (未完成 → 已完成), with an optional note of what was done."""
    now = now or timezone.now()
    note = _text(note, label="完成情况", field="note", limit=LIMITS["reason"], required=False)
    changes = {"done_at": now, "done_by": actor, "done_note": note}
    return _decision_step(
        actor=actor, decision_id=decision_id, action=DecisionAction.COMPLETE, changes=changes, note=note, now=now
    )


@transaction.atomic
def decision_reopen(*, actor: User, decision_id: int, reason: str = "", now: dt.datetime | None = None) -> Decision:
    """Open a done decision again (已完成 → 未完成); it can become late (and be told) again."""
    now = now or timezone.now()
    reason = _text(reason, label="重新打开的原因", field="reason", limit=LIMITS["reason"], required=False)
    changes = {"done_at": None, "done_by": None, "late_told_at": None}
    return _decision_step(
        actor=actor, decision_id=decision_id, action=DecisionAction.REOPEN, changes=changes, note=reason, now=now
    )


@transaction.atomic
def decision_mark_late(*, decision_id: int, now: dt.datetime | None = None) -> Decision | None:
    """Tell the person answering for a late decision and the convener, once.
    None when it is done meanwhile or told already."""
    now = now or timezone.now()
    decision = Decision.objects.select_for_update(of=("self",)).select_related("meeting").filter(pk=decision_id).first()
    today = timezone.localdate(now)
    if decision is None or decision.late_told_at is not None:
        return None
    if not Decision.objects.filter(decision_late_q(today=today), pk=decision.pk).exists():
        return None
    meeting = decision.meeting
    notification_send(
        recipients=[decision.responsible_user_id or 0, meeting.convener_id],
        kind=NotificationKind.DECISION_LATE,
        title=f"吹哨会议决定事项逾期：{meeting.title}",
        text=f"{decision.text}，完成期限{decision.due_on:%Y-%m-%d}，至今未完成。",
        url=decision_url(decision),
        at=now,
    )
    decision.late_told_at = now
    decision.save(update_fields=["late_told_at"])
    governance_event_record(
        street_id=meeting.street_id,
        meeting=meeting,
        subject=f"decision:{decision.pk}",
        action="late",
        note=f"逾期提醒（期限{decision.due_on:%Y-%m-%d}）",
        actor=None,
        at=now,
    )
    return decision


def decisions_late_sweep(*, now: dt.datetime | None = None) -> int:
    """Every late decision not told yet: one short transaction each. Safe to run again."""
    now = now or timezone.now()
    due = Decision.objects.filter(decision_late_q(today=timezone.localdate(now)), late_told_at__isnull=True)
    return sum(1 for pk in list(due.values_list("pk", flat=True)) if decision_mark_late(decision_id=pk, now=now))
