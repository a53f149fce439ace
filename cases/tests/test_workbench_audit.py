"""Bad input on every workbench form, as a clerk or a forger would send it:
each gets a clear Chinese message, a 4xx where the request itself is wrong,
never a 500, and changes nothing."""

import re

import pytest
from django.urls import reverse

from cases.models import Case, CaseEvent, ExtensionRequest, Signature, text_sha256
from cases.transitions import Status

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def step_url(case, step: str) -> str:
    return reverse("case-step", args=[case.pk, step])


def events(case) -> int:
    return CaseEvent.objects.filter(case=case).count()


REGISTER = {"channel": "visit", "urgency": "general", "title": "楼道堆物", "content": "3号楼楼道堆满杂物"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "必填"),
        ("title", "长" * 201, "200"),
        ("channel", "fax", "有效"),
        ("urgency", "whenever", "有效"),
        ("caller_phone", "call me", "请输入有效的电话号码"),
        ("received_at", "yesterday", "日期"),
        ("reported_community", "999999", "有效"),
        ("tags", "标" * 40, "32"),
    ],
)
def test_register_refuses_bad_input_at_the_field(client, org, field, value, message):
    client.force_login(org.clerk)
    response = client.post(reverse("case-register"), {**REGISTER, field: value})
    assert response.status_code == 400
    errors = response.context["form"].errors[field]
    assert message in errors[0]
    assert f"field-{field}" in html(response) and errors[0] in html(response)
    assert not Case.objects.exists()


def test_an_unknown_step_is_not_found_and_changes_nothing(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_a)
    before = events(case)
    response = client.post(step_url(case, "close"), {"note": "x"})
    assert response.status_code == 404
    assert events(case) == before


@pytest.mark.parametrize(
    ("role", "step", "data"),
    [
        ("officer_a", "sign_reply", {}),
        ("officer_a", "exclude", {"reason": "outside_duties", "note": "x"}),
        ("officer_a", "exclude", {"reason": "", "note": ""}),
        ("chief_a", "callback", {"contacted": "yes", "resolved": "yes", "satisfaction": "satisfied", "valid": "yes"}),
        ("secretary_a", "supervise", {"kind": "phone", "note": "x"}),
        ("supervisor", "reply", {"text": "x"}),
    ],
)
def test_a_forged_step_of_another_role_is_refused_with_a_message(client, org, walk, role, step, data):
    case = walk.replied()
    if step == "sign_reply":
        data = {"expected_sha256": text_sha256(case.reply_text)}
    client.force_login(getattr(org, role))
    before = events(case)
    response = client.post(step_url(case, step), data, follow=True)
    assert response.status_code < 500
    assert "不能" in html(response)
    assert events(case) == before
    assert not Signature.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"contacted": "maybe", "resolved": "yes", "satisfaction": "satisfied", "valid": "yes"}, "contacted"),
        ({"contacted": "yes", "resolved": "yes", "satisfaction": "thrilled", "valid": "yes"}, "satisfaction"),
        ({"contacted": "yes", "resolved": "yes", "satisfaction": "satisfied"}, "valid"),
        (
            {
                "contacted": "yes",
                "resolved": "yes",
                "satisfaction": "satisfied",
                "valid": "yes",
                "called_at": "2099-01-01T08:00",
            },
            "called_at",
        ),
        (
            {"contacted": "yes", "resolved": "yes", "satisfaction": "satisfied", "valid": "yes", "called_at": "x"},
            "called_at",
        ),
    ],
)
def test_callback_bad_values_are_shown_at_the_field(client, org, walk, data, field):
    case = walk.closed()
    client.force_login(org.clerk)
    before = events(case)
    response = client.post(step_url(case, "callback"), data)
    assert response.status_code == 400
    form = response.context["forms"]["callback"]
    assert form.errors[field]
    assert form.errors[field][0] in html(response)
    assert events(case) == before
    assert Case.objects.get(pk=case.pk).callback_at is None


