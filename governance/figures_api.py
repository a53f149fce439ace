"""The governance figures in the API: the same rows as the overview page,
each figure with the path of the list that shows its records."""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.api import STAFF
from governance import figures
from governance.figures import FIGURES
from governance.figures_views import figures_period_parse, figures_rows
from hotline.api import parse_input
from hotline.api_fields import ErrorSerializer


class FiguresPeriodInput(serializers.Serializer):
    date_from = serializers.DateField(label="起始日期", required=False, allow_null=True, default=None)
    date_to = serializers.DateField(label="截止日期", required=False, allow_null=True, default=None)


class FiguresView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="未诉先办统计：按社区、科室和全街道（按查看范围）；每个数字附带所统计记录的列表路径",
        parameters=[
            OpenApiParameter("date_from", str, description="起始日期 YYYY-MM-DD（默认今年1月1日）"),
            OpenApiParameter("date_to", str, description="截止日期 YYYY-MM-DD（默认今年12月31日）"),
        ],
        responses={200: dict, 400: OpenApiResponse(ErrorSerializer, description="日期有误")},
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        data = parse_input(FiguresPeriodInput, request.query_params)
        period = figures_period_parse(data["date_from"], data["date_to"], today=today)
        table = figures.governance_figures(user=request.user, period=period, today=today)
        return Response(
            {
                "date_from": period.date_from,
                "date_to": period.date_to,
                "today": table.today,
                "figures": [{"key": f.key, "label": f"{f.group}·{f.label}", "follows_dates": f.dated} for f in FIGURES],
                "rows": [
                    {
                        "unit": {"kind": row.unit.kind, "id": row.unit.id, "name": row.unit.name},
                        "figures": {cell.key: {"value": cell.value, "url": cell.url} for cell in cells},
                    }
                    for row, cells in figures_rows(table)
                ],
            }
        )
