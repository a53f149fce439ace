"""Reading the city platform's work-order exports (.xlsx, or .csv in UTF-8 or
GBK) into typed orders, tolerant of what real files look like: a title row
above the header, headers with stray spaces or full-width characters, columns
in any order, Excel date cells or text dates, full-width digits, blank rows.

Nothing here touches the database. A file that cannot be read at all raises
`FileRejected`; a row that cannot be read carries its errors (column and a
Chinese message) and is reported, not raised."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.packaging.manifest import Manifest
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, WORKSHEET_TYPE
from openpyxl.xml.functions import fromstring

from cases.groupings import category_path_normalize
from cases.models import TEXT_LIMITS, Satisfaction, Tag, Urgency
from hotline.errors import InvalidInput


class FileRejected(InvalidInput):
    """The file as a whole is refused (not a spreadsheet, too big, no header...)."""

    code = "file_rejected"


# ---------------------------------------------------------------- limits


def limit(name: str) -> int:
    return int(getattr(settings, name) if hasattr(settings, name) else DEFAULTS[name])


def size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1048576:.0f} MB" if size >= 10 * 1048576 else f"{size / 1048576:.1f} MB"
    return f"{size / 1024:.0f} KB"


DEFAULTS = {
    # An upload larger than this is refused before it is opened.
    "INTAKE_MAX_FILE_BYTES": 64 * 1024 * 1024,
    # Data rows (after the header); a street receives 12,000-18,000 orders a year.
    "INTAKE_MAX_ROWS": 200_000,
    # Zip-bomb guards for .xlsx: total inflated size, per-member ratio, member count.
    # A generated 200,000-row export inflates to about 240 MB (inline strings);
    # twice that is the most a real export needs.
    "INTAKE_MAX_UNCOMPRESSED_BYTES": 512 * 1024 * 1024,
    # The parts openpyxl reads whole into memory (above all the shared strings
    # table, xl/sharedStrings.xml) are capped apart: their inflated size turns
    # into about four times as much memory. The worksheets themselves are streamed.
    "INTAKE_MAX_SHARED_STRINGS_BYTES": 64 * 1024 * 1024,
    "INTAKE_MAX_COMPRESSION_RATIO": 150,
    "INTAKE_MAX_ZIP_MEMBERS": 500,
    # Files up to this size are previewed and imported in the request; larger ones in Celery.
    "INTAKE_SYNC_MAX_BYTES": 256 * 1024,
    # The case list export refuses more rows than this (narrow the filter instead).
    "INTAKE_EXPORT_MAX_ROWS": 200_000,
    # INTAKE_FILE_RETENTION_DAYS (days an uploaded file is kept) has its one default in hotline.settings.
}

MAX_COLUMNS = 200  # a value beyond this column refuses the sheet: no real export is that wide
HEADER_SEARCH_ROWS = 30  # the header must be within the first rows (title rows above it are skipped)
MAX_CENTRAL_DIRECTORY_BYTES = 1024 * 1024  # a workbook's zip index is a few KB
MAX_CONTENT_TYPES_BYTES = 1024 * 1024

CORRUPT = "文件已损坏或不是有效的Excel文件。"


def max_row_number() -> int:
    """The highest spreadsheet row number a sheet may use: the row limit, with
    room for title and blank rows (blank rows cost nothing when read)."""
    return 2 * limit("INTAKE_MAX_ROWS") + HEADER_SEARCH_ROWS


# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    synonyms: tuple[str, ...] = ()  # other names real exports use for the column
    loose: tuple[str, ...] = ()  # generic words, taken only when nothing better names the column


COLUMNS: tuple[Column, ...] = (
    Column("ticket_no", "工单编号", ("工单号", "工单编码"), ("编号",)),
    Column("order_type", "工单类型", (), ("类型",)),
    Column("category", "问题分类", ("诉求分类",), ("分类",)),
    Column("tags", "标签"),
    Column("title", "标题", ("工单标题", "诉求标题")),
    Column("content", "主要内容", ("诉求内容", "反映内容"), ("内容",)),
    Column("platform_status", "工单状态"),
    Column("caller_name", "来电人", ("来电人姓名", "诉求人", "联系人")),
    Column("caller_phone", "来电人电话", ("来电电话", "来电号码", "联系电话", "来电人手机")),
    Column("received_at", "来电时间", ("受理时间", "来电日期")),
    Column("district", "被反映区", ("所属区",)),
    Column("street", "被反映街乡镇", ("街乡镇", "被反映街道"), ("街道",)),
    Column("community", "村/社区", ("村居", "被反映社区", "村社区名称"), ("社区",)),
    Column("compound", "小区点位", ("小区名称",), ("小区", "点位")),
    Column("host_unit", "主办单位", ("承办单位",)),
    Column("nature", "工单性质"),
    Column("result", "办理结果"),
    Column("reply", "回复内容", ("答复内容",)),
    Column("closed_at", "办结时间"),
    Column("contacted", "是否联系"),
    Column("resolved", "是否解决"),
    Column("satisfaction", "是否满意", ("满意度",)),
    Column("valid", "是否有效回访", ("有效回访",)),
    Column("called_at", "回访时间"),
)
LABELS = {c.key: c.label for c in COLUMNS}
REQUIRED_KEYS = ("ticket_no", "received_at", "content")
# Without these a later export's callbacks cannot be read (是否有效回访 may be absent).
CALLBACK_KEYS = ("contacted", "resolved", "satisfaction", "called_at")

_HEADER_JUNK = re.compile(r"[\s/\\*:：()（）\[\]【】<>《》]")


def header_key(value: object) -> str:
    """'村 / 社区 ', '村／社区', '＊工单编号' all become the same key."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return _HEADER_JUNK.sub("", text)


