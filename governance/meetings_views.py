"""The 吹哨 meeting pages: the list, a new meeting (from a case or a project),
a meeting with its minutes, decisions, files and cases, the 会议纪要 to print
on A4, and the decisions list the figures drill down to. Each parses input,
calls one service or selector, renders."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from attachments.services import attachment_remove
from cases.selectors import case_get_for_user
from communities.selectors import person_for_user
from governance import meetings
from governance import meetings_forms as forms
from governance import meetings_selectors as selectors
from governance.meetings_transitions import DecisionAction
from governance.models import Meeting, decision_done_on_time
from governance.scoping import project_scope_for_user
from hotline.errors import DomainError, NotFound
from hotline.web import paginate, signed_in, staff_required


def _street_id(request: HttpRequest) -> int:
    person = person_for_user(request.user)
    assert person is not None  # the role gate let a person through
    return person.street_id


def _meeting_or_404(request: HttpRequest, pk: int) -> Meeting:
    try:
        return selectors.meeting_get_for_user(user=request.user, meeting_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _people_choices(request: HttpRequest) -> list[tuple[int, str]]:
    rows = []
    for person in selectors.street_people_for_user(request.user):
        unit = person.community or person.department
        rows.append(
            (person.user_id, f"{person.full_name}（{person.get_role_display()}{' · ' + unit.name if unit else ''}）")
        )
    return rows


# ---------------------------------------------------------------- lists


@staff_required
def meeting_list(request: HttpRequest):
    form = forms.MeetingFilterForm(request.GET or None, street_id=_street_id(request))
    data = form.cleaned_data if form.is_valid() else {}
    community, department = data.get("community"), data.get("department")
    found = selectors.meeting_list_for_user(
        user=request.user,
        status=data.get("status") or "",
        community_id=community.pk if community else None,
        department_id=department.pk if department else None,
        project_id=data.get("project"),
        decisions=data.get("decisions") or "",
        held_from=data.get("held_from"),
        held_to=data.get("held_to"),
    )
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "governance/meetings/list.html",
        {
            "form": form,
            "page": paginate(request, found),
            "query": query,
            "may_convene": meetings.meeting_may(request.user, None, meetings.CONVENE),
        },
    )


@staff_required
def decision_list(request: HttpRequest):
    form = forms.DecisionFilterForm(request.GET or None, street_id=_street_id(request))
    data = form.cleaned_data if form.is_valid() else {}
    community, department = data.get("community"), data.get("department")
    today = timezone.localdate()
    found = selectors.decision_list_for_user(
        user=request.user,
        state=data.get("state") or "",
        community_id=community.pk if community else None,
        department_id=department.pk if department else None,
        due_from=data.get("due_from"),
        due_to=data.get("due_to"),
        today=today,
    )
    page = paginate(request, found)
    for decision in page:
        decision.state = selectors.decision_state(decision, today=today)
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(
        request,
        "governance/meetings/decisions.html",
        {"form": form, "page": page, "query": query, "states": selectors.DECISION_STATES},
    )


# ---------------------------------------------------------------- a new meeting


def _initial_from(request: HttpRequest) -> tuple[dict, object | None, object | None]:
    """?case=<id> or ?project=<id>: the form's first values, the case, the project."""
    initial: dict = {}
    case = project = None
    raw_case, raw_project = request.GET.get("case", ""), request.GET.get("project", "")
    if raw_case.isdigit():
        try:
            case = case_get_for_user(user=request.user, case_id=int(raw_case))
        except NotFound as error:
            raise Http404(error.message) from None
        initial.update(
            {
                "cases": case.ticket_no,
                "title": case.title[:100],
                "community": case.community_id or case.reported_community_id,
                "communities": [c for c in [case.community_id] if c],
                "departments": [d for d in [case.department_id] if d],
            }
        )
    if raw_project.isdigit():
        project = project_scope_for_user(request.user).filter(pk=int(raw_project)).first()
        if project is None:
            raise Http404("治理项目不存在，或不在您的查看范围内。")
        initial.update(
            {
                "project": project.pk,
                "title": project.title[:100],
                "departments": list(project.departments.values_list("pk", flat=True)),
                "communities": list(project.communities.values_list("pk", flat=True)),
            }
        )
    return initial, case, project


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest):
    if not meetings.meeting_may(request.user, None, meetings.CONVENE):
        messages.error(request, "您的岗位不能召集吹哨会议。")
        return redirect("meeting-list")
    initial, case, project = _initial_from(request)
    street_id = _street_id(request)
    form = forms.MeetingForm(request.POST or None, initial=initial, street_id=street_id)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                case_ids = selectors.case_ids_for_refs(user=request.user, refs=data["cases"])
                meeting = meetings.meeting_convene(
                    actor=signed_in(request.user),
                    title=data["title"],
                    held_at=data["held_at"],
                    place=data["place"],
                    agenda=data["agenda"],
                    community_id=data["community"].pk if data["community"] else None,
                    project_id=data["project"],
                    case_ids=case_ids,
                    department_ids=[d.pk for d in data["departments"]],
                    community_ids=[c.pk for c in data["communities"]],
                    organisation_ids=[o.pk for o in data["organisations"]],
                    residents=data["residents"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, "吹哨会议已召集，已记入关联案件的时间线。")
                return redirect("meeting-detail", pk=meeting.pk)
    return render(
        request, "governance/meetings/new.html", {"form": form, "case": case, "project": project}, status=status
    )


# ---------------------------------------------------------------- a meeting


def _detail_forms(request: HttpRequest, meeting: Meeting, step: str | None) -> dict:
    post = request.POST if step else None
    street_id = meeting.street_id
    return {
        "minutes": forms.MinutesForm(
            post if step == "minutes" else None,
            parties=list(meeting.parties.all()),
            prefix="m",
        ),
        "cancel": forms.CancelForm(post if step == "cancel" else None),
        "decision": forms.DecisionForm(
            post if step == "decision" else None, street_id=street_id, people=_people_choices(request)
        ),
        "link_case": forms.LinkCaseForm(post if step == "link_case" else None),
        "files": forms.FilesForm(post if step == "files" else None, request.FILES if step == "files" else None),
        "done": forms.DoneForm(post if step in ("complete", "reopen", "remove_file") else None),
    }


def _run(request: HttpRequest, meeting: Meeting, step: str, form) -> str:
    """Take the step; returns the success message (DomainError goes up)."""
    actor = signed_in(request.user)
    data = form.cleaned_data
    if step == "minutes":
        meetings.meeting_record_minutes(
            actor=actor,
            meeting_id=meeting.pk,
            minutes=data["minutes"],
            absent_party_ids=form.absent_ids(),
            attendees=form.attendees(),
        )
        return "会议纪要已记录，会议已召开。请添加决定事项。"
    if step == "cancel":
        meetings.meeting_cancel(actor=actor, meeting_id=meeting.pk, reason=data["reason"])
        return "会议已取消。"
    if step == "decision":
        meetings.decision_add(
            actor=actor,
            meeting_id=meeting.pk,
            text=data["text"],
            due_on=data["due_on"],
            owner_id=data["owner"],
            organisation_id=data["organisation"].pk if data["organisation"] else None,
            follow_up_id=data["follow_up"] if data["organisation"] else None,
        )
        return "决定事项已添加，已通知责任人。"
    if step == "link_case":
        (case_id,) = selectors.case_ids_for_refs(user=request.user, refs=[data["case"].strip()])
        meetings.meeting_case_link(actor=actor, meeting_id=meeting.pk, case_id=case_id)
        return "案件已关联，已记入该案件的时间线。"
    if step == "files":
        uploads = [(upload, "other") for upload in data["documents"]]
        meetings.meeting_attach(actor=actor, meeting_id=meeting.pk, uploads=uploads)
        return f"已上传{len(uploads)}个文件。"
    if step == "remove_file":
        attachment_id = request.POST.get("attachment", "")
        if not attachment_id.isdigit() or not meeting.attachments.filter(pk=int(attachment_id)).exists():
            raise NotFound("文件不存在。")
        attachment_remove(attachment_id=int(attachment_id), actor=actor)
        return "文件已删除。"
    decision_id = request.POST.get("decision", "")
    if not decision_id.isdigit() or not meeting.decisions.filter(pk=int(decision_id)).exists():
        raise NotFound("决定事项不存在。")
    if step == "complete":
        meetings.decision_complete(actor=actor, decision_id=int(decision_id), note=data["note"])
        return "决定事项已标记完成。"
    meetings.decision_reopen(actor=actor, decision_id=int(decision_id), reason=data["note"])
    return "决定事项已重新打开。"


STEPS = ("minutes", "cancel", "decision", "link_case", "files", "remove_file", "complete", "reopen")


@staff_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, pk: int):
    meeting = _meeting_or_404(request, pk)
    step = request.POST.get("step") if request.method == "POST" else None
    if step is not None and step not in STEPS:
        raise Http404("没有这项操作。")
    meeting_forms = _detail_forms(request, meeting, step)
    status = 200
    if step is not None:
        form = meeting_forms["done" if step in ("complete", "reopen", "remove_file") else step]
        status = 400
        if form.is_valid():
            try:
                done = _run(request, meeting, step, form)
            except DomainError as error:
                if error.field in form.fields:
                    form.add_domain_error(error)
                    status = error.status_code
                else:
                    messages.error(request, error.message)
                    return redirect("meeting-detail", pk=meeting.pk)
            else:
                messages.success(request, done)
                return redirect("meeting-detail", pk=meeting.pk)
        meeting = _meeting_or_404(request, pk)
    today = timezone.localdate()
    decisions = list(meeting.decisions.all())
    for decision in decisions:
        decision.state = selectors.decision_state(decision, today=today)  # type: ignore[attr-defined]
        decision.actions = meetings.decision_available_actions(request.user, decision)  # type: ignore[attr-defined]
        decision.on_time = decision_done_on_time(decision)  # type: ignore[attr-defined]
    return render(
        request,
        "governance/meetings/detail.html",
        {
            "meeting": meeting,
            "forms": meeting_forms,
            "error_step": step if status != 200 else "",
            "actions": meetings.meeting_available_actions(request.user, meeting),
            "decisions": decisions,
            "states": selectors.DECISION_STATES,
            "cases": selectors.meeting_cases_for_user(user=request.user, meeting=meeting),
            "attachments": selectors.meeting_attachments(meeting=meeting),
            "complete": DecisionAction.COMPLETE.value,
            "reopen": DecisionAction.REOPEN.value,
        },
        status=status,
    )


@staff_required
def meeting_minutes(request: HttpRequest, pk: int):
    """会议纪要 on A4 (a print stylesheet, no navigation)."""
    meeting = _meeting_or_404(request, pk)
    return render(
        request,
        "governance/meetings/minutes.html",
        {
            "meeting": meeting,
            "decisions": list(meeting.decisions.all()),
            "cases": selectors.meeting_cases_for_user(user=request.user, meeting=meeting),
            "printed_at": timezone.localtime(),
        },
    )
