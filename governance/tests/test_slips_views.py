"""The slip pages: the public page (no login, CSRF on, limits, HTML as text),
the receipt and status pages, the lead queue and its steps, the posters."""

import pytest
from django.test import Client

from cases.models import Case
from governance import slips
from governance.models import SLIP_TEXT_LIMITS, Slip, SlipCloseReason
from governance.slips_transitions import SlipStatus

pytestmark = pytest.mark.django_db


def post_slip(client, org, **data):
    body = {"problem": "楼道堆物，担心着火。", "compound": "", "building": "", "name": "", "phone": "", "website": ""}
    body.update(data)
    return client.post(f"/slip/{org.a.pk}/", body, REMOTE_ADDR="203.0.113.9")


def test_the_slip_page_opens_without_login_and_lists_known_compounds(client, org, walk):
    walk.registered(compound="幸福小区", reported_community=org.a)
    response = client.get(f"/slip/{org.a.pk}/")
    body = response.content.decode()
    assert response.status_code == 200 and "急难愁盼意见条" in body and "幸福社区" in body
    assert '<option value="幸福小区">' in body and 'name="website"' in body and "csrfmiddlewaretoken" in body


def test_the_slip_page_of_a_missing_community_is_404(client):
    assert client.get("/slip/999999/").status_code == 404


def test_sending_a_slip_answers_with_its_receipt_code(client, org):
    response = post_slip(client, org, phone="13812345678", name="张三", consent="on")
    assert response.status_code == 302 and response.url == "/slip/receipt/"
    slip = Slip.objects.get()
    assert str(slip.client_address) == "203.0.113.9"
    page = client.get("/slip/receipt/").content.decode()
    assert slip.receipt_code[:4] in page and slip.receipt_code[4:8] in page


def test_the_public_form_keeps_csrf(org):
    client = Client(enforce_csrf_checks=True)
    assert post_slip(client, org).status_code == 403
    assert not Slip.objects.exists()


def test_a_filled_honeypot_is_refused_and_nothing_stored(client, org):
    response = post_slip(client, org, website="http://spam.example")
    assert response.status_code == 400 and "提交未被接受" in response.content.decode()
    assert not Slip.objects.exists()


def test_a_too_long_text_is_refused_with_its_limit(client, org):
    response = post_slip(client, org, problem="字" * (SLIP_TEXT_LIMITS["problem"] + 1))
    assert response.status_code == 400 and f"不能超过{SLIP_TEXT_LIMITS['problem']}字" in response.content.decode()
    assert not Slip.objects.exists()


def test_the_sixth_slip_in_an_hour_is_refused(client, org):
    for _ in range(5):
        assert post_slip(client, org).status_code == 302
    response = post_slip(client, org)
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert Slip.objects.count() == 5


