"""回头看: the weekly draw's size and pool, its reproduction from the stored
seed, recording a re-check (a case not drawn is refused, twice is a
conflict), a problem found back opens an order, the beat declaration."""

import datetime as dt
import zoneinfo

import pytest
import time_machine

from cases.models import Case
from hotline.celery import app
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision import rechecks
from supervision.models import OrderKind, Recheck, RecheckDraw, RecheckStatus, SupervisionOrder

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# Cases closed in the week of Monday 2 March 2026; the draw runs on Monday 9 March.
CLOSED_AT = dt.datetime(2026, 3, 4, 10, tzinfo=TZ)
DRAW_AT = dt.datetime(2026, 3, 9, 0, 20, tzinfo=TZ)


def closed_cases(walk, n: int) -> list[Case]:
    with time_machine.travel(CLOSED_AT, tick=False):
        return [walk.closed() for _ in range(n)]


def draw(org) -> RecheckDraw:
    with time_machine.travel(DRAW_AT, tick=False):
        (made,) = rechecks.recheck_draw_last_week()
    return made


@pytest.mark.parametrize(("pool", "expected"), [(0, 0), (3, 3), (5, 5), (100, 5), (101, 6), (400, 20)])
def test_the_size_is_five_percent_and_at_least_five(pool, expected):
    assert rechecks.recheck_draw_size(pool) == expected


def test_the_size_is_configurable(settings):
    settings.SUPERVISION_RECHECK_PERCENT, settings.SUPERVISION_RECHECK_MINIMUM = 50, 2
    assert (rechecks.recheck_draw_size(3), rechecks.recheck_draw_size(10)) == (2, 5)


def test_the_weekly_draw_takes_last_weeks_closed_cases_reproducibly_and_once(org, walk):
    cases = closed_cases(walk, 6)
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=TZ), tick=False):
        walk.closed()  # closed this week: not in last week's pool
    made = draw(org)
    assert made.week_start == dt.date(2026, 3, 2)
    assert made.pool_case_ids == sorted(case.pk for case in cases)
    drawn = list(made.rechecks.order_by("position").values_list("case_id", flat=True))
    assert len(drawn) == made.drawn_count == 5
    assert rechecks.recheck_draw_reproduce(draw=made) == drawn
    assert draw(org).pk == made.pk and RecheckDraw.objects.count() == 1


def test_the_meeting_draw_and_the_recheck_draw_share_one_sampling_rule():
    from hotline.draws import draw_sample

    assert draw_sample(seed="42", pool_ids=[3, 1, 2], count=5) == draw_sample(seed=42, pool_ids=[1, 2, 3], count=3)


def test_the_job_is_in_the_beat_schedule():
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["supervision-recheck-weekly-draw"]
    assert entry["task"] == "supervision.recheck_weekly_draw"
    assert "supervision.recheck_weekly_draw" in app.tasks
    assert app.conf.beat_schedule["supervision-orders-mark-late"]["task"] in app.tasks


class TestRecord:
    @pytest.fixture
    def drawn(self, org, walk):
        closed_cases(walk, 2)
        made = draw(org)
        return made, list(made.rechecks.order_by("position"))

    def test_the_table(self):
        assert {"record": (frozenset({RecheckStatus.PENDING}), RecheckStatus.DONE)} == rechecks.RECHECK_TRANSITIONS

    def test_still_resolved_opens_no_order(self, org, drawn):
        made, (first, _) = drawn
        recheck = rechecks.recheck_record(
            draw_id=made.pk,
            case_id=first.case_id,
            actor=org.supervisor,
            still_resolved=True,
            satisfied=True,
            note="已解决，满意",
        )
        assert (recheck.status, recheck.order) == (RecheckStatus.DONE, None)
        assert not SupervisionOrder.objects.exists()

    def test_a_problem_found_back_opens_an_order(self, org, drawn):
        made, (first, _) = drawn
        recheck = rechecks.recheck_record(
            draw_id=made.pk,
            case_id=first.case_id,
            actor=org.supervisor,
            still_resolved=False,
            satisfied=False,
            note="电梯又坏了",
        )
        assert recheck.order.kind == OrderKind.RECURRENCE and recheck.order.case_id == first.case_id
        assert recheck.found_back

    def test_twice_is_a_conflict(self, org, drawn):
        made, (first, _) = drawn
        record = {
            "draw_id": made.pk,
            "case_id": first.case_id,
            "actor": org.supervisor,
            "still_resolved": False,
            "satisfied": True,
            "note": "复发",
        }
        rechecks.recheck_record(**record)
        with pytest.raises(Conflict):
            rechecks.recheck_record(**record)
        assert SupervisionOrder.objects.count() == 1

    def test_a_case_not_in_the_draw_is_refused(self, org, walk, drawn):
        made, _ = drawn
        other = walk.closed()
        with pytest.raises(InvalidInput) as error:
            rechecks.recheck_record(
                draw_id=made.pk, case_id=other.pk, actor=org.supervisor, still_resolved=True, satisfied=True, note="好"
            )
        assert error.value.code == "not_drawn"

    def test_bad_input_and_roles(self, org, drawn):
        made, (first, _) = drawn
        record = {"draw_id": made.pk, "case_id": first.case_id, "still_resolved": True, "satisfied": True, "note": "好"}
        with pytest.raises(InvalidInput):
            rechecks.recheck_record(**{**record, "note": " "}, actor=org.supervisor)
        with pytest.raises(InvalidInput):
            rechecks.recheck_record(**{**record, "still_resolved": None}, actor=org.supervisor)
        with pytest.raises(NotAllowed):
            rechecks.recheck_record(**record, actor=org.secretary_a)
        with pytest.raises(NotFound):
            rechecks.recheck_record(**{**record, "draw_id": made.pk + 99}, actor=org.supervisor)
        assert not Recheck.objects.filter(status=RecheckStatus.DONE).exists()

    def test_scope(self, org, drawn):
        made, _ = drawn
        assert list(rechecks.recheck_draw_list_for_user(user=org.leader)) == [made]
        assert not rechecks.recheck_draw_list_for_user(user=org.secretary_a).exists()
        with pytest.raises(NotFound):
            rechecks.recheck_draw_get_for_user(user=org.chief_a, draw_id=made.pk)
