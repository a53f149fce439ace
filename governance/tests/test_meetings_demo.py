"""The demo street's 吹哨 meetings: the register, one meeting held with the
property company (a decision done on time, one open, one late and told), one
scheduled, the 每月一题 project's — every record through the services, and the linked case's timeline
still in order."""

import datetime as dt
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings

from cases.models import CaseEvent
from cases.transitions import Action
from demo import services as demo
from governance.meetings_selectors import decision_state
from governance.meetings_transitions import MeetingStatus
from governance.models import Meeting, Organisation, OrganisationKind, ProjectKind

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_street_has_a_register_and_its_meetings():
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        result = demo.demo_seed(seed=7, weeks=1, now=NOW)
    street = result.street
    kinds = set(Organisation.objects.filter(street=street).values_list("kind", flat=True))
    assert {OrganisationKind.HOUSING_OFFICE, OrganisationKind.PROPERTY_COMPANY, OrganisationKind.ENFORCEMENT} <= kinds
    held = Meeting.objects.get(street=street, status=MeetingStatus.HELD, project__isnull=True)
    assert held.parties.filter(organisation__kind=OrganisationKind.PROPERTY_COMPANY).exists()
    states = sorted(decision_state(d, today=NOW.date()) for d in held.decisions.all())
    assert states == ["done_on_time", "late", "open"]
    assert held.decisions.filter(late_told_at__isnull=False).count() == 1
    assert Meeting.objects.filter(street=street, status=MeetingStatus.SCHEDULED).count() == 1
    for link in held.links.all():
        events = list(CaseEvent.objects.filter(case_id=link.case_id).order_by("id"))
        assert all(a.created_at <= b.created_at for a, b in pairwise(events))
        assert [e.action for e in events].count(Action.MEETING_LINK) == 2
    # The 每月一题 project blew the whistle with a property company: one decision done, one open.
    for_project = Meeting.objects.get(street=street, project__kind=ProjectKind.MONTHLY)
    assert for_project.status == MeetingStatus.HELD
    assert for_project.parties.filter(organisation__kind=OrganisationKind.PROPERTY_COMPANY).exists()
    assert sorted(decision_state(d, today=NOW.date()) for d in for_project.decisions.all()) == ["done_on_time", "open"]
    assert demo.demo_delete()
    assert not Meeting.objects.exists() and not Organisation.objects.exists()
