"""The case page's 吹哨 card: the case's meetings and the link to convene one
(cases' template includes it; governance answers through its own selectors)."""

from django import template

from governance import meetings
from governance.meetings_selectors import meetings_for_case

register = template.Library()


@register.inclusion_tag("governance/meetings/_for_case.html", takes_context=True)
def case_meetings(context, case) -> dict:
    user = context["request"].user
    return {
        "case": case,
        "meetings": list(meetings_for_case(user=user, case_id=case.pk)),
        "may_convene": meetings.meeting_may(user, None, meetings.CONVENE),
    }
