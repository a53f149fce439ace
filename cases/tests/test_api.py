"""The case API end to end: the whole lifecycle through HTTP alone, every
illegal step refused with a clear message and nothing changed, malformed
input, masking of the caller, token auth, query counts, and the OpenAPI docs."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseEvent, ExtensionRequest, Signature, Tag, text_sha256
from cases.tests.factories import REPLY_API_FACTS, CaseFactory, signed_sha256
from cases.transitions import Status
from communities.models import Role
from communities.tests.factories import PASSWORD, person


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def state(case_id: int) -> tuple:
    """Everything a refused step must leave untouched."""
    return (
        Case.objects.filter(pk=case_id).values().get(),
        list(CaseEvent.objects.filter(case_id=case_id).values_list("id", "action")),
        list(Signature.objects.filter(case_id=case_id).values_list("id", "slot", "voided_at")),
        list(ExtensionRequest.objects.filter(case_id=case_id).values_list("id", "decision")),
    )


def post(user, case_id: int, step: str, body=None):
    return api(user).post(f"/api/cases/{case_id}/{step}/", body or {}, format="json")


# ---------------------------------------------------------------- the whole lifecycle


def test_a_case_goes_from_registration_to_explained_through_the_api_alone(org):
    response = api(org.clerk).post(
        "/api/cases/",
        {
            "title": "电梯故障",
            "content": "3号楼电梯停运三天。",
            "caller_name": "张三",
            "caller_phone": "13812341234",
            "category": "城乡建设 -> 物业管理 -> 电梯故障",
            "tags": ["每月一题"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    case_id = response.json()["id"]
    assert response.json()["status"] == Status.REGISTERED
    assert response.json()["category"] == "城乡建设->物业管理->电梯故障"

    detail = post(org.clerk, case_id, "dispatch", {"pairing": org.pairing_a.id, "handler": org.officer_a.id}).json()
    assert detail["status"] == Status.DISPATCHED
    assert detail["handler"] == {"id": org.officer_a.id, "name": "钱社工"}
    assert detail["closure_deadline"] is not None and detail["response_deadline"] is not None

    assert post(org.officer_a, case_id, "respond", {"note": "已电话联系"}).json()["status"] == Status.RESPONDED
    detail = post(org.officer_a, case_id, "reply", {"text": "已协调物业修复电梯。", "facts": REPLY_API_FACTS}).json()
    assert detail["status"] == Status.REPLIED
    # The hash covers the structured facts too, not the text alone.
    assert detail["reply_sha256"] == signed_sha256(case_id, "reply_text") != text_sha256("已协调物业修复电梯。")
    assert detail["reply_facts"]["final_unit"] == "安苑社区"
    assert ["是否解决", "是"] in detail["reply_facts_lines"]

    detail = post(org.secretary_a, case_id, "sign-reply", {"expected_sha256": detail["reply_sha256"]}).json()
    assert detail["status"] == Status.REPLIED
    assert [(sig["slot"], sig["standing"]) for sig in detail["signatures"]] == [("secretary", True)]
    detail = post(org.chief_a, case_id, "sign-reply", {"expected_sha256": signed_sha256(case_id, "reply_text")}).json()
    assert detail["status"] == Status.CLOSED

    detail = post(
        org.clerk,
        case_id,
        "callback",
        {"contacted": True, "resolved": False, "satisfaction": "basic", "valid": True},
    ).json()
    assert detail["status"] == Status.NEEDS_EXPLANATION
    assert (detail["callback_outcome"], detail["callback_outcome_label"]) == ("single", "单否")

    detail = post(org.officer_a, case_id, "explanation", {"text": "业主拒绝配合维修。"}).json()
    assert detail["status"] == Status.EXPLANATION_WRITTEN
    post(org.secretary_a, case_id, "sign-explanation", {"expected_sha256": detail["explanation_sha256"]})
    detail = post(
        org.chief_a, case_id, "sign-explanation", {"expected_sha256": signed_sha256(case_id, "explanation_text")}
    ).json()
    assert detail["status"] == Status.EXPLAINED
    assert detail["explained_at"] is not None

    timeline = [(e["action"], e["to_status"], e["actor"]["name"]) for e in detail["events"]]
    assert timeline == [
        ("register", "registered", "赵办件"),
        ("dispatch", "dispatched", "赵办件"),
        ("respond", "responded", "钱社工"),
        ("reply", "replied", "钱社工"),
        ("sign_reply", "replied", "孙书记"),
        ("sign_reply", "replied", "李科长"),
        ("close", "closed", "李科长"),
        ("record_callback", "needs_explanation", "赵办件"),
        ("write_explanation", "explanation_written", "钱社工"),
        ("sign_explanation", "explanation_written", "孙书记"),
        ("sign_explanation", "explanation_written", "李科长"),
        ("complete_explanation", "explained", "李科长"),
    ]
    assert detail["events"][1]["action_label"] == "派发"
    assert detail["events"][1]["from_status_label"] == "待派发"
    assert detail["events"][1]["to_status_label"] == "待联系"
    assert detail["events"][2]["note"] == "已电话联系"
    assert {(s["document"], s["slot"], s["standing"]) for s in detail["signatures"]} == {
        ("reply", "secretary", True),
        ("reply", "chief", True),
        ("explanation", "secretary", True),
        ("explanation", "chief", True),
    }
    assert Case.objects.get(pk=case_id).status == Status.EXPLAINED


def test_detail_lists_the_steps_the_user_may_take_with_their_endpoints(org, walk):
    case = walk.dispatched()
    actions = api(org.officer_a).get(f"/api/cases/{case.id}/").json()["available_actions"]
    assert {a["action"]: a["path"] for a in actions} == {
        "return": f"/api/cases/{case.id}/return/",
        "respond": f"/api/cases/{case.id}/respond/",
        "request_extension": f"/api/cases/{case.id}/extension/",
        "attach": f"/api/cases/{case.id}/attachments/",
        "detach": None,  # DELETE on one file: /api/cases/{id}/attachments/{file id}/
    }
    assert api(org.chief_a).get(f"/api/cases/{case.id}/").json()["available_actions"] == []
    # Closing follows from the second signature: it is not offered as a step of its own.
    replied = walk.replied()
    actions = api(org.secretary_a).get(f"/api/cases/{replied.id}/").json()["available_actions"]
    assert {a["action"] for a in actions} == {"reply", "sign_reply", "attach", "detach"}


def test_extension_is_requested_and_decided_through_the_api(org, walk):
    case = walk.dispatched()
    before = Case.objects.get(pk=case.id).closure_deadline
    detail = post(org.officer_a, case.id, "extension", {"working_days": 3, "reason": "需协调产权单位"}).json()
    (request,) = detail["extension_requests"]
    assert (request["decision"], request["working_days"], request["requested_by"]["name"]) == ("pending", 3, "钱社工")

    pending = api(org.leader).get("/api/extensions/", {"decision": "pending"}).json()["results"]
    assert [(e["id"], e["case"]["id"]) for e in pending] == [(request["id"], case.id)]
    leader_actions = api(org.leader).get(f"/api/cases/{case.id}/").json()["available_actions"]
    assert {"action": "decide_extension", "label": "审批延期", "path": f"/api/extensions/{request['id']}/decide/"} in (
        leader_actions
    )

    response = api(org.leader).post(f"/api/extensions/{request['id']}/decide/", {"approve": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["extension_requests"][0]["decision"] == "approved"
    assert Case.objects.get(pk=case.id).closure_deadline > before
    assert api(org.leader).get("/api/extensions/", {"decision": "pending"}).json()["count"] == 0

    again = api(org.leader).post(f"/api/extensions/{request['id']}/decide/", {"approve": False}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_decided")


def test_supervision_exclusion_and_restore_are_on_the_timeline(org, walk):
    case = walk.closed()
    post(org.supervisor, walk.dispatched().id, "supervise", {"kind": "phone", "note": "电话催办"})
    detail = post(org.leader, case.id, "exclude", {"reason": "untrue", "note": "经核实不属实"}).json()
    assert (detail["exclusion_reason"], detail["exclusion_reason_label"]) == ("untrue", "经核实反映情况不属实")
    assert api(org.clerk).get("/api/cases/", {"excluded": "true"}).json()["count"] == 1
    detail = post(org.leader, case.id, "restore", {"note": "复核后恢复"}).json()
    assert detail["exclusion_reason"] == ""
    assert [e["action"] for e in detail["events"]][-2:] == ["exclude", "restore"]
    assert CaseEvent.objects.filter(action="supervise").count() == 1


def test_redispatch_and_return_through_the_api(org, walk):
    case = walk.dispatched()
    detail = post(
        org.clerk,
        case.id,
        "redispatch",
        {"pairing": org.pairing_b.id, "handler": org.officer_b.id, "reason": "属地有误"},
    ).json()
    assert (detail["community"]["name"], detail["handler"]["name"]) == ("和平社区", "周社工")
    detail = post(org.officer_b, case.id, "return", {"reason": "不属于本社区"}).json()
    assert detail["status"] == Status.RETURNED
    assert api(org.officer_a).get(f"/api/cases/{case.id}/").status_code == 404


# ---------------------------------------------------------------- illegal steps change nothing


def refused(response, status: int, code: str, words: str, before: tuple, case_id: int) -> None:
    body = response.json()
    assert response.status_code == status, body
    assert body["code"] == code
    assert words in body["detail"]
    assert re.search(r"[\u4e00-\u9fff]", body["detail"]), "the message is in Chinese"
    assert state(case_id) == before, "a refused step changes nothing"


def test_signing_twice_is_refused(org, walk):
    case = walk.replied()
    assert (
        post(
            org.secretary_a, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")}
        ).status_code
        == 200
    )
    before = state(case.id)
    refused(
        post(org.secretary_a, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")}),
        409,
        "already_signed",
        "已签字",
        before,
        case.id,
    )


@pytest.mark.parametrize(
    ("signer", "status", "code", "words"),
    [
        ("secretary_b", 404, "not_found", "不在您的查看范围内"),  # secretary of another community
        ("chief_b", 404, "not_found", "不在您的查看范围内"),  # chief of another pairing
        ("officer_a", 403, "not_allowed", "社区办件员不能执行“办理结果签字”"),
        ("clerk", 403, "not_allowed", "不能执行“办理结果签字”"),
    ],
)
def test_signing_as_the_wrong_person_is_refused(org, walk, signer, status, code, words):
    case = walk.replied()
    before = state(case.id)
    refused(
        post(getattr(org, signer), case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")}),
        status,
        code,
        words,
        before,
        case.id,
    )


def test_chief_of_another_pairing_of_the_same_community_may_not_sign(org, walk):
    from communities.tests.factories import PairingFactory

    other_chief = person(Role.CHIEF, department=org.d2, street=org.street, full_name="陈科长")
    PairingFactory(community=org.a, department=org.d2, chief=other_chief)
    case = walk.replied()
    before = state(case.id)
    refused(
        post(other_chief, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")}),
        404,
        "not_found",
        "不在您的查看范围内",
        before,
        case.id,
    )


def test_closing_without_two_signatures_is_refused(org, walk):
    case = walk.replied()
    post(org.secretary_a, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")})
    before = state(case.id)
    refused(post(org.clerk, case.id, "close"), 409, "signatures_missing", "双签字", before, case.id)


def test_replying_to_a_case_of_another_community_is_not_found(org, walk):
    case = walk.responded()
    before = state(case.id)
    response = post(org.officer_b, case.id, "reply", {"text": "越权回复", "facts": REPLY_API_FACTS})
    refused(response, 404, "not_found", "案件不存在", before, case.id)


def test_editing_a_signed_reply_voids_the_signatures_and_closing_is_refused(org, walk):
    case = walk.replied()
    post(org.secretary_a, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")})
    detail = post(org.officer_a, case.id, "reply", {"text": "补充：已更换电梯门机。", "facts": REPLY_API_FACTS}).json()
    (signature,) = detail["signatures"]
    assert (signature["voided"], signature["standing"], signature["void_reason"]) == (True, False, "办理结果已修改")

    detail = post(org.chief_a, case.id, "sign-reply", {"expected_sha256": signed_sha256(case.id, "reply_text")}).json()
    assert detail["status"] == Status.REPLIED, "the secretary's signature was on the old text"
    before = state(case.id)
    refused(post(org.chief_a, case.id, "close"), 409, "signatures_missing", "双签字", before, case.id)


def test_signing_a_text_that_changed_meanwhile_is_refused(org, walk):
    case = walk.replied()
    old_sha = api(org.secretary_a).get(f"/api/cases/{case.id}/").json()["reply_sha256"]
    post(org.officer_a, case.id, "reply", {"text": "改过的办理结果。", "facts": REPLY_API_FACTS})
    before = state(case.id)
    response = post(org.secretary_a, case.id, "sign-reply", {"expected_sha256": old_sha})
    refused(response, 409, "text_changed", "已被修改", before, case.id)


def test_a_step_from_the_wrong_status_is_a_conflict(org, walk):
    case = walk.dispatched()
    before = state(case.id)
    response = post(org.officer_a, case.id, "reply", {"text": "还没联系就回复", "facts": REPLY_API_FACTS})
    refused(response, 409, "invalid_transition", "不能填写办理结果", before, case.id)


# ---------------------------------------------------------------- malformed input


@pytest.mark.parametrize(
    ("setup", "step", "body", "status", "code", "field", "words"),
    [
        ("registered", "dispatch", '{"pairing": ', 400, "parse_error", None, "格式错误"),
        ("registered", "dispatch", "[1, 2]", 400, "invalid_input", None, "字典"),
        ("registered", "dispatch", {"pairing": "abc", "handler": 1}, 400, "invalid_input", "pairing", "包片："),
        ("registered", "dispatch", {"pairing": 1}, 400, "invalid_input", "handler", "承办人：该字段是必填项"),
        ("registered", "dispatch", {"pairing": 10**30, "handler": 1}, 400, "invalid_input", "pairing", "包片"),
        ("registered", "dispatch", {"pairing": 999999, "handler": 1}, 400, "invalid_input", "pairing", "有效的包片"),
        ("responded", "reply", {"text": {"a": 1}}, 400, "invalid_input", "text", "办理结果："),
        ("responded", "reply", {"text": " ", "facts": REPLY_API_FACTS}, 400, "invalid_input", "text", "请填写办理结果"),
        ("responded", "reply", {"text": "含\x00空字符"}, 400, "invalid_input", "text", "办理结果："),
        ("responded", "reply", {}, 400, "invalid_input", "text", "该字段是必填项"),
        ("dispatched", "extension", {"working_days": "三天", "reason": "x"}, 400, "invalid_input", "working_days", ""),
        ("dispatched", "extension", {"working_days": 99, "reason": "x"}, 400, "invalid_input", "working_days", "1到30"),
        ("dispatched", "extension", {"working_days": 10**30, "reason": "x"}, 400, "invalid_input", "working_days", ""),
        ("dispatched", "supervise", {"kind": "shout", "note": "x"}, 400, "invalid_input", "kind", "督办方式："),
        ("closed", "callback", {"contacted": "maybe", "resolved": True, "satisfaction": "basic"}, 400, "invalid_input",
         "contacted", "是否联系："),
        ("closed", "callback", {"contacted": True, "resolved": True, "satisfaction": "great"}, 400, "invalid_input",
         "satisfaction", "是否满意："),
        ("closed", "callback", {"contacted": True, "resolved": True, "satisfaction": "basic", "called_at": "昨天"}, 400,
         "invalid_input", "called_at", "回访时间："),
        ("closed", "callback", {"contacted": True, "resolved": True, "satisfaction": "basic",
                                "called_at": "2001-01-01T08:00:00+08:00"}, 400, "invalid_input", "called_at", "早于"),
        ("closed", "exclude", {"reason": "dislike", "note": "x"}, 400, "invalid_input", "reason", "核减原因："),
    ],
)  # fmt: skip
def test_malformed_input_is_refused_with_a_clear_message(org, walk, setup, step, body, status, code, field, words):
    case = getattr(walk, setup)()
    actor = {"dispatch": org.clerk, "reply": org.officer_a, "extension": org.officer_a, "callback": org.clerk}.get(
        step, org.leader
    )
    before = state(case.id)
    client = api(actor)
    url = f"/api/cases/{case.id}/{step}/"
    if isinstance(body, str):
        response = client.post(url, body, content_type="application/json")
    else:
        response = client.post(url, body, format="json")
    refused(response, status, code, words, before, case.id)
    assert response.json().get("field") == field


def test_dispatch_to_a_handler_of_another_community_is_refused(org, walk):
    case = walk.registered()
    before = state(case.id)
    response = post(org.clerk, case.id, "dispatch", {"pairing": org.pairing_a.id, "handler": org.officer_b.id})
    refused(response, 400, "invalid_input", "幸福社区的社区办件员或书记", before, case.id)
    assert response.json()["field"] == "handler"


def test_unknown_ids_wrong_methods_and_media_types_answer_4xx_json(org, walk):
    case = walk.dispatched()
    clerk = api(org.clerk)
    for response in [
        clerk.get("/api/cases/999999/"),
        clerk.get(f"/api/cases/{10**25}/"),
        clerk.post("/api/cases/999999/respond/", {}, format="json"),
        clerk.post(f"/api/cases/{10**25}/dispatch/", {"pairing": 1, "handler": 1}, format="json"),
    ]:
        assert (response.status_code, response.json()["code"]) == (404, "not_found")
    response = api(org.leader).post("/api/extensions/999999/decide/", {"approve": True}, format="json")
    assert (response.status_code, response.json()["code"]) == (404, "not_found")
    for value in (10**25, "abc", -1):
        response = api(org.leader).get("/api/extensions/", {"case": value})
        assert (response.status_code, response.json()["field"]) == (400, "case")
    before = state(case.id)
    assert clerk.get(f"/api/cases/{case.id}/respond/").status_code == 405
    response = api(org.officer_a).post(f"/api/cases/{case.id}/respond/", "note", content_type="text/plain")
    assert (response.status_code, response.json()["code"]) == (415, "unsupported_media_type")
    assert state(case.id) == before


def test_registration_is_for_clerks_and_validates_input(org):
    response = api(org.officer_a).post("/api/cases/", {"title": "t", "content": "c"}, format="json")
    assert (response.status_code, response.json()["code"]) == (403, "not_allowed")
    response = api(org.clerk).post("/api/cases/", {"title": "", "content": "c", "urgency": "now"}, format="json")
    assert (response.status_code, response.json()["field"]) == (400, "title")
    assert set(response.json()["errors"]) == {"title", "urgency"}
    response = api(org.clerk).post("/api/cases/", {"title": "t", "content": "c", "caller_phone": "1" * 40})
    assert (response.status_code, response.json()["field"]) == (400, "caller_phone")
    api(org.clerk).post("/api/cases/", {"ticket_no": "T1", "title": "t", "content": "c"}, format="json")
    response = api(org.clerk).post("/api/cases/", {"ticket_no": "T1", "title": "t", "content": "c"}, format="json")
    assert (response.status_code, response.json()["code"]) == (409, "duplicate_ticket")
    assert Case.objects.count() == 1


# ---------------------------------------------------------------- personal data


@pytest.mark.parametrize(
    ("role", "name", "phone"),
    [
        ("clerk", "张三", "13812341234"),
        ("officer_a", "张三", "13812341234"),
        ("secretary_a", "张*", "138****1234"),
        ("chief_a", "张*", "138****1234"),
        ("leader", "张*", "138****1234"),
        ("supervisor", "张*", "138****1234"),
    ],
)
def test_caller_is_masked_for_roles_that_do_not_call_the_caller(org, walk, role, name, phone):
    case = walk.replied(caller_name="张三", caller_phone="13812341234")
    client = api(getattr(org, role))
    row = client.get("/api/cases/").json()["results"][0]
    detail = client.get(f"/api/cases/{case.id}/")
    assert (row["caller_name"], row["caller_phone"]) == (name, phone)
    assert (detail.json()["caller_name"], detail.json()["caller_phone"]) == (name, phone)
    if phone != "13812341234":
        assert b"13812341234" not in detail.content and "张三".encode() not in detail.content


def test_a_secretary_named_as_handler_sees_the_caller_she_must_call(org, walk):
    case = walk.registered(caller_name="张三", caller_phone="13812341234")
    services.case_dispatch(case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.secretary_a.id)
    other = walk.dispatched(caller_name="李四", caller_phone="13900001111")
    client = api(org.secretary_a)
    rows = {row["id"]: row for row in client.get("/api/cases/").json()["results"]}
    assert (rows[case.id]["caller_name"], rows[case.id]["caller_phone"]) == ("张三", "13812341234")
    assert (rows[other.id]["caller_name"], rows[other.id]["caller_phone"]) == ("李*", "139****1111")
    assert client.get(f"/api/cases/{case.id}/").json()["caller_phone"] == "13812341234"


# ---------------------------------------------------------------- authentication


def test_scripts_get_a_token_and_use_it(org, walk):
    walk.dispatched()
    response = APIClient().post("/api/auth/token/", {"username": org.clerk.username, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/cases/").json()["count"] == 1

    wrong = APIClient().post("/api/auth/token/", {"username": org.clerk.username, "password": "wrong"})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "invalid")
    assert "无法使用提供的认证信息登录" in wrong.json()["detail"]

    display_token = APIClient().post("/api/auth/token/", {"username": org.display.username, "password": PASSWORD})
    client.credentials(HTTP_AUTHORIZATION=f"Token {display_token.json()['token']}")
    assert client.get("/api/cases/").status_code == 403


def test_session_writes_need_the_csrf_token(org, walk):
    case = walk.dispatched()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(org.officer_a)
    before = state(case.id)
    response = client.post(f"/api/cases/{case.id}/respond/", {}, format="json")
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    assert state(case.id) == before


# ---------------------------------------------------------------- queries


def _cases(org, n: int) -> None:
    tags = [Tag.objects.get_or_create(name=name)[0] for name in ("每月一题", "住有所居")]
    for _ in range(n):
        case = CaseFactory.create(
            status=Status.DISPATCHED,
            pairing=org.pairing_a,
            community=org.a,
            department=org.d1,
            handler=org.officer_a,
        )
        case.tags.set(tags)


@pytest.mark.parametrize("role", ["clerk", "secretary_a", "chief_a"])
def test_list_page_query_count_does_not_grow_with_the_page_size(org, role):
    client = api(getattr(org, role))
    counts = {}
    for n in (5, 50):
        Case.objects.all().delete()
        _cases(org, n)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/cases/", {"page_size": n})
        assert response.json()["count"] == n
        counts[n] = len(queries)
    assert counts[5] == counts[50], counts


def test_extension_list_query_count_does_not_grow_with_the_page_size(org, walk):
    client = api(org.leader)
    counts = {}
    for n in (2, 12):
        ExtensionRequest.objects.all().delete()
        for _ in range(n):
            case = walk.dispatched()
            services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=2, reason="协调")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/extensions/").json()["count"] == n
        counts[n] = len(queries)
    assert counts[2] == counts[12], counts


def test_detail_query_count_does_not_grow_with_the_timeline(org, walk):
    client = api(org.leader)
    counts = []
    for supervisions in (1, 10):
        case = walk.dispatched()
        for i in range(supervisions):
            services.case_supervise(case_id=case.id, actor=org.supervisor, kind="phone", note=f"第{i + 1}次催办")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/cases/{case.id}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# ---------------------------------------------------------------- OpenAPI


def test_schema_of_the_case_and_organisation_api_has_no_warnings():
    patterns = [path("api/", include("cases.api.urls")), path("api/", include("communities.urls"))]
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
    assert {"/api/cases/{id}/sign-reply/", "/api/extensions/{id}/decide/", "/api/pairings/{id}/handlers/"} <= set(
        schema["paths"]
    )


def test_the_whole_api_schema_has_no_warnings():
    """Every app's endpoints together (as /api/schema/ serves them): no two
    components or enums with one name, no choice set with two names."""
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache, (
        dict(GENERATOR_STATS._warn_cache),
        dict(GENERATOR_STATS._error_cache),
    )
    names = schema["components"]["schemas"]
    assert {"OpenDoneStatusEnum", "CaseActionEnum", "SlipSimilarCase", "SimilarCase"} <= set(names)


def test_docs_page_loads_with_local_files_only(client, org):
    for url in ("/api/docs/", "/api/schema/"):
        assert client.get(url).status_code in (401, 403), url  # not for the public
    client.force_login(org.clerk)
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    urls = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    # Swagger UI's start-up code comes from the docs view itself (no inline script under the CSP).
    assert all(url.startswith("/static/") or url.startswith("/api/docs/?") for url in urls), urls
    assert not re.findall(r"https?://", html), "no CDN or other host"
    assert "//" not in "".join(re.findall(r"url:\s*\"([^\"]*)\"", html))
    for url in urls:
        assert client.get(url).status_code == 200, url
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/cases/{id}/dispatch/" in schema.content
