"""The import API for scripts: POST /api/imports/ with the file, GET
/api/imports/{id}/ for status, counts and findings."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.intake import selectors, services
from cases.intake.models import ImportIssue, ImportJob
from hotline.api import paginated
from hotline.api_fields import ChoiceLabelField
from hotline.errors import InvalidInput, NotAllowed
from hotline.web import signed_in

ISSUES_SHOWN = 200


class ImportIssueSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportIssue
        fields = ["row_number", "ticket_no", "column", "level", "message"]


class ImportJobSerializer(serializers.ModelSerializer):
    status_display = ChoiceLabelField(source="status")
    created_by = serializers.CharField(source="created_by.get_username", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    page_url = serializers.SerializerMethodField()
    rejected_rows_url = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "page_url",
            "status",
            "status_display",
            "mode",
            "source",
            "original_name",
            "file_format",
            "file_size",
            "created_by",
            "created_at",
            "message",
            "total_rows",
            "processed_rows",
            "percent",
            "new_count",
            "updated_count",
            "pending_count",
            "unchanged_count",
            "conflict_count",
            "error_count",
            "unmatched_count",
            "previewed_at",
            "started_at",
            "finished_at",
            "rejected_rows_url",
        ]
        read_only_fields = fields

    def get_url(self, job: ImportJob) -> str:
        return reverse("intake-api:job", args=[job.pk])

    def get_page_url(self, job: ImportJob) -> str:
        return reverse("intake:job", args=[job.pk])

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rejected_rows_url(self, job: ImportJob) -> str | None:
        return reverse("intake:job-rejected", args=[job.pk]) if job.error_count else None


class ImportJobDetailSerializer(ImportJobSerializer):
    issues = serializers.SerializerMethodField()
    issues_total = serializers.SerializerMethodField()

    class Meta(ImportJobSerializer.Meta):
        fields = [*ImportJobSerializer.Meta.fields, "issues_total", "issues"]
        read_only_fields = fields

    @extend_schema_field(ImportIssueSerializer(many=True))
    def get_issues(self, job: ImportJob) -> list[dict]:
        return ImportIssueSerializer(job.issues.all()[:ISSUES_SHOWN], many=True).data  # type: ignore[return-value]  # many=True: a list

    def get_issues_total(self, job: ImportJob) -> int:
        return job.issues.count()


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=False)
    valid_only = serializers.BooleanField(default=False)


class ConfirmSerializer(serializers.Serializer):
    valid_only = serializers.BooleanField(default=False)


def _status(job: ImportJob) -> int:
    return 202 if job.is_running else 201


class ImportJobListView(APIView):
    """GET: the import history. POST (multipart): `file`, optional `dry_run`
    (preview only) and `valid_only`; small files are done when the answer
    comes (201), larger ones run in the background (202: poll `url`)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_list",
        responses=paginated("PaginatedImportJobList", ImportJobSerializer),
        summary="导入记录",
    )
    def get(self, request: Request) -> Response:
        if not selectors.import_visible_to(user=request.user):
            raise NotAllowed("您的岗位不能查看工单导入。")
        paginator = self.settings.DEFAULT_PAGINATION_CLASS()
        page = paginator.paginate_queryset(selectors.import_job_list_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(ImportJobSerializer(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": UploadSerializer},
        responses={201: ImportJobDetailSerializer, 202: ImportJobDetailSerializer},
        summary="上传并导入（或 dry_run 仅预检）",
    )
    def post(self, request: Request) -> Response:
        if not selectors.import_allowed_for(user=request.user):
            raise NotAllowed("只有办件员可以导入工单。")
        form = UploadSerializer(data=request.data)
        if not form.is_valid():
            raise InvalidInput("请上传 .xlsx 或 .csv 文件。", field="file")
        upload = form.validated_data["file"]
        job = services.import_job_submit(
            actor=signed_in(request.user),
            upload=upload,
            name=upload.name,
            source="api",
            dry_run=form.validated_data["dry_run"],
            valid_only=form.validated_data["valid_only"],
        )
        job.refresh_from_db()
        return Response(ImportJobDetailSerializer(job).data, status=_status(job))


class ImportJobDetailView(APIView):
    @extend_schema(responses=ImportJobDetailSerializer, summary="导入状态、计数和逐行问题")
    def get(self, request: Request, pk: int) -> Response:
        job = selectors.import_job_get_for_user(user=request.user, job_id=pk)
        return Response(ImportJobDetailSerializer(job).data)


class ImportJobConfirmView(APIView):
    """Import a previewed job (`valid_only` to skip the rows with errors)."""

    @extend_schema(
        request=ConfirmSerializer,
        responses={201: ImportJobDetailSerializer, 202: ImportJobDetailSerializer},
        summary="确认导入已预检的文件",
    )
    def post(self, request: Request, pk: int) -> Response:
        job = selectors.import_job_get_for_user(user=request.user, job_id=pk)
        form = ConfirmSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        job = services.import_job_confirm(
            job_id=job.id, actor=signed_in(request.user), valid_only=form.validated_data["valid_only"]
        )
        job.refresh_from_db()
        return Response(ImportJobDetailSerializer(job).data, status=_status(job))


class ImportJobRetryView(APIView):
    """Retry a failed job (previewed again) or a stuck one (sent to a worker again)."""

    @extend_schema(
        request=None,
        responses={201: ImportJobDetailSerializer, 202: ImportJobDetailSerializer},
        summary="重试失败或停滞的导入",
    )
    def post(self, request: Request, pk: int) -> Response:
        job = selectors.import_job_get_for_user(user=request.user, job_id=pk)
        job = services.import_job_retry(job_id=job.id, actor=signed_in(request.user))
        job.refresh_from_db()
        return Response(ImportJobDetailSerializer(job).data, status=_status(job))


class ImportJobCancelView(APIView):
    """Cancel a job that is waiting, previewed, failed or stuck: nothing more is written, its file is deleted."""

    @extend_schema(request=None, responses=ImportJobDetailSerializer, summary="取消导入")
    def post(self, request: Request, pk: int) -> Response:
        job = selectors.import_job_get_for_user(user=request.user, job_id=pk)
        job = services.import_job_cancel(job_id=job.id, actor=signed_in(request.user))
        return Response(ImportJobDetailSerializer(job).data)
