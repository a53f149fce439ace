"""未诉先办: the 急难愁盼 slips a resident sends (or a clerk types in from
paper), waiting in the lead queue (线索) until a clerk turns one into a case
or closes it."""

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from attachments.models import attachment_storage
from cases.models import TEXT_LIMITS, Case
from communities.models import Community
from governance.slips_transitions import SlipStatus

# The longest texts a slip accepts (characters); the one home of the slip's limits.
SLIP_TEXT_LIMITS: dict[str, int] = {
    "problem": 1000,
    "compound": TEXT_LIMITS["compound"],
    "building": 64,
    "name": TEXT_LIMITS["caller_name"],
    "phone": 20,
    "note": TEXT_LIMITS["note"],
    "public_summary": 300,
}


class SlipSource(models.TextChoices):
    WEB = "web", "网上意见条"
    PAPER = "paper", "纸质意见条"


class SlipCloseReason(models.TextChoices):
    DUPLICATE = "duplicate", "重复反映"
    NOT_OUR_DUTY = "not_our_duty", "非本街道职责"
    NO_CONTENT = "no_content", "无实质内容"
    SOLVED_ON_SITE = "solved_on_site", "已当场解决"
    ABUSIVE = "abusive", "恶意或广告信息"
    OTHER = "other", "其他"


class Slip(models.Model):
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="slips", verbose_name="社区")
    source = models.CharField("来源", max_length=8, choices=SlipSource.choices, default=SlipSource.WEB)
    status = models.CharField("状态", max_length=12, choices=SlipStatus.choices, default=SlipStatus.RECEIVED)
    receipt_code = models.CharField("回执码", max_length=16, unique=True)
    problem = models.TextField("反映的问题")
    compound = models.CharField("小区", max_length=SLIP_TEXT_LIMITS["compound"], blank=True)
    building = models.CharField("楼号/位置", max_length=SLIP_TEXT_LIMITS["building"], blank=True)
    name = models.CharField("称呼", max_length=SLIP_TEXT_LIMITS["name"], blank=True)
    phone = models.CharField("电话", max_length=SLIP_TEXT_LIMITS["phone"], blank=True)
    consent = models.BooleanField("同意联系", default=False)
    # For the per-address rate limit of the public page only (empty for paper slips).
    client_address = models.GenericIPAddressField("提交地址", null=True, blank=True)
    created_at = models.DateTimeField("提交时间", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="录入人",
    )
    # The outcome, written by slip_convert / slip_close.
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="slip", verbose_name="案件"
    )
    close_reason = models.CharField("关闭原因", max_length=16, choices=SlipCloseReason.choices, blank=True)
    close_note = models.TextField("关闭说明", blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    # What the resident's status page shows once the case is done: written by a
    # clerk for the public (never the handler's names or anyone's data).
    public_summary = models.TextField("公开答复摘要", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "急难愁盼意见条"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"], name="slip_status_created"),
            models.Index(fields=["client_address", "created_at"], name="slip_address_created"),
        ]

    def __str__(self) -> str:
        return f"{self.receipt_code} {self.community}"


class SlipPhoto(models.Model):
    """A photo sent with a slip: checked by its content and re-encoded (EXIF
    stripped) by attachments.content, stored in the attachments' storage and
    served only to the queue (never a public URL). Copied onto the case as an
    attachment when the slip becomes a case."""

    slip = models.ForeignKey(Slip, on_delete=models.CASCADE, related_name="photos", verbose_name="意见条")
    file = models.FileField("照片", storage=attachment_storage, max_length=255)
    thumbnail = models.FileField("缩略图", storage=attachment_storage, max_length=255, blank=True)
    content_type = models.CharField("内容类型", max_length=64)
    original_name = models.CharField("原文件名", max_length=255, blank=True)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    width = models.PositiveIntegerField("宽", null=True, blank=True)
    height = models.PositiveIntegerField("高", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "意见条照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.slip_id} {self.original_name or self.sha256[:12]}"


@receiver(post_delete, sender=SlipPhoto, dispatch_uid="slip_photo_files_delete")
def slip_photo_files_delete(sender, instance: SlipPhoto, **kwargs) -> None:
    """A photo's files go with its row, after the commit (as attachments do)."""
    names = [f.name for f in (instance.file, instance.thumbnail) if f and f.name]
    storage = instance.file.storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
