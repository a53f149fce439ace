"""Field work in a real Chromium: the officer, on a phone-sized screen, adds a
progress note with two photos (one with GPS and a turned orientation) and a
photo to the reply; the secretary sees the photos beside the reply she signs;
removing the reply photo voids her signature."""

import io

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import expect

from attachments.models import Attachment, Part
from attachments.tests import files
from cases import services
from cases.models import Signature
from conftest import login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def browser_as(chromium, live_server):
    contexts = []

    def open_page(user, viewport=None):
        context = chromium.new_context(
            viewport=viewport or {"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        login(page, user)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _upload(name: str, data: bytes) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": data}


def test_photos_from_the_phone_to_the_signature(browser_as, org, walk, tmp_path):
    case = walk.responded()
    officer = browser_as(org.officer_a, PHONE)
    officer.goto(reverse("case-detail", args=[case.pk]))

    form = officer.locator("#step-progress_note")
    form.get_by_label("办理进展").fill("已到现场查看屋顶漏水，已通知物业维修。")
    form.locator('input[name="photos"]').set_input_files(
        [
            _upload("IMG_0001.jpg", files.jpeg(40, 20, gps=True, orientation=6)),
            _upload("IMG_0002.jpg", files.jpeg(30, 30)),
        ]
    )
    form.get_by_label("标注").select_option(label="处置前")
    form.get_by_role("button", name="保存办理进展").click()
    expect(officer.locator(".messages")).to_contain_text("办理进展已记录")
    thumbs = officer.locator(".timeline-progress_note .attachment-thumb")
    expect(thumbs).to_have_count(2)
    officer.locator("#h-timeline").scroll_into_view_if_needed()
    screenshot(officer, "field-work-progress-note-390")
    assert officer.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    turned = Attachment.objects.get(original_name="IMG_0001.jpg")
    stored = Image.open(io.BytesIO(turned.file.open("rb").read()))
    assert dict(stored.getexif()) == {}  # no GPS, no camera data
    assert stored.size == (20, 40)  # the orientation applied to the pixels
    assert turned.part == Part.PROGRESS and turned.get_label_display() == "处置前"

    # The reply, and a photo of the finished work beside it.
    services.case_reply(case_id=case.pk, actor=org.officer_a, text="物业已修复屋顶，来电人认可。")
    officer.goto(reverse("case-detail", args=[case.pk]))
    officer.locator("#attachments summary").click()
    attach = officer.locator("#step-attach")
    attach.locator('input[name="photos"]').set_input_files([_upload("修复后.jpg", files.jpeg(50, 30))])
    attach.get_by_label("标注").select_option(label="处置后")
    attach.get_by_label("属于").select_option(label="办理结果（随结果签字）")
    attach.get_by_role("button", name="上传").click()
    expect(officer.locator(".messages")).to_contain_text("附件已上传")
    photo = Attachment.objects.get(part=Part.REPLY)

    # The secretary signs with the photo beside the text.
    secretary = browser_as(org.secretary_a)
    secretary.goto(reverse("signature-waiting"))
    item = secretary.locator(".sign-item")
    image = item.locator(".signed-files img")
    expect(image).to_have_count(1)
    expect(image).to_have_attribute("src", reverse("attachment-thumbnail", args=[photo.pk]))
    # Served, scoped to her: the thumbnail loads (waited for: under load it may still be on its way).
    secretary.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=10_000
    )
    screenshot(secretary, "field-work-sign-with-photos")
    item.get_by_role("button", name="签字").click()
    expect(secretary.locator(".messages")).to_contain_text("已签字")
    signature = Signature.objects.get(case=case)
    assert signature.voided_at is None

    # Removing the reply photo voids her signature, as an edit of the text would.
    officer.goto(reverse("case-detail", args=[case.pk]))
    officer.locator("#doc-reply").get_by_role("button", name="删除附件 修复后.jpg").click()
    expect(officer.locator(".messages")).to_contain_text("已删除附件")
    signature.refresh_from_db()
    assert signature.voided_at is not None and signature.void_reason == "办理结果附件已删除"
    secretary.goto(reverse("case-detail", args=[case.pk]))
    expect(secretary.locator("#doc-reply .signature-void")).to_contain_text("办理结果附件已删除")
    secretary.set_viewport_size(PHONE)
    screenshot(secretary, "field-work-signature-voided-390")
