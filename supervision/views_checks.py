"""Pages of the supervision group's records: today's check (proposals →
findings → close → printed report), the history of checks, the open
supervision orders, and the 回头看 draws with their re-checks."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from communities.models import Community, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, DomainError, InvalidInput, NotFound
from hotline.web import STAFF, next_url, paginate, role_required, signed_in
from supervision import checks, orders, rechecks
from supervision.forms import CheckCloseForm, FindingForm, OrderCloseForm, RecheckForm
from supervision.models import CheckStatus, FindingType, OrderKind

SUPERVISORS = (Role.SUPERVISOR, Role.LEADER)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _communities(request: HttpRequest):
    person = person_for_user(request.user)
    return Community.objects.filter(street_id=person.street_id).order_by("name") if person else []


# ---------------------------------------------------------------- daily checks


@require_GET
@role_required(*SUPERVISORS)
def check_home(request: HttpRequest) -> HttpResponse:
    community_id = _int(request.GET.get("community"))
    context = {
        "today_check": checks.check_today_for_user(user=request.user),
        "page": paginate(request, checks.check_list_for_user(user=request.user, community_id=community_id)),
        "communities": _communities(request),
        "community_id": community_id,
        "query": f"community={community_id}" if community_id else "",
    }
    return render(request, "supervision/checks/home.html", context)


@require_POST
@role_required(*SUPERVISORS)
def check_start(request: HttpRequest) -> HttpResponse:
    try:
        check = checks.check_open_today(actor=signed_in(request.user))
    except Conflict as error:
        messages.info(request, error.message)
        existing = checks.check_today_for_user(user=request.user)
        return redirect(reverse("supervision-check", args=[existing.pk]) if existing else "supervision-checks")
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("supervision-checks")
    return redirect("supervision-check", check.pk)


def _check_or_404(request: HttpRequest, pk: int):
    try:
        return checks.check_get_for_user(user=request.user, check_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def check_detail(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check_or_404(request, pk)
    form = FindingForm(request.POST or None)
    failed_case = None
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                checks.check_record_finding(
                    check_id=check.pk,
                    actor=signed_in(request.user),
                    case_id=data["case"],
                    finding=data["finding"],
                    note=data["note"],
                    order_kind=data["order_kind"],
                    due_on=data["due_on"],
                )
            except DomainError as error:
                form.add_domain_error(error)
            else:
                messages.success(request, "检查记录已保存。")
                return redirect(reverse("supervision-check", args=[check.pk]) + "#check-proposals")
        failed_case = _int(request.POST.get("case"))
    mine = check.supervisor_id == request.user.pk and check.status == CheckStatus.OPEN
    context = {
        "check": check,
        "mine": mine,
        "proposals": checks.check_proposals(check=check) if mine else [],
        "findings": checks.check_findings(check=check),
        "form": form,
        "failed_case": failed_case,
        "finding_choices": FindingType.choices,
        "order_choices": [(kind.value, kind.label) for kind in orders.MANUAL_KINDS],
        "close_form": CheckCloseForm(),
    }
    return render(request, "supervision/checks/detail.html", context)


@require_POST
@role_required(*SUPERVISORS)
def check_close(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check_or_404(request, pk)
    form = CheckCloseForm(request.POST)
    if form.is_valid():
        try:
            checks.check_close(check_id=check.pk, actor=signed_in(request.user), summary=form.cleaned_data["summary"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "每日检查已完成并锁定。")
            return redirect("supervision-check-print", check.pk)
    return redirect("supervision-check", check.pk)


@require_GET
@role_required(*SUPERVISORS)
def check_print(request: HttpRequest, pk: int) -> HttpResponse:
    check = _check_or_404(request, pk)
    findings = checks.check_findings(check=check)
    context = {"check": check, "findings": findings, "order_count": sum(1 for item in findings if item.order_id)}
    return render(request, "supervision/checks/print.html", context)


# ---------------------------------------------------------------- orders


@require_GET
@role_required(*STAFF)
def order_list(request: HttpRequest) -> HttpResponse:
    community_id = _int(request.GET.get("community"))
    kind, state = request.GET.get("kind", ""), request.GET.get("state", "open")
    try:
        items = orders.order_list_for_user(user=request.user, community_id=community_id, kind=kind, state=state)
    except InvalidInput as error:
        raise Http404(error.message) from None
    query = "&".join(
        part
        for part in (
            f"community={community_id}" if community_id else "",
            f"kind={kind}" if kind else "",
            f"state={state}",
        )
        if part
    )
    person = person_for_user(request.user)
    context = {
        "page": paginate(request, items),
        "communities": _communities(request),
        "community_id": community_id,
        "kind": kind,
        "state": state,
        "kinds": OrderKind.choices,
        "states": list(orders.ORDER_STATES.items()),
        "query": query,
        "may_close": person is not None and person.role in orders.ORDER_ROLES,
        "today": orders.timezone.localdate(),
        "close_form": OrderCloseForm(),
    }
    return render(request, "supervision/checks/orders.html", context)


@require_POST
@role_required(*SUPERVISORS)
def order_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        orders.order_get_for_user(user=request.user, order_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    form = OrderCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写督办落实情况。")
    else:
        try:
            orders.order_close(order_id=pk, actor=signed_in(request.user), note=form.cleaned_data["note"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "督办单已办结。")
    return redirect(next_url(request, reverse("supervision-orders")))


# ---------------------------------------------------------------- 回头看


@require_GET
@role_required(*SUPERVISORS)
def recheck_home(request: HttpRequest) -> HttpResponse:
    community_id = _int(request.GET.get("community"))
    found_back = request.GET.get("found_back") == "1"
    context = {
        "draws": rechecks.recheck_draw_list_for_user(user=request.user)[:26],
        "communities": _communities(request),
        "community_id": community_id,
        "found_back": found_back,
    }
    if community_id or found_back:
        context["page"] = paginate(
            request,
            rechecks.recheck_list_for_user(user=request.user, community_id=community_id, found_back=found_back),
        )
        context["query"] = "&".join(
            part
            for part in (f"community={community_id}" if community_id else "", "found_back=1" if found_back else "")
            if part
        )
    return render(request, "supervision/checks/rechecks.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISORS)
def recheck_draw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        draw = rechecks.recheck_draw_get_for_user(user=request.user, draw_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None
    form = RecheckForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recheck = rechecks.recheck_record(
                draw_id=draw.pk,
                case_id=data["case"],
                actor=signed_in(request.user),
                still_resolved=data["still_resolved"] == "yes",
                satisfied=data["satisfied"] == "yes",
                note=data["note"],
            )
        except DomainError as error:
            form.add_domain_error(error)
        else:
            messages.success(
                request, "回头看已记录，问题复发，已下发督办单。" if recheck.order_id else "回头看已记录。"
            )
            return redirect("supervision-recheck-draw", draw.pk)
    context = {
        "draw": draw,
        "items": rechecks.recheck_list_for_user(user=request.user, draw_id=draw.pk),
        "reproduced": rechecks.recheck_draw_reproduce(draw=draw),
        "form": form,
        "failed_case": _int(request.POST.get("case")) if request.method == "POST" else None,
    }
    return render(request, "supervision/checks/recheck_draw.html", context)
