"""The 12345 import: an uploaded file becomes an ImportJob; a preview (dry
run) tells what would happen; the import registers new orders, records
callbacks and reports everything else. Idempotent by 工单编号: importing
the same file again changes nothing.

Rules for an order that exists already (a later export of the same order):
- order fields (title, content, caller...) are never overwritten: a value
  that differs from the case is reported as a conflict;
- a callback is recorded on the timeline if the case is closed inside the
  office and has no callback yet; a callback that differs from the one
  recorded is a conflict;
- a callback for a case not closed yet is kept as a PendingCallback and
  recorded when the case is closed (at the next import, by the clerk's
  button on the import page, or by the periodic task).

The import is one transaction (all rows or none) unless the user chose to
import only the valid rows."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import cast

from django.contrib.auth.models import User
from django.core.files import File
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from cases import services as case_services
from cases import similarity
from cases.intake import parsing, transitions
from cases.intake.matching import CommunityMatcher
from cases.intake.models import ImportIssue, ImportJob, PendingCallback
from cases.intake.parsing import Callback, FileRejected, Order
from cases.intake.transitions import Status, Step
from cases.models import Case, Channel
from cases.transitions import Status as CaseStatus
from communities.models import Community, Role
from communities.selectors import person_for_user
from hotline.errors import Conflict, DomainError, NotAllowed, NotFound
from hotline.outbox import outbox_add_task, outbox_waiting

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
# Findings kept per job; beyond this they are counted, not stored.
MAX_STORED_ISSUES = 50_000
ADVISORY_LOCK_KEY = 12345_0001


# ---------------------------------------------------------------- results


@dataclass
class Counts:
    total: int = 0
    new: int = 0
    updated: int = 0
    pending: int = 0
    unchanged: int = 0
    conflict: int = 0
    error: int = 0
    unmatched: int = 0

    def as_job_fields(self) -> dict[str, int]:
        return {
            "total_rows": self.total,
            "processed_rows": self.total,
            "new_count": self.new,
            "updated_count": self.updated,
            "pending_count": self.pending,
            "unchanged_count": self.unchanged,
            "conflict_count": self.conflict,
            "error_count": self.error,
            "unmatched_count": self.unmatched,
        }


@dataclass
class _Issues:
    rows: list[ImportIssue] = field(default_factory=list)
    dropped: int = 0
    notes: list[str] = field(default_factory=list)  # about the whole file, repeated in the summary

    def add(self, job: ImportJob, order: Order | int, level: str, column: str, message: str) -> None:
        if len(self.rows) >= MAX_STORED_ISSUES:
            self.dropped += 1
            return
        row = order if isinstance(order, int) else order.row_number
        ticket = "" if isinstance(order, int) else order.ticket_no[:64]
        self.rows.append(
            ImportIssue(job=job, row_number=row, ticket_no=ticket, column=column, level=level, message=message[:500])
        )


class _RollBack(Exception):
    """Leaves the import transaction without committing anything."""


# ---------------------------------------------------------------- permissions


def _require_clerk(actor: User) -> None:
    person = person_for_user(actor)
    if person is None or person.role != Role.CLERK:
        raise NotAllowed("只有办件员可以导入工单。")


# ---------------------------------------------------------------- job lifecycle
#
# Every status change of a job is `_move`: the job row locked, the step looked
# up in cases.intake.transitions, the row saved with update_fields. The page,
# the API and the command start a job with `import_job_submit` and carry it on
# with `import_job_confirm`, `import_job_retry` and `import_job_cancel`; the
# Celery tasks run `import_job_preview` and `import_job_execute`.

# The task that carries a job on from each waiting status.
_TASKS: dict[str, str] = {Status.UPLOADED: "intake.preview_job", Status.QUEUED: "intake.execute_job"}

NOT_EXCEL = (
    "文件名是 .xlsx，但内容不是Excel工作簿（可能是改了扩展名的文本文件）。"
    "请在Excel中打开后另存为 .xlsx，或另存为 .csv 后再上传。"
)


def _move(job_id: int, step: Step, *, check: Callable[[ImportJob], None] | None = None, **fields: object) -> ImportJob:
    """The one place a job's status changes. `check` sees the locked job before
    the move (a rule beyond the table); `fields` are saved with the status."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None:
            raise NotFound("导入记录不存在。")
        status = transitions.next_status(step, job.status)
        if check is not None:
            check(job)
        job.status = status
        job.progress_at = timezone.now()
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=["status", "progress_at", *fields])
    return job


