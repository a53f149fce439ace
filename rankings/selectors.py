"""Reads for the board: what each figure counts (one definition, used by the
aggregate query, by the membership a stored board keeps of its cases, and by
the drill-down alike), the computation of a window's figures, and the stored
boards for the display, the drill-down, the trends and the API."""

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Count, F, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models import Case as DbCase

from cases.models import Case, Satisfaction
from cases.selectors import case_list_for_user, case_scope_for_user
from cases.vocabulary import overdue_q
from communities.models import Community, Department, Role
from communities.selectors import person_for_user
from hotline.errors import InvalidInput, NotFound
from rankings import windows
from rankings.models import Band, Board, BoardCase, BoardRow, MeetingDraw, MeetingDrawCase, RankingRule, UnitKind
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


def _in(field_name: str, window: Window) -> Q:
    return Q(**{f"{field_name}__gte": window.start_at, f"{field_name}__lt": window.end_at})


def figure_filters(window: Window) -> dict[str, Q]:
    """The cases each count on the board counts, for one window. Received by
    the unit a case is dispatched to, in the window of that dispatch (the
    latest one: a case re-dispatched to another unit counts for that unit in
    the week of the re-dispatch, and no longer where it was first sent);
    closed in the window of closure; the callbacks in the window of the
    callback. 核减 cases stay in the intake figures and leave the rates; an
    invalid callback counts in no rate."""
    received = _in("dispatched_at", window)
    called = _in("callback_at", window)
    excluded = ~Q(exclusion_reason="")
    valid = called & Q(callback_valid=True) & Q(exclusion_reason="")
    return {
        "received": received,
        "received_excluded": received & excluded,
        "closed": _in("closed_at", window),
        "valid_callbacks": valid,
        "contacted": valid & Q(callback_contacted=True),
        "resolved": valid & Q(callback_resolved=True),
        "satisfied": valid & Q(callback_satisfaction=Satisfaction.SATISFIED),
        "basically_satisfied": valid & Q(callback_satisfaction=Satisfaction.BASIC),
        "excluded_callbacks": called & Q(callback_valid=True) & excluded,
        "invalid_callbacks": called & ~Q(callback_valid=True),
    }


def cases_in_window(window: Window) -> Q:
    """Every case any figure of the window can count: three index ranges."""
    return _in("dispatched_at", window) | _in("closed_at", window) | _in("callback_at", window)


def _has_unit() -> Q:
    return Q(community__isnull=False) | Q(department__isnull=False)


def membership_select(window: Window, *, board_id: int) -> QuerySet:
    """The SELECT of a board's membership (`BoardCase`): one row per case any
    figure of the window counts, with its unit and, per count, whether it
    counts in it — the columns in the order of `MEMBERSHIP_COLUMNS`. Run by the
    service as one INSERT ... SELECT, so no case passes through Python."""
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
        Case.objects.filter(cases_in_window(window) & _has_unit()).order_by().annotate(**columns).values_list(*columns)
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

    @classmethod
    def of(cls, rule: RankingRule | dict) -> "Rule":
        get = rule.get if isinstance(rule, dict) else lambda name: getattr(rule, name)
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


def window_counts(window: Window) -> dict[tuple[int | None, int | None], dict[str, int]]:
    """The counts of a window straight from today's cases (one aggregate query)."""
    return _pair_counts(Case.objects.filter(cases_in_window(window)), figure_filters(window))


def membership_counts(board: Board) -> dict[tuple[int | None, int | None], dict[str, int]]:
    """The counts of a stored board: its membership added up (one aggregate query)."""
    return _pair_counts(BoardCase.objects.filter(board=board), {name: Q(**{name: True}) for name in COUNT_FIELDS})


def _units(model, ids: set[int]) -> list[tuple[int, str]]:
    return list(model.objects.filter(Q(is_active=True) | Q(pk__in=ids)).order_by("name").values_list("pk", "name"))