# Header key -> (column key, rank): 0 the platform's own label, 1 a synonym, 2 a loose word.
_HEADER_INDEX: dict[str, tuple[str, int]] = {}
for _rank in (0, 1, 2):
    for _column in COLUMNS:
        _names = ((_column.label,), _column.synonyms, _column.loose)[_rank]
        for _name in _names:
            _HEADER_INDEX.setdefault(header_key(_name), (_column.key, _rank))


def read_header(cells: tuple) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Column key -> index for the recognised cells of a header row, and the
    keys more than one column claims equally well (key -> their indexes).

    The best name wins whatever its place: an exact 工单编号 beats a column
    merely called 编号 even to its left. Two columns named equally well for
    one field are ambiguous: the caller refuses the file rather than guess."""
    best: dict[str, tuple[int, list[int]]] = {}
    for index, cell in enumerate(cells):
        if cell is None:
            continue
        hit = _HEADER_INDEX.get(header_key(cell))
        if hit is None:
            continue
        key, rank = hit
        current = best.get(key)
        if current is None or rank < current[0]:
            best[key] = (rank, [index])
        elif rank == current[0]:
            current[1].append(index)
    columns = {key: indexes[0] for key, (_, indexes) in best.items()}
    ambiguous = {key: indexes for key, (_, indexes) in best.items() if len(indexes) > 1}
    return columns, ambiguous


def columns_named_as(cells: tuple, keys: set[str]) -> dict[int, str]:
    """Index -> column key of every header cell named as one of `keys`, at
    any rank: not only the column the import reads, but a second column the
    platform or a clerk added under a synonym (联系电话 beside 来电人电话)."""
    found = {index: _HEADER_INDEX.get(header_key(cell)) for index, cell in enumerate(cells)}
    return {index: hit[0] for index, hit in found.items() if hit is not None and hit[0] in keys}


def map_header(cells: tuple) -> dict[str, int]:
    """Column key -> index for the recognised cells of a header row."""
    return read_header(cells)[0]


def column_name(index: int) -> str:
    """0 -> 'A', 27 -> 'AB': the column as the clerk sees it in Excel."""
    return get_column_letter(index + 1)


# ---------------------------------------------------------------- values


def text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def ident(value: object) -> str:
    """Identifiers and numbers: full-width digits and letters folded, no spaces inside."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value)))


_DATE_RE = re.compile(
    r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[ T]+(?P<H>\d{1,2})(?::(?P<M>\d{1,2})(?::(?P<S>\d{1,2})(?:\.\d+)?)?)?)?$"
)
_COMPACT_RE = re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})(?:(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})?)?$")


