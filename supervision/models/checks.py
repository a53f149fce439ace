"""The supervision group's own records (DESIGN §6): supervision orders
(督办单), the daily check (每日检查) with its findings, and the weekly
回头看 draw with its re-checks. Each record with a status has its transition
table in the module that writes it (supervision.orders, supervision.checks,
supervision.rechecks)."""

from django.conf import settings
from django.db import models


class OrderKind(models.TextChoices):
    PHONE = "phone", "电话督办"
    ONSITE = "onsite", "现场督办"
    DEADLINE = "deadline", "限期整改"
    SECOND = "second", "二次督办"
    RECURRENCE = "recurrence", "回头看复发"


class OrderStatus(models.TextChoices):
    OPEN = "open", "待办结"
    DONE = "done", "已办结"
    CANCELLED = "cancelled", "已撤销"


class SupervisionOrder(models.Model):
    """A 督办单: what the supervision group orders on one case, by a due date."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="supervision_orders", verbose_name="案件"
    )
    kind = models.CharField("督办方式", max_length=16, choices=OrderKind.choices)
    status = models.CharField("状态", max_length=16, choices=OrderStatus.choices, default=OrderStatus.OPEN)
    note = models.TextField("督办要求", blank=True)
    due_on = models.DateField("办结期限")
    ordered_at = models.DateTimeField("下发时间", db_index=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="下发人",
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    close_note = models.TextField("办结情况", blank=True)
    # Set once, when the order is found late: the late notice goes out once.
    late_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    # The callback event that opened a 二次督办 (one order per callback).
    source_event = models.OneToOneField(
        "cases.CaseEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="来源事件",
    )

    class Meta:
        verbose_name = verbose_name_plural = "督办单"
        ordering = ["-ordered_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="supervision_order_open_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"


class CheckStatus(models.TextChoices):
    OPEN = "open", "检查中"
    CLOSED = "closed", "已完成"


class FindingType(models.TextChoices):
    OVERDUE = "overdue", "超期未办结"
    SLOW_CONTACT = "slow_contact", "首次联系超时"
    POOR_REPLY = "poor_reply", "办理结果过简或雷同"
    NO_EXPLANATION = "no_explanation", "单否/双否未说明"
    LADDER = "ladder", "催办后仍未办理"
    NO_PROBLEM = "no_problem", "未发现问题"
    OTHER = "other", "其他"


class DailyCheck(models.Model):
    """One supervisor's 每日检查 of one day; closed, it is locked."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    day = models.DateField("检查日期")
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="检查人"
    )
    status = models.CharField("状态", max_length=16, choices=CheckStatus.choices, default=CheckStatus.OPEN)
    opened_at = models.DateTimeField("开始时间")
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)
    summary = models.TextField("检查小结", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "每日检查"
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["supervisor", "day"], name="daily_check_once_per_day")]

    def __str__(self) -> str:
        return f"每日检查 {self.day:%Y-%m-%d}"


class ProposalReason(models.TextChoices):
    """Why the daily check proposes a case, in the order the check shows them."""

    OVERDUE = "overdue", "超期未办结"
    LADDER = "ladder", "已催办仍未办结"
    NO_EXPLANATION = "no_explanation", "单否/双否未写情况说明"
    SLOW_CONTACT = "slow_contact", "首次联系晚于响应时限"
    SHORT_REPLY = "short_reply", "办理结果过短"
    COPIED_REPLY = "copied_reply", "办理结果与其他案件雷同"


class CheckFinding(models.Model):
    check_record = models.ForeignKey(
        DailyCheck, on_delete=models.CASCADE, related_name="findings", verbose_name="每日检查"
    )
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name="案件")
    # Why the product proposed the case (keys of supervision.checks.REASONS).
    reasons = models.JSONField("提示原因", default=list, blank=True)
    finding = models.CharField("发现问题", max_length=24, choices=FindingType.choices)
    note = models.TextField("检查情况")
    order = models.OneToOneField(
        SupervisionOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="finding",
        verbose_name="督办单",
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "检查记录"
        ordering = ["recorded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["check_record", "case"], name="check_finding_once_per_case")]

    def __str__(self) -> str:
        return f"{self.get_finding_display()}#{self.pk}"

    @property
    def reason_labels(self) -> list[str]:
        labels = dict(ProposalReason.choices)
        return [labels.get(key, key) for key in self.reasons]


class RecheckDraw(models.Model):
    """The weekly 回头看 draw of closed cases, reproducible from its seed."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    week_start = models.DateField("所抽周（周一）")
    seed = models.CharField("随机种子", max_length=32)
    pool_case_ids = models.JSONField("候选案件", default=list)
    drawn_count = models.PositiveIntegerField("抽取数量")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = verbose_name_plural = "回头看抽取"
        ordering = ["-week_start", "-id"]
        constraints = [models.UniqueConstraint(fields=["street", "week_start"], name="recheck_draw_once_per_week")]

    def __str__(self) -> str:
        return f"回头看 {self.week_start:%Y-%m-%d}"


class RecheckStatus(models.TextChoices):
    PENDING = "pending", "待回访"
    DONE = "done", "已回访"


class Recheck(models.Model):
    """One drawn case and, once recorded, what the caller said when called again."""

    draw = models.ForeignKey(RecheckDraw, on_delete=models.CASCADE, related_name="rechecks", verbose_name="抽取")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+", verbose_name="案件")
    position = models.PositiveIntegerField("顺序")
    status = models.CharField("状态", max_length=16, choices=RecheckStatus.choices, default=RecheckStatus.PENDING)
    still_resolved = models.BooleanField("问题仍已解决", null=True, blank=True)
    satisfied = models.BooleanField("来电人满意", null=True, blank=True)
    note = models.TextField("回访情况", blank=True)
    checked_at = models.DateTimeField("回访时间", null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.OneToOneField(
        SupervisionOrder,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recheck",
        verbose_name="复发督办单",
    )

    class Meta:
        verbose_name = verbose_name_plural = "回头看"
        ordering = ["draw", "position"]
        constraints = [models.UniqueConstraint(fields=["draw", "case"], name="recheck_once_per_draw_case")]

    def __str__(self) -> str:
        return f"回头看#{self.pk}"

    @property
    def found_back(self) -> bool:
        return self.status == RecheckStatus.DONE and self.still_resolved is False
