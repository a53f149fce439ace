"""Every read of cases goes through `case_scope_for_user`: lists, detail
pages, the API and exports use the same function, so scoping is decided once."""

import datetime as dt
import re
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case as DbCase
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from attachments.models import Attachment
from cases.models import Case, CaseEvent, ExtensionRequest, Signature
from cases.permissions import SIGNING_SLOT
from cases.transitions import OPEN, Action, Status
from cases.vocabulary import (
    DUE_WITHIN_DAYS,
    STANDING_SIGNATURE,
    callback_outcome_q,
    current_deadline_expression,
    overdue_q,
    response_overdue_q,
)
from communities.models import Community, Department, Role
from communities.selectors import person_for_user
from communities.sorting import unit_order
from hotline.errors import NotFound

# Roles that call the caller and so see the caller's name and phone in full.
CALLER_VISIBLE_ROLES = frozenset({Role.CLERK, Role.OFFICER})


def case_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    person = person_for_user(user)
    cases = Case.objects.all()
    if person is None:
        return cases.none()
    if person.role in (Role.CLERK, Role.LEADER, Role.SUPERVISOR):
        return cases
    if person.role in (Role.OFFICER, Role.SECRETARY):
        return cases.filter(community=person.community_id)
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


def case_get_for_user(*, user: AbstractBaseUser | AnonymousUser, case_id: int) -> Case:
    """One case with its timeline, or NotFound — also when it is out of scope."""
    case = (
        case_list_for_user(user)
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor__person")),
            Prefetch("signatures", queryset=Signature.objects.select_related("signer__person")),
            # The files bound by the signatures (cases.vocabulary.signed_text) and the gallery.
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by__person")),
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


def caller_visible_to(user: AbstractBaseUser | AnonymousUser, case: Case | None = None) -> bool:
    """Whether the user sees callers in full: the roles that call callers, and
    for one case also its named handler (a secretary can be one)."""
    person = person_for_user(user)
    if person is None:
        return False
    return person.role in CALLER_VISIBLE_ROLES or (case is not None and case.handler_id == person.user_id)


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)


def mask_phone(phone: str) -> str:
    digits = phone.strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


# Phone numbers written into free text (content, reply, notes): a mobile number
# (optionally +86, grouped 3-4-4 by spaces or dashes), a number with its area
# code (010-65123456), or 7-8 digits right after a word that announces a phone.
_PHONE_IN_TEXT = re.compile(
    r"(?<![0-9])(?:"
    r"(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}"
    r"|0[0-9]{2,3}[ -]?[0-9]{7,8}"
    r"|(?<=电话)[:：]?[ ]?[0-9]{7,8}|(?<=手机)[:：]?[ ]?[0-9]{7,8}|(?<=座机)[:：]?[ ]?[0-9]{7,8}"
    r")(?![0-9])"
)


def _mask_match(match: re.Match) -> str:
    text = match.group(0)
    lead = text[: len(text) - len(text.lstrip(":： "))]
    digits = re.sub(r"[^0-9]", "", text[len(lead) :])
    if len(digits) == 13 and digits.startswith("86"):  # +86: the country code stays readable
        lead, digits = text[: text.index("86") + 2] + " ", digits[2:]
    return lead + mask_phone(digits)


def mask_phones_in_text(text: str) -> str:
    """Free text with every phone number in it masked as `mask_phone` masks the caller's."""
    return _PHONE_IN_TEXT.sub(_mask_match, text) if text else text


# ---------------------------------------------------------------- workbench pages (web UI)

URGENCY_ORDER = {"emergency": 0, "utility": 1, "general": 2, "complex": 3}
INBOX_STEPS: dict[str, tuple[str, frozenset[Status]]] = {
    "contact": ("待联系", frozenset({Status.DISPATCHED})),
    "reply": ("待回复", frozenset({Status.RESPONDED})),
    "signing": ("待签字", frozenset({Status.REPLIED, Status.EXPLANATION_WRITTEN})),
    "explain": ("待写说明", frozenset({Status.NEEDS_EXPLANATION})),
    "returned": ("已退回", frozenset({Status.RETURNED})),
}


