from django.db import models
from django.utils import timezone


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class OutboxMessage(models.Model):
    """A side effect that leaves the process (a Celery task; later an e-mail
    or a webhook), written in the transaction of the step that causes it and
    sent after that transaction commits (hotline.outbox). A receiver that is
    down leaves the row waiting; the periodic job sends it again."""

    class Kind(models.TextChoices):
        CELERY_TASK = "celery_task", "Celery任务"

    class State(models.TextChoices):
        PENDING = "pending", "待发送"
        SENDING = "sending", "发送中"
        SENT = "sent", "已发送"

    kind = models.CharField("类型", max_length=32, choices=Kind.choices)
    # What to send to: a task name, an address... read by the kind's sender.
    name = models.CharField("目标", max_length=200)
    payload = models.JSONField("内容", default=dict, blank=True)
    # While a row with a key is waiting, adding the same key adds nothing.
    key = models.CharField("去重键", max_length=200, blank=True, db_index=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    available_at = models.DateTimeField("下次发送时间", default=timezone.now)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待发送消息"
        ordering = ["id"]
        indexes = [models.Index(fields=["state", "available_at"], name="outbox_state_available")]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(state__in=["pending", "sending"]) & ~models.Q(key=""),
                name="outbox_one_waiting_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.name} {self.get_state_display()}"
