"""Small pieces of the workbench pages: deadline countdowns, caller masking,
status badges. Everything goes through format_html, so citizen text is escaped."""

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from cases import deadlines
from cases.models import DeadlineRule
from cases.selectors import caller_visible_to, mask_name, mask_phone, mask_phones_in_text
from cases.transitions import OPEN, Status
from cases.vocabulary import (
    CALLBACK_OUTCOMES,
    DEADLINE_LABELS,
    case_callback_outcome,
    current_deadline_field,
    deadline_is_due_soon,
)

register = template.Library()

STATUS_TONES = {
    Status.REGISTERED: "secondary",
    Status.DISPATCHED: "primary",
    Status.RETURNED: "warning",
    Status.RESPONDED: "info",
    Status.REPLIED: "purple",
    Status.CLOSED: "success",
    Status.CALLED_BACK: "success",
    Status.NEEDS_EXPLANATION: "danger",
    Status.EXPLANATION_WRITTEN: "purple",
    Status.EXPLAINED: "dark",
}
URGENCY_TONES = {"emergency": "danger", "utility": "warning", "general": "light", "complex": "secondary"}


def duration_text(delta: dt.timedelta) -> str:
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时"
    if hours:
        return f"{hours}小时{minutes}分"
    return f"{minutes}分钟"


def deadline_state(deadline: dt.datetime, now: dt.datetime) -> str:
    if deadline < now:
        return "overdue"
    if deadline_is_due_soon(deadline, now):
        return "soon"
    return "ok"


@register.simple_tag
def deadline(value: dt.datetime | None, status: str = "", label: str = ""):
    """A colour-coded countdown to `value`; app.js keeps it counting. Only an
    open case counts down: a closed one shows the deadline as a date."""
    if value is None:
        return mark_safe('<span class="text-body-secondary">—</span>')
    when = timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if status and status not in OPEN:
        return format_html('<span class="text-body-secondary small">{}</span>', when)
    now = timezone.now()
    state = deadline_state(value, now)
    text = ("已超时 " if state == "overdue" else "剩余 ") + duration_text(value - now)
    return format_html(
        '<span class="deadline deadline-{}" data-deadline="{}" title="{}时限：{}">'
        '<span class="deadline-dot" aria-hidden="true"></span><span class="deadline-text">{}</span></span>',
        state,
        value.isoformat(),
        label,
        when,
        text,
    )


def _deadline_field(case, which: str) -> str | None:
    """ "response"/"closure" name a deadline; "" is the one running for the case's current step."""
    if which:
        return f"{which}_deadline"
    return current_deadline_field(case.status)


@register.simple_tag
def step_deadline(case, which: str = ""):
    """The countdown of the deadline running for the case's step (or of the one named)."""
    name = _deadline_field(case, which)
    if name is None:
        # No clock running: a finished case shows its closure deadline as a plain date.
        return deadline(case.closure_deadline, "closed", "办结")
    status = case.status
    if name == "response_deadline" and case.status != Status.DISPATCHED:
        status = "closed"  # the call was made (or never had to be): no countdown
    return deadline(getattr(case, name), status, DEADLINE_LABELS[name])


@register.filter
def late_on(case, which: str = "") -> bool:
    """Whether the deadline shown by `step_deadline` with the same argument has passed."""
    name = _deadline_field(case, which)
    if name is None or case.status not in OPEN:
        return False
    if name == "response_deadline" and case.status != Status.DISPATCHED:
        return False
    value = getattr(case, name)
    return value is not None and value < timezone.now()


def amount_text(amount: int, unit: str) -> str:
    return f"{amount}{'个' if unit == DeadlineRule.Unit.WORKING_DAYS else ''}{DeadlineRule.Unit(unit).label}"


@register.simple_tag
def clock_rule(case) -> str:
    """The response and closure amounts of the case's level, started by the first dispatch."""
    response_amount, response_unit, closure_amount, closure_unit = deadlines.rule_for(case.urgency)
    return f"响应 {amount_text(response_amount, response_unit)}，办结 {amount_text(closure_amount, closure_unit)}"


@register.simple_tag
def queue_wait(case, limits: dict[str, dt.timedelta]):
    """How long a case has waited for dispatch, warned against its level's dispatch time:
    grey within half of it, yellow past half, red past it."""
    since = getattr(case, "queued_at", None)
    if since is None:
        return ""
    waited = timezone.now() - since
    limit = limits.get(case.urgency)
    state = "ok"
    if limit is not None and waited > limit:
        state = "overdue"
    elif limit is not None and waited * 2 > limit:
        state = "soon"
    title = f"应在{duration_text(limit)}内派发" if limit is not None else ""
    return format_html(
        '<span class="deadline deadline-{}" title="{}"><span class="deadline-dot" aria-hidden="true"></span>'
        '<span class="deadline-text">已等待 {}{}</span></span>',
        state,
        title,
        duration_text(waited),
        "，超过派发时限" if state == "overdue" else "",
    )


@register.simple_tag
def status_badge(case):
    tone = STATUS_TONES.get(case.status, "secondary")
    return format_html('<span class="badge status-badge text-bg-{}">{}</span>', tone, case.get_status_display())


OUTCOME_TONES = {"positive": "success", "single": "warning", "double": "danger"}


@register.simple_tag
def callback_outcome_badge(case):
    """The callback outcome (cases.vocabulary) as a badge; nothing before the callback."""
    outcome = case_callback_outcome(case)
    if outcome == "none":
        return ""
    tone = OUTCOME_TONES[outcome]
    return format_html('<span class="badge outcome-badge text-bg-{}">回访{}</span>', tone, CALLBACK_OUTCOMES[outcome])


@register.simple_tag(takes_context=True)
def repeat_caller_ids(context, cases) -> set[int]:
    """The cases of a list whose caller is a repeat caller (cases.context), in one query."""
    from cases.context import case_repeat_caller_ids

    return case_repeat_caller_ids(user=context["request"].user, case_ids=[case.pk for case in cases])


@register.simple_tag
def urgency_badge(case):
    if case.urgency == "general":
        return ""
    tone = URGENCY_TONES.get(case.urgency, "secondary")
    return format_html('<span class="badge text-bg-{}">{}</span>', tone, case.get_urgency_display())


@register.simple_tag(takes_context=True)
def caller_name(context, case) -> str:
    """In full only for those who call the caller."""
    if caller_visible_to(context["request"].user, case):
        return case.caller_name
    return mask_name(case.caller_name)


@register.simple_tag(takes_context=True)
def caller_phone(context, case) -> str:
    """The phone as a tap-to-call link for those who call the caller; masked text for the others."""
    if caller_visible_to(context["request"].user, case):
        phone = case.caller_phone.strip()
        if not phone:
            return ""
        dial = "".join(ch for ch in phone if ch.isdigit() or ch == "+")
        return format_html('<a href="tel:{}" class="tel-link">{}</a>', dial, phone) if dial else phone
    return mask_phone(case.caller_phone)


@register.simple_tag(takes_context=True)
def case_text(context, case, text: str) -> str:
    """Free text of a case (content, reply, notes): phone numbers in it masked
    for those who see the caller masked."""
    if caller_visible_to(context["request"].user, case):
        return text
    return mask_phones_in_text(text)


@register.filter
def short_sha(value: str) -> str:
    return (value or "")[:12]
