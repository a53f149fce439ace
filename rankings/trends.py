"""Trends of stored boards: a unit's (or the street's) figures board after
board, and the change from the previous period in words."""

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from django.utils import timezone

from communities.models import Community, Department
from hotline.errors import NotFound
from rankings.boards import board_window, newest_versions, unit_q
from rankings.models import Board, BoardRow, UnitKind
from rankings.scoring import COUNT_FIELDS, Rule, UnitFigures, rank_table

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
    # False for a window still running when its board was computed (a period to date, the current week).
    finished: bool = True


def _finished(board: Board) -> bool:
    """Whether the board covers its whole window: not a period cut short, and
    computed after the window's last day — so a running week counts as unfinished."""
    whole = board.period_end is None or board.window_end >= board.period_end
    return whole and timezone.localdate(board.computed_at) > board.window_end


def trend_series(*, kind: str, unit_kind: str = "", unit_id: int | None = None, limit: int = 12) -> list[TrendPoint]:
    """Rates and score over the newest board of each of the last `limit`
    windows, oldest first. Without a unit: street-wide, summed over the
    community table (every dispatched case has exactly one community)."""
    boards = list(newest_versions(Board.objects.filter(kind=kind)).order_by("-window_start")[:limit])
    boards.reverse()
    if unit_kind and unit_id is not None:
        rows = {
            row.board_id: row
            for row in BoardRow.objects.filter(unit_q(unit_kind, unit_id), board__in=boards, unit_kind=unit_kind)
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
    sums: dict[int, dict[str, Any]] = {
        item["board_id"]: dict(item)
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