def to_datetime(value: object) -> dt.datetime | None:
    """A cell as an aware datetime (Asia/Shanghai for naive values); None when
    empty; ValueError when it cannot be read."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime.combine(value, dt.time())
    elif isinstance(value, int | float) and not isinstance(value, bool):
        result = _from_serial(float(value))
    else:
        raw = unicodedata.normalize("NFKC", str(value)).strip()
        if not raw:
            return None
        result = _parse_text_date(raw)
    if timezone.is_naive(result):
        result = timezone.make_aware(result, timezone.get_default_timezone())
    return result


def _from_serial(serial: float) -> dt.datetime:
    # Excel day numbers between 1954 and 2119; anything else is not a date.
    if not 20_000 <= serial <= 80_000:
        raise ValueError(serial)
    result = from_excel(serial)
    return result if isinstance(result, dt.datetime) else dt.datetime.combine(result, dt.time())


_SERIAL_RE = re.compile(r"^\d{5}(?:\.\d+)?$")
_DOTTED_DATE_RE = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})(?!\d)")


def _parse_text_date(raw: str) -> dt.datetime:
    raw = re.sub(r"\s+", " ", raw).strip()
    # A day number typed or exported as text ("45678.5").
    if _SERIAL_RE.match(raw):
        return _from_serial(float(raw))
    # ISO-like, with a fraction of a second as Java-based exports write it
    # ("2026-11-28 09:05:07.0"): read before any '.' is taken for a separator.
    match = _DATE_RE.match(raw.replace("/", "-"))
    if match is None:
        cleaned = _DOTTED_DATE_RE.sub(r"\1-\2-\3", raw)
        cleaned = (
            cleaned.replace("年", "-")
            .replace("月", "-")
            .replace("日", " ")
            .replace("号", " ")
            .replace("时", ":")
            .replace("点", ":")
            .replace("分", ":")
            .replace("秒", "")
            .replace("/", "-")
        )
        cleaned = re.sub(r"\s+", " ", cleaned).strip().rstrip(":")
        cleaned = re.sub(r"-\s+", "-", cleaned)
        match = _DATE_RE.match(cleaned) or _COMPACT_RE.match(cleaned.replace(" ", ""))
    if match is None:
        raise ValueError(raw)
    parts = {k: int(v) if v else 0 for k, v in match.groupdict().items()}
    return dt.datetime(parts["y"], parts["m"], parts["d"], parts["H"], parts["M"], parts["S"])


_YES = {"是", "已联系", "已解决", "有效", "联系", "解决", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "未联系", "未解决", "无效", "n", "no", "false", "0", "×", "✗"}


def to_bool(value: object) -> bool | None:
    raw = ident(value).lower()
    if raw == "":
        return None
    if raw in _YES:
        return True
    if raw in _NO:
        return False
    raise ValueError(raw)


_SATISFACTION = {
    "满意": Satisfaction.SATISFIED,
    "非常满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.BASIC,
    "比较满意": Satisfaction.BASIC,
    "不满意": Satisfaction.UNSATISFIED,
    "很不满意": Satisfaction.UNSATISFIED,
    "非常不满意": Satisfaction.UNSATISFIED,
}


def to_satisfaction(value: object) -> str:
    raw = ident(value)
    if raw == "":
        return ""
    if raw not in _SATISFACTION:
        raise ValueError(raw)
    return _SATISFACTION[raw]


def normalize_category(value: object) -> str:
    raw = unicodedata.normalize("NFKC", text(value))
    raw = re.sub(r"\s*(?:->|→|—>|－>|-＞|>|/|\\)\s*", "->", raw)
    return category_path_normalize(raw)


_UTILITY_WORDS = ("供暖", "供热", "暖气", "采暖", "供水", "停水", "自来水", "供电", "停电", "燃气", "天然气")


def urgency_for(*, nature: str, category: str) -> str:
    """The deadline level suggested by the order: the platform's 紧急 nature, or
    a water/power/gas/heating category. The clerk can change it at dispatch."""
    if "紧急" in nature or "应急" in nature:
        return Urgency.EMERGENCY
    if any(word in category for word in _UTILITY_WORDS):
        return Urgency.UTILITY
    return Urgency.GENERAL


_TICKET_RE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_PHONE_RE = re.compile(r"^[0-9+()#*-]{3,32}$")


# ---------------------------------------------------------------- orders


@dataclass(frozen=True)
class Callback:
    called_at: dt.datetime
    contacted: bool
    resolved: bool
    satisfaction: str
    valid: bool


@dataclass
class Order:
    row_number: int
    ticket_no: str = ""
    order_type: str = ""
    category: str = ""
    tags: list[str] = field(default_factory=list)
    title: str = ""
    content: str = ""
    platform_status: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    received_at: dt.datetime | None = None
    district: str = ""
    street: str = ""
    community: str = ""
    compound: str = ""
    host_unit: str = ""
    nature: str = ""
    result: str = ""
    reply: str = ""
    closed_at: dt.datetime | None = None
    urgency: str = Urgency.GENERAL
    callback: Callback | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def address(self) -> str:
        return " ".join(part for part in (self.district, self.street, self.community, self.compound) if part)

    def error(self, key: str, message: str) -> None:
        self.errors.append((LABELS.get(key, key), message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append((LABELS.get(key, key), message))


# Short descriptive fields (cases.models.TEXT_LIMITS): a longer value is cut, and the row says so.
_MAX_LENGTHS = {
    "order_type": TEXT_LIMITS["order_type"],
    "caller_name": TEXT_LIMITS["caller_name"],
    "compound": TEXT_LIMITS["compound"],
    "community": TEXT_LIMITS["reported_community_name"],
    "category": TEXT_LIMITS["category"],
}
# The citizen's own words are never cut: a longer text refuses the row (the
# other rows are still imported when "仅导入有效行" is chosen).
_REFUSED_LENGTHS = {"title": TEXT_LIMITS["title"], "content": TEXT_LIMITS["content"]}


TAG_MAX_LENGTH = cast(int, Tag._meta.get_field("name").max_length)


def parse_order(row_number: int, cells: tuple, columns: dict[str, int], *, now: dt.datetime) -> Order:
    def cell(key: str) -> object:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    order = Order(row_number=row_number)
    order.ticket_no = ident(cell("ticket_no"))
    if not order.ticket_no:
        order.error("ticket_no", "工单编号为空。")
    elif not _TICKET_RE.match(order.ticket_no):
        order.error("ticket_no", "工单编号格式无效（应为不超过32位的字母或数字）。")

    order.order_type = text(cell("order_type"))
    order.category = normalize_category(cell("category"))
    order.tags = [t for t in re.split(r"[,，;；、\s]+", text(cell("tags"))) if t][:20]
    if any(len(tag) > TAG_MAX_LENGTH for tag in order.tags):
        order.error("tags", f"标签不能超过{TAG_MAX_LENGTH}字。")
    order.content = text(cell("content"))
    order.title = text(cell("title"))
    if not order.content:
        order.error("content", "主要内容为空。")
    if not order.title and order.content:
        # Some exports leave the title empty: the start of the content stands in.
        order.title = order.content.splitlines()[0][:40]
    order.platform_status = text(cell("platform_status"))
    order.caller_name = text(cell("caller_name"))
    order.caller_phone = ident(cell("caller_phone"))
    if order.caller_phone and not _PHONE_RE.match(order.caller_phone):
        # The value itself is personal data: the message does not repeat it.
        order.error("caller_phone", "来电人电话格式无效。")
    for key in ("district", "street", "community", "compound", "host_unit", "nature", "result", "reply"):
        setattr(order, key, text(cell(key)))
    for key, length in _MAX_LENGTHS.items():
        value = getattr(order, key)
        if len(value) > length:
            setattr(order, key, value[:length])
            order.warn(key, f"超过{length}字，已截断。")
    for key, length in _REFUSED_LENGTHS.items():
        if len(getattr(order, key)) > length:
            order.error(key, f"{LABELS[key]}超过{length}字（现为{len(getattr(order, key))}字），本行未导入。")
    if len(order.address) > TEXT_LIMITS["address"]:
        order.errors.append(("地址", f"区、街乡镇、社区、小区合计超过{TEXT_LIMITS['address']}字，本行未导入。"))

    order.received_at = _date_cell(order, "received_at", cell("received_at"))
    if order.received_at is None and not any(label == LABELS["received_at"] for label, _ in order.errors):
        order.error("received_at", "来电时间为空。")
    elif order.received_at is not None and order.received_at > now + dt.timedelta(minutes=5):
        order.error("received_at", "来电时间晚于当前时间。")
    order.closed_at = _date_cell(order, "closed_at", cell("closed_at"))
    order.urgency = urgency_for(nature=order.nature, category=order.category)
    order.callback = _parse_callback(order, cell, now=now)
    return order


def _date_cell(order: Order, key: str, value: object) -> dt.datetime | None:
    try:
        return to_datetime(value)
    except (ValueError, OverflowError):
        order.error(key, f"{LABELS[key]}无法识别（支持如 2025-01-02 08:30、2025/1/2、2025年1月2日）。")
        return None


def _parse_callback(order: Order, cell, *, now: dt.datetime) -> Callback | None:
    """The callback columns are empty in the first export of an order and
    filled in later ones. Partly filled columns are an error, except for an
    invalid callback (nobody answered), which is left out with a note."""
    keys = ("contacted", "resolved", "satisfaction", "called_at")
    if all(text(cell(key)) == "" for key in keys):
        return None
    errors_before = len(order.errors)
    values: dict[str, Any] = {}
    for key, reader in (("contacted", to_bool), ("resolved", to_bool), ("valid", to_bool)):
        try:
            values[key] = reader(cell(key))
        except ValueError:
            order.error(key, f"{LABELS[key]}应填“是”或“否”。")
    try:
        values["satisfaction"] = to_satisfaction(cell("satisfaction"))
    except ValueError:
        order.error("satisfaction", "是否满意应为“满意”“基本满意”或“不满意”。")
    values["called_at"] = _date_cell(order, "called_at", cell("called_at"))
    if len(order.errors) > errors_before:
        return None
    valid = values.get("valid")
    missing = [LABELS[key] for key in keys if values.get(key) in (None, "")]
    if missing:
        if valid is False:
            order.warn("valid", "无效回访且回访结果不完整，未录入回访。")
            return None
        order.error(keys[[LABELS[k] for k in keys].index(missing[0])], f"回访信息不完整：缺少{'、'.join(missing)}。")
        return None
    if values["called_at"] > now + dt.timedelta(minutes=5):
        order.error("called_at", "回访时间晚于当前时间。")
        return None
    if order.received_at and values["called_at"] < order.received_at:
        order.error("called_at", "回访时间早于来电时间。")
        return None
    return Callback(
        called_at=values["called_at"],
        contacted=bool(values["contacted"]),
        resolved=bool(values["resolved"]),
        satisfaction=str(values["satisfaction"]),
        valid=valid is not False,
    )


# ---------------------------------------------------------------- files


@dataclass
class Sheet:
    """An opened file: its format, header, estimated row count and a row iterator."""

    file_format: str
    header: list[str]
    columns: dict[str, int]
    header_row: int
    estimated_rows: int
    rows: Iterator[tuple[int, tuple]]  # (spreadsheet row number, cells), blank rows skipped
    close: Callable[[], None] = lambda: None


ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


def sniff_format(path: Path) -> str:
    """'xlsx' or 'csv' from the file's first bytes, not its name; FileRejected otherwise."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if not head:
        raise FileRejected("文件是空的。")
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise FileRejected("不支持旧版 .xls 格式，请在Excel中另存为 .xlsx 后再导入。")
    if b"\x00" in head or head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        raise FileRejected("文件不是电子表格（仅支持 .xlsx 和 .csv）。")
    return "csv"


