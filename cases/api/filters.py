"""Filters of the case list. `CaseFilter` is shared by the API and the xlsx
export, so a list and its export always hold the same cases."""

import datetime as dt

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters

from cases import groupings, vocabulary
from cases.models import Case, Channel, ExtensionRequest, Urgency
from cases.transitions import OPEN, Status
from cases.vocabulary import CALLBACK_OUTCOME_FILTERS
from communities.models import COMMUNITY_ROLES, Community, Department, Pairing
from hotline.api import FilterSet, OrderingFilter, StrictBooleanFilter
from hotline.dates import local_midnight
from hotline.validators import ID_MAX, date_in_range

CALLBACK_OUTCOMES = CALLBACK_OUTCOME_FILTERS


def _q_filter(q: Q, value: bool, queryset: QuerySet) -> QuerySet:
    return queryset.filter(q) if value else queryset.exclude(q)


class CaseFilter(FilterSet):
    # distinct=False: a filter on a column of the case cannot duplicate rows, and
    # django-filter's default SELECT DISTINCT over every column sorts the whole list.
    status = filters.MultipleChoiceFilter(label="状态", choices=Status.choices, distinct=False)
    community = filters.ModelChoiceFilter(label="承办社区", queryset=Community.objects.all())
    department = filters.ModelChoiceFilter(label="包片科室", queryset=Department.objects.all())
    pairing = filters.ModelChoiceFilter(
        label="包片", queryset=Pairing.objects.select_related("community", "department")
    )
    handler = filters.ModelChoiceFilter(
        label="承办人",
        queryset=get_user_model()
        .objects.filter(person__role__in=COMMUNITY_ROLES)
        .select_related("person")
        .order_by("person__full_name", "id"),
    )
    category = filters.CharFilter(label="问题分类（路径前缀）", method="filter_category")
    category_exact = filters.CharFilter(label="问题分类（完整路径）", method="filter_category_exact")
    compound = filters.CharFilter(label="小区点位", field_name="compound")
    address_cluster = filters.CharFilter(label="地址聚类（至楼号）", method="filter_address_cluster")
    channel = filters.MultipleChoiceFilter(label="来源渠道", choices=Channel.choices, distinct=False)
    urgency = filters.MultipleChoiceFilter(label="紧急程度", choices=Urgency.choices, distinct=False)
    tag = filters.CharFilter(label="标签", field_name="tags__name")
    received_after = filters.DateFilter(label="来电日期自", method="filter_received_after", validators=[date_in_range])
    received_before = filters.DateFilter(
        label="来电日期至", method="filter_received_before", validators=[date_in_range]
    )
    dispatched_after = filters.DateFilter(
        label="首次派发日期自", method="filter_dispatched_after", validators=[date_in_range]
    )
    closed_after = filters.DateFilter(label="办结日期自", method="filter_closed_after", validators=[date_in_range])
    callback_after = filters.DateFilter(label="回访日期自", method="filter_callback_after", validators=[date_in_range])
    open = StrictBooleanFilter(label="在办", method="filter_open")
    overdue = StrictBooleanFilter(label="已超期", method="filter_overdue")
    due_soon = StrictBooleanFilter(label="即将到期（24小时内）", method="filter_due_soon")
    response_overdue = StrictBooleanFilter(label="响应超时", method="filter_response_overdue")
    callback = filters.ChoiceFilter(label="回访结果", choices=CALLBACK_OUTCOMES, method="filter_callback")
    excluded = StrictBooleanFilter(label="已核减", method="filter_excluded")
    repeat_caller = StrictBooleanFilter(label="重复来电（同一来电号码在结果中≥2件）", method="filter_repeat_caller")
    repeat_problem = StrictBooleanFilter(
        label="同一问题重复来电（同一来电号码、同一分类在结果中≥2件）", method="filter_repeat_caller"
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        # Repeat callers are counted among the cases every other filter selected, so it goes last.
        for name, same_problem in (("repeat_caller", False), ("repeat_problem", True)):
            repeat = self.form.cleaned_data.get(name)
            if repeat is not None:
                queryset = groupings.case_filter_repeat_callers(queryset, repeat=repeat, same_problem=same_problem)
        return queryset

    def filter_category(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # Whole levels only: "城乡建设->物业" does not match "城乡建设->物业管理".
        return queryset.filter(groupings.category_prefix_q(value))

    def filter_category_exact(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        path = groupings.category_path_normalize(value)
        return queryset.filter(category=path) if path else queryset

    def filter_address_cluster(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(address_cluster=value.strip())

    def filter_repeat_caller(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset  # applied in filter_queryset, after every other filter

    def filter_received_after(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(received_at__gte=local_midnight(value))

    def filter_received_before(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        # The named day is included: up to the next local midnight.
        return queryset.filter(received_at__lt=local_midnight(value + dt.timedelta(days=1)))

    def filter_dispatched_after(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(first_dispatched_at__gte=local_midnight(value))

    def filter_closed_after(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(closed_at__gte=local_midnight(value))

    def filter_callback_after(self, queryset: QuerySet, name: str, value: dt.date) -> QuerySet:
        return queryset.filter(callback_at__gte=local_midnight(value))

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _q_filter(Q(status__in=OPEN), value, queryset)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _q_filter(vocabulary.overdue_q(), value, queryset)

    def filter_due_soon(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _q_filter(vocabulary.due_soon_q(), value, queryset)

    def filter_response_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _q_filter(vocabulary.response_overdue_q(), value, queryset)

    def filter_callback(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(vocabulary.callback_outcome_q(value))

    def filter_excluded(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return _q_filter(~Q(exclusion_reason=""), value, queryset)


class ExtensionFilter(FilterSet):
    decision = filters.ChoiceFilter(label="审批结果", choices=ExtensionRequest.Decision.choices)
    case = django_filters.NumberFilter(label="案件ID", field_name="case_id", min_value=1, max_value=ID_MAX)

    class Meta:
        model = ExtensionRequest
        fields: list[str] = []


class StableOrderingFilter(OrderingFilter):
    """Ordering with the id as the last key, so pages do not overlap or skip
    rows when the chosen key has ties (many cases share a status)."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            descending = bool(ordering) and ordering[0].startswith("-")
            ordering.append("-id" if descending else "id")
        return ordering
