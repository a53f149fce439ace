"""The supervision app's models, one module per piece of the work."""

from supervision.models.channels import Channel, ChannelKind, Delivery, DeliveryState, QuietHours
from supervision.models.checks import (
    CheckFinding,
    CheckStatus,
    DailyCheck,
    FindingType,
    OrderKind,
    OrderStatus,
    ProposalReason,
    Recheck,
    RecheckDraw,
    RecheckStatus,
    SupervisionOrder,
)
from supervision.models.emergencies import DutyDay, Emergency, EmergencyStatus
from supervision.models.ladder import LadderLevel, LadderRule, LadderStep, NoticeSequence
from supervision.models.notifications import Notification, NotificationKind
from supervision.models.talks import (
    AnswerGrade,
    FollowUpAction,
    FollowUpStatus,
    MeetingAnswer,
    Talk,
    TalkReason,
)

__all__ = [
    "AnswerGrade",
    "Channel",
    "ChannelKind",
    "CheckFinding",
    "CheckStatus",
    "DailyCheck",
    "Delivery",
    "DeliveryState",
    "DutyDay",
    "Emergency",
    "EmergencyStatus",
    "FindingType",
    "FollowUpAction",
    "FollowUpStatus",
    "LadderLevel",
    "LadderRule",
    "LadderStep",
    "MeetingAnswer",
    "NoticeSequence",
    "Notification",
    "NotificationKind",
    "OrderKind",
    "OrderStatus",
    "ProposalReason",
    "QuietHours",
    "Recheck",
    "RecheckDraw",
    "RecheckStatus",
    "SupervisionOrder",
    "Talk",
    "TalkReason",
]
