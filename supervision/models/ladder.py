"""The 催办 ladder (DESIGN §6): the rule, kept with its history per urgency
level, and one row per level a case has reached. The row's unique constraint
is what makes every level happen once however often the sweep runs."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cases.models import Urgency


class LadderLevel(models.TextChoices):
    RESPONSE_FIRST = "response_first", "响应时限提醒（一）"
    RESPONSE_SECOND = "response_second", "响应时限提醒（二）"
    CLOSURE_FIRST = "closure_first", "办结时限提醒（一）"
    CLOSURE_SECOND = "closure_second", "办结时限提醒（二）"
    RESPONSE_MISSED = "response_missed", "超响应时限催办"
    CLOSURE_MISSED = "closure_missed", "超办结时限催办"
    NOTICE = "notice", "催办通知书"
    REPORT = "report", "通报"


REMINDER_LEVELS = (
    LadderLevel.RESPONSE_FIRST,
    LadderLevel.RESPONSE_SECOND,
    LadderLevel.CLOSURE_FIRST,
    LadderLevel.CLOSURE_SECOND,
)
URGE_LEVELS = (LadderLevel.RESPONSE_MISSED, LadderLevel.CLOSURE_MISSED)


class LadderRule(models.Model):
    """One version of the ladder for one urgency level. Editing adds a
    version; the sweep uses the newest version in force on the day it runs."""

    urgency = models.CharField("紧急程度", max_length=16, choices=Urgency.choices)
    effective_from = models.DateField("生效日期")
    first_reminder_percent = models.PositiveSmallIntegerField(
        "第一次提醒（已用时限%）", default=50, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    second_reminder_percent = models.PositiveSmallIntegerField(
        "第二次提醒（已用时限%）", default=80, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    notice_after_working_days = models.PositiveSmallIntegerField(
        "超期几个工作日发催办通知书", default=1, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    report_after_working_days = models.PositiveSmallIntegerField(
        "超期几个工作日通报", default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    note = models.CharField("调整说明", max_length=200, blank=True)
    created_at = models.DateTimeField("设置时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "催办规则"
        ordering = ["urgency", "-effective_from", "-id"]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}催办规则#{self.pk}（{self.effective_from:%Y-%m-%d}起）"

    def clean(self):
        if (self.first_reminder_percent or 0) >= (self.second_reminder_percent or 0):
            raise ValidationError({"second_reminder_percent": "第二次提醒须晚于第一次提醒。"})
        if (self.notice_after_working_days or 0) >= (self.report_after_working_days or 0):
            raise ValidationError({"report_after_working_days": "通报须晚于催办通知书。"})


class LadderStep(models.Model):
    """A level of the ladder a case reached, against the deadline it had then
    (an approved extension or a re-dispatch gives a new deadline and a new ladder)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="ladder_steps", verbose_name="案件")
    level = models.CharField("级别", max_length=24, choices=LadderLevel.choices)
    deadline = models.DateTimeField("所对应时限")
    reached_at = models.DateTimeField("触发时间", db_index=True)
    event = models.OneToOneField(
        "cases.CaseEvent", on_delete=models.CASCADE, related_name="+", null=True, blank=True, verbose_name="时间线事件"
    )
    # The units when the level was reached: the supervision page counts per unit.
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    department = models.ForeignKey(
        "communities.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="科室"
    )
    # 催办通知书 only: CB-2026-0001.
    number = models.CharField("通知书编号", max_length=16, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "催办记录"
        ordering = ["-reached_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "level", "deadline"], name="ladder_step_once"),
        ]
        indexes = [models.Index(fields=["level", "reached_at"], name="ladder_step_level")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_level_display()}"


class NoticeSequence(models.Model):
    """The last number of the 催办通知书 given in a year; its row is locked to number the next one."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    last = models.PositiveIntegerField("已用编号", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "催办通知书编号"

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
