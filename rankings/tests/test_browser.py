"""The lobby board and the staff pages in a real Chromium."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from communities.tests.factories import CommunityFactory, DepartmentFactory
from conftest import login, screenshot
from rankings import services, windows
from rankings.tests.helpers import local, make_case

pytestmark = pytest.mark.browser


@pytest.fixture
def street_boards(org):
    """30 communities and 9 departments: more than one screen holds."""
    communities = [org.a, org.b] + [CommunityFactory(street=org.street, name=f"测试{i:02d}社区") for i in range(28)]
    departments = [org.d1, org.d2] + [DepartmentFactory(street=org.street, name=f"测试{i}科") for i in range(7)]
    monday = local(2026, 11, 9, 9)
    for index, community in enumerate(communities):
        department = departments[index % len(departments)]
        for case_no in range(3 + index % 4):
            make_case(
                community,
                department,
                dispatched=monday,
                closed=monday + dt.timedelta(days=1),
                callback=monday + dt.timedelta(days=2),
                resolved=case_no % (index % 3 + 2) != 0,
                excluded=index == 5 and case_no == 0,
            )
    week = services.board_compute(window=windows.week_parse("2026-W46"))
    period = services.board_compute(window=windows.period_parse("2026-11", start_day=19))
    return week, period, communities, departments


def test_the_lobby_board_rotates_and_refreshes_without_reloading(page, street_boards):
    _, _, communities, departments = street_boards
    link = services.display_link_create(name="一楼大厅", actor=None)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"/board/?token={link.token}")
    stage = page.locator("#lobby-stage")
    expect(stage.locator(".lobby-page.active table.lobby-table").first).to_be_visible()
    pages = page.evaluate("window.lobbyBoard.pages()")
    assert pages > 1  # 39 units of two boards do not fit one screen: the tables rotate
    # Every unit of both boards is on some page, exactly once per board.
    names = stage.locator("td.unit").all_inner_texts()
    assert len(names) == 2 * (len(communities) + len(departments))
    # Nothing overflows the screen: each page fits the stage.
    overflow = page.evaluate(
        """() => Array.from(document.querySelectorAll('.lobby-page')).some(p => {
            p.classList.add('active');
            const r = p.scrollHeight > p.clientHeight + 1;
            p.classList.remove('active');
            return r;
        })"""
    )
    page.evaluate("window.lobbyBoard.show(0)")
    assert not overflow
    expect(page.locator(".lobby-page.active tr.band-green").first).to_be_visible()
    screenshot(page, "board-lobby-1080p")
    page.evaluate("window.lobbyBoard.show(1)")
    screenshot(page, "board-lobby-1080p-page2")

    # A new version appears on the next refresh; the page is not reloaded.
    page.evaluate("window.__stayed = true")
    make_case(communities[0], departments[0], dispatched=local(2026, 11, 10, 9))
    services.board_compute(window=windows.week_parse("2026-W46"))
    before = stage.inner_html()
    page.evaluate("window.lobbyBoard.refresh()")
    page.wait_for_function("window.__stayed === true")
    expect(page.locator(f"#lobby-stage td.unit:text-is('{communities[0].name}')").first).to_be_attached()
    page.wait_for_function("(b) => document.getElementById('lobby-stage').innerHTML !== b", arg=before)
    assert page.evaluate("window.__stayed") is True
    # An unchanged board is not redrawn.
    page.evaluate("document.querySelector('.lobby-page').dataset.mark = 'same'")
    page.evaluate("window.lobbyBoard.refresh()")
    page.wait_for_timeout(500)
    assert page.evaluate("document.querySelector('.lobby-page').dataset.mark") == "same"
    assert "13812341234" not in page.content() and "张三" not in page.content()

    # The link is revoked: the next refresh takes the board off the screen and says why.
    services.display_link_revoke(link_id=link.pk)
    page.evaluate("window.lobbyBoard.refresh()")
    expect(page.locator("#lobby-denied h1")).to_have_text("无法显示红黑榜")
    expect(page.locator("#lobby-denied")).to_contain_text("展示链接无效或已被停用")
    assert page.locator("table.lobby-table").count() == 0
    assert page.evaluate("window.lobbyBoard.denied()") is True
    assert page.evaluate("window.__stayed") is True  # replaced in place, not reloaded
    screenshot(page, "board-lobby-revoked")
    # The same message as the page a revoked link gets when it is opened.
    denied = page.context.new_page()
    denied.goto(f"/board/?token={link.token}")
    assert denied.locator("main").inner_text() == page.locator("#lobby-denied").inner_text()
    denied.close()


def test_a_leader_drills_from_a_figure_to_the_cases(page, org, street_boards):
    week = street_boards[0]
    login(page, org.leader)
    page.goto(f"/rankings/boards/{week.pk}/")
    row = page.locator(f"table[data-kind=community] tr[data-unit='{org.a.name}']")
    resolved = week.rows.get(community=org.a).resolution_rate
    assert resolved is not None
    figure = row.locator("a[data-figure=closed]")
    closed = int(figure.inner_text())
    screenshot(page, "board-staff")
    figure.click()
    expect(page.locator("#list-count")).to_have_text(str(closed))
    assert page.locator("#drilldown-cases tbody tr").count() == closed
    assert page.locator("#drilldown-today").count() == 0

    # A leader excludes one of the cases behind the valid callbacks: the stored board still lists it, marked.
    from cases import services as case_services

    stored = week.rows.get(community=org.a).valid_callbacks
    listed = week.members.filter(community=org.a, valid_callbacks=True).values_list("case_id", flat=True).first()
    case_services.case_exclude(case_id=listed, actor=org.leader, reason="untrue", note="经核实不属实")
    page.goto(page.url.replace("figure=closed", "figure=valid_callbacks"))
    expect(page.locator("#list-count")).to_have_text(str(stored))
    assert page.locator("#drilldown-cases tbody tr").count() == stored
    expect(page.locator("#drilldown-cases [data-no-longer]")).to_have_count(1)
    expect(page.locator("#drilldown-today")).to_contain_text(
        f"1 件按今日数据已不计入此项（已标注）；按今日数据此项为 {stored - 1} 件"
    )
    screenshot(page, "board-drilldown-changed")
    page.goto("/rankings/")
    expect(page.locator(".trend-chart canvas").first).to_be_attached()
    screenshot(page, "rankings-trends")


def test_trend_charts_keep_the_score_apart_and_draw_a_running_week_unfinished(page, org):
    from django.utils import timezone

    for _ in range(4):
        make_case(org.a, org.d1, callback=local(2026, 11, 10, 10))
    make_case(org.a, org.d1, callback=timezone.now() - dt.timedelta(minutes=5), resolved=False)
    services.board_compute(window=windows.week_parse("2026-W46"))
    services.board_compute(window=windows.week_of(windows.today()))
    login(page, org.leader)
    page.goto("/rankings/")
    expect(page.locator(".trend-chart[data-series=weeks][data-figures=rates] canvas")).to_be_attached()
    charts = page.evaluate(
        """() => window.trendCharts.map((chart) => {
            const option = chart.getOption();
            const node = chart.getDom();
            const series = option.series || [];  // a chart without boards has a title only
            return {
                series: node.dataset.series,
                figures: node.dataset.figures,
                axes: (option.yAxis || []).length,
                names: [...new Set(series.map((s) => s.name))],
                dashed: series.filter((s) => s.lineStyle && s.lineStyle.type === "dashed").map((s) => s.name),
                labels: option.xAxis ? option.xAxis[0].data : [],
            };
        })"""
    )
    weeks = {chart["figures"]: chart for chart in charts if chart["series"] == "weeks"}
    # One axis for the rates; the score on a chart of its own.
    assert weeks["rates"]["axes"] == 1 and weeks["rates"]["names"] == ["响应率", "解决率", "满意率"]
    assert weeks["score"]["axes"] == 1 and weeks["score"]["names"] == ["综合成绩"]
    # The running week: a dashed segment labelled 截至目前, the finished week solid.
    assert weeks["rates"]["dashed"] == ["响应率", "解决率", "满意率"] and weeks["score"]["dashed"] == ["综合成绩"]
    assert "截至目前" in weeks["rates"]["labels"][-1] and "截至目前" not in weeks["rates"]["labels"][0]
    screenshot(page, "rankings-trends-running-week")
