"""Small things people noticed on the workbench: the register form's channel,
the walk-in channel, numbered pages, tap-to-call, the 待写说明 step."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, Channel, DeadlineRule
from communities.models import Role
from communities.tests.factories import person

pytestmark = pytest.mark.django_db

REGISTER = {"urgency": "general", "title": "楼道堆物", "content": "3号楼楼道堆放杂物。", "caller_phone": "13900001111"}


def test_the_register_form_asks_for_the_channel_instead_of_assuming_12345(client, org):
    client.force_login(org.clerk)
    page = client.get(reverse("case-register")).content.decode()
    select = re.search(r'<select name="channel".*?</select>', page, re.S).group(0)
    assert '<option value="" selected>请选择来源渠道</option>' in select
    assert "12345以外" not in page

    response = client.post(reverse("case-register"), REGISTER)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_a_walk_in_is_a_channel_of_its_own(client, org):
    client.force_login(org.clerk)
    response = client.post(reverse("case-register"), {**REGISTER, "channel": "walk_in"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.WALK_IN
    assert case.get_channel_display() == "来访接待"


def test_a_long_list_has_numbered_pages_and_a_jump_box(client, org):
    services.case_register_many(
        actor=org.clerk, orders=[{"title": f"案件{n}", "content": "内容"} for n in range(30 * 12)]
    )
    client.force_login(org.clerk)
    page = client.get(reverse("case-queue") + "?page=6").content.decode()
    assert '<li class="page-item active" aria-current="page"><span class="page-link">6</span></li>' in page
    for number in (1, 4, 5, 7, 8, 12):
        assert f'page={number}" aria-label="第 {number} 页"' in page
    assert page.count("…") == 2
    assert 'page=2"' not in page
    assert 'name="page" min="1"' in page


def test_the_callers_phone_is_a_tap_to_call_link_only_for_those_who_call(client, org, walk):
    case = walk.replied(caller_phone="138 1234 5678")
    client.force_login(org.officer_a)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert '<a href="tel:13812345678" class="tel-link">138 1234 5678</a>' in page
    client.force_login(org.chief_a)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "tel:" not in page
    assert "138****5678" in page


def test_the_explanation_step_stands_out_when_it_has_cases(client, org, walk):
    walk.needs_explanation()
    client.force_login(org.officer_a)
    page = client.get(reverse("case-inbox")).content.decode()
    tab = re.search(r'<a class="nav-link[^"]*"[^>]*href="\?step=explain"', page).group(0)
    assert "step-alert" in tab
    other = re.search(r'<a class="nav-link[^"]*"[^>]*href="\?step=reply"', page).group(0)
    assert "step-alert" not in other


def test_dispatch_preselects_the_communitys_only_officer(client, org, walk):
    case = walk.registered(reported_community=org.a)
    client.force_login(org.clerk)
    page = client.get(reverse("case-dispatch", args=[case.pk])).content.decode()
    assert f'<option value="{org.officer_a.id}" selected>' in page
    options = client.get(reverse("case-handler-options"), {"pairing": org.pairing_a.pk}).content.decode()
    assert f'<option value="{org.officer_a.id}" selected>' in options


def test_dispatch_preselects_nobody_when_the_community_has_two_officers(client, org, walk):
    person(Role.OFFICER, community=org.a, street=org.street, full_name="第二社工")
    client.force_login(org.clerk)
    options = client.get(reverse("case-handler-options"), {"pairing": org.pairing_a.pk}).content.decode()
    assert "selected" not in options


def test_the_queue_shows_how_long_each_case_has_waited_warned_by_urgency(client, org):
    long_ago = timezone.now() - dt.timedelta(hours=35)
    utility = services.case_register(
        actor=org.clerk, title="暖气不热", content="5号楼暖气不热。", urgency="utility", at=long_ago
    )
    general = services.case_register(
        actor=org.clerk, title="路灯不亮", content="东门路灯不亮。", at=timezone.now() - dt.timedelta(minutes=20)
    )
    client.force_login(org.clerk)
    page = client.get(reverse("case-queue")).content.decode()
    rows = {
        case.pk: re.search(rf'href="/cases/{case.pk}/".*?</tr>', page, re.S).group(0) for case in (utility, general)
    }
    assert "deadline-overdue" in rows[utility.pk]
    assert "已等待 1天11小时，超过派发时限" in rows[utility.pk]
    assert 'title="应在30分钟内派发"' in rows[utility.pk]
    assert "deadline-ok" in rows[general.pk]
    assert "已等待 20分钟" in rows[general.pk]


def test_a_returned_case_waits_from_its_return(client, org, walk):
    case = walk.dispatched(urgency="emergency")
    services.case_return(case_id=case.id, actor=org.officer_a, reason="不属于本社区")
    DeadlineRule.objects.filter(urgency="emergency").update(dispatch_minutes=5)
    client.force_login(org.clerk)
    page = client.get(reverse("case-queue")).content.decode()
    assert "已等待 0分钟" in page
    assert 'title="应在5分钟内派发"' in page


def test_every_figure_of_the_leaders_overview_opens_exactly_its_cases(client, org, walk):
    walk.registered()
    walk.dispatched(urgency="emergency")
    walk.replied()
    walk.needs_explanation()
    late = walk.responded()
    Case.objects.filter(pk=late.pk).update(closure_deadline=timezone.now() - dt.timedelta(hours=1))
    client.force_login(org.leader)
    page = client.get(reverse("street-overview")).content.decode()
    links = re.findall(
        r'<a class="[^"]*" href="(/cases/search/\?[^"]+)"[^>]*>(?:<span class="stat-value">)?(\d+)<', page
    )
    links += re.findall(r'<a (?:class="[^"]*" )?href="(/cases/search/\?[^"]+)" aria-label="[^"]+">(\d+)</a>', page)
    assert len(links) >= 5 + 2 * 5
    for url, figure in links:
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        assert response.context["page"].paginator.count == int(figure), url