def check_size(size: int) -> None:
    if size > limit("INTAKE_MAX_FILE_BYTES"):
        raise FileRejected(
            f"文件过大（{size / 1048576:.1f} MB），上限为 {limit('INTAKE_MAX_FILE_BYTES') / 1048576:.0f} MB。"
        )
    if size == 0:
        raise FileRejected("文件是空的。")


def check_xlsx_archive(path: Path) -> None:
    """Refuse zip bombs and non-workbooks before openpyxl inflates anything.
    Whatever goes wrong while reading the archive's index (a truncated file,
    a damaged central directory, an unsupported zip version, file names that
    are not UTF-8...) is the same refusal, never a server error."""
    try:
        _check_xlsx_archive(Path(path))
    except FileRejected:
        raise
    except Exception:
        raise FileRejected(CORRUPT) from None


def _check_xlsx_archive(path: Path) -> None:
    with open(path, "rb") as fh:
        # The zip index is read into memory by zipfile: a huge one is refused first.
        end = zipfile._EndRecData(fh)  # type: ignore[attr-defined]  # private, absent from typeshed
    if end is None:
        raise FileRejected(CORRUPT)
    if end[zipfile._ECD_SIZE] > MAX_CENTRAL_DIRECTORY_BYTES:  # type: ignore[attr-defined]  # as above
        raise FileRejected("文件结构异常（压缩包内文件过多），已拒绝。")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > limit("INTAKE_MAX_ZIP_MEMBERS"):
            raise FileRejected("文件结构异常（压缩包内文件过多），已拒绝。")
        by_name = {m.filename: m for m in members}
        if "[Content_Types].xml" not in by_name or not any(n.startswith("xl/workbook") for n in by_name):
            raise FileRejected("文件不是有效的 .xlsx 工作簿。")
        total = 0
        for member in members:
            total += member.file_size
            ratio = member.file_size / max(member.compress_size, 1)
            if member.file_size > 1_000_000 and ratio > limit("INTAKE_MAX_COMPRESSION_RATIO"):
                raise FileRejected("文件压缩比异常（疑似压缩炸弹），已拒绝。")
        if total > limit("INTAKE_MAX_UNCOMPRESSED_BYTES"):
            raise FileRejected(
                f"文件解压后过大（{size_label(total)}，上限{size_label(limit('INTAKE_MAX_UNCOMPRESSED_BYTES'))}），"
                "已拒绝。请拆分后分批导入。"
            )
        _check_whole_parts(archive, by_name)


