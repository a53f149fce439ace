"""The structured reply (结构化回复) the 12345 platform asks for with every
reply: when the caller was contacted, whether they were met (when, where), the
handling basis, the final handling unit, whether a 吹哨 took place (with whom,
its result), and whether the request was resolved (if not, why).

`reply_facts_clean` is the one rule of what the platform requires;
`reply_facts_text` is how the facts read in the signed text (vocabulary.signed_text
appends it to the reply), so a signature covers them like the text."""

import datetime as dt
from dataclasses import asdict, dataclass, fields

from django.utils import timezone

from cases.models import TEXT_LIMITS, Case, UnresolvedReason
from hotline.errors import InvalidInput


@dataclass(frozen=True)
class ReplyFacts:
    contacted_at: dt.datetime | None = None
    met_caller: bool | None = None
    met_at: dt.datetime | None = None
    met_place: str = ""
    basis: str = ""
    final_unit: str = ""
    whistle: bool | None = None
    whistle_parties: str = ""
    whistle_result: str = ""
    resolved: bool | None = None
    unresolved_reason: str = ""


# ReplyFacts field → Case column.
COLUMNS = {f.name: f"reply_{f.name}" for f in fields(ReplyFacts)}
LABELS = {
    "contacted_at": "联系来电人时间",
    "met_caller": "是否与来电人见面",
    "met_at": "见面时间",
    "met_place": "见面地点",
    "basis": "办理依据",
    "final_unit": "最终办理单位",
    "whistle": "是否吹哨",
    "whistle_parties": "吹哨对象",
    "whistle_result": "吹哨结果",
    "resolved": "是否解决",
    "unresolved_reason": "未解决原因类型",
}
EMPTY = ReplyFacts()


def reply_facts_of(case: Case) -> ReplyFacts:
    return ReplyFacts(**{name: getattr(case, column) for name, column in COLUMNS.items()})


def _text(value: str, name: str, *, required: bool) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    limit = TEXT_LIMITS[COLUMNS[name]]
    if required and not value:
        raise InvalidInput(f"请填写{LABELS[name]}。", field=name)
    if len(value) > limit:
        raise InvalidInput(f"{LABELS[name]}不能超过{limit}字（现为{len(value)}字）。", code="too_long", field=name)
    return value


def _yes_no(value: bool | None, name: str) -> bool:
    if value is None:
        raise InvalidInput(f"请选择{LABELS[name]}。", field=name)
    return value


def _time(value: dt.datetime | None, name: str, case: Case, now: dt.datetime) -> dt.datetime:
    if value is None:
        raise InvalidInput(f"请填写{LABELS[name]}。", field=name)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + dt.timedelta(minutes=5):
        raise InvalidInput(f"{LABELS[name]}不能晚于现在。", field=name)
    # Minutes are what the forms send: a time in the minute of the call is not before it.
    if value < case.received_at.replace(second=0, microsecond=0):
        raise InvalidInput(f"{LABELS[name]}不能早于来电时间。", field=name)
    return value.replace(second=0, microsecond=0)


