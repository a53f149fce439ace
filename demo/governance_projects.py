"""Governance projects in the demo street (issue 15): a 每月一题 on 飞线充电
started three weeks ago — its class had more calls in the weeks before (the
history's own calls plus a few more registered here) than after — with its
milestones (one late), notes and linked cases; a 一类问题治理 project that
started days ago (too young for a before/after); a shelved 历史遗留问题.
Everything goes through the services."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from cases import services as case_services
from cases.models import Signature
from cases.selectors import case_scope_for_user
from cases.vocabulary import signed_sha256
from communities.models import Street
from demo.replies import demo_reply_facts
from governance import projects
from governance import projects_selectors as selectors
from governance.models import Project, ProjectKind
from governance.models.projects import ProjectCaseSource
from governance.projects_transitions import ProjectAction
from hotline.dates import local_midnight

CHARGING_PATH = "公共安全->消防安全->电动车楼道充电"
STACKING_PATH = "公共安全->消防安全->楼道堆物"
# Extra calls of the 每月一题 class in the three weeks before it started (days before the start).
EXTRA_BEFORE = (21, 20, 18, 17, 15, 14, 13, 11, 10, 8, 7, 6, 4, 3, 1)


def _closed_case(*, clerk: User, unit: Any, at: dt.datetime, index: int) -> int:
    """One more call of the class, walked to its close within two days (as the history's are)."""
    compound = unit.compounds[index % len(unit.compounds)]
    case = case_services.case_register(
        actor=clerk,
        ticket_no=f"{timezone.localtime(at):%Y%m%d}FX{index + 1:04d}",
        title=f"{compound}{index % 9 + 2}号楼飞线充电",
        content=(
            f"来电人反映{compound}{index % 9 + 2}号楼有住户从窗户拉电线给楼下电动车充电，"
            "还有人把电动车推进楼道充电，存在火灾隐患。"
        ),
        received_at=at,
        caller_name="居民",
        caller_phone=f"1360000{index:04d}",
        compound=compound,
        reported_community=unit.community,
        category=CHARGING_PATH,
        at=at,
    )
    step = dt.timedelta(hours=3)
    case_services.case_dispatch(
        case_id=case.pk, actor=clerk, pairing_id=unit.pairing.pk, handler_id=unit.officer.pk, at=at + step
    )
    case = case_services.case_respond(case_id=case.pk, actor=unit.officer, at=at + 2 * step)
    case = case_services.case_reply(
        case_id=case.pk,
        actor=unit.officer,
        text="社区和物业拆除了飞线，对住户进行劝导，并告知集中充电桩位置。",
        facts=demo_reply_facts(case, resolved=True, unit_name=unit.community.name),
        at=at + 4 * step,
    )
    case_services.case_sign_reply(
        case_id=case.pk,
        actor=unit.secretary,
        expected_sha256=signed_sha256(case, Signature.Document.REPLY),
        at=at + 5 * step,
    )
    case.refresh_from_db()
    case_services.case_sign_reply(
        case_id=case.pk,
        actor=unit.chief,
        expected_sha256=signed_sha256(case, Signature.Document.REPLY),
        at=at + 6 * step,
    )
    return case.pk


def demo_projects(*, leader: User, clerk: User, units: Sequence[Any], now: dt.datetime) -> int:
    """The demo street's governance projects; returns the number of extra cases registered."""
    today = timezone.localdate(now)
    residential = [unit for unit in units if not unit.is_building] or list(units)
    first, second = residential[0], residential[1 % len(residential)]

    # 每月一题: 飞线充电, started three weeks ago.
    start = today - dt.timedelta(days=21)
    started_at = local_midnight(start) + dt.timedelta(hours=9)
    extra = [
        _closed_case(
            clerk=clerk,
            unit=residential[i % len(residential)],
            at=local_midnight(start - dt.timedelta(days=days)) + dt.timedelta(hours=9 + i % 8),
            index=i,
        )
        for i, days in enumerate(EXTRA_BEFORE)
    ]
    monthly = projects.project_create(
        actor=leader,
        kind=ProjectKind.MONTHLY,
        title="电动自行车飞线充电专项治理",
        description="飞线充电和电动车入户充电投诉集中，存在火灾隐患：拆除飞线、增设集中充电桩、入户宣传。",
        lead_id=leader.pk,
        starts_on=start,
        due_on=projects._end_of_next_month(today),
        category_paths=[CHARGING_PATH],
        keywords=["飞线充电"],
        community_ids=[first.community.pk, second.community.pk],
        department_ids=[first.pairing.department_id],
        now=started_at,
    )
    projects.project_transition(actor=leader, project_id=monthly.pk, action=ProjectAction.START, now=started_at)
    survey = projects.milestone_add(
        actor=leader,
        project_id=monthly.pk,
        title="摸排各小区飞线充电点位",
        owner_id=first.officer.pk,
        due_on=start + dt.timedelta(days=7),
        now=started_at,
    )
    projects.milestone_complete(
        actor=first.officer, milestone_id=survey.pk, note="共摸排点位37处", now=started_at + dt.timedelta(days=6)
    )
    projects.milestone_add(
        actor=leader,
        project_id=monthly.pk,
        title="落实集中充电桩选址",
        owner_id=first.chief.pk,
        due_on=start + dt.timedelta(days=14),  # still open: late
        now=started_at,
    )
    projects.milestone_add(
        actor=leader,
        project_id=monthly.pk,
        title="新增充电桩投入使用并入户宣传",
        owner_id=second.officer.pk,
        due_on=today + dt.timedelta(days=20),
        now=now,
    )
    projects.project_note_add(
        actor=first.officer,
        project_id=monthly.pk,
        text="联合物业拆除飞线12处，张贴安全提示，向居民发放告知书。",
        now=started_at + dt.timedelta(days=5),
    )
    projects.project_note_add(
        actor=leader,
        project_id=monthly.pk,
        text="召开专题会，协调供电所和物业在两个小区各增设充电桩20个。",
        now=started_at + dt.timedelta(days=12),
    )
    in_class = list(
        case_scope_for_user(leader)
        .filter(
            selectors.project_class_cases_q(monthly), received_at__gte=local_midnight(start - dt.timedelta(days=28))
        )
        .values_list("pk", flat=True)
    )
    projects.project_link_cases(
        actor=leader, project_id=monthly.pk, case_ids=in_class, source=ProjectCaseSource.SEARCH, now=now
    )

    # 一类问题治理: 楼道堆物, started three days ago (no before/after yet).
    stacking = projects.project_create(
        actor=leader,
        kind=ProjectKind.CLASS,
        title="楼道堆物清理",
        lead_id=leader.pk,
        starts_on=today - dt.timedelta(days=3),
        due_on=today + dt.timedelta(days=45),
        category_paths=[STACKING_PATH],
        community_ids=[second.community.pk],
        now=now - dt.timedelta(days=3),
    )
    projects.milestone_add(
        actor=leader,
        project_id=stacking.pk,
        title="联合消防开展楼道清理",
        owner_id=second.secretary.pk,
        due_on=today + dt.timedelta(days=14),
        now=now - dt.timedelta(days=3),
    )

    # 历史遗留问题: 老旧电梯更新, shelved until the owners vote on the repair fund.
    legacy = projects.project_create(
        actor=leader,
        kind=ProjectKind.LEGACY,
        title="老旧小区电梯整体更新",
        lead_id=leader.pk,
        starts_on=today - dt.timedelta(days=14),
        due_on=today + dt.timedelta(days=150),
        keywords=["电梯"],
        category_paths=["城乡建设->物业管理->电梯故障"],
        now=now - dt.timedelta(days=14),
    )
    projects.project_transition(
        actor=leader,
        project_id=legacy.pk,
        action=ProjectAction.SHELVE,
        reason="需动用住宅专项维修资金，业主表决未通过，待下次表决。",
        now=now - dt.timedelta(days=10),
    )
    projects.milestones_late_sweep(now=now)
    return len(extra)


def demo_projects_delete(*, street: Street) -> None:
    """The projects hold on to their linked cases: they go before the cases."""
    Project.objects.filter(street=street).delete()
