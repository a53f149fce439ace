"""The 12345 platform's reply sheet (cases.reply_sheet): one row per closed
order of the period, columns from the admin's map, text stays text, callers
only where a column asks and the role allows."""

import dataclasses
import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cases import reply_sheet, services
from cases.models import ReplySheetColumn, ReplySheetField
from cases.tests.factories import REPLY_FACTS, signed_sha256
from hotline.errors import NotAllowed

FORMULA = '=HYPERLINK("http://evil.example","点我")'


def _closed(org, walk, *, text="已修复。", **facts):
    case = walk.responded(caller_phone="13912345678")
    services.case_reply(
        case_id=case.id, actor=org.officer_a, text=text, facts=dataclasses.replace(REPLY_FACTS, **facts)
    )
    for signer in (org.secretary_a, org.chief_a):
        case = services.case_sign_reply(
            case_id=case.id, actor=signer, expected_sha256=signed_sha256(case.id, "reply_text")
        )
    return case


def _rows(content: bytes) -> list[list]:
    sheet = load_workbook(BytesIO(content))["回复单"]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _download(client, start: dt.date, end: dt.date) -> bytes:
    response = client.get(reverse("reply-sheet"), {"start": start, "end": end, "download": "1"})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return b"".join(response.streaming_content)


def test_the_clerk_downloads_one_row_per_order_closed_in_the_period(client, org, walk):
    first = _closed(org, walk, final_unit="幸福社区居委会")
    second = _closed(org, walk, text=FORMULA, resolved=False, unresolved_reason="party_missing")
    walk.replied()  # not closed: not on the sheet
    client.force_login(org.clerk)
    today = timezone.localdate()

    rows = _rows(_download(client, today - dt.timedelta(days=6), today))

    assert rows[0] == [header for header, _ in reply_sheet.DEFAULT_COLUMNS]
    by_ticket = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert sorted(by_ticket) == sorted([first.ticket_no, second.ticket_no])
    assert by_ticket[first.ticket_no]["最终办理单位"] == "幸福社区居委会"
    assert by_ticket[first.ticket_no]["是否解决"] == "是"
    assert by_ticket[second.ticket_no]["未解决原因类型"] == "责任主体无法找到"
    # Formula-looking text is text: the workbook holds the string, not a formula.
    sheet = load_workbook(BytesIO(_download(client, today, today)))["回复单"]
    cells = [c for row in sheet.iter_rows() for c in row if c.value == FORMULA]
    assert len(cells) == 1 and cells[0].data_type == "s"


def test_a_period_without_closures_or_outside_it_gives_only_the_header(client, org, walk):
    _closed(org, walk)
    client.force_login(org.clerk)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    rows = _rows(_download(client, yesterday - dt.timedelta(days=3), yesterday))
    assert len(rows) == 1


def test_the_column_map_of_the_admin_orders_the_sheet_and_callers_come_only_when_asked(client, org, walk):
    case = _closed(org, walk)
    client.force_login(org.clerk)
    today = timezone.localdate()
    assert "13912345678" not in str(_rows(_download(client, today, today)))  # the default has no caller column

    ReplySheetColumn.objects.all().delete()
    ReplySheetColumn.objects.create(position=2, header="电话", field=ReplySheetField.CALLER_PHONE)
    ReplySheetColumn.objects.create(position=1, header="编号", field=ReplySheetField.TICKET_NO)
    assert _rows(_download(client, today, today)) == [["编号", "电话"], [case.ticket_no, "13912345678"]]


@pytest.mark.django_db
def test_every_field_of_the_column_map_has_a_value_and_the_migration_wrote_the_default():
    assert set(reply_sheet.VALUES) == set(ReplySheetField.values)
    assert reply_sheet.reply_sheet_columns() == [(h, f.value) for h, f in reply_sheet.DEFAULT_COLUMNS]


@pytest.mark.django_db
def test_only_clerks_export_the_sheet(client, org):
    today = timezone.localdate()
    for user in (org.officer_a, org.leader):
        client.force_login(user)
        assert client.get(reverse("reply-sheet")).status_code == 403
        with pytest.raises(NotAllowed):
            reply_sheet.reply_sheet_xlsx(user=user, start=today, end=today)
        api = APIClient()
        api.force_authenticate(user)
        assert api.get("/api/reply-sheet/", {"start": today, "end": today}).status_code == 403


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [(0, 3, "结束日期不能早于开始日期"), (100, 0, "一次最多导出93天"), (None, 0, "")],
)
def test_a_bad_period_is_refused_with_a_clear_message(client, org, start, end, message):
    today = timezone.localdate()
    params = {"end": today - dt.timedelta(days=end)}
    if start is not None:
        params["start"] = today - dt.timedelta(days=start)
    client.force_login(org.clerk)
    response = client.get(reverse("reply-sheet"), {**params, "download": "1"})
    assert response.status_code == 400
    assert message in response.content.decode()
    api = APIClient()
    api.force_authenticate(org.clerk)
    body = api.get("/api/reply-sheet/", params).json()
    assert message in body["detail"] and body["code"] == "invalid_input"


def test_the_api_gives_the_same_sheet(org, walk):
    case = _closed(org, walk)
    api = APIClient()
    api.force_authenticate(org.clerk)
    today = timezone.localdate()
    response = api.get("/api/reply-sheet/", {"start": today, "end": today})
    assert response.status_code == 200 and response["X-Export-Count"] == "1"
    rows = _rows(b"".join(response.streaming_content))
    assert [row[0] for row in rows] == ["工单编号", case.ticket_no]


def test_the_page_counts_the_orders_of_this_week(client, org, walk):
    _closed(org, walk)
    client.force_login(org.clerk)
    page = client.get(reverse("reply-sheet")).content.decode()
    assert "办结 <strong>1</strong> 件" in page
