"""The 12345 import through the real services and database: new orders,
re-imports, callbacks from later exports, conflicts, errors and the dry run."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.intake import services
from cases.intake.models import ImportIssue, ImportJob, PendingCallback
from cases.intake.samples import HEADER, callback_values, order_row, write_csv, write_xlsx
from cases.intake.selectors import import_rejected_rows
from cases.models import Case, CaseEvent, Satisfaction, Tag
from cases.tests.factories import signed_sha256
from cases.tests.intake_helpers import create_job, issues, preview, run_import
from cases.transitions import Action, Status
from communities.models import CommunityAlias
from hotline.errors import Conflict, NotAllowed, NotFound

TZ = timezone.get_default_timezone()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), TZ)


def soon() -> dt.datetime:
    """A callback time as the platform writes it (whole minutes), just after
    the cases the test closes now, and not in the future beyond the allowed skew."""
    return (timezone.localtime() + dt.timedelta(minutes=1)).replace(second=0, microsecond=0, tzinfo=None)


def local(delta: dt.timedelta) -> dt.datetime:
    """A past (or future) time as the platform's files hold it: naive local time, whole minutes."""
    return (timezone.localtime() + delta).replace(second=0, microsecond=0, tzinfo=None)


def close_case(org, case: Case) -> Case:
    """Walk an imported case to closed with the real services."""
    case_services.case_dispatch(
        case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id
    )
    case_services.case_respond(case_id=case.id, actor=org.officer_a)
    case_services.case_reply(case_id=case.id, actor=org.officer_a, text="已联系物业修复电梯。")
    case_services.case_sign_reply(
        case_id=case.id, actor=org.secretary_a, expected_sha256=signed_sha256(case.id, "reply_text")
    )
    return case_services.case_sign_reply(
        case_id=case.id, actor=org.chief_a, expected_sha256=signed_sha256(case.id, "reply_text")
    )


def test_new_orders_are_registered_with_the_import_time_and_matched_to_communities(org, tmp_path):
    path = write_xlsx(
        tmp_path / "orders.xlsx",
        [
            order_row(1, received_at=dt.datetime(2025, 3, 1, 9, 15), 标签="每月一题，住有所居"),
            order_row(2, community="和平社区"),
            order_row(3, community="不存在的社区"),
        ],
    )
    before = timezone.now()
    job = run_import(org.clerk, path)

    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.total_rows, job.new_count, job.unmatched_count, job.error_count) == (3, 3, 1, 0)
    first = Case.objects.get(ticket_no="2025000000001")
    assert first.received_at == at(2025, 3, 1, 9, 15)
    assert first.reported_community == org.a
    assert first.reported_community_name == "幸福社区"
    assert first.status == Status.REGISTERED
    assert first.created_by == org.clerk
    assert first.category_l1 == "城乡建设"
    assert sorted(first.tags.values_list("name", flat=True)) == ["住有所居", "每月一题"]
    event = first.events.get()
    assert (event.action, event.actor, event.data["import_job"]) == (Action.REGISTER, org.clerk, job.id)
    assert event.created_at >= before
    assert Case.objects.get(ticket_no="2025000000002").reported_community == org.b
    unmatched = Case.objects.get(ticket_no="2025000000003")
    assert unmatched.reported_community is None
    assert (4, "村/社区", "未能匹配到社区，请人工派发。") in issues(job, ImportIssue.Level.WARNING)


def test_importing_the_same_file_again_changes_nothing(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(n) for n in range(1, 6)])
    run_import(org.clerk, path)
    cases, events = Case.objects.count(), CaseEvent.objects.count()

    again = run_import(org.clerk, path)

    assert again.status == ImportJob.Status.DONE
    assert (again.new_count, again.unchanged_count, again.conflict_count) == (0, 5, 0)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)


