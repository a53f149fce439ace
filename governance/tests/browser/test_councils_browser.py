"""A community secretary, in a real Chromium, records a council session with a
topic and turns the topic into a case; the case page says where it came from
and links back; the leaders' overview counts the session. At desktop and phone width."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Channel
from conftest import login, screenshot
from governance import councils
from governance.models import CouncilTopic, MemberKind

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_secretary_records_a_session_and_turns_a_topic_into_a_case(page, org):
    council = councils.council_get_or_create(actor=org.secretary_a, community_id=org.a.pk)
    for name, kind in [("刘楼长", MemberKind.BUILDING_HEAD), ("张业委", MemberKind.OWNERS_COMMITTEE)]:
        councils.council_member_add(
            actor=org.secretary_a, council_id=council.pk, name=name, kind=kind, phone="13900001234"
        )
    login(page, org.secretary_a)
    page.goto("/councils/")  # a community's people go straight to their council
    expect(page.get_by_role("heading", name="幸福社区初心议事厅")).to_be_visible()
    page.get_by_role("link", name="记录议事会").click()

    held = timezone.localtime() - dt.timedelta(hours=2)
    page.get_by_label("议事时间").fill(held.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("地点").fill("社区活动室")
    page.get_by_label("刘楼长（楼门长）").check()
    page.get_by_label("张业委（业委会）").check()
    page.locator("#id_topics-0-title").fill("东门路灯损坏")
    page.locator("#id_topics-0-discussion").fill("东门两盏路灯坏了一周，老人夜间出行不便。")
    page.locator("#id_topics-0-outcome").fill("由社区登记案件，联系责任单位维修。")
    page.locator("#id_topics-1-title").fill("增设电动车充电桩")
    page.locator("#id_topics-1-outcome").fill("报街道统一规划。")
    screenshot(page, "council-session-new")
    page.get_by_role("button", name="保存议事会").click()

    topic_item = page.get_by_test_id("topic").filter(has_text="东门路灯损坏")
    expect(topic_item).to_contain_text("由社区登记案件")
    expect(page.get_by_test_id("session")).to_contain_text("刘楼长（楼门长）")
    screenshot(page, "council-detail")
    topic_item.locator("summary", has_text="转为案件").click()
    topic_item.get_by_label("问题分类").fill("城市管理->市政设施->路灯")
    topic_item.get_by_role("button", name="确认转为案件").click()

    topic = CouncilTopic.objects.get(title="东门路灯损坏")
    assert topic.case is not None and topic.case.channel == Channel.COUNCIL
    expect(page.get_by_text(f"已转为案件 {topic.case.ticket_no}")).to_be_visible()
    source = page.get_by_test_id("council-source")
    expect(source).to_contain_text("幸福社区初心议事厅")
    expect(source).to_contain_text("东门路灯损坏")
    expect(page.get_by_text("居民议事").first).to_be_visible()
    screenshot(page, "council-case")
    source.get_by_role("link").click()
    expect(page.get_by_test_id("topic-case")).to_contain_text(topic.case.ticket_no)

    page.set_viewport_size(PHONE)
    page.reload()
    assert no_horizontal_scroll(page)
    screenshot(page, "council-detail-390")

    # The leader's overview counts the session and links to it.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 800})
    login(page, org.leader)
    page.goto("/governance/")
    row = page.locator(f'tr[data-unit="community-{org.a.pk}"]')
    expect(row.locator('td[data-figure="sessions"]')).to_have_text("1")
    screenshot(page, "governance-overview")
    page.set_viewport_size(PHONE)
    page.reload()
    assert no_horizontal_scroll(page)
    screenshot(page, "governance-overview-390")
    page.goto("/councils/")
    assert no_horizontal_scroll(page)
    screenshot(page, "council-list-390")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    screenshot(page, "council-list")
    page.goto("/governance/")
    page.locator(f'tr[data-unit="community-{org.a.pk}"] td[data-figure="sessions"] a').click()
    expect(page.get_by_test_id("topic-case")).to_contain_text(topic.case.ticket_no)

    # The leader turns the other topic into a project.
    other = page.get_by_test_id("topic").filter(has_text="增设电动车充电桩")
    expect(other.locator("summary", has_text="转为案件")).to_have_count(0)
    other.locator("summary", has_text="转为治理项目").click()
    other.get_by_label("关键词").fill("充电桩，电动车")
    other.get_by_label("牵头领导").select_option(str(org.leader.pk))
    other.get_by_label("完成期限").fill((timezone.localdate() + dt.timedelta(days=60)).isoformat())
    other.get_by_label("城管科").check()
    screenshot(page, "council-to-project")
    other.get_by_role("button", name="确认立项").click()
    expect(page.get_by_test_id("topic-project")).to_contain_text("增设电动车充电桩")
    project = CouncilTopic.objects.get(title="增设电动车充电桩").project
    assert (
        project is not None and project.keywords == ["充电桩", "电动车"] and list(project.departments.all()) == [org.d1]
    )
