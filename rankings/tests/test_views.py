"""The lobby display, the staff board with drill-down, trends, export and the API."""

import datetime as dt
import io
import random
from decimal import Decimal

import pytest
from django.contrib import admin
from openpyxl import load_workbook

from cases import services as case_services
from cases.models import Case, ExclusionReason, Satisfaction
from cases.transitions import Status
from rankings import formatting, services, windows
from rankings.boards import board_window, boards_for_lobby, drilldown_cases
from rankings.models import Board, BoardCase, DisplayLink, RankingRule
from rankings.scoring import COUNT_FIELDS, DRILLDOWN_BASE
from rankings.tests.helpers import expected_members, local, make_case, random_cases
from rankings.trends import change_sentence
from rankings.views import DRILL_FIGURES, board_payload

# Every figure of a row: the counts, and the rates, score and rank (explained by the valid callbacks).
EVERY_FIGURE = [*COUNT_FIELDS, "response_rate", "resolution_rate", "satisfaction_rate", "score", "rank"]

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
    response = client.get(f"/board/?token={link.token}", follow=True)
    assert response.redirect_chain == [("/board/", 302)], "the token is exchanged for a session"
    assert response.status_code == 200
    assert "lobby-initial" in response.content.decode()
    assert link.token not in response.content.decode(), "the page's data URL does not carry the token"
    data = client.get("/board/data/").json()
    assert [b["id"] for b in data["boards"]] == [b.pk for b in boards[:2]]
    # The token opens no other page.
    assert client.get(f"/rankings/?token={link.token}").status_code == 302
    assert client.get(f"/api/rankings/boards/?token={link.token}").status_code in (401, 403)
    link.refresh_from_db()
    assert link.last_used_at is not None


def test_a_revoked_link_stops_working(client, boards):
    link = services.display_link_create(name="大厅", actor=None)
    assert client.get(f"/board/?token={link.token}").status_code == 302
    services.display_link_revoke(link_id=link.pk)
    assert client.get("/board/").status_code == 403, "the session it opened ends too"
    assert client.get("/board/data/").status_code == 403
    assert client.get(f"/board/?token={link.token}").status_code == 403
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
    shown = boards_for_lobby(on=dt.date(2026, 11, 18))
    assert [(b.kind, b.key) for b in shown] == [("week", "2026-W46"), ("period", "2026-11")]


def test_every_drilldown_list_counts_exactly_the_figure(client, org, boards):
    week, period, _ = boards
    client.force_login(org.leader)
    checked = 0
    for board in (week, period):
        for row in board.rows.all():
            for figure in DRILL_FIGURES:
                cases = drilldown_cases(
                    user=org.leader, board=board, unit_kind=row.unit_kind, unit_id=row.unit_id, figure=figure
                )
                counted = DRILLDOWN_BASE.get(figure, figure)
                assert cases.count() == getattr(row, counted), (board.key, row.unit_name, figure)
                checked += 1
            response = client.get(
                "/rankings/drilldown/",
                {"board": board.pk, "unit": f"{row.unit_kind}:{row.unit_id}", "figure": "resolved"},
            )
            assert response.status_code == 200
            assert response.context["visible"] == row.resolved == response.context["figure_value"]
    assert checked == 2 * 4 * len(DRILL_FIGURES)


def _expected_ids(board, cases, org) -> dict:
    """{(unit kind, unit id): {count: case ids}} by the plain-Python calculation of the helpers."""
    window = board_window(board)
    result = {}
    for kind, units in (("community", [org.a, org.b]), ("department", [org.d1, org.d2])):
        for unit_id, members in expected_members(cases, units, window.start_at, window.end_at, kind).items():
            result[(kind, unit_id)] = members
    return result


