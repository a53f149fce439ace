"""Stored boards: the newest version of each board, its tables, the boards
the lobby shows, and the drill-down from a figure to its cases."""

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models import Case as DbCase
from django.urls import reverse

from cases.models import Case
from cases.selectors import case_list_for_user, case_scope_for_user
from hotline.errors import InvalidInput, NotFound
from rankings import windows
from rankings.models import Board, BoardCase, BoardRow, DisplayLink, UnitKind
from rankings.scoring import COUNT_FIELDS, DRILLDOWN_BASE, Rule, figure_filters, period_start_day
from rankings.windows import Window

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


def unit_q(unit_kind: str, unit_id: int) -> Q:
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
    channels = Rule.of(board.rule_values).board_channels
    return unit_q(unit_kind, unit_id) & figure_filters(board_window(board), channels)[counted]


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
        members = BoardCase.objects.filter(unit_q(unit_kind, unit_id), board=board, **{counted: True})
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
    row = board.rows.filter(unit_q(unit_kind, unit_id), unit_kind=unit_kind).first()
    if row is None:
        raise NotFound("该单位不在这张榜单上。")
    return row


def display_link_path(*, link: DisplayLink) -> str:
    """The path a lobby screen opens: the board with the link's token."""
    return f"{reverse('board-display')}?{urlencode({'token': link.token})}"
