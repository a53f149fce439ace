"""The windows a board covers: an ISO week, a monthly assessment period (考核期)
or any date range. Dates are local (Asia/Shanghai); a window covers whole days,
from local midnight of `start` up to (not including) local midnight after `end`."""

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.utils import timezone

from hotline.dates import local_midnight
from hotline.errors import InvalidInput

WEEK = "week"
PERIOD = "period"
RANGE = "range"
KIND_LABELS = {WEEK: "周榜", PERIOD: "考核期", RANGE: "自定义区间"}
MAX_RANGE_DAYS = 400

_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_PERIOD_RE = re.compile(r"^(\d{4})-(\d{1,2})$")


@dataclass(frozen=True)
class Window:
    kind: str
    key: str
    start: dt.date
    end: dt.date  # inclusive
    # For an assessment period cut short "to date": the period's own last day.
    full_end: dt.date | None = None

    @property
    def start_at(self) -> dt.datetime:
        return local_midnight(self.start)

    @property
    def end_at(self) -> dt.datetime:
        """Exclusive upper bound: midnight after the last day."""
        return local_midnight(self.end + dt.timedelta(days=1))

    @property
    def is_partial(self) -> bool:
        return self.full_end is not None and self.end < self.full_end

    @property
    def label(self) -> str:
        span = f"{self.start:%Y年%-m月%-d日}–{self.end:%-m月%-d日}"
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}年第{week}周（{span}）"
        if self.kind == PERIOD:
            year, month = (int(part) for part in self.key.split("-"))
            suffix = "，截至目前" if self.is_partial else ""
            return f"{year}年{month}月考核期（{span}{suffix}）"
        return f"{span}"

    @property
    def short_label(self) -> str:
        if self.kind == WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == PERIOD:
            year, month = (int(part) for part in self.key.split("-"))
            return f"{year}年{month}月"
        return f"{self.start:%m-%d}至{self.end:%m-%d}"


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- weeks


def week_of(day: dt.date) -> Window:
    monday = day - dt.timedelta(days=day.weekday())
    year, week, _ = monday.isocalendar()
    return Window(WEEK, f"{year}-W{week:02d}", monday, monday + dt.timedelta(days=6))


def week_parse(text: str) -> Window:
    match = _WEEK_RE.match((text or "").strip())
    if not match:
        raise InvalidInput("周的格式应为“2026-W46”（ISO周）。", field="week")
    year, week = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise InvalidInput(f"{year}年没有第{week}周。", field="week") from None
    return week_of(monday)


# ---------------------------------------------------------------- assessment periods


def _add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def period_bounds(year: int, month: int, *, start_day: int) -> tuple[dt.date, dt.date]:
    """Period "YYYY-MM" ends in that month: with start_day 19 it runs from the
    19th of the month before to the 18th of this month (how the city names its
    monthly assessment). With start_day 1 it is the calendar month."""
    if start_day <= 1:
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    py, pm = _add_months(year, month, -1)
    return dt.date(py, pm, start_day), dt.date(year, month, start_day - 1)


def period_window(year: int, month: int, *, start_day: int, until: dt.date | None = None) -> Window:
    start, end = period_bounds(year, month, start_day=start_day)
    key = f"{year}-{month:02d}"
    if until is not None and until < end:
        if until < start:
            raise InvalidInput(f"{year}年{month}月考核期尚未开始。", field="period")
        return Window(PERIOD, key, start, until, full_end=end)
    return Window(PERIOD, key, start, end, full_end=end)


def period_of(day: dt.date, *, start_day: int, to_date: bool = False) -> Window:
    if start_day > 1 and day.day >= start_day:
        year, month = _add_months(day.year, day.month, 1)
    else:
        year, month = day.year, day.month
    return period_window(year, month, start_day=start_day, until=day if to_date else None)


def period_parse(text: str, *, start_day: int, until: dt.date | None = None) -> Window:
    match = _PERIOD_RE.match((text or "").strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput("考核期的格式应为“2026-11”（截止月份）。", field="period")
    return period_window(int(match[1]), int(match[2]), start_day=start_day, until=until)


# ---------------------------------------------------------------- ranges


def range_window(start: dt.date, end: dt.date) -> Window:
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。", field="to")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise InvalidInput(f"区间不能超过{MAX_RANGE_DAYS}天。", field="to")
    return Window(RANGE, f"{start.isoformat()}..{end.isoformat()}", start, end)


def date_parse(text: str, *, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise InvalidInput("日期格式应为“2026-11-18”。", field=field) from None


def window_from_key(kind: str, key: str, *, start_day: int, until: dt.date | None = None) -> Window:
    """The window a board (kind, key) names; a period that is still running
    on `until` (usually today) ends there, as the running period is computed
    to date."""
    if kind == WEEK:
        return week_parse(key)
    if kind == PERIOD:
        return period_parse(key, start_day=start_day, until=until)
    if kind == RANGE:
        start, _, end = key.partition("..")
        return range_window(date_parse(start, field="from"), date_parse(end, field="to"))
    raise InvalidInput("榜单类型无效。", field="kind")


def previous_window(window: Window, *, start_day: int) -> Window:
    """What a board's rank and score changes are measured against: the week
    before, the full period before, or the range of equal length just before."""
    if window.kind == WEEK:
        return week_of(window.start - dt.timedelta(days=7))
    if window.kind == PERIOD:
        return period_of(window.start - dt.timedelta(days=1), start_day=start_day)
    length = (window.end - window.start).days + 1
    end = window.start - dt.timedelta(days=1)
    return range_window(end - dt.timedelta(days=length - 1), end)
