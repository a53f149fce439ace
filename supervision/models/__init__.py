"""The supervision app's models, one module per piece of the work."""

from supervision.models.channels import Channel, ChannelKind, Delivery, DeliveryState, QuietHours
from supervision.models.ladder import LadderLevel, LadderRule, LadderStep, NoticeSequence
from supervision.models.notifications import Notification, NotificationKind

__all__ = [
    "Channel",
    "ChannelKind",
    "Delivery",
    "DeliveryState",
    "LadderLevel",
    "LadderRule",
    "LadderStep",
    "NoticeSequence",
    "Notification",
    "NotificationKind",
    "QuietHours",
]
