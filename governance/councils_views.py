"""The council pages: the list (a community goes straight to its own), a
council with its members and sessions (and the buttons that turn a topic into
a case or a project), and a session recorded. Each parses input, calls one
service or selector, renders."""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_http_methods

from communities.models import Role
from communities.selectors import person_for_user
from governance import councils
from governance import councils_forms as forms
from governance import councils_selectors as selectors
from governance.councils import CouncilStep, council_may
from governance.models import Council
from hotline.errors import DomainError, NotFound
from hotline.web import role_required, signed_in

COUNCIL_ROLES = (Role.CLERK, Role.LEADER, Role.SUPERVISOR, Role.OFFICER, Role.SECRETARY)
council_required = role_required(*COUNCIL_ROLES)


def _council_or_404(request: HttpRequest, pk: int) -> Council:
    try:
        return selectors.council_get_for_user(user=request.user, council_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


@council_required
@require_http_methods(["GET", "POST"])
def council_list(request: HttpRequest):
    person = person_for_user(request.user)
    assert person is not None
    date_from, date_to = _date_param(request, "from"), _date_param(request, "to")
    rows = selectors.council_overview_for_user(request.user, date_from=date_from, date_to=date_to)
    if request.method == "POST":
        try:
            council = councils.council_get_or_create(
                actor=signed_in(request.user), community_id=int(request.POST.get("community") or 0)
            )
        except (DomainError, ValueError) as error:
            messages.error(request, getattr(error, "message", "社区不存在。"))
            return redirect("council-list")
        messages.success(request, f"{council.community.name}{council.name}已设立，请添加成员。")
        return redirect("council-detail", pk=council.pk)
    if person.role in (Role.OFFICER, Role.SECRETARY) and len(rows) == 1 and rows[0].council is not None:
        url = reverse("council-detail", args=[rows[0].council.pk])
        query = request.GET.urlencode()
        return redirect(f"{url}?{query}" if query else url)
    may_set_up = person.role in (Role.OFFICER, Role.SECRETARY)
    context = {"rows": rows, "may_set_up": may_set_up, "date_from": date_from, "date_to": date_to}
    return render(request, "governance/councils/list.html", context)


def _date_param(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return parse_date(request.GET.get(name) or "")
    except ValueError:
        return None


@council_required
@require_http_methods(["GET", "POST"])
def council_detail(request: HttpRequest, pk: int):
    council = _council_or_404(request, pk)
    actor = signed_in(request.user)
    step = request.POST.get("step") if request.method == "POST" else None
    member_form = forms.MemberForm(request.POST if step == "member_add" else None)
    topic_id = request.POST.get("topic") if step in ("to_case", "to_project") else None
    case_form = forms.ToCaseForm(request.POST if step == "to_case" else None, prefix="case")
    project_form = forms.ToProjectForm(
        request.POST if step == "to_project" else None, prefix="project", street_id=council.community.street_id
    )
    status = 200
    if step is not None:
        try:
            if step == "member_add":
                if not member_form.is_valid():
                    raise _FormInvalid
                data = member_form.cleaned_data
                member = councils.council_member_add(
                    actor=actor,
                    council_id=council.pk,
                    name=data["name"],
                    kind=data["kind"],
                    building=data["building"],
                    phone=data["phone"],
                    joined_on=data["joined_on"],
                )
                messages.success(request, f"已添加成员 {member.name}。")
                return redirect("council-detail", pk=council.pk)
            if step == "member_deactivate":
                member = councils.council_member_deactivate(actor=actor, member_id=int(request.POST.get("member") or 0))
                messages.success(request, f"{member.name}已设为不在任。")
                return redirect("council-detail", pk=council.pk)
            if step == "to_case":
                if not case_form.is_valid():
                    raise _FormInvalid
                topic = councils.council_topic_to_case(
                    actor=actor, topic_id=_topic_in(council, topic_id), **case_form.cleaned_data
                )
                assert topic.case is not None
                messages.success(request, f"议题“{topic.title}”已转为案件 {topic.case.ticket_no}，已派本社区承办。")
                return redirect("case-detail", pk=topic.case.pk)
            if step == "to_project":
                if not project_form.is_valid():
                    raise _FormInvalid
                data = project_form.cleaned_data
                category = (data["category"] or "").strip()
                topic = councils.council_topic_to_project(
                    actor=actor,
                    topic_id=_topic_in(council, topic_id),
                    lead_id=int(data["lead"]),
                    due_on=data["due_on"],
                    keywords=project_form.keyword_list(),
                    category_paths=[category] if category else [],
                    title=data["title"],
                    department_ids=[d.pk for d in data["departments"]],
                )
                messages.success(request, f"议题“{topic.title}”已转为治理项目。")
                return redirect("council-detail", pk=council.pk)
            status = 400
        except _FormInvalid:
            status = 400
        except DomainError as error:
            form = {"member_add": member_form, "to_case": case_form, "to_project": project_form}.get(step)
            if form is not None and form.is_bound:
                form.add_domain_error(error)
            else:
                messages.error(request, error.message)
            status = error.status_code
    date_from, date_to = _date_param(request, "from"), _date_param(request, "to")
    phones_visible = selectors.member_phone_visible_to(request.user, council)
    members = [
        (m, selectors.member_phone_display(m.phone, visible=phones_visible))
        for m in council.members.all().order_by("-is_active", "kind", "name", "id")
    ]
    context = {
        "council": council,
        "members": members,
        "sessions": selectors.council_sessions(council=council, date_from=date_from, date_to=date_to),
        "date_from": date_from,
        "date_to": date_to,
        "may_record": council_may(actor, council, CouncilStep.RECORD),
        "may_to_case": council_may(actor, council, CouncilStep.TO_CASE),
        "may_to_project": council_may(actor, council, CouncilStep.TO_PROJECT),
        "member_form": member_form,
        "case_form": case_form,
        "project_form": project_form,
        "error_step": step if status != 200 else "",
        "error_topic": str(topic_id or ""),
    }
    return render(request, "governance/councils/detail.html", context, status=status)


class _FormInvalid(Exception):
    """The form refused the input; its errors are shown next to the fields."""


def _topic_in(council: Council, topic_id: str | None) -> int:
    """The topic of this council (the page posts its id; another council's is not found)."""
    try:
        wanted = int(topic_id or 0)
    except ValueError:
        raise NotFound("议题不存在。") from None
    if not council.sessions.filter(topics__pk=wanted).exists():
        raise NotFound("议题不存在。")
    return wanted


@council_required
@require_http_methods(["GET", "POST"])
def council_session_new(request: HttpRequest, pk: int):
    council = _council_or_404(request, pk)
    actor = signed_in(request.user)
    if not council_may(actor, council, CouncilStep.RECORD):
        messages.error(request, "只有本社区的书记和社区办件员可以记录议事会。")
        return redirect("council-detail", pk=council.pk)
    form = forms.SessionForm(request.POST or None, council=council)
    topics = forms.TopicFormSet(request.POST or None, prefix="topics")
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and topics.is_valid():
            data = form.cleaned_data
            try:
                session = councils.council_session_record(
                    actor=actor,
                    council_id=council.pk,
                    held_at=data["held_at"],
                    place=data["place"],
                    summary=data["summary"],
                    attendee_ids=[m.pk for m in data["attendees"]],
                    topics=[
                        {
                            "title": t.get("title", ""),
                            "discussion": t.get("discussion", ""),
                            "outcome": t.get("outcome", ""),
                        }
                        for t in topics.cleaned_data
                    ],
                )
            except DomainError as error:
                if error.field == "topics":
                    topics_error = error.message
                    return render(
                        request,
                        "governance/councils/session_new.html",
                        {"council": council, "form": form, "topics": topics, "topics_error": topics_error},
                        status=error.status_code,
                    )
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, f"已记录 {timezone.localtime(session.held_at):%m月%d日} 的议事会。")
                return redirect("council-detail", pk=council.pk)
    return render(
        request,
        "governance/councils/session_new.html",
        {"council": council, "form": form, "topics": topics},
        status=status,
    )
