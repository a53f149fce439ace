"""Lock order: the case row first, then what hangs off it. A leader deciding
an extension and the second signature closing the same case (which lapses the
pending request) run at the same moment: neither may deadlock.

The interleaving that deadlocks a request-first decision is forced: a third
transaction holds the case row while the closing signature queues for it, then
the decision starts; when the case is released the signature goes first. A
decision that had locked the request before queueing for the case would now
hold what the signature needs while waiting for what the signature holds."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseEvent, ExtensionRequest, text_sha256
from cases.tests.factories import signed_sha256
from cases.tests.test_concurrency import fresh

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and deadlocks are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def wait_until(condition, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the requests never queued for the case row")
        time.sleep(0.05)


def test_deciding_an_extension_while_the_last_signature_closes_the_case_does_not_deadlock(org, walk):
    case = walk.responded()
    request = services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
    services.case_reply(case_id=case.id, actor=org.officer_a, text="已修复。")
    services.case_sign_reply(case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text"))

    release, held = threading.Event(), threading.Event()
    results: dict[str, object] = {}

    def hold_the_case() -> None:
        try:
            with transaction.atomic():
                Case.objects.select_for_update().get(pk=case.id)
                held.set()
                release.wait(timeout=60)
        finally:
            connections.close_all()

    def post(name: str, user, path: str, body: dict) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            response = client.post(path, body, format="json")
            results[name] = (response.status_code, response.json())
        except Exception as error:  # a deadlock surfaces here; the assertion below reports it
            results[name] = error
        finally:
            connections.close_all()

    gate = threading.Thread(target=hold_the_case)
    gate.start()
    assert held.wait(timeout=20)
    sign = threading.Thread(
        target=post,
        args=(
            "sign",
            fresh(org.secretary_a),
            f"/api/cases/{case.id}/sign-reply/",
            {"expected_sha256": text_sha256("已修复。")},
        ),
    )
    sign.start()
    wait_until(lambda: waiting_for_locks() >= 1)
    decide = threading.Thread(
        target=post, args=("decide", fresh(org.leader), f"/api/extensions/{request.id}/decide/", {"approve": True})
    )
    decide.start()
    wait_until(lambda: waiting_for_locks() >= 2)
    release.set()
    for thread in (gate, sign, decide):
        thread.join(timeout=60)
        assert not thread.is_alive(), "a transaction hung"

    assert all(isinstance(result, tuple) for result in results.values()), results  # e.g. a deadlock
    assert results["sign"][0] == 200, results
    # The case closed first and lapsed the request: a closed case has nothing left to decide.
    assert results["decide"][:1] == (409,), results
    assert results["decide"][1]["code"] == "invalid_transition"
    case.refresh_from_db()
    request.refresh_from_db()
    assert (case.status, request.decision) == ("closed", ExtensionRequest.Decision.LAPSED)
    assert CaseEvent.objects.filter(case=case, action="decide_extension").count() == 0
