"""The record of every state change of a governance object (a project, a
milestone, a meeting, a decision, a council topic): who, when, from which
status to which, and why. Written by the services in the step's transaction."""

from django.conf import settings
from django.db import models


class GovernanceEvent(models.Model):
    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    project = models.ForeignKey(
        "governance.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="治理项目",
    )
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="吹哨会议",
    )
    council = models.ForeignKey(
        "governance.Council",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
        verbose_name="议事厅",
    )
    # What the step concerns inside that object: "project", "milestone:12", "decision:5", "topic:3"…
    subject = models.CharField("对象", max_length=40)
    action = models.CharField("操作", max_length=32)
    from_status = models.CharField("原状态", max_length=16, blank=True)
    to_status = models.CharField("新状态", max_length=16, blank=True)
    note = models.TextField("说明", max_length=2000, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
    )
    at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "治理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.subject} {self.action}"
