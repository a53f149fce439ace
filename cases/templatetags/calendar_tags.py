from django import template

from cases.deadlines import calendar_unknown_years

register = template.Library()


@register.inclusion_tag("admin/calendar_warning.html")
def calendar_warning():
    return {"years": calendar_unknown_years()}
