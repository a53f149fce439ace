"""The case list as .xlsx: the filters of the case API and search page
(`CaseFilter`), the user's scope (`case_list_for_user`), rows streamed from
the database into a write-only workbook whose bytes are streamed to the
browser as they are written. Caller name and phone only for roles that call
callers, and only when asked for."""

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import django_filters
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from cases.api.filters import CaseFilter
from cases.intake.parsing import limit
from cases.models import Case
from cases.reply_facts import SHEET_HEADER, reply_facts_cells
from cases.selectors import caller_visible_to, case_list_for_user, mask_phones_in_text
from cases.vocabulary import case_keyword_q
from hotline.errors import InvalidInput
from hotline.xlsx import workbook_stream

CHUNK = 2000
# Bytes of the compressed file per case (about 110 on short repetitive test
# cases, more on real ones): the browser's progress estimate; the length is known only at the end.
ESTIMATED_BYTES_PER_CASE = 300


class ExportCaseFilter(CaseFilter):
    """CaseFilter plus the keyword search of the API (`search`) and of the search page (`q`)."""

    q = django_filters.CharFilter(method="filter_keyword")
    search = django_filters.CharFilter(method="filter_keyword")

    def filter_keyword(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        keyword = case_keyword_q(value)
        return queryset if keyword is None else queryset.filter(keyword)


def _local(value: dt.datetime | None) -> dt.datetime | None:
    # Excel has no time zones: the street's local time, as shown on every page.
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


HEADER = [
    "工单编号",
    "来源渠道",
    "工单类型",
    "来电时间",
    "被反映社区",
    "小区点位",
    "地址",
    "问题分类",
    "标签",
    "标题",
    "主要内容",
    "紧急程度",
    "状态",
    "承办社区",
    "包片科室",
    "承办人",
    "首次派发时间",
    "响应时限",
    "办结时限",
    "联系时间",
    "办理结果",
    *SHEET_HEADER,
    "办结时间",
    "回访时间",
    "是否联系",
    "是否解决",
    "是否满意",
    "是否有效回访",
    "回访结果",
    "核减原因",
]
CALLER_HEADER = ["来电人", "来电人电话"]
TITLE, CONTENT, REPLY = HEADER.index("标题"), HEADER.index("主要内容"), HEADER.index("办理结果")
# The reply's structured facts follow the reply; their free text may hold phone numbers too.
FACTS = range(REPLY + 1, REPLY + 1 + len(SHEET_HEADER))


def _row(case: Case, with_caller: bool) -> list:
    handler = ""
    if case.handler is not None:
        person = getattr(case.handler, "person", None)
        handler = person.full_name if person else case.handler.get_username()
    reported, community, department = case.reported_community, case.community, case.department
    row = [
        case.ticket_no,
        case.get_channel_display(),
        case.order_type,
        _local(case.received_at),
        reported.name if reported is not None else case.reported_community_name,
        case.compound,
        case.address,
        case.category,
        "、".join(tag.name for tag in case.tags.all()),
        case.title,
        case.content,
        case.get_urgency_display(),
        case.get_status_display(),
        community.name if community is not None else "",
        department.name if department is not None else "",
        handler,
        _local(case.first_dispatched_at),
        _local(case.response_deadline),
        _local(case.closure_deadline),
        _local(case.responded_at),
        case.reply_text,
        *reply_facts_cells(case),
        _local(case.closed_at),
        _local(case.callback_at),
        _yes_no(case.callback_contacted),
        _yes_no(case.callback_resolved),
        case.get_callback_satisfaction_display() if case.callback_satisfaction else "",
        _yes_no(case.callback_valid),
        case.callback_outcome_label,
        case.get_exclusion_reason_display() if case.exclusion_reason else "",
    ]
    if with_caller:
        row[4:4] = [case.caller_name, case.caller_phone]
    else:
        # Without the caller columns, no phone number leaks through the free text either.
        for index in (TITLE, CONTENT, REPLY, *FACTS):
            if isinstance(row[index], str):
                row[index] = mask_phones_in_text(row[index])
    return row


def case_export_queryset(*, user: AbstractBaseUser | AnonymousUser, params: Mapping) -> QuerySet[Case]:
    # Everything a row shows comes with the case: a few queries per chunk of
    # cases instead of four per case.
    scope = (
        case_list_for_user(user)
        .select_related("reported_community", "community", "department", "handler__person")
        .prefetch_related("tags")
    )
    case_filter = ExportCaseFilter(params, queryset=scope)
    if not case_filter.is_valid():
        fields = "、".join(str(case_filter.form.fields[name].label or name) for name in case_filter.errors)
        raise InvalidInput(f"筛选条件有误：{fields}。")
    cases = case_filter.qs
    if params.get("tag"):
        cases = cases.distinct()  # the tag filter joins; a case is one row
    return cases.order_by("-received_at", "-id")


@dataclass(frozen=True)
class CaseExport:
    filename: str
    total: int  # cases in the file
    chunks: Iterator[bytes]  # the .xlsx file, written as it is read

    @property
    def estimated_bytes(self) -> int:
        return 6000 + self.total * ESTIMATED_BYTES_PER_CASE


def case_export_xlsx(
    *, user: AbstractBaseUser | AnonymousUser, params: Mapping, include_caller: bool = False
) -> CaseExport:
    """The filtered, scoped case list as an .xlsx file. The filter and the row
    cap are checked here, before the first byte; the rows are read and
    written while the file is being sent."""
    cases = case_export_queryset(user=user, params=params)
    maximum = limit("INTAKE_EXPORT_MAX_ROWS")
    total = cases.count()
    if total > maximum:
        raise InvalidInput(f"符合条件的案件有{total}件，超过单次导出上限{maximum}件，请缩小筛选范围。")
    with_caller = include_caller and caller_visible_to(user)
    header = HEADER[:4] + CALLER_HEADER + HEADER[4:] if with_caller else HEADER

    def rows() -> Iterator[list]:
        for case in cases.iterator(chunk_size=CHUNK):
            yield _row(case, with_caller)

    filename = f"案件清单-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return CaseExport(filename=filename, total=total, chunks=workbook_stream([("案件清单", header, rows())]))