@pytest.mark.parametrize("days", ["0", "31", "三", ""])
def test_extension_days_out_of_range_are_refused_at_the_field(client, org, walk, days):
    case = walk.responded()
    client.force_login(org.officer_a)
    response = client.post(step_url(case, "extension"), {"working_days": days, "reason": "等待施工"})
    assert response.status_code == 400
    assert response.context["forms"]["extension"].errors["working_days"]
    assert not ExtensionRequest.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("step", "data", "field"),
    [
        ("supervise", {"kind": "email", "note": "催办"}, "kind"),
        ("supervise", {"kind": "phone", "note": ""}, "note"),
        ("exclude", {"reason": "bored", "note": "x"}, "reason"),
        ("exclude", {"reason": "outside_duties", "note": ""}, "note"),
    ],
)
def test_leader_and_supervisor_forms_refuse_bad_values(client, org, walk, step, data, field):
    case = walk.responded()
    client.force_login(org.supervisor if step == "supervise" else org.leader)
    before = events(case)
    response = client.post(step_url(case, step), data)
    assert response.status_code == 400
    assert response.context["forms"][step].errors[field]
    assert events(case) == before


@pytest.mark.parametrize("sha", ["", "abc", "0" * 64])
def test_a_signature_with_a_missing_or_forged_digest_is_refused(client, org, walk, sha):
    case = walk.replied()
    client.force_login(org.secretary_a)
    response = client.post(step_url(case, "sign_reply"), {"expected_sha256": sha}, follow=True)
    assert response.status_code in (200, 400)
    assert "alert" in html(response)
    assert not Signature.objects.filter(case=case).exists()


def _pending_extension(org, walk):
    from cases import services

    case = walk.responded()
    services.case_request_extension(case_id=case.id, actor=org.officer_a, working_days=3, reason="等待施工")
    return case, ExtensionRequest.objects.get(case=case)


def test_extension_decision_by_a_non_leader_is_refused(client, org, walk):
    case, req = _pending_extension(org, walk)
    client.force_login(org.secretary_a)
    response = client.post(
        reverse("case-extension-decide", args=[case.pk, req.pk]), {"decision": "approve"}, follow=True
    )
    assert response.status_code < 500
    assert "不能" in html(response)
    assert ExtensionRequest.objects.get(pk=req.pk).decision == "pending"


def test_extension_decision_with_a_forged_value_or_request_is_refused(client, org, walk):
    case, req = _pending_extension(org, walk)
    other = walk.dispatched(title="另一件")
    client.force_login(org.leader)
    response = client.post(reverse("case-extension-decide", args=[case.pk, req.pk]), {"decision": "maybe"}, follow=True)
    assert "请选择批准或不批准" in html(response)
    response = client.post(
        reverse("case-extension-decide", args=[other.pk, req.pk]), {"decision": "approve"}, follow=True
    )
    assert "延期申请不存在" in html(response)
    assert ExtensionRequest.objects.get(pk=req.pk).decision == "pending"


def test_an_extension_note_too_long_says_so(client, org, walk):
    case, req = _pending_extension(org, walk)
    client.force_login(org.leader)
    url = reverse("case-extension-decide", args=[case.pk, req.pk])
    response = client.post(url, {"decision": "approve", "note": "长" * 501}, follow=True)
    assert "请选择批准或不批准" not in html(response)
    assert "审批意见不能超过500字（现为501字）" in html(response)
    assert ExtensionRequest.objects.get(pk=req.pk).decision == "pending"


def test_a_second_extension_decision_is_explained(client, org, walk):
    case, req = _pending_extension(org, walk)
    client.force_login(org.leader)
    url = reverse("case-extension-decide", args=[case.pk, req.pk])
    client.post(url, {"decision": "approve"})
    deadline = Case.objects.get(pk=case.pk).closure_deadline
    response = client.post(url, {"decision": "refuse"}, follow=True)
    assert "已" in html(response)
    assert ExtensionRequest.objects.get(pk=req.pk).decision == "approved"
    assert Case.objects.get(pk=case.pk).closure_deadline == deadline


