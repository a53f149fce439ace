"""Every figure of a stored board against the plain-Python calculation in helpers."""

import datetime as dt
import random
from decimal import Decimal
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Satisfaction
from communities.tests.factories import CommunityFactory, DepartmentFactory, StreetFactory
from hotline.errors import InvalidInput
from rankings import services, windows
from rankings.boards import board_for_query, board_window, drilldown_cases
from rankings.models import Board, BoardCase, BoardRow, RankingRule
from rankings.scoring import COUNT_FIELDS
from rankings.tests.helpers import DEFAULT_RULE, expected_board, local, make_case, random_cases

FIELDS = [
    *COUNT_FIELDS,
    "response_rate",
    "resolution_rate",
    "satisfaction_rate",
    "score",
    "rank",
    "band",
]

pytestmark = pytest.mark.django_db


@pytest.fixture
def units():
    street = StreetFactory()
    communities = [CommunityFactory(street=street) for _ in range(7)]
    departments = [DepartmentFactory(street=street) for _ in range(4)]
    return communities, departments


def assert_board_matches(board: Board, cases, communities, departments, rule=None):
    window = board_window(board)
    for kind, units in (("community", communities), ("department", departments)):
        expected = expected_board(cases, units, window.start_at, window.end_at, kind, rule)
        rows = {row.unit_id: row for row in board.rows.filter(unit_kind=kind)}
        assert set(rows) == set(expected)
        for unit_id, figures in expected.items():
            actual = {name: getattr(rows[unit_id], name) for name in FIELDS}
            assert actual == figures, (kind, unit_id)


def test_every_figure_of_week_period_and_range_matches_plain_python(units):
    communities, departments = units
    rng = random.Random(46)
    cases = random_cases(rng, communities, departments, start=local(2026, 10, 10), days=45, count=400)
    for window in (
        windows.week_parse("2026-W44"),
        windows.period_parse("2026-11", start_day=19),
        windows.range_window(dt.date(2026, 10, 20), dt.date(2026, 11, 7)),
    ):
        board = services.board_compute(window=window)
        assert_board_matches(board, cases, communities, departments)
        assert board.rows.filter(rank__isnull=False).exists()


def test_a_unit_without_callbacks_is_shown_without_rates_or_rank(units):
    communities, departments = units
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 10, 9))
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    row = board.rows.get(community=communities[0])
    assert (row.received, row.valid_callbacks) == (1, 0)
    assert row.response_rate is None and row.score is None and row.rank is None and row.band == ""
    # Every active unit is on the board, even with no case at all.
    assert board.rows.filter(unit_kind="community").count() == len(communities)


def test_units_under_the_minimum_are_shown_but_not_ranked(units):
    communities, departments = units
    monday = local(2026, 11, 9, 10)
    for _ in range(2):  # two perfect callbacks: one lucky unit must not top the board
        make_case(communities[0], departments[0], closed=monday, callback=monday + dt.timedelta(hours=1))
    for index in range(3):
        make_case(
            communities[1],
            departments[1],
            closed=monday,
            callback=monday + dt.timedelta(hours=1),
            resolved=index > 0,
        )
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    lucky = board.rows.get(community=communities[0])
    ranked = board.rows.get(community=communities[1])
    assert lucky.response_rate == Decimal("1.0000") and lucky.rank is None and lucky.band == ""
    assert ranked.rank == 1 and ranked.resolution_rate == Decimal("0.6667")
    assert ranked.position < lucky.position


def test_ties_are_broken_by_closed_then_received_and_full_ties_share_a_rank(units):
    communities, departments = units
    a, b, c, d = communities[:4]
    monday = local(2026, 11, 9, 10)
    for unit in (a, b, c, d):
        for _ in range(3):
            make_case(unit, departments[0], closed=monday, callback=monday + dt.timedelta(hours=2))
    make_case(b, departments[0], closed=monday + dt.timedelta(hours=3))  # b closed more
    make_case(c, departments[0], dispatched=monday)  # c received more
    make_case(d, departments[0], dispatched=monday)  # d ties c exactly
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    ranks = {row.community_id: row.rank for row in board.rows.filter(unit_kind="community", rank__isnull=False)}
    assert ranks == {b.id: 1, c.id: 2, d.id: 2, a.id: 4}


