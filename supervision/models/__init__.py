"""The supervision app's models, one module per piece of the work."""

from supervision.models.ladder import LadderLevel, LadderRule, LadderStep, NoticeSequence
from supervision.models.notifications import Notification, NotificationKind

__all__ = ["LadderLevel", "LadderRule", "LadderStep", "NoticeSequence", "Notification", "NotificationKind"]
