"""A supervisor runs a day's check in a real Chromium: from the menu to the
proposals, records a finding with a supervision order, closes the check and
gets the printable one-page report; then the orders page at phone width."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from conftest import login, screenshot
from supervision.models import CheckFinding, DailyCheck, SupervisionOrder

pytestmark = pytest.mark.browser


def test_a_supervisor_runs_a_days_check_to_the_printed_report(page, org, walk):
    late = walk.responded(title="楼道灯不亮")
    Case.objects.filter(pk=late.pk).update(closure_deadline=timezone.now() - dt.timedelta(hours=3))
    short = walk.replied(title="垃圾清运不及时", text="已处理。")

    login(page, org.supervisor)
    page.get_by_role("button", name="督查督办").click()  # the bar's drop-down
    page.get_by_role("link", name="督查检查").first.click()
    page.get_by_role("button", name="开始今日检查").click()
    proposals = page.locator(".proposal")
    expect(proposals).to_have_count(2)
    expect(page.locator(f'.proposal[data-case="{late.pk}"]')).to_contain_text("超期未办结")
    expect(page.locator(f'.proposal[data-case="{short.pk}"]')).to_contain_text("办理结果过短")
    screenshot(page, "check-01-proposals")

    first = page.locator(f'.proposal[data-case="{late.pk}"]')
    first.get_by_label("发现问题").select_option(label="超期未办结")
    first.get_by_label("检查情况").fill("超期三小时，承办人未联系物业")
    first.get_by_label("督办单").select_option(label="电话督办")
    first.get_by_label("办结期限").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
    first.get_by_role("button", name="记录").click()
    expect(page.locator(".messages")).to_contain_text("检查记录已保存")
    expect(page.locator("#check-findings")).to_contain_text(late.ticket_no)
    expect(page.locator("#check-findings")).to_contain_text("电话督办")

    second = page.locator(f'.proposal[data-case="{short.pk}"]')
    second.get_by_label("发现问题").select_option(label="办理结果过简或雷同")
    second.get_by_label("检查情况").fill("办理结果只有三个字，要求补写办理过程")
    second.get_by_role("button", name="记录").click()
    expect(page.locator("#check-findings tbody tr")).to_have_count(2)
    expect(proposals).to_have_count(0)

    page.get_by_label("检查小结").fill("今日检查2件，下发电话督办1件。")
    page.get_by_role("button", name="完成并锁定").click()
    expect(page.get_by_role("heading", name="接诉即办每日检查报告")).to_be_visible()
    expect(page.locator("#report-status")).to_have_text("已完成")
    expect(page.locator("#report-orders")).to_have_text("1")
    screenshot(page, "check-02-report")
    page.emulate_media(media="print")
    expect(page.locator(".app-navbar")).to_be_hidden()
    screenshot(page, "check-03-report-print")
    pdf = page.pdf(format="A4")
    assert pdf.count(b"/Type /Page") - pdf.count(b"/Type /Pages") == 1  # one A4 page

    check = DailyCheck.objects.get()
    assert check.status == "closed" and CheckFinding.objects.filter(check_record=check).count() == 2
    assert SupervisionOrder.objects.get().case_id == late.pk


def test_the_orders_page_at_phone_width(page, org, walk):
    from supervision import orders

    case = walk.responded(title="小区门口路灯损坏")
    orders.order_open(
        case_id=case.pk, actor=org.supervisor, kind="onsite", due_on=timezone.localdate(), note="明日到现场核实"
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, org.supervisor)
    page.goto("/supervision/orders/")
    expect(page.locator(".order-item")).to_contain_text(case.ticket_no)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "check-04-orders-390")
    page.get_by_label("督办落实情况").fill("已到现场，路灯已修复")
    page.get_by_role("button", name="办结").click()
    expect(page.locator(".messages")).to_contain_text("督办单已办结")