def _mode(valid_only: bool) -> str:
    return ImportJob.Mode.VALID_ONLY if valid_only else ImportJob.Mode.ATOMIC


def _runs_inline(job: ImportJob, inline: bool | None) -> bool:
    return inline if inline is not None else job.file_size <= parsing.limit("INTAKE_SYNC_MAX_BYTES")


def _enqueue(job: ImportJob) -> None:
    """The job's next task, through the outbox: sent when the step's transaction
    commits; a broker that is down leaves it waiting, never fails the step."""
    outbox_add_task(task=_TASKS[job.status], args=[job.id], key=job.outbox_key)


def _run(job: ImportJob, progress: Callable[[int, int | None], None] | None) -> ImportJob:
    if job.status == Status.UPLOADED:
        return import_job_preview(job_id=job.id, progress=progress)
    return import_job_execute(job_id=job.id, progress=progress)


def _step_and_go_on(
    job_id: int,
    step: Step,
    *,
    check: Callable[[ImportJob], None] | None = None,
    inline: bool | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    **fields: object,
) -> ImportJob:
    """Take `step`, then run the job's next pass now (a small file, or `inline`)
    or enqueue its task in the same transaction as the step."""
    with transaction.atomic():
        job = _move(job_id, step, check=check, **fields)
        now = _runs_inline(job, inline)
        if not now:
            _enqueue(job)
    return _run(job, progress) if now else job


def import_job_create(*, actor: User, upload: File, name: str = "", source: str = "web") -> ImportJob:
    """Store an uploaded file as a new job, after the checks that need no parsing
    (size, kind of file, zip-bomb guards). A refused file leaves nothing behind;
    an accepted one is readable by the server's user only (ImportJob.file's storage)."""
    _require_clerk(actor)
    name = (name or getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1][:255]
    parsing.check_size(upload.size)
    if not name.lower().endswith((".xlsx", ".csv", ".xlsm")):
        raise FileRejected("仅支持 .xlsx 和 .csv 文件。")
    job = ImportJob(created_by=actor, original_name=name, file_size=upload.size, source=source)
    job.file.save(name if name.isascii() else f"import{Path(name).suffix.lower()}", upload, save=False)
    try:
        path = Path(job.file.path)
        job.file_format = parsing.sniff_format(path)
        if job.file_format == "xlsx":
            parsing.check_xlsx_archive(path)
        elif not name.lower().endswith(".csv"):
            raise FileRejected(NOT_EXCEL)
        job.save()
    except BaseException as error:
        # Whatever went wrong, no stored file is left without its job.
        job.file.delete(save=False)
        if isinstance(error, DomainError) or not isinstance(error, Exception):
            raise
        logger.exception("import upload %s could not be checked", name)
        raise FileRejected(parsing.CORRUPT) from None
    return job


