"""The daily check (每日检查): what it proposes and why, recording findings
with or without an order, the conflict of recording twice, closing locks it,
its transition table edge by edge, scoping."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, Satisfaction
from cases.transitions import Action
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound
from supervision import checks
from supervision.models import (
    CheckFinding,
    CheckStatus,
    DailyCheck,
    FindingType,
    LadderLevel,
    LadderStep,
    OrderKind,
    SupervisionOrder,
)


def reasons(org) -> dict[int, list[str]]:
    return checks.check_proposal_reasons(street_id=org.street.pk)


class TestProposals:
    def test_overdue_and_ladder(self, org, walk):
        case = walk.responded()
        assert case.pk not in reasons(org)
        Case.objects.filter(pk=case.pk).update(closure_deadline=timezone.now() - dt.timedelta(hours=1))
        assert reasons(org)[case.pk] == ["overdue"]
        LadderStep.objects.create(
            case=case, level=LadderLevel.CLOSURE_MISSED, deadline=timezone.now(), reached_at=timezone.now()
        )
        assert reasons(org)[case.pk] == ["overdue", "ladder"]

    def test_a_negative_callback_without_explanation(self, org, walk):
        case = walk.needs_explanation()
        assert "no_explanation" in reasons(org)[case.pk]
        services.case_write_explanation(case_id=case.pk, actor=org.officer_a, text="业主拒绝配合维修，已说明。")
        assert "no_explanation" not in reasons(org).get(case.pk, [])

    def test_slow_first_contact(self, org, walk):
        case = walk.responded()
        assert case.pk not in reasons(org)
        Case.objects.filter(pk=case.pk).update(response_deadline=case.responded_at - dt.timedelta(minutes=1))
        assert reasons(org)[case.pk] == ["slow_contact"]

    def test_short_replies_by_the_configured_threshold(self, org, walk, settings):
        case = walk.replied(text="已处理完毕。")  # 6 characters
        assert reasons(org)[case.pk] == ["short_reply"]
        settings.SUPERVISION_SHORT_REPLY_CHARS = 6
        assert case.pk not in reasons(org)

    def test_a_reply_copied_from_another_case(self, org, walk):
        text = "已联系物业公司，对3号楼电梯进行了检修，电梯恢复运行，来电人认可。"
        first = walk.replied(text=text)
        other = walk.replied(text="已联系物业公司对3号楼电梯进行了检修 电梯恢复运行，来电人认可")
        alone = walk.replied(text="已协调燃气公司上门检查管道，未发现漏气，已向来电人说明情况。")
        found = reasons(org)
        assert found[first.pk] == found[other.pk] == ["copied_reply"]
        assert alone.pk not in found

    def test_another_streets_cases_are_not_proposed(self, org, walk):
        case = walk.responded()
        Case.objects.filter(pk=case.pk).update(closure_deadline=timezone.now() - dt.timedelta(hours=1))
        from communities.tests.factories import StreetFactory

        assert checks.check_proposal_reasons(street_id=StreetFactory(name="另一街道").pk) == {}

    def test_a_recorded_case_leaves_the_proposals(self, org, walk):
        case = walk.replied(text="已处理。")
        check = checks.check_open_today(actor=org.supervisor)
        assert [p.case.pk for p in checks.check_proposals(check=check)] == [case.pk]
        checks.check_record_finding(
            check_id=check.pk, actor=org.supervisor, case_id=case.pk, finding=FindingType.POOR_REPLY, note="过简"
        )
        assert checks.check_proposals(check=check) == []


class TestRecording:
    def test_a_finding_with_an_order(self, org, walk):
        case = walk.replied(text="已处理。")
        check = checks.check_open_today(actor=org.supervisor)
        due = timezone.localdate() + dt.timedelta(days=1)
        finding = checks.check_record_finding(
            check_id=check.pk,
            actor=org.supervisor,
            case_id=case.pk,
            finding=FindingType.POOR_REPLY,
            note="办理结果过简，未写明处理过程",
            order_kind=OrderKind.DEADLINE,
            due_on=due,
        )
        assert finding.reasons == ["short_reply"]
        assert (finding.order.kind, finding.order.due_on, finding.order.ordered_by_id) == (
            OrderKind.DEADLINE,
            due,
            org.supervisor.pk,
        )
        assert CaseEvent.objects.filter(case=case, action=Action.ORDER_SUPERVISION).count() == 1

    def test_the_same_case_twice_in_one_check_is_a_conflict(self, org, walk):
        case = walk.responded()
        check = checks.check_open_today(actor=org.supervisor)
        record = {
            "check_id": check.pk,
            "actor": org.supervisor,
            "case_id": case.pk,
            "finding": FindingType.OTHER,
            "note": "看过",
        }
        checks.check_record_finding(**record)
        with pytest.raises(Conflict) as error:
            checks.check_record_finding(**record, order_kind=OrderKind.PHONE, due_on=timezone.localdate())
        assert error.value.code == "duplicate_finding"
        assert CheckFinding.objects.count() == 1 and not SupervisionOrder.objects.exists()

    def test_the_same_check_twice_a_day_is_a_conflict(self, org):
        checks.check_open_today(actor=org.supervisor)
        with pytest.raises(Conflict) as error:
            checks.check_open_today(actor=org.supervisor)
        assert error.value.code == "duplicate_check"
        checks.check_open_today(actor=org.leader)  # another supervisor's check is their own
        assert DailyCheck.objects.count() == 2

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"finding": "nonsense"}, "finding"),
            ({"note": " "}, "note"),
            ({"order_kind": OrderKind.SECOND, "due_on": dt.date(2099, 1, 1)}, "order_kind"),
            ({"order_kind": OrderKind.PHONE}, "due_on"),
            ({"order_kind": OrderKind.PHONE, "due_on": dt.date(2020, 1, 1)}, "due_on"),
        ],
    )
    def test_bad_input_writes_nothing(self, org, walk, change, field):
        case = walk.responded()
        check = checks.check_open_today(actor=org.supervisor)
        record = {
            "check_id": check.pk,
            "actor": org.supervisor,
            "case_id": case.pk,
            "finding": FindingType.OTHER,
            "note": "看过",
        }
        with pytest.raises(InvalidInput) as error:
            checks.check_record_finding(**{**record, **change})
        assert error.value.field == field
        assert not CheckFinding.objects.exists() and not SupervisionOrder.objects.exists()

    def test_only_the_checks_supervisor_records_and_only_supervisors_check(self, org, walk):
        case = walk.responded()
        check = checks.check_open_today(actor=org.supervisor)
        with pytest.raises(NotAllowed):
            checks.check_record_finding(
                check_id=check.pk, actor=org.leader, case_id=case.pk, finding="other", note="看过"
            )
        with pytest.raises(NotAllowed):
            checks.check_open_today(actor=org.secretary_a)
        with pytest.raises(NotFound):
            checks.check_record_finding(
                check_id=check.pk, actor=org.supervisor, case_id=case.pk + 999, finding="other", note="看过"
            )


class TestTransitions:
    def test_the_table(self):
        assert {
            "record": (frozenset({CheckStatus.OPEN}), CheckStatus.OPEN),
            "close": (frozenset({CheckStatus.OPEN}), CheckStatus.CLOSED),
        } == checks.CHECK_TRANSITIONS

    def test_closing_locks_the_check(self, org, walk):
        case = walk.responded()
        check = checks.check_open_today(actor=org.supervisor)
        closed = checks.check_close(check_id=check.pk, actor=org.supervisor, summary="今日检查3件")
        assert (closed.status, closed.summary) == (CheckStatus.CLOSED, "今日检查3件") and closed.closed_at
        with pytest.raises(Conflict):
            checks.check_record_finding(
                check_id=check.pk, actor=org.supervisor, case_id=case.pk, finding="other", note="看过"
            )
        with pytest.raises(Conflict):
            checks.check_close(check_id=check.pk, actor=org.supervisor)
        assert checks.check_proposals(check=closed) == []


class TestReading:
    def test_history_by_unit_and_scope(self, org, walk):
        case_a = walk.responded()
        check = checks.check_open_today(actor=org.supervisor)
        checks.check_record_finding(
            check_id=check.pk, actor=org.supervisor, case_id=case_a.pk, finding="other", note="看过"
        )
        assert list(checks.check_list_for_user(user=org.leader, community_id=org.a.pk)) == [check]
        assert not checks.check_list_for_user(user=org.leader, community_id=org.b.pk).exists()
        assert not checks.check_list_for_user(user=org.secretary_a).exists()
        with pytest.raises(NotFound):
            checks.check_get_for_user(user=org.chief_a, check_id=check.pk)


def test_an_unsatisfied_callback_case_is_proposed_until_explained(org, walk):
    case = walk.closed()
    services.case_record_callback(
        case_id=case.pk,
        actor=org.clerk,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.UNSATISFIED,
        valid=True,
    )
    assert "no_explanation" in reasons(org)[case.pk]
