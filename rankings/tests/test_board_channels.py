"""The channels the board counts (RankingRule.board_channels): only they are
ranked; the rest are shown apart as 未诉先办 — both against a plain-Python
calculation over the case rows."""

import random

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case, Channel
from communities.models import Role
from communities.tests.factories import CommunityFactory, DepartmentFactory, StreetFactory, person
from rankings import scoring, services, windows
from rankings.models import BoardCase, RankingRule
from rankings.tests.helpers import local, random_cases
from rankings.tests.test_services import assert_board_matches

pytestmark = pytest.mark.django_db

COMMUNITY_OWN = [Channel.VISIT, Channel.WECHAT, Channel.COUNCIL, Channel.COMMITTEE_PHONE]


@pytest.fixture
def mixed():
    street = StreetFactory()
    communities = [CommunityFactory(street=street) for _ in range(5)]
    departments = [DepartmentFactory(street=street) for _ in range(3)]
    rng = random.Random(14)
    cases = random_cases(rng, communities, departments, start=local(2026, 10, 10), days=40, count=300)
    for case in cases:
        if rng.random() < 0.3:
            case.channel = rng.choice(COMMUNITY_OWN)
    Case.objects.bulk_update(cases, ["channel"])
    return cases, communities, departments


def test_the_board_counts_only_12345_by_default_and_shows_the_rest_apart(mixed):
    cases, communities, departments = mixed
    window = windows.period_parse("2026-11", start_day=19)
    board = services.board_compute(window=window)
    assert board.rule_values["board_channels"] == ["hotline"]
    hotline = [c for c in cases if c.channel == Channel.HOTLINE]
    assert_board_matches(board, hotline, communities, departments)
    members = BoardCase.objects.filter(board=board).values_list("case__channel", flat=True)
    assert set(members) == {"hotline"}

    # 未诉先办: received (dispatched) and closed in the window, by a loop.
    others = [c for c in cases if c.channel != Channel.HOTLINE]
    uncounted = scoring.uncounted_figures(window=window, rule=scoring.Rule.of(board.rule_values))
    for kind, units, attribute in (
        ("community", communities, "community_id"),
        ("department", departments, "department_id"),
    ):
        expected = {}
        for unit in units:
            mine = [c for c in others if getattr(c, attribute) == unit.id]
            received = sum(1 for c in mine if window.start_at <= c.dispatched_at < window.end_at)
            closed = sum(1 for c in mine if c.closed_at and window.start_at <= c.closed_at < window.end_at)
            if received or closed:
                expected[unit.id] = (received, closed)
        assert {u.unit_id: (u.received, u.closed) for u in uncounted[kind]} == expected
        assert expected  # the generated data has some

    client = Client()
    client.force_login(person(Role.LEADER, street=communities[0].street))
    html = client.get(reverse("rankings-board", args=[board.pk])).content.decode()
    assert "未诉先办（不计入排名）" in html and "12345热线" in html


def test_a_rule_that_counts_the_community_channels_ranks_them_too(mixed):
    cases, communities, departments = mixed
    RankingRule.objects.create(
        effective_from=local(2000, 1, 1).date(), board_channels=["hotline", *COMMUNITY_OWN], note="全部计入"
    )
    board = services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    counted = [c for c in cases if c.channel in ("hotline", *COMMUNITY_OWN)]
    assert_board_matches(board, counted, communities, departments)


def test_a_rule_without_a_channel_is_refused():
    with pytest.raises(Exception, match="来源渠道"):
        services.rule_create(actor=None, board_channels=[])
    with pytest.raises(Exception, match="来源渠道"):
        services.rule_create(actor=None, board_channels=["nonsense"])