def test_callback_at_sunday_235959_and_monday_midnight_shanghai_fall_in_different_weeks(units):
    communities, departments = units
    last = make_case(
        communities[0], departments[0], closed=local(2026, 11, 15, 12), callback=local(2026, 11, 15, 23, 59, 59)
    )
    first = make_case(
        communities[0], departments[0], closed=local(2026, 11, 15, 12), callback=local(2026, 11, 16, 0, 0, 0)
    )
    w46 = services.board_compute(window=windows.week_parse("2026-W46"))
    w47 = services.board_compute(window=windows.week_parse("2026-W47"))
    assert w46.rows.get(community=communities[0]).valid_callbacks == 1
    assert w47.rows.get(community=communities[0]).valid_callbacks == 1
    user = _leader()
    assert [
        c.id
        for c in drilldown_cases(
            user=user, board=w46, unit_kind="community", unit_id=communities[0].id, figure="valid_callbacks"
        )
    ] == [last.id]
    assert [
        c.id
        for c in drilldown_cases(
            user=user, board=w47, unit_kind="community", unit_id=communities[0].id, figure="valid_callbacks"
        )
    ] == [first.id]


def test_a_redispatch_counts_as_received_by_the_new_unit_in_the_week_of_the_redispatch(org):
    from cases import services as case_services

    # First dispatched to A on Wednesday 25 Nov (W48), re-dispatched to B on Monday 30 Nov (W49).
    moved = make_case(org.a, org.d1, dispatched=local(2026, 11, 25, 10))
    stayed = make_case(org.a, org.d1, dispatched=local(2026, 11, 26, 10))
    w48_before = services.board_compute(window=windows.week_parse("2026-W48"))
    case_services.case_redispatch(
        case_id=moved.id,
        actor=org.clerk,
        pairing_id=org.pairing_b.id,
        handler_id=org.officer_b.id,
        reason="不属本社区",
        at=local(2026, 11, 30, 9),
    )
    moved.refresh_from_db()
    assert (moved.community_id, moved.first_dispatched_at) == (org.b.id, local(2026, 11, 25, 10))
    w48 = services.board_compute(window=windows.week_parse("2026-W48"))
    w49 = services.board_compute(window=windows.week_parse("2026-W49"))
    received = {
        (board.key, row.unit_name): row.received for board in (w48, w49) for row in board.rows.all() if row.received
    }
    # W48 keeps A's other case and gains nothing for B; B received the moved case in W49.
    assert received == {
        ("2026-W48", org.a.name): 1,
        ("2026-W48", org.d1.name): 1,
        ("2026-W49", org.b.name): 1,
        ("2026-W49", org.d2.name): 1,
    }
    cases = [moved, stayed]
    for board in (w48, w49):
        assert_board_matches(board, cases, [org.a, org.b], [org.d1, org.d2])
    # The board stored before the re-dispatch still shows, and lists, what it counted then.
    assert w48_before.rows.get(community=org.a).received == 2
    listed = drilldown_cases(
        user=org.leader, board=w48_before, unit_kind="community", unit_id=org.a.id, figure="received"
    )
    assert {c.id for c in listed} == {moved.id, stayed.id}
    assert {c.id: c.counts_today for c in listed} == {moved.id: False, stayed.id: True}


def test_assessment_period_runs_from_the_19th_to_the_18th(units):
    communities, departments = units
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 18, 23, 59, 59))
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 19, 0, 0))
    make_case(communities[0], departments[0], dispatched=local(2026, 10, 19, 0, 0))
    november = services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    december = services.board_compute(window=windows.period_parse("2026-12", start_day=19))
    assert (november.window_start, november.window_end) == (dt.date(2026, 10, 19), dt.date(2026, 11, 18))
    assert november.rows.get(community=communities[0]).received == 2
    assert december.rows.get(community=communities[0]).received == 1


