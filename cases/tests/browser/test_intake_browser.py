"""The 12345 import in a real Chromium: upload, preview, confirm, the live
progress bar of a background job, and the dispatch suggestion that follows;
and the case search's export to .xlsx."""

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.intake import services
from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.models import Case
from conftest import login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_clerk_imports_a_file_and_dispatches_with_the_suggested_pairing(page, org, tmp_path):
    path = write_xlsx(
        tmp_path / "12345工单.xlsx",
        [order_row(1, 标题="电梯停运<script>alert(1)</script>"), order_row(2, community="不存在社区")],
    )
    login(page, org.clerk)
    page.goto("/intake/")
    expect(page.get_by_role("heading", name="导入12345工单")).to_be_visible()
    page.get_by_label("12345平台导出的工单文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预检").click()

    expect(page.locator("#intake-summary")).to_contain_text("预检结果：共2行：将新增2件")
    expect(page.locator("[data-count=unmatched]")).to_have_text("1")
    screenshot(page, "intake-01-preview")
    assert Case.objects.count() == 0
    page.get_by_role("button", name="确认导入").click()

    expect(page.locator("#intake-summary")).to_contain_text("已新增2件")
    screenshot(page, "intake-02-done")
    case = Case.objects.get(ticket_no="2025000000001")
    page.goto(f"/cases/{case.pk}/dispatch/")
    expect(page.get_by_label("包片（社区+科室）")).to_have_value(str(org.pairing_a.pk))
    expect(page.get_by_text("电梯停运<script>alert(1)</script>").first).to_be_visible()

    page.goto("/intake/")
    expect(page.locator(".intake-history")).to_contain_text("12345工单.xlsx")


def test_the_progress_bar_follows_a_background_job_and_the_page_shows_the_result(page, org, tmp_path, settings):
    settings.INTAKE_SYNC_MAX_BYTES = 10  # every file goes to the background
    path = write_xlsx(tmp_path / "big.xlsx", [order_row(n) for n in range(1, 40)])
    login(page, org.clerk)
    page.goto("/intake/")
    page.get_by_label("12345平台导出的工单文件").set_input_files(str(path))
    page.get_by_role("button", name="上传并预检").click()

    # No worker runs in this test: the job waits, and the page polls.
    expect(page.locator("#intake-progress")).to_contain_text("等待预检")
    screenshot(page, "intake-03-progress")
    job = ImportJob.objects.get()
    services.import_job_preview(job_id=job.pk)  # what the worker would do

    expect(page.locator("#intake-summary")).to_contain_text("将新增39件", timeout=10_000)


def test_a_wrong_file_is_refused_before_it_is_sent(page, org, tmp_path):
    wrong = tmp_path / "notes.txt"
    wrong.write_text("hello", encoding="utf-8")
    login(page, org.clerk)
    page.goto("/intake/")
    page.get_by_label("12345平台导出的工单文件").set_input_files(str(wrong))
    expect(page.get_by_role("alert")).to_contain_text("仅支持 .xlsx 和 .csv 文件")
    page.get_by_role("button", name="上传并预检").click()
    expect(page.get_by_role("alert")).to_contain_text("仅支持 .xlsx 和 .csv 文件")
    assert ImportJob.objects.count() == 0


def test_the_case_search_exports_the_cases_it_shows_with_callers_only_when_asked(page, org, walk, tmp_path):
    walk.dispatched(title="已派发的案件", caller_name="张三", caller_phone="13812341234")
    walk.registered(title="待派发的案件", caller_name="李四", caller_phone="13912341234")
    login(page, org.clerk)
    page.goto("/cases/search/?status=registered")
    expect(page.locator(".case-table, table").first).to_contain_text("待派发的案件")

    def download(name: str) -> list[tuple]:
        with page.expect_download() as info:
            page.get_by_role("button", name="导出Excel").click()
        path = tmp_path / name
        info.value.save_as(path)
        return list(load_workbook(path).worksheets[0].values)

    rows = download("plain.xlsx")
    header = rows[0]
    assert "来电人" not in header
    assert [row[header.index("标题")] for row in rows[1:]] == ["待派发的案件"]

    page.get_by_label("包含来电人姓名和电话").check()
    screenshot(page, "case-search-export")
    rows = download("callers.xlsx")
    header = rows[0]
    assert [(row[header.index("标题")], row[header.index("来电人电话")]) for row in rows[1:]] == [
        ("待派发的案件", "13912341234")
    ]

    # A chief does not call callers: no box to tick.
    page.context.clear_cookies()
    login(page, org.chief_a)
    page.goto("/cases/search/")
    expect(page.get_by_role("button", name="导出Excel")).to_be_visible()
    expect(page.get_by_label("包含来电人姓名和电话")).to_have_count(0)
