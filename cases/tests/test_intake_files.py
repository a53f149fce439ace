"""What real files look like, and hostile ones: every file here is built by
the test with openpyxl, csv or zipfile."""

import datetime as dt
import re
import zipfile

import pytest
from django.utils import timezone
from openpyxl import Workbook

from cases.intake import parsing
from cases.intake.models import ImportIssue, ImportJob
from cases.intake.parsing import FileRejected
from cases.intake.samples import HEADER, callback_values, order_row, write_csv, write_xlsx
from cases.models import Case
from cases.tests.intake_helpers import create_job, issues, preview, run_import

TZ = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def full_width(digits: str) -> str:
    return digits.translate({ord(d): chr(0xFF10 + int(d)) for d in "0123456789"})


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), TZ)


# ---------------------------------------------------------------- tolerance


def test_headers_with_spaces_full_width_characters_any_order_and_extra_columns(org, tmp_path):
    keys = list(reversed(HEADER))
    messy = [
        {
            "工单编号": " 工单编号 ",
            "村/社区": "村／社区",
            "来电人电话": "来电人电话\u3000",
            "主要内容": "主要 内容",
        }.get(label, label)
        for label in keys
    ]
    rows = [[*[order_row(n).get(k) for k in keys], "平台内部备注"] for n in (1, 2)]
    path = write_xlsx(tmp_path / "messy.xlsx", rows, header=[*messy, "备注（多余的列）"])

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count, job.error_count) == (ImportJob.Status.DONE, 2, 0)
    case = Case.objects.get(ticket_no="2025000000001")
    assert case.reported_community == org.a
    assert case.caller_phone == "13800000001"
    assert case.content.startswith("2号楼电梯停运")


def test_a_title_row_and_blank_rows_are_skipped_and_rows_keep_their_numbers(org, tmp_path):
    path = write_xlsx(
        tmp_path / "title.xlsx",
        [order_row(1), [None] * len(HEADER), order_row(2, 主要内容=""), [], order_row(3)],
        above=[["朝阳区12345热线工单导出 2025年3月"], []],
    )

    job = run_import(org.clerk, path, valid_only=True)

    assert (job.total_rows, job.new_count, job.error_count) == (3, 2, 1)
    # Title row 1, blank row 2, header row 3: the order with the error is on row 6.
    assert issues(job, ImportIssue.Level.ERROR) == [(6, "主要内容", "主要内容为空。")]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (dt.datetime(2025, 3, 1, 9, 5, 7), (2025, 3, 1, 9, 5, 7)),  # an Excel date cell
        (dt.date(2025, 3, 1), (2025, 3, 1)),
        (45717.5, (2025, 3, 1, 12, 0)),  # a day number in a cell without date format
        ("2025-03-01 09:05:07", (2025, 3, 1, 9, 5, 7)),
        ("2025/3/1 9:05", (2025, 3, 1, 9, 5)),
        ("2025.03.01", (2025, 3, 1)),
        ("2025年3月1日 9时5分", (2025, 3, 1, 9, 5)),
        ("2025年03月01日09:05", (2025, 3, 1, 9, 5)),
        ("２０２５－０３－０１　０９：０５", (2025, 3, 1, 9, 5)),  # full-width digits
        ("20250301090507", (2025, 3, 1, 9, 5, 7)),
        ("2025-03-01T09:05:07", (2025, 3, 1, 9, 5, 7)),
    ],
)
def test_dates_in_the_usual_formats(cell, expected):
    assert parsing.to_datetime(cell) == at(*expected)


@pytest.mark.parametrize("cell", ["昨天", "2025-13-01", "3/1/2025", 12.5, "2025-02-30"])
def test_unreadable_dates_are_errors(cell):
    with pytest.raises(ValueError):
        parsing.to_datetime(cell)


def test_full_width_digits_numeric_cells_and_excel_dates_in_a_real_file(org, tmp_path):
    rows = [
        order_row(
            1,
            工单编号=full_width("2025000000001"),
            来电人电话=full_width("13912345678"),
            来电时间="２０２５年３月１日 ８时",
        ),
        order_row(2, 工单编号=2025000000002, 来电人电话=13912345679, 来电时间=45717.375),
    ]
    job = run_import(org.clerk, write_xlsx(tmp_path / "digits.xlsx", rows))

    assert job.new_count == 2, issues(job)
    first, second = Case.objects.order_by("ticket_no")
    assert (first.ticket_no, first.caller_phone, first.received_at) == (
        "2025000000001",
        "13912345678",
        at(2025, 3, 1, 8, 0),
    )
    assert (second.ticket_no, second.caller_phone, second.received_at) == (
        "2025000000002",
        "13912345679",
        at(2025, 3, 1, 9, 0),
    )


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_csv_in_utf8_or_gbk(org, tmp_path, encoding):
    called = dt.datetime(2025, 3, 5, 10, 0)
    path = write_csv(
        tmp_path / "orders.csv",
        [order_row(1), order_row(2, community="和平社区", callback=callback_values(called))],
        encoding=encoding,
        above=[["12345工单导出"]],
    )

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 2), job.message
    assert Case.objects.get(ticket_no="2025000000002").reported_community == org.b
    assert Case.objects.get(ticket_no="2025000000001").content == "2号楼电梯停运，物业未处理，请尽快维修。"


