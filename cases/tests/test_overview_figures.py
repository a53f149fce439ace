"""The leader's street overview from one grouped query over only the cases a
figure can count gives the same figures as the three full aggregates it
replaced (kept here as the independent calculation)."""

import datetime as dt
import random

import pytest
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import selectors
from cases.models import Case, Satisfaction, Urgency
from cases.selectors import case_scope_for_user
from cases.transitions import OPEN, Status
from cases.vocabulary import callback_outcome_q, overdue_q, response_overdue_q
from communities.models import Community
from communities.sorting import unit_order

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 12, 9, 30, tzinfo=dt.UTC)  # a Thursday in Asia/Shanghai


def old_overview(user, now: dt.datetime) -> dict:
    """The computation before: three aggregates over every case of the scope."""
    local = timezone.localtime(now)
    today = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = today - dt.timedelta(days=today.weekday())
    scope = case_scope_for_user(user)
    totals = scope.aggregate(
        today_intake=Count("id", filter=Q(received_at__gte=today)),
        open=Count("id", filter=Q(status__in=OPEN)),
        overdue=Count("id", filter=overdue_q(now)),
        response_overdue=Count("id", filter=response_overdue_q(now)),
        emergencies=Count("id", filter=Q(status__in=OPEN, urgency="emergency")),
        awaiting_dispatch=Count("id", filter=Q(status__in=[Status.REGISTERED, Status.RETURNED])),
        week_received=Count("id", filter=Q(first_dispatched_at__gte=week)),
        week_closed=Count("id", filter=Q(closed_at__gte=week)),
    )
    figures = {
        "received": Count("id", filter=Q(first_dispatched_at__gte=week)),
        "closed": Count("id", filter=Q(closed_at__gte=week)),
        "open": Count("id", filter=Q(status__in=OPEN)),
        "overdue": Count("id", filter=overdue_q(now)),
        "negative": Count("id", filter=Q(callback_at__gte=week) & callback_outcome_q("negative")),
    }

    def units(kind: str) -> list[dict]:
        rows = (
            scope.filter(**{f"{kind}__isnull": False})
            .values(f"{kind}_id", f"{kind}__name")
            .annotate(**figures)
            .order_by(*unit_order(f"{kind}__"))
        )
        return [dict(row) for row in rows if any(row[k] for k in figures)]

    return {
        "week_start": week,
        "totals": totals,
        "by_community": units("community"),
        "by_department": units("department"),
    }


def generate(org, *, count: int, seed: int) -> None:
    rng = random.Random(seed)
    extra = [
        Community.objects.get_or_create(street=org.street, name=name, defaults={"number": number})[0]
        for name, number in (("北湖渠", None), ("南湖东园", 3))
    ]
    units = [
        (org.a, org.pairing_a, org.d1),
        (org.b, org.pairing_b, org.d2),
        (extra[0], None, org.d1),
        (extra[1], None, None),
        (None, None, None),
    ]

    def moment() -> dt.datetime:
        # Mostly around the week's start and today's midnight, where the edges are.
        return NOW - dt.timedelta(hours=rng.choice([1, 5, 10, 20, 30, 80, 90, 200, 2000]), minutes=rng.randint(0, 59))

    cases = []
    for n in range(count):
        community, pairing, department = rng.choice(units)
        status = rng.choice(Status.values)
        called = rng.random() < 0.4
        cases.append(
            Case(
                ticket_no=f"OVERVIEW{seed}{n:05d}",
                received_at=moment(),
                community=community,
                pairing=pairing,
                department=department,
                status=status,
                urgency=rng.choice(Urgency.values),
                first_dispatched_at=moment() if rng.random() < 0.8 else None,
                closed_at=moment() if rng.random() < 0.5 else None,
                callback_at=moment() if called else None,
                callback_resolved=rng.choice([True, False, None]) if called else None,
                callback_satisfaction=rng.choice(Satisfaction.values) if called else "",
                closure_deadline=NOW + dt.timedelta(hours=rng.randint(-100, 100)) if rng.random() < 0.9 else None,
                response_deadline=NOW + dt.timedelta(hours=rng.randint(-10, 10)) if rng.random() < 0.9 else None,
            )
        )
    Case.objects.bulk_create(cases)


@pytest.mark.parametrize("seed", [1, 2])
def test_the_overview_gives_the_figures_of_the_full_aggregates(org, seed):
    generate(org, count=400, seed=seed)
    for user in (org.leader, org.chief_a, org.officer_b):
        new = selectors.street_overview(user=user, now=NOW)
        old = old_overview(user, NOW)
        assert new["week_start"] == old["week_start"]
        assert new["totals"] == old["totals"]
        assert new["by_community"] == old["by_community"]
        assert new["by_department"] == old["by_department"]
    assert old_overview(org.leader, NOW)["totals"]["overdue"] > 0  # the data reaches every figure
    assert len(old_overview(org.leader, NOW)["by_community"]) == 4


def test_the_overview_reads_a_constant_number_of_queries(org):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            overview = selectors.street_overview(user=org.leader, now=NOW)
            list(overview["emergencies"])
        return len(captured)

    generate(org, count=10, seed=3)
    few = queries()
    generate(org, count=200, seed=4)
    assert queries() == few
