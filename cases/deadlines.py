"""Deadline arithmetic: clock hours, and working days on the official Chinese
calendar (holidays and swapped working weekends, 调休).

Order of authority for a date: the administrators' CalendarDay entries, then
the `chinese_calendar` package, then — for a year neither knows — Monday to
Friday, which `calendar_unknown_years` reports so administrators see a warning.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextvars import ContextVar
from functools import lru_cache
from typing import cast

import chinese_calendar
from django.utils import timezone

from cases.models import CalendarDay, DeadlineRule, Urgency

# The defaults of DESIGN.md §3, used when the table has no row for a level.
DEFAULT_RULES: dict[str, tuple[int, str, int, str]] = {
    Urgency.EMERGENCY: (30, DeadlineRule.Unit.MINUTES, 2, DeadlineRule.Unit.HOURS),
    Urgency.UTILITY: (2, DeadlineRule.Unit.HOURS, 24, DeadlineRule.Unit.HOURS),
    Urgency.GENERAL: (24, DeadlineRule.Unit.HOURS, 7, DeadlineRule.Unit.WORKING_DAYS),
    Urgency.COMPLEX: (24, DeadlineRule.Unit.HOURS, 15, DeadlineRule.Unit.WORKING_DAYS),
}


# How long a case may wait for dispatch before the queue warns, per level.
DEFAULT_DISPATCH_MINUTES: dict[str, int] = {
    Urgency.EMERGENCY: 10,
    Urgency.UTILITY: 30,
    Urgency.GENERAL: 120,
    Urgency.COMPLEX: 240,
}


@lru_cache(maxsize=64)
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


# The rules and calendar entries read once for a long run of steps (see `rules_read_once`).
_read_once: ContextVar[dict | None] = ContextVar("deadline_rules_read_once", default=None)


@contextlib.contextmanager
def rules_read_once() -> Iterator[None]:
    """Within the block, the deadline rules and the administrators' calendar
    entries are read from the database once, not at every step: for a long
    run of steps in one process that changes neither (seeding the demo
    street walks thousands of cases). `calendar_day_set` forgets what was
    read; outside such a block every call reads the tables as they are."""
    token = _read_once.set({})
    try:
        yield
    finally:
        _read_once.reset(token)


def forget_read_once() -> None:
    """The rules or the calendar changed: a `rules_read_once` block reads them again."""
    cache = _read_once.get()
    if cache is not None:
        cache.clear()


def workday_overrides(start: dt.date, end: dt.date) -> dict[dt.date, bool]:
    cache = _read_once.get()
    if cache is None:
        return dict(CalendarDay.objects.filter(date__range=(start, end)).values_list("date", "is_workday"))
    if "calendar" not in cache:
        cache["calendar"] = dict(CalendarDay.objects.values_list("date", "is_workday"))
    return {day: workday for day, workday in cache["calendar"].items() if start <= day <= end}


def is_workday(day: dt.date, overrides: dict[dt.date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = workday_overrides(day, day)
    if day in overrides:
        return overrides[day]
    if _package_knows(day.year):
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after the day
    of `start`. The day of dispatch itself does not count."""
    local_start = timezone.localtime(start).date()
    # A generous window of overrides in one query: holidays are at most ~9 days long.
    overrides = workday_overrides(local_start, local_start + dt.timedelta(days=days * 3 + 30))
    day, counted = local_start, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day, overrides):
            counted += 1
    end_of_day = dt.datetime.combine(day, dt.time(23, 59, 59))
    return timezone.make_aware(end_of_day, timezone.get_current_timezone())


def working_days_between(start: dt.datetime, end: dt.datetime) -> int:
    """How many working days a working-day deadline `end` grants after the day
    of `start` (the inverse of `add_working_days` on the calendar as it stands)."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    overrides = workday_overrides(first, last)
    return sum(is_workday(first + dt.timedelta(days=n), overrides) for n in range(1, (last - first).days + 1))


def is_working_day_deadline(deadline: dt.datetime | None, unit: str) -> bool:
    """A deadline counted in working days: its level's unit, ending at 23:59:59 local time."""
    return (
        deadline is not None
        and unit == DeadlineRule.Unit.WORKING_DAYS
        and timezone.localtime(deadline).time() == dt.time(23, 59, 59)
    )


def add_amount(start: dt.datetime, amount: int, unit: str) -> dt.datetime:
    if unit == DeadlineRule.Unit.MINUTES:
        return start + dt.timedelta(minutes=amount)
    if unit == DeadlineRule.Unit.HOURS:
        return start + dt.timedelta(hours=amount)
    return add_working_days(start, amount)


def rule_for(urgency: str) -> tuple[int, str, int, str]:
    cache = _read_once.get()
    if cache is None:
        rule = DeadlineRule.objects.filter(urgency=urgency).first()
    else:
        if "rules" not in cache:
            rules: dict[str, DeadlineRule] = {}
            for row in DeadlineRule.objects.all():
                rules.setdefault(row.urgency, row)  # the first, as `.first()` orders them
            cache["rules"] = rules
        rule = cache["rules"].get(urgency)
    if rule is None:
        return DEFAULT_RULES[urgency]
    return rule.response_amount, rule.response_unit, rule.closure_amount, rule.closure_unit


def dispatch_wait_limits() -> dict[str, dt.timedelta]:
    """Per urgency level, how long a case may wait in the dispatch queue (one query)."""
    configured = dict(
        DeadlineRule.objects.filter(dispatch_minutes__isnull=False).values_list("urgency", "dispatch_minutes")
    )
    return {
        urgency: dt.timedelta(minutes=cast(int, configured.get(urgency, minutes)))
        for urgency, minutes in DEFAULT_DISPATCH_MINUTES.items()
    }


def deadlines_for(*, urgency: str, start: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(response deadline, closure deadline) for a case dispatched at `start`."""
    response_amount, response_unit, closure_amount, closure_unit = rule_for(urgency)
    return add_amount(start, response_amount, response_unit), add_amount(start, closure_amount, closure_unit)


def calendar_unknown_years(*, today: dt.date | None = None) -> list[int]:
    """This year and next, where neither the package nor the administrators'
    entries know the calendar: deadlines there fall back to Monday–Friday."""
    today = today or timezone.localdate()
    years = [today.year, today.year + 1]
    entered = {d.year for d in CalendarDay.objects.filter(date__year__in=years).dates("date", "year")}
    return [year for year in years if not _package_knows(year) and year not in entered]
