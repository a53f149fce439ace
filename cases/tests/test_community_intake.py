"""社区自行登记: a community officer's own case lands at once in their own
community's pairing with them as handler; the page and the API."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseEvent, Channel
from cases.transitions import Action, Status
from hotline.errors import InvalidInput, NotAllowed
from supervision.models import Notification


def _register(org, actor=None, **kwargs):
    data = {
        "channel": Channel.VISIT,
        "title": "3号楼楼道灯不亮",
        "content": "入户走访时居民反映楼道灯坏了",
        "compound": "幸福里",
    }
    data.update(kwargs)
    return services.case_register_in_community(actor=actor or org.officer_a, **data)


def test_an_officers_case_is_dispatched_at_once_to_their_pairing_with_them_as_handler(org):
    case = _register(org)
    assert (case.status, case.pairing_id, case.community_id, case.handler_id) == (
        Status.DISPATCHED,
        org.pairing_a.id,
        org.a.id,
        org.officer_a.id,
    )
    assert case.response_deadline is not None and case.reported_community_id == org.a.id
    events = list(CaseEvent.objects.filter(case=case).values_list("action", "actor", "to_status"))
    assert CaseEvent.objects.filter(case=case, action=Action.REGISTER, data__community_intake=True).exists()
    assert events == [
        (Action.REGISTER, org.officer_a.id, Status.REGISTERED),
        (Action.DISPATCH, org.officer_a.id, Status.DISPATCHED),
    ]
    # The secretary learns of it; the officer is not told of their own step.
    assert set(Notification.objects.filter(case=case).values_list("recipient", flat=True)) == {org.secretary_a.id}


def test_a_secretary_registers_too_and_a_clerk_may_redispatch(org):
    case = _register(org, actor=org.secretary_a, channel=Channel.COMMITTEE_PHONE)
    assert case.handler_id == org.secretary_a.id
    moved = services.case_redispatch(
        case_id=case.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id, reason="属和平社区"
    )
    assert (moved.community_id, moved.handler_id) == (org.b.id, org.officer_b.id)


@pytest.mark.parametrize("role", ["clerk", "chief_a", "leader", "supervisor"])
def test_other_roles_may_not_register_in_a_community(org, role):
    with pytest.raises(NotAllowed):
        _register(org, actor=getattr(org, role))
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"channel": Channel.HOTLINE}, "channel"), ({"title": ""}, "title"), ({"content": "长" * 3001}, "content")],
)
def test_bad_input_is_refused_and_nothing_is_written(org, changes, field):
    with pytest.raises(InvalidInput) as excinfo:
        _register(org, **changes)
    assert excinfo.value.field == field
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_community_without_an_active_pairing_is_told_to_ask_the_clerks(org):
    org.pairing_a.is_active = False
    org.pairing_a.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput, match="包片"):
        _register(org)
    assert not Case.objects.exists()


def test_the_page_registers_and_lands_in_the_officers_inbox(org):
    client = Client()
    client.force_login(org.officer_a)
    assert "社区登记" in client.get(reverse("home"), follow=True).content.decode()
    response = client.post(
        reverse("case-community-register"),
        {
            "channel": Channel.WECHAT,
            "title": "垃圾没人清运",
            "content": "微信群里居民说垃圾桶满了",
            "urgency": "general",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("case-detail", args=[case.pk])
    assert "垃圾没人清运" in client.get(reverse("case-inbox")).content.decode()
    # A clerk has no such page.
    clerk = Client()
    clerk.force_login(org.clerk)
    assert clerk.get(reverse("case-community-register")).status_code == 403


def test_the_page_shows_a_refusal_next_to_the_field(org):
    client = Client()
    client.force_login(org.officer_a)
    response = client.post(reverse("case-community-register"), {"channel": Channel.WECHAT, "title": "", "content": ""})
    assert response.status_code == 400 and not Case.objects.exists()


def test_the_api_registers_and_refuses_with_a_4xx(org):
    api = APIClient()
    api.force_authenticate(org.officer_b)
    answer = api.post(
        "/api/cases/community/",
        {"channel": "council", "title": "议事会提出增设座椅", "content": "居民议事会上提出小区缺少休息座椅"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["status"] == "dispatched"
    assert Case.objects.get().handler_id == org.officer_b.id
    assert api.post("/api/cases/community/", {"channel": "hotline", "title": "x", "content": "y"}).status_code == 400
    api.force_authenticate(org.clerk)
    refused = api.post("/api/cases/community/", {"channel": "visit", "title": "x", "content": "y"}, format="json")
    assert refused.status_code == 403 and Case.objects.count() == 1
