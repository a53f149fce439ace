"""The workbench pages through Django's test client: who may open what, CSRF,
validation messages next to the field, a second submit, escaping and masking."""

import pytest
from django.test import Client
from django.urls import reverse

from cases import services
from cases.models import Case, CaseEvent, ExtensionRequest, Signature, text_sha256
from cases.tests.factories import REPLY_FORM_FACTS, signed_sha256
from cases.transitions import Action, Status

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def step_url(case, step: str) -> str:
    return reverse("case-step", args=[case.pk, step])


# ---------------------------------------------------------------- scoping and roles


def test_an_officer_of_another_community_gets_404_for_page_and_step(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_b)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    response = client.post(step_url(case, "respond"), {"note": ""})
    assert response.status_code == 404
    assert not CaseEvent.objects.filter(case=case, action=Action.RESPOND).exists()


def test_a_chief_of_another_pairing_gets_404(client, org, walk):
    case = walk.replied()
    client.force_login(org.chief_b)
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    response = client.post(step_url(case, "sign_reply"), {"expected_sha256": text_sha256(case.reply_text)})
    assert response.status_code == 404
    assert not Signature.objects.filter(case=case).exists()


def test_the_lobby_display_is_sent_to_the_board_from_case_pages(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.display)
    for url in (reverse("case-detail", args=[case.pk]), reverse("case-search"), reverse("case-queue")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == "/board/"


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        ("officer_a", "case-queue"),
        ("officer_a", "case-register"),
        ("clerk", "case-inbox"),
        ("clerk", "signature-waiting"),
        ("officer_a", "extension-list"),
        ("chief_a", "street-overview"),
        ("secretary_a", "case-overdue"),
    ],
)
def test_pages_of_other_roles_are_refused(client, org, role, url_name):
    client.force_login(getattr(org, role))
    response = client.get(reverse(url_name))
    assert response.status_code == 403
    assert "您的岗位不能使用此页面" in html(response)


def test_a_role_may_take_only_its_own_steps(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.clerk)
    response = client.post(step_url(case, "respond"), {"note": ""}, follow=True)
    assert "不能执行" in html(response)
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


# ---------------------------------------------------------------- CSRF


def test_a_post_without_csrf_token_is_refused_and_changes_nothing(org, walk):
    case = walk.dispatched()
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.officer_a)
    response = client.post(step_url(case, "respond"), {"note": "x"})
    assert response.status_code == 403
    assert "表单已失效" in html(response)
    assert Case.objects.get(pk=case.pk).status == Status.DISPATCHED


def test_forms_carry_a_csrf_token(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_a)
    assert html(client.get(reverse("case-detail", args=[case.pk]))).count("csrfmiddlewaretoken") >= 2


# ---------------------------------------------------------------- the steps


def test_clerk_registers_a_case_from_another_channel(client, org):
    client.force_login(org.clerk)
    page = client.get(reverse("case-register"))
    ticket_no = page.context["form"].initial["ticket_no"]
    response = client.post(
        reverse("case-register"),
        {
            "channel": "paper_slip",
            "ticket_no": ticket_no,
            "urgency": "general",
            "caller_name": "李四",
            "caller_phone": "13900001111",
            "reported_community": org.a.pk,
            "title": "楼道堆物",
            "content": "5号楼楼道堆放杂物",
            "tags": "每月一题，安全性",
        },
    )
    case = Case.objects.get(ticket_no=ticket_no)
    assert response.status_code == 302
    assert response["Location"] == reverse("case-dispatch", args=[case.pk])
    assert case.channel == "paper_slip"
    assert sorted(case.tags.values_list("name", flat=True)) == ["安全性", "每月一题"]


