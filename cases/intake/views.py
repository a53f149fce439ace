"""The import pages: upload, preview with confirmation, live progress, history,
rejected rows; and the xlsx export of the filtered case list. Clerks import;
leaders see the history read-only."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases import exports
from cases.intake import parsing, samples, selectors, services
from cases.intake.forms import ConfirmForm, UploadForm
from cases.intake.models import ImportIssue, ImportJob
from communities.models import Role
from communities.selectors import street_is_demo
from hotline.errors import DomainError, NotFound
from hotline.web import STAFF, paginate, role_required, signed_in
from hotline.xlsx import workbook_bytes, xlsx_response, xlsx_streaming_response

ISSUES_PER_PAGE = 50


def _job_or_404(request: HttpRequest, pk: int) -> ImportJob:
    try:
        return selectors.import_job_get_for_user(user=request.user, job_id=pk)
    except NotFound as error:
        raise Http404(error.message) from None


def _require_clerk(request: HttpRequest) -> None:
    if not selectors.import_allowed_for(user=request.user):
        raise PermissionDenied("只有办件员可以导入工单。")


@role_required(Role.CLERK, Role.LEADER)
def import_index(request: HttpRequest):
    form = UploadForm()
    if request.method == "POST":
        _require_clerk(request)
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_job_submit(actor=signed_in(request.user), upload=upload, name=upload.name)
            except DomainError as error:
                form.add_error("file", error.message)
            else:
                return redirect("intake:job", pk=job.pk)
    jobs = selectors.import_job_list_for_user(user=request.user)
    context = {
        "form": form,
        "page": paginate(request, jobs, 20),
        "can_import": selectors.import_allowed_for(user=request.user),
        "pending_callbacks": selectors.pending_callback_list().count(),
        "max_bytes": parsing.limit("INTAKE_MAX_FILE_BYTES"),
        # Made-up orders to try the import with: offered on the demo street only,
        # so a real office never registers them by mistake.
        "offers_sample": street_is_demo(),
    }
    return render(request, "intake/index.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(Role.CLERK, Role.LEADER)
def import_job_detail(request: HttpRequest, pk: int):
    job = _job_or_404(request, pk)
    level = request.GET.get("level", "")
    if level not in ImportIssue.Level.values:
        level = ""
    issues = selectors.import_issue_list(job=job, level=level or None)
    counts = {lv: job.issues.filter(level=lv).count() for lv in ImportIssue.Level.values}
    context = {
        "job": job,
        "level": level,
        "levels": [(value, label, counts[value]) for value, label in ImportIssue.Level.choices],
        "page": paginate(request, issues, ISSUES_PER_PAGE),
        "query": f"level={level}" if level else "",
        "can_import": selectors.import_allowed_for(user=request.user),
        "waits_for_broker": selectors.import_job_waits_for_broker(job),
    }
    return render(request, "intake/job.html", context)


@require_GET
@role_required(Role.CLERK, Role.LEADER)
def import_job_progress(request: HttpRequest, pk: int):
    """The progress bar alone, polled by htmx; a finished job reloads the page."""
    job = _job_or_404(request, pk)
    response = render(request, "intake/_progress.html", {"job": job})
    if not job.is_running and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(Role.CLERK)
def import_job_confirm(request: HttpRequest, pk: int):
    job = _job_or_404(request, pk)
    form = ConfirmForm(request.POST)
    valid_only = form.is_valid() and form.cleaned_data["valid_only"]
    try:
        job = services.import_job_confirm(job_id=job.pk, actor=signed_in(request.user), valid_only=valid_only)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("intake:job", pk=job.pk)
    return _after_step(request, job)


@require_POST
@role_required(Role.CLERK)
def import_job_retry(request: HttpRequest, pk: int):
    job = _job_or_404(request, pk)
    try:
        job = services.import_job_retry(job_id=job.pk, actor=signed_in(request.user))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("intake:job", pk=job.pk)
    return _after_step(request, job)


@require_POST
@role_required(Role.CLERK)
def import_job_cancel(request: HttpRequest, pk: int):
    job = _job_or_404(request, pk)
    try:
        job = services.import_job_cancel(job_id=job.pk, actor=signed_in(request.user))
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("intake:job", pk=job.pk)
    messages.info(request, f"导入 #{job.pk}：{job.message}")
    return redirect("intake:index")


def _after_step(request: HttpRequest, job: ImportJob) -> HttpResponse:
    if job.status == ImportJob.Status.DONE:
        messages.success(request, job.message)
    elif job.status == ImportJob.Status.FAILED:
        messages.error(request, job.message)
    return redirect("intake:job", pk=job.pk)


@require_GET
@role_required(Role.CLERK, Role.LEADER)
def import_sample(request: HttpRequest) -> HttpResponse:
    """A small 12345 export of made-up orders for the street's own communities, to try the import with."""
    if not street_is_demo():
        raise Http404("只有演示街道提供示例文件。")
    today = timezone.localdate()
    content = samples.sample_export_bytes(communities=selectors.sample_community_names(), today=today)
    return xlsx_response(f"12345工单示例-{today:%Y%m%d}.xlsx", content)


@require_GET
@role_required(Role.CLERK, Role.LEADER)
def import_job_rejected(request: HttpRequest, pk: int):
    """The rows with errors, as they were in the file, each with its messages."""
    job = _job_or_404(request, pk)
    try:
        header, rows = selectors.import_rejected_rows(job=job, user=request.user)
        content = workbook_bytes([("错误行", header, rows)])
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("intake:job", pk=job.pk)
    return xlsx_response(f"导入{job.pk}-错误行.xlsx", content)


@require_POST
@role_required(Role.CLERK)
def pending_callbacks_apply(request: HttpRequest):
    applied = services.pending_callbacks_apply()
    waiting = selectors.pending_callback_list().count()
    messages.info(request, f"已录入{applied}条回访；仍有{waiting}条等待案件办结。")
    return redirect("intake:index")


@require_GET
@role_required(*STAFF)
def case_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The case search page's list as .xlsx: the same filters, the user's scope."""
    try:
        export = exports.case_export_xlsx(
            user=request.user, params=request.GET, include_caller=request.GET.get("include_caller") == "1"
        )
    except DomainError as error:
        messages.error(request, error.message)
        back = reverse("case-search")
        query = request.GET.urlencode()
        return redirect(f"{back}?{query}" if query else back)
    response = xlsx_streaming_response(export.filename, export.chunks)
    # For the progress bar of static/js/export.js (the length is unknown until the end).
    response["X-Export-Count"] = str(export.total)
    response["X-Export-Estimated-Bytes"] = str(export.estimated_bytes)
    return response