def _check_whole_parts(archive: zipfile.ZipFile, by_name: dict[str, zipfile.ZipInfo]) -> None:
    """openpyxl streams the worksheets but reads every other part whole (the
    shared strings table above all): each of those is capped on its own.
    The parts are found as openpyxl finds them, from [Content_Types].xml."""
    types = by_name["[Content_Types].xml"]
    if types.file_size > MAX_CONTENT_TYPES_BYTES:
        raise FileRejected("文件结构异常（[Content_Types].xml 过大），已拒绝。")
    manifest = cast(Manifest, Manifest.from_tree(fromstring(archive.read(types))))  # type: ignore[arg-type]  # stubs want their own tree type
    streamed = {o.PartName.lstrip("/") for o in manifest.Override if o.ContentType == WORKSHEET_TYPE}
    shared = {o.PartName.lstrip("/") for o in manifest.Override if o.ContentType == SHARED_STRINGS}
    cap = limit("INTAKE_MAX_SHARED_STRINGS_BYTES")
    for name, member in by_name.items():
        if member.file_size <= cap or name in streamed:
            continue
        if name in shared:
            raise FileRejected(
                f"文件中的共享字符串表（{name}）解压后有{size_label(member.file_size)}，"
                f"超过{size_label(cap)}的上限，已拒绝。请拆分后分批导入。"
            )
        raise FileRejected(f"文件结构异常（{name[:60]} 解压后过大），已拒绝。")


