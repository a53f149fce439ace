"""The leader's story in a real Chromium: from a case's page, convene a 吹哨
meeting with the property company, record the minutes and two decisions,
mark one done, print the 会议纪要 on A4, and see the meeting on the case's
timeline; the pages also fit a phone's width."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login, screenshot
from governance.meetings_transitions import DecisionStatus, MeetingStatus
from governance.models import Decision, Meeting, Organisation, OrganisationKind

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_leader_convenes_a_meeting_with_the_property_company_and_records_decisions(page, org, walk):
    Organisation.objects.create(
        street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="安居物业", contact_name="王经理"
    )
    case = walk.dispatched(title="3号楼电梯反复停运")
    login(page, org.leader)
    page.goto(f"/cases/{case.pk}/")
    page.get_by_role("link", name="召集吹哨会议").click()

    expect(page.get_by_role("heading", name="召集吹哨会议")).to_be_visible()
    expect(page.get_by_label("关联案件（工单编号或案件ID）")).to_have_value(case.ticket_no)
    page.get_by_label("会议主题").fill("电梯停运多方协调会")
    held_at = timezone.localtime() - dt.timedelta(minutes=30)  # recorded just after it was held
    page.get_by_label("会议时间").fill(held_at.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("会议地点").fill("幸福社区居委会")
    page.get_by_label("会议议程").fill("一、物业说明维修进展；二、明确责任和时限。")
    page.get_by_label("安居物业（物业公司）").check()
    page.get_by_label("居民代表", exact=True).fill("3号楼居民代表")
    screenshot(page, "meeting-new")
    page.get_by_role("button", name="召集会议").click()

    expect(page.get_by_text("吹哨会议已召集")).to_be_visible()
    meeting = Meeting.objects.get()
    expect(page.get_by_test_id("meeting-status")).to_have_text("已安排")
    page.get_by_role("textbox", name="会议纪要").fill("物业承诺两周内更换电梯主板，社区每周公示进度。")
    page.get_by_label("3号楼居民代表 到会").uncheck()
    page.get_by_label("安居物业 出席人").fill("王经理")
    page.get_by_role("button", name="保存纪要").click()
    expect(page.get_by_test_id("meeting-status")).to_have_text("已召开")

    due = (timezone.localdate() + dt.timedelta(days=14)).isoformat()
    page.get_by_role("textbox", name="决定事项", exact=True).fill("更换电梯主板并通过检验")
    page.get_by_label("或：责任单位（外部单位）").select_option(label="安居物业")
    page.get_by_label("街道跟进人（外部单位负责时必填）").select_option(value=str(org.chief_a.pk))
    page.get_by_label("完成期限").fill(due)
    page.get_by_role("button", name="添加决定事项").click()
    expect(page.get_by_text("决定事项已添加")).to_be_visible()

    # The second one without a due date is refused with a clear message, then given one.
    page.locator("summary", has_text="添加决定事项").click()
    page.get_by_role("textbox", name="决定事项", exact=True).fill("社区每周公示维修进度")
    page.get_by_label("责任人（街道人员）").select_option(value=str(org.secretary_a.pk))
    page.get_by_role("button", name="添加决定事项").click()
    expect(page.get_by_text("请填写完成期限")).to_be_visible()
    page.get_by_label("完成期限").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="添加决定事项").click()
    expect(page.get_by_test_id("decision")).to_have_count(2)

    weekly = page.get_by_test_id("decision").filter(has_text="社区每周公示维修进度")
    weekly.get_by_placeholder("完成情况（选填）").fill("已张贴公示")
    weekly.get_by_role("button", name="标记完成").click()
    expect(page.get_by_test_id("decision").filter(has_text="社区每周公示维修进度")).to_contain_text("按期完成")
    screenshot(page, "meeting-detail")
    assert Decision.objects.filter(status=DecisionStatus.DONE).count() == 1
    assert Meeting.objects.get().status == MeetingStatus.HELD

    page.get_by_role("link", name="会议纪要（打印）").click()
    expect(page.get_by_role("heading", name="会议纪要")).to_be_visible()
    expect(page.locator(".app-navbar")).to_have_count(0)
    screenshot(page, "meeting-minutes")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert 1 <= len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) <= 2

    page.goto(f"/cases/{case.pk}/")
    timeline = page.locator(".timeline")
    expect(timeline).to_contain_text("电梯停运多方协调会")
    expect(timeline).to_contain_text("已召开")
    expect(page.locator("#meetings")).to_contain_text("电梯停运多方协调会")
    screenshot(page, "meeting-case-page")
    timeline.get_by_role("link", name="查看吹哨会议").first.click()
    expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/$"))


def test_the_meeting_pages_fit_a_phone(chromium, live_server, org, walk):
    from governance import meetings

    company = Organisation.objects.create(street=org.street, kind=OrganisationKind.PROPERTY_COMPANY, name="安居物业")
    case = walk.dispatched()
    meeting = meetings.meeting_convene(
        actor=org.leader,
        title="电梯停运多方协调会",
        held_at=timezone.now(),
        place="幸福社区居委会",
        agenda="议程",
        case_ids=[case.pk],
        organisation_ids=[company.pk],
        department_ids=[org.d1.pk],
    )
    meetings.meeting_record_minutes(actor=org.leader, meeting_id=meeting.pk, minutes="物业承诺更换主板。")
    meetings.decision_add(
        actor=org.leader,
        meeting_id=meeting.pk,
        text="更换电梯主板",
        organisation_id=company.pk,
        follow_up_id=org.secretary_a.pk,
        due_on=timezone.localdate(),
    )
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN", base_url=live_server.url
    )
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    try:
        login(phone, org.secretary_a)
        for path, name in [
            ("/meetings/", "meetings-list-390"),
            (f"/meetings/{meeting.pk}/", "meeting-detail-390"),
            ("/meetings/new/", "meeting-new-390"),
            ("/meetings/decisions/", "decisions-390"),
            (f"/meetings/{meeting.pk}/minutes/", "meeting-minutes-390"),
        ]:
            phone.goto(path)
            expect(phone.locator("main")).to_be_visible()
            assert fits(phone), path
            screenshot(phone, name)
    finally:
        context.close()
