"""The 催办 ladder: a case left alone climbs it level by level as the clock
moves, each level once; the people of each level are told; the 催办通知书 is
numbered; the rule is versioned per urgency level; pages and API are scoped."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import CaseEvent
from cases.transitions import Action
from hotline.errors import InvalidInput
from supervision.ladder import ladder_rule_create, ladder_sweep, overdue_threshold
from supervision.models import LadderLevel, LadderStep, Notification, NotificationKind

L = LadderLevel
TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Monday with no holiday near it: a general case dispatched now has a 24-hour
# response deadline (Tue 09:00) and a 7-working-day closure deadline (Wed 11 March, 23:59:59).
MONDAY = dt.datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def left_alone(walk):
    with time_machine.travel(MONDAY, tick=False):
        return walk.dispatched()


def levels(case) -> list[str]:
    return list(LadderStep.objects.filter(case=case).order_by("reached_at", "id").values_list("level", flat=True))


def sweep_at(moment: dt.datetime) -> dict[str, int]:
    with time_machine.travel(moment, tick=False):
        return ladder_sweep()


def test_the_deadlines_of_the_example_case_are_the_ones_the_timeline_below_assumes(left_alone):
    assert left_alone.response_deadline == at(3, 9)
    assert left_alone.closure_deadline == dt.datetime(2026, 3, 11, 23, 59, 59, tzinfo=TZ)


def test_a_case_left_alone_climbs_the_ladder_to_report_each_level_once(left_alone):
    expected = [
        (at(2, 20, 59), []),
        (at(2, 21, 0), [L.RESPONSE_FIRST]),  # 50 % of 24 hours
        (at(3, 4, 12), [L.RESPONSE_FIRST, L.RESPONSE_SECOND]),  # 80 %
        (at(3, 9, 0), [L.RESPONSE_FIRST, L.RESPONSE_SECOND, L.RESPONSE_MISSED]),
    ]
    for moment, reached in expected:
        sweep_at(moment)
        assert levels(left_alone) == reached, moment
    # Every twelve hours for three weeks: the clock moves, the sweep runs again and again.
    moment = at(3, 9)
    while moment < at(23):
        moment += dt.timedelta(hours=12)
        sweep_at(moment)
        sweep_at(moment)
    assert levels(left_alone) == [
        L.RESPONSE_FIRST,
        L.RESPONSE_SECOND,
        L.RESPONSE_MISSED,
        L.CLOSURE_FIRST,
        L.CLOSURE_SECOND,
        L.CLOSURE_MISSED,
        L.NOTICE,
        L.REPORT,
    ]
    events = CaseEvent.objects.filter(
        case=left_alone, action__in=[Action.REMIND, Action.URGE, Action.URGE_NOTICE, Action.REPORT]
    )
    assert [e.data["level"] for e in events.order_by("created_at", "id")] == levels(left_alone)
    assert all(e.actor_id is None for e in events)


def test_each_level_is_reached_on_the_day_the_rule_says(left_alone):
    boundaries = [
        # the first moment after 23:59:59 on Wednesday the 11th
        (at(11, 23, 59), at(12, 0), L.CLOSURE_MISSED),
        # Thursday the 12th, a whole working day overdue, has passed
        (at(12, 23, 59), at(13, 0), L.NOTICE),
        # five working days overdue: Thu 12, Fri 13, Mon 16, Tue 17, Wed 18 have passed (not the weekend)
        (at(18, 23, 59), at(19, 0), L.REPORT),
    ]
    for before, after, level in boundaries:
        sweep_at(before)
        assert level not in levels(left_alone), before
        sweep_at(after)
        assert level in levels(left_alone), after


def test_the_overdue_threshold_skips_the_weekend(db):
    assert overdue_threshold(now=at(16, 10), working_days=1) == at(13)  # Monday: Friday has passed
    assert overdue_threshold(now=at(19, 0), working_days=5) == at(12)


def test_a_contacted_case_gets_no_response_levels_and_a_closed_case_none_at_all(org, walk, left_alone):
    services.case_respond(case_id=left_alone.id, actor=org.officer_a, at=at(2, 10))
    sweep_at(at(3, 12))
    assert levels(left_alone) == []
    with time_machine.travel(MONDAY, tick=False):
        closed = walk.closed()
    sweep_at(at(25))
    assert levels(closed) == []


def test_each_level_tells_its_people(org, left_alone):
    sweep_at(at(2, 21))
    sweep_at(at(3, 9))
    sweep_at(at(13, 0, 5))
    sweep_at(at(19, 0, 5))

    def told(kind) -> set[int]:
        return set(Notification.objects.filter(case=left_alone, kind=kind).values_list("recipient_id", flat=True))

    assert told(NotificationKind.REMINDER) == {org.officer_a.id}
    assert told(NotificationKind.URGE) == {org.officer_a.id, org.secretary_a.id, org.chief_a.id}
    assert told(NotificationKind.URGE_NOTICE) == {org.secretary_a.id, org.chief_a.id, org.leader.id}
    assert told(NotificationKind.REPORT) == {org.leader.id}
    # Once per level: the response 催办 and the closure 催办 are two events, two notifications each.
    assert Notification.objects.filter(case=left_alone, kind=NotificationKind.URGE, recipient=org.chief_a).count() == 2


def test_notices_are_numbered_in_sequence_within_the_year(walk):
    with time_machine.travel(MONDAY, tick=False):
        first, second = walk.dispatched(), walk.dispatched()
    sweep_at(at(13, 1))
    numbers = dict(LadderStep.objects.filter(level=L.NOTICE).values_list("case_id", "number"))
    assert numbers == {first.id: "CB-2026-0001", second.id: "CB-2026-0002"}
    event = CaseEvent.objects.get(case=first, action=Action.URGE_NOTICE)
    assert event.data["number"] == "CB-2026-0001" and "CB-2026-0001" in event.note


def test_an_extension_gives_a_new_deadline_and_the_ladder_starts_again_for_it(org, left_alone):
    sweep_at(at(12, 1))
    assert L.CLOSURE_MISSED in levels(left_alone)
    with time_machine.travel(at(12, 9), tick=False):
        request = services.case_request_extension(
            case_id=left_alone.id, actor=org.officer_a, working_days=5, reason="需协调"
        )
        services.case_decide_extension(request_id=request.id, actor=org.leader, approve=True, note="同意")
    left_alone.refresh_from_db()
    sweep_at(at(12, 10))
    # The old deadline's levels stay on record; against the new one only the first
    # reminder is due (more than half the time from dispatch to the new deadline has passed).
    assert L.CLOSURE_MISSED in levels(left_alone)
    again = LadderStep.objects.filter(case=left_alone, deadline=left_alone.closure_deadline)
    assert list(again.values_list("level", flat=True)) == [L.CLOSURE_FIRST]
    sweep_at(left_alone.closure_deadline + dt.timedelta(minutes=1))
    assert LadderStep.objects.filter(
        case=left_alone, deadline=left_alone.closure_deadline, level=L.CLOSURE_MISSED
    ).exists()


def test_a_new_rule_version_for_a_level_changes_when_its_cases_are_reminded(org, left_alone):
    ladder_rule_create(
        actor=None,
        urgency="general",
        effective_from=dt.date(2026, 1, 1),
        first_reminder_percent=25,
        second_reminder_percent=90,
    )
    sweep_at(at(2, 15))  # 25 % of 24 hours after 09:00
    assert levels(left_alone) == [L.RESPONSE_FIRST]
    sweep_at(at(3, 4, 12))  # 80 % no longer reminds a second time
    assert levels(left_alone) == [L.RESPONSE_FIRST]


def test_the_rule_refuses_a_second_reminder_before_the_first(db):
    with pytest.raises(InvalidInput):
        ladder_rule_create(
            actor=None,
            urgency="general",
            effective_from=dt.date(2026, 1, 1),
            first_reminder_percent=80,
            second_reminder_percent=50,
        )


def test_the_supervision_page_lists_each_level_per_unit_and_opens_its_cases(client, org, left_alone):
    sweep_at(at(19, 1))
    client.force_login(org.supervisor)
    response = client.get(reverse("supervision-ladder"))
    assert response.status_code == 200
    board = response.context["board"]
    (row,) = board["communities"]
    assert row["name"] == org.a.name and {v: n for v, _, n in row["cells"]}[L.REPORT] == 1
    response = client.get(reverse("supervision-ladder"), {"level": L.REPORT, "community": org.a.id})
    assert [c.id for c in response.context["page"].object_list] == [left_alone.id]
    response = client.get(reverse("supervision-ladder"), {"level": L.REPORT, "community": org.b.id})
    assert list(response.context["page"].object_list) == []


def test_the_supervision_page_is_for_supervisors_and_leaders(client, org):
    client.force_login(org.officer_a)
    assert client.get(reverse("supervision-ladder")).status_code == 403
    client.force_login(org.leader)
    assert client.get(reverse("supervision-ladder")).status_code == 200


def test_the_notice_prints_with_its_number_addressees_and_copy(client, org, left_alone):
    sweep_at(at(13, 1))
    number = LadderStep.objects.get(level=L.NOTICE).number
    client.force_login(org.secretary_a)
    response = client.get(reverse("supervision-urge-notice", args=[number]))
    body = response.content.decode()
    assert response.status_code == 200
    assert number in body and org.a.name in body and org.d1.name in body and "郑主任" in body
    assert "张三" not in body and "13812341234" not in body  # the caller stays out of the notice
    assert "urge-notice-print.css" in body
    client.force_login(org.secretary_b)
    assert client.get(reverse("supervision-urge-notice", args=[number])).status_code == 404
    # The supervision page's notice level links each case's printable notice.
    client.force_login(org.supervisor)
    response = client.get(reverse("supervision-ladder"), {"level": L.NOTICE})
    assert reverse("supervision-urge-notice", args=[number]) in response.content.decode()


def test_the_api_is_scoped_to_the_callers_cases(org, left_alone):
    sweep_at(at(19, 1))
    api = APIClient()
    api.force_authenticate(org.secretary_b)
    totals = {row["level"]: row["count"] for row in api.get("/api/supervision/ladder/").json()["totals"]}
    assert totals[L.REPORT] == 0
    assert api.get("/api/supervision/ladder/cases/", {"level": L.REPORT}).json()["results"] == []
    api.force_authenticate(org.secretary_a)
    totals = {row["level"]: row["count"] for row in api.get("/api/supervision/ladder/").json()["totals"]}
    assert totals[L.REPORT] == 1
    cases = api.get("/api/supervision/ladder/cases/", {"level": L.REPORT}).json()["results"]
    assert [c["id"] for c in cases] == [left_alone.id]
    assert api.get("/api/supervision/ladder/cases/", {"level": "nope"}).status_code == 400


def test_the_leaders_overview_shows_urge_and_report_counts_per_community_and_names_the_reported_case(
    client, org, left_alone
):
    sweep_at(at(19, 1))
    client.force_login(org.leader)
    with time_machine.travel(at(19, 2), tick=False):
        response = client.get(reverse("street-overview"))
    ladder = response.context["overview"]["ladder"]
    assert ladder["units"] == [
        {
            "kind": "community",
            "label": "社区",
            "rows": [{"unit_id": org.a.id, "name": org.a.name, "urged": 1, "reported": 1}],
        },
        {
            "kind": "department",
            "label": "科室",
            "rows": [{"unit_id": org.d1.id, "name": org.d1.name, "urged": 1, "reported": 1}],
        },
    ]
    assert [c.id for c in ladder["reported_cases"]] == [left_alone.id]
    assert 'id="ladder-overview"' in response.content.decode()
    # The 催办 figure opens its cases.
    response = client.get(reverse("supervision-ladder"), {"level": "urged", "community": org.a.id})
    assert [c.id for c in response.context["page"].object_list] == [left_alone.id]


def test_the_weekly_meeting_sheet_names_the_cases_under_report(client, org, walk, left_alone):
    from rankings import services as ranking_services

    sweep_at(at(19, 1))
    with time_machine.travel(at(19, 2), tick=False):
        draw = ranking_services.meeting_draw_create(actor=org.leader, count=1)
    client.force_login(org.leader)
    response = client.get(reverse("rankings-meeting-draw", args=[draw.pk]))
    assert [c.id for c in response.context["reported_cases"]] == [left_alone.id]
    assert 'id="meeting-reported"' in response.content.decode()


def test_beat_runs_the_sweep_task_every_five_minutes_and_the_task_takes_the_levels(left_alone):
    from hotline.celery import app
    from supervision.tasks_ladder import sweep_ladder

    entry = app.conf.beat_schedule["supervision-ladder-sweep"]
    assert entry["task"] == sweep_ladder.name
    assert entry["schedule"].minute == set(range(0, 60, 5))
    with time_machine.travel(at(3, 9, 1), tick=False):
        assert sweep_ladder.apply().get()[L.RESPONSE_MISSED] == 1
        assert sweep_ladder.apply().get()[L.RESPONSE_MISSED] == 0  # a retry sends nothing again
    # Reminders of a deadline that has already passed are not sent late: the 催办 says more.
    assert levels(left_alone) == [L.RESPONSE_MISSED]


def test_a_response_urge_leaves_the_supervision_page_once_the_caller_is_contacted(client, org, left_alone):
    sweep_at(at(3, 9, 1))
    client.force_login(org.supervisor)
    totals = {v: n for v, _, n in client.get(reverse("supervision-ladder")).context["board"]["totals"]}
    assert totals[L.RESPONSE_MISSED] == 1
    services.case_respond(case_id=left_alone.id, actor=org.officer_a, at=at(3, 10))
    totals = {v: n for v, _, n in client.get(reverse("supervision-ladder")).context["board"]["totals"]}
    assert totals[L.RESPONSE_MISSED] == 0
    assert LadderStep.objects.filter(case=left_alone, level=L.RESPONSE_MISSED).exists()  # still on record
