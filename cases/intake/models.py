"""Records of the 12345 spreadsheet imports: the job with its progress and
counts, the per-row issues it found, and callbacks that wait for their case
to be closed inside the office. They belong to the `cases` app."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.intake import transitions
from cases.models import Case, Satisfaction


def private_storage() -> FileSystemStorage:
    """Uploaded 12345 files hold every caller's name and phone: readable by
    the server's own user only, whatever the umask."""
    return FileSystemStorage(file_permissions_mode=0o600, directory_permissions_mode=0o700)


class ImportJob(models.Model):
    Status = transitions.Status

    class Mode(models.TextChoices):
        ATOMIC = "atomic", "全部导入（有错误则不导入）"
        VALID_ONLY = "valid_only", "仅导入有效行"

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="导入人"
    )
    created_at = models.DateTimeField("上传时间", default=timezone.now, db_index=True)
    file = models.FileField("文件", upload_to="imports/%Y/%m/", storage=private_storage)
    original_name = models.CharField("原文件名", max_length=255)
    file_size = models.PositiveBigIntegerField("文件大小", default=0)
    file_format = models.CharField("格式", max_length=8)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.UPLOADED)
    mode = models.CharField("导入方式", max_length=16, choices=Mode.choices, default=Mode.ATOMIC)
    source = models.CharField("来源", max_length=8, default="web")  # web, api, cli
    message = models.TextField("说明", blank=True)

    # Progress: written while the job runs and polled by the job page.
    total_rows = models.PositiveIntegerField("总行数", null=True, blank=True)
    processed_rows = models.PositiveIntegerField("已处理行数", default=0)
    progress_at = models.DateTimeField("进度更新时间", null=True, blank=True)

    # Counts of the latest pass: the preview's until the import ran, then the import's.
    new_count = models.PositiveIntegerField("新增", default=0)
    updated_count = models.PositiveIntegerField("更新回访", default=0)
    pending_count = models.PositiveIntegerField("回访待应用", default=0)
    unchanged_count = models.PositiveIntegerField("无变化", default=0)
    conflict_count = models.PositiveIntegerField("冲突", default=0)
    error_count = models.PositiveIntegerField("错误行", default=0)
    unmatched_count = models.PositiveIntegerField("未匹配社区", default=0)

    previewed_at = models.DateTimeField("预检时间", null=True, blank=True)
    started_at = models.DateTimeField("开始导入时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工单导入"
        ordering = ["-created_at", "-id"]
        app_label = "cases"

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_running(self) -> bool:
        # An uploaded job is waiting for its preview task.
        return self.status in transitions.RUNNING

    @property
    def outbox_key(self) -> str:
        """The key of the job's task in the outbox (hotline.outbox): one waiting at a time."""
        return f"intake.job:{self.pk}"

    @property
    def is_stuck(self) -> bool:
        return transitions.is_stuck(self.status, self.progress_at, timezone.now())

    @property
    def can_retry(self) -> bool:
        """Offered to clerks: a failed job whose file is still there, or a stuck one."""
        if self.status == self.Status.FAILED:
            return bool(self.file)
        return self.is_stuck

    @property
    def can_cancel(self) -> bool:
        # A waiting job is not in a worker's hands yet: its task will find it cancelled.
        return self.status in (*transitions.WAITING, self.Status.PREVIEWED, self.Status.FAILED) or self.is_stuck

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, int(100 * self.processed_rows / self.total_rows))


class ImportIssue(models.Model):
    """One finding about one row (or the file, row 0) of an import."""

    class Level(models.TextChoices):
        ERROR = "error", "错误"
        CONFLICT = "conflict", "冲突"
        WARNING = "warning", "提示"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues", verbose_name="导入")
    row_number = models.PositiveIntegerField("行号")
    ticket_no = models.CharField("工单编号", max_length=64, blank=True)
    column = models.CharField("列", max_length=32, blank=True)
    level = models.CharField("级别", max_length=8, choices=Level.choices)
    message = models.CharField("说明", max_length=500)

    class Meta:
        verbose_name = verbose_name_plural = "导入问题"
        ordering = ["row_number", "id"]
        app_label = "cases"
        indexes = [models.Index(fields=["job", "level", "row_number"], name="importissue_job_level_row")]

    def __str__(self) -> str:
        return f"{self.job_id} 第{self.row_number}行 {self.message}"


class PendingCallback(models.Model):
    """A callback the platform reported for an order that is not closed inside
    the office yet. It is recorded on the case once the case is closed (by the
    next import, the clerk's button, or the periodic task)."""

    class State(models.TextChoices):
        PENDING = "pending", "待应用"
        APPLIED = "applied", "已录入"
        CONFLICT = "conflict", "冲突未录入"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="pending_callbacks", verbose_name="案件")
    job = models.ForeignKey(
        ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="来源导入"
    )
    called_at = models.DateTimeField("回访时间")
    contacted = models.BooleanField("是否联系")
    resolved = models.BooleanField("是否解决")
    satisfaction = models.CharField("是否满意", max_length=16, choices=Satisfaction.choices)
    valid = models.BooleanField("是否有效回访", default=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.PENDING)
    message = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("登记时间", default=timezone.now)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待应用回访"
        ordering = ["created_at", "id"]
        app_label = "cases"
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(state="pending"), name="pendingcallback_one_per_case")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.called_at:%Y-%m-%d} {self.get_state_display()}"
