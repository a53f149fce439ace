"""`/api/supervision/talks/`: the 约谈 in the caller's scope (a community its
own, supervisors and leaders the street's), with their stored figures;
`/api/supervision/figures/?days=` the supervision figures per unit, and
`/api/supervision/figures/<figure>/?unit=&id=&chief=&days=` the records behind one."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.api import STAFF
from hotline.api_fields import ChoiceLabelField
from supervision import figures, talks
from supervision.models import MeetingAnswer, Talk


class TalkSerializer(serializers.ModelSerializer):
    unit_kind = serializers.CharField(read_only=True)
    unit_id = serializers.IntegerField(read_only=True)
    unit_name = serializers.CharField(read_only=True)
    reason_label = ChoiceLabelField(source="reason")

    class Meta:
        model = Talk
        fields = [
            "id",
            "unit_kind",
            "unit_id",
            "unit_name",
            "reason",
            "reason_label",
            "reason_text",
            "held_at",
            "attendees",
            "promises",
            "follow_up_on",
            "figures",
            "recorded_at",
        ]
        read_only_fields = fields


class TalkQuerySerializer(serializers.Serializer):
    community = serializers.IntegerField(required=False, min_value=1)
    department = serializers.IntegerField(required=False, min_value=1)


@extend_schema_view(
    list=extend_schema(summary="约谈记录", parameters=[TalkQuerySerializer]),
    retrieve=extend_schema(summary="一次约谈"),
)
class TalkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = TalkSerializer
    lookup_value_converter = "int"
    filter_backends: list = []

    def get_queryset(self):
        if self.action != "list":
            return talks.talk_scope_for_user(self.request.user)
        query = TalkQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return talks.talk_list_for_user(
            user=self.request.user,
            community_id=query.validated_data.get("community"),
            department_id=query.validated_data.get("department"),
        )


class DaysSerializer(serializers.Serializer):
    days = serializers.ChoiceField(choices=figures.DAY_CHOICES, required=False, default=figures.DEFAULT_DAYS)


class FigureRecordsQuerySerializer(DaysSerializer):
    unit = serializers.ChoiceField(choices=list(talks.UNIT_KINDS), required=False, default="")
    id = serializers.IntegerField(required=False, min_value=1)
    chief = serializers.IntegerField(required=False, min_value=1)


class FiguresView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="督办数据：按单位的催办级别、约谈、专题会评定、督办单与回头看",
        parameters=[DaysSerializer],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        query = DaysSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = figures.supervision_unit_figures(user=request.user, days=query.validated_data["days"])
        return Response(
            {
                "since": data["since"],
                "days": data["days"],
                "units": [
                    {
                        "kind": row["kind"],
                        "id": row["id"],
                        "name": row["name"],
                        "figures": [
                            {"key": figure.key, "label": figure.label, "count": n, "records": figure.records}
                            for figure, n in row["figures"]
                        ],
                        # supervision orders and 回头看 (communities; null for departments).
                        "orders": [
                            {"key": key, "label": label, "count": n, "url": url or None}
                            for key, label, n, url in row["orders"]
                        ],
                    }
                    for unit in data["units"]
                    for row in unit["rows"]
                ],
            }
        )


class AnswerSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="item.case_id", read_only=True)
    ticket_no = serializers.CharField(source="item.case.ticket_no", read_only=True)
    draw = serializers.IntegerField(source="item.draw_id", read_only=True)
    week = serializers.CharField(source="item.draw.week", read_only=True)

    class Meta:
        model = MeetingAnswer
        fields = ["id", "draw", "week", "case", "ticket_no", "chief", "community", "department", "answer", "grade"]
        read_only_fields = fields


class FigureRecordsView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="督办数据：某一数字背后的记录（案件、约谈或问询记录）",
        operation_id="supervision_figure_records",
        responses={200: OpenApiTypes.OBJECT},
        parameters=[FigureRecordsQuerySerializer, OpenApiParameter("figure", str, OpenApiParameter.PATH)],
    )
    def get(self, request: Request, figure: str) -> Response:
        query = FigureRecordsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        spec, records = figures.supervision_figure_records(
            user=request.user,
            figure=figure,
            unit_kind=data["unit"],
            unit_id=data.get("id"),
            chief_id=data.get("chief"),
            days=data["days"],
        )
        rows: list
        if spec.records == "cases":
            rows = [
                {"id": case.pk, "ticket_no": case.ticket_no, "title": case.title, "status": case.status}
                for case in records
            ]
        elif spec.records == "talks":
            rows = list(TalkSerializer(records, many=True).data)
        else:
            rows = list(AnswerSerializer(records, many=True).data)
        return Response(
            {"figure": spec.key, "label": spec.label, "records": spec.records, "count": len(rows), "results": rows}
        )