def _drilled_ids(user, board) -> dict:
    """{(unit kind, unit id, figure): ids of the cases its drill-down lists}, for every unit and figure."""
    return {
        (row.unit_kind, row.unit_id, figure): {
            case.id
            for case in drilldown_cases(
                user=user, board=board, unit_kind=row.unit_kind, unit_id=row.unit_id, figure=figure
            )
        }
        for row in board.rows.all()
        for figure in EVERY_FIGURE
    }


def _as_drilled(expected: dict) -> dict:
    return {
        (kind, unit_id, figure): members[DRILLDOWN_BASE.get(figure, figure)]
        for (kind, unit_id), members in expected.items()
        for figure in EVERY_FIGURE
    }


def test_every_drilldown_lists_the_cases_of_the_stored_figure_even_after_the_data_changed(client, org, boards):
    week, period, cases = boards
    expected = {board.pk: _as_drilled(_expected_ids(board, cases, org)) for board in (week, period)}
    for board in (week, period):
        assert _drilled_ids(org.leader, board) == expected[board.pk]
        # Every figure has cases somewhere: the comparison is not between empty sets.
        assert all(any(ids for (_, _, f), ids in expected[board.pk].items() if f == figure) for figure in EVERY_FIGURE)

    # Today's data changes inside W46: a late callback, a re-dispatch to the other pairing, an exclusion.
    in_week = lambda moment: moment is not None and local(2026, 11, 9) <= moment < local(2026, 11, 15, 20)  # noqa: E731
    late = next(c for c in cases if c.status == Status.CLOSED and in_week(c.closed_at))
    case_services.case_record_callback(
        case_id=late.id,
        actor=org.clerk,
        contacted=True,
        resolved=False,
        satisfaction=Satisfaction.UNSATISFIED,
        called_at=local(2026, 11, 15, 21),
    )
    moved = next(c for c in cases if c.status == Status.DISPATCHED and in_week(c.dispatched_at))
    to_b = moved.community_id == org.a.id
    case_services.case_redispatch(
        case_id=moved.id,
        actor=org.clerk,
        pairing_id=(org.pairing_b if to_b else org.pairing_a).id,
        handler_id=(org.officer_b if to_b else org.officer_a).id,
        reason="不属本社区",
        at=local(2026, 11, 15, 21),
    )
    excluded = next(
        c for c in cases if in_week(c.callback_at) and c.callback_valid and not c.exclusion_reason and c.id != late.id
    )
    case_services.case_exclude(
        case_id=excluded.id, actor=org.leader, reason=ExclusionReason.UNTRUE, note="经核实不属实"
    )

    today = list(Case.objects.filter(pk__in=[c.id for c in cases]))
    for board in (week, period):
        now_expected = _as_drilled(_expected_ids(board, today, org))
        assert now_expected != expected[board.pk]  # the changes do change what today's data counts
        # The stored boards still list exactly what they counted.
        assert _drilled_ids(org.leader, board) == expected[board.pk]
        # A new version counts today's data, and lists it.
        again = services.board_compute(window=board_window(board))
        assert _drilled_ids(org.leader, again) == now_expected

    # The page lists the stored cases and says where today's data differs.
    client.force_login(org.leader)
    response = client.get(
        "/rankings/drilldown/",
        {"board": week.pk, "unit": f"community:{excluded.community_id}", "figure": "valid_callbacks"},
    )
    row = week.rows.get(community_id=excluded.community_id)
    assert response.context["visible"] == row.valid_callbacks == response.context["figure_value"]
    difference = response.context["today"]
    today_ids = _expected_ids(week, today, org)[("community", excluded.community_id)]["valid_callbacks"]
    assert difference.differs and difference.count == len(today_ids)
    assert (
        difference.no_longer
        == len(expected[week.pk][("community", excluded.community_id, "valid_callbacks")] - today_ids)
        >= 1
    )
    body = response.content.decode()
    assert "今日已不计入" in body and 'id="drilldown-scope"' not in body


