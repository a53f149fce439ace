"""回头看: every week a share of last week's closed cases is drawn at random,
reproducibly from a stored seed (hotline.draws); a supervisor calls each
caller again and records whether the problem is still solved, and a problem
found back opens a 回头看复发 supervision order."""

import datetime as dt
import math

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from cases.deadlines import add_working_days
from cases.models import Case
from communities.models import Role, Street
from communities.selectors import person_for_user
from hotline.draws import draw_new_seed, draw_sample
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from rankings import windows
from rankings.scoring import in_window
from supervision.models import OrderKind, Recheck, RecheckDraw, RecheckStatus
from supervision.orders import order_open_on_locked_case

RECHECK_ROLES = frozenset({Role.SUPERVISOR, Role.LEADER})

# The one transition table of a re-check: step → (from, to).
RECHECK_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "record": (frozenset({RecheckStatus.PENDING}), RecheckStatus.DONE),
}
NOTE_LIMIT = 2000


def recheck_pool(*, street_id: int, week: windows.Window) -> QuerySet[Case]:
    """The cases a week's draw picks from: closed (办结) in that week, not 核减."""
    return Case.objects.filter(in_window("closed_at", week), community__street_id=street_id, exclusion_reason="")


def recheck_draw_size(pool_size: int) -> int:
    """SUPERVISION_RECHECK_PERCENT of the pool, rounded up, at least
    SUPERVISION_RECHECK_MINIMUM, at most the whole pool."""
    share = math.ceil(pool_size * settings.SUPERVISION_RECHECK_PERCENT / 100)
    return min(pool_size, max(share, settings.SUPERVISION_RECHECK_MINIMUM))


def recheck_draw_week(
    *, street_id: int, week_start: dt.date, now: dt.datetime | None = None, seed: int | None = None
) -> RecheckDraw:
    """The draw of one street and week; the existing one if it was drawn
    already (the beat job may run twice). `seed`: a new random one unless given
    (the demo street's history is reproducible)."""
    now = now or timezone.now()
    week = windows.week_of(week_start)
    existing = RecheckDraw.objects.filter(street_id=street_id, week_start=week.start).first()
    if existing is not None:
        return existing
    pool_ids = sorted(recheck_pool(street_id=street_id, week=week).values_list("pk", flat=True))
    seed = draw_new_seed() if seed is None else seed
    drawn = draw_sample(seed=seed, pool_ids=pool_ids, count=recheck_draw_size(len(pool_ids)))
    try:
        with transaction.atomic():
            draw = RecheckDraw.objects.create(
                street_id=street_id,
                week_start=week.start,
                seed=str(seed),
                pool_case_ids=pool_ids,
                drawn_count=len(drawn),
                drawn_at=now,
            )
            Recheck.objects.bulk_create(
                Recheck(draw=draw, case_id=case_id, position=position)
                for position, case_id in enumerate(drawn, start=1)
            )
    except IntegrityError:  # drawn meanwhile by another run
        return RecheckDraw.objects.get(street_id=street_id, week_start=week.start)
    return draw


def recheck_draw_last_week(*, now: dt.datetime | None = None) -> list[RecheckDraw]:
    """The weekly job: last week's draw of every street."""
    now = now or timezone.now()
    last_week = windows.week_of(timezone.localdate(now) - dt.timedelta(days=7))
    return [
        recheck_draw_week(street_id=pk, week_start=last_week.start, now=now)
        for pk in Street.objects.order_by("pk").values_list("pk", flat=True)
    ]


def recheck_draw_reproduce(*, draw: RecheckDraw) -> list[int]:
    """The case ids the stored pool and seed give, in order — equal to the drawn ones."""
    return draw_sample(seed=draw.seed, pool_ids=draw.pool_case_ids, count=draw.drawn_count)


