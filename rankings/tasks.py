"""Celery tasks: thin wrappers around rankings.services. Each computes its
windows from the day it runs; a retry makes one more version of the same
figures, and each board is written in one transaction, so retrying is safe."""

from celery import shared_task

from hotline.errors import DomainError
from rankings import scoring, services, windows


# A window that cannot be computed (a period not yet started) fails at once: retrying cannot help.
@shared_task(autoretry_for=(Exception,), dont_autoretry_for=(DomainError,), retry_backoff=60, max_retries=3)
def compute_board(kind: str, key: str) -> int:
    """One named window (e.g. "week", "2026-W46"); returns the board id. A
    running assessment period is computed to date, as the command does."""
    on = windows.today()
    window = windows.window_from_key(kind, key, start_day=scoring.period_start_day(on=on), until=on)
    return services.board_compute(window=window, computed_by="celery").pk


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def compute_weekly_boards() -> list[int]:
    """Monday after midnight: last week's board and the assessment period to date."""
    found = services.windows_last_week_and_period(on=windows.today())
    return [board.pk for board in services.boards_compute(windows_to_compute=found, computed_by="celery:weekly")]


@shared_task(autoretry_for=(Exception,), retry_backoff=60, max_retries=3)
def compute_nightly_boards() -> list[int]:
    """Every night, as callbacks arrive late: last week again (the lobby shows
    it all week), the running week and the period to date (and on a period's
    first day the period that just ended)."""
    found = services.windows_nightly(on=windows.today())
    return [board.pk for board in services.boards_compute(windows_to_compute=found, computed_by="celery:nightly")]
