"""The slip services: the public submission and its limits, the paper slip,
conversion into a case through the registration service, closing, and what
the resident's status look-up answers."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseEvent, Channel
from cases.tests.factories import CaseFactory
from governance import slips
from governance import slips_selectors as selectors
from governance.models import SLIP_TEXT_LIMITS, Slip, SlipCloseReason, SlipSource
from governance.slips_transitions import SlipStatus
from hotline.errors import Conflict, InvalidInput, NotAllowed, NotFound

pytestmark = pytest.mark.django_db


def submit(org, **kwargs):
    data = {"community_id": org.a.pk, "problem": "楼道堆物，担心着火。", "client_address": "203.0.113.5"}
    data.update(kwargs)
    return slips.slip_submit(**data)


def test_a_slip_gets_an_unguessable_receipt_code_and_waits_in_the_queue(org):
    slip = submit(org, compound="幸福小区", building="3号楼", name="张三", phone="138 1234 5678", consent=True)
    assert slip.status == SlipStatus.RECEIVED and slip.source == SlipSource.WEB
    assert len(slip.receipt_code) == slips.RECEIPT_LENGTH >= 10
    assert set(slip.receipt_code) <= set(slips.RECEIPT_ALPHABET)
    assert not set("01OIL") & set(slips.RECEIPT_ALPHABET)
    assert slip.phone == "13812345678"
    assert submit(org).receipt_code != slip.receipt_code


def test_the_problem_is_required_and_its_length_limited(org):
    with pytest.raises(InvalidInput) as error:
        submit(org, problem="   ")
    assert error.value.field == "problem"
    with pytest.raises(InvalidInput) as error:
        submit(org, problem="字" * (SLIP_TEXT_LIMITS["problem"] + 1))
    assert error.value.code == "too_long" and str(SLIP_TEXT_LIMITS["problem"]) in error.value.message
    assert not Slip.objects.exists()


def test_name_or_phone_need_the_consent_and_a_phone_must_be_a_phone(org):
    with pytest.raises(InvalidInput) as error:
        submit(org, phone="13812345678")
    assert error.value.field == "consent"
    with pytest.raises(InvalidInput) as error:
        submit(org, phone="call me", consent=True)
    assert error.value.field == "phone"
    assert not Slip.objects.exists()


def test_the_honeypot_refuses_and_stores_nothing(org):
    with pytest.raises(InvalidInput) as error:
        submit(org, honeypot="http://spam.example")
    assert error.value.code == "rejected"
    assert not Slip.objects.exists()


def test_five_slips_an_hour_per_address_then_refused(org, settings):
    assert settings.SLIP_RATE_PER_HOUR == 5
    now = timezone.now()
    for n in range(5):
        submit(org, at=now - dt.timedelta(minutes=50 - n))
    with pytest.raises(slips.RateLimited) as error:
        submit(org, at=now)
    assert error.value.status_code == 429
    submit(org, client_address="203.0.113.6", at=now)  # another address is not held back
    submit(org, at=now + dt.timedelta(minutes=11))  # the oldest left the hour
    assert Slip.objects.count() == 7


def test_an_unknown_or_inactive_community_has_no_slip_page(org):
    org.b.is_active = False
    org.b.save(update_fields=["is_active"])
    for community_id in (org.b.pk, 999999):
        with pytest.raises(NotFound):
            submit(org, community_id=community_id)


def test_a_clerk_types_in_a_paper_slip_others_may_not(org):
    slip = slips.slip_enter_paper(actor=org.clerk, community_id=org.b.pk, problem="路灯坏了")
    assert slip.source == SlipSource.PAPER and slip.created_by == org.clerk and slip.client_address is None
    for person in (org.officer_a, org.leader, org.supervisor):
        with pytest.raises(NotAllowed):
            slips.slip_enter_paper(actor=person, community_id=org.b.pk, problem="路灯坏了")


def test_converting_registers_a_case_with_the_residents_contact(org):
    slip = submit(org, compound="幸福小区", building="3号楼", name="张三", phone="13812345678", consent=True)
    slip = slips.slip_convert(slip_id=slip.pk, actor=org.clerk, title="楼道堆物")
    case = slip.case
    assert slip.status == SlipStatus.CONVERTED and slip.handled_by == org.clerk
    assert case.channel == Channel.WEB_FORM and case.title == "楼道堆物" and case.content == slip.problem
    assert (case.caller_name, case.caller_phone) == ("张三", "13812345678")
    assert case.compound == "幸福小区" and case.address == "幸福小区3号楼" and case.reported_community == org.a
    assert case.received_at == slip.created_at
    event = CaseEvent.objects.get(case=case)
    assert event.action == "register" and event.data["slip_id"] == slip.pk


def test_a_paper_slip_becomes_a_paper_slip_case_titled_from_its_first_line(org):
    slip = slips.slip_enter_paper(actor=org.clerk, community_id=org.a.pk, problem="门禁坏了\n谁都能进来")
    case = slips.slip_convert(slip_id=slip.pk, actor=org.clerk).case
    assert case.channel == Channel.PAPER_SLIP and case.title == "门禁坏了"


def test_a_slip_is_converted_or_closed_once(org):
    slip = submit(org)
    slips.slip_convert(slip_id=slip.pk, actor=org.clerk)
    with pytest.raises(Conflict):
        slips.slip_convert(slip_id=slip.pk, actor=org.clerk)
    with pytest.raises(Conflict):
        slips.slip_close(slip_id=slip.pk, actor=org.clerk, reason=SlipCloseReason.DUPLICATE)
    assert Case.objects.count() == 1


def test_closing_needs_a_reason_from_the_list(org):
    slip = submit(org)
    with pytest.raises(InvalidInput):
        slips.slip_close(slip_id=slip.pk, actor=org.clerk, reason="because")
    with pytest.raises(InvalidInput):  # 其他 needs a note
        slips.slip_close(slip_id=slip.pk, actor=org.clerk, reason=SlipCloseReason.OTHER)
    slip = slips.slip_close(slip_id=slip.pk, actor=org.clerk, reason=SlipCloseReason.NOT_OUR_DUTY)
    assert slip.status == SlipStatus.CLOSED and slip.close_reason == SlipCloseReason.NOT_OUR_DUTY


def test_only_a_clerk_converts_or_closes(org):
    slip = submit(org)
    for person in (org.leader, org.officer_a, org.secretary_a):
        with pytest.raises(NotAllowed):
            slips.slip_convert(slip_id=slip.pk, actor=person)
        with pytest.raises(NotAllowed):
            slips.slip_close(slip_id=slip.pk, actor=person, reason=SlipCloseReason.DUPLICATE)
    assert Slip.objects.get().status == SlipStatus.RECEIVED


def test_a_conversion_that_fails_leaves_the_slip_waiting(org):
    CaseFactory(ticket_no="JD000")
    slip = submit(org)
    with pytest.raises(Conflict):
        slips.slip_convert(slip_id=slip.pk, actor=org.clerk, ticket_no="JD000")
    slip.refresh_from_db()
    assert slip.status == SlipStatus.RECEIVED and slip.case is None and Case.objects.count() == 1


# ---------------------------------------------------------------- the status look-up


def look(code, last4="", address="198.51.100.1"):
    return selectors.slip_progress_for_resident(code=code, phone_last4=last4, client_address=address)


def test_a_slip_with_a_phone_needs_its_last_four_digits(org):
    slip = submit(org, phone="13812345678", consent=True)
    assert look(slip.receipt_code, "5678").stage == "received"
    for last4 in ("", "1234"):
        with pytest.raises(NotFound) as error:
            look(slip.receipt_code, last4)
        assert error.value.message == selectors.NOT_FOUND  # the same answer as an unknown code
    with pytest.raises(NotFound) as error:
        look("ABCDEFGHJKMN", "5678")
    assert error.value.message == selectors.NOT_FOUND


def test_a_slip_without_a_phone_is_found_by_its_code_typed_loosely(org):
    slip = submit(org)
    code = slip.receipt_code
    assert look(f"{code[:4].lower()}-{code[4:8]} {code[8:]}").code == code


def test_the_status_follows_the_slip_and_its_case_and_says_nothing_about_people(org):
    slip = submit(org, name="张三", phone="13812345678", consent=True)
    slip = slips.slip_convert(slip_id=slip.pk, actor=org.clerk)
    progress = look(slip.receipt_code, "5678")
    assert progress.stage == "accepted" and "已受理" in progress.label and slip.case.ticket_no in progress.label
    case = slip.case
    case_services.case_dispatch(
        case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id
    )
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now())
    slips.slip_publish_summary(slip_id=slip.pk, actor=org.clerk, text="已清理楼道，回访电话 13912345678。")
    progress = look(slip.receipt_code, "5678")
    assert progress.stage == "done" and progress.label == "已办结"
    assert "13912345678" not in progress.summary and "已清理楼道" in progress.summary
    text = repr(progress)
    assert "钱社工" not in text and "张三" not in text and "13812345678" not in text


def test_a_closed_slip_shows_its_reason(org):
    slip = submit(org)
    slips.slip_close(slip_id=slip.pk, actor=org.clerk, reason=SlipCloseReason.NOT_OUR_DUTY, note="内部说明")
    progress = look(slip.receipt_code)
    assert progress.stage == "closed" and "非本街道职责" in progress.label and "内部说明" not in progress.label


def test_the_status_look_up_is_rate_limited_per_address(org, settings):
    settings.SLIP_STATUS_RATE_PER_HOUR = 3
    slip = submit(org)
    for _ in range(3):
        look(slip.receipt_code)
    with pytest.raises(slips.RateLimited):
        look(slip.receipt_code)
    look(slip.receipt_code, address="198.51.100.2")


def test_the_public_summary_waits_for_a_case(org):
    slip = submit(org)
    with pytest.raises(Conflict):
        slips.slip_publish_summary(slip_id=slip.pk, actor=org.clerk, text="已办")


# ---------------------------------------------------------------- scoping and compounds


def test_only_clerks_and_leaders_see_the_queue(org):
    slip = submit(org)
    for person in (org.clerk, org.leader):
        assert selectors.slip_get_for_user(user=person, slip_id=slip.pk) == slip
    for person in (org.officer_a, org.secretary_a, org.chief_a, org.supervisor, org.display):
        assert not selectors.slip_scope_for_user(person).exists()
        with pytest.raises(NotFound):
            selectors.slip_get_for_user(user=person, slip_id=slip.pk)


def test_the_slip_page_offers_the_communitys_known_compounds(org):
    CaseFactory(reported_community=org.a, compound="幸福小区")
    CaseFactory(community=org.a, compound="阳光花园")
    CaseFactory(reported_community=org.b, compound="和平里")
    CaseFactory(reported_community=org.a, compound="")
    assert selectors.slip_compound_choices(community=org.a) == sorted(["幸福小区", "阳光花园"])