def test_period_start_day_comes_from_the_rule(units):
    RankingRule.objects.create(effective_from=dt.date(2001, 1, 1), period_start_day=1)
    window = services.window_for_arguments(period="2026-02", on=dt.date(2026, 11, 1))
    assert (window.start, window.end) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    window = services.window_for_arguments(period="2026-11", on=dt.date(2026, 11, 10))
    assert (window.start, window.end, window.is_partial) == (dt.date(2026, 11, 1), dt.date(2026, 11, 10), True)


def test_a_rule_change_between_two_weeks_applies_from_its_week_on(units):
    communities, departments = units
    rng = random.Random(7)
    cases = random_cases(rng, communities, departments, start=local(2026, 11, 2), days=14, count=250)
    services.rule_create(
        actor=None,
        effective_from=dt.date(2026, 11, 10),
        response_weight=Decimal("0.2"),
        resolution_weight=Decimal("0.4"),
        satisfaction_weight=Decimal("0.4"),
        basic_satisfied_weight=Decimal("0.8"),
        min_valid_callbacks=5,
        band_parts=4,
        green_parts=1,
        pink_parts=1,
    )
    w45 = services.board_compute(window=windows.week_parse("2026-W45"))
    w46 = services.board_compute(window=windows.week_parse("2026-W46"))
    assert w45.rule.effective_from == dt.date(2000, 1, 1)
    assert w46.rule.effective_from == dt.date(2026, 11, 10)
    assert w46.rule_values["min_valid_callbacks"] == 5
    assert_board_matches(w45, cases, communities, departments)
    new_rule = {
        "weights": (Decimal("0.2"), Decimal("0.4"), Decimal("0.4")),
        "basic": Decimal("0.8"),
        "minimum": 5,
        "parts": (4, 1, 1),
    }
    assert_board_matches(w46, cases, communities, departments, new_rule)
    # Recomputing last week keeps last week's rule.
    again = services.board_compute(window=windows.week_parse("2026-W45"))
    assert again.rule_id == w45.rule_id and again.version == 2


def test_excluded_cases_stay_in_intake_and_leave_the_rates(units):
    communities, departments = units
    monday = local(2026, 11, 9, 9)
    for _ in range(3):
        make_case(communities[0], departments[0], dispatched=monday, closed=monday, callback=monday, resolved=True)
    make_case(
        communities[0], departments[0], dispatched=monday, closed=monday, callback=monday, resolved=False, excluded=True
    )
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    row = board.rows.get(community=communities[0])
    assert (row.received, row.received_excluded, row.closed) == (4, 1, 4)
    assert (row.valid_callbacks, row.excluded_callbacks, row.resolution_rate) == (3, 1, Decimal("1.0000"))


def test_invalid_callbacks_count_nowhere_in_the_rates(units):
    communities, departments = units
    monday = local(2026, 11, 9, 9)
    for _ in range(3):
        make_case(communities[0], departments[0], callback=monday, satisfaction=Satisfaction.BASIC)
    make_case(communities[0], departments[0], callback=monday, valid=False, satisfaction=Satisfaction.UNSATISFIED)
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    row = board.rows.get(community=communities[0])
    assert (row.valid_callbacks, row.invalid_callbacks) == (3, 1)
    assert row.satisfaction_rate == Decimal("0.9000")
    assert row.score == Decimal("96.00")  # 100 × (0.1 × 1 + 0.5 × 1 + 0.4 × 0.9)


def _units_with_resolved(communities, departments, resolved_counts, *, callbacks=4):
    """One community per entry, with `callbacks` valid callbacks of which that many resolved (nothing else)."""
    monday = local(2026, 11, 9, 9)
    for community, resolved in zip(communities, resolved_counts, strict=False):
        for case_no in range(callbacks):
            make_case(community, departments[0], callback=monday, resolved=case_no < resolved)


