"""The 催办 ladder (DESIGN §6): which open cases have reached which level, the
sweep that takes each level once, and the reads of the supervision page, the
API, the leaders' overview and the meeting sheet.

A level is reached against the deadline the case has when it is reached:
reminders when a share of the time from dispatch to the response or closure
deadline has passed, a 催办 at a missed deadline, the 催办通知书 and the 通报 a
number of working days after a missed closure deadline. What is due is one
query (a UNION ALL of one part per level on the (status, deadline) indexes); "not yet taken" is a NOT EXISTS on
the step table's unique constraint, and that constraint (not the query) is
what keeps a level from being taken twice by sweeps running side by side."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from cases import deadlines
from cases.models import Case, Urgency
from cases.selectors import case_list_for_user, case_scope_for_user
from cases.services import case_system_step
from cases.transitions import OPEN, Action, Status
from communities.models import Person, Role
from hotline.errors import InvalidInput, NotFound
from supervision.models import LadderLevel, LadderRule, LadderStep, NoticeSequence

L = LadderLevel


# ---------------------------------------------------------------- the rule


@dataclass(frozen=True)
class Rule:
    """The values the sweep needs for one urgency level (a LadderRule, or the defaults)."""

    first_reminder_percent: int = 50
    second_reminder_percent: int = 80
    notice_after_working_days: int = 1
    report_after_working_days: int = 5


DEFAULT_RULE = Rule()


def ladder_rules_in_force(*, on: dt.date | None = None) -> dict[str, Rule]:
    """Per urgency level, the newest rule version in force on that day (the defaults of DESIGN §6 without one)."""
    on = on or timezone.localdate()
    rules = dict.fromkeys(Urgency.values, DEFAULT_RULE)
    seen: set[str] = set()
    for row in LadderRule.objects.filter(effective_from__lte=on).order_by("urgency", "-effective_from", "-id"):
        if row.urgency not in seen:
            seen.add(row.urgency)
            rules[row.urgency] = Rule(
                row.first_reminder_percent,
                row.second_reminder_percent,
                row.notice_after_working_days,
                row.report_after_working_days,
            )
    return rules


@transaction.atomic
def ladder_rule_create(*, actor: AbstractBaseUser | None, **values) -> LadderRule:
    """A new version of one urgency level's ladder; earlier versions stay as they were."""
    rule = LadderRule(created_by=actor if isinstance(actor, User) else None, **values)
    try:
        rule.full_clean()
    except ValidationError as error:
        raise InvalidInput("；".join(error.messages)) from None
    rule.save()
    return rule


# ---------------------------------------------------------------- the levels


@dataclass(frozen=True)
class Level:
    level: LadderLevel
    action: Action
    field: str  # the deadline the level is measured against
    statuses: frozenset[Status]
    percent: str = ""  # a reminder: the rule's share of the time
    overdue_days: str = ""  # the notice and the report: the rule's working days overdue


RESPONDING = frozenset({Status.DISPATCHED})
LEVELS: tuple[Level, ...] = (
    Level(L.RESPONSE_FIRST, Action.REMIND, "response_deadline", RESPONDING, percent="first_reminder_percent"),
    Level(L.RESPONSE_SECOND, Action.REMIND, "response_deadline", RESPONDING, percent="second_reminder_percent"),
    Level(L.CLOSURE_FIRST, Action.REMIND, "closure_deadline", OPEN, percent="first_reminder_percent"),
    Level(L.CLOSURE_SECOND, Action.REMIND, "closure_deadline", OPEN, percent="second_reminder_percent"),
    Level(L.RESPONSE_MISSED, Action.URGE, "response_deadline", RESPONDING),
    Level(L.CLOSURE_MISSED, Action.URGE, "closure_deadline", OPEN),
    Level(L.NOTICE, Action.URGE_NOTICE, "closure_deadline", OPEN, overdue_days="notice_after_working_days"),
    Level(L.REPORT, Action.REPORT, "closure_deadline", OPEN, overdue_days="report_after_working_days"),
)
LEVEL_BY_CODE = {level.level: level for level in LEVELS}
# What the overview calls 催办: a missed deadline and the levels above it.
URGED = (L.RESPONSE_MISSED, L.CLOSURE_MISSED, L.NOTICE, L.REPORT)
# Lists that open a group of levels (the overview's 催办 figure).
LEVEL_GROUPS: dict[str, tuple[str, tuple[LadderLevel, ...]]] = {"urged": ("催办中（已超时限）", URGED)}


