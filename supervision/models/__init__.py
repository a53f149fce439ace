"""The supervision app's models, one module per piece of the work."""

from supervision.models.notifications import Notification, NotificationKind

__all__ = ["Notification", "NotificationKind"]
