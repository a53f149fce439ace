"""The demo street's supervision records: several weeks of weekly meetings
(a draw each Monday, every drawn case's answer graded, follow-up actions done,
open or late) and 约谈 of the lagging units, some past their follow-up date so
their page shows the figures then and now."""

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef
from django.utils import timezone

from cases.models import CaseEvent
from rankings import meetings, windows
from rankings.models import MeetingDraw, MeetingDrawCase
from supervision import talks
from supervision.ladder import ladder_sweep
from supervision.models import AnswerGrade, TalkReason

if TYPE_CHECKING:  # pragma: no cover
    from demo.services import Organisation

MEETING_WEEKS = 5
DRAWN_PER_MEETING = 4
ANSWERS = {
    AnswerGrade.CLEAR: [
        "已现场核实，物业承诺本周内完成维修，科里每天跟进。",
        "来电人诉求已分解到三个责任单位，时间表清楚，周五前办结。",
        "问题原因已查明，属产权单位责任，已发函并约定整改期限。",
    ],
    AnswerGrade.UNCLEAR: [
        "具体情况还需要再问问社区。",
        "承办人休假，进展不太清楚，会后了解。",
        "只知道已经派下去了，办到哪一步说不准。",
    ],
}
ACTIONS = ["会后两天内到现场核实并回复来电人", "约产权单位当面协调，形成书面意见", "补写未解决案件情况说明并双签"]
TALKS = [
    # (weeks ago, reason, held by the leader?)
    (4, TalkReason.OVERDUE, True),
    (3, TalkReason.UNSATISFIED, False),
    (2, TalkReason.REPORTED, True),
    (1, TalkReason.OVERDUE, False),
    (0, TalkReason.UNSATISFIED, True),
]


def demo_talks(*, org: "Organisation", now: dt.datetime, seed: int) -> None:
    """Weekly meetings with graded answers and 约谈 over the last weeks (deterministic for a seed)."""
    rng = random.Random(seed * 7919 + 13)
    today = timezone.localdate(now)
    people = [org.leader, org.supervisor, *(u.chief for u in org.units), *(u.secretary for u in org.units)]
    for weeks_ago in range(MEETING_WEEKS, 0, -1):
        monday = windows.week_of(today - dt.timedelta(weeks=weeks_ago - 1)).start
        held = timezone.make_aware(dt.datetime.combine(monday, dt.time(9, 30)))
        if held > now:
            continue
        window = windows.week_of(monday - dt.timedelta(days=7))
        # The history is already walked: a case whose timeline goes on after the
        # meeting would get the meeting's entry out of order, so the demo draws among the others.
        later = CaseEvent.objects.filter(case=OuterRef("pk"), created_at__gt=held)
        pool = dict(
            meetings.meeting_pool(window=window, at=held, street_id=org.street.pk)
            .filter(~Exists(later))
            .values_list("pk", "pairing__chief_id")
        )
        if not pool:
            continue
        pool_ids = sorted(pool)
        draw_seed = rng.getrandbits(64)
        drawn = random.Random(draw_seed).sample(pool_ids, min(DRAWN_PER_MEETING, len(pool_ids)))
        draw = MeetingDraw.objects.create(
            street=org.street,
            drawn_by=org.leader,
            drawn_at=held,
            week=window.key,
            window_start=window.start,
            window_end=window.end,
            requested_count=DRAWN_PER_MEETING,
            pool_size=len(pool_ids),
            drawn_count=len(drawn),
            seed=str(draw_seed),
            pool_case_ids=pool_ids,
        )
        items = MeetingDrawCase.objects.bulk_create(
            MeetingDrawCase(draw=draw, case_id=pk, position=n, reason=MeetingDrawCase.Reason.OVERDUE, chief_id=pool[pk])
            for n, pk in enumerate(drawn, start=1)
        )
        for item in items:
            # Every meeting has a chief who could not answer (the second questioned), and a few more.
            grade = AnswerGrade.UNCLEAR if item.position == 2 or rng.random() < 0.2 else AnswerGrade.CLEAR
            actions = [
                talks.ActionInput(
                    rng.choice(ACTIONS), rng.choice(people).pk, monday + dt.timedelta(days=rng.randint(2, 6))
                )
                for _ in range(rng.randint(0, 2) if grade == AnswerGrade.CLEAR else rng.randint(1, 2))
            ]
            answer = talks.meeting_answer_record(
                actor=org.leader,
                item_id=item.pk,
                answer=rng.choice(ANSWERS[grade]),
                grade=grade,
                actions=actions,
                now=held + dt.timedelta(minutes=10 * item.position),
            )
            for action in answer.actions.all():
                done_at = held + dt.timedelta(days=rng.randint(1, 7))
                if done_at < now and rng.random() < 0.7:
                    talks.follow_up_complete(actor=org.leader, action_id=action.pk, now=done_at)
    # The 催办 ladder as its sweep finds the street now (the 通报 a 约谈 can be about),
    # and the actions still open after their due date: told once, as the hourly sweep would have.
    ladder_sweep(now=now)
    talks.follow_up_late_sweep(now=now)
    units = [u.community for u in sorted(org.units, key=lambda u: u.quality)]
    for n, (weeks_ago, reason, by_leader) in enumerate(TALKS):
        held_at = now - dt.timedelta(weeks=weeks_ago, days=1, hours=rng.randint(1, 5))
        community = units[n % min(3, len(units))]
        talks.talk_create(
            actor=org.leader if by_leader else org.supervisor,
            unit_kind="community",
            unit_id=community.pk,
            reason=reason,
            reason_text=f"{community.name}{TalkReason(reason).label}，按街道要求约谈社区书记。",
            held_at=held_at,
            attendees="街道领导、监察组、社区书记、包片科长",
            promises="两周内逐件办结超期案件，书记每日调度，不满意案件逐户回访。",
            follow_up_on=timezone.localdate(held_at) + dt.timedelta(days=14),
            now=held_at,
        )
