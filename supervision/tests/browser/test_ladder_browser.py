"""The supervision page and the printable 催办通知书 in a real Chromium: each
figure opens its cases, and the notice prints on A4 without the navigation."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from playwright.sync_api import expect

from conftest import login, screenshot
from supervision.ladder import ladder_sweep
from supervision.models import LadderLevel, LadderStep

pytestmark = pytest.mark.browser

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def test_the_supervisor_opens_a_figure_and_prints_the_notice(page, org, walk):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ), tick=False):
        case = walk.dispatched(title="楼道堆物无人清理")
    ladder_sweep(now=dt.datetime(2026, 3, 19, 1, 0, tzinfo=TZ))
    number = LadderStep.objects.get(level=LadderLevel.NOTICE).number

    login(page, org.supervisor)
    page.get_by_role("button", name="督查督办").click()  # the bar's drop-down
    page.get_by_role("link", name="催办督办").first.click()
    expect(page.get_by_role("heading", name="催办督办", level=1)).to_be_visible()
    screenshot(page, "ladder-01-supervision")
    page.get_by_label(f"{org.a.name} 通报 1 件").click()
    expect(page.locator("#ladder-cases")).to_contain_text(case.title)

    page.goto(f"/supervision/?level={LadderLevel.NOTICE}")
    page.get_by_role("link", name=number).click()
    expect(page.get_by_role("heading", name="催办通知书")).to_be_visible()
    expect(page.locator("#notice-number")).to_contain_text(number)
    page.emulate_media(media="print")
    expect(page.locator(".app-navbar")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    screenshot(page, "ladder-02-notice-print")
