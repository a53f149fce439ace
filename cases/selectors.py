"""Every read of cases goes through `case_scope_for_user`: lists, detail
pages, the API and exports use the same function, so scoping is decided once."""

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Case as DbCase
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Concat, Left, Length, Right, StrIndex, Substr, Trim
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual
from django.utils import timezone

from cases.models import Case, CaseEvent, Channel, ExtensionRequest, Signature, Tag, Urgency
from cases.transitions import AUTOMATIC, OPEN, TRANSITIONS, Action, Status, allowed_actions
from communities.models import Community, Role
from communities.selectors import person_for_user
from hotline.dates import local_midnight
from hotline.errors import InvalidInput, NotFound

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
        if action in AUTOMATIC or person.role not in transition.roles:
            continue
        if person.role in (Role.OFFICER, Role.SECRETARY) and case.community_id != person.community_id:
            continue
        if person.role == Role.CHIEF and (case.pairing is None or case.pairing.chief_id != person.user_id):
            continue
        actions.append(action)
    return actions


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


def case_intake_queue(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """New, imported and returned cases waiting for the clerk: urgent first, then oldest first."""
    return (
        case_list_for_user(user)
        .filter(status__in=[Status.REGISTERED, Status.RETURNED])
        .annotate(urgency_rank=_urgency_rank())
        .order_by("urgency_rank", "received_at", "id")
    )


def case_inbox_for_user(user: AbstractBaseUser | AnonymousUser, *, step: str) -> QuerySet[Case]:
    """A community's cases at one step. An officer sees the cases they handle;
    the secretary sees the whole community."""
    _, statuses = INBOX_STEPS[step]
    cases = case_list_for_user(user).filter(status__in=statuses)
    person = person_for_user(user)
    if person is not None and person.role == Role.OFFICER:
        cases = cases.filter(handler=user)
    return cases.order_by(F("closure_deadline").asc(nulls_last=True), "received_at", "id")


def case_inbox_counts(user: AbstractBaseUser | AnonymousUser) -> dict[str, int]:
    return {step: case_inbox_for_user(user, step=step).count() for step in INBOX_STEPS}


def case_deadline_board(user: AbstractBaseUser | AnonymousUser, *, now: dt.datetime | None = None) -> dict:
    """Open cases by how close their closure deadline is: overdue, due today, due soon (within 3 days)."""
    now = now or timezone.now()
    end_of_today = timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=999999)
    open_cases = case_list_for_user(user).filter(status__in=OPEN, closure_deadline__isnull=False)
    ordered = open_cases.order_by("closure_deadline", "id")
    return {
        "overdue": ordered.filter(closure_deadline__lt=now),
        "today": ordered.filter(closure_deadline__gte=now, closure_deadline__lte=end_of_today),
        "soon": ordered.filter(closure_deadline__gt=end_of_today, closure_deadline__lte=now + dt.timedelta(days=3)),
        "response_overdue": ordered.filter(response_overdue_q(now)),
    }


def signature_slot_for(user: AbstractBaseUser | AnonymousUser) -> str | None:
    person = person_for_user(user)
    if person is None:
        return None
    return {Role.SECRETARY: Signature.Slot.SECRETARY, Role.CHIEF: Signature.Slot.CHIEF}.get(person.role)


def case_waiting_for_signature(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """Replies and explanations in the user's scope that lack the user's slot's
    standing signature. Rewriting a text voids its signatures, so a standing
    signature is always one on the current text."""
    slot = signature_slot_for(user)
    if slot is None:
        return Case.objects.none()

    def signed(document: str) -> Exists:
        return Exists(
            Signature.objects.filter(case=OuterRef("pk"), document=document, slot=slot, voided_at__isnull=True)
        )

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
    )


def extension_request_pending_list(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ExtensionRequest]:
    return (
        ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING, case__in=case_scope_for_user(user))
        .select_related("case__community", "case__department", "requested_by__person")
        .order_by("requested_at", "id")
    )


