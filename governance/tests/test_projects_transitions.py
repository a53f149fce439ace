"""The project's and the milestone's transition tables, edge by edge, through the services."""

import pytest
from django.utils import timezone

from governance import projects
from governance.models import Project
from governance.projects_transitions import (
    MILESTONE_TRANSITIONS,
    PROJECT_TRANSITIONS,
    MilestoneAction,
    MilestoneStatus,
    ProjectAction,
    ProjectStatus,
    milestone_next_status,
    project_next_status,
)
from governance.tests.projects_support import make_project
from hotline.errors import Conflict

EDGES = [
    (ProjectStatus.PROPOSED, ProjectAction.START, ProjectStatus.ACTIVE),
    (ProjectStatus.PROPOSED, ProjectAction.SHELVE, ProjectStatus.SHELVED),
    (ProjectStatus.ACTIVE, ProjectAction.COMPLETE, ProjectStatus.DONE),
    (ProjectStatus.ACTIVE, ProjectAction.SHELVE, ProjectStatus.SHELVED),
    (ProjectStatus.SHELVED, ProjectAction.RESUME, ProjectStatus.ACTIVE),
]


def test_the_tables_name_every_status_and_only_these_edges():
    assert set(PROJECT_TRANSITIONS) == set(ProjectStatus.values)
    found = {(s, a, t) for s, moves in PROJECT_TRANSITIONS.items() for a, t in moves.items()}
    assert found == set(EDGES)
    assert set(MILESTONE_TRANSITIONS) == set(MilestoneStatus.values)
    assert milestone_next_status(MilestoneStatus.OPEN, MilestoneAction.COMPLETE) == MilestoneStatus.DONE
    assert milestone_next_status(MilestoneStatus.DONE, MilestoneAction.REOPEN) == MilestoneStatus.OPEN
    assert milestone_next_status(MilestoneStatus.OPEN, MilestoneAction.REOPEN) is None


def _to(org, project: Project, status: str) -> None:
    """Walk a new project to `status` through the services."""
    paths: dict[str, list[str]] = {
        ProjectStatus.PROPOSED: [],
        ProjectStatus.ACTIVE: [ProjectAction.START],
        ProjectStatus.SHELVED: [ProjectAction.SHELVE],
        ProjectStatus.DONE: [ProjectAction.START, ProjectAction.COMPLETE],
    }
    for action in paths[status]:
        projects.project_transition(
            actor=org.leader, project_id=project.pk, action=action, reason="因故", outcome="成效"
        )


@pytest.mark.django_db
@pytest.mark.parametrize("status", ProjectStatus.values)
@pytest.mark.parametrize("action", ProjectAction.values)
def test_each_edge_is_taken_and_each_missing_one_refused(org, status, action):
    project = make_project(org)
    _to(org, project, status)
    target = project_next_status(status, action)
    if target is None:
        with pytest.raises(Conflict):
            projects.project_transition(
                actor=org.leader, project_id=project.pk, action=action, reason="因故", outcome="成效"
            )
        project.refresh_from_db()
        assert project.status == status
    else:
        projects.project_transition(
            actor=org.leader, project_id=project.pk, action=action, reason="因故", outcome="成效"
        )
        project.refresh_from_db()
        assert project.status == target


@pytest.mark.django_db
def test_milestones_of_a_closed_project_no_longer_move(org):
    project = make_project(org)
    milestone = projects.milestone_add(
        actor=org.leader, project_id=project.pk, title="摸排", owner_id=org.officer_a.pk, due_on=timezone.localdate()
    )
    projects.project_transition(actor=org.leader, project_id=project.pk, action=ProjectAction.SHELVE, reason="暂缓")
    with pytest.raises(Conflict):
        projects.milestone_complete(actor=org.officer_a, milestone_id=milestone.pk)
