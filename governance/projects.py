"""Governance projects (主动治理): the services that write them. Who may
create and steer one: the street's leaders."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from attachments.content import upload_inspect
from attachments.models import Kind, Label, OwnerKind
from attachments.services import attachment_files_cleanup, attachment_row_store, attachment_upload_read
from cases import services as case_services
from cases.hotspot_classes import hotspot_similar_class
from cases.hotspots import HotspotFilters
from cases.models import Case, Tag
from cases.selectors import case_scope_for_user
from cases.transitions import Action as CaseAction
from communities.models import Community, Department, Person, Role
from communities.selectors import person_for_user
from governance.events import governance_event_record
from governance.models import Milestone, Project, ProjectCase, ProjectKind, ProjectNote
from governance.models.projects import PROJECT_TEXT_LIMITS, ProjectCaseSource, milestone_late_q
from governance.projects_transitions import (
    MILESTONE_TRANSITIONS,
    PROJECT_OPEN_STATUSES,
    PROJECT_TRANSITIONS,
    MilestoneAction,
    MilestoneStatus,
    ProjectAction,
    milestone_next_status,
    project_next_status,
)
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean
from supervision.models import NotificationKind
from supervision.services import notification_send

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


@dataclass
class _ProjectFields:
    """A project's checked fields, the same rules at creation and on change."""

    title: str
    description: str
    paths: list[str]
    words: list[str]
    lead_id: int
    tags: list[Tag]
    departments: list[Department]
    communities: list[Community]

    def set_relations(self, project: Project) -> None:
        project.tags.set(self.tags)
        project.departments.set(self.departments)
        project.communities.set(self.communities)


def _project_fields(
    *,
    street_id: int,
    title: str,
    description: str,
    category_paths: list[str] | None,
    tag_ids: list[int] | None,
    keywords: list[str] | None,
    lead_id: int | None,
    starts_on: dt.date,
    due_on: dt.date,
    department_ids: list[int] | None,
    community_ids: list[int] | None,
) -> _ProjectFields:
    """Refused without a title, without a problem class (a category path, a tag
    or a key word) or without a lead leader of the street; units of the street only."""
    title = _text(title, label="项目名称", limit="title", field="title", required=True)
    description = _text(description, label="问题描述", limit="description", field="description")
    paths = _clean_list(category_paths, field="category_paths", limit=PROJECT_TEXT_LIMITS["category_path"])
    words = _clean_list(keywords, field="keywords", limit=PROJECT_TEXT_LIMITS["keyword"])
    tags = list(Tag.objects.filter(pk__in=tag_ids or []))
    if len(tags) != len(set(tag_ids or [])):
        raise InvalidInput("所选标签不存在。", field="tags")
    if not (paths or words or tags):
        raise InvalidInput("请确定问题类别：至少选择一个问题分类、标签或关键词。", field="category_paths")
    lead = (
        Person.objects.filter(user_id=lead_id, street_id=street_id, role=Role.LEADER).first()
        if lead_id is not None
        else None
    )
    if lead is None:
        raise InvalidInput("请选择牵头领导（本街道的街道领导）。", field="lead")
    if due_on < starts_on:
        raise InvalidInput("完成期限不能早于开始日期。", field="due_on")
    departments = list(Department.objects.filter(pk__in=department_ids or [], street_id=street_id))
    if len(departments) != len(set(department_ids or [])):
        raise InvalidInput("所选责任科室不存在。", field="departments")
    communities = list(Community.objects.filter(pk__in=community_ids or [], street_id=street_id))
    if len(communities) != len(set(community_ids or [])):
        raise InvalidInput("所选责任社区不存在。", field="communities")
    return _ProjectFields(title, description, paths, words, lead.user_id, tags, departments, communities)


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
    fields = _project_fields(
        street_id=person.street_id,
        title=title,
        description=description,
        category_paths=category_paths,
        tag_ids=tag_ids,
        keywords=keywords,
        lead_id=lead_id,
        starts_on=starts_on,
        due_on=due_on,
        department_ids=department_ids,
        community_ids=community_ids,
    )
    month = (month or starts_on).replace(day=1) if kind == ProjectKind.MONTHLY else None
    project = Project.objects.create(
        street_id=person.street_id,
        kind=kind,
        title=fields.title,
        description=fields.description,
        month=month,
        category_paths=fields.paths,
        keywords=fields.words,
        lead_id=fields.lead_id,
        starts_on=starts_on,
        due_on=due_on,
        created_by=actor,
        created_at=now,
    )
    fields.set_relations(project)
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


# ---------------------------------------------------------------- who may do what


