"""Selects of a few thousand options (every unit, pairing and handler of a
district) without a model instance and a template per option: the case
search's filter form spent most of its time there."""

import html
from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import SafeString, mark_safe


def _text(value: Any) -> str:
    """As a template writes a value: escaped unless already marked safe."""
    return str(value.__html__()) if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """As Django's attrs.html writes them: `True` a bare name, `False` left out, values escaped."""
    return "".join(
        f" {name}" if value is True else f' {name}="{html.escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainSelect(forms.Select):
    """`forms.Select` written in one pass instead of one template per option:
    the same elements, attributes and escaping (tests compare the two)."""

    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(f'<optgroup label="{_text(group_name)}">')
            parts.extend(
                f'<option value="{html.escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>"
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))  # every value above is escaped


def rows_choices(field: forms.ModelChoiceField, label: Any) -> None:
    """Give `field` a PlainSelect whose options are (pk, label) rows of ONE values
    query of its queryset, in its order (`label`: a field name or an expression
    that gives the text its model's __str__ would). Validation is unchanged."""

    class RowsChoiceIterator(ModelChoiceIterator):
        def __iter__(self) -> Iterator[Any]:
            if self.field.empty_label is not None:
                yield ("", self.field.empty_label)
            yield from self.queryset.values_list("pk", label)

    field.iterator = RowsChoiceIterator
    widget = PlainSelect(attrs=field.widget.attrs)
    widget.choices = field.choices  # type: ignore[assignment]  # lazy, as ModelChoiceField gives its own widget
    widget.is_required = field.required
    field.widget = widget
