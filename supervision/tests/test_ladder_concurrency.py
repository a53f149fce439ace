"""Two sweeps at the same moment on PostgreSQL: every level of every case is
taken once — one step row, one timeline event, one notice number, one
notification per person — because of the step's unique constraint and the
case row lock, not because the sweeps happened not to overlap."""

import datetime as dt
import threading
import zoneinfo

import pytest
import time_machine
from django.db import connection, connections

from cases.models import CaseEvent
from cases.transitions import Action
from supervision.ladder import ladder_sweep
from supervision.models import LadderLevel, LadderStep, Notification

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_two_sweeps_at_once_take_each_level_once(org, walk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        cases = [walk.dispatched() for _ in range(12)]
    # Both deadlines missed long ago: the 催办, the notice and the 通报 are all due at
    # once (the reminders no longer are: their deadlines have passed).
    now = dt.datetime(2026, 3, 19, 1, 0, tzinfo=TZ)
    start = threading.Barrier(2)
    results: list[object] = []

    def sweep() -> None:
        try:
            start.wait(timeout=30)
            results.append(ladder_sweep(now=now))
        except Exception as error:  # reported by the assertion below
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert all(isinstance(result, dict) for result in results), results
    levels = 4
    # Between them the two sweeps took every level of every case, and no level twice.
    assert sum(sum(result.values()) for result in results) == len(cases) * levels
    assert LadderStep.objects.count() == len(cases) * levels
    ladder_actions = [Action.REMIND, Action.URGE, Action.URGE_NOTICE, Action.REPORT]
    assert CaseEvent.objects.filter(action__in=ladder_actions).count() == len(cases) * levels
    numbers = sorted(LadderStep.objects.filter(level=LadderLevel.NOTICE).values_list("number", flat=True))
    assert numbers == [f"CB-2026-{n:04d}" for n in range(1, len(cases) + 1)]
    # The chief is told of each case's two 催办 and its notice: once each.
    assert Notification.objects.filter(recipient=org.chief_a).exclude(kind="assigned").count() == len(cases) * 3
