"""The placeholders an article may hold ({工单编号}, {小区} …), filled with
the case's facts when the reply form offers the article. The caller's name
and phone only for a user who may see them on that case; otherwise the
placeholder reads "来电人" and the masked phone."""

import re
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from cases.models import Case
from cases.selectors import caller_visible_to, mask_phone


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _handler(case: Case) -> str:
    if case.handler is None:
        return ""
    person = getattr(case.handler, "person", None)
    return person.full_name if person else case.handler.get_username()


# token → (what it holds, its value for a case; the bool says whether the user sees callers).
PLACEHOLDERS: dict[str, tuple[str, Callable[[Case, bool], str]]] = {
    "工单编号": ("案件的工单编号", lambda case, callers: case.ticket_no),
    "来电时间": ("来电时间（年-月-日 时:分）", lambda case, callers: _when(case.received_at)),
    "联系时间": ("联系来电人的时间", lambda case, callers: _when(case.responded_at)),
    "小区": ("小区点位", lambda case, callers: case.compound),
    "地址": ("反映地址", lambda case, callers: case.address),
    "标题": ("工单标题", lambda case, callers: case.title),
    "问题分类": ("问题分类", lambda case, callers: case.category),
    "承办社区": ("承办社区", lambda case, callers: case.community.name if case.community else ""),
    "包片科室": ("包片科室", lambda case, callers: case.department.name if case.department else ""),
    "承办人": ("承办人姓名", lambda case, callers: _handler(case)),
    "来电人": (
        "来电人姓名；无权查看来电人的岗位显示为“来电人”",
        lambda case, callers: case.caller_name if callers else "来电人",
    ),
    "来电人电话": (
        "来电人电话；无权查看来电人的岗位显示为掩码（138****1234）",
        lambda case, callers: case.caller_phone if callers else mask_phone(case.caller_phone),
    ),
}

_TOKEN = re.compile(r"\{([^{}]{1,12})\}")


def article_fill(text: str, *, case: Case, user: AbstractBaseUser | AnonymousUser) -> str:
    """The text with each known placeholder replaced by the case's value;
    unknown ones stay as typed, for the officer to see and fix."""
    callers = caller_visible_to(user, case)

    def replace(match: re.Match) -> str:
        entry = PLACEHOLDERS.get(match.group(1))
        return entry[1](case, callers) if entry else match.group(0)

    return _TOKEN.sub(replace, text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({m.group(1) for m in _TOKEN.finditer(text) if m.group(1) not in PLACEHOLDERS})
