"""Files shaped like the city platform's export, written with openpyxl or csv:
used by the tests (every tolerance has a file built here, none is a
hand-edited binary) and by the `bench_import` command."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook

from cases.intake.parsing import COLUMNS

HEADER: list[str] = [column.label for column in COLUMNS]


def order_row(
    n: int,
    *,
    received_at: dt.datetime | str | None = None,
    community: str = "幸福社区",
    callback: Mapping[str, object] | None = None,
    **overrides: object,
) -> dict[str, object]:
    """One order as the platform exports it, keyed by header label. `callback`
    fills the callback columns (是否联系, 是否解决, 是否满意, 是否有效回访, 回访时间)."""
    row: dict[str, object] = {
        "工单编号": f"2025{n:09d}",
        "工单类型": "诉求",
        "问题分类": "城乡建设->物业管理->电梯故障",
        "标签": "",
        "标题": f"电梯故障{n}",
        "主要内容": f"{n % 40 + 1}号楼电梯停运，物业未处理，请尽快维修。",
        "工单状态": "已派单",
        "来电人": "张三",
        "来电人电话": f"138{n % 100_000_000:08d}",
        "来电时间": received_at or dt.datetime(2025, 3, 1, 8, 30) + dt.timedelta(minutes=n % 50_000),
        "被反映区": "朝阳区",
        "被反映街乡镇": "测试街道",
        "村/社区": community,
        "小区点位": "",
        "主办单位": "测试街道办事处",
        "工单性质": "普通",
        "办理结果": "",
        "回复内容": "",
        "办结时间": None,
        "是否联系": "",
        "是否解决": "",
        "是否满意": "",
        "是否有效回访": "",
        "回访时间": None,
    }
    if callback:
        row.update(callback)
    row.update(overrides)
    return row


def callback_values(
    called_at: dt.datetime | str,
    *,
    contacted: str = "是",
    resolved: str = "是",
    satisfaction: str = "满意",
    valid: str = "是",
) -> dict[str, object]:
    return {
        "是否联系": contacted,
        "是否解决": resolved,
        "是否满意": satisfaction,
        "是否有效回访": valid,
        "回访时间": called_at,
    }


def _cells(row: Mapping[str, object] | Sequence[object], header: Sequence[str]) -> list[object]:
    if isinstance(row, Mapping):
        return [row.get(label) for label in header]
    return list(row)


def write_xlsx(
    path: Path,
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    *,
    header: Sequence[str] = HEADER,
    keys: Sequence[str] | None = None,
    above: Iterable[Sequence[object]] = (),
) -> Path:
    """`header` is written as given (odd spacing and all); `keys` are the labels
    used to pick the values from dict rows (default: the header itself);
    `above` are rows written before the header (a title row, blank rows)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    for line in above:
        sheet.append(list(line))
    sheet.append(list(header))
    for row in rows:
        sheet.append(_cells(row, keys or header))
    workbook.save(path)
    return Path(path)


def write_csv(
    path: Path,
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    *,
    header: Sequence[str] = HEADER,
    keys: Sequence[str] | None = None,
    encoding: str = "utf-8-sig",
    above: Iterable[Sequence[object]] = (),
    delimiter: str = ",",
) -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh, delimiter=delimiter)
        for line in above:
            writer.writerow(line)
        writer.writerow(header)
        for row in rows:
            writer.writerow([_csv_value(v) for v in _cells(row, keys or header)])
    return Path(path)


def _csv_value(value: object) -> object:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return "" if value is None else value


