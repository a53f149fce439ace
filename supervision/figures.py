"""Supervision figures per unit (issue 13, point 6): the 催办 levels reached,
the 约谈 held and the meeting grades of each community and department over the
last days, each figure with the records behind it (the board's drill-down
principle: the list a figure opens holds exactly the records it counts).

The supervision orders and 回头看 come from `supervision.orders.
supervision_order_figures` (orders open / overdue, 回头看 found back, per
community, each with the list of exactly those records): `ORDER_FIGURES`."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet
from django.utils import timezone

from cases.selectors import case_list_for_user, case_scope_for_user
from communities.models import Community, Department, Role
from communities.selectors import person_for_user
from hotline.errors import InvalidInput
from supervision.ladder import URGED
from supervision.models import AnswerGrade, LadderLevel, LadderStep, MeetingAnswer
from supervision.orders import supervision_order_figures
from supervision.talks import UNIT_KINDS, talk_list_for_user

DEFAULT_DAYS = 90
DAY_CHOICES = (30, 90, 180, 365)


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    records: str  # what its drill-down lists: "cases", "talks" or "answers"


FIGURES: tuple[Figure, ...] = (
    *(Figure(level.value, LadderLevel(level).label, "cases") for level in URGED),
    Figure("talks", "约谈", "talks"),
    Figure(AnswerGrade.CLEAR.value, f"专题会{AnswerGrade.CLEAR.label}", "answers"),
    Figure(AnswerGrade.UNCLEAR.value, f"专题会{AnswerGrade.UNCLEAR.label}", "answers"),
)
FIGURE_BY_KEY = {figure.key: figure for figure in FIGURES}
# Supervision orders and 回头看 per community (supervision.orders.supervision_order_figures:
# its key, then this table's key and label); departments hold no orders of their own ("—").
ORDER_FIGURES: tuple[tuple[str, str, str], ...] = (
    ("open", "orders_open", "督办单未办结"),
    ("overdue", "orders_overdue", "督办单超期"),
    ("found_back", "found_back", "回头看问题反弹"),
)


def figures_since(*, days: int, now: dt.datetime | None = None) -> dt.datetime:
    if days not in DAY_CHOICES:
        raise InvalidInput(f"统计天数须为{'、'.join(map(str, DAY_CHOICES))}之一。", field="days")
    return (now or timezone.now()) - dt.timedelta(days=days)


def meeting_answer_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[MeetingAnswer]:
    """Leaders and supervisors: the street's answers; a chief the answers they gave; a community its cases'."""
    person = person_for_user(user)
    answers = MeetingAnswer.objects.select_related(
        "item__case", "item__draw", "chief__person", "community", "department"
    )
    if person is None:
        return answers.none()
    if person.role in (Role.LEADER, Role.SUPERVISOR):
        return answers.filter(item__draw__street_id=person.street_id)
    if person.role == Role.CHIEF:
        return answers.filter(chief_id=person.user_id)
    if person.role in (Role.OFFICER, Role.SECRETARY) and person.community_id is not None:
        return answers.filter(community_id=person.community_id)
    return answers.none()


def _order_rows(person) -> dict[int, dict]:
    """The order figures of the communities the person may see: the street's for
    leaders and supervisors, their own community's for a community."""
    if person is None:
        return {}
    rows = {row["community_id"]: row for row in supervision_order_figures(street_id=person.street_id)}
    if person.role in (Role.LEADER, Role.SUPERVISOR):
        return rows
    return {pk: row for pk, row in rows.items() if pk == person.community_id}


def _orders(row: dict | None) -> list[tuple[str, str, int | None, str]]:
    return [
        (key, label, row[source] if row else None, row[f"{source}_url"] if row else "")
        for source, key, label in ORDER_FIGURES
    ]


def _steps(user: AbstractBaseUser | AnonymousUser, since: dt.datetime) -> QuerySet[LadderStep]:
    return LadderStep.objects.filter(level__in=URGED, reached_at__gte=since, case__in=case_scope_for_user(user))


def _answers(user: AbstractBaseUser | AnonymousUser, since: dt.datetime) -> QuerySet[MeetingAnswer]:
    return meeting_answer_scope_for_user(user).filter(recorded_at__gte=since)


