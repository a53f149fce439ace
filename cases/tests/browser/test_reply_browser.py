"""In Chromium: an officer writes the structured reply from a template of the
case's category (desktop and phone width); the secretary reads the facts in
the text she signs; the clerk downloads the week's reply sheet."""

from io import BytesIO

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases import services
from cases.models import Case
from cases.tests.factories import signed_sha256
from conftest import login, screenshot
from knowledge.models import ArticleKind
from knowledge.services import ArticleInput, article_create

pytestmark = pytest.mark.browser

CATEGORY = "城乡建设->物业管理->电梯故障"


def _articles(org) -> None:
    article_create(
        actor=org.leader,
        data=ArticleInput(
            category_path="城乡建设->物业管理",
            kind=ArticleKind.STANDARD_REPLY,
            title="物业服务标准答复",
            body="工单{工单编号}反映{小区}问题，{承办社区}已督促物业整改。",
        ),
    )
    article_create(
        actor=org.leader,
        data=ArticleInput(
            category_path=CATEGORY,
            kind=ArticleKind.POLICY,
            title="电梯安全依据",
            body="《特种设备安全法》第四十二条",
        ),
    )


@pytest.mark.parametrize(
    "viewport", [{"width": 1366, "height": 768}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_an_officer_writes_a_structured_reply_from_a_template_and_the_clerk_downloads_the_sheet(
    page, org, walk, viewport
):
    page.set_viewport_size(viewport)
    suffix = "desktop" if viewport["width"] > 600 else "phone"
    _articles(org)
    case = walk.responded(category=CATEGORY, compound="幸福家园")

    login(page, org.officer_a)
    page.goto(f"/cases/{case.pk}/")
    offers = page.locator(".reply-offers")
    expect(offers).to_contain_text("知识库模板（2）")
    # The longest matching category first: the elevator policy, then the property reply.
    expect(offers.locator(".reply-offer").first).to_contain_text("电梯安全依据")
    offers.get_by_role("button", name="用作办理结果").click()
    reply = page.get_by_role("textbox", name="办理结果", exact=True)
    expect(reply).to_have_value(f"工单{case.ticket_no}反映幸福家园问题，幸福社区已督促物业整改。")
    offers.get_by_role("button", name="用作办理依据").click()
    expect(page.get_by_label("办理依据")).to_have_value("《特种设备安全法》第四十二条")
    screenshot(page, f"reply-form-{suffix}")

    # Submitted without the resolved answer: the service's message sits at the field.
    page.check("#id_reply_met_caller_1")
    page.get_by_label("最终办理单位").fill("幸福社区")
    page.check("#id_reply_whistle_1")
    page.get_by_role("button", name="提交办理结果").click()
    expect(page.locator(".field-resolved .field-error")).to_have_text("请选择是否解决。")
    page.check("#id_reply_resolved_0")
    page.get_by_role("button", name="提交办理结果").click()
    expect(page.locator(".messages")).to_contain_text("办理结果已提交")
    signed = page.locator("#doc-reply .signed-text")
    expect(signed).to_contain_text("最终办理单位：幸福社区")
    expect(signed).to_contain_text("办理依据：《特种设备安全法》第四十二条")
    screenshot(page, f"reply-submitted-{suffix}")

    for signer in (org.secretary_a, org.chief_a):
        services.case_sign_reply(case_id=case.pk, actor=signer, expected_sha256=signed_sha256(case.pk, "reply_text"))

    page.context.clear_cookies()
    login(page, org.clerk)
    if suffix == "desktop":
        page.get_by_role("link", name="回复单").first.click()
    else:
        page.goto("/cases/reply-sheet/")
    expect(page.locator(".reply-sheet-count")).to_contain_text("办结 1 件")
    screenshot(page, f"reply-sheet-{suffix}")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="下载回复单（Excel）").click()
    download = download_info.value
    assert download.suggested_filename.startswith("12345回复单-")
    with open(download.path(), "rb") as saved:
        rows = list(load_workbook(BytesIO(saved.read()))["回复单"].iter_rows(values_only=True))
    assert rows[0][0] == "工单编号" and [row[0] for row in rows[1:]] == [Case.objects.get(pk=case.pk).ticket_no]