_INLINE_CELL = re.compile(
    rb'<c r="([A-Z]+[0-9]+)"((?: s="[0-9]+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S
)
_SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SHARED_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def use_shared_strings(path: Path) -> Path:
    """Rewrite a workbook written by openpyxl (text in the cells) the way
    Excel and the platform's exporter write it: text in a shared strings
    table (xl/sharedStrings.xml), the cells holding its indexes."""
    with zipfile.ZipFile(path) as source:
        members = {info.filename: source.read(info) for info in source.infolist()}
    strings: dict[bytes, int] = {}

    def shared(match: re.Match) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (match.group(1), match.group(2), index)

    for name in [n for n in members if n.startswith("xl/worksheets/sheet")]:
        members[name] = _INLINE_CELL.sub(shared, members[name])
    items = b"".join(b'<si><t xml:space="preserve">%s</t></si>' % text for text in strings)
    members["xl/sharedStrings.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>'
        % (len(strings), len(strings), items)
    )
    override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SHARED_STRINGS_TYPE}"/>'
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", f"{override}</Types>".encode())
    relation = f'<Relationship Id="rIdShared" Type="{_SHARED_STRINGS_REL}" Target="sharedStrings.xml"/>'
    rels = "xl/_rels/workbook.xml.rels"
    members[rels] = members[rels].replace(b"</Relationships>", f"{relation}</Relationships>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in members.items():
            target.writestr(name, data)
    return Path(path)


# ---------------------------------------------------------------- a file to try the import with

# Made-up orders: the callers are "X女士/先生" with numbers holding 0000, as in the demo street.
_SAMPLE_ORDERS = (
    (
        "城乡建设->物业管理->电梯故障",
        "电梯停运",
        "{c}3号楼2单元电梯停运两天，老人上下楼困难，物业答复等配件，请尽快维修。",
    ),
    ("城乡建设->供暖->室温不达标", "暖气不热", "{c}家中暖气片温度低，室温只有15度左右，已找过物业未解决。"),
    ("城市管理->市容环境->楼道堆物", "楼道堆放杂物", "{c}5号楼楼道长期堆放纸箱和旧家具，存在消防隐患，请督促清理。"),
    ("城市管理->噪声污染->施工噪声", "夜间施工噪音", "{c}附近工地晚上十一点后仍在施工，噪音很大，影响休息。"),
    ("城乡建设->市政设施->路灯故障", "路灯不亮", "{c}北门外路段三盏路灯不亮一周了，晚上出行不安全。"),
    ("城乡建设->供水->漏水", "楼上漏水", "{c}8号楼楼上卫生间漏水到楼下，联系不上楼上住户，请协调处理。"),
    ("城市管理->停车管理->占用消防通道", "车辆占用消防通道", "{c}小区内消防通道长期被私家车占用，请物业和社区管理。"),
    ("社会管理->养老服务->助餐", "老年餐桌开办", "{c}附近没有老年餐桌，希望社区协调开办助餐点。"),
)


def sample_rows(*, communities: Sequence[str], day: dt.date) -> list[dict[str, object]]:
    """A few realistic orders of one day for the given communities (made-up
    callers), the last two with the platform's callback already in."""
    rows = []
    places = list(communities) or ["幸福社区"]
    for n, (category, title, content) in enumerate(_SAMPLE_ORDERS, start=1):
        community = places[(n - 1) % len(places)]
        received = dt.datetime.combine(day, dt.time(8, 0)) + dt.timedelta(minutes=47 * n)
        callback = None
        if n > len(_SAMPLE_ORDERS) - 2:
            callback = callback_values(received + dt.timedelta(days=1), satisfaction="基本满意")
        rows.append(
            order_row(
                n,
                received_at=received,
                community=community,
                callback=callback,
                工单编号=f"{day:%Y%m%d}{n:05d}",
                问题分类=category,
                标题=title,
                主要内容=content.format(c=community),
                来电人=f"{'王李张刘陈杨黄赵'[n % 8]}{'女士' if n % 2 else '先生'}",
                来电人电话=f"13{n % 10}0000{1000 + n * 37:04d}",
                被反映街乡镇="",
                主办单位="",
            )
        )
    return rows


def sample_export_bytes(*, communities: Sequence[str], today: dt.date) -> bytes:
    """The sample as the platform's .xlsx export, with a title row above the
    header: orders of three days ago, the last two called back since."""
    day = today - dt.timedelta(days=3)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("工单")
    sheet.append([f"12345工单导出（示例：虚构工单，仅供试用导入） {day:%Y-%m-%d}"])
    sheet.append(HEADER)
    for row in sample_rows(communities=communities, day=day):
        sheet.append(_cells(row, HEADER))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
