"""The lobby's data: built from values() as the rows read, cached per board
(a new board is a new key), compressed, in a constant number of queries."""

import gzip
import json
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.tests.factories import CommunityFactory
from rankings import boards, formatting, lobby, services, windows
from rankings.tests.helpers import local, random_cases

pytestmark = pytest.mark.django_db


@pytest.fixture
def week(org):
    random_cases(random.Random(5), [org.a, org.b], [org.d1, org.d2], start=local(2026, 11, 9), days=7, count=60)
    return services.board_compute(window=windows.week_parse("2026-W46"))


def test_the_lobby_rows_read_as_the_board_rows(week):
    payload = lobby.lobby_board_build(board=week)
    tables = boards.board_tables(board=week)
    assert [table["kind"] for table in payload["tables"]] == list(tables)
    for table in payload["tables"]:
        rows = tables[table["kind"]]
        assert [row["unit"] for row in table["rows"]] == [row.unit_name for row in rows]
        for shown, row in zip(table["rows"], rows, strict=True):
            ranked = row.rank is not None
            assert shown == {
                "unit": row.unit_name,
                "rank": row.rank,
                "band": row.band or None,
                "received": row.received,
                "received_excluded": row.received_excluded,
                "closed": row.closed,
                "valid_callbacks": row.valid_callbacks,
                "response_rate": formatting.percent(row.response_rate) if ranked else "—",
                "resolution_rate": formatting.percent(row.resolution_rate) if ranked else "—",
                "satisfaction_rate": formatting.percent(row.satisfaction_rate) if ranked else "—",
                "score": formatting.score(row.score),
                "rank_change": row.rank_change,
            }


def _data(client) -> dict:
    return json.loads(client.get("/board/data/").content)


def test_the_board_is_read_once_and_a_new_board_is_shown_at_once(client, org, week):
    client.force_login(org.display)
    first = _data(client)
    with CaptureQueriesContext(connection) as queries:
        assert _data(client) == first
    assert not [q for q in queries.captured_queries if "rankings_boardrow" in q["sql"]], "rows come from the cache"
    newer = services.board_compute(window=windows.week_parse("2026-W46"))
    after = _data(client)
    assert [newer.pk, newer.version] in after["signature"] and after["signature"] != first["signature"]
    assert after["boards"][0]["id"] == newer.pk


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/board/data/").status_code == 200
    return len(queries)


def test_the_lobby_data_takes_as_many_queries_for_many_units_as_for_few(client, org, week):
    client.force_login(org.display)
    _queries(client)  # what a process reads once
    counts = []
    for units in (2, 8):
        if units > 2:
            more = [CommunityFactory(street=org.street, name=f"第{i}社区") for i in range(units - 2)]
            random_cases(random.Random(6), [org.a, *more], [org.d1], start=local(2026, 11, 9), days=7, count=60)
            services.board_compute(window=windows.week_parse("2026-W46"))
        cache.clear()
        built = _queries(client)
        served = _queries(client)
        counts.append((built, served))
    assert counts[0] == counts[1], counts
    assert counts[0][1] < counts[0][0], "served from the cache, the boards are not read"


def test_the_lobby_is_sent_compressed(client, org, week):
    client.force_login(org.display)
    for url, text in (("/board/", "lobby-initial"), ("/board/data/", "幸福社区")):
        response = client.get(url, headers={"accept-encoding": "gzip"})
        assert response["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in response["Vary"]
        assert text in gzip.decompress(response.content).decode(), url
    plain = client.get("/board/data/")
    assert not plain.has_header("Content-Encoding") and json.loads(plain.content)["boards"]