def import_job_submit(
    *,
    actor: User,
    upload: File,
    name: str = "",
    source: str = "web",
    dry_run: bool = True,
    valid_only: bool = False,
    inline: bool | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportJob:
    """The one entry point of an upload (the page, the API, the command): store
    the file, then preview it (`dry_run`) or import it without a preview. A small
    file (or `inline`) is done when this returns; a larger one runs in Celery."""
    job = import_job_create(actor=actor, upload=upload, name=name, source=source)
    if not dry_run:
        return _step_and_go_on(job.id, Step.QUEUE, inline=inline, progress=progress, mode=_mode(valid_only))
    if _runs_inline(job, inline):
        return _run(job, progress)
    with transaction.atomic():
        _enqueue(job)
    return job


def import_job_confirm(
    *,
    job_id: int,
    actor: User,
    valid_only: bool,
    inline: bool | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> ImportJob:
    """The clerk confirms a previewed job. Without `valid_only` a file with
    errors is refused: the import is all or nothing."""
    _require_clerk(actor)

    def check(job: ImportJob) -> None:
        if job.error_count and not valid_only:
            raise Conflict(
                f"预检发现{job.error_count}行错误。请修正文件后重新上传，或选择“仅导入有效行”。", code="has_errors"
            )

    return _step_and_go_on(job_id, Step.CONFIRM, check=check, inline=inline, progress=progress, mode=_mode(valid_only))


def import_job_retry(*, job_id: int, actor: User | None, inline: bool | None = None) -> ImportJob:
    """A failed job is previewed again; a stuck one (its task lost, its worker
    dead) is sent to a worker again. `actor` None: the periodic job."""
    if actor is not None:
        _require_clerk(actor)

    def check(job: ImportJob) -> None:
        if not job.can_retry:
            if job.status == Status.FAILED:
                raise Conflict("原文件已不存在，不能重试。请重新上传文件。", code="file_gone")
            raise Conflict("该导入正在进行，无需重试。", code="running")

    return _step_and_go_on(
        job_id, Step.RETRY, check=check, inline=inline, message="", processed_rows=0, finished_at=None
    )


def import_job_cancel(*, job_id: int, actor: User) -> ImportJob:
    """A clerk gives a job up: it writes nothing more and its file is deleted.
    A job a worker is working on (and not stuck) cannot be cancelled."""
    _require_clerk(actor)

    def check(job: ImportJob) -> None:
        if not job.can_cancel:
            raise Conflict("该导入正在进行，不能取消。请等待其完成。", code="running")

    person = person_for_user(actor)
    who = person.full_name if person else actor.get_username()
    job = _move(
        job_id, Step.CANCEL, check=check, finished_at=timezone.now(), message=f"{who}已取消该导入，未写入任何数据。"
    )
    _delete_file(job)
    return job


def import_jobs_resume() -> int:
    """For the periodic schedule: send the stuck jobs to a worker again. A job
    whose task is still waiting in the outbox (the broker is down) is left to
    the outbox. Returns how many jobs were sent again."""
    resumed = 0
    for job in list(ImportJob.objects.filter(transitions.stuck_q(timezone.now())).only("id")):
        if outbox_waiting(key=job.outbox_key):
            continue
        try:
            import_job_retry(job_id=job.id, actor=None, inline=False)
        except DomainError:
            continue  # it moved on meanwhile
        resumed += 1
    return resumed


def import_job_preview(*, job_id: int, progress: Callable[[int, int | None], None] | None = None) -> ImportJob:
    """Dry run: read every row and store what the import would do. Writes no case.
    Safe to run twice: only an uploaded job is previewed."""
    job = _claim(job_id, Step.PREVIEW_START)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    try:
        counts, issues = _process(job, write=False, valid_only=False, progress=_ProgressWriter(job.id, also=progress))
    except FileRejected as error:
        return _fail(job, error.message, refused=True)
    except Exception:
        logger.exception("import job %s: preview failed", job.id)
        return _fail(job, "预检时发生系统错误，请联系管理员。")
    _store_result(job, counts, issues)
    return _move_or_current(
        job.id,
        Step.PREVIEW_FINISH,
        previewed_at=timezone.now(),
        message=_summary(counts, dry_run=True) + _dropped_note(issues),
    )


def import_job_execute(*, job_id: int, progress: Callable[[int, int | None], None] | None = None) -> ImportJob:
    """Run a queued job. Safe to call twice: only a queued job is run."""
    job = _claim(job_id, Step.IMPORT_START)
    if job is None:
        return ImportJob.objects.get(pk=job_id)
    valid_only = job.mode == ImportJob.Mode.VALID_ONLY
    writer = _ProgressWriter(job.id, separate_connection=connection.vendor == "postgresql", also=progress)
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # One import at a time: two files with the same new orders must not race.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            counts, issues = _process(job, write=True, valid_only=valid_only, progress=writer)
            if counts.error and not valid_only:
                raise _RollBack
            _store_result(job, counts, issues)
            # Cancelled meanwhile (the job was stuck): Conflict, and nothing is written.
            job = _move(
                job.id,
                Step.IMPORT_FINISH,
                finished_at=timezone.now(),
                message=_summary(counts, dry_run=False) + _dropped_note(issues),
            )
    except _RollBack:
        # Nothing was written; keep the findings so the clerk can fix the file.
        _store_result(job, counts, issues)
        return _fail(job, f"发现{counts.error}行错误，未导入任何数据。请修正后重新导入，或选择仅导入有效行。")
    except FileRejected as error:
        return _fail(job, error.message, refused=True)
    except Conflict as error:
        return _fail(job, f"导入未完成，未写入任何数据：{error.message}")
    except Exception:
        logger.exception("import job %s: import failed", job.id)
        return _fail(job, "导入时发生系统错误，未写入任何数据。请联系管理员。")
    finally:
        writer.close()
    applied = pending_callbacks_apply()
    if applied:
        job.message += f" 另有{applied}条此前待应用的回访已录入。"
        job.save(update_fields=["message"])
    return job


def _claim(job_id: int, step: Step) -> ImportJob | None:
    """Take a waiting job for this worker; None if another worker has it, or
    it is finished or cancelled (a task sent twice does nothing the second time)."""
    fields: dict[str, object] = {"processed_rows": 0}
    if step == Step.IMPORT_START:
        fields["started_at"] = timezone.now()
    try:
        return _move(job_id, step, check=None, **fields)
    except Conflict:
        return None


def _move_or_current(job_id: int, step: Step, **fields: object) -> ImportJob:
    """A worker's last step; a job cancelled meanwhile stays cancelled."""
    try:
        return _move(job_id, step, check=None, **fields)
    except Conflict:
        return ImportJob.objects.get(pk=job_id)


# What a job would have written. A failed job wrote nothing, so these read 0
# (the rows checked, unchanged, in conflict or in error are findings and stay).
_WRITE_COUNTS = ("new_count", "updated_count", "pending_count", "unmatched_count")


def _fail(job: ImportJob, message: str, *, refused: bool = False) -> ImportJob:
    """The job failed. A refused file (not a workbook, too large, hostile...) is
    deleted: nothing of a refused upload is kept."""
    failed = _move_or_current(
        job.id, Step.FAIL, message=message, finished_at=timezone.now(), **dict.fromkeys(_WRITE_COUNTS, 0)
    )
    if refused:
        _delete_file(failed)
    return failed


def _delete_file(job: ImportJob) -> None:
    if job.file:
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")


def _store_result(job: ImportJob, counts: Counts, issues: _Issues) -> None:
    ImportIssue.objects.filter(job=job).delete()
    ImportIssue.objects.bulk_create(issues.rows, batch_size=2000)
    fields = counts.as_job_fields()
    for name, value in fields.items():
        setattr(job, name, value)
    job.progress_at = timezone.now()
    job.save(update_fields=[*fields, "progress_at"])


def _dropped_note(issues: _Issues) -> str:
    notes = "".join(f" {note}" for note in issues.notes)
    return notes + (f"（另有{issues.dropped}条问题未逐条保存。）" if issues.dropped else "")


def _summary(counts: Counts, *, dry_run: bool) -> str:
    verb = "将" if dry_run else "已"
    parts = [f"共{counts.total}行：{verb}新增{counts.new}件", f"{verb}录入回访{counts.updated}件"]
    if counts.pending:
        parts.append(f"回访待办结后录入{counts.pending}件")
    parts.append(f"无变化{counts.unchanged}件")
    if counts.conflict:
        parts.append(f"冲突{counts.conflict}件（未覆盖）")
    if counts.error:
        parts.append(f"错误{counts.error}行" + ("（已跳过）" if not dry_run else ""))
    if counts.unmatched:
        parts.append(f"未匹配社区{counts.unmatched}件（需人工派发）")
    return "，".join(parts) + "。"


# ---------------------------------------------------------------- progress


class _ProgressWriter:
    """Writes processed/total on the job, at most twice a second. Inside the
    import transaction on PostgreSQL it uses a connection of its own, so the
    page polling the job sees the progress before the import commits."""

    def __init__(
        self,
        job_id: int,
        *,
        separate_connection: bool = False,
        also: Callable[[int, int | None], None] | None = None,
    ):
        self.job_id = job_id
        self.also = also
        self.last = 0.0
        self.own = connections.create_connection("default") if separate_connection else None

    def __call__(self, processed: int, total: int | None, *, force: bool = False) -> None:
        if self.also:
            self.also(processed, total)
        now = time.monotonic()
        if not force and now - self.last < 0.5:
            return
        self.last = now
        if self.own is None:
            ImportJob.objects.filter(pk=self.job_id).update(
                processed_rows=processed, total_rows=total, progress_at=timezone.now()
            )
            return
        try:
            with self.own.cursor() as cursor:
                # Never wait on the import's own locks: a skipped update only delays the bar.
                cursor.execute("SET lock_timeout = '1s'")
                cursor.execute(
                    f"UPDATE {ImportJob._meta.db_table} SET processed_rows = %s, total_rows = %s, progress_at = %s "
                    "WHERE id = %s",
                    [processed, total, timezone.now(), self.job_id],
                )
        except DatabaseError:
            logger.warning("import job %s: progress not written", self.job_id)

    def close(self) -> None:
        if self.own is not None:
            self.own.close()


# ---------------------------------------------------------------- the pass over the file


_COMPARED = (
    # (case field, order attribute, column label, personal data: the values are not repeated)
    ("title", "title", "标题", False),
    ("content", "content", "主要内容", False),
    ("category", "category", "问题分类", False),
    ("received_at", "received_at", "来电时间", False),
    ("caller_name", "caller_name", "来电人", True),
    ("caller_phone", "caller_phone", "来电人电话", True),
    ("compound", "compound", "小区点位", False),
    ("order_type", "order_type", "工单类型", False),
)
_CASE_VALUES = (
    "id",
    "ticket_no",
    "status",
    "closed_at",
    "callback_at",
    "callback_contacted",
    "callback_resolved",
    "callback_satisfaction",
    "callback_valid",
    *(name for name, *_ in _COMPARED),
)


def _batches(rows: Iterator, size: int) -> Iterator[list]:
    while batch := list(islice(rows, size)):
        yield batch


def _fingerprint(order: Order) -> str:
    values = {k: v for k, v in vars(order).items() if k not in ("row_number", "errors", "warnings")}
    return hashlib.sha1(repr(sorted(values.items(), key=lambda kv: kv[0])).encode()).hexdigest()


def _short(value: object) -> str:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    value = str(value or "（空）")
    return value if len(value) <= 30 else value[:30] + "…"


def _same_callback(case: dict, callback: Callback) -> bool:
    return (
        case["callback_at"] == callback.called_at
        and case["callback_contacted"] == callback.contacted
        and case["callback_resolved"] == callback.resolved
        and case["callback_satisfaction"] == callback.satisfaction
        and case["callback_valid"] == callback.valid
    )


def _same_pending(pending: PendingCallback, callback: Callback) -> bool:
    return (
        pending.called_at == callback.called_at
        and pending.contacted == callback.contacted
        and pending.resolved == callback.resolved
        and pending.satisfaction == callback.satisfaction
        and pending.valid == callback.valid
    )


def _register_kwargs(order: Order, community: Community | None) -> dict:
    return {
        "title": order.title,
        "content": order.content,
        "received_at": order.received_at,
        "ticket_no": order.ticket_no,
        "channel": Channel.HOTLINE,
        "order_type": order.order_type,
        "caller_name": order.caller_name,
        "caller_phone": order.caller_phone,
        "address": order.address,
        "compound": order.compound,
        "reported_community": community,
        "reported_community_name": order.community,
        "category": order.category,
        "urgency": order.urgency,
        "tags": order.tags,
    }


def _process(job: ImportJob, *, write: bool, valid_only: bool, progress: Callable[..., None]) -> tuple[Counts, _Issues]:
    """One streaming pass in batches: bulk look-ups of the batch's ticket
    numbers, then bulk registration. In an all-or-nothing import the first
    error stops the writing; the rest of the file is still checked so every
    error is reported."""
    sheet = parsing.open_sheet(Path(job.file.path))
    max_rows = parsing.limit("INTAKE_MAX_ROWS")
    matcher = CommunityMatcher()
    counts, issues = Counts(), _Issues()
    seen: dict[str, tuple[int, str]] = {}
    now = timezone.now()
    estimate = sheet.estimated_rows or None
    _note_missing_callback_columns(job, sheet.columns, issues)
    progress(0, estimate, force=True)
    try:
        for batch in _batches(sheet.rows, BATCH_SIZE):
            counts.total += len(batch)
            if counts.total > max_rows:
                raise FileRejected(f"文件超过{max_rows}行的上限，请拆分后分批导入。")
            orders = [parsing.parse_order(n, cells, sheet.columns, now=now) for n, cells in batch]
            plan = _plan_batch(job, orders, matcher=matcher, seen=seen, counts=counts, issues=issues)
            if not write:
                _note_similar(job, plan, issues)
            if write and counts.error and not valid_only:
                write = False  # all or nothing: stop writing, keep checking
            if write:
                _write_batch(job, plan, matcher=matcher, counts=counts, issues=issues, now=now)
            progress(counts.total, max(estimate or 0, counts.total))
    finally:
        sheet.close()
    progress(counts.total, counts.total, force=True)
    return counts, issues


def _note_similar(job: ImportJob, plan: _Plan, issues: _Issues) -> None:
    """The preview names, for each new order, an existing case it likely
    repeats (cases.similarity): one candidate query per batch."""
    found = similarity.case_similar_for_many(
        complaints=[
            similarity.Complaint(
                key=index,
                text=f"{order.title} {order.content}",
                compound=order.compound,
                address=order.address,
                received_at=order.received_at,
            )
            for index, (order, _) in enumerate(plan.new)
            if order.received_at is not None
        ],
        scope=Case.objects.all(),
    )
    for index, similar in sorted(found.items()):
        order = plan.new[index][0]
        issues.add(
            job,
            order,
            ImportIssue.Level.WARNING,
            "主要内容",
            f"疑似重复诉求：与工单 {similar.case.ticket_no}（{timezone.localtime(similar.case.received_at):%m-%d}，"
            f"{similar.same_label}）内容相似，相似度{similar.percent}%。",
        )


def _note_missing_callback_columns(job: ImportJob, columns: dict[str, int], issues: _Issues) -> None:
    """A renamed callback column must not drop the callbacks silently: say so once for the file."""
    missing = [parsing.LABELS[key] for key in parsing.CALLBACK_KEYS if key not in columns]
    if not missing:
        return
    if len(missing) == len(parsing.CALLBACK_KEYS):
        note = "文件中没有回访列（是否联系、是否解决、是否满意、回访时间），本次不录入任何回访。"
    else:
        note = f"文件中缺少回访列：{'、'.join(missing)}，本次不录入任何回访。"
    issues.notes.append(note)
    issues.add(job, 0, ImportIssue.Level.WARNING, "", note + "如平台导出的列名有变化，请联系管理员。")


@dataclass
class _Plan:
    new: list[tuple[Order, int | None]] = field(default_factory=list)
    callbacks: list[tuple[Order, int]] = field(default_factory=list)  # (order, case id) to record now
    pending: list[tuple[Order, int]] = field(default_factory=list)  # (order, case id) to keep


def _plan_batch(
    job: ImportJob,
    orders: list[Order],
    *,
    matcher: CommunityMatcher,
    seen: dict[str, tuple[int, str]],
    counts: Counts,
    issues: _Issues,
) -> _Plan:
    plan = _Plan()
    valid = []
    for order in orders:
        for column, message in order.warnings:
            issues.add(job, order, ImportIssue.Level.WARNING, column, message)
        if order.errors:
            counts.error += 1
            for column, message in order.errors:
                issues.add(job, order, ImportIssue.Level.ERROR, column, message)
            continue
        print_ = _fingerprint(order)
        if order.ticket_no in seen:
            first_row, first_print = seen[order.ticket_no]
            if first_print == print_:
                counts.unchanged += 1
            else:
                counts.error += 1
                issues.add(
                    job, order, ImportIssue.Level.ERROR, "工单编号", f"工单编号与第{first_row}行重复，且内容不同。"
                )
            continue
        seen[order.ticket_no] = (order.row_number, print_)
        valid.append(order)
    if not valid:
        return plan
    existing = {
        row["ticket_no"]: row
        for row in Case.objects.filter(ticket_no__in=[o.ticket_no for o in valid]).values(*_CASE_VALUES)
    }
    open_ids = [row["id"] for row in existing.values() if row["callback_at"] is None]
    pending = {
        p.case_id: p
        for p in PendingCallback.objects.filter(case_id__in=open_ids, state=PendingCallback.State.PENDING)
        if open_ids
    }
    for order in valid:
        case = existing.get(order.ticket_no)
        if case is None:
            community_id = matcher.match(
                community=order.community,
                compound=order.compound,
                street=order.street,
                text=f"{order.title}\n{order.content}",
            )
            if community_id is None:
                counts.unmatched += 1
                issues.add(job, order, ImportIssue.Level.WARNING, "村/社区", "未能匹配到社区，请人工派发。")
            plan.new.append((order, community_id))
            counts.new += 1
            if order.callback:
                plan.pending.append((order, 0))  # the case id is known once registered
                issues.add(
                    job, order, ImportIssue.Level.WARNING, "回访时间", "新工单已有回访：将在案件办结后自动录入。"
                )
            continue
        _plan_existing(job, order, case, pending.get(case["id"]), plan=plan, counts=counts, issues=issues)
    return plan


# An order whose title, content and call time all differ from the case with
# its number is not that case's order (a wrong number, or a wrong column taken
# for 工单编号): nothing of it is taken, its callback included.
_IDENTITY = ("title", "content", "received_at")


def _plan_existing(
    job: ImportJob,
    order: Order,
    case: dict,
    pending: PendingCallback | None,
    *,
    plan: _Plan,
    counts: Counts,
    issues: _Issues,
) -> None:
    """One outcome per row: updated (callback recorded), pending, conflict or
    unchanged. Conflict-level issues are listed for exactly the rows counted
    as conflicts; a differing field of a row whose callback is taken is listed
    as a note (提示) — it is still not taken."""
    differences: list[tuple[str, str]] = []
    differing: set[str] = set()
    for name, attribute, label, personal in _COMPARED:
        mine, theirs = case[name], getattr(order, attribute)
        if mine != theirs and not (name == "category" and not theirs):
            differing.add(name)
            if personal:
                differences.append((label, f"{label}与系统记录不一致，未更新。"))
            else:
                differences.append(
                    (label, f"{label}与系统记录不一致（系统：{_short(mine)}；文件：{_short(theirs)}），未更新。")
                )
    blocking: list[tuple[str, str]] = []
    outcome = "unchanged"
    callback = order.callback
    if differing.issuperset(_IDENTITY):
        blocking.append(
            (
                "工单编号",
                "标题、主要内容和来电时间都与系统中同一工单编号的案件不同，疑似不是同一工单"
                "（请核对工单编号列），未录入任何信息。",
            )
        )
    elif callback is not None:
        if case["callback_at"] is not None:
            if not _same_callback(case, callback):
                blocking.append(("回访时间", "回访结果与系统已录入的回访不同，未覆盖。"))
        elif case["status"] == CaseStatus.CLOSED:
            # The platform's callback time counts as it is, even before the
            # closure the office recorded later (cases.services.case_record_callback).
            plan.callbacks.append((order, case["id"]))
            outcome = "updated"
        elif pending is None:
            plan.pending.append((order, case["id"]))
            outcome = "pending"
        elif not _same_pending(pending, callback):
            blocking.append(("回访时间", "回访结果与此前导入的待应用回访不同，未覆盖。"))
    if blocking or (differences and outcome == "unchanged"):
        outcome = "conflict"
    level = ImportIssue.Level.CONFLICT if outcome == "conflict" else ImportIssue.Level.WARNING
    for column, message in [*blocking, *differences]:
        issues.add(job, order, level, column, message)
    if outcome == "updated":
        counts.updated += 1
    elif outcome == "pending":
        counts.pending += 1
        issues.add(job, order, ImportIssue.Level.WARNING, "回访时间", "案件尚未办结，回访将在办结后自动录入。")
    elif outcome == "conflict":
        counts.conflict += 1
    else:
        counts.unchanged += 1


def _write_batch(
    job: ImportJob, plan: _Plan, *, matcher: CommunityMatcher, counts: Counts, issues: _Issues, now: dt.datetime
) -> None:
    ids: dict[str, int] = {}
    if plan.new:
        cases = case_services.case_register_many(
            actor=job.created_by,
            orders=[_register_kwargs(order, matcher.community(cid)) for order, cid in plan.new],
            at=now,
            event_data={"import_job": job.id},
        )
        ids = {case.ticket_no: case.id for case in cases}
    PendingCallback.objects.bulk_create(
        [
            PendingCallback(
                case_id=case_id or ids[order.ticket_no],
                job=job,
                called_at=order.callback.called_at,
                contacted=order.callback.contacted,
                resolved=order.callback.resolved,
                satisfaction=order.callback.satisfaction,
                valid=order.callback.valid,
            )
            for order, case_id in plan.pending
            if order.callback is not None
        ]
    )
    for order, case_id in plan.callbacks:
        callback = cast(Callback, order.callback)
        try:
            case_services.case_record_callback(
                case_id=case_id,
                actor=None,
                contacted=callback.contacted,
                resolved=callback.resolved,
                satisfaction=callback.satisfaction,
                valid=callback.valid,
                called_at=callback.called_at,
                note=f"12345平台回访（导入 #{job.id}）",
            )
        except DomainError as error:
            # The case moved on since the look-up (or the service saw a rule we did not): report it.
            counts.updated -= 1
            counts.conflict += 1
            issues.add(job, order, ImportIssue.Level.CONFLICT, "回访时间", f"回访未录入：{error.message}")


# ---------------------------------------------------------------- pending callbacks


def pending_callbacks_apply(*, case_ids: Iterable[int] | None = None) -> int:
    """Record the waiting callbacks of cases that are closed now. A case whose
    callback was meanwhile recorded by hand keeps it: an equal one is marked
    applied, a different one is a conflict. Returns how many were recorded."""
    waiting = PendingCallback.objects.filter(state=PendingCallback.State.PENDING).filter(
        Q(case__status=CaseStatus.CLOSED) | Q(case__callback_at__isnull=False)
    )
    if case_ids is not None:
        waiting = waiting.filter(case_id__in=list(case_ids))
    applied = 0
    for pending in waiting.select_related("case").order_by("id").iterator(chunk_size=500):
        callback = Callback(
            called_at=pending.called_at,
            contacted=pending.contacted,
            resolved=pending.resolved,
            satisfaction=pending.satisfaction,
            valid=pending.valid,
        )
        case = pending.case
        pending.resolved_at = timezone.now()
        if case.callback_at is not None:
            same = _same_callback(
                {
                    "callback_at": case.callback_at,
                    "callback_contacted": case.callback_contacted,
                    "callback_resolved": case.callback_resolved,
                    "callback_satisfaction": case.callback_satisfaction,
                    "callback_valid": case.callback_valid,
                },
                callback,
            )
            pending.state = PendingCallback.State.APPLIED if same else PendingCallback.State.CONFLICT
            pending.message = "系统已录入相同回访。" if same else "系统已录入不同的回访，未覆盖。"
        else:
            try:
                case_services.case_record_callback(
                    case_id=case.id,
                    actor=None,
                    contacted=callback.contacted,
                    resolved=callback.resolved,
                    satisfaction=callback.satisfaction,
                    valid=callback.valid,
                    called_at=callback.called_at,
                    note=f"12345平台回访（导入 #{pending.job_id}，办结后录入）",
                )
            except DomainError as error:
                pending.state, pending.message = PendingCallback.State.CONFLICT, error.message[:300]
            else:
                pending.state, pending.message = PendingCallback.State.APPLIED, "办结后已录入。"
                applied += 1
        pending.save(update_fields=["state", "message", "resolved_at"])
    return applied


# Jobs that are reading their file right now keep it.
_READING = (ImportJob.Status.PREVIEWING, ImportJob.Status.QUEUED, ImportJob.Status.IMPORTING)


def import_files_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the uploaded files older than INTAKE_FILE_RETENTION_DAYS: each
    holds every caller's name and phone. The job, its counts and its findings
    stay; a job that was never confirmed is closed as not imported. Returns
    how many files were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=parsing.limit("INTAKE_FILE_RETENTION_DAYS"))
    jobs = ImportJob.objects.filter(created_at__lt=cutoff).exclude(file="").exclude(status__in=_READING)
    purged = 0
    for job in jobs.iterator():
        if job.status in (Status.UPLOADED, Status.PREVIEWED):
            try:
                job = _move(
                    job.id,
                    Step.EXPIRE,
                    message="原文件已超过保存期限并被删除，未导入。",
                    finished_at=timezone.now(),
                    check=None,
                    **dict.fromkeys(_WRITE_COUNTS, 0),
                )
            except Conflict:
                continue  # a worker took it meanwhile: it keeps its file until it is done
        _delete_file(job)
        purged += 1
    return purged