def test_a_board_stored_before_the_membership_drills_into_todays_cases(client, org, boards):
    week, _, cases = boards
    # As a board of an earlier release: no membership.
    BoardCase.objects.filter(board=week).delete()
    Board.objects.filter(pk=week.pk).update(membership_stored=False)
    week.refresh_from_db()
    assert _drilled_ids(org.leader, week) == _as_drilled(_expected_ids(week, cases, org))
    client.force_login(org.leader)
    response = client.get(
        "/rankings/drilldown/", {"board": week.pk, "unit": f"community:{org.a.id}", "figure": "received"}
    )
    assert response.status_code == 200
    assert response.context["visible"] == week.rows.get(community=org.a).received


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
    for figure in DRILL_FIGURES:  # two communities, two departments
        assert body.count(f'data-figure="{figure}"') == 4, figure
    # 核减 and invalid callbacks are on the page too, each opening its cases.
    assert {"excluded_callbacks", "invalid_callbacks"} <= set(DRILL_FIGURES)
    row = boards[0].rows.get(community=org.a)
    assert row.excluded_callbacks and row.invalid_callbacks
    for figure in ("excluded_callbacks", "invalid_callbacks"):
        response = client.get(
            "/rankings/drilldown/", {"board": boards[0].pk, "unit": f"community:{org.a.id}", "figure": figure}
        )
        assert response.context["visible"] == getattr(row, figure) == len(response.context["page"].object_list)


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


def test_a_rate_is_shown_exactly_as_stored_10_of_81(client, org):
    monday = local(2026, 11, 9, 9)
    for index in range(81):
        make_case(org.a, org.d1, callback=monday, resolved=index < 10)
    week = services.board_compute(window=windows.week_parse("2026-W46"))
    services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    row = week.rows.get(community=org.a)
    assert row.resolution_rate == Decimal("0.1235")  # 10/81 = 0.123456…, rounded once
    assert formatting.percent(row.resolution_rate) == "12.35%"  # not 12.4% (rounded again), not 12.3%

    # The lobby (both boards).
    client.force_login(org.display)
    data = client.get("/board/data/").json()
    shown = [r for b in data["boards"] for t in b["tables"] for r in t["rows"] if r["unit"] == org.a.name]
    assert len(shown) == 2 and {r["resolution_rate"] for r in shown} == {"12.35%"}

    client.force_login(org.leader)
    # The board page.
    body = client.get(f"/rankings/boards/{week.pk}/").content.decode()
    assert "12.35%" in body and "12.4%" not in body
    # The export.
    workbook = load_workbook(io.BytesIO(client.get(f"/rankings/boards/{week.pk}/export.xlsx").content), read_only=True)
    header, *rows = list(workbook["社区"].iter_rows(values_only=True))
    exported = next(r for r in rows if r[header.index("单位")] == org.a.name)
    assert exported[header.index("解决率")] == "12.35%"
    # The API: the stored fraction itself.
    api_row = next(
        r
        for r in client.get(f"/api/rankings/boards/{week.pk}/").json()["rows"]
        if r["unit_kind"] == "community" and r["unit_id"] == org.a.id
    )
    assert api_row["resolution_rate"] == "0.1235"
    # The trend charts and tables, per unit and street-wide: the same exact value.
    response = client.get(f"/rankings/trends/community/{org.a.id}/")
    assert response.context["chart"]["weeks"]["resolution_rate"] == [12.35]
    assert response.context["chart"]["periods"]["resolution_rate"] == [12.35]
    assert "12.35%" in response.content.decode()
    assert client.get("/rankings/").context["chart"]["weeks"]["resolution_rate"] == [12.35]


