"""Resident councils (初心议事厅, DESIGN §7): one per community, its members,
its sessions and their topics; a topic can become a case or a project."""

from django.conf import settings
from django.db import models

from communities.sorting import unit_order


class Council(models.Model):
    community = models.OneToOneField(
        "communities.Community", on_delete=models.PROTECT, related_name="council", verbose_name="社区"
    )
    name = models.CharField("名称", max_length=60, default="初心议事厅")
    created_at = models.DateTimeField("成立时间")

    class Meta:
        verbose_name = verbose_name_plural = "居民议事厅"
        ordering = unit_order("community__")

    def __str__(self) -> str:
        return f"{self.community} {self.name}"


class MemberKind(models.TextChoices):
    RESIDENT = "resident", "居民代表"
    BUILDING_HEAD = "building_head", "楼门长"
    OWNERS_COMMITTEE = "owners_committee", "业委会"
    PROPERTY = "property", "物业"
    PARTY_MEMBER = "party_member", "党员"


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members", verbose_name="议事厅")
    name = models.CharField("姓名", max_length=64)
    kind = models.CharField("身份", max_length=20, choices=MemberKind.choices)
    building = models.CharField("楼号/单位", max_length=64, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    is_active = models.BooleanField("在任", default=True)
    joined_on = models.DateField("加入日期")

    class Meta:
        verbose_name = verbose_name_plural = "议事厅成员"
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class CouncilSession(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="sessions", verbose_name="议事厅")
    held_at = models.DateTimeField("议事时间", db_index=True)
    place = models.CharField("地点", max_length=120)
    attendees = models.ManyToManyField(CouncilMember, blank=True, related_name="sessions", verbose_name="出席成员")
    summary = models.TextField("议事纪要", max_length=4000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "议事会"
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.council} {self.held_at:%Y-%m-%d}"


class CouncilTopic(models.Model):
    """A topic of a session and what the residents decided; it can become a
    case (channel 居民议事) or a project, linked back (one of the two at most)."""

    session = models.ForeignKey(CouncilSession, on_delete=models.CASCADE, related_name="topics", verbose_name="议事会")
    title = models.CharField("议题", max_length=120)
    discussion = models.TextField("讨论情况", max_length=2000, blank=True)
    outcome = models.TextField("议事结果", max_length=2000, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_topic",
        verbose_name="转为案件",
    )
    project = models.ForeignKey(
        "governance.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="council_topics",
        verbose_name="转为治理项目",
    )
    converted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="转办人",
    )
    converted_at = models.DateTimeField("转办时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "议事议题"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                name="council_topic_one_outcome", condition=models.Q(case__isnull=True) | models.Q(project__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.title
