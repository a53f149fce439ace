"""Login, logout, lockout after repeated failures, and the home page per role."""

import pytest
from django.conf import settings
from django.urls import reverse

from communities.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_has_labelled_fields_and_a_csrf_token(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_username" class="form-label">用户名' in html
    assert '<label for="id_password" class="form-label">密码' in html
    assert ">登录</button>" in html
    assert "csrfmiddlewaretoken" in html


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("role", "target"),
    [
        ("clerk", "/cases/queue/"),
        ("officer_a", "/cases/inbox/"),
        ("secretary_a", "/cases/signatures/"),
        ("chief_a", "/cases/signatures/"),
        ("leader", "/cases/overview/"),
        ("supervisor", "/cases/overdue/"),
        ("display", "/board/"),
    ],
)
def test_login_opens_on_the_work_of_the_role(client, org, role, target):
    user = getattr(org, role)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=False)
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == target


def test_each_home_page_renders_for_its_role(client, org):
    for role in ("clerk", "officer_a", "secretary_a", "chief_a", "leader", "supervisor"):
        client.force_login(getattr(org, role))
        response = client.get("/", follow=True)
        assert response.status_code == 200, role
        assert "退出" in response.content.decode()


def test_a_wrong_password_shows_a_chinese_message(client, org):
    response = client.post(reverse("login"), {"username": org.clerk.username, "password": "wrong"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()


def test_repeated_failures_lock_the_login_with_a_chinese_page(client, org):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": org.clerk.username, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": org.clerk.username, "password": "wrong"})
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    # Even the right password is refused while locked.
    response = client.post(reverse("login"), {"username": org.clerk.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_logout_needs_a_post_and_ends_the_session(client, org):
    client.force_login(org.clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_account_without_a_role_is_told_so(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/")
    assert response.status_code == 200
    assert "尚未分配岗位" in response.content.decode()
