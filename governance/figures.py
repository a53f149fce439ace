"""The governance figures (未诉先办): per community, per department and
street-wide — projects open / done / late, late milestones, 吹哨 meetings
held, their decisions by state, council sessions. Every figure is a count of
records the user may see (governance.scoping), computed by aggregate queries
in the database, and each has the list page that shows the same records.

Which unit a record counts for: a project for each of its responsible
communities and departments; a meeting for its community and for the
communities and departments at its table; a decision for its meeting's
units; a session for its council's community. The street's total counts each
record once (also those of no unit), so it is not the sum of the rows.

The chosen dates apply to what happens at a time — meetings held, sessions
held, decisions due; the project and milestone figures stand as they are now."""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from communities.models import COMMUNITY_ROLES, STREET_WIDE_ROLES, Community, Department, Role
from communities.selectors import person_for_user
from governance.meetings_selectors import decision_state_q, meeting_unit_q
from governance.meetings_transitions import MeetingStatus
from governance.models import (
    CouncilSession,
    Decision,
    Milestone,
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


def _project_unit_q(unit: Unit, prefix: str = "") -> Q | None:
    if unit.kind == COMMUNITY:
        return Q(**{f"{prefix}communities": unit.id})
    if unit.kind == DEPARTMENT:
        return Q(**{f"{prefix}departments": unit.id})
    return Q()


def _meeting_unit_q(unit: Unit, prefix: str = "") -> Q | None:
    if unit.kind == COMMUNITY:
        return meeting_unit_q(community_id=unit.id, prefix=prefix)
    if unit.kind == DEPARTMENT:
        return meeting_unit_q(department_id=unit.id, prefix=prefix)
    return Q()


def _session_unit_q(unit: Unit) -> Q | None:
    if unit.kind == COMMUNITY:
        return Q(council__community_id=unit.id)
    if unit.kind == DEPARTMENT:
        return None  # a council belongs to a community
    return Q()


def _count_by_unit(
    queryset: QuerySet, units: list[Unit], unit_q, figures: dict[str, Q]
) -> dict[tuple[int, str], int | None]:
    """One aggregate query: for each unit and figure, the number of distinct
    records of `queryset` of that unit matching that figure's condition
    (None where the figure does not apply to the unit)."""
    columns = {}
    for index, unit in enumerate(units):
        where = unit_q(unit)
        if where is None:
            continue
        for key, condition in figures.items():
            columns[f"u{index}_{key}"] = Count("pk", distinct=True, filter=where & condition)
    result: dict[tuple[int, str], int | None] = {(index, key): None for index in range(len(units)) for key in figures}
    if not columns:
        return result
    counted = queryset.order_by().aggregate(**columns)
    for name, value in counted.items():
        position, key = name[1:].split("_", 1)
        result[(int(position), key)] = value
    return result


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

    projects = project_scope_for_user(user)
    counted = _count_by_unit(
        projects,
        units,
        _project_unit_q,
        {
            "projects_open": Q(status__in=PROJECT_OPEN_STATUSES),
            "projects_done": Q(status=ProjectStatus.DONE),
            "projects_late": project_late_q(today=today),
        },
    )
    counted |= _count_by_unit(
        Milestone.objects.filter(project__in=projects),
        units,
        lambda unit: _project_unit_q(unit, "project__"),
        {"milestones_late": milestone_late_q(today=today)},
    )
    meetings = meeting_scope_for_user(user)
    counted |= _count_by_unit(
        meetings.filter(held_at__gte=period.starts, held_at__lt=period.ends),
        units,
        _meeting_unit_q,
        {"meetings_held": Q(status=MeetingStatus.HELD)},
    )
    counted |= _count_by_unit(
        Decision.objects.filter(meeting__in=meetings, due_on__gte=period.date_from, due_on__lte=period.date_to),
        units,
        lambda unit: _meeting_unit_q(unit, "meeting__"),
        {
            "decisions_total": Q(),
            "decisions_done_on_time": decision_state_q("done_on_time", today=today),
            "decisions_done_late": decision_state_q("done_late", today=today),
            "decisions_late": decision_state_q("late", today=today),
            "decisions_open": decision_state_q("open", today=today),
        },
    )
    councils = council_scope_for_user(user)
    counted |= _count_by_unit(
        CouncilSession.objects.filter(council__in=councils, held_at__gte=period.starts, held_at__lt=period.ends),
        units,
        _session_unit_q,
        {"sessions": Q()},
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
