"""The demo's governance projects, seeded on the test street through the services."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from demo.governance_projects import EXTRA_BEFORE, demo_projects, demo_projects_delete
from governance import projects_selectors as selectors
from governance.models import Milestone, Project, ProjectKind
from governance.models.projects import milestone_late_q
from governance.projects_transitions import ProjectStatus
from supervision.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def test_the_demo_projects_show_a_drop_a_late_milestone_and_a_young_project(org):
    units = [
        SimpleNamespace(
            community=community,
            officer=officer,
            secretary=secretary,
            pairing=pairing,
            chief=chief,
            compounds=("幸福里", "和平苑"),
            is_building=False,
        )
        for community, officer, secretary, pairing, chief in (
            (org.a, org.officer_a, org.secretary_a, org.pairing_a, org.chief_a),
            (org.b, org.officer_b, org.secretary_b, org.pairing_b, org.chief_b),
        )
    ]
    now = timezone.now()
    assert demo_projects(leader=org.leader, clerk=org.clerk, units=units, now=now) == len(EXTRA_BEFORE)
    monthly = Project.objects.get(kind=ProjectKind.MONTHLY)
    assert monthly.status == ProjectStatus.ACTIVE and monthly.links.count() == len(EXTRA_BEFORE)
    calls = selectors.project_class_calls(user=org.leader, project=monthly, today=timezone.localdate(now))
    assert calls.weeks == 3 and calls.before_total == len(EXTRA_BEFORE) > calls.after_total == 0
    late = Milestone.objects.filter(milestone_late_q(today=timezone.localdate(now)))
    assert [m.title for m in late] == ["落实集中充电桩选址"]
    assert Notification.objects.filter(kind=NotificationKind.MILESTONE_LATE).count() == 2
    young = Project.objects.get(kind=ProjectKind.CLASS)
    assert selectors.project_class_calls(user=org.leader, project=young).too_young
    assert Project.objects.get(kind=ProjectKind.LEGACY).status == ProjectStatus.SHELVED
    demo_projects_delete(street=org.street)
    assert not Project.objects.exists()
