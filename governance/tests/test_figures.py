"""Every governance figure against an independent plain-Python count over the
objects the test makes; scoping of the rows; the drill-down links."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Community, Department
from governance import councils
from governance.figures import FIGURE_KEYS, Period, figures_period_default, governance_figures
from governance.figures_views import figure_url
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import (
    CouncilSession,
    Decision,
    Meeting,
    MeetingParty,
    Milestone,
    PartyKind,
    Project,
    ProjectKind,
)
from governance.projects_transitions import MilestoneStatus, ProjectStatus
from hotline.dates import local_midnight

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = Period(TODAY - dt.timedelta(days=30), TODAY + dt.timedelta(days=30))


def _at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return local_midnight(day) + dt.timedelta(hours=hour, minutes=minute)


def _project(org, *, status, due_days, communities=(), departments=()):
    project = Project.objects.create(
        street=org.street,
        kind=ProjectKind.CLASS,
        title=f"项目{Project.objects.count() + 1}",
        keywords=["堆物"],
        lead=org.leader,
        starts_on=TODAY - dt.timedelta(days=90),
        due_on=TODAY + dt.timedelta(days=due_days),
        status=status,
        created_by=org.leader,
        created_at=timezone.now(),
    )
    project.communities.set(communities)
    project.departments.set(departments)
    return project


def _milestone(project, *, due_days, status=MilestoneStatus.OPEN):
    return Milestone.objects.create(
        project=project,
        title="节点",
        owner=project.lead,
        due_on=TODAY + dt.timedelta(days=due_days),
        status=status,
        created_at=timezone.now(),
    )


def _meeting(org, *, community, days, status, parties=()):
    meeting = Meeting.objects.create(
        street=org.street,
        title="吹哨",
        community=community,
        convener=org.leader,
        held_at=_at(TODAY + dt.timedelta(days=days)),
        place="会议室",
        agenda="议程",
        status=status,
        created_by=org.leader,
        created_at=timezone.now(),
    )
    for unit in parties:
        if isinstance(unit, Department):
            MeetingParty.objects.create(meeting=meeting, kind=PartyKind.DEPARTMENT, department=unit)
        else:
            MeetingParty.objects.create(meeting=meeting, kind=PartyKind.COMMUNITY, community=unit)
    return meeting


def _decision(meeting, *, due_days, done_at=None):
    return Decision.objects.create(
        meeting=meeting,
        text="决定",
        owner=meeting.convener,
        due_on=TODAY + dt.timedelta(days=due_days),
        status=DecisionStatus.DONE if done_at else DecisionStatus.OPEN,
        done_at=done_at,
    )


@pytest.fixture
def world(org):
    a, b, d1, d2 = org.a, org.b, org.d1, org.d2
    p1 = _project(org, status=ProjectStatus.ACTIVE, due_days=-3, communities=[a], departments=[d1])
    p2 = _project(org, status=ProjectStatus.DONE, due_days=-10, communities=[a, b])
    p3 = _project(org, status=ProjectStatus.PROPOSED, due_days=20, communities=[b], departments=[d1, d2])
    p4 = _project(org, status=ProjectStatus.ACTIVE, due_days=-1)  # of no unit
    _project(org, status=ProjectStatus.SHELVED, due_days=-5, communities=[a])
    _milestone(p1, due_days=-2)  # late
    _milestone(p1, due_days=-2, status=MilestoneStatus.DONE)
    _milestone(p1, due_days=5)
    _milestone(p2, due_days=-20)  # the project is done: not late
    _milestone(p3, due_days=-1)  # late
    _milestone(p4, due_days=-4)  # late, of no unit
    m1 = _meeting(org, community=a, days=-5, status=MeetingStatus.HELD, parties=[d1, b])
    m2 = _meeting(org, community=b, days=-60, status=MeetingStatus.HELD)  # before the period
    m3 = _meeting(org, community=None, days=-2, status=MeetingStatus.SCHEDULED, parties=[d2])
    _meeting(org, community=a, days=-1, status=MeetingStatus.CANCELLED)
    m5 = _meeting(org, community=None, days=-3, status=MeetingStatus.HELD, parties=[d2])
    due = TODAY - dt.timedelta(days=4)
    _decision(m1, due_days=-4, done_at=_at(due, 23, 30))  # on time (its local date)
    _decision(m1, due_days=-4, done_at=_at(due + dt.timedelta(days=1), 0, 30))  # late by local date, not by UTC
    _decision(m1, due_days=-1)  # open and late
    _decision(m1, due_days=10)  # open
    _decision(m1, due_days=45)  # due after the period
    _decision(m2, due_days=-50)  # due before the period
    _decision(m2, due_days=-2)  # late, meeting outside the period but the due date inside
    _decision(m3, due_days=-1)  # open: its meeting is not held
    _decision(m5, due_days=-3, done_at=_at(due))
    council_a = councils.council_get_or_create(actor=org.secretary_a, community_id=a.pk)
    council_b = councils.council_get_or_create(actor=org.secretary_b, community_id=b.pk)
    for council, actor, days in [
        (council_a, org.secretary_a, -3),
        (council_a, org.secretary_a, -20),
        (council_a, org.secretary_a, -200),
        (council_b, org.secretary_b, -1),
    ]:
        councils.council_session_record(
            actor=actor,
            council_id=council.pk,
            held_at=_at(TODAY + dt.timedelta(days=days), 9),
            place="活动室",
            topics=[{"title": "议题"}],
        )
    return SimpleNamespace(council_a=council_a, council_b=council_b)


# ---------------------------------------------------------------- the independent count


def _units_of_project(project):
    return {("community", c.pk) for c in project.communities.all()} | {
        ("department", d.pk) for d in project.departments.all()
    }


def _units_of_meeting(meeting):
    units = {("community", meeting.community_id)} if meeting.community_id else set()
    for party in meeting.parties.all():
        if party.community_id:
            units.add(("community", party.community_id))
        if party.department_id:
            units.add(("department", party.department_id))
    return units


def _in_period(moment: dt.datetime) -> bool:
    return PERIOD.date_from <= timezone.localdate(moment) <= PERIOD.date_to


def expected(unit) -> dict:
    """What a row should say, counted in plain Python over every object."""

    def mine(units):
        return unit is None or unit in units

    projects = [p for p in Project.objects.all() if mine(_units_of_project(p))]
    open_statuses = {"proposed", "active"}
    milestones = [m for m in Milestone.objects.all() if mine(_units_of_project(m.project))]
    meetings = [m for m in Meeting.objects.all() if mine(_units_of_meeting(m))]
    decisions = [
        d
        for d in Decision.objects.all()
        if mine(_units_of_meeting(d.meeting)) and PERIOD.date_from <= d.due_on <= PERIOD.date_to
    ]

    def late(d):
        return d.status == "open" and d.due_on < TODAY and d.meeting.status == "held"

    def on_time(d):
        return d.status == "done" and timezone.localtime(d.done_at).date() <= d.due_on

    if unit is not None and unit[0] == "department":
        sessions = None
    else:
        sessions = sum(
            1
            for s in CouncilSession.objects.all()
            if _in_period(s.held_at) and (unit is None or s.council.community_id == unit[1])
        )
    return {
        "projects_open": sum(p.status in open_statuses for p in projects),
        "projects_done": sum(p.status == "done" for p in projects),
        "projects_late": sum(p.status in open_statuses and p.due_on < TODAY for p in projects),
        "milestones_late": sum(
            m.status == "open" and m.due_on < TODAY and m.project.status in open_statuses for m in milestones
        ),
        "meetings_held": sum(m.status == "held" and _in_period(m.held_at) for m in meetings),
        "decisions_total": len(decisions),
        "decisions_done_on_time": sum(on_time(d) for d in decisions),
        "decisions_done_late": sum(d.status == "done" and not on_time(d) for d in decisions),
        "decisions_late": sum(late(d) for d in decisions),
        "decisions_open": sum(d.status == "open" and not late(d) for d in decisions),
        "sessions": sessions,
    }


def _row_key(row):
    return None if row.unit.kind == "street" else (row.unit.kind, row.unit.id)


def test_every_figure_of_every_row_matches_the_plain_count(org, world):
    table = governance_figures(user=org.leader, period=PERIOD, today=TODAY)
    keys = [_row_key(r) for r in table.rows]
    assert keys == [
        *(("community", c.pk) for c in Community.objects.filter(street=org.street)),
        *(("department", d.pk) for d in Department.objects.filter(street=org.street)),
        None,
    ]
    for row in table.rows:
        assert row.values == expected(_row_key(row)), row.unit.name
    street = table.rows[-1].values
    # The data are made so that each figure is non-zero street-wide (a test that can fail).
    assert all(street[key] for key in FIGURE_KEYS), street


def test_the_figures_take_the_same_queries_whatever_the_number_of_units(org, world):
    # A district has hundreds of units: a column (or a query) per unit and figure does not scale.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    governance_figures(user=org.leader, period=PERIOD, today=TODAY)  # the person read once per user
    with CaptureQueriesContext(connection) as few:
        governance_figures(user=org.leader, period=PERIOD, today=TODAY)
    Community.objects.bulk_create(Community(street=org.street, name=f"新社区{i}") for i in range(40))
    Department.objects.bulk_create(Department(street=org.street, name=f"新科室{i}") for i in range(20))
    with CaptureQueriesContext(connection) as many:
        table = governance_figures(user=org.leader, period=PERIOD, today=TODAY)
    assert len(many) == len(few) and len(table.rows) > 60
    for row in table.rows:
        assert row.values == expected(_row_key(row)), row.unit.name


def test_the_numbers_themselves_for_community_a(org, world):
    """The plain count above, spelt out once for one row."""
    rows = governance_figures(user=org.leader, period=PERIOD, today=TODAY).rows
    row = next(r for r in rows if r.unit.kind == "community" and r.unit.id == org.a.pk)
    assert row.values == {
        "projects_open": 1,
        "projects_done": 1,
        "projects_late": 1,
        "milestones_late": 1,
        "meetings_held": 1,
        "decisions_total": 4,
        "decisions_done_on_time": 1,
        "decisions_done_late": 1,
        "decisions_late": 1,
        "decisions_open": 1,
        "sessions": 2,
    }
    assert row.council_id == world.council_a.pk


def test_decisions_add_up_in_every_row(org, world):
    for row in governance_figures(user=org.leader, period=PERIOD, today=TODAY).rows:
        v = row.values
        parts = v["decisions_done_on_time"] + v["decisions_done_late"] + v["decisions_late"] + v["decisions_open"]
        assert parts == v["decisions_total"]


def test_a_community_sees_its_row_and_a_chief_their_department(org, world):
    rows = governance_figures(user=org.secretary_a, period=PERIOD, today=TODAY).rows
    assert [_row_key(r) for r in rows] == [("community", org.a.pk)]
    assert rows[0].values == expected(("community", org.a.pk))
    rows = governance_figures(user=org.chief_a, period=PERIOD, today=TODAY).rows
    assert [_row_key(r) for r in rows] == [("department", org.d1.pk)]
    assert rows[0].values == expected(("department", org.d1.pk))
    assert governance_figures(user=org.display, period=PERIOD, today=TODAY).rows == []


def test_the_default_period_is_this_year():
    period = figures_period_default(today=dt.date(2026, 6, 15))
    assert (period.date_from, period.date_to) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


def test_each_figure_links_to_the_list_of_its_records(org, world):
    table = governance_figures(user=org.leader, period=PERIOD, today=TODAY)
    row_a = next(r for r in table.rows if r.unit.kind == "community" and r.unit.id == org.a.pk)
    street = table.rows[-1]
    dep = next(r for r in table.rows if r.unit.kind == "department")
    f, t = PERIOD.date_from.isoformat(), PERIOD.date_to.isoformat()
    assert figure_url(row_a, "projects_open", PERIOD) == f"/projects/?open=1&community={org.a.pk}"
    assert figure_url(row_a, "projects_done", PERIOD) == f"/projects/?status=done&community={org.a.pk}"
    assert figure_url(row_a, "projects_late", PERIOD) == f"/projects/?late=1&community={org.a.pk}"
    assert figure_url(dep, "milestones_late", PERIOD) == f"/projects/?milestones_late=1&department={dep.unit.id}"
    assert figure_url(row_a, "meetings_held", PERIOD) == (
        f"/meetings/?status=held&community={org.a.pk}&held_from={f}&held_to={t}"
    )
    assert figure_url(street, "decisions_late", PERIOD) == f"/meetings/decisions/?state=late&due_from={f}&due_to={t}"
    assert figure_url(row_a, "decisions_total", PERIOD) == (
        f"/meetings/decisions/?community={org.a.pk}&due_from={f}&due_to={t}"
    )
    assert figure_url(row_a, "sessions", PERIOD) == f"/councils/{world.council_a.pk}/?from={f}&to={t}"
    assert figure_url(dep, "sessions", PERIOD) is None
    assert figure_url(street, "sessions", PERIOD) == f"/councils/?from={f}&to={t}"


# The list API behind each list page: the same selector, the same query.
API_FOR_PAGE = {
    "/projects/": "/api/projects/",
    "/meetings/": "/api/meetings/",
    "/meetings/decisions/": "/api/meetings/decisions/",
}


@pytest.mark.parametrize("who", ["leader", "secretary_a", "chief_a"])
def test_each_figures_link_lists_as_many_records_as_the_figure_counts(org, world, who):
    """Followed as its user would: the figure's list (its API, the same query)
    holds exactly the figure's number of records — except late milestones,
    which are listed by their projects (fewer rows when a project has several)."""
    user = getattr(org, who)
    client = APIClient()
    client.force_login(user)
    table = governance_figures(user=user, period=PERIOD, today=TODAY)
    checked = 0
    for row in table.rows:
        for key in FIGURE_KEYS:
            url, value = figure_url(row, key, PERIOD), row.values.get(key)
            if url is None or value is None or key in ("sessions", "milestones_late"):
                continue
            path, _, query = url.partition("?")
            response = client.get(f"{API_FOR_PAGE[path]}?{query}")
            assert response.status_code == 200, (row.unit, key, response.content)
            assert response.json()["count"] == value, (row.unit.name, key, url)
            checked += 1
    assert checked >= 9


def test_the_ladder_page_shows_the_late_governance_work_of_its_users_scope(org, world):
    """Late milestones (p1, p3, p4) and late decisions (m1's one, m2's two: the
    ladder knows no period) join the 催办 ladder page of the supervision
    group, each a link to its records."""
    client = Client()
    client.force_login(org.supervisor)
    html = client.get(reverse("supervision-ladder")).content.decode()
    assert 'href="/projects/?milestones_late=1" data-testid="late-milestones">3</a>' in html
    assert 'href="/meetings/decisions/?state=late" data-testid="late-decisions">' in html
    assert re.search(r"data-testid=\"late-decisions\">(\d+)<", html).group(1) == "3", re.findall(
        r"late-decisions.{0,80}", html
    )
