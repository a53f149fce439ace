"""`GET /api/cases/<id>/context/`: the caller's context of a case (来电背景) —
the same caller's other cases and the compound's recent cases — from the
selector the case page uses (`cases.context.case_context_for_user`), scoped
like the case: another unit's case answers 404."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import context as case_context
from cases import selectors
from cases.models import Case
from cases.transitions import Status
from cases.vocabulary import CALLBACK_OUTCOMES, case_callback_outcome
from communities.api import STAFF
from hotline.api_fields import ChoiceLabelField, ErrorSerializer


class ContextCaseSerializer(serializers.Serializer):
    """One case of a context list. The caller's name and phone only in the
    caller's list shown in full; phones in the title masked for who sees callers masked."""

    id = serializers.IntegerField()
    ticket_no = serializers.CharField()
    received_at = serializers.DateTimeField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = ChoiceLabelField(source="status", choices=Status.choices)
    community = serializers.CharField(source="community.name", allow_null=True, default=None)
    callback_outcome = serializers.ChoiceField(
        choices=list(CALLBACK_OUTCOMES), help_text="none；positive；single 单否；double 双否"
    )
    callback_outcome_label = serializers.CharField()
    caller_name = serializers.CharField(required=False, help_text="仅在来电人案件列表中、对可见来电人的角色给出")
    caller_phone = serializers.CharField(required=False, help_text="同上")

    def to_representation(self, case: Case) -> dict:
        outcome = case_callback_outcome(case)
        data = {
            "id": case.pk,
            "ticket_no": case.ticket_no,
            "received_at": serializers.DateTimeField().to_representation(case.received_at),
            "title": case.title if self.context["details_visible"] else selectors.mask_phones_in_text(case.title),
            "status": case.status,
            "status_label": case.get_status_display(),
            "community": case.community.name if case.community else None,
            "callback_outcome": outcome,
            "callback_outcome_label": CALLBACK_OUTCOMES[outcome],
        }
        if self.context.get("with_caller"):
            data["caller_name"] = case.caller_name
            data["caller_phone"] = case.caller_phone
        return data


class CallerCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="该来电人在您范围内的其他案件数")
    open = serializers.IntegerField(help_text="其中未办结")
    negative = serializers.IntegerField(help_text="其中回访单否或双否")


class CallerContextSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="脱敏电话（138****5678）；号码过短无法区分来电人时为空")
    repeat = serializers.BooleanField(help_text="重复来电：该来电人在您范围内另有案件")
    total = serializers.IntegerField()
    cases = ContextCaseSerializer(
        many=True, allow_null=True, help_text=f"最近 {case_context.CONTEXT_LIST_LIMIT} 件；不可见来电人的角色为 null"
    )
    counts = CallerCountsSerializer(allow_null=True, help_text="不可见来电人的角色只得到件数")


class CompoundContextSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="小区点位；案件未填时为空")
    days = serializers.IntegerField(help_text="回看天数（设置 CASE_CONTEXT_COMPOUND_DAYS）")
    since = serializers.DateTimeField(allow_null=True)
    total = serializers.IntegerField()
    cases = ContextCaseSerializer(many=True, help_text=f"最近 {case_context.CONTEXT_LIST_LIMIT} 件")


class CaseContextSerializer(serializers.Serializer):
    case_id = serializers.IntegerField()
    details_visible = serializers.BooleanField(help_text="是否可见来电人的案件明细（办件员、社区办件员、本案承办人）")
    caller = CallerContextSerializer()
    compound = CompoundContextSerializer()

    def to_representation(self, context: case_context.CaseContext) -> dict:
        visible = {"details_visible": context.details_visible}
        return {
            "case_id": context.case.pk,
            "details_visible": context.details_visible,
            "caller": {
                "key": context.caller_key,
                "repeat": context.repeat_caller,
                "total": context.caller_total,
                "cases": ContextCaseSerializer(
                    context.caller_cases, many=True, context={**visible, "with_caller": True}
                ).data
                if context.details_visible
                else None,
                "counts": CallerCountsSerializer(context.caller_counts).data if context.caller_counts else None,
            },
            "compound": {
                "name": context.compound,
                "days": context.compound_days,
                "since": serializers.DateTimeField().to_representation(context.compound_since)
                if context.compound_since
                else None,
                "total": context.compound_total,
                "cases": ContextCaseSerializer(context.compound_cases, many=True, context=visible).data,
            },
        }


class CaseContextView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="来电背景：同一来电人的其他案件、同一小区点位近期案件（含状态与回访结果）",
        responses={
            200: CaseContextSerializer,
            403: OpenApiResponse(ErrorSerializer, description="未登录，或您的岗位不能使用此接口"),
            404: OpenApiResponse(ErrorSerializer, description="案件不存在，或不在您的查看范围内"),
        },
    )
    def get(self, request, pk: int):
        case = selectors.case_get_for_user(user=request.user, case_id=pk)
        return Response(CaseContextSerializer(case_context.case_context_for_user(user=request.user, case=case)).data)
