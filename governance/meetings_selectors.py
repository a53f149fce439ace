"""Reads of 吹哨 meetings and their decisions, always through
`governance.scoping.meeting_scope_for_user`; and what a case's reply takes
from the meetings held about it (`meeting_whistle_facts_for_case`)."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import TEXT_LIMITS, Case
from cases.selectors import case_scope_for_user
from communities.models import Person, Role
from communities.selectors import person_for_user
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import (
    Decision,
    Meeting,
    MeetingCase,
    MeetingParty,
    Organisation,
    PartyKind,
    Project,
    decision_done_on_time,
    decision_done_on_time_q,
    decision_is_late,
    decision_late_q,
)
from governance.scoping import meeting_scope_for_user
from hotline.dates import local_midnight
from hotline.errors import InvalidInput, NotFound

# The states a decision list filters on (`decision_state_q`).
DECISION_STATES = {
    "open": "未到期",
    "late": "已逾期",
    "done_on_time": "按期完成",
    "done_late": "逾期完成",
}


def decision_state_q(state: str, *, today: dt.date) -> Q:
    """A decision state as a filter on Decision (one home: the definitions next
    to the model); the four states part every decision, as `decision_state` does."""
    if state == "open":
        return Q(status=DecisionStatus.OPEN) & ~decision_late_q(today=today)
    if state == "late":
        return decision_late_q(today=today)
    if state == "done_on_time":
        return decision_done_on_time_q()
    if state == "done_late":
        return Q(status=DecisionStatus.DONE) & ~decision_done_on_time_q()
    raise ValueError(state)


def meeting_unit_q(*, community_id: int | None = None, department_id: int | None = None, prefix: str = "") -> Q:
    """The one home of a meeting's units (lists and figures): its community and
    the communities and departments at its table (`prefix` "meeting__": the
    same on Decision)."""
    q = Q()
    if community_id:
        at_table = MeetingParty.objects.filter(community_id=community_id).values("meeting_id")
        q &= Q(**{f"{prefix}community_id": community_id}) | Q(**{f"{prefix}id__in": at_table})
    if department_id:
        at_table = MeetingParty.objects.filter(department_id=department_id).values("meeting_id")
        q &= Q(**{f"{prefix}id__in": at_table})
    return q


def meeting_units(meeting_ids: Iterable[int]) -> dict[int, set[tuple[str, int]]]:
    """`meeting_unit_q` for many meetings at once (the figures count each
    meeting for its units): ("community", id) for its community and the
    communities at its table, ("department", id) for the departments there."""
    ids = list(meeting_ids)
    units: dict[int, set[tuple[str, int]]] = {pk: set() for pk in ids}
    for pk, community_id in Meeting.objects.filter(pk__in=ids, community__isnull=False).values_list(
        "pk", "community_id"
    ):
        units[pk].add(("community", community_id))
    parties = MeetingParty.objects.filter(meeting_id__in=ids).values_list("meeting_id", "community_id", "department_id")
    for pk, community_id, department_id in parties:
        if community_id is not None:
            units[pk].add(("community", community_id))
        if department_id is not None:
            units[pk].add(("department", department_id))
    return units


def _count(decisions: QuerySet[Decision]) -> Coalesce:
    counted = decisions.filter(meeting=OuterRef("pk")).order_by().values("meeting").annotate(n=Count("pk"))
    return Coalesce(Subquery(counted.values("n")), 0)


def meeting_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    status: str = "",
    community_id: int | None = None,
    department_id: int | None = None,
    project_id: int | None = None,
    decisions: str = "",
    held_from: dt.date | None = None,
    held_to: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet[Meeting]:
    today = today or timezone.localdate()
    meetings = meeting_scope_for_user(user).select_related("community", "project", "convener__person")
    if status:
        meetings = meetings.filter(status=status)
    if held_from is not None:
        meetings = meetings.filter(held_at__gte=local_midnight(held_from))
    if held_to is not None:
        meetings = meetings.filter(held_at__lt=local_midnight(held_to + dt.timedelta(days=1)))
    meetings = meetings.filter(meeting_unit_q(community_id=community_id, department_id=department_id))
    if project_id:
        meetings = meetings.filter(project_id=project_id)
    if decisions:
        meetings = meetings.filter(
            pk__in=Decision.objects.filter(decision_state_q(decisions, today=today)).values("meeting_id")
        )
    return meetings.annotate(
        decision_count=_count(Decision.objects.all()),
        open_count=_count(Decision.objects.filter(decision_state_q("open", today=today))),
        late_count=_count(Decision.objects.filter(decision_state_q("late", today=today))),
        case_count=Coalesce(
            Subquery(
                MeetingCase.objects.filter(meeting=OuterRef("pk"))
                .order_by()
                .values("meeting")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
    ).order_by("-held_at", "-id")


def meeting_get_for_user(*, user: AbstractBaseUser | AnonymousUser, meeting_id: int) -> Meeting:
    meeting = (
        meeting_scope_for_user(user)
        .select_related("community", "project", "convener__person", "created_by__person")
        .prefetch_related(
            Prefetch(
                "parties", queryset=MeetingParty.objects.select_related("department", "community", "organisation")
            ),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related(
                    "owner__person", "organisation", "follow_up__person", "done_by__person"
                ),
            ),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound("会议不存在，或不在您的查看范围内。")
    return meeting


def meeting_cases_for_user(*, user: AbstractBaseUser | AnonymousUser, meeting: Meeting) -> list[Case]:
    """The meeting's linked cases as far as the user may see them."""
    ids = MeetingCase.objects.filter(meeting=meeting).values("case_id")
    return list(case_scope_for_user(user).filter(pk__in=ids).select_related("community").order_by("pk"))


