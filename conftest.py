"""Fixtures shared by every app's tests: a small street with one person per
role and unit, and helpers that walk a case through the real services."""

import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from cases import services
from cases.models import Satisfaction
from cases.tests.factories import signed_sha256
from communities.models import Role
from communities.tests.factories import (
    PASSWORD,
    CommunityFactory,
    DepartmentFactory,
    PairingFactory,
    StreetFactory,
    person,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _empty_cache():
    # Each test starts with an empty cache: ids are reused after a rolled-back
    # test on SQLite, and the lobby's cache (rankings.lobby) is keyed on them.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def org(db):
    street = StreetFactory()
    a = CommunityFactory(street=street, name="幸福社区")
    b = CommunityFactory(street=street, name="和平社区")
    d1 = DepartmentFactory(street=street, name="城管科")
    d2 = DepartmentFactory(street=street, name="民生科")
    chief_a = person(Role.CHIEF, department=d1, street=street, full_name="李科长")
    chief_b = person(Role.CHIEF, department=d2, street=street, full_name="王科长")
    return SimpleNamespace(
        street=street,
        a=a,
        b=b,
        d1=d1,
        d2=d2,
        pairing_a=PairingFactory(community=a, department=d1, chief=chief_a),
        pairing_b=PairingFactory(community=b, department=d2, chief=chief_b),
        clerk=person(Role.CLERK, street=street, full_name="赵办件"),
        officer_a=person(Role.OFFICER, community=a, street=street, full_name="钱社工"),
        secretary_a=person(Role.SECRETARY, community=a, street=street, full_name="孙书记"),
        officer_b=person(Role.OFFICER, community=b, street=street, full_name="周社工"),
        secretary_b=person(Role.SECRETARY, community=b, street=street, full_name="吴书记"),
        chief_a=chief_a,
        chief_b=chief_b,
        leader=person(Role.LEADER, street=street, full_name="郑主任"),
        supervisor=person(Role.SUPERVISOR, street=street, full_name="冯监察"),
        display=person(Role.DISPLAY, street=street, full_name="大厅屏"),
    )


class Walk:
    """Takes a case of community A through the lifecycle with the real services."""

    def __init__(self, org):
        self.org = org

    def registered(self, **kwargs):
        data = {"title": "电梯故障", "content": "3号楼电梯停运", "caller_name": "张三", "caller_phone": "13812341234"}
        data.update(kwargs)
        return services.case_register(actor=self.org.clerk, **data)

    def dispatched(self, **kwargs):
        case = self.registered(**kwargs)
        return services.case_dispatch(
            case_id=case.id, actor=self.org.clerk, pairing_id=self.org.pairing_a.id, handler_id=self.org.officer_a.id
        )

    def responded(self, **kwargs):
        case = self.dispatched(**kwargs)
        return services.case_respond(case_id=case.id, actor=self.org.officer_a)

    def replied(self, text="已联系物业修复电梯。", **kwargs):
        case = self.responded(**kwargs)
        return services.case_reply(case_id=case.id, actor=self.org.officer_a, text=text)

    def closed(self, **kwargs):
        case = self.replied(**kwargs)
        services.case_sign_reply(
            case_id=case.id, actor=self.org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        return services.case_sign_reply(
            case_id=case.id, actor=self.org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )

    def needs_explanation(self, **kwargs):
        case = self.closed(**kwargs)
        return services.case_record_callback(
            case_id=case.id,
            actor=self.org.clerk,
            contacted=True,
            resolved=False,
            satisfaction=Satisfaction.BASIC,
            valid=True,
        )

    def explanation_written(self, **kwargs):
        case = self.needs_explanation(**kwargs)
        return services.case_write_explanation(case_id=case.id, actor=self.org.officer_a, text="业主拒绝配合维修。")


@pytest.fixture
def walk(org):
    return Walk(org)


# ---------------------------------------------------------------- real browser

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent / "test-artifacts" / "screenshots"


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium driven by Playwright (a browser download does not work here)."""
    # Playwright's sync API runs an event loop in this thread; the test itself
    # still talks to the database synchronously, which is safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def login(page, user, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
