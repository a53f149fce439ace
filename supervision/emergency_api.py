"""`/api/emergencies/`: the emergencies of the cases the user may see, with
the three figures (seconds from the raise to contact, to the scene, to
closure), and the three steps: raise, on scene, close."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases import services as case_services
from cases.selectors import case_get_for_user
from communities.api import STAFF
from hotline.api import parse_input
from hotline.api_fields import ID_MAX, ChoiceLabelField, ErrorSerializer, UserRefField
from hotline.errors import Conflict
from hotline.web import signed_in
from supervision import emergencies
from supervision.models import Emergency

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="您的岗位不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="应急事件或案件不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="当前状态不允许该步骤"),
}


def _seconds(span) -> int | None:
    return int(span.total_seconds()) if span is not None else None


class EmergencySerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(source="status")
    case_ticket_no = serializers.CharField(source="case.ticket_no", read_only=True)
    raised_by = UserRefField()
    on_scene_by = UserRefField()
    closed_by = UserRefField()
    contacted_at = serializers.SerializerMethodField()
    seconds_to_contact = serializers.SerializerMethodField()
    seconds_to_scene = serializers.SerializerMethodField()
    seconds_to_closure = serializers.SerializerMethodField()

    class Meta:
        model = Emergency
        fields = [
            "id",
            "case",
            "case_ticket_no",
            "status",
            "status_label",
            "raised_at",
            "raised_by",
            "raise_note",
            "contacted_at",
            "on_scene_at",
            "on_scene_by",
            "closed_at",
            "closed_by",
            "close_note",
            "seconds_to_contact",
            "seconds_to_scene",
            "seconds_to_closure",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_contacted_at(self, obj: Emergency) -> str | None:
        contacted = emergencies.emergency_contacted_at(obj)
        return serializers.DateTimeField().to_representation(contacted) if contacted else None

    def get_seconds_to_contact(self, obj: Emergency) -> int | None:
        return _seconds(emergencies.emergency_times(obj).to_contact)

    def get_seconds_to_scene(self, obj: Emergency) -> int | None:
        return _seconds(emergencies.emergency_times(obj).to_scene)

    def get_seconds_to_closure(self, obj: Emergency) -> int | None:
        return _seconds(emergencies.emergency_times(obj).to_closure)


class EmergencyQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=[("open", "进行中"), ("closed", "已结束")], required=False, default="", label="状态"
    )


class EmergencyRaiseInput(serializers.Serializer):
    case = serializers.IntegerField(min_value=1, max_value=ID_MAX, label="案件")
    note = serializers.CharField(max_length=1000, label="紧急情况")


class EmergencyNoteInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000, required=False, default="", allow_blank=True, label="说明")


class EmergencyCloseInput(serializers.Serializer):
    note = serializers.CharField(max_length=1000, label="处置情况")


@extend_schema_view(
    list=extend_schema(summary="应急事件（含联系、到场、结束用时）", parameters=[EmergencyQuerySerializer]),
    retrieve=extend_schema(summary="一起应急事件", responses={200: EmergencySerializer, **ERRORS}),
)
class EmergencyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = EmergencySerializer
    filter_backends = []
    lookup_value_converter = "int"

    def get_queryset(self):
        state = ""
        if self.action == "list":
            query = EmergencyQuerySerializer(data=self.request.query_params)
            query.is_valid(raise_exception=True)
            state = query.validated_data["state"]
        return emergencies.emergency_list_for_user(user=self.request.user, state=state)

    def _done(self, emergency: Emergency, code: int = status.HTTP_200_OK) -> Response:
        fresh = emergencies.emergency_get_for_user(user=self.request.user, emergency_id=emergency.pk)
        return Response(EmergencySerializer(fresh).data, status=code)

    @extend_schema(
        summary="启动应急（办件员、街道领导）",
        request=EmergencyRaiseInput,
        responses={201: EmergencySerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = parse_input(EmergencyRaiseInput, request.data)
        case = case_get_for_user(user=request.user, case_id=data["case"])
        emergency = case_services.case_raise_emergency(
            case_id=case.pk, actor=signed_in(request.user), note=data["note"]
        )
        return self._done(emergency, status.HTTP_201_CREATED)

    @extend_schema(
        summary="记录到场（承办社区、街道领导）",
        request=EmergencyNoteInput,
        responses={200: EmergencySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="arrive")
    def arrive(self, request: Request, pk: int) -> Response:
        data = parse_input(EmergencyNoteInput, request.data)
        emergency = emergencies.emergency_get_for_user(user=request.user, emergency_id=pk)
        self._current(emergency)
        emergency = case_services.case_arrive_on_scene(
            case_id=emergency.case_id, actor=signed_in(request.user), note=data["note"]
        )
        return self._done(emergency)

    @extend_schema(
        summary="结束应急（办件员、街道领导）",
        request=EmergencyCloseInput,
        responses={200: EmergencySerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request: Request, pk: int) -> Response:
        data = parse_input(EmergencyCloseInput, request.data)
        emergency = emergencies.emergency_get_for_user(user=request.user, emergency_id=pk)
        self._current(emergency)
        emergency = case_services.case_close_emergency(
            case_id=emergency.case_id, actor=signed_in(request.user), note=data["note"]
        )
        return self._done(emergency)

    @staticmethod
    def _current(emergency: Emergency) -> None:
        """The steps act on the case's emergency under way: a closed one is not it."""
        if emergency.status == "closed":
            raise Conflict("该应急事件已结束。", code="invalid_transition")
