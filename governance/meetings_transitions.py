"""The transition tables of a 吹哨 meeting (已安排 → 已召开 / 已取消) and of
its decisions (未完成 → 已完成). The services in governance.meetings check them."""

from django.db import models


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "已安排"
    HELD = "held", "已召开"
    CANCELLED = "cancelled", "已取消"


class MeetingAction(models.TextChoices):
    HOLD = "hold", "记录会议纪要"
    CANCEL = "cancel", "取消会议"


MEETING_TRANSITIONS: dict[str, dict[str, str]] = {
    MeetingStatus.SCHEDULED: {MeetingAction.HOLD: MeetingStatus.HELD, MeetingAction.CANCEL: MeetingStatus.CANCELLED},
    MeetingStatus.HELD: {},
    MeetingStatus.CANCELLED: {},
}


class DecisionStatus(models.TextChoices):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class DecisionAction(models.TextChoices):
    COMPLETE = "complete", "完成"
    REOPEN = "reopen", "重新打开"


DECISION_TRANSITIONS: dict[str, dict[str, str]] = {
    DecisionStatus.OPEN: {DecisionAction.COMPLETE: DecisionStatus.DONE},
    DecisionStatus.DONE: {DecisionAction.REOPEN: DecisionStatus.OPEN},
}


def meeting_next_status(status: str, action: str) -> str | None:
    return MEETING_TRANSITIONS.get(status, {}).get(action)


def decision_next_status(status: str, action: str) -> str | None:
    return DECISION_TRANSITIONS.get(status, {}).get(action)
