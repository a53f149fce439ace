"""PlainSelect writes what Django's Select template writes; rows_choices offers
what the model choice field offered, in one query."""

from html.parser import HTMLParser

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from communities.models import Community, Street
from hotline.widgets import PlainSelect, rows_choices


class _Elements(HTMLParser):
    """The start tags with their attributes and the text, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.items.append(("start", tag, sorted(attrs)))

    def handle_endtag(self, tag):
        self.items.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


def _parsed(html: str) -> list[tuple]:
    parser = _Elements()
    parser.feed(html)
    return parser.items


CHOICES = [
    ("", "不限"),
    ("1", '<b>"甲"社区</b> & 乙'),
    ("2", mark_safe("<i>已转义</i>")),
    ("分组", [("3", "三 ' 号"), ("4", "四")]),
    ("5", "五"),
]


@pytest.mark.parametrize("value", [None, "", "1", "3", "5", "不存在"])
def test_plain_select_writes_what_djangos_select_writes(value):
    attrs = {"class": "form-select", "id": "id_x", "required": True, "disabled": False, "data-x": '"q"'}
    mine = PlainSelect(attrs=attrs, choices=CHOICES).render("x<", value)
    django = forms.Select(attrs=attrs, choices=CHOICES).render("x<", value)
    assert _parsed(mine) == _parsed(django)
    assert "<b>" not in mine and "&lt;b&gt;" in mine  # citizen text is escaped, a safe label is not
    assert "<i>已转义</i>" in mine


@pytest.mark.django_db
def test_rows_choices_offers_the_same_options_in_one_query():
    street = Street.objects.create(name="选项街道")
    for name in ("丙社区", "甲<社区>", "乙社区"):
        Community.objects.create(street=street, name=name)
    queryset = Community.objects.filter(street=street).order_by("name")
    chosen = str(queryset[1].pk)
    before = forms.ModelChoiceField(queryset=queryset, empty_label="不限")
    expected = forms.Select(choices=before.choices).render("community", chosen)
    field = forms.ModelChoiceField(queryset=queryset, empty_label="不限")
    rows_choices(field, "name")
    with CaptureQueriesContext(connection) as queries:
        mine = field.widget.render("community", chosen)
    assert len(queries) == 1
    assert _parsed(mine) == _parsed(expected)
    assert field.clean(str(queryset[0].pk)) == queryset[0]  # validation is the model choice field's
    with pytest.raises(forms.ValidationError):
        field.clean("999999")
