"""Read-only API of the organisation: communities, departments, pairings and
the handlers a case can be dispatched to (for the dispatch form); and the API
token of scripts (issue and revoke)."""

from django.contrib.auth import authenticate, user_logged_in
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from communities import tokens
from communities.models import Community, Department, Pairing, Person, Role
from communities.selectors import handler_list_for_community, pairing_list, person_for_user
from communities.sorting import unit_order
from communities.views import lockout_message
from hotline.api import parse_input
from hotline.api_fields import ChoiceLabelField, ErrorSerializer
from hotline.errors import DomainError, InvalidInput


class StaffRole(BasePermission):
    """Signed in with a role of the street office — not the lobby display, and
    not an account without a role."""

    message = "您的账号没有可使用此接口的岗位。"

    def has_permission(self, request, view) -> bool:
        person = person_for_user(request.user)
        return person is not None and person.role != Role.DISPLAY


STAFF = [IsAuthenticated, StaffRole]


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommunitySerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(source="kind")

    class Meta:
        model = Community
        fields = ["id", "name", "kind", "kind_label", "population", "households", "is_active"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "is_active"]


class ChiefSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user) -> str:
        person = getattr(user, "person", None)
        return person.full_name if person is not None else user.get_username()


class PairingSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")
    community = UnitRefSerializer()
    department = UnitRefSerializer()
    chief = ChiefSerializer(allow_null=True, help_text="包片科长")

    class Meta:
        model = Pairing
        fields = ["id", "name", "community", "department", "chief", "is_active"]


class HandlerSerializer(serializers.ModelSerializer):
    id = serializers.IntegerField(source="user_id", help_text="派发时作为 handler 提交")
    name = serializers.CharField(source="full_name")
    role_label = ChoiceLabelField(source="role")

    class Meta:
        model = Person
        fields = ["id", "name", "role", "role_label"]


class CommunityViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """社区（含楼宇/商务单元）。"""

    permission_classes = STAFF
    serializer_class = CommunitySerializer
    queryset = Community.objects.order_by(*unit_order(), "id")
    filterset_fields = ["is_active", "kind"]
    search_fields = ["name"]
    ordering_fields = ["name"]


class DepartmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """街道科室。"""

    permission_classes = STAFF
    serializer_class = DepartmentSerializer
    queryset = Department.objects.order_by(*unit_order(), "id")
    filterset_fields = ["is_active"]
    search_fields = ["name"]
    ordering_fields = ["name"]


class PairingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """启用中的包片（社区 + 科室），`?community=` 按社区筛选。"""

    permission_classes = STAFF
    serializer_class = PairingSerializer
    queryset = pairing_list().order_by(*unit_order("community__"), *unit_order("department__"), "id")
    filterset_fields = ["community", "department"]
    search_fields = ["community__name", "department__name"]
    ordering_fields = ["community__name", "department__name"]
    lookup_value_converter = "int"

    @extend_schema(summary="可派发的承办人（该包片社区的办件员和书记）", responses=HandlerSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def handlers(self, request, pk=None):
        pairing = self.get_object()
        people = handler_list_for_community(community=pairing.community).order_by("role", "full_name", "id")
        return Response(HandlerSerializer(people, many=True).data)


# ---------------------------------------------------------------- API tokens


class AccountLocked(DomainError):
    status_code = 429
    code = "account_locked"


class TokenInput(serializers.Serializer):
    username = serializers.CharField(label="用户名", max_length=150)
    password = serializers.CharField(label="密码", max_length=128, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField(help_text="令牌到期时间；修改密码、停用账号或撤销后立即失效")


class AuthTokenView(APIView):
    """POST a user name and password for a token, then send `Authorization: Token <key>`.
    Repeated wrong passwords lock the account for a while, as on the login page."""

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    @extend_schema(
        summary="获取 API 令牌",
        request=TokenInput,
        responses={
            200: TokenOutputSerializer,
            400: OpenApiResponse(ErrorSerializer, description="用户名或密码不正确"),
            429: OpenApiResponse(ErrorSerializer, description="连续多次输错，账号已被暂时锁定"),
        },
    )
    def post(self, request):
        data = parse_input(TokenInput, request.data)
        http_request = request._request  # django-axes reads and marks the Django request
        user = authenticate(http_request, username=data["username"], password=data["password"])
        if getattr(http_request, "axes_locked_out", False):
            raise AccountLocked(lockout_message(http_request, {"username": data["username"]}))
        if user is None:
            raise InvalidInput("无法使用提供的认证信息登录。", code="invalid")
        # Getting a token is a login: it is logged and resets the failure count.
        user_logged_in.send(sender=user.__class__, request=http_request, user=user)
        token = tokens.token_issue(user=user)
        return Response({"token": token.key, "expires_at": tokens.token_expires_at(token=token)})

    @extend_schema(summary="撤销自己的 API 令牌", request=None, responses={204: None})
    def delete(self, request):
        tokens.token_revoke(user_id=request.user.pk)
        return Response(status=204)
