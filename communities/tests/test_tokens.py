"""API tokens: they expire, a password change or deactivation revokes them,
their owner can revoke them, and the token endpoint is throttled like the login
page (issue 9)."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.tests.factories import PASSWORD


def _token(user, password: str = PASSWORD, **extra) -> dict:
    response = APIClient().post("/api/auth/token/", {"username": user.username, "password": password}, **extra)
    return {"status": response.status_code, **response.json()}


def _client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_a_token_answers_with_its_expiry_and_works_until_then(org, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    answer = _token(org.clerk)
    assert answer["status"] == 200
    expires = dt.datetime.fromisoformat(answer["expires_at"])
    assert dt.timedelta(days=29, hours=23) < expires - timezone.now() <= dt.timedelta(days=30)
    assert _client(answer["token"]).get("/api/communities/").status_code == 200


def test_an_expired_token_is_refused_and_a_new_one_is_issued(org, settings):
    settings.API_TOKEN_TTL_DAYS = 30
    key = _token(org.clerk)["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=30, minutes=1))
    response = _client(key).get("/api/communities/")
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新获取。"
    fresh = _token(org.clerk)["token"]
    assert fresh != key
    assert _client(fresh).get("/api/communities/").status_code == 200


def test_the_lifetime_is_a_setting(org, settings):
    settings.API_TOKEN_TTL_DAYS = 1
    key = _token(org.clerk)["token"]
    Token.objects.filter(key=key).update(created=timezone.now() - dt.timedelta(days=1, minutes=1))
    assert _client(key).get("/api/communities/").status_code == 401


def test_a_password_change_revokes_the_token(org):
    key = _token(org.clerk)["token"]
    org.clerk.set_password("a-new-password-987")
    org.clerk.save()
    response = _client(key).get("/api/communities/")
    assert response.status_code == 401
    assert "撤销" in response.json()["detail"]


def test_saving_the_user_without_a_password_change_keeps_the_token(org):
    key = _token(org.clerk)["token"]
    org.clerk.first_name = "Zhao"
    org.clerk.save()
    assert _client(key).get("/api/communities/").status_code == 200


def test_deactivating_the_account_revokes_the_token_for_good(org):
    key = _token(org.clerk)["token"]
    org.clerk.is_active = False
    org.clerk.save(update_fields=["is_active"])
    assert not Token.objects.filter(key=key).exists()
    org.clerk.is_active = True
    org.clerk.save(update_fields=["is_active"])
    assert _client(key).get("/api/communities/").status_code == 401


def test_a_user_revokes_their_own_token(org):
    key = _token(org.clerk)["token"]
    other = _token(org.officer_a)["token"]
    assert _client(key).delete("/api/auth/token/").status_code == 204
    assert _client(key).get("/api/communities/").status_code == 401
    assert _client(other).get("/api/communities/").status_code == 200, "only one's own token"


def test_revoking_needs_a_login(db):
    response = APIClient().delete("/api/auth/token/")
    assert response.status_code == 401


@pytest.mark.parametrize("failures", [5])
def test_the_token_endpoint_locks_the_account_and_says_so(org, settings, failures):
    settings.AXES_FAILURE_LIMIT = failures
    for _ in range(failures - 1):
        assert _token(org.clerk, password="wrong")["status"] == 400
    assert _token(org.clerk, password="wrong")["status"] == 429, "the failure that reaches the limit locks"
    locked = _token(org.clerk)  # even the right password, while locked
    assert locked["status"] == 429
    assert locked["code"] == "account_locked"
    assert "锁定" in locked["detail"] and "token" not in locked


def test_a_good_token_request_resets_the_failure_count(org, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(2):
        _token(org.clerk, password="wrong")
    assert _token(org.clerk)["status"] == 200
    for _ in range(2):
        _token(org.clerk, password="wrong")
    assert _token(org.clerk)["status"] == 200
