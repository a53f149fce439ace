"""`/api/supervision/orders/` (督办单, scoped like the cases: a community its
own, supervisors and leaders the street), `/api/supervision/checks/` (每日检查)
and `/api/supervision/rechecks/` (回头看) for supervisors and leaders, and
`/api/supervision/order-figures/` (orders open/late and 回头看 found back per community)."""

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.api import STAFF
from communities.selectors import person_for_user
from hotline.api_fields import ChoiceLabelField
from hotline.errors import NotFound
from hotline.web import signed_in
from supervision import checks, orders, rechecks
from supervision.models import (
    CheckFinding,
    DailyCheck,
    FindingType,
    OrderKind,
    Recheck,
    RecheckDraw,
    SupervisionOrder,
)


class CaseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ticket_no = serializers.CharField()
    title = serializers.CharField()
    community = serializers.CharField(source="community.name", default=None)


class OrderSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer()
    kind_label = ChoiceLabelField(source="kind")
    status_label = ChoiceLabelField(source="status")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "case",
            "kind",
            "kind_label",
            "status",
            "status_label",
            "overdue",
            "note",
            "due_on",
            "ordered_at",
            "closed_at",
            "close_note",
        ]
        read_only_fields = fields

    def get_overdue(self, order: SupervisionOrder) -> bool:
        return order.status == "open" and order.due_on < timezone.localdate()


class OrderQuerySerializer(serializers.Serializer):
    community = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=OrderKind.choices, required=False, default="")
    state = serializers.ChoiceField(choices=list(orders.ORDER_STATES.items()), required=False, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)