def test_a_later_export_adds_the_callback_of_a_closed_case_to_its_timeline(org, tmp_path):
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1)]))
    case = close_case(org, Case.objects.get(ticket_no="2025000000001"))
    called = soon()
    later = write_xlsx(
        tmp_path / "later.xlsx",
        [order_row(1, callback=callback_values(called, resolved="否", satisfaction="基本满意"))],
    )

    job = run_import(org.clerk, later)

    assert (job.updated_count, job.new_count) == (1, 0), job.message
    case.refresh_from_db()
    assert case.status == Status.NEEDS_EXPLANATION  # 单否: an explanation is due
    assert case.callback_at == timezone.make_aware(called, TZ)
    assert (case.callback_contacted, case.callback_resolved) == (True, False)
    assert case.callback_satisfaction == Satisfaction.BASIC
    event = case.events.get(action=Action.RECORD_CALLBACK)
    assert event.actor is None and event.created_at == case.callback_at
    assert Case.objects.filter(ticket_no="2025000000001").count() == 1

    # The same later export once more: the callback is not recorded twice.
    again = run_import(org.clerk, later)
    assert (again.updated_count, again.unchanged_count) == (0, 1)
    assert case.events.filter(action=Action.RECORD_CALLBACK).count() == 1


def test_a_callback_for_an_order_not_closed_yet_waits_and_is_recorded_once_closed(org, tmp_path):
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1)]))
    case = Case.objects.get(ticket_no="2025000000001")
    called = soon()
    later = write_xlsx(tmp_path / "later.xlsx", [order_row(1, callback=callback_values(called))])

    job = run_import(org.clerk, later)

    assert (job.pending_count, job.updated_count) == (1, 0)
    case.refresh_from_db()
    assert case.status == Status.REGISTERED and case.callback_at is None
    pending = PendingCallback.objects.get(case=case)
    assert pending.state == PendingCallback.State.PENDING
    # Importing the same export again keeps one waiting callback.
    assert run_import(org.clerk, later).unchanged_count == 1
    assert PendingCallback.objects.filter(case=case).count() == 1
    # Not closed yet: nothing to apply.
    assert services.pending_callbacks_apply() == 0

    close_case(org, case)
    assert services.pending_callbacks_apply() == 1

    case.refresh_from_db()
    pending.refresh_from_db()
    assert case.status == Status.CALLED_BACK
    assert case.callback_at == timezone.make_aware(called, TZ)
    assert pending.state == PendingCallback.State.APPLIED
    assert services.pending_callbacks_apply() == 0


def test_a_differing_value_is_reported_as_a_conflict_and_not_taken(org, tmp_path):
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1), order_row(2)]))
    changed = write_xlsx(
        tmp_path / "changed.xlsx", [order_row(1, 标题="标题被平台修改", 来电人电话="13900000000"), order_row(2)]
    )

    job = run_import(org.clerk, changed)

    assert (job.conflict_count, job.unchanged_count) == (1, 1)
    case = Case.objects.get(ticket_no="2025000000001")
    assert case.title == "电梯故障1"
    assert case.caller_phone == "13800000001"
    found = issues(job, ImportIssue.Level.CONFLICT)
    assert (2, "标题", "标题与系统记录不一致（系统：电梯故障1；文件：标题被平台修改），未更新。") in found
    # The caller's phone is personal data: the message does not repeat it.
    assert (2, "来电人电话", "来电人电话与系统记录不一致，未更新。") in found


def test_a_callback_differing_from_the_recorded_one_is_a_conflict(org, tmp_path):
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1)]))
    case = close_case(org, Case.objects.get(ticket_no="2025000000001"))
    case_services.case_record_callback(
        case_id=case.id, actor=org.clerk, contacted=True, resolved=True, satisfaction=Satisfaction.SATISFIED
    )
    called = soon()
    later = write_xlsx(tmp_path / "later.xlsx", [order_row(1, callback=callback_values(called, satisfaction="不满意"))])

    job = run_import(org.clerk, later)

    assert job.conflict_count == 1
    case.refresh_from_db()
    assert case.callback_satisfaction == Satisfaction.SATISFIED
    assert issues(job, ImportIssue.Level.CONFLICT) == [(2, "回访时间", "回访结果与系统已录入的回访不同，未覆盖。")]


