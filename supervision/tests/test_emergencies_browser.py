"""An emergency in a real Chromium: raised on the case page by a clerk, it
shows a red banner on every staff page — another community's too — until the
handler records the contact with the caller; then the banner is gone and the
emergencies page shows the time to contact."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from conftest import login, screenshot

pytestmark = pytest.mark.browser


def as_user(page, user) -> None:
    page.context.clear_cookies()
    login(page, user)


def test_an_emergency_shows_the_banner_until_the_caller_is_contacted(page, org, walk):
    case = walk.dispatched(title="地下室燃气味浓")
    banner = page.locator(".emergency-banner")

    as_user(page, org.clerk)
    expect(banner).to_have_count(0)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("紧急情况").fill("住户头晕，疑似燃气泄漏")
    page.get_by_role("button", name="启动应急").click()
    expect(page.locator(".messages")).to_contain_text("已启动应急")
    expect(banner).to_contain_text(case.ticket_no)
    screenshot(page, "emergency-01-raised")

    # Another community's officer sees the street's emergency, without its title or link.
    as_user(page, org.officer_b)
    expect(banner).to_contain_text(case.ticket_no)
    expect(banner).not_to_contain_text("地下室燃气味浓")

    # The handler follows the banner to the case and records the contact.
    as_user(page, org.officer_a)
    expect(banner).to_contain_text("尚未联系来电人")
    banner.get_by_role("link", name=case.ticket_no).click()
    expect(page.get_by_role("heading", name="地下室燃气味浓")).to_be_visible()
    page.get_by_role("button", name="已联系来电人").click()
    expect(page.locator(".messages")).to_contain_text("已联系来电人")
    expect(banner).to_have_count(0)
    assert Case.objects.get(pk=case.pk).responded_at is not None

    # The leader: no banner any more, the contact time on the emergencies page.
    as_user(page, org.leader)
    expect(banner).to_have_count(0)
    page.get_by_role("link", name="应急事件").first.click()
    expect(page.locator(".emergency-table")).to_contain_text(case.ticket_no)
    expect(page.locator(".emergency-table")).not_to_contain_text("未联系")
    screenshot(page, "emergency-02-list")