class ProjectDoing:
    """What `project_may` answers for: steer (edit, transitions, milestones,
    linked cases), note (progress notes), milestone (complete/reopen one)."""

    STEER = "steer"
    NOTE = "note"
    MILESTONE = "milestone"


def project_may(actor: User | None, project: Project, what: str, *, milestone: Milestone | None = None) -> bool:
    """The one predicate of the project's steps, for the services, the page's
    buttons and the API's `available_actions`. Leaders of the street steer;
    a milestone's owner completes and reopens it; the lead, the responsible
    units' members and the milestones' owners write progress notes."""
    person = person_for_user(actor) if actor is not None else None
    if person is None or person.street_id != project.street_id:
        return False
    steerer = person.role in PROJECT_STEERERS
    if what == ProjectDoing.STEER:
        return steerer
    if what == ProjectDoing.MILESTONE:
        return steerer or (milestone is not None and milestone.owner_id == person.user_id)
    if what == ProjectDoing.NOTE:
        if steerer or project.lead_id == person.user_id:
            return True
        if person.community_id is not None and project.communities.filter(pk=person.community_id).exists():
            return True
        if person.department_id is not None and project.departments.filter(pk=person.department_id).exists():
            return True
        return project.milestones.filter(owner_id=person.user_id).exists()
    return False


def project_available_actions(*, actor: User | None, project: Project) -> list[str]:
    """The project's steps this user may take now (transitions by their action name)."""
    actions: list[str] = []
    if project_may(actor, project, ProjectDoing.STEER):
        actions += list(PROJECT_TRANSITIONS.get(project.status, {}))
        if project.status in PROJECT_OPEN_STATUSES:
            actions += ["update", "milestone_add", "link_cases", "unlink_case"]
    if project_may(actor, project, ProjectDoing.NOTE) and project.status in PROJECT_OPEN_STATUSES:
        actions.append("note_add")
    return actions


def milestone_available_actions(*, actor: User | None, milestone: Milestone) -> list[str]:
    """The milestone's steps this user may take now (its table's actions)."""
    project = milestone.project
    if project.status not in PROJECT_OPEN_STATUSES or not project_may(
        actor, project, ProjectDoing.MILESTONE, milestone=milestone
    ):
        return []
    return list(MILESTONE_TRANSITIONS.get(milestone.status, {}))


def _lock(project_id: int) -> Project:
    project = Project.objects.select_for_update().filter(pk=project_id).first()
    if project is None:
        raise NotFound("治理项目不存在。")
    return project


def _require(actor: User, project: Project, what: str, *, milestone: Milestone | None = None) -> None:
    if not project_may(actor, project, what, milestone=milestone):
        if what == ProjectDoing.NOTE:
            raise NotAllowed("只有牵头领导、责任单位人员和节点责任人可以记录推进情况。")
        if what == ProjectDoing.MILESTONE:
            raise NotAllowed("只有节点责任人或街道领导可以办理该节点。")
        raise NotAllowed("只有街道领导可以推进治理项目。")


def _open(project: Project) -> None:
    if project.status not in PROJECT_OPEN_STATUSES:
        raise Conflict(f"该项目已{project.get_status_display()}，不能再修改。")


def _text(value: str | None, *, label: str, limit: str, field: str, required: bool = False) -> str:
    return text_clean(value, label=label, field=field, limit=PROJECT_TEXT_LIMITS[limit], required=required)


# ---------------------------------------------------------------- the project


@transaction.atomic
def project_update(
    *,
    actor: User,
    project_id: int,
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
    now: dt.datetime | None = None,
) -> Project:
    """Change a project's fields while it is open (立项 or 推进中); the same
    rules as at creation (a problem class and a lead leader are required)."""
    now = now or timezone.now()
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.STEER)
    _open(project)
    fields = _project_fields(
        street_id=project.street_id,
        title=title,
        description=description,
        category_paths=category_paths,
        tag_ids=tag_ids,
        keywords=keywords,
        lead_id=lead_id,
        starts_on=starts_on,
        due_on=due_on,
        department_ids=department_ids,
        community_ids=community_ids,
    )
    project.title, project.description = fields.title, fields.description
    project.category_paths, project.keywords = fields.paths, fields.words
    project.lead_id, project.starts_on, project.due_on = fields.lead_id, starts_on, due_on
    if project.kind == ProjectKind.MONTHLY and project.month is None:
        project.month = starts_on.replace(day=1)
    project.save(
        update_fields=["title", "description", "category_paths", "keywords", "lead", "starts_on", "due_on", "month"]
    )
    fields.set_relations(project)
    governance_event_record(
        street_id=project.street_id, project=project, subject="project", action="update", actor=actor, at=now
    )
    return project


