"""The public slip pages in a real Chromium, on a phone-sized screen: a
resident opens a community's slip link, sends a slip, gets a code and later
sees "已受理"; and each abuse line of the issue through the page."""

import re

import pytest
from playwright.sync_api import expect

from attachments.models import Attachment
from attachments.tests import files
from conftest import login, screenshot
from governance import slips
from governance.models import SLIP_TEXT_LIMITS, Slip
from governance.slips_transitions import SlipStatus

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_sends_a_slip_on_a_phone_and_later_sees_it_accepted(phone, org, walk):
    walk.registered(compound="幸福小区", reported_community=org.a)
    phone.goto(f"/slip/{org.a.pk}/")
    expect(phone.get_by_role("heading", name="急难愁盼意见条")).to_be_visible()
    assert no_horizontal_scroll(phone)
    expect(phone.locator(".slip-hp")).not_to_be_in_viewport()
    phone.get_by_label("反映的问题").fill("3号楼楼道堆满纸箱，晚上看不清，担心着火。")
    phone.get_by_label("小区").fill("幸福小区")
    phone.get_by_label("楼号/具体位置").fill("3号楼2单元")
    phone.get_by_label("称呼（选填）").fill("张阿姨")
    phone.get_by_label("电话（选填）").fill("13812345678")
    phone.get_by_label("照片（选填）").set_input_files(
        files=[{"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": files.jpeg(gps=True)}]
    )
    phone.get_by_label("我同意街道使用").check()
    screenshot(phone, "slip-public-390")
    phone.get_by_role("button", name="提交").click()

    code = phone.get_by_test_id("receipt-code")
    expect(code).to_be_visible()
    slip = Slip.objects.get()
    assert code.inner_text().replace("-", "") == slip.receipt_code
    screenshot(phone, "slip-receipt-390")

    assert slip.photos.count() == 1
    slip = slips.slip_convert(slip_id=slip.pk, actor=org.clerk)  # a clerk takes it up
    assert Attachment.objects.filter(case=slip.case).count() == 1  # with its photo

    phone.get_by_role("link", name="查询办理进度").click()
    phone.get_by_label("回执码").fill(slip.receipt_code.lower())  # typed loosely: case does not matter
    phone.get_by_label("电话后四位").fill("5678")
    phone.get_by_role("button", name="查询").click()
    progress = phone.get_by_test_id("slip-progress")
    expect(progress).to_contain_text("已受理")
    slip.refresh_from_db()
    expect(progress).to_contain_text(slip.case.ticket_no)
    expect(progress).not_to_contain_text("张阿姨")
    assert no_horizontal_scroll(phone)
    screenshot(phone, "slip-status-390")


def test_the_clerk_turns_a_slip_into_a_case_from_the_queue(page, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="<b>路灯</b>坏了一个多星期", compound="幸福小区")
    login(page, org.clerk)
    page.get_by_role("button", name="主动治理").click()  # the bar's drop-down
    page.get_by_role("link", name="线索").first.click()
    expect(page.get_by_role("link", name="<b>路灯</b>坏了一个多星期")).to_be_visible()  # HTML shown as text
    screenshot(page, "slip-queue")
    page.get_by_role("link", name="<b>路灯</b>坏了一个多星期").click()
    expect(page.get_by_test_id("slip-problem")).to_have_text("<b>路灯</b>坏了一个多星期")
    screenshot(page, "slip-detail")
    page.get_by_label("案件标题").fill("路灯损坏")
    page.get_by_role("button", name="转为案件").click()
    expect(page.get_by_text("已转为案件")).to_be_visible()
    slip.refresh_from_db()
    assert slip.status == SlipStatus.CONVERTED and page.url.endswith(f"/cases/{slip.case_id}/dispatch/")


def test_the_poster_prints_a_qr_code_on_one_a4_page(page, org):
    login(page, org.leader)
    page.goto("/slips/posters/")
    page.get_by_role("link", name="海报").first.click()
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    screenshot(page, "slip-poster")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1  # the poster fits one A4 sheet
    page.goto(f"/slips/posters/{org.a.pk}/paper/")
    expect(page.get_by_test_id("qr").locator("svg")).to_be_visible()
    screenshot(page, "slip-paper")


# ---------------------------------------------------------------- abuse, through the page


def test_a_robot_that_fills_the_honeypot_is_refused(phone, org):
    phone.goto(f"/slip/{org.a.pk}/")
    phone.get_by_label("反映的问题").fill("广告")
    phone.locator("input[name=website]").evaluate("(input) => { input.value = 'http://spam.example'; }")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("alert")).to_contain_text("提交未被接受")
    assert not Slip.objects.exists()


def test_a_file_that_is_not_a_photo_is_refused(phone, org):
    phone.goto(f"/slip/{org.a.pk}/")
    phone.get_by_label("反映的问题").fill("井盖缺失")
    phone.get_by_label("照片（选填）").set_input_files(
        files=[{"name": "photo.jpg", "mimeType": "image/jpeg", "buffer": files.HTML}]
    )
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("alert")).to_contain_text("只接受")
    assert not Slip.objects.exists()
    screenshot(phone, "slip-not-a-photo-390")


def test_the_text_stops_at_its_limit(phone, org):
    limit = SLIP_TEXT_LIMITS["problem"]
    phone.goto(f"/slip/{org.a.pk}/")
    phone.get_by_label("反映的问题").fill("字" * (limit + 50))
    assert len(phone.get_by_label("反映的问题").input_value()) == limit


def test_the_sixth_slip_of_the_hour_is_refused(phone, org):
    for _ in range(5):
        slips.slip_submit(community_id=org.a.pk, problem="路灯坏了", client_address="127.0.0.1")
    phone.goto(f"/slip/{org.a.pk}/")
    phone.get_by_label("反映的问题").fill("路灯坏了")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_role("alert")).to_contain_text("提交过于频繁")
    assert Slip.objects.count() == 5
    screenshot(phone, "slip-rate-limited-390")


def test_the_status_look_up_is_rate_limited(phone, org, settings):
    settings.SLIP_STATUS_RATE_PER_HOUR = 2
    phone.goto("/slip/status/")
    for _ in range(3):
        phone.get_by_label("回执码").fill("ABCDEFGHJKMN")
        phone.get_by_role("button", name="查询").click()
        phone.wait_for_load_state()
    expect(phone.get_by_role("alert")).to_contain_text("查询过于频繁")