def ladder_level_label(level: str) -> str:
    if level in LEVEL_GROUPS:
        return LEVEL_GROUPS[level][0]
    return LadderLevel(level).label


class Epoch(Func):
    """Seconds since 1970 of a timestamp, so a share of a span is plain arithmetic on both databases."""

    output_field = FloatField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM %(expressions)s)", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((julianday(%(expressions)s) - 2440587.5) * 86400.0)")


def _overrides_before(today: dt.date, working_days: int) -> dict[dt.date, bool]:
    return deadlines.workday_overrides(today - dt.timedelta(days=working_days * 3 + 30), today)


def overdue_threshold(
    *, now: dt.datetime, working_days: int, overrides: dict[dt.date, bool] | None = None
) -> dt.datetime:
    """Deadlines before this moment have been missed for `working_days` whole
    working days by `now`: the n-th working day after the deadline's day has ended.
    `overrides`: the calendar entries of the days before `now`, when the caller has them."""
    today = timezone.localtime(now).date()
    if overrides is None:
        overrides = _overrides_before(today, working_days)
    day, counted = today, 0
    while counted < working_days:
        day -= dt.timedelta(days=1)
        if deadlines.is_workday(day, overrides):
            counted += 1
    # Deadlines on a day before `day`: `day` and the working days after it, up to yesterday, have passed.
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def _level_q(level: Level, rules: dict[str, Rule], now: dt.datetime, overrides: dict[dt.date, bool]) -> tuple[Q, dict]:
    """The filter of the cases due for `level` (and the aliases it uses)."""
    field = level.field
    base = Q(status__in=level.statuses)
    if level.percent:
        # Reached when dispatched + p% × (deadline − dispatched) ≤ now, i.e.
        # p × deadline + (100 − p) × dispatched ≤ 100 × now, before the deadline;
        # one term per distinct share among the urgency levels (one, by default).
        by_percent: dict[int, list[str]] = {}
        for urgency, rule in rules.items():
            by_percent.setdefault(getattr(rule, level.percent), []).append(urgency)
        aliases, reached = {}, Q()
        for percent, urgencies in sorted(by_percent.items()):
            name = f"ladder_share_{percent}"
            aliases[name] = Value(percent) * Epoch(field) + Value(100 - percent) * Epoch("dispatched_at")
            of_urgency = Q(urgency__in=urgencies) if len(by_percent) > 1 else Q()
            reached |= of_urgency & Q(**{f"{name}__lte": 100 * now.timestamp()})
        return base & Q(**{f"{field}__gt": now}, dispatched_at__isnull=False) & reached, aliases
    if level.overdue_days:
        by_days: dict[int, list[str]] = {}
        for urgency, rule in rules.items():
            by_days.setdefault(getattr(rule, level.overdue_days), []).append(urgency)
        overdue = Q()
        for days, urgencies in sorted(by_days.items()):
            threshold = overdue_threshold(now=now, working_days=days, overrides=overrides)
            of_urgency = Q(urgency__in=urgencies) if len(by_days) > 1 else Q()
            overdue |= of_urgency & Q(**{f"{field}__lt": threshold})
        return base & overdue, {}
    return base & Q(**{f"{field}__lte": now}), {}


def _due_for_level(spec: Level, rules: dict[str, Rule], now: dt.datetime, overrides: dict) -> QuerySet:
    condition, aliases = _level_q(spec, rules, now, overrides)
    taken = LadderStep.objects.filter(case_id=OuterRef("pk"), level=spec.level, deadline=OuterRef(spec.field))
    return (
        Case.objects.alias(**aliases)
        .filter(condition)
        .filter(~Exists(taken))
        .annotate(ladder_level=Value(spec.level.value))
        .values_list("pk", "ladder_level", spec.field)
        .order_by()  # no model ordering inside the union: each part is a plain index scan
    )


def ladder_due(
    *, now: dt.datetime | None = None, rules: dict[str, Rule] | None = None, level: LadderLevel | None = None
) -> QuerySet:
    """The open cases due for a level (every level, or one) and not yet at it
    for their current deadline: (case id, level, deadline) rows, in ONE query."""
    now = now or timezone.now()
    rules = rules or ladder_rules_in_force(on=timezone.localtime(now).date())
    specs = [LEVEL_BY_CODE[level]] if level else list(LEVELS)
    # The calendar of the weeks before now, in one query for every overdue threshold.
    longest = max(max(r.notice_after_working_days, r.report_after_working_days) for r in rules.values())
    overrides = _overrides_before(timezone.localtime(now).date(), longest)
    first, *others = [_due_for_level(spec, rules, now, overrides) for spec in specs]
    return first.union(*others, all=True) if others else first.order_by("pk")


