"""The API's contract (issue 9): 401 without credentials, JSON for every 404
and 500 under /api/, 400 for a filter value the API does not understand, and
a bounded schemathesis run over the whole schema: no 5xx, no answer that
breaks the schema."""

import time

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.test import APIClient

from communities import tokens
from rankings import services as ranking_services
from rankings import windows

# ---------------------------------------------------------------- status codes and bodies


@pytest.mark.parametrize("url", ["/api/cases/", "/api/communities/", "/api/rankings/boards/", "/api/imports/"])
def test_calls_without_credentials_answer_401_json(db, url):
    response = APIClient().get(url)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Token realm="api"' or response.headers["WWW-Authenticate"]
    assert response.json()["code"] == "not_authenticated"


def test_an_unknown_api_url_answers_json_404(org):
    client = APIClient()
    client.force_login(org.clerk)
    response = client.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    assert "<html" not in APIClient().get("/api/cases/abc/").content.decode()


def test_a_page_outside_the_api_keeps_its_html_404(org, client):
    client.force_login(org.clerk)
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response.headers["Content-Type"].startswith("text/html")


def test_a_server_error_under_the_api_is_json():
    handler = get_resolver().resolve_error_handler(500)
    response = handler(RequestFactory().get("/api/cases/"))
    assert response.status_code == 500
    assert response.headers["Content-Type"] == "application/json"
    assert b'"code": "server_error"' in response.content
    page = handler(RequestFactory().get("/cases/inbox/"))
    assert page.headers["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "url",
    [
        "/api/cases/?overdue=maybe",
        "/api/cases/?repeat_caller=2",
        "/api/cases/?status=bogus",
        "/api/cases/?callback=sometimes",
        "/api/cases/?received_after=2026-13-01",
        "/api/cases/?community=abc",
        "/api/cases/?ordering=caller_phone",
        "/api/cases/?page_size=ten",
        "/api/extensions/?decision=maybe",
        "/api/extensions/?ordering=nope",
        "/api/communities/?is_active=perhaps",
        "/api/communities/?ordering=population",
        "/api/pairings/?community=abc",
    ],
)
def test_a_malformed_filter_value_answers_400_not_every_row(org, url):
    client = APIClient()
    client.force_login(org.clerk)
    response = client.get(url)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid" and body["field"] in url


@pytest.mark.parametrize("url", ["/api/cases/?overdue=true", "/api/cases/?overdue=0", "/api/cases/?ordering=-status"])
def test_well_formed_filter_values_still_work(org, url):
    client = APIClient()
    client.force_login(org.clerk)
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------- schemathesis over the whole schema

EXAMPLES_PER_OPERATION = 12
SKIPPED_OPERATIONS = {"DELETE /api/auth/token/"}  # would revoke the run's own token


@pytest.fixture
def in_test_transaction():
    """The WSGI app runs in this thread, on the test's connection; Django must
    not close that connection at the end of each request (the test client
    does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_whole_schema_holds_no_5xx_and_no_schema_violation(org, walk, in_test_transaction):
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, Phase, given, settings
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

    # A small street with cases in several states, so the answers carry data.
    walk.registered()
    walk.dispatched()
    walk.closed()
    walk.explanation_written()
    year, week, _ = timezone.localdate().isocalendar()
    ranking_services.board_compute(window=windows.week_parse(f"{year}-W{week:02d}"))
    headers = {"Authorization": f"Token {tokens.token_issue(user=org.clerk).key}"}
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), headers=headers)
    checks = [not_a_server_error, response_schema_conformance, content_type_conformance]
    failures: dict[str, str] = {}
    operations = 0
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if label in SKIPPED_OPERATIONS:
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],  # no shrinking: bounded time
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=checks, headers=headers)

        try:
            run()
        except Exception as error:  # every operation is reported, not just the first
            failures[label] = str(error)[:2000]
    assert operations > 20, "the schema was read whole"
    assert failures == {}, "\n\n".join(f"{label}:\n{text}" for label, text in failures.items())
    assert time.monotonic() - started < 120
