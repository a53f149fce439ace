"""The council API and the figures API: scoping, status codes, JSON errors."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case
from governance import councils
from governance.models import CouncilSession
from governance.tests.councils_helpers import council_with_session

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_list_is_scoped(org):
    council = council_with_session(org).council
    councils.council_get_or_create(actor=org.secretary_b, community_id=org.b.pk)
    mine = api(org.officer_a).get("/api/councils/").json()
    results = mine["results"] if isinstance(mine, dict) else mine
    assert [c["id"] for c in results] == [council.pk]
    assert results[0]["sessions_count"] == 1 and results[0]["members_active"] == 1
    assert set(results[0]["available_actions"]) == {"view", "record", "to_case"}
    every = api(org.leader).get("/api/councils/").json()
    assert len(every["results"] if isinstance(every, dict) else every) == 2
    none = api(org.chief_a).get("/api/councils/").json()
    assert (none["results"] if isinstance(none, dict) else none) == []


def test_the_detail_masks_phones_and_hides_other_communities(org):
    council = council_with_session(org).council
    body = api(org.leader).get(f"/api/councils/{council.pk}/").json()
    assert body["members"][0]["phone"] == "*******2222"
    assert body["sessions"][0]["topics"][0]["title"] == "3号楼楼道堆物"
    assert api(org.secretary_a).get(f"/api/councils/{council.pk}/").json()["members"][0]["phone"] == "13811112222"
    response = api(org.secretary_b).get(f"/api/councils/{council.pk}/")
    assert response.status_code == 404


def test_a_session_is_recorded_and_bad_input_is_a_json_400(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    client = api(org.secretary_a)
    held = (timezone.now() - dt.timedelta(hours=1)).isoformat()
    response = client.post(
        f"/api/councils/{council.pk}/sessions/", {"held_at": held, "place": "活动室", "topics": []}, format="json"
    )
    assert response.status_code == 400 and response.json()["field"] == "topics"
    assert not CouncilSession.objects.exists()
    response = client.post(
        f"/api/councils/{council.pk}/sessions/",
        {"held_at": held, "place": "活动室", "topics": [{"title": "停车难", "outcome": "划线"}]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["sessions"][0]["topics"][0]["title"] == "停车难"
    response = api(org.leader).post(
        f"/api/councils/{council.pk}/sessions/",
        {"held_at": held, "place": "活动室", "topics": [{"title": "x"}]},
        format="json",
    )
    assert response.status_code == 403 and response.json()["code"] == "not_allowed"
    response = api(org.secretary_b).post(
        f"/api/councils/{council.pk}/sessions/",
        {"held_at": held, "place": "活动室", "topics": [{"title": "x"}]},
        format="json",
    )
    assert response.status_code == 404


def test_members_are_added(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    response = api(org.officer_a).post(
        f"/api/councils/{council.pk}/members/", {"name": "王党员", "kind": "party_member"}, format="json"
    )
    assert response.status_code == 201 and response.json()["kind_label"] == "党员"
    response = api(org.officer_a).post(
        f"/api/councils/{council.pk}/members/", {"name": "王党员", "kind": "king"}, format="json"
    )
    assert response.status_code == 400


def test_a_topic_to_a_case_then_again_is_409(org):
    topic = council_with_session(org).topics.first()
    client = api(org.officer_a)
    response = client.post(f"/api/councils/topics/{topic.pk}/to-case/", {}, format="json")
    assert response.status_code == 200
    case = Case.objects.get()
    assert response.json()["case"] == case.pk and response.json()["case_ticket_no"] == case.ticket_no
    again = client.post(f"/api/councils/topics/{topic.pk}/to-case/", {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "conflict"
    assert api(org.secretary_b).post(f"/api/councils/topics/{topic.pk}/to-case/", {}).status_code == 404


def test_a_topic_to_a_project_is_for_leaders(org):
    topic = council_with_session(org).topics.first()
    due = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = {"keywords": ["堆物"], "lead": org.leader.pk, "due_on": due}
    response = api(org.officer_a).post(f"/api/councils/topics/{topic.pk}/to-project/", body, format="json")
    assert response.status_code == 403
    response = api(org.leader).post(
        f"/api/councils/topics/{topic.pk}/to-project/", {**body, "keywords": []}, format="json"
    )
    assert response.status_code == 400
    response = api(org.leader).post(f"/api/councils/topics/{topic.pk}/to-project/", body, format="json")
    assert response.status_code == 200 and response.json()["project"]


def test_the_figures_api_gives_the_rows_with_their_paths(org):
    council = council_with_session(org).council
    body = api(org.leader).get("/api/governance/figures/").json()
    assert body["date_from"] == f"{timezone.localdate().year}-01-01"
    row = next(r for r in body["rows"] if r["unit"] == {"kind": "community", "id": org.a.pk, "name": "幸福社区"})
    assert row["figures"]["sessions"]["value"] == 1
    assert row["figures"]["sessions"]["url"].startswith(f"/councils/{council.pk}/?from=")
    assert row["figures"]["projects_open"]["url"] == f"/projects/?open=1&community={org.a.pk}"
    assert body["rows"][-1]["unit"]["kind"] == "street"
    assert {f["key"]: f["follows_dates"] for f in body["figures"]}["projects_open"] is False
    mine = api(org.secretary_b).get("/api/governance/figures/").json()
    assert [r["unit"]["id"] for r in mine["rows"]] == [org.b.pk]
    bad = api(org.leader).get("/api/governance/figures/", {"date_from": "2026-05-01", "date_to": "2026-01-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "date_to"
    assert api(org.leader).get("/api/governance/figures/", {"date_from": "x"}).status_code == 400