@extend_schema_view(
    list=extend_schema(summary="督办单", parameters=[OrderQuerySerializer]),
    retrieve=extend_schema(summary="一张督办单"),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = OrderSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.action != "list":
            return orders.order_list_for_user(user=self.request.user)
        query = OrderQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        return orders.order_list_for_user(
            user=self.request.user, community_id=data.get("community"), kind=data["kind"], state=data["state"]
        )

    @extend_schema(summary="督办单办结（记录落实情况）", request=NoteSerializer, responses={200: OrderSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        orders.order_get_for_user(user=request.user, order_id=pk)  # 404 outside the scope
        body = NoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        order = orders.order_close(order_id=pk, actor=signed_in(request.user), note=body.validated_data["note"])
        return Response(OrderSerializer(orders.order_get_for_user(user=request.user, order_id=order.pk)).data)


class FindingSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer()
    finding_label = ChoiceLabelField(source="finding")
    order = OrderSerializer(allow_null=True)

    class Meta:
        model = CheckFinding
        fields = ["id", "case", "reasons", "finding", "finding_label", "note", "order", "recorded_at"]
        read_only_fields = fields


class CheckSerializer(serializers.ModelSerializer):
    supervisor = serializers.CharField(source="supervisor.person.full_name", default=None)
    findings = FindingSerializer(many=True, read_only=True)

    class Meta:
        model = DailyCheck
        fields = ["id", "day", "supervisor", "status", "opened_at", "closed_at", "summary", "findings"]
        read_only_fields = fields


class ProposalSerializer(serializers.Serializer):
    case = CaseRefSerializer()
    reasons = serializers.ListField(child=serializers.CharField())


class FindingInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1)
    finding = serializers.ChoiceField(choices=FindingType.choices)
    note = serializers.CharField(max_length=2000)
    order_kind = serializers.ChoiceField(
        choices=[(kind.value, kind.label) for kind in orders.MANUAL_KINDS], required=False, default=""
    )
    due_on = serializers.DateField(required=False, default=None)


class CheckCloseSerializer(serializers.Serializer):
    summary = serializers.CharField(max_length=2000, required=False, default="", allow_blank=True)


class CheckQuerySerializer(serializers.Serializer):
    community = serializers.IntegerField(required=False, min_value=1)


@extend_schema_view(
    list=extend_schema(summary="每日检查记录", parameters=[CheckQuerySerializer]),
    retrieve=extend_schema(summary="一次每日检查"),
)
class CheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = CheckSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        query = CheckQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return checks.check_list_for_user(
            user=self.request.user, community_id=query.validated_data.get("community")
        ).prefetch_related("findings__case__community", "findings__order__case__community")

    @extend_schema(summary="开始今日检查", request=None, responses={201: CheckSerializer})
    def create(self, request: Request) -> Response:
        check = checks.check_open_today(actor=signed_in(request.user))
        return Response(CheckSerializer(check).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="系统提示的待检查案件", responses={200: ProposalSerializer(many=True)})
    @action(detail=True, methods=["get"])
    def proposals(self, request: Request, pk: int) -> Response:
        check = checks.check_get_for_user(user=request.user, check_id=pk)
        return Response(ProposalSerializer(checks.check_proposals(check=check), many=True).data)

    @extend_schema(summary="记录一件案件的检查情况", request=FindingInputSerializer, responses={201: FindingSerializer})
    @action(detail=True, methods=["post"])
    def findings(self, request: Request, pk: int) -> Response:
        checks.check_get_for_user(user=request.user, check_id=pk)
        body = FindingInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        finding = checks.check_record_finding(
            check_id=pk,
            actor=signed_in(request.user),
            case_id=data["case"],
            finding=data["finding"],
            note=data["note"],
            order_kind=data["order_kind"],
            due_on=data["due_on"],
        )
        return Response(FindingSerializer(finding).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="完成并锁定检查", request=CheckCloseSerializer, responses={200: CheckSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: int) -> Response:
        checks.check_get_for_user(user=request.user, check_id=pk)
        body = CheckCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        checks.check_close(check_id=pk, actor=signed_in(request.user), summary=body.validated_data["summary"])
        return Response(CheckSerializer(checks.check_get_for_user(user=request.user, check_id=pk)).data)


class RecheckSerializer(serializers.ModelSerializer):
    case = CaseRefSerializer()
    order = OrderSerializer(allow_null=True)

    class Meta:
        model = Recheck
        fields = ["id", "case", "position", "status", "still_resolved", "satisfied", "note", "checked_at", "order"]
        read_only_fields = fields


class RecheckDrawSerializer(serializers.ModelSerializer):
    rechecks = RecheckSerializer(many=True, read_only=True)
    pool_size = serializers.SerializerMethodField()
    reproduction = serializers.SerializerMethodField()

    class Meta:
        model = RecheckDraw
        fields = [
            "id",
            "week_start",
            "seed",
            "pool_size",
            "pool_case_ids",
            "drawn_count",
            "drawn_at",
            "reproduction",
            "rechecks",
        ]
        read_only_fields = fields

    def get_pool_size(self, draw: RecheckDraw) -> int:
        return len(draw.pool_case_ids)

    def get_reproduction(self, draw: RecheckDraw) -> str:
        return f"random.Random({draw.seed}).sample(sorted(pool_case_ids), {draw.drawn_count})"


class RecheckInputSerializer(serializers.Serializer):
    case = serializers.IntegerField(min_value=1)
    still_resolved = serializers.BooleanField()
    satisfied = serializers.BooleanField()
    note = serializers.CharField(max_length=2000)


@extend_schema_view(list=extend_schema(summary="回头看抽取"), retrieve=extend_schema(summary="一次回头看抽取"))
class RecheckDrawViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = RecheckDrawSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        return rechecks.recheck_draw_list_for_user(user=self.request.user).prefetch_related(
            "rechecks__case__community", "rechecks__order__case__community"
        )

    @extend_schema(
        summary="记录回头看（再次联系来电人）", request=RecheckInputSerializer, responses={200: RecheckSerializer}
    )
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: int) -> Response:
        rechecks.recheck_draw_get_for_user(user=request.user, draw_id=pk)
        body = RecheckInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        recheck = rechecks.recheck_record(
            draw_id=pk,
            case_id=data["case"],
            actor=signed_in(request.user),
            still_resolved=data["still_resolved"],
            satisfied=data["satisfied"],
            note=data["note"],
        )
        return Response(RecheckSerializer(recheck).data)


class OrderFigureSerializer(serializers.Serializer):
    community_id = serializers.IntegerField()
    name = serializers.CharField()
    open = serializers.IntegerField()
    open_url = serializers.CharField()
    overdue = serializers.IntegerField()
    overdue_url = serializers.CharField()
    found_back = serializers.IntegerField()
    found_back_url = serializers.CharField()


class OrderFiguresView(APIView):
    permission_classes = STAFF

    @extend_schema(
        summary="督办单与回头看：各社区未办结、逾期督办单和回头看复发数",
        responses={200: OrderFigureSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        person = person_for_user(request.user)
        if person is None or person.role not in orders.ORDER_ROLES:
            raise NotFound("您无权查看督办统计。")
        return Response(
            OrderFigureSerializer(orders.supervision_order_figures(street_id=person.street_id), many=True).data
        )