@transaction.atomic
def project_transition(
    *,
    actor: User,
    project_id: int,
    action: str,
    reason: str = "",
    outcome: str = "",
    now: dt.datetime | None = None,
) -> Project:
    """A step of the project's table: 开始推进, 完成 (records the outcome;
    with milestones still open only with a reason), 搁置 (a reason is
    required), 恢复推进."""
    now = now or timezone.now()
    if action not in ProjectAction.values:
        raise InvalidInput("未知的操作。", field="action")
    reason = _text(reason, label="说明", limit="reason", field="reason")
    outcome = _text(outcome, label="治理成效", limit="outcome", field="outcome")
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.STEER)
    target = project_next_status(project.status, action)
    if target is None:
        raise Conflict(f"该项目当前{project.get_status_display()}，不能{ProjectAction(action).label}。")
    if action == ProjectAction.SHELVE and not reason:
        raise InvalidInput("搁置项目请填写原因。", field="reason")
    fields = ["status", "status_reason"]
    if action == ProjectAction.COMPLETE:
        if not outcome:
            raise InvalidInput("完成项目请填写治理成效。", field="outcome")
        still_open = project.milestones.filter(status=MilestoneStatus.OPEN).count()
        if still_open and not reason:
            raise InvalidInput(
                f"还有{still_open}个节点未完成：请先完成节点，或填写未完成节点的原因后再完成项目。",
                code="open_milestones",
                field="reason",
            )
        project.outcome, project.done_at = outcome, now
        fields += ["outcome", "done_at"]
    from_status = project.status
    project.status, project.status_reason = target, reason
    project.save(update_fields=fields)
    governance_event_record(
        street_id=project.street_id,
        project=project,
        subject="project",
        action=action,
        from_status=from_status,
        to_status=target,
        note=reason,
        actor=actor,
        at=now,
    )
    return project


# ---------------------------------------------------------------- milestones


def _project_url(project: Project) -> str:
    return reverse("project-detail", args=[project.pk])


@transaction.atomic
def milestone_add(
    *,
    actor: User,
    project_id: int,
    title: str,
    owner_id: int | None,
    due_on: dt.date,
    now: dt.datetime | None = None,
) -> Milestone:
    """A milestone with its owner (a person of the street) and due date (today
    or later); the owner is told (PROJECT_ASSIGNED)."""
    now = now or timezone.now()
    title = _text(title, label="节点名称", limit="milestone", field="title", required=True)
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.STEER)
    _open(project)
    owner = (
        Person.objects.filter(user_id=owner_id, street_id=project.street_id, user__is_active=True)
        .exclude(role=Role.DISPLAY)
        .first()
        if owner_id is not None
        else None
    )
    if owner is None:
        raise InvalidInput("请选择节点责任人（本街道人员）。", field="owner")
    if due_on < timezone.localdate(now):
        raise InvalidInput("节点完成期限不能早于今天。", field="due_on")
    milestone = Milestone.objects.create(
        project=project, title=title, owner_id=owner.user_id, due_on=due_on, created_at=now
    )
    governance_event_record(
        street_id=project.street_id,
        project=project,
        subject=f"milestone:{milestone.pk}",
        action="create",
        to_status=milestone.status,
        note=title,
        actor=actor,
        at=now,
    )
    notification_send(
        recipients=[owner.user_id],
        kind=NotificationKind.PROJECT_ASSIGNED,
        title=f"治理项目节点：{title}",
        text=f"您是治理项目“{project.title}”节点“{title}”的责任人，完成期限{due_on:%Y年%-m月%-d日}。",
        url=_project_url(project),
        at=now,
        actor_id=actor.pk,
    )
    return milestone


@transaction.atomic
def milestone_transition(
    *, actor: User, milestone_id: int, action: str, note: str = "", now: dt.datetime | None = None
) -> Milestone:
    """完成 or 重新打开 a milestone through its table (owner or a leader)."""
    now = now or timezone.now()
    if action not in MilestoneAction.values:
        raise InvalidInput("未知的操作。", field="action")
    note = _text(note, label="说明", limit="reason", field="note")
    found = Milestone.objects.filter(pk=milestone_id).values_list("project_id", flat=True).first()
    if found is None:
        raise NotFound("节点不存在。")
    project = _lock(found)
    milestone = Milestone.objects.select_for_update().get(pk=milestone_id)
    _require(actor, project, ProjectDoing.MILESTONE, milestone=milestone)
    _open(project)
    target = milestone_next_status(milestone.status, action)
    if target is None:
        raise Conflict(f"该节点{milestone.get_status_display()}，不能{MilestoneAction(action).label}。")
    from_status = milestone.status
    milestone.status = target
    if target == MilestoneStatus.DONE:
        milestone.done_at, milestone.done_by, milestone.note = now, actor, note
    else:
        milestone.done_at, milestone.done_by, milestone.note = None, None, note
    milestone.save(update_fields=["status", "done_at", "done_by", "note"])
    governance_event_record(
        street_id=project.street_id,
        project=project,
        subject=f"milestone:{milestone.pk}",
        action=action,
        from_status=from_status,
        to_status=target,
        note=note,
        actor=actor,
        at=now,
    )
    return milestone


