"""The issue's "Done when", end to end through the real services: a clerk
imports a real-looking platform export, the office dispatches, handles,
replies and signs, the next day's export brings the platform's callbacks
(one made before the office recorded its closure, one for a case still being
signed), and the week's board counts them — without one duplicate case."""

import datetime as dt

import pytest
from django.utils import timezone

from cases import services as case_services
from cases.intake import services
from cases.intake.models import ImportJob, PendingCallback
from cases.intake.samples import HEADER, callback_values, order_row, use_shared_strings, write_xlsx
from cases.models import Case, CaseEvent, Satisfaction
from cases.tests.factories import signed_sha256
from cases.tests.intake_helpers import issues, preview, run_import
from cases.transitions import Action, Status
from rankings import services as ranking_services
from rankings.models import UnitKind
from rankings.windows import week_of

TZ = timezone.get_default_timezone()
MONDAY = dt.date(2026, 11, 9)  # ISO week 2026-W46, Monday to Sunday 15 November


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time `day` days after the Monday of the week."""
    return timezone.make_aware(dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time(hour, minute)), TZ)


def platform_time(moment: dt.datetime) -> str:
    """As the platform's Java exporter writes times: text with a fraction of a second."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S.0")


@pytest.fixture
def clock(monkeypatch):
    """The time the services see ("now"), moved along by the test."""

    class Clock:
        now = at(0, 9)

    monkeypatch.setattr(timezone, "now", lambda: Clock.now)
    return Clock


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


ORDERS = {
    # ticket: (community in the export, received at, title)
    "A": ("幸福社区", at(0, 8, 5), "电梯停运"),
    "B": ("幸福社区居委会", at(0, 8, 10), "楼道堆物"),
    "C": ("幸福社区", at(0, 8, 15), "路灯不亮"),
    "D": ("和平社区", at(0, 8, 20), "下水道堵塞"),
}
CALLBACKS = {
    # ticket: (platform callback time, resolved, satisfied)
    "A": (at(1, 9), "是", "满意"),
    "B": (at(1, 10), "否", "基本满意"),  # before the office's closure (Tuesday 16:00)
    "C": (at(1, 11), "是", "满意"),  # the case is still being signed on Wednesday morning
    "D": (at(1, 9, 30), "是", "不满意"),
}


def export(path, *, with_callbacks: bool):
    """The platform's export: a title row, a shared strings table, Java-style times."""
    rows = []
    for n, (key, (community, received, title)) in enumerate(ORDERS.items(), start=1):
        callback = None
        if with_callbacks:
            called, resolved, satisfied = CALLBACKS[key]
            callback = callback_values(platform_time(called), resolved=resolved, satisfaction=satisfied)
        rows.append(
            order_row(
                n,
                community=community,
                received_at=platform_time(received),
                callback=callback,
                工单编号=f"2026111{n:06d}",
                标题=title,
                主要内容=f"{title}，请尽快处理。",
                工单状态="已办结" if with_callbacks else "已派单",
            )
        )
    above = [["北京市12345热线工单导出（直派街乡）"], ["导出时间：" + platform_time(timezone.now())]]
    header = [f" {label}" for label in HEADER]  # stray spaces, as in real exports
    return use_shared_strings(write_xlsx(path, rows, header=header, keys=HEADER, above=above))


def ticket(key: str) -> str:
    return f"2026111{list(ORDERS).index(key) + 1:06d}"


def case_of(key: str) -> Case:
    return Case.objects.get(ticket_no=ticket(key))


