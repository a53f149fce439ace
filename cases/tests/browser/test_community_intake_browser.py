"""In a real Chromium: a clerk typing in a paraphrase of last week's complaint
from the same compound sees it as a likely duplicate; an officer registers a
home-visit case on a phone and finds it in their own inbox."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_a_paraphrase_of_last_weeks_complaint_shows_as_a_likely_duplicate(page, org, walk):
    earlier = walk.dispatched(
        title="楼道灯不亮",
        content="3号楼楼道里的灯坏了，夜里摸黑上楼",
        compound="幸福里",
        received_at=timezone.now() - dt.timedelta(days=7),
    )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, org.clerk)
    page.goto(reverse("case-register"))
    expect(page.locator("#similar-preview")).to_contain_text("填写小区点位或地址")
    page.get_by_label("小区点位").fill("幸福里")
    page.get_by_label("标题").fill("楼道照明灯损坏")
    page.get_by_label("主要内容").fill("来电人反映：3号楼楼道灯不亮，晚上走路看不见，希望尽快解决。")
    preview = page.locator("#similar-preview")
    expect(preview).to_contain_text("疑似重复诉求")
    expect(preview).to_contain_text(earlier.ticket_no)
    expect(preview).to_contain_text("同小区")
    screenshot(page, "similar-at-registration")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "similar-at-registration-390")
    assert problems == []


@pytest.mark.parametrize("width", [1366, 390])
def test_an_officer_registers_a_home_visit_case_that_lands_in_their_inbox(page, org, width):
    page.set_viewport_size({"width": width, "height": 844 if width == 390 else 768})
    login(page, org.officer_a)
    page.goto(reverse("case-community-register"))
    page.get_by_label("入户走访").check()
    page.get_by_label("小区点位").fill("幸福里")
    page.get_by_label("标题").fill("独居老人家中水管渗漏")
    page.get_by_label("情况描述").fill("入户走访时发现5号楼一独居老人家中厨房水管渗漏。")
    screenshot(page, f"community-register-{width}")
    page.get_by_role("button", name="登记并承办").click()
    expect(page.locator(".messages")).to_contain_text("由您承办")
    case = Case.objects.get()
    assert (case.handler_id, case.status, case.channel) == (org.officer_a.id, "dispatched", "visit")
    page.goto(reverse("case-inbox"))
    expect(page.get_by_text("独居老人家中水管渗漏")).to_be_visible()
    screenshot(page, f"community-inbox-{width}")


def test_a_clerk_links_the_repeat_from_the_case_page(page, org, walk):
    earlier = walk.dispatched(
        title="楼道灯不亮",
        content="3号楼楼道灯坏了",
        compound="幸福里",
        received_at=timezone.now() - dt.timedelta(days=5),
    )
    later = services.case_register(
        actor=org.clerk, title="楼道灯还不亮", content="3号楼楼道灯坏了没人修", compound="幸福里"
    )
    login(page, org.clerk)
    page.goto(reverse("case-detail", args=[later.pk]))
    repeats = page.locator("#repeats")
    expect(repeats).to_contain_text(earlier.ticket_no)
    screenshot(page, "case-similar-list")
    repeats.get_by_role("button", name="关联为重复诉求").first.click()
    expect(page.locator("#repeats")).to_contain_text("的重复诉求")
    assert Case.objects.get(pk=later.pk).repeat_of_id == earlier.pk
