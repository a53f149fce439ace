"""The project pages: the leaders' board (and the 每月一题 month board), a
new project, the project page with its milestones, notes, linked cases,
transitions and before/after figures, and the POST steps. Each parses input,
calls one service or selector, renders."""

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments.models import Attachment
from attachments.views import attachment_response
from cases import hotspots as hotspot_report
from cases.selectors import case_scope_for_user
from communities.models import Community, Department, Role
from communities.selectors import person_for_user
from governance import projects
from governance import projects_forms as forms
from governance import projects_selectors as selectors
from governance.meetings import CONVENE, meeting_may
from governance.meetings_selectors import meetings_for_project
from governance.models import Milestone, Project, ProjectKind
from governance.models.projects import ProjectCaseSource, milestone_late_q, project_is_late
from governance.projects import ProjectDoing, project_may
from governance.projects_transitions import (
    PROJECT_OPEN_STATUSES,
    PROJECT_TRANSITIONS,
    MilestoneAction,
    MilestoneStatus,
    ProjectAction,
    ProjectStatus,
)
from hotline.errors import DomainError, NotFound
from hotline.web import role_required, signed_in, staff_required

leader_required = role_required(Role.LEADER)


def _project_or_404(request: HttpRequest, pk: int) -> Project:
    try:
        return selectors.project_get_for_user(user=request.user, project_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _street_id(request: HttpRequest) -> int:
    person = person_for_user(request.user)
    if person is None:
        raise Http404("无权访问。")
    return person.street_id


# ---------------------------------------------------------------- the board


def _may_create(request: HttpRequest) -> bool:
    person = person_for_user(request.user)
    return person is not None and person.role in projects.PROJECT_STEERERS


@require_GET
@staff_required
def project_list(request: HttpRequest):
    form = forms.BoardFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    month = None
    error = ""
    if data.get("month"):
        try:
            month = selectors.project_month_parse(data["month"])
        except DomainError as problem:
            error = problem.message
    today = timezone.localdate()
    chosen = selectors.project_list_for_user(
        user=request.user,
        status=data.get("status", ""),
        kind=data.get("kind", ""),
        month=month,
        open_only=bool(data.get("open")),
        late=bool(data.get("late")),
        milestones_late=bool(data.get("milestones_late")),
        community_id=data.get("community"),
        department_id=data.get("department"),
        today=today,
    )
    board = selectors.project_board(user=request.user, projects=chosen, today=today)
    months = selectors.project_months(user=request.user)
    monthly = data.get("kind") == ProjectKind.MONTHLY
    month_nav = None
    if monthly:
        shown = month or today.replace(day=1)
        previous = (shown - dt.timedelta(days=1)).replace(day=1)
        following = (shown + dt.timedelta(days=32)).replace(day=1)
        month_nav = {
            "shown": shown,
            "previous": urlencode({"kind": "monthly", "month": f"{previous:%Y-%m}"}),
            "next": urlencode({"kind": "monthly", "month": f"{following:%Y-%m}"}),
            "all": urlencode({"kind": "monthly"}),
        }
    groups: list[tuple[dt.date | None, list]] = []
    if monthly:
        for row in board.rows:
            if groups and groups[-1][0] == row.project.month:
                groups[-1][1].append(row)
            else:
                groups.append((row.project.month, [row]))
        groups.sort(key=lambda group: group[0] or dt.date.min, reverse=True)
    query = request.GET.copy()
    return render(
        request,
        "governance/projects/list.html",
        {
            "form": form,
            "data": data,
            "board": board,
            "groups": groups,
            "monthly": monthly,
            "month_nav": month_nav,
            "months": months,
            "error": error,
            "status_choices": ProjectStatus.choices,
            "kind_choices": ProjectKind.choices,
            "communities": Community.objects.filter(street_id=_street_id(request), is_active=True),
            "departments": Department.objects.filter(street_id=_street_id(request), is_active=True),
            "may_create": _may_create(request),
            "query": query.urlencode(),
        },
        status=400 if error else 200,
    )


@leader_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest):
    today = timezone.localdate()
    street_id = _street_id(request)
    form = forms.ProjectForm(
        request.POST or None,
        street_id=street_id,
        initial={"starts_on": today, "due_on": projects._end_of_next_month(today), "lead": request.user.pk},
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                project = projects.project_create(
                    actor=signed_in(request.user), kind=form.cleaned_data["kind"], **form.service_arguments()
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, "治理项目已立项。")
                return redirect("project-detail", pk=project.pk)
    return render(request, "governance/projects/form.html", {"form": form, "project": None}, status=status)


@leader_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, pk: int):
    project = _project_or_404(request, pk)
    initial = {
        "title": project.title,
        "description": project.description,
        "category_paths": "\n".join(project.category_paths),
        "keywords": "、".join(project.keywords),
        "tags": list(project.tags.all()),
        "lead": project.lead_id,
        "departments": list(project.departments.all()),
        "communities": list(project.communities.all()),
        "starts_on": project.starts_on,
        "due_on": project.due_on,
    }
    form = forms.ProjectForm(request.POST or None, street_id=project.street_id, editing=True, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                projects.project_update(
                    actor=signed_in(request.user), project_id=project.pk, **form.service_arguments()
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, "项目信息已保存。")
                return redirect("project-detail", pk=project.pk)
    return render(request, "governance/projects/form.html", {"form": form, "project": project}, status=status)


# ---------------------------------------------------------------- the project page


# How the project's record names its steps (GovernanceEvent.action).
EVENT_LABELS = {
    "create": "创建",
    "update": "修改项目信息",
    "note": "记录推进情况",
    "link": "关联案件",
    "unlink": "移出案件",
    **{action.value: action.label for action in ProjectAction},
    **{action.value: action.label for action in MilestoneAction},
}
STATUS_LABELS = {**dict(MilestoneStatus.choices), **dict(ProjectStatus.choices)}


def _record(events) -> list[dict]:
    return [
        {
            "event": event,
            "label": ("节点" if event.subject.startswith("milestone") else "")
            + EVENT_LABELS.get(event.action, event.action),
            "status": STATUS_LABELS.get(event.to_status, event.to_status),
        }
        for event in events
    ]


def _calls_chart(calls: selectors.ClassCalls) -> dict:
    return {
        "labels": [f"第{i + 1}周" for i in range(calls.weeks)],
        "before": [w.calls for w in calls.before],
        "after": [w.calls for w in calls.after],
        "before_dates": [f"{w.starts_on:%m-%d}" for w in calls.before],
        "after_dates": [f"{w.starts_on:%m-%d}" for w in calls.after],
    }


def _detail(request: HttpRequest, project: Project, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    actor = request.user
    today = timezone.localdate()
    calls = selectors.project_class_calls(user=actor, project=project, today=today)
    may_steer = project_may(actor, project, ProjectDoing.STEER)  # type: ignore[arg-type]
    is_open = project.status in PROJECT_OPEN_STATUSES
    late_ids = set(
        Milestone.objects.filter(milestone_late_q(today=today), project=project).values_list("pk", flat=True)
    )
    milestones: list[dict] = []
    for milestone in project.milestones.all():  # prefetched with owner and done_by (project_get_for_user)
        may = is_open and project_may(actor, project, ProjectDoing.MILESTONE, milestone=milestone)  # type: ignore[arg-type]
        milestones.append(
            {
                "m": milestone,
                "late": milestone.pk in late_ids,
                "action": (
                    MilestoneAction.COMPLETE if milestone.status == MilestoneStatus.OPEN else MilestoneAction.REOPEN
                )
                if may
                else None,
            }
        )
    links = (
        project.links.filter(case__in=case_scope_for_user(actor))
        .select_related("case", "case__community")
        .order_by("-added_at", "-id")
    )
    transitions = (
        [(action, ProjectAction(action).label) for action in PROJECT_TRANSITIONS.get(project.status, {})]
        if may_steer
        else []
    )
    context = {
        "project": project,
        "calls": calls,
        "chart": _calls_chart(calls) if calls.weeks else None,
        "calls_pairs": list(zip(calls.before, calls.after, strict=True)),
        "rates": selectors.project_linked_rates(user=actor, project=project, today=today),
        "milestones": milestones,
        "notes": project.notes.select_related("author__person").prefetch_related("attachments"),
        "links": links,
        "events": _record(project.events.select_related("actor__person").order_by("-at", "-id")[:30]),
        "may_steer": may_steer and is_open,
        "may_note": is_open and project_may(actor, project, ProjectDoing.NOTE),  # type: ignore[arg-type]
        "transitions": transitions,
        "milestone_form": bound.get("milestone") or forms.MilestoneForm(street_id=project.street_id),
        "note_form": bound.get("note") or forms.NoteForm(),
        "transition_form": bound.get("transition") or forms.TransitionForm(),
        "link_form": bound.get("link") or forms.LinkCasesForm(),
        "open_milestones": sum(1 for m in milestones if m["m"].status == MilestoneStatus.OPEN),
        "is_late": project_is_late(project, today=today),
        # The project's 吹哨 meetings (governance.meetings) and whether this user may convene one.
        "meetings": meetings_for_project(actor, project),
        "may_convene": is_open and meeting_may(actor, None, CONVENE),
    }
    return render(request, "governance/projects/detail.html", context, status=status)


@require_GET
@staff_required
def project_detail(request: HttpRequest, pk: int):
    return _detail(request, _project_or_404(request, pk))


def _step(request: HttpRequest, project: Project, name: str, form, call) -> HttpResponse:
    """Run a POST step: a valid form calls the service, then back to the page;
    a refusal shows the page again with the message next to the form."""
    if form.is_valid():
        try:
            done = call(form.cleaned_data)
        except DomainError as error:
            if hasattr(form, "add_domain_error"):
                form.add_domain_error(error)
            else:
                form.add_error(None, error.message)
            messages.error(request, error.message)
            return _detail(request, project, bound={name: form}, status=error.status_code)
        messages.success(request, done)
        return redirect(reverse("project-detail", args=[project.pk]) + f"#{name}")
    return _detail(request, project, bound={name: form}, status=400)


@require_POST
@staff_required
def project_transition(request: HttpRequest, pk: int):
    project = _project_or_404(request, pk)
    form = forms.TransitionForm(request.POST)

    def call(data: dict) -> str:
        projects.project_transition(
            actor=signed_in(request.user),
            project_id=project.pk,
            action=data["action"],
            reason=data["reason"],
            outcome=data["outcome"],
        )
        return f"项目已{ProjectAction(data['action']).label}。"

    return _step(request, project, "transition", form, call)


@require_POST
@staff_required
def project_milestone_add(request: HttpRequest, pk: int):
    project = _project_or_404(request, pk)
    form = forms.MilestoneForm(request.POST, street_id=project.street_id)

    def call(data: dict) -> str:
        projects.milestone_add(
            actor=signed_in(request.user),
            project_id=project.pk,
            title=data["title"],
            owner_id=data["owner"].pk if data["owner"] else None,
            due_on=data["due_on"],
        )
        return "节点已添加，已通知责任人。"

    return _step(request, project, "milestone", form, call)


@require_POST
@staff_required
def project_milestone_step(request: HttpRequest, pk: int, milestone_id: int, action: str):
    project = _project_or_404(request, pk)
    if action not in MilestoneAction.values or not project.milestones.filter(pk=milestone_id).exists():
        raise Http404("节点不存在。")
    try:
        projects.milestone_transition(
            actor=signed_in(request.user),
            milestone_id=milestone_id,
            action=action,
            note=request.POST.get("note", ""),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return _detail(request, project, status=error.status_code)
    messages.success(request, f"节点已{MilestoneAction(action).label}。")
    return redirect(reverse("project-detail", args=[project.pk]) + "#milestones")


@require_POST
@staff_required
def project_note_add(request: HttpRequest, pk: int):
    project = _project_or_404(request, pk)
    form = forms.NoteForm(request.POST, request.FILES)

    def call(data: dict) -> str:
        projects.project_note_add(
            actor=signed_in(request.user), project_id=project.pk, text=data["text"], photos=data["photos"]
        )
        return "推进情况已记录。"

    return _step(request, project, "note", form, call)


@require_POST
@staff_required
def project_link_cases(request: HttpRequest, pk: int):
    """From the project page (work order numbers typed in) or the case search (the listed cases)."""
    project = _project_or_404(request, pk)
    form = forms.LinkCasesForm(request.POST)
    source = request.POST.get("source") or ProjectCaseSource.HAND
    if source not in (ProjectCaseSource.HAND, ProjectCaseSource.SEARCH):
        source = ProjectCaseSource.HAND

    def call(data: dict) -> str:
        case_ids = data["case_ids"] + selectors.case_ids_for_tickets(user=request.user, tickets=data["tickets"])
        links = projects.project_link_cases(
            actor=signed_in(request.user), project_id=project.pk, case_ids=case_ids, source=source
        )
        return f"已关联{len(links)}件案件。" if links else "所选案件均已关联此项目。"

    return _step(request, project, "link", form, call)


@require_POST
@staff_required
def project_unlink_case(request: HttpRequest, pk: int, case_id: int):
    project = _project_or_404(request, pk)
    try:
        projects.project_unlink_case(actor=signed_in(request.user), project_id=project.pk, case_id=case_id)
    except DomainError as error:
        messages.error(request, error.message)
        return _detail(request, project, status=error.status_code)
    messages.success(request, "已将案件移出项目。")
    return redirect(reverse("project-detail", args=[project.pk]) + "#cases")


@require_POST
@leader_required
def project_from_hotspot(request: HttpRequest):
    """立项治理 from a 相似诉求 class of the hotspot page (its filters and the class's key words)."""
    post = request.POST
    try:
        community = post.get("community")
        filters = hotspot_report.hotspot_filters(
            date_from=dt.date.fromisoformat(post["received_after"]) if post.get("received_after") else None,
            date_to=dt.date.fromisoformat(post["received_before"]) if post.get("received_before") else None,
            tag=post.get("tag", ""),
            category=post.get("category", ""),
            community_id=int(community) if community else None,
            urgencies=post.getlist("urgency"),
            channels=post.getlist("channel"),
        )
        project = projects.project_create_from_hotspot(
            actor=signed_in(request.user), filters=filters, key=post.get("key", "")
        )
    except (ValueError, DomainError) as error:
        messages.error(request, getattr(error, "message", "统计条件有误，请刷新热点分析后再试。"))
        return redirect(
            reverse("case-hotspots")
            + "?"
            + urlencode({k: v for k, v in post.items() if k != "csrfmiddlewaretoken" and k != "key"})
        )
    messages.success(request, f"已立项“{project.title}”，关联{project.links.count()}件案件。请添加节点和责任单位。")
    return redirect("project-detail", pk=project.pk)


@require_GET
@staff_required
def project_note_photo(request: HttpRequest, pk: int, photo_id: int, thumbnail: bool = False) -> FileResponse:
    """A note's photo, to those who may see the project (its scoping)."""
    project = _project_or_404(request, pk)
    photo = Attachment.objects.filter(pk=photo_id, project_note__project=project).first()
    if photo is None or (thumbnail and not photo.thumbnail):
        raise Http404("照片不存在。")
    return attachment_response(photo, thumbnail=thumbnail)