def test_an_export_then_the_next_days_export_with_callbacks_end_on_the_board(org, tmp_path, clock):
    # Monday 09:00: the clerk previews and imports the morning's export.
    first = export(tmp_path / "工单导出-1109.xlsx", with_callbacks=False)
    looked = preview(org.clerk, first)
    assert (looked.status, looked.new_count, looked.error_count) == (ImportJob.Status.PREVIEWED, 4, 0), looked.message
    assert Case.objects.count() == 0
    services.import_job_confirm(job_id=looked.id, actor=org.clerk, valid_only=False)
    done = services.import_job_execute(job_id=looked.id)
    assert (done.status, done.new_count, done.unmatched_count) == (ImportJob.Status.DONE, 4, 0), done.message
    assert case_of("A").received_at == at(0, 8, 5)
    assert {key: case_of(key).reported_community for key in ORDERS} == {"A": org.a, "B": org.a, "C": org.a, "D": org.b}

    # The office works the cases with the real services.
    units = {"a": (org.pairing_a, org.officer_a, org.secretary_a, org.chief_a)}
    units["b"] = (org.pairing_b, org.officer_b, org.secretary_b, org.chief_b)
    unit_of = {"A": "a", "B": "a", "C": "a", "D": "b"}
    for key in ORDERS:
        pairing, officer, _, _ = units[unit_of[key]]
        case_services.case_dispatch(
            case_id=case_of(key).id, actor=org.clerk, pairing_id=pairing.id, handler_id=officer.id, at=at(0, 10)
        )
        case_services.case_respond(case_id=case_of(key).id, actor=officer, at=at(0, 11))
        case_services.case_reply(case_id=case_of(key).id, actor=officer, text="已现场处理并回复来电人。", at=at(0, 14))
    for key, secretary_at, chief_at in (("A", at(0, 15), at(0, 15, 30)), ("D", at(0, 15), at(0, 15, 30))):
        _, _, secretary, chief = units[unit_of[key]]
        case_services.case_sign_reply(
            case_id=case_of(key).id,
            actor=secretary,
            at=secretary_at,
            expected_sha256=signed_sha256(case_of(key).id, "reply_text"),
        )
        case_services.case_sign_reply(
            case_id=case_of(key).id,
            actor=chief,
            at=chief_at,
            expected_sha256=signed_sha256(case_of(key).id, "reply_text"),
        )
    # B: the chief signs late, Tuesday 16:00, after the platform's callback at 10:00.
    case_services.case_sign_reply(
        case_id=case_of("B").id,
        actor=org.secretary_a,
        at=at(0, 15),
        expected_sha256=signed_sha256(case_of("B").id, "reply_text"),
    )
    clock.now = at(1, 16)
    case_services.case_sign_reply(
        case_id=case_of("B").id,
        actor=org.chief_a,
        at=at(1, 16),
        expected_sha256=signed_sha256(case_of("B").id, "reply_text"),
    )
    # C: only the secretary has signed by Wednesday morning.
    case_services.case_sign_reply(
        case_id=case_of("C").id,
        actor=org.secretary_a,
        at=at(0, 15),
        expected_sha256=signed_sha256(case_of("C").id, "reply_text"),
    )
    assert [case_of(key).status for key in ORDERS] == [Status.CLOSED, Status.CLOSED, Status.REPLIED, Status.CLOSED]

    # Wednesday 09:00: the next day's export of the same orders, with the callbacks.
    clock.now = at(2, 9)
    second = export(tmp_path / "工单导出-1111.xlsx", with_callbacks=True)
    job = run_import(org.clerk, second)

    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.new_count, job.updated_count, job.pending_count, job.conflict_count, job.error_count) == (
        0,
        3,
        1,
        0,
        0,
    ), issues(job)
    assert Case.objects.count() == 4
    b = case_of("B")
    assert (b.status, b.callback_at, b.closed_at) == (Status.NEEDS_EXPLANATION, at(1, 10), at(1, 16))
    assert b.events.get(action=Action.RECORD_CALLBACK).created_at == at(1, 16)  # after the closure
    assert PendingCallback.objects.get(case=case_of("C")).state == PendingCallback.State.PENDING

    # Wednesday 14:00: the chief signs C; its waiting callback is recorded (the periodic task's work).
    clock.now = at(2, 14)
    case_services.case_sign_reply(
        case_id=case_of("C").id,
        actor=org.chief_a,
        at=at(2, 14),
        expected_sha256=signed_sha256(case_of("C").id, "reply_text"),
    )
    assert services.pending_callbacks_apply() == 1
    c = case_of("C")
    assert (c.status, c.callback_at, c.callback_satisfaction) == (Status.CALLED_BACK, at(1, 11), Satisfaction.SATISFIED)
    assert c.events.get(action=Action.RECORD_CALLBACK).created_at == at(2, 14)

    # The same export once more changes nothing: no duplicate case, no second callback.
    clock.now = at(2, 15)
    events = CaseEvent.objects.count()
    again = run_import(org.clerk, second)
    assert (again.new_count, again.updated_count, again.pending_count, again.unchanged_count) == (0, 0, 0, 4)
    assert (Case.objects.count(), CaseEvent.objects.count()) == (4, events)
    for key in ORDERS:
        case = case_of(key)
        assert case.callback_at == CALLBACKS[key][0]
        assert case.events.filter(action=Action.RECORD_CALLBACK).count() == 1
        assert case.events.filter(action=Action.REGISTER).get().created_at == at(0, 9)

    # Monday after: the week's board counts the cases and the platform's callbacks.
    clock.now = at(7, 0, 10)
    board = ranking_services.board_compute(window=week_of(MONDAY))
    rows = {row.unit_name: row for row in board.rows.filter(unit_kind=UnitKind.COMMUNITY)}
    a, b = rows["幸福社区"], rows["和平社区"]
    assert (a.received, a.closed, a.valid_callbacks, a.contacted, a.resolved) == (3, 3, 3, 3, 2)
    assert (a.satisfied, a.basically_satisfied) == (2, 1)
    assert (b.received, b.closed, b.valid_callbacks, b.resolved, b.satisfied) == (1, 1, 1, 1, 0)
    departments = {row.unit_name: row for row in board.rows.filter(unit_kind=UnitKind.DEPARTMENT)}
    assert departments[org.d1.name].valid_callbacks == 3 and departments[org.d2.name].valid_callbacks == 1
