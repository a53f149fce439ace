"""The emergency pieces other pages show: the card on the case page, today's
figures on the leader's overview, and durations as people read them."""

import datetime as dt

from django import template

from cases.models import Case
from cases.permissions import case_action_allowed
from cases.transitions import Action
from communities.selectors import person_for_user
from supervision import emergencies, forms

register = template.Library()


@register.filter
def duration(value: dt.timedelta | None) -> str:
    """A span as 1小时5分 (under a minute: 不足1分); "—" when not reached yet."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return "不足1分"
    hours, minutes = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days}天{hours}小时"
    return f"{hours}小时{minutes}分" if hours else f"{minutes}分"


@register.inclusion_tag("supervision/emergency_case_card.html", takes_context=True)
def emergency_card(context, case: Case) -> dict:
    """The case's emergencies and the emergency steps the one predicate lets this user take."""
    person = person_for_user(context["request"].user)
    allowed = {
        action
        for action in (Action.RAISE_EMERGENCY, Action.ARRIVE_ON_SCENE, Action.CLOSE_EMERGENCY)
        if person is not None and case_action_allowed(case=case, person=person, action=action)
    }
    records = list(emergencies.emergency_list_for_case(case=case))
    return {
        "case": case,
        "csrf_token": context.get("csrf_token"),
        "under_way": any(e.status != "closed" for e in records),
        "records": [{"emergency": e, "times": emergencies.emergency_times(e)} for e in records],
        "raise_form": forms.EmergencyRaiseForm(auto_id="id_emergency_raise_%s")
        if Action.RAISE_EMERGENCY in allowed
        else None,
        "arrive_form": forms.EmergencyArriveForm(auto_id="id_emergency_arrive_%s")
        if Action.ARRIVE_ON_SCENE in allowed
        else None,
        "close_form": forms.EmergencyCloseForm(auto_id="id_emergency_close_%s")
        if Action.CLOSE_EMERGENCY in allowed
        else None,
    }


@register.inclusion_tag("supervision/emergency_overview.html", takes_context=True)
def emergency_overview(context) -> dict:
    """Today's emergencies (and any still under way) with their figures."""
    return {"summary": emergencies.emergency_today_summary(user=context["request"].user)}