# ---------------------------------------------------------------- the writes


def _notice_number(now: dt.datetime) -> str:
    """The next 催办通知书 number of the year (the sequence row is locked after the case row)."""
    year = timezone.localtime(now).year
    try:
        with transaction.atomic():
            NoticeSequence.objects.get_or_create(year=year)
    except IntegrityError:  # another sweep created the year's row first
        pass
    sequence = NoticeSequence.objects.select_for_update().get(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"CB-{year}-{sequence.last:04d}"


NOTES = {
    L.RESPONSE_FIRST: "响应时限已过{percent}%，请尽快联系来电人。",
    L.RESPONSE_SECOND: "响应时限已过{percent}%，请立即联系来电人。",
    L.CLOSURE_FIRST: "办结时限已过{percent}%，请抓紧办理。",
    L.CLOSURE_SECOND: "办结时限已过{percent}%，请加快办理。",
    L.RESPONSE_MISSED: "已超过响应时限，催办承办人、社区书记和包片科长。",
    L.CLOSURE_MISSED: "已超过办结时限，催办承办人、社区书记和包片科长。",
    L.NOTICE: "超期{days}个工作日，发出催办通知书 {number}。",
    L.REPORT: "超期{days}个工作日，予以通报。",
}


@transaction.atomic
def ladder_step_take(
    *,
    case_id: int,
    level: LadderLevel,
    deadline: dt.datetime,
    now: dt.datetime | None = None,
    rules: dict[str, Rule] | None = None,
) -> LadderStep | None:
    """Take one level for one case, once: None when the case has moved on
    (closed, contacted, a new deadline) or the level was already taken."""
    now = now or timezone.now()
    spec = LEVEL_BY_CODE[level]
    case = Case.objects.select_for_update(of=("self",)).select_related("pairing").filter(pk=case_id).first()
    if case is None or case.status not in spec.statuses or getattr(case, spec.field) != deadline:
        return None
    rules = rules or ladder_rules_in_force(on=timezone.localtime(now).date())
    rule = rules.get(case.urgency, DEFAULT_RULE)
    step = LadderStep(
        case=case,
        level=level,
        deadline=deadline,
        reached_at=now,
        community_id=case.community_id,
        department_id=case.department_id,
    )
    try:
        with transaction.atomic():
            step.save()
    except IntegrityError:  # taken already, by this sweep's earlier run or by another one at the same time
        return None
    if level == L.NOTICE:
        step.number = _notice_number(now)
    note = NOTES[level].format(
        percent=getattr(rule, spec.percent, ""),
        days=getattr(rule, spec.overdue_days, ""),
        number=step.number or "",
    )
    data = {"level": level.value, "deadline": deadline.isoformat()}
    if step.number:
        data["number"] = step.number
    step.event = case_system_step(case=case, action=spec.action, note=note, data=data, at=now)
    step.save(update_fields=["event", "number"])
    return step


def ladder_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Find what is due on every level and take it: one query for all levels,
    one short transaction per level taken. Safe to run again, or twice at once."""
    now = now or timezone.now()
    rules = ladder_rules_in_force(on=timezone.localtime(now).date())
    taken = dict.fromkeys(L.values, 0)
    for case_id, level, deadline in ladder_due(now=now, rules=rules).iterator(chunk_size=2000):
        if ladder_step_take(case_id=case_id, level=LadderLevel(level), deadline=deadline, now=now, rules=rules):
            taken[level] += 1
    return taken


# ---------------------------------------------------------------- the reads


def _steps_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[LadderStep]:
    """The steps of the open cases in the user's scope, against their current deadlines."""
    steps = LadderStep.objects.filter(case__in=case_scope_for_user(user), case__status__in=OPEN)
    # A level stands while the case is still in a status its level applies to
    # (a response 催办 is history once the caller has been contacted).
    current = Q()
    for spec in LEVELS:
        current |= Q(level=spec.level, deadline=F(f"case__{spec.field}"), case__status__in=spec.statuses)
    return steps.filter(current)


def ladder_board_for_user(*, user: AbstractBaseUser | AnonymousUser) -> dict:
    """Per level, per community and per department: how many open cases stand at it (two aggregate queries)."""
    steps = _steps_for_user(user)
    tables = {}
    for unit in ("community", "department"):
        rows: dict[int, dict] = {}
        for row in (
            steps.filter(**{f"{unit}__isnull": False})
            .values(f"{unit}_id", f"{unit}__name", "level")
            .annotate(n=Count("case", distinct=True))
            .order_by(f"{unit}__number", f"{unit}__name")
        ):
            entry = rows.setdefault(
                row[f"{unit}_id"], {"id": row[f"{unit}_id"], "name": row[f"{unit}__name"], "levels": {}}
            )
            entry["levels"][row["level"]] = row["n"]
        for entry in rows.values():
            entry["cells"] = [(value, label, entry["levels"].get(value, 0)) for value, label in L.choices]
        tables[unit] = list(rows.values())
    totals = dict(steps.values_list("level").annotate(n=Count("case", distinct=True)).order_by())
    return {
        "levels": L.choices,
        "totals": [(value, label, totals.get(value, 0)) for value, label in L.choices],
        "communities": tables["community"],
        "departments": tables["department"],
    }


def ladder_case_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    level: str,
    community_id: int | None = None,
    department_id: int | None = None,
) -> QuerySet[Case]:
    """The open cases at `level` (for their current deadline), of one unit if given."""
    if level not in L.values and level not in LEVEL_GROUPS:
        raise InvalidInput("催办级别无效。", field="level")
    group = LEVEL_GROUPS[level][1] if level in LEVEL_GROUPS else (level,)
    steps = _steps_for_user(user).filter(level__in=group)
    if community_id:
        steps = steps.filter(community_id=community_id)
    if department_id:
        steps = steps.filter(department_id=department_id)
    return case_list_for_user(user).filter(pk__in=steps.values("case_id")).order_by("closure_deadline", "pk")


