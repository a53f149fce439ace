"""Emergencies: raised by a clerk or a leader (or by registering a case as
紧急), they alert the leader on duty and the day's roster at once (urgent),
move raised → on scene → closed through their own table, and report the
time to contact, to the scene and to closure."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, Urgency
from cases.permissions import case_available_actions
from cases.transitions import Action
from communities.models import Role
from communities.tests.factories import person
from hotline.errors import Conflict, InvalidInput, NotAllowed
from supervision import emergencies
from supervision.emergencies import EMERGENCY_TRANSITIONS, emergency_times
from supervision.models import DutyDay, Emergency, EmergencyStatus, Notification, NotificationKind

pytestmark = pytest.mark.django_db

E = EmergencyStatus


def alerted() -> set[int]:
    return set(Notification.objects.filter(kind=NotificationKind.EMERGENCY).values_list("recipient_id", flat=True))


@pytest.fixture
def roster(org):
    """Today's roster: the leader on duty and a supervisor on duty."""
    day = DutyDay.objects.create(date=timezone.localdate(), leader=org.leader)
    day.members.add(org.supervisor)
    return day


def test_a_clerk_raises_an_emergency_that_alerts_the_leader_on_duty_and_the_roster_urgently(org, walk, roster):
    other_leader = person(Role.LEADER, street=org.street, full_name="另一位领导")
    case = walk.registered()
    emergency = services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="燃气泄漏，居民被困")
    assert emergency.status == E.RAISED and emergency.raised_by == org.clerk
    assert alerted() == {org.leader.id, org.supervisor.id}
    assert other_leader.id not in alerted()
    assert all(Notification.objects.filter(kind=NotificationKind.EMERGENCY).values_list("urgent", flat=True))
    event = case.events.get(action=Action.RAISE_EMERGENCY)
    assert event.note == "燃气泄漏，居民被困" and event.data == {"emergency": emergency.id}
    # Never the caller in the alert.
    text = " ".join(Notification.objects.values_list("title", flat=True)) + " ".join(
        Notification.objects.values_list("text", flat=True)
    )
    assert "张三" not in text and "1381234" not in text


def test_a_day_without_a_leader_on_the_roster_alerts_every_leader(org, walk):
    other_leader = person(Role.LEADER, street=org.street, full_name="另一位领导")
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="水管爆裂")
    # Every leader, and the dispatched case's handler and community secretary.
    assert alerted() == {org.leader.id, other_leader.id, org.officer_a.id, org.secretary_a.id}


def test_registering_a_case_as_urgent_raises_its_emergency_with_the_system_as_actor(org, walk, roster):
    case = walk.registered(urgency=Urgency.EMERGENCY)
    emergency = Emergency.objects.get(case=case)
    assert emergency.raised_by is None and emergency.status == E.RAISED
    event = case.events.get(action=Action.RAISE_EMERGENCY)
    assert event.actor is None
    # The clerk who registered is on the roster? No; the roster is told, the registering clerk is not excluded.
    assert alerted() == {org.leader.id, org.supervisor.id}


def test_registering_an_old_urgent_order_raises_nothing(org, walk):
    walk.registered(urgency=Urgency.EMERGENCY, received_at=timezone.now() - dt.timedelta(days=3))
    assert not Emergency.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.RAISE_EMERGENCY).exists()


def test_a_general_case_raises_nothing_on_registration(org, walk):
    walk.registered()
    assert not Emergency.objects.exists()


def test_only_clerks_and_leaders_raise_an_emergency(org, walk):
    case = walk.dispatched()
    for user in (org.officer_a, org.secretary_a, org.chief_a, org.supervisor):
        with pytest.raises(NotAllowed):
            services.case_raise_emergency(case_id=case.id, actor=user, note="紧急")
    services.case_raise_emergency(case_id=case.id, actor=org.leader, note="紧急")


def test_a_second_emergency_on_the_same_case_is_refused_while_one_is_under_way(org, walk):
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    with pytest.raises(Conflict) as error:
        services.case_raise_emergency(case_id=case.id, actor=org.leader, note="紧急")
    assert error.value.code == "emergency_open"
    assert Emergency.objects.filter(case=case).count() == 1


def test_a_note_is_required_to_raise_and_to_close(org, walk):
    case = walk.dispatched()
    with pytest.raises(InvalidInput):
        services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="  ")
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    with pytest.raises(InvalidInput):
        services.case_close_emergency(case_id=case.id, actor=org.clerk, note="")


def test_the_emergency_table_edge_by_edge():
    assert {
        Action.ARRIVE_ON_SCENE: (frozenset({E.RAISED}), E.ON_SCENE),
        Action.CLOSE_EMERGENCY: (frozenset({E.RAISED, E.ON_SCENE}), E.CLOSED),
    } == EMERGENCY_TRANSITIONS


