"""The project API: the scoped list (the board's filters) and detail, create,
update, transitions, milestones, notes, linked cases, 立项治理 from a hotspot
class, and the class's calls before/after. Each endpoint parses its input,
calls one service or selector, answers; refusals are 4xx JSON bodies."""

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from cases.hotspots import hotspot_filters
from cases.selectors import case_scope_for_user
from communities.api import STAFF
from governance import projects
from governance import projects_selectors as selectors
from governance.models import Milestone, Project, ProjectKind
from governance.models.projects import ProjectCaseSource
from governance.projects_transitions import MilestoneAction, ProjectAction, ProjectStatus
from hotline.api import parse_input
from hotline.api_fields import ChoiceLabelField, ErrorSerializer
from hotline.errors import InvalidInput, NotFound
from hotline.web import signed_in

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="项目不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="项目当前状态不允许该步骤"),
}


class ProjectMilestoneSerializer(serializers.ModelSerializer):
    status_label = ChoiceLabelField(source="status")
    owner_name = serializers.SerializerMethodField()
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "title",
            "owner",
            "owner_name",
            "due_on",
            "status",
            "status_label",
            "done_at",
            "note",
            "available_actions",
        ]

    def get_available_actions(self, milestone: Milestone) -> list[str]:
        request = self.context.get("request")
        return projects.milestone_available_actions(actor=getattr(request, "user", None), milestone=milestone)

    def get_owner_name(self, milestone: Milestone) -> str:
        person = getattr(milestone.owner, "person", None)
        return person.full_name if person else milestone.owner.get_username()


class ProjectSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(source="kind")
    status_label = ChoiceLabelField(source="status")
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")  # type: ignore[var-annotated]
    available_actions = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "description",
            "month",
            "category_paths",
            "tags",
            "keywords",
            "lead",
            "departments",
            "communities",
            "starts_on",
            "due_on",
            "status",
            "status_label",
            "status_reason",
            "outcome",
            "created_at",
            "done_at",
            "available_actions",
        ]

    def get_available_actions(self, project: Project) -> list[str]:
        request = self.context.get("request")
        return projects.project_available_actions(actor=getattr(request, "user", None), project=project)


class ProjectDetailSerializer(ProjectSerializer):
    milestones = ProjectMilestoneSerializer(many=True, read_only=True)
    case_ids = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "milestones", "case_ids"]

    def get_case_ids(self, project: Project) -> list[int]:
        """The linked cases the viewer may see (the cases' own scoping)."""
        request = self.context.get("request")
        scope = case_scope_for_user(getattr(request, "user", None) or AnonymousUser())
        return list(project.links.filter(case__in=scope).order_by("case_id").values_list("case_id", flat=True))


class ProjectInput(serializers.Serializer):
    title = serializers.CharField(label="项目名称", allow_blank=True)
    lead = serializers.IntegerField(label="牵头领导", required=False, allow_null=True, default=None)
    starts_on = serializers.DateField(label="开始日期")
    due_on = serializers.DateField(label="完成期限")
    description = serializers.CharField(label="问题描述", required=False, allow_blank=True, default="")
    category_paths = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    tags = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    keywords = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    departments = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    communities = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)

    @staticmethod
    def arguments(data: dict) -> dict:
        return {
            "title": data["title"],
            "lead_id": data["lead"],
            "starts_on": data["starts_on"],
            "due_on": data["due_on"],
            "description": data["description"],
            "category_paths": data["category_paths"],
            "tag_ids": data["tags"],
            "keywords": data["keywords"],
            "department_ids": data["departments"],
            "community_ids": data["communities"],
        }


class ProjectCreateInput(ProjectInput):
    kind = serializers.ChoiceField(label="项目类型", choices=ProjectKind.choices)
    month = serializers.DateField(label="所属月份", required=False, allow_null=True, default=None)


class ProjectTransitionInput(serializers.Serializer):
    action = serializers.ChoiceField(label="操作", choices=ProjectAction.choices)
    reason = serializers.CharField(label="说明", required=False, allow_blank=True, default="")
    outcome = serializers.CharField(label="治理成效", required=False, allow_blank=True, default="")


class ProjectMilestoneInput(serializers.Serializer):
    title = serializers.CharField(label="节点", allow_blank=True)
    owner = serializers.IntegerField(label="责任人", required=False, allow_null=True, default=None)
    due_on = serializers.DateField(label="完成期限")


