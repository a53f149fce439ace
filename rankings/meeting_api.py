"""`/api/rankings/meeting-draws/`: the weekly meeting draws. Leaders draw
(POST); leaders and supervisors read. Nothing about any caller is included."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from cases.transitions import Status
from communities.selectors import person_for_user
from hotline.api import parse_input
from hotline.api_fields import ID_MAX, ChoiceLabelField, ErrorSerializer, RefSerializer, UserRefField
from rankings import meetings, services, windows
from rankings.models import MeetingDraw, MeetingDrawCase


class MeetingReader(BasePermission):
    message = "只有街道领导和监察组可以查看专题会抽签。"

    def has_permission(self, request, view) -> bool:
        person = person_for_user(request.user)
        return person is not None and person.role in meetings.MEETING_READERS


MEETING = [IsAuthenticated, MeetingReader]
ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误：周格式、抽取件数超出1–20、候选案件为空等"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能查看/抽签"),
    404: OpenApiResponse(ErrorSerializer, description="抽签记录不存在，或不在您的查看范围内"),
}


# ---------------------------------------------------------------- representations


class MeetingCaseSerializer(serializers.ModelSerializer):
    """The case as the meeting sheet shows it: no caller name or phone."""

    status = serializers.ChoiceField(choices=Status.choices)
    status_label = ChoiceLabelField(source="status")
    community = RefSerializer(allow_null=True)
    department = RefSerializer(allow_null=True)
    current_chief = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()
    callback_outcome = serializers.SerializerMethodField(help_text="none 未回访；positive；single 单否；double 双否")
    callback_outcome_label = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="案件页面")

    class Meta:
        model = Case
        fields = [
            "id",
            "ticket_no",
            "title",
            "category",
            "urgency",
            "status",
            "status_label",
            "community",
            "department",
            "current_chief",
            "closure_deadline",
            "is_overdue",
            "closed_at",
            "callback_at",
            "callback_outcome",
            "callback_outcome_label",
            "url",
        ]

    @extend_schema_field(RefSerializer(allow_null=True))
    def get_current_chief(self, case: Case) -> dict | None:
        chief = case.pairing.chief if case.pairing else None
        return UserRefField().to_representation(chief) if chief is not None else None

    @extend_schema_field(serializers.ChoiceField(choices=["none", "positive", "single", "double"]))
    def get_callback_outcome(self, case: Case) -> str:
        return case.callback_outcome

    def get_url(self, case: Case) -> str:
        return reverse("case-detail", args=[case.pk])


class MeetingItemSerializer(serializers.ModelSerializer):
    reason_label = ChoiceLabelField(source="reason")
    chief = UserRefField(allow_null=True, help_text="抽签时的包片科长（被问询人）")
    explanation = serializers.ChoiceField(
        choices=list(meetings.EXPLANATION_LABELS),
        help_text="情况说明：explained 已双签；written 待签字；missing 未填写；none 无需",
    )
    explanation_label = serializers.CharField()
    case = MeetingCaseSerializer()

    class Meta:
        model = MeetingDrawCase
        fields = ["position", "reason", "reason_label", "chief", "explanation", "explanation_label", "case"]


class MeetingWindowSerializer(serializers.Serializer):
    week = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    label = serializers.CharField()  # type: ignore[assignment]  # the payload's `label` key, not Field.label


class MeetingDrawSummarySerializer(serializers.ModelSerializer):
    window = serializers.SerializerMethodField()
    drawn_by = UserRefField()
    community = RefSerializer(allow_null=True)
    department = RefSerializer(allow_null=True)
    seed = serializers.CharField(help_text="64位随机种子（十进制）")

    class Meta:
        model = MeetingDraw
        fields = [
            "id",
            "window",
            "drawn_at",
            "drawn_by",
            "community",
            "department",
            "requested_count",
            "pool_size",
            "drawn_count",
            "seed",
        ]

    @extend_schema_field(MeetingWindowSerializer)
    def get_window(self, draw: MeetingDraw) -> dict:
        window = windows.week_parse(draw.week)
        return MeetingWindowSerializer(
            {"week": window.key, "start": window.start, "end": window.end, "label": window.label}
        ).data


class MeetingDrawSerializer(MeetingDrawSummarySerializer):
    pool_case_ids = serializers.ListField(child=serializers.IntegerField(), help_text="候选案件ID，升序")
    reproduce = serializers.SerializerMethodField(
        help_text="复核方法：random.Random(int(seed)).sample(pool_case_ids, drawn_count) 依次得到抽中案件的ID"
    )
    items = serializers.SerializerMethodField()

    class Meta(MeetingDrawSummarySerializer.Meta):
        fields = [*MeetingDrawSummarySerializer.Meta.fields, "pool_case_ids", "reproduce", "items"]

    def get_reproduce(self, draw: MeetingDraw) -> str:
        return f"random.Random({draw.seed}).sample(sorted(pool_case_ids), {draw.drawn_count})"

    @extend_schema_field(MeetingItemSerializer(many=True))
    def get_items(self, draw: MeetingDraw) -> list[dict]:
        return MeetingItemSerializer(meetings.meeting_draw_items(draw=draw), many=True).data  # type: ignore[return-value]  # many=True: a list


class MeetingDrawInput(serializers.Serializer):
    week = serializers.CharField(
        label="抽取周",
        required=False,
        allow_blank=True,
        default="",
        max_length=16,
        help_text="ISO 周，如 2026-W46；留空为上周",
    )
    count = serializers.IntegerField(label="抽取件数", help_text=f"1至{services.MEETING_MAX_COUNT}")
    community = serializers.IntegerField(
        label="限定社区", required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )
    department = serializers.IntegerField(
        label="限定科室", required=False, allow_null=True, default=None, min_value=1, max_value=ID_MAX
    )


# ---------------------------------------------------------------- endpoints


class MeetingDrawListView(generics.ListAPIView):
    permission_classes = MEETING
    serializer_class = MeetingDrawSummarySerializer
    filter_backends: list = []

    def get_queryset(self):
        return meetings.meeting_draw_list_for_user(user=self.request.user)

    @extend_schema(summary="专题会抽签记录（街道领导、监察组）")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="专题会抽签（街道领导）：从未解决案件中随机抽取",
        request=MeetingDrawInput,
        responses={201: MeetingDrawSerializer, **ERRORS},
    )
    def post(self, request):
        data = parse_input(MeetingDrawInput, request.data)
        draw = services.meeting_draw_create(
            actor=request.user,
            week=data["week"],
            count=data["count"],
            community_id=data["community"],
            department_id=data["department"],
        )
        draw = meetings.meeting_draw_get_for_user(user=request.user, draw_id=draw.pk)
        return Response(MeetingDrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class MeetingDrawDetailView(APIView):
    permission_classes = MEETING

    @extend_schema(
        summary="一次专题会抽签：抽中案件、候选池与随机种子",
        responses={200: MeetingDrawSerializer, 403: ERRORS[403], 404: ERRORS[404]},
    )
    def get(self, request, draw_id: int):
        return Response(
            MeetingDrawSerializer(meetings.meeting_draw_get_for_user(user=request.user, draw_id=draw_id)).data
        )