def test_a_file_with_errors_is_not_imported_at_all_and_every_error_is_reported(org, tmp_path):
    path = write_xlsx(
        tmp_path / "errors.xlsx",
        [
            order_row(1),
            order_row(2, 主要内容=""),
            order_row(3, 来电时间="昨天下午"),
            order_row(4, 工单编号="12 34/56"),
            order_row(5, callback={"是否满意": "还行", "回访时间": "2025-03-02 10:00"}),
            order_row(6),
        ],
    )

    job = run_import(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert "未导入任何数据" in job.message
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0
    assert job.error_count == 4
    found = issues(job, ImportIssue.Level.ERROR)
    assert (3, "主要内容", "主要内容为空。") in found
    assert (4, "来电时间", "来电时间无法识别（支持如 2025-01-02 08:30、2025/1/2、2025年1月2日）。") in found
    assert (5, "工单编号", "工单编号格式无效（应为不超过32位的字母或数字）。") in found
    assert any(row == 6 and column == "是否满意" for row, column, _ in found)


def test_importing_only_the_valid_rows_skips_the_errors_when_chosen(org, tmp_path):
    path = write_xlsx(tmp_path / "errors.xlsx", [order_row(1), order_row(2, 主要内容=""), order_row(3)])

    job = run_import(org.clerk, path, valid_only=True)

    assert job.status == ImportJob.Status.DONE
    assert (job.new_count, job.error_count) == (2, 1)
    assert sorted(Case.objects.values_list("ticket_no", flat=True)) == ["2025000000001", "2025000000003"]


def test_the_preview_tells_what_would_happen_and_writes_nothing(org, tmp_path):
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1)]))
    cases, events = Case.objects.count(), CaseEvent.objects.count()
    path = write_xlsx(
        tmp_path / "mixed.xlsx", [order_row(1), order_row(2), order_row(3, 主要内容=""), order_row(4, 标题="x")]
    )

    job = preview(org.clerk, path)

    assert job.status == ImportJob.Status.PREVIEWED
    assert (job.new_count, job.unchanged_count, job.error_count) == (2, 1, 1)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (cases, events)
    assert "将新增2件" in job.message
    # With an error, the all-or-nothing import cannot be confirmed; valid rows only can.
    with pytest.raises(Conflict):
        services.import_job_confirm(job_id=job.id, actor=org.clerk, valid_only=False)
    services.import_job_confirm(job_id=job.id, actor=org.clerk, valid_only=True)
    done = services.import_job_execute(job_id=job.id)
    assert (done.status, done.new_count) == (ImportJob.Status.DONE, 2)
    # Running the same job again (a retried task) does nothing more.
    assert services.import_job_execute(job_id=job.id).new_count == 2
    assert Case.objects.count() == cases + 2


def test_the_same_order_twice_in_a_file_is_counted_once_or_reported(org, tmp_path):
    path = write_xlsx(tmp_path / "dup.xlsx", [order_row(1), order_row(1), order_row(2), order_row(2, 标题="另一个")])

    job = run_import(org.clerk, path, valid_only=True)

    assert (job.new_count, job.unchanged_count, job.error_count) == (2, 1, 1)
    assert issues(job, ImportIssue.Level.ERROR) == [(5, "工单编号", "工单编号与第4行重复，且内容不同。")]


def test_orders_are_matched_by_compound_alias_and_address_fragment(org, tmp_path):
    CommunityAlias.objects.create(community=org.a, alias="阳光花园")
    CommunityAlias.objects.create(community=org.b, alias="和平里东街")
    path = write_xlsx(
        tmp_path / "alias.xlsx",
        [
            order_row(1, community="", 小区点位="阳光花园"),
            order_row(2, community="", 主要内容="和平里东街12号楼下水道堵塞。"),
            order_row(3, community="幸福社区居委会"),
            order_row(4, community="", 主要内容="路灯不亮。"),
        ],
    )

    run_import(org.clerk, path)

    matched = dict(Case.objects.values_list("ticket_no", "reported_community_id"))
    assert matched == {
        "2025000000001": org.a.id,
        "2025000000002": org.b.id,
        "2025000000003": org.a.id,
        "2025000000004": None,
    }


