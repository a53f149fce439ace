import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cases import deadlines, services
from cases.models import CalendarDay, Case, CaseEvent, DeadlineRule, Urgency
from cases.tests.factories import CaseFactory
from cases.transitions import Action, Status
from cases.vocabulary import due_soon_q, overdue_q, response_overdue_q

SH = ZoneInfo("Asia/Shanghai")


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=SH)


END_OF_DAY = dt.time(23, 59, 59)


@pytest.mark.django_db
class TestWorkingDays:
    def test_counts_across_mid_autumn_national_day_and_a_swapped_saturday(self):
        # 2026: 9/25–9/27 Mid-autumn, 10/1–10/7 National Day, Saturday 10/10 is a working day.
        deadline = deadlines.add_working_days(at(2026, 9, 24, 10, 0), 7)
        assert deadline == dt.datetime.combine(dt.date(2026, 10, 12), END_OF_DAY, tzinfo=SH)

    def test_swapped_working_sunday_counts(self):
        # Sunday 2026-09-20 is a working day (National Day swap).
        assert deadlines.is_workday(dt.date(2026, 9, 20))
        assert deadlines.add_working_days(at(2026, 9, 19, 9, 0), 1).date() == dt.date(2026, 9, 20)

    def test_ordinary_weekend_is_skipped(self):
        # Friday 2026-11-20 + 1 working day = Monday 11/23.
        assert deadlines.add_working_days(at(2026, 11, 20, 16, 0), 1).date() == dt.date(2026, 11, 23)

    def test_administrators_entries_override_the_package(self):
        CalendarDay.objects.create(date=dt.date(2026, 11, 23), is_workday=False, note="临时停工")
        assert not deadlines.is_workday(dt.date(2026, 11, 23))
        assert deadlines.add_working_days(at(2026, 11, 20, 16, 0), 1).date() == dt.date(2026, 11, 24)

    def test_unknown_year_falls_back_to_monday_to_friday_and_is_reported(self):
        # The package knows no 2027 (it raises for it): Friday 2027-01-01 counts as a working day.
        assert deadlines.is_workday(dt.date(2027, 1, 1))
        assert not deadlines.is_workday(dt.date(2027, 1, 2))
        assert deadlines.calendar_unknown_years(today=dt.date(2026, 11, 21)) == [2027]

    def test_entered_year_is_no_longer_reported_and_is_used(self):
        CalendarDay.objects.create(date=dt.date(2027, 1, 1), is_workday=False, note="元旦")
        assert deadlines.calendar_unknown_years(today=dt.date(2026, 11, 21)) == []
        assert not deadlines.is_workday(dt.date(2027, 1, 1))
        # Dispatched on Thursday 2026-12-31: 1/1 holiday, 1/2–1/3 weekend → Monday 1/4.
        assert deadlines.add_working_days(at(2026, 12, 31, 15, 0), 1).date() == dt.date(2027, 1, 4)

    def test_admin_shows_the_missing_calendar_warning(self, admin_client):
        page = admin_client.get("/admin/").content.decode()
        assert "工作日历缺少" in page
        assert str(deadlines.calendar_unknown_years()[0]) in page


@pytest.mark.django_db
class TestLevels:
    def test_emergency_is_clock_time(self):
        response, closure = deadlines.deadlines_for(urgency=Urgency.EMERGENCY, start=at(2026, 10, 3, 22, 0))
        assert response == at(2026, 10, 3, 22, 30)
        assert closure == at(2026, 10, 4, 0, 0)  # holidays do not stop an emergency

    def test_utility_is_24_clock_hours(self):
        _, closure = deadlines.deadlines_for(urgency=Urgency.UTILITY, start=at(2026, 11, 20, 18, 0))
        assert closure == at(2026, 11, 21, 18, 0)

    def test_complex_is_15_working_days(self):
        _, closure = deadlines.deadlines_for(urgency=Urgency.COMPLEX, start=at(2026, 11, 2, 9, 0))
        assert closure.date() == dt.date(2026, 11, 23)

    def test_rules_are_editable(self):
        DeadlineRule.objects.filter(urgency=Urgency.GENERAL).update(closure_amount=3)
        _, closure = deadlines.deadlines_for(urgency=Urgency.GENERAL, start=at(2026, 11, 20, 9, 0))
        assert closure.date() == dt.date(2026, 11, 25)


@pytest.mark.django_db
class TestDeadlineQueries:
    def test_overdue_due_soon_and_response_overdue(self):
        now = at(2026, 11, 21, 12, 0)
        overdue = CaseFactory(status=Status.RESPONDED, closure_deadline=now - dt.timedelta(minutes=1))
        soon = CaseFactory(status=Status.REPLIED, closure_deadline=now + dt.timedelta(hours=3))
        later = CaseFactory(
            status=Status.DISPATCHED,
            closure_deadline=now + dt.timedelta(days=3),
            response_deadline=now - dt.timedelta(hours=1),
        )
        CaseFactory(status=Status.CLOSED, closure_deadline=now - dt.timedelta(days=1))  # closed: not overdue
        assert set(Case.objects.filter(overdue_q(now))) == {overdue}
        assert set(Case.objects.filter(due_soon_q(now))) == {soon}
        assert set(Case.objects.filter(response_overdue_q(now))) == {later}


