"""The lobby display, the staff board with drill-down, trends, export and the API."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from cases.models import Satisfaction
from rankings import selectors, services, windows
from rankings.models import Board, DisplayLink, RankingRule
from rankings.tests.helpers import local, make_case, random_cases
from rankings.views import DRILL_FIGURES

pytestmark = pytest.mark.django_db


@pytest.fixture
def boards(org):
    """Two weeks and a period of generated cases over the org's two pairings."""
    rng = random.Random(11)
    cases = random_cases(rng, [org.a, org.b], [org.d1, org.d2], start=local(2026, 10, 26), days=21, count=150)
    week = services.board_compute(window=windows.week_parse("2026-W46"))
    period = services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    return week, period, cases


def test_the_display_refuses_without_a_link_or_a_login(client, boards):
    response = client.get("/board/")
    assert response.status_code == 403
    assert "展示链接无效" in response.content.decode()
    assert client.get("/board/data/").status_code == 403


def test_a_display_link_grants_the_board_and_nothing_else(client, boards):
    link = services.display_link_create(name="一楼大厅", actor=None)
    response = client.get(f"/board/?token={link.token}")
    assert response.status_code == 200
    assert "lobby-initial" in response.content.decode()
    data = client.get(f"/board/data/?token={link.token}").json()
    assert [b["id"] for b in data["boards"]] == [b.pk for b in boards[:2]]
    # The token opens no other page.
    assert client.get(f"/rankings/?token={link.token}").status_code == 302
    assert client.get(f"/api/rankings/boards/?token={link.token}").status_code in (401, 403)
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_a_revoked_link_stops_working(client, boards):
    link = services.display_link_create(name="大厅", actor=None)
    services.display_link_revoke(link_id=link.pk)
    assert client.get(f"/board/?token={link.token}").status_code == 403
    assert client.get(f"/board/data/?token={link.token}").status_code == 403
    assert client.get("/board/?token=forged").status_code == 403


def test_the_display_account_sees_the_board_without_personal_data(client, org, boards):
    client.force_login(org.display)
    assert client.get("/board/").status_code == 200
    body = client.get("/board/data/").content.decode()
    for case in boards[2]:
        assert case.caller_name not in body and case.caller_phone not in body
    data = client.get("/board/data/").json()
    row = data["boards"][0]["tables"][0]["rows"][0]
    assert set(row) == {
        "unit",
        "rank",
        "band",
        "received",
        "received_excluded",
        "closed",
        "valid_callbacks",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
        "score",
        "rank_change",
    }


def test_the_lobby_shows_the_newest_version(client, org, boards):
    client.force_login(org.display)
    before = client.get("/board/data/").json()["signature"]
    newer = services.board_compute(window=windows.week_parse("2026-W46"))
    after = client.get("/board/data/").json()["signature"]
    assert before != after and [newer.pk, newer.version] in after


def test_the_lobby_shows_the_last_finished_week_and_the_current_period(boards):
    services.board_compute(window=windows.week_parse("2026-W47"))
    shown = selectors.boards_for_lobby(on=dt.date(2026, 11, 18))
    assert [(b.kind, b.key) for b in shown] == [("week", "2026-W46"), ("period", "2026-11")]


def test_every_drilldown_list_counts_exactly_the_figure(client, org, boards):
    week, period, _ = boards
    client.force_login(org.leader)
    checked = 0
    for board in (week, period):
        for row in board.rows.all():
            for figure in DRILL_FIGURES:
                cases = selectors.drilldown_cases(
                    user=org.leader, board=board, unit_kind=row.unit_kind, unit_id=row.unit_id, figure=figure
                )
                counted = selectors.DRILLDOWN_BASE.get(figure, figure)
                assert cases.count() == getattr(row, counted), (board.key, row.unit_name, figure)
                checked += 1
            response = client.get(
                "/rankings/drilldown/",
                {"board": board.pk, "unit": f"{row.unit_kind}:{row.unit_id}", "figure": "resolved"},
            )
            assert response.status_code == 200
            assert response.context["visible"] == row.resolved == response.context["figure_value"]
    assert checked == 2 * 4 * len(DRILL_FIGURES)


