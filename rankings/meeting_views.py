"""Pages of the weekly meeting draw (接诉即办专题会抽签): leaders draw, leaders
and supervisors read; the sheet of a draw prints for the meeting."""

from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from communities.models import Community, Department, Person, Role
from communities.selectors import person_for_user
from hotline.errors import DomainError, NotFound
from hotline.web import WorkbenchForm, paginate, role_required, signed_in
from rankings import meetings, services, windows
from supervision.forms_talks import MeetingAnswerForm
from supervision.ladder import ladder_reported_cases_for_user
from supervision.talks import meeting_answers_for_draw


class MeetingDrawForm(WorkbenchForm):
    week = forms.ChoiceField(
        label="抽取周", help_text="回访未解决的案件按回访时间落在该周计；超期未办结的案件以抽签时为准。"
    )
    count = forms.IntegerField(
        label="抽取件数",
        min_value=1,
        max_value=services.MEETING_MAX_COUNT,
        initial=5,
        help_text=f"1至{services.MEETING_MAX_COUNT}件；候选案件不足时全部抽出。",
    )
    community = forms.ModelChoiceField(
        label="限定社区", queryset=Community.objects.none(), required=False, empty_label="全部社区"
    )
    department = forms.ModelChoiceField(
        label="限定科室", queryset=Department.objects.none(), required=False, empty_label="全部科室"
    )

    def __init__(self, *args, street_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["week"].choices = [(w.key, w.label) for w in meetings.meeting_week_choices()]  # type: ignore[attr-defined]  # fields[name] is typed as the base Field
        self.fields["week"].initial = meetings.meeting_default_week().key
        self.fields["community"].queryset = Community.objects.filter(street_id=street_id, is_active=True)  # type: ignore[attr-defined]  # fields[name] is typed as the base Field
        self.fields["department"].queryset = Department.objects.filter(street_id=street_id, is_active=True)  # type: ignore[attr-defined]  # fields[name] is typed as the base Field


@role_required(Role.LEADER, Role.SUPERVISOR)
def meeting_home(request: HttpRequest) -> HttpResponse:
    """The draw form (leaders) and the history of draws."""
    person = cast(Person, person_for_user(request.user))  # role_required found the person
    can_draw = person.role == Role.LEADER
    form = MeetingDrawForm(request.POST or None, street_id=person.street_id) if can_draw else None
    status = 200
    if request.method == "POST":
        if not can_draw:
            raise PermissionDenied("只有街道领导可以进行专题会抽签。")
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                draw = services.meeting_draw_create(
                    actor=signed_in(request.user),
                    week=data["week"],
                    count=data["count"],
                    community_id=data["community"].pk if data["community"] else None,
                    department_id=data["department"].pk if data["department"] else None,
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, f"已从{draw.pool_size}件候选案件中抽取{draw.drawn_count}件。")
                return redirect("rankings-meeting-draw", draw_id=draw.pk)
        status = 400
    page = paginate(request, meetings.meeting_draw_list_for_user(user=request.user))
    return render(request, "rankings/meeting.html", {"form": form, "can_draw": can_draw, "page": page}, status=status)


@role_required(Role.LEADER, Role.SUPERVISOR)
def meeting_draw_detail(request: HttpRequest, draw_id: int) -> HttpResponse:
    try:
        draw = meetings.meeting_draw_get_for_user(user=request.user, draw_id=draw_id)
    except NotFound as error:
        raise Http404(error.message) from None
    items = meetings.meeting_draw_items(draw=draw)
    answers = meeting_answers_for_draw(draw_id=draw.pk)
    reproduced = meetings.meeting_draw_reproduce(draw=draw)
    return render(
        request,
        "rankings/meeting_draw.html",
        {
            "draw": draw,
            "items": items,
            "window": windows.week_parse(draw.week),
            "reproduced_ok": reproduced == [item.case_id for item in items],
            # Cases under 通报 (five working days overdue) are named on the sheet.
            "reported_cases": ladder_reported_cases_for_user(user=request.user),
            # The meeting on record: each drawn case's answer, grade and follow-up actions.
            "answered": [(item, answers.get(item.pk)) for item in items],
            "answer_form": MeetingAnswerForm(street_id=draw.street_id),
            "can_answer": getattr(person_for_user(request.user), "role", None) == Role.LEADER,
        },
    )