def rank_table(units: list[UnitFigures], rule: Rule) -> list[UnitFigures]:
    """Rates, score, rank and band for one table; returns the display order:
    the ranked units by rank (ties by name), then the units under the minimum
    of valid callbacks — no rank, no band — by valid callbacks, 办结量 and
    接件量 (most first), then name.

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
                response_rate=unit.response_rate,
                resolution_rate=unit.resolution_rate,
                satisfaction_rate=unit.satisfaction_rate,
                rule=rule,
            )

    def order(unit: UnitFigures):
        return (-unit.score, -unit.counts["closed"], -unit.counts["received"])

    ranked = sorted((u for u in units if u.score is not None), key=lambda u: (*order(u), u.unit_name))
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
        key=lambda u: (-u.counts["valid_callbacks"], -u.counts["closed"], -u.counts["received"], u.unit_name),
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
    return figures_from_counts(window_counts(window), window=window, rule=rule)


def membership_figures(*, board: Board, window: Window, rule: Rule) -> WindowFigures:
    """Both tables of a board being stored, from the membership just written with it."""
    return figures_from_counts(membership_counts(board), window=window, rule=rule)


# ---------------------------------------------------------------- rules


def rule_in_force(*, on: dt.date) -> RankingRule | None:
    """The newest rule version in force on that day (or the oldest one, for days before any)."""
    rule = RankingRule.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    return rule or RankingRule.objects.order_by("effective_from", "id").first()


def period_start_day(*, on: dt.date | None = None) -> int:
    rule = rule_in_force(on=on or windows.today())
    return rule.period_start_day if rule else Rule().period_start_day


# ---------------------------------------------------------------- stored boards


def newest_versions(boards: QuerySet[Board] | None = None) -> QuerySet[Board]:
    """Only the newest version of each window."""
    boards = Board.objects.all() if boards is None else boards
    newest = Board.objects.filter(kind=OuterRef("kind"), key=OuterRef("key")).order_by("-version").values("version")
    return boards.filter(version=Subquery(newest[:1]))


def board_newest(*, kind: str, key: str) -> Board | None:
    return Board.objects.filter(kind=kind, key=key).select_related("rule").order_by("-version").first()


def board_get(*, board_id: int) -> Board:
    board = Board.objects.select_related("rule").filter(pk=board_id).first()
    if board is None:
        raise NotFound("榜单不存在。")
    return board


def board_latest(*, kind: str) -> Board | None:
    """The newest board of a kind, by window then version."""
    return Board.objects.filter(kind=kind).select_related("rule").order_by("-window_start", "-version").first()


def board_for_query(*, week: str = "", period: str = "", date_from: str = "", date_to: str = "") -> Board:
    """The newest version of the board for a week, a period or a range, as named in a URL."""
    if week:
        window = windows.week_parse(week)
    elif period:
        window = windows.period_parse(period, start_day=period_start_day())
    elif date_from or date_to:
        window = windows.range_window(
            windows.date_parse(date_from, field="from"), windows.date_parse(date_to, field="to")
        )
    else:
        raise InvalidInput("请指定周（week）、考核期（period）或日期区间（from/to）。")
    board = board_newest(kind=window.kind, key=window.key)
    if board is None:
        raise NotFound(f"{window.label}的榜单尚未生成。")
    return board


def board_rows(*, board: Board, unit_kind: str | None = None) -> QuerySet[BoardRow]:
    rows = board.rows.all() if hasattr(board, "rows") else BoardRow.objects.filter(board=board)
    if unit_kind:
        rows = rows.filter(unit_kind=unit_kind)
    return rows.order_by("unit_kind", "position")


def board_tables(*, board: Board) -> dict[str, list[BoardRow]]:
    tables: dict[str, list[BoardRow]] = {UnitKind.COMMUNITY: [], UnitKind.DEPARTMENT: []}
    for row in board_rows(board=board):
        tables[row.unit_kind].append(row)
    return tables


def board_window(board: Board) -> Window:
    return Window(
        board.kind, board.key, board.window_start, board.window_end, full_end=board.period_end or board.window_end
    )


def boards_for_lobby(*, on: dt.date | None = None) -> list[Board]:
    """What the lobby shows: the weekly board (the last finished week; the
    running week only while no week has finished) and the assessment period
    to date (the newest board of the current period, else the newest period)."""
    on = on or windows.today()
    this_week = windows.week_of(on)
    weekly = (
        Board.objects.filter(kind=Board.Kind.WEEK, window_end__lt=this_week.start)
        .order_by("-window_start", "-version")
        .first()
    ) or board_latest(kind=Board.Kind.WEEK)
    period = windows.period_of(on, start_day=period_start_day(on=on))
    periodic = board_newest(kind=Board.Kind.PERIOD, key=period.key) or board_latest(kind=Board.Kind.PERIOD)
    return [board for board in (weekly, periodic) if board is not None]


def board_list(*, kind: str = "") -> QuerySet[Board]:
    boards = newest_versions().select_related("rule")
    if kind:
        boards = boards.filter(kind=kind)
    return boards.order_by("-window_start", "kind")


# ---------------------------------------------------------------- drill-down


def _unit(unit_kind: str, unit_id: int) -> Q:
    return Q(community_id=unit_id) if unit_kind == UnitKind.COMMUNITY else Q(department_id=unit_id)


def _drilled(unit_kind: str, figure: str) -> str:
    """The count a figure's drill-down lists (a rate, the score and the rank: the valid callbacks)."""
    if unit_kind not in UnitKind.values:
        raise InvalidInput("单位类型无效。", field="unit")
    counted = DRILLDOWN_BASE.get(figure, figure)
    if counted not in COUNT_FIELDS:
        raise InvalidInput("指标无效。", field="figure")
    return counted


