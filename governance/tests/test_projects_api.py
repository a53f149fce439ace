"""The project API: scoped list and detail (404 out of scope), create and its
400s, transitions (409), milestones, notes, linked cases (out of scope
refused), from-hotspot, and the calls before/after."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.hotspot_classes import hotspot_similar_classes
from cases.hotspots import hotspot_filters
from governance import projects
from governance.models import Project, ProjectCase
from governance.tests.projects_support import case_at, make_project

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_the_list_is_scoped_and_filtered(api, org):
    mine = make_project(org, title="甲", community_ids=[org.a.pk])
    other = make_project(org, title="乙", kind="class", community_ids=[org.b.pk])
    api.force_authenticate(org.officer_a)
    rows = api.get("/api/projects/").json()
    ids = [row["id"] for row in (rows["results"] if isinstance(rows, dict) else rows)]
    assert ids == [mine.pk]
    assert api.get(f"/api/projects/{other.pk}/").status_code == 404
    assert api.get(f"/api/projects/{other.pk}/").json()["code"] == "not_found"
    detail = api.get(f"/api/projects/{mine.pk}/").json()
    assert detail["available_actions"] == ["note_add"]
    api.force_authenticate(org.leader)
    rows = api.get("/api/projects/", {"kind": "class"}).json()
    assert [row["id"] for row in (rows["results"] if isinstance(rows, dict) else rows)] == [other.pk]
    assert api.get("/api/projects/", {"month": "nope"}).status_code == 400
    detail = api.get(f"/api/projects/{mine.pk}/").json()
    assert "start" in detail["available_actions"] and "milestone_add" in detail["available_actions"]


def test_create_refuses_a_project_without_class_or_lead(api, org):
    api.force_authenticate(org.leader)
    today = timezone.localdate()
    data = {"kind": "monthly", "title": "噪音", "starts_on": today, "due_on": today + dt.timedelta(days=9)}
    response = api.post("/api/projects/", {**data, "lead": org.leader.pk}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "category_paths"
    response = api.post("/api/projects/", {**data, "keywords": ["噪音"]}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "lead"
    api.force_authenticate(org.clerk)
    response = api.post("/api/projects/", {**data, "keywords": ["噪音"], "lead": org.leader.pk}, format="json")
    assert response.status_code == 403
    assert not Project.objects.exists()
    api.force_authenticate(org.leader)
    response = api.post("/api/projects/", {**data, "keywords": ["噪音"], "lead": org.leader.pk}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "proposed"


def test_steps_and_their_errors(api, org, walk):
    project = make_project(org)
    api.force_authenticate(org.leader)
    url = f"/api/projects/{project.pk}/"
    assert api.post(url + "transition/", {"action": "complete"}, format="json").status_code == 409
    response = api.post(url + "transition/", {"action": "shelve"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "reason"
    response = api.post(
        url + "milestones/",
        {"title": "摸排", "owner": org.officer_a.pk, "due_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert response.status_code == 201
    milestone = response.json()["milestones"][0]["id"]
    api.force_authenticate(org.officer_b)
    assert (
        api.post(url + "milestone-step/", {"milestone": milestone, "action": "complete"}, format="json").status_code
        == 404
    )
    assert response.json()["milestones"][0]["available_actions"] == ["complete"]  # a leader
    api.force_authenticate(org.officer_a)  # the owner sees the project through the milestone
    assert api.get(url).json()["milestones"][0]["available_actions"] == ["complete"]
    response = api.post(url + "milestone-step/", {"milestone": milestone, "action": "complete"}, format="json")
    assert response.status_code == 200 and response.json()["milestones"][0]["status"] == "done"
    response = api.post(url + "notes/", {"text": "已完成摸排"})
    assert response.status_code == 201
    case = walk.dispatched()  # community A: outside chief B's scope
    api.force_authenticate(org.leader)
    response = api.post(url + "cases/", {"case_ids": [case.pk, 987654]}, format="json")
    assert response.status_code == 404 and not ProjectCase.objects.exists()
    response = api.post(url + "cases/", {"case_ids": [case.pk]}, format="json")
    assert response.status_code == 200 and response.json()["case_ids"] == [case.pk]
    api.force_authenticate(org.chief_b)  # a milestone would let chief B see the project; the case stays hidden
    projects.milestone_add(
        actor=org.leader, project_id=project.pk, title="协调", owner_id=org.chief_b.pk, due_on=timezone.localdate()
    )
    assert api.get(url).json()["case_ids"] == []
    api.force_authenticate(org.leader)
    assert api.post(url + "unlink/", {"case_id": case.pk}, format="json").json()["case_ids"] == []
    calls = api.get(url + "calls/").json()
    assert calls["too_young"] is True and calls["linked"]["count"] == 0


def test_from_hotspot_and_the_calls(api, org):
    now = timezone.now()
    for i in range(3):
        case_at(org, at=now - dt.timedelta(days=i + 1), title="楼道堆物", content=f"{i + 2}号楼楼道堆满杂物")
    key = hotspot_similar_classes(user=org.leader, filters=hotspot_filters())[0].key
    api.force_authenticate(org.leader)
    response = api.post("/api/projects/from-hotspot/", {"key": key}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "monthly" and len(body["case_ids"]) == 3
    assert api.post("/api/projects/from-hotspot/", {"key": "无此类"}, format="json").status_code == 404
    api.force_authenticate(org.officer_a)
    assert api.post("/api/projects/from-hotspot/", {"key": key}, format="json").status_code == 403


def test_the_similar_classes_api_lists_the_pages_classes_scoped_and_its_key_opens_a_project(api, org):
    now = timezone.now()
    for i in range(3):
        case_at(org, at=now - dt.timedelta(days=i + 1), title="楼道堆物", content=f"{i + 2}号楼楼道堆满杂物")
    case_at(org, at=now - dt.timedelta(days=1), title="路灯不亮", content="东门路灯不亮")
    expected = hotspot_similar_classes(user=org.leader, filters=hotspot_filters())
    api.force_authenticate(org.leader)
    rows = api.get("/api/hotspots/classes/").json()
    assert [(r["key"], r["count"], r["case_ids"]) for r in rows] == [(c.key, c.count, c.case_ids) for c in expected]
    assert rows and rows[0]["count"] == 3
    bad = api.get("/api/hotspots/classes/", {"received_after": "2026-13-01"})
    assert bad.status_code == 400 and bad.json()["field"] == "received_after"
    response = api.post("/api/projects/from-hotspot/", {"key": rows[0]["key"]}, format="json")
    assert response.status_code == 201 and sorted(response.json()["case_ids"]) == rows[0]["case_ids"]
    api.force_authenticate(org.officer_a)  # none of these cases is dispatched to community A
    assert api.get("/api/hotspots/classes/").json() == []
    api.force_authenticate(None)
    assert api.get("/api/hotspots/classes/").status_code in (401, 403)


def test_edit_keeps_the_rules_of_creation(api, org):
    project = make_project(org)
    api.force_authenticate(org.leader)
    data = {
        "title": "改名",
        "lead": org.leader.pk,
        "starts_on": project.starts_on.isoformat(),
        "due_on": project.due_on.isoformat(),
    }
    response = api.post(f"/api/projects/{project.pk}/edit/", data, format="json")
    assert response.status_code == 400 and response.json()["field"] == "category_paths"
    response = api.post(f"/api/projects/{project.pk}/edit/", {**data, "keywords": ["停车"]}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "改名"
    assert response.json()["keywords"] == ["停车"]


def test_the_detail_reads_its_milestones_owners_in_the_same_queries_whatever_their_number(api, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api.force_authenticate(org.leader)
    project = make_project(org)
    owners = [org.officer_a, org.officer_b, org.chief_a, org.secretary_a]
    counts = []
    for owner in owners:
        projects.milestone_add(
            actor=org.leader, project_id=project.pk, title="节点", owner_id=owner.pk, due_on=timezone.localdate()
        )
        api.get(f"/api/projects/{project.pk}/")
        with CaptureQueriesContext(connection) as queries:
            detail = api.get(f"/api/projects/{project.pk}/").json()
        counts.append(len(queries))
    assert len(detail["milestones"]) == len(owners)
    assert len(set(counts)) == 1, counts
