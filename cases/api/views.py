"""The case API: the scoped list and detail, registration, and one POST
endpoint per step of the lifecycle. Each step checks that the case is in the
user's scope (404 otherwise), parses its input, calls exactly one service and
answers with the updated case detail."""

from collections.abc import Callable

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.response import Response

from cases import selectors, services, similarity
from cases.api import serializers as s
from cases.api.filters import CaseFilter, ExtensionFilter, StableOrderingFilter
from cases.vocabulary import KEYWORD_FIELDS, case_keyword_q
from communities.api import STAFF
from hotline.api import parse_input
from hotline.api_fields import ErrorSerializer

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="输入有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能执行该步骤"),
    404: OpenApiResponse(ErrorSerializer, description="案件不存在，或不在您的查看范围内"),
    409: OpenApiResponse(ErrorSerializer, description="案件当前状态不允许该步骤（常见于他人已先操作）"),
}


class KeywordSearchFilter(SearchFilter):
    """`?search=`: the one keyword search (cases.vocabulary.case_keyword_q),
    documented like DRF's search."""

    def filter_queryset(self, request, queryset, view):
        self.get_search_terms(request)  # DRF's checks of the parameter (a NUL character is a 400)
        keyword = case_keyword_q(request.query_params.get(self.search_param, ""))
        return queryset if keyword is None else queryset.filter(keyword)


def _step_schema(summary: str, request: type[serializers.Serializer] | None):
    return extend_schema(summary=summary, request=request, responses={200: s.CaseDetailSerializer, **ERRORS})


