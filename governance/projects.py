"""Governance projects (主动治理): the services that write them. Who may
create and steer one: the street's leaders."""

import datetime as dt

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from cases.models import Tag
from communities.models import Community, Department, Person, Role
from communities.selectors import person_for_user
from governance.events import governance_event_record
from governance.models import Project, ProjectKind
from governance.models.projects import PROJECT_TEXT_LIMITS
from hotline.errors import InvalidInput, NotAllowed

# Who may open and steer a project.
PROJECT_STEERERS = frozenset({Role.LEADER})


def project_steerer(actor: User) -> Person:
    person = person_for_user(actor)
    if person is None or person.role not in PROJECT_STEERERS:
        raise NotAllowed("只有街道领导可以立项和推进治理项目。")
    return person


def _clean_list(values: list[str] | None, *, field: str, limit: int) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in (values or []) if v and v.strip()))
    for value in cleaned:
        if len(value) > limit:
            raise InvalidInput(f"“{value[:20]}…”过长（最多{limit}字）。", field=field)
    return cleaned


@transaction.atomic
def project_create(
    *,
    actor: User,
    kind: str,
    title: str,
    lead_id: int | None,
    starts_on: dt.date,
    due_on: dt.date,
    description: str = "",
    category_paths: list[str] | None = None,
    tag_ids: list[int] | None = None,
    keywords: list[str] | None = None,
    department_ids: list[int] | None = None,
    community_ids: list[int] | None = None,
    month: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Project:
    """Open a project (status 立项). Refused without a problem class (a
    category path, a tag or a key word) or without a lead leader of the street."""
    now = now or timezone.now()
    person = project_steerer(actor)
    if kind not in ProjectKind.values:
        raise InvalidInput("请选择项目类型。", field="kind")
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写项目名称。", field="title")
    if len(title) > PROJECT_TEXT_LIMITS["title"]:
        raise InvalidInput(f"项目名称最多{PROJECT_TEXT_LIMITS['title']}字。", field="title")
    description = (description or "").strip()
    if len(description) > PROJECT_TEXT_LIMITS["description"]:
        raise InvalidInput(f"问题描述最多{PROJECT_TEXT_LIMITS['description']}字。", field="description")
    paths = _clean_list(category_paths, field="category_paths", limit=PROJECT_TEXT_LIMITS["category_path"])
    words = _clean_list(keywords, field="keywords", limit=PROJECT_TEXT_LIMITS["keyword"])
    tags = list(Tag.objects.filter(pk__in=tag_ids or []))
    if len(tags) != len(set(tag_ids or [])):
        raise InvalidInput("所选标签不存在。", field="tags")
    if not (paths or words or tags):
        raise InvalidInput("请确定问题类别：至少选择一个问题分类、标签或关键词。", field="category_paths")
    lead = (
        Person.objects.filter(user_id=lead_id, street_id=person.street_id, role=Role.LEADER).first()
        if lead_id is not None
        else None
    )
    if lead is None:
        raise InvalidInput("请选择牵头领导（本街道的街道领导）。", field="lead")
    if due_on < starts_on:
        raise InvalidInput("完成期限不能早于开始日期。", field="due_on")
    month = (month or starts_on).replace(day=1) if kind == ProjectKind.MONTHLY else None
    departments = list(Department.objects.filter(pk__in=department_ids or [], street_id=person.street_id))
    if len(departments) != len(set(department_ids or [])):
        raise InvalidInput("所选责任科室不存在。", field="departments")
    communities = list(Community.objects.filter(pk__in=community_ids or [], street_id=person.street_id))
    if len(communities) != len(set(community_ids or [])):
        raise InvalidInput("所选责任社区不存在。", field="communities")
    project = Project.objects.create(
        street_id=person.street_id,
        kind=kind,
        title=title,
        description=description,
        month=month,
        category_paths=paths,
        keywords=words,
        lead_id=lead.user_id,
        starts_on=starts_on,
        due_on=due_on,
        created_by=actor,
        created_at=now,
    )
    project.tags.set(tags)
    project.departments.set(departments)
    project.communities.set(communities)
    governance_event_record(
        street_id=person.street_id,
        project=project,
        subject="project",
        action="create",
        to_status=project.status,
        actor=actor,
        at=now,
    )
    return project