def milestone_complete(*, actor: User, milestone_id: int, note: str = "", now: dt.datetime | None = None) -> Milestone:
    return milestone_transition(
        actor=actor, milestone_id=milestone_id, action=MilestoneAction.COMPLETE, note=note, now=now
    )


def milestone_reopen(*, actor: User, milestone_id: int, note: str = "", now: dt.datetime | None = None) -> Milestone:
    return milestone_transition(
        actor=actor, milestone_id=milestone_id, action=MilestoneAction.REOPEN, note=note, now=now
    )


@transaction.atomic
def milestones_late_sweep(*, now: dt.datetime | None = None) -> int:
    """Tell the owner and the lead of each late milestone, once
    (MILESTONE_LATE; `late_told_at`). Returns how many were told."""
    now = now or timezone.now()
    late = (
        Milestone.objects.select_for_update(of=("self",))
        .filter(milestone_late_q(today=timezone.localdate(now)), late_told_at__isnull=True)
        .select_related("project")
        .order_by("id")
    )
    told = 0
    for milestone in late:
        project = milestone.project
        notification_send(
            recipients=[milestone.owner_id, project.lead_id],
            kind=NotificationKind.MILESTONE_LATE,
            title=f"治理项目节点逾期：{milestone.title}",
            text=(
                f"治理项目“{project.title}”的节点“{milestone.title}”"
                f"完成期限为{milestone.due_on:%Y年%-m月%-d日}，已逾期未完成。"
            ),
            url=_project_url(project),
            at=now,
        )
        milestone.late_told_at = now
        milestone.save(update_fields=["late_told_at"])
        told += 1
    return told


# ---------------------------------------------------------------- progress notes

NOTE_PHOTO_LIMIT = 6


@transaction.atomic
def project_note_add(
    *,
    actor: User,
    project_id: int,
    text: str,
    photos: Sequence[IO[Any]] = (),
    now: dt.datetime | None = None,
) -> ProjectNote:
    """A progress note with up to NOTE_PHOTO_LIMIT photos, each checked by its
    content and re-encoded before anything is written; all or nothing."""
    now = now or timezone.now()
    text = _text(text, label="推进情况", limit="note", field="text", required=True)
    if len(photos) > NOTE_PHOTO_LIMIT:
        raise InvalidInput(f"每条推进情况最多{NOTE_PHOTO_LIMIT}张照片。", code="too_many_files", field="photos")
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.NOTE)
    _open(project)
    inspected = []
    for upload in photos:
        try:
            data, name = attachment_upload_read(upload)
            item = upload_inspect(data=data, name=name)
        except InvalidInput as error:
            raise InvalidInput(error.message, code=error.code, field="photos") from None
        if item.kind != Kind.IMAGE:
            raise InvalidInput(f"“{name}”不是照片（按文件内容判断）。", code="unsupported_type", field="photos")
        inspected.append((item, name))
    note = ProjectNote.objects.create(project=project, text=text, author=actor, created_at=now)
    with attachment_files_cleanup() as names:
        for item, name in inspected:
            attachment_row_store(
                names=names,
                owner_kind=OwnerKind.PROJECT,
                owner_fields={"project_note": note},
                prefix=f"project/{project.pk}",
                inspected=item,
                name=name,
                label=Label.DURING,
                actor=actor,
                at=now,
            )
    governance_event_record(
        street_id=project.street_id,
        project=project,
        subject=f"note:{note.pk}",
        action="note",
        note=f"{len(inspected)}张照片" if inspected else "",
        actor=actor,
        at=now,
    )
    return note


# ---------------------------------------------------------------- linked cases


