"""Every read of cases goes through `case_scope_for_user`: lists, detail
pages, the API and exports use the same function, so scoping is decided once."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from cases.models import Case, CaseEvent, ExtensionRequest, Signature
from cases.transitions import OPEN, TRANSITIONS, Action, Status, allowed_actions
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import NotFound

# Roles that call the caller and so see the caller's name and phone in full.
CALLER_VISIBLE_ROLES = frozenset({Role.CLERK, Role.OFFICER})
DUE_SOON = dt.timedelta(hours=24)


def case_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    person = person_for_user(user)
    cases = Case.objects.all()
    if person is None:
        return cases.none()
    if person.role in (Role.CLERK, Role.LEADER, Role.SUPERVISOR):
        return cases
    if person.role in (Role.OFFICER, Role.SECRETARY):
        return cases.filter(community_id=person.community_id)
    if person.role == Role.CHIEF:
        return cases.filter(pairing__chief_id=person.user_id)
    return cases.none()  # the lobby display sees no case


def case_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """The scoped list with what a list row shows, in a constant number of queries."""
    return (
        case_scope_for_user(user)
        .select_related("community", "department", "handler__person", "pairing")
        .prefetch_related("tags")
    )


def case_get_for_user(user: AbstractBaseUser | AnonymousUser, case_id: int) -> Case:
    """One case with its timeline, or NotFound — also when it is out of scope."""
    case = (
        case_list_for_user(user)
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor__person")),
            Prefetch("signatures", queryset=Signature.objects.select_related("signer__person")),
            Prefetch(
                "extension_requests",
                queryset=ExtensionRequest.objects.select_related("requested_by__person", "decided_by__person"),
            ),
        )
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("案件不存在，或不在您的查看范围内。")
    return case


def caller_visible_to(user: AbstractBaseUser | AnonymousUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.role in CALLER_VISIBLE_ROLES


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def overdue_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status__in=OPEN, closure_deadline__lt=now)


def due_soon_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status__in=OPEN, closure_deadline__gte=now, closure_deadline__lt=now + DUE_SOON)


def response_overdue_q(now: dt.datetime | None = None) -> Q:
    now = now or timezone.now()
    return Q(status=Status.DISPATCHED, response_deadline__lt=now)


def callback_outcome_q(outcome: str) -> Q:
    """'positive', 'single' (单否), 'double' (双否), 'negative' (either), 'none' (no callback yet)."""
    unresolved = Q(callback_resolved=False)
    unsatisfied = Q(callback_satisfaction="unsatisfied")
    called = Q(callback_at__isnull=False)
    return {
        "none": Q(callback_at__isnull=True),
        "positive": called & ~unresolved & ~unsatisfied,
        "single": called & ((unresolved & ~unsatisfied) | (~unresolved & unsatisfied)),
        "double": called & unresolved & unsatisfied,
        "negative": called & (unresolved | unsatisfied),
    }[outcome]


def case_available_actions(*, case: Case, user: AbstractBaseUser | AnonymousUser) -> list[Action]:
    """The steps this user may take on this case now: the transition table
    filtered by role and unit. The services check the same again on write."""
    person = person_for_user(user)
    if person is None:
        return []
    actions = []
    for action in allowed_actions(Status(case.status)):
        transition = TRANSITIONS[action]
        if person.role not in transition.roles:
            continue
        if person.role in (Role.OFFICER, Role.SECRETARY) and case.community_id != person.community_id:
            continue
        if person.role == Role.CHIEF and (case.pairing is None or case.pairing.chief_id != person.user_id):
            continue
        actions.append(action)
    return actions
