"""The attachment API of a case, scoped like the case (another unit's case or
file answers 404):

    GET    /api/cases/<id>/attachments/            the case's files
    POST   /api/cases/<id>/attachments/            multipart: file (one or more), label, part
    GET    /api/cases/<id>/attachments/<aid>/      the file itself (as the page serves it)
    DELETE /api/cases/<id>/attachments/<aid>/      remove it
    GET    /api/cases/<id>/progress-notes/         the progress notes with their photos
    POST   /api/cases/<id>/progress-notes/         multipart or JSON: text, done_at, photo (0..n), label

Each write calls one service; domain errors are 4xx JSON bodies."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from attachments import selectors, services
from attachments.models import Attachment, Label, OwnerKind, Part
from attachments.views import attachment_response
from cases.models import TEXT_LIMITS, CaseEvent
from cases.progress import progress_note_add
from cases.selectors import case_get_for_user, case_scope_for_user
from cases.transitions import Action
from communities.api import STAFF
from hotline.api import parse_input
from hotline.api_fields import ID_MAX, ChoiceLabelField, ErrorSerializer, UserRefField
from hotline.errors import NotFound
from hotline.web import signed_in

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="文件或输入有误（类型、大小、数量、内容）"),
    403: OpenApiResponse(ErrorSerializer, description="您的岗位不能执行该操作"),
    404: OpenApiResponse(ErrorSerializer, description="案件或附件不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="案件当前状态不允许该操作"),
}


def _id_parameter(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(
        name, {"type": "integer", "minimum": 1, "maximum": ID_MAX}, OpenApiParameter.PATH, description=description
    )


CASE_ID = _id_parameter("case_pk", "案件ID")
ATTACHMENT_ID = _id_parameter("id", "附件ID")


def _case_for(request: Request, case_pk: int):
    """The case in the user's scope, or 404 (an id no database row can have included)."""
    if not 1 <= case_pk <= ID_MAX:
        raise NotFound("案件不存在，或不在您的查看范围内。")
    return case_get_for_user(user=request.user, case_id=case_pk)


class AttachmentSerializer(serializers.ModelSerializer):
    label_display = ChoiceLabelField(source="label")
    part_display = ChoiceLabelField(source="part")
    uploaded_by = UserRefField()
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            "part",
            "part_display",
            "event",
            "label",
            "label_display",
            "kind",
            "content_type",
            "original_name",
            "size",
            "sha256",
            "width",
            "height",
            "uploaded_by",
            "uploaded_at",
            "url",
            "thumbnail_url",
        ]

    def get_url(self, attachment: Attachment) -> str:
        return reverse("api-case-attachment", args=[attachment.case_id, attachment.pk])

    def get_thumbnail_url(self, attachment: Attachment) -> str | None:
        return reverse("attachment-thumbnail", args=[attachment.pk]) if attachment.thumbnail else None


class AttachmentUploadSerializer(serializers.Serializer):
    file = serializers.ListField(
        label="文件", child=serializers.FileField(allow_empty_file=True), min_length=1, max_length=20
    )
    label = serializers.ChoiceField(label="标注", choices=Label.choices, default=Label.OTHER)  # type: ignore[assignment]  # the body's `label` key
    part = serializers.ChoiceField(label="所属部分", choices=[p for p in Part.choices if p[0] != Part.PROGRESS])


class ProgressNoteInputSerializer(serializers.Serializer):
    text = serializers.CharField(label="办理进展", max_length=TEXT_LIMITS["note"])
    done_at = serializers.DateTimeField(label="办理时间", required=False, allow_null=True, default=None)
    photo = serializers.ListField(
        label="照片", child=serializers.FileField(allow_empty_file=True), required=False, default=list, max_length=20
    )
    label = serializers.ChoiceField(label="标注", choices=Label.choices, default=Label.DURING)  # type: ignore[assignment]  # the body's `label` key


class ProgressNoteSerializer(serializers.ModelSerializer):
    text = serializers.CharField(source="note")
    done_at = serializers.SerializerMethodField()
    actor = UserRefField(allow_null=True)
    photos = AttachmentSerializer(many=True, source="attachments")

    class Meta:
        model = CaseEvent
        fields = ["id", "text", "done_at", "created_at", "actor", "photos"]

    def get_done_at(self, event: CaseEvent) -> str | None:
        return event.data.get("done_at") if isinstance(event.data, dict) else None


