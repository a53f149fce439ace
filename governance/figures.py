"""The governance figures (未诉先办): per community, per department and
street-wide — projects open / done / late, late milestones, 吹哨 meetings
held, their decisions by state, council sessions. Every figure is a count of
records the user may see (governance.scoping) — one query per kind of record
gives each record's figure conditions (evaluated by the database) and one its
units, counted here, so the queries stay as few at hundreds of units — and
each has the list page that shows the same records.

Which unit a record counts for: a project for each of its responsible
communities and departments; a meeting for its community and for the
communities and departments at its table; a decision for its meeting's
units; a session for its council's community. The street's total counts each
record once (also those of no unit), so it is not the sum of the rows.

The chosen dates apply to what happens at a time — meetings held, sessions
held, decisions due; the project and milestone figures stand as they are now."""

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.utils import timezone

from communities.models import COMMUNITY_ROLES, STREET_WIDE_ROLES, Community, Department, Role
from communities.selectors import person_for_user
from governance.meetings_selectors import DECISION_STATES, decision_state_q, meeting_units
from governance.meetings_transitions import MeetingStatus
from governance.models import (
    CouncilSession,
    Decision,
    Milestone,
    Project,
    milestone_late_q,
    project_late_q,
)
from governance.projects_transitions import PROJECT_OPEN_STATUSES, ProjectStatus
from governance.scoping import council_scope_for_user, meeting_scope_for_user, project_scope_for_user
from hotline.dates import local_midnight

COMMUNITY, DEPARTMENT, STREET = "community", "department", "street"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    # True: counts what happened between the chosen dates; False: stands as it is now.
    dated: bool
    group: str


FIGURES: tuple[Figure, ...] = (
    Figure("projects_open", "在办（立项+推进中）", False, "治理项目"),
    Figure("projects_done", "已完成", False, "治理项目"),
    Figure("projects_late", "逾期", False, "治理项目"),
    Figure("milestones_late", "逾期节点", False, "治理项目"),
    Figure("meetings_held", "已召开", True, "吹哨会议"),
    Figure("decisions_total", "决定事项（到期日在期间内）", True, "会议决定事项"),
    Figure("decisions_done_on_time", "按期完成", True, "会议决定事项"),
    Figure("decisions_done_late", "逾期后完成", True, "会议决定事项"),
    Figure("decisions_late", "逾期未完成", True, "会议决定事项"),
    Figure("decisions_open", "未到期未完成", True, "会议决定事项"),
    Figure("sessions", "议事会", True, "居民议事厅"),
)
FIGURE_KEYS = tuple(f.key for f in FIGURES)


# ---------------------------------------------------------------- units and period


@dataclass(frozen=True)
class Unit:
    kind: str  # community / department / street
    id: int | None
    name: str


@dataclass(frozen=True)
class Period:
    date_from: dt.date
    date_to: dt.date

    @property
    def starts(self) -> dt.datetime:
        return local_midnight(self.date_from)

    @property
    def ends(self) -> dt.datetime:
        """The moment after the last day (exclusive)."""
        return local_midnight(self.date_to + dt.timedelta(days=1))


def figures_period_default(*, today: dt.date | None = None) -> Period:
    """This year, 1 January to 31 December."""
    today = today or timezone.localdate()
    return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))


def figures_units_for_user(user: AbstractBaseUser | AnonymousUser) -> list[Unit]:
    """The rows the user sees: the street's units and its total for the
    street-wide roles; their own community or department for the others."""
    person = person_for_user(user)
    if person is None or person.role == Role.DISPLAY:
        return []
    if person.role in STREET_WIDE_ROLES:
        communities = Community.objects.filter(street_id=person.street_id, is_active=True)
        departments = Department.objects.filter(street_id=person.street_id, is_active=True)
        return [
            *(Unit(COMMUNITY, c.pk, c.name) for c in communities),
            *(Unit(DEPARTMENT, d.pk, d.name) for d in departments),
            Unit(STREET, None, f"{person.street.name}合计"),
        ]
    if person.role in COMMUNITY_ROLES and person.community is not None:
        return [Unit(COMMUNITY, person.community.pk, person.community.name)]
    if person.role == Role.CHIEF and person.department is not None:
        return [Unit(DEPARTMENT, person.department.pk, person.department.name)]
    return []


# ---------------------------------------------------------------- which records count for a unit

UnitKey = tuple[str, int]


def _flags(records: QuerySet, conditions: dict[str, Q]) -> dict[int, set[str]]:
    """ONE query: each record's pk and the figures whose condition it meets (a
    condition over a relation meets when any related row does)."""
    wrapped = {
        f"f_{key}": ExpressionWrapper(condition, output_field=BooleanField()) if condition else Value(True)
        for key, condition in conditions.items()
    }
    found: dict[int, set[str]] = {}
    for pk, *values in records.order_by().annotate(**wrapped).values_list("pk", *wrapped):
        met = found.setdefault(pk, set())
        met.update(key for key, value in zip(conditions, values, strict=True) if value)
    return found


def _project_units(project_ids: Iterable[int]) -> dict[int, set[UnitKey]]:
    """A project counts for each of its responsible communities and departments."""
    units: dict[int, set[UnitKey]] = {}
    ids = list(project_ids)
    communities = Project.communities.through.objects.filter(project_id__in=ids)
    for project_id, community_id in communities.values_list("project_id", "community_id"):
        units.setdefault(project_id, set()).add((COMMUNITY, community_id))
    departments = Project.departments.through.objects.filter(project_id__in=ids)
    for project_id, department_id in departments.values_list("project_id", "department_id"):
        units.setdefault(project_id, set()).add((DEPARTMENT, department_id))
    return units


