"""The sweep benchmark command: it never runs in a database with a real
street, and on PostgreSQL the sweep finds exactly what its hand-written query finds."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from cases.models import Case
from communities.models import Street
from communities.tests.factories import StreetFactory
from supervision.management.commands.bench_sweep import PREFIX, STREET
from supervision.models import LadderStep

pytestmark = pytest.mark.django_db


def test_the_benchmark_refuses_a_database_with_a_real_street():
    real = StreetFactory(name="朝阳门街道")
    with pytest.raises(CommandError, match=r"朝阳门街道.*专用数据库"):
        call_command("bench_sweep", "--cases", "100", "--open", "10", "--repeat", "1", stdout=io.StringIO())
    assert list(Street.objects.all()) == [real]
    assert not Case.objects.exists()


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only")
def test_the_sweep_finds_what_the_hand_written_query_finds_and_sends_nothing_twice():
    out = io.StringIO()
    call_command("bench_sweep", "--cases", "3000", "--open", "400", "--take", "5", "--repeat", "1", stdout=out)
    text = out.getvalue()
    assert "扫描查询与手写SQL结果一致" in text, text
    assert "扫描并执行 5 项催办" in text and "未重复发送" in text, text
    assert Case.objects.filter(ticket_no__startswith=PREFIX).count() == 3000
    assert list(Street.objects.values_list("name", flat=True)) == [STREET]
    assert not LadderStep.objects.exists()  # the benchmark leaves no ladder behind
