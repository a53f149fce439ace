"""Two requests for the same step at the same moment, each in its own thread
with its own database connection and a real transaction: exactly one wins,
the other gets a clear 409, and the timeline records the step once.

PostgreSQL serialises them on the row lock (select_for_update in the
services); SQLite on its write lock (IMMEDIATE transactions)."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from rest_framework.test import APIClient

from cases.models import CaseEvent, Signature, text_sha256
from communities.models import Role
from communities.tests.factories import person

pytestmark = pytest.mark.django_db(transaction=True)


def race(*requests: tuple) -> list[tuple[int, dict]]:
    """Send each (user, path, body) from its own thread, all released together."""
    barrier = threading.Barrier(len(requests))
    results: list = [None] * len(requests)

    def send(index: int, user, path: str, body: dict) -> None:
        try:
            client = APIClient()
            client.force_authenticate(user)
            barrier.wait(timeout=30)
            response = client.post(path, body, format="json")
            results[index] = (response.status_code, response.json())
        except Exception as error:  # reported by the assertion below, not lost in the thread
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(i, *request)) for i, request in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(not thread.is_alive() for thread in threads), "a request hung"
    assert all(isinstance(result, tuple) for result in results), results
    return sorted(results, key=lambda result: result[0])


def fresh(user):
    """The same account as a second request would load it: its own object."""
    return get_user_model().objects.get(pk=user.pk)


def test_two_clerks_dispatching_the_same_case_at_once(org, walk):
    other_clerk = person(Role.CLERK, street=org.street, full_name="钱办件")
    case = walk.registered()
    path = f"/api/cases/{case.id}/dispatch/"
    (ok_status, ok), (conflict_status, conflict) = race(
        (fresh(org.clerk), path, {"pairing": org.pairing_a.id, "handler": org.officer_a.id}),
        (fresh(other_clerk), path, {"pairing": org.pairing_a.id, "handler": org.secretary_a.id}),
    )
    assert (ok_status, ok["status"]) == (200, "dispatched")
    assert (conflict_status, conflict["code"]) == (409, "invalid_transition")
    assert "不能派发" in conflict["detail"]
    assert CaseEvent.objects.filter(case=case, action="dispatch").count() == 1
    case.refresh_from_db()
    assert case.handler_id == ok["handler"]["id"]


def test_two_sign_clicks_by_the_same_secretary_at_once(org, walk):
    case = walk.replied()
    path = f"/api/cases/{case.id}/sign-reply/"
    body = {"expected_sha256": text_sha256(case.reply_text)}
    (ok_status, ok), (conflict_status, conflict) = race(
        (fresh(org.secretary_a), path, body),
        (fresh(org.secretary_a), path, body),
    )
    assert ok_status == 200
    assert [(s["slot"], s["standing"]) for s in ok["signatures"]] == [("secretary", True)]
    assert (conflict_status, conflict["code"]) == (409, "already_signed")
    assert conflict["detail"] == "社区书记已签字，无需重复签字。"
    assert Signature.objects.filter(case=case, voided_at__isnull=True).count() == 1
    assert CaseEvent.objects.filter(case=case, action="sign_reply").count() == 1


def test_secretary_and_chief_signing_at_once_close_the_case_exactly_once(org, walk):
    case = walk.replied()
    path = f"/api/cases/{case.id}/sign-reply/"
    body = {"expected_sha256": text_sha256(case.reply_text)}
    results = race((fresh(org.secretary_a), path, body), (fresh(org.chief_a), path, body))
    assert [status for status, _ in results] == [200, 200]
    case.refresh_from_db()
    assert case.status == "closed"
    assert CaseEvent.objects.filter(case=case, action="close").count() == 1
    assert Signature.objects.filter(case=case, voided_at__isnull=True).count() == 2
