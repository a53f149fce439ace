"""The case export from the search page in a real Chromium: static/js/export.js
fetches the streamed file, shows how many cases are written and how far it
has come, and saves it under the server's file name."""

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from cases.models import Case
from conftest import login, screenshot

pytestmark = pytest.mark.browser


def test_the_export_button_shows_progress_and_saves_the_file(page, org):
    now = timezone.now()
    Case.objects.bulk_create(
        [
            Case(ticket_no=f"2026{n:09d}", received_at=now, title=f"电梯故障{n}", content="3号楼电梯停运。")
            for n in range(300)
        ]
    )
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    login(page, org.clerk)
    page.goto(reverse("case-search"))

    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出Excel").click()
        expect(page.locator(".export-progress-label")).to_contain_text("300 件")

    download = download_info.value
    assert download.suggested_filename.startswith("案件清单-") and download.suggested_filename.endswith(".xlsx")
    expect(page.locator(".export-progress-label")).to_contain_text("已导出 300 件")
    expect(page.locator(".export-progress .progress-bar")).to_have_attribute("aria-valuenow", "100")
    screenshot(page, "export-progress-done")
    with open(download.path(), "rb") as saved:  # saved under a random name: no extension
        rows = list(load_workbook(saved).worksheets[0].values)
    assert len(rows) == 301
    assert problems == []  # no CSP refusal, no script error


def test_a_refused_export_shows_the_message_on_the_search_page(page, org, settings):
    now = timezone.now()
    Case.objects.bulk_create(
        [Case(ticket_no=f"2026{n:09d}", received_at=now, title="电梯故障", content="停运。") for n in range(3)]
    )
    settings.INTAKE_EXPORT_MAX_ROWS = 2
    login(page, org.clerk)
    page.goto(reverse("case-search"))

    page.get_by_role("button", name="导出Excel").click()

    expect(page.locator(".messages")).to_contain_text("超过单次导出上限2件")
    expect(page).to_have_url(f"{page.url.split('/cases/')[0]}{reverse('case-search')}")
