"""The project figures against plain-Python counts: the class's calls per week
before and after the start, the linked cases' rates, the board; and scoping."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from governance import projects
from governance import projects_selectors as selectors
from governance.projects_transitions import ProjectAction, ProjectStatus
from governance.tests.projects_support import case_at, make_project
from hotline.dates import local_midnight

pytestmark = pytest.mark.django_db


def test_the_class_calls_per_week_match_a_plain_count(org):
    today = timezone.localdate()
    start = today - dt.timedelta(days=23)  # 3 whole weeks since the start
    project = make_project(org, starts_on=start, keywords=["电梯"], category_paths=["城乡建设->供暖"])
    offsets = [-30, -21, -20, -15, -8, -8, -1, 0, 3, 6, 7, 14, 20, 21, 22]
    samples = []
    for i, offset in enumerate(offsets):
        day = start + dt.timedelta(days=offset)
        at = local_midnight(day) + dt.timedelta(hours=10, minutes=i)
        if i % 3 == 0:
            samples.append(case_at(org, at=at, title="路灯坏了", content="东门路灯不亮"))  # not in the class
        elif i % 3 == 1:
            samples.append(case_at(org, at=at, title="电梯停运", content="老人上下楼困难"))
        else:
            samples.append(
                case_at(org, at=at, title="暖气不热", content="家里很冷", category="城乡建设->供暖->温度不达标")
            )
    calls = selectors.project_class_calls(user=org.leader, project=project, today=today)
    assert not calls.too_young and calls.weeks == 3

    def in_class(case) -> bool:
        return "电梯" in case.title or "电梯" in case.content or case.category.startswith("城乡建设->供暖")

    expected: dict[int, int] = {}
    for case in samples:
        days = (timezone.localtime(case.received_at).date() - start).days
        if in_class(case) and -21 <= days < 21:
            expected[days // 7] = expected.get(days // 7, 0) + 1
    assert [w.calls for w in calls.before] == [expected.get(k, 0) for k in (-3, -2, -1)]
    assert [w.calls for w in calls.after] == [expected.get(k, 0) for k in (0, 1, 2)]
    assert [w.starts_on for w in calls.before] == [start - dt.timedelta(weeks=k) for k in (3, 2, 1)]
    assert calls.before_total == sum(v for k, v in expected.items() if k < 0)
    assert calls.after_total == sum(v for k, v in expected.items() if k >= 0)

    # A community officer counts only the cases of their scope (none of these is dispatched).
    officer = selectors.project_class_calls(user=org.officer_a, project=project, today=today)
    assert officer.before_total == officer.after_total == 0


def test_a_project_younger_than_a_week_has_no_comparison(org):
    today = timezone.localdate()
    project = make_project(org, starts_on=today - dt.timedelta(days=6))
    calls = selectors.project_class_calls(user=org.leader, project=project, today=today)
    assert calls.too_young and calls.before == [] and calls.after == []
    assert not selectors.project_class_calls(
        user=org.leader, project=project, today=today + dt.timedelta(days=1)
    ).too_young


def test_the_span_is_cut_to_the_weeks_on_record_before_the_start(org):
    today = timezone.localdate()
    project = make_project(org, starts_on=today - dt.timedelta(days=35))
    calls = selectors.project_class_calls(user=org.leader, project=project, today=today)
    assert calls.weeks == 5  # no case on record at all: nothing cuts the span
    case_at(org, at=local_midnight(today - dt.timedelta(days=38)) + dt.timedelta(hours=9))
    calls = selectors.project_class_calls(user=org.leader, project=project, today=today)
    assert calls.no_history and not calls.too_young and calls.weeks == 0
    case_at(org, at=local_midnight(today - dt.timedelta(days=50)) + dt.timedelta(hours=9))
    calls = selectors.project_class_calls(user=org.leader, project=project, today=today)
    assert calls.weeks == 2 and calls.before_total == 1 and calls.after_total == 0  # day -50 is before the span


def test_the_linked_cases_rates_are_the_boards(org, walk):
    project = make_project(org)
    cases = [walk.needs_explanation(), walk.closed(), walk.dispatched()]
    projects.project_link_cases(actor=org.leader, project_id=project.pk, case_ids=[c.pk for c in cases])
    for case in cases:
        case.refresh_from_db()
    rates = selectors.project_linked_rates(user=org.leader, project=project)
    valid = [c for c in cases if c.callback_valid and not c.exclusion_reason]
    assert rates.count == 3
    assert rates.closed == sum(1 for c in cases if c.closed_at is not None) == 2
    assert rates.valid_callbacks == len(valid) == 1
    assert rates.response_rate == Decimal(sum(1 for c in valid if c.callback_contacted)) / len(valid)
    assert rates.resolution_rate == Decimal("0.0000")
    assert rates.satisfaction_rate == Decimal("0.9000")  # one 基本满意 at the default weight 0.9


def test_scoping_a_community_sees_its_own_projects_and_leaders_the_street(org):
    mine = make_project(org, title="幸福社区楼道堆物", community_ids=[org.a.pk])
    other = make_project(org, title="和平社区停车", community_ids=[org.b.pk])
    assert set(selectors.project_list_for_user(user=org.leader)) == {mine, other}
    assert set(selectors.project_list_for_user(user=org.officer_a)) == {mine}
    assert set(selectors.project_list_for_user(user=org.officer_b)) == {other}
    assert set(selectors.project_list_for_user(user=org.display)) == set()
    projects.milestone_add(
        actor=org.leader, project_id=other.pk, title="协调", owner_id=org.chief_a.pk, due_on=timezone.localdate()
    )
    assert set(selectors.project_list_for_user(user=org.chief_a)) == {other}  # a milestone's owner sees it


def test_the_board_counts_statuses_and_late_milestones(org):
    today = timezone.localdate()
    a = make_project(org, title="甲")
    b = make_project(org, title="乙", starts_on=today - dt.timedelta(days=60), due_on=today - dt.timedelta(days=1))
    make_project(org, title="丙")
    projects.project_transition(actor=org.leader, project_id=a.pk, action=ProjectAction.START)
    projects.milestone_add(actor=org.leader, project_id=b.pk, title="一", owner_id=org.officer_a.pk, due_on=today)
    projects.milestone_add(actor=org.leader, project_id=b.pk, title="二", owner_id=org.officer_a.pk, due_on=today)
    later = today + dt.timedelta(days=1)
    board = selectors.project_board(
        user=org.leader, projects=selectors.project_list_for_user(user=org.leader, today=later), today=later
    )
    assert board.by_status[ProjectStatus.ACTIVE] == 1 and board.by_status[ProjectStatus.PROPOSED] == 2
    assert board.milestones_late == 2 and board.late == 1
    assert {row.project.title: row.milestones_late for row in board.rows} == {"甲": 0, "乙": 2, "丙": 0}
    late = selectors.project_list_for_user(user=org.leader, milestones_late=True, today=later)
    assert list(late) == [b]
    assert list(selectors.project_list_for_user(user=org.leader, late=True, today=later)) == [b]


def test_the_board_counts_every_projects_calls_as_alone_in_the_same_queries_whatever_their_number(org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    today = timezone.localdate()
    for offset, (title, category) in enumerate(
        [("电梯停运", "城乡建设->物业管理"), ("暖气不热", "城乡建设->供暖->温度不达标"), ("电梯异响", "")] * 4
    ):
        at = local_midnight(today - dt.timedelta(days=3 + offset * 5)) + dt.timedelta(hours=9)
        case_at(org, at=at, title=title, content="居民反映", **({"category": category} if category else {}))

    def board_of(count: int):
        made = [
            make_project(org, title="电梯", starts_on=today - dt.timedelta(days=20), keywords=["电梯"]),
            make_project(org, title="供暖", starts_on=today - dt.timedelta(days=30), category_paths=["城乡建设->供暖"]),
            make_project(org, title="新立", starts_on=today - dt.timedelta(days=2), keywords=["电梯"]),  # too young
            make_project(org, title="空类", starts_on=today - dt.timedelta(days=14)),  # a class of nothing
        ][:count]
        listed = selectors.project_list_for_user(user=org.leader, today=today).filter(pk__in=[p.pk for p in made])
        with CaptureQueriesContext(connection) as queries:
            board = selectors.project_board(user=org.leader, projects=listed, today=today)
        return made, board, len(queries)

    _, _, one = board_of(1)
    made, board, four = board_of(4)
    assert four == one
    alone = {p.pk: selectors.project_class_calls(user=org.leader, project=p, today=today) for p in made}
    assert {row.project.pk: row.calls for row in board.rows} == alone
    assert alone[made[0].pk].before_total + alone[made[0].pk].after_total > 0
