"""The hotspot page in a real Chromium: the filter form, the ECharts bar
chart, and a figure (a table link or a bar) that opens the case search
listing exactly the cases it counts."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from cases.models import Tag
from cases.tests.factories import CaseFactory
from conftest import login, screenshot

pytestmark = pytest.mark.browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def hotspot_cases(org):
    today = dt.datetime.now(SHANGHAI).replace(hour=9, minute=0, second=0, microsecond=0)
    monthly, _ = Tag.objects.get_or_create(name="每月一题", defaults={"kind": Tag.Kind.MONTHLY_TOPIC})
    a = {"community": org.a, "pairing": org.pairing_a, "department": org.d1}
    for n in range(5):
        CaseFactory(**a, received_at=today - dt.timedelta(days=n), category="城乡建设->物业管理->电梯故障")
    for n in range(3):
        CaseFactory(
            **a, received_at=today - dt.timedelta(days=n), category="城乡建设->供水->停水", caller_phone="13900001111"
        ).tags.add(monthly)
    CaseFactory(**a, received_at=today - dt.timedelta(days=40), category="城乡建设->供水->停水")  # previous window


def test_a_leader_reads_the_hotspots_and_follows_a_figure_to_its_cases(page, org, hotspot_cases):
    login(page, org.leader)
    page.get_by_role("button", name="分析研判").click()  # the bar's drop-down
    page.get_by_role("link", name="热点分析").click()
    expect(page.get_by_role("heading", name="热点分析")).to_be_visible()
    expect(page.locator("#hotspot-total .stat-value")).to_have_text("8")
    expect(page.locator("#hotspot-chart canvas")).to_have_count(1)
    screenshot(page, "hotspots-leader")

    # Filter by the monthly topic: only the three water cases remain.
    page.get_by_label("标签（每月一题、七有五性）").select_option("每月一题")
    page.get_by_role("button", name="统计").click()
    expect(page.locator("#hotspot-total .stat-value")).to_have_text("3")
    row = page.locator("#hotspot-path tbody tr", has_text="城乡建设->供水->停水")
    expect(row.locator(".hotspot-count")).to_have_text("3")
    row.locator(".hotspot-count").click()
    expect(page.get_by_role("heading", name="案件查询")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(3)

    # A click on the chart's largest bar of this period opens its cases too.
    page.go_back()
    page.locator("#hotspot-chart-series").select_option("category_l2")
    page.locator("#hotspot-chart").scroll_into_view_if_needed()  # the mouse clicks where the screen shows it
    page.wait_for_timeout(1200)  # the bars grow in an animation
    box = page.locator("#hotspot-chart").bounding_box()
    bar = page.evaluate(
        """() => {
          const chart = echarts.getInstanceByDom(document.getElementById("hotspot-chart"));
          const series = chart.getModel().getSeriesByName("本期")[0];
          return series.getData().getItemLayout(0);
        }"""
    )
    page.mouse.click(box["x"] + bar["x"] + bar["width"] / 2, box["y"] + bar["y"] + bar["height"] / 2)
    expect(page.get_by_role("heading", name="案件查询")).to_be_visible()
    expect(page.locator("table tbody tr")).to_have_count(3)


def test_bad_dates_show_a_message_next_to_the_field(page, org):
    login(page, org.leader)
    page.goto("/cases/hotspots/?received_after=2026-03-15&received_before=2026-03-01")
    expect(page.locator("#hotspot-errors")).to_contain_text("查询条件有误")
    expect(page.locator(".field-error")).to_contain_text("开始日期不能晚于结束日期")
