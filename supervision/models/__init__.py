"""The supervision app's models, one module per piece of the work."""

from supervision.models.emergencies import DutyDay, Emergency, EmergencyStatus
from supervision.models.notifications import Notification, NotificationKind

__all__ = ["DutyDay", "Emergency", "EmergencyStatus", "Notification", "NotificationKind"]