def ladder_notices_for_cases(*, case_ids: list[int]) -> list[LadderStep]:
    """The 催办通知书 of these cases (already scoped by the caller), newest first."""
    return list(
        LadderStep.objects.filter(level=L.NOTICE, case_id__in=case_ids, number__isnull=False)
        .select_related("case")
        .order_by("-reached_at", "-id")
    )


def ladder_notice_get_for_user(*, user: AbstractBaseUser | AnonymousUser, number: str) -> LadderStep:
    step = (
        LadderStep.objects.filter(level=L.NOTICE, number=number, case__in=case_scope_for_user(user))
        .select_related(
            "case__community__street", "case__department", "case__pairing__chief__person", "case__handler__person"
        )
        .first()
    )
    if step is None:
        raise NotFound("催办通知书不存在，或不在您的查看范围内。")
    return step


def _ladder_units(steps: QuerySet[LadderStep], unit: str) -> list[dict]:
    """催办 and 通报 counts (cases) per community or per department, 通报 first."""
    key, name = f"{unit}_id", f"{unit}__name"
    counted = steps.filter(**{f"{unit}__isnull": False})
    urged = dict(counted.filter(level__in=URGED).values_list(key).annotate(n=Count("case", distinct=True)).order_by())
    reported = dict(counted.filter(level=L.REPORT).values_list(key).annotate(n=Count("case", distinct=True)).order_by())
    names = dict(counted.values_list(key, name).distinct().order_by())
    return [
        {"unit_id": uid, "name": names[uid], "urged": urged.get(uid, 0), "reported": reported.get(uid, 0)}
        for uid in sorted(names, key=lambda uid: (-reported.get(uid, 0), -urged.get(uid, 0), names[uid]))
        if urged.get(uid) or reported.get(uid)
    ]


def ladder_overview_for_user(*, user: AbstractBaseUser | AnonymousUser) -> dict:
    """The leaders' overview: 催办 and 通报 counts per community and per department,
    and the cases under 通报 by name."""
    steps = _steps_for_user(user)
    units = [
        {"kind": "community", "label": "社区", "rows": _ladder_units(steps, "community")},
        {"kind": "department", "label": "科室", "rows": _ladder_units(steps, "department")},
    ]
    return {
        "units": [unit for unit in units if unit["rows"]],
        "reported_cases": ladder_reported_cases_for_user(user=user)[:50],
    }


def ladder_reported_cases_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Case]:
    """The open cases under 通报 (named on the overview and the weekly meeting sheet)."""
    return ladder_case_list_for_user(user=user, level=L.REPORT).select_related("pairing__chief__person")


def ladder_notice_leaders(*, step: LadderStep) -> list[str]:
    """The leaders the notice is copied to: the street's leaders."""
    street_id = step.case.community.street_id if step.case.community is not None else None
    people = Person.objects.filter(role=Role.LEADER, user__is_active=True)
    if street_id:
        people = people.filter(street_id=street_id)
    return list(people.order_by("full_name").values_list("full_name", flat=True))