def test_formulas_are_read_as_their_values_and_citizen_text_is_kept_verbatim(org, tmp_path):
    path = tmp_path / "formulas.xlsx"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    sheet.append(HEADER)
    row = order_row(1, 工单编号='="2025"&"000000001"', 标题="=1+2")
    sheet.append([row[label] for label in HEADER])
    workbook.save(path)
    # Give the formulas the values a spreadsheet program would have stored with them.
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace('<f>"2025"&amp;"000000001"</f><v />', '<f>"2025"&amp;"000000001"</f><v>2025000000001</v>')
    xml = re.sub(r'<c r="A2"', '<c r="A2" t="str"', xml)
    xml = xml.replace("<f>1+2</f><v />", "<f>1+2</f><v>3</v>")
    members["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    csv_path = write_csv(
        tmp_path / "injection.csv", [order_row(2, 主要内容='=HYPERLINK("http://example.invalid","点我")')]
    )

    assert run_import(org.clerk, path).new_count == 1
    assert run_import(org.clerk, csv_path).new_count == 1

    assert Case.objects.get(ticket_no="2025000000001").title == "3"
    assert Case.objects.get(ticket_no="2025000000002").content == '=HYPERLINK("http://example.invalid","点我")'


def test_a_partly_filled_callback_is_an_error_but_an_invalid_unanswered_one_is_left_out(org, tmp_path):
    path = write_xlsx(
        tmp_path / "cb.xlsx",
        [
            order_row(1, callback={"是否满意": "满意"}),
            order_row(2, callback={"是否联系": "否", "是否有效回访": "否", "回访时间": "2025-03-03 10:00"}),
        ],
    )
    job = preview(org.clerk, path)
    assert job.error_count == 1
    assert issues(job, ImportIssue.Level.ERROR) == [
        (2, "是否联系", "回访信息不完整：缺少是否联系、是否解决、回访时间。")
    ]
    assert (3, "是否有效回访", "无效回访且回访结果不完整，未录入回访。") in issues(job, ImportIssue.Level.WARNING)


# ---------------------------------------------------------------- hostile and broken files


def test_a_file_that_is_not_a_spreadsheet_is_refused(org, tmp_path):
    png = tmp_path / "photo.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(FileRejected, match="不是电子表格"):
        create_job(org.clerk, png)

    xls = tmp_path / "old.xls.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    with pytest.raises(FileRejected, match=r"\.xls"):
        create_job(org.clerk, xls)

    text = tmp_path / "notes.csv"
    text.write_text("今天天气很好\n没有表头\n", encoding="utf-8")
    job = preview(org.clerk, text)
    assert job.status == ImportJob.Status.FAILED
    assert "未找到表头" in job.message

    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"garbage" * 50)
    with pytest.raises(FileRejected, match="损坏"):
        create_job(org.clerk, broken)

    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ" + b"\x00" * 10)
    with pytest.raises(FileRejected, match="仅支持"):
        create_job(org.clerk, exe)
    assert ImportJob.objects.filter(status=ImportJob.Status.UPLOADED).count() == 0


def test_a_zip_bomb_is_refused_before_it_is_inflated(org, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as member:
            chunk = b" " * (1 << 20)
            for _ in range(40):  # 40 MB of spaces, a few dozen KB compressed
                member.write(chunk)
    assert bomb.stat().st_size < 1 << 20

    with pytest.raises(FileRejected, match="压缩炸弹"):
        create_job(org.clerk, bomb)


def test_a_workbook_with_an_entity_declaration_is_refused(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    xml = members["xl/worksheets/sheet1.xml"].decode()
    members["xl/worksheets/sheet1.xml"] = xml.replace(
        "<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1
    ).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)

    job = preview(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert "损坏" in job.message


def test_too_many_rows_are_refused_with_a_clear_message(org, tmp_path, settings):
    settings.INTAKE_MAX_ROWS = 5
    path = write_xlsx(tmp_path / "big.xlsx", [order_row(n) for n in range(1, 8)])

    job = run_import(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "文件超过5行的上限，请拆分后分批导入。"
    assert Case.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(org, tmp_path, settings):
    settings.INTAKE_MAX_FILE_BYTES = 1000
    path = write_csv(tmp_path / "big.csv", [order_row(n) for n in range(1, 30)])
    with pytest.raises(FileRejected, match="文件过大"):
        create_job(org.clerk, path)


def test_a_header_without_required_columns_is_refused(org, tmp_path):
    path = write_xlsx(tmp_path / "cols.xlsx", [["1", "标题", "诉求"]], header=["工单编号", "标题", "工单类型"])
    job = preview(org.clerk, path)
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "表头缺少必需的列：来电时间、主要内容。"
