"""The transition tables of a governance project (立项 → 推进中 → 已完成 /
搁置) and of its milestones (未完成 → 已完成). One readable table each; the
services in governance.projects check them."""

from django.db import models


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", "立项"
    ACTIVE = "active", "推进中"
    DONE = "done", "已完成"
    SHELVED = "shelved", "搁置"


class ProjectAction(models.TextChoices):
    START = "start", "开始推进"
    COMPLETE = "complete", "完成"
    SHELVE = "shelve", "搁置"
    RESUME = "resume", "恢复推进"


# status → {action: the status it leads to}
PROJECT_TRANSITIONS: dict[str, dict[str, str]] = {
    ProjectStatus.PROPOSED: {ProjectAction.START: ProjectStatus.ACTIVE, ProjectAction.SHELVE: ProjectStatus.SHELVED},
    ProjectStatus.ACTIVE: {ProjectAction.COMPLETE: ProjectStatus.DONE, ProjectAction.SHELVE: ProjectStatus.SHELVED},
    ProjectStatus.SHELVED: {ProjectAction.RESUME: ProjectStatus.ACTIVE},
    ProjectStatus.DONE: {},
}

# Still being worked on: the statuses whose milestones can be late.
PROJECT_OPEN_STATUSES = frozenset({ProjectStatus.PROPOSED, ProjectStatus.ACTIVE})


class MilestoneStatus(models.TextChoices):
    OPEN = "open", "未完成"
    DONE = "done", "已完成"


class MilestoneAction(models.TextChoices):
    COMPLETE = "complete", "完成"
    REOPEN = "reopen", "重新打开"


MILESTONE_TRANSITIONS: dict[str, dict[str, str]] = {
    MilestoneStatus.OPEN: {MilestoneAction.COMPLETE: MilestoneStatus.DONE},
    MilestoneStatus.DONE: {MilestoneAction.REOPEN: MilestoneStatus.OPEN},
}


def project_next_status(status: str, action: str) -> str | None:
    """Where `action` leads from `status`, or None when the table does not allow it."""
    return PROJECT_TRANSITIONS.get(status, {}).get(action)


def milestone_next_status(status: str, action: str) -> str | None:
    return MILESTONE_TRANSITIONS.get(status, {}).get(action)
