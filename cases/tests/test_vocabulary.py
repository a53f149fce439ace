"""Each word of the domain has one definition (cases.vocabulary); these tests
pin them, and check that the places that used to define their own now give
the same answer."""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services, vocabulary
from cases.intake.parsing import DEFAULTS, limit
from cases.models import Case, Satisfaction, Signature, text_sha256
from cases.templatetags.case_ui import deadline_state
from cases.tests.factories import CaseFactory, signed_sha256
from cases.transitions import OPEN, Status

NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------- a standing signature


def test_a_signature_stands_only_unvoided_and_on_the_hash_of_the_current_text():
    signature = Signature(text_sha256=text_sha256("第一版"), slot=Signature.Slot.CHIEF, document="reply")
    assert vocabulary.signature_stands(signature, text="第一版")
    assert not vocabulary.signature_stands(signature, text="第二版")
    signature.voided_at = NOW
    assert not vocabulary.signature_stands(signature, text="第一版")


def test_the_standing_slots_of_a_document_ignore_other_documents_and_other_texts():
    on_reply = Signature(document="reply", slot="chief", text_sha256=text_sha256("答复"))
    on_old = Signature(document="reply", slot="secretary", text_sha256=text_sha256("旧答复"))
    on_explanation = Signature(document="explanation", slot="secretary", text_sha256=text_sha256("答复"))
    slots = vocabulary.signature_standing_slots([on_reply, on_old, on_explanation], document="reply", text="答复")
    assert slots == {"chief"}


def test_the_api_and_the_page_read_a_signature_on_an_old_text_as_not_standing(org, walk, client):
    case = walk.replied(text="第一版")
    services.case_sign_reply(
        case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
    )
    # A text changed without voiding (data repaired by hand): the signature no longer names it.
    Case.objects.filter(pk=case.pk).update(reply_text="第二版")
    api = APIClient()
    api.force_authenticate(org.secretary_a)
    detail = api.get(f"/api/cases/{case.id}/").json()
    assert [(s["standing"], s["stale"]) for s in detail["signatures"]] == [(False, True)]
    # The secretary may sign the new text: the old signature does not stand on it.
    assert "sign_reply" in [a["action"] for a in detail["available_actions"]]


# ---------------------------------------------------------------- deadlines


def test_overdue_is_an_open_case_past_its_closure_deadline(db):
    past, future = NOW - dt.timedelta(minutes=1), NOW + dt.timedelta(minutes=1)
    cases = {
        "open_past": CaseFactory(status=Status.RESPONDED, closure_deadline=past),
        "open_future": CaseFactory(status=Status.RESPONDED, closure_deadline=future),
        "closed_past": CaseFactory(status=Status.CLOSED, closure_deadline=past),
        "open_none": CaseFactory(status=Status.DISPATCHED, closure_deadline=None),
    }
    overdue = set(Case.objects.filter(vocabulary.overdue_q(NOW)).values_list("pk", flat=True))
    assert overdue == {cases["open_past"].pk}
    assert {k for k, c in cases.items() if vocabulary.case_is_overdue(c, NOW)} == {"open_past"}


def test_due_soon_is_24_hours_and_the_boards_wider_horizon_is_named_apart(db):
    assert dt.timedelta(hours=24) == vocabulary.DUE_SOON
    assert dt.timedelta(days=3) == vocabulary.DUE_WITHIN_DAYS
    inside = CaseFactory(status=Status.RESPONDED, closure_deadline=NOW + dt.timedelta(hours=23, minutes=59))
    CaseFactory(status=Status.RESPONDED, closure_deadline=NOW + dt.timedelta(hours=24))
    CaseFactory(status=Status.RESPONDED, closure_deadline=NOW - dt.timedelta(minutes=1))
    assert list(Case.objects.filter(vocabulary.due_soon_q(NOW))) == [inside]
    # The deadline badge says the same of one deadline.
    assert deadline_state(NOW + dt.timedelta(hours=23, minutes=59), NOW) == "soon"
    assert deadline_state(NOW + dt.timedelta(hours=24), NOW) == "ok"
    assert deadline_state(NOW - dt.timedelta(seconds=1), NOW) == "overdue"


def test_the_open_statuses_behind_overdue_are_the_lifecycles():
    assert frozenset({Status.DISPATCHED, Status.RETURNED, Status.RESPONDED, Status.REPLIED}) == OPEN


