"""Pages of the 约谈, the weekly meeting's answers and follow-up actions, and
the drill-down of the supervision figures."""

from typing import cast

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from communities.models import Person, Role
from communities.selectors import person_for_user
from hotline.errors import DomainError, InvalidInput, NotFound
from hotline.web import paginate, role_required, signed_in, staff_required
from rankings import meetings
from supervision import figures, talks
from supervision.forms_talks import MeetingAnswerForm, TalkForm, TalkUnitForm
from supervision.models import TalkReason

TALK_READERS = (Role.LEADER, Role.SUPERVISOR, Role.SECRETARY, Role.OFFICER)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _days(request: HttpRequest) -> int:
    days = _int(request.GET.get("days"))
    return days if days in figures.DAY_CHOICES else figures.DEFAULT_DAYS


def supervision_page_context(request: HttpRequest) -> dict:
    """What the supervision page shows of this work: the figures per unit, the
    chiefs' grades over time and the latest 约谈 per unit."""
    days = _days(request)
    return {
        "figures": figures.supervision_unit_figures(user=request.user, days=days),
        "chief_grades": figures.chief_grades(user=request.user, days=days),
        "day_choices": figures.DAY_CHOICES,
        "recent_talks": talks.talk_list_for_user(user=request.user)[:10],
    }


@require_GET
@role_required(*TALK_READERS)
def talk_list(request: HttpRequest) -> HttpResponse:
    community_id, department_id = _int(request.GET.get("community")), _int(request.GET.get("department"))
    records = talks.talk_list_for_user(user=request.user, community_id=community_id, department_id=department_id)
    person = cast(Person, person_for_user(request.user))
    context = {
        "page": paginate(request, records),
        "can_record": person.role in talks.TALK_RECORDERS,
        "query": f"community={community_id}"
        if community_id
        else f"department={department_id}"
        if department_id
        else "",
    }
    return render(request, "supervision/talks.html", context)


@role_required(*talks.TALK_RECORDERS)
def talk_new(request: HttpRequest) -> HttpResponse:
    """Choose the unit and the reason (GET): the figures and the cases behind
    them are shown and pre-fill the form; POST records the 约谈."""
    person = cast(Person, person_for_user(request.user))
    source = request.POST if request.method == "POST" else request.GET
    unit_form = TalkUnitForm(source or None, units=talks.unit_choices(street_id=person.street_id))
    unit = reason = preview = None
    if unit_form.is_bound and unit_form.is_valid():
        try:
            unit = talks.unit_parse(street_id=person.street_id, key=unit_form.cleaned_data["unit"])
        except InvalidInput as error:
            unit_form.add_domain_error(error)
        else:
            reason = unit_form.cleaned_data["reason"]
            preview = talks.talk_figures(unit=unit, reason=reason, user=request.user)
    form = None
    status = 200
    if unit is not None and reason is not None and preview is not None:
        initial = {"reason_text": talks.talk_reason_text(unit=unit, reason=reason, figures=preview)}
        form = TalkForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST":
            if form.is_valid():
                try:
                    talk = talks.talk_create(
                        actor=signed_in(request.user),
                        unit_kind=unit.kind,
                        unit_id=unit.id,
                        reason=reason,
                        **form.cleaned_data,
                    )
                except DomainError as error:
                    form.add_domain_error(error)
                else:
                    messages.success(request, f"已记录对{talk.unit_name}的约谈。")
                    return redirect("supervision-talk", talk_id=talk.pk)
            status = 400
    elif request.method == "POST":
        status = 400
    context = {
        "unit_form": unit_form,
        "form": form,
        "unit": unit,
        "reason_label": TalkReason(reason).label if reason else "",
        "preview": preview,
        "preview_cases": talks.talks_case_list(user=request.user, case_ids=preview["case_ids"]) if preview else [],
    }
    return render(request, "supervision/talk_new.html", context, status=status)


@require_GET
@role_required(*TALK_READERS)
def talk_detail(request: HttpRequest, talk_id: int) -> HttpResponse:
    try:
        talk = talks.talk_get_for_user(user=request.user, talk_id=talk_id)
    except NotFound as error:
        raise Http404(error.message) from None
    context = {
        "talk": talk,
        "cases": talks.talk_cases_for_user(talk=talk, user=request.user),
        "compare": talks.talk_then_and_now(talk=talk, user=request.user),
    }
    return render(request, "supervision/talk_detail.html", context)


@require_POST
@role_required(Role.LEADER)
def meeting_answer(request: HttpRequest, draw_id: int, item_id: int) -> HttpResponse:
    """Record the answer, grade and follow-up actions of one drawn case (from the meeting sheet)."""
    person = cast(Person, person_for_user(request.user))
    try:
        draw = meetings.meeting_draw_get_for_user(user=request.user, draw_id=draw_id)
    except NotFound as error:
        raise Http404(error.message) from None
    target = reverse("rankings-meeting-draw", kwargs={"draw_id": draw.pk}) + f"#answer-{item_id}"
    form = MeetingAnswerForm(request.POST, street_id=person.street_id)
    if not form.is_valid():
        problems = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, "问询记录未保存：" + "；".join(problems))
        return redirect(target)
    if not draw.items.filter(pk=item_id).exists():
        raise Http404("抽中案件不存在。")
    try:
        talks.meeting_answer_record(
            actor=signed_in(request.user),
            item_id=item_id,
            answer=form.cleaned_data["answer"],
            grade=form.cleaned_data["grade"],
            actions=form.actions(),
        )
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "问询记录已保存。")
    return redirect(target)


@require_GET
@staff_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    actions = talks.follow_up_list_for_user(user=request.user).order_by("status", "due_on", "id")
    return render(
        request,
        "supervision/follow_ups.html",
        {"page": paginate(request, actions), "today": talks.today()},
    )


@require_POST
@staff_required
def follow_up_complete(request: HttpRequest, action_id: int) -> HttpResponse:
    try:
        talks.follow_up_complete(actor=signed_in(request.user), action_id=action_id)
    except NotFound as error:
        raise Http404(error.message) from None
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "跟进事项已标记完成。")
    return redirect("supervision-follow-ups")


@require_GET
@role_required(Role.LEADER, Role.SUPERVISOR)
def figure_records(request: HttpRequest, figure: str) -> HttpResponse:
    """The records behind one figure of the supervision page: exactly those it counts."""
    unit_kind = request.GET.get("unit", "")
    unit_id, chief_id, days = _int(request.GET.get("id")), _int(request.GET.get("chief")), _days(request)
    try:
        spec, records = figures.supervision_figure_records(
            user=request.user, figure=figure, unit_kind=unit_kind, unit_id=unit_id, chief_id=chief_id, days=days
        )
    except InvalidInput as error:
        raise Http404(error.message) from None
    query = "&".join(
        part
        for part in (
            f"unit={unit_kind}" if unit_kind else "",
            f"id={unit_id}" if unit_id else "",
            f"chief={chief_id}" if chief_id else "",
            f"days={days}",
        )
        if part
    )
    context = {
        "figure": spec,
        "page": paginate(request, records),
        "days": days,
        "unit_name": talks.unit_name(kind=unit_kind, unit_id=unit_id),
        "chief_name": talks.person_name(user_id=chief_id),
        "query": query,
    }
    return render(request, "supervision/figure_records.html", context)
