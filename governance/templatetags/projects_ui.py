"""Template tags that put governance projects on other apps' pages (the case
page, the case search, the hotspot page) without their views knowing of them."""

from django import template
from django.urls import reverse

from cases.models import Tag
from communities.selectors import person_for_user
from governance.projects import PROJECT_STEERERS
from governance.projects_selectors import case_projects_for_user, projects_linkable_for_user

register = template.Library()


@register.inclusion_tag("governance/projects/_case_projects.html", takes_context=True)
def case_projects(context, case):
    """The projects a case is linked to (those the viewer may see)."""
    user = context["request"].user
    return {"projects": list(case_projects_for_user(user=user, case=case)), "case": case}


@register.simple_tag(takes_context=True)
def linkable_projects(context):
    """The open projects the viewer may link cases to (a leader's)."""
    return list(projects_linkable_for_user(user=context["request"].user))


@register.simple_tag(takes_context=True)
def may_open_projects(context) -> bool:
    person = person_for_user(context["request"].user)
    return person is not None and person.role in PROJECT_STEERERS


@register.simple_tag
def monthly_board_url(tag_name: str) -> str:
    """The 每月一题 board (the projects of the months) when `tag_name` is a 每月一题 tag, else ""."""
    if tag_name and Tag.objects.filter(name=tag_name, kind=Tag.Kind.MONTHLY_TOPIC).exists():
        return reverse("project-list") + "?kind=monthly"
    return ""
