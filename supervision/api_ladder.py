"""`/api/supervision/ladder/`: how many open cases stand at each level of the
催办 ladder, per unit, in the caller's scope; `/api/supervision/ladder/cases/?level=`
(and `community=` / `department=`) lists the cases themselves."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.models import Case
from communities.api import STAFF
from supervision import ladder
from supervision.models import LadderLevel


class LevelCountSerializer(serializers.Serializer):
    level = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    count = serializers.IntegerField()


class UnitLadderSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    levels = LevelCountSerializer(many=True)


class LadderSerializer(serializers.Serializer):
    totals = LevelCountSerializer(many=True)
    communities = UnitLadderSerializer(many=True)
    departments = UnitLadderSerializer(many=True)


class LadderCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_no = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    urgency = serializers.CharField()
    community = serializers.CharField(source="community.name", default=None)
    department = serializers.CharField(source="department.name", default=None)
    response_deadline = serializers.DateTimeField()
    closure_deadline = serializers.DateTimeField()


class LadderQuerySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LadderLevel.choices)
    community = serializers.IntegerField(required=False, min_value=1)
    department = serializers.IntegerField(required=False, min_value=1)


def _counts(cells) -> list[dict]:
    return [{"level": value, "label": label, "count": n} for value, label, n in cells]


class LadderView(APIView):
    permission_classes = STAFF

    @extend_schema(summary="催办：各级别未办结案件数（全部、按社区、按科室）", responses={200: LadderSerializer})
    def get(self, request: Request) -> Response:
        board = ladder.ladder_board_for_user(user=request.user)
        units = {
            unit: [{"id": row["id"], "name": row["name"], "levels": _counts(row["cells"])} for row in board[unit]]
            for unit in ("communities", "departments")
        }
        return Response({"totals": _counts(board["totals"]), **units})


@extend_schema_view(get=extend_schema(summary="催办：处于某一级别的未办结案件", parameters=[LadderQuerySerializer]))
class LadderCaseListView(ListAPIView):
    permission_classes = STAFF
    serializer_class = LadderCaseSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no query
            return Case.objects.none()
        query = LadderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return ladder.ladder_case_list_for_user(
            user=self.request.user,
            level=query.validated_data["level"],
            community_id=query.validated_data.get("community"),
            department_id=query.validated_data.get("department"),
        )
