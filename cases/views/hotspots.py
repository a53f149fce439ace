"""热点分析 (未诉先办): where the cases of a period concentrate, against the
previous period; every figure links to the case search listing its cases."""

import datetime as dt
from typing import Any, cast

from django import forms
from django.http import HttpRequest, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import hotspots as report
from cases.hotspot_classes import hotspot_similar_classes
from cases.models import Channel, Urgency
from hotline.errors import DomainError
from hotline.validators import date_in_range
from hotline.web import WorkbenchForm, staff_required

TOP_CHOICES = [(10, "前 10"), (20, "前 20"), (50, "前 50")]


class HotspotForm(WorkbenchForm):
    """The filters, named like the case search's, so a figure's link repeats them."""

    received_after = forms.DateField(
        label="来电日期自",
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_before = forms.DateField(
        label="来电日期至",
        required=False,
        validators=[date_in_range],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    tag = forms.ChoiceField(label="标签（每月一题、七有五性）", required=False)
    category = forms.CharField(
        label="问题分类（路径前缀）",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如 城乡建设->物业管理", "list": "hotspot-categories"}),
    )
    community = forms.ModelChoiceField(label="承办社区", queryset=None, required=False, empty_label="全部社区")  # type: ignore[var-annotated]  # queryset set per user in __init__
    urgency = forms.MultipleChoiceField(
        label="紧急程度", choices=Urgency.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    channel = forms.MultipleChoiceField(
        label="来源渠道", choices=Channel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    top = forms.TypedChoiceField(
        label="每表显示", choices=TOP_CHOICES, coerce=int, required=False, empty_value=cast(Any, report.HOTSPOT_TOP)
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = report.hotspot_community_choices(user=user)
        # A community role sees only its own community: no "all communities" to offer.
        self.fields["community"].empty_label = report.hotspot_community_label(user=user)
        self.fields["tag"].choices = [("", "全部标签"), *report.hotspot_tag_choices()]
        for name in ("received_after", "received_before"):
            self.fields[name].error_messages["invalid"] = "请输入有效的日期（年-月-日）。"
        self.fields["community"].error_messages["invalid_choice"] = "所选社区不存在或不在您的查看范围内。"


def _chart(hotspots: report.Hotspots) -> dict:
    """The bar chart's data: per table the labels, both periods' figures and the case search links."""
    search = reverse("case-search")

    def figure(row: report.HotspotRow, *, previous: bool, rate: bool) -> int | float | None:
        if not rate:
            return row.previous if previous else row.count
        value = row.previous_per_10k if previous else row.per_10k
        return None if value is None else float(value)  # the chart only draws it; the table shows the exact figure

    def series(rows: list[report.HotspotRow], *, rate: bool = False) -> dict:
        return {
            "labels": [row.label for row in rows],
            "current": [figure(row, previous=False, rate=rate) for row in rows],
            "previous": [figure(row, previous=True, rate=rate) for row in rows],
            "links": [f"{search}?{row.query}" for row in rows],
            "previous_links": [f"{search}?{row.previous_query}" for row in rows],
        }

    return {
        "category_path": series(hotspots.category_path),
        "category_l2": series(hotspots.category_l2),
        "category_l1": series(hotspots.category_l1),
        "compounds": series(hotspots.compounds),
        "addresses": series(hotspots.addresses),
        "communities": series(sorted(hotspots.communities, key=lambda row: -row.count)),
        "communities_rate": series(hotspots.communities, rate=True),
    }


def _hotspot_request(request: HttpRequest) -> tuple[HotspotForm, report.HotspotFilters | None, int]:
    """The form of the request's filters and, when they hold, the checked filters and the table length."""
    today = timezone.localdate()
    default_from = today - dt.timedelta(days=report.HOTSPOT_DAYS - 1)
    bound = any(name in request.GET for name in HotspotForm.base_fields)
    form = HotspotForm(
        request.GET if bound else None,
        user=request.user,
        initial={"received_after": default_from, "received_before": today, "top": report.HOTSPOT_TOP},
    )
    if bound and not form.is_valid():
        return form, None, report.HOTSPOT_TOP
    data = form.cleaned_data if bound else {}
    community = data.get("community")
    try:
        filters = report.hotspot_filters(
            date_from=data.get("received_after"),
            date_to=data.get("received_before"),
            tag=data.get("tag", ""),
            category=data.get("category", ""),
            community_id=community.pk if community else None,
            urgencies=data.get("urgency", ()),
            channels=data.get("channel", ()),
            today=today,
        )
    except DomainError as error:
        form.add_domain_error(error)
        return form, None, report.HOTSPOT_TOP
    if bound:  # a date left empty took its default: show it in the form
        form.data = cast(QueryDict, form.data).copy()
        form.data["received_after"] = filters.date_from.isoformat()
        form.data["received_before"] = filters.date_to.isoformat()
    return form, filters, data.get("top") or report.HOTSPOT_TOP


@require_GET
@staff_required
def hotspots(request: HttpRequest):
    """The figures at once; the 相似诉求 classes (text similarity over up to
    CLASS_MAX_CASES cases) follow from `hotspot_classes` as the page loads."""
    form, filters, top = _hotspot_request(request)
    result = None
    if filters is not None:
        try:
            result = report.case_hotspots(user=request.user, filters=filters, top=top)
        except DomainError as error:
            form.add_domain_error(error)
    context = {
        "form": form,
        "hotspots": result,
        "chart": _chart(result) if result else None,
        "category_options": [row.label for row in (result.category_l1 + result.category_l2)] if result else [],
    }
    return render(request, "cases/hotspots.html", context, status=200 if result else 400)


@require_GET
@staff_required
def hotspot_classes(request: HttpRequest):
    """The hotspot page's 相似诉求 table for the same filters (htmx partial)."""
    _, filters, top = _hotspot_request(request)
    if filters is None:
        return render(request, "cases/_hotspot_classes.html", {"invalid": True}, status=400)
    classes = hotspot_similar_classes(user=request.user, filters=filters, top=top)
    return render(request, "cases/_hotspot_classes.html", {"similar_classes": classes})
