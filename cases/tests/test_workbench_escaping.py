"""Citizen-supplied text and staff notes shown on every workbench page, the
htmx partials and the JSON embedded in pages: always as text, never as markup."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(2)>'
PAYLOAD = SCRIPT + ATTR


def _hostile(**extra):
    fields = ("title", "content", "address", "compound", "caller_name", "category")
    return {
        name: f"{name}{PAYLOAD}"[:60] if name in ("caller_name",) else f"{name}{PAYLOAD}" for name in fields
    } | extra


def _assert_inert(page: str, where: str) -> None:
    assert "<script>alert" not in page, where
    assert "<img src=x" not in page, where
    # JSON in <script> blocks: json_script escapes <, >, & as \\u003C etc.
    assert "</script><img" not in page, where


@pytest.fixture
def hostile(org, walk):
    """One hostile case in each place a page lists cases, with every note hostile too."""
    registered = walk.registered(**_hostile(), tags=["每月一题"])
    returned = walk.dispatched(**_hostile())
    services.case_return(case_id=returned.id, actor=org.officer_a, reason=f"退单{PAYLOAD}")
    signing = walk.responded(**_hostile())
    services.case_request_extension(case_id=signing.id, actor=org.officer_a, working_days=3, reason=f"延期{PAYLOAD}")
    services.case_supervise(case_id=signing.id, actor=org.supervisor, kind="phone", note=f"督办{PAYLOAD}")
    services.case_reply(case_id=signing.id, actor=org.officer_a, text=f"结果{PAYLOAD}")
    explaining = walk.explanation_written(**_hostile())
    services.case_write_explanation(case_id=explaining.id, actor=org.officer_a, text=f"说明{PAYLOAD}")
    overdue = walk.dispatched(**_hostile())
    services.case_respond(case_id=overdue.id, actor=org.officer_a, note=f"联系{PAYLOAD}")
    past = timezone.now() - dt.timedelta(days=1)
    Case.objects.filter(pk=overdue.pk).update(closure_deadline=past, response_deadline=past)
    closed = walk.needs_explanation(**_hostile())
    services.case_exclude(case_id=closed.id, actor=org.leader, reason="untrue", note=f"核减{PAYLOAD}")
    return [registered, returned, signing, explaining, overdue, closed]


def test_every_page_shows_hostile_text_as_text(client, org, hostile):
    lists = {
        org.clerk: ["case-queue", "case-deadlines", "case-search", "case-hotspots"],
        org.officer_a: ["case-inbox", "case-search"],
        org.secretary_a: ["signature-waiting", "case-inbox", "case-hotspots"],
        org.chief_a: ["signature-waiting", "case-search"],
        org.leader: ["street-overview", "extension-list", "case-overdue", "case-deadlines", "case-hotspots"],
        org.supervisor: ["case-overdue", "street-overview"],
    }
    for user, names in lists.items():
        client.force_login(user)
        for name in names:
            response = client.get(reverse(name))
            assert response.status_code == 200, name
            _assert_inert(response.content.decode(), f"{user.username} {name}")
        for case in hostile:
            response = client.get(reverse("case-detail", args=[case.pk]))
            if response.status_code == 200:
                _assert_inert(response.content.decode(), f"{user.username} case {case.pk}")
    # The hostile text is there, escaped: the checks above did look at it.
    client.force_login(org.leader)
    page = client.get(reverse("case-detail", args=[hostile[2].pk])).content.decode()
    for shown in ("title", "content", "address", "结果", "延期", "督办"):
        assert f"{shown}&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img" in page, shown
    client.force_login(org.clerk)
    for name, case in (("case-dispatch", hostile[0]), ("case-dispatch", hostile[1]), ("case-redispatch", hostile[2])):
        response = client.get(reverse(name, args=[case.pk]))
        assert response.status_code == 200
        _assert_inert(response.content.decode(), name)


def test_htmx_partials_show_hostile_text_as_text(client, org, hostile):
    client.force_login(org.officer_a)
    for step in ("contact", "reply", "signing", "explain", "returned"):
        response = client.get(reverse("case-inbox"), {"step": step}, headers={"HX-Request": "true"})
        assert response.status_code == 200
        _assert_inert(response.content.decode(), f"inbox {step}")
    client.force_login(org.clerk)
    for params in ({"tag": "每月一题"}, {"q": PAYLOAD}):
        response = client.get(reverse("case-hotspots"), params, headers={"HX-Request": "true"})
        assert response.status_code == 200
        _assert_inert(response.content.decode(), f"hotspots {params}")


def test_the_hotspot_classes_partial_shows_hostile_titles_as_text(client, org, walk):
    # Two complaints alike make a 相似诉求 class, shown by its words and an example title.
    walk.registered(title=f"楼道堆满杂物{SCRIPT}", content="三号楼楼道堆满杂物，有火灾隐患")
    walk.registered(title=f"楼道堆满杂物{ATTR}", content="五号楼楼道堆满杂物，有火灾隐患")
    client.force_login(org.leader)
    response = client.get(reverse("case-hotspot-classes"), headers={"HX-Request": "true"})
    assert response.status_code == 200 and "similar-class" in response.content.decode()
    _assert_inert(response.content.decode(), "hotspot classes")


def test_a_hostile_search_term_is_echoed_as_text(client, org, hostile):
    client.force_login(org.clerk)
    page = client.get(reverse("case-search"), {"q": PAYLOAD, "page": ATTR}).content.decode()
    _assert_inert(page, "search")
