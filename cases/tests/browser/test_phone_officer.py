"""The officer's work on a phone (issue 12, point 7), in Chromium at 390 px:
the inbox as cards, the case page with the next step and the caller's
context, recording contact and writing the reply one-handed, no page wider
than the phone; and the web app manifest that installs the workbench."""

import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from cases.transitions import Status
from conftest import login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# The smallest tap target the pages offer on a phone (Apple's 44 pt, Material's 48 dp).
TAP = 44


def fits_the_phone(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= 390")


def small_targets(page, selector: str) -> list[str]:
    """The visible buttons and links of `selector` shorter than a thumb."""
    return page.evaluate(
        """([selector, tap]) => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < tap)
            .map(e => e.textContent.trim() + ' ' + Math.round(e.getBoundingClientRect().height))""",
        [selector, TAP],
    )


@pytest.fixture
def phone(page):
    page.set_viewport_size(PHONE)
    return page


def _earlier_case(org):
    return Case.objects.create(
        ticket_no="CTX-EARLIER",
        received_at=timezone.now() - timezone.timedelta(days=20),
        title="上月反映的电梯故障",
        content="电梯停运",
        caller_name="张三",
        caller_phone="13812341234",
        compound="幸福小区",
        status=Status.CALLED_BACK,
        pairing=org.pairing_a,
        community=org.a,
        department=org.d1,
    )


def test_the_officer_contacts_the_caller_and_replies_on_a_phone(phone, org, walk):
    page = phone
    _earlier_case(org)
    case = walk.dispatched(title="3号楼电梯又停运了，老人无法下楼", compound="幸福小区", address="幸福小区3号楼")
    walk.responded(title="楼道灯不亮", compound="幸福小区")
    login(page, org.officer_a)

    page.goto("/cases/inbox/")
    assert fits_the_phone(page)
    # The list is a stack of cards: no table header to scroll sideways, the whole card is the link.
    expect(page.locator(".case-table thead")).to_be_hidden()
    expect(page.locator(".case-table .repeat-badge").first).to_be_visible()
    assert small_targets(page, ".inbox-tabs .nav-link, .case-table .case-title") == []
    screenshot(page, "phone-officer-inbox")

    page.locator(".case-table .case-title", has_text="3号楼电梯").click()
    expect(page.locator("#next-step h2")).to_have_text("下一步：联系来电人")
    assert fits_the_phone(page)
    expect(page.locator("#case-context")).to_contain_text("上月反映的电梯故障")
    # The caller's number is a big tap-to-call link.
    expect(page.locator(".tel-link")).to_have_attribute("href", "tel:13812341234")
    assert small_targets(page, "#next-step .btn, .tel-link") == []
    screenshot(page, "phone-officer-case-contact")

    page.get_by_label("联系情况").fill("已电话联系，约定明早上门查看。")
    page.get_by_role("button", name="已联系来电人").click()
    expect(page.locator("#next-step h2")).to_have_text("下一步：填写办理结果")
    assert fits_the_phone(page)
    screenshot(page, "phone-officer-case-reply")

    page.get_by_role("textbox", name="办理结果", exact=True).fill("已联系物业，电梯已修复，来电人表示认可。")
    # The structured reply the 12345 platform asks for (cases.reply_facts).
    page.check("#id_reply_met_caller_1")
    page.get_by_label("办理依据").fill("物业服务合同")
    page.get_by_label("最终办理单位").fill("幸福社区")
    page.check("#id_reply_whistle_1")
    page.check("#id_reply_resolved_0")
    button = page.get_by_role("button", name="提交办理结果")
    # The primary action spans the width (reachable by either thumb) and is tall enough to hit.
    box = button.bounding_box()
    assert box is not None and box["width"] >= 390 - 80 and box["height"] >= TAP
    button.click()
    expect(page.locator(".signed-text")).to_contain_text("电梯已修复")
    assert fits_the_phone(page)
    screenshot(page, "phone-officer-case-replied")
    case.refresh_from_db()
    assert case.status == Status.REPLIED


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_every_officer_page_fits_and_is_screenshot(page, org, walk, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    _earlier_case(org)
    dispatched = walk.dispatched(title="3号楼电梯停运", compound="幸福小区")
    replied = walk.replied(title="楼道灯不亮", compound="幸福小区")
    login(page, org.officer_a)
    for url, name in [
        ("/cases/inbox/", "inbox"),
        ("/cases/inbox/?step=reply", "inbox-reply"),
        ("/cases/inbox/?step=signing", "inbox-signing"),
        (f"/cases/{dispatched.pk}/", "case-contact"),
        (f"/cases/{replied.pk}/", "case-replied"),
        ("/cases/search/", "search"),
        ("/notifications/", "notifications"),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 200, url
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), f"{url} at {viewport}"
        screenshot(page, f"{viewport}-officer-{name}")


def test_the_manifest_is_linked_valid_and_its_icons_are_served(page, org):
    login(page, org.officer_a)
    page.goto("/cases/inbox/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    assert href
    response = page.request.get(href)
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = json.loads(response.text())
    assert manifest["name"] == "接诉即办" and manifest["display"] == "standalone"
    assert manifest["start_url"] == "/cases/inbox/"  # the officer's home
    assert manifest["theme_color"].startswith("#")
    sizes = {icon["sizes"]: icon for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= set(sizes)
    assert any("maskable" in icon.get("purpose", "") for icon in manifest["icons"])
    for icon in manifest["icons"]:
        served = page.request.get(icon["src"])
        assert served.status == 200 and served.headers["content-type"] == "image/png", icon["src"]
    expect(page.locator('meta[name="theme-color"]')).to_have_attribute("content", manifest["theme_color"])
    expect(page.locator('link[rel="apple-touch-icon"]')).to_have_count(1)


def test_a_button_inside_a_card_stays_tappable_on_a_phone(phone, org, walk):
    """The queue's cards keep their own 派发 button above the card's link."""
    page = phone
    case = walk.registered(title="噪音扰民")
    login(page, org.clerk)
    page.goto("/cases/queue/")
    assert fits_the_phone(page)
    screenshot(page, "phone-clerk-queue")
    page.get_by_role("link", name="派发", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}/cases/{case.pk}/dispatch/")
    expect(page.locator("#case-context")).to_be_visible()
    assert fits_the_phone(page)
    screenshot(page, "phone-clerk-dispatch")
