"""The demo street's supervision records: three weeks of daily checks with
their findings and orders, the weekly 回头看 draws with their re-checks, and
the follow-up of most orders (二次督办 are opened by the history's 不满意
callbacks themselves). Deterministic for a seed; walked through the services."""

import datetime as dt
import random

from django.contrib.auth.models import User
from django.db.models import Max, Q
from django.utils import timezone

from cases.deadlines import is_workday, workday_overrides
from cases.models import CaseEvent
from communities.models import Street
from supervision import checks, orders, rechecks
from supervision.models import DailyCheck, FindingType, OrderStatus, RecheckDraw, SupervisionOrder

CHECK_WEEKS = 3
RECHECK_WEEKS = 4
NOTES: dict[str, str] = {
    FindingType.OVERDUE: "已超办结时限，承办人称等待物业回复，督促当日联系。",
    FindingType.LADDER: "催办后仍无进展，要求社区书记亲自过问。",
    FindingType.NO_EXPLANATION: "回访未解决，情况说明尚未填写，要求两日内补齐并双签。",
    FindingType.SLOW_CONTACT: "首次联系来电人晚于响应时限，提醒承办人先电话联系再核实。",
    FindingType.POOR_REPLY: "办理结果过于简单或与他案雷同，未写明办理过程，要求重新填写。",
}
FOLLOW_UPS = ["已电话核实，社区已联系来电人并处理。", "现场查看，问题已整改。", "再次回访来电人，表示认可。"]


def _last_event(case_id: int) -> dt.datetime:
    return CaseEvent.objects.filter(case_id=case_id).aggregate(last=Max("created_at"))["last"]


def _after_history(case_id: int, at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """`at`, or just after the case's last event when that is later: the timeline keeps its order."""
    return min(max(at, _last_event(case_id) + dt.timedelta(minutes=5)), now)


def demo_checks(*, street: Street, supervisor: User, leader: User, now: dt.datetime, seed: int) -> int:
    """Create the history; returns how many daily checks it holds."""
    rng = random.Random(seed * 31 + 13)
    today = timezone.localdate(now)
    first = today - dt.timedelta(weeks=CHECK_WEEKS)
    overrides = workday_overrides(first, today)
    made = 0
    for offset in range((today - first).days):
        day = first + dt.timedelta(days=offset)
        if not is_workday(day, overrides):
            continue
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 30)))
        actor = supervisor if offset % 5 else leader
        check = checks.check_open_today(actor=actor, at=at)
        # Only cases whose history had reached this morning: their state then is their state now.
        quiet = [p for p in checks.check_proposals(check=check, now=at) if _last_event(p.case.pk) <= at]
        for n, proposal in enumerate(quiet[: rng.randint(3, 6)]):
            finding = proposal.suggested_finding
            kind = rng.choice([*orders.MANUAL_KINDS, "", ""]) if n < 3 else ""
            checks.check_record_finding(
                check_id=check.pk,
                actor=actor,
                case_id=proposal.case.pk,
                finding=finding,
                note=NOTES[finding],
                order_kind=kind,
                due_on=day + dt.timedelta(days=rng.choice([1, 2, 3])) if kind else None,
                at=at + dt.timedelta(minutes=12 * (n + 1)),
            )
        checks.check_close(
            check_id=check.pk, actor=actor, summary="检查完毕，已下发督办单的按期跟进。", at=at + dt.timedelta(hours=2)
        )
        made += 1

    # 回头看: last weeks' draws, re-checked in the week after (the newest one is still open).
    this_monday = today - dt.timedelta(days=today.weekday())
    for weeks_back in range(RECHECK_WEEKS, 0, -1):
        week_start = this_monday - dt.timedelta(weeks=weeks_back)
        drawn_at = timezone.make_aware(dt.datetime.combine(week_start + dt.timedelta(days=7), dt.time(0, 20)))
        draw = rechecks.recheck_draw_week(
            street_id=street.pk, week_start=week_start, now=min(drawn_at, now), seed=rng.randrange(2**63)
        )
        if weeks_back == 1:
            continue
        for n, recheck in enumerate(draw.rechecks.order_by("position")):
            back = rng.random() < 0.15
            rechecks.recheck_record(
                draw_id=draw.pk,
                case_id=recheck.case_id,
                actor=supervisor,
                still_resolved=not back,
                satisfied=not back and rng.random() < 0.9,
                note="来电人反映问题又出现了。" if back else "来电人表示问题已解决，未再出现。",
                at=_after_history(recheck.case_id, drawn_at + dt.timedelta(days=1 + n % 3, hours=1 + n), now),
            )

    # Most orders were followed up within their time; the newest stay open (a few late).
    for order in SupervisionOrder.objects.filter(case__community__street=street, status=OrderStatus.OPEN).order_by(
        "ordered_at", "pk"
    ):
        ordered_day = timezone.localdate(order.ordered_at)
        if (today - ordered_day).days > 4 and rng.random() < 0.93:
            closed_at = _after_history(
                order.case_id, order.ordered_at + dt.timedelta(days=rng.choice([1, 2, 3]), hours=2), now
            )
            orders.order_close(order_id=order.pk, actor=supervisor, note=rng.choice(FOLLOW_UPS), at=closed_at)
    orders.order_mark_late(now=now)
    return made


def demo_checks_delete(*, street: Street) -> None:
    """What demo_checks adds beyond the cases (whose orders go with them)."""
    DailyCheck.objects.filter(street=street).delete()
    RecheckDraw.objects.filter(street=street).delete()
    SupervisionOrder.objects.filter(Q(case__community__street=street)).delete()