def open_sheet(path: Path) -> Sheet:
    path = Path(path)
    check_size(path.stat().st_size)
    file_format = sniff_format(path)
    if file_format == "xlsx":
        check_xlsx_archive(path)
        return _open_xlsx(path)
    return _open_csv(path)


class HeaderNotFound(FileRejected):
    pass


def _find_header(rows: Iterator[tuple[int, tuple]]) -> tuple[int, tuple, dict[str, int]]:
    for seen, (number, cells) in enumerate(rows):
        if seen >= HEADER_SEARCH_ROWS:
            break
        columns, ambiguous = read_header(cells)
        if "ticket_no" in columns and len(columns) >= 3:
            missing = [LABELS[key] for key in REQUIRED_KEYS if key not in columns]
            if missing:
                raise FileRejected(f"表头缺少必需的列：{'、'.join(missing)}。")
            if ambiguous:
                raise FileRejected(_ambiguity_message(cells, ambiguous))
            return number, cells, columns
    raise HeaderNotFound("未找到表头：文件前30行中没有包含“工单编号”“来电时间”“主要内容”等列的行。")


def _ambiguity_message(cells: tuple, ambiguous: dict[str, list[int]]) -> str:
    parts = []
    for key, indexes in ambiguous.items():
        named = "、".join(f"第{column_name(i)}列“{text(cells[i])}”" for i in indexes)
        parts.append(f"{named}都对应“{LABELS[key]}”")
    return f"表头有歧义：{'；'.join(parts)}。请删除或重命名多余的列后重新导入。"


