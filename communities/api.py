"""Read-only API of the organisation: communities, departments, pairings and
the handlers a case can be dispatched to (for the dispatch form)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from communities.models import Community, Department, Pairing, Person, Role
from communities.selectors import handler_list_for_community, pairing_list, person_for_user
from communities.sorting import unit_order


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
    kind_label = serializers.CharField(source="get_kind_display")

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
    role_label = serializers.CharField(source="get_role_display")

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
