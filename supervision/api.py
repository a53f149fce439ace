"""`/api/notifications/`: the user's own notifications, and marking them read."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from communities.api import STAFF
from hotline.api_fields import ChoiceLabelField
from hotline.web import signed_in
from supervision import selectors, services
from supervision.models import Notification, NotificationKind


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField(source="kind")
    case_ticket_no = serializers.CharField(source="case.ticket_no", read_only=True, default=None)

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "case", "case_ticket_no", "title", "text", "url", "created_at", "read_at"]
        read_only_fields = fields


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)
    kind = serializers.ChoiceField(choices=NotificationKind.choices, required=False, default="")


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


@extend_schema_view(
    list=extend_schema(summary="我的通知", parameters=[NotificationQuerySerializer]),
    retrieve=extend_schema(summary="一条通知"),
)
class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = STAFF
    serializer_class = NotificationSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if self.action != "list":
            return selectors.notification_list_for_user(user=self.request.user)
        query = NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.notification_list_for_user(
            user=self.request.user, unread_only=query.validated_data["unread"], kind=query.validated_data["kind"]
        )

    @extend_schema(summary="标为已读", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: int) -> Response:
        notification = services.notification_mark_read(user=signed_in(request.user), notification_id=pk)
        return Response(NotificationSerializer(notification).data)

    @extend_schema(summary="全部标为已读", request=None, responses={200: ReadAllSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        marked = services.notification_mark_all_read(user=signed_in(request.user))
        return Response({"marked": marked, "unread": selectors.notification_unread_count(user=request.user)})