def case_overdue_list(user: AbstractBaseUser | AnonymousUser, *, now: dt.datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    return case_list_for_user(user).filter(overdue_q(now) | response_overdue_q(now)).order_by("closure_deadline", "id")


def street_overview(user: AbstractBaseUser | AnonymousUser, *, now: dt.datetime | None = None) -> dict:
    """The leader's figures: today's intake, open, overdue, emergencies; and
    week-to-date figures per community and per department (one aggregate query each)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - dt.timedelta(days=today.weekday())
    scope = case_scope_for_user(user)
    totals = scope.aggregate(
        today_intake=Count("id", filter=Q(received_at__gte=today)),
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=overdue_q(now)),
        emergencies=Count("id", filter=Q(status__in=OPEN, urgency="emergency")),
        awaiting_dispatch=Count("id", filter=Q(status__in=[Status.REGISTERED, Status.RETURNED])),
        week_received=Count("id", filter=Q(first_dispatched_at__gte=week)),
        week_closed=Count("id", filter=Q(closed_at__gte=week)),
    )
    unit_figures = {
        "received": Count("id", filter=Q(first_dispatched_at__gte=week)),
        "closed": Count("id", filter=Q(closed_at__gte=week)),
        "open": Count("id", filter=Q(status__in=OPEN)),
        "overdue": Count("id", filter=overdue_q(now)),
        "negative": Count("id", filter=Q(callback_at__gte=week) & callback_outcome_q("negative")),
    }
    by_community = (
        scope.filter(community__isnull=False)
        .values("community_id", "community__name")
        .annotate(**unit_figures)
        .order_by("community__name")
    )
    by_department = (
        scope.filter(department__isnull=False)
        .values("department_id", "department__name")
        .annotate(**unit_figures)
        .order_by("department__name")
    )
    emergencies = (
        case_list_for_user(user).filter(status__in=OPEN, urgency="emergency").order_by("closure_deadline", "id")
    )
    return {
        "week_start": week,
        "totals": totals,
        "by_community": [row for row in by_community if any(row[k] for k in unit_figures)],
        "by_department": [row for row in by_department if any(row[k] for k in unit_figures)],
        "emergencies": emergencies[:20],
    }


def extension_request_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ExtensionRequest]:
    """Extension requests (any decision) on the cases in the user's scope."""
    return ExtensionRequest.objects.filter(case__in=case_scope_for_user(user)).select_related(
        "case__community", "requested_by__person", "decided_by__person"
    )


def extension_request_get_for_user(user: AbstractBaseUser | AnonymousUser, request_id: int) -> ExtensionRequest:
    request = extension_request_list_for_user(user).filter(pk=request_id).first()
    if request is None:
        raise NotFound("延期申请不存在，或不在您的查看范围内。")
    return request


# ---------------------------------------------------------------- hotspots (未诉先办): high-frequency shared problems

CATEGORY_SEPARATOR = "->"
BUILDING_MARK = "号楼"
HOTSPOT_DAYS = 28
HOTSPOT_MAX_DAYS = 366
HOTSPOT_TOP = 10
HOTSPOT_TOP_MAX = 50
RESIDENTS_PER_RATE = 10_000
REPEAT_MINIMUM = 2


def category_path_normalize(value: str) -> str:
    """A category path as the services store it: levels stripped, empty levels dropped."""
    return CATEGORY_SEPARATOR.join(part.strip() for part in (value or "").split(CATEGORY_SEPARATOR) if part.strip())


def category_prefix_q(value: str) -> Q:
    """Cases under a category path, whole levels only: "城乡建设->物业" does not match "城乡建设->物业管理"."""
    path = category_path_normalize(value)
    if not path:
        return Q()
    return Q(category=path) | Q(category__startswith=f"{path}{CATEGORY_SEPARATOR}")


def category_level_expression(level: int) -> DbCase:
    """The first one or two levels of the category path, computed by the
    database; NULL when the path has fewer levels (an empty path has none)."""
    category = F("category")
    first = StrIndex(category, Value(CATEGORY_SEPARATOR))
    if level == 1:
        return DbCase(
            When(category="", then=Value(None)),
            When(GreaterThan(first, 0), then=Left(category, first - 1)),
            default=category,
            output_field=CharField(),
        )
    if level == 2:
        second = StrIndex(Substr(category, first + len(CATEGORY_SEPARATOR)), Value(CATEGORY_SEPARATOR))
        return DbCase(
            When(Exact(first, 0), then=Value(None)),
            When(GreaterThan(second, 0), then=Left(category, first + second)),
            default=category,
            output_field=CharField(),
        )
    raise ValueError(f"category level {level} is not grouped by prefix; use the full path")


def address_cluster_expression() -> DbCase:
    """The address cut after its building ("幸福小区3号楼2单元502室" and
    "幸福小区3号楼附近" are both "幸福小区3号楼"); an address without a
    building number is its own cluster; NULL for no address."""
    address = Trim("address")
    mark = StrIndex(address, Value(BUILDING_MARK))
    return DbCase(
        When(Exact(address, ""), then=Value(None)),
        When(GreaterThan(mark, 0), then=Left(address, mark + len(BUILDING_MARK) - 1)),
        default=address,
        output_field=CharField(),
    )


def caller_key_expression() -> DbCase:
    """The caller's phone as `mask_phone` shows it (138****1234): orders that
    arrive already masked and full numbers group alike. NULL for a phone too
    short to tell callers apart."""
    phone = Trim("caller_phone")
    return DbCase(
        When(
            GreaterThanOrEqual(Length(phone), 7),
            then=Concat(Left(phone, 3), Value("****"), Right(phone, 4), output_field=CharField()),
        ),
        default=Value(None),
        output_field=CharField(),
    )


def _repeat_caller_keys(cases: QuerySet[Case]) -> QuerySet:
    """The caller keys with at least REPEAT_MINIMUM of `cases` (a subquery)."""
    return (
        cases.order_by()
        .annotate(caller_key=caller_key_expression())
        .filter(caller_key__isnull=False)
        .values("caller_key")
        .annotate(calls=Count("id"))
        .filter(calls__gte=REPEAT_MINIMUM)
        .values("caller_key")
    )


def case_filter_repeat_callers(cases: QuerySet[Case], *, repeat: bool) -> QuerySet[Case]:
    """The cases of callers who called at least twice among `cases` itself
    (repeat=True), or the others (repeat=False). Callers are told apart by
    their masked phone only."""
    keys = _repeat_caller_keys(cases)
    keyed = cases.annotate(caller_key=caller_key_expression())
    if repeat:
        return keyed.filter(caller_key__in=keys)
    return keyed.filter(Q(caller_key__isnull=True) | ~Q(caller_key__in=keys))


def per_residents(count: int, population: int) -> Decimal | None:
    """万人诉求比: cases per 10,000 residents, rounded half up to 2 places by
    exact integer arithmetic; None when the population is not known (0)."""
    if population <= 0:
        return None
    hundredths, remainder = divmod(count * RESIDENTS_PER_RATE * 100, population)
    if remainder * 2 >= population:
        hundredths += 1
    return (Decimal(hundredths) / 100).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class HotspotFilters:
    """The window (received time, whole Asia/Shanghai days, both included)
    and the optional filters; the previous window has the same length and
    ends the day before this one starts."""

    date_from: dt.date
    date_to: dt.date
    tag: str = ""
    category: str = ""
    community_id: int | None = None
    urgencies: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1

    @property
    def previous_from(self) -> dt.date:
        return self.date_from - dt.timedelta(days=self.days)

    @property
    def previous_to(self) -> dt.date:
        return self.date_from - dt.timedelta(days=1)

    @property
    def start(self) -> dt.datetime:
        return local_midnight(self.date_from)

    @property
    def end(self) -> dt.datetime:
        return local_midnight(self.date_to + dt.timedelta(days=1))

    @property
    def previous_start(self) -> dt.datetime:
        return local_midnight(self.previous_from)

    def search_params(self, *, previous: bool = False) -> dict[str, str | list[str]]:
        """The case search (`CaseFilter`) parameters that select the same cases."""
        params: dict[str, str | list[str]] = {
            "received_after": (self.previous_from if previous else self.date_from).isoformat(),
            "received_before": (self.previous_to if previous else self.date_to).isoformat(),
        }
        if self.tag:
            params["tag"] = self.tag
        if self.category:
            params["category"] = self.category
        if self.community_id is not None:
            params["community"] = str(self.community_id)
        if self.urgencies:
            params["urgency"] = list(self.urgencies)
        if self.channels:
            params["channel"] = list(self.channels)
        return params


@dataclass
class HotspotRow:
    """One figure of the current window and of the previous one, with the
    case search parameters that list exactly the counted cases."""

    label: str
    count: int
    previous: int
    query: str = ""
    previous_query: str = ""
    population: int | None = None
    per_10k: Decimal | None = None
    previous_per_10k: Decimal | None = None
    key: str = ""

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass
class Hotspots:
    filters: HotspotFilters
    top: int
    total: HotspotRow
    category_l1: list[HotspotRow]
    category_l2: list[HotspotRow]
    category_path: list[HotspotRow]
    compounds: list[HotspotRow]
    addresses: list[HotspotRow]
    communities: list[HotspotRow]
    repeat_callers: HotspotRow  # label/count: callers; the linked cases are in repeat_cases
    repeat_cases: HotspotRow
    repeat_categories: list[HotspotRow]


def hotspot_filters(
    *,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    tag: str = "",
    category: str = "",
    community_id: int | None = None,
    urgencies: Sequence[str] = (),
    channels: Sequence[str] = (),
    today: dt.date | None = None,
) -> HotspotFilters:
    """Checked filters; the default window is the last four weeks up to today."""
    if date_to is None:
        date_to = today or timezone.localdate()
    if date_from is None:
        date_from = date_to - dt.timedelta(days=HOTSPOT_DAYS - 1)
    if date_from > date_to:
        raise InvalidInput("开始日期不能晚于结束日期。", field="received_after")
    if (date_to - date_from).days + 1 > HOTSPOT_MAX_DAYS:
        raise InvalidInput(f"统计区间最长 {HOTSPOT_MAX_DAYS} 天，请缩短日期范围。", field="received_after")
    tag = (tag or "").strip()
    if tag and not Tag.objects.filter(name=tag).exists():
        raise InvalidInput(f"标签“{tag}”不存在。", field="tag")
    if community_id is not None and not Community.objects.filter(pk=community_id).exists():
        raise InvalidInput("所选社区不存在。", field="community")
    bad = [value for value in urgencies if value not in Urgency.values]
    if bad:
        raise InvalidInput(f"紧急程度“{bad[0]}”无效。", field="urgency")
    bad = [value for value in channels if value not in Channel.values]
    if bad:
        raise InvalidInput(f"来源渠道“{bad[0]}”无效。", field="channel")
    return HotspotFilters(
        date_from=date_from,
        date_to=date_to,
        tag=tag,
        category=category_path_normalize(category),
        community_id=community_id,
        urgencies=tuple(dict.fromkeys(urgencies)),
        channels=tuple(dict.fromkeys(channels)),
    )


def _hotspot_cases(user: AbstractBaseUser | AnonymousUser, filters: HotspotFilters) -> QuerySet[Case]:
    """The user's cases of both windows that pass the filters."""
    cases = case_scope_for_user(user).filter(received_at__gte=filters.previous_start, received_at__lt=filters.end)
    if filters.tag:
        cases = cases.filter(tags__name=filters.tag)
    if filters.category:
        cases = cases.filter(category_prefix_q(filters.category))
    if filters.community_id is not None:
        cases = cases.filter(community_id=filters.community_id)
    if filters.urgencies:
        cases = cases.filter(urgency__in=filters.urgencies)
    if filters.channels:
        cases = cases.filter(channel__in=filters.channels)
    return cases.order_by()


def _query(params: dict[str, str | list[str]], extra: dict[str, str]) -> str:
    return urlencode({**params, **extra}, doseq=True)


def case_hotspots(
    user: AbstractBaseUser | AnonymousUser, *, filters: HotspotFilters, top: int = HOTSPOT_TOP
) -> Hotspots:
    """热点分析: where the user's cases of the window concentrate — by category
    level, compound, address cluster, community (with 万人诉求比) and repeat
    callers — each against the previous window of the same length. Every
    figure is a GROUP BY in the database (a fixed number of queries whatever
    the data size) and carries the case search parameters of its cases."""
    if not 1 <= top <= HOTSPOT_TOP_MAX:
        raise InvalidInput(f"显示条数须在 1 到 {HOTSPOT_TOP_MAX} 之间。", field="top")
    cases = _hotspot_cases(user, filters)
    current = Q(received_at__gte=filters.start)
    counts = {"count": Count("id", filter=current), "previous": Count("id", filter=~current)}
    now_params = filters.search_params()
    before_params = filters.search_params(previous=True)

    def row(label: str, count: int, previous: int, extra: dict[str, str], **more) -> HotspotRow:
        return HotspotRow(
            label=label,
            count=count,
            previous=previous,
            query=_query(now_params, extra),
            previous_query=_query(before_params, extra),
            **more,
        )

    def grouped(source: QuerySet, expression, param: str | None = None, also: dict | None = None) -> list[HotspotRow]:
        buckets = (
            source.annotate(bucket=expression)
            .filter(bucket__isnull=False)
            .exclude(bucket="")
            .values("bucket")
            .annotate(**counts)
            .filter(count__gt=0)
            .order_by("-count", "bucket")[:top]
        )
        rows = []
        for bucket in buckets:
            key = bucket["bucket"]
            if param is None:
                # A category level: the deeper of the row's path and the filter's prefix selects the same cases.
                extra = {"category": key if len(key) >= len(filters.category) else filters.category}
            else:
                extra = {param: key, **(also or {})}
            rows.append(row(key, bucket["count"], bucket["previous"], extra, key=key))
        return rows

    total = cases.aggregate(**counts)
    community_rows = []
    for unit in (
        cases.filter(community__isnull=False)
        .values("community_id", "community__name", "community__population")
        .annotate(**counts)
        .order_by("-count", "community__name")
    ):
        population = unit["community__population"]
        community_rows.append(
            row(
                unit["community__name"],
                unit["count"],
                unit["previous"],
                {"community": str(unit["community_id"])},
                key=str(unit["community_id"]),
                population=population,
                per_10k=per_residents(unit["count"], population),
                previous_per_10k=per_residents(unit["previous"], population),
            )
        )

    # Repeat callers: a caller repeats within a window, so each window has its own set of callers.
    keyed = cases.annotate(caller_key=caller_key_expression()).filter(caller_key__isnull=False)
    per_caller = keyed.values("caller_key").annotate(
        now=Count("id", filter=current), before=Count("id", filter=~current)
    )
    repeats = per_caller.aggregate(
        callers=Count("caller_key", filter=Q(now__gte=REPEAT_MINIMUM)),
        cases=Sum("now", filter=Q(now__gte=REPEAT_MINIMUM), default=0),
        previous_callers=Count("caller_key", filter=Q(before__gte=REPEAT_MINIMUM)),
        previous_cases=Sum("before", filter=Q(before__gte=REPEAT_MINIMUM), default=0),
    )
    # The same caller on the same problem (category) more than once: the search with the row's
    # category and repeat_caller=true counts repeats among that category's cases, i.e. the same pairs.
    pair = Concat(F("caller_key"), Value(" "), F("category"), output_field=CharField())
    paired = keyed.annotate(pair=pair)

    def repeat_pairs(window: Q) -> QuerySet:
        return (
            paired.filter(window)
            .values("pair")
            .annotate(calls=Count("id"))
            .filter(calls__gte=REPEAT_MINIMUM)
            .values("pair")
        )

    repeat_cases = paired.filter(
        Q(current, pair__in=repeat_pairs(current)) | Q(~current, pair__in=repeat_pairs(~current))
    )
    repeat = {"repeat_caller": "true"}
    return Hotspots(
        filters=filters,
        top=top,
        total=row("合计", total["count"], total["previous"], {}),
        category_l1=grouped(cases, category_level_expression(1)),
        category_l2=grouped(cases, category_level_expression(2)),
        category_path=grouped(cases, F("category"), "category_exact"),
        compounds=grouped(cases, F("compound"), "compound"),
        addresses=grouped(cases, address_cluster_expression(), "address_cluster"),
        communities=community_rows,
        repeat_callers=row("重复来电人", repeats["callers"], repeats["previous_callers"], repeat),
        repeat_cases=row("重复来电诉求", repeats["cases"], repeats["previous_cases"], repeat),
        repeat_categories=grouped(repeat_cases, F("category"), "category_exact", also=repeat),
    )


def hotspot_community_choices(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Community]:
    """The communities a user can pick in the hotspot filter: their own for a
    community role, their pairings' for a chief, the street's for the others."""
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return Community.objects.none()
    communities = Community.objects.filter(street_id=person.street_id)
    if person.role in (Role.OFFICER, Role.SECRETARY):
        return communities.filter(pk=person.community_id)
    if person.role == Role.CHIEF:
        return communities.filter(pairings__chief_id=person.user_id).distinct()
    return communities


def hotspot_tag_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Tags grouped by kind for a select: 每月一题 first, then 七有五性, then the others."""
    order = [Tag.Kind.MONTHLY_TOPIC, Tag.Kind.SEVEN_FIVE, Tag.Kind.OTHER]
    groups: dict[str, list[tuple[str, str]]] = {kind: [] for kind in order}
    for name, kind in Tag.objects.order_by("id").values_list("name", "kind"):
        groups.setdefault(kind, []).append((name, name))
    return [(Tag.Kind(kind).label, groups[kind]) for kind in order if groups.get(kind)]
