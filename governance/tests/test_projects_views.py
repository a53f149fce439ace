"""The project pages: the board and its filters, the 每月一题 month board, a
new project, the project page and its POST steps (refusals shown as a message,
never a 500), scoping (404 out of scope), and the entries on the hotspot page,
the case search and the case page."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from attachments.tests import files
from cases.hotspot_classes import hotspot_similar_classes
from cases.hotspots import hotspot_filters
from cases.models import CaseEvent, Tag
from cases.transitions import Action
from governance import projects
from governance.models import Project, ProjectCase
from governance.projects_transitions import ProjectAction, ProjectStatus
from governance.tests.projects_support import case_at, make_project

pytestmark = pytest.mark.django_db


def test_the_board_lists_projects_by_status_with_filters(client, org):
    a = make_project(org, title="电梯治理", community_ids=[org.a.pk])
    b = make_project(org, title="停车治理", kind="class", keywords=["停车"])
    projects.project_transition(actor=org.leader, project_id=b.pk, action=ProjectAction.START)
    client.force_login(org.leader)
    body = client.get(reverse("project-list")).content.decode()
    assert "电梯治理" in body and "停车治理" in body
    body = client.get(reverse("project-list"), {"status": ProjectStatus.ACTIVE}).content.decode()
    assert "停车治理" in body and "电梯治理" not in body
    body = client.get(reverse("project-list"), {"community": org.a.pk}).content.decode()
    assert "电梯治理" in body and "停车治理" not in body
    month = f"{a.month:%Y-%m}"
    response = client.get(reverse("project-list"), {"kind": "monthly", "month": month})
    body = response.content.decode()
    assert response.status_code == 200 and "电梯治理" in body and "停车治理" not in body
    assert f"{a.month:%Y年%-m月}每月一题" in body and "上月" in body
    assert client.get(reverse("project-list"), {"month": "2026-13"}).status_code == 400


def test_a_community_officer_sees_only_their_projects_and_gets_404_elsewhere(client, org):
    mine = make_project(org, title="幸福社区项目", community_ids=[org.a.pk])
    other = make_project(org, title="和平社区项目", community_ids=[org.b.pk])
    client.force_login(org.officer_a)
    body = client.get(reverse("project-list")).content.decode()
    assert "幸福社区项目" in body and "和平社区项目" not in body
    assert client.get(reverse("project-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("project-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("project-note-add", args=[other.pk]), {"text": "x"}).status_code == 404
    assert client.get(reverse("project-new")).status_code in (302, 403)


def test_a_leader_opens_a_project_and_a_project_without_class_is_refused(client, org):
    client.force_login(org.leader)
    today = timezone.localdate()
    data = {
        "kind": "legacy",
        "title": "老旧小区漏雨",
        "lead": org.leader.pk,
        "starts_on": today.isoformat(),
        "due_on": (today + dt.timedelta(days=30)).isoformat(),
    }
    response = client.post(reverse("project-new"), data)
    assert response.status_code == 400 and "请确定问题类别" in response.content.decode()
    response = client.post(reverse("project-new"), {**data, "keywords": "漏雨、渗水", "lead": ""})
    assert response.status_code == 400 and "牵头领导" in response.content.decode()
    assert not Project.objects.exists()
    response = client.post(reverse("project-new"), {**data, "keywords": "漏雨、渗水"})
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("project-detail", args=[project.pk])
    assert project.keywords == ["漏雨", "渗水"]


def test_the_project_page_steps_and_their_refusals(client, org, walk):
    project = make_project(org)
    client.force_login(org.leader)
    page = client.get(reverse("project-detail", args=[project.pk]))
    assert page.status_code == 200 and "不足一周" in page.content.decode()
    response = client.post(reverse("project-transition", args=[project.pk]), {"action": "shelve"})
    assert response.status_code == 400 and "搁置项目请填写原因" in response.content.decode()
    response = client.post(
        reverse("project-milestone-add", args=[project.pk]),
        {"title": "入户摸排", "owner": org.officer_a.pk, "due_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    client.post(reverse("project-transition", args=[project.pk]), {"action": "start"})
    response = client.post(
        reverse("project-transition", args=[project.pk]), {"action": "complete", "outcome": "来电下降"}
    )
    assert response.status_code == 400 and "1个节点未完成" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    case = walk.dispatched()
    response = client.post(reverse("project-link-cases", args=[project.pk]), {"tickets": ""})
    assert response.status_code == 400 and "请填写要关联的工单编号" in response.content.decode()
    response = client.post(reverse("project-link-cases", args=[project.pk]), {"tickets": f"{case.ticket_no}，NOPE1"})
    assert response.status_code == 404 and "NOPE1" in response.content.decode()
    assert not ProjectCase.objects.exists()
    response = client.post(reverse("project-link-cases", args=[project.pk]), {"tickets": case.ticket_no.lower()})
    assert response.status_code == 302 and ProjectCase.objects.filter(project=project, case=case).exists()
    body = client.get(reverse("project-detail", args=[project.pk])).content.decode()
    assert case.ticket_no in body and "入户摸排" in body
    response = client.post(reverse("project-unlink-case", args=[project.pk, case.pk]))
    assert response.status_code == 302 and not ProjectCase.objects.exists()
    assert CaseEvent.objects.filter(case=case, action=Action.PROJECT_UNLINK).exists()


def test_linking_from_the_case_search_refuses_out_of_scope_cases(client, org, walk):
    project = make_project(org)
    case = walk.dispatched()
    client.force_login(org.leader)
    search = client.get(reverse("case-search")).content.decode()
    assert reverse("project-link-cases", args=[project.pk]) in search and "纳入" in search
    response = client.post(
        reverse("project-link-cases", args=[project.pk]), {"case_ids": f"{case.pk},999999", "source": "search"}
    )
    assert response.status_code == 404 and "未关联任何案件" in response.content.decode()
    assert not ProjectCase.objects.exists()
    client.post(reverse("project-link-cases", args=[project.pk]), {"case_ids": f"{case.pk}", "source": "search"})
    assert ProjectCase.objects.get().source == "search"
    body = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "治理项目" in body and project.title in body


def test_the_hotspot_page_turns_a_similar_class_into_a_project(client, org):
    now = timezone.now()
    for i, (title, content) in enumerate(
        [
            ("楼道堆物", "3号楼楼道堆满杂物，担心着火"),
            ("楼道堆物严重", "5号楼楼道堆满杂物，有火灾隐患"),
            ("路灯不亮", "东门路灯不亮"),
        ]
    ):
        case_at(org, at=now - dt.timedelta(days=i + 1), title=title, content=content)
    client.force_login(org.leader)
    page = client.get(reverse("case-hotspots")).content.decode()
    # The page answers with the figures; the classes follow from their partial with the same filters.
    assert "相似诉求" in page and reverse("case-hotspot-classes") in page and "楼道" not in page
    classes = client.get(reverse("case-hotspot-classes")).content.decode()
    assert "立项治理" in classes and "楼道" in classes
    bad = client.get(reverse("case-hotspot-classes"), {"received_after": "2026-13-01"})
    assert bad.status_code == 400 and "筛选条件有误" in bad.content.decode()
    client.force_login(org.clerk)
    assert "立项治理</button>" not in client.get(reverse("case-hotspot-classes")).content.decode()
    client.force_login(org.leader)
    today = timezone.localdate()
    key = hotspot_similar_classes(user=org.leader, filters=hotspot_filters())[0].key
    data = {
        "received_after": (today - dt.timedelta(days=27)).isoformat(),
        "received_before": today.isoformat(),
        "key": key,
    }
    response = client.post(reverse("project-from-hotspot"), data)
    project = Project.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("project-detail", args=[project.pk])
    assert project.links.count() == 2
    response = client.post(reverse("project-from-hotspot"), {**data, "key": "不存在"})
    assert response.status_code == 302 and Project.objects.count() == 1


def test_a_note_with_a_photo_and_the_photo_only_in_scope(client, org):
    project = make_project(org, community_ids=[org.a.pk])
    client.force_login(org.officer_a)
    photo = SimpleUploadedFile("现场.jpg", files.jpeg(), content_type="image/jpeg")
    response = client.post(reverse("project-note-add", args=[project.pk]), {"text": "已清理", "photos": [photo]})
    assert response.status_code == 302
    attachment = project.notes.get().attachments.get()
    url = reverse("project-note-photo", args=[project.pk, attachment.pk])
    assert client.get(url).status_code == 200
    client.force_login(org.officer_b)
    assert client.get(url).status_code == 404


def test_the_hotspot_pages_monthly_topic_view_links_to_the_month_board(client, org):
    Tag.objects.create(name="老旧小区加装电梯", kind=Tag.Kind.MONTHLY_TOPIC)
    Tag.objects.create(name="其他标签", kind=Tag.Kind.OTHER)
    client.force_login(org.leader)
    body = client.get(reverse("case-hotspots"), {"tag": "老旧小区加装电梯"}).content.decode()
    assert 'id="monthly-board-link"' in body and reverse("project-list") + "?kind=monthly" in body
    body = client.get(reverse("case-hotspots"), {"tag": "其他标签"}).content.decode()
    assert 'id="monthly-board-link"' not in body
