"""约谈 and the weekly meeting in a real Chromium: a leader records a 约谈 from
the figures the product pre-fills and sees them then and now; grades a drawn
case at the meeting and prints the sheet with the answer; a supervision figure
opens exactly the records it counts."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from conftest import login, screenshot
from rankings import services as rankings_services
from rankings.models import MeetingDrawCase
from supervision import talks
from supervision.models import MeetingAnswer, Talk, TalkReason

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def overdue(walk, **kwargs) -> Case:
    case = walk.dispatched(**kwargs)
    Case.objects.filter(pk=case.pk).update(closure_deadline=timezone.now() - dt.timedelta(days=2))
    return case


def test_a_leader_records_a_talk_with_prefilled_figures_and_sees_then_and_now(page, org, walk):
    late = overdue(walk, title="楼道堆物占用消防通道")
    login(page, org.leader)
    page.goto("/supervision/talks/new/")
    page.get_by_label("被约谈单位").select_option(label="社区 · 幸福社区")
    page.get_by_label("约谈原因").select_option(label="超期未办结案件")
    page.get_by_role("button", name="载入数据").click()
    expect(page.locator("#talk-preview")).to_contain_text(late.ticket_no)
    expect(page.get_by_label("原因说明")).to_have_value("幸福社区因超期未办结案件被约谈：超期未办结案件1。")
    page.get_by_label("约谈时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("复查日期").fill(timezone.localdate().isoformat())
    page.get_by_label("参加人员").fill("孙书记、李科长")
    page.get_by_label("整改承诺").fill("三日内办结")
    screenshot(page, "talk-01-prefilled")
    page.get_by_role("button", name="保存约谈").click()
    expect(page.locator(".messages")).to_contain_text("已记录对幸福社区的约谈")
    # The follow-up date is today: the figures then and now side by side.
    compare = page.locator("#talk-compare-table")
    expect(compare).to_contain_text("超期未办结案件")
    expect(compare.locator("[data-then]").first).to_have_text("1")
    expect(compare.locator("[data-now]").first).to_have_text("1")
    assert Talk.objects.get().figures["case_ids"] == [late.pk]
    screenshot(page, "talk-02-then-and-now")
    page.set_viewport_size(PHONE)
    page.reload()
    expect(compare).to_be_visible()
    screenshot(page, "talk-03-then-and-now-phone")


def test_a_leader_grades_a_drawn_case_and_prints_the_meeting_sheet(page, org, walk):
    overdue(walk, title="小区路灯不亮")
    draw = rankings_services.meeting_draw_create(actor=org.leader, count=1)
    item = MeetingDrawCase.objects.get(draw=draw)
    login(page, org.leader)
    page.goto(f"/rankings/meeting/{draw.pk}/")
    row = page.locator(f"#answer-{item.pk}")
    row.get_by_text("记录回答与评定").click()
    row.get_by_label("回答情况").fill("只知道已派下去，进展说不清。")
    row.get_by_label("答不清").check()
    row.get_by_label("跟进事项1").fill("两天内到现场核实")
    row.get_by_label("责任人1").select_option(label="李科长")
    row.get_by_label("完成期限1").fill((timezone.localdate() + dt.timedelta(days=2)).isoformat())
    screenshot(page, "meeting-01-answer-form")
    row.get_by_role("button", name="保存问询记录").click()
    expect(page.locator(".messages")).to_contain_text("问询记录已保存")
    expect(page.locator(f"#answer-{item.pk}")).to_contain_text("答不清")
    expect(page.locator(f"#answer-{item.pk}")).to_contain_text("两天内到现场核实（李科长")
    assert MeetingAnswer.objects.get().grade == "unclear"
    page.emulate_media(media="print")
    expect(page.locator("#meeting-answers")).to_contain_text("只知道已派下去")
    expect(page.locator(".page-actions")).to_be_hidden()
    screenshot(page, "meeting-02-sheet-print")
    page.emulate_media(media="screen")
    page.set_viewport_size(PHONE)
    screenshot(page, "meeting-03-sheet-phone")


def test_a_supervision_figure_drills_down_to_its_records(page, org, walk):
    overdue(walk)
    talks.talk_create(
        actor=org.leader,
        unit_kind="community",
        unit_id=org.a.pk,
        reason=TalkReason.OVERDUE,
        reason_text="超期较多",
        held_at=timezone.now(),
        attendees="孙书记",
        follow_up_on=timezone.localdate() + dt.timedelta(days=7),
    )
    login(page, org.supervisor)
    page.goto("/supervision/")
    figures = page.locator("#figures-community")
    expect(figures).to_contain_text("幸福社区")
    screenshot(page, "supervision-01-figures")
    figures.get_by_label("幸福社区 约谈 1").click()
    expect(page.locator("#list-count")).to_have_text("1")
    expect(page.locator("#figure-records")).to_contain_text("幸福社区")
    screenshot(page, "supervision-02-drilldown")
    page.set_viewport_size(PHONE)
    page.goto("/supervision/")
    screenshot(page, "supervision-03-figures-phone")