def _link(*, actor: User, project: Project, cases: list[Case], source: str, now: dt.datetime) -> list[ProjectCase]:
    """Link locked cases to a locked project; each newly linked case gets a
    PROJECT_LINK step on its timeline."""
    already = set(ProjectCase.objects.filter(project=project, case__in=cases).values_list("case_id", flat=True))
    links = []
    for case in cases:
        if case.pk in already:
            continue
        links.append(
            ProjectCase.objects.create(project=project, case=case, source=source, added_by=actor, added_at=now)
        )
        case_services.case_system_step(
            case=case,
            action=CaseAction.PROJECT_LINK,
            note=f"纳入治理项目“{project.title}”",
            data={"project_id": project.pk, "source": source},
            at=now,
            actor=actor,
        )
    if links:
        governance_event_record(
            street_id=project.street_id,
            project=project,
            subject="cases",
            action="link",
            note=f"关联{len(links)}件案件（{ProjectCaseSource(source).label}）",
            actor=actor,
            at=now,
        )
    return links


def _cases_locked(actor: User, case_ids: Iterable[int]) -> list[Case]:
    """The cases, locked in id order (the case rows first), each in the
    actor's case scope — else refused as a whole."""
    wanted = sorted(set(case_ids))
    if not wanted:
        raise InvalidInput("请选择要关联的案件。", field="case_ids")
    cases = list(Case.objects.select_for_update().filter(pk__in=wanted).order_by("pk"))
    visible = set(case_scope_for_user(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    outside = [pk for pk in wanted if pk not in visible]
    if outside or len(cases) != len(wanted):
        raise NotFound(
            f"有{max(len(outside), len(wanted) - len(cases))}件案件不存在或不在您的查看范围内，未关联任何案件。"
        )
    return cases


@transaction.atomic
def project_link_cases(
    *,
    actor: User,
    project_id: int,
    case_ids: Iterable[int],
    source: str = ProjectCaseSource.HAND,
    now: dt.datetime | None = None,
) -> list[ProjectCase]:
    """Link cases to a project: every case must be in the actor's case scope,
    else nothing is linked. Cases already linked are skipped."""
    now = now or timezone.now()
    if source not in ProjectCaseSource.values:
        raise InvalidInput("关联方式无效。", field="source")
    cases = _cases_locked(actor, case_ids)
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.STEER)
    _open(project)
    return _link(actor=actor, project=project, cases=cases, source=source, now=now)


@transaction.atomic
def project_unlink_case(*, actor: User, project_id: int, case_id: int, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    project = _lock(project_id)
    _require(actor, project, ProjectDoing.STEER)
    _open(project)
    link = ProjectCase.objects.filter(project=project, case_id=case_id).first()
    if case is None or link is None:
        raise NotFound("该案件未关联此项目。")
    link.delete()
    case_services.case_system_step(
        case=case,
        action=CaseAction.PROJECT_UNLINK,
        note=f"移出治理项目“{project.title}”",
        data={"project_id": project.pk},
        at=now,
        actor=actor,
    )
    governance_event_record(
        street_id=project.street_id,
        project=project,
        subject="cases",
        action="unlink",
        note=case.ticket_no,
        actor=actor,
        at=now,
    )


def _end_of_next_month(day: dt.date) -> dt.date:
    first_next = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    first_after = (first_next + dt.timedelta(days=32)).replace(day=1)
    return first_after - dt.timedelta(days=1)


@transaction.atomic
def project_create_from_hotspot(
    *,
    actor: User,
    filters: HotspotFilters,
    key: str,
    kind: str = ProjectKind.MONTHLY,
    now: dt.datetime | None = None,
) -> Project:
    """立项治理 from a hotspot's 相似诉求 class: a project (每月一题 by
    default, the actor as lead, from today to the end of next month) whose
    problem class is the class's key words, with all the class's cases linked
    (source 热点立项) — in one transaction."""
    now = now or timezone.now()
    project_steerer(actor)
    found = hotspot_similar_class(user=actor, filters=filters, key=key)
    if found is None:
        raise NotFound("该相似诉求类别已不存在（统计条件或案件已变化），请刷新热点分析后再试。")
    today = timezone.localdate(now)
    cases = _cases_locked(actor, found.case_ids)
    project = project_create(
        actor=actor,
        kind=kind,
        title=f"{'、'.join(found.keywords)}类诉求治理"[: PROJECT_TEXT_LIMITS["title"]],
        description=(
            f"热点分析 {filters.date_from:%Y-%m-%d} 至 {filters.date_to:%Y-%m-%d} 的相似诉求类别，"
            f"共{found.count}件；关键词：{found.key}。"
        ),
        lead_id=actor.pk,
        starts_on=today,
        due_on=_end_of_next_month(today),
        keywords=found.keywords,
        now=now,
    )
    _link(actor=actor, project=project, cases=cases, source=ProjectCaseSource.HOTSPOT, now=now)
    return project
