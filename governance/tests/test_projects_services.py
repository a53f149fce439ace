"""The project services: update, the transitions and their reasons, milestones
with their owners and the late sweep, notes with photos, linked cases (in the
actor's case scope, on the case timeline), and 立项治理 from a hotspot class.
Every refusal leaves nothing half-written."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from attachments.models import Attachment, OwnerKind
from attachments.tests import files
from cases.hotspot_classes import hotspot_similar_classes
from cases.hotspots import hotspot_filters
from cases.models import CaseEvent
from cases.transitions import Action
from governance import projects
from governance.models import GovernanceEvent, Milestone, Project, ProjectCase, ProjectKind, ProjectNote
from governance.models.projects import ProjectCaseSource
from governance.projects_transitions import MilestoneStatus, ProjectAction, ProjectStatus
from governance.tests.projects_support import case_at, make_project
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str):
    handle = io.BytesIO(data)
    handle.name = name
    return handle


def test_a_project_without_a_problem_class_or_a_lead_is_refused(org):
    with pytest.raises(InvalidInput) as error:
        make_project(org, keywords=[], category_paths=[" "])
    assert error.value.field == "category_paths"
    with pytest.raises(InvalidInput) as error:
        make_project(org, lead_id=None)
    assert error.value.field == "lead"
    with pytest.raises(InvalidInput):
        make_project(org, lead_id=org.clerk.pk)  # a lead must be a leader
    with pytest.raises(NotAllowed):
        make_project(org, actor=org.officer_a)
    assert not Project.objects.exists()


def test_update_changes_the_fields_while_open_with_the_same_rules(org):
    project = make_project(org)
    with pytest.raises(InvalidInput):
        projects.project_update(
            actor=org.leader,
            project_id=project.pk,
            title="新名称",
            lead_id=org.leader.pk,
            starts_on=project.starts_on,
            due_on=project.due_on,
            keywords=[],
        )
    project.refresh_from_db()
    assert project.title == "电梯故障治理"
    projects.project_update(
        actor=org.leader,
        project_id=project.pk,
        title="新名称",
        lead_id=org.leader.pk,
        starts_on=project.starts_on,
        due_on=project.due_on,
        keywords=["电梯", "加装"],
        community_ids=[org.a.pk],
    )
    project.refresh_from_db()
    assert project.title == "新名称" and project.keywords == ["电梯", "加装"]
    assert list(project.communities.all()) == [org.a]
    with pytest.raises(NotAllowed):
        projects.project_update(
            actor=org.officer_a,
            project_id=project.pk,
            title="x",
            lead_id=org.leader.pk,
            starts_on=project.starts_on,
            due_on=project.due_on,
            keywords=["x"],
        )


def test_shelving_needs_a_reason_and_resuming_goes_back_to_work(org):
    project = make_project(org)
    with pytest.raises(InvalidInput) as error:
        projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.SHELVE)
    assert error.value.field == "reason"
    project.refresh_from_db()
    assert project.status == ProjectStatus.PROPOSED
    projects.project_transition(
        actor=org.leader, project_id=project.pk, action=ProjectAction.SHELVE, reason="经费未落实"
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.SHELVED and project.status_reason == "经费未落实"
    projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.RESUME)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    events = list(GovernanceEvent.objects.filter(project=project).values_list("action", "to_status"))
    assert events == [("create", "proposed"), ("shelve", "shelved"), ("resume", "active")]


def test_closing_with_open_milestones_asks_for_a_reason_and_records_the_outcome(org):
    project = make_project(org)
    projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.START)
    projects.milestone_add(
        actor=org.leader, project_id=project.pk, title="摸排", owner_id=org.officer_a.pk, due_on=timezone.localdate()
    )
    with pytest.raises(InvalidInput) as error:
        projects.project_transition(
            actor=org.leader, project_id=project.pk, action=ProjectAction.COMPLETE, outcome="来电下降"
        )
    assert error.value.code == "open_milestones" and "1个节点未完成" in error.value.message
    with pytest.raises(InvalidInput) as error:
        projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.COMPLETE, reason="x")
    assert error.value.field == "outcome"
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE and not project.outcome
    projects.project_transition(
        actor=org.leader,
        project_id=project.pk,
        action=ProjectAction.COMPLETE,
        reason="摸排并入下月",
        outcome="来电明显下降",
    )
    project.refresh_from_db()
    assert project.status == ProjectStatus.DONE and project.outcome == "来电明显下降"
    assert project.status_reason == "摸排并入下月" and project.done_at is not None
    with pytest.raises(Conflict):
        projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.SHELVE, reason="x")


def test_a_milestone_tells_its_owner_and_only_the_owner_or_a_leader_completes_it(org):
    project = make_project(org)
    today = timezone.localdate()
    with pytest.raises(InvalidInput) as error:
        projects.milestone_add(
            actor=org.leader,
            project_id=project.pk,
            title="摸排",
            owner_id=org.officer_a.pk,
            due_on=today - dt.timedelta(days=1),
        )
    assert error.value.field == "due_on"
    with pytest.raises(InvalidInput) as error:
        projects.milestone_add(actor=org.leader, project_id=project.pk, title="摸排", owner_id=None, due_on=today)
    assert error.value.field == "owner"
    with pytest.raises(InvalidInput):
        projects.milestone_add(
            actor=org.leader, project_id=project.pk, title="摸排", owner_id=org.display.pk, due_on=today
        )
    assert not Milestone.objects.exists()
    milestone = projects.milestone_add(
        actor=org.leader, project_id=project.pk, title="摸排", owner_id=org.officer_a.pk, due_on=today
    )
    told = Notification.objects.get(recipient=org.officer_a)
    assert told.kind == NotificationKind.PROJECT_ASSIGNED and "摸排" in told.title
    with pytest.raises(NotAllowed):
        projects.milestone_complete(actor=org.officer_b, milestone_id=milestone.pk)
    projects.milestone_complete(actor=org.officer_a, milestone_id=milestone.pk, note="已完成摸排")
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.DONE and milestone.done_by == org.officer_a
    with pytest.raises(Conflict):
        projects.milestone_complete(actor=org.officer_a, milestone_id=milestone.pk)
    projects.milestone_reopen(actor=org.leader, milestone_id=milestone.pk)
    milestone.refresh_from_db()
    assert milestone.status == MilestoneStatus.OPEN and milestone.done_at is None


def test_the_late_sweep_tells_owner_and_lead_once(org):
    project = make_project(org)
    today = timezone.localdate()
    milestone = projects.milestone_add(
        actor=org.leader, project_id=project.pk, title="摸排", owner_id=org.officer_a.pk, due_on=today
    )
    assert projects.milestones_late_sweep(now=timezone.now()) == 0  # due today: not late yet
    later = timezone.now() + dt.timedelta(days=2)
    assert projects.milestones_late_sweep(now=later) == 1
    late = Notification.objects.filter(kind=NotificationKind.MILESTONE_LATE)
    assert set(late.values_list("recipient_id", flat=True)) == {org.officer_a.pk, org.leader.pk}
    assert projects.milestones_late_sweep(now=later + dt.timedelta(hours=1)) == 0
    milestone.refresh_from_db()
    assert milestone.late_told_at == later


def test_notes_with_photos_from_the_responsible_units_all_or_nothing(org):
    project = make_project(org, community_ids=[org.a.pk])
    with pytest.raises(NotAllowed):
        projects.project_note_add(actor=org.officer_b, project_id=project.pk, text="看过了")
    with pytest.raises(InvalidInput) as error:
        projects.project_note_add(
            actor=org.officer_a,
            project_id=project.pk,
            text="现场照片",
            photos=[upload(files.jpeg(), "a.jpg"), upload(files.pdf(), "b.jpg")],
        )
    assert error.value.field == "photos"
    assert not ProjectNote.objects.exists() and not Attachment.objects.exists()
    note = projects.project_note_add(
        actor=org.officer_a, project_id=project.pk, text="已约物业现场查看", photos=[upload(files.jpeg(), "a.jpg")]
    )
    photo = Attachment.objects.get()
    assert photo.owner_kind == OwnerKind.PROJECT and photo.project_note == note
    with pytest.raises(InvalidInput):
        projects.project_note_add(actor=org.officer_a, project_id=project.pk, text="  ")


def test_linking_cases_out_of_scope_is_refused_and_nothing_is_linked(org, walk):
    project = make_project(org)
    mine = walk.dispatched()  # community A
    other = walk.registered()  # not dispatched: outside a chief's scope
    chief_project = project
    with pytest.raises(NotAllowed):
        projects.project_link_cases(actor=org.chief_a, project_id=chief_project.pk, case_ids=[mine.pk])
    with pytest.raises(NotFound):
        projects.project_link_cases(actor=org.leader, project_id=project.pk, case_ids=[mine.pk, 999_999])
    assert not ProjectCase.objects.exists()
    links = projects.project_link_cases(
        actor=org.leader, project_id=project.pk, case_ids=[mine.pk, other.pk], source=ProjectCaseSource.SEARCH
    )
    assert len(links) == 2
    assert CaseEvent.objects.filter(case=mine, action=Action.PROJECT_LINK).count() == 1
    assert projects.project_link_cases(actor=org.leader, project_id=project.pk, case_ids=[mine.pk]) == []
    projects.project_unlink_case(actor=org.leader, project_id=project.pk, case_id=mine.pk)
    assert CaseEvent.objects.filter(case=mine, action=Action.PROJECT_UNLINK).count() == 1
    assert list(ProjectCase.objects.values_list("case_id", flat=True)) == [other.pk]
    with pytest.raises(NotFound):
        projects.project_unlink_case(actor=org.leader, project_id=project.pk, case_id=mine.pk)


def test_a_leader_links_only_cases_in_the_leaders_scope_which_is_the_street(org, walk):
    # A project in a community role's hands: linking is a leader's step anyway.
    project = make_project(org)
    case = walk.dispatched()
    with pytest.raises(NotAllowed):
        projects.project_link_cases(actor=org.officer_a, project_id=project.pk, case_ids=[case.pk])


def test_the_largest_hotspot_class_becomes_a_monthly_project_with_all_its_cases(org):
    now = timezone.now()
    texts = [
        ("小区电梯经常停运", "3号楼电梯经常停运，老人上下楼困难"),
        ("电梯停运", "5号楼电梯又停运了，老人上下楼很困难"),
        ("电梯经常停运困人", "电梯经常停运，老人上下楼困难"),
        ("路灯不亮", "东门路灯坏了好几天晚上很黑"),
        ("路灯坏了", "东门的路灯坏了晚上很黑"),
        ("噪音扰民", "楼下饭馆夜间油烟噪音扰民"),
    ]
    cases = [case_at(org, at=now - dt.timedelta(days=i + 1), title=t, content=c) for i, (t, c) in enumerate(texts)]
    filters = hotspot_filters()
    classes = hotspot_similar_classes(user=org.leader, filters=filters)
    largest = classes[0]
    assert set(largest.case_ids) == {cases[0].pk, cases[1].pk, cases[2].pk}
    assert "电梯" in largest.keywords
    project = projects.project_create_from_hotspot(actor=org.leader, filters=filters, key=largest.key)
    assert project.kind == ProjectKind.MONTHLY and project.lead == org.leader
    assert project.keywords == largest.keywords and project.month == timezone.localdate().replace(day=1)
    assert project.due_on > project.starts_on
    assert set(
        ProjectCase.objects.filter(project=project, source=ProjectCaseSource.HOTSPOT).values_list("case_id", flat=True)
    ) == set(largest.case_ids)
    with pytest.raises(NotFound):
        projects.project_create_from_hotspot(actor=org.leader, filters=filters, key="没有这一类")
    with pytest.raises(NotAllowed):
        projects.project_create_from_hotspot(actor=org.clerk, filters=filters, key=largest.key)
    assert Project.objects.count() == 1
