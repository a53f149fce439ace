"""The read-only organisation API that feeds the dispatch form."""

import pytest
from rest_framework.test import APIClient

from communities.models import Role
from communities.tests.factories import CommunityFactory, DepartmentFactory, PairingFactory, person


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def test_communities_and_departments_are_listed_by_name(org):
    CommunityFactory(street=org.street, name="时代风帆楼宇", kind="building", is_active=False)
    rows = api(org.clerk).get("/api/communities/").json()["results"]
    # Sets, not lists: the order of Chinese names depends on the database collation.
    assert {(r["name"], r["kind_label"], r["is_active"]) for r in rows} == {
        ("和平社区", "社区", True),
        ("幸福社区", "社区", True),
        ("时代风帆楼宇", "楼宇/商务单元", False),
    }
    active = api(org.clerk).get("/api/communities/", {"is_active": "true"}).json()["results"]
    assert {r["name"] for r in active} == {"和平社区", "幸福社区"}
    departments = api(org.officer_a).get("/api/departments/").json()["results"]
    assert {d["name"] for d in departments} == {"城管科", "民生科"}


def test_pairings_carry_community_department_and_chief_and_filter_by_community(org):
    rows = api(org.clerk).get("/api/pairings/").json()["results"]
    assert {(r["name"], r["community"]["name"], r["department"]["name"], r["chief"]["name"]) for r in rows} == {
        ("和平社区 + 民生科", "和平社区", "民生科", "王科长"),
        ("幸福社区 + 城管科", "幸福社区", "城管科", "李科长"),
    }
    rows = api(org.clerk).get("/api/pairings/", {"community": org.a.id}).json()["results"]
    assert [r["id"] for r in rows] == [org.pairing_a.id]


def test_inactive_pairings_are_not_offered(org):
    PairingFactory(community=org.a, department=DepartmentFactory(street=org.street, name="旧科室"), is_active=False)
    rows = api(org.clerk).get("/api/pairings/", {"community": org.a.id}).json()["results"]
    assert [r["id"] for r in rows] == [org.pairing_a.id]


def test_handlers_of_a_pairing_are_its_community_officers_and_secretaries(org):
    person(Role.OFFICER, community=org.a, street=org.street, full_name="陈社工")
    rows = api(org.clerk).get(f"/api/pairings/{org.pairing_a.id}/handlers/").json()
    assert [(r["name"], r["role"]) for r in rows] == [
        ("钱社工", "officer"),
        ("陈社工", "officer"),
        ("孙书记", "secretary"),
    ]
    assert {r["id"] for r in rows} >= {org.officer_a.id, org.secretary_a.id}, "the ids the dispatch endpoint takes"


def test_unknown_pairing_answers_404_json(org):
    response = api(org.clerk).get("/api/pairings/999999/handlers/")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.parametrize("role", ["display", None])
def test_the_lobby_display_and_anonymous_callers_are_refused(org, role):
    client = api(getattr(org, role) if role else None)
    for url in [
        "/api/communities/",
        "/api/departments/",
        "/api/pairings/",
        f"/api/pairings/{org.pairing_a.id}/handlers/",
    ]:
        response = client.get(url)
        assert response.status_code == (403 if role else 401), url
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}


def test_an_account_without_a_role_is_refused(org, django_user_model):
    user = django_user_model.objects.create_user(username="bare", password="x-12345678")
    response = api(user).get("/api/communities/")
    assert response.status_code == 403
    assert response.json()["detail"] == "您的账号没有可使用此接口的岗位。"


def test_organisation_is_read_only(org):
    response = api(org.clerk).post("/api/communities/", {"name": "新社区"}, format="json")
    assert response.status_code == 405
    assert CommunityFactory._meta.model.objects.count() == 2
