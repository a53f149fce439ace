"""Emergencies (应急机制, DESIGN §6): the duty roster that is alerted, and the
emergency record of a case with its own small status table."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class DutyDay(models.Model):
    """One day of the duty roster (值班表), kept by the administrators: the
    leader on duty (带班领导) and the people on duty that day."""

    date = models.DateField("日期", unique=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="带班领导",
        limit_choices_to={"person__role": "leader"},
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="duty_days", verbose_name="值班人员"
    )
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "值班表"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} 值班"


class EmergencyStatus(models.TextChoices):
    RAISED = "raised", "应急处置中"
    ON_SCENE = "on_scene", "已到场"
    CLOSED = "closed", "已结束"


class Emergency(models.Model):
    """An emergency raised on a case. Contact with the caller is the case's own
    `responded_at`; arriving on the scene and closing are recorded here (and
    on the case's timeline). Only supervision.emergencies writes these."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="emergencies", verbose_name="案件")
    status = models.CharField("状态", max_length=16, choices=EmergencyStatus.choices, default=EmergencyStatus.RAISED)
    raised_at = models.DateTimeField("启动时间", db_index=True)
    # None: raised by the system (a case registered or imported as 紧急).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="启动人",
    )
    raise_note = models.TextField("启动说明", blank=True)
    on_scene_at = models.DateTimeField("到场时间", null=True, blank=True)
    on_scene_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="到场人",
    )
    closed_at = models.DateTimeField("结束时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="结束人",
    )
    close_note = models.TextField("结束说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "应急事件"
        ordering = ["-raised_at", "-id"]
        constraints = [
            # At most one emergency under way per case: a second click that
            # slips past the lock is refused by the database itself.
            models.UniqueConstraint(fields=["case"], condition=~Q(status="closed"), name="emergency_one_open_per_case"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_status_display()}"