def _counted_today(board: Board, unit_kind: str, unit_id: int, counted: str) -> Q:
    """The cases today's data counts in one count of one unit, in the board's window."""
    return _unit(unit_kind, unit_id) & figure_filters(board_window(board))[counted]


def drilldown_cases(
    *, user: AbstractBaseUser | AnonymousUser, board: Board, unit_kind: str, unit_id: int, figure: str
) -> QuerySet[Case]:
    """The cases behind one figure of one unit on a board, within what the
    user may see. For a board stored with its membership: exactly the cases
    the stored figure counted, whatever changed since (a late callback, a
    re-dispatch, an exclusion). For an older board without one: today's
    cases that match the figure's definition. Each case carries
    `counts_today`: whether today's data would still count it there."""
    counted = _drilled(unit_kind, figure)
    today = _counted_today(board, unit_kind, unit_id, counted)
    cases = case_list_for_user(user)
    if board.membership_stored:
        members = BoardCase.objects.filter(_unit(unit_kind, unit_id), board=board, **{counted: True})
        cases = cases.filter(pk__in=members.values("case_id"))
    else:
        cases = cases.filter(today)
    return cases.annotate(
        counts_today=DbCase(When(today, then=Value(True)), default=Value(False), output_field=BooleanField())
    ).order_by("-callback_at", "-closed_at", "-id")


@dataclass
class TodayDifference:
    """How today's data differs from a stored figure's drill-down list."""

    count: int  # the figure with today's data, over the cases the user may see
    no_longer: int  # listed cases today's data would not count there (moved, excluded, ...)
    listed: int

    @property
    def differs(self) -> bool:
        return self.no_longer > 0 or self.count != self.listed


def drilldown_today(
    *,
    user: AbstractBaseUser | AnonymousUser,
    board: Board,
    unit_kind: str,
    unit_id: int,
    figure: str,
    listed: QuerySet[Case],
) -> TodayDifference:
    """Today's data against `listed`, the figure's `drilldown_cases` (two counting queries)."""
    today = _counted_today(board, unit_kind, unit_id, _drilled(unit_kind, figure))
    counts = listed.order_by().aggregate(listed=Count("pk"), no_longer=Count("pk", filter=Q(counts_today=False)))
    return TodayDifference(
        count=case_scope_for_user(user).filter(today).count(), no_longer=counts["no_longer"], listed=counts["listed"]
    )


def board_row_for_unit(*, board: Board, unit_kind: str, unit_id: int) -> BoardRow:
    row = board.rows.filter(_unit(unit_kind, unit_id), unit_kind=unit_kind).first()
    if row is None:
        raise NotFound("该单位不在这张榜单上。")
    return row


# ---------------------------------------------------------------- trends


@dataclass
class TrendPoint:
    board_id: int
    kind: str
    key: str
    label: str
    window_start: dt.date
    window_end: dt.date
    counts: dict[str, int]
    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None
    score: Decimal | None
    rank: int | None = None
    # False for an assessment period computed only to date (still running when computed).
    finished: bool = True


def _finished(board: Board) -> bool:
    return board.period_end is None or board.window_end >= board.period_end


