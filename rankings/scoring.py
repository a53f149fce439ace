"""The board's arithmetic, defined once: what each figure counts (used by
the aggregate query, by the membership a stored board keeps of its cases and
by the drill-down alike), rates, the score, bands, the ranking rule in force
and the computation of a window's figures."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, cast

from django.db.models import BooleanField, Count, F, Q, QuerySet, Value, When
from django.db.models import Case as DbCase

from cases.models import Case, Channel, Satisfaction
from communities.models import Community, Department
from communities.sorting import unit_order
from rankings import windows
from rankings.models import Band, Board, BoardCase, RankingRule, UnitKind
from rankings.windows import Window

RATE_PLACES = Decimal("0.0001")  # rates are stored as fractions with 4 places
SCORE_PLACES = Decimal("0.01")  # the score with 2 places

COUNT_FIELDS = (
    "received",
    "received_excluded",
    "closed",
    "valid_callbacks",
    "contacted",
    "resolved",
    "satisfied",
    "basically_satisfied",
    "excluded_callbacks",
    "invalid_callbacks",
)
RATE_FIELDS = ("response_rate", "resolution_rate", "satisfaction_rate")
FIGURE_LABELS = {
    "received": "接件量",
    "received_excluded": "接件中核减",
    "closed": "办结量",
    "valid_callbacks": "有效回访",
    "contacted": "回访已联系",
    "resolved": "回访已解决",
    "satisfied": "回访满意",
    "basically_satisfied": "回访基本满意",
    "excluded_callbacks": "核减的回访",
    "invalid_callbacks": "无效回访",
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
    "score": "综合成绩",
    "rank": "排名",
}
# A rate, the score and the rank are explained by the valid callbacks behind them.
DRILLDOWN_BASE = dict.fromkeys((*RATE_FIELDS, "score", "rank"), "valid_callbacks")


# ---------------------------------------------------------------- what each figure counts


def in_window(field_name: str, window: Window) -> Q:
    return Q(**{f"{field_name}__gte": window.start_at, f"{field_name}__lt": window.end_at})


def counted_channels_q(channels: Iterable[str]) -> Q:
    """The cases of the channels the board counts (RankingRule.board_channels)."""
    return Q(channel__in=list(channels))


def figure_filters(window: Window, channels: Iterable[str] | None = None) -> dict[str, Q]:
    """The cases each count on the board counts, for one window. Received by
    the unit a case is dispatched to, in the window of that dispatch (the
    latest one: a case re-dispatched to another unit counts for that unit in
    the week of the re-dispatch, and no longer where it was first sent);
    closed in the window of closure; the callbacks in the window of the
    callback. 核减 cases stay in the intake figures and leave the rates; an
    invalid callback counts in no rate. `channels`: only cases of these
    channels count (the rule's board channels); None: every channel."""
    received = in_window("dispatched_at", window)
    called = in_window("callback_at", window)
    excluded = ~Q(exclusion_reason="")
    valid = called & Q(callback_valid=True) & Q(exclusion_reason="")
    if channels is not None:
        counted = counted_channels_q(channels)
        return {name: counted & q for name, q in figure_filters(window).items()}
    return {
        "received": received,
        "received_excluded": received & excluded,
        "closed": in_window("closed_at", window),
        "valid_callbacks": valid,
        "contacted": valid & Q(callback_contacted=True),
        "resolved": valid & Q(callback_resolved=True),
        "satisfied": valid & Q(callback_satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": valid & Q(callback_satisfaction=Satisfaction.BASIC),
        "excluded_callbacks": called & Q(callback_valid=True) & excluded,
        "invalid_callbacks": called & ~Q(callback_valid=True),
    }


def cases_in_window(window: Window, channels: Iterable[str] | None = None) -> Q:
    """Every case any figure of the window can count: three index ranges
    (of the counted channels only, when `channels` is given)."""
    q = in_window("dispatched_at", window) | in_window("closed_at", window) | in_window("callback_at", window)
    return q & counted_channels_q(channels) if channels is not None else q


def _has_unit() -> Q:
    return Q(community__isnull=False) | Q(department__isnull=False)


def membership_select(window: Window, *, board_id: int, channels: Iterable[str]) -> QuerySet:
    """The SELECT of a board's membership (`BoardCase`): one row per case any
    figure of the window counts, with its unit and, per count, whether it
    counts in it — the columns in the order of `MEMBERSHIP_COLUMNS`. Run by the
    service as one INSERT ... SELECT, so no case passes through Python. Only
    cases of the counted `channels` are members."""
    filters = figure_filters(window)
    columns = {
        "m_board": Value(board_id),
        "m_case": F("pk"),
        "m_community": F("community_id"),
        "m_department": F("department_id"),
        **{
            f"m_{name}": DbCase(
                When(filters[name], then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for name in COUNT_FIELDS
        },
    }
    return (
        Case.objects.filter(cases_in_window(window, channels) & _has_unit())
        .order_by()
        .annotate(**columns)
        .values_list(*columns)
    )


MEMBERSHIP_COLUMNS = ("board_id", "case_id", "community_id", "department_id", *COUNT_FIELDS)


# ---------------------------------------------------------------- the arithmetic, defined once


def rate(numerator: int | Decimal, denominator: int) -> Decimal | None:
    """A rate as a fraction rounded half up to 4 places; None without a
    denominator. Exact: with 50 digits the quotient of two counts cannot
    round across a 4th-place half before the final rounding."""
    if not denominator:
        return None
    with localcontext() as ctx:
        ctx.prec = 50
        return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Rule:
    """The rule values the arithmetic needs (a RankingRule, or its stored copy on a board)."""

    response_weight: Decimal = Decimal("0.1")
    resolution_weight: Decimal = Decimal("0.5")
    satisfaction_weight: Decimal = Decimal("0.4")
    basic_satisfied_weight: Decimal = Decimal("0.9")
    min_valid_callbacks: int = 3
    band_parts: int = 3
    green_parts: int = 1
    pink_parts: int = 1
    period_start_day: int = 19
    # The channels the board counts; a board stored before the rule said so counted 12345.
    board_channels: tuple[str, ...] = (Channel.HOTLINE.value,)

    @classmethod
    def of(cls, rule: RankingRule | dict) -> "Rule":
        get: Callable[[str], Any] = rule.get if isinstance(rule, dict) else lambda name: getattr(rule, name)
        return cls(
            response_weight=Decimal(str(get("response_weight"))),
            resolution_weight=Decimal(str(get("resolution_weight"))),
            satisfaction_weight=Decimal(str(get("satisfaction_weight"))),
            basic_satisfied_weight=Decimal(str(get("basic_satisfied_weight"))),
            min_valid_callbacks=int(get("min_valid_callbacks")),
            band_parts=int(get("band_parts")),
            green_parts=int(get("green_parts")),
            pink_parts=int(get("pink_parts")),
            period_start_day=int(get("period_start_day")),
            board_channels=tuple(
                (rule.get("board_channels") if isinstance(rule, dict) else rule.board_channels) or cls.board_channels
            ),
        )


def satisfaction_numerator(*, satisfied: int, basically_satisfied: int, rule: Rule) -> Decimal:
    return satisfied + rule.basic_satisfied_weight * basically_satisfied


def score_of(*, response_rate: Decimal, resolution_rate: Decimal, satisfaction_rate: Decimal, rule: Rule) -> Decimal:
    """综合成绩 from the rounded rates, so anyone can redo it from the board."""
    value = 100 * (
        rule.response_weight * response_rate
        + rule.resolution_weight * resolution_rate
        + rule.satisfaction_weight * satisfaction_rate
    )
    return value.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def band_sizes(ranked: int, rule: Rule) -> tuple[int, int]:
    """How many places are green and pink: the rule's share of the ranked units, rounded half up."""

    def share(parts: int) -> int:
        return (2 * ranked * parts + rule.band_parts) // (2 * rule.band_parts)

    return share(rule.green_parts), share(rule.pink_parts)


# ---------------------------------------------------------------- a window's figures


@dataclass
class UnitFigures:
    unit_kind: str
    unit_id: int
    unit_name: str
    counts: dict[str, int]
    response_rate: Decimal | None = None
    resolution_rate: Decimal | None = None
    satisfaction_rate: Decimal | None = None
    score: Decimal | None = None
    rank: int | None = None
    band: str = Band.UNRANKED
    previous_rank: int | None = None
    previous_score: Decimal | None = None

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    @property
    def rank_change(self) -> int | None:
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank

    @property
    def score_change(self) -> Decimal | None:
        if self.score is None or self.previous_score is None:
            return None
        return self.score - self.previous_score


@dataclass
class WindowFigures:
    window: Window
    rule: Rule
    tables: dict[str, list[UnitFigures]] = field(default_factory=dict)


def _pair_counts(rows: QuerySet, filters: dict[str, Q]) -> dict[tuple[int | None, int | None], dict[str, int]]:
    """ONE aggregate query: every count per (community, department) pair — a
    pairing, more or less; the two tables add these up."""
    rows = (
        rows.order_by()
        .values("community_id", "department_id")
        .annotate(**{name: Count("pk", filter=q) for name, q in filters.items()})
    )
    return {(row.pop("community_id"), row.pop("department_id")): row for row in rows}


def window_counts(
    window: Window, channels: Iterable[str] = (Channel.HOTLINE.value,)
) -> dict[tuple[int | None, int | None], dict[str, int]]:
    """The counts of a window straight from today's cases of the counted channels (one aggregate query)."""
    return _pair_counts(Case.objects.filter(cases_in_window(window, channels)), figure_filters(window))


def membership_counts(board: Board) -> dict[tuple[int | None, int | None], dict[str, int]]:
    """The counts of a stored board: its membership added up (one aggregate query)."""
    return _pair_counts(BoardCase.objects.filter(board=board), {name: Q(**{name: True}) for name in COUNT_FIELDS})


def _units(model, ids: set[int]) -> list[tuple[int, str]]:
    return list(
        model.objects.filter(Q(is_active=True) | Q(pk__in=ids)).order_by(*unit_order()).values_list("pk", "name")
    )


def rank_table(units: list[UnitFigures], rule: Rule) -> list[UnitFigures]:
    """Rates, score, rank and band for one table; returns the display order:
    the ranked units by rank, then the units under the minimum of valid
    callbacks — no rank, no band — by valid callbacks, 办结量 and 接件量 (most
    first); ties keep the order of `units` (the unit list's: number, then
    pinyin).

    Bands: tied units share one rank (the better one: 1, 2, 2, 4) and always
    one band — a tie group is green if its shared rank is within the green
    places, else pink if its last place reaches into the pink places, else
    yellow."""
    for unit in units:
        valid = unit.counts["valid_callbacks"]
        unit.response_rate = rate(unit.counts["contacted"], valid)
        unit.resolution_rate = rate(unit.counts["resolved"], valid)
        unit.satisfaction_rate = rate(
            satisfaction_numerator(
                satisfied=unit.counts["satisfied"], basically_satisfied=unit.counts["basically_satisfied"], rule=rule
            ),
            valid,
        )
        if valid and valid >= rule.min_valid_callbacks:
            unit.score = score_of(
                response_rate=cast(Decimal, unit.response_rate),  # valid > 0: every rate is set
                resolution_rate=cast(Decimal, unit.resolution_rate),
                satisfaction_rate=cast(Decimal, unit.satisfaction_rate),
                rule=rule,
            )

    def order(unit: UnitFigures):
        return (-cast(Decimal, unit.score), -unit.counts["closed"], -unit.counts["received"])  # scored units only

    ranked = sorted((u for u in units if u.score is not None), key=order)
    green, pink = band_sizes(len(ranked), rule)
    groups: list[list[UnitFigures]] = []
    for unit in ranked:
        # Equal score, 办结量 and 接件量: one tie group.
        if groups and order(groups[-1][0]) == order(unit):
            groups[-1].append(unit)
        else:
            groups.append([unit])
    position = 0
    for group in groups:
        shared_rank, last = position + 1, position + len(group)
        if shared_rank <= green:
            band = Band.GREEN
        elif last > len(ranked) - pink:
            band = Band.PINK
        else:
            band = Band.YELLOW
        for unit in group:
            unit.rank, unit.band = shared_rank, band
        position = last
    unranked = sorted(
        (u for u in units if u.score is None),
        key=lambda u: (-u.counts["valid_callbacks"], -u.counts["closed"], -u.counts["received"]),
    )
    return ranked + unranked


def figures_from_counts(
    pairs: dict[tuple[int | None, int | None], dict[str, int]], *, window: Window, rule: Rule
) -> WindowFigures:
    """Both tables from the per-pair counts, plus one query per table for the units' names."""
    result = WindowFigures(window=window, rule=rule)
    for kind, model, index in ((UnitKind.COMMUNITY, Community, 0), (UnitKind.DEPARTMENT, Department, 1)):
        totals: dict[int, dict[str, int]] = {}
        for key, counts in pairs.items():
            unit_id = key[index]
            if unit_id is None:
                continue
            total = totals.setdefault(unit_id, dict.fromkeys(COUNT_FIELDS, 0))
            for name in COUNT_FIELDS:
                total[name] += counts[name]
        units = [
            UnitFigures(kind, pk, name, totals.get(pk, dict.fromkeys(COUNT_FIELDS, 0)))
            for pk, name in _units(model, set(totals))
        ]
        result.tables[kind] = rank_table(units, rule)
    return result


def window_figures(*, window: Window, rule: Rule) -> WindowFigures:
    """Both tables of one window from today's cases: one aggregate query plus one query per table for the names."""
    return figures_from_counts(window_counts(window, rule.board_channels), window=window, rule=rule)


def membership_figures(*, board: Board, window: Window, rule: Rule) -> WindowFigures:
    """Both tables of a board being stored, from the membership just written with it."""
    return figures_from_counts(membership_counts(board), window=window, rule=rule)


# ---------------------------------------------------------------- 未诉先办: the channels the board does not count

UNCOUNTED_FIELDS = ("received", "closed")


@dataclass
class UncountedFigures:
    """未诉先办 figures of one unit: cases of the channels the board does not
    count, received (dispatched to it) and closed in the window."""

    unit_kind: str
    unit_id: int
    unit_name: str
    received: int
    closed: int


def uncounted_figures(*, window: Window, rule: Rule) -> dict[str, list[UncountedFigures]]:
    """Per table (community, department), the units with 未诉先办 cases in the
    window: one aggregate query, the units in the board's order."""
    filters = {name: q for name, q in figure_filters(window).items() if name in UNCOUNTED_FIELDS}
    rows = Case.objects.filter(
        (in_window("dispatched_at", window) | in_window("closed_at", window)) & ~counted_channels_q(rule.board_channels)
    )
    pairs = _pair_counts(rows, filters)
    tables: dict[str, list[UncountedFigures]] = {}
    for kind, model, index in ((UnitKind.COMMUNITY, Community, 0), (UnitKind.DEPARTMENT, Department, 1)):
        totals: dict[int, dict[str, int]] = {}
        for key, counts in pairs.items():
            unit_id = key[index]
            if unit_id is not None:
                total = totals.setdefault(unit_id, dict.fromkeys(UNCOUNTED_FIELDS, 0))
                for name in UNCOUNTED_FIELDS:
                    total[name] += counts[name]
        tables[kind] = [
            UncountedFigures(kind, pk, name, **totals[pk])
            for pk, name in _units(model, set(totals))
            if pk in totals and any(totals[pk].values())
        ]
    return tables


# ---------------------------------------------------------------- rules


def rule_in_force(*, on: dt.date) -> RankingRule | None:
    """The newest rule version in force on that day (or the oldest one, for days before any)."""
    rule = RankingRule.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    return rule or RankingRule.objects.order_by("effective_from", "id").first()


def period_start_day(*, on: dt.date | None = None) -> int:
    rule = rule_in_force(on=on or windows.today())
    return rule.period_start_day if rule else Rule().period_start_day