def _non_blank(rows: Iterator[tuple[int, tuple]]) -> Iterator[tuple[int, tuple]]:
    for number, cells in rows:
        if any(c is not None and (not isinstance(c, str) or c.strip()) for c in cells):
            yield number, cells[:MAX_COLUMNS]


def _guarded(rows: Iterator[tuple[int, tuple]]) -> Generator[tuple[int, tuple]]:
    """A workbook broken (or hostile) past its first rows is refused, not a 500."""
    try:
        yield from rows
    except FileRejected:
        raise
    except Exception as exc:
        raise FileRejected(CORRUPT) from exc


def _too_many_rows(number: int) -> FileRejected:
    return FileRejected(
        f"工作表用到了第{number}行，超过上限（最多{limit('INTAKE_MAX_ROWS')}行数据）。请删除多余的行或拆分后分批导入。"
    )


def _check_declared_size(worksheet) -> None:
    """The sheet's declared dimension (read without parsing the rows): a sheet
    that says it is taller or wider than allowed is refused before any row is read."""
    if (worksheet.max_row or 0) > max_row_number():
        raise _too_many_rows(worksheet.max_row)
    if (worksheet.max_column or 0) > MAX_COLUMNS:
        raise FileRejected(
            f"工作表的范围宽到第{column_name(worksheet.max_column - 1)}列，超过{MAX_COLUMNS}列的上限。"
            "请删除多余的列后重新导入。"
        )


def _count_rows(workbook, worksheet) -> int:
    """Rows of a sheet without a dimension (write-only generators leave it out),
    for the progress bar: a byte count over the inflated XML, no parsing."""
    count, tail = 0, b""
    with workbook._archive.open(worksheet._worksheet_path) as member:
        while chunk := member.read(1 << 20):
            count += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
            tail = chunk[-4:]
    return count


