"""Who sees what and who may do what, for every role × every endpoint.

Each table row is one endpoint; each column one role. A case of another unit
answers 404 (indistinguishable from a missing case), a visible case whose step
the role may not take answers 403, the lobby display gets 403 everywhere and
anonymous callers 401. Every refused step leaves the case exactly as it was."""

import pytest
from rest_framework.test import APIClient

from cases import services
from cases.models import Case, CaseEvent, ExtensionRequest, Signature, text_sha256
from cases.tests.factories import REPLY_API_FACTS

ROLES = (
    "clerk",
    "officer_a",
    "secretary_a",
    "officer_b",
    "chief_a",
    "chief_b",
    "leader",
    "supervisor",
    "display",
    "anonymous",
)


def api(org, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_login(getattr(org, role))
    return client


def state(case_id: int) -> tuple:
    return (
        Case.objects.filter(pk=case_id).values().get(),
        list(CaseEvent.objects.filter(case_id=case_id).values_list("id", flat=True)),
        list(Signature.objects.filter(case_id=case_id).values_list("id", "voided_at")),
        list(ExtensionRequest.objects.filter(case_id=case_id).values_list("id", "decision")),
    )


# ---------------------------------------------------------------- reading


@pytest.fixture
def three_cases(org, walk):
    """A case of community A, one of community B, one not yet dispatched."""
    a = walk.dispatched(title="A的案件")
    b = walk.registered(title="B的案件")
    services.case_dispatch(case_id=b.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id)
    new = walk.registered(title="未派发")
    return {"a": a.id, "b": b.id, "new": new.id}


VISIBLE = {
    "clerk": {"a", "b", "new"},
    "officer_a": {"a"},
    "secretary_a": {"a"},
    "officer_b": {"b"},
    "chief_a": {"a"},
    "chief_b": {"b"},
    "leader": {"a", "b", "new"},
    "supervisor": {"a", "b", "new"},
    "display": None,  # refused outright
    "anonymous": None,
}


@pytest.mark.parametrize("role", ROLES)
def test_list_holds_exactly_the_scoped_cases_and_detail_the_same(org, three_cases, role):
    client = api(org, role)
    response = client.get("/api/cases/")
    expected = VISIBLE[role]
    if expected is None:
        refused = 401 if role == "anonymous" else 403
        assert response.status_code == refused
        assert response.json()["code"] in {"not_authenticated", "permission_denied"}
        assert all(client.get(f"/api/cases/{pk}/").status_code == refused for pk in three_cases.values())
        return
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {three_cases[key] for key in expected}
    for key, pk in three_cases.items():
        detail = client.get(f"/api/cases/{pk}/")
        assert detail.status_code == (200 if key in expected else 404), (key, detail.json())


# ---------------------------------------------------------------- steps


def _restore_setup(org, walk):
    case = walk.closed()
    services.case_exclude(case_id=case.id, actor=org.leader, reason="untrue", note="不属实")
    return case


def _decide_setup(org, walk):
    case = walk.dispatched()
    services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="需协调")
    return case


# step: (case state, request body) — the case is always of community A
STEPS = {
    "dispatch": ("registered", lambda org: {"pairing": org.pairing_a.id, "handler": org.officer_a.id}),
    "redispatch": (
        "dispatched",
        lambda org: {"pairing": org.pairing_b.id, "handler": org.officer_b.id, "reason": "属地错误"},
    ),
    "return": ("dispatched", lambda org: {"reason": "不属本社区"}),
    "respond": ("dispatched", lambda org: {}),
    "reply": ("responded", lambda org: {"text": "已处理。", "facts": REPLY_API_FACTS}),
    "sign-reply": ("replied", lambda org: {"expected_sha256": text_sha256("已联系物业修复电梯。")}),
    "close": ("replied", lambda org: {}),
    "callback": ("closed", lambda org: {"contacted": True, "resolved": True, "satisfaction": "satisfied"}),
    "explanation": ("needs_explanation", lambda org: {"text": "说明。"}),
    "sign-explanation": ("explanation_written", lambda org: {"expected_sha256": text_sha256("业主拒绝配合维修。")}),
    "extension": ("dispatched", lambda org: {"working_days": 3, "reason": "需协调"}),
    "supervise": ("dispatched", lambda org: {"kind": "onsite", "note": "现场督办"}),
    "exclude": ("closed", lambda org: {"reason": "untrue", "note": "不属实"}),
    "restore": (_restore_setup, lambda org: {"note": "恢复"}),
    "decide": (_decide_setup, lambda org: {"approve": True}),
}