def test_html_a_resident_sends_is_shown_as_text(client, org):
    post_slip(client, org, problem="<script>alert(1)</script><b>坏了</b>")
    slip = Slip.objects.get()
    client.force_login(org.clerk)
    body = client.get(f"/slips/{slip.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<b>坏了</b>" not in client.get("/slips/").content.decode()


def test_nothing_a_resident_sends_reaches_the_lobby_board(client, org):
    post_slip(client, org, problem="大厅屏不应出现的意见条内容")
    client.force_login(org.display)
    board = client.get("/board/", follow=True)
    assert "大厅屏不应出现的意见条内容" not in board.content.decode()
    assert client.get("/slips/").status_code == 302  # the display goes back to its board


def test_the_status_page_shows_progress_for_code_and_last_four(client, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了", phone="13812345678", consent=True)
    response = client.post("/slip/status/", {"code": slip.receipt_code, "phone_last4": "5678"})
    assert response.status_code == 200 and "已收到" in response.content.decode()
    response = client.post("/slip/status/", {"code": slip.receipt_code, "phone_last4": "0000"})
    assert response.status_code == 404 and "未找到" in response.content.decode()


def test_the_status_page_is_rate_limited(client, org, settings):
    settings.SLIP_STATUS_RATE_PER_HOUR = 2
    for _ in range(2):
        client.post("/slip/status/", {"code": "ABCDEFGHJKMN"})
    response = client.post("/slip/status/", {"code": "ABCDEFGHJKMN"})
    assert response.status_code == 429 and "查询过于频繁" in response.content.decode()


# ---------------------------------------------------------------- the lead queue


def test_only_clerks_and_leaders_open_the_queue(client, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了")
    for person in (org.clerk, org.leader):
        client.force_login(person)
        assert client.get("/slips/").status_code == 200
        assert client.get(f"/slips/{slip.pk}/").status_code == 200
    for person in (org.officer_a, org.secretary_a, org.chief_a, org.supervisor):
        client.force_login(person)
        assert client.get("/slips/").status_code == 403
        assert client.get(f"/slips/{slip.pk}/").status_code == 403
    client.logout()
    assert client.get("/slips/").status_code == 302


def test_the_clerk_converts_a_slip_and_goes_on_to_dispatch(client, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了", name="张三", phone="13812345678", consent=True)
    client.force_login(org.clerk)
    assert "路灯坏了" in client.get("/slips/").content.decode()
    response = client.post(f"/slips/{slip.pk}/", {"step": "convert", "title": "", "category": "", "urgency": "general"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == f"/cases/{case.pk}/dispatch/"
    assert case.caller_phone == "13812345678"
    slip.refresh_from_db()
    assert slip.status == SlipStatus.CONVERTED
    again = client.post(f"/slips/{slip.pk}/", {"step": "convert", "urgency": "general"})
    assert again.status_code == 409 and Case.objects.count() == 1


def test_the_leader_sees_a_slip_but_has_no_step(client, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="路灯坏了")
    client.force_login(org.leader)
    assert "转为案件</button>" not in client.get(f"/slips/{slip.pk}/").content.decode()
    response = client.post(f"/slips/{slip.pk}/", {"step": "close", "reason": SlipCloseReason.DUPLICATE})
    assert response.status_code == 403
    slip.refresh_from_db()
    assert slip.status == SlipStatus.RECEIVED


def test_the_clerk_closes_a_slip_with_a_reason(client, org):
    slip = slips.slip_submit(community_id=org.a.pk, problem="你好")
    client.force_login(org.clerk)
    assert client.post(f"/slips/{slip.pk}/", {"step": "close", "reason": ""}).status_code == 400
    response = client.post(f"/slips/{slip.pk}/", {"step": "close", "reason": SlipCloseReason.NO_CONTENT})
    assert response.status_code == 302
    slip.refresh_from_db()
    assert slip.status == SlipStatus.CLOSED


def test_the_clerk_types_in_a_paper_slip(client, org):
    client.force_login(org.clerk)
    response = client.post(
        "/slips/paper/",
        {"community": org.b.pk, "problem": "门禁坏了", "compound": "和平里", "name": "", "phone": "", "building": ""},
    )
    slip = Slip.objects.get()
    assert response.status_code == 302 and slip.source == "paper" and slip.community == org.b
    client.force_login(org.leader)
    assert client.get("/slips/paper/").status_code == 403


# ---------------------------------------------------------------- posters


def test_posters_and_paper_slips_carry_a_qr_code_of_the_slip_page(client, org, settings, admin_user):
    settings.SITE_URL = "https://jiesu.example.gov.cn"
    client.force_login(org.leader)
    listing = client.get("/slips/posters/").content.decode()
    assert f"https://jiesu.example.gov.cn/slip/{org.a.pk}/" in listing
    for kind in ("poster", "paper"):
        body = client.get(f"/slips/posters/{org.a.pk}/{kind}/").content.decode()
        assert "<svg" in body and "幸福社区" in body and "@page" not in body  # print CSS lives in slips.css
    assert client.get(f"/slips/posters/{org.a.pk}/flyer/").status_code == 404
    client.force_login(admin_user)  # the admin's link on the community
    assert client.get(f"/slips/posters/{org.a.pk}/poster/").status_code == 200
    admin_page = client.get(f"/admin/communities/community/{org.a.pk}/change/").content.decode()
    assert f"/slips/posters/{org.a.pk}/poster/" in admin_page
