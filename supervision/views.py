"""The in-app inbox: the list with filters, the bell's count, mark read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hotline.errors import DomainError, NotFound
from hotline.web import paginate, signed_in, staff_required
from supervision import selectors, services
from supervision.models import NotificationKind


@require_GET
@staff_required
def notification_inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    kind = request.GET.get("kind", "")
    if kind not in NotificationKind.values:
        kind = ""
    notifications = selectors.notification_list_for_user(user=request.user, unread_only=unread_only, kind=kind)
    query = "&".join(part for part in (f"unread={int(unread_only)}", f"kind={kind}" if kind else "") if part)
    context = {
        "page": paginate(request, notifications),
        "unread_only": unread_only,
        "kind": kind,
        "kinds": NotificationKind.choices,
        "query": query,
        "unread_total": selectors.notification_unread_count(user=request.user),
    }
    return render(request, "supervision/inbox.html", context)


@require_GET
@staff_required
def notification_bell(request: HttpRequest) -> HttpResponse:
    """htmx: the bell with the unread count, polled by every page."""
    count = selectors.notification_unread_count(user=request.user)
    response = render(request, "supervision/_bell.html", {"unread_notifications": count})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@staff_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and go to what it is about."""
    try:
        notification = services.notification_mark_read(user=signed_in(request.user), notification_id=pk)
    except NotFound as error:
        messages.error(request, error.message)
        return redirect("notification-inbox")
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect("notification-inbox")
    return redirect(target)


@require_POST
@staff_required
def notification_read_all(request: HttpRequest) -> HttpResponse:
    try:
        count = services.notification_mark_all_read(user=signed_in(request.user))
    except DomainError as error:  # pragma: no cover - no domain rule refuses this today
        messages.error(request, error.message)
    else:
        messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("notification-inbox")