def _bands_by_rank(board):
    return [
        (row.rank, row.band)
        for row in board.rows.filter(unit_kind="community", rank__isnull=False).order_by("position")
    ]


def test_a_tie_at_the_bottom_shares_the_pink_band(units):
    communities, departments = units
    # Six ranked units, ranks 1, 2, 3, 4, 4, 4: two green and two pink places.
    _units_with_resolved(communities[:6], departments, [4, 3, 2, 1, 1, 1])
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    assert _bands_by_rank(board) == [
        (1, "green"),
        (2, "green"),
        (3, "yellow"),
        (4, "pink"),
        (4, "pink"),
        (4, "pink"),
    ]


def test_a_tie_at_the_top_shares_the_green_band(units):
    communities, departments = units
    # Ranks 1, 1, 1, 4, 5, 6: the tie at the top is green as one, the last two places pink.
    _units_with_resolved(communities[:6], departments, [4, 4, 4, 3, 2, 1])
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    assert _bands_by_rank(board) == [
        (1, "green"),
        (1, "green"),
        (1, "green"),
        (4, "yellow"),
        (5, "pink"),
        (6, "pink"),
    ]


@pytest.mark.parametrize(
    ("resolved", "expected"),
    [
        # Ranks 1, 2, 3, 3, 5, 6: the tie takes the 3rd and 4th places, not the pink 5th: yellow, both.
        ([4, 3, 2, 2, 1, 0], [(1, "green"), (2, "green"), (3, "yellow"), (3, "yellow"), (5, "pink"), (6, "pink")]),
        # Ranks 1, 2, 3, 4, 4, 6: the tie reaches into the pink 5th place: pink, both.
        ([4, 3, 2, 1, 1, 0], [(1, "green"), (2, "green"), (3, "yellow"), (4, "pink"), (4, "pink"), (6, "pink")]),
        # Ranks 1, 2, 2, 4, 5, 6: a shared rank within the green places: green, both.
        ([4, 3, 3, 2, 1, 0], [(1, "green"), (2, "green"), (2, "green"), (4, "yellow"), (5, "pink"), (6, "pink")]),
    ],
    ids=["tie-yellow", "tie-into-pink", "tie-from-green"],
)
def test_a_tie_group_always_shares_one_band(units, resolved, expected):
    communities, departments = units
    _units_with_resolved(communities[:6], departments, resolved)
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    assert _bands_by_rank(board) == expected


def test_units_under_the_minimum_come_after_the_ranked_ones_by_valid_callbacks_then_name(units):
    communities, departments = units
    street = communities[0].street
    for community in communities:
        community.is_active = False
        community.save(update_fields=["is_active"])
    names = ["甲社区", "乙社区", "丙社区", "丁社区", "戊社区", "己社区"]
    a, b, c, d, e, f = (CommunityFactory(street=street, name=name) for name in names)
    monday = local(2026, 11, 9, 9)
    _units_with_resolved([a], departments, [1], callbacks=3)  # ranked, even with a low score
    _units_with_resolved([b, c], departments, [2, 2], callbacks=2)  # two valid callbacks each: not ranked
    make_case(c, departments[0], closed=monday)  # c closed one more: before b
    _units_with_resolved([e, d], departments, [1, 1], callbacks=1)  # one each, equal in all: by name
    # f: no callback at all, last.
    make_case(f, departments[0], dispatched=monday)
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    rows = list(board.rows.filter(unit_kind="community", community__is_active=True).order_by("position"))
    # One ranked unit of three parts gets no green and no pink place: yellow.
    assert [(row.unit_name, row.rank, row.band) for row in rows] == [
        ("甲社区", 1, "yellow"),
        ("丙社区", None, ""),
        ("乙社区", None, ""),
        ("丁社区", None, ""),  # 丁 U+4E01 before 戊 U+620A
        ("戊社区", None, ""),
        ("己社区", None, ""),
    ]


