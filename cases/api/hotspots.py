"""`GET /api/hotspots/`: the hotspot figures of the page `/cases/hotspots/`
(热点分析), scoped like every case read; each figure carries the case list
URL (`/api/cases/?…`) that returns exactly the cases it counts."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import hotspots as report
from cases.hotspot_classes import hotspot_similar_classes
from cases.models import Channel, Urgency
from communities.api import STAFF
from hotline.api import parse_input
from hotline.api_fields import ErrorSerializer
from hotline.validators import date_in_range


class HotspotQueryInput(serializers.Serializer):
    received_after = serializers.DateField(
        label="来电日期自", required=False, validators=[date_in_range], help_text="默认：结束日期前 27 天"
    )
    received_before = serializers.DateField(
        label="来电日期至", required=False, validators=[date_in_range], help_text="默认：今天"
    )
    tag = serializers.CharField(label="标签", required=False, allow_blank=True, max_length=32)
    category = serializers.CharField(label="问题分类（路径前缀）", required=False, allow_blank=True, max_length=200)
    community = serializers.IntegerField(label="承办社区", required=False, min_value=1)
    urgency = serializers.MultipleChoiceField(label="紧急程度", choices=Urgency.choices, required=False)
    channel = serializers.MultipleChoiceField(label="来源渠道", choices=Channel.choices, required=False)
    top = serializers.IntegerField(
        label="每表条数",
        required=False,
        min_value=1,
        max_value=report.HOTSPOT_TOP_MAX,
        default=report.HOTSPOT_TOP,
    )


class HotspotRowSerializer(serializers.Serializer):
    label = serializers.CharField()  # type: ignore[assignment]  # the payload's `label` key, not Field.label
    count = serializers.IntegerField(help_text="本期件数")
    previous = serializers.IntegerField(help_text="上期件数")
    change = serializers.IntegerField(help_text="本期减上期")
    cases_url = serializers.SerializerMethodField(help_text="列出本期这些案件的案件列表地址")
    previous_cases_url = serializers.SerializerMethodField(help_text="列出上期这些案件的案件列表地址")

    def get_cases_url(self, row: report.HotspotRow) -> str:
        return f"{reverse('api-case-list')}?{row.query}"

    def get_previous_cases_url(self, row: report.HotspotRow) -> str:
        return f"{reverse('api-case-list')}?{row.previous_query}"


class CommunityHotspotSerializer(HotspotRowSerializer):
    community = serializers.IntegerField(source="key")
    population = serializers.IntegerField(help_text="常住人口；0 为未填写")
    per_10k = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="万人诉求比；未填写常住人口时为 null"
    )
    previous_per_10k = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class HotspotWindowSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    days = serializers.IntegerField()
    previous_from = serializers.DateField()
    previous_to = serializers.DateField()
    tag = serializers.CharField()
    category = serializers.CharField()
    community = serializers.IntegerField(source="community_id", allow_null=True)
    urgency = serializers.ListField(source="urgencies", child=serializers.CharField())
    channel = serializers.ListField(source="channels", child=serializers.CharField())


class HotspotsSerializer(serializers.Serializer):
    filters = HotspotWindowSerializer()
    top = serializers.IntegerField()
    total = HotspotRowSerializer()
    repeat_callers = HotspotRowSerializer(
        help_text="本期就同一问题（同一分类）来电 2 次及以上的来电人数（按脱敏号码区分）"
    )
    repeat_cases = HotspotRowSerializer(help_text="这些重复来电的诉求件数（= repeat_categories 各行之和）")
    category_l1 = HotspotRowSerializer(many=True)
    category_l2 = HotspotRowSerializer(many=True)
    category_path = HotspotRowSerializer(many=True)
    compounds = HotspotRowSerializer(many=True)
    addresses = HotspotRowSerializer(many=True, help_text="地址聚类：地址截至楼号")
    communities = CommunityHotspotSerializer(many=True)
    repeat_categories = HotspotRowSerializer(
        many=True, help_text="重复来电诉求按分类：同一来电人就同一分类来电 2 次及以上的诉求"
    )


class SimilarClassSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="类名（关键词以“、”相连）；立项治理时提交此值")
    keywords = serializers.ListField(child=serializers.CharField())
    count = serializers.IntegerField(help_text="本期该类诉求件数")
    category = serializers.CharField(help_text="该类最多的问题分类")
    example = serializers.CharField(help_text="示例标题（该类最早一件）")
    first_at = serializers.DateTimeField()
    last_at = serializers.DateTimeField()
    case_ids = serializers.ListField(child=serializers.IntegerField())


def _filters(data: dict) -> report.HotspotFilters:
    return report.hotspot_filters(
        date_from=data.get("received_after"),
        date_to=data.get("received_before"),
        tag=data.get("tag", ""),
        category=data.get("category", ""),
        community_id=data.get("community"),
        urgencies=sorted(data.get("urgency", ())),
        channels=sorted(data.get("channel", ())),
    )


ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="统计条件有误"),
    403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能使用此接口"),
}


class HotspotView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="热点分析：分类、小区点位、地址、社区（万人诉求比）与重复来电，对比上一期",
        parameters=[HotspotQueryInput],
        responses={200: HotspotsSerializer, **ERRORS},
    )
    def get(self, request):
        data = parse_input(HotspotQueryInput, request.query_params)
        hotspots = report.case_hotspots(user=request.user, filters=_filters(data), top=data["top"])
        return Response(HotspotsSerializer(hotspots).data)


class HotspotClassesView(APIView):
    """The hotspot page's 相似诉求 table: the user's cases of the window grouped
    by similar text (`cases.hotspot_classes`), largest first; a class's `key`
    with the same filters opens a project (`POST /api/projects/from-hotspot/`)."""

    permission_classes = STAFF

    @extend_schema(
        summary="相似诉求：本期内容相近的诉求归类（立项治理的依据）",
        parameters=[HotspotQueryInput],
        responses={200: SimilarClassSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        data = parse_input(HotspotQueryInput, request.query_params)
        classes = hotspot_similar_classes(user=request.user, filters=_filters(data), top=data["top"])
        return Response(SimilarClassSerializer(classes, many=True).data)
