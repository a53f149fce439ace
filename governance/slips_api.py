"""The slip API: the public POST of a slip and of a status look-up (no login,
the same limits as the page), and the lead queue for clerks and leaders (the
scoped list and detail, a paper slip, convert, close, the public summary).
Each endpoint parses its input, calls one service or selector, answers."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Urgency
from communities.api import STAFF
from governance import slips
from governance import slips_selectors as selectors
from governance.models import Slip, SlipCloseReason
from hotline.api import parse_input
from hotline.api_fields import ChoiceLabelField, ErrorSerializer
from hotline.client_address import client_ip
from hotline.web import signed_in

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="线索不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="线索当前状态不允许该步骤"),
}
PUBLIC_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误，或提交未被接受"),
    404: OpenApiResponse(ErrorSerializer, description="社区或意见条不存在"),
    429: OpenApiResponse(ErrorSerializer, description="同一地址提交或查询过于频繁"),
}


class SlipContentInput(serializers.Serializer):
    # Lengths are checked by the service (one home of the limits, a clear message).
    problem = serializers.CharField(label="反映的问题", allow_blank=True, trim_whitespace=False)
    compound = serializers.CharField(label="小区", required=False, allow_blank=True, default="")
    building = serializers.CharField(label="楼号/位置", required=False, allow_blank=True, default="")
    name = serializers.CharField(label="称呼", required=False, allow_blank=True, default="")
    phone = serializers.CharField(label="电话", required=False, allow_blank=True, default="")
    consent = serializers.BooleanField(label="同意联系", required=False, default=False)


class PublicSlipInput(SlipContentInput):
    community = serializers.IntegerField(label="社区", min_value=1)
    # The honeypot, named as on the page: robots fill it, people leave it empty.
    website = serializers.CharField(label="网址（须留空）", required=False, allow_blank=True, default="")


class PaperSlipInput(SlipContentInput):
    community = serializers.IntegerField(label="社区", min_value=1)


class ReceiptSerializer(serializers.Serializer):
    receipt_code = serializers.CharField()


class StatusInput(serializers.Serializer):
    code = serializers.CharField(label="回执码", max_length=32)
    phone_last4 = serializers.CharField(label="电话后四位", max_length=4, required=False, allow_blank=True, default="")


class ProgressSerializer(serializers.Serializer):
    code = serializers.CharField()
    community = serializers.CharField()
    received_at = serializers.DateTimeField()
    stage = serializers.ChoiceField(choices=["received", "accepted", "done", "closed"])
    stage_label = serializers.CharField(source="label")
    ticket_no = serializers.CharField()
    summary = serializers.CharField()


class PublicSlipView(APIView):
    """No login, no session (so no CSRF token): the same limits as the page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="居民提交急难愁盼意见条（无需登录；照片以 multipart 的 photos 字段上传，最多3张）",
        request=PublicSlipInput,
        responses={201: ReceiptSerializer, **PUBLIC_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(PublicSlipInput, request.data)
        slip = slips.slip_submit(
            community_id=data["community"],
            problem=data["problem"],
            compound=data["compound"],
            building=data["building"],
            name=data["name"],
            phone=data["phone"],
            consent=data["consent"],
            honeypot=data["website"],
            photos=request.FILES.getlist("photos"),
            client_address=client_ip(request._request),
        )
        return Response({"receipt_code": slip.receipt_code}, status=status.HTTP_201_CREATED)


class PublicSlipStatusView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        summary="凭回执码（和电话后四位）查询意见条进度（无需登录）",
        request=StatusInput,
        responses={200: ProgressSerializer, **PUBLIC_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = parse_input(StatusInput, request.data)
        progress = selectors.slip_progress_for_resident(
            code=data["code"], phone_last4=data["phone_last4"], client_address=client_ip(request._request)
        )
        return Response(ProgressSerializer(progress).data)


class SlipSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")
    source_label = ChoiceLabelField(source="source")
    status_label = ChoiceLabelField(source="status")
    close_reason_label = ChoiceLabelField(source="close_reason")
    case_id = serializers.IntegerField(allow_null=True)
    case_ticket_no = serializers.SerializerMethodField()

    class Meta:
        model = Slip
        fields = [
            "id",
            "community",
            "community_name",
            "source",
            "source_label",
            "status",
            "status_label",
            "problem",
            "compound",
            "building",
            "name",
            "phone",
            "consent",
            "created_at",
            "case_id",
            "case_ticket_no",
            "close_reason",
            "close_reason_label",
            "close_note",
            "handled_at",
            "public_summary",
        ]

    def get_case_ticket_no(self, slip: Slip) -> str | None:
        return slip.case.ticket_no if slip.case is not None else None


@extend_schema_serializer(component_name="SlipSimilarCase")
class SimilarCaseSerializer(serializers.Serializer):
    """A likely duplicate of a slip among the cases (cases.similarity)."""

    id = serializers.IntegerField(source="case.pk")
    ticket_no = serializers.CharField(source="case.ticket_no")
    title = serializers.CharField(source="case.title")
    received_at = serializers.DateTimeField(source="case.received_at")
    status = serializers.CharField(source="case.status")
    score = serializers.FloatField(help_text="文本相似度，0–1")
    same = serializers.CharField(help_text="compound / address / compound+address")


class ConvertInput(serializers.Serializer):
    title = serializers.CharField(label="案件标题", required=False, allow_blank=True, default="")
    category = serializers.CharField(label="问题分类", required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False, default="general")


class CloseInput(serializers.Serializer):
    reason = serializers.ChoiceField(label="关闭原因", choices=SlipCloseReason.choices)
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class SummaryInput(serializers.Serializer):
    public_summary = serializers.CharField(label="公开答复摘要", allow_blank=True)


@extend_schema_view(
    list=extend_schema(summary="线索列表（办件员、街道领导）"),
    retrieve=extend_schema(summary="线索详情", responses={200: SlipSerializer, **ERRORS}),
    create=extend_schema(
        summary="录入纸质意见条（办件员）", request=PaperSlipInput, responses={201: SlipSerializer, **ERRORS}
    ),
)
class SlipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = SlipSerializer
    filterset_fields = ["status", "source", "community"]
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    search_fields: list[str] = []
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.slip_list_for_user(self.request.user)

    def _detail(self, slip_id: int, code: int = status.HTTP_200_OK) -> Response:
        slip = selectors.slip_get_for_user(user=self.request.user, slip_id=slip_id)
        return Response(SlipSerializer(slip).data, status=code)

    def create(self, request: Request) -> Response:
        data = parse_input(PaperSlipInput, request.data)
        community = data.pop("community")
        slip = slips.slip_enter_paper(actor=signed_in(request.user), community_id=community, **data)
        return self._detail(slip.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="疑似重复诉求（同小区或同地址、近期、内容相似；仅待处理的线索）",
        responses={200: SimilarCaseSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request: Request, pk: int) -> Response:
        slip = selectors.slip_get_for_user(user=request.user, slip_id=int(pk))
        found = selectors.slip_similar_cases(user=request.user, slip=slip)
        return Response(SimilarCaseSerializer(found, many=True).data)

    @extend_schema(summary="转为案件（办件员）", request=ConvertInput, responses={200: SlipSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: int) -> Response:
        slip = selectors.slip_get_for_user(user=request.user, slip_id=int(pk))
        data = parse_input(ConvertInput, request.data)
        slips.slip_convert(slip_id=slip.pk, actor=signed_in(request.user), **data)
        return self._detail(slip.pk)

    @extend_schema(summary="关闭线索（办件员）", request=CloseInput, responses={200: SlipSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        slip = selectors.slip_get_for_user(user=request.user, slip_id=int(pk))
        data = parse_input(CloseInput, request.data)
        slips.slip_close(slip_id=slip.pk, actor=signed_in(request.user), **data)
        return self._detail(slip.pk)

    @extend_schema(
        summary="公开答复摘要（办件员；居民查询进度时可见）",
        request=SummaryInput,
        responses={200: SlipSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def summary(self, request: Request, pk: int) -> Response:
        slip = selectors.slip_get_for_user(user=request.user, slip_id=int(pk))
        data = parse_input(SummaryInput, request.data)
        slips.slip_publish_summary(slip_id=slip.pk, actor=signed_in(request.user), text=data["public_summary"])
        return self._detail(slip.pk)
