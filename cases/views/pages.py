"""The workbench pages: each role's lists, the case page, registration and dispatch."""

import datetime as dt

import django_filters
from django import forms as django_forms
from django.contrib import messages
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Concat, NullIf
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from attachments.models import Part
from cases import deadlines, forms, permissions, selectors, services, similarity
from cases.api.filters import CaseFilter
from cases.context import case_context_for_user
from cases.models import Case, Signature
from cases.transitions import Action, Status
from cases.views.base import case_or_404
from cases.views.steps import STEPS, make_form
from cases.vocabulary import case_keyword_q, document_text, signature_standing_slots, signed_sha256, signed_text
from communities.models import Role
from communities.selectors import handler_list_for_community, pairing_list, pairing_suggest_for_community
from governance.councils_selectors import council_topic_for_case
from hotline.errors import DomainError
from hotline.web import WorkbenchForm, next_url, paginate, role_required, signed_in, staff_required
from hotline.widgets import rows_choices
from knowledge.selectors import article_offers_for_case

# ---------------------------------------------------------------- the case page


def _signer_names(case: Case) -> dict[str, list[str]]:
    """Who fills each signature slot of this case: its community's secretaries, its pairing's chief."""
    chief = getattr(getattr(case.pairing, "chief", None), "person", None) if case.pairing else None
    secretaries = []
    if case.community is not None:
        secretaries = [
            p.full_name
            for p in handler_list_for_community(community=case.community).filter(
                role=Role.SECRETARY, user__is_active=True
            )
        ]
    return {Signature.Slot.SECRETARY: secretaries, Signature.Slot.CHIEF: [chief.full_name] if chief else []}


def _signature_documents(case: Case) -> list[dict]:
    names = None
    documents = []
    for document, text, signing_status, step in (
        (Signature.Document.REPLY, document_text(case, Signature.Document.REPLY), Status.REPLIED, "sign_reply"),
        (Signature.Document.EXPLANATION, case.explanation_text, Status.EXPLANATION_WRITTEN, "sign_explanation"),
    ):
        signatures = [s for s in case.signatures.all() if s.document == document]
        if not text and not signatures:
            continue
        standing = signature_standing_slots(signatures, document=document, text=signed_text(case, document))
        waiting = []
        if case.status == signing_status:
            names = names if names is not None else _signer_names(case)
            for slot in Signature.Slot:
                if slot not in standing:
                    who = "、".join(names[slot])
                    waiting.append(f"{slot.label}{f'（{who}）' if who else ''}")
        standing_labels = [
            f"{s.get_slot_display()}（{getattr(s.signer.person, 'full_name', '') or s.signer.get_username()}）"
            for s in signatures
            if s.slot in standing
        ]
        documents.append(
            {
                "document": document,
                "label": Signature.Document(document).label,
                "text": text,
                "sha256": signed_sha256(case, document) if text else "",
                # Shown beside the text: the signature binds them too.
                "attachments": [a for a in case.attachments.all() if a.part == document],
                "signatures": signatures,
                "waiting": waiting,
                "standing": standing_labels,
                "sign_step": step,
            }
        )
    return documents


# The step that moves the case on, for the person whose turn it is: the first
# of these the one predicate allows is the page's "next step". Rewriting a
# text that is already written (REPLY on a replied case, WRITE_EXPLANATION on
# a written explanation) is never the next step: it voids signatures.
NEXT_STEPS: tuple[tuple[Action, str, frozenset[str]], ...] = (
    (Action.SIGN_REPLY, "sign_reply", frozenset({Status.REPLIED})),
    (Action.SIGN_EXPLANATION, "sign_explanation", frozenset({Status.EXPLANATION_WRITTEN})),
    (Action.DISPATCH, "", frozenset({Status.REGISTERED, Status.RETURNED})),
    (Action.RESPOND, "respond", frozenset({Status.DISPATCHED})),
    (Action.REPLY, "reply", frozenset({Status.RESPONDED})),
    (Action.RECORD_CALLBACK, "callback", frozenset({Status.CLOSED})),
    (Action.WRITE_EXPLANATION, "explanation", frozenset({Status.NEEDS_EXPLANATION})),
    (Action.DECIDE_EXTENSION, "", frozenset(Status.values)),
)
# Rewrites that void the signatures standing on the text: offered folded, with a warning.
REWRITES: dict[str, tuple[str, str]] = {
    "reply": (Signature.Document.REPLY, Status.REPLIED),
    "explanation": (Signature.Document.EXPLANATION, Status.EXPLANATION_WRITTEN),
}


