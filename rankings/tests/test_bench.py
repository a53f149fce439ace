"""The board benchmark command: it never runs in a database with a real street,
and on PostgreSQL its three computations agree at a small scale."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case
from communities.models import Street
from communities.tests.factories import StreetFactory
from rankings.management.commands.bench_rankings import PREFIX, STREET
from rankings.models import Board

pytestmark = pytest.mark.django_db


def test_the_benchmark_refuses_a_database_with_a_real_street():
    real = StreetFactory(name="朝阳门街道")
    with pytest.raises(CommandError, match=r"朝阳门街道.*专用数据库"):
        call_command("bench_rankings", "--cases", "100", "--units", "4", "--repeat", "1", stdout=io.StringIO())
    assert list(Street.objects.all()) == [real]
    assert not Case.objects.exists() and not Board.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only")
def test_the_benchmark_agrees_with_its_hand_written_query_on_postgresql():
    out = io.StringIO()
    call_command("bench_rankings", "--cases", "3000", "--units", "12", "--days", "60", "--repeat", "1", stdout=out)
    text = out.getvalue()
    # Both windows: the computed figures and the stored snapshot equal the hand-written SQL, unit by unit.
    assert text.count("榜单计算与保存的快照均与手写SQL逐项一致") == 2, text
    assert Case.objects.filter(ticket_no__startswith=PREFIX).count() == 3000
    assert list(Street.objects.values_list("name", flat=True)) == [STREET]
    # Run again in the same database: its own street is no obstacle, and the earlier run's data is replaced.
    out = io.StringIO()
    call_command("bench_rankings", "--cases", "2000", "--units", "12", "--days", "60", "--repeat", "1", stdout=out)
    assert out.getvalue().count("榜单计算与保存的快照均与手写SQL逐项一致") == 2
    assert Case.objects.filter(ticket_no__startswith=PREFIX).count() == Case.objects.count() == 2000


def test_each_benchmark_has_a_street_of_its_own():
    from cases.management.commands.bench_import import BENCH_STREET

    assert BENCH_STREET != STREET


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only")
def test_the_benchmark_cases_arrive_in_date_order_and_its_baseline_leaves_nothing_behind():
    from rankings.models import BoardCase

    call_command(
        "bench_rankings", "--cases", "1500", "--units", "8", "--days", "30", "--repeat", "2", stdout=io.StringIO()
    )
    received = list(Case.objects.order_by("id").values_list("received_at", flat=True))
    assert received == sorted(received)
    assert not BoardCase.objects.filter(board_id__lte=0).exists()


def test_the_lobby_benchmark_refuses_a_database_that_is_not_postgresql():
    if connection.vendor == "postgresql":
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_lobby", stdout=io.StringIO())