def test_bands_split_the_ranked_units_in_thirds(units):
    communities, departments = units
    monday = local(2026, 11, 9, 9)
    for index, community in enumerate(communities[:6]):
        for case_no in range(4):
            make_case(community, departments[0], callback=monday, resolved=case_no < index)
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    bands = [row.band for row in board.rows.filter(unit_kind="community", rank__isnull=False).order_by("rank")]
    assert bands == ["green", "green", "yellow", "yellow", "pink", "pink"]


def test_rank_and_score_change_against_the_previous_week(units):
    communities, departments = units
    a, b, c = communities[:3]
    for monday, resolved_by_unit in (
        (local(2026, 11, 2, 9), {a: 3, b: 2, c: 1}),
        (local(2026, 11, 9, 9), {a: 1, b: 3, c: 2}),
    ):
        for unit, resolved in resolved_by_unit.items():
            for index in range(3):
                make_case(unit, departments[0], callback=monday, resolved=index < resolved)
    services.board_compute(window=windows.week_parse("2026-W45"))
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    rows = {row.community_id: row for row in board.rows.filter(unit_kind="community")}
    assert (rows[b.id].rank, rows[b.id].previous_rank, rows[b.id].rank_change) == (1, 2, 1)
    assert (rows[a.id].rank, rows[a.id].previous_rank, rows[a.id].rank_change) == (3, 1, -2)
    assert rows[a.id].score_change == rows[a.id].score - rows[a.id].previous_score < 0
    assert board.previous_key == "2026-W45"


def test_without_a_stored_previous_board_the_change_is_computed(units):
    communities, departments = units
    for monday in (local(2026, 11, 2, 9), local(2026, 11, 9, 9)):
        for _ in range(3):
            make_case(communities[0], departments[0], callback=monday)
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    row = board.rows.get(community=communities[0])
    assert (row.previous_rank, row.rank_change, row.score_change) == (1, 0, Decimal("0.00"))


def test_computing_again_makes_a_new_version_and_the_newest_is_served(units):
    communities, departments = units
    window = windows.week_parse("2026-W46")
    first = services.board_compute(window=window)
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 11, 9))
    second = services.board_compute(window=window)
    assert (first.version, second.version) == (1, 2)
    assert board_for_query(week="2026-W46") == second
    assert first.rows.get(community=communities[0]).received == 0  # the old snapshot did not change
    with pytest.raises(Exception, match="不可修改"):
        first.save()


