"""Reads of the supervision app. Notifications are scoped to their recipient:
one person never sees another's."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from hotline.errors import InvalidInput
from supervision.models import Notification, NotificationKind


def notification_list_for_user(
    *, user: AbstractBaseUser | AnonymousUser, unread_only: bool = False, kind: str = ""
) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    if kind and kind not in NotificationKind.values:
        raise InvalidInput("通知类型无效。", field="kind")
    notifications = Notification.objects.filter(recipient_id=user.pk).select_related("case")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    if kind:
        notifications = notifications.filter(kind=kind)
    return notifications.order_by("-created_at", "-id")


def notification_unread_count(*, user: AbstractBaseUser | AnonymousUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
