"""Governance projects (主动治理, DESIGN §7): a class of problems taken on as
one piece of work — its problem class, lead leader, responsible units,
milestones, progress notes with photos, outcome and linked cases."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from governance.projects_transitions import PROJECT_OPEN_STATUSES, MilestoneStatus, ProjectStatus

# The longest texts a project accepts (characters); the one home of its limits.
PROJECT_TEXT_LIMITS: dict[str, int] = {
    "title": 120,
    "description": 2000,
    "category_path": 200,
    "keyword": 40,
    "milestone": 200,
    "note": 2000,
    "outcome": 4000,
    "reason": 1000,
}


class ProjectKind(models.TextChoices):
    MONTHLY = "monthly", "每月一题"
    CLASS = "class", "一类问题治理"
    LEGACY = "legacy", "历史遗留问题"


class Project(models.Model):
    """The problem class is what the project's calls are counted by: category
    paths (a path and everything under it), tags, and/or key words of a
    hotspot's similar-text class (any of them matches; at least one is required)."""

    street = models.ForeignKey("communities.Street", on_delete=models.PROTECT, related_name="+", verbose_name="街道")
    kind = models.CharField("项目类型", max_length=16, choices=ProjectKind.choices)
    title = models.CharField("项目名称", max_length=120)
    description = models.TextField("问题描述", max_length=2000, blank=True)
    # 每月一题: the month it belongs to (the first day of that month).
    month = models.DateField("所属月份", null=True, blank=True, db_index=True)
    category_paths = models.JSONField("问题分类", default=list, blank=True)
    tags = models.ManyToManyField("cases.Tag", blank=True, related_name="+", verbose_name="标签")
    keywords = models.JSONField("关键词", default=list, blank=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="牵头领导"
    )
    departments = models.ManyToManyField(
        "communities.Department", blank=True, related_name="+", verbose_name="责任科室"
    )
    communities = models.ManyToManyField("communities.Community", blank=True, related_name="+", verbose_name="责任社区")
    starts_on = models.DateField("开始日期")
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PROPOSED)
    status_reason = models.TextField("状态说明", max_length=1000, blank=True)
    outcome = models.TextField("治理成效", max_length=4000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="立项人"
    )
    created_at = models.DateTimeField("立项时间")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    cases = models.ManyToManyField(
        "cases.Case", through="ProjectCase", related_name="governance_projects", verbose_name="关联案件"
    )

    class Meta:
        verbose_name = verbose_name_plural = "治理项目"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "due_on"], name="project_status_due")]

    def __str__(self) -> str:
        return self.title


class ProjectCaseSource(models.TextChoices):
    HAND = "hand", "手工关联"
    SEARCH = "search", "案件查询"
    HOTSPOT = "hotspot", "热点立项"
    COUNCIL = "council", "议事厅议题"


class ProjectCase(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="links", verbose_name="治理项目")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name="案件")
    source = models.CharField("关联方式", max_length=8, choices=ProjectCaseSource.choices)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="关联人"
    )
    added_at = models.DateTimeField("关联时间")

    class Meta:
        verbose_name = verbose_name_plural = "治理项目关联案件"
        ordering = ["-added_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["project", "case"], name="project_case_once")]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.case_id}"


class Milestone(models.Model):
    """A step of a project with its owner and due date. Open after its due
    date it is late: the sweep tells its owner and the lead once (`late_told_at`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones", verbose_name="治理项目")
    title = models.CharField("节点", max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="责任人"
    )
    due_on = models.DateField("完成期限", db_index=True)
    status = models.CharField("状态", max_length=8, choices=MilestoneStatus.choices, default=MilestoneStatus.OPEN)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="完成人",
    )
    note = models.TextField("完成说明", max_length=1000, blank=True)
    late_told_at = models.DateTimeField("逾期提醒时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "治理项目节点"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


def milestone_late_q(*, today: dt.date) -> Q:
    """The one definition of a late milestone: still open after its due date,
    in a project still being worked on."""
    return Q(status=MilestoneStatus.OPEN, due_on__lt=today, project__status__in=PROJECT_OPEN_STATUSES)


class ProjectNote(models.Model):
    """A progress note (推进情况) of a project; its photos are attachments
    (owner kind "project", `Attachment.project_note`)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="notes", verbose_name="治理项目")
    text = models.TextField("推进情况", max_length=2000)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间")

    class Meta:
        verbose_name = verbose_name_plural = "治理项目推进情况"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:30]


def project_late_q(*, today: dt.date) -> Q:
    """The one definition of a late project: still being worked on after its deadline."""
    return Q(status__in=PROJECT_OPEN_STATUSES, due_on__lt=today)


def project_is_late(project: Project, *, today: dt.date) -> bool:
    """`project_late_q` for one project in hand."""
    return project.status in PROJECT_OPEN_STATUSES and project.due_on < today
