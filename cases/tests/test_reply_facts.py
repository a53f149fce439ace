"""The structured reply (cases.reply_facts): what the platform requires, that
the signed text includes the facts, and that replies written before the
facts existed keep their signatures."""

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, Signature, UnresolvedReason, text_sha256
from cases.reply_facts import ReplyFacts, reply_facts_of
from cases.tests.factories import REPLY_API_FACTS, REPLY_FACTS, REPLY_FORM_FACTS, signed_sha256
from cases.transitions import Status
from cases.vocabulary import signed_text
from hotline.errors import InvalidInput

REPLY = Signature.Document.REPLY


def _reply(org, case, facts: ReplyFacts, text: str = "已协调物业修复。") -> Case:
    return services.case_reply(case_id=case.id, actor=org.officer_a, text=text, facts=facts)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"met_caller": None}, "met_caller"),
        ({"basis": "  "}, "basis"),
        ({"final_unit": ""}, "final_unit"),
        ({"whistle": None}, "whistle"),
        ({"resolved": None}, "resolved"),
        ({"met_caller": True}, "met_at"),
        ({"met_caller": True, "met_at": "now"}, "met_place"),
        ({"whistle": True}, "whistle_parties"),
        ({"whistle": True, "whistle_parties": "城管执法队"}, "whistle_result"),
        ({"resolved": False}, "unresolved_reason"),
        ({"resolved": False, "unresolved_reason": "nonsense"}, "unresolved_reason"),
        ({"contacted_at": "tomorrow"}, "contacted_at"),
        ({"basis": "依" * 501}, "basis"),
    ],
)
def test_a_reply_missing_what_the_platform_requires_is_refused_and_nothing_is_written(org, walk, change, field):
    case = walk.responded()
    times = {"now": timezone.now(), "tomorrow": timezone.now() + dt.timedelta(days=1)}
    change = {name: times.get(value, value) if isinstance(value, str) else value for name, value in change.items()}
    with pytest.raises(InvalidInput) as refused:
        _reply(org, case, dataclasses.replace(REPLY_FACTS, **change))
    assert refused.value.field == field
    case.refresh_from_db()
    assert (case.status, case.reply_text, reply_facts_of(case)) == (Status.RESPONDED, "", ReplyFacts())


def test_the_contact_time_defaults_to_the_contact_step_and_details_of_a_no_are_dropped(org, walk):
    case = walk.responded()
    facts = dataclasses.replace(REPLY_FACTS, whistle=False, whistle_parties="不该留下", unresolved_reason="other")
    case = _reply(org, case, facts)
    stored = reply_facts_of(case)
    assert stored.contacted_at == case.responded_at.replace(second=0, microsecond=0)
    assert (stored.whistle_parties, stored.unresolved_reason) == ("", "")


def test_a_full_reply_is_stored_and_signed_with_its_facts(org, walk):
    case = walk.responded()
    met = timezone.now()
    facts = dataclasses.replace(
        REPLY_FACTS,
        met_caller=True,
        met_at=met,
        met_place="3号楼门口",
        whistle=True,
        whistle_parties="城管执法队",
        whistle_result="已约谈物业",
        resolved=False,
        unresolved_reason=UnresolvedReason.PARTY_MISSING,
    )
    case = _reply(org, case, facts)
    text = signed_text(case, REPLY)
    assert text.startswith("已协调物业修复。\n\n【结构化回复】\n")
    for part in ("3号楼门口", "城管执法队", "已约谈物业", "责任主体无法找到", "《北京市物业管理条例》第五十条"):
        assert part in text
    event = case.events.get(action="reply")
    assert event.data["sha256"] == text_sha256(text) and "城管执法队" in event.data["facts"]
    services.case_sign_reply(case_id=case.id, actor=org.secretary_a, expected_sha256=text_sha256(text))
    assert Signature.objects.get(case=case).text_sha256 == text_sha256(text)


def test_changing_only_a_fact_voids_the_standing_signatures(org, walk):
    case = walk.responded()
    case = _reply(org, case, REPLY_FACTS)
    services.case_sign_reply(
        case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
    )
    _reply(org, case, dataclasses.replace(REPLY_FACTS, final_unit="望和街道城管科"))
    signature = Signature.objects.get(case=case)
    assert signature.voided_at is not None and signature.void_reason == "办理结果已修改"


def test_the_same_text_and_facts_again_is_no_change(org, walk):
    case = _reply(org, walk.responded(), REPLY_FACTS)
    with pytest.raises(InvalidInput, match="没有变化"):
        _reply(org, case, REPLY_FACTS)


def test_a_reply_without_facts_is_signed_on_its_text_alone(org, walk):
    """Replies written before the structured fields: the hash input is the text as before."""
    case = walk.replied(text="已修复。")
    assert signed_text(case, REPLY) == "已修复。"
    assert signed_sha256(case.id, "reply_text") == text_sha256("已修复。")


def test_the_reply_form_shows_errors_next_to_the_facts_and_saves_them(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    url = reverse("case-step", args=[case.pk, "reply"])
    response = client.post(url, {"text": "已修复", **REPLY_FORM_FACTS, "resolved": "no"})
    assert response.status_code == 400
    assert response.context["forms"]["reply"].errors["unresolved_reason"] == ["未解决时请选择未解决原因类型。"]
    response = client.post(url, {"text": "已修复", **REPLY_FORM_FACTS, "resolved": "no", "unresolved_reason": "policy"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.reply_resolved, case.reply_unresolved_reason, case.status) == (False, "policy", Status.REPLIED)
    page = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "现行政策不支持" in page and "【结构化回复】" in page


def test_the_api_reads_and_writes_the_facts(org, walk):
    case = walk.responded()
    api = APIClient()
    api.force_authenticate(org.officer_a)
    response = api.post(
        f"/api/cases/{case.id}/reply/",
        {"text": "已修复", "facts": {**REPLY_API_FACTS, "resolved": None}},
        format="json",
    )
    assert (response.status_code, response.json()["field"]) == (400, "resolved")
    response = api.post(f"/api/cases/{case.id}/reply/", {"text": "已修复"}, format="json")
    assert response.status_code == 400
    response = api.post(f"/api/cases/{case.id}/reply/", {"text": "已修复", "facts": REPLY_API_FACTS}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["reply_facts"]["basis"] == REPLY_API_FACTS["basis"] and body["reply_facts"]["resolved"] is True
    assert body["reply_sha256"] == signed_sha256(case.id, "reply_text")


@pytest.mark.django_db(transaction=True)
def test_the_migration_leaves_old_replies_empty_and_their_signatures_standing():
    executor = MigrationExecutor(connection)
    # From the last migration without the facts to every migration there is.
    before = [("cases", "0015_supervision_order_actions")]
    try:
        executor.migrate(before)
        old = executor.loader.project_state(before).apps
        user = old.get_model("auth", "User").objects.create(username="old-signer")
        case = old.get_model("cases", "Case").objects.create(
            ticket_no="OLD1", received_at=timezone.now(), title="旧案件", content="旧", reply_text="旧的办理结果。"
        )
        old.get_model("cases", "Signature").objects.create(
            case=case, document="reply", slot="secretary", signer=user, text_sha256=text_sha256("旧的办理结果。")
        )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        migrated = Case.objects.get(ticket_no="OLD1")
        assert reply_facts_of(migrated) == ReplyFacts()
        signature = Signature.objects.get(case=migrated)
        assert signature.voided_at is None and signature.text_sha256 == signed_sha256(migrated.id, "reply_text")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
