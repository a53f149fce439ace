"""Pushing the work to people: the in-app notification is the record of every
hand-over of work (DESIGN §6). Outbound deliveries hang off it."""

from django.conf import settings
from django.db import models


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", "派发给我"
    RETURNED = "returned", "社区退单"
    SIGNATURE_DUE = "signature_due", "待我签字"
    CLOSED = "closed", "案件办结"
    EXPLANATION_DUE = "explanation_due", "待写情况说明"
    EXTENSION_REQUESTED = "extension_requested", "延期待审批"
    EXTENSION_DECIDED = "extension_decided", "延期已审批"
    REMINDER = "reminder", "时限提醒"
    URGE = "urge", "催办"
    URGE_NOTICE = "urge_notice", "催办通知书"
    REPORT = "report", "通报"
    EMERGENCY = "emergency", "紧急事件"
    SUPERVISION_ORDER = "supervision_order", "督办单"
    SUPERVISION_ORDER_LATE = "supervision_order_late", "督办单逾期"
    FOLLOW_UP_LATE = "follow_up_late", "专题会跟进事项逾期"
    REPEAT_LINKED = "repeat_linked", "重复诉求"
    # Governance (governance app): work that is not a case step.
    PROJECT_ASSIGNED = "project_assigned", "治理项目交办"
    MILESTONE_LATE = "milestone_late", "治理节点逾期"
    DECISION_ASSIGNED = "decision_assigned", "会议决定事项交办"
    DECISION_LATE = "decision_late", "会议决定事项逾期"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="接收人"
    )
    kind = models.CharField("类型", max_length=32, choices=NotificationKind.choices)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="案件"
    )
    # The timeline event that handed the work over: one notification per person and event.
    event = models.ForeignKey(
        "cases.CaseEvent", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="事件"
    )
    title = models.CharField("标题", max_length=200)
    text = models.CharField("内容", max_length=300, blank=True)
    url = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    # Urgent notifications (an emergency) go out on every channel at once,
    # quiet hours or not.
    urgent = models.BooleanField("紧急", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "event"], name="notification_once_per_event"),
        ]

    def __str__(self) -> str:
        return self.title
