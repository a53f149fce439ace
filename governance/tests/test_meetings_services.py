"""吹哨 meetings: convene, minutes, cancel, decisions tracked to done, late
decisions told once, files, cases linked later — and every bad input refused
with nothing half-written."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from attachments.models import Attachment
from attachments.tests import files
from cases.models import CaseEvent
from cases.transitions import Action
from governance import meetings
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import (
    Decision,
    GovernanceEvent,
    Meeting,
    MeetingCase,
    MeetingParty,
    Organisation,
    OrganisationKind,
    decision_done_on_time,
)
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(dt.datetime(2026, 5, 11, 10, 0))
TODAY = NOW.date()


@pytest.fixture
def property_company(org):
    return Organisation.objects.create(
        street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="安居物业", contact_name="物业经理"
    )


def convene(org, case, company, actor=None, **kwargs):
    data = {
        "actor": actor or org.leader,
        "title": "3号楼电梯反复停运",
        "held_at": NOW - dt.timedelta(hours=2),
        "place": "幸福社区居委会会议室",
        "agenda": "一、物业说明维修进展；二、明确维修责任和时间。",
        "case_ids": [case.pk],
        "department_ids": [org.d1.pk],
        "organisation_ids": [company.pk],
        "residents": ["居民代表 老张"],
        "now": NOW,
    }
    data.update(kwargs)
    return meetings.meeting_convene(**data)


def held(org, case, company, **kwargs):
    meeting = convene(org, case, company, **kwargs)
    return meetings.meeting_record_minutes(
        actor=org.leader, meeting_id=meeting.pk, minutes="物业承诺更换主板。", now=NOW
    )


def test_a_leader_convenes_a_meeting_for_a_case_which_lands_on_its_timeline(org, walk, property_company):
    case = walk.dispatched()
    meeting = convene(org, case, property_company)
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.community_id == org.a.pk
    assert [p.label for p in meeting.parties.all()] == ["城管科", "安居物业", "居民代表 老张"]
    link = MeetingCase.objects.get(meeting=meeting, case=case)
    event = CaseEvent.objects.get(pk=link.event_id)
    assert event.action == Action.MEETING_LINK and "安居物业" in event.note and event.data["meeting"] == meeting.pk
    assert GovernanceEvent.objects.filter(meeting=meeting, action="convene").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": " "}, "title"),
        ({"place": ""}, "place"),
        ({"agenda": ""}, "agenda"),
        ({"held_at": None}, "held_at"),
        ({"case_ids": []}, "cases"),
        ({"department_ids": [], "organisation_ids": [], "residents": []}, "parties"),
        ({"organisation_ids": [999999]}, "organisations"),
        ({"title": "题" * 121}, "title"),
        ({"held_at": NOW + dt.timedelta(days=400)}, "held_at"),
        ({"held_at": NOW.replace(year=1999)}, "held_at"),
    ],
)
def test_bad_convene_input_is_refused_and_nothing_is_written(org, walk, property_company, change, field):
    case = walk.dispatched()
    with pytest.raises(InvalidInput) as error:
        convene(org, case, property_company, **change)
    assert error.value.field == field
    assert not Meeting.objects.exists() and not CaseEvent.objects.filter(action=Action.MEETING_LINK).exists()


def test_linking_a_case_out_of_the_users_scope_is_refused_and_nothing_written(org, walk, property_company):
    own = walk.dispatched()
    other = walk.registered(title="别的社区")
    from cases import services

    services.case_dispatch(case_id=other.pk, actor=org.clerk, pairing_id=org.pairing_b.pk, handler_id=org.officer_b.pk)
    with pytest.raises(InvalidInput) as error:
        convene(org, own, property_company, actor=org.secretary_a, case_ids=[own.pk, other.pk])
    assert error.value.code == "case_out_of_scope"
    assert not Meeting.objects.exists() and not MeetingCase.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.MEETING_LINK).exists()


def test_who_may_convene(org, walk, property_company):
    case = walk.dispatched()
    for user in (org.officer_a, org.supervisor, org.display):
        with pytest.raises(NotAllowed):
            convene(org, case, property_company, actor=user)
    # A secretary: own community only; a chief: the cases of the pairings they lead.
    assert convene(org, case, property_company, actor=org.secretary_a).community_id == org.a.pk
    with pytest.raises(InvalidInput):
        convene(org, case, property_company, actor=org.secretary_a, community_id=org.b.pk)
    assert convene(org, case, property_company, actor=org.chief_a).convener_id == org.chief_a.pk
    with pytest.raises(InvalidInput):
        convene(org, case, property_company, actor=org.chief_b)


def test_minutes_record_attendance_and_go_on_the_timeline(org, walk, property_company):
    case = walk.dispatched()
    meeting = convene(org, case, property_company)
    company_party = MeetingParty.objects.get(meeting=meeting, organisation=property_company)
    resident = MeetingParty.objects.get(meeting=meeting, kind="resident")
    with pytest.raises(InvalidInput):
        meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes=" ", now=NOW)
    with pytest.raises(InvalidInput):  # nobody came
        meetings.meeting_record_minutes(
            actor=org.leader,
            meeting_id=meeting.pk,
            minutes="x",
            absent_party_ids=list(meeting.parties.values_list("pk", flat=True)),
            now=NOW,
        )
    meeting = meetings.meeting_record_minutes(
        actor=org.leader,
        meeting_id=meeting.pk,
        minutes="物业承诺两周内更换主板。",
        absent_party_ids=[resident.pk],
        attendees={company_party.pk: "物业王经理"},
        now=NOW,
    )
    assert meeting.status == MeetingStatus.HELD and meeting.recorded_at == NOW
    company_party.refresh_from_db()
    resident.refresh_from_db()
    assert company_party.attended and company_party.attendee == "物业王经理" and not resident.attended
    notes = list(CaseEvent.objects.filter(case=case, action=Action.MEETING_LINK).values_list("note", flat=True))
    assert len(notes) == 2 and "已召开" in notes[1]
    with pytest.raises(Conflict):
        meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="again", now=NOW)
    with pytest.raises(Conflict):
        meetings.meeting_cancel(actor=org.leader, meeting_id=meeting.pk, reason="x", now=NOW)


def test_cancel_needs_a_reason_and_is_final(org, walk, property_company):
    meeting = convene(org, walk.dispatched(), property_company)
    with pytest.raises(InvalidInput):
        meetings.meeting_cancel(actor=org.leader, meeting_id=meeting.pk, reason="", now=NOW)
    meeting = meetings.meeting_cancel(actor=org.leader, meeting_id=meeting.pk, reason="物业负责人出差", now=NOW)
    assert meeting.status == MeetingStatus.CANCELLED and meeting.cancel_reason == "物业负责人出差"
    with pytest.raises(Conflict):
        meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="x", now=NOW)


def test_only_those_who_keep_the_record_may_record_it(org, walk, property_company):
    meeting = convene(org, walk.dispatched(), property_company, actor=org.chief_a)
    with pytest.raises(NotAllowed):  # the community's officer sees it, but does not keep its record
        meetings.meeting_record_minutes(actor=org.officer_a, meeting_id=meeting.pk, minutes="x", now=NOW)
    for outsider in (org.secretary_b, org.chief_b):  # another community, a department not at the table
        with pytest.raises(NotFound):
            meetings.meeting_record_minutes(actor=outsider, meeting_id=meeting.pk, minutes="x", now=NOW)
    assert meetings.meeting_may(org.secretary_a, meeting, meetings.HOLD)
    assert meetings.meeting_may(org.chief_a, meeting, meetings.HOLD)
    assert not meetings.meeting_may(org.officer_a, meeting, meetings.HOLD)
    assert not meetings.meeting_may(org.supervisor, meeting, meetings.HOLD)


# ---------------------------------------------------------------- decisions


def test_a_decision_with_an_owner_tells_the_owner(org, walk, property_company):
    meeting = held(org, walk.dispatched(), property_company)
    decision = meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="城管科督促物业更换电梯主板",
        owner_id=org.chief_a.pk,
        due_on=TODAY + dt.timedelta(days=14),
        now=NOW,
    )
    assert decision.status == DecisionStatus.OPEN and decision.responsible_user_id == org.chief_a.pk
    told = Notification.objects.get(kind=NotificationKind.DECISION_ASSIGNED)
    assert told.recipient_id == org.chief_a.pk and f"/meetings/{meeting.pk}/" in told.url


def test_a_phone_number_typed_into_a_decision_is_masked_in_what_leaves_the_building(org, walk, property_company):
    meeting = held(org, walk.dispatched(), property_company)
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="联系物业王经理13912345678更换电梯主板",
        owner_id=org.chief_a.pk,
        due_on=TODAY + dt.timedelta(days=14),
        now=NOW,
    )
    told = Notification.objects.get(kind=NotificationKind.DECISION_ASSIGNED)
    assert "13912345678" not in told.text and "5678" in told.text


def test_a_decision_of_an_outside_body_needs_a_street_follow_up_person(org, walk, property_company):
    meeting = held(org, walk.dispatched(), property_company)
    decision = meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="物业更换电梯主板",
        organisation_id=property_company.pk,
        follow_up_id=org.secretary_a.pk,
        due_on=TODAY + dt.timedelta(days=7),
        now=NOW,
    )
    assert decision.owner_id is None and decision.responsible_user_id == org.secretary_a.pk
    assert Notification.objects.get(kind=NotificationKind.DECISION_ASSIGNED).recipient_id == org.secretary_a.pk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner_id": None}, "owner"),
        ({"due_on": None}, "due_on"),
        ({"text": ""}, "text"),
        ({"due_on": TODAY - dt.timedelta(days=1)}, "due_on"),
        ({"owner_id": None, "organisation": True}, "follow_up"),
        ({"owner_id": 999999}, "owner"),
    ],
)
def test_a_decision_without_owner_or_due_date_is_refused(org, walk, property_company, change, field):
    meeting = held(org, walk.dispatched(), property_company)
    data = {"text": "物业更换主板", "owner_id": org.chief_a.pk, "due_on": TODAY + dt.timedelta(days=7)}
    if change.pop("organisation", False):
        data["organisation_id"] = property_company.pk
    data.update(change)
    with pytest.raises(InvalidInput) as error:
        meetings.decision_add(actor=org.leader, meeting_id=meeting.pk, now=NOW, **data)
    assert error.value.field == field
    assert not Decision.objects.exists()
    assert not Notification.objects.filter(kind=NotificationKind.DECISION_ASSIGNED).exists()


def test_decisions_only_on_a_held_meeting(org, walk, property_company):
    meeting = convene(org, walk.dispatched(), property_company)
    with pytest.raises(Conflict):
        meetings.decision_add(
            actor=org.leader, meeting_id=meeting.pk, text="x", owner_id=org.chief_a.pk, due_on=TODAY, now=NOW
        )


def test_complete_and_reopen_follow_the_table(org, walk, property_company):
    meeting = held(org, walk.dispatched(), property_company)
    decision = meetings.decision_add(
        actor=org.leader, meeting_id=meeting.pk, text="x", owner_id=org.chief_a.pk, due_on=TODAY, now=NOW
    )
    with pytest.raises(NotAllowed):  # sees the meeting, does not answer for the decision
        meetings.decision_complete(actor=org.officer_a, decision_id=decision.pk, now=NOW)
    with pytest.raises(NotFound):  # does not see it
        meetings.decision_complete(actor=org.secretary_b, decision_id=decision.pk, now=NOW)
    with pytest.raises(Conflict):
        meetings.decision_reopen(actor=org.leader, decision_id=decision.pk, now=NOW)
    decision = meetings.decision_complete(actor=org.chief_a, decision_id=decision.pk, note="已更换", now=NOW)
    assert decision.status == DecisionStatus.DONE and decision.done_by == org.chief_a
    assert decision_done_on_time(decision)
    with pytest.raises(Conflict):
        meetings.decision_complete(actor=org.chief_a, decision_id=decision.pk, now=NOW)
    with pytest.raises(NotAllowed):  # the owner completes; reopening is for who keeps the record
        meetings.decision_reopen(actor=org.chief_a, decision_id=decision.pk, now=NOW)
    decision = meetings.decision_reopen(actor=org.leader, decision_id=decision.pk, reason="复查未修好", now=NOW)
    assert decision.status == DecisionStatus.OPEN and decision.done_at is None
    actions = list(GovernanceEvent.objects.filter(subject=f"decision:{decision.pk}").values_list("action", flat=True))
    assert actions == ["add", "complete", "reopen"]


def test_late_decisions_are_told_once_to_the_owner_and_the_convener(org, walk, property_company):
    meeting = held(org, walk.dispatched(), property_company, actor=org.chief_a)
    late = meetings.decision_add(
        actor=org.leader, meeting_id=meeting.pk, text="晚了", owner_id=org.secretary_a.pk, due_on=TODAY, now=NOW
    )
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="还早",
        owner_id=org.secretary_a.pk,
        due_on=TODAY + dt.timedelta(days=9),
        now=NOW,
    )
    assert meetings.decisions_late_sweep(now=NOW) == 0  # due today is not late
    later = NOW + dt.timedelta(days=2)
    assert meetings.decisions_late_sweep(now=later) == 1
    assert meetings.decisions_late_sweep(now=later) == 0
    told = Notification.objects.filter(kind=NotificationKind.DECISION_LATE)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([org.secretary_a.pk, org.chief_a.pk])
    late.refresh_from_db()
    assert late.late_told_at == later
    # Done late: not on time.
    late = meetings.decision_complete(actor=org.secretary_a, decision_id=late.pk, now=later)
    assert not decision_done_on_time(late)


def test_link_a_case_later_and_attach_a_file(org, walk, property_company):
    first, second = walk.dispatched(), walk.dispatched(title="二号电梯")
    meeting = convene(org, first, property_company)
    meetings.meeting_case_link(actor=org.leader, meeting_id=meeting.pk, case_id=second.pk, now=NOW)
    assert CaseEvent.objects.filter(case=second, action=Action.MEETING_LINK).exists()
    with pytest.raises(Conflict):
        meetings.meeting_case_link(actor=org.leader, meeting_id=meeting.pk, case_id=second.pk, now=NOW)
    upload = SimpleUploadedFile("签到表.jpg", files.jpeg(), content_type="image/jpeg")
    (attachment,) = meetings.meeting_attach(actor=org.leader, meeting_id=meeting.pk, uploads=[(upload, "other")])
    assert attachment.meeting_id == meeting.pk and attachment.owner_kind == "meeting"
    with pytest.raises(InvalidInput):  # checked by content
        meetings.meeting_attach(
            actor=org.leader, meeting_id=meeting.pk, uploads=[(SimpleUploadedFile("x.jpg", b"not an image"), "other")]
        )
    with pytest.raises(NotFound):
        meetings.meeting_attach(actor=org.secretary_b, meeting_id=meeting.pk, uploads=[(upload, "other")])
    assert Attachment.objects.filter(meeting=meeting).count() == 1


def test_minutes_wait_for_the_day_of_the_meeting(org, walk, property_company):
    meeting = convene(org, walk.dispatched(), property_company, held_at=NOW + dt.timedelta(days=2))
    with pytest.raises(Conflict) as error:
        meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="x", now=NOW)
    assert error.value.code == "not_held_yet"
    assert not meetings.meeting_may(org.leader, meeting, meetings.HOLD, now=NOW)
    assert meetings.meeting_may(org.leader, meeting, meetings.CANCEL, now=NOW)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.SCHEDULED and meeting.minutes == ""
    later = NOW + dt.timedelta(days=2)
    assert meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="x", now=later).minutes