def test_only_clerks_import(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    for user in (org.leader, org.officer_a, org.chief_a):
        with pytest.raises(NotAllowed):
            create_job(user, path)


def test_urgency_is_suggested_from_the_order(org, tmp_path):
    path = write_csv(
        tmp_path / "urgent.csv",
        [
            order_row(1, 工单性质="紧急"),
            order_row(2, 问题分类="城乡建设->供热->室温不达标"),
            order_row(3),
        ],
    )
    run_import(org.clerk, path)
    assert dict(Case.objects.values_list("ticket_no", "urgency")) == {
        "2025000000001": "emergency",
        "2025000000002": "utility",
        "2025000000003": "general",
    }


def test_case_register_many_keeps_the_rules_of_case_register(org):
    now = timezone.now()
    orders = [
        {"title": "A", "content": "a", "ticket_no": "T1", "tags": ["每月一题"], "category": " 一级 -> 二级 "},
        {"title": "B", "content": "b", "ticket_no": "T2", "tags": ["每月一题", "其他"]},
    ]
    cases = case_services.case_register_many(actor=org.clerk, orders=orders, at=now)
    assert [c.ticket_no for c in cases] == ["T1", "T2"]
    assert Case.objects.get(ticket_no="T1").category == "一级->二级"
    assert Tag.objects.filter(name="每月一题").count() == 1
    assert CaseEvent.objects.filter(action=Action.REGISTER, created_at=now).count() == 2
    with pytest.raises(Conflict):
        case_services.case_register_many(actor=org.clerk, orders=[{"title": "C", "content": "c", "ticket_no": "T1"}])
    with pytest.raises(Conflict):
        case_services.case_register_many(
            actor=org.clerk,
            orders=[
                {"title": "C", "content": "c", "ticket_no": "T3"},
                {"title": "D", "content": "d", "ticket_no": "T3"},
            ],
        )
    with pytest.raises(NotAllowed):
        case_services.case_register_many(actor=org.officer_a, orders=[{"title": "E", "content": "e"}])
    assert Case.objects.count() == 2


# ---------------------------------------------------------------- callbacks at the platform's (past) times


def test_a_callback_made_before_the_office_recorded_its_closure_is_recorded_at_its_time(org, tmp_path):
    """The platform called the caller back yesterday; the office's second
    signature (the closure) came in today. The callback counts at its time."""
    received = local(-dt.timedelta(days=3))
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1, received_at=received)]))
    case = close_case(org, Case.objects.get(ticket_no="2025000000001"))
    called = local(-dt.timedelta(days=1))
    assert timezone.make_aware(called, TZ) < case.closed_at
    later = write_xlsx(tmp_path / "later.xlsx", [order_row(1, received_at=received, callback=callback_values(called))])

    job = run_import(org.clerk, later)

    assert (job.updated_count, job.conflict_count) == (1, 0), issues(job)
    case.refresh_from_db()
    assert case.status == Status.CALLED_BACK
    assert case.callback_at == timezone.make_aware(called, TZ)
    event = case.events.get(action=Action.RECORD_CALLBACK)
    assert event.created_at == case.closed_at  # after the closure on the timeline
    assert dt.datetime.fromisoformat(event.data["called_at"]) == case.callback_at
    assert run_import(org.clerk, later).unchanged_count == 1


