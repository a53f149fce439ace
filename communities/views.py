"""Login, logout and the home page that opens on each role's work."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest
from django.shortcuts import redirect, render

from communities.models import Role
from communities.selectors import person_for_user

HOME_FOR_ROLE: dict[str, str] = {
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
        if request.user.is_superuser:
            return redirect("admin:index")  # the system administrator's home is the admin
        # An account with no role: no case work, but say where to go.
        return render(request, "home/no_role.html", status=200)
    if person.role == Role.DISPLAY:
        return redirect("/board/")
    return redirect(HOME_FOR_ROLE[person.role])


def lockout(request: HttpRequest, original_response=None, credentials=None):
    """django-axes calls this (AXES_LOCKOUT_CALLABLE) once a username/IP pair is
    locked after repeated failures: a Chinese page instead of axes' English text."""
    from axes.helpers import get_cool_off, get_failure_limit

    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "cooloff_minutes": minutes}
    return render(request, "registration/lockout.html", context, status=429)
