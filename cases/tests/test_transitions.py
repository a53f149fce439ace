"""The transition table, edge by edge: every (action, status) pair is either
an allowed edge that the service takes, or a refusal that changes nothing."""

import pytest

from cases import services
from cases.models import Case, CaseEvent, Satisfaction
from cases.tests.factories import signed_sha256
from cases.transitions import OPEN, TRANSITIONS, Action, Status, allowed_actions
from hotline.errors import Conflict, NotAllowed

EXPECTED_EDGES = {
    (Action.DISPATCH, Status.REGISTERED, Status.DISPATCHED),
    (Action.DISPATCH, Status.RETURNED, Status.DISPATCHED),
    (Action.REDISPATCH, Status.DISPATCHED, Status.DISPATCHED),
    (Action.REDISPATCH, Status.RESPONDED, Status.DISPATCHED),
    (Action.RETURN, Status.DISPATCHED, Status.RETURNED),
    (Action.RETURN, Status.RESPONDED, Status.RETURNED),
    (Action.RESPOND, Status.DISPATCHED, Status.RESPONDED),
    (Action.REPLY, Status.RESPONDED, Status.REPLIED),
    (Action.REPLY, Status.REPLIED, Status.REPLIED),
    (Action.CLOSE, Status.REPLIED, Status.CLOSED),
    (Action.RECORD_CALLBACK, Status.CLOSED, Status.CALLED_BACK),
    (Action.RECORD_CALLBACK, Status.CLOSED, Status.NEEDS_EXPLANATION),
    (Action.WRITE_EXPLANATION, Status.NEEDS_EXPLANATION, Status.EXPLANATION_WRITTEN),
    (Action.WRITE_EXPLANATION, Status.EXPLANATION_WRITTEN, Status.EXPLANATION_WRITTEN),
    (Action.COMPLETE_EXPLANATION, Status.EXPLANATION_WRITTEN, Status.EXPLAINED),
}


def status_changing_edges():
    return {
        (action, source, target)
        for action, t in TRANSITIONS.items()
        if t.targets is not None
        for source in t.sources
        for target in t.targets
    }


def test_table_has_exactly_the_expected_status_changes():
    assert status_changing_edges() == EXPECTED_EDGES


def test_timeline_only_steps_are_limited_to_their_states():
    assert TRANSITIONS[Action.SIGN_REPLY].sources == {Status.REPLIED}
    assert TRANSITIONS[Action.SIGN_EXPLANATION].sources == {Status.EXPLANATION_WRITTEN}
    assert TRANSITIONS[Action.DECIDE_EXTENSION].sources == OPEN
    assert TRANSITIONS[Action.SUPERVISE].sources == OPEN
    assert Status.REGISTERED not in TRANSITIONS[Action.EXCLUDE].sources


def test_terminal_states_allow_only_exclusion_and_the_end_of_an_emergency():
    # An emergency is attended and closed whatever became of its case meanwhile;
    # a later complaint may be linked to a finished case as its repeat (重复诉求).
    for status in (Status.CALLED_BACK, Status.EXPLAINED):
        assert set(allowed_actions(status)) == {
            Action.EXCLUDE,
            Action.RESTORE,
            Action.ARRIVE_ON_SCENE,
            Action.CLOSE_EMERGENCY,
            # Supervision orders are recorded on a case whatever its status.
            Action.ORDER_SUPERVISION,
            Action.CLOSE_SUPERVISION_ORDER,
            Action.SUPERVISION_ORDER_LATE,
            # So are the weekly meeting's answers and its late follow-ups.
            Action.MEETING_ANSWER,
            Action.FOLLOW_UP_LATE,
            Action.LINK_REPEAT,
            # A finished case may be taken into a governance project or a 吹哨 meeting.
            Action.PROJECT_LINK,
            Action.PROJECT_UNLINK,
            Action.MEETING_LINK,
        }


# Each step, tried from every status it is not allowed in, is refused with a
# Conflict and leaves the case and its timeline untouched.
STEP_CALLS = {
    Action.DISPATCH: lambda o, c: services.case_dispatch(
        case_id=c.id, actor=o.clerk, pairing_id=o.pairing_a.id, handler_id=o.officer_a.id
    ),
    Action.RESPOND: lambda o, c: services.case_respond(case_id=c.id, actor=o.officer_a),
    Action.REPLY: lambda o, c: services.case_reply(case_id=c.id, actor=o.officer_a, text="新的办理结果"),
    Action.SIGN_REPLY: lambda o, c: services.case_sign_reply(
        case_id=c.id, actor=o.secretary_a, expected_sha256=signed_sha256(c.id, "reply_text")
    ),
    Action.CLOSE: lambda o, c: services.case_close(case_id=c.id, actor=o.clerk),
    Action.RECORD_CALLBACK: lambda o, c: services.case_record_callback(
        case_id=c.id, actor=o.clerk, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    ),
    Action.WRITE_EXPLANATION: lambda o, c: services.case_write_explanation(
        case_id=c.id, actor=o.officer_a, text="新的说明"
    ),
    Action.SIGN_EXPLANATION: lambda o, c: services.case_sign_explanation(
        case_id=c.id, actor=o.secretary_a, expected_sha256=signed_sha256(c.id, "explanation_text")
    ),
}
REACHABLE = ["registered", "dispatched", "responded", "replied", "closed", "needs_explanation", "explanation_written"]
REFUSED = [
    (action, state) for action in STEP_CALLS for state in REACHABLE if Status(state) not in TRANSITIONS[action].sources
]


@pytest.mark.parametrize(("action", "state"), REFUSED)
def test_step_from_a_status_it_is_not_allowed_in_is_refused(org, walk, action, state):
    case = getattr(walk, state)()
    assert case.status == state
    events = CaseEvent.objects.filter(case=case).count()
    before = Case.objects.values().get(pk=case.pk)
    # Before dispatch the case has no community, so community roles are
    # refused as not allowed rather than as a conflict of state.
    by_clerk = action in (Action.DISPATCH, Action.CLOSE, Action.RECORD_CALLBACK)
    expected = NotAllowed if state == "registered" and not by_clerk else Conflict
    with pytest.raises(expected) as excinfo:
        STEP_CALLS[action](org, case)
    assert "能" in excinfo.value.message  # 不能… / 只能…: a sentence saying why
    assert Case.objects.values().get(pk=case.pk) == before
    assert CaseEvent.objects.filter(case=case).count() == events
