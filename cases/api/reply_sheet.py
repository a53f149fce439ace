"""`GET /api/reply-sheet/?start=…&end=…`: the 12345 platform's reply sheet of
the period as .xlsx (clerks; cases.reply_sheet)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.views import APIView

from cases import reply_sheet
from communities.api import STAFF
from hotline.api import parse_input
from hotline.api_fields import ErrorSerializer
from hotline.validators import date_in_range
from hotline.xlsx import xlsx_streaming_response


class ReplySheetQueryInput(serializers.Serializer):
    start = serializers.DateField(label="办结日期自", validators=[date_in_range])
    end = serializers.DateField(label="办结日期至", validators=[date_in_range])


class ReplySheetView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="12345回复单（xlsx，办件员）：期间内办结的案件，每个工单编号一行",
        parameters=[ReplySheetQueryInput],
        responses={
            (200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY,
            400: OpenApiResponse(ErrorSerializer),
            403: OpenApiResponse(ErrorSerializer),
        },
    )
    def get(self, request):
        data = parse_input(ReplySheetQueryInput, request.query_params)
        sheet = reply_sheet.reply_sheet_xlsx(user=request.user, start=data["start"], end=data["end"])
        response = xlsx_streaming_response(sheet.filename, sheet.chunks)
        response["X-Export-Count"] = str(sheet.total)
        return response
