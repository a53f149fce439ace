"""The weekly meeting draw (接诉即办专题会抽签): the candidate pool, the
weeks to draw from, draws a user may read, the items of a draw and its
reproduction from the stored seed."""

import datetime as dt

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from cases.models import Case
from cases.vocabulary import overdue_q
from communities.models import Role
from communities.selectors import person_for_user
from hotline.draws import draw_sample
from hotline.errors import NotFound
from rankings import windows
from rankings.models import MeetingDraw, MeetingDrawCase
from rankings.scoring import in_window
from rankings.windows import Window

# ---------------------------------------------------------------- weekly meeting draws

MEETING_READERS = frozenset({Role.LEADER, Role.SUPERVISOR})


def meeting_pool(
    *,
    window: Window,
    at: dt.datetime,
    street_id: int | None = None,
    community_id: int | None = None,
    department_id: int | None = None,
) -> QuerySet[Case]:
    """The unresolved cases a weekly meeting draw picks from, i.e. the cases of
    the street that are not 核减 and either

    - had a valid callback (有效回访) inside the week `window` that said
      未解决 (`callback_resolved=False`) — an unsatisfied but resolved callback
      does not count, nor does an invalid one or one outside the week; or
    - are still open (`cases.transitions.OPEN`) with their closure deadline
      passed at `at`, the moment of the draw, whatever week they came in.

    A case closed late is not in it: it is no longer open, and only its
    callback can bring it in. Optionally narrowed to one community and/or one
    department (the case's own, as dispatched)."""
    unresolved = in_window("callback_at", window) & Q(callback_valid=True, callback_resolved=False)
    overdue = overdue_q(at)
    cases = Case.objects.filter(unresolved | overdue, exclusion_reason="", community__isnull=False)
    if street_id is not None:
        cases = cases.filter(community__street_id=street_id)
    if community_id is not None:
        cases = cases.filter(community_id=community_id)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
    return cases


def meeting_draw_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[MeetingDraw]:
    """The draws of the user's street, newest first; none for roles other than leader and supervisor."""
    person = person_for_user(user)
    if person is None or person.role not in MEETING_READERS:
        return MeetingDraw.objects.none()
    return (
        MeetingDraw.objects.filter(street_id=person.street_id)
        .select_related("drawn_by__person", "community", "department")
        .order_by("-drawn_at", "-id")
    )


def meeting_draw_get_for_user(*, user: AbstractBaseUser | AnonymousUser, draw_id: int) -> MeetingDraw:
    draw = meeting_draw_list_for_user(user=user).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound("抽签记录不存在，或您无权查看。")
    return draw


def explanation_state(case: Case) -> str:
    """Where the 未解决案件情况说明 of a case stands: "explained" (signed by
    both), "written" (waiting for signatures), "missing" (asked for, not
    written) or "none" (not asked for: no negative callback)."""
    if case.explained_at is not None:
        return "explained"
    if case.explanation_text:
        return "written"
    if case.callback_negatives:
        return "missing"
    return "none"


EXPLANATION_LABELS = {"explained": "已说明（已双签）", "written": "已填写，待签字", "missing": "未填写", "none": "—"}


def meeting_draw_items(*, draw: MeetingDraw) -> list[MeetingDrawCase]:
    """The drawn cases in drawing order, with what the meeting sheet shows
    (no caller data); each item carries `explanation` and `explanation_label`."""
    items = list(
        MeetingDrawCase.objects.filter(draw=draw)
        .select_related("chief__person", "case__community", "case__department", "case__pairing__chief__person")
        .order_by("position")
    )
    for item in items:
        item.explanation = explanation_state(item.case)
        item.explanation_label = EXPLANATION_LABELS[item.explanation]
    return items


def meeting_draw_reproduce(*, draw: MeetingDraw) -> list[int]:
    """The case ids the stored pool and seed give, in order — equal to the drawn ones for an untouched record."""
    return draw_sample(seed=draw.seed, pool_ids=draw.pool_case_ids, count=draw.drawn_count)


def meeting_week_choices(*, on: dt.date | None = None, weeks: int = 26) -> list[Window]:
    """The weeks a draw is usually made from: the running week and the ones before it, newest first."""
    on = on or windows.today()
    return [windows.week_of(on - dt.timedelta(weeks=n)) for n in range(weeks)]


def meeting_default_week(*, on: dt.date | None = None) -> Window:
    """Last week: the meeting looks back on the week that just ended."""
    return windows.week_of((on or windows.today()) - dt.timedelta(days=7))
