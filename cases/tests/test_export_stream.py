"""The case export is streamed: the first bytes leave after the first rows,
the file still holds every row as text, caller data stays masked, and the
number of queries does not grow with the number of cases."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases.exports import HEADER
from cases.models import Case, Tag
from hotline.xlsx import workbook_bytes, workbook_stream

pytestmark = pytest.mark.django_db

URL = reverse("intake:case-export")


def make_cases(count: int, *, community=None, handler=None) -> list[Case]:
    now = timezone.now()
    cases = Case.objects.bulk_create(
        [
            Case(
                ticket_no=f"2026{n:09d}",
                received_at=now - dt.timedelta(minutes=n),
                title=f'=HYPERLINK("http://x.invalid","{n}")',
                content=f"来电人13812341234反映第{n}号楼电梯故障。",
                reply_text="@物业 已修复",
                caller_name="张三",
                caller_phone="13812341234",
                community=community,
                handler=handler,
            )
            for n in range(count)
        ]
    )
    tag, _ = Tag.objects.get_or_create(name="每月一题")
    Case.tags.through.objects.bulk_create([Case.tags.through(case_id=case.id, tag_id=tag.id) for case in cases])
    return cases


def test_the_streamed_file_holds_every_row_as_text_and_masks_the_caller(client, org):
    make_cases(450)
    client.force_login(org.clerk)

    response = client.get(URL)

    assert response.status_code == 200 and response.streaming
    assert response["X-Export-Count"] == "450"
    assert response["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    chunks = list(response.streaming_content)
    assert len(chunks) > 1  # handed out while written, not at the end in one piece
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    assert len(rows) == 450
    tickets = {row[HEADER.index("工单编号")].value for row in rows}
    assert tickets == {f"2026{n:09d}" for n in range(450)}
    title, content, reply = (rows[0][HEADER.index(name)] for name in ("标题", "主要内容", "办理结果"))
    assert title.data_type == "s" and title.value.startswith("=HYPERLINK")  # text, never a formula
    assert reply.value == "@物业 已修复" and reply.data_type == "s"
    assert "13812341234" not in content.value  # no caller columns: phones in the text are masked too
    assert rows[0][HEADER.index("标签")].value == "每月一题"


def test_the_number_of_queries_does_not_grow_with_the_cases(client, org):
    client.force_login(org.clerk)

    def queries_for_export() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL)
            b"".join(response.streaming_content)
        return len(captured)

    make_cases(3, community=org.a, handler=org.officer_a)
    few = queries_for_export()
    Case.objects.all().delete()
    make_cases(60, community=org.a, handler=org.officer_a)

    assert queries_for_export() == few


def test_a_refused_export_answers_before_any_byte(client, org, settings):
    make_cases(3)
    settings.INTAKE_EXPORT_MAX_ROWS = 2
    client.force_login(org.clerk)

    response = client.get(URL)

    assert response.status_code == 302 and not response.streaming


def test_the_stream_is_the_same_workbook_as_the_bytes():
    header = ["编号", "=危险表头"]
    rows = [[f"=A{n}", n] for n in range(500)]

    streamed = b"".join(workbook_stream([("表", header, iter(rows))], rows_per_chunk=50))

    def values(content: bytes) -> list[list]:
        sheet = load_workbook(io.BytesIO(content)).worksheets[0]
        return [[(cell.value, cell.data_type) for cell in row] for row in sheet.iter_rows()]

    assert values(streamed) == values(workbook_bytes([("表", header, rows)]))
