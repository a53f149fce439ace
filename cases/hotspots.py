"""热点分析 (未诉先办): where the cases of a window concentrate — category
levels, compounds, address clusters, communities with 万人诉求比, repeat
callers — each against the previous window of the same length."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import cast
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from cases.groupings import REPEAT_MINIMUM, category_level, category_path_normalize, category_prefix_q
from cases.models import Case, Channel, Tag, Urgency
from cases.selectors import case_scope_for_user
from communities.models import Community, Role
from communities.selectors import person_for_user
from communities.sorting import unit_order
from hotline.dates import local_midnight
from hotline.errors import InvalidInput

HOTSPOT_DAYS = 28
HOTSPOT_MAX_DAYS = 366
HOTSPOT_TOP = 10
HOTSPOT_TOP_MAX = 50
RESIDENTS_PER_RATE = 10_000


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
    *, user: AbstractBaseUser | AnonymousUser, filters: HotspotFilters, top: int = HOTSPOT_TOP
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

    def ranked(buckets: dict[str, list[int]], param: str | None = None, also: dict | None = None) -> list[HotspotRow]:
        """`grouped` for buckets summed here: the same filter, order (count, then the key in code-point
        order, as the database's C collation and SQLite sort) and cut."""
        chosen = sorted(
            ((key, now, before) for key, (now, before) in buckets.items() if now > 0), key=lambda b: (-b[1], b[0])
        )[:top]
        rows = []
        for key, now, before in chosen:
            if param is None:
                extra = {"category": key if len(key) >= len(filters.category) else filters.category}
            else:
                extra = {param: key, **(also or {})}
            rows.append(row(key, now, before, extra, key=key))
        return rows

    # The total, the three category tables and the communities from ONE grouped query (paths ×
    # communities: a few thousand groups), summed here; the communities' names from their table.
    levels: dict[str, dict[str, list[int]]] = {"l1": {}, "l2": {}, "path": {}}
    by_community: dict[int, list[int]] = {}
    total = {"count": 0, "previous": 0}
    for path, community_id, now, before in cases.values_list("category", "community_id").annotate(**counts).order_by():
        total["count"] += now
        total["previous"] += before
        for name, key in (("l1", category_level(path, 1)), ("l2", category_level(path, 2)), ("path", path)):
            if key:
                bucket = levels[name].setdefault(key, [0, 0])
                bucket[0] += now
                bucket[1] += before
        if community_id is not None:
            unit = by_community.setdefault(community_id, [0, 0])
            unit[0] += now
            unit[1] += before
    community_rows = []
    for community_id, name, population in (
        Community.objects.filter(pk__in=by_community).order_by(*unit_order()).values_list("pk", "name", "population")
    ):
        now, before = by_community[community_id]
        community_rows.append(
            row(
                name,
                now,
                before,
                {"community": str(community_id)},
                key=str(community_id),
                population=population,
                per_10k=per_residents(now, population),
                previous_per_10k=per_residents(before, population),
            )
        )

    # 万人诉求比 from high to low; communities without a population last, by count; ties in the unit list's order.
    community_rows.sort(key=lambda row: (row.per_10k is None, -(row.per_10k or 0), -row.count))

    # Repeat callers: the same caller on the same problem (category) at least twice within a
    # window, so each window has its own set. The cards count them and the table breaks the
    # same cases down by category: the table's rows add up to the cards' figure. ONE grouped
    # query gives the (caller, category) pairs — the problem key — that repeat in either
    # window, over the stored caller key; the rest is summed here.
    repeating = (
        cases.filter(caller_key__isnull=False)
        .exclude(category="")
        .values_list("caller_key", "category")
        .annotate(now=Count("id", filter=current), before=Count("id", filter=~current))
        .filter(Q(now__gte=REPEAT_MINIMUM) | Q(before__gte=REPEAT_MINIMUM))
        .order_by()
    )
    callers: tuple[set[str], set[str]] = (set(), set())
    repeats = {"cases": 0, "previous_cases": 0}
    repeat_by_category: dict[str, list[int]] = {}
    for caller, path, now, before in repeating:
        now = now if now >= REPEAT_MINIMUM else 0
        before = before if before >= REPEAT_MINIMUM else 0
        if now:
            callers[0].add(caller)
        if before:
            callers[1].add(caller)
        repeats["cases"] += now
        repeats["previous_cases"] += before
        bucket = repeat_by_category.setdefault(path, [0, 0])
        bucket[0] += now
        bucket[1] += before
    repeat = {"repeat_problem": "true"}
    return Hotspots(
        filters=filters,
        top=top,
        total=row("合计", total["count"], total["previous"], {}),
        category_l1=ranked(levels["l1"]),
        category_l2=ranked(levels["l2"]),
        category_path=ranked(levels["path"], "category_exact"),
        compounds=grouped(cases, F("compound"), "compound"),
        addresses=grouped(cases, F("address_cluster"), "address_cluster"),
        communities=community_rows,
        repeat_callers=row("重复来电人", len(callers[0]), len(callers[1]), repeat),
        repeat_cases=row("重复来电诉求", repeats["cases"], repeats["previous_cases"], repeat),
        repeat_categories=ranked(repeat_by_category, "category_exact", also=repeat),
    )


def hotspot_community_label(*, user: AbstractBaseUser | AnonymousUser) -> str | None:
    """What "no community chosen" means for the user: all of the street's, all
    of a chief's pairings', or None for a community role (only their own)."""
    person = person_for_user(user)
    if person is not None and person.role in (Role.OFFICER, Role.SECRETARY):
        return None
    if person is not None and person.role == Role.CHIEF:
        return "全部包片社区"
    return "全部社区"


def hotspot_community_choices(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Community]:
    """The communities a user can pick in the hotspot filter: their own for a
    community role, their pairings' for a chief, the street's for the others."""
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return Community.objects.none()
    communities = Community.objects.filter(street_id=person.street_id)
    if person.role in (Role.OFFICER, Role.SECRETARY):
        return communities.filter(pk=cast(int, person.community_id))
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
