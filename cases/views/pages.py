"""The workbench pages: each role's lists, the case page, registration and dispatch."""

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from cases import deadlines, forms, permissions, selectors, services
from cases.api.filters import CaseFilter
from cases.models import Case, Signature, text_sha256
from cases.transitions import Action, Status
from cases.views.base import case_or_404
from cases.views.steps import STEPS, make_form
from cases.vocabulary import case_keyword_q, signature_standing_slots
from communities.models import Role
from communities.selectors import pairing_list, pairing_suggest_for_community
from hotline.errors import DomainError
from hotline.web import WorkbenchForm, next_url, paginate, role_required, signed_in, staff_required

# ---------------------------------------------------------------- the case page


def _signature_documents(case: Case) -> list[dict]:
    chief = getattr(getattr(case.pairing, "chief", None), "person", None) if case.pairing else None
    documents = []
    for document, text, signing_status, step in (
        (Signature.Document.REPLY, case.reply_text, Status.REPLIED, "sign_reply"),
        (Signature.Document.EXPLANATION, case.explanation_text, Status.EXPLANATION_WRITTEN, "sign_explanation"),
    ):
        signatures = [s for s in case.signatures.all() if s.document == document]
        if not text and not signatures:
            continue
        standing = signature_standing_slots(signatures, document=document, text=text)
        waiting = []
        if case.status == signing_status:
            for slot in Signature.Slot:
                if slot not in standing:
                    name = chief.full_name if slot == Signature.Slot.CHIEF and chief else ""
                    waiting.append(f"{slot.label}{f'（{name}）' if name else ''}")
        documents.append(
            {
                "document": document,
                "label": Signature.Document(document).label,
                "text": text,
                "sha256": text_sha256(text) if text else "",
                "signatures": signatures,
                "waiting": waiting,
                "sign_step": step,
            }
        )
    return documents


def case_detail_context(request: HttpRequest, case: Case, *, bound: tuple[str, WorkbenchForm] | None = None) -> dict:
    actions = permissions.case_available_actions(case=case, user=request.user)
    # A form for exactly the steps the one predicate allows (cases.permissions).
    step_forms = {name: make_form(name, case) for name, spec in STEPS.items() if spec.action in actions}
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    pending_extensions = [r for r in case.extension_requests.all() if r.decision == "pending"]
    documents = _signature_documents(case)
    for document in documents:
        document["sign_form"] = step_forms.pop(document["sign_step"], None)
    return {
        "case": case,
        "forms": step_forms,
        "error_step": bound[0] if bound else "",
        "can_dispatch": Action.DISPATCH in actions,
        "can_redispatch": Action.REDISPATCH in actions,
        "can_decide_extension": Action.DECIDE_EXTENSION in actions,
        "pending_extensions": pending_extensions,
        "documents": documents,
        "events": list(case.events.all()),
        "extension_requests": list(case.extension_requests.all()),
    }


@require_GET
@staff_required
def case_detail(request: HttpRequest, pk: int):
    case = case_or_404(request, pk)
    return render(request, "cases/detail.html", case_detail_context(request, case))


# ---------------------------------------------------------------- clerk: intake, dispatch, deadlines


@require_GET
@role_required(Role.CLERK)
def case_queue(request: HttpRequest):
    cases = selectors.case_intake_queue(user=request.user).select_related("reported_community")
    context = {
        "page": paginate(request, cases),
        "total": cases.count(),
        "wait_limits": deadlines.dispatch_wait_limits(),
    }
    return render(request, "cases/queue.html", context)


