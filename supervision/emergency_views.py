"""The emergencies pages: the list with its three figures, the banner polled
by every staff page, and the emergency steps posted from the case page."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cases import services as case_services
from cases.selectors import case_get_for_user
from cases.transitions import Action
from hotline.errors import DomainError, NotFound
from hotline.web import WorkbenchForm, paginate, staff_required
from supervision import emergencies, forms


@dataclass(frozen=True)
class EmergencyStep:
    action: Action
    form: type[WorkbenchForm]
    run: Callable[..., object]
    done: str


EMERGENCY_STEPS: dict[str, EmergencyStep] = {
    "raise": EmergencyStep(
        Action.RAISE_EMERGENCY,
        forms.EmergencyRaiseForm,
        case_services.case_raise_emergency,
        "已启动应急，带班领导和值班人员已收到紧急通知。",
    ),
    "arrive": EmergencyStep(
        Action.ARRIVE_ON_SCENE, forms.EmergencyArriveForm, case_services.case_arrive_on_scene, "已记录到场。"
    ),
    "close": EmergencyStep(
        Action.CLOSE_EMERGENCY, forms.EmergencyCloseForm, case_services.case_close_emergency, "应急已结束。"
    ),
}

STATES = {"open": "进行中", "closed": "已结束", "": "全部"}


@require_GET
@staff_required
def emergency_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    state = state if state in STATES else "open"
    rows = emergencies.emergency_list_for_user(user=request.user, state=state)
    page = paginate(request, rows)
    page.object_list = [{"emergency": e, "times": emergencies.emergency_times(e)} for e in page.object_list]
    context = {"page": page, "state": state, "states": STATES, "query": f"state={state}"}
    return render(request, "supervision/emergencies.html", context)


@require_GET
@staff_required
def emergency_banner(request: HttpRequest) -> HttpResponse:
    """htmx: the red banner, polled by every staff page."""
    items = emergencies.emergency_banner_for_user(user=request.user)
    response = render(request, "supervision/emergency_banner.html", {"emergency_banner": items})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required
def emergency_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    spec = EMERGENCY_STEPS.get(step)
    try:
        case = case_get_for_user(user=request.user, case_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    if spec is None:
        raise Http404("没有这个应急环节。")
    form = spec.form(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}：{errors[0]}" if label else str(errors[0]))
        return redirect("case-detail", pk=case.pk)
    try:
        spec.run(case_id=case.pk, actor=request.user, note=form.cleaned_data["note"])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, spec.done)
    return redirect("case-detail", pk=case.pk)