def test_a_waiting_callback_older_than_the_closure_is_applied_when_the_case_closes(org, tmp_path):
    received = local(-dt.timedelta(days=3))
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1, received_at=received)]))
    case = Case.objects.get(ticket_no="2025000000001")
    called = local(-dt.timedelta(days=2))
    later = write_xlsx(
        tmp_path / "later.xlsx",
        [order_row(1, received_at=received, callback=callback_values(called, satisfaction="不满意"))],
    )
    assert run_import(org.clerk, later).pending_count == 1

    close_case(org, case)
    assert services.pending_callbacks_apply() == 1

    pending = PendingCallback.objects.get(case=case)
    assert (pending.state, pending.message) == (PendingCallback.State.APPLIED, "办结后已录入。")
    case.refresh_from_db()
    assert case.callback_at == timezone.make_aware(called, TZ)
    assert case.status == Status.NEEDS_EXPLANATION  # 不满意: 单否
    assert case.events.get(action=Action.RECORD_CALLBACK).created_at == case.closed_at


def test_the_next_import_applies_waiting_callbacks_of_cases_closed_since(org, tmp_path):
    received = local(-dt.timedelta(days=3))
    called = local(-dt.timedelta(days=2))
    run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1, received_at=received)]))
    later = write_xlsx(tmp_path / "later.xlsx", [order_row(1, received_at=received, callback=callback_values(called))])
    run_import(org.clerk, later)
    case = close_case(org, Case.objects.get(ticket_no="2025000000001"))

    job = run_import(org.clerk, write_xlsx(tmp_path / "other.xlsx", [order_row(2)]))

    assert "另有1条此前待应用的回访已录入" in job.message
    case.refresh_from_db()
    assert case.callback_at == timezone.make_aware(called, TZ)


# ---------------------------------------------------------------- not the same order


def test_an_order_whose_title_content_and_call_time_all_differ_gets_no_callback(org, tmp_path):
    received = local(-dt.timedelta(days=3))
    called = local(-dt.timedelta(days=1))
    run_import(
        org.clerk,
        write_xlsx(
            tmp_path / "first.xlsx",
            [order_row(n, received_at=received + dt.timedelta(minutes=n)) for n in (1, 2, 3, 4)],
        ),
    )
    for ticket in ("2025000000001", "2025000000002", "2025000000003"):
        close_case(org, Case.objects.get(ticket_no=ticket))
    other = {"标题": "路灯不亮", "主要内容": "小区路灯坏了。", "received_at": received - dt.timedelta(days=1)}
    later = write_xlsx(
        tmp_path / "later.xlsx",
        [
            # 1: another order under this number (closed case): no callback, a conflict.
            order_row(1, callback=callback_values(called), **other),
            # 2: the platform edited the title: the callback is taken, the title is not.
            order_row(
                2,
                received_at=received + dt.timedelta(minutes=2),
                标题="电梯故障（已修改）",
                callback=callback_values(called),
            ),
            # 3: an edited title and nothing else: a conflict.
            order_row(3, received_at=received + dt.timedelta(minutes=3), 标题="电梯故障（已修改）"),
            # 4: another order under this number (open case): not kept as pending.
            order_row(4, callback=callback_values(called), **other),
        ],
    )

    job = run_import(org.clerk, later)

    assert (job.updated_count, job.pending_count, job.conflict_count, job.unchanged_count) == (1, 0, 3, 0)
    conflicts = issues(job, ImportIssue.Level.CONFLICT)
    # The counts agree with the issues listed: one conflict row each.
    assert sorted({row for row, _, _ in conflicts}) == [2, 4, 5]
    assert (
        2,
        "工单编号",
        "标题、主要内容和来电时间都与系统中同一工单编号的案件不同，疑似不是同一工单（请核对工单编号列），未录入任何信息。",
    ) in conflicts
    assert (3, "标题", "标题与系统记录不一致（系统：电梯故障2；文件：电梯故障（已修改）），未更新。") in issues(
        job, ImportIssue.Level.WARNING
    )
    assert Case.objects.get(ticket_no="2025000000001").callback_at is None
    assert Case.objects.get(ticket_no="2025000000002").callback_at == timezone.make_aware(called, TZ)
    assert Case.objects.get(ticket_no="2025000000002").title == "电梯故障2"
    assert not PendingCallback.objects.exists()


# ---------------------------------------------------------------- what a failed or partial file says


