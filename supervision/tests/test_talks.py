"""约谈 and the weekly meeting on record: a 约谈 stores the figures of its
reason (from the product's own definitions) and shows them beside the same
figures now from the follow-up date; the meeting records answers, grades and
follow-up actions whose late ones are told once; the supervision figures per
unit count exactly the records their drill-down lists."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent
from cases.transitions import Action
from cases.vocabulary import callback_outcome_q, overdue_q
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from rankings import services as rankings_services
from rankings.models import MeetingDrawCase
from supervision import figures, talks
from supervision.ladder import ladder_sweep
from supervision.models import (
    FollowUpAction,
    FollowUpStatus,
    LadderStep,
    MeetingAnswer,
    Notification,
    NotificationKind,
    Talk,
    TalkReason,
)
from supervision.talks import ActionInput


def overdue_case(walk, days: int = 2) -> Case:
    case = walk.dispatched()
    Case.objects.filter(pk=case.pk).update(closure_deadline=timezone.now() - dt.timedelta(days=days))
    return Case.objects.get(pk=case.pk)


def talk(org, **overrides) -> Talk:
    values = {
        "actor": org.leader,
        "unit_kind": "community",
        "unit_id": org.a.pk,
        "reason": TalkReason.OVERDUE,
        "reason_text": "超期案件较多。",
        "held_at": timezone.now() - dt.timedelta(hours=1),
        "attendees": "孙书记、郑主任",
        "promises": "一周内办结。",
        "follow_up_on": timezone.localdate() + dt.timedelta(days=7),
    }
    values.update(overrides)
    return talks.talk_create(**values)


# ---------------------------------------------------------------- 约谈


def test_a_talk_stores_the_figures_and_cases_of_its_reason(org, walk):
    late = [overdue_case(walk), overdue_case(walk)]
    walk.dispatched()  # on time: not counted
    record = talk(org)
    expected = sorted(Case.objects.filter(overdue_q(), community=org.a).values_list("pk", flat=True))
    assert expected == sorted(case.pk for case in late)
    assert record.figures["case_ids"] == expected
    assert record.figures["items"] == [["超期未办结案件", 2]]


def test_a_unit_with_no_figures_still_saves(org):
    record = talk(org, unit_kind="department", unit_id=org.d2.pk)
    assert record.department == org.d2 and record.figures["case_ids"] == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("reason_text", "  ", "请填写原因说明"),
        ("attendees", "", "请填写参加人员"),
        ("reason", "nonsense", "约谈原因"),
        ("unit_id", 999999, "社区或科室"),
        ("follow_up_on", dt.date(2020, 1, 1), "复查日期不能早于今天"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(org, field, value, message):
    with pytest.raises(InvalidInput, match=message):
        talk(org, **{field: value})
    assert not Talk.objects.exists()


def test_only_leaders_and_supervisors_record_talks(org):
    talk(org, actor=org.supervisor)
    for user in (org.secretary_a, org.chief_a, org.clerk):
        with pytest.raises(NotAllowed):
            talk(org, actor=user)
    assert Talk.objects.count() == 1


def test_from_the_follow_up_date_then_and_now_are_side_by_side(org, walk):
    first = overdue_case(walk)
    record = talk(org)
    assert talks.talk_then_and_now(talk=record, user=org.leader) is None  # before the follow-up date
    Case.objects.filter(pk=first.pk).update(closure_deadline=timezone.now() + dt.timedelta(days=30))
    second, third = overdue_case(walk), overdue_case(walk)
    later = timezone.now() + dt.timedelta(days=8)
    compare = talks.talk_then_and_now(talk=record, user=org.leader, now=later)
    assert compare is not None
    assert compare["rows"] == [("超期未办结案件", 1, 2)]
    assert [c.pk for c in compare["then_cases"]] == [first.pk]
    assert [c.pk for c in compare["now_cases"]] == sorted([second.pk, third.pk])


def test_reported_cases_are_the_ladders_report_level(org, walk):
    reported = overdue_case(walk, days=30)
    overdue_case(walk, days=1)
    ladder_sweep()
    record = talk(org, reason=TalkReason.REPORTED)
    assert LadderStep.objects.filter(level="report").values_list("case_id", flat=True).get() == reported.pk
    assert record.figures["case_ids"] == [reported.pk]


def test_unsatisfied_are_the_negative_callbacks_of_the_last_days(org, walk):
    case = walk.needs_explanation()
    walk.closed()
    record = talk(org, reason=TalkReason.UNSATISFIED)
    assert list(Case.objects.filter(callback_outcome_q("negative")).values_list("pk", flat=True)) == [case.pk]
    assert record.figures["case_ids"] == [case.pk]


def test_a_unit_not_on_any_board_is_said_so(org):
    record = talk(org, reason=TalkReason.BOARD_BOTTOM)
    assert record.figures["items"] == [["榜单", "暂无该单位的周榜数据"]]


def test_a_community_sees_its_own_talks_only(org, client):
    own, other = talk(org), talk(org, unit_id=org.b.pk)
    assert list(talks.talk_scope_for_user(org.secretary_a)) == [own]
    with pytest.raises(NotFound):
        talks.talk_get_for_user(user=org.secretary_a, talk_id=other.pk)
    assert set(talks.talk_scope_for_user(org.supervisor)) == {own, other}
    assert not talks.talk_scope_for_user(org.chief_a).exists()
    client.force_login(org.secretary_a)
    assert client.get(reverse("supervision-talk", args=[other.pk])).status_code == 404
    assert client.get(reverse("supervision-talk", args=[own.pk])).status_code == 200


def test_the_talk_page_prefills_and_records(org, walk, client):
    late = overdue_case(walk)
    client.force_login(org.leader)
    page = client.get(reverse("supervision-talk-new"), {"unit": f"community:{org.a.pk}", "reason": "overdue"})
    assert page.status_code == 200
    assert late.ticket_no in page.content.decode() and "超期未办结案件1" in page.content.decode()
    bad = client.post(
        reverse("supervision-talk-new"),
        {"unit": f"community:{org.a.pk}", "reason": "overdue", "reason_text": "x", "attendees": "孙书记",
         "held_at": "2026-01-01T09:00", "follow_up_on": "2020-01-01"},
    )  # fmt: skip
    assert bad.status_code == 400 and "复查日期不能早于今天" in bad.content.decode()
    assert not Talk.objects.exists()
    response = client.post(
        reverse("supervision-talk-new"),
        {"unit": f"community:{org.a.pk}", "reason": "overdue", "reason_text": "超期多", "attendees": "孙书记",
         "held_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
         "follow_up_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat()},
    )  # fmt: skip
    record = Talk.objects.get()
    assert response.status_code == 302 and record.figures["case_ids"] == [late.pk]


def test_the_talks_api_is_scoped(org):
    own, other = talk(org), talk(org, unit_id=org.b.pk)
    api = APIClient()
    api.force_authenticate(org.secretary_a)
    listed = api.get("/api/supervision/talks/").json()
    assert [row["id"] for row in listed["results"]] == [own.pk]
    assert api.get(f"/api/supervision/talks/{other.pk}/").status_code == 404
    api.force_authenticate(org.leader)
    listed = api.get("/api/supervision/talks/", {"community": org.b.pk}).json()
    assert [row["id"] for row in listed["results"]] == [other.pk]
    assert listed["results"][0]["figures"]["case_ids"] == []


# ---------------------------------------------------------------- the weekly meeting


@pytest.fixture
def drawn(org, walk) -> list[MeetingDrawCase]:
    for _ in range(2):
        overdue_case(walk)
    draw = rankings_services.meeting_draw_create(actor=org.leader, count=2)
    return list(MeetingDrawCase.objects.filter(draw=draw).order_by("position"))


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def test_the_leader_records_answer_grade_and_actions_on_the_timeline(org, drawn):
    item = drawn[0]
    record = talks.meeting_answer_record(
        actor=org.leader,
        item_id=item.pk,
        answer="已约物业，周五前修复。",
        grade="unclear",
        actions=[ActionInput("周五前修复电梯", org.chief_a.pk, tomorrow()), ActionInput("", None, None)],
    )
    assert record.chief_id == item.chief_id == org.chief_a.pk and record.community_id == org.a.pk
    assert [(a.text, a.owner_id, a.status) for a in record.actions.all()] == [
        ("周五前修复电梯", org.chief_a.pk, "open")
    ]
    event = CaseEvent.objects.get(case=item.case, action=Action.MEETING_ANSWER)
    assert event.actor == org.leader and event.data["grade"] == "unclear" and record.event == event


def test_an_answer_is_recorded_once(org, drawn):
    talks.meeting_answer_record(actor=org.leader, item_id=drawn[0].pk, answer="a", grade="clear")
    with pytest.raises(Conflict):
        talks.meeting_answer_record(actor=org.leader, item_id=drawn[0].pk, answer="b", grade="unclear")
    assert MeetingAnswer.objects.get().answer == "a"


@pytest.mark.parametrize(
    ("answer", "grade", "actions", "message"),
    [
        ("", "clear", [], "请填写回答情况"),
        ("a", "maybe", [], "答得清或答不清"),
        ("a", "clear", [ActionInput("x", None, None)], "同时填写"),
        ("a", "clear", [ActionInput("x", 1, dt.date(2020, 1, 1))], "不能早于今天"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_half_written(org, drawn, answer, grade, actions, message):
    with pytest.raises(InvalidInput, match=message):
        talks.meeting_answer_record(actor=org.leader, item_id=drawn[0].pk, answer=answer, grade=grade, actions=actions)
    assert not MeetingAnswer.objects.exists() and not FollowUpAction.objects.exists()
    assert not CaseEvent.objects.filter(action=Action.MEETING_ANSWER).exists()


def test_an_owner_outside_the_street_is_refused(org, drawn, django_user_model):
    stranger = django_user_model.objects.create_user("stranger")
    with pytest.raises(InvalidInput, match="不是本街道人员"):
        talks.meeting_answer_record(
            actor=org.leader,
            item_id=drawn[0].pk,
            answer="a",
            grade="clear",
            actions=[ActionInput("x", stranger.pk, tomorrow())],
        )


def test_only_leaders_record_answers(org, drawn):
    for user in (org.supervisor, org.chief_a, org.secretary_a):
        with pytest.raises(NotAllowed):
            talks.meeting_answer_record(actor=user, item_id=drawn[0].pk, answer="a", grade="clear")


def _action(org, drawn, owner=None, due=None) -> FollowUpAction:
    record = talks.meeting_answer_record(
        actor=org.leader,
        item_id=drawn[0].pk,
        answer="a",
        grade="clear",
        actions=[ActionInput("修复电梯", (owner or org.chief_a).pk, due or tomorrow())],
    )
    return record.actions.get()


def test_follow_up_table_open_to_done_and_not_again(org, drawn):
    assert {"complete": (frozenset({FollowUpStatus.OPEN}), FollowUpStatus.DONE)} == talks.FOLLOW_UP_TRANSITIONS
    action = _action(org, drawn)
    done = talks.follow_up_complete(actor=org.chief_a, action_id=action.pk)
    assert done.status == FollowUpStatus.DONE and done.done_by == org.chief_a
    with pytest.raises(Conflict):
        talks.follow_up_complete(actor=org.chief_a, action_id=action.pk)


def test_only_the_owner_or_a_leader_completes_an_action(org, drawn):
    action = _action(org, drawn)
    with pytest.raises(NotFound):
        talks.follow_up_complete(actor=org.chief_b, action_id=action.pk)
    assert talks.follow_up_complete(actor=org.leader, action_id=action.pk).status == FollowUpStatus.DONE


def test_a_late_action_tells_owner_and_leader_once(org, drawn):
    action = _action(org, drawn)
    assert talks.follow_up_late_sweep() == 0  # due tomorrow: not late
    two_days_on = timezone.now() + dt.timedelta(days=2)
    assert talks.follow_up_late_sweep(now=two_days_on) == 1
    assert talks.follow_up_late_sweep(now=two_days_on) == 0
    told = Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_LATE)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted([org.chief_a.pk, org.leader.pk])
    action.refresh_from_db()
    assert action.late_event is not None and action.late_event.action == Action.FOLLOW_UP_LATE


def test_a_done_action_is_never_late(org, drawn):
    action = _action(org, drawn)
    talks.follow_up_complete(actor=org.chief_a, action_id=action.pk)
    assert talks.follow_up_late_sweep(now=timezone.now() + dt.timedelta(days=5)) == 0
    assert not Notification.objects.filter(kind=NotificationKind.FOLLOW_UP_LATE).exists()


def test_the_meeting_sheet_records_and_prints_answers(org, drawn, client):
    client.force_login(org.leader)
    url = reverse("supervision-meeting-answer", args=[drawn[0].draw_id, drawn[0].pk])
    response = client.post(
        url,
        {"answer": "答复清楚", "grade": "clear", "action_1_text": "回访居民", "action_1_owner": str(org.chief_a.pk),
         "action_1_due": tomorrow().isoformat()},
    )  # fmt: skip
    assert response.status_code == 302
    sheet = client.get(reverse("rankings-meeting-draw", args=[drawn[0].draw_id])).content.decode()
    assert "答复清楚" in sheet and 'data-grade="clear"' in sheet and "回访居民" in sheet
    client.force_login(org.supervisor)
    assert client.post(url, {"answer": "x", "grade": "clear"}).status_code == 403


# ---------------------------------------------------------------- figures per unit


@pytest.fixture
def history(org, walk, drawn):
    overdue_case(walk, days=30)
    ladder_sweep()
    talk(org)
    talk(org, unit_kind="department", unit_id=org.d1.pk)
    talks.meeting_answer_record(actor=org.leader, item_id=drawn[0].pk, answer="a", grade="clear")
    talks.meeting_answer_record(actor=org.leader, item_id=drawn[1].pk, answer="b", grade="unclear")


def test_every_figure_is_a_plain_count_and_drills_down_to_exactly_its_records(org, history):
    data = figures.supervision_unit_figures(user=org.leader)
    since = timezone.now() - dt.timedelta(days=figures.DEFAULT_DAYS)
    checked = 0
    for unit in data["units"]:
        for row in unit["rows"]:
            kind, uid = row["kind"], row["id"]
            for figure, n in row["figures"]:
                if figure.records == "cases":
                    steps = [s for s in LadderStep.objects.all() if s.level == figure.key and s.reached_at >= since]
                    expected = {s.case_id for s in steps if getattr(s, f"{kind}_id") == uid}
                elif figure.records == "talks":
                    expected = {t.pk for t in Talk.objects.all() if getattr(t, f"{kind}_id") == uid}
                else:
                    expected = {
                        a.pk
                        for a in MeetingAnswer.objects.all()
                        if a.grade == figure.key and getattr(a, f"{kind}_id") == uid
                    }
                assert n == len(expected), (row["name"], figure.key)
                _, records = figures.supervision_figure_records(
                    user=org.leader, figure=figure.key, unit_kind=kind, unit_id=uid
                )
                assert {r.pk for r in records} == expected
                checked += n
    assert checked >= 2 + 4 + 2  # talks, the four 催办 levels of the late case, two grades


def test_the_order_figures_are_the_communitys_orders_and_open_their_list(org, walk, history, client):
    from supervision.models import OrderKind, OrderStatus, SupervisionOrder
    from supervision.orders import order_open

    case = walk.dispatched()  # community a
    today = timezone.localdate()
    order_open(
        case_id=case.id, actor=org.supervisor, kind=OrderKind.PHONE, due_on=today + dt.timedelta(days=2), note=""
    )
    data = figures.supervision_unit_figures(user=org.leader)
    rows = {(row["kind"], row["id"]): row for unit in data["units"] for row in unit["rows"]}
    orders = {key: (n, url) for key, _, n, url in rows[("community", org.a.pk)]["orders"]}
    expected_open = sum(
        1 for o in SupervisionOrder.objects.all() if o.case.community_id == org.a.pk and o.status == OrderStatus.OPEN
    )
    assert expected_open >= 1 and orders["orders_open"][0] == expected_open
    assert orders["orders_overdue"][0] == 0 and orders["found_back"][0] == 0
    listed = client_list(client, org.leader, orders["orders_open"][1])
    assert listed.count("data-order=") == expected_open and case.ticket_no in listed
    # Departments hold no orders of their own; a community sees only its own orders.
    assert all(n is None for row in rows.values() if row["kind"] == "department" for _, _, n, _ in row["orders"])
    other = figures.supervision_unit_figures(user=org.secretary_b)
    assert all(row["id"] != org.a.pk for unit in other["units"] for row in unit["rows"])


def client_list(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_chiefs_grades_over_time(org, history):
    grades = figures.chief_grades(user=org.leader)
    assert [(g["name"], g["clear"], g["unclear"]) for g in grades] == [("李科长", 1, 1)]
    _, unclear = figures.supervision_figure_records(user=org.leader, figure="unclear", chief_id=org.chief_a.pk)
    assert [a.answer for a in unclear] == ["b"]


def test_figures_are_scoped(org, history):
    data = figures.supervision_unit_figures(user=org.secretary_b)
    assert all(n == 0 for unit in data["units"] for row in unit["rows"] for _, n in row["figures"])


def test_the_supervision_page_and_its_drilldowns(org, history, client):
    client.force_login(org.supervisor)
    page = client.get(reverse("supervision-ladder")).content.decode()
    assert 'id="supervision-figures"' in page and "李科长" in page
    row = next(
        r for r in figures.supervision_unit_figures(user=org.supervisor)["units"][0]["rows"] if r["id"] == org.a.pk
    )
    for figure, n in row["figures"]:
        url = reverse("supervision-figure", args=[figure.key])
        response = client.get(url, {"unit": "community", "id": org.a.pk})
        assert response.status_code == 200 and f'id="list-count">{n}<' in response.content.decode()
        assert (f'href="{url}?unit=community&amp;id={org.a.pk}&amp;days=90"' in page) == (n > 0)
    assert client.get(reverse("supervision-figure", args=["nonsense"])).status_code == 404
    assert client.get(reverse("supervision-figure", args=["talks"]), {"unit": "street"}).status_code == 404
    client.force_login(org.secretary_a)
    assert client.get(reverse("supervision-figure", args=["talks"])).status_code == 403


def test_the_figures_api(org, history):
    api = APIClient()
    api.force_authenticate(org.leader)
    body = api.get("/api/supervision/figures/").json()
    row = next(r for r in body["units"] if r["kind"] == "community" and r["id"] == org.a.pk)
    counts = {f["key"]: f["count"] for f in row["figures"]}
    assert counts["talks"] == 1 and counts["clear"] + counts["unclear"] == 2
    records = api.get("/api/supervision/figures/talks/", {"unit": "community", "id": org.a.pk}).json()
    assert records["count"] == 1 and records["results"][0]["unit_id"] == org.a.pk
    assert api.get("/api/supervision/figures/nonsense/").status_code == 400
    assert api.get("/api/supervision/figures/", {"days": 7}).status_code == 400


def test_beat_runs_the_late_follow_up_sweep_hourly(org, drawn):
    from hotline.celery import app
    from supervision.tasks_talks import follow_up_late_sweep_task

    entry = app.conf.beat_schedule["supervision-follow-up-late"]
    assert entry["task"] == follow_up_late_sweep_task.name and entry["schedule"].minute == {15}
    action = _action(org, drawn)
    FollowUpAction.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    assert follow_up_late_sweep_task.apply().get() == 1
    assert follow_up_late_sweep_task.apply().get() == 0
