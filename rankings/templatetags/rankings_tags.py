from django import template

from rankings import formatting

register = template.Library()


@register.filter
def pct(rate):
    return formatting.percent(rate)


@register.filter
def score(value):
    return formatting.score(value)


@register.filter
def rank_change(change):
    return formatting.rank_change(change)