def test_register_shows_chinese_messages_next_to_the_fields(client, org):
    client.force_login(org.clerk)
    response = client.post(reverse("case-register"), {"channel": "hotline", "urgency": "general", "caller_phone": "x"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["title"] == ["该字段是必填项。"]
    assert form.errors["caller_phone"] == ["请输入有效的电话号码。"]
    page = html(response)
    assert 'id="id_title"' in page and "is-invalid" in page
    assert not Case.objects.exists()


def test_a_second_submit_of_the_register_form_creates_no_second_case(client, org):
    client.force_login(org.clerk)
    data = {
        "channel": "wechat",
        "ticket_no": "JD-TWICE-1",
        "urgency": "general",
        "title": "噪音",
        "content": "夜间施工",
    }
    client.post(reverse("case-register"), data)
    response = client.post(reverse("case-register"), data, follow=True)
    assert "请勿重复提交" in html(response)
    assert Case.objects.filter(ticket_no="JD-TWICE-1").count() == 1


def test_a_ticket_number_taken_by_another_case_is_shown_at_the_field(client, org, walk):
    walk.registered(ticket_no="T-1")
    other_clerk_case = Case.objects.get(ticket_no="T-1")
    other_clerk_case.created_by = None
    other_clerk_case.save(update_fields=["created_by"])
    client.force_login(org.clerk)
    data = {"channel": "hotline", "ticket_no": "T-1", "urgency": "general", "title": "噪音", "content": "夜间施工"}
    response = client.post(reverse("case-register"), data)
    assert response.status_code == 400
    assert response.context["form"].errors["ticket_no"] == ["工单编号 T-1 已存在。"]


def test_dispatch_suggests_the_pairing_of_the_reported_community(client, org, walk):
    case = walk.registered(reported_community=org.b)
    client.force_login(org.clerk)
    response = client.get(reverse("case-dispatch", args=[case.pk]))
    form = response.context["form"]
    assert form.initial["pairing"] == org.pairing_b.pk
    labels = [label for _, label in form.fields["handler"].choices]
    assert any("周社工" in label for label in labels)
    assert not any("钱社工" in label for label in labels)
    assert 'hx-get="/cases/handlers/"' in html(response)


def test_handler_options_follow_the_pairing(client, org):
    client.force_login(org.clerk)
    response = client.get(reverse("case-handler-options"), {"pairing": org.pairing_a.pk})
    assert "钱社工" in html(response) and "孙书记" in html(response)
    assert "周社工" not in html(response)
    assert "请先选择包片" in html(client.get(reverse("case-handler-options"), {"pairing": "x"}))


def test_dispatch_then_second_dispatch_is_refused_with_a_message(client, org, walk):
    case = walk.registered()
    client.force_login(org.clerk)
    data = {"pairing": org.pairing_a.pk, "handler": org.officer_a.pk, "note": ""}
    assert client.post(reverse("case-dispatch", args=[case.pk]), data).status_code == 302
    response = client.post(reverse("case-dispatch", args=[case.pk]), data, follow=True)
    assert "不能派发" in html(response)
    assert CaseEvent.objects.filter(case=case, action=Action.DISPATCH).count() == 1


def test_dispatch_to_a_handler_of_another_community_is_refused_at_the_field(client, org, walk):
    case = walk.registered()
    client.force_login(org.clerk)
    data = {"pairing": org.pairing_a.pk, "handler": org.officer_b.pk}
    response = client.post(reverse("case-dispatch", args=[case.pk]), data)
    assert response.status_code == 400
    assert response.context["form"].errors["handler"]
    assert Case.objects.get(pk=case.pk).status == Status.REGISTERED


def test_redispatch_needs_a_reason(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.clerk)
    data = {"pairing": org.pairing_b.pk, "handler": org.officer_b.pk, "reason": ""}
    response = client.post(reverse("case-redispatch", args=[case.pk]), data)
    assert response.context["form"].errors["reason"] == ["该字段是必填项。"]
    data["reason"] = "属和平社区"
    assert client.post(reverse("case-redispatch", args=[case.pk]), data).status_code == 302
    assert Case.objects.get(pk=case.pk).community == org.b


def test_respond_twice_records_one_event_and_explains_the_second(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.officer_a)
    client.post(step_url(case, "respond"), {"note": "已电话联系"})
    response = client.post(step_url(case, "respond"), {"note": "已电话联系"}, follow=True)
    assert "不能联系来电人" in html(response)
    assert CaseEvent.objects.filter(case=case, action=Action.RESPOND).count() == 1


def test_reply_errors_are_shown_next_to_the_text(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    response = client.post(step_url(case, "reply"), {"text": "  "})
    assert response.status_code == 400
    assert 'id="id_reply_text"' in html(response)
    assert "该字段是必填项。" in html(response)
    client.post(step_url(case, "reply"), {"text": "已修复", **REPLY_FORM_FACTS})
    response = client.post(step_url(case, "reply"), {"text": "已修复", **REPLY_FORM_FACTS})
    assert response.status_code == 400
    assert response.context["forms"]["reply"].errors["text"] == ["办理结果没有变化。"]


def test_signing_a_text_changed_meanwhile_is_refused(client, org, walk):
    case = walk.replied(text="原文本")
    seen = text_sha256("原文本")
    services.case_reply(case_id=case.pk, actor=org.officer_a, text="新文本")
    client.force_login(org.secretary_a)
    response = client.post(step_url(case, "sign_reply"), {"expected_sha256": seen}, follow=True)
    assert "文本已被修改" in html(response)
    assert not Signature.objects.filter(case=case).exists()


def test_double_signature_closes_the_case_and_a_second_click_is_refused(client, org, walk):
    case = walk.replied()
    digest = text_sha256(case.reply_text)
    client.force_login(org.secretary_a)
    client.post(step_url(case, "sign_reply"), {"expected_sha256": digest})
    response = client.post(step_url(case, "sign_reply"), {"expected_sha256": digest}, follow=True)
    assert "已签字，无需重复签字" in html(response)
    client.force_login(org.chief_a)
    response = client.post(step_url(case, "sign_reply"), {"expected_sha256": digest}, follow=True)
    assert "双签完成，案件已办结" in html(response)
    assert Case.objects.get(pk=case.pk).status == Status.CLOSED
    assert Signature.objects.filter(case=case, voided_at__isnull=True).count() == 2


def test_signature_list_shows_exactly_the_text_and_its_digest(client, org, walk):
    case = walk.replied(text="已联系物业<b>修复</b>电梯。")
    client.force_login(org.chief_a)
    page = html(client.get(reverse("signature-waiting")))
    assert "已联系物业&lt;b&gt;修复&lt;/b&gt;电梯。" in page
    assert text_sha256(case.reply_text) in page
    services.case_sign_reply(case_id=case.pk, actor=org.chief_a, expected_sha256=signed_sha256(case.pk, "reply_text"))
    assert case.title not in html(client.get(reverse("signature-waiting")))


def test_voided_signatures_stay_visible_on_the_case_page(client, org, walk):
    case = walk.replied(text="第一稿")
    services.case_sign_reply(
        case_id=case.pk, actor=org.secretary_a, expected_sha256=signed_sha256(case.pk, "reply_text")
    )
    services.case_reply(case_id=case.pk, actor=org.officer_a, text="第二稿")
    client.force_login(org.secretary_a)
    page = html(client.get(reverse("case-detail", args=[case.pk])))
    assert "已作废" in page and "办理结果已修改" in page
    assert "待签" in page


def test_callback_form_validates_and_a_single_negative_asks_for_an_explanation(client, org, walk):
    case = walk.closed()
    client.force_login(org.clerk)
    response = client.post(step_url(case, "callback"), {"contacted": "yes"})
    assert response.status_code == 400
    errors = response.context["forms"]["callback"].errors
    assert set(errors) == {"resolved", "satisfaction", "valid"}
    data = {"contacted": "yes", "resolved": "no", "satisfaction": "basic", "valid": "yes", "note": ""}
    response = client.post(step_url(case, "callback"), data, follow=True)
    assert "单否" in html(response)
    assert Case.objects.get(pk=case.pk).status == Status.NEEDS_EXPLANATION


def test_explanation_is_written_and_signed_by_both(client, org, walk):
    case = walk.needs_explanation()
    client.force_login(org.officer_a)
    client.post(step_url(case, "explanation"), {"text": "业主拒绝配合"})
    digest = text_sha256("业主拒绝配合")
    for signer in (org.secretary_a, org.chief_a):
        client.force_login(signer)
        client.post(step_url(case, "sign_explanation"), {"expected_sha256": digest})
    assert Case.objects.get(pk=case.pk).status == Status.EXPLAINED


def test_extension_request_and_the_leaders_decision(client, org, walk):
    case = walk.responded()
    old_deadline = case.closure_deadline
    client.force_login(org.officer_a)
    response = client.post(step_url(case, "extension"), {"working_days": "0", "reason": ""})
    errors = response.context["forms"]["extension"].errors
    assert "working_days" in errors and "reason" in errors
    client.post(step_url(case, "extension"), {"working_days": "3", "reason": "需协调产权单位"})
    response = client.post(step_url(case, "extension"), {"working_days": "3", "reason": "需协调产权单位"}, follow=True)
    assert "已有待审批的延期申请" in html(response)
    request = ExtensionRequest.objects.get(case=case)
    client.force_login(org.leader)
    assert "需协调产权单位" in html(client.get(reverse("extension-list")))
    url = reverse("case-extension-decide", args=[case.pk, request.pk])
    client.post(url, {"decision": "approve", "note": "同意", "next": reverse("extension-list")})
    response = client.post(url, {"decision": "approve", "note": "同意"}, follow=True)
    assert "该延期申请已审批" in html(response)
    assert Case.objects.get(pk=case.pk).closure_deadline > old_deadline


def test_supervision_is_recorded_once(client, org, walk):
    case = walk.dispatched()
    client.force_login(org.supervisor)
    response = client.post(step_url(case, "supervise"), {"kind": "", "note": ""})
    assert set(response.context["forms"]["supervise"].errors) == {"kind", "note"}
    client.post(step_url(case, "supervise"), {"kind": "phone", "note": "已电话督导社区"})
    response = client.post(step_url(case, "supervise"), {"kind": "phone", "note": "已电话督导社区"}, follow=True)
    assert "请勿重复提交" in html(response)
    assert CaseEvent.objects.filter(case=case, action=Action.SUPERVISE).count() == 1
    assert "电话督导" in html(client.get(reverse("case-detail", args=[case.pk])))


def test_exclusion_with_a_typed_reason_and_its_undo(client, org, walk):
    case = walk.closed()
    client.force_login(org.leader)
    response = client.post(step_url(case, "exclude"), {"reason": "", "note": "x"})
    assert response.context["forms"]["exclude"].errors["reason"]
    client.post(step_url(case, "exclude"), {"reason": "untrue", "note": "经核实不属实"})
    assert Case.objects.get(pk=case.pk).exclusion_reason == "untrue"
    page = html(client.get(reverse("case-detail", args=[case.pk])))
    assert "已核减" in page and "撤销核减" in page
    client.post(step_url(case, "restore"), {"note": "复核后恢复"})
    assert Case.objects.get(pk=case.pk).exclusion_reason == ""


# ---------------------------------------------------------------- lists


def test_intake_queue_puts_urgent_and_returned_cases_in(client, org, walk):
    general = walk.registered(title="一般案件")
    urgent = walk.registered(title="燃气泄漏", urgency="emergency")
    returned = walk.dispatched(title="退回案件")
    services.case_return(case_id=returned.pk, actor=org.officer_a, reason="不属本社区")
    walk.dispatched(title="已派案件")
    client.force_login(org.clerk)
    response = client.get(reverse("case-queue"))
    titles = [case.title for case in response.context["page"]]
    assert titles[0] == urgent.title
    assert set(titles) == {general.title, urgent.title, returned.title}


def test_officer_inbox_by_step(client, org, walk):
    walk.dispatched(title="待联系的")
    walk.responded(title="待回复的")
    client.force_login(org.officer_a)
    response = client.get(reverse("case-inbox"), {"step": "contact"})
    assert [c.title for c in response.context["page"]] == ["待联系的"]
    response = client.get(reverse("case-inbox"), {"step": "reply"}, HTTP_HX_REQUEST="true")
    assert [c.title for c in response.context["page"]] == ["待回复的"]
    assert "<html" not in html(response)  # htmx gets the list only
    client.force_login(org.officer_b)
    assert not client.get(reverse("case-inbox"), {"step": "contact"}).context["page"].object_list


def test_deadline_board_overview_and_overdue_list(client, org, walk):
    case = walk.dispatched(title="超期案件")
    Case.objects.filter(pk=case.pk).update(closure_deadline=case.dispatched_at.replace(year=2020))
    client.force_login(org.clerk)
    response = client.get(reverse("case-deadlines"))
    overdue = response.context["sections"][0]
    assert overdue["key"] == "overdue" and overdue["count"] == 1
    assert "deadline-overdue" in html(response)
    client.force_login(org.supervisor)
    assert "超期案件" in html(client.get(reverse("case-overdue")))
    client.force_login(org.leader)
    response = client.get(reverse("street-overview"))
    assert response.context["overview"]["totals"]["overdue"] == 1
    assert response.status_code == 200


# ---------------------------------------------------------------- escaping and masking


def test_citizen_text_is_escaped_everywhere(client, org, walk):
    script = "<script>alert(1)</script>"
    case = walk.replied(title=script, content=script, address=script)
    for user, url in (
        (org.clerk, reverse("case-detail", args=[case.pk])),
        (org.officer_a, reverse("case-inbox") + "?step=signing"),
        (org.secretary_a, reverse("signature-waiting")),
        (org.leader, reverse("case-detail", args=[case.pk])),
    ):
        client.force_login(user)
        page = html(client.get(url))
        assert script not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url


def test_caller_is_shown_in_full_only_to_those_who_call(client, org, walk):
    case = walk.replied()
    url = reverse("case-detail", args=[case.pk])
    for user in (org.clerk, org.officer_a):
        client.force_login(user)
        page = html(client.get(url))
        assert "张三" in page and "13812341234" in page
    for user in (org.secretary_a, org.chief_a, org.leader, org.supervisor):
        client.force_login(user)
        page = html(client.get(url))
        assert "13812341234" not in page and "张三" not in page
        assert "138****1234" in page and "张*" in page


def test_a_secretary_named_as_handler_sees_the_caller_on_the_case_page(client, org, walk):
    case = walk.registered(caller_name="张三", caller_phone="13812341234")
    services.case_dispatch(case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.secretary_a.id)
    client.force_login(org.secretary_a)
    page = html(client.get(reverse("case-detail", args=[case.pk])))
    assert "张三" in page and "13812341234" in page


# ---------------------------------------------------------------- search


def test_search_uses_the_api_filters_within_the_users_scope(client, org, walk):
    walk.dispatched(title="电梯停运", content="2号楼电梯坏了")
    walk.closed(title="路灯不亮", content="东门路灯不亮")
    client.force_login(org.clerk)
    response = client.get(reverse("case-search"), {"q": "电梯"})
    assert [c.title for c in response.context["page"]] == ["电梯停运"]
    response = client.get(reverse("case-search"), {"status": ["closed"]})
    assert [c.title for c in response.context["page"]] == ["路灯不亮"]
    assert len(client.get(reverse("case-search")).context["page"].object_list) == 2
    client.force_login(org.officer_b)
    assert not client.get(reverse("case-search"), {"q": "电梯"}).context["page"].object_list


def test_search_shows_a_message_for_a_bad_filter_value(client, org, walk):
    walk.dispatched()
    client.force_login(org.clerk)
    response = client.get(reverse("case-search"), {"received_after": "not-a-date"})
    assert response.status_code == 200
    assert "输入一个有效的日期" in html(response)
    assert not response.context["page"].object_list