def test_trend_pages_compare_finished_consecutive_periods_only(client, org):
    # Resolved of 4 valid callbacks: September period 1, October 2, November 4, December (running) 0.
    for moment, resolved in (
        (local(2026, 9, 5, 10), 1),
        (local(2026, 10, 5, 10), 2),
        (local(2026, 11, 5, 10), 4),
        (local(2026, 11, 20, 10), 0),
    ):
        for index in range(4):
            make_case(org.a, org.d1, callback=moment, resolved=index < resolved, satisfaction=Satisfaction.SATISFIED)
    for key in ("2026-09", "2026-11"):
        services.board_compute(window=windows.period_parse(key, start_day=19))
    running = services.board_compute(window=windows.period_parse("2026-12", start_day=19, until=dt.date(2026, 11, 25)))
    assert "截至目前" in running.label
    client.force_login(org.leader)
    pages = ("/rankings/", f"/rankings/trends/community/{org.a.id}/")

    # October is missing: November is not compared with September, nor the running December with November.
    for url in pages:
        body = client.get(url).content.decode()
        assert "2026年11月考核期：" in body and "上一考核期没有完整的榜单，暂无可比数据" in body
        assert "个百分点" not in body

    services.board_compute(window=windows.period_parse("2026-10", start_day=19))
    for url in pages:
        response = client.get(url)
        body = response.content.decode()
        assert response.context["change"].label == "2026年11月考核期"
        assert "解决率较上月提高50个百分点" in body  # November 100% against October 50%
        assert "下降100个百分点" not in body  # not the running December against November
    assert client.get("/rankings/trends/planet/1/").status_code == 404
    assert client.get("/rankings/trends/community/999999/").status_code == 404


def test_change_sentences():
    assert change_sentence("解决率", Decimal("0.8"), Decimal("0.67")) == "解决率较上月提高13个百分点"
    # The change between two shown rates (50.00% and 55.12%) is shown exactly, never rounded.
    assert change_sentence("满意率", Decimal("0.5"), Decimal("0.5512")) == "满意率较上月下降5.12个百分点"
    assert change_sentence("满意率", Decimal("0.5550"), Decimal("0.5")) == "满意率较上月提高5.5个百分点"
    assert change_sentence("响应率", Decimal("0.5"), Decimal("0.5000")) == "响应率与上月持平"
    assert change_sentence("响应率", None, Decimal("0.5")) == "响应率暂无可比数据"


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


def test_api_is_open_to_every_role_and_the_display_but_not_to_an_account_without_one(
    client, org, boards, django_user_model
):
    for user in (org.display, org.officer_a, org.chief_a, org.clerk):
        client.force_login(user)
        assert client.get("/api/rankings/boards/latest/").status_code == 200
    client.force_login(django_user_model.objects.create_user(username="norole", password="x"))
    for url in ("/api/rankings/boards/", "/api/rankings/boards/latest/", f"/api/rankings/boards/{boards[0].pk}/"):
        response = client.get(url)
        assert response.status_code == 403 and "尚未分配岗位" in response.json()["detail"], url


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
        "board_channels": ["hotline", "visit"],
        "note": "调整权重",
    }
    response = admin_client.post(f"/admin/rankings/rankingrule/{rule.pk}/change/", form)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.response_weight == Decimal("0.1000")  # the old version is untouched
    assert RankingRule.objects.count() == 2
    newest = RankingRule.objects.order_by("-id").first()
    assert newest.response_weight == Decimal("0.2000") and newest.note == "调整权重"
    assert newest.board_channels == ["hotline", "visit"]
    assert newest.created_by.username == "admin"  # saved by `rule_create` with the admin as actor
    bad = admin_client.post("/admin/rankings/rankingrule/add/", {**form, "green_parts": "2", "pink_parts": "2"})
    assert bad.status_code == 200 and RankingRule.objects.count() == 2


