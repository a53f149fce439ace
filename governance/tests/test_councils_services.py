"""The council services: who may, every bad input refused with a clear error and
nothing half-written, a topic into a case (channel 居民议事) or a project once."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.models import Case, Channel
from governance import councils
from governance.councils import CouncilStep, council_may
from governance.models import (
    Council,
    CouncilMember,
    CouncilSession,
    CouncilTopic,
    GovernanceEvent,
    MemberKind,
    Project,
    ProjectKind,
)
from governance.tests.councils_helpers import council_with_session
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound

pytestmark = pytest.mark.django_db


def test_the_secretary_sets_up_the_council_once_and_an_event_records_it(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    again = councils.council_get_or_create(actor=org.officer_a, community_id=org.a.pk)
    assert again.pk == council.pk
    assert GovernanceEvent.objects.filter(council=council, subject="council", action="create").count() == 1


@pytest.mark.parametrize("who", ["secretary_b", "leader", "chief_a", "clerk"])
def test_only_the_communitys_own_people_set_up_its_council(org, who):
    with pytest.raises(NotAllowed):
        councils.council_get_or_create(actor=getattr(org, who), community_id=org.a.pk)
    assert not Council.objects.exists()


def test_the_predicate_says_who_may_do_what(org):
    council = council_with_session(org).council
    assert council_may(org.secretary_a, council, CouncilStep.RECORD)
    assert council_may(org.officer_a, council, CouncilStep.TO_CASE)
    assert not council_may(org.officer_a, council, CouncilStep.TO_PROJECT)
    assert council_may(org.leader, council, CouncilStep.VIEW)
    assert council_may(org.leader, council, CouncilStep.TO_PROJECT)
    assert not council_may(org.leader, council, CouncilStep.RECORD)
    assert not council_may(org.leader, council, CouncilStep.TO_CASE)
    assert not council_may(org.secretary_b, council, CouncilStep.VIEW)
    assert not council_may(org.chief_a, council, CouncilStep.VIEW)
    assert not council_may(org.display, council, CouncilStep.VIEW)


def test_members_are_added_and_deactivated_with_events(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    member = councils.council_member_add(
        actor=org.officer_a,
        council_id=council.pk,
        name=" 张业委 ",
        kind=MemberKind.OWNERS_COMMITTEE,
        phone="138 1111 2222",
    )
    assert member.name == "张业委" and member.phone == "13811112222" and member.is_active
    councils.council_member_deactivate(actor=org.secretary_a, member_id=member.pk)
    member.refresh_from_db()
    assert not member.is_active
    assert list(GovernanceEvent.objects.filter(subject=f"member:{member.pk}").values_list("action", flat=True)) == [
        "add",
        "deactivate",
    ]
    with pytest.raises(Conflict):
        councils.council_member_deactivate(actor=org.secretary_a, member_id=member.pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "名" * 65}, "name"),
        ({"kind": "mayor"}, "kind"),
        ({"phone": "12ab"}, "phone"),
        ({"joined_on": dt.date.today() + dt.timedelta(days=3)}, "joined_on"),
    ],
)
def test_a_bad_member_is_refused_and_nothing_is_written(org, changes, field):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    data = {"name": "王党员", "kind": MemberKind.PARTY_MEMBER, **changes}
    with pytest.raises(InvalidInput) as error:
        councils.council_member_add(actor=org.secretary_a, council_id=council.pk, **data)
    assert error.value.field == field
    assert not CouncilMember.objects.exists()


def test_another_community_may_not_touch_the_council(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    with pytest.raises(NotFound):
        councils.council_member_add(actor=org.secretary_b, council_id=council.pk, name="x", kind=MemberKind.RESIDENT)
    with pytest.raises(NotAllowed):
        councils.council_member_add(actor=org.leader, council_id=council.pk, name="x", kind=MemberKind.RESIDENT)
    assert not CouncilMember.objects.exists()


def test_a_session_is_recorded_with_its_topics_and_attendees(org):
    session = council_with_session(org)
    assert [t.title for t in session.topics.all()] == ["3号楼楼道堆物", "增设电动车充电桩"]
    assert [m.name for m in session.attendees.all()] == ["刘楼长"]
    assert session.recorded_by == org.secretary_a
    assert GovernanceEvent.objects.filter(subject=f"session:{session.pk}", action="record").count() == 1


def _record(org, council, **changes):
    data = {
        "held_at": timezone.now() - dt.timedelta(hours=1),
        "place": "活动室",
        "topics": [{"title": "议题一"}],
        **changes,
    }
    return councils.council_session_record(actor=org.secretary_a, council_id=council.pk, **data)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"held_at": None}, "held_at"),
        ({"held_at": timezone.now() + dt.timedelta(days=2)}, "held_at"),
        ({"place": "  "}, "place"),
        ({"topics": []}, "topics"),
        ({"topics": [{"title": "", "discussion": "", "outcome": ""}]}, "topics"),
        ({"topics": [{"title": "", "outcome": "没有议题名称的结果"}]}, "topics"),
        ({"topics": [{"title": "题" * 121}]}, "topics"),
        ({"topics": [{"title": "x"}] * 21}, "topics"),
        ({"summary": "长" * 4001}, "summary"),
    ],
)
def test_a_bad_session_is_refused_and_nothing_is_written(org, changes, field):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    with pytest.raises(InvalidInput) as error:
        _record(org, council, **changes)
    assert error.value.field == field
    assert not CouncilSession.objects.exists() and not CouncilTopic.objects.exists()


def test_attendees_must_be_active_members_of_this_council(org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    other = councils.council_get_or_create(actor=org.secretary_b, community_id=org.b.pk)
    stranger = councils.council_member_add(actor=org.secretary_b, council_id=other.pk, name="外人", kind="resident")
    gone = councils.council_member_add(actor=org.secretary_a, council_id=council.pk, name="已退", kind="resident")
    councils.council_member_deactivate(actor=org.secretary_a, member_id=gone.pk)
    for ids in ([stranger.pk], [gone.pk]):
        with pytest.raises(InvalidInput):
            _record(org, council, attendee_ids=ids)
    assert not CouncilSession.objects.exists()


def test_a_topic_becomes_a_case_of_the_community_on_channel_council(org):
    session = council_with_session(org)
    topic = session.topics.get(title="3号楼楼道堆物")
    topic = councils.council_topic_to_case(actor=org.officer_a, topic_id=topic.pk, category="城市管理->市容环境")
    case = topic.case
    assert case is not None
    assert case.channel == Channel.COUNCIL
    assert case.title == "3号楼楼道堆物"
    assert "请社区协调物业清理" in case.content and "议事会" in case.content
    assert case.reported_community == org.a and case.community == org.a
    assert case.handler == org.officer_a and case.status == "dispatched"
    assert case.received_at == session.held_at
    assert topic.converted_by == org.officer_a and topic.converted_at is not None
    assert GovernanceEvent.objects.filter(subject=f"topic:{topic.pk}", action="to_case", note=case.ticket_no).exists()
    with pytest.raises(Conflict):
        councils.council_topic_to_case(actor=org.secretary_a, topic_id=topic.pk)
    assert Case.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "clerk", "secretary_b", "chief_a"])
def test_only_the_communitys_people_turn_a_topic_into_a_case(org, who):
    topic = council_with_session(org).topics.first()
    with pytest.raises((NotAllowed, NotFound)):
        councils.council_topic_to_case(actor=getattr(org, who), topic_id=topic.pk)
    assert not Case.objects.exists()
    topic.refresh_from_db()
    assert topic.case is None


def test_a_too_long_case_title_is_refused(org):
    topic = council_with_session(org).topics.first()
    with pytest.raises(InvalidInput):
        councils.council_topic_to_case(actor=org.officer_a, topic_id=topic.pk, title="长" * 201)
    assert not Case.objects.exists()


def test_a_leader_turns_a_topic_into_a_project_once(org):
    topic = council_with_session(org).topics.get(title="增设电动车充电桩")
    due = timezone.localdate() + dt.timedelta(days=60)
    topic = councils.council_topic_to_project(
        actor=org.leader, topic_id=topic.pk, lead_id=org.leader.pk, due_on=due, keywords=["充电桩"]
    )
    project = topic.project
    assert project is not None
    assert project.kind == ProjectKind.CLASS and project.keywords == ["充电桩"]
    assert list(project.communities.all()) == [org.a]
    assert "增设电动车充电桩" in project.description
    assert GovernanceEvent.objects.filter(subject=f"topic:{topic.pk}", action="to_project").exists()
    with pytest.raises(Conflict):
        councils.council_topic_to_project(
            actor=org.leader, topic_id=topic.pk, lead_id=org.leader.pk, due_on=due, keywords=["x"]
        )
    with pytest.raises(Conflict):
        councils.council_topic_to_case(actor=org.officer_a, topic_id=topic.pk)
    assert Project.objects.count() == 1


@pytest.mark.parametrize(
    ("who", "changes", "error"),
    [
        ("secretary_a", {}, NotAllowed),
        ("leader", {"keywords": []}, InvalidInput),  # no problem class
        ("leader", {"lead_id": None}, InvalidInput),
        ("leader", {"due_on": None}, InvalidInput),
    ],
)
def test_a_bad_topic_to_project_is_refused_and_nothing_is_written(org, who, changes, error):
    topic = council_with_session(org).topics.first()
    data = {"lead_id": org.leader.pk, "due_on": timezone.localdate() + dt.timedelta(days=30), "keywords": ["堆物"]}
    data.update(changes)
    with pytest.raises(error):
        councils.council_topic_to_project(actor=getattr(org, who), topic_id=topic.pk, **data)
    assert not Project.objects.exists()
    topic.refresh_from_db()
    assert topic.project is None and topic.converted_at is None


def test_when_the_case_cannot_be_registered_the_topic_stays_as_it_was(org):
    topic = council_with_session(org).topics.first()
    org.pairing_a.is_active = False
    org.pairing_a.save(update_fields=["is_active"])
    with pytest.raises(InvalidInput):
        councils.council_topic_to_case(actor=org.officer_a, topic_id=topic.pk)
    topic.refresh_from_db()
    assert topic.case is None and topic.converted_at is None and not Case.objects.exists()
    assert not GovernanceEvent.objects.filter(subject=f"topic:{topic.pk}").exists()
