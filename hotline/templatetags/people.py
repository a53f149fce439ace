"""A person as pages name them."""

from django import template

from hotline.api_fields import display_name

register = template.Library()


@register.filter
def person_name(user) -> str:
    """The person's name, the login name of an account without a role, or "" for no one
    (a step the system took): `{{ event.actor|person_name|default:"系统" }}`."""
    return display_name(user)