def _multi(request: Request) -> dict:
    """The request body with every repeated file kept (a QueryDict gives only the last)."""
    body = request.data
    if not isinstance(body, dict):  # a JSON list: the serializer says what is missing
        return {}
    data = {key: body.get(key) for key in body}
    getlist = getattr(body, "getlist", None)
    if getlist is not None:
        for key in ("file", "photo"):
            data[key] = getlist(key)
    return {k: v for k, v in data.items() if v not in (None, [])}


class CaseAttachmentList(APIView):
    permission_classes = STAFF
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        parameters=[CASE_ID], summary="案件的照片与附件", responses={200: AttachmentSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, case_pk: int) -> Response:
        case = _case_for(request, case_pk)
        attachments = selectors.attachment_list_for_case(user=request.user, case_id=case.pk)
        return Response(AttachmentSerializer(attachments, many=True).data)

    @extend_schema(
        parameters=[CASE_ID],
        summary="上传照片或文件（multipart：file 可多个，label，part）",
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer(many=True), **ERRORS},
    )
    def post(self, request: Request, case_pk: int) -> Response:
        case = _case_for(request, case_pk)
        data = parse_input(AttachmentUploadSerializer, _multi(request))
        added = services.attachment_add_many(
            owner_kind=OwnerKind.CASE,
            owner_id=case.pk,
            uploads=[(upload, data["label"]) for upload in data["file"]],
            actor=signed_in(request.user),
            part=data["part"],
        )
        return Response(AttachmentSerializer(added, many=True).data, status=status.HTTP_201_CREATED)


class CaseAttachmentDetail(APIView):
    permission_classes = STAFF

    def _get(self, request: Request, case_pk: int, pk: int) -> Attachment:
        if not 1 <= pk <= ID_MAX:
            raise NotFound("附件不存在，或不在您的查看范围内。")
        case = _case_for(request, case_pk)
        attachment = selectors.attachment_list_for_case(user=request.user, case_id=case.pk).filter(pk=pk).first()
        if attachment is None:
            raise NotFound("附件不存在，或不在您的查看范围内。")
        return attachment

    @extend_schema(
        parameters=[CASE_ID, ATTACHMENT_ID],
        summary="下载附件（照片内联显示，文件作为附件下载）",
        responses={(200, "*/*"): OpenApiTypes.BINARY, 404: ERRORS[404]},
    )
    def get(self, request: Request, case_pk: int, pk: int):
        return attachment_response(self._get(request, case_pk, pk))

    @extend_schema(
        parameters=[CASE_ID, ATTACHMENT_ID],
        summary="删除附件（办理结果、情况说明的附件删除后其签字作废）",
        responses={204: None, **ERRORS},
    )
    def delete(self, request: Request, case_pk: int, pk: int) -> Response:
        attachment = self._get(request, case_pk, pk)
        services.attachment_remove(attachment_id=attachment.pk, actor=signed_in(request.user))
        return Response(status=status.HTTP_204_NO_CONTENT)


class CaseProgressNoteList(APIView):
    permission_classes = STAFF
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        parameters=[CASE_ID], summary="办理进展（含照片）", responses={200: ProgressNoteSerializer(many=True), **ERRORS}
    )
    def get(self, request: Request, case_pk: int) -> Response:
        case = _case_for(request, case_pk)
        notes = (
            CaseEvent.objects.filter(case__in=case_scope_for_user(request.user), case=case.pk)
            .filter(action=Action.PROGRESS_NOTE)
            .select_related("actor__person")
            .prefetch_related("attachments__uploaded_by__person")
        )
        return Response(ProgressNoteSerializer(notes, many=True).data)

    @extend_schema(
        parameters=[CASE_ID],
        summary="记录办理进展（可附照片：multipart 的 photo 可多个）",
        request={"multipart/form-data": ProgressNoteInputSerializer, "application/json": ProgressNoteInputSerializer},
        responses={201: ProgressNoteSerializer, **ERRORS},
    )
    def post(self, request: Request, case_pk: int) -> Response:
        case = _case_for(request, case_pk)
        data = parse_input(ProgressNoteInputSerializer, _multi(request))
        event = progress_note_add(
            case_id=case.pk,
            actor=signed_in(request.user),
            text=data["text"],
            done_at=data["done_at"],
            uploads=[(photo, data["label"]) for photo in data["photo"]],
        )
        event = CaseEvent.objects.select_related("actor__person").prefetch_related("attachments").get(pk=event.pk)
        return Response(ProgressNoteSerializer(event).data, status=status.HTTP_201_CREATED)
