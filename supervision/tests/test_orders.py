"""Supervision orders (督办单): the transition table edge by edge, the
timeline and the people told, 二次督办 from every 不满意 callback, the late
notice once, scoping, and the figures against an independent count."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.models import CaseEvent, Satisfaction
from cases.transitions import Action
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision import orders
from supervision.models import (
    Notification,
    NotificationKind,
    OrderKind,
    OrderStatus,
    Recheck,
    RecheckDraw,
    RecheckStatus,
    SupervisionOrder,
)

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate


def order_on(case, org, *, kind=OrderKind.PHONE, due_on=None):
    return orders.order_open(
        case_id=case.pk,
        actor=org.supervisor,
        kind=kind,
        due_on=due_on or TODAY() + dt.timedelta(days=2),
        note="请今日联系来电人",
    )


def callback(case, org, satisfaction, *, resolved=True):
    return services.case_record_callback(
        case_id=case.pk, actor=org.clerk, contacted=True, resolved=resolved, satisfaction=satisfaction, valid=True
    )


class TestOpen:
    def test_an_order_is_on_the_timeline_and_tells_handler_secretary_and_chief(self, org, walk):
        case = walk.responded()
        order = order_on(case, org)
        event = CaseEvent.objects.get(case=case, action=Action.ORDER_SUPERVISION)
        assert event.actor_id == org.supervisor.pk and event.data["order"] == order.pk
        told = set(Notification.objects.filter(event=event).values_list("recipient_id", "kind"))
        assert told == {
            (org.officer_a.pk, NotificationKind.SUPERVISION_ORDER),
            (org.secretary_a.pk, NotificationKind.SUPERVISION_ORDER),
            (org.chief_a.pk, NotificationKind.SUPERVISION_ORDER),
        }

    @pytest.mark.parametrize(
        ("kind", "due_on", "field"),
        [
            ("talk", 1, "order_kind"),
            (OrderKind.SECOND, 1, "order_kind"),
            (OrderKind.PHONE, None, "due_on"),
            (OrderKind.PHONE, -1, "due_on"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_written(self, org, walk, kind, due_on, field):
        case = walk.responded()
        due = None if due_on is None else TODAY() + dt.timedelta(days=due_on)
        with pytest.raises(InvalidInput) as error:
            orders.order_open(case_id=case.pk, actor=org.supervisor, kind=kind, due_on=due, note="")
        assert error.value.field == field
        assert not SupervisionOrder.objects.exists()
        assert not CaseEvent.objects.filter(action=Action.ORDER_SUPERVISION).exists()

    def test_a_community_cannot_order(self, org, walk):
        case = walk.responded()
        with pytest.raises(NotAllowed):
            orders.order_open(case_id=case.pk, actor=org.secretary_a, kind=OrderKind.PHONE, due_on=TODAY(), note="")


class TestTransitions:
    def test_the_table(self):
        assert {
            "close": (frozenset({OrderStatus.OPEN}), OrderStatus.DONE),
            "cancel": (frozenset({OrderStatus.OPEN}), OrderStatus.CANCELLED),
        } == orders.ORDER_TRANSITIONS

    def test_open_to_done_records_the_follow_up_on_the_timeline(self, org, walk):
        order = order_on(walk.responded(), org)
        closed = orders.order_close(order_id=order.pk, actor=org.supervisor, note="已电话核实，已处理")
        assert (closed.status, closed.closed_by_id, closed.close_note) == (
            OrderStatus.DONE,
            org.supervisor.pk,
            "已电话核实，已处理",
        )
        assert CaseEvent.objects.filter(
            case=order.case, action=Action.CLOSE_SUPERVISION_ORDER, data__status="done"
        ).exists()

    def test_open_to_cancelled(self, org, walk):
        order = order_on(walk.responded(), org)
        assert orders.order_cancel(order_id=order.pk, actor=org.leader, note="重复下发").status == OrderStatus.CANCELLED

    @pytest.mark.parametrize("first", ["close", "cancel"])
    @pytest.mark.parametrize("second", ["close", "cancel"])
    def test_done_and_cancelled_are_final(self, org, walk, first, second):
        order = order_on(walk.responded(), org)
        getattr(orders, f"order_{first}")(order_id=order.pk, actor=org.supervisor, note="一")
        with pytest.raises(Conflict):
            getattr(orders, f"order_{second}")(order_id=order.pk, actor=org.supervisor, note="二")

    def test_closing_needs_the_follow_up_and_the_right_role(self, org, walk):
        order = order_on(walk.responded(), org)
        with pytest.raises(InvalidInput):
            orders.order_close(order_id=order.pk, actor=org.supervisor, note="  ")
        with pytest.raises(NotAllowed):
            orders.order_close(order_id=order.pk, actor=org.officer_a, note="已办")
        with pytest.raises(NotFound):
            orders.order_close(order_id=order.pk + 999, actor=org.supervisor, note="已办")
        order.refresh_from_db()
        assert order.status == OrderStatus.OPEN


class TestSecondSupervision:
    @pytest.mark.parametrize("resolved", [True, False])
    def test_every_unsatisfied_callback_opens_a_second_order_due_in_two_working_days(self, org, walk, resolved):
        # Friday 6 March 2026: two working days later is Tuesday 10 March.
        with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=TZ), tick=False):
            case = walk.closed()
            callback(case, org, Satisfaction.UNSATISFIED, resolved=resolved)
        order = SupervisionOrder.objects.get(case=case)
        assert (order.kind, order.due_on, order.ordered_by_id) == (OrderKind.SECOND, dt.date(2026, 3, 10), None)
        assert order.source_event.action == Action.RECORD_CALLBACK
        assert CaseEvent.objects.filter(case=case, action=Action.ORDER_SUPERVISION, data__order=order.pk).exists()
        assert Notification.objects.filter(kind=NotificationKind.SUPERVISION_ORDER, recipient=org.chief_a).exists()

    def test_the_working_days_are_a_setting(self, org, walk, settings):
        settings.SUPERVISION_SECOND_ORDER_WORKING_DAYS = 5
        with time_machine.travel(dt.datetime(2026, 3, 6, 10, tzinfo=TZ), tick=False):
            callback(walk.closed(), org, Satisfaction.UNSATISFIED)
        assert SupervisionOrder.objects.get().due_on == dt.date(2026, 3, 13)

    @pytest.mark.parametrize("satisfaction", [Satisfaction.SATISFIED, Satisfaction.BASIC])
    def test_other_callbacks_open_none(self, org, walk, satisfaction):
        callback(walk.closed(), org, satisfaction, resolved=False)
        assert not SupervisionOrder.objects.exists()

    def test_a_failing_callback_leaves_no_order(self, org, walk):
        case = walk.replied()  # not closed: the callback is refused
        with pytest.raises(Conflict):
            callback(case, org, Satisfaction.UNSATISFIED)
        assert not SupervisionOrder.objects.exists()

    def test_the_supervisor_closes_it_with_the_follow_up(self, org, walk):
        callback(walk.closed(), org, Satisfaction.UNSATISFIED)
        order = orders.order_close(
            order_id=SupervisionOrder.objects.get().pk, actor=org.supervisor, note="再次回访，已满意"
        )
        assert order.status == OrderStatus.DONE


class TestLate:
    def test_a_late_order_is_told_once(self, org, walk):
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
            order = order_on(walk.responded(), org, due_on=dt.date(2026, 3, 3))
        with time_machine.travel(dt.datetime(2026, 3, 3, 23, tzinfo=TZ), tick=False):
            assert orders.order_mark_late() == 0  # due today: not late yet
        with time_machine.travel(dt.datetime(2026, 3, 4, 8, tzinfo=TZ), tick=False):
            assert orders.order_mark_late() == 1
            assert orders.order_mark_late() == 0
            assert list(orders.order_list_for_user(user=org.supervisor, state="overdue")) == [order]
        late = CaseEvent.objects.get(action=Action.SUPERVISION_ORDER_LATE)
        assert Notification.objects.filter(event=late, kind=NotificationKind.SUPERVISION_ORDER_LATE).count() == 3

    def test_a_closed_order_is_never_late(self, org, walk):
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
            order = order_on(walk.responded(), org, due_on=dt.date(2026, 3, 3))
            orders.order_close(order_id=order.pk, actor=org.supervisor, note="已办")
        with time_machine.travel(dt.datetime(2026, 3, 5, 8, tzinfo=TZ), tick=False):
            assert orders.order_mark_late() == 0


class TestScope:
    def test_a_community_sees_its_own_orders_and_not_another_units(self, org, walk):
        order = order_on(walk.responded(), org)
        assert list(orders.order_list_for_user(user=org.secretary_a)) == [order]
        assert list(orders.order_list_for_user(user=org.chief_a)) == [order]
        assert not orders.order_list_for_user(user=org.secretary_b).exists()
        with pytest.raises(NotFound):
            orders.order_get_for_user(user=org.officer_b, order_id=order.pk)

    def test_filters(self, org, walk):
        phone = order_on(walk.responded(), org)
        onsite = order_on(walk.responded(), org, kind=OrderKind.ONSITE)
        assert list(orders.order_list_for_user(user=org.leader, kind=OrderKind.ONSITE)) == [onsite]
        assert set(orders.order_list_for_user(user=org.leader, community_id=org.a.pk)) == {phone, onsite}
        assert not orders.order_list_for_user(user=org.leader, community_id=org.b.pk).exists()
        with pytest.raises(InvalidInput):
            orders.order_list_for_user(user=org.leader, state="nonsense")


def test_the_figures_match_an_independent_count_and_link_their_records(org, walk, client):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        late = order_on(walk.responded(), org, due_on=dt.date(2026, 3, 3))
        order_on(walk.responded(), org, due_on=dt.date(2026, 3, 20))
        done = order_on(walk.responded(), org, due_on=dt.date(2026, 3, 20))
        orders.order_close(order_id=done.pk, actor=org.supervisor, note="已办")
        closed = walk.closed()
    draw = RecheckDraw.objects.create(
        street=org.street,
        week_start=dt.date(2026, 2, 23),
        seed="1",
        pool_case_ids=[closed.pk],
        drawn_count=1,
        drawn_at=timezone.now(),
    )
    Recheck.objects.create(
        draw=draw, case=closed, position=1, status=RecheckStatus.DONE, still_resolved=False, satisfied=False
    )
    with time_machine.travel(dt.datetime(2026, 3, 5, 10, tzinfo=TZ), tick=False):
        rows = {row["name"]: row for row in orders.supervision_order_figures(street_id=org.street.pk)}
        a = rows["幸福社区"]
        independent_open = [
            o for o in SupervisionOrder.objects.all() if o.status == "open" and o.case.community_id == org.a.pk
        ]
        independent_late = [o for o in independent_open if o.due_on < dt.date(2026, 3, 5)]
        assert (
            (a["open"], a["overdue"], a["found_back"]) == (len(independent_open), len(independent_late), 1) == (2, 1, 1)
        )
        assert rows["和平社区"]["open"] == rows["和平社区"]["overdue"] == rows["和平社区"]["found_back"] == 0
        client.force_login(org.supervisor)
        listed = client.get(a["overdue_url"]).context["page"].object_list
        assert [o.pk for o in listed] == [late.pk]
        assert len(client.get(a["found_back_url"]).context["page"].object_list) == 1