def test_a_failure_in_the_middle_leaves_no_half_written_board(units, monkeypatch):
    communities, departments = units
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 11, 9))

    def broken_bulk_create(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after the membership was written: it goes too.
    monkeypatch.setattr(BoardRow.objects, "bulk_create", broken_bulk_create)
    with pytest.raises(RuntimeError):
        services.board_compute(window=windows.week_parse("2026-W46"))
    assert not Board.objects.exists()
    assert not BoardCase.objects.exists()


def test_the_number_of_queries_does_not_depend_on_cases_or_units(units):
    communities, departments = units
    window = windows.week_parse("2026-W46")
    services.board_compute(window=windows.week_parse("2026-W45"))
    make_case(communities[0], departments[0], callback=local(2026, 11, 10))
    with CaptureQueriesContext(connection) as small:
        services.board_compute(window=window)
    street = communities[0].street
    more = [CommunityFactory(street=street) for _ in range(30)]
    more_departments = [DepartmentFactory(street=street) for _ in range(10)]
    random_cases(random.Random(3), more, more_departments, start=local(2026, 11, 9), days=7, count=300)
    with CaptureQueriesContext(connection) as large:
        services.board_compute(window=window)

    def reads(context):
        return [
            q["sql"] for q in context.captured_queries if not q["sql"].startswith('INSERT INTO "rankings_boardrow"')
        ]

    def membership_writes(context):
        return [q for q in context.captured_queries if q["sql"].startswith('INSERT INTO "rankings_boardcase"')]

    assert len(reads(large)) == len(reads(small))
    # The membership of 300 cases and of 1 goes in with one INSERT ... SELECT.
    assert len(membership_writes(small)) == len(membership_writes(large)) == 1
    assert BoardCase.objects.filter(board=Board.objects.latest("id")).count() > 250
    # The rows go in bulk (SQLite caps the parameters of one statement, hence a few batches there).
    inserts = len(large.captured_queries) - len(reads(large))
    assert inserts <= (1 if connection.vendor == "postgresql" else 3)
    aggregates = [q for q in large.captured_queries if "cases_case" in q["sql"]]
    assert len(aggregates) == 1  # one aggregate query for both tables of the window


def test_scheduled_windows():
    monday = dt.date(2026, 11, 16)
    assert [w.key for w in services.windows_last_week_and_period(on=monday)] == ["2026-W46", "2026-11"]
    # Nightly: last week too (its late callbacks), oldest first.
    assert [w.key for w in services.windows_nightly(on=monday)] == ["2026-W46", "2026-W47", "2026-11"]
    on_the_19th = services.windows_nightly(on=dt.date(2026, 11, 19))
    assert [w.key for w in on_the_19th] == ["2026-W46", "2026-W47", "2026-11", "2026-12"]
    assert (on_the_19th[2].end, on_the_19th[2].is_partial) == (dt.date(2026, 11, 18), False)
    assert [w.key for w in services.windows_default(on=monday)] == ["2026-W46", "2026-W47", "2026-11"]
    period = services.windows_last_week_and_period(on=monday)[1]
    assert (period.start, period.end, period.is_partial) == (dt.date(2026, 10, 19), monday, True)


@pytest.mark.parametrize(
    "arguments",
    [
        {"week": "2026-W60"},
        {"week": "46"},
        {"period": "2026-13"},
        {"date_from": "2026-11-10", "date_to": "2026-11-01"},
        {"date_from": "2026-11-10"},
        {"week": "2026-W46", "period": "2026-11"},
    ],
)
def test_bad_windows_are_refused_with_a_clear_message(arguments):
    with pytest.raises(InvalidInput):
        services.window_for_arguments(**arguments)
    assert not Board.objects.exists()


def test_rule_versions_are_validated_and_never_edited():
    with pytest.raises(InvalidInput, match="份数之和"):
        services.rule_create(actor=None, band_parts=3, green_parts=2, pink_parts=2)
    rule = services.rule_create(actor=None, min_valid_callbacks=5)
    with pytest.raises(Exception, match="不可修改"):
        rule.save()
    assert DEFAULT_RULE["minimum"] == 3


def _leader():
    from communities.models import Role
    from communities.tests.factories import person

    return person(Role.LEADER)


def test_history_lists_weeks_and_periods_oldest_first_without_gaps():
    on = dt.date(2026, 11, 22)  # a Sunday, in the period 19 Nov – 18 Dec
    found = services.windows_history(on=on, weeks=10)
    weeks = [w for w in found if w.kind == "week"]
    periods = [w for w in found if w.kind == "period"]
    assert (weeks[0].key, weeks[-1].key) == ("2026-W37", "2026-W47")
    assert all(b.start - a.start == dt.timedelta(days=7) for a, b in pairwise(weeks))
    assert [(p.start, p.end) for p in periods] == [
        (dt.date(2026, 8, 19), dt.date(2026, 9, 18)),
        (dt.date(2026, 9, 19), dt.date(2026, 10, 18)),
        (dt.date(2026, 10, 19), dt.date(2026, 11, 18)),
        (dt.date(2026, 11, 19), dt.date(2026, 11, 22)),  # the running period, to date
    ]
    assert [w.end for w in found] == sorted(w.end for w in found)
