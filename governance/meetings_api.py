"""The 吹哨 meeting API: meetings (scoped list and detail, convene, minutes,
cancel, a decision added, a case linked), their decisions (the scoped list,
complete, reopen) and the street's register of outside bodies. Each endpoint
parses its input, calls one service or selector, answers."""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from communities.api import STAFF
from governance import meetings
from governance import meetings_selectors as selectors
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import Decision, Meeting, MeetingParty, Organisation, OrganisationKind, PartyKind
from hotline.api import parse_input
from hotline.api_fields import ChoiceLabelField, ErrorSerializer
from hotline.web import signed_in

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="会议或决定事项不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="当前状态不允许该步骤"),
}


# ---------------------------------------------------------------- output


class PartySerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=PartyKind.choices)
    party_name = serializers.CharField(source="label", help_text="科室、社区、外部单位的名称或居民代表姓名")

    class Meta:
        model = MeetingParty
        fields = ["id", "kind", "party_name", "department", "community", "organisation", "name", "attendee", "attended"]


class DecisionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=DecisionStatus.choices)
    state = serializers.SerializerMethodField(help_text="open / late / done_on_time / done_late")
    meeting_title = serializers.CharField(source="meeting.title")
    owner_name = serializers.SerializerMethodField()
    organisation_name = serializers.SerializerMethodField()
    follow_up_name = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "meeting_title",
            "text",
            "owner",
            "owner_name",
            "organisation",
            "organisation_name",
            "follow_up",
            "follow_up_name",
            "due_on",
            "status",
            "state",
            "done_at",
            "done_note",
            "available_actions",
        ]

    def get_state(self, decision: Decision) -> str:
        return selectors.decision_state(decision, today=self.context["today"])

    def _name(self, user) -> str | None:
        person = getattr(user, "person", None) if user is not None else None
        return person.full_name if person is not None else None

    def get_owner_name(self, decision: Decision) -> str | None:
        return self._name(decision.owner)

    def get_follow_up_name(self, decision: Decision) -> str | None:
        return self._name(decision.follow_up)

    def get_organisation_name(self, decision: Decision) -> str | None:
        return decision.organisation.name if decision.organisation is not None else None

    def get_available_actions(self, decision: Decision) -> list[str]:
        return meetings.decision_available_actions(self.context["request"].user, decision)


class MeetingSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=MeetingStatus.choices)
    community_name = serializers.SerializerMethodField()
    convener_name = serializers.SerializerMethodField()
    decision_count = serializers.IntegerField(required=False)
    open_count = serializers.IntegerField(required=False)
    late_count = serializers.IntegerField(required=False)

    class Meta:
        model = Meeting
        fields = [
            "id",
            "title",
            "status",
            "held_at",
            "place",
            "community",
            "community_name",
            "project",
            "convener",
            "convener_name",
            "decision_count",
            "open_count",
            "late_count",
        ]

    def get_community_name(self, meeting: Meeting) -> str | None:
        return meeting.community.name if meeting.community is not None else None

    def get_convener_name(self, meeting: Meeting) -> str | None:
        person = getattr(meeting.convener, "person", None)
        return person.full_name if person is not None else None


class MeetingDetailSerializer(MeetingSerializer):
    parties = PartySerializer(many=True)
    decisions = serializers.SerializerMethodField()
    case_ids = serializers.SerializerMethodField(help_text="关联案件中您可查看的案件ID")
    available_actions = serializers.SerializerMethodField()

    class Meta(MeetingSerializer.Meta):
        fields = [
            *MeetingSerializer.Meta.fields,
            "agenda",
            "minutes",
            "recorded_at",
            "cancel_reason",
            "parties",
            "decisions",
            "case_ids",
            "available_actions",
        ]

    @extend_schema_field(DecisionSerializer(many=True))
    def get_decisions(self, meeting: Meeting) -> list:
        return list(DecisionSerializer(meeting.decisions.all(), many=True, context=self.context).data)

    def get_case_ids(self, meeting: Meeting) -> list[int]:
        return [c.pk for c in selectors.meeting_cases_for_user(user=self.context["request"].user, meeting=meeting)]

    def get_available_actions(self, meeting: Meeting) -> list[str]:
        return meetings.meeting_available_actions(self.context["request"].user, meeting)


class OrganisationSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=OrganisationKind.choices)
    kind_label = ChoiceLabelField(source="kind")

    class Meta:
        model = Organisation
        fields = ["id", "kind", "kind_label", "name", "contact_name", "communities", "is_active"]


# ---------------------------------------------------------------- input

ID_MAX = 2**31 - 1  # ids fit every database's integer column: a larger number is a 400, not a 500


