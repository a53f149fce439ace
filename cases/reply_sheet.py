"""The 12345 platform's reply sheet (回复单): the cases closed in a period,
one row per work order keyed by 工单编号, in the columns kept in the admin
(`ReplySheetColumn`), so the clerks upload it instead of typing every reply
again. Written through hotline.xlsx (text stays text, never a formula);
caller name and phone only when a column asks for them and the user's role
may see callers."""

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet
from django.utils import timezone

from cases.intake.parsing import limit
from cases.models import Case, ReplySheetColumn, ReplySheetField
from cases.reply_facts import reply_facts_cells
from cases.selectors import caller_visible_to, case_scope_for_user, mask_phones_in_text
from communities.models import Role
from communities.selectors import person_for_user
from hotline.dates import local_midnight
from hotline.errors import InvalidInput, NotAllowed
from hotline.xlsx import workbook_stream

# The longest period one sheet covers.
MAX_DAYS = 93
CHUNK = 2000

# Used when the admin has removed every column: the platform's own order.
DEFAULT_COLUMNS = [
    ("工单编号", ReplySheetField.TICKET_NO),
    ("联系来电人时间", ReplySheetField.CONTACTED_AT),
    ("是否见面", ReplySheetField.MET_CALLER),
    ("见面时间", ReplySheetField.MET_AT),
    ("见面地点", ReplySheetField.MET_PLACE),
    ("办理依据", ReplySheetField.BASIS),
    ("最终办理单位", ReplySheetField.FINAL_UNIT),
    ("是否吹哨", ReplySheetField.WHISTLE),
    ("吹哨对象", ReplySheetField.WHISTLE_PARTIES),
    ("吹哨结果", ReplySheetField.WHISTLE_RESULT),
    ("是否解决", ReplySheetField.RESOLVED),
    ("未解决原因类型", ReplySheetField.UNRESOLVED_REASON),
    ("办理结果", ReplySheetField.REPLY_TEXT),
    ("办结时间", ReplySheetField.CLOSED_AT),
]

CALLER_FIELDS = {ReplySheetField.CALLER_NAME, ReplySheetField.CALLER_PHONE}
# Staff or citizen text that may hold a phone number: masked for roles that do not see callers.
FREE_TEXT_FIELDS = {
    ReplySheetField.TITLE,
    ReplySheetField.REPLY_TEXT,
    ReplySheetField.BASIS,
    ReplySheetField.MET_PLACE,
    ReplySheetField.WHISTLE_RESULT,
}


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _person(user) -> str:
    if user is None:
        return ""
    person = getattr(user, "person", None)
    return person.full_name if person else user.get_username()


_FACT_FIELDS = [
    ReplySheetField.CONTACTED_AT,
    ReplySheetField.MET_CALLER,
    ReplySheetField.MET_AT,
    ReplySheetField.MET_PLACE,
    ReplySheetField.BASIS,
    ReplySheetField.FINAL_UNIT,
    ReplySheetField.WHISTLE,
    ReplySheetField.WHISTLE_PARTIES,
    ReplySheetField.WHISTLE_RESULT,
    ReplySheetField.RESOLVED,
    ReplySheetField.UNRESOLVED_REASON,
]


def _fact(index: int) -> Callable[[Case], object]:
    return lambda case: reply_facts_cells(case)[index]


# Each field's value for a case; one entry per ReplySheetField (a test checks).
VALUES: dict[str, Callable[[Case], object]] = {
    ReplySheetField.TICKET_NO: lambda case: case.ticket_no,
    ReplySheetField.RECEIVED_AT: lambda case: _local(case.received_at),
    ReplySheetField.CALLER_NAME: lambda case: case.caller_name,
    ReplySheetField.CALLER_PHONE: lambda case: case.caller_phone,
    ReplySheetField.TITLE: lambda case: case.title,
    ReplySheetField.CATEGORY: lambda case: case.category,
    ReplySheetField.COMMUNITY: lambda case: case.community.name if case.community else "",
    ReplySheetField.DEPARTMENT: lambda case: case.department.name if case.department else "",
    ReplySheetField.HANDLER: lambda case: _person(case.handler),
    **{field: _fact(index) for index, field in enumerate(_FACT_FIELDS)},
    ReplySheetField.REPLY_TEXT: lambda case: case.reply_text,
    ReplySheetField.REPLIED_AT: lambda case: _local(case.replied_at),
    ReplySheetField.CLOSED_AT: lambda case: _local(case.closed_at),
}


def reply_sheet_allowed_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    """The clerks, who upload the sheet to the platform."""
    person = person_for_user(user)
    return person is not None and person.role == Role.CLERK


def reply_sheet_default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """This week so far (Monday to today)."""
    today = today or timezone.localdate()
    return today - dt.timedelta(days=today.weekday()), today


def reply_sheet_columns() -> list[tuple[str, str]]:
    """(header, field) in order: the admin's columns, or the default set."""
    columns = [(c.header, c.field) for c in ReplySheetColumn.objects.order_by("position")]
    return columns or [(header, field.value) for header, field in DEFAULT_COLUMNS]


def reply_sheet_period(*, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    """The period checked: both days given, in order, at most MAX_DAYS long."""
    if start is None or end is None:
        raise InvalidInput("请选择起止日期。", field="start" if start is None else "end")
    if end < start:
        raise InvalidInput("结束日期不能早于开始日期。", field="end")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidInput(f"一次最多导出{MAX_DAYS}天，请缩短期间。", field="end")
    return start, end


def reply_sheet_cases(*, user: AbstractBaseUser | AnonymousUser, start: dt.date, end: dt.date) -> QuerySet[Case]:
    """The user's cases closed (reply double-signed) from `start` to `end`, local days included."""
    start, end = reply_sheet_period(start=start, end=end)
    return (
        case_scope_for_user(user)
        .filter(closed_at__gte=local_midnight(start), closed_at__lt=local_midnight(end + dt.timedelta(days=1)))
        .select_related("community", "department", "handler__person")
        .order_by("closed_at", "id")
    )


@dataclass(frozen=True)
class ReplySheet:
    filename: str
    total: int
    chunks: Iterator[bytes]


def reply_sheet_xlsx(*, user: AbstractBaseUser | AnonymousUser, start: dt.date, end: dt.date) -> ReplySheet:
    """The reply sheet of the period as an .xlsx file, one row per order."""
    if not reply_sheet_allowed_for(user):
        raise NotAllowed("只有办件员可以导出回复单。")
    cases = reply_sheet_cases(user=user, start=start, end=end)
    total = cases.count()
    maximum = limit("INTAKE_EXPORT_MAX_ROWS")
    if total > maximum:
        raise InvalidInput(f"该期间有{total}件，超过单次导出上限{maximum}件，请缩短期间。")
    columns = reply_sheet_columns()
    with_caller = caller_visible_to(user)

    def cell(case: Case, field: str) -> object:
        if field in CALLER_FIELDS and not with_caller:
            return ""
        value = VALUES[field](case)
        if field in FREE_TEXT_FIELDS and not with_caller and isinstance(value, str):
            return mask_phones_in_text(value)
        return value

    def rows() -> Iterator[list]:
        for case in cases.iterator(chunk_size=CHUNK):
            yield [cell(case, field) for _, field in columns]

    filename = f"12345回复单-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    header = [header for header, _ in columns]
    return ReplySheet(filename=filename, total=total, chunks=workbook_stream([("回复单", header, rows())]))