def _waiting_for(case: Case, documents: list[dict]) -> str:
    """Whose turn it is when it is not the viewer's, in words."""
    handler = case.handler.person.full_name if case.handler and hasattr(case.handler, "person") else "承办人"
    waiting: list[str] = next((d["waiting"] for d in documents if d["waiting"]), [])
    community = case.community.name if case.community else "社区"
    sentences: dict[str, str] = {
        Status.REGISTERED: "等待诉求处置中心派发。",
        Status.RETURNED: "社区已退单，等待诉求处置中心改派。",
        Status.DISPATCHED: f"等待承办人{handler}联系来电人。",
        Status.RESPONDED: f"等待承办人{handler}填写办理结果。",
        Status.REPLIED: f"等待签字：{'、'.join(waiting)}。" if waiting else "签字已齐。",
        Status.CLOSED: "已办结，等待诉求处置中心录入回访。",
        Status.CALLED_BACK: "已回访，案件办理完毕。",
        Status.NEEDS_EXPLANATION: f"回访未解决或不满意，等待{community}填写情况说明。",
        Status.EXPLANATION_WRITTEN: f"等待签字：{'、'.join(waiting)}。" if waiting else "签字已齐。",
        Status.EXPLAINED: "情况说明已双签，案件办理完毕。",
    }
    return sentences.get(case.status, "")


def _removable_parts(actions: list[Action]) -> set[str]:
    """The parts whose files this person may remove now (the service asks the predicate again)."""
    if Action.DETACH not in actions:
        return set()
    parts = {Part.CASE, Part.PROGRESS}
    if Action.REPLY in actions:
        parts.add(Part.REPLY)
    if Action.WRITE_EXPLANATION in actions:
        parts.add(Part.EXPLANATION)
    return {str(p) for p in parts}


def _gallery(case: Case, actions: list[Action]) -> list:
    removable = _removable_parts(actions)
    attachments = list(case.attachments.all())
    for attachment in attachments:
        attachment.removable = attachment.part in removable  # type: ignore[attr-defined]
    return attachments


def _events_with_photos(case: Case) -> list:
    """The timeline, each progress note with its photos."""
    photos: dict[int, list] = {}
    for attachment in case.attachments.all():
        if attachment.event_id is not None:
            photos.setdefault(attachment.event_id, []).append(attachment)
    events = list(case.events.all())
    for event in events:
        event.photos = photos.get(event.pk, [])  # type: ignore[attr-defined]
        done_at = event.data.get("done_at") if event.action == Action.PROGRESS_NOTE else None
        event.done_at = dt.datetime.fromisoformat(done_at) if done_at else None  # type: ignore[attr-defined]
    return events