@extend_schema_view(
    list=extend_schema(summary="案件列表（按角色和单位限定范围）"),
    retrieve=extend_schema(
        summary="案件详情：时间线、签字、延期申请、可执行步骤", responses={200: s.CaseDetailSerializer, **ERRORS}
    ),
)
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = s.CaseListSerializer
    filter_backends = [DjangoFilterBackend, KeywordSearchFilter, StableOrderingFilter]
    filterset_class = CaseFilter
    search_fields = list(KEYWORD_FIELDS)  # for the schema; the filtering is case_keyword_q
    ordering_fields = ["received_at", "closure_deadline", "ticket_no", "status"]
    ordering = ["-received_at", "-id"]
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.case_list_for_user(self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["caller_visible"] = selectors.caller_visible_to(self.request.user)
        return context

    def _detail(self, case_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
        case = selectors.case_get_for_user(user=self.request.user, case_id=case_id)
        return Response(s.CaseDetailSerializer(case, context=self.get_serializer_context()).data, status=status_code)

    def _step(self, pk: int, input_class: type[serializers.Serializer], service: Callable, **renamed: str) -> Response:
        # Out of scope: 404 before anything else.
        case = selectors.case_get_for_user(user=self.request.user, case_id=int(pk))
        data = dict(parse_input(input_class, self.request.data))
        for field, argument in renamed.items():
            data[argument] = data.pop(field)
        service(case_id=case.pk, actor=self.request.user, **data)
        return self._detail(case.pk)

    def retrieve(self, request, pk=None):
        return self._detail(int(pk))

    @extend_schema(
        summary="登记案件（办件员）",
        request=s.CaseRegisterInput,
        responses={201: s.CaseDetailSerializer, **ERRORS},
    )
    def create(self, request):
        case = services.case_register(actor=request.user, **parse_input(s.CaseRegisterInput, request.data))
        return self._detail(case.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="社区自行登记（社区办件员、书记）：入户走访、微信群、居民议事、居委会电话，即派本社区",
        request=s.CommunityIntakeInput,
        responses={201: s.CaseDetailSerializer, **ERRORS},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="community",
        url_name="community",
        pagination_class=None,
        filter_backends=[],
    )
    def community_intake(self, request):
        data = parse_input(s.CommunityIntakeInput, request.data)
        case = services.case_register_in_community(actor=request.user, **data)
        return self._detail(case.pk, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="疑似重复诉求：同小区或同地址、时间相近、内容相似的案件（按相似度）",
        parameters=[s.SimilarQueryInput],
        responses={200: s.SimilarCaseSerializer(many=True), **ERRORS},
    )
    @action(
        detail=False, methods=["get"], url_path="similar", url_name="similar", pagination_class=None, filter_backends=[]
    )
    def similar(self, request):
        data = parse_input(s.SimilarQueryInput, request.query_params)
        found = similarity.case_similar_list(user=request.user, **data)
        return Response(s.SimilarCaseSerializer(found, many=True).data)

    @_step_schema("关联为重复诉求（办件员）", s.LinkRepeatInput)
    @action(detail=True, methods=["post"], url_path="link-repeat", url_name="link-repeat")
    def step_link_repeat(self, request, pk=None):
        return self._step(pk, s.LinkRepeatInput, similarity.case_link_repeat, original="original_id")

    @_step_schema("派发到包片和承办人（办件员）", s.DispatchInput)
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def step_dispatch(self, request, pk=None):
        return self._step(pk, s.DispatchInput, services.case_dispatch, pairing="pairing_id", handler="handler_id")

    @_step_schema("改派（办件员）", s.RedispatchInput)
    @action(detail=True, methods=["post"], url_path="redispatch", url_name="redispatch")
    def step_redispatch(self, request, pk=None):
        return self._step(pk, s.RedispatchInput, services.case_redispatch, pairing="pairing_id", handler="handler_id")

    @_step_schema("退单（社区）", s.ReturnInput)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def step_return(self, request, pk=None):
        return self._step(pk, s.ReturnInput, services.case_return)

    @_step_schema("已联系来电人（社区）", s.NoteInput)
    @action(detail=True, methods=["post"], url_path="respond", url_name="respond")
    def step_respond(self, request, pk=None):
        return self._step(pk, s.NoteInput, services.case_respond)

    @_step_schema("填写或修改办理结果（社区；修改使已有签字作废）", s.ReplyInput)
    @action(detail=True, methods=["post"], url_path="reply", url_name="reply")
    def step_reply(self, request, pk=None):
        return self._step(pk, s.ReplyInput, services.case_reply)

    @_step_schema("办理结果签字（社区书记、包片科长；第二个签字即办结）", s.SignInput)
    @action(detail=True, methods=["post"], url_path="sign-reply", url_name="sign-reply")
    def step_sign_reply(self, request, pk=None):
        return self._step(pk, s.SignInput, services.case_sign_reply)

    @_step_schema("办结（须已双签字）", s.EmptyInput)
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def step_close(self, request, pk=None):
        return self._step(pk, s.EmptyInput, services.case_close)

    @_step_schema("录入回访（办件员）", s.CallbackInput)
    @action(detail=True, methods=["post"], url_path="callback", url_name="callback")
    def step_callback(self, request, pk=None):
        return self._step(pk, s.CallbackInput, services.case_record_callback)

    @_step_schema("填写或修改未解决案件情况说明（社区）", s.ExplanationInput)
    @action(detail=True, methods=["post"], url_path="explanation", url_name="explanation")
    def step_explanation(self, request, pk=None):
        return self._step(pk, s.ExplanationInput, services.case_write_explanation)

    @_step_schema("情况说明签字（社区书记、包片科长）", s.SignInput)
    @action(detail=True, methods=["post"], url_path="sign-explanation", url_name="sign-explanation")
    def step_sign_explanation(self, request, pk=None):
        return self._step(pk, s.SignInput, services.case_sign_explanation)

    @_step_schema("申请延期（社区）", s.ExtensionInput)
    @action(detail=True, methods=["post"], url_path="extension", url_name="extension")
    def step_extension(self, request, pk=None):
        return self._step(pk, s.ExtensionInput, services.case_request_extension)

    @_step_schema("督办（监察组、街道领导）", s.SuperviseInput)
    @action(detail=True, methods=["post"], url_path="supervise", url_name="supervise")
    def step_supervise(self, request, pk=None):
        return self._step(pk, s.SuperviseInput, services.case_supervise)

    @_step_schema("核减（街道领导）", s.ExcludeInput)
    @action(detail=True, methods=["post"], url_path="exclude", url_name="exclude")
    def step_exclude(self, request, pk=None):
        return self._step(pk, s.ExcludeInput, services.case_exclude)

    @_step_schema("撤销核减（街道领导）", s.RestoreInput)
    @action(detail=True, methods=["post"], url_path="restore", url_name="restore")
    def step_restore(self, request, pk=None):
        return self._step(pk, s.RestoreInput, services.case_restore)


@extend_schema_view(list=extend_schema(summary="延期申请（按案件范围限定），`?decision=pending` 为待审批"))
class ExtensionViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = s.ExtensionListSerializer
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    filterset_class = ExtensionFilter
    ordering_fields = ["requested_at"]
    ordering = ["-requested_at", "-id"]
    lookup_value_converter = "int"

    def get_queryset(self):
        return selectors.extension_request_list_for_user(user=self.request.user)

    @extend_schema(
        summary="审批延期（街道领导）；返回更新后的案件详情",
        request=s.DecideExtensionInput,
        responses={200: s.CaseDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="decide", url_name="decide")
    def decide(self, request, pk=None):
        extension = selectors.extension_request_get_for_user(user=request.user, request_id=int(pk))
        data = parse_input(s.DecideExtensionInput, request.data)
        services.case_decide_extension(request_id=extension.pk, actor=request.user, **data)
        case = selectors.case_get_for_user(user=request.user, case_id=extension.case_id)
        context = {"request": request, "caller_visible": selectors.caller_visible_to(request.user)}
        return Response(s.CaseDetailSerializer(case, context=context).data)
