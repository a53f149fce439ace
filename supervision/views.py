"""The in-app inbox: the list with filters, the bell's count, mark read."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from hotline.errors import DomainError, NotFound
from hotline.web import paginate, signed_in, staff_required
from supervision import channels, selectors, services
from supervision.forms import ChannelForm, QuietHoursForm
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


@staff_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    """A person's own outbound channels and quiet hours; the unit's group robots are set in the admin."""
    user = signed_in(request.user)
    quiet = selectors.quiet_hours_for_user(user=user)
    channel_form = ChannelForm(prefix="channel")
    quiet_form = QuietHoursForm(prefix="quiet", initial={"start": quiet.start, "end": quiet.end} if quiet else None)
    if request.method == "POST":
        if request.POST.get("form") == "channel":
            channel_form = ChannelForm(request.POST, prefix="channel")
            if channel_form.is_valid():
                try:
                    channels.channel_add_for_user(user=user, **channel_form.cleaned_data)
                except DomainError as error:
                    channel_form.add_domain_error(error)
                else:
                    messages.success(request, "外发渠道已添加。")
                    return redirect("notification-settings")
        elif request.POST.get("form") == "quiet":
            quiet_form = QuietHoursForm(request.POST, prefix="quiet")
            if quiet_form.is_valid():
                try:
                    channels.quiet_hours_set(user=user, **quiet_form.cleaned_data)
                except DomainError as error:
                    quiet_form.add_domain_error(error)
                else:
                    messages.success(request, "免打扰时段已保存。")
                    return redirect("notification-settings")
    context = {
        "channels": selectors.channel_list_for_user(user=user),
        "channel_form": channel_form,
        "quiet_form": quiet_form,
        "quiet": quiet,
        "deliveries": selectors.delivery_list_for_user(user=user),
    }
    return render(request, "supervision/settings.html", context, status=400 if request.method == "POST" else 200)


@require_POST
@staff_required
def notification_channel_remove(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        channels.channel_remove_for_user(user=request.user, channel_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "外发渠道已删除。")
    return redirect("notification-settings")
