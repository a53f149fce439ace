"""Security plumbing of issue 9: the Content-Security-Policy and no-store on
every dynamic answer, no inline script in any template, expected refusals
logged without a traceback, the display token kept out of access logs, and
the client address behind the TLS proxy."""

import datetime as dt
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import RequestFactory
from rest_framework.test import APIClient

from hotline.client_address import client_ip
from rankings import services as ranking_services

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/accounts/login/", "/cases/inbox/", "/api/cases/", "/api/schema/", "/board/"])
def test_every_page_and_api_answer_has_the_csp_and_no_store(client, org, walk, url):
    walk.dispatched()
    client.force_login(org.officer_a)
    response = client.get(url)
    assert response.status_code in (200, 302), url
    policy = _csp(response)
    assert policy["script-src"] == ["'self'"], "no inline script, no eval"
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "no-store" in response.headers["Cache-Control"]


def test_an_export_with_caller_data_is_not_stored(client, org, walk):
    walk.dispatched()
    client.force_login(org.clerk)
    response = client.get("/intake/export/cases/")
    assert response.status_code == 200
    assert "spreadsheetml" in response.headers["Content-Type"]
    assert response.headers["Cache-Control"] == "no-store"


def test_errors_and_refusals_carry_the_headers_too(db):
    for response in (APIClient().get("/api/cases/"), APIClient().get("/api/nothing-here/")):
        assert "no-store" in response.headers["Cache-Control"]
        assert "Content-Security-Policy" in response.headers


def test_the_admin_keeps_its_own_never_cache(admin_client):
    response = admin_client.get("/admin/")
    assert "no-store" in response.headers["Cache-Control"]
    assert "Content-Security-Policy" in response.headers


def test_api_docs_start_without_inline_script(client, org):
    client.force_login(org.clerk)
    page = client.get("/api/docs/").content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "Swagger UI's start-up code is a file"


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        # A <script> without src (json_script renders type="application/json", which never runs).
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path.relative_to(TEMPLATES)}: inline event handler")
        if "javascript:" in text:
            offenders.append(f"{path.relative_to(TEMPLATES)}: javascript: URL")
    assert offenders == []


def test_a_refused_page_is_logged_in_one_line_without_a_traceback(client, org, caplog):
    client.force_login(org.officer_a)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/cases/queue/")  # the clerk's queue
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Forbidden (Permission denied): /cases/queue/"]
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def _server_log_line(message: str, *args) -> str:
    logger = logging.getLogger("django.server")
    (handler,) = [h for h in logger.handlers if h.get_name() == "django.server"]
    record = logger.makeRecord(logger.name, logging.INFO, __file__, 0, message, args, None)
    record.server_time = "01/Dec/2026 10:00:00"
    assert handler.filter(record)
    return handler.format(record)


def test_runserver_access_log_does_not_carry_the_display_token():
    line = _server_log_line('"%s" %s %s', "GET /board/?token=SECRETtoken123&x=1 HTTP/1.1", "302", "0")
    assert "SECRETtoken123" not in line
    assert "/board/?token=[redacted]&x=1" in line


def test_gunicorn_access_log_does_not_carry_the_display_token():
    from gunicorn.config import Config

    from hotline.log_filters import GunicornLogger

    class Response:
        status = "302 Found"
        headers = []
        sent = 0

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/board/?token=SECRETtoken123",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "PATH_INFO": "/board/",
        "QUERY_STRING": "token=SECRETtoken123",
    }
    atoms = GunicornLogger(Config()).atoms(Response(), [], environ, dt.timedelta(seconds=0))
    assert "SECRETtoken123" not in f"{atoms['r']} {atoms['q']}"
    assert atoms["r"] == "GET /board/?token=[redacted] HTTP/1.1"


def test_the_display_link_is_exchanged_for_a_session_and_a_clean_url(client, db):
    link = ranking_services.display_link_create(name="一楼大厅", actor=None)
    response = client.get(f"/board/?token={link.token}")
    assert (response.status_code, response.headers["Location"]) == (302, "/board/")
    page = client.get("/board/")
    assert page.status_code == 200
    assert link.token not in page.content.decode(), "the data refreshes go to a URL without the token"
    assert client.get("/board/data/").status_code == 200


# ---------------------------------------------------------------- client address behind the proxy


def _request(remote: str, forwarded: str | None = None):
    extra: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post("/accounts/login/", **extra)


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("10.0.0.5", "203.0.113.9")) == "10.0.0.5"


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5", "10.1.0.0/16"]
    assert client_ip(_request("10.0.0.5", "203.0.113.9")) == "203.0.113.9"
    # A forged left-most entry is not believed: the proxy appended the real peer.
    assert client_ip(_request("10.0.0.5", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.5", "203.0.113.9, 10.1.2.3")) == "203.0.113.9", "chained trusted proxies"
    assert client_ip(_request("10.0.0.5", "not-an-address")) == "10.0.0.5"
    assert client_ip(_request("10.0.0.5")) == "10.0.0.5"
    # A client that is not the proxy cannot choose its address with the header.
    assert client_ip(_request("192.0.2.7", "203.0.113.9")) == "192.0.2.7"


def _login(client, user, password: str, ip: str):
    return client.post(
        "/accounts/login/",
        {"username": user.username, "password": password},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR=ip,
    )


def test_behind_the_proxy_failures_from_one_client_do_not_lock_out_another(client, org, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        _login(client, org.clerk, "wrong", "203.0.113.66")
    assert _login(client, org.clerk, "test-pass-12345", "203.0.113.66").status_code == 429
    ok = _login(client, org.clerk, "test-pass-12345", "198.51.100.20")
    assert ok.status_code == 302, "the clerk at their own desk still logs in"


def test_behind_the_proxy_the_token_endpoint_throttles_by_client_too(org, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.5"]
    settings.AXES_FAILURE_LIMIT = 2
    api = APIClient(REMOTE_ADDR="10.0.0.5")
    body = {"username": org.clerk.username, "password": "wrong"}
    for _ in range(2):
        api.post("/api/auth/token/", body, HTTP_X_FORWARDED_FOR="203.0.113.66")
    good = {**body, "password": "test-pass-12345"}
    locked = api.post("/api/auth/token/", good, HTTP_X_FORWARDED_FOR="203.0.113.66")
    assert (locked.status_code, locked.json()["code"]) == (429, "account_locked")
    assert api.post("/api/auth/token/", good, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 200


def test_the_axes_admin_speaks_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()
    assert "登录防护" in page
    assert "Access attempts" not in page and "Access logs" not in page
    AccessAttempt.objects.create(username="clerk", ip_address="203.0.113.9", failures_since_start=5)
    listing = admin_client.get("/admin/axes/accessattempt/").content.decode()
    assert "IP 地址" in listing and "失败次数" in listing
    assert "IP Address" not in listing and "Failed Logins" not in listing


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/js/app.js")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