def trend_series(*, kind: str, unit_kind: str = "", unit_id: int | None = None, limit: int = 12) -> list[TrendPoint]:
    """Rates and score over the newest board of each of the last `limit`
    windows, oldest first. Without a unit: street-wide, summed over the
    community table (every dispatched case has exactly one community)."""
    boards = list(newest_versions(Board.objects.filter(kind=kind)).order_by("-window_start")[:limit])
    boards.reverse()
    if unit_kind and unit_id is not None:
        rows = {
            row.board_id: row
            for row in BoardRow.objects.filter(_unit(unit_kind, unit_id), board__in=boards, unit_kind=unit_kind)
        }
        points = []
        for board in boards:
            row = rows.get(board.pk)
            counts = {name: getattr(row, name) for name in COUNT_FIELDS} if row else dict.fromkeys(COUNT_FIELDS, 0)
            points.append(
                TrendPoint(
                    board.pk,
                    board.kind,
                    board.key,
                    board_window(board).short_label,
                    board.window_start,
                    board.window_end,
                    counts,
                    row.response_rate if row else None,
                    row.resolution_rate if row else None,
                    row.satisfaction_rate if row else None,
                    row.score if row else None,
                    row.rank if row else None,
                    _finished(board),
                )
            )
        return points
    sums = {
        item.pop("board_id"): item
        for item in BoardRow.objects.filter(board__in=boards, unit_kind=UnitKind.COMMUNITY)
        .order_by()
        .values("board_id")
        .annotate(**{name: Sum(name) for name in COUNT_FIELDS})
    }
    points = []
    for board in boards:
        counts = {name: (sums.get(board.pk, {}).get(name) or 0) for name in COUNT_FIELDS}
        rule = Rule.of(board.rule_values)
        street_rule = dataclasses.replace(rule, min_valid_callbacks=1)
        unit = rank_table([UnitFigures(UnitKind.COMMUNITY, 0, "全街道", counts)], street_rule)[0]
        points.append(
            TrendPoint(
                board.pk,
                board.kind,
                board.key,
                board_window(board).short_label,
                board.window_start,
                board.window_end,
                counts,
                unit.response_rate,
                unit.resolution_rate,
                unit.satisfaction_rate,
                unit.score,
                finished=_finished(board),
            )
        )
    return points


