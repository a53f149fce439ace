"""What real files look like, and hostile ones: every file here is built by
the test with openpyxl, csv or zipfile."""

import datetime as dt
import re
import struct
import zipfile
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook

from cases.intake import parsing
from cases.intake.models import ImportIssue, ImportJob
from cases.intake.parsing import FileRejected
from cases.intake.samples import HEADER, callback_values, order_row, use_shared_strings, write_csv, write_xlsx
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


def stored_files(settings) -> list[Path]:
    media = Path(settings.MEDIA_ROOT)
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def rewrite(path: Path, change) -> Path:
    """Rebuild a workbook with `change(members)` applied to its parts."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    change(members)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return path


def sheet_xml(rows: str, *, dimension: str = "") -> bytes:
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dimension}<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def header_row_xml() -> str:
    cells = "".join(
        f'<c r="{parsing.column_name(i)}1" t="inlineStr"><is><t>{label}</t></is></c>' for i, label in enumerate(HEADER)
    )
    return f'<row r="1">{cells}</row>'


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
        # Java-style timestamps, common in the platform's exports: the fraction is dropped.
        ("2026-11-28 09:05:07.0", (2026, 11, 28, 9, 5, 7)),
        ("2026/11/28 09:05:07.123", (2026, 11, 28, 9, 5, 7)),
        ("2025.03.01 09:05:07.0", (2025, 3, 1, 9, 5, 7)),
        ("45717.5", (2025, 3, 1, 12, 0)),  # a day number stored as text
        ("45717", (2025, 3, 1)),
    ],
)
def test_dates_in_the_usual_formats(cell, expected):
    assert parsing.to_datetime(cell) == at(*expected)


@pytest.mark.parametrize(
    "cell", ["昨天", "2025-13-01", "3/1/2025", 12.5, "2025-02-30", "12345.5", "2025-03-01 09:05:07.x"]
)
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
    # An empty value is written <v /> or <v></v>, depending on whether lxml is installed.
    xml = members["xl/worksheets/sheet1.xml"].decode().replace("<v></v>", "<v />")
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


def test_a_java_style_timestamp_in_a_real_file(org, tmp_path):
    path = write_csv(
        tmp_path / "java.csv",
        [order_row(1, 来电时间="2025-03-01 09:05:07.0", callback=callback_values("2025-03-04 10:00:00.0"))],
    )
    job = run_import(org.clerk, path)
    assert (job.new_count, job.error_count) == (1, 0), issues(job)
    assert Case.objects.get().received_at == at(2025, 3, 1, 9, 5, 7)


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_csv_with_semicolons_or_tabs_and_commas_in_the_text(org, tmp_path, delimiter):
    """A title row and text full of commas made the delimiter guess wrong."""
    path = write_csv(
        tmp_path / "orders.csv",
        [order_row(n, 主要内容="电梯停运，物业未处理, 请尽快维修, 谢谢, 急") for n in (1, 2)],
        delimiter=delimiter,
        above=[["12345热线工单导出,朝阳区,2025年3月,共2条"]],
    )

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 2), job.message
    assert Case.objects.get(ticket_no="2025000000001").content == "电梯停运，物业未处理, 请尽快维修, 谢谢, 急"


def test_a_workbook_with_a_shared_strings_table_as_excel_writes_it(org, tmp_path):
    path = use_shared_strings(write_xlsx(tmp_path / "excel.xlsx", [order_row(1), order_row(2)], above=[["工单导出"]]))
    with zipfile.ZipFile(path) as archive:
        assert "xl/sharedStrings.xml" in archive.namelist()

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 2), job.message
    assert Case.objects.get(ticket_no="2025000000002").title == "电梯故障2"


# ---------------------------------------------------------------- the header


def test_an_exact_label_beats_a_loose_synonym_left_of_it(org, tmp_path):
    """编号 (a running number) left of 工单编号: orders are keyed on 工单编号."""
    rows = [[n, *order_row(n).values()] for n in (1, 2)]
    path = write_xlsx(tmp_path / "numbered.xlsx", rows, header=["编号", *HEADER])

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 2), job.message
    assert sorted(Case.objects.values_list("ticket_no", flat=True)) == ["2025000000001", "2025000000002"]


def test_header_ranks_labels_then_synonyms_then_loose_words():
    columns, ambiguous = parsing.read_header(("内容", "诉求内容", "主要内容", "分类", "类型", "诉求分类"))
    assert columns == {"content": 2, "order_type": 4, "category": 5}
    assert ambiguous == {}
    columns, ambiguous = parsing.read_header(("联系电话", "来电电话"))
    assert columns == {"caller_phone": 0} and ambiguous == {"caller_phone": [0, 1]}


def test_two_columns_with_the_same_exact_label_refuse_the_file(org, tmp_path):
    rows = [["2025000000001", "诉求", "2025000000009", *list(order_row(1).values())[2:]]]
    path = write_xlsx(tmp_path / "twice.xlsx", rows, header=["工单编号", "工单类型", " 工单编号", *HEADER[2:]])

    job = preview(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == (
        "表头有歧义：第A列“工单编号”、第C列“工单编号”都对应“工单编号”。请删除或重命名多余的列后重新导入。"
    )
    assert Case.objects.count() == 0


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


def _corruptions(data: bytes) -> dict[str, bytes]:
    """Deterministic damage to a valid workbook's bytes."""
    directory = data.index(b"PK\x01\x02")  # the first entry of the central directory
    flipped = bytearray(data)
    for offset in range(directory, len(data), 7):
        flipped[offset] ^= 0xFF
    version = bytearray(data)
    version[directory + 6] = 0xFF  # "version needed to extract": 25.5
    names = bytearray(data)
    flags = struct.unpack_from("<H", names, directory + 8)[0] | 0x800  # "the name is UTF-8"...
    struct.pack_into("<H", names, directory + 8, flags)
    names[directory + 46] = 0xFF  # ...and it is not
    return {
        "truncated": data[: len(data) // 2],
        "central directory flipped": bytes(flipped),
        "bad zip version": bytes(version),
        "invalid UTF-8 name": bytes(names),
    }


def test_a_corrupt_workbook_is_refused_and_nothing_is_left_behind(org, tmp_path, settings):
    data = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)]).read_bytes()
    for name, damaged in _corruptions(data).items():
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(damaged)
        with pytest.raises(FileRejected) as refused:
            create_job(org.clerk, path)
        assert refused.value.message == "文件已损坏或不是有效的Excel文件。", name
    assert ImportJob.objects.count() == 0
    assert stored_files(settings) == []


