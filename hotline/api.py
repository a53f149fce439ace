"""Shared API plumbing: pagination, input parsing, and the translation of every
error into a 4xx JSON body `{code, detail[, field][, errors]}`."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404, HttpRequest, JsonResponse
from django.views import defaults
from django_filters import rest_framework as drf_filters
from drf_spectacular.utils import inline_serializer
from rest_framework import exceptions, filters, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hotline.errors import DomainError, InvalidInput

NON_FIELD = "non_field_errors"


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and not (raw.isascii() and raw.isdigit() and int(raw) > 0):
            raise exceptions.ValidationError({self.page_size_query_param: ["请填写正整数。"]})
        return super().get_page_size(request)


# ---------------------------------------------------------------- query parameters
# A filter value the API does not understand answers 400; it is never silently
# ignored (a script asking for `overdue=yes!` must not get every case).

TRUE_VALUES = {"true", "1", "yes", "on"}
FALSE_VALUES = {"false", "0", "no", "off"}


class StrictBooleanSelect(forms.NullBooleanSelect):
    """The page's 不限/是/否 select; hands the raw value to the field, which refuses nonsense."""

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class StrictBooleanField(forms.Field):
    widget = StrictBooleanSelect

    def to_python(self, value):
        if value in (None, "", "unknown"):  # "unknown": the select's 不限
            return None
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise forms.ValidationError("请填写 true 或 false。", code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class FilterSet(drf_filters.FilterSet):
    FILTER_DEFAULTS = {
        **drf_filters.FilterSet.FILTER_DEFAULTS,
        models.BooleanField: {"filter_class": StrictBooleanFilter},
        models.NullBooleanField: {"filter_class": StrictBooleanFilter},
    }


class FilterBackend(drf_filters.DjangoFilterBackend):
    filterset_base = FilterSet


class OrderingFilter(filters.OrderingFilter):
    """An ordering key the endpoint does not offer answers 400."""

    def get_ordering(self, request, queryset, view):
        params = request.query_params.get(self.ordering_param)
        if params:
            fields = [param.strip() for param in params.split(",") if param.strip()]
            valid = self.remove_invalid_fields(queryset, fields, view, request)
            if len(valid) != len(fields):
                allowed = "、".join(name for name, _ in self.get_valid_fields(queryset, view, {"request": request}))
                raise exceptions.ValidationError({self.ordering_param: [f"只能按以下字段排序：{allowed}。"]})
        return super().get_ordering(request, queryset, view)


# ---------------------------------------------------------------- errors outside DRF


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception=None):
    """handler404: under /api/ the API's JSON body, elsewhere the 404 page."""
    if _is_api(request):
        return JsonResponse({"code": "not_found", "detail": "未找到该接口或对象。"}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest):
    """handler500: under /api/ a JSON body, never an HTML page."""
    if _is_api(request):
        return JsonResponse({"code": "server_error", "detail": "服务器内部错误，请稍后重试或联系管理员。"}, status=500)
    return defaults.server_error(request)


def paginated(name: str, item: type[serializers.Serializer]) -> serializers.Serializer:
    """For the schema of a view that paginates by hand: the page body around `item`."""
    return inline_serializer(
        name=name,
        fields={
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": item(many=True),
        },
    )


class InputError(InvalidInput):
    """Input that failed the serializer's type checks; keeps every field's messages."""

    def __init__(self, message: str, *, field: str | None, errors: dict):
        super().__init__(message, field=field)
        self.errors = errors


def _first_error(errors) -> tuple[str | None, str]:
    """The first (field, message) of a DRF error structure (dicts and lists nest)."""
    field = None
    while True:
        if isinstance(errors, dict) and errors:
            key, errors = next(iter(errors.items()))
            field = field or str(key)
        elif isinstance(errors, list) and errors:
            errors = errors[0]
        else:
            return (None if field == NON_FIELD else field), str(errors)


def parse_input(serializer_class: type[serializers.Serializer], data) -> dict:
    """Validate a request body; on failure an InputError whose message names the
    field by its Chinese label, e.g. "包片：请填写合法的整数值。"."""
    serializer = serializer_class(data=data)
    if serializer.is_valid():
        return serializer.validated_data
    field, message = _first_error(serializer.errors)
    label = serializer.fields[field].label if field and field in serializer.fields else None
    raise InputError(f"{label}：{message}" if label else message, field=field, errors=serializer.errors)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        if getattr(exc, "errors", None):
            body["errors"] = exc.errors
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "detail": "未找到该对象，或您无权查看。"}, status=404)
    if isinstance(exc, exceptions.ParseError):
        # DRF's own message is English and quotes the parser's internals.
        return Response(
            {"code": "parse_error", "detail": "请求内容格式错误，无法解析（JSON 请求须为合法的 JSON 对象）。"},
            status=400,
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        # Query parameters (filters) and any serializer not run through parse_input.
        field, message = _first_error(response.data)
        body = {"code": "invalid", "detail": f"参数 {field}：{message}" if field else message}
        if field:
            body["field"] = field
        body["errors"] = response.data
        response.data = body
    elif isinstance(response.data, dict) and "code" not in response.data:
        response.data = {"code": getattr(exc, "default_code", "error"), **response.data}
    return response
