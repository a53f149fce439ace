"""Web plumbing every app's pages share: role gates, pagination, safe redirects
and the base form of the workbench."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import DomainError

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


def signed_in(user: User | AnonymousUser) -> User:
    """The login behind a page or API call the role gates already guard, as the
    services take it; an anonymous visitor that got this far is refused."""
    if not isinstance(user, User):
        raise PermissionDenied("请先登录。")
    return user


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE, *, count: int | None = None):
    """The requested page; `count`: the number of rows when the caller has
    counted them already (the paginator then does not count again)."""
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not computed
    return paginator.get_page(request.GET.get("page"))


class WorkbenchForm(forms.Form):
    """Bootstrap classes on every widget, and domain errors next to their field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field, error) -> None:
        super().add_error(field, error)
        # Mark the fields that now carry an error, for the eye and for screen readers.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"

    def add_domain_error(self, error: DomainError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)