def supervision_unit_figures(
    *, user: AbstractBaseUser | AnonymousUser, days: int = DEFAULT_DAYS, now: dt.datetime | None = None
) -> dict:
    """Per community and per department: the cases that reached each 催办 level,
    the 约谈 held and the meeting answers graded 答得清 / 答不清 since `days` ago
    (one aggregate query per kind of record and unit kind)."""
    since = figures_since(days=days, now=now)
    person = person_for_user(user)
    street_id = person.street_id if person is not None else None
    order_rows = _order_rows(person)
    tables = {}
    for kind, model in (("community", Community), ("department", Department)):
        counts: dict[int, dict[str, int]] = defaultdict(dict)
        key = f"{kind}_id"
        for row in (
            _steps(user, since)
            .filter(**{f"{kind}__isnull": False})
            .values(key, "level")
            .annotate(n=Count("case", distinct=True))
            .order_by()
        ):
            counts[row[key]][row["level"]] = row["n"]
        talks = talk_list_for_user(user=user, since=since).filter(**{f"{kind}__isnull": False})
        for row in talks.values(key).annotate(n=Count("id")).order_by():
            counts[row[key]]["talks"] = row["n"]
        answers = _answers(user, since).filter(**{f"{kind}__isnull": False})
        for row in answers.values(key, "grade").annotate(n=Count("id")).order_by():
            counts[row[key]][row["grade"]] = row["n"]
        orders = order_rows if kind == "community" else {}
        active = set(counts) | {pk for pk, row in orders.items() if row["open"] or row["overdue"] or row["found_back"]}
        units = model.objects.filter(street_id=street_id, pk__in=active).order_by("name")
        tables[kind] = [
            {
                "kind": kind,
                "id": unit.pk,
                "name": unit.name,
                "figures": [(figure, counts[unit.pk].get(figure.key, 0)) for figure in FIGURES],
                "orders": _orders(orders.get(unit.pk)),
            }
            for unit in units
        ]
    return {
        "since": since,
        "days": days,
        "figures": FIGURES,
        "order_figures": ORDER_FIGURES,
        "units": [
            {"kind": kind, "label": UNIT_KINDS[kind], "rows": tables[kind]} for kind in ("community", "department")
        ],
    }


def supervision_figure_records(
    *,
    user: AbstractBaseUser | AnonymousUser,
    figure: str,
    unit_kind: str = "",
    unit_id: int | None = None,
    chief_id: int | None = None,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> tuple[Figure, QuerySet]:
    """The records behind one figure of one unit (or of one chief, for the
    grades): exactly what `supervision_unit_figures` counts there."""
    spec = FIGURE_BY_KEY.get(figure)
    if spec is None:
        raise InvalidInput("指标无效。", field="figure")
    if unit_kind and unit_kind not in UNIT_KINDS:
        raise InvalidInput("单位类型无效。", field="unit")
    since = figures_since(days=days, now=now)
    of_unit = {f"{unit_kind}_id": unit_id} if unit_kind and unit_id else {}
    records: QuerySet
    if spec.records == "cases":
        steps = _steps(user, since).filter(level=figure, **of_unit)
        records = case_list_for_user(user).filter(pk__in=steps.values("case_id")).order_by("-closure_deadline", "-pk")
    elif spec.records == "talks":
        records = talk_list_for_user(user=user, since=since).filter(**of_unit)
    else:
        records = _answers(user, since).filter(grade=figure, **of_unit)
        if chief_id:
            records = records.filter(chief_id=chief_id)
        records = records.order_by("-recorded_at", "-id")
    return spec, records


def chief_grades(
    *, user: AbstractBaseUser | AnonymousUser, days: int = DEFAULT_DAYS, now: dt.datetime | None = None, recent: int = 8
) -> list[dict]:
    """Each questioned chief's grades over time: the counts and the latest answers, oldest first."""
    since = figures_since(days=days, now=now)
    by_chief: dict[int, dict] = {}
    for answer in _answers(user, since).filter(chief__isnull=False).order_by("recorded_at", "id"):
        assert answer.chief is not None
        entry = by_chief.setdefault(
            answer.chief_id or 0,
            {
                "id": answer.chief_id,
                "name": getattr(getattr(answer.chief, "person", None), "full_name", answer.chief.username),
                AnswerGrade.CLEAR.value: 0,
                AnswerGrade.UNCLEAR.value: 0,
                "history": [],
            },
        )
        entry[answer.grade] += 1
        entry["history"].append(answer)
    for entry in by_chief.values():
        entry["history"] = entry["history"][-recent:]
    return sorted(by_chief.values(), key=lambda e: (-e[AnswerGrade.UNCLEAR.value], e["name"]))