def reply_facts_clean(facts: ReplyFacts, *, case: Case, now: dt.datetime) -> ReplyFacts:
    """The facts as stored, or InvalidInput naming the first missing or wrong
    field. Required as the platform requires them: the contact time (the
    case's contact step by default), the handling basis, the final unit and
    resolved yes/no; the time and place of the meeting when the caller was
    met, the parties and result when a 吹哨 took place, the reason type when
    not resolved. Details of a "no" are dropped."""
    contacted_at = facts.contacted_at or case.responded_at
    contacted_at = _time(contacted_at, "contacted_at", case, now)
    met = _yes_no(facts.met_caller, "met_caller")
    met_at, met_place = None, ""
    if met:
        met_at = _time(facts.met_at, "met_at", case, now)
        met_place = _text(facts.met_place, "met_place", required=True)
    basis = _text(facts.basis, "basis", required=True)
    final_unit = _text(facts.final_unit, "final_unit", required=True)
    whistle = _yes_no(facts.whistle, "whistle")
    parties = result = ""
    if whistle:
        parties = _text(facts.whistle_parties, "whistle_parties", required=True)
        result = _text(facts.whistle_result, "whistle_result", required=True)
    resolved = _yes_no(facts.resolved, "resolved")
    reason = ""
    if not resolved:
        reason = facts.unresolved_reason or ""
        if not reason:
            raise InvalidInput("未解决时请选择未解决原因类型。", field="unresolved_reason")
        if reason not in UnresolvedReason.values:
            raise InvalidInput("未解决原因类型不在可选范围内。", field="unresolved_reason")
    return ReplyFacts(
        contacted_at=contacted_at,
        met_caller=met,
        met_at=met_at,
        met_place=met_place,
        basis=basis,
        final_unit=final_unit,
        whistle=whistle,
        whistle_parties=parties,
        whistle_result=result,
        resolved=resolved,
        unresolved_reason=reason,
    )


def reply_facts_assign(case: Case, facts: ReplyFacts) -> list[str]:
    """Copy the facts onto the case; returns the columns to save."""
    for name, column in COLUMNS.items():
        setattr(case, column, getattr(facts, name))
    return list(COLUMNS.values())


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _yes(value: bool | None) -> str:
    return "是" if value else "否"


def reply_facts_lines(facts: ReplyFacts) -> list[tuple[str, str]]:
    """(label, value) pairs as the platform reads them; empty for a reply
    without structured facts (written before they existed)."""
    if facts == EMPTY:
        return []
    met = _yes(facts.met_caller)
    if facts.met_caller:
        met += f"（{_when(facts.met_at)}，{facts.met_place}）"
    whistle = _yes(facts.whistle)
    if facts.whistle:
        whistle += f"（吹哨对象：{facts.whistle_parties}；结果：{facts.whistle_result}）"
    resolved = _yes(facts.resolved)
    if facts.resolved is False:
        label = UnresolvedReason(facts.unresolved_reason).label if facts.unresolved_reason else ""
        resolved += f"（未解决原因：{label}）"
    return [
        ("联系来电人时间", _when(facts.contacted_at)),
        ("是否见面", met),
        ("办理依据", facts.basis),
        ("最终办理单位", facts.final_unit),
        ("是否吹哨", whistle),
        ("是否解决", resolved),
    ]


def reply_facts_text(facts: ReplyFacts) -> str:
    """The facts as they are appended to the signed reply text; "" when empty,
    so a reply written before the structured fields hashes as it always did."""
    lines = reply_facts_lines(facts)
    if not lines:
        return ""
    return "【结构化回复】\n" + "\n".join(f"{label}：{value}" for label, value in lines)


def reply_facts_data(facts: ReplyFacts) -> dict:
    """JSON-friendly facts (timeline event data, API)."""
    data = asdict(facts)
    for name in ("contacted_at", "met_at"):
        data[name] = data[name].isoformat() if data[name] else None
    return data


# The facts as spreadsheet columns (the case export, the reply sheet).
SHEET_HEADER = [
    "联系来电人时间",
    "是否见面",
    "见面时间",
    "见面地点",
    "办理依据",
    "最终办理单位",
    "是否吹哨",
    "吹哨对象",
    "吹哨结果",
    "回复是否解决",
    "未解决原因类型",
]


def _sheet_time(value: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def _sheet_yes(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


def reply_facts_cells(case: Case) -> list:
    """One value per SHEET_HEADER column."""
    return [
        _sheet_time(case.reply_contacted_at),
        _sheet_yes(case.reply_met_caller),
        _sheet_time(case.reply_met_at),
        case.reply_met_place,
        case.reply_basis,
        case.reply_final_unit,
        _sheet_yes(case.reply_whistle),
        case.reply_whistle_parties,
        case.reply_whistle_result,
        _sheet_yes(case.reply_resolved),
        case.get_reply_unresolved_reason_display() if case.reply_unresolved_reason else "",
    ]
