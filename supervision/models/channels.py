"""Outbound channels (DESIGN §6): where a notification is delivered besides
the in-app inbox — e-mail, a WeCom or DingTalk group robot, a generic signed
webhook — configured per person (their settings page) and per unit (admin).
A Delivery is one notification sent on one channel, at most once."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ChannelKind(models.TextChoices):
    EMAIL = "email", "电子邮件"
    WECOM = "wecom", "企业微信群机器人"
    DINGTALK = "dingtalk", "钉钉群机器人"
    WEBHOOK = "webhook", "通用Webhook（HMAC签名）"


class Channel(models.Model):
    """Exactly one owner: a person, a community or a department (a unit's group robot)."""

    kind = models.CharField("类型", max_length=16, choices=ChannelKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notification_channels",
        verbose_name="个人",
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="社区",
    )
    department = models.ForeignKey(
        "communities.Department",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="科室",
    )
    # An e-mail address for e-mail, the robot's or the receiver's URL for the others.
    address = models.CharField("地址", max_length=500)
    # DingTalk: the robot's 加签 secret (optional); generic webhook: the HMAC key.
    secret = models.CharField("签名密钥", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "外发渠道"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, community__isnull=True, department__isnull=True)
                    | Q(user__isnull=True, community__isnull=False, department__isnull=True)
                    | Q(user__isnull=True, community__isnull=True, department__isnull=False)
                ),
                name="channel_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.owner_label}"

    @property
    def owner_label(self) -> str:
        if self.user_id:
            return str(self.user)
        return str(self.community or self.department)

    def clean(self) -> None:
        from supervision.channels import channel_validate

        channel_validate(kind=self.kind, address=self.address, secret=self.secret)


class QuietHours(models.Model):
    """A person's quiet hours (local time; may span midnight). Non-urgent
    deliveries to their own channels wait until the end. Default: none."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours", verbose_name="个人"
    )
    start = models.TimeField("免打扰开始")
    end = models.TimeField("免打扰结束")

    class Meta:
        verbose_name = verbose_name_plural = "免打扰时段"

    def __str__(self) -> str:
        return f"{self.user} {self.start:%H:%M}–{self.end:%H:%M}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已送达"
    FAILED = "failed", "发送失败"
    CANCELLED = "cancelled", "已取消"


class Delivery(models.Model):
    notification = models.ForeignKey(
        "supervision.Notification", on_delete=models.CASCADE, related_name="deliveries", verbose_name="通知"
    )
    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="deliveries", verbose_name="渠道")
    state = models.CharField("状态", max_length=16, choices=DeliveryState.choices, default=DeliveryState.PENDING)
    urgent = models.BooleanField("紧急", default=False)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    # Not sent before: quiet hours, or the backoff after a failed attempt.
    next_attempt_at = models.DateTimeField("下次发送时间", default=timezone.now)
    # When a worker was last asked to send it (the periodic job asks again only
    # once the delivery is due after that, or the task looks lost).
    asked_at = models.DateTimeField("请求发送时间", null=True, blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "外发记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_state_next")]
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="delivery_once_per_channel"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} {self.get_state_display()}"
