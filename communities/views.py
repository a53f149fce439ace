"""Login, logout and the home page that opens on each role's work."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from cases.permissions import role_may_take
from cases.transitions import TRANSITIONS, Action
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


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    # The step the page is for: the item is shown only to a role that takes it
    # (the role part of the one predicate, cases.permissions).
    action: Action | None = None
    query: str = ""
    # Items of one group share a drop-down (at the first one's place) when a
    # role has two or more of them; otherwise they stand on the bar.
    group: str = ""


# The drop-downs of the bar.
ANALYSIS = "分析研判"
SUPERVISION = "督查督办"
GOVERNANCE = "主动治理"


CASE_SEARCH = MenuItem("案件查询", "case-search")
KNOWLEDGE = MenuItem("知识库", "knowledge-list")
HOTSPOTS = MenuItem("热点分析", "case-hotspots", group=ANALYSIS)
RANKINGS = MenuItem("排名与趋势", "rankings-home", group=ANALYSIS)
MEETING = MenuItem("专题会抽签", "rankings-meeting", group=ANALYSIS)
BOARD = MenuItem("红黑榜", "board-display", group=ANALYSIS)
DEADLINES = MenuItem("时限看板", "case-deadlines", group=SUPERVISION)
OVERDUE = MenuItem("超期案件", "case-overdue", group=SUPERVISION)
OVERVIEW = MenuItem("街道概览", "street-overview")
SLIPS = MenuItem("线索", "slip-queue", group=GOVERNANCE)
GOVERNANCE_OVERVIEW = MenuItem("治理概览", "governance-overview", group=GOVERNANCE)
PROJECTS = MenuItem("治理项目", "project-list", group=GOVERNANCE)
MEETINGS = MenuItem("吹哨会议", "meeting-list", group=GOVERNANCE)
COUNCILS = MenuItem("议事厅", "council-list", group=GOVERNANCE)
LADDER = MenuItem("催办督办", "supervision-ladder", group=SUPERVISION)
CHECKS = MenuItem("督查检查", "supervision-checks", group=SUPERVISION)
EMERGENCIES = MenuItem("应急事件", "emergency-list")
TALKS = MenuItem("约谈记录", "supervision-talks", group=SUPERVISION)
FOLLOW_UPS = MenuItem("跟进事项", "supervision-follow-ups", group=SUPERVISION)
SIGNATURES = MenuItem("待我签字", "signature-waiting", Action.SIGN_REPLY)
# The clerk's callbacks wait among the cases in the status the callback is recorded from.
CALLBACKS = MenuItem(
    "待回访",
    "case-search",
    Action.RECORD_CALLBACK,
    urlencode({"status": sorted(TRANSITIONS[Action.RECORD_CALLBACK].sources)}, doseq=True),
)

# The navigation of each role, beside its home page: role → menu, in order.
MENU_FOR_ROLE: dict[str, tuple[MenuItem, ...]] = {
    Role.CLERK: (
        MenuItem("待派发", "case-queue", Action.DISPATCH),
        SLIPS,
        PROJECTS,
        MEETINGS,
        MenuItem("登记案件", "case-register", Action.REGISTER),
        DEADLINES,
        CALLBACKS,
        EMERGENCIES,
        MenuItem("工单导入", "intake:index", Action.REGISTER),
        MenuItem("回复单", "reply-sheet"),
        CASE_SEARCH,
        KNOWLEDGE,
        HOTSPOTS,
        RANKINGS,
        BOARD,
    ),
    Role.OFFICER: (
        MenuItem("我的待办", "case-inbox", Action.RESPOND),
        MenuItem("社区登记", "case-community-register", Action.REGISTER_IN_COMMUNITY),
        COUNCILS,
        MEETINGS,
        CASE_SEARCH,
        KNOWLEDGE,
        BOARD,
    ),
    Role.SECRETARY: (
        SIGNATURES,
        MenuItem("社区待办", "case-inbox", Action.RESPOND),
        MenuItem("社区登记", "case-community-register", Action.REGISTER_IN_COMMUNITY),
        COUNCILS,
        PROJECTS,
        MEETINGS,
        CASE_SEARCH,
        KNOWLEDGE,
        HOTSPOTS,
        RANKINGS,
        BOARD,
        TALKS,
    ),
    Role.CHIEF: (SIGNATURES, PROJECTS, MEETINGS, CASE_SEARCH, KNOWLEDGE, HOTSPOTS, RANKINGS, BOARD, FOLLOW_UPS),
    Role.LEADER: (
        OVERVIEW,
        MenuItem("延期审批", "extension-list", Action.DECIDE_EXTENSION),
        GOVERNANCE_OVERVIEW,
        PROJECTS,
        MEETINGS,
        COUNCILS,
        SLIPS,
        EMERGENCIES,
        OVERDUE,
        LADDER,
        CHECKS,
        DEADLINES,
        CASE_SEARCH,
        KNOWLEDGE,
        HOTSPOTS,
        RANKINGS,
        MEETING,
        BOARD,
    ),
    Role.SUPERVISOR: (
        OVERDUE,
        LADDER,
        CHECKS,
        DEADLINES,
        OVERVIEW,
        GOVERNANCE_OVERVIEW,
        PROJECTS,
        MEETINGS,
        EMERGENCIES,
        CASE_SEARCH,
        KNOWLEDGE,
        HOTSPOTS,
        RANKINGS,
        MEETING,
        BOARD,
    ),
    Role.DISPLAY: (BOARD,),
}
# Accounts with access to the administration site see these as well.
STAFF_MENU = (MenuItem("管理后台", "admin:index"), MenuItem("API 文档", "api-docs"))


def menu_for(*, user, path: str = "") -> list[dict]:
    """The navigation of the user's role, in order: label, url and whether it
    is the current page (a flat list; `menu_entries` groups it for the bar)."""
    person = person_for_user(user)
    items = []
    home = HOME_FOR_ROLE.get(person.role) if person is not None else None
    if person is not None:
        items = [
            item
            for item in MENU_FOR_ROLE.get(person.role, ())
            if item.action is None or role_may_take(person.role, item.action)
        ]
    if getattr(user, "is_staff", False):
        items += STAFF_MENU
    menu = []
    for item in items:
        url = reverse(item.url_name)
        menu.append(
            {
                "label": item.label,
                "url": f"{url}?{item.query}" if item.query else url,
                "active": not item.query and path == url,
                # The role's home page always stands on the bar.
                "group": "" if item.url_name == home else item.group,
            }
        )
    return menu


def menu_entries(menu: list[dict]) -> list[dict]:
    """The bar: the menu's items, those of a group the role has two or more
    of gathered into one drop-down at the place of the group's first item."""
    sizes: dict[str, int] = {}
    for item in menu:
        if item["group"]:
            sizes[item["group"]] = sizes.get(item["group"], 0) + 1
    entries: list[dict] = []
    groups: dict[str, dict] = {}
    for item in menu:
        group = item["group"]
        if not group or sizes[group] < 2:
            entries.append(item)
        elif group in groups:
            groups[group]["children"].append(item)
            groups[group]["active"] = groups[group]["active"] or item["active"]
        else:
            groups[group] = {"label": group, "children": [item], "active": item["active"]}
            entries.append(groups[group])
    return entries


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
