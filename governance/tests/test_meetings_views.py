"""The 吹哨 meeting pages: scoping (a community its own, another community
nothing, leaders the street), convene from a case, the steps on a meeting's
page, the 会议纪要 on A4, the decisions list's filters, the case page's card
and the reply form's 吹哨 fields pre-filled from a held meeting."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from cases.models import CaseEvent
from cases.transitions import Action
from governance import meetings
from governance.meetings_selectors import meeting_whistle_facts_for_case
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import Decision, Meeting, Organisation, OrganisationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def company(org):
    return Organisation.objects.create(street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="安居物业")


def convene(org, case, company, actor=None, **kwargs):
    data = {
        "actor": actor or org.leader,
        "title": "电梯协调会",
        "held_at": timezone.now(),
        "place": "居委会",
        "agenda": "议程",
        "case_ids": [case.pk],
        "organisation_ids": [company.pk],
        "department_ids": [org.d1.pk],
    }
    data.update(kwargs)
    return meetings.meeting_convene(**data)


def held_with_decisions(org, case, company):
    meeting = convene(org, case, company)
    meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="物业承诺更换主板。")
    today = timezone.localdate()
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="物业更换电梯主板",
        organisation_id=company.pk,
        follow_up_id=org.secretary_a.pk,
        due_on=today + dt.timedelta(days=7),
    )
    meetings.decision_add(
        actor=org.leader, meeting_id=meeting.pk, text="城管科督促", owner_id=org.chief_a.pk, due_on=today
    )
    return meeting


def test_scoping_a_community_sees_its_own_and_leaders_see_the_street(client, org, walk, company):
    meeting = convene(org, walk.dispatched(), company)
    url = f"/meetings/{meeting.pk}/"
    for user, status in [
        (org.leader, 200),
        (org.clerk, 200),
        (org.supervisor, 200),
        (org.secretary_a, 200),
        (org.officer_a, 200),
        (org.chief_a, 200),  # the department at the table
        (org.secretary_b, 404),
        (org.officer_b, 404),
        (org.chief_b, 404),
    ]:
        client.force_login(user)
        assert client.get(url).status_code == status, user
        listed = client.get("/meetings/").content.decode()
        assert (url in listed) == (status == 200), user
    client.force_login(org.display)
    assert client.get(url).status_code == 302  # the lobby screen goes back to its board


def test_a_leader_convenes_from_the_case_page(client, org, walk, company):
    case = walk.dispatched()
    client.force_login(org.leader)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert f"/meetings/new/?case={case.pk}" in page and "召集吹哨会议" in page
    form = client.get(f"/meetings/new/?case={case.pk}").content.decode()
    assert case.ticket_no in form
    response = client.post(
        f"/meetings/new/?case={case.pk}",
        {
            "title": "电梯协调会",
            "held_at": "2026-05-12T09:30",
            "place": "居委会",
            "agenda": "议程",
            "cases": case.ticket_no,
            "organisations": [company.pk],
            "residents": "居民代表老张\n",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert [p.label for p in meeting.parties.all()] == ["安居物业", "居民代表老张"]
    timeline = client.get(f"/cases/{case.pk}/").content.decode()
    assert "电梯协调会" in timeline and f"/meetings/{meeting.pk}/" in timeline


def test_an_officer_has_no_convene_link_and_is_refused(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_a)
    assert f"/meetings/new/?case={case.pk}" not in client.get(f"/cases/{case.pk}/").content.decode()
    assert client.get("/meetings/new/").status_code == 302


def test_a_case_out_of_scope_is_refused_on_the_page(client, org, walk, company):
    walk.dispatched()
    other = walk.registered(title="别处")
    client.force_login(org.secretary_b)
    assert client.get(f"/meetings/new/?case={other.pk}").status_code == 404
    response = client.post(
        "/meetings/new/",
        {
            "title": "x",
            "held_at": "2026-05-12T09:30",
            "place": "x",
            "agenda": "x",
            "cases": other.ticket_no,
            "organisations": [company.pk],
        },
    )
    assert response.status_code == 400 and "不在您的办理范围内" in response.content.decode()
    assert not Meeting.objects.exists()


def test_minutes_decisions_and_done_through_the_page(client, org, walk, company):
    meeting = convene(org, walk.dispatched(), company)
    client.force_login(org.leader)
    url = f"/meetings/{meeting.pk}/"
    party = meeting.parties.get(organisation=company)
    response = client.post(
        url,
        {
            "step": "minutes",
            "m-minutes": "物业承诺更换主板。",
            f"m-attended_{party.pk}": "on",
            f"m-attendee_{party.pk}": "王经理",
        },
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert not meeting.parties.get(department=org.d1).attended  # unticked: absent
    # A decision without an owner or a due date: refused next to the field, nothing written.
    response = client.post(url, {"step": "decision", "text": "更换主板", "due_on": "2030-01-01"})
    assert response.status_code == 400 and "请指定责任人" in response.content.decode()
    response = client.post(url, {"step": "decision", "text": "更换主板", "owner": org.chief_a.pk})
    assert response.status_code == 400 and "请填写完成期限" in response.content.decode()
    assert not Decision.objects.exists()
    response = client.post(
        url,
        {
            "step": "decision",
            "text": "更换主板",
            "organisation": company.pk,
            "follow_up": org.secretary_a.pk,
            "due_on": "2030-01-01",
        },
    )
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert client.post(url, {"step": "complete", "decision": decision.pk, "note": "已换"}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DONE and decision.done_note == "已换"
    # A second click: a clear message, no change.
    response = client.post(url, {"step": "complete", "decision": decision.pk}, follow=True)
    assert "不能再完成" in response.content.decode()


def test_the_minutes_print_on_a4_without_navigation(client, org, walk, company):
    meeting = held_with_decisions(org, walk.dispatched(), company)
    client.force_login(org.secretary_a)
    response = client.get(f"/meetings/{meeting.pk}/minutes/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "会议纪要" in page and "物业更换电梯主板" in page and "安居物业" in page
    assert "meeting-minutes-print.css" in page and "app-navbar" not in page
    client.force_login(org.secretary_b)
    assert client.get(f"/meetings/{meeting.pk}/minutes/").status_code == 404


def test_the_print_stylesheet_sets_a4():
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "meeting-minutes-print.css").read_text()
    assert re.search(r"@page\s*\{\s*size:\s*A4", css) and "@media print" in css


def test_the_decisions_list_filters_by_state_and_unit(client, org, walk, company):
    meeting = held_with_decisions(org, walk.dispatched(), company)
    _open_one, due_today = meeting.decisions.order_by("pk")
    meetings.decision_complete(actor=org.chief_a, decision_id=due_today.pk)
    client.force_login(org.leader)

    def listed(query: str) -> set[str]:
        page = client.get(f"/meetings/decisions/?{query}").content.decode()
        return {text for text in ("物业更换电梯主板", "城管科督促") if text in page}

    assert listed("") == {"物业更换电梯主板", "城管科督促"}
    assert listed("state=open") == {"物业更换电梯主板"}
    assert listed("state=done_on_time") == {"城管科督促"}
    assert listed("state=done_late") == set()
    assert listed("state=late") == set()
    assert listed(f"community={org.a.pk}") == {"物业更换电梯主板", "城管科督促"}
    assert listed(f"community={org.b.pk}") == set()
    assert listed(f"department={org.d1.pk}") == {"物业更换电梯主板", "城管科督促"}
    assert listed(f"department={org.d2.pk}") == set()
    meetings_page = client.get("/meetings/?decisions=done_on_time").content.decode()
    assert meeting.title in meetings_page


def test_the_reply_form_is_prefilled_from_a_held_meeting(client, org, walk, company):
    case = walk.responded()
    assert meeting_whistle_facts_for_case(case.pk) is None
    convene(org, case, company)
    assert meeting_whistle_facts_for_case(case.pk) is None  # scheduled only: no 吹哨 yet
    meeting = held_with_decisions(org, case, company)
    meeting.parties.create(kind="resident", name="张大爷")
    facts = meeting_whistle_facts_for_case(case.pk)
    assert facts is not None and facts.whistle
    # A resident by the role, not the name: the reply goes to the city's platform.
    assert facts.parties == "城管科、安居物业、居民代表" and "物业更换电梯主板" in facts.result
    client.force_login(org.officer_a)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    parties = re.search(r'name="whistle_parties"[^>]*value="([^"]*)"', page)
    assert parties is not None and parties.group(1) == "城管科、安居物业、居民代表"
    assert re.search(r'name="whistle" value="yes"[^>]*checked', page)
    assert "物业更换电梯主板" in page


def test_the_meeting_is_on_every_linked_cases_timeline(org, walk, company):
    first, second = walk.dispatched(), walk.dispatched(title="二号电梯")
    meeting = convene(org, first, company, case_ids=[first.pk, second.pk])
    for case in (first, second):
        event = CaseEvent.objects.get(case=case, action=Action.MEETING_LINK)
        assert event.data["meeting"] == meeting.pk


def test_a_meeting_for_a_project_and_the_project_pages_include(client, org, company):

    from governance.meetings_selectors import meetings_for_project
    from governance.models import ProjectKind
    from governance.projects import project_create

    today = timezone.localdate()
    project = project_create(
        actor=org.leader,
        kind=ProjectKind.MONTHLY,
        title="老旧电梯更新",
        lead_id=org.leader.pk,
        starts_on=today,
        due_on=today + dt.timedelta(days=60),
        keywords=["电梯"],
        community_ids=[org.a.pk],
        department_ids=[org.d1.pk],
    )
    client.force_login(org.leader)
    form = client.get(f"/meetings/new/?project={project.pk}").content.decode()
    assert "老旧电梯更新" in form
    meeting = meetings.meeting_convene(
        actor=org.leader,
        title="电梯更新推进会",
        held_at=timezone.now(),
        place="街道会议室",
        agenda="议程",
        project_id=project.pk,
        organisation_ids=[company.pk],
    )
    assert list(meetings_for_project(org.leader, project)) == [meeting]
    assert list(meetings_for_project(org.secretary_b, project)) == []
    # The project page lists it, with 召集吹哨会议 for those who may convene.
    client.force_login(org.leader)
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "电梯更新推进会" in html and f"/meetings/new/?project={project.pk}" in html
    assert client.get(f"/meetings/?project={project.pk}").content.decode().count("电梯更新推进会") == 1


def test_meeting_files_upload_on_the_page_and_are_served_only_in_scope(client, org, walk, company):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from attachments.models import Attachment
    from attachments.tests import files

    meeting = convene(org, walk.dispatched(), company)
    client.force_login(org.leader)
    upload = SimpleUploadedFile("签到表.jpg", files.jpeg(), content_type="image/jpeg")
    response = client.post(f"/meetings/{meeting.pk}/", {"step": "files", "documents": [upload]})
    assert response.status_code == 302
    attachment = Attachment.objects.get(meeting=meeting)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    client.force_login(org.secretary_a)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 200
    client.force_login(org.secretary_b)
    assert client.get(f"/attachments/{attachment.pk}/").status_code == 404
    fake = SimpleUploadedFile("x.jpg", b"<html>not a photo</html>", content_type="image/jpeg")
    client.force_login(org.leader)
    response = client.post(f"/meetings/{meeting.pk}/", {"step": "files", "documents": [fake]}, follow=True)
    assert Attachment.objects.filter(meeting=meeting).count() == 1
    assert "按文件内容判断" in response.content.decode()
    # Removed by who keeps the record (the meeting page); the files app's own view does not fail on it.
    client.force_login(org.officer_a)
    response = client.post(
        f"/meetings/{meeting.pk}/", {"step": "remove_file", "attachment": attachment.pk}, follow=True
    )
    assert Attachment.objects.filter(meeting=meeting).count() == 1
    client.force_login(org.leader)
    response = client.post(f"/meetings/{meeting.pk}/", {"step": "remove_file", "attachment": attachment.pk})
    assert response.status_code == 302 and not Attachment.objects.filter(meeting=meeting).exists()
    again = meetings.meeting_attach(
        actor=org.leader,
        meeting_id=meeting.pk,
        uploads=[(SimpleUploadedFile("b.jpg", files.jpeg(), content_type="image/jpeg"), "other")],
    )[0]
    response = client.post(f"/attachments/{again.pk}/remove/", {"next": f"/meetings/{meeting.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/meetings/{meeting.pk}/"
    assert not Attachment.objects.filter(meeting=meeting).exists()