def test_dispatch_with_forged_values_is_refused_at_the_field(client, org, walk):
    case = walk.registered()
    client.force_login(org.clerk)
    url = reverse("case-dispatch", args=[case.pk])
    for data, field in (
        ({"pairing": "999999", "handler": org.officer_a.pk}, "pairing"),
        ({"pairing": org.pairing_a.pk, "handler": "abc"}, "handler"),
        ({"pairing": org.pairing_a.pk, "handler": org.leader.pk}, "handler"),
    ):
        response = client.post(url, data)
        assert response.status_code == 400
        assert response.context["form"].errors[field]
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_dispatch_of_a_case_out_of_scope_or_missing_is_404(client, org, walk):
    client.force_login(org.clerk)
    assert client.get(reverse("case-dispatch", args=[999999])).status_code == 404
    assert client.post(reverse("case-redispatch", args=[999999]), {}).status_code == 404


def test_handler_options_with_garbage_pairing_lists_nobody(client, org):
    client.force_login(org.clerk)
    for value in ("", "abc", "99999999999999999999999", "-1"):
        response = client.get(reverse("case-handler-options"), {"pairing": value})
        assert response.status_code == 200
        assert "请先选择包片" in html(response)


@pytest.mark.parametrize(
    "url", ["/cases/search/?page=abc", "/cases/inbox/?step=evil&page=-1", "/cases/queue/?page=99999"]
)
def test_list_pages_survive_garbage_parameters(client, org, walk, url):
    walk.dispatched()
    client.force_login(org.clerk if "queue" in url or "search" in url else org.officer_a)
    assert client.get(url).status_code == 200


def test_get_on_a_step_url_is_405(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_a)
    assert client.get(step_url(case, "respond")).status_code == 405


def test_an_invalid_forged_step_shows_no_form_of_that_step(client, org, walk):
    case = walk.replied()
    client.force_login(org.officer_a)
    response = client.post(step_url(case, "exclude"), {"reason": "", "note": ""}, follow=True)
    page = html(response)
    assert "您现在不能核减" in page
    assert 'id="step-exclude"' not in page


def test_the_callback_form_starts_as_a_valid_callback(client, org, walk):
    case = walk.closed()
    client.force_login(org.clerk)
    page = html(client.get(reverse("case-detail", args=[case.pk])))
    assert 'name="valid" value="yes" class="form-check-input" id="id_callback_valid_0" required checked' in page


def test_a_tag_longer_than_the_tag_table_allows_is_refused_at_the_field(client, org):
    client.force_login(org.clerk)
    response = client.post(reverse("case-register"), {**REGISTER, "tags": "每月一题，" + "标" * 33})
    assert response.status_code == 400
    assert "每个标签不超过32个字" in response.context["form"].errors["tags"][0]
    assert not Case.objects.exists()


def test_each_sign_button_is_described_by_its_case(client, org, walk):
    walk.replied(title="电梯停运")
    walk.replied(title="路灯不亮")
    client.force_login(org.secretary_a)
    page = html(client.get(reverse("signature-waiting")))
    described = re.findall(
        r'<button type="submit" class="btn btn-success" aria-describedby="([^"]+)">签字</button>', page
    )
    assert len(described) == 2
    for target in described:
        assert f'id="{target}"' in page


def test_a_forged_csrf_token_is_refused_and_changes_nothing(org):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org.clerk)
    client.get(reverse("case-register"))
    response = client.post(reverse("case-register"), {**REGISTER, "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert "表单已失效" in html(response)
    assert not Case.objects.exists()


def test_a_second_callback_is_explained_and_keeps_the_first(client, org, walk):
    case = walk.closed()
    client.force_login(org.clerk)
    data = {"contacted": "yes", "resolved": "no", "satisfaction": "unsatisfied", "valid": "yes"}
    client.post(step_url(case, "callback"), data)
    first = Case.objects.get(pk=case.pk)
    response = client.post(
        step_url(case, "callback"), {**data, "resolved": "yes", "satisfaction": "satisfied"}, follow=True
    )
    assert response.status_code == 200
    assert "不能录入回访" in html(response)
    again = Case.objects.get(pk=case.pk)
    assert (again.callback_resolved, again.callback_satisfaction, again.status) == (
        first.callback_resolved,
        first.callback_satisfaction,
        Status.NEEDS_EXPLANATION,
    )
