"""Under the Content-Security-Policy the pages still run: htmx, Bootstrap and
the ECharts charts load from files, and Chromium reports no CSP violation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from conftest import login
from rankings import services, windows
from rankings.tests.helpers import local, make_case

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    found: list[str] = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    return found


def test_staff_pages_and_charts_run_without_csp_violations(page, violations, org, walk):
    monday = local(2026, 11, 9, 9)
    for _ in range(3):
        make_case(org.a, org.d1, dispatched=monday, closed=monday + dt.timedelta(days=1))
    services.board_compute(window=windows.week_parse("2026-W46"))
    case = walk.dispatched(content="请回电13812345678")
    login(page, org.leader)
    for url in ("/rankings/", "/cases/hotspots/", f"/cases/{case.id}/", "/cases/search/"):
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
    page.goto("/rankings/")
    expect(page.locator(".trend-chart canvas").first).to_be_visible()  # ECharts drew the trend
    assert violations == []


def test_the_lobby_board_runs_under_the_csp(page, violations, org):
    monday = local(2026, 11, 9, 9)
    make_case(org.a, org.d1, dispatched=monday, closed=monday + dt.timedelta(days=1))
    services.board_compute(window=windows.week_parse("2026-W46"))
    link = services.display_link_create(name="大厅", actor=None)
    page.goto(f"/board/?token={link.token}")
    assert page.url.endswith("/board/"), "the token left the address bar"
    expect(page.locator("table.lobby-table").first).to_be_visible()
    assert violations == []


def test_a_work_page_with_htmx_runs_under_the_csp(page, violations, org, walk):
    walk.dispatched()
    login(page, org.officer_a)
    page.goto("/cases/inbox/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations == []


def test_the_admin_and_the_api_docs_run_under_the_csp(page, violations, org, django_user_model):
    from communities.tests.factories import PASSWORD

    django_user_model.objects.create_superuser(username="root", password=PASSWORD)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    for url in ("/admin/", "/admin/communities/pairing/add/", "/admin/axes/accessattempt/", "/api/docs/"):
        assert page.goto(url).status == 200, url
        page.wait_for_load_state("networkidle")
    expect(page.locator(".swagger-ui .info")).to_be_visible()  # Swagger UI started from its script file
    assert violations == []
