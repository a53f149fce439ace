"""The scheduled task bodies, run eagerly in this process (no worker) at
frozen moments: which windows each one computes, and what it stores."""

import datetime as dt

import pytest
from django.utils import timezone

from hotline.errors import InvalidInput
from rankings import tasks
from rankings.boards import boards_for_lobby
from rankings.models import Board
from rankings.tests.helpers import local, make_case

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def frozen(monkeypatch):
    """Sets the clock every `timezone.now()` (and so `windows.today()`) reads."""

    def freeze(moment: dt.datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def _computed(board_ids: list[int]) -> list[tuple]:
    boards = Board.objects.in_bulk(board_ids)
    return [
        (boards[pk].kind, boards[pk].key, boards[pk].window_start, boards[pk].window_end, boards[pk].computed_by)
        for pk in board_ids
    ]


def test_the_monday_job_computes_last_week_and_the_period_to_date(frozen):
    # Monday 16 Nov 2026 00:10 in Beijing is Sunday 15 Nov 16:10 UTC.
    frozen(dt.datetime(2026, 11, 15, 16, 10, tzinfo=UTC))
    result = tasks.compute_weekly_boards.apply()
    assert result.successful()
    assert _computed(result.get()) == [
        ("week", "2026-W46", dt.date(2026, 11, 9), dt.date(2026, 11, 15), "celery:weekly"),
        ("period", "2026-11", dt.date(2026, 10, 19), dt.date(2026, 11, 16), "celery:weekly"),
    ]
    assert Board.objects.count() == 2


def test_the_nightly_job_computes_last_week_the_running_week_and_the_period_to_date(frozen):
    # Monday 16 Nov 00:40 Beijing = Sunday 15 Nov 16:40 UTC.
    frozen(dt.datetime(2026, 11, 15, 16, 40, tzinfo=UTC))
    assert _computed(tasks.compute_nightly_boards.apply().get()) == [
        ("week", "2026-W46", dt.date(2026, 11, 9), dt.date(2026, 11, 15), "celery:nightly"),
        ("week", "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22), "celery:nightly"),
        ("period", "2026-11", dt.date(2026, 10, 19), dt.date(2026, 11, 16), "celery:nightly"),
    ]


def test_on_a_periods_first_day_the_nightly_job_also_finishes_the_period_before(frozen):
    # Thursday 19 Nov 00:40 Beijing = Wednesday 18 Nov 16:40 UTC.
    frozen(dt.datetime(2026, 11, 18, 16, 40, tzinfo=UTC))
    assert [row[:4] for row in _computed(tasks.compute_nightly_boards.apply().get())] == [
        ("week", "2026-W46", dt.date(2026, 11, 9), dt.date(2026, 11, 15)),
        ("week", "2026-W47", dt.date(2026, 11, 16), dt.date(2026, 11, 22)),
        ("period", "2026-11", dt.date(2026, 10, 19), dt.date(2026, 11, 18)),
        ("period", "2026-12", dt.date(2026, 11, 19), dt.date(2026, 11, 19)),
    ]


def test_a_late_callback_for_last_sunday_reaches_the_lobby_the_next_night(frozen, org):
    frozen(dt.datetime(2026, 11, 15, 16, 10, tzinfo=UTC))  # Monday 00:10
    tasks.compute_weekly_boards.apply()
    for _ in range(3):  # called back on Sunday evening, imported on Tuesday
        make_case(org.a, org.d1, closed=local(2026, 11, 14, 9), callback=local(2026, 11, 15, 20))
    shown = boards_for_lobby(on=dt.date(2026, 11, 17))[0]
    assert (shown.key, shown.rows.get(community=org.a).valid_callbacks) == ("2026-W46", 0)
    frozen(dt.datetime(2026, 11, 17, 16, 40, tzinfo=UTC))  # Wednesday 00:40
    tasks.compute_nightly_boards.apply()
    shown = boards_for_lobby(on=dt.date(2026, 11, 18))[0]
    assert (shown.key, shown.version, shown.rows.get(community=org.a).valid_callbacks) == ("2026-W46", 2, 3)


def test_compute_board_computes_a_running_period_to_date(frozen):
    frozen(dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 25 Nov, 10:00 in Beijing
    running = Board.objects.get(pk=tasks.compute_board.apply(args=("period", "2026-12")).get())
    assert (running.window_start, running.window_end, running.period_end) == (
        dt.date(2026, 11, 19),
        dt.date(2026, 11, 25),
        dt.date(2026, 12, 18),
    )
    assert "截至目前" in running.label
    finished = Board.objects.get(pk=tasks.compute_board.apply(args=("period", "2026-11")).get())
    assert (finished.window_start, finished.window_end) == (dt.date(2026, 10, 19), dt.date(2026, 11, 18))
    week = Board.objects.get(pk=tasks.compute_board.apply(args=("week", "2026-W48")).get())
    assert (week.window_start, week.window_end) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))


def test_compute_board_refuses_a_period_not_yet_started_without_retrying(frozen):
    frozen(dt.datetime(2026, 11, 25, 2, 0, tzinfo=UTC))
    result = tasks.compute_board.apply(args=("period", "2027-01"))
    assert result.failed() and isinstance(result.result, InvalidInput)
    assert result.state == "FAILURE"  # not RETRY
    assert not Board.objects.exists()
