"""How cases group: category paths and their levels, address clusters (cut
after the building) and repeat callers (told apart by the masked phone). The
case search, the services, the 12345 import and the hotspot report share them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Case as DbCase
from django.db.models import CharField, Count, F, Q, QuerySet, Value, When
from django.db.models.functions import Concat, Left, Length, Right, StrIndex, Trim
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual

if TYPE_CHECKING:  # cases.models indexes the caller key, so it imports this module
    from cases.models import Case

CATEGORY_SEPARATOR = "->"
BUILDING_MARK = "号楼"
REPEAT_MINIMUM = 2


def category_path_normalize(value: str) -> str:
    """A category path as the services store it: levels stripped, empty levels dropped."""
    return CATEGORY_SEPARATOR.join(part.strip() for part in (value or "").split(CATEGORY_SEPARATOR) if part.strip())


def category_prefix_q(value: str) -> Q:
    """Cases under a category path, whole levels only: "城乡建设->物业" does not match "城乡建设->物业管理"."""
    path = category_path_normalize(value)
    if not path:
        return Q()
    return Q(category=path) | Q(category__startswith=f"{path}{CATEGORY_SEPARATOR}")


def category_level(path: str, level: int) -> str | None:
    """The category path cut at `level` (1 or 2), in Python (for figures summed from per-path counts)."""
    first = path.find(CATEGORY_SEPARATOR)
    if level == 1:
        return None if path == "" else (path[:first] if first >= 0 else path)
    if level == 2:
        if first < 0:
            return None
        second = path.find(CATEGORY_SEPARATOR, first + len(CATEGORY_SEPARATOR))
        return path[:second] if second >= 0 else path
    raise ValueError(f"category level {level} is not grouped by prefix; use the full path")


def address_cluster_expression() -> DbCase:
    """The address cut after its building ("幸福小区3号楼2单元502室" and
    "幸福小区3号楼附近" are both "幸福小区3号楼"); an address without a
    building number is its own cluster; NULL for no address. The database
    stores it as `Case.address_cluster`: query the column."""
    address = Trim("address")
    mark = StrIndex(address, Value(BUILDING_MARK))
    return DbCase(
        When(Exact(address, ""), then=Value(None)),
        When(GreaterThan(mark, 0), then=Left(address, mark + len(BUILDING_MARK) - 1)),
        default=address,
        output_field=CharField(),
    )


def caller_key_expression() -> DbCase:
    """The caller's phone as `mask_phone` shows it (138****1234): orders that
    arrive already masked and full numbers group alike. NULL for a phone too
    short to tell callers apart. The database stores it as `Case.caller_key`:
    query the column."""
    phone = Trim("caller_phone")
    return DbCase(
        When(
            GreaterThanOrEqual(Length(phone), 7),
            then=Concat(Left(phone, 3), Value("****"), Right(phone, 4), output_field=CharField()),
        ),
        default=Value(None),
        output_field=CharField(),
    )


def problem_key_expression() -> DbCase:
    """The caller key and the category path together: one caller on one
    problem. NULL where the caller key is, and for a case without a category
    (two such calls are not known to be about the same problem). Over the
    stored `Case.caller_key`."""
    return DbCase(
        When(category="", then=Value(None)),
        When(caller_key__isnull=False, then=Concat(F("caller_key"), Value(" "), F("category"))),
        default=Value(None),
        output_field=CharField(),
    )


def _repeat_keys(cases: QuerySet[Case], expression) -> QuerySet:
    """The keys with at least REPEAT_MINIMUM of `cases` (a subquery)."""
    return (
        cases.order_by()
        .annotate(repeat_key=expression)
        .filter(repeat_key__isnull=False)
        .values("repeat_key")
        .annotate(calls=Count("id"))
        .filter(calls__gte=REPEAT_MINIMUM)
        .values("repeat_key")
    )


def case_filter_repeat_callers(cases: QuerySet[Case], *, repeat: bool, same_problem: bool = False) -> QuerySet[Case]:
    """The cases of callers who called at least twice among `cases` itself
    (repeat=True), or the others (repeat=False); with `same_problem`, twice on
    the same category. Callers are told apart by their masked phone only."""
    expression = problem_key_expression() if same_problem else F("caller_key")
    keys = _repeat_keys(cases, expression)
    keyed = cases.annotate(repeat_key=expression)
    if repeat:
        return keyed.filter(repeat_key__in=keys)
    return keyed.filter(Q(repeat_key__isnull=True) | ~Q(repeat_key__in=keys))