# fmt: off
#                      clerk off_a sec_a off_b chf_a chf_b leader super display anon
MATRIX = {
    "register":         (201,  403,  403,  403,  403,  403,  403,  403,  403,    401),
    "dispatch":         (200,  404,  404,  404,  404,  404,  403,  403,  403,    401),
    "redispatch":       (200,  403,  403,  404,  403,  404,  403,  403,  403,    401),
    "return":           (403,  200,  200,  404,  403,  404,  403,  403,  403,    401),
    "respond":          (403,  200,  200,  404,  403,  404,  403,  403,  403,    401),
    "reply":            (403,  200,  200,  404,  403,  404,  403,  403,  403,    401),
    "sign-reply":       (403,  403,  200,  404,  200,  404,  403,  403,  403,    401),
    # Only a double-signed reply closes, and the second signature already does:
    # the roles allowed to close meet a conflict, not a refusal.
    "close":            (409,  403,  409,  404,  409,  404,  403,  403,  403,    401),
    "callback":         (200,  403,  403,  404,  403,  404,  403,  403,  403,    401),
    "explanation":      (403,  200,  200,  404,  403,  404,  403,  403,  403,    401),
    "sign-explanation": (403,  403,  200,  404,  200,  404,  403,  403,  403,    401),
    "extension":        (403,  200,  200,  404,  403,  404,  403,  403,  403,    401),
    "supervise":        (403,  403,  403,  404,  403,  404,  200,  200,  403,    401),
    "exclude":          (403,  403,  403,  404,  403,  404,  200,  403,  403,    401),
    "restore":          (403,  403,  403,  404,  403,  404,  200,  403,  403,    401),
    "decide":           (403,  403,  403,  404,  403,  404,  200,  403,  403,    401),
}
# fmt: on


def _expected(step: str) -> dict[str, int]:
    return dict(zip(ROLES, MATRIX[step], strict=True))


def test_register_is_for_clerks_only(org):
    actual = {}
    for role in ROLES:
        response = api(org, role).post("/api/cases/", {"title": f"{role}登记", "content": "内容"}, format="json")
        actual[role] = response.status_code
    assert actual == _expected("register")
    assert list(Case.objects.values_list("title", flat=True)) == ["clerk登记"]


@pytest.mark.parametrize("step", list(STEPS))
def test_each_step_is_allowed_exactly_to_its_roles_in_scope(org, walk, step):
    setup, body = STEPS[step]
    actual = {}
    for role in ROLES:
        case = setup(org, walk) if callable(setup) else getattr(walk, setup)()
        before = state(case.id)
        client = api(org, role)
        if step == "decide":
            extension = ExtensionRequest.objects.get(case=case)
            response = client.post(f"/api/extensions/{extension.id}/decide/", body(org), format="json")
        else:
            response = client.post(f"/api/cases/{case.id}/{step}/", body(org), format="json")
        actual[role] = response.status_code
        if response.status_code == 200:
            assert response.json()["id"] == case.id
            assert len(state(case.id)[1]) > len(before[1]), "a step appends to the timeline"
        else:
            assert set(response.json()) >= {"code", "detail"}
            assert state(case.id) == before, (role, response.json())
    assert actual == _expected(step)


# ---------------------------------------------------------------- extension requests


@pytest.mark.parametrize("role", ROLES)
def test_extension_list_is_scoped_like_the_cases(org, walk, role):
    a = walk.dispatched()
    services.case_request_extension(case_id=a.id, actor=org.officer_a, working_days=2, reason="A")
    b = walk.registered()
    services.case_dispatch(case_id=b.id, actor=org.clerk, pairing_id=org.pairing_b.id, handler_id=org.officer_b.id)
    services.case_request_extension(case_id=b.id, actor=org.officer_b, working_days=2, reason="B")

    response = api(org, role).get("/api/extensions/", {"decision": "pending"})
    expected = VISIBLE[role]
    if expected is None:
        assert response.status_code == (401 if role == "anonymous" else 403)
        return
    ids = {"a": a.id, "b": b.id}
    assert {row["case"]["id"] for row in response.json()["results"]} == {ids[k] for k in expected if k in ids}


# ---------------------------------------------------------------- organisation


ORG_ENDPOINTS = ["/api/communities/", "/api/departments/", "/api/pairings/", "/api/pairings/{pairing}/handlers/"]


@pytest.mark.parametrize("role", ROLES)
def test_organisation_endpoints_serve_every_role_but_the_display(org, role):
    client = api(org, role)
    codes = {url: client.get(url.format(pairing=org.pairing_a.id)).status_code for url in ORG_ENDPOINTS}
    refused = {"display": {403}, "anonymous": {401}}
    assert set(codes.values()) == refused.get(role, {200}), codes