class TestCalendarChanges:
    """Administrators enter a year's holidays after cases were dispatched into
    it: open cases keep the number of working days they were granted."""

    def dispatched(self, org, walk, when, urgency=Urgency.GENERAL):
        case = walk.registered(urgency=urgency, received_at=when, at=when)
        return services.case_dispatch(
            case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id, at=when
        )

    def test_a_holiday_entered_later_moves_the_deadline_of_an_open_case(self, org, walk):
        # Thursday 2026-12-31, 7 working days; 2027 is unknown: Mon–Fri, so 1/1 counts → Monday 1/11.
        case = self.dispatched(org, walk, at(2026, 12, 31, 15, 0))
        assert case.closure_deadline == dt.datetime.combine(dt.date(2027, 1, 11), END_OF_DAY, tzinfo=SH)
        response_deadline = case.response_deadline

        assert services.calendar_day_set(day=dt.date(2027, 1, 1), is_workday=False, note="元旦") == 1
        case.refresh_from_db()
        assert case.closure_deadline == dt.datetime.combine(dt.date(2027, 1, 12), END_OF_DAY, tzinfo=SH)
        assert case.response_deadline == response_deadline  # 24 clock hours: no calendar in it
        event = CaseEvent.objects.filter(case=case, action=Action.RECALCULATE_DEADLINES).get()
        assert event.data["closure_deadline"]["working_days"] == 7 and "2027-01-01" in event.note

        # A swapped working Saturday brings it back a day; removing both entries restores the first count.
        services.calendar_day_set(day=dt.date(2027, 1, 9), is_workday=True, note="调休上班")
        case.refresh_from_db()
        assert case.closure_deadline.date() == dt.date(2027, 1, 11)
        services.calendar_day_set(day=dt.date(2027, 1, 9), is_workday=None)
        services.calendar_day_set(day=dt.date(2027, 1, 1), is_workday=None)
        case.refresh_from_db()
        assert case.closure_deadline.date() == dt.date(2027, 1, 11)
        assert CaseEvent.objects.filter(case=case, action=Action.RECALCULATE_DEADLINES).count() == 4
        assert not CalendarDay.objects.exists()

    def test_closed_cases_clock_deadlines_and_days_outside_the_span_are_left_alone(self, org, walk):
        open_case = self.dispatched(org, walk, at(2026, 12, 31, 15, 0))
        emergency = self.dispatched(org, walk, at(2026, 12, 31, 23, 0), urgency=Urgency.EMERGENCY)
        closed = walk.closed()
        before = {c.pk: (c.response_deadline, c.closure_deadline) for c in Case.objects.all()}
        # A day after the open case's deadline changes nothing.
        assert services.calendar_day_set(day=dt.date(2027, 1, 18), is_workday=False) == 0
        assert {c.pk: (c.response_deadline, c.closure_deadline) for c in Case.objects.all()} == before
        assert not CaseEvent.objects.filter(action=Action.RECALCULATE_DEADLINES).exists()
        assert {open_case.pk, emergency.pk, closed.pk} == set(before)

    def test_the_admin_change_goes_through_the_service(self, org, walk, admin_client):
        case = self.dispatched(org, walk, at(2026, 12, 31, 15, 0))
        response = admin_client.post(
            "/admin/cases/calendarday/add/", {"date": "2027-01-01", "is_workday": "", "note": "元旦"}, follow=True
        )
        assert response.status_code == 200
        assert "重算 1 件在办案件" in response.content.decode()
        case.refresh_from_db()
        assert case.closure_deadline.date() == dt.date(2027, 1, 12)
        entry = CalendarDay.objects.get()
        admin_client.post(f"/admin/cases/calendarday/{entry.pk}/delete/", {"post": "yes"})
        case.refresh_from_db()
        assert case.closure_deadline.date() == dt.date(2027, 1, 11)


@pytest.mark.django_db
class TestRulesReadOnce:
    def test_a_long_run_of_steps_reads_the_rules_and_the_calendar_once(self, django_assert_num_queries):
        start = at(2026, 11, 20, 16, 0)
        with deadlines.rules_read_once():
            with django_assert_num_queries(2):  # the rules, the calendar
                first = deadlines.deadlines_for(urgency=Urgency.GENERAL, start=start)
            with django_assert_num_queries(0):
                again = [deadlines.deadlines_for(urgency=Urgency.GENERAL, start=start) for _ in range(3)]
        assert again == [first] * 3
        assert first == deadlines.deadlines_for(urgency=Urgency.GENERAL, start=start)  # as read without the block

    def test_a_calendar_change_within_the_block_is_seen(self):
        with deadlines.rules_read_once():
            assert deadlines.add_working_days(at(2026, 11, 20, 16, 0), 1).date() == dt.date(2026, 11, 23)
            services.calendar_day_set(day=dt.date(2026, 11, 23), is_workday=False, note="临时停工")
            assert deadlines.add_working_days(at(2026, 11, 20, 16, 0), 1).date() == dt.date(2026, 11, 24)

    def test_outside_the_block_every_call_reads_the_tables(self):
        with deadlines.rules_read_once():
            deadlines.rule_for(Urgency.GENERAL)
        DeadlineRule.objects.filter(urgency=Urgency.GENERAL).update(closure_amount=3)
        assert deadlines.rule_for(Urgency.GENERAL)[2] == 3
