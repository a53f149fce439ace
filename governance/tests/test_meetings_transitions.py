"""The meeting's and the decision's transition tables, edge by edge, and the
services that follow them; the periodic sweep of late decisions."""

import datetime as dt

import pytest
from django.utils import timezone

from governance import meetings
from governance.meetings_transitions import (
    DECISION_TRANSITIONS,
    MEETING_TRANSITIONS,
    DecisionAction,
    DecisionStatus,
    MeetingAction,
    MeetingStatus,
    decision_next_status,
    meeting_next_status,
)
from governance.models import Decision, Meeting, Organisation, OrganisationKind
from hotline.errors import Conflict

MEETING_EDGES = {
    (MeetingStatus.SCHEDULED, MeetingAction.HOLD): MeetingStatus.HELD,
    (MeetingStatus.SCHEDULED, MeetingAction.CANCEL): MeetingStatus.CANCELLED,
}
DECISION_EDGES = {
    (DecisionStatus.OPEN, DecisionAction.COMPLETE): DecisionStatus.DONE,
    (DecisionStatus.DONE, DecisionAction.REOPEN): DecisionStatus.OPEN,
}


@pytest.mark.parametrize("status", MeetingStatus.values)
@pytest.mark.parametrize("action", MeetingAction.values)
def test_meeting_table_edge_by_edge(status, action):
    assert meeting_next_status(status, action) == MEETING_EDGES.get((status, action))
    assert set(MEETING_TRANSITIONS) == set(MeetingStatus.values)


@pytest.mark.parametrize("status", DecisionStatus.values)
@pytest.mark.parametrize("action", DecisionAction.values)
def test_decision_table_edge_by_edge(status, action):
    assert decision_next_status(status, action) == DECISION_EDGES.get((status, action))
    assert set(DECISION_TRANSITIONS) == set(DecisionStatus.values)


@pytest.fixture
def meeting(org, walk):
    company = Organisation.objects.create(street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="物业")
    return meetings.meeting_convene(
        actor=org.leader,
        title="t",
        held_at=timezone.now(),
        place="p",
        agenda="a",
        case_ids=[walk.dispatched().pk],
        organisation_ids=[company.pk],
    )


def _run(org, meeting: Meeting, action: str) -> None:
    if action == MeetingAction.HOLD:
        meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="m")
    else:
        meetings.meeting_cancel(actor=org.leader, meeting_id=meeting.pk, reason="r")


@pytest.mark.django_db
@pytest.mark.parametrize("first", MeetingAction.values)
@pytest.mark.parametrize("second", MeetingAction.values)
def test_the_services_follow_the_meeting_table(org, meeting, first, second):
    _run(org, meeting, first)
    meeting.refresh_from_db()
    assert meeting.status == MEETING_EDGES[(MeetingStatus.SCHEDULED, first)]
    with pytest.raises(Conflict):  # both ends are final
        _run(org, meeting, second)
    assert not meetings.meeting_may(org.leader, meeting, second)


@pytest.mark.django_db
def test_the_sweep_task_is_scheduled_and_tells_once(org, meeting):
    from governance.tasks_meetings import decisions_late_sweep_task
    from hotline.celery import app

    entry = app.conf.beat_schedule["governance-decisions-late"]
    assert entry["task"] == decisions_late_sweep_task.name
    meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="m")
    decision = meetings.decision_add(
        actor=org.leader, meeting_id=meeting.pk, text="x", owner_id=org.chief_a.pk, due_on=timezone.localdate()
    )
    Decision.objects.filter(pk=decision.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert decisions_late_sweep_task.apply().get() == 1
    assert decisions_late_sweep_task.apply().get() == 0
