"""The council pages and the governance overview page: scoping, masking,
the forms' steps and their errors."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from governance import councils
from governance.models import CouncilSession, CouncilTopic
from governance.tests.councils_helpers import council_with_session

pytestmark = pytest.mark.django_db


def test_a_community_user_goes_straight_to_their_council(client, org):
    council = council_with_session(org).council
    client.force_login(org.officer_a)
    response = client.get(reverse("council-list"))
    assert response.status_code == 302 and response.url == reverse("council-detail", args=[council.pk])


def test_a_community_without_a_council_sets_one_up(client, org):
    client.force_login(org.secretary_b)
    response = client.get(reverse("council-list"))
    assert response.status_code == 200 and "设立议事厅" in response.content.decode()
    response = client.post(reverse("council-list"), {"community": org.b.pk})
    assert response.status_code == 302
    assert org.b.council.pk
    # Not for another community.
    response = client.post(reverse("council-list"), {"community": org.a.pk}, follow=True)
    assert "只有本社区" in response.content.decode()


def test_leaders_see_every_communitys_council_with_counts(client, org):
    council_with_session(org)
    client.force_login(org.leader)
    body = client.get(reverse("council-list")).content.decode()
    assert "幸福社区" in body and "和平社区" in body and "尚未设立议事厅" in body
    assert "设立议事厅</button>" not in body


def test_another_community_gets_404_and_a_chief_403(client, org):
    council = council_with_session(org).council
    client.force_login(org.secretary_b)
    assert client.get(reverse("council-detail", args=[council.pk])).status_code == 404
    assert client.get(reverse("council-session-new", args=[council.pk])).status_code == 404
    client.force_login(org.chief_a)
    assert client.get(reverse("council-detail", args=[council.pk])).status_code == 403


def test_member_phones_are_masked_except_for_the_community(client, org):
    council = council_with_session(org).council
    client.force_login(org.leader)
    body = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert "13811112222" not in body and "*******2222" in body
    client.force_login(org.officer_a)
    assert "13811112222" in client.get(reverse("council-detail", args=[council.pk])).content.decode()


def test_the_secretary_adds_and_deactivates_a_member(client, org):
    council = council_with_session(org).council
    client.force_login(org.secretary_a)
    url = reverse("council-detail", args=[council.pk])
    response = client.post(url, {"step": "member_add", "name": "", "kind": "resident"})
    assert response.status_code == 400 and "必填" in response.content.decode()
    response = client.post(url, {"step": "member_add", "name": "陈物业", "kind": "property", "phone": "010-65123456"})
    assert response.status_code == 302
    member = council.members.get(name="陈物业")
    assert member.phone == "01065123456"
    assert client.post(url, {"step": "member_deactivate", "member": member.pk}).status_code == 302
    member.refresh_from_db()
    assert not member.is_active


def test_the_secretary_records_a_session_and_bad_input_writes_nothing(client, org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    client.force_login(org.secretary_a)
    url = reverse("council-session-new", args=[council.pk])
    assert client.get(url).status_code == 200
    held = (timezone.localtime() - dt.timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")
    form = {
        "held_at": held,
        "place": "活动室",
        "summary": "",
        "topics-TOTAL_FORMS": "3",
        "topics-INITIAL_FORMS": "0",
        "topics-0-title": "",
        "topics-0-outcome": "",
    }
    response = client.post(url, form)
    assert response.status_code == 400 and "请至少填写一个议题" in response.content.decode()
    assert not CouncilSession.objects.exists()
    form.update({"topics-0-title": "<b>停车难</b>", "topics-0-outcome": "划线停车"})
    response = client.post(url, form)
    assert response.status_code == 302
    topic = CouncilTopic.objects.get()
    assert topic.title == "<b>停车难</b>"
    body = client.get(reverse("council-detail", args=[council.pk])).content.decode()
    assert "&lt;b&gt;停车难&lt;/b&gt;" in body and "<b>停车难</b>" not in body


def test_leaders_do_not_record_sessions(client, org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    client.force_login(org.leader)
    response = client.get(reverse("council-session-new", args=[council.pk]))
    assert response.status_code == 302


def test_a_topic_becomes_a_case_and_the_case_page_names_the_council(client, org):
    session = council_with_session(org)
    topic = session.topics.first()
    client.force_login(org.officer_a)
    url = reverse("council-detail", args=[session.council_id])
    body = client.get(url).content.decode()
    assert "转为案件" in body and "转为治理项目</summary>" not in body
    response = client.post(url, {"step": "to_case", "topic": topic.pk, "case-urgency": "general"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("case-detail", args=[case.pk])
    page = client.get(response.url).content.decode()
    assert "议事会议题" in page and topic.title in page and f"#topic-{topic.pk}" in page
    # Again: refused with a message, no second case.
    response = client.post(url, {"step": "to_case", "topic": topic.pk, "case-urgency": "general"})
    assert response.status_code == 409 and Case.objects.count() == 1
    assert case.ticket_no in client.get(url).content.decode()


def test_a_topic_of_another_council_is_not_found_through_this_one(client, org):
    topic = council_with_session(org).topics.first()
    other = councils.council_get_or_create(actor=org.secretary_b, community_id=org.b.pk)
    client.force_login(org.secretary_b)
    url = reverse("council-detail", args=[other.pk])
    response = client.post(url, {"step": "to_case", "topic": topic.pk, "case-urgency": "general"})
    assert response.status_code == 404 and not Case.objects.exists()


def test_a_leader_turns_a_topic_into_a_project_from_the_page(client, org):
    session = council_with_session(org)
    topic = session.topics.first()
    client.force_login(org.leader)
    url = reverse("council-detail", args=[session.council_id])
    data = {"step": "to_project", "topic": topic.pk, "project-lead": org.leader.pk, "project-keywords": ""}
    data["project-due_on"] = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 400 and "问题类别" in response.content.decode()
    data["project-keywords"] = "堆物，楼道"
    assert client.post(url, data).status_code == 302
    topic.refresh_from_db()
    assert topic.project is not None and topic.project.keywords == ["堆物", "楼道"]


def test_the_overview_page_links_each_figure_and_says_which_follow_the_dates(client, org):
    council_with_session(org)
    client.force_login(org.leader)
    response = client.get(reverse("governance-overview"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "按所选时段" in body and "截至今天" in body
    assert f"/projects/?open=1&amp;community={org.a.pk}" in body
    assert "测试街道合计" in body or "合计" in body
    client.force_login(org.secretary_b)
    body = client.get(reverse("governance-overview")).content.decode()
    assert "和平社区" in body and "幸福社区" not in body and "合计" not in body.split("figures-table")[1]


def test_the_overview_refuses_dates_the_wrong_way_round(client, org):
    client.force_login(org.leader)
    response = client.get(reverse("governance-overview"), {"date_from": "2026-05-01", "date_to": "2026-04-01"})
    assert response.status_code == 400 and "截止日期不能早于起始日期" in response.content.decode()


def test_the_council_page_shows_only_the_sessions_of_the_chosen_days(client, org):
    old = council_with_session(org, held_at=timezone.now() - dt.timedelta(days=40), topics=[{"title": "旧议题"}])
    councils.council_session_record(
        actor=org.secretary_a,
        council_id=old.council_id,
        held_at=timezone.now() - dt.timedelta(days=2),
        place="活动室",
        topics=[{"title": "新议题"}],
    )
    client.force_login(org.leader)
    url = reverse("council-detail", args=[old.council_id])
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    body = client.get(url, {"from": day, "to": timezone.localdate().isoformat()}).content.decode()
    assert "新议题" in body and "旧议题" not in body and "显示全部" in body
    body = client.get(url).content.decode()
    assert "新议题" in body and "旧议题" in body


def test_the_case_page_names_the_council_without_a_link_for_who_does_not_see_it(client, org):
    topic = council_with_session(org).topics.first()
    topic = councils.council_topic_to_case(actor=org.officer_a, topic_id=topic.pk)
    client.force_login(org.chief_a)  # the pairing's chief sees the case, not the council
    body = client.get(reverse("case-detail", args=[topic.case_id])).content.decode()
    assert "幸福社区初心议事厅" in body and f"#topic-{topic.pk}" not in body


def test_the_list_counts_the_sessions_of_the_chosen_days(client, org):
    old = council_with_session(org, held_at=timezone.now() - dt.timedelta(days=40))
    councils.council_session_record(
        actor=org.secretary_a,
        council_id=old.council_id,
        held_at=timezone.now() - dt.timedelta(days=2),
        place="活动室",
        topics=[{"title": "新议题"}],
    )
    client.force_login(org.leader)
    day = (timezone.localdate() - dt.timedelta(days=10)).isoformat()
    response = client.get(reverse("council-list"), {"from": day, "to": timezone.localdate().isoformat()})
    row = next(r for r in response.context["rows"] if r.council is not None)
    assert (row.council.sessions_count, row.council.topics_count, row.council.members_active) == (1, 1, 1)
    assert "不限日期" in response.content.decode()
    row = next(r for r in client.get(reverse("council-list")).context["rows"] if r.council is not None)
    assert (row.council.sessions_count, row.council.topics_count) == (2, 3)
    client.force_login(org.officer_a)  # straight to the council, with the days
    response = client.get(reverse("council-list"), {"from": day})
    assert response.status_code == 302 and response.url.endswith(f"/councils/{old.council_id}/?from={day}")
