"""The emergency pages and API: the red banner on every staff page until the
caller has been contacted, the steps on the case page, the emergencies list
with its three figures, today's figures on the overview, /api/emergencies/."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from supervision.models import Emergency, EmergencyStatus, Notification, NotificationKind

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def emergency_case(org, walk):
    case = walk.dispatched(title="燃气泄漏")
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="燃气味很重")
    return case


def test_the_banner_is_on_every_staff_page_until_the_caller_is_contacted(org, emergency_case):
    page = browser(org.officer_b).get(reverse("case-search"))
    html = page.content.decode()
    assert 'class="emergency-banner text-bg-danger' in html and emergency_case.ticket_no in html
    # Another community's officer is not given the case's title or link; the case's own are.
    assert "燃气泄漏" not in html
    own = browser(org.officer_a).get(reverse("case-inbox")).content.decode()
    assert reverse("case-detail", args=[emergency_case.pk]) in own and "燃气泄漏" in own
    # No caller data in the banner.
    banner = browser(org.clerk).get(reverse("emergency-banner")).content.decode()
    assert emergency_case.ticket_no in banner and "张三" not in banner and "1381234" not in banner
    services.case_respond(case_id=emergency_case.id, actor=org.officer_a)
    assert (
        'class="emergency-banner text-bg-danger' not in browser(org.clerk).get(reverse("case-queue")).content.decode()
    )
    assert emergency_case.ticket_no not in browser(org.clerk).get(reverse("emergency-banner")).content.decode()


def test_the_lobby_display_never_shows_the_banner(org, emergency_case):
    html = browser(org.display).get("/board/", follow=True).content.decode()
    assert "emergency-banner" not in html


def test_the_case_page_takes_the_emergency_steps(org, walk):
    case = walk.dispatched()
    clerk = browser(org.clerk)
    assert 'id="emergency-raise"' in clerk.get(reverse("case-detail", args=[case.pk])).content.decode()
    # A raise without a note is refused with the field named.
    response = clerk.post(reverse("emergency-step", args=[case.pk, "raise"]), {"note": ""}, follow=True)
    assert "紧急情况" in response.content.decode()
    assert not Emergency.objects.exists()
    response = clerk.post(reverse("emergency-step", args=[case.pk, "raise"]), {"note": "燃气泄漏"}, follow=True)
    assert "已启动应急" in response.content.decode()
    assert Notification.objects.filter(kind=NotificationKind.EMERGENCY, recipient=org.leader).exists()
    officer = browser(org.officer_a)
    assert 'id="emergency-arrive"' in officer.get(reverse("case-detail", args=[case.pk])).content.decode()
    officer.post(reverse("emergency-step", args=[case.pk, "arrive"]), {"note": ""})
    leader = browser(org.leader)
    leader.post(reverse("emergency-step", args=[case.pk, "close"]), {"note": "隐患排除"})
    emergency = Emergency.objects.get(case=case)
    assert emergency.status == EmergencyStatus.CLOSED and emergency.on_scene_by == org.officer_a
    assert emergency.close_note == "隐患排除"
    # Not the officer's step: refused with a message, nothing changes.
    response = officer.post(reverse("emergency-step", args=[case.pk, "raise"]), {"note": "再次"}, follow=True)
    assert "不能" in response.content.decode()
    assert Emergency.objects.filter(case=case).count() == 1


def test_another_communitys_officer_cannot_post_a_step_on_a_case_out_of_scope(org, emergency_case):
    response = browser(org.officer_b).post(reverse("emergency-step", args=[emergency_case.pk, "arrive"]), {})
    assert response.status_code == 404


def test_the_emergencies_page_lists_the_three_figures(org, walk):
    start = timezone.now() - dt.timedelta(hours=3)
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急", at=start)
    services.case_respond(case_id=case.id, actor=org.officer_a, at=start + dt.timedelta(minutes=25))
    services.case_arrive_on_scene(case_id=case.id, actor=org.officer_a, at=start + dt.timedelta(minutes=70))
    services.case_close_emergency(case_id=case.id, actor=org.leader, note="已处置", at=start + dt.timedelta(hours=2))
    html = browser(org.leader).get(reverse("emergency-list"), {"state": "closed"}).content.decode()
    assert case.ticket_no in html
    assert "25分" in html and "1小时10分" in html and "2小时0分" in html
    assert case.ticket_no not in browser(org.leader).get(reverse("emergency-list")).content.decode()
    assert case.ticket_no not in browser(org.officer_b).get(reverse("emergency-list"), {"state": ""}).content.decode()


def test_the_leaders_overview_shows_todays_emergencies_with_time_to_contact(org, emergency_case):
    html = browser(org.leader).get(reverse("street-overview")).content.decode()
    assert "今日应急" in html and "未联系" in html and emergency_case.ticket_no in html


def test_the_menu_offers_the_emergencies_page_to_the_leader(org):
    html = browser(org.leader).get(reverse("street-overview")).content.decode()
    assert reverse("emergency-list") in html


def test_the_api_lists_emergencies_with_the_three_times(org, walk):
    start = timezone.now() - dt.timedelta(hours=1)
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急", at=start)
    services.case_respond(case_id=case.id, actor=org.officer_a, at=start + dt.timedelta(minutes=10))
    (row,) = api(org.leader).get("/api/emergencies/").json()["results"]
    assert row["case"] == case.pk and row["status"] == "raised"
    assert row["seconds_to_contact"] == 600
    assert row["seconds_to_scene"] is None and row["seconds_to_closure"] is None
    assert api(org.officer_b).get("/api/emergencies/").json()["results"] == []
    assert api(org.leader).get("/api/emergencies/?state=bogus").status_code == 400


def test_the_api_raises_attends_and_closes(org, walk):
    case = walk.dispatched()
    assert api(org.officer_a).post("/api/emergencies/", {"case": case.pk, "note": "紧急"}).status_code == 403
    assert api(org.clerk).post("/api/emergencies/", {"case": case.pk, "note": ""}).status_code == 400
    created = api(org.clerk).post("/api/emergencies/", {"case": case.pk, "note": "紧急"})
    assert created.status_code == 201, created.json()
    emergency_id = created.json()["id"]
    again = api(org.leader).post("/api/emergencies/", {"case": case.pk, "note": "紧急"})
    assert again.status_code == 409 and again.json()["code"] == "emergency_open"
    assert api(org.officer_b).post(f"/api/emergencies/{emergency_id}/arrive/", {}).status_code == 404
    arrived = api(org.officer_a).post(f"/api/emergencies/{emergency_id}/arrive/", {})
    assert arrived.status_code == 200 and arrived.json()["status"] == "on_scene"
    assert arrived.json()["seconds_to_scene"] is not None
    closed = api(org.leader).post(f"/api/emergencies/{emergency_id}/close/", {"note": "隐患排除"})
    assert closed.status_code == 200 and closed.json()["close_note"] == "隐患排除"
    assert closed.json()["seconds_to_closure"] is not None
    assert api(org.leader).post(f"/api/emergencies/{emergency_id}/close/", {"note": "再次"}).status_code == 409
    other = api(org.officer_b).post("/api/emergencies/", {"case": case.pk, "note": "紧急"})
    assert other.status_code in (403, 404)


def test_the_schema_of_the_emergencies_api_has_no_warnings():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=[path("api/", include("supervision.api_urls"))]).get_schema(
        request=None, public=True
    )
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
    assert {"/api/emergencies/", "/api/emergencies/{id}/arrive/", "/api/emergencies/{id}/close/"} <= set(
        schema["paths"]
    )
