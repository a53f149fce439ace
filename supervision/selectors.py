"""Reads of the supervision app. Notifications are scoped to their recipient:
one person never sees another's."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from hotline.errors import InvalidInput
from supervision.models import Channel, Delivery, Notification, NotificationKind, QuietHours


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


def channel_list_for_user(*, user: AbstractBaseUser) -> QuerySet[Channel]:
    """A person's own outbound channels (a unit's are the admin's)."""
    return Channel.objects.filter(user_id=user.pk).order_by("id")


def delivery_list_for_user(*, user: AbstractBaseUser, limit: int = 20) -> list[Delivery]:
    """The latest deliveries on a person's own channels."""
    return list(Delivery.objects.filter(channel__user_id=user.pk).select_related("channel").order_by("-id")[:limit])


def quiet_hours_for_user(*, user: AbstractBaseUser) -> QuietHours | None:
    return QuietHours.objects.filter(user_id=user.pk).first()
