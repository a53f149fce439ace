"""Reading governance projects: the scoped list with the board's filters, one
project, its class's calls per week before and after it started (the measure
of 未诉先办 is fewer calls), the rates of its linked cases, and the leaders'
board. Every figure is counted from the cases in the viewer's case scope."""

import datetime as dt
import operator
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import BooleanField, Count, ExpressionWrapper, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from cases.groupings import category_prefix_q
from cases.models import Case
from cases.selectors import case_scope_for_user
from communities.selectors import person_for_user
from governance.models import Milestone, Project, ProjectCase
from governance.models.projects import milestone_late_q, project_late_q
from governance.projects_transitions import PROJECT_OPEN_STATUSES, ProjectStatus
from governance.scoping import project_scope_for_user
from hotline.errors import InvalidInput, NotFound
from rankings import windows
from rankings.scoring import Rule, figure_filters, rate, rule_in_force, satisfaction_numerator

# The before/after comparison covers at most this many weeks on each side.
CALLS_MAX_WEEKS = 12


def project_get_for_user(*, user: AbstractBaseUser | AnonymousUser, project_id: int) -> Project:
    project = (
        project_scope_for_user(user)
        .select_related("lead__person", "created_by__person")
        .prefetch_related(
            "tags",
            "departments",
            "communities",
            Prefetch("milestones", queryset=Milestone.objects.select_related("owner__person", "done_by__person")),
        )
        .filter(pk=project_id)
        .first()
    )
    if project is None:
        raise NotFound("治理项目不存在，或不在您的查看范围内。")
    return project


def project_month_parse(text: str) -> dt.date:
    try:
        year, month = (int(part) for part in text.split("-"))
        return dt.date(year, month, 1)
    except (ValueError, TypeError):
        raise InvalidInput("月份格式应为 YYYY-MM。", field="month") from None


def project_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    status: str = "",
    kind: str = "",
    month: dt.date | None = None,
    open_only: bool = False,
    late: bool = False,
    milestones_late: bool = False,
    community_id: int | None = None,
    department_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[Project]:
    """The user's projects with the board's filters; `open_only`: still being
    worked on (立项, 推进中); `late`: the project is
    past its deadline (project_late_q); `milestones_late`: it has a late milestone."""
    today = today or timezone.localdate()
    projects = project_scope_for_user(user).select_related("lead__person")
    if status:
        projects = projects.filter(status=status)
    if kind:
        projects = projects.filter(kind=kind)
    if open_only:
        projects = projects.filter(status__in=PROJECT_OPEN_STATUSES)
    if month is not None:
        projects = projects.filter(month=month.replace(day=1))
    if late:
        projects = projects.filter(project_late_q(today=today))
    if milestones_late:
        projects = projects.filter(pk__in=Milestone.objects.filter(milestone_late_q(today=today)).values("project_id"))
    if community_id is not None:
        projects = projects.filter(
            pk__in=Project.communities.through.objects.filter(community_id=community_id).values("project_id")
        )
    if department_id is not None:
        projects = projects.filter(
            pk__in=Project.departments.through.objects.filter(department_id=department_id).values("project_id")
        )
    return projects.order_by("-created_at", "-id")


# ---------------------------------------------------------------- the class and its calls


def project_class_cases_q(project: Project) -> Q:
    """The one home of "a case in the project's class": its category path
    starts with one of the project's paths, or it has one of its tags, or its
    title or content contains one of its key words."""
    q = Q(pk__in=[])
    for path in project.category_paths:
        q |= category_prefix_q(path)
    tag_ids = [tag.pk for tag in project.tags.all()]
    if tag_ids:
        q |= Q(pk__in=Case.tags.through.objects.filter(tag_id__in=tag_ids).values("case_id"))
    for word in project.keywords:
        q |= Q(title__contains=word) | Q(content__contains=word)
    return q


@dataclass
class WeekCalls:
    starts_on: dt.date
    calls: int

    @property
    def label(self) -> str:
        return f"{self.starts_on:%m-%d}"


@dataclass
class ClassCalls:
    """The class's calls per week (weeks counted from the project's start:
    week 0 begins on starts_on) for the same span before and after it."""

    starts_on: dt.date
    weeks: int
    too_young: bool
    # No calls on record for a whole week before the start: nothing to compare with.
    no_history: bool = False
    before: list[WeekCalls] = field(default_factory=list)
    after: list[WeekCalls] = field(default_factory=list)

    @property
    def before_total(self) -> int:
        return sum(w.calls for w in self.before)

    @property
    def after_total(self) -> int:
        return sum(w.calls for w in self.after)

    @property
    def change(self) -> int:
        return self.after_total - self.before_total

    @property
    def change_rate(self) -> Decimal | None:
        return None if not self.before_total else rate(self.change, self.before_total)

    @property
    def before_average(self) -> Decimal | None:
        return Decimal(self.before_total / self.weeks).quantize(Decimal("0.1")) if self.weeks else None

    @property
    def after_average(self) -> Decimal | None:
        return Decimal(self.after_total / self.weeks).quantize(Decimal("0.1")) if self.weeks else None