def test_admin_display_links_and_read_only_boards(admin_client, boards):
    response = admin_client.post("/admin/rankings/displaylink/add/", {"name": "二楼大厅"})
    assert response.status_code == 302
    link = DisplayLink.objects.get(name="二楼大厅")
    assert len(link.token) >= 40
    listing = admin_client.get("/admin/rankings/displaylink/").content.decode()
    assert f"/board/?token={link.token}" in listing
    assert link.created_by.username == "admin"
    # The admin keeps nothing of a request on itself (it is shared by every request).
    model_admin = admin.site._registry[DisplayLink]
    assert not {"request", "request_root"} & set(vars(model_admin))
    renamed = admin_client.post(f"/admin/rankings/displaylink/{link.pk}/change/", {"name": "改名"})
    link.refresh_from_db()
    assert renamed.status_code == 302 and link.name == "二楼大厅"  # a link's name is fixed once created
    admin_client.post("/admin/rankings/displaylink/", {"action": "revoke", "_selected_action": [link.pk]})
    link.refresh_from_db()
    assert link.revoked_at is not None
    board = boards[0]
    assert admin_client.get(f"/admin/rankings/board/{board.pk}/change/").status_code == 200
    assert admin_client.post(f"/admin/rankings/board/{board.pk}/change/", {"label": "x"}).status_code == 403


# ---------------------------------------------------------------- what the pages say (issue 10)


def test_the_board_prints_the_rule_as_people_write_it(client, org):
    make_case(org.a, org.d1, callback=local(2026, 11, 10, 10))
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    client.force_login(org.leader)
    body = client.get(f"/rankings/boards/{board.pk}/").content.decode()
    rule = body[body.index('id="board-rule"') :]
    rule = rule[: rule.index("</span>")]
    assert "100 ×（0.1×响应率 + 0.5×解决率 + 0.4×满意率）" in rule and "0.9×基本满意" in rule
    assert "0.1000" not in rule and "0.5000" not in rule


def test_a_unit_under_the_minimum_shows_a_dash_and_why_not_zero_rates(client, org):
    # Community A: 1 valid callback, not resolved (its rates would be 0.00 %); B: 3, enough to rank.
    make_case(org.a, org.d1, callback=local(2026, 11, 10, 10), contacted=False, resolved=False)
    for _ in range(3):
        make_case(org.b, org.d2, callback=local(2026, 11, 10, 10))
    board = services.board_compute(window=windows.week_parse("2026-W46"))
    assert board.rows.get(community=org.a).rank is None
    client.force_login(org.leader)
    body = client.get(f"/rankings/boards/{board.pk}/").content.decode()
    table = body[body.index('data-kind="community"') :]
    row_a = table[table.index(f'data-unit="{org.a.name}"') :]
    row_a = row_a[: row_a.index("</tr>")]
    assert "0.00%" not in row_a and 'data-figure="response_rate"' not in row_a
    assert "—" in row_a and "有效回访1件，少于3件：不计算三率和综合成绩，不参与排名" in row_a
    row_b = table[table.index(f'data-unit="{org.b.name}"') :]
    assert "100.00%" in row_b[: row_b.index("</tr>")]
    # The lobby says the same: no 0.00 % for the unit under the minimum.
    lobby = {row["unit"]: row for row in board_payload(board)["tables"][0]["rows"]}
    assert lobby[org.a.name]["response_rate"] == lobby[org.a.name]["resolution_rate"] == "—"
    assert lobby[org.b.name]["resolution_rate"] == "100.00%"


def test_a_running_week_is_marked_unfinished_in_the_trend_data(client, org):
    from django.utils import timezone

    now = timezone.now()
    make_case(org.a, org.d1, callback=local(2026, 11, 10, 10))
    make_case(org.a, org.d1, callback=now - dt.timedelta(minutes=5))
    services.board_compute(window=windows.week_parse("2026-W46"))
    services.board_compute(window=windows.week_of(windows.today()))
    client.force_login(org.leader)
    response = client.get("/rankings/")
    weeks = response.context["chart"]["weeks"]
    assert weeks["finished"] == [True, False]  # 2026-W46, then the running week
    body = client.get(f"/rankings/trends/community/{org.a.id}/").content.decode()
    assert "（截至目前）" in body