class ProjectMilestoneStepInput(serializers.Serializer):
    milestone = serializers.IntegerField(label="节点")
    action = serializers.ChoiceField(label="操作", choices=MilestoneAction.choices)
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class ProjectNoteInput(serializers.Serializer):
    text = serializers.CharField(label="推进情况", allow_blank=True)


class ProjectLinkInput(serializers.Serializer):
    case_ids = serializers.ListField(label="案件", child=serializers.IntegerField(), allow_empty=True)
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a declared field, not Field.source
        label="关联方式",
        choices=[ProjectCaseSource.HAND, ProjectCaseSource.SEARCH],
        required=False,
        default=ProjectCaseSource.HAND,
    )


class ProjectUnlinkInput(serializers.Serializer):
    case_id = serializers.IntegerField(label="案件")


class ProjectFromHotspotInput(serializers.Serializer):
    key = serializers.CharField(label="相似诉求类别（关键词）")
    received_after = serializers.DateField(label="来电日期自", required=False, allow_null=True, default=None)
    received_before = serializers.DateField(label="来电日期至", required=False, allow_null=True, default=None)
    tag = serializers.CharField(label="标签", required=False, allow_blank=True, default="")
    category = serializers.CharField(label="问题分类", required=False, allow_blank=True, default="")
    community = serializers.IntegerField(label="社区", required=False, allow_null=True, default=None)


class ProjectWeekSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    calls = serializers.IntegerField()


class ProjectCallsSerializer(serializers.Serializer):
    starts_on = serializers.DateField()
    weeks = serializers.IntegerField()
    too_young = serializers.BooleanField(help_text="项目开始不足一周：不作前后对比")
    no_history = serializers.BooleanField(help_text="立项前不足一周的来电记录：不作前后对比")
    before = ProjectWeekSerializer(many=True)
    after = ProjectWeekSerializer(many=True)
    before_total = serializers.IntegerField()
    after_total = serializers.IntegerField()


class ProjectRatesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    closed = serializers.IntegerField()
    valid_callbacks = serializers.IntegerField()
    response_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    resolution_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)
    satisfaction_rate = serializers.DecimalField(max_digits=5, decimal_places=4, allow_null=True)


class ProjectCallsResponseSerializer(ProjectCallsSerializer):
    linked = ProjectRatesSerializer(help_text="关联案件办理情况（口径同红黑榜）")


LIST_FILTERS = [
    OpenApiParameter("status", str, enum=ProjectStatus.values),
    OpenApiParameter("kind", str, enum=ProjectKind.values),
    OpenApiParameter("month", str, description="YYYY-MM（每月一题的月份）"),
    OpenApiParameter("open", bool, description="只看未完成的项目（立项、推进中）"),
    OpenApiParameter("late", bool, description="只看超期项目"),
    OpenApiParameter("milestones_late", bool, description="只看有逾期节点的项目"),
    OpenApiParameter("community", int),
    OpenApiParameter("department", int),
]


