"""The supervision group's records of units and meetings (DESIGN §6): a 约谈
of a unit with the figures it was held over, and the weekly meeting's answers,
grades and follow-up actions for the drawn cases."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class TalkReason(models.TextChoices):
    BOARD_BOTTOM = "board_bottom", "榜单排名靠后"
    OVERDUE = "overdue", "超期未办结案件"
    REPORTED = "reported", "通报案件"
    UNSATISFIED = "unsatisfied", "多次回访不满意"


class Talk(models.Model):
    """A 约谈 of a community or a department. `figures` is the snapshot of the
    reason's figures and the cases behind them at the time it was recorded:
    {"items": [[label, value], ...], "case_ids": [...], "computed_at": iso}."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    department = models.ForeignKey(
        "communities.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="科室"
    )
    reason = models.CharField("约谈原因", max_length=16, choices=TalkReason.choices)
    reason_text = models.TextField("原因说明", max_length=1000)
    held_at = models.DateTimeField("约谈时间", db_index=True)
    attendees = models.CharField("参加人员", max_length=300)
    promises = models.TextField("整改承诺", max_length=1000, blank=True)
    follow_up_on = models.DateField("复查日期")
    figures = models.JSONField("约谈时数据")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "约谈"
        ordering = ["-held_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="talk_one_unit",
                condition=Q(community__isnull=False, department__isnull=True)
                | Q(community__isnull=True, department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"约谈#{self.pk} {self.unit_name}"

    @property
    def unit_kind(self) -> str:
        return "community" if self.community_id else "department"

    @property
    def unit_id(self) -> int:
        return self.community_id or self.department_id or 0

    @property
    def unit_name(self) -> str:
        unit = self.community if self.community_id else self.department
        return unit.name if unit is not None else ""


class AnswerGrade(models.TextChoices):
    CLEAR = "clear", "答得清"
    UNCLEAR = "unclear", "答不清"


class MeetingAnswer(models.Model):
    """The questioned chief's answer about one drawn case at the weekly meeting, graded."""

    item = models.OneToOneField(
        "rankings.MeetingDrawCase", on_delete=models.CASCADE, related_name="answer", verbose_name="抽中案件"
    )
    chief = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被问询的包片科长",
    )
    # The case's units when answered: the supervision figures count per unit.
    community = models.ForeignKey(
        "communities.Community", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="社区"
    )
    department = models.ForeignKey(
        "communities.Department", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="科室"
    )
    answer = models.TextField("回答情况", max_length=1000)
    grade = models.CharField("评定", max_length=8, choices=AnswerGrade.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", db_index=True)
    event = models.OneToOneField(
        "cases.CaseEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="时间线事件"
    )

    class Meta:
        verbose_name = verbose_name_plural = "专题会问询记录"
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.item_id} {self.get_grade_display()}"


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class FollowUpAction(models.Model):
    """A follow-up action decided at the meeting, with its owner and due date.
    Still open after its due date it is late: the sweep tells its owner and the
    leader once (`late_event`)."""

    answer = models.ForeignKey(MeetingAnswer, on_delete=models.CASCADE, related_name="actions", verbose_name="问询")
    text = models.CharField("跟进事项", max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="责任人"
    )
    due_on = models.DateField("完成期限", db_index=True)
    status = models.CharField("状态", max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完成人",
    )
    late_event = models.OneToOneField(
        "cases.CaseEvent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="逾期提醒"
    )

    class Meta:
        verbose_name = verbose_name_plural = "专题会跟进事项"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.text