def _xlsx_rows(workbook, worksheet) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of the rows that hold a value, straight from
    openpyxl's own sheet parser. Unlike `iter_rows` it makes up no empty rows
    for the gaps and no empty cells up to the widest column, so a row numbered
    50,000,000 or a value in column XFD costs nothing: they are refused when
    met. Memory stays flat: one row at a time."""
    last = max_row_number()
    with workbook._archive.open(worksheet._worksheet_path) as source:
        parser = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        elements = 0
        for number, cells in parser.parse():
            parser.row_dimensions.clear()  # kept per row by openpyxl: memory would grow with the file
            elements += 1
            if number > last or elements > last:
                raise _too_many_rows(max(number, elements))
            width = 0
            for cell in cells:
                if cell["column"] > width and cell["value"] is not None and cell["value"] != "":
                    width = cell["column"]
            if width > MAX_COLUMNS:
                raise FileRejected(
                    f"第{number}行第{column_name(width - 1)}列有内容，超过{MAX_COLUMNS}列的上限。"
                    "请删除多余的列后重新导入。"
                )
            if width == 0:
                continue
            values: list[object] = [None] * width
            for cell in cells:
                if 0 < cell["column"] <= width:
                    values[cell["column"] - 1] = cell["value"]
            yield number, tuple(values)


def _open_xlsx(path: Path) -> Sheet:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise FileRejected(CORRUPT) from exc
    try:
        refusal: FileRejected = HeaderNotFound("工作簿中没有工作表。")
        for worksheet in workbook.worksheets[:10]:
            _check_declared_size(worksheet)
            declared = worksheet.max_row or 0
            if declared <= 1:
                declared = _count_rows(workbook, worksheet)
                if declared > max_row_number():
                    raise _too_many_rows(declared)
            rows = _guarded(_non_blank(_xlsx_rows(workbook, worksheet)))
            try:
                number, cells, columns = _find_header(rows)
            except HeaderNotFound as exc:
                rows.close()
                if isinstance(refusal, HeaderNotFound):
                    refusal = exc  # the orders may be on a later sheet
                continue
            return Sheet(
                file_format="xlsx",
                header=[text(c) for c in cells],
                columns=columns,
                header_row=number,
                estimated_rows=max(declared - number, 0),
                rows=rows,
                close=_closer(rows, workbook),
            )
        raise refusal
    except FileRejected:
        workbook.close()
        raise
    except Exception as exc:
        workbook.close()
        raise FileRejected(CORRUPT) from exc


def _closer(rows: Generator, workbook) -> Callable[[], None]:
    def close() -> None:
        rows.close()  # the generator closes the sheet's XML stream
        workbook.close()

    return close


def detect_encoding(path: Path) -> tuple[str, int]:
    """UTF-8 (with or without BOM) or GBK (read as GB18030, its superset);
    decoded chunk by chunk so the file is never held in memory. Also counts lines."""
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        lines = 0
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                    lines += chunk.count(b"\n")
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding, lines
    raise FileRejected("无法识别文件编码（支持 UTF-8 和 GBK 的 .csv），或文件不是电子表格。")


CSV_DELIMITERS = (",", "\t", ";")


def _open_csv(path: Path) -> Sheet:
    """Each delimiter in turn until one gives a header row: a title row or
    commas inside the text cannot make a semicolon- or tab-separated file
    look like something else (as guessing from a sample can)."""
    encoding, lines = detect_encoding(path)
    refusal: FileRejected | None = None
    for delimiter in CSV_DELIMITERS:
        handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by Sheet.close
        reader = csv.reader(handle, delimiter=delimiter)

        def records(reader=reader) -> Iterator[tuple[int, tuple]]:
            try:
                for number, record in enumerate(reader, start=1):
                    yield number, tuple(record[:MAX_COLUMNS])
            except csv.Error as exc:
                raise FileRejected(f"CSV 文件格式错误（第{reader.line_num}行）：{exc}") from None

        rows = _non_blank(records())
        try:
            number, cells, columns = _find_header(rows)
        except (FileRejected, UnicodeDecodeError) as exc:
            handle.close()
            if isinstance(exc, UnicodeDecodeError):
                raise FileRejected("无法识别文件编码。") from None
            if refusal is None or isinstance(refusal, HeaderNotFound):
                refusal = exc
            continue
        return Sheet(
            file_format="csv",
            header=[text(c) for c in cells],
            columns=columns,
            header_row=number,
            estimated_rows=max(lines - number, 0),
            rows=rows,
            close=handle.close,
        )
    if isinstance(refusal, HeaderNotFound) and encoding != "utf-8-sig":
        # Big5, Shift-JIS... decode as GBK without an error, into nonsense.
        raise HeaderNotFound(
            f"{refusal.message}文件不是UTF-8编码；如果它也不是GBK编码（例如繁体Big5、日文Shift-JIS），"
            "请在Excel中另存为 .xlsx 或 UTF-8 的 .csv 后再上传。"
        )
    raise cast(FileRejected, refusal)  # CSV_DELIMITERS is not empty


def read_raw(path: Path, row_numbers: set[int]) -> tuple[list[str], Iterator[tuple[int, tuple]]]:
    """The header and the original cells of the given rows (for the rejected-rows file)."""
    sheet = open_sheet(path)

    def picked() -> Iterator[tuple[int, tuple]]:
        try:
            remaining = set(row_numbers)
            for number, cells in sheet.rows:
                if number in remaining:
                    remaining.discard(number)
                    yield number, cells
                    if not remaining:
                        break
        finally:
            sheet.close()

    return sheet.header, picked()