def project_class_calls(
    *, user: AbstractBaseUser | AnonymousUser, project: Project, today: dt.date | None = None
) -> ClassCalls:
    """Calls in the project's class per week, the same number of whole weeks
    before and after its start (at most CALLS_MAX_WEEKS, at most the whole
    weeks since it started and the whole weeks of the record before it). A
    project younger than a week has no figures (`too_young`): one partial week
    says nothing; nor has one without a whole week on record before it (`no_history`)."""
    return project_class_calls_many(user=user, projects=[project], today=today)[project.pk]


def project_class_calls_many(
    *, user: AbstractBaseUser | AnonymousUser, projects: Iterable[Project], today: dt.date | None = None
) -> dict[int, ClassCalls]:
    """`project_class_calls` of several projects (by pk) in two queries whatever
    their number: the first call on record, then the calls of every project's
    class and span, each row flagged with the projects it counts for."""
    today = today or timezone.localdate()
    found: dict[int, ClassCalls] = {}
    spans: dict[int, tuple[Project, int]] = {}
    for project in projects:
        weeks = min((today - project.starts_on).days // 7, CALLS_MAX_WEEKS)
        if weeks < 1:
            found[project.pk] = ClassCalls(starts_on=project.starts_on, weeks=0, too_young=True)
        else:
            spans[project.pk] = (project, weeks)
    if not spans:
        return found
    scope = case_scope_for_user(user)
    # Only weeks the record covers: a span before the first call on record would read as "no calls".
    earliest = scope.aggregate(first=Min("received_at"))["first"]
    counted: dict[str, Q] = {}
    for pk, (project, weeks) in list(spans.items()):
        start = project.starts_on
        if earliest is not None:
            weeks = min(weeks, (start - timezone.localtime(earliest).date()).days // 7)
        if weeks < 1:
            found[pk] = ClassCalls(starts_on=start, weeks=0, too_young=False, no_history=True)
            del spans[pk]
            continue
        spans[pk] = (project, weeks)
        window = windows.Window(
            kind=windows.RANGE,
            key="",
            start=start - dt.timedelta(weeks=weeks),
            end=start + dt.timedelta(weeks=weeks) - dt.timedelta(days=1),
        )
        counted[f"in_{pk}"] = project_class_cases_q(project) & Q(
            received_at__gte=window.start_at, received_at__lt=window.end_at
        )
    per_week: dict[int, Counter[int]] = {pk: Counter() for pk in spans}
    if counted:
        flags = {name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in counted.items()}
        rows = (
            scope.filter(reduce(operator.or_, counted.values()))
            .annotate(**flags)
            .order_by()
            .values_list("received_at", *flags)
        )
        for at, *inside in rows:
            day = timezone.localtime(at).date()
            for pk, flagged in zip(spans, inside, strict=True):
                if flagged:
                    per_week[pk][(day - spans[pk][0].starts_on).days // 7] += 1
    for pk, (project, weeks) in spans.items():
        start, week = project.starts_on, per_week[pk]
        found[pk] = ClassCalls(
            starts_on=start,
            weeks=weeks,
            too_young=False,
            before=[WeekCalls(start + dt.timedelta(weeks=k), week[k]) for k in range(-weeks, 0)],
            after=[WeekCalls(start + dt.timedelta(weeks=k), week[k]) for k in range(weeks)],
        )
    return found


# ---------------------------------------------------------------- the linked cases' rates


@dataclass
class LinkedRates:
    count: int
    closed: int
    valid_callbacks: int
    contacted: int
    resolved: int
    satisfied: int
    basically_satisfied: int
    response_rate: Decimal | None
    resolution_rate: Decimal | None
    satisfaction_rate: Decimal | None


def project_linked_rates(
    *, user: AbstractBaseUser | AnonymousUser, project: Project, today: dt.date | None = None
) -> LinkedRates:
    """The linked cases (in the viewer's scope): how many, how many closed, and
    the board's 响应率/解决率/满意率 of their valid callbacks — the board's own
    definitions (rankings.scoring), over all time up to today."""
    today = today or timezone.localdate()
    rule_row = rule_in_force(on=today)
    rule = Rule.of(rule_row) if rule_row is not None else Rule()
    window = windows.Window(kind=windows.RANGE, key="", start=dt.date(2000, 1, 1), end=today)
    filters = figure_filters(window)
    names = ("closed", "valid_callbacks", "contacted", "resolved", "satisfied", "basically_satisfied")
    linked = case_scope_for_user(user).filter(pk__in=ProjectCase.objects.filter(project=project).values("case_id"))
    counts = linked.aggregate(count=Count("id"), **{name: Count("id", filter=filters[name]) for name in names})
    valid = counts["valid_callbacks"]
    return LinkedRates(
        **counts,
        response_rate=rate(counts["contacted"], valid),
        resolution_rate=rate(counts["resolved"], valid),
        satisfaction_rate=rate(
            satisfaction_numerator(
                satisfied=counts["satisfied"], basically_satisfied=counts["basically_satisfied"], rule=rule
            ),
            valid,
        ),
    )


# ---------------------------------------------------------------- the board


@dataclass
class BoardRow:
    project: Project
    milestones_late: int
    calls: ClassCalls
    linked: int
    is_late: bool


@dataclass
class ProjectBoard:
    rows: list[BoardRow]
    by_status: dict[str, int]
    milestones_late: int
    late: int


def project_board(
    *, user: AbstractBaseUser | AnonymousUser, projects: QuerySet[Project], today: dt.date | None = None
) -> ProjectBoard:
    """The leaders' board of the given (already scoped and filtered) projects:
    counts by status, late milestones, late projects, and per project its late
    milestones, linked cases and calls before/after."""
    today = today or timezone.localdate()
    projects = projects.prefetch_related("tags")
    late_milestones = dict(
        Milestone.objects.filter(milestone_late_q(today=today), project__in=projects)
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    linked = dict(
        ProjectCase.objects.filter(project__in=projects, case__in=case_scope_for_user(user))
        .values("project_id")
        .annotate(n=Count("id"))
        .values_list("project_id", "n")
    )
    late_ids = set(projects.filter(project_late_q(today=today)).values_list("pk", flat=True))
    calls = project_class_calls_many(user=user, projects=projects, today=today)
    rows = [
        BoardRow(
            project=project,
            milestones_late=late_milestones.get(project.pk, 0),
            calls=calls[project.pk],
            linked=linked.get(project.pk, 0),
            is_late=project.pk in late_ids,
        )
        for project in projects
    ]
    by_status = dict.fromkeys(ProjectStatus.values, 0)
    for value, n in projects.order_by().values_list("status").annotate(n=Count("id")):
        by_status[value] = n
    return ProjectBoard(
        rows=rows, by_status=by_status, milestones_late=sum(late_milestones.values()), late=len(late_ids)
    )


def project_months(*, user: AbstractBaseUser | AnonymousUser) -> list[dt.date]:
    """The months that have 每月一题 projects, newest first."""
    months = project_scope_for_user(user).filter(month__isnull=False).order_by("-month").values_list("month", flat=True)
    return [month for month in months.distinct() if month is not None]


def case_projects_for_user(*, user: AbstractBaseUser | AnonymousUser, case: Case) -> QuerySet[Project]:
    """The projects a case is linked to, among those the user may see."""
    return project_scope_for_user(user).filter(pk__in=ProjectCase.objects.filter(case=case).values("project_id"))


def projects_linkable_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Project]:
    """Open projects the user may link cases to: a leader's (project_may STEER), in their scope."""
    from governance.projects import PROJECT_STEERERS  # the services import this module's neighbours

    person = person_for_user(user)
    if person is None or person.role not in PROJECT_STEERERS:
        return Project.objects.none()
    return project_scope_for_user(user).filter(status__in=PROJECT_OPEN_STATUSES).order_by("-created_at", "-id")


def case_ids_for_tickets(*, user: AbstractBaseUser | AnonymousUser, tickets: list[str]) -> list[int]:
    """The ids of the cases with these work order numbers, in the user's case
    scope; refused as a whole when one is missing or out of scope."""
    wanted = list(dict.fromkeys(ticket.strip().upper() for ticket in tickets if ticket.strip()))
    found = dict(case_scope_for_user(user).filter(ticket_no__in=wanted).values_list("ticket_no", "pk"))
    missing = [ticket for ticket in wanted if ticket not in found]
    if missing:
        raise NotFound(f"工单“{missing[0]}”不存在或不在您的查看范围内，未关联任何案件。")
    return [found[ticket] for ticket in wanted]
