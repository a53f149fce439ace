"""The slip API: the public POSTs (no login, the page's limits) and the lead
queue for clerks and leaders."""

import pytest
from rest_framework.test import APIClient

from cases.models import Case
from governance import slips
from governance.models import SLIP_TEXT_LIMITS, Slip, SlipCloseReason

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient(REMOTE_ADDR="203.0.113.20")


def send(api, org, **data):
    return api.post("/api/public/slips/", {"community": org.a.pk, "problem": "楼道堆物", **data}, format="json")


def test_a_resident_posts_a_slip_without_login_and_gets_a_code(api, org):
    response = send(api, org, compound="幸福小区", phone="13812345678", name="张三", consent=True)
    assert response.status_code == 201
    assert response.json() == {"receipt_code": Slip.objects.get().receipt_code}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"website": "http://spam.example"}, 400, "rejected"),
        ({"problem": "字" * (SLIP_TEXT_LIMITS["problem"] + 1)}, 400, "too_long"),
        ({"problem": ""}, 400, "invalid_input"),
        ({"phone": "13812345678"}, 400, "invalid_input"),
        ({"community": 999999}, 404, "not_found"),
        ({"community": "x"}, 400, "invalid_input"),
    ],
)
def test_bad_input_is_a_clear_4xx_and_stores_nothing(api, org, data, status, code):
    response = send(api, org, **data)
    assert response.status_code == status and response.json()["code"] == code and response.json()["detail"]
    assert not Slip.objects.exists()


def test_html_is_stored_as_text_and_answered_as_json(api, org):
    assert send(api, org, problem="<img src=x onerror=alert(1)>").status_code == 201
    assert Slip.objects.get().problem == "<img src=x onerror=alert(1)>"


def test_the_sixth_slip_of_an_hour_is_429(api, org):
    for _ in range(5):
        assert send(api, org).status_code == 201
    response = send(api, org)
    assert response.status_code == 429 and response.json()["code"] == "rate_limited"


def test_the_status_look_up_needs_code_and_last_four_and_is_rate_limited(api, org, settings):
    settings.SLIP_STATUS_RATE_PER_HOUR = 3
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了", phone="13812345678", consent=True)
    ok = api.post("/api/public/slips/status/", {"code": slip.receipt_code, "phone_last4": "5678"}, format="json")
    assert ok.status_code == 200 and ok.json()["stage"] == "received" and ok.json()["ticket_no"] == ""
    assert "phone" not in ok.json() and "name" not in ok.json()
    wrong = api.post("/api/public/slips/status/", {"code": slip.receipt_code, "phone_last4": "0000"}, format="json")
    assert wrong.status_code == 404
    api.post("/api/public/slips/status/", {"code": slip.receipt_code}, format="json")
    limited = api.post("/api/public/slips/status/", {"code": slip.receipt_code, "phone_last4": "5678"}, format="json")
    assert limited.status_code == 429


def test_the_queue_is_for_clerks_and_leaders(api, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了")
    assert api.get("/api/slips/").status_code == 401
    for person in (org.clerk, org.leader):
        api.force_authenticate(person)
        assert [row["id"] for row in api.get("/api/slips/").json()["results"]] == [slip.pk]
        assert api.get(f"/api/slips/{slip.pk}/").status_code == 200
    for person in (org.officer_a, org.secretary_a, org.chief_a, org.supervisor):
        api.force_authenticate(person)
        assert api.get("/api/slips/").json()["count"] == 0
        assert api.get(f"/api/slips/{slip.pk}/").status_code == 404
        assert api.post(f"/api/slips/{slip.pk}/convert/", {}, format="json").status_code == 404


def test_the_clerk_converts_closes_and_types_in_paper_slips(api, org):
    api.force_authenticate(org.clerk)
    paper = api.post("/api/slips/", {"community": org.b.pk, "problem": "门禁坏了"}, format="json")
    assert paper.status_code == 201 and paper.json()["source"] == "paper"
    converted = api.post(f"/api/slips/{paper.json()['id']}/convert/", {"title": "门禁故障"}, format="json")
    assert converted.status_code == 200 and converted.json()["status"] == "converted"
    assert converted.json()["case_ticket_no"] == Case.objects.get(title="门禁故障").ticket_no
    again = api.post(f"/api/slips/{paper.json()['id']}/convert/", {}, format="json")
    assert again.status_code == 409
    other = slips.slip_submit(community_id=org.a.pk, problem="你好")
    bad = api.post(f"/api/slips/{other.pk}/close/", {"reason": "whatever"}, format="json")
    assert bad.status_code == 400
    closed = api.post(f"/api/slips/{other.pk}/close/", {"reason": SlipCloseReason.NO_CONTENT}, format="json")
    assert closed.status_code == 200 and closed.json()["close_reason"] == SlipCloseReason.NO_CONTENT


def test_the_leader_may_not_take_the_queues_steps(api, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了")
    api.force_authenticate(org.leader)
    response = api.post(f"/api/slips/{slip.pk}/close/", {"reason": SlipCloseReason.DUPLICATE}, format="json")
    assert response.status_code == 403
    assert api.post("/api/slips/", {"community": org.a.pk, "problem": "x"}, format="json").status_code == 403
