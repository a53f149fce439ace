"""The caller's context (来电背景): beside a case, the same caller's other
cases and the same compound's recent cases, with their status and callback
outcome. One selector, `case_context_for_user`, serves the case page, the
dispatch page and the API.

"The same caller" is the caller key of `cases.groupings` (the phone as
`mask_phone` shows it), the key the repeat-caller filter and the hotspot
report group by; both lists are read from an index (the caller key or the
compound, then `received_at` newest first), one query each, and stay inside
the viewer's case scope. Who may not see callers gets the caller's counts
only, never the list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Window
from django.utils import timezone

from cases.groupings import REPEAT_MINIMUM
from cases.models import Case
from cases.selectors import caller_visible_to, case_scope_for_user, mask_phone
from cases.transitions import OPEN
from cases.vocabulary import callback_outcome_q

# At most this many cases of each list are listed; the totals count them all.
CONTEXT_LIST_LIMIT = 10
# The columns a listed case shows (page and API): the rest stays in the database.
CONTEXT_FIELDS = (
    "ticket_no",
    "received_at",
    "title",
    "status",
    "callback_at",
    "callback_resolved",
    "callback_satisfaction",
    "caller_name",
    "caller_phone",
    "handler",  # whether the viewer handles it (caller_visible_to)
    "community__name",
)


def compound_days() -> int:
    """How far back the compound's cases go (setting CASE_CONTEXT_COMPOUND_DAYS, default 90)."""
    return int(getattr(settings, "CASE_CONTEXT_COMPOUND_DAYS", 90))


@dataclass(frozen=True)
class CallerCounts:
    total: int = 0
    open: int = 0
    negative: int = 0  # 单否 or 双否


@dataclass
class CaseContext:
    case: Case
    details_visible: bool  # the caller's cases listed in full (roles that call callers)
    caller_key: str  # the masked phone the caller's cases share; "" when the phone tells no caller apart
    caller_total: int = 0
    caller_cases: list[Case] = field(default_factory=list)  # only when details_visible
    caller_counts: CallerCounts | None = None  # only when not details_visible
    compound: str = ""
    compound_days: int = 90
    compound_since: dt.datetime | None = None
    compound_total: int = 0
    compound_cases: list[Case] = field(default_factory=list)

    @property
    def repeat_caller(self) -> bool:
        return self.caller_total > 0


def _others(scope: QuerySet[Case], case: Case) -> QuerySet[Case]:
    return scope.exclude(pk=case.pk).order_by("-received_at", "-id")


def _listed(cases: QuerySet[Case]) -> tuple[int, list[Case]]:
    """The newest CONTEXT_LIST_LIMIT cases and, in the same query, how many there are."""
    rows: list[Case] = list(
        cases.select_related("community")
        .only(*CONTEXT_FIELDS)
        .annotate(context_total=Window(Count("id")))[:CONTEXT_LIST_LIMIT]
    )
    return (getattr(rows[0], "context_total", 0) if rows else 0), rows


def case_context_for_user(
    *, user: AbstractBaseUser | AnonymousUser, case: Case, now: dt.datetime | None = None
) -> CaseContext:
    """The context of `case` (already read through the case scope) as `user` may see it."""
    now = now or timezone.now()
    scope = case_scope_for_user(user)
    context = CaseContext(
        case=case,
        details_visible=caller_visible_to(user, case),
        caller_key=mask_phone(case.caller_phone) if len(case.caller_phone.strip()) >= 7 else "",
        compound=case.compound.strip(),
        compound_days=compound_days(),
    )
    if context.caller_key:
        # The key is `mask_phone` of the phone, which the database stores as `Case.caller_key`.
        callers = _others(scope, case).filter(caller_key=context.caller_key)
        if context.details_visible:
            context.caller_total, context.caller_cases = _listed(callers)
        else:
            counts = callers.aggregate(
                total=Count("id"),
                open=Count("id", filter=Q(status__in=OPEN)),
                negative=Count("id", filter=callback_outcome_q("negative")),
            )
            context.caller_counts = CallerCounts(**counts)
            context.caller_total = counts["total"]
    if context.compound:
        context.compound_since = now - dt.timedelta(days=context.compound_days)
        recent = _others(scope, case).filter(compound=case.compound, received_at__gte=context.compound_since)
        context.compound_total, context.compound_cases = _listed(recent)
    return context


def case_repeat_caller_ids(*, user: AbstractBaseUser | AnonymousUser, case_ids: list[int]) -> set[int]:
    """Which of `case_ids` have a repeat caller (重复来电): their caller has another
    case in the user's scope — `groupings.case_filter_repeat_callers` (at least
    REPEAT_MINIMUM calls) asked of a page of rows through the caller-key index."""
    if not case_ids:
        return set()
    scope = case_scope_for_user(user)
    others = scope.filter(caller_key=OuterRef("caller_key")).exclude(pk=OuterRef("pk"))
    # REPEAT_MINIMUM calls: this one and at least REPEAT_MINIMUM - 1 others (OFFSET REPEAT_MINIMUM - 2 exists).
    enough = Exists(others.order_by("pk")[REPEAT_MINIMUM - 2 :])
    rows = scope.filter(pk__in=case_ids, caller_key__isnull=False)
    return set(rows.filter(enough).values_list("pk", flat=True))