def test_raised_on_scene_closed_with_the_three_times(org, walk):
    start = timezone.now() - dt.timedelta(hours=2)
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急", at=start)
    services.case_respond(case_id=case.id, actor=org.officer_a, at=start + dt.timedelta(minutes=12))
    services.case_arrive_on_scene(case_id=case.id, actor=org.officer_a, at=start + dt.timedelta(minutes=40))
    with pytest.raises(Conflict):  # once on the scene is enough
        services.case_arrive_on_scene(case_id=case.id, actor=org.secretary_a, at=start + dt.timedelta(minutes=41))
    emergency = services.case_close_emergency(
        case_id=case.id, actor=org.leader, note="燃气公司已关阀，隐患排除", at=start + dt.timedelta(minutes=90)
    )
    assert emergency.status == E.CLOSED and emergency.close_note == "燃气公司已关阀，隐患排除"
    emergency = Emergency.objects.select_related("case").get(pk=emergency.pk)
    times = emergency_times(emergency)
    assert times.to_contact == dt.timedelta(minutes=12)
    assert times.to_scene == dt.timedelta(minutes=40)
    assert times.to_closure == dt.timedelta(minutes=90)
    actions = list(case.events.order_by("id").values_list("action", flat=True))
    assert actions[-4:] == [Action.RAISE_EMERGENCY, Action.RESPOND, Action.ARRIVE_ON_SCENE, Action.CLOSE_EMERGENCY]
    with pytest.raises(Conflict):  # closed once
        services.case_close_emergency(case_id=case.id, actor=org.leader, note="再次")
    # A closed emergency lets a new one be raised.
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="再次险情")
    assert Emergency.objects.filter(case=case).count() == 2


def test_an_emergency_may_be_closed_without_anyone_on_the_scene(org, walk):
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    emergency = services.case_close_emergency(case_id=case.id, actor=org.clerk, note="误报，已核实")
    assert emergency.on_scene_at is None and emergency.status == E.CLOSED
    assert emergency_times(Emergency.objects.get(pk=emergency.pk)).to_scene is None


def test_only_the_cases_community_or_a_leader_records_arriving_on_the_scene(org, walk):
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    for user in (org.officer_b, org.clerk, org.chief_a, org.supervisor):
        with pytest.raises(NotAllowed):
            services.case_arrive_on_scene(case_id=case.id, actor=user)
    services.case_arrive_on_scene(case_id=case.id, actor=org.secretary_a)


def test_a_contact_before_the_raise_counts_as_immediate(org, walk):
    case = walk.responded()
    emergency = services.case_raise_emergency(case_id=case.id, actor=org.leader, note="升级为紧急")
    emergency = Emergency.objects.select_related("case").get(pk=emergency.pk)
    assert emergency_times(emergency).to_contact == dt.timedelta(0)


def test_the_predicate_offers_the_emergency_steps_by_state(org, walk):
    case = walk.dispatched()
    assert Action.RAISE_EMERGENCY in case_available_actions(case=case, user=org.clerk)
    assert Action.CLOSE_EMERGENCY not in case_available_actions(case=case, user=org.clerk)
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    case.refresh_from_db()
    fresh = type(case).objects.get(pk=case.pk)
    assert Action.RAISE_EMERGENCY not in case_available_actions(case=fresh, user=org.clerk)
    assert Action.CLOSE_EMERGENCY in case_available_actions(case=fresh, user=org.clerk)
    assert Action.ARRIVE_ON_SCENE in case_available_actions(case=fresh, user=org.officer_a)
    assert Action.ARRIVE_ON_SCENE not in case_available_actions(case=fresh, user=org.officer_b)


def test_a_closed_case_cannot_have_an_emergency_raised(org, walk):
    case = walk.closed()
    with pytest.raises(Conflict):
        services.case_raise_emergency(case_id=case.id, actor=org.leader, note="紧急")


def test_the_banner_names_uncontacted_emergencies_to_every_staff_member_until_contact(org, walk):
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    for user in (org.clerk, org.officer_a, org.officer_b, org.chief_b, org.leader, org.supervisor):
        (item,) = emergencies.emergency_banner_for_user(user=user)
        assert item["ticket_no"] == case.ticket_no
    # The link and title only for those who may open the case.
    assert emergencies.emergency_banner_for_user(user=org.officer_a)[0]["url"]
    assert emergencies.emergency_banner_for_user(user=org.officer_b)[0]["url"] == ""
    assert emergencies.emergency_banner_for_user(user=org.officer_b)[0]["title"] == ""
    assert emergencies.emergency_banner_for_user(user=org.display) == []
    services.case_respond(case_id=case.id, actor=org.officer_a)
    assert emergencies.emergency_banner_for_user(user=org.clerk) == []


def test_the_list_is_scoped_like_the_cases(org, walk):
    case = walk.dispatched()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    assert emergencies.emergency_list_for_user(user=org.officer_a).count() == 1
    assert emergencies.emergency_list_for_user(user=org.officer_b).count() == 0
    assert emergencies.emergency_list_for_user(user=org.leader, state="open").count() == 1
    assert emergencies.emergency_list_for_user(user=org.leader, state="closed").count() == 0


def test_a_deactivated_leader_on_duty_is_replaced_by_every_active_leader(org, walk, roster):
    other_leader = person(Role.LEADER, street=org.street, full_name="另一位领导")
    org.leader.is_active = False
    org.leader.save(update_fields=["is_active"])
    case = walk.registered()
    services.case_raise_emergency(case_id=case.id, actor=org.clerk, note="紧急")
    assert alerted() == {other_leader.id, org.supervisor.id}
