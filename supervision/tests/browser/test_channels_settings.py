"""A person sets their own outbound channels and quiet hours in a real Chromium;
a refused address is shown next to its field."""

import pytest
from playwright.sync_api import expect

from conftest import login, screenshot
from supervision.models import Channel, QuietHours

pytestmark = pytest.mark.browser


def test_an_officer_adds_an_email_channel_and_quiet_hours_and_a_metadata_url_is_refused(page, org):
    login(page, org.officer_a)
    page.goto("/notifications/")
    page.get_by_role("link", name="通知设置").click()
    expect(page.get_by_role("heading", name="通知设置")).to_be_visible()

    page.get_by_label("类型").select_option(label="企业微信群机器人")
    page.get_by_label("地址").fill("http://169.254.169.254/latest/meta-data/")
    page.get_by_role("button", name="添加渠道").click()
    expect(page.locator(".field-address")).to_contain_text("链路本地")
    assert not Channel.objects.exists()

    page.get_by_label("类型").select_option(label="电子邮件")
    page.get_by_label("地址").fill("qian@street.example")
    page.get_by_role("button", name="添加渠道").click()
    expect(page.locator("#my-channels")).to_contain_text("qian@street.example")

    page.get_by_label("免打扰开始").fill("22:00")
    page.get_by_label("免打扰结束").fill("07:00")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("当前：22:00–07:00")).to_be_visible()
    screenshot(page, "notification-settings")

    assert Channel.objects.get().user == org.officer_a
    assert QuietHours.objects.filter(user=org.officer_a).exists()