def test_the_drilldown_is_scoped_to_what_the_user_may_see(client, org, boards):
    week = boards[0]
    row_b = week.rows.get(community=org.b)
    client.force_login(org.officer_a)
    response = client.get(
        "/rankings/drilldown/", {"board": week.pk, "unit": f"community:{org.b.id}", "figure": "received"}
    )
    assert response.status_code == 200
    assert response.context["visible"] == 0 < row_b.received
    assert "不在您的查看范围内" in response.content.decode()
    row_a = week.rows.get(community=org.a)
    response = client.get(
        "/rankings/drilldown/", {"board": week.pk, "unit": f"community:{org.a.id}", "figure": "received"}
    )
    assert response.context["visible"] == row_a.received


@pytest.mark.parametrize(
    "query",
    [{"unit": "community:1", "figure": "nonsense"}, {"unit": "planet:1", "figure": "closed"}],
)
def test_a_bad_drilldown_gets_a_clear_answer(client, org, boards, query):
    client.force_login(org.leader)
    row = boards[0].rows.first()
    query = {"board": boards[0].pk, **query}
    if query["unit"] == "community:1":
        query["unit"] = f"community:{row.unit_id}" if row.unit_kind == "community" else query["unit"]
    response = client.get("/rankings/drilldown/", query)
    assert response.status_code in (400, 404)
    assert client.get("/rankings/drilldown/", {"board": "x"}).status_code == 404


def test_the_display_role_has_no_drilldown(client, org, boards):
    client.force_login(org.display)
    response = client.get(
        "/rankings/drilldown/", {"board": boards[0].pk, "unit": f"community:{org.a.id}", "figure": "closed"}
    )
    assert response.status_code == 302 and response["Location"] == "/board/"


def test_board_page_links_every_figure(client, org, boards):
    client.force_login(org.leader)
    response = client.get(f"/rankings/boards/{boards[0].pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('data-figure="received"') == 4  # two communities, two departments


def test_export_has_the_figures_and_no_personal_data(client, org, boards):
    week = boards[0]
    client.force_login(org.leader)
    response = client.get(f"/rankings/boards/{week.pk}/export.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == ["社区", "科室", "说明"]
    rows = list(workbook["社区"].iter_rows(values_only=True))
    assert rows[0][:3] == ("排名", "档次", "单位")
    by_name = {row[2]: row for row in rows[1:]}
    stored = week.rows.get(community=org.a)
    assert by_name[org.a.name][3] == stored.received and by_name[org.a.name][6] == stored.valid_callbacks
    text = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row)
    assert "张三" not in text and "13812341234" not in text


def test_trend_pages_with_month_over_month_change(client, org):
    # October period: 2 of 4 resolved; November: 4 of 4 → +50 points.
    for moment, resolved in ((local(2026, 10, 5, 10), 2), (local(2026, 11, 5, 10), 4)):
        for index in range(4):
            make_case(org.a, org.d1, callback=moment, resolved=index < resolved, satisfaction=Satisfaction.SATISFIED)
    services.board_compute(window=windows.period_parse("2026-10", start_day=19))
    services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    client.force_login(org.leader)
    response = client.get("/rankings/")
    assert response.status_code == 200
    assert "解决率较上月提高50个百分点" in response.content.decode()
    response = client.get(f"/rankings/trends/community/{org.a.id}/")
    assert response.status_code == 200
    assert "解决率较上月提高50个百分点" in response.content.decode()
    assert client.get("/rankings/trends/planet/1/").status_code == 404
    assert client.get("/rankings/trends/community/999999/").status_code == 404


def test_change_sentences():
    assert selectors.change_sentence("解决率", Decimal("0.8"), Decimal("0.67")) == "解决率较上月提高13个百分点"
    assert selectors.change_sentence("满意率", Decimal("0.5"), Decimal("0.5512")) == "满意率较上月下降5.1个百分点"
    assert selectors.change_sentence("响应率", None, Decimal("0.5")) == "响应率暂无可比数据"


def test_leaders_compute_a_board_from_the_page(client, org, boards):
    client.force_login(org.leader)
    response = client.post("/rankings/", {"week": "2026-W45"})
    board = Board.objects.get(kind="week", key="2026-W45")
    assert response.status_code == 302 and response["Location"] == f"/rankings/boards/{board.pk}/"
    response = client.post("/rankings/", {"week": "2026-W99"}, follow=True)
    assert "没有第99周" in response.content.decode()
    client.force_login(org.officer_a)
    assert client.post("/rankings/", {"week": "2026-W44"}).status_code == 403
    assert not Board.objects.filter(key="2026-W44").exists()


def test_api_board_by_week_latest_and_id(client, org, boards):
    week = boards[0]
    client.force_login(org.leader)
    data = client.get("/api/rankings/boards/", {"week": "2026-W46"}).json()
    assert data["id"] == week.pk and data["window"]["key"] == "2026-W46"
    assert data["window"]["start"] == "2026-11-09" and data["window"]["end"] == "2026-11-15"
    row = next(r for r in data["rows"] if r["unit_kind"] == "community" and r["unit_id"] == org.a.id)
    stored = week.rows.get(community=org.a)
    for name in ("received", "closed", "valid_callbacks", "rank"):
        assert row[name] == getattr(stored, name)
    assert row["unit"] == org.a.name and row["band"] == (stored.band or None)
    assert row["score"] == (None if stored.score is None else str(stored.score))
    assert client.get("/api/rankings/boards/latest/", {"kind": "period"}).json()["id"] == boards[1].pk
    assert client.get(f"/api/rankings/boards/{week.pk}/").json()["id"] == week.pk
    listing = client.get("/api/rankings/boards/").json()
    assert {item["id"] for item in listing["results"]} == {boards[0].pk, boards[1].pk}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"week": "46"}, 400, "invalid_input"),
        ({"week": "2020-W01"}, 404, "not_found"),
        ({"kind": "x"}, 400, "invalid_input"),
    ],
)
def test_api_bad_input(client, org, boards, query, status, code):
    client.force_login(org.leader)
    response = client.get("/api/rankings/boards/", query)
    assert response.status_code == status and response.json()["code"] == code
    assert client.get("/api/rankings/boards/999999/").status_code == 404


