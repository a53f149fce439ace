"""The council API: the scoped list and detail of councils (members, sessions,
topics), a session recorded, a member added or deactivated, a topic turned
into a case or a project. Each endpoint parses its input, calls one service
or selector, answers."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.models import Urgency
from communities.api import STAFF
from governance import councils
from governance import councils_selectors as selectors
from governance.councils import council_available_actions
from governance.models import Council, CouncilMember, CouncilSession, CouncilTopic, MemberKind
from hotline.api import parse_input
from hotline.api_fields import ChoiceLabelField, ErrorSerializer
from hotline.web import signed_in

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="议事厅或议题不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="议题已转办，或成员已不在任"),
}


class CouncilMemberSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(source="kind")
    phone = serializers.SerializerMethodField(help_text="本社区人员看到完整号码，其他人只看到后四位")

    class Meta:
        model = CouncilMember
        fields = ["id", "name", "kind", "kind_label", "building", "phone", "is_active", "joined_on"]

    def get_phone(self, member: CouncilMember) -> str:
        return selectors.member_phone_display(member.phone, visible=self.context.get("phones_visible", False))


class CouncilTopicSerializer(serializers.ModelSerializer):
    case_ticket_no = serializers.SerializerMethodField()
    project_title = serializers.SerializerMethodField()

    class Meta:
        model = CouncilTopic
        fields = [
            "id",
            "title",
            "discussion",
            "outcome",
            "case",
            "case_ticket_no",
            "project",
            "project_title",
            "converted_at",
        ]

    def get_case_ticket_no(self, topic: CouncilTopic) -> str | None:
        return topic.case.ticket_no if topic.case is not None else None

    def get_project_title(self, topic: CouncilTopic) -> str | None:
        return topic.project.title if topic.project is not None else None


class CouncilSessionSerializer(serializers.ModelSerializer):
    attendees = serializers.SerializerMethodField(help_text="出席成员的 id")
    topics = CouncilTopicSerializer(many=True, read_only=True)

    class Meta:
        model = CouncilSession
        fields = ["id", "held_at", "place", "summary", "attendees", "topics", "recorded_at"]

    def get_attendees(self, session: CouncilSession) -> list[int]:
        return [member.pk for member in session.attendees.all()]


class CouncilSerializer(serializers.ModelSerializer):
    community_name = serializers.CharField(source="community.name")
    members_active = serializers.IntegerField()
    sessions_count = serializers.IntegerField()
    topics_count = serializers.IntegerField()
    topics_to_case = serializers.IntegerField()
    topics_to_project = serializers.IntegerField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Council
        fields = [
            "id",
            "community",
            "community_name",
            "name",
            "created_at",
            "members_active",
            "sessions_count",
            "topics_count",
            "topics_to_case",
            "topics_to_project",
            "available_actions",
        ]

    def get_available_actions(self, council: Council) -> list[str]:
        return council_available_actions(actor=self.context["request"].user, council=council)


class CouncilDetailSerializer(CouncilSerializer):
    members = serializers.SerializerMethodField()
    sessions = serializers.SerializerMethodField()

    class Meta(CouncilSerializer.Meta):
        fields = [*CouncilSerializer.Meta.fields, "members", "sessions"]

    def get_members(self, council: Council) -> list[dict]:
        visible = selectors.member_phone_visible_to(self.context["request"].user, council)
        members = council.members.all().order_by("-is_active", "kind", "name", "id")
        return list(CouncilMemberSerializer(members, many=True, context={"phones_visible": visible}).data)

    def get_sessions(self, council: Council) -> list[dict]:
        return list(CouncilSessionSerializer(selectors.council_sessions(council=council), many=True).data)


class CouncilTopicInput(serializers.Serializer):
    title = serializers.CharField(label="议题", allow_blank=True)
    discussion = serializers.CharField(label="讨论情况", required=False, allow_blank=True, default="")
    outcome = serializers.CharField(label="议事结果", required=False, allow_blank=True, default="")


class CouncilSessionInput(serializers.Serializer):
    held_at = serializers.DateTimeField(label="议事时间")
    place = serializers.CharField(label="地点", allow_blank=True)
    summary = serializers.CharField(label="议事纪要", required=False, allow_blank=True, default="")
    attendees = serializers.ListField(child=serializers.IntegerField(), label="出席成员", required=False, default=list)
    topics = CouncilTopicInput(many=True, label="议题")


class CouncilMemberInput(serializers.Serializer):
    name = serializers.CharField(label="姓名", allow_blank=True)
    kind = serializers.ChoiceField(label="身份", choices=MemberKind.choices)
    building = serializers.CharField(label="楼号/单位", required=False, allow_blank=True, default="")
    phone = serializers.CharField(label="联系电话", required=False, allow_blank=True, default="")
    joined_on = serializers.DateField(label="加入日期", required=False, allow_null=True, default=None)


class CouncilTopicToCaseInput(serializers.Serializer):
    title = serializers.CharField(label="案件标题", required=False, allow_blank=True, default="")
    category = serializers.CharField(label="问题分类", required=False, allow_blank=True, default="")
    urgency = serializers.ChoiceField(label="紧急程度", choices=Urgency.choices, required=False, default="general")


class CouncilTopicToProjectInput(serializers.Serializer):
    title = serializers.CharField(label="项目名称", required=False, allow_blank=True, default="")
    keywords = serializers.ListField(child=serializers.CharField(), label="关键词", required=False, default=list)
    category_paths = serializers.ListField(
        child=serializers.CharField(), label="问题分类", required=False, default=list
    )
    lead = serializers.IntegerField(label="牵头领导（用户id）", required=False, allow_null=True, default=None)
    due_on = serializers.DateField(label="完成期限", required=False, allow_null=True, default=None)
    departments = serializers.ListField(
        child=serializers.IntegerField(), label="责任科室", required=False, default=list
    )


@extend_schema_view(
    list=extend_schema(summary="议事厅列表（按查看范围）"),
    retrieve=extend_schema(
        summary="议事厅详情：成员、议事会、议题", responses={200: CouncilDetailSerializer, **ERRORS}
    ),
)
class CouncilViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = CouncilSerializer
    filterset_fields = ["community"]
    ordering_fields: list[str] = []
    search_fields: list[str] = []
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.council_list_for_user(self.request.user)

    def get_serializer_class(self):
        return CouncilDetailSerializer if self.action == "retrieve" else CouncilSerializer

    def _detail(self, council_id: int, code: int = status.HTTP_200_OK) -> Response:
        council = self.get_queryset().filter(pk=council_id).first()
        return Response(CouncilDetailSerializer(council, context={"request": self.request}).data, status=code)

    def _council(self, pk) -> Council:
        return selectors.council_get_for_user(user=self.request.user, council_id=int(pk))

    @extend_schema(
        summary="记录议事会（本社区书记、社区办件员）",
        request=CouncilSessionInput,
        responses={201: CouncilDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def sessions(self, request: Request, pk: int) -> Response:
        council = self._council(pk)
        data = parse_input(CouncilSessionInput, request.data)
        councils.council_session_record(
            actor=signed_in(request.user),
            council_id=council.pk,
            held_at=data["held_at"],
            place=data["place"],
            summary=data["summary"],
            attendee_ids=data["attendees"],
            topics=[dict(t) for t in data["topics"]],  # type: ignore[misc]
        )
        return self._detail(council.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="添加议事厅成员（本社区书记、社区办件员）",
        request=CouncilMemberInput,
        responses={201: CouncilMemberSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def members(self, request: Request, pk: int) -> Response:
        council = self._council(pk)
        data = parse_input(CouncilMemberInput, request.data)
        member = councils.council_member_add(actor=signed_in(request.user), council_id=council.pk, **data)
        visible = selectors.member_phone_visible_to(request.user, council)
        return Response(
            CouncilMemberSerializer(member, context={"phones_visible": visible}).data, status=status.HTTP_201_CREATED
        )


class CouncilTopicViewSet(viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = CouncilTopicSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return CouncilTopic.objects.none()

    def _topic(self, pk) -> CouncilTopic:
        return selectors.council_topic_get_for_user(user=self.request.user, topic_id=int(pk))

    def _answer(self, topic_id: int) -> Response:
        topic = selectors.council_topic_get_for_user(user=self.request.user, topic_id=topic_id)
        return Response(CouncilTopicSerializer(topic).data)

    @extend_schema(
        summary="议题转为案件（本社区书记、社区办件员；渠道“居民议事”，即派本社区）",
        request=CouncilTopicToCaseInput,
        responses={200: CouncilTopicSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="to-case")
    def to_case(self, request: Request, pk: int) -> Response:
        topic = self._topic(pk)
        data = parse_input(CouncilTopicToCaseInput, request.data)
        councils.council_topic_to_case(actor=signed_in(request.user), topic_id=topic.pk, **data)
        return self._answer(topic.pk)

    @extend_schema(
        summary="议题转为治理项目（街道领导；一类问题治理）",
        request=CouncilTopicToProjectInput,
        responses={200: CouncilTopicSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="to-project")
    def to_project(self, request: Request, pk: int) -> Response:
        topic = self._topic(pk)
        data = parse_input(CouncilTopicToProjectInput, request.data)
        councils.council_topic_to_project(
            actor=signed_in(request.user),
            topic_id=topic.pk,
            title=data["title"],
            keywords=data["keywords"],
            category_paths=data["category_paths"],
            lead_id=data["lead"],
            due_on=data["due_on"],
            department_ids=data["departments"],
        )
        return self._answer(topic.pk)