def _count_by_unit(
    units: list[Unit], flags: dict[int, set[str]], units_of, figures: Iterable[str], kinds: tuple[str, ...]
) -> dict[tuple[int, str], int | None]:
    """For each unit (by position) and figure, how many of the records met the
    figure's condition and count for the unit (`units_of(pk)`: the unit keys of
    a record); the street's row counts every record once. None where the
    figure does not apply to the unit's kind (not in `kinds`)."""
    tally: Counter[tuple[str, int | None, str]] = Counter()
    for pk, met in flags.items():
        for key in met:
            tally[(STREET, None, key)] += 1
            for kind, unit_id in units_of(pk):
                tally[(kind, unit_id, key)] += 1
    return {
        (index, key): tally[(unit.kind, unit.id, key)] if unit.kind in kinds else None
        for index, unit in enumerate(units)
        for key in figures
    }


# ---------------------------------------------------------------- the table


@dataclass
class FigureRow:
    unit: Unit
    values: dict[str, int | None] = field(default_factory=dict)
    # The council whose sessions the row counts (community rows), for the drill-down.
    council_id: int | None = None


@dataclass
class FiguresTable:
    period: Period
    today: dt.date
    rows: list[FigureRow]


def governance_figures(
    *,
    user: AbstractBaseUser | AnonymousUser,
    period: Period | None = None,
    today: dt.date | None = None,
) -> FiguresTable:
    today = today or timezone.localdate()
    period = period or figures_period_default(today=today)
    units = figures_units_for_user(user)
    rows = [FigureRow(unit=unit) for unit in units]
    if not units:
        return FiguresTable(period=period, today=today, rows=rows)

    every = (COMMUNITY, DEPARTMENT, STREET)
    projects = project_scope_for_user(user)
    project_flags = _flags(
        projects,
        {
            "projects_open": Q(status__in=PROJECT_OPEN_STATUSES),
            "projects_done": Q(status=ProjectStatus.DONE),
            "projects_late": project_late_q(today=today),
        },
    )
    project_units = _project_units(project_flags)
    counted = _count_by_unit(
        units,
        project_flags,
        lambda pk: project_units.get(pk, ()),
        ("projects_open", "projects_done", "projects_late"),
        every,
    )
    milestones = Milestone.objects.filter(project__in=projects)
    milestone_projects = dict(milestones.values_list("pk", "project_id"))
    counted |= _count_by_unit(
        units,
        _flags(milestones, {"milestones_late": milestone_late_q(today=today)}),
        lambda pk: project_units.get(milestone_projects[pk], ()),
        ("milestones_late",),
        every,
    )
    meetings = meeting_scope_for_user(user)
    held = meetings.filter(held_at__gte=period.starts, held_at__lt=period.ends)
    meeting_flags = _flags(held, {"meetings_held": Q(status=MeetingStatus.HELD)})
    decisions = Decision.objects.filter(meeting__in=meetings, due_on__gte=period.date_from, due_on__lte=period.date_to)
    decision_meetings = dict(decisions.values_list("pk", "meeting_id"))
    units_of_meeting = meeting_units({*meeting_flags, *decision_meetings.values()})
    counted |= _count_by_unit(units, meeting_flags, lambda pk: units_of_meeting.get(pk, ()), ("meetings_held",), every)
    decision_figures = {
        "decisions_total": Q(),
        **{f"decisions_{state}": decision_state_q(state, today=today) for state in DECISION_STATES},
    }
    counted |= _count_by_unit(
        units,
        _flags(decisions, decision_figures),
        lambda pk: units_of_meeting.get(decision_meetings[pk], ()),
        decision_figures,
        every,
    )
    councils = council_scope_for_user(user)
    sessions = CouncilSession.objects.filter(council__in=councils, held_at__gte=period.starts, held_at__lt=period.ends)
    session_community = dict(sessions.values_list("pk", "council__community_id"))
    counted |= _count_by_unit(
        units,
        {pk: {"sessions"} for pk in session_community},
        lambda pk: ((COMMUNITY, session_community[pk]),),  # a council belongs to a community
        ("sessions",),
        (COMMUNITY, STREET),
    )
    council_ids = dict(councils.values_list("community_id", "pk"))
    for index, row in enumerate(rows):
        row.values = {key: counted.get((index, key)) for key in FIGURE_KEYS}
        if row.unit.kind == COMMUNITY and row.unit.id is not None:
            row.council_id = council_ids.get(row.unit.id)
    return FiguresTable(period=period, today=today, rows=rows)


@dataclass(frozen=True)
class LateWork:
    milestones: int
    decisions: int


def governance_late_work(*, user: AbstractBaseUser | AnonymousUser, today: dt.date | None = None) -> LateWork:
    """Governance work past its date in the user's scope, for the 催办 ladder
    page: late milestones (`milestone_late_q`) and late meeting decisions
    (`decision_late_q`); the sweeps have told their people once."""
    today = today or timezone.localdate()
    return LateWork(
        milestones=Milestone.objects.filter(milestone_late_q(today=today), project__in=project_scope_for_user(user))
        .order_by()
        .count(),
        decisions=Decision.objects.filter(
            decision_state_q("late", today=today), meeting__in=meeting_scope_for_user(user)
        )
        .order_by()
        .count(),
    )
