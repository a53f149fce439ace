"""One attachment: a photo or document stored for an owner.

The owner is named by `owner_kind` plus the owner's foreign key: a case
(`case`, with `part` saying whether the file belongs to the case itself, its
reply, its explanation or one of its progress notes — `event`). Slips,
projects and meetings attach later by adding their kind, a nullable foreign
key and a scoping hook (`attachments.owners`)."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone


def attachment_storage():
    """The "attachments" entry of settings.STORAGES (file system or S3-compatible)."""
    return storages["attachments"]


class OwnerKind(models.TextChoices):
    CASE = "case", "案件"
    PROJECT = "project", "治理项目"
    MEETING = "meeting", "吹哨会议"


class Part(models.TextChoices):
    """Which document of a case a file belongs to (the reply's and the
    explanation's files are bound by their signatures)."""

    CASE = "case", "案件材料"
    REPLY = "reply", "办理结果"
    EXPLANATION = "explanation", "情况说明"
    PROGRESS = "progress", "办理进展"


class Label(models.TextChoices):
    BEFORE = "before", "处置前"
    DURING = "during", "处置中"
    AFTER = "after", "处置后"
    OTHER = "other", "其他"


class Kind(models.TextChoices):
    IMAGE = "image", "照片"
    DOCUMENT = "document", "文件"


class Attachment(models.Model):
    owner_kind = models.CharField("所属对象", max_length=16, choices=OwnerKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="案件",
    )
    # A governance project's progress note (its photos), or a 吹哨 meeting's material.
    project_note = models.ForeignKey(
        "governance.ProjectNote",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="治理项目推进情况",
    )
    meeting = models.ForeignKey(
        "governance.Meeting",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="吹哨会议",
    )
    part = models.CharField("所属部分", max_length=16, choices=Part.choices, blank=True)
    event = models.ForeignKey(
        "cases.CaseEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name="办理进展",
    )
    label = models.CharField("标注", max_length=16, choices=Label.choices, default=Label.OTHER)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    content_type = models.CharField("内容类型", max_length=64)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)
    file = models.FileField("文件", storage=attachment_storage, max_length=255)
    thumbnail = models.FileField("缩略图", storage=attachment_storage, max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["case", "part"], name="attachment_case_part")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(owner_kind="case") | models.Q(case__isnull=False),
                name="attachment_case_owner_has_case",
            ),
            models.CheckConstraint(
                condition=~models.Q(owner_kind="project") | models.Q(project_note__isnull=False),
                name="attachment_project_owner_has_note",
            ),
            models.CheckConstraint(
                condition=~models.Q(owner_kind="meeting") | models.Q(meeting__isnull=False),
                name="attachment_meeting_owner_has_meeting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.sha256[:12]} ({self.get_label_display()})"

    @property
    def is_image(self) -> bool:
        return self.kind == Kind.IMAGE
