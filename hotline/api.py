"""Shared API plumbing: pagination, input parsing, and the translation of every
error into a 4xx JSON body `{code, detail[, field][, errors]}`."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, pagination, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from hotline.errors import DomainError, InvalidInput

NON_FIELD = "non_field_errors"


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


class ErrorSerializer(serializers.Serializer):
    """The body of every API error."""

    code = serializers.CharField()
    detail = serializers.CharField()
    field = serializers.CharField(required=False)
    errors = serializers.DictField(required=False, child=serializers.JSONField())


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
    label = serializer.fields[field].label if field in serializer.fields else None
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