def _id(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


class ConveneInput(serializers.Serializer):
    title = serializers.CharField(label="会议主题", allow_blank=True)
    held_at = serializers.DateTimeField(label="会议时间")
    place = serializers.CharField(label="会议地点", allow_blank=True)
    agenda = serializers.CharField(label="会议议程", allow_blank=True)
    community = _id(label="社区", required=False, allow_null=True, default=None)
    project = _id(label="治理项目", required=False, allow_null=True, default=None)
    cases = serializers.ListField(child=_id(), label="关联案件", required=False, default=list)
    departments = serializers.ListField(child=_id(), label="科室", required=False, default=list)
    communities = serializers.ListField(child=_id(), label="社区", required=False, default=list)
    organisations = serializers.ListField(child=_id(), label="外部单位", required=False, default=list)
    residents = serializers.ListField(
        child=serializers.CharField(allow_blank=True), label="居民代表", required=False, default=list
    )


class AttendanceInput(serializers.Serializer):
    party = _id(label="参会方")
    attended = serializers.BooleanField(label="到会")
    attendee = serializers.CharField(label="出席人", required=False, allow_blank=True, default="")


class MinutesInput(serializers.Serializer):
    minutes = serializers.CharField(label="会议纪要", allow_blank=True)
    attendance = AttendanceInput(many=True, required=False, default=list)


class CancelInput(serializers.Serializer):
    reason = serializers.CharField(label="取消原因", allow_blank=True)


class DecisionInput(serializers.Serializer):
    text = serializers.CharField(label="决定事项", allow_blank=True)
    owner = _id(label="责任人", required=False, allow_null=True, default=None)
    organisation = _id(label="责任单位", required=False, allow_null=True, default=None)
    follow_up = _id(label="街道跟进人", required=False, allow_null=True, default=None)
    due_on = serializers.DateField(label="完成期限", required=False, allow_null=True, default=None)


class LinkCaseInput(serializers.Serializer):
    case = _id(label="案件")


class DecisionNoteInput(serializers.Serializer):
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class MeetingQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=MeetingStatus.choices, required=False)
    community = _id(required=False)
    department = _id(required=False)
    project = _id(required=False)
    decisions = serializers.ChoiceField(choices=list(selectors.DECISION_STATES), required=False)
    held_from = serializers.DateField(required=False)
    held_to = serializers.DateField(required=False)


class DecisionQuery(serializers.Serializer):
    state = serializers.ChoiceField(choices=list(selectors.DECISION_STATES), required=False)
    community = _id(required=False)
    department = _id(required=False)
    due_from = serializers.DateField(required=False)
    due_to = serializers.DateField(required=False)


MEETING_PARAMETERS = [
    OpenApiParameter("status", str, enum=MeetingStatus.values),
    OpenApiParameter("community", int),
    OpenApiParameter("department", int, description="有该科室参会的会议"),
    OpenApiParameter("project", int),
    OpenApiParameter("decisions", str, enum=list(selectors.DECISION_STATES), description="有该状态决定事项的会议"),
    OpenApiParameter("held_from", OpenApiTypes.DATE, description="会议日期自（含）"),
    OpenApiParameter("held_to", OpenApiTypes.DATE, description="会议日期至（含）"),
]
DECISION_PARAMETERS = [
    OpenApiParameter("state", str, enum=list(selectors.DECISION_STATES)),
    OpenApiParameter("community", int),
    OpenApiParameter("department", int),
    OpenApiParameter("due_from", OpenApiTypes.DATE, description="完成期限自（含）"),
    OpenApiParameter("due_to", OpenApiTypes.DATE, description="完成期限至（含）"),
]


# ---------------------------------------------------------------- views


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A scoped list and detail (the selectors scope; the query is checked) whose
    rows tell late from open by today's date."""

    permission_classes = STAFF
    filter_backends: list = []
    lookup_value_converter = "int"

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": timezone.localdate()}


