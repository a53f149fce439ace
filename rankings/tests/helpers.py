"""Generated cases for the board tests, and the board computed again in plain
Python straight from the case rows — independently of the aggregate query."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.utils import timezone

from cases.models import Case, ExclusionReason, Satisfaction
from cases.tests.factories import CaseFactory
from cases.transitions import Status

TZ = timezone.get_default_timezone()


def local(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), TZ)


def make_case(
    community,
    department,
    *,
    dispatched=None,
    redispatched=None,
    closed=None,
    callback=None,
    contacted=True,
    resolved=True,
    satisfaction=Satisfaction.SATISFIED,
    valid=True,
    excluded=False,
) -> Case:
    status = Status.DISPATCHED
    if closed:
        status = Status.CLOSED
    if callback:
        status = Status.CALLED_BACK
    return CaseFactory.create(
        community=community,
        department=department,
        status=status,
        received_at=dispatched or closed or callback,
        first_dispatched_at=dispatched,
        dispatched_at=redispatched or dispatched,
        closed_at=closed,
        callback_at=callback,
        callback_contacted=contacted if callback else None,
        callback_resolved=resolved if callback else None,
        callback_satisfaction=satisfaction if callback else "",
        callback_valid=valid if callback else None,
        exclusion_reason=ExclusionReason.UNTRUE if excluded else "",
    )


def random_cases(rng: random.Random, communities, departments, *, start: dt.datetime, days: int, count: int):
    """Cases spread over `days` from `start`, with every kind of callback;
    one in eight re-dispatched up to three days after the first dispatch."""
    cases = []
    for _ in range(count):
        community = rng.choice(communities)
        department = rng.choice(departments)
        dispatched = start + dt.timedelta(seconds=rng.randrange(days * 86400))
        redispatched = dispatched + dt.timedelta(minutes=rng.randrange(1, 3 * 1440)) if rng.random() < 0.125 else None
        latest = redispatched or dispatched
        closed = latest + dt.timedelta(hours=rng.randrange(1, 200)) if rng.random() < 0.8 else None
        callback = closed + dt.timedelta(hours=rng.randrange(1, 100)) if closed and rng.random() < 0.8 else None
        cases.append(
            make_case(
                community,
                department,
                dispatched=dispatched,
                redispatched=redispatched,
                closed=closed,
                callback=callback,
                contacted=rng.random() < 0.9,
                resolved=rng.random() < 0.7,
                satisfaction=rng.choice(list(Satisfaction.values)),
                valid=rng.random() < 0.85,
                excluded=rng.random() < 0.08,
            )
        )
    return cases


DEFAULT_RULE = {
    "weights": (Decimal("0.1"), Decimal("0.5"), Decimal("0.4")),
    "basic": Decimal("0.9"),
    "minimum": 3,
    "parts": (3, 1, 1),
}


def expected_members(cases, units, start: dt.datetime, end: dt.datetime, kind: str) -> dict[int, dict[str, set]]:
    """{unit id: {count: ids of the cases it counts}} for one table, by looping over the cases.
    A case is received by the unit it is dispatched to, in the window of its latest dispatch."""
    attribute = "community_id" if kind == "community" else "department_id"

    def inside(moment):
        return moment is not None and start <= moment < end

    table = {}
    for unit in units:
        mine = [c for c in cases if getattr(c, attribute) == unit.id]
        received = [c for c in mine if inside(c.dispatched_at)]
        called = [c for c in mine if inside(c.callback_at)]
        valid = [c for c in called if c.callback_valid is True and not c.exclusion_reason]
        table[unit.id] = {
            name: {c.id for c in chosen}
            for name, chosen in {
                "received": received,
                "received_excluded": [c for c in received if c.exclusion_reason],
                "closed": [c for c in mine if inside(c.closed_at)],
                "valid_callbacks": valid,
                "contacted": [c for c in valid if c.callback_contacted],
                "resolved": [c for c in valid if c.callback_resolved],
                "satisfied": [c for c in valid if c.callback_satisfaction == "satisfied"],
                "basically_satisfied": [c for c in valid if c.callback_satisfaction == "basic"],
                "excluded_callbacks": [c for c in called if c.callback_valid is True and c.exclusion_reason],
                "invalid_callbacks": [c for c in called if c.callback_valid is not True],
            }.items()
        }
    return table


def expected_board(cases, units, start: dt.datetime, end: dt.datetime, kind: str, rule=None) -> dict[int, dict]:
    """{unit id: figures} for one table, by looping over the cases."""
    rule = rule or DEFAULT_RULE
    table = {}
    for unit_id, members in expected_members(cases, units, start, end, kind).items():
        row: dict[str, Any] = {name: len(ids) for name, ids in members.items()}
        with localcontext() as ctx:
            ctx.prec = 50
            four = Decimal("0.0001")
            n = row["valid_callbacks"]
            if n:
                row["response_rate"] = (Decimal(row["contacted"]) / n).quantize(four, ROUND_HALF_UP)
                row["resolution_rate"] = (Decimal(row["resolved"]) / n).quantize(four, ROUND_HALF_UP)
                row["satisfaction_rate"] = (
                    (row["satisfied"] + rule["basic"] * row["basically_satisfied"]) / n
                ).quantize(four, ROUND_HALF_UP)
            else:
                row["response_rate"] = row["resolution_rate"] = row["satisfaction_rate"] = None
            if n and n >= rule["minimum"]:
                w1, w2, w3 = rule["weights"]
                row["score"] = (
                    100 * (w1 * row["response_rate"] + w2 * row["resolution_rate"] + w3 * row["satisfaction_rate"])
                ).quantize(Decimal("0.01"), ROUND_HALF_UP)
            else:
                row["score"] = None
        table[unit_id] = row
    ranked = sorted(
        (uid for uid, row in table.items() if row["score"] is not None),
        key=lambda uid: (-table[uid]["score"], -table[uid]["closed"], -table[uid]["received"]),
    )
    for row in table.values():
        row["rank"] = None
        row["band"] = ""
    for uid in ranked:
        key = (table[uid]["score"], table[uid]["closed"], table[uid]["received"])
        # Rank = 1 + number of units strictly better.
        table[uid]["rank"] = 1 + sum(
            1 for other in ranked if (table[other]["score"], table[other]["closed"], table[other]["received"]) > key
        )
    parts, green_parts, pink_parts = rule["parts"]
    n = len(ranked)
    green = int((Decimal(n * green_parts) / parts).quantize(Decimal(1), ROUND_HALF_UP))
    pink = int((Decimal(n * pink_parts) / parts).quantize(Decimal(1), ROUND_HALF_UP))
    for uid in ranked:
        key = (table[uid]["score"], table[uid]["closed"], table[uid]["received"])
        rank = table[uid]["rank"]
        # The last place of its tie group: every unit not strictly worse, itself included.
        last = sum(
            1 for other in ranked if (table[other]["score"], table[other]["closed"], table[other]["received"]) >= key
        )
        table[uid]["band"] = "green" if rank <= green else ("pink" if last > n - pink else "yellow")
    return table