def test_any_damage_to_the_zip_index_is_refused_or_read_never_a_crash(tmp_path):
    data = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)]).read_bytes()
    directory = data.index(b"PK\x01\x02")
    path = tmp_path / "damaged.xlsx"
    outcomes = set()
    for offset in range(directory, len(data)):
        damaged = bytearray(data)
        damaged[offset] ^= 0xFF
        path.write_bytes(damaged)
        try:
            sheet = parsing.open_sheet(path)
            try:
                list(sheet.rows)
            finally:
                sheet.close()
            outcomes.add("read")
        except FileRejected:
            outcomes.add("refused")
    assert outcomes == {"read", "refused"}


def test_a_row_numbered_fifty_million_is_refused_without_reading_up_to_it(org, tmp_path):
    row = "".join(
        f'<c r="{parsing.column_name(i)}50000000" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(parsing.text(v) for v in order_row(1).values())
    )
    rows = header_row_xml() + f'<row r="50000000">{row}</row>'
    path = write_xlsx(tmp_path / "tall.xlsx", [])
    rewrite(path, lambda members: members.update({"xl/worksheets/sheet1.xml": sheet_xml(rows)}))
    assert path.stat().st_size < 10_000

    job = preview(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert "第50000000行" in job.message and "超过上限" in job.message

    # The same sheet declaring its size is refused before any row is read.
    declared = tmp_path / "declared.xlsx"
    declared.write_bytes(write_xlsx(tmp_path / "base.xlsx", []).read_bytes())
    rewrite(
        declared,
        lambda members: members.update(
            {"xl/worksheets/sheet1.xml": sheet_xml(rows, dimension='<dimension ref="A1:X50000000"/>')}
        ),
    )
    with pytest.raises(FileRejected, match="第50000000行"):
        parsing.open_sheet(declared)


def test_twenty_thousand_rows_with_a_cell_in_column_xfd_are_refused(org, tmp_path):
    rows = header_row_xml() + "".join(
        f'<row r="{n}"><c r="XFD{n}" t="inlineStr"><is><t>x</t></is></c></row>' for n in range(2, 20_002)
    )
    path = write_xlsx(tmp_path / "wide.xlsx", [])
    rewrite(path, lambda members: members.update({"xl/worksheets/sheet1.xml": sheet_xml(rows)}))

    job = preview(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert job.message == "第2行第XFD列有内容，超过200列的上限。请删除多余的列后重新导入。"

    rewrite(
        path,
        lambda members: members.update(
            {"xl/worksheets/sheet1.xml": sheet_xml(rows, dimension='<dimension ref="A1:XFD20001"/>')}
        ),
    )
    with pytest.raises(FileRejected, match="宽到第XFD列"):
        parsing.open_sheet(path)


def test_empty_cells_far_right_and_blank_row_elements_cost_nothing(org, tmp_path):
    """Formatting-only cells and rows (no value) are not content: the file imports."""
    order = "".join(
        f'<c r="{parsing.column_name(i)}3" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(parsing.text(v) for v in order_row(1).values())
    )
    rows = header_row_xml() + '<row r="2"><c r="XFD2" s="0"/></row>' + f'<row r="3">{order}<c r="ZZ3"/></row>'
    path = write_xlsx(tmp_path / "styled.xlsx", [])
    rewrite(path, lambda members: members.update({"xl/worksheets/sheet1.xml": sheet_xml(rows)}))

    job = run_import(org.clerk, path)

    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 1), job.message


def test_a_shared_strings_table_over_its_cap_is_refused_before_it_is_read(org, tmp_path, settings):
    settings.INTAKE_MAX_SHARED_STRINGS_BYTES = 20_000
    path = use_shared_strings(write_xlsx(tmp_path / "strings.xlsx", [order_row(n) for n in range(1, 200)]))
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size > 20_000

    with pytest.raises(FileRejected) as refused:
        create_job(org.clerk, path)
    assert refused.value.message.startswith("文件中的共享字符串表（xl/sharedStrings.xml）解压后有")
    assert "超过20 KB的上限，已拒绝。请拆分后分批导入。" in refused.value.message
    assert stored_files(settings) == []

    # Below the cap the same file is read.
    settings.INTAKE_MAX_SHARED_STRINGS_BYTES = 10 * 1024 * 1024
    assert run_import(org.clerk, path).new_count == 199


def test_a_workbook_inflating_past_the_total_cap_is_refused(org, tmp_path, settings):
    settings.INTAKE_MAX_UNCOMPRESSED_BYTES = 50_000
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(n) for n in range(1, 100)])
    with pytest.raises(FileRejected, match="文件解压后过大"):
        create_job(org.clerk, path)
