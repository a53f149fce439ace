"""Writing .xlsx files in streaming mode: memory stays flat however many rows."""

from collections.abc import Iterable, Sequence
from io import BytesIO
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font


def _is_live(value: str) -> bool:
    """Whether openpyxl would store this text as something other than text:
    a string starting with "=" becomes a formula, "#N/A" and the like an error
    value. Nothing else does: "+86 138…", "-", "@家" are written as text cells,
    which no spreadsheet program evaluates (unlike the same text in a CSV)."""
    return (len(value) > 1 and value.startswith("=")) or value in ERROR_CODES


def safe_cell(ws, value, *, font: Font | None = None):
    """The value as written: citizen text exactly as typed, never a formula.
    Characters XML cannot hold (control characters pasted into a form) are
    dropped instead of failing the whole file."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if _is_live(value):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"  # kept as text: shown as typed, evaluated never
            cell.quotePrefix = True  # and editing it in Excel keeps it text
            if font is not None:
                cell.font = font
            return cell
    if font is not None:
        cell = WriteOnlyCell(ws, value=value)
        cell.font = font
        return cell
    return value


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """sheets: (title, header, rows) triples. Returns the .xlsx file's bytes.
    Header cells get the same treatment as data: the rejected-rows file
    copies the uploaded file's header row, which anyone could have written."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, header, rows in sheets:
        ws = wb.create_sheet(title=title[:31])
        ws.append([safe_cell(ws, name, font=bold) for name in header])
        for row in rows:
            ws.append([safe_cell(ws, value) for value in row])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    # RFC 5987 form so Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response