def _urgency_rank() -> DbCase:
    return DbCase(
        *[When(urgency=key, then=Value(rank)) for key, rank in URGENCY_ORDER.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def case_intake_queue(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """New, imported and returned cases waiting for the clerk: urgent first, then oldest first;
    `queued_at` is when each came into the queue (registered, or returned by its community)."""
    queued_at = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action__in=[Action.REGISTER, Action.RETURN])
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    return (
        case_list_for_user(user)
        .filter(status__in=[Status.REGISTERED, Status.RETURNED])
        .annotate(urgency_rank=_urgency_rank(), queued_at=Subquery(queued_at))
        .order_by("urgency_rank", "received_at", "id")
    )


def case_inbox_for_user(*, user: AbstractBaseUser | AnonymousUser, step: str) -> QuerySet[Case]:
    """A community's cases at one step, the most urgent deadline of the step first
    (`current_deadline`: the response deadline while waiting for the call, else
    the closure deadline). An officer sees the cases they handle; the secretary
    sees the whole community."""
    _, statuses = INBOX_STEPS[step]
    cases = (
        case_list_for_user(user).filter(status__in=statuses).annotate(current_deadline=current_deadline_expression())
    )
    person = person_for_user(user)
    if person is not None and person.role == Role.OFFICER:
        cases = cases.filter(handler=person.user_id)
    return cases.order_by(F("current_deadline").asc(nulls_last=True), "received_at", "id")


def case_inbox_counts(*, user: AbstractBaseUser | AnonymousUser) -> dict[str, int]:
    return {step: case_inbox_for_user(user=user, step=step).count() for step in INBOX_STEPS}


# The deadline board's sections: key -> (label, the deadline the section is about).
DEADLINE_BOARD_SECTIONS: dict[str, tuple[str, str]] = {
    "overdue": ("已超时", "closure"),
    "today": ("今日到期", "closure"),
    "soon": ("三日内到期", "closure"),
    "response": ("超时未联系", "response"),
}


def case_deadline_board(*, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None) -> dict:
    """Open cases by how close their deadline is: overdue, due today, due within
    three days (DUE_WITHIN_DAYS — wider than "due soon") by the closure deadline;
    not contacted in time by the response deadline. Each section is ordered by
    its own deadline, earliest first: the latest case leads a late section."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
    scope = case_list_for_user(user)
    by_closure = scope.filter(status__in=OPEN, closure_deadline__isnull=False).order_by("closure_deadline", "id")
    return {
        "overdue": by_closure.filter(overdue_q(now)),
        "today": by_closure.filter(closure_deadline__gte=now, closure_deadline__lte=end_of_today),
        "soon": by_closure.filter(closure_deadline__gt=end_of_today, closure_deadline__lte=now + DUE_WITHIN_DAYS),
        "response": scope.filter(response_overdue_q(now)).order_by("response_deadline", "id"),
    }


def signature_slot_for(*, user: AbstractBaseUser | AnonymousUser) -> str | None:
    person = person_for_user(user)
    if person is None:
        return None
    return SIGNING_SLOT.get(person.role)


def case_waiting_for_signature(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """Replies and explanations in the user's scope that lack the user's slot's
    standing signature (STANDING_SIGNATURE: rewriting a text voids its
    signatures, so a signature not voided is one on the current text)."""
    slot = signature_slot_for(user=user)
    if slot is None:
        return Case.objects.none()

    def signed(document: str) -> Exists:
        return Exists(Signature.objects.filter(STANDING_SIGNATURE, case=OuterRef("pk"), document=document, slot=slot))

    return (
        case_list_for_user(user)
        .alias(
            has_reply_signature=signed(Signature.Document.REPLY),
            has_explanation_signature=signed(Signature.Document.EXPLANATION),
        )
        .filter(
            Q(status=Status.REPLIED, has_reply_signature=False)
            | Q(status=Status.EXPLANATION_WRITTEN, has_explanation_signature=False)
        )
        .order_by(F("closure_deadline").asc(nulls_last=True), "id")
        .prefetch_related("attachments")  # shown beside the text, and bound by the signature
    )


def extension_request_pending_list(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ExtensionRequest]:
    return (
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING, case__in=case_scope_for_user(user))
        .select_related("case__community", "case__department", "requested_by__person")
        .order_by("requested_at", "id")
    )


def case_overdue_list(*, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None) -> QuerySet[Case]:
    """超期 (`overdue_q`, the closure deadline passed), the latest first: the
    cases the overview's 超期 figure counts."""
    now = now or timezone.now()
    return case_list_for_user(user).filter(overdue_q(now)).order_by("closure_deadline", "id")


def case_response_overdue_list(
    *, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None
) -> QuerySet[Case]:
    """超时未联系 (`response_overdue_q`), the latest first: the overview's second figure."""
    now = now or timezone.now()
    return case_list_for_user(user).filter(response_overdue_q(now)).order_by("response_deadline", "id")


def street_overview(*, user: AbstractBaseUser | AnonymousUser, now: dt.datetime | None = None) -> dict:
    """The leader's figures: today's intake, open, overdue, emergencies; and
    week-to-date figures per community and per department — all from ONE
    grouped query over only the cases a figure can count (open or waiting
    for dispatch, or received today, or dispatched, closed or called back
    this week: a few index ranges, not the whole table), summed up here."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - dt.timedelta(days=today.weekday())
    awaiting = [Status.REGISTERED, Status.RETURNED]
    unit_figures = {
        "received": Count("id", filter=Q(first_dispatched_at__gte=week)),
        "closed": Count("id", filter=Q(closed_at__gte=week)),
        "open": Count("id", filter=Q(status__in=OPEN)),
        "overdue": Count("id", filter=overdue_q(now)),
        "negative": Count("id", filter=Q(callback_at__gte=week) & callback_outcome_q("negative")),
    }
    street_figures = {
        "today_intake": Count("id", filter=Q(received_at__gte=today)),
        "response_overdue": Count("id", filter=response_overdue_q(now)),
        "emergencies": Count("id", filter=Q(status__in=OPEN, urgency="emergency")),
        "awaiting_dispatch": Count("id", filter=Q(status__in=awaiting)),
    }
    # Every figure's filter implies one of these: the rows no figure counts are never read.
    countable = (
        Q(status__in=sorted({*OPEN, *awaiting}))
        | Q(received_at__gte=today)
        | Q(first_dispatched_at__gte=week)
        | Q(closed_at__gte=week)
        | Q(callback_at__gte=week)
    )
    groups: list[dict[str, Any]] = [
        dict(group)
        for group in case_scope_for_user(user)
        .filter(countable)
        .values("community_id", "department_id")
        .annotate(**unit_figures, **street_figures)
        .order_by()
    ]
    totals = {
        "today_intake": sum(group["today_intake"] for group in groups),
        "open": sum(group["open"] for group in groups),
        "overdue": sum(group["overdue"] for group in groups),
        "response_overdue": sum(group["response_overdue"] for group in groups),
        "emergencies": sum(group["emergencies"] for group in groups),
        "awaiting_dispatch": sum(group["awaiting_dispatch"] for group in groups),
        "week_received": sum(group["received"] for group in groups),
        "week_closed": sum(group["closed"] for group in groups),
    }
    emergencies = (
        case_list_for_user(user).filter(status__in=OPEN, urgency="emergency").order_by("closure_deadline", "id")
    )
    return {
        "week_start": week,
        "totals": totals,
        "by_community": _overview_units(Community, "community", groups, unit_figures),
        "by_department": _overview_units(Department, "department", groups, unit_figures),
        "emergencies": emergencies[:20],
        # 催办 and 通报 per unit, from the ladder (DESIGN §6).
        "ladder": _ladder_overview(user),
    }


def _overview_units(model: type[Community] | type[Department], kind: str, groups: list[dict], figures) -> list[dict]:
    """The groups summed per unit of one kind, in the unit list's order; units with no figure left out."""
    sums: dict[int, dict[str, int]] = {}
    for group in groups:
        unit_id = group[f"{kind}_id"]
        if unit_id is None:
            continue
        row = sums.setdefault(unit_id, dict.fromkeys(figures, 0))
        for name in figures:
            row[name] += group[name]
    counted = [unit_id for unit_id, row in sums.items() if any(row.values())]
    names = model.objects.filter(pk__in=counted).order_by(*unit_order()).values_list("pk", "name")
    return [{f"{kind}_id": pk, f"{kind}__name": name, **sums[pk]} for pk, name in names]


def _ladder_overview(user: AbstractBaseUser | AnonymousUser) -> dict:
    from supervision.ladder import ladder_overview_for_user  # the ladder reads cases: imported when used

    return ladder_overview_for_user(user=user)


def extension_request_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ExtensionRequest]:
    """Extension requests (any decision) on the cases in the user's scope."""
    return ExtensionRequest.objects.filter(case__in=case_scope_for_user(user)).select_related(
        "case__community", "requested_by__person", "decided_by__person"
    )


def extension_request_get_for_user(*, user: AbstractBaseUser | AnonymousUser, request_id: int) -> ExtensionRequest:
    request = extension_request_list_for_user(user=user).filter(pk=request_id).first()
    if request is None:
        raise NotFound("延期申请不存在，或不在您的查看范围内。")
    return request