def test_api_needs_a_login(client, boards):
    assert client.get("/api/rankings/boards/", {"week": "2026-W46"}).status_code in (401, 403)


def test_admin_rule_edit_adds_a_version(admin_client):
    rule = RankingRule.objects.get()
    form = {
        "effective_from": "2026-11-23",
        "response_weight": "0.2",
        "resolution_weight": "0.4",
        "satisfaction_weight": "0.4",
        "basic_satisfied_weight": "0.9",
        "min_valid_callbacks": "3",
        "band_parts": "3",
        "green_parts": "1",
        "pink_parts": "1",
        "period_start_day": "19",
        "note": "调整权重",
    }
    response = admin_client.post(f"/admin/rankings/rankingrule/{rule.pk}/change/", form)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.response_weight == Decimal("0.1000")  # the old version is untouched
    assert RankingRule.objects.count() == 2
    newest = RankingRule.objects.order_by("-id").first()
    assert newest.response_weight == Decimal("0.2000") and newest.note == "调整权重"
    bad = admin_client.post("/admin/rankings/rankingrule/add/", {**form, "green_parts": "2", "pink_parts": "2"})
    assert bad.status_code == 200 and RankingRule.objects.count() == 2


def test_admin_display_links_and_read_only_boards(admin_client, boards):
    response = admin_client.post("/admin/rankings/displaylink/add/", {"name": "二楼大厅"})
    assert response.status_code == 302
    link = DisplayLink.objects.get(name="二楼大厅")
    assert len(link.token) >= 40
    listing = admin_client.get("/admin/rankings/displaylink/").content.decode()
    assert f"/board/?token={link.token}" in listing
    admin_client.post("/admin/rankings/displaylink/", {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is not None
    board = boards[0]
    assert admin_client.get(f"/admin/rankings/board/{board.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/rankings/board/{board.pk}/change/", {"label": "x"}).status_code == 403
