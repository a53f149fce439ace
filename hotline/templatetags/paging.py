"""Page links for every paginated list: numbered, elided around the current page."""

from django import template
from django.core.paginator import Page

register = template.Library()


@register.simple_tag
def page_range(page: Page) -> list[int | str]:
    """1 … 4 5 [6] 7 8 … 130: the first and last pages, and two on each side
    of the current one; the ellipsis is Paginator.ELLIPSIS."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
