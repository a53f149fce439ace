"""The lifecycle done in a real Chromium by the people who do it, plus the
things only a browser shows: htmx, a double click, a <script> in citizen text,
keyboard use and the pages at desktop and phone width."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import Case, CaseEvent, Signature
from cases.transitions import Action, Status
from conftest import login, screenshot

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}


def as_user(page, user) -> None:
    """Log out whoever is logged in, then log in as `user`."""
    page.context.clear_cookies()
    login(page, user)


def expect_message(page, text: str) -> None:
    expect(page.locator(".messages")).to_contain_text(text)


def test_the_whole_journey_in_the_browser(page, org):
    # The dispatch clerk registers a case from another channel and dispatches it.
    page.goto("/accounts/login/")
    screenshot(page, "01-login")
    login(page, org.clerk)
    expect(page.get_by_role("heading", name="待派发")).to_be_visible()
    page.get_by_role("link", name="登记案件").first.click()
    page.get_by_label("来源渠道").select_option(label="纸质意见条")
    page.get_by_label("来电人", exact=True).fill("王大爷")
    page.get_by_label("来电人电话").fill("13900002222")
    page.get_by_label("被反映社区").select_option(label="幸福社区")
    page.get_by_label("标题").fill("小区路灯不亮")
    page.get_by_label("主要内容").fill("幸福小区东门路灯一周不亮，晚上出行不便。")
    screenshot(page, "02-register")
    page.get_by_role("button", name="登记").click()

    expect(page.get_by_role("heading", name="派发案件")).to_be_visible()
    case = Case.objects.get(title="小区路灯不亮")
    # The pairing is suggested from the reported community; the handlers follow it (htmx).
    expect(page.get_by_label("包片（社区+科室）")).to_have_value(str(org.pairing_a.pk))
    page.get_by_label("包片（社区+科室）").select_option(str(org.pairing_b.pk))
    expect(page.locator("#id_handler option", has_text="周社工")).to_have_count(1)
    page.get_by_label("包片（社区+科室）").select_option(str(org.pairing_a.pk))
    expect(page.locator("#id_handler option", has_text="钱社工")).to_have_count(1)
    page.get_by_label("承办人").select_option(str(org.officer_a.pk))
    screenshot(page, "03-dispatch")
    page.get_by_role("button", name="派发").click()
    expect_message(page, "已派发")

    # The community case officer contacts the caller and replies.
    as_user(page, org.officer_a)
    expect(page.get_by_role("heading", name="我的待办")).to_be_visible()
    screenshot(page, "04-officer-inbox")
    page.get_by_role("link", name="小区路灯不亮").click()
    expect(page.get_by_text("13900002222")).to_be_visible()  # the officer calls the caller
    page.get_by_role("button", name="已联系来电人").click()
    expect_message(page, "已联系来电人")
    page.get_by_role("textbox", name="办理结果", exact=True).fill("已联系物业更换东门路灯灯泡，现已恢复照明。")
    page.check("#id_reply_met_caller_1")
    page.get_by_label("办理依据").fill("物业服务合同")
    page.get_by_label("最终办理单位").fill("安苑社区")
    page.check("#id_reply_whistle_1")
    page.check("#id_reply_resolved_0")
    page.get_by_role("button", name="提交办理结果").click()
    expect_message(page, "办理结果已提交")
    screenshot(page, "05-case-replied")

    # The secretary, then the chief, sign exactly that text; the second signature closes the case.
    as_user(page, org.secretary_a)
    expect(page.get_by_role("heading", name="待我签字")).to_be_visible()
    expect(page.locator(".signed-text")).to_contain_text("已联系物业更换东门路灯灯泡，现已恢复照明。")
    expect(page.locator(".signed-text")).to_contain_text("最终办理单位：安苑社区")
    expect(page.get_by_text("13900002222")).to_have_count(0)
    screenshot(page, "06-signatures")
    page.get_by_role("button", name="签字").click()
    expect_message(page, "等待另一位签字人签字")
    as_user(page, org.chief_a)
    page.get_by_role("button", name="签字").click()
    expect_message(page, "双签完成，案件已办结")
    case.refresh_from_db()
    assert case.status == Status.CLOSED

    # The clerk records a 单否 callback.
    as_user(page, org.clerk)
    page.goto(f"/cases/{case.pk}/")
    callback = page.locator("#step-callback")
    callback.get_by_role("group", name="是否联系").get_by_label("是", exact=True).check()
    callback.get_by_role("group", name="是否解决").get_by_label("否", exact=True).check()
    callback.get_by_role("group", name="是否满意").get_by_label("基本满意", exact=True).check()
    callback.get_by_role("group", name="是否有效回访").get_by_label("是", exact=True).check()
    screenshot(page, "07-callback")
    page.get_by_role("button", name="保存回访结果").click()
    expect_message(page, "单否")

    # The officer writes the explanation; both sign it.
    as_user(page, org.officer_a)
    page.goto("/cases/inbox/?step=explain")
    page.get_by_role("link", name="小区路灯不亮").click()
    page.get_by_role("textbox", name="未解决案件情况说明", exact=True).fill(
        "路灯线路老化需整体改造，已报街道城管科列入改造计划。"
    )
    page.get_by_role("button", name="提交情况说明").click()
    expect_message(page, "情况说明已提交")
    for signer in (org.secretary_a, org.chief_a):
        as_user(page, signer)
        expect(page.locator(".signed-text")).to_contain_text("路灯线路老化")
        page.get_by_role("button", name="签字").click()
        expect_message(page, "已签字")
    case.refresh_from_db()
    assert case.status == Status.EXPLAINED
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator(".timeline-item")).to_have_count(case.events.count())
    screenshot(page, "08-case-explained")
    assert Signature.objects.filter(case=case, voided_at__isnull=True).count() == 4


def test_an_officer_of_another_community_cannot_open_the_case(page, org, walk):
    case = walk.dispatched()
    login(page, org.officer_b)
    expect(page.get_by_role("link", name=case.title)).to_have_count(0)
    response = page.goto(f"/cases/{case.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面或案件不存在")).to_be_visible()
    screenshot(page, "09-not-found")


def test_a_double_click_records_one_step_and_a_stale_second_submit_is_explained(page, org, walk):
    case = walk.dispatched()
    login(page, org.officer_a)
    stale = page.context.new_page()
    stale.goto(f"/cases/{case.pk}/")
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("button", name="已联系来电人").dblclick()
    expect_message(page, "已联系来电人")
    assert CaseEvent.objects.filter(case=case, action=Action.RESPOND).count() == 1
    # The same form sent again from a page opened before: refused with a clear message.
    stale.get_by_role("button", name="已联系来电人").click()
    expect(stale.locator(".messages")).to_contain_text("不能联系来电人")
    screenshot(stale, "10-second-submit")
    assert CaseEvent.objects.filter(case=case, action=Action.RESPOND).count() == 1


def test_a_script_in_citizen_text_is_shown_as_text(page, org, walk):
    script = "<script>alert(1)</script>"
    case = walk.replied(title=script, content=script, text=script)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, org.officer_a)
    page.goto("/cases/inbox/?step=signing")
    expect(page.get_by_role("link", name=script)).to_be_visible()
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator(".case-content")).to_have_text(script)
    as_user(page, org.secretary_a)
    expect(page.locator(".signed-text")).to_have_text(script)
    screenshot(page, "11-script-as-text")
    assert dialogs == []


def test_login_by_keyboard_and_lockout_message(page, org):
    page.goto("/accounts/login/")
    expect(page.get_by_label("用户名")).to_be_focused()
    page.keyboard.type(org.clerk.username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("密码")).to_be_focused()
    page.keyboard.type("wrong-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    for _ in range(5):
        page.get_by_label("用户名").fill(org.clerk.username)
        page.get_by_label("密码").fill("wrong-password")
        page.get_by_role("button", name="登录").click()
        if page.get_by_role("heading", name="登录已暂时锁定").count():
            break
    expect(page.get_by_role("heading", name="登录已暂时锁定")).to_be_visible()
    screenshot(page, "12-lockout")


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_key_pages_at_desktop_and_phone_width(page, org, walk, viewport):
    if viewport == "phone":
        page.set_viewport_size(PHONE)
    dispatched = walk.dispatched(title="3号楼电梯停运", urgency="emergency")
    replied = walk.replied(title="楼道灯不亮")
    walk.registered(title="噪音扰民", reported_community=org.b)
    walk.closed(title="井盖缺失")
    pages = [
        (org.clerk, "/cases/queue/", "queue"),
        (org.clerk, f"/cases/{replied.pk}/", "case"),
        (org.clerk, "/cases/deadlines/", "deadlines"),
        (org.clerk, "/cases/new/", "register"),
        (org.clerk, "/cases/search/?q=楼", "search"),
        (org.officer_a, "/cases/inbox/", "inbox"),
        (org.officer_a, f"/cases/{dispatched.pk}/", "case-officer"),
        (org.secretary_a, "/cases/signatures/", "signatures"),
        (org.leader, "/cases/overview/", "overview"),
        (org.leader, "/cases/extensions/", "extensions"),
        (org.supervisor, "/cases/overdue/", "overdue"),
        (org.supervisor, f"/cases/{dispatched.pk}/", "case-supervisor"),
    ]
    for user, url, name in pages:
        as_user(page, user)
        response = page.goto(url)
        assert response.status == 200, url
        expect(page.locator("h1")).to_be_visible()
        assert _no_horizontal_overflow(page), f"{url} overflows at {viewport}"
        screenshot(page, f"{viewport}-{name}")
    if viewport == "phone":
        # The menu folds into a button that opens by keyboard.
        toggler = page.get_by_role("button", name="展开导航")
        toggler.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("link", name=re.compile("案件查询"))).to_be_visible()
        page.wait_for_selector("#main-nav.show")
        screenshot(page, "phone-menu")


def test_extension_supervision_and_exclusion_in_the_browser(page, org, walk):
    case = walk.responded(title="违建拆除")
    old_deadline = case.closure_deadline
    # The officer asks for more time (the form is folded away until needed).
    login(page, org.officer_a)
    page.goto(f"/cases/{case.pk}/")
    page.locator("summary", has_text="申请延期").click()
    page.get_by_label("延期工作日").fill("5")
    page.get_by_role("textbox", name="延期理由", exact=True).fill("需协调城管执法部门联合拆除")
    page.get_by_role("button", name="提交延期申请").click()
    expect_message(page, "延期申请已提交")

    # The leader approves it from the list.
    as_user(page, org.leader)
    page.get_by_role("link", name="延期审批").click()
    expect(page.get_by_text("需协调城管执法部门联合拆除")).to_be_visible()
    page.get_by_label("审批意见").fill("同意延期")
    screenshot(page, "13-extensions")
    page.get_by_role("button", name="批准", exact=True).click()
    expect_message(page, "已批准延期")
    case.refresh_from_db()
    assert case.closure_deadline > old_deadline

    # The supervisor records a phone supervision on the case page.
    as_user(page, org.supervisor)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("group", name="督办方式").get_by_label("电话督导").check()
    page.get_by_role("textbox", name="督办情况", exact=True).fill("已电话督促社区本周内完成")
    page.get_by_role("button", name="记录督办").click()
    expect_message(page, "督办情况已记录")
    expect(page.locator(".timeline-supervise")).to_contain_text("电话督导")

    # The leader excludes the case with a typed reason, then undoes it.
    as_user(page, org.leader)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_label("核减原因").select_option(label="经核实反映情况不属实")
    page.get_by_role("textbox", name="核减说明", exact=True).fill("现场核实无违建")
    page.get_by_role("button", name="核减", exact=True).click()
    expect_message(page, "已核减")
    screenshot(page, "14-excluded")
    page.get_by_role("textbox", name="撤销理由", exact=True).fill("复核发现确有违建")
    page.get_by_role("button", name="撤销核减").click()
    expect_message(page, "已撤销核减")
    case.refresh_from_db()
    assert case.exclusion_reason == ""
    assert list(case.events.filter(action__in=["exclude", "restore"]).values_list("action", flat=True)) == [
        "exclude",
        "restore",
    ]


def test_every_inbox_step_is_in_view_on_a_phone(page, org, walk):
    page.set_viewport_size(PHONE)
    walk.dispatched()
    login(page, org.officer_a)
    page.goto("/cases/inbox/")
    steps = page.locator(".inbox-tabs .nav-link")
    expect(steps).to_have_count(5)
    for i in range(5):
        box = steps.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], steps.nth(i).inner_text()
    expect(steps.first).to_have_attribute("aria-current", "page")
    # Moving between steps (htmx) keeps the current one marked.
    steps.nth(2).click()
    expect(page.locator(".inbox-tabs .nav-link").nth(2)).to_have_attribute("aria-current", "page")
    screenshot(page, "phone-inbox-steps")


def test_a_form_sent_back_with_errors_puts_the_cursor_in_the_first_field_to_fix(page, org):
    login(page, org.clerk)
    page.goto("/cases/new/")
    page.get_by_label("来源渠道").select_option(label="来访接待")  # no default channel: chosen first
    page.get_by_label("来电人电话").fill("call me")
    page.get_by_role("button", name="登记").click()
    expect(page.locator(".field-error").first).to_be_visible()
    expect(page.get_by_label("来电人电话")).to_be_focused()


def test_the_keyboard_focus_ring_on_fields_is_clearly_visible(page, org, walk):
    case = walk.closed()
    login(page, org.clerk)
    page.goto(f"/cases/{case.pk}/")
    page.locator("#id_callback_contacted_0").focus()
    for expected in ("id_callback_contacted_0", "id_callback_resolved_0"):
        if expected != "id_callback_contacted_0":
            page.keyboard.press("Tab")
        expect(page.locator(f"#{expected}")).to_be_focused()
        page.wait_for_timeout(300)  # Bootstrap animates the ring in
        shadow = page.evaluate("getComputedStyle(document.activeElement).boxShadow")
        alpha = float(re.search(r"rgba\(\d+, \d+, \d+, ([\d.]+)\)", shadow).group(1))
        assert alpha >= 0.35, shadow
    # The callback counts for assessment unless the clerk says otherwise.
    expect(page.locator("#id_callback_valid_0")).to_be_checked()


def test_the_overview_keeps_each_unit_name_on_one_line_on_a_phone(page, org, walk):
    org.a.name = "新源西里北区社区"
    org.a.save(update_fields=["name"])
    walk.dispatched()
    page.set_viewport_size(PHONE)
    login(page, org.leader)
    page.goto("/cases/overview/")
    name = page.locator("th[scope=row]", has_text="新源西里北区社区")
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert name.bounding_box()["height"] < 2 * line + 16, "the unit's name wraps"
    assert _no_horizontal_overflow(page)
    screenshot(page, "phone-overview")


def test_an_htmx_update_after_the_session_ran_out_goes_to_the_login_page(page, org, walk):
    walk.dispatched()
    login(page, org.officer_a)
    page.goto("/cases/inbox/")
    page.context.clear_cookies()
    page.locator(".inbox-tabs .nav-link").nth(1).click()
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    expect(page.locator("h1")).to_have_text("接诉即办工作台")
    expect(page.locator("#inbox")).to_have_count(0)
