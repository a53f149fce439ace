"""The 吹哨 meeting API: status codes, JSON errors, scoping (out of scope is 404),
the decisions' bad input, the register of outside bodies scoped to the street."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities.tests.factories import CommunityFactory, StreetFactory
from governance import meetings
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import Decision, Meeting, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(org):
    return Organisation.objects.create(street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="安居物业")


def api_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def convene_body(case, company, **kwargs):
    body = {
        "title": "电梯协调会",
        "held_at": timezone.now().isoformat(),
        "place": "居委会",
        "agenda": "议程",
        "cases": [case.pk],
        "organisations": [company.pk],
    }
    body.update(kwargs)
    return body


def test_convene_minutes_decisions_done_through_the_api(org, walk, company):
    case = walk.dispatched()
    api = api_for(org.leader)
    response = api.post("/api/meetings/", convene_body(case, company), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == MeetingStatus.SCHEDULED and body["case_ids"] == [case.pk]
    assert body["parties"][0]["party_name"] == "安居物业"
    assert set(body["available_actions"]) == {"hold", "cancel", "attach", "link_case"}
    url = f"/api/meetings/{body['id']}/"
    party = body["parties"][0]["id"]
    response = api.post(
        url + "minutes/",
        {"minutes": "物业承诺更换主板", "attendance": [{"party": party, "attended": True, "attendee": "王经理"}]},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == MeetingStatus.HELD
    due = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = api.post(url + "decisions/", {"text": "更换主板", "owner": org.chief_a.pk, "due_on": due}, format="json")
    assert response.status_code == 201 and response.json()["state"] == "open"
    decision_id = response.json()["id"]
    owner = api_for(org.chief_a)
    response = owner.post(f"/api/meetings/decisions/{decision_id}/complete/", {"note": "已换"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "done_on_time"
    response = owner.post(f"/api/meetings/decisions/{decision_id}/complete/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert api.get("/api/meetings/decisions/?state=done_on_time").json()["count"] == 1
    assert api.get("/api/meetings/?decisions=open").json()["count"] == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "更换主板", "due_on": "2030-01-01"}, "owner"),
        ({"text": "更换主板", "owner": "OWNER"}, "due_on"),
        ({"text": "更换主板", "organisation": "ORG", "due_on": "2030-01-01"}, "follow_up"),
        ({"text": "", "owner": "OWNER", "due_on": "2030-01-01"}, "text"),
    ],
)
def test_a_decision_without_owner_or_due_date_is_a_400_and_writes_nothing(org, walk, company, body, field):
    meeting = meetings.meeting_convene(
        actor=org.leader,
        title="t",
        held_at=timezone.now(),
        place="p",
        agenda="a",
        case_ids=[walk.dispatched().pk],
        organisation_ids=[company.pk],
    )
    meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="m")
    body = {k: (org.chief_a.pk if v == "OWNER" else company.pk if v == "ORG" else v) for k, v in body.items()}
    response = api_for(org.leader).post(f"/api/meetings/{meeting.pk}/decisions/", body, format="json")
    assert response.status_code == 400 and response.json()["field"] == field and response.json()["detail"]
    assert not Decision.objects.exists()


def test_linking_a_case_out_of_scope_is_refused(org, walk, company):
    other = walk.registered(title="别处")
    response = api_for(org.secretary_b).post("/api/meetings/", convene_body(other, company), format="json")
    assert response.status_code == 400 and response.json()["code"] == "case_out_of_scope"
    assert not Meeting.objects.exists()


def test_scoping_out_of_scope_is_404_and_lists_leave_it_out(org, walk, company):
    api = api_for(org.leader)
    meeting_id = api.post("/api/meetings/", convene_body(walk.dispatched(), company), format="json").json()["id"]
    for user, seen in [(org.leader, True), (org.secretary_a, True), (org.secretary_b, False), (org.chief_b, False)]:
        client = api_for(user)
        detail = client.get(f"/api/meetings/{meeting_id}/")
        assert detail.status_code == (200 if seen else 404), user
        if not seen:
            assert detail.json()["code"] == "not_found"
            minutes = client.post(f"/api/meetings/{meeting_id}/minutes/", {"minutes": "x"}, format="json")
            assert minutes.status_code == 404
        assert client.get("/api/meetings/").json()["count"] == (1 if seen else 0)
    # A community sees it but may not record it.
    response = api_for(org.officer_a).post(f"/api/meetings/{meeting_id}/minutes/", {"minutes": "x"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"


def test_bad_filters_are_400_and_anonymous_is_401(org):
    api = api_for(org.leader)
    assert api.get("/api/meetings/?status=nonsense").status_code == 400
    assert api.get("/api/meetings/decisions/?state=soon").status_code == 400
    assert APIClient().get("/api/meetings/").status_code == 401


def test_the_register_is_the_streets_own(org, company):
    other_street = StreetFactory(name="别的街道")
    CommunityFactory(street=other_street)
    Organisation.objects.create(street=other_street, kind=OrganisationKind.HOUSING_OFFICE, name="别处房管所")
    names = [o["name"] for o in api_for(org.officer_a).get("/api/organisations/").json()["results"]]
    assert names == ["安居物业"]


def test_decision_state_late_in_the_api(org, walk, company):
    past = timezone.now() - dt.timedelta(days=10)
    meeting = meetings.meeting_convene(
        actor=org.leader,
        title="t",
        held_at=past,
        place="p",
        agenda="a",
        case_ids=[walk.dispatched().pk],
        organisation_ids=[company.pk],
    )
    meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="m", now=past)
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="逾期的",
        owner_id=org.chief_a.pk,
        due_on=timezone.localdate(past) + dt.timedelta(days=1),
        now=past,
    )
    rows = api_for(org.leader).get("/api/meetings/decisions/?state=late").json()["results"]
    assert [r["text"] for r in rows] == ["逾期的"] and rows[0]["status"] == DecisionStatus.OPEN


def test_the_schema_of_the_meeting_api_has_no_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/", include("governance.api_urls"))]).get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    warnings = {k: v for k, v in GENERATOR_STATS._warn_cache.items() if "meeting" in k.lower() or "Decision" in k}
    assert not warnings and not GENERATOR_STATS._error_cache, (warnings, dict(GENERATOR_STATS._error_cache))
    assert {"/api/meetings/{id}/minutes/", "/api/meetings/decisions/{id}/complete/", "/api/organisations/"} <= set(
        schema["paths"]
    )


def test_a_huge_id_is_a_400_not_a_500(org, walk, company):
    body = convene_body(walk.dispatched(), company, cases=[2**70])
    response = api_for(org.leader).post("/api/meetings/", body, format="json")
    assert response.status_code == 400