def meeting_attachments(*, meeting: Meeting) -> QuerySet:
    """The meeting's files (the caller has scoped the meeting)."""
    return meeting.attachments.select_related("uploaded_by__person").order_by("uploaded_at", "id")


def decision_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    state: str = "",
    community_id: int | None = None,
    department_id: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet[Decision]:
    """The decisions of the meetings the user sees; `community`/`department`:
    the meeting's community, a department at its table (meeting_unit_q)."""
    today = today or timezone.localdate()
    decisions = Decision.objects.filter(meeting__in=meeting_scope_for_user(user)).select_related(
        "meeting__community", "owner__person", "organisation", "follow_up__person"
    )
    if state:
        decisions = decisions.filter(decision_state_q(state, today=today))
    if due_from is not None:
        decisions = decisions.filter(due_on__gte=due_from)
    if due_to is not None:
        decisions = decisions.filter(due_on__lte=due_to)
    unit = meeting_unit_q(community_id=community_id, department_id=department_id, prefix="meeting__")
    return decisions.filter(unit).order_by("due_on", "id")


def decision_get_for_user(*, user: AbstractBaseUser | AnonymousUser, decision_id: int) -> Decision:
    decision = decision_list_for_user(user=user).filter(pk=decision_id).first()
    if decision is None:
        raise NotFound("决定事项不存在，或不在您的查看范围内。")
    return decision


def decision_state(decision: Decision, *, today: dt.date) -> str:
    """The state of one decision in hand, by the same definitions as `decision_state_q`."""
    if decision.status == DecisionStatus.OPEN:
        return "late" if decision_is_late(decision, today=today) else "open"
    return "done_on_time" if decision_done_on_time(decision) else "done_late"


def meetings_for_project(user: AbstractBaseUser | AnonymousUser, project: Project) -> QuerySet[Meeting]:
    """A project's meetings the user sees (for the project page's include)."""
    return meeting_list_for_user(user=user, project_id=project.pk)


def meetings_for_case(*, user: AbstractBaseUser | AnonymousUser, case_id: int) -> QuerySet[Meeting]:
    return meeting_list_for_user(user=user).filter(links__case_id=case_id)


def organisation_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Organisation]:
    """The street's register of outside bodies (every staff role of the street)."""
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return Organisation.objects.none()
    return Organisation.objects.filter(street_id=person.street_id).prefetch_related("communities")


def street_people_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Person]:
    """Who can own a decision or follow one up: the street's people (not the lobby screen)."""
    person = person_for_user(user)
    if person is None:
        return Person.objects.none()
    return (
        Person.objects.filter(street_id=person.street_id)
        .exclude(role=Role.DISPLAY)
        .select_related("community", "department")
        .order_by("role", "full_name")
    )


# ---------------------------------------------------------------- the structured reply's 吹哨 fields


@dataclass(frozen=True)
class WhistleFacts:
    whistle: bool
    parties: str
    result: str
    meeting_id: int


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def meeting_whistle_facts_for_case(case_id: int) -> WhistleFacts | None:
    """The reply's 吹哨 fields from the latest held meeting about the case:
    whistle = yes, the parties that came, and a short result (its decisions,
    else the start of its minutes). None when no meeting about it was held.
    The case page calls it for a case the user may already see."""
    meeting = (
        Meeting.objects.filter(status=MeetingStatus.HELD, links__case_id=case_id)
        .prefetch_related(
            Prefetch(
                "parties",
                queryset=MeetingParty.objects.filter(attended=True).select_related(
                    "department", "community", "organisation"
                ),
            ),
            Prefetch("decisions", queryset=Decision.objects.select_related("organisation", "owner__person")),
        )
        .order_by("-held_at", "-id")
        .first()
    )
    if meeting is None:
        return None
    # Residents by their role, not their names: the reply goes to the city's platform.
    labels = [PartyKind.RESIDENT.label if p.kind == PartyKind.RESIDENT else p.label for p in meeting.parties.all()]
    parties = _shorten("、".join(dict.fromkeys(labels)), TEXT_LIMITS["reply_whistle_parties"])
    decisions = list(meeting.decisions.all())
    when = timezone.localtime(meeting.held_at).strftime("%Y-%m-%d")
    if decisions:
        items = []
        for n, d in enumerate(decisions, start=1):
            who = d.organisation.name if d.organisation is not None else _person_name(d.owner_id)
            items.append(f"{n}. {d.text}（{who}，{d.due_on:%m-%d}前）")
        result = f"{when}召开吹哨会议，议定：" + "；".join(items) + "。"
    else:
        result = f"{when}召开吹哨会议：{meeting.minutes}"
    return WhistleFacts(
        whistle=True,
        parties=parties,
        result=_shorten(result, min(300, TEXT_LIMITS["reply_whistle_result"])),
        meeting_id=meeting.pk,
    )


def _person_name(user_id: int | None) -> str:
    return Person.objects.filter(user_id=user_id).values_list("full_name", flat=True).first() or "" if user_id else ""


def case_ids_for_refs(*, user: AbstractBaseUser | AnonymousUser, refs: list[str]) -> list[int]:
    """Cases named by ticket number (or id) as far as the user may see them;
    one not found, or out of scope, refuses the lot (nobody learns which exists)."""
    scope = case_scope_for_user(user)
    ids: list[int] = []
    for ref in refs:
        found = scope.filter(ticket_no=ref).values_list("pk", flat=True).first()
        if found is None and ref.isdigit():
            found = scope.filter(pk=int(ref)).values_list("pk", flat=True).first()
        if found is None:
            raise InvalidInput(
                f"案件“{ref[:30]}”不存在，或不在您的办理范围内，不能关联。", code="case_out_of_scope", field="cases"
            )
        ids.append(found)
    return list(dict.fromkeys(ids))