def test_a_failed_import_does_not_show_what_it_would_have_written(org, tmp_path):
    path = write_xlsx(
        tmp_path / "errors.xlsx", [order_row(1), order_row(2, community="不存在"), order_row(3, 主要内容="")]
    )
    previewed = preview(org.clerk, path)
    assert (previewed.new_count, previewed.unmatched_count) == (2, 1)

    job = run_import(org.clerk, path)

    assert job.status == ImportJob.Status.FAILED
    assert (job.total_rows, job.error_count) == (3, 1)
    assert (job.new_count, job.updated_count, job.pending_count, job.unmatched_count) == (0, 0, 0, 0)
    assert Case.objects.count() == 0


def test_a_file_without_callback_columns_says_so(org, tmp_path):
    callback_labels = {"是否联系", "是否解决", "是否满意", "是否有效回访", "回访时间"}
    header = [label for label in HEADER if label not in callback_labels]
    job = run_import(org.clerk, write_xlsx(tmp_path / "first.xlsx", [order_row(1)], header=header))

    assert job.status == ImportJob.Status.DONE
    note = "文件中没有回访列（是否联系、是否解决、是否满意、回访时间），本次不录入任何回访。"
    assert job.message.endswith(note)
    assert (0, "", note + "如平台导出的列名有变化，请联系管理员。") in issues(job, ImportIssue.Level.WARNING)

    # A renamed callback column: the callbacks of the file cannot be read, and the file says which.
    renamed = [("回访日期" if label == "回访时间" else label) for label in HEADER]
    rows = [order_row(2, callback=callback_values(local(-dt.timedelta(days=1))))]
    job = preview(org.clerk, write_xlsx(tmp_path / "renamed.xlsx", rows, header=renamed, keys=HEADER))
    assert "文件中缺少回访列：回访时间，本次不录入任何回访。" in job.message

    # A file with every callback column has no such note.
    assert "回访列" not in preview(org.clerk, write_xlsx(tmp_path / "full.xlsx", [order_row(3)])).message


def test_uploaded_files_are_deleted_after_the_retention_period_and_the_history_stays(org, tmp_path, settings):
    settings.INTAKE_FILE_RETENTION_DAYS = 30
    done = run_import(
        org.clerk, write_xlsx(tmp_path / "a.xlsx", [order_row(1), order_row(2, 主要内容="")]), valid_only=True
    )
    abandoned = preview(org.clerk, write_xlsx(tmp_path / "b.xlsx", [order_row(3)]))
    recent = preview(org.clerk, write_xlsx(tmp_path / "c.xlsx", [order_row(4)]))
    old = timezone.now() - dt.timedelta(days=31)
    ImportJob.objects.filter(pk__in=[done.pk, abandoned.pk]).update(created_at=old)
    paths = {job.pk: Path(job.file.path) for job in (done, abandoned, recent)}

    assert services.import_files_purge() == 2

    assert not paths[done.pk].exists() and not paths[abandoned.pk].exists() and paths[recent.pk].exists()
    done.refresh_from_db()
    abandoned.refresh_from_db()
    assert not done.file and done.status == ImportJob.Status.DONE and done.error_count == 1
    assert done.issues.filter(level=ImportIssue.Level.ERROR).exists()  # the findings stay
    assert abandoned.status == ImportJob.Status.FAILED and "保存期限" in abandoned.message
    with pytest.raises(NotFound):
        import_rejected_rows(job=done, user=org.clerk)
    assert services.import_files_purge() == 0  # nothing left to do: safe to run again


def test_a_tag_too_long_for_the_tag_table_is_an_error_of_its_row(org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1, 标签="长" * 33), order_row(2, 标签="每月一题")])
    job = run_import(org.clerk, path, valid_only=True)
    assert (job.new_count, job.error_count) == (1, 1)
    assert ("标签", 2) in [(column, row) for row, column, _ in issues(job, ImportIssue.Level.ERROR)]
    assert list(Case.objects.values_list("tags__name", flat=True)) == ["每月一题"]
