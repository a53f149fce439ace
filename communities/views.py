"""Login, logout and the home page that opens on each role's work."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render

from communities.models import Role
from communities.selectors import person_for_user

HOME_FOR_ROLE = {
    Role.CLERK: "case-queue",
    Role.OFFICER: "case-inbox",
    Role.SECRETARY: "signature-waiting",
    Role.CHIEF: "signature-waiting",
    Role.LEADER: "street-overview",
    Role.SUPERVISOR: "case-overdue",
}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["username"].widget.attrs.update({"class": "form-control form-control-lg", "autofocus": True})
        form.fields["password"].widget.attrs.update({"class": "form-control form-control-lg"})
        form.error_messages["invalid_login"] = "用户名或密码不正确。连续多次输错后账号将被暂时锁定。"
        return form


class LogoutView(auth_views.LogoutView):
    pass


@login_required
def home(request: HttpRequest):
    person = person_for_user(request.user)
    if person is None:
        # A bare administrator account: no case work, but say where to go.
        return render(request, "home/no_role.html", status=200)
    if person.role == Role.DISPLAY:
        return redirect("/board/")
    return redirect(HOME_FOR_ROLE[person.role])


def _lockout_context(request: HttpRequest, credentials) -> dict:
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    return {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": minutes}


def lockout_message(request: HttpRequest, credentials=None) -> str:
    context = _lockout_context(request, credentials)
    wait = f"请 {context['cooloff_minutes']} 分钟后再试" if context["cooloff_minutes"] else "请联系管理员解锁"
    return f"连续 {context['failure_limit']} 次登录失败，账号已被暂时锁定，{wait}。"


def lockout(request: HttpRequest, original_response=None, credentials=None):
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) once a username/IP pair is
    locked after repeated failures: a Chinese page instead of axes' English text,
    and the API's JSON error body under /api/."""
    if request.path.startswith("/api/"):
        body = {"code": "account_locked", "detail": lockout_message(request, credentials)}
        return JsonResponse(body, status=429)
    return render(request, "registration/lockout.html", _lockout_context(request, credentials), status=429)
