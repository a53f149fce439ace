"""The bell in Chromium: work handed to me shows up without a reload."""

import pytest
from playwright.sync_api import expect

from cases import services
from conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_dispatch_raises_the_handlers_bell_without_a_reload(page, org, walk, settings):
    settings.NOTIFICATION_POLL_SECONDS = 1
    case = walk.registered(title="楼道灯不亮")
    login(page, org.officer_a)
    bell = page.locator("#notification-bell")
    expect(bell).to_have_attribute("aria-label", "通知：0 条未读")

    services.case_dispatch(case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id)

    expect(page.locator("#notification-bell .notification-count")).to_have_text("1", timeout=10_000)
    expect(page.locator("#notification-bell")).to_have_attribute("aria-label", "通知：1 条未读")
    screenshot(page, "bell-after-dispatch")

    page.locator("#notification-bell").click()
    expect(page.get_by_role("heading", name="我的通知")).to_be_visible()
    page.get_by_role("button", name="新派发：楼道灯不亮").click()
    expect(page.get_by_role("heading", name="楼道灯不亮")).to_be_visible()
    expect(page.locator("#notification-bell .notification-count")).to_have_count(0)


def test_the_bell_is_reachable_on_a_phone(page, org, walk):
    walk.dispatched()
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, org.officer_a)
    expect(page.locator("#notification-bell")).to_be_visible()
    expect(page.locator("#notification-bell .notification-count")).to_have_text("1")
    screenshot(page, "bell-phone")
