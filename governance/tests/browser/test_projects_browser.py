"""A leader, in a real Chromium: opens hotspots, turns the largest 相似诉求
class into a 每月一题 project in one click, adds a milestone, and — once the
project has run for weeks — sees its class's weekly calls before and after on
the project page, as a chart and as a table; then the page on a phone."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import login
from governance import projects
from governance.models import Project
from governance.tests.projects_support import case_at

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("PROJECT_SHOTS", "")) if os.environ.get("PROJECT_SHOTS") else None


def shot(page, name: str) -> None:
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_leader_turns_the_largest_hotspot_class_into_a_monthly_project(page, org):
    now = timezone.now()
    today = timezone.localdate()
    # The class: five calls 3–4 weeks ago, two in the last two weeks; a smaller class beside it.
    for days in (27, 25, 23, 20, 16, 10, 3):
        case_at(
            org,
            at=now - dt.timedelta(days=days),
            title="楼道堆物",
            content=f"{days % 9 + 1}号楼楼道堆满纸箱杂物，担心着火",
        )
    for days in (5, 6):
        case_at(org, at=now - dt.timedelta(days=days), title="路灯不亮", content="东门路灯不亮，晚上很黑")
    case_at(org, at=now - dt.timedelta(days=40), title="噪音扰民", content="夜间施工噪音")  # the record starts earlier

    login(page, org.leader)
    page.goto("/cases/hotspots/")
    section = page.locator("#hotspot-similar")
    expect(section).to_contain_text("相似诉求")
    first = section.locator("tr.similar-class").first
    expect(first).to_contain_text("楼道")
    expect(first).to_contain_text("7")
    shot(page, "hotspots-1280")
    first.get_by_role("button", name="立项治理").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("类诉求治理")
    expect(page.get_by_test_id("project-status")).to_have_text("立项")
    expect(page.get_by_test_id("calls-too-young")).to_be_visible()  # started today: no chart yet
    project = Project.objects.get()
    assert project.kind == "monthly" and project.links.count() == 7

    form = page.locator("#milestone-form")
    form.get_by_label("节点").fill("清理楼道堆物并张贴告示")
    form.get_by_label("责任人").select_option(label="钱社工（社区办件员）")
    form.get_by_label("完成期限").fill((today + dt.timedelta(days=7)).isoformat())
    form.get_by_role("button", name="添加节点").click()
    expect(page.locator("#milestones")).to_contain_text("清理楼道堆物并张贴告示")
    expect(page.locator("#milestones")).to_contain_text("钱社工")

    # Two weeks later (the project's start moved back as if it had run since then).
    projects.project_update(
        actor=org.leader,
        project_id=project.pk,
        title=project.title,
        lead_id=org.leader.pk,
        starts_on=today - dt.timedelta(days=14),
        due_on=project.due_on,
        keywords=project.keywords,
    )
    page.reload()
    expect(page.locator("#project-calls-chart canvas")).to_be_visible()
    table = page.locator("#calls-table")
    expect(page.get_by_test_id("calls-before")).to_have_text("5")
    expect(page.get_by_test_id("calls-after")).to_have_text("2")
    expect(table).to_contain_text("减少 3 件")
    shot(page, "project-1280")

    page.goto(f"/projects/?kind=monthly&month={today:%Y-%m}")
    expect(page.locator("tr.project-row")).to_contain_text(project.title)
    shot(page, "board-1280")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/projects/{project.pk}/")
    expect(page.locator("#project-calls-chart canvas")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "project-390")
    page.goto(f"/projects/?kind=monthly&month={today:%Y-%m}")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "board-390")