# ---------------------------------------------------------------- callback outcomes


@pytest.mark.parametrize(
    ("resolved", "satisfaction", "key", "label"),
    [
        (True, Satisfaction.SATISFIED, "positive", "满意/解决"),
        (True, Satisfaction.BASIC, "positive", "满意/解决"),
        (None, Satisfaction.BASIC, "positive", "满意/解决"),
        (False, Satisfaction.BASIC, "single", "单否"),
        (True, Satisfaction.UNSATISFIED, "single", "单否"),
        (False, Satisfaction.UNSATISFIED, "double", "双否"),
    ],
)
def test_a_callback_is_positive_single_or_double_everywhere_alike(db, resolved, satisfaction, key, label):
    case = CaseFactory(callback_at=NOW, callback_resolved=resolved, callback_satisfaction=satisfaction)
    assert vocabulary.case_callback_outcome(case) == key
    assert case.callback_outcome_label == label
    matching = {
        outcome
        for outcome in ("none", "positive", "single", "double", "negative")
        if Case.objects.filter(vocabulary.callback_outcome_q(outcome), pk=case.pk).exists()
    }
    assert matching == ({key, "negative"} if key != "positive" else {key})


def test_no_callback_yet_is_its_own_outcome(db):
    case = CaseFactory(callback_at=None)
    assert (vocabulary.case_callback_outcome(case), case.callback_outcome_label) == ("none", "未回访")
    assert Case.objects.filter(vocabulary.callback_outcome_q("none")).get() == case


# ---------------------------------------------------------------- keyword search


def test_the_keyword_search_looks_in_ticket_title_content_and_address(db):
    neutral = {"title": "路灯不亮", "content": "无", "address": "无", "compound": "电梯小区"}

    def case(**fields):
        return CaseFactory(**{**neutral, **fields})

    hits = [
        case(ticket_no="KW-电梯-1"),
        case(title="电梯停运"),
        case(content="楼里电梯坏了"),
        case(address="电梯公寓3号楼"),
    ]
    case()  # only the compound names it, and the compound is not searched
    found = set(Case.objects.filter(vocabulary.case_keyword_q(" 电梯\x00 ")).values_list("pk", flat=True))
    assert found == {case.pk for case in hits}
    assert vocabulary.case_keyword_q("  ") is None


def test_the_page_the_api_and_the_export_search_alike(org, walk, client):
    hit = walk.registered(title="电梯 停运", content="无")
    miss = walk.registered(title="电梯", content="停运")  # both words, but not as one phrase
    api = APIClient()
    api.force_authenticate(org.clerk)
    api_ids = [row["id"] for row in api.get("/api/cases/", {"search": "电梯 停运"}).json()["results"]]
    client.force_login(org.clerk)
    page = client.get("/cases/search/", {"q": "电梯 停运"}).content.decode()
    assert api_ids == [hit.id]
    assert f"/cases/{hit.id}/" in page and f"/cases/{miss.id}/" not in page


# ---------------------------------------------------------------- street ticket numbers and retention


def test_a_street_ticket_number_is_jd_the_local_date_and_six_hex_digits(org):
    number = vocabulary.street_ticket_no(dt.date(2026, 11, 20))
    assert number.startswith("JD20261120") and len(number) == 16
    int(number[10:], 16)
    case = services.case_register(actor=org.clerk, title="t", content="c")
    assert case.ticket_no.startswith(f"JD{timezone.localdate():%Y%m%d}")


def test_the_upload_retention_has_one_default_in_the_settings(settings):
    assert "INTAKE_FILE_RETENTION_DAYS" not in DEFAULTS
    settings.INTAKE_FILE_RETENTION_DAYS = 45
    assert limit("INTAKE_FILE_RETENTION_DAYS") == 45


def test_the_deadline_running_for_a_case_is_that_of_its_current_step():
    from cases.vocabulary import current_deadline_field

    assert current_deadline_field(Status.DISPATCHED) == "response_deadline"
    for status in (Status.RETURNED, Status.RESPONDED, Status.REPLIED):
        assert current_deadline_field(status) == "closure_deadline", status
    for status in (Status.REGISTERED, Status.CLOSED, Status.NEEDS_EXPLANATION, Status.EXPLAINED):
        assert current_deadline_field(status) is None, status