def change_in_points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Change of a rate in percentage points, exactly: two stored 4-place
    fractions differ by a number of points with at most 2 decimals."""
    if current is None or previous is None:
        return None
    return (current - previous) * 100


def change_sentence(name: str, current: Decimal | None, previous: Decimal | None, *, than: str = "上月") -> str:
    points = change_in_points(current, previous)
    if points is None:
        return f"{name}暂无可比数据"
    if points > 0:
        return f"{name}较{than}提高{_points(points)}个百分点"
    if points < 0:
        return f"{name}较{than}下降{_points(-points)}个百分点"
    return f"{name}与{than}持平"


def _points(value: Decimal) -> str:
    text = f"{value:.2f}".rstrip("0")
    return text.rstrip(".")


@dataclass
class PeriodChange:
    label: str
    sentences: list[str]


def period_change(points: list[TrendPoint]) -> PeriodChange | None:
    """Month over month, like with like: the newest FINISHED assessment period
    against the period just before it, also finished. A period still running
    (its board computed to date) is not compared with a full one, and a period
    is never compared with one two months back when the board between is
    missing. None without any finished period."""
    finished = [point for point in points if point.finished]
    if not finished:
        return None
    current = finished[-1]
    label = f"{current.label}考核期"
    previous = next(
        (p for p in finished if p.window_end == current.window_start - dt.timedelta(days=1)),
        None,
    )
    if previous is None:
        return PeriodChange(label, ["上一考核期没有完整的榜单，暂无可比数据"])
    sentences = [
        change_sentence(name, getattr(current, field), getattr(previous, field))
        for name, field in (("响应率", "response_rate"), ("解决率", "resolution_rate"), ("满意率", "satisfaction_rate"))
    ]
    if current.score is not None and previous.score is not None:
        delta = current.score - previous.score
        word = "提高" if delta > 0 else "下降"
        sentences.append(f"综合成绩较上月{word}{abs(delta):.2f}分" if delta else "综合成绩与上月持平")
    return PeriodChange(label, sentences)


def units_on_boards(*, unit_kind: str) -> list[tuple[int, str]]:
    model = Community if unit_kind == UnitKind.COMMUNITY else Department
    return list(model.objects.order_by("-is_active", "name").values_list("pk", "name"))


def unit_name(*, unit_kind: str, unit_id: int) -> str:
    model = Community if unit_kind == UnitKind.COMMUNITY else Department
    name = model.objects.filter(pk=unit_id).values_list("name", flat=True).first()
    if name is None:
        raise NotFound("单位不存在。")
    return name


# ---------------------------------------------------------------- weekly meeting draws

MEETING_READERS = frozenset({Role.LEADER, Role.SUPERVISOR})


def meeting_pool(
    *,
    window: Window,
    at: dt.datetime,
    street_id: int | None = None,
    community_id: int | None = None,
    department_id: int | None = None,
) -> QuerySet[Case]:
    """The unresolved cases a weekly meeting draw picks from, i.e. the cases of
    the street that are not 核减 and either

    - had a valid callback (有效回访) inside the week `window` that said
      未解决 (`callback_resolved=False`) — an unsatisfied but resolved callback
      does not count, nor does an invalid one or one outside the week; or
    - are still open (`cases.transitions.OPEN`) with their closure deadline
      passed at `at`, the moment of the draw, whatever week they came in.

    A case closed late is not in it: it is no longer open, and only its
    callback can bring it in. Optionally narrowed to one community and/or one
    department (the case's own, as dispatched)."""
    unresolved = _in("callback_at", window) & Q(callback_valid=True, callback_resolved=False)
    overdue = overdue_q(at)
    cases = Case.objects.filter(unresolved | overdue, exclusion_reason="", community__isnull=False)
    if street_id is not None:
        cases = cases.filter(community__street_id=street_id)
    if community_id is not None:
        cases = cases.filter(community_id=community_id)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return cases


def meeting_draw_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[MeetingDraw]:
    """The draws of the user's street, newest first; none for roles other than leader and supervisor."""
    person = person_for_user(user)
    if person is None or person.role not in MEETING_READERS:
        return MeetingDraw.objects.none()
    return (
        MeetingDraw.objects.filter(street_id=person.street_id)
        .select_related("drawn_by__person", "community", "department")
        .order_by("-drawn_at", "-id")
    )


def meeting_draw_get_for_user(user: AbstractBaseUser | AnonymousUser, draw_id: int) -> MeetingDraw:
    draw = meeting_draw_list_for_user(user).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound("抽签记录不存在，或您无权查看。")
    return draw


def explanation_state(case: Case) -> str:
    """Where the 未解决案件情况说明 of a case stands: "explained" (signed by
    both), "written" (waiting for signatures), "missing" (asked for, not
    written) or "none" (not asked for: no negative callback)."""
    if case.explained_at is not None:
        return "explained"
    if case.explanation_text:
        return "written"
    if case.callback_negatives:
        return "missing"
    return "none"


EXPLANATION_LABELS = {"explained": "已说明（已双签）", "written": "已填写，待签字", "missing": "未填写", "none": "—"}


def meeting_draw_items(*, draw: MeetingDraw) -> list[MeetingDrawCase]:
    """The drawn cases in drawing order, with what the meeting sheet shows
    (no caller data); each item carries `explanation` and `explanation_label`."""
    items = list(
        MeetingDrawCase.objects.filter(draw=draw)
        .select_related("chief__person", "case__community", "case__department", "case__pairing__chief__person")
        .order_by("position")
    )
    for item in items:
        item.explanation = explanation_state(item.case)
        item.explanation_label = EXPLANATION_LABELS[item.explanation]
    return items


def meeting_draw_reproduce(*, draw: MeetingDraw) -> list[int]:
    """The case ids the stored pool and seed give, in order — equal to the drawn ones for an untouched record."""
    return random.Random(int(draw.seed)).sample(sorted(draw.pool_case_ids), draw.drawn_count)


def meeting_week_choices(*, on: dt.date | None = None, weeks: int = 26) -> list[Window]:
    """The weeks a draw is usually made from: the running week and the ones before it, newest first."""
    on = on or windows.today()
    return [windows.week_of(on - dt.timedelta(weeks=n)) for n in range(weeks)]


def meeting_default_week(*, on: dt.date | None = None) -> Window:
    """Last week: the meeting looks back on the week that just ended."""
    return windows.week_of((on or windows.today()) - dt.timedelta(days=7))