def _int_param(request: Request, name: str) -> int | None:
    value = request.query_params.get(name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{name} 须为整数。", field=name) from None


@extend_schema_view(
    list=extend_schema(summary="治理项目列表（按查看范围；筛选同看板）", parameters=LIST_FILTERS),
    retrieve=extend_schema(summary="治理项目详情", responses={200: ProjectDetailSerializer, **ERRORS}),
    create=extend_schema(
        summary="立项（街道领导）", request=ProjectCreateInput, responses={201: ProjectDetailSerializer, **ERRORS}
    ),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = ProjectSerializer
    filter_backends: list = []
    lookup_value_converter = "int"

    def get_queryset(self):
        params = self.request.query_params
        month = params.get("month")
        return selectors.project_list_for_user(
            user=self.request.user,
            status=params.get("status", ""),
            kind=params.get("kind", ""),
            month=selectors.project_month_parse(month) if month else None,
            open_only=params.get("open") in ("1", "true"),
            late=params.get("late") in ("1", "true"),
            milestones_late=params.get("milestones_late") in ("1", "true"),
            community_id=_int_param(self.request, "community"),
            department_id=_int_param(self.request, "department"),
        ).prefetch_related("tags", "departments", "communities")

    def _project(self, pk) -> Project:
        return selectors.project_get_for_user(user=self.request.user, project_id=int(pk))

    def _detail(self, project_id: int, code: int = status.HTTP_200_OK) -> Response:
        project = selectors.project_get_for_user(user=self.request.user, project_id=project_id)
        return Response(ProjectDetailSerializer(project, context={"request": self.request}).data, status=code)

    def retrieve(self, request: Request, pk=None) -> Response:
        return self._detail(int(pk))

    def create(self, request: Request) -> Response:
        data = parse_input(ProjectCreateInput, request.data)
        project = projects.project_create(
            actor=signed_in(request.user), kind=data["kind"], month=data["month"], **ProjectInput.arguments(data)
        )
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改项目（街道领导；立项或推进中）",
        request=ProjectInput,
        responses={200: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def edit(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectInput, request.data)
        projects.project_update(actor=signed_in(request.user), project_id=project.pk, **ProjectInput.arguments(data))
        return self._detail(project.pk)

    @extend_schema(
        summary="项目状态变更（开始推进、完成、搁置、恢复推进）",
        request=ProjectTransitionInput,
        responses={200: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectTransitionInput, request.data)
        projects.project_transition(actor=signed_in(request.user), project_id=project.pk, **data)
        return self._detail(project.pk)

    @extend_schema(
        summary="添加节点（街道领导）",
        request=ProjectMilestoneInput,
        responses={201: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def milestones(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectMilestoneInput, request.data)
        projects.milestone_add(
            actor=signed_in(request.user),
            project_id=project.pk,
            title=data["title"],
            owner_id=data["owner"],
            due_on=data["due_on"],
        )
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="完成或重新打开节点（节点责任人、街道领导）",
        request=ProjectMilestoneStepInput,
        responses={200: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="milestone-step")
    def milestone_step(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectMilestoneStepInput, request.data)
        if not project.milestones.filter(pk=data["milestone"]).exists():
            raise NotFound("节点不存在。")
        projects.milestone_transition(
            actor=signed_in(request.user), milestone_id=data["milestone"], action=data["action"], note=data["note"]
        )
        return self._detail(project.pk)

    @extend_schema(
        summary="记录推进情况（照片以 multipart 的 photos 字段上传）",
        request=ProjectNoteInput,
        responses={201: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def notes(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectNoteInput, request.data)
        projects.project_note_add(
            actor=signed_in(request.user),
            project_id=project.pk,
            text=data["text"],
            photos=request.FILES.getlist("photos"),
        )
        return self._detail(project.pk, status.HTTP_201_CREATED)

    @extend_schema(
        summary="关联案件（须在您的案件查看范围内，否则一件也不关联）",
        request=ProjectLinkInput,
        responses={200: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def cases(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectLinkInput, request.data)
        projects.project_link_cases(
            actor=signed_in(request.user), project_id=project.pk, case_ids=data["case_ids"], source=data["source"]
        )
        return self._detail(project.pk)

    @extend_schema(
        summary="移出关联案件", request=ProjectUnlinkInput, responses={200: ProjectDetailSerializer, **ERRORS}
    )
    @action(detail=True, methods=["post"])
    def unlink(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        data = parse_input(ProjectUnlinkInput, request.data)
        projects.project_unlink_case(actor=signed_in(request.user), project_id=project.pk, case_id=data["case_id"])
        return self._detail(project.pk)

    @extend_schema(
        summary="问题类别立项前后每周来电（不足一周不作对比）与关联案件办理情况",
        responses={200: ProjectCallsResponseSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def calls(self, request: Request, pk=None) -> Response:
        project = self._project(pk)
        calls = selectors.project_class_calls(user=request.user, project=project)
        rates = selectors.project_linked_rates(user=request.user, project=project)
        return Response({**ProjectCallsSerializer(calls).data, "linked": ProjectRatesSerializer(rates).data})

    @extend_schema(
        summary="从热点分析的相似诉求类别立项治理（每月一题，关联该类全部案件）",
        request=ProjectFromHotspotInput,
        responses={201: ProjectDetailSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="from-hotspot")
    def from_hotspot(self, request: Request) -> Response:
        data = parse_input(ProjectFromHotspotInput, request.data)
        filters = hotspot_filters(
            date_from=data["received_after"],
            date_to=data["received_before"],
            tag=data["tag"],
            category=data["category"],
            community_id=data["community"],
        )
        project = projects.project_create_from_hotspot(actor=signed_in(request.user), filters=filters, key=data["key"])
        return self._detail(project.pk, status.HTTP_201_CREATED)