def case_detail_context(request: HttpRequest, case: Case, *, bound: tuple[str, WorkbenchForm] | None = None) -> dict:
    actions = permissions.case_available_actions(case=case, user=request.user)
    # A form for exactly the steps the one predicate allows (cases.permissions).
    step_forms = {name: make_form(name, case) for name, spec in STEPS.items() if spec.action in actions}
    if bound is not None:
        step_forms[bound[0]] = bound[1]
    pending_extensions = [r for r in case.extension_requests.all() if r.decision == "pending"]
    documents = _signature_documents(case)
    documents_by_step = {d["sign_step"]: d for d in documents}

    next_action, next_step = None, ""
    for action, step, statuses in NEXT_STEPS:
        if action in actions and case.status in statuses:
            next_action, next_step = action, step
            break
    next_form = step_forms.get(next_step) if next_step else None

    # Rewriting a text others have signed (or are to sign): folded, saying whose signature it voids.
    rewrites = []
    for step, (document, status) in REWRITES.items():
        if case.status == status and step in step_forms:
            doc = next((d for d in documents if d["document"] == document), None)
            rewrites.append(
                {
                    "step": step,
                    "form": step_forms[step],
                    "label": Signature.Document(document).label,
                    "voids": doc["standing"] if doc else [],
                }
            )
    others = [a for a in actions if a != next_action]
    shown_above = {
        next_step,
        *(r["step"] for r in rewrites),
        "sign_reply",
        "sign_explanation",
        "progress_note",
        "attach",
        "link_repeat",  # its own card beside the case's content (cases/_repeats.html)
    }
    context = {
        "case": case,
        "actions": actions,
        "forms": step_forms,
        "error_step": bound[0] if bound else "",
        "next_action": next_action,
        "next_step": next_step,
        "next_form": next_form,
        "next_document": documents_by_step.get(next_step),
        "rewrites": rewrites,
        "has_other_actions": bool(others),
        "other_forms": [name for name in step_forms if name not in shown_above],
        "waiting_for": _waiting_for(case, documents),
        "can_dispatch": Action.DISPATCH in actions,
        "can_redispatch": Action.REDISPATCH in actions,
        "can_decide_extension": Action.DECIDE_EXTENSION in actions,
        "pending_extensions": pending_extensions,
        "documents": documents,
        "events": _events_with_photos(case),
        "attachments": _gallery(case, actions),
        "extension_requests": list(case.extension_requests.all()),
        "case_context": case_context_for_user(user=request.user, case=case),
        # The knowledge base's articles for this category, filled with the case's facts.
        "reply_offers": article_offers_for_case(case=case, user=request.user) if "reply" in step_forms else [],
    }
    # 重复诉求: the links of this case the user may see, and for a clerk the likely duplicates.
    scope = selectors.case_scope_for_user(request.user)
    context["repeat_of"] = scope.filter(pk=case.repeat_of_id).first() if case.repeat_of_id else None
    context["repeats"] = list(scope.filter(repeat_of=case.pk).order_by("received_at"))
    # 居民议事: the council topic the case came from (governance's selector).
    context["council_topic"] = council_topic_for_case(case_id=case.pk, user=request.user)
    if Action.LINK_REPEAT in actions:
        context["similar_cases"] = similarity.case_similar_to_case(case=case, user=request.user)
        context["similar_days"] = similarity.similar_days()
    if case.status in (Status.REGISTERED, Status.RETURNED):
        queue = selectors.case_intake_queue(user=request.user).filter(pk=case.pk)
        # When the case came into the queue, as the queue's selector annotates it (for `queue_wait`).
        case.queued_at = queue.values_list("queued_at", flat=True).first()  # type: ignore[attr-defined,misc]
        context["wait_limits"] = deadlines.dispatch_wait_limits()
    return context


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
    context = {
        "case": case,
        "form": form,
        "redispatch": redispatch,
        "allowed": can,
        "case_context": case_context_for_user(user=request.user, case=case),
    }
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
    """One section of the board at a time, paginated; the cards count every section."""
    board = selectors.case_deadline_board(user=request.user)
    # Each section counted once: the cards, the choice of section and the paginator share the counts.
    counts = {k: board[k].count() for k in selectors.DEADLINE_BOARD_SECTIONS}
    key = request.GET.get("section", "")
    if key not in board:
        # The first section that has cases: the most pressing one worth opening.
        key = next((k for k in selectors.DEADLINE_BOARD_SECTIONS if counts[k]), "overdue")
    tones = {"overdue": "danger", "today": "warning", "soon": "info", "response": "danger"}
    sections = [
        {"key": k, "label": label, "tone": tones[k], "count": counts[k], "which": which}
        for k, (label, which) in selectors.DEADLINE_BOARD_SECTIONS.items()
    ]
    current = next(section for section in sections if section["key"] == key)
    context = {"sections": sections, "current": current, "page": paginate(request, board[key], count=counts[key])}
    return render(request, "cases/deadlines.html", context)


# ---------------------------------------------------------------- search


class WorkbenchCaseFilter(CaseFilter):
    """The API's filters plus the API's keyword search (`search_fields` of the case API)."""

    q = django_filters.CharFilter(label="关键词（工单号、标题、内容、地址）", method="filter_keyword")

    def filter_keyword(self, queryset, name: str, value: str):
        keyword = case_keyword_q(value)
        return queryset if keyword is None else queryset.filter(keyword)


SEARCH_PRIMARY = ("q", "community", "received_after", "received_before", "status")
# The option texts of the unit selects, as the models' __str__ write them (a handler by name).
UNIT_CHOICE_LABELS = {
    "community": F("name"),
    "department": F("name"),
    "pairing": Concat("community__name", Value(" + "), "department__name"),
    "handler": Coalesce(NullIf("person__full_name", Value("")), "username"),
}


def _style_filter_form(form) -> None:
    """Bootstrap look for the API's filter form; choices read 不限 rather than '---------'."""
    for field in form.fields.values():
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
    # Every unit, pairing and handler of the street: one values query and one pass each.
    for name, label in UNIT_CHOICE_LABELS.items():
        rows_choices(form.fields[name], label)


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
    context = {"tabs": tabs, "step": step, "page": paginate(request, cases, count=counts[step])}
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
        document = Signature.Document.EXPLANATION if explanation else Signature.Document.REPLY
        text = document_text(case, document)
        items.append(
            {
                "case": case,
                "label": "未解决案件情况说明" if explanation else "办理结果",
                "text": text,
                "sha256": signed_sha256(case, document),
                "attachments": [a for a in case.attachments.all() if a.part == document],
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
    """超期 (the overview's 超期 figure) and, counted apart, 超时未联系; one list at a time."""
    kind = "response" if request.GET.get("kind") == "response" else "closure"
    overdue = selectors.case_overdue_list(user=request.user)
    response = selectors.case_response_overdue_list(user=request.user)
    totals = {"closure": overdue.count(), "response": response.count()}
    context = {
        "kind": kind,
        "overdue_total": totals["closure"],
        "response_total": totals["response"],
        # The list's count is one of the totals: not counted again.
        "page": paginate(request, response if kind == "response" else overdue, count=totals[kind]),
    }
    return render(request, "cases/overdue.html", context)
