"""The life of an import job: its statuses, its steps, and the one table of
allowed moves. Every status change goes through `cases.intake.services`,
which looks the move up here. Reading EDGES top to bottom is reading the life
of a job: uploaded, previewed, confirmed, imported — or failed, retried,
cancelled.
"""

import datetime as dt

from django.db import models
from django.db.models import Q

from hotline.errors import Conflict


class Status(models.TextChoices):
    UPLOADED = "uploaded", "已上传"
    PREVIEWING = "previewing", "预检中"
    PREVIEWED = "previewed", "待确认"
    QUEUED = "queued", "排队中"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "未导入"
    CANCELLED = "cancelled", "已取消"


class Step(models.TextChoices):
    PREVIEW_START = "preview_start", "开始预检"
    PREVIEW_FINISH = "preview_finish", "预检完成"
    QUEUE = "queue", "直接导入"  # an upload that skips the preview (API, command line)
    CONFIRM = "confirm", "确认导入"
    IMPORT_START = "import_start", "开始导入"
    IMPORT_FINISH = "import_finish", "导入完成"
    FAIL = "fail", "失败"
    EXPIRE = "expire", "原文件过期"
    RETRY = "retry", "重试"
    CANCEL = "cancel", "取消"


S = Status

# step -> {status before: status after}. A status not listed for a step refuses it.
EDGES: dict[Step, dict[Status, Status]] = {
    Step.PREVIEW_START: {S.UPLOADED: S.PREVIEWING},
    Step.PREVIEW_FINISH: {S.PREVIEWING: S.PREVIEWED},
    Step.QUEUE: {S.UPLOADED: S.QUEUED},
    Step.CONFIRM: {S.PREVIEWED: S.QUEUED},
    Step.IMPORT_START: {S.QUEUED: S.IMPORTING},
    Step.IMPORT_FINISH: {S.IMPORTING: S.DONE},
    Step.FAIL: {S.PREVIEWING: S.FAILED, S.IMPORTING: S.FAILED},
    # The file of a job nobody confirmed was deleted after its retention period.
    Step.EXPIRE: {S.UPLOADED: S.FAILED, S.PREVIEWED: S.FAILED},
    # A failed job is previewed again; a stuck one goes back to waiting for its task.
    Step.RETRY: {
        S.FAILED: S.UPLOADED,
        S.UPLOADED: S.UPLOADED,
        S.PREVIEWING: S.UPLOADED,
        S.QUEUED: S.QUEUED,
        S.IMPORTING: S.QUEUED,
    },
    Step.CANCEL: {
        S.UPLOADED: S.CANCELLED,
        S.PREVIEWING: S.CANCELLED,
        S.PREVIEWED: S.CANCELLED,
        S.QUEUED: S.CANCELLED,
        S.IMPORTING: S.CANCELLED,
        S.FAILED: S.CANCELLED,
    },
}

# Waiting for a worker to pick the job up, and being worked on by one.
WAITING = frozenset({S.UPLOADED, S.QUEUED})
WORKING = frozenset({S.PREVIEWING, S.IMPORTING})
RUNNING = WAITING | WORKING
FINISHED = frozenset({S.DONE, S.FAILED, S.CANCELLED})

# A running job that has not moved for this long is stuck: its task was lost
# (never sent, or sent and never started) or its worker died. A working job
# writes its progress twice a second, but a PostgreSQL import may wait its turn
# behind another import for a while, and SQLite shows the progress only at the end.
STUCK_AFTER: dict[str, dt.timedelta] = {
    S.UPLOADED: dt.timedelta(minutes=10),
    S.QUEUED: dt.timedelta(minutes=10),
    S.PREVIEWING: dt.timedelta(minutes=30),
    S.IMPORTING: dt.timedelta(minutes=30),
}


def next_status(step: Step, status: str) -> Status:
    """The status a job in `status` has after `step`; Conflict if the step is not allowed."""
    try:
        return EDGES[step][Status(status)]
    except KeyError:
        raise Conflict(
            f"该导入当前状态为“{Status(status).label}”，不能{Step(step).label}。", code="invalid_state"
        ) from None


def allowed_steps(status: str) -> list[Step]:
    return [step for step, edges in EDGES.items() if status in edges]


def is_stuck(status: str, progress_at: dt.datetime | None, now: dt.datetime) -> bool:
    limit = STUCK_AFTER.get(status)
    return limit is not None and (progress_at is None or progress_at < now - limit)


def stuck_q(now: dt.datetime) -> Q:
    """The same rule as `is_stuck`, as a filter on ImportJob."""
    q = Q(pk__in=[])
    for status, limit in STUCK_AFTER.items():
        q |= Q(status=status) & (Q(progress_at__isnull=True) | Q(progress_at__lt=now - limit))
    return q
