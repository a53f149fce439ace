"""What every workbench view shares: role gates, scoped case look-up, safe redirects."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from cases.models import Case
from cases.selectors import case_get_for_user
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import NotFound

PAGE_SIZE = 30


def role_required(*roles: Role) -> Callable:
    """Logged in, with one of `roles`; the lobby display goes back to its board."""

    def decorator(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs):
            person = person_for_user(request.user)
            if person is not None and person.role == Role.DISPLAY:
                return redirect("/board/")
            if person is None or (roles and person.role not in roles):
                raise PermissionDenied("您的岗位不能使用此页面。")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


STAFF = (Role.CLERK, Role.OFFICER, Role.SECRETARY, Role.CHIEF, Role.LEADER, Role.SUPERVISOR)
staff_required = role_required(*STAFF)


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    """The case if the user may see it; out of scope is indistinguishable from missing."""
    try:
        return case_get_for_user(user=request.user, case_id=case_id)
    except NotFound as error:
        raise Http404(error.message) from None


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
