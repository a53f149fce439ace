"""Writing .xlsx files in streaming mode: memory stays flat however many rows,
and `workbook_stream` hands the file out while the rows are still being written."""

from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from urllib.parse import quote
from zipfile import ZIP_DEFLATED, ZipFile

from django.http import HttpResponse, StreamingHttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Font
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


class _Pipe:
    """The file the zip archive is written to: it cannot seek (so zipfile
    writes each entry's sizes after its data), and the response takes what has
    been written so far."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        return data


class _StreamedSheetsWriter(ExcelWriter):
    """openpyxl's writer for the parts around the sheets; each sheet's XML is
    in the archive already, written row by row as the rows came."""

    def write_worksheet(self, ws) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._rels = ws._writer._rels
        self.manifest.append(ws)


def workbook_stream(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]], *, rows_per_chunk: int = 200
) -> Iterator[bytes]:
    """The same file as `workbook_bytes`, in pieces as it is written: each
    sheet's XML goes straight into its zip entry (the entry's sizes follow its
    data, as zip allows), so the first bytes leave after the first rows, not
    after the last, and nothing but the compressor's window is held."""
    pipe = _Pipe()
    archive = ZipFile(pipe, "w", ZIP_DEFLATED, allowZip64=True)
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for index, (title, header, rows) in enumerate(sheets, start=1):
        ws = wb.create_sheet(title=title[:31])
        entry = archive.open(f"xl/worksheets/sheet{index}.xml", "w")
        ws._writer = WorksheetWriter(ws, out=entry)
        ws._writer.write_top()
        ws.append([safe_cell(ws, name, font=bold) for name in header])
        for count, row in enumerate(rows, start=1):
            ws.append([safe_cell(ws, value) for value in row])
            if count % rows_per_chunk == 0 and (chunk := pipe.take()):
                yield chunk
        ws.close()
        entry.close()
    _StreamedSheetsWriter(wb, archive).save()
    yield pipe.take()


def _attachment(response: HttpResponse | StreamingHttpResponse, filename: str):
    # RFC 5987 form so Chinese file names survive every browser.
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    return _attachment(HttpResponse(content, content_type=XLSX_TYPE), filename)


def xlsx_streaming_response(filename: str, chunks: Iterator[bytes]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=XLSX_TYPE)
    # No buffering proxy in between: the browser shows progress as the bytes come.
    response["X-Accel-Buffering"] = "no"
    return _attachment(response, filename)
