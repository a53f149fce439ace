"""The supervision app's models, one module per piece of the work."""

from supervision.models.channels import Channel, ChannelKind, Delivery, DeliveryState, QuietHours
from supervision.models.emergencies import DutyDay, Emergency, EmergencyStatus
from supervision.models.ladder import LadderLevel, LadderRule, LadderStep, NoticeSequence
from supervision.models.notifications import Notification, NotificationKind

__all__ = [
    "Channel",
    "ChannelKind",
    "Delivery",
    "DeliveryState",
    "DutyDay",
    "Emergency",
    "EmergencyStatus",
    "LadderLevel",
    "LadderRule",
    "LadderStep",
    "NoticeSequence",
    "Notification",
    "NotificationKind",
    "QuietHours",
]