def recheck_record(
    *,
    draw_id: int,
    case_id: int,
    actor: User,
    still_resolved: bool,
    satisfied: bool,
    note: str,
    at: dt.datetime | None = None,
) -> Recheck:
    """Record the call to the caller; a problem found back opens a 回头看复发 order."""
    person = person_for_user(actor)
    if person is None or person.role not in RECHECK_ROLES:
        raise NotAllowed("只有监察组和街道领导可以记录回头看。")
    if not isinstance(still_resolved, bool) or not isinstance(satisfied, bool):
        raise InvalidInput("请选择问题是否仍已解决、来电人是否满意。", field="still_resolved")
    note = (note or "").replace("\x00", "").strip()
    if not note:
        raise InvalidInput("请填写回访情况。", field="note")
    if len(note) > NOTE_LIMIT:
        raise InvalidInput(f"回访情况不能超过{NOTE_LIMIT}字。", field="note")
    at = at or timezone.now()
    if not RecheckDraw.objects.filter(pk=draw_id, street_id=person.street_id).exists():
        raise NotFound("回头看抽取不存在。")
    with transaction.atomic():
        # Lock order: the case row first, then the re-check.
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        recheck = Recheck.objects.select_for_update().filter(draw_id=draw_id, case_id=case_id).first()
        if case is None or recheck is None:
            raise InvalidInput("该案件不在本次回头看的抽取范围内，不能记录。", field="case", code="not_drawn")
        sources, target = RECHECK_TRANSITIONS["record"]
        if recheck.status not in sources:
            raise Conflict(f"工单 {case.ticket_no} 的回头看已记录，不能重复记录。", code="duplicate_recheck")
        recheck.status, recheck.checked_at, recheck.checked_by = target, at, actor
        recheck.still_resolved, recheck.satisfied, recheck.note = still_resolved, satisfied, note
        fields = ["status", "checked_at", "checked_by", "still_resolved", "satisfied", "note"]
        if not still_resolved:
            due = timezone.localdate(add_working_days(at, settings.SUPERVISION_SECOND_ORDER_WORKING_DAYS))
            recheck.order = order_open_on_locked_case(
                case=case,
                actor=actor,
                kind=OrderKind.RECURRENCE,
                due_on=due,
                note=f"回头看发现问题复发：{note}",
                at=at,
            )
            fields.append("order")
        recheck.save(update_fields=fields)
    return recheck


# ---------------------------------------------------------------- reading


def recheck_draw_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[RecheckDraw]:
    person = person_for_user(user)
    if person is None or person.role not in RECHECK_ROLES:
        return RecheckDraw.objects.none()
    return (
        RecheckDraw.objects.filter(street_id=person.street_id)
        .annotate(
            done=Count("rechecks", filter=Q(rechecks__status=RecheckStatus.DONE)),
            found_back=Count("rechecks", filter=Q(rechecks__status=RecheckStatus.DONE, rechecks__still_resolved=False)),
        )
        .order_by("-week_start", "-id")
    )


def recheck_draw_get_for_user(*, user: AbstractBaseUser | AnonymousUser, draw_id: int) -> RecheckDraw:
    draw = recheck_draw_list_for_user(user=user).filter(pk=draw_id).first()
    if draw is None:
        raise NotFound("回头看抽取不存在，或您无权查看。")
    return draw


def recheck_list_for_user(
    *,
    user: AbstractBaseUser | AnonymousUser,
    draw_id: int | None = None,
    community_id: int | None = None,
    found_back: bool = False,
) -> QuerySet[Recheck]:
    """The re-checks of the user's street (supervisors and leaders)."""
    person = person_for_user(user)
    if person is None or person.role not in RECHECK_ROLES:
        return Recheck.objects.none()
    rechecks = Recheck.objects.filter(draw__street_id=person.street_id).select_related(
        "draw", "case__community", "case__department", "order", "checked_by__person"
    )
    if draw_id is not None:
        rechecks = rechecks.filter(draw_id=draw_id)
    if community_id is not None:
        rechecks = rechecks.filter(case__community_id=community_id)
    if found_back:
        rechecks = rechecks.filter(status=RecheckStatus.DONE, still_resolved=False)
    return rechecks.order_by("-draw__week_start", "position")