@extend_schema_view(
    list=extend_schema(summary="吹哨会议列表（按查看范围）", parameters=MEETING_PARAMETERS),
    retrieve=extend_schema(summary="吹哨会议详情", responses={200: MeetingDetailSerializer, **ERRORS}),
)
class MeetingViewSet(_ReadViewSet):
    serializer_class = MeetingSerializer

    def get_queryset(self):
        data = parse_input(MeetingQuery, self.request.query_params) if self.action == "list" else {}
        return selectors.meeting_list_for_user(
            user=self.request.user,
            status=data.get("status", ""),
            community_id=data.get("community"),
            department_id=data.get("department"),
            project_id=data.get("project"),
            decisions=data.get("decisions", ""),
            held_from=data.get("held_from"),
            held_to=data.get("held_to"),
        )

    def _detail(self, meeting_id: int, code: int = status.HTTP_200_OK) -> Response:
        meeting = selectors.meeting_get_for_user(user=self.request.user, meeting_id=meeting_id)
        return Response(MeetingDetailSerializer(meeting, context=self.get_serializer_context()).data, status=code)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._detail(int(pk))

    @extend_schema(
        summary="召集吹哨会议（关联案件须在您的办理范围内）",
        request=ConveneInput,
        responses={201: MeetingDetailSerializer, **ERRORS},
    )
    def create(self, request: Request) -> Response:
        data = parse_input(ConveneInput, request.data)
        meeting = meetings.meeting_convene(
            actor=signed_in(request.user),
            title=data["title"],
            held_at=data["held_at"],
            place=data["place"],
            agenda=data["agenda"],
            community_id=data["community"],
            project_id=data["project"],
            case_ids=data["cases"],
            department_ids=data["departments"],
            community_ids=data["communities"],
            organisation_ids=data["organisations"],
            residents=data["residents"],
        )
        return self._detail(meeting.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="记录会议纪要（会议已召开）", request=MinutesInput, responses={200: MeetingDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        data = parse_input(MinutesInput, request.data)
        rows = data["attendance"]
        meetings.meeting_record_minutes(
            actor=signed_in(request.user),
            meeting_id=meeting.pk,
            minutes=data["minutes"],
            absent_party_ids=[row["party"] for row in rows if not row["attended"]],
            attendees={row["party"]: row["attendee"] for row in rows},
        )
        return self._detail(meeting.pk)

    @extend_schema(summary="取消会议", request=CancelInput, responses={200: MeetingDetailSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        data = parse_input(CancelInput, request.data)
        meetings.meeting_cancel(actor=signed_in(request.user), meeting_id=meeting.pk, reason=data["reason"])
        return self._detail(meeting.pk)

    @extend_schema(
        summary="添加决定事项（须有责任人或责任单位+街道跟进人，以及完成期限）",
        request=DecisionInput,
        responses={201: DecisionSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="decisions")
    def add_decision(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        data = parse_input(DecisionInput, request.data)
        decision = meetings.decision_add(
            actor=signed_in(request.user),
            meeting_id=meeting.pk,
            text=data["text"],
            due_on=data["due_on"],
            owner_id=data["owner"],
            organisation_id=data["organisation"],
            follow_up_id=data["follow_up"],
        )
        found = selectors.decision_get_for_user(user=request.user, decision_id=decision.pk)
        return Response(DecisionSerializer(found, context=self.get_serializer_context()).data, status=201)

    @extend_schema(
        summary="再关联一件案件（须在您的办理范围内）",
        request=LinkCaseInput,
        responses={200: MeetingDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="cases")
    def link_case(self, request: Request, pk: int) -> Response:
        meeting = selectors.meeting_get_for_user(user=request.user, meeting_id=int(pk))
        data = parse_input(LinkCaseInput, request.data)
        meetings.meeting_case_link(actor=signed_in(request.user), meeting_id=meeting.pk, case_id=data["case"])
        return self._detail(meeting.pk)


@extend_schema_view(
    list=extend_schema(summary="吹哨会议决定事项（按查看范围）", parameters=DECISION_PARAMETERS),
    retrieve=extend_schema(summary="决定事项详情", responses={200: DecisionSerializer, **ERRORS}),
)
class DecisionViewSet(_ReadViewSet):
    serializer_class = DecisionSerializer

    def get_queryset(self):
        data = parse_input(DecisionQuery, self.request.query_params) if self.action == "list" else {}
        return selectors.decision_list_for_user(
            user=self.request.user,
            state=data.get("state", ""),
            community_id=data.get("community"),
            department_id=data.get("department"),
            due_from=data.get("due_from"),
            due_to=data.get("due_to"),
        ).select_related("meeting", "done_by")

    def _detail(self, decision_id: int) -> Response:
        decision = selectors.decision_get_for_user(user=self.request.user, decision_id=decision_id)
        return Response(DecisionSerializer(decision, context=self.get_serializer_context()).data)

    def retrieve(self, request: Request, pk: int) -> Response:
        return self._detail(int(pk))

    @extend_schema(summary="确认完成", request=DecisionNoteInput, responses={200: DecisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: int) -> Response:
        decision = selectors.decision_get_for_user(user=request.user, decision_id=int(pk))
        data = parse_input(DecisionNoteInput, request.data)
        meetings.decision_complete(actor=signed_in(request.user), decision_id=decision.pk, note=data["note"])
        return self._detail(decision.pk)

    @extend_schema(summary="重新打开", request=DecisionNoteInput, responses={200: DecisionSerializer, **ERRORS})
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: int) -> Response:
        decision = selectors.decision_get_for_user(user=request.user, decision_id=int(pk))
        data = parse_input(DecisionNoteInput, request.data)
        meetings.decision_reopen(actor=signed_in(request.user), decision_id=decision.pk, reason=data["note"])
        return self._detail(decision.pk)


@extend_schema_view(
    list=extend_schema(summary="外部单位名录（本街道）"),
    retrieve=extend_schema(summary="外部单位", responses={200: OrganisationSerializer, **ERRORS}),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = OrganisationSerializer
    filter_backends: list = []
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.organisation_list_for_user(self.request.user).order_by("kind", "name", "id")
