"""The lifecycle services: what each step records, and what it refuses."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, ExtensionRequest, Satisfaction, Signature, text_sha256
from cases.selectors import case_scope_for_user
from cases.tests.factories import signed_sha256
from cases.transitions import Action, Status
from communities.models import Role
from communities.services import pairing_set_chief
from communities.tests.factories import person
from hotline.errors import Conflict, InvalidInput, NotAllowed


def actions(case):
    return list(CaseEvent.objects.filter(case=case).values_list("action", flat=True))


def standing(case, document=Signature.Document.REPLY):
    return set(
        Signature.objects.filter(case=case, document=document, voided_at__isnull=True).values_list("slot", flat=True)
    )


class TestRegisterAndDispatch:
    def test_register_records_the_order_and_an_event(self, org, walk):
        case = walk.registered(category=" 城乡建设 -> 物业管理->电梯故障 ", tags=["每月一题", "住有所居"])
        assert case.status == Status.REGISTERED
        assert case.category == "城乡建设->物业管理->电梯故障"
        assert case.category_l1 == "城乡建设"
        assert sorted(case.tags.values_list("name", flat=True)) == ["住有所居", "每月一题"]
        assert actions(case) == [Action.REGISTER]

    def test_register_refuses_empty_title_and_duplicate_ticket(self, org, walk):
        with pytest.raises(InvalidInput) as excinfo:
            walk.registered(title="  ")
        assert excinfo.value.field == "title"
        walk.registered(ticket_no="T1")
        with pytest.raises(Conflict):
            walk.registered(ticket_no="T1")
        assert Case.objects.count() == 1

    def test_register_refuses_a_call_time_in_the_future(self, org, walk):
        with pytest.raises(InvalidInput) as excinfo:
            walk.registered(received_at=timezone.now() + dt.timedelta(hours=1))
        assert excinfo.value.field == "received_at"
        assert not Case.objects.exists()

    def test_register_refuses_a_tag_longer_than_the_tag_table_holds(self, org, walk):
        with pytest.raises(InvalidInput) as excinfo:
            walk.registered(tags=["每月一题", "长" * 33])
        assert excinfo.value.field == "tags"
        assert not Case.objects.exists()

    def test_only_clerks_register(self, org):
        with pytest.raises(NotAllowed):
            services.case_register(actor=org.officer_a, title="t", content="c")

    def test_dispatch_fixes_pairing_handler_and_deadlines(self, org, walk):
        case = walk.dispatched()
        assert (case.pairing, case.community, case.department) == (org.pairing_a, org.a, org.d1)
        assert case.handler == org.officer_a
        assert case.first_dispatched_at == case.dispatched_at
        assert case.response_deadline > case.first_dispatched_at
        assert case.closure_deadline > case.response_deadline
        event = CaseEvent.objects.get(case=case, action=Action.DISPATCH)
        assert (event.from_status, event.to_status, event.actor) == (Status.REGISTERED, Status.DISPATCHED, org.clerk)

    def test_handler_must_belong_to_the_pairing_community(self, org, walk):
        case = walk.registered()
        with pytest.raises(InvalidInput) as excinfo:
            services.case_dispatch(
                case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_b.id
            )
        assert excinfo.value.field == "handler"
        case.refresh_from_db()
        assert case.status == Status.REGISTERED and case.pairing is None

    def test_redispatch_needs_a_reason_and_keeps_the_first_clock(self, org, walk):
        case = walk.responded()
        with pytest.raises(InvalidInput):
            services.case_redispatch(
                case_id=case.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id, reason=""
            )
        moved = services.case_redispatch(
            case_id=case.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id, reason="派错"
        )
        assert moved.status == Status.DISPATCHED and moved.community == org.b and moved.responded_at is None
        assert moved.first_dispatched_at == case.first_dispatched_at
        assert moved.closure_deadline == case.closure_deadline
        assert case not in case_scope_for_user(org.officer_a)
        assert moved in case_scope_for_user(org.officer_b)

    def test_only_a_new_pairing_receives_the_case_anew(self, org, walk):
        case = walk.dispatched()
        later = case.dispatched_at + dt.timedelta(days=8)
        second = person(Role.OFFICER, community=org.a, street=org.street)
        same = services.case_redispatch(
            case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=second.id, reason="换人", at=later
        )
        assert same.dispatched_at == case.dispatched_at and same.handler == second
        moved = services.case_redispatch(
            case_id=case.id,
            actor=org.clerk,
            pairing_id=org.pairing_b.id,
            handler_id=org.officer_b.id,
            reason="派错",
            at=later,
        )
        assert moved.dispatched_at == later and moved.first_dispatched_at == case.first_dispatched_at

    def test_community_returns_a_wrong_dispatch_and_the_clerk_dispatches_again(self, org, walk):
        case = walk.dispatched()
        with pytest.raises(NotAllowed):
            services.case_return(case_id=case.id, actor=org.officer_b, reason="不是我们的")
        case = services.case_return(case_id=case.id, actor=org.officer_a, reason="不属于本社区")
        assert case.status == Status.RETURNED
        case = services.case_dispatch(
            case_id=case.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.secretary_b.id
        )
        assert case.status == Status.DISPATCHED and case.community == org.b
        assert case.responded_at is None  # the new handler contacts the caller afresh

    def test_a_pairing_without_a_chief_takes_no_case_and_keeps_its_chief_while_cases_are_open(self, org, walk):
        case = walk.registered()
        pairing_set_chief(pairing=org.pairing_b, chief_id=None)
        for step in (
            lambda: services.case_dispatch(
                case_id=case.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id
            ),
            lambda: services.case_redispatch(
                case_id=walk.dispatched().id,
                actor=org.clerk,
                pairing_id=org.pairing_b.id,
                handler_id=org.officer_b.id,
                reason="派错",
            ),
        ):
            with pytest.raises(InvalidInput) as excinfo:
                step()
            assert excinfo.value.field == "pairing"
        assert not Case.objects.filter(pairing=org.pairing_b).exists()
        with pytest.raises(InvalidInput) as excinfo:
            pairing_set_chief(pairing=org.pairing_a, chief_id=None)  # pairing A has an open case
        assert excinfo.value.field == "chief"
        assert Case.objects.filter(pairing=org.pairing_a).get().pairing.chief == org.chief_a

    @pytest.mark.parametrize("state", ["replied", "closed"])
    def test_redispatch_is_refused_once_the_case_is_replied(self, org, walk, state):
        case = getattr(walk, state)()
        with pytest.raises(Conflict):
            services.case_redispatch(
                case_id=case.id,
                actor=org.clerk,
                pairing_id=org.pairing_b.id,
                handler_id=org.officer_b.id,
                reason="派错",
            )
        assert Case.objects.get(pk=case.pk).pairing == org.pairing_a


class TestReplyAndSignatures:
    def test_double_signature_in_either_order_closes(self, org, walk):
        case = walk.replied()
        services.case_sign_reply(
            case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        assert Case.objects.get(pk=case.pk).status == Status.REPLIED
        case = services.case_sign_reply(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        assert case.status == Status.CLOSED and case.closed_at is not None
        assert actions(case)[-3:] == [Action.SIGN_REPLY, Action.SIGN_REPLY, Action.CLOSE]

    def test_signature_binds_the_exact_text(self, org, walk):
        case = walk.replied(text="已修复。")
        services.case_sign_reply(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        signature = Signature.objects.get(case=case)
        assert signature.text_sha256 == text_sha256("已修复。")
        assert (signature.signer, signature.slot) == (org.secretary_a, Signature.Slot.SECRETARY)

    def test_editing_the_reply_voids_both_signatures_and_blocks_closing(self, org, walk):
        case = walk.replied()
        services.case_sign_reply(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        services.case_reply(case_id=case.id, actor=org.officer_a, text="改过的办理结果")
        assert standing(case) == set()
        assert Signature.objects.get(case=case).void_reason == "办理结果已修改"
        with pytest.raises(Conflict) as excinfo:
            services.case_close(case_id=case.id, actor=org.clerk)
        assert excinfo.value.code == "signatures_missing"
        assert Case.objects.get(pk=case.pk).status == Status.REPLIED

    def test_second_click_on_sign_is_a_conflict(self, org, walk):
        case = walk.replied()
        services.case_sign_reply(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        with pytest.raises(Conflict) as excinfo:
            services.case_sign_reply(
                case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
            )
        assert excinfo.value.code == "already_signed"
        assert Signature.objects.filter(case=case).count() == 1
        assert actions(case).count(Action.SIGN_REPLY) == 1

    @pytest.mark.parametrize("signer", ["secretary_b", "chief_b", "officer_a", "clerk", "leader"])
    def test_wrong_signers_are_refused(self, org, walk, signer):
        case = walk.replied()
        with pytest.raises(NotAllowed):
            services.case_sign_reply(
                case_id=case.id, actor=getattr(org, signer), expected_sha256=signed_sha256(case.id, "reply_text")
            )
        assert not Signature.objects.filter(case=case).exists()

    def test_signing_a_text_that_changed_meanwhile_is_refused(self, org, walk):
        case = walk.replied(text="第一版")
        with pytest.raises(Conflict) as excinfo:
            services.case_sign_reply(case_id=case.id, actor=org.secretary_a, expected_sha256=text_sha256("旧文本"))
        assert excinfo.value.code == "text_changed"
        services.case_sign_reply(case_id=case.id, actor=org.secretary_a, expected_sha256=text_sha256("第一版"))
        assert standing(case) == {Signature.Slot.SECRETARY}

    def test_replying_to_another_communitys_case_is_refused(self, org, walk):
        case = walk.responded()
        with pytest.raises(NotAllowed):
            services.case_reply(case_id=case.id, actor=org.officer_b, text="不是我的")
        assert Case.objects.get(pk=case.pk).reply_text == ""

    def test_unchanged_reply_is_not_a_new_step(self, org, walk):
        case = walk.replied(text="同一段文字")
        with pytest.raises(InvalidInput):
            services.case_reply(case_id=case.id, actor=org.officer_a, text="同一段文字")

    def test_new_chief_signs_open_cases_and_the_pairing_of_the_case_is_kept(self, org, walk):
        case = walk.replied()
        new_chief = person(Role.CHIEF, department=org.d1, street=org.street)
        pairing_set_chief(pairing=org.pairing_a, chief_id=new_chief.id)
        with pytest.raises(NotAllowed):
            services.case_sign_reply(
                case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text")
            )
        services.case_sign_reply(case_id=case.id, actor=new_chief, expected_sha256=signed_sha256(case.id, "reply_text"))
        assert Case.objects.get(pk=case.pk).pairing == org.pairing_a


class TestCallbackAndExplanation:
    def test_positive_callback_ends_the_case(self, org, walk):
        case = walk.closed()
        case = services.case_record_callback(
            case_id=case.id, actor=org.clerk, contacted=True, resolved=True, satisfaction=Satisfaction.BASIC
        )
        assert case.status == Status.CALLED_BACK and case.callback_negatives == 0

    @pytest.mark.parametrize(
        ("resolved", "satisfaction", "negatives", "label"),
        [
            (False, Satisfaction.SATISFIED, 1, "单否"),
            (True, Satisfaction.UNSATISFIED, 1, "单否"),
            (False, Satisfaction.UNSATISFIED, 2, "双否"),
        ],
    )
    def test_negative_callback_asks_for_an_explanation(self, org, walk, resolved, satisfaction, negatives, label):
        case = walk.closed()
        case = services.case_record_callback(
            case_id=case.id, actor=org.clerk, contacted=True, resolved=resolved, satisfaction=satisfaction
        )
        assert case.status == Status.NEEDS_EXPLANATION
        assert (case.callback_negatives, case.callback_outcome_label) == (negatives, label)
        assert CaseEvent.objects.get(case=case, action=Action.RECORD_CALLBACK).data["outcome"] == label

    def test_callback_before_closure_or_in_the_future_is_refused(self, org, walk):
        case = walk.closed()
        for called_at in (case.closed_at - dt.timedelta(hours=1), timezone.now() + dt.timedelta(days=1)):
            with pytest.raises(InvalidInput):
                services.case_record_callback(
                    case_id=case.id,
                    actor=org.clerk,
                    contacted=True,
                    resolved=True,
                    satisfaction=Satisfaction.SATISFIED,
                    called_at=called_at,
                )
        assert Case.objects.get(pk=case.pk).status == Status.CLOSED

    def test_the_platforms_callback_keeps_its_time_when_the_office_closed_later(self, org, walk):
        # The hotline called back before the office had recorded its closure:
        # the callback counts at the platform's time; the timeline stays in order.
        case = walk.closed()
        called_at = case.closed_at - dt.timedelta(hours=3)
        case = services.case_record_callback(
            case_id=case.id,
            actor=None,
            contacted=True,
            resolved=False,
            satisfaction=Satisfaction.SATISFIED,
            called_at=called_at,
        )
        assert case.callback_at == called_at and case.status == Status.NEEDS_EXPLANATION
        event = CaseEvent.objects.get(case=case, action=Action.RECORD_CALLBACK)
        assert event.created_at == case.closed_at
        assert event.data["called_at"] == called_at.isoformat()

    def test_explanation_is_double_signed_and_editing_voids_it(self, org, walk):
        case = walk.explanation_written()
        services.case_sign_explanation(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "explanation_text")
        )
        services.case_write_explanation(case_id=case.id, actor=org.officer_a, text="补充：已约谈物业。")
        assert standing(case, Signature.Document.EXPLANATION) == set()
        services.case_sign_explanation(
            case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "explanation_text")
        )
        case = services.case_sign_explanation(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "explanation_text")
        )
        assert case.status == Status.EXPLAINED and case.explained_at is not None
        assert actions(case)[-1] == Action.COMPLETE_EXPLANATION


class TestExtensionSupervisionExclusion:
    def test_approved_extension_moves_the_deadline_by_working_days(self, org, walk):
        case = walk.responded()
        request = services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=5, reason="需协调")
        with pytest.raises(Conflict):
            services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=2, reason="再次")
        with pytest.raises(NotAllowed):
            services.case_decide_extension(request_id=request.id, actor=org.clerk, approve=True)
        request = services.case_decide_extension(request_id=request.id, actor=org.leader, approve=True, note="同意")
        case.refresh_from_db()
        assert request.decision == ExtensionRequest.Decision.APPROVED
        assert case.closure_deadline == request.new_deadline > request.old_deadline
        with pytest.raises(Conflict):
            services.case_decide_extension(request_id=request.id, actor=org.leader, approve=False)

    def test_refused_extension_keeps_the_deadline(self, org, walk):
        case = walk.dispatched()
        request = services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
        services.case_decide_extension(request_id=request.id, actor=org.leader, approve=False, note="不同意")
        assert Case.objects.get(pk=case.pk).closure_deadline == case.closure_deadline

    def test_a_request_still_pending_when_the_case_closes_lapses(self, org, walk):
        case = walk.responded()
        request = services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
        services.case_reply(case_id=case.id, actor=org.officer_a, text="已处理完毕。")
        services.case_sign_reply(
            case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        services.case_sign_reply(
            case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text")
        )
        request.refresh_from_db()
        assert request.decision == ExtensionRequest.Decision.LAPSED and request.decided_at is not None
        assert CaseEvent.objects.get(case=case, action=Action.CLOSE).data["lapsed_extensions"] == 1
        assert not ExtensionRequest.objects.filter(decision=ExtensionRequest.Decision.PENDING).exists()

    def test_supervision_is_on_the_timeline(self, org, walk):
        case = walk.dispatched()
        services.case_supervise(case_id=case.id, actor=org.supervisor, kind="phone", note="电话督导承办人")
        event = CaseEvent.objects.filter(case=case).last()
        assert (event.action, event.data["label"]) == (Action.SUPERVISE, "电话督导")

    def test_exclusion_is_a_leaders_recorded_and_reversible_decision(self, org, walk):
        case = walk.closed()
        with pytest.raises(NotAllowed):
            services.case_exclude(case_id=case.id, actor=org.clerk, reason="untrue", note="核实不属实")
        with pytest.raises(InvalidInput):
            services.case_exclude(case_id=case.id, actor=org.leader, reason="bogus", note="x")
        case = services.case_exclude(case_id=case.id, actor=org.leader, reason="untrue", note="核实不属实")
        assert case.exclusion_reason == "untrue" and case.status == Status.CLOSED
        case = services.case_restore(case_id=case.id, actor=org.leader, note="复核后撤销")
        assert case.exclusion_reason == "" and case.excluded_at is None
        assert actions(case)[-2:] == [Action.EXCLUDE, Action.RESTORE]

    def test_historical_steps_keep_their_time(self, org, walk):
        then = timezone.now() - dt.timedelta(days=30)
        case = walk.registered(received_at=then, at=then)
        case = services.case_dispatch(
            case_id=case.id,
            actor=org.clerk,
            pairing_id=org.pairing_a.id,
            handler_id=org.officer_a.id,
            at=then + dt.timedelta(hours=1),
        )
        assert case.first_dispatched_at == then + dt.timedelta(hours=1)
        assert CaseEvent.objects.get(case=case, action=Action.DISPATCH).created_at == case.first_dispatched_at


@pytest.mark.django_db
def test_the_streets_own_numbers_are_drawn_again_until_none_repeats(org, walk, monkeypatch):
    # 24 random bits a day: a batch of hundreds meets a repeat now and then. Here the draws repeat
    # one another and one on record; the batch is registered with fresh numbers all the same.
    walk.registered(ticket_no="JD20261208CCCCCC")
    draws = iter(["JD20261208AAAAAA", "JD20261208AAAAAA", "JD20261208CCCCCC", "JD20261208BBBBBB", "JD20261208DDDDDD"])
    monkeypatch.setattr(services, "street_ticket_no", lambda: next(draws))
    cases = services.case_register_many(
        actor=org.clerk, orders=[{"title": f"案件{n}", "content": "内容"} for n in range(3)]
    )
    assert sorted(case.ticket_no for case in cases) == ["JD20261208AAAAAA", "JD20261208BBBBBB", "JD20261208DDDDDD"]
    # A number given by 12345 that exists already is still refused.
    with pytest.raises(Conflict):
        services.case_register_many(
            actor=org.clerk, orders=[{"title": "甲", "content": "乙", "ticket_no": "JD20261208CCCCCC"}]
        )