@role_required(Role.CLERK)
def case_register(request: HttpRequest):
    form = forms.CaseRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_register(
                actor=signed_in(request.user),
                title=data["title"],
                content=data["content"],
                received_at=data["received_at"],
                ticket_no=data["ticket_no"],
                channel=data["channel"],
                caller_name=data["caller_name"],
                caller_phone=data["caller_phone"],
                address=data["address"],
                compound=data["compound"],
                reported_community=data["reported_community"],
                category=data["category"],
                urgency=data["urgency"],
                tags=data["tags"],
            )
        except DomainError as error:
            if error.code == "duplicate_ticket":
                existing = selectors.case_scope_for_user(request.user).filter(ticket_no=data["ticket_no"]).first()
                if existing is not None and existing.created_by_id == request.user.pk:
                    # The same form sent twice: the case exists once, say so and go to it.
                    messages.warning(request, f"该案件已登记（工单编号 {existing.ticket_no}），请勿重复提交。")
                    return redirect("case-detail", pk=existing.pk)
            form.add_domain_error(error)
        else:
            messages.success(request, f"已登记案件 {case.ticket_no}，请派发。")
            return redirect("case-dispatch", pk=case.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/register.html", {"form": form}, status=status)


def _assignment_view(request: HttpRequest, pk: int, *, redispatch: bool):
    case = case_or_404(request, pk)
    form_class = forms.RedispatchForm if redispatch else forms.DispatchForm
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if redispatch:
                    services.case_redispatch(
                        case_id=case.id,
                        actor=signed_in(request.user),
                        pairing_id=data["pairing"].id,
                        handler_id=data["handler"],
                        reason=data["reason"],
                    )
                else:
                    services.case_dispatch(
                        case_id=case.id,
                        actor=signed_in(request.user),
                        pairing_id=data["pairing"].id,
                        handler_id=data["handler"],
                        note=data["note"],
                    )
            except DomainError as error:
                if error.field is None:
                    messages.error(request, error.message)
                    return redirect("case-detail", pk=case.pk)
                form.add_domain_error(error)
            else:
                messages.success(request, f"案件 {case.ticket_no} 已{'改派' if redispatch else '派发'}。")
                return redirect(next_url(request, reverse("case-queue")))
        status = 400
    else:
        if redispatch:
            initial = {"pairing": case.pairing_id}
        else:
            suggested = pairing_suggest_for_community(community=case.reported_community)
            initial = {"pairing": suggested.pk if suggested else None}
        form = form_class(initial=initial)
        status = 200
    allowed = Action.REDISPATCH if redispatch else Action.DISPATCH
    can = allowed in permissions.case_available_actions(case=case, user=request.user)
    context = {"case": case, "form": form, "redispatch": redispatch, "allowed": can}
    return render(request, "cases/dispatch.html", context, status=status)


@role_required(Role.CLERK)
def case_dispatch(request: HttpRequest, pk: int):
    return _assignment_view(request, pk, redispatch=False)


@role_required(Role.CLERK)
def case_redispatch(request: HttpRequest, pk: int):
    return _assignment_view(request, pk, redispatch=True)


@require_GET
@role_required(Role.CLERK)
def handler_options(request: HttpRequest):
    """htmx: the <option>s of the handler select for the chosen pairing."""
    pairing = None
    try:
        pairing = pairing_list().filter(pk=int(request.GET.get("pairing", ""))).first()
    except ValueError:
        pairing = None
    context = {"choices": forms.handler_choices(pairing), "selected": forms.handler_default(pairing)}
    return render(request, "cases/_handler_options.html", context)


@require_GET
@role_required(Role.CLERK, Role.LEADER, Role.SUPERVISOR)
def case_deadlines(request: HttpRequest):
    board = selectors.case_deadline_board(user=request.user)
    limit = 100
    sections = [
        ("overdue", "已超时", "danger", board["overdue"]),
        ("today", "今日到期", "warning", board["today"]),
        ("soon", "三日内到期", "info", board["soon"]),
        ("response", "超时未联系", "danger", board["response_overdue"]),
    ]
    return render(
        request,
        "cases/deadlines.html",
        {"sections": [(key, label, tone, qs.count(), qs[:limit]) for key, label, tone, qs in sections], "limit": limit},
    )


# ---------------------------------------------------------------- search


class WorkbenchCaseFilter(CaseFilter):
    """The API's filters plus the API's keyword search (`search_fields` of the case API)."""

    q = django_filters.CharFilter(label="关键词（工单号、标题、内容、地址）", method="filter_keyword")

    def filter_keyword(self, queryset, name: str, value: str):
        keyword = case_keyword_q(value)
        return queryset if keyword is None else queryset.filter(keyword)


SEARCH_PRIMARY = ("q", "community", "received_after", "received_before", "status")


def _style_filter_form(form) -> None:
    """Bootstrap look for the API's filter form; choices read 不限 rather than '---------'."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, django_forms.SelectMultiple):
            field.widget = widget = django_forms.CheckboxSelectMultiple(choices=field.choices)
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, django_forms.NullBooleanSelect):
            widget.choices = [("unknown", "不限"), ("true", "是"), ("false", "否")]
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif isinstance(widget, django_forms.Select):
            if hasattr(field, "empty_label"):
                field.empty_label = "不限"
            if getattr(field, "choices", None) and not isinstance(field, django_forms.ModelChoiceField):
                field.choices = [("", "不限"), *[c for c in field.choices if c[0] != ""]]
            widget.attrs.setdefault("class", "form-select form-select-sm")
        else:
            widget.attrs.setdefault("class", "form-control form-control-sm")
        if isinstance(widget, django_forms.DateInput):
            widget.input_type = "date"
        if name == "handler":
            field.label_from_instance = lambda user: (
                getattr(getattr(user, "person", None), "full_name", "") or str(user)
            )


@require_GET
@staff_required
def case_search(request: HttpRequest):
    scope = selectors.case_list_for_user(request.user)
    case_filter = WorkbenchCaseFilter(request.GET or None, queryset=scope, request=request)
    _style_filter_form(case_filter.form)
    cases = case_filter.qs if case_filter.is_bound and case_filter.is_valid() else scope
    if case_filter.is_bound and not case_filter.is_valid():
        cases = scope.none()
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": case_filter,
        "page": paginate(request, cases.order_by("-received_at", "-id")),
        "more_fields": [f for f in case_filter.form.visible_fields() if f.name not in SEARCH_PRIMARY],
        "more_open": any(request.GET.get(f.name) for f in case_filter.form if f.name not in SEARCH_PRIMARY),
        # Whether the export may offer caller columns (the export checks again).
        "caller_visible": selectors.caller_visible_to(request.user),
    }
    context["query"] = query.urlencode()
    return render(request, "cases/search.html", context)


# ---------------------------------------------------------------- community: inbox


@require_GET
@role_required(Role.OFFICER, Role.SECRETARY)
def case_inbox(request: HttpRequest):
    step = request.GET.get("step", "contact")
    if step not in selectors.INBOX_STEPS:
        step = "contact"
    counts = selectors.case_inbox_counts(user=request.user)
    tabs = [(key, label, counts[key]) for key, (label, _) in selectors.INBOX_STEPS.items()]
    cases = selectors.case_inbox_for_user(user=request.user, step=step)
    context = {"tabs": tabs, "step": step, "page": paginate(request, cases)}
    if request.headers.get("HX-Request"):
        return render(request, "cases/_inbox_list.html", context)
    return render(request, "cases/inbox.html", context)


# ---------------------------------------------------------------- signers


@require_GET
@role_required(Role.SECRETARY, Role.CHIEF)
def signature_waiting(request: HttpRequest):
    cases = selectors.case_waiting_for_signature(user=request.user)
    page = paginate(request, cases, per_page=20)
    items = []
    for case in page:
        explanation = case.status == Status.EXPLANATION_WRITTEN
        text = case.explanation_text if explanation else case.reply_text
        items.append(
            {
                "case": case,
                "label": "未解决案件情况说明" if explanation else "办理结果",
                "text": text,
                "sha256": text_sha256(text),
                "step": "sign_explanation" if explanation else "sign_reply",
            }
        )
    return render(request, "cases/signatures.html", {"page": page, "items": items})


# ---------------------------------------------------------------- leader and supervisor


@require_GET
@role_required(Role.LEADER)
def extension_list(request: HttpRequest):
    requests = selectors.extension_request_pending_list(user=request.user)
    return render(request, "cases/extensions.html", {"page": paginate(request, requests)})


@require_GET
@role_required(Role.LEADER, Role.SUPERVISOR)
def street_overview(request: HttpRequest):
    return render(request, "cases/overview.html", {"overview": selectors.street_overview(user=request.user)})


@require_GET
@role_required(Role.LEADER, Role.SUPERVISOR)
def case_overdue(request: HttpRequest):
    cases = selectors.case_overdue_list(user=request.user)
    return render(request, "cases/overdue.html", {"page": paginate(request, cases), "total": cases.count()})
