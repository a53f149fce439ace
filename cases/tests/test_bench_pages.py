"""The page benchmark: it refuses a database with another street unless told,
and on PostgreSQL it measures every row of its table at a small scale."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.management.commands.bench_pages import PREFIX, STREET
from cases.models import Case
from communities.models import Street
from communities.tests.factories import StreetFactory
from rankings.management.commands import bench_rankings

pytestmark = pytest.mark.django_db


def test_the_page_benchmark_refuses_a_database_with_another_street():
    real = StreetFactory(name="朝阳门街道")
    with pytest.raises(CommandError, match=r"朝阳门街道.*专用数据库"):
        call_command("bench_pages", "--cases", "100", "--units", "4", "--repeat", "1", stdout=io.StringIO())
    assert list(Street.objects.all()) == [real]
    assert not Case.objects.exists()


def test_each_benchmark_has_a_street_and_a_prefix_of_its_own():
    assert STREET != bench_rankings.STREET and PREFIX != bench_rankings.PREFIX


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only")
def test_the_page_benchmark_measures_every_row_on_postgresql():
    out = io.StringIO()
    call_command("bench_pages", "--cases", "3000", "--units", "12", "--days", "200", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "同栈最快" in text  # the SQL served by the same stack, a column of its own
    for row in (
        "按工单号搜索（API）",
        "按地址文字搜索（API）",
        "热点 90 天（页面）",
        "街道总览（页面）",
        "周期榜单计算",
        "其他页面",
        "/governance/",
        "/cases/queue/",
    ):
        assert row in text, text
    received = list(Case.objects.order_by("id").values_list("received_at", flat=True))
    assert received == sorted(received)
    assert Case.objects.filter(ticket_no__startswith=PREFIX).count() == 3000
    assert Case.objects.exclude(address__contains="号楼").count() == 0
    # Again with --reuse: nothing is generated.
    out = io.StringIO()
    call_command(
        "bench_pages", "--cases", "3000", "--units", "12", "--days", "200", "--repeat", "1", "--reuse", stdout=out
    )
    assert "沿用已有的 3000 件基准案件" in out.getvalue()
