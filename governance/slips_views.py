"""The slip pages: the public ones (no login: the slip page of a community,
its receipt, the status look-up) and the staff ones (the lead queue, a slip,
a paper slip typed in, the posters and paper slips to print). Each parses
input, calls one service or selector, renders."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from communities.models import Community, Role
from communities.selectors import person_for_user
from governance import slips
from governance import slips_forms as forms
from governance import slips_selectors as selectors
from governance.models import Slip
from governance.slips_transitions import SlipStatus
from hotline.client_address import client_ip
from hotline.errors import DomainError, NotFound
from hotline.web import STAFF, paginate, role_required, signed_in

queue_required = role_required(*slips.QUEUE_ROLES)
_staff_role_required = role_required(*STAFF)


def print_required(view: Callable) -> Callable:
    """The posters: every staff role, and the administration site's accounts
    (the community's admin page links to them)."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if getattr(request.user, "is_staff", False):
            return view(request, *args, **kwargs)
        return _staff_role_required(view)(request, *args, **kwargs)

    return wrapped


clerk_required = role_required(Role.CLERK)
RECEIPT_SESSION_KEY = "slip_receipt"


def _community_or_404(community_id: int) -> Community:
    try:
        return selectors.slip_community_for_public(community_id)
    except NotFound as error:
        raise Http404(error.message) from None


def _slip_or_404(request: HttpRequest, pk: int) -> Slip:
    """The slip if the user may see it; out of scope is indistinguishable from missing."""
    try:
        return selectors.slip_get_for_user(user=request.user, slip_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


def receipt_code_display(code: str) -> str:
    """Groups of four, easier to copy from a phone screen onto paper."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# ---------------------------------------------------------------- public pages


@require_http_methods(["GET", "POST"])
def slip_public(request: HttpRequest, community_id: int):
    community = _community_or_404(community_id)
    compounds = selectors.slip_compound_choices(community=community)
    form = forms.PublicSlipForm(request.POST or None, request.FILES or None, compounds=compounds)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            slip = slips.slip_submit(
                community_id=community.pk,
                problem=data["problem"],
                compound=data["compound"],
                building=data["building"],
                name=data["name"],
                phone=data["phone"],
                consent=data["consent"],
                honeypot=data["website"],
                photos=data["photos"],
                client_address=client_ip(request),
            )
        except DomainError as error:
            form.add_domain_error(error)
            return render(
                request,
                "governance/slip_public.html",
                {"form": form, "community": community},
                status=error.status_code,
            )
        request.session[RECEIPT_SESSION_KEY] = slip.receipt_code
        return redirect("slip-receipt")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "governance/slip_public.html",
        {"form": form, "community": community},
        status=status,
    )


def slip_receipt(request: HttpRequest):
    code = request.session.get(RECEIPT_SESSION_KEY)
    if not code:
        return redirect("slip-status")
    return render(request, "governance/slip_receipt.html", {"code": code, "code_display": receipt_code_display(code)})


@require_http_methods(["GET", "POST"])
def slip_status(request: HttpRequest):
    """POST, so the code never lands in a URL, a log or the browser history."""
    form = forms.SlipStatusForm(request.POST or None)
    progress = None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                progress = selectors.slip_progress_for_resident(
                    code=form.cleaned_data["code"],
                    phone_last4=form.cleaned_data["phone_last4"],
                    client_address=client_ip(request),
                )
                status = 200
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
    code_display = receipt_code_display(progress.code) if progress is not None else ""
    context = {"form": form, "progress": progress, "code_display": code_display}
    return render(request, "governance/slip_status.html", context, status=status)


# ---------------------------------------------------------------- the lead queue


@queue_required
def slip_queue(request: HttpRequest):
    wanted = request.GET.get("status", SlipStatus.RECEIVED)
    if wanted not in SlipStatus.values and wanted != "all":
        wanted = SlipStatus.RECEIVED
    slips_qs = selectors.slip_list_for_user(request.user)
    # The tabs counted in one grouped query; the page reuses its tab's count.
    counts = dict.fromkeys(SlipStatus.values, 0)
    counts.update(slips_qs.order_by().values_list("status").annotate(n=Count("id")))
    if wanted != "all":
        slips_qs = slips_qs.filter(status=wanted)
    return render(
        request,
        "governance/slip_queue.html",
        {
            "page": paginate(request, slips_qs, count=counts[wanted] if wanted != "all" else sum(counts.values())),
            "query": urlencode({"status": wanted}),
            "wanted": wanted,
            "tabs": [(value, label, counts[value]) for value, label in SlipStatus.choices],
            "may_handle": _may_handle(request),
        },
    )


def _may_handle(request: HttpRequest) -> bool:
    person = person_for_user(request.user)
    return person is not None and person.role in slips.HANDLING_ROLES


@queue_required
@require_http_methods(["GET", "POST"])
def slip_detail(request: HttpRequest, pk: int):
    slip = _slip_or_404(request, pk)
    step = request.POST.get("step") if request.method == "POST" else None
    convert_form = forms.SlipConvertForm(request.POST if step == "convert" else None)
    close_form = forms.SlipCloseForm(request.POST if step == "close" else None)
    summary_form = forms.SlipSummaryForm(
        request.POST if step == "summary" else None, initial={"public_summary": slip.public_summary}
    )
    status = 200
    if step is not None:
        actor = signed_in(request.user)
        form = {"convert": convert_form, "close": close_form, "summary": summary_form}.get(step)
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if step == "convert":
                    slip = slips.slip_convert(
                        slip_id=slip.pk,
                        actor=actor,
                        title=data["title"],
                        category=data["category"],
                        urgency=data["urgency"],
                    )
                    assert slip.case is not None
                    messages.success(request, f"已转为案件 {slip.case.ticket_no}，请派发。")
                    return redirect("case-dispatch", pk=slip.case.pk)
                if step == "close":
                    slips.slip_close(slip_id=slip.pk, actor=actor, reason=data["reason"], note=data["note"])
                    messages.success(request, "线索已关闭。")
                    return redirect("slip-queue")
                slips.slip_publish_summary(slip_id=slip.pk, actor=actor, text=data["public_summary"])
                messages.success(request, "公开答复摘要已保存，居民查询进度时可见。")
                return redirect("slip-detail", pk=slip.pk)
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
        else:
            status = 400
    return render(
        request,
        "governance/slip_detail.html",
        {
            "slip": slip,
            "convert_form": convert_form,
            "close_form": close_form,
            "summary_form": summary_form,
            "may_handle": _may_handle(request),
            "case_done": slip.case is not None and slip.case.closed_at is not None,
            "similar_cases": selectors.slip_similar_cases(user=request.user, slip=slip),
        },
        status=status,
    )


@clerk_required
@require_http_methods(["GET", "POST"])
def slip_paper_new(request: HttpRequest):
    form = forms.PaperSlipForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                slip = slips.slip_enter_paper(
                    actor=signed_in(request.user),
                    community_id=data["community"].pk,
                    problem=data["problem"],
                    compound=data["compound"],
                    building=data["building"],
                    name=data["name"],
                    phone=data["phone"],
                    consent=data["consent"],
                )
            except DomainError as error:
                form.add_domain_error(error)
                status = error.status_code
            else:
                messages.success(request, f"纸质意见条已录入线索（回执码 {receipt_code_display(slip.receipt_code)}）。")
                return redirect("slip-detail", pk=slip.pk)
    return render(request, "governance/slip_paper_new.html", {"form": form}, status=status)


@queue_required
def slip_photo(request: HttpRequest, pk: int, photo_id: int, thumbnail: bool = False) -> FileResponse:
    """A slip's photo, to the queue only (the slip's scoping), never a public URL."""
    slip = _slip_or_404(request, pk)
    photo = slip.photos.filter(pk=photo_id).first()
    field = None if photo is None else (photo.thumbnail if thumbnail else photo.file)
    if photo is None or not field:
        raise Http404("照片不存在。")
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumbnail else photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# ---------------------------------------------------------------- posters and paper slips


def slip_public_url(community: Community) -> str:
    """The absolute address of a community's slip page (SITE_URL, the site's base address)."""
    return settings.SITE_URL.rstrip("/") + reverse("slip-public", args=[community.pk])


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (segno; no script, no external file)."""
    return segno.make(url, error="m", micro=False).svg_inline(scale=8, border=2, dark="#000", omitsize=True)


@print_required
def slip_posters(request: HttpRequest):
    communities = Community.objects.filter(is_active=True)
    rows = [{"community": c, "url": slip_public_url(c)} for c in communities]
    return render(request, "governance/slip_posters.html", {"rows": rows})


PRINT_TEMPLATES = {"poster": "governance/print_poster.html", "paper": "governance/print_paper.html"}


@print_required
def slip_print(request: HttpRequest, community_id: int, kind: str):
    template = PRINT_TEMPLATES.get(kind)
    if template is None:
        raise Http404("没有这种打印页。")
    community = _community_or_404(community_id)
    url = slip_public_url(community)
    # segno writes the SVG from the URL alone (no user text): safe to inline.
    return render(
        request,
        template,
        {"community": community, "url": url, "qr": mark_safe(qr_svg(url)), "consent": forms.CONSENT},
    )
