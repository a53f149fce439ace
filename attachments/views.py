"""Serving a stored file: only here, only after the owner's scoping; never a
public URL. Re-encoded photos open inline, documents download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from attachments import selectors, services
from attachments.models import Attachment
from hotline.errors import DomainError, NotFound
from hotline.web import next_url, signed_in, staff_required


def _download_name(attachment: Attachment, *, thumbnail: bool) -> str:
    extension = "jpg" if thumbnail else (attachment.file.name or "").rsplit(".", 1)[-1]
    stem = attachment.original_name.rsplit(".", 1)[0] if attachment.original_name else f"附件{attachment.pk}"
    return f"{stem}{'-缩略图' if thumbnail else ''}.{extension}"


def attachment_response(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    """The file with the headers that keep a browser from treating it as anything else."""
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        raise Http404
    response = FileResponse(
        field.open("rb"),
        content_type="image/jpeg" if thumbnail else attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=_download_name(attachment, thumbnail=thumbnail),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
@login_required
def attachment_download(request: HttpRequest, pk: int, thumbnail: bool = False) -> FileResponse:
    try:
        attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=pk)
    except NotFound:
        raise Http404("附件不存在，或不在您的查看范围内。") from None
    return attachment_response(attachment, thumbnail=thumbnail)


@require_POST
@staff_required
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a file from the case page (POST-redirect-GET, the message on the page)."""
    try:
        attachment = selectors.attachment_get_for_user(user=request.user, attachment_id=pk)
    except NotFound:
        raise Http404("附件不存在，或不在您的查看范围内。") from None
    # A case's file goes back to its case; another owner's (a meeting's) page names itself in `next`.
    default = f"{reverse('case-detail', args=[attachment.case_id])}#attachments" if attachment.case_id else "/"
    target = next_url(request, default)
    try:
        services.attachment_remove(attachment_id=attachment.pk, actor=signed_in(request.user))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已删除附件“{attachment.original_name or attachment.pk}”。")
    return redirect(target)
