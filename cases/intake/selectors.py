"""Reads of the import records. Clerks and leaders see the street's imports
(leaders read only); nobody else does."""

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from cases.intake import parsing
from cases.intake.models import ImportIssue, ImportJob, PendingCallback
from cases.selectors import caller_visible_to, mask_name, mask_phone
from communities.models import Role
from communities.selectors import person_for_user
from hotline.errors import NotFound

IMPORT_ROLES = frozenset({Role.CLERK, Role.LEADER})


def import_visible_to(user: AbstractBaseUser | AnonymousUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.role in IMPORT_ROLES


def import_allowed_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.role == Role.CLERK


def import_job_list_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ImportJob]:
    if not import_visible_to(user):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by__person")


def import_job_get_for_user(user: AbstractBaseUser | AnonymousUser, job_id: int) -> ImportJob:
    job = import_job_list_for_user(user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("导入记录不存在。")
    return job


def import_issue_list(*, job: ImportJob, level: str | None = None) -> QuerySet[ImportIssue]:
    issues = job.issues.all()
    return issues.filter(level=level) if level else issues


def pending_callback_list() -> QuerySet[PendingCallback]:
    return PendingCallback.objects.filter(state=PendingCallback.State.PENDING).select_related("case", "job")


def import_rejected_rows(*, job: ImportJob, user: AbstractBaseUser | AnonymousUser) -> tuple[list[str], Iterator[list]]:
    """The header and the original cells of the rows with errors, each followed
    by its messages; caller columns masked for roles that do not call callers."""
    messages: dict[int, list[str]] = defaultdict(list)
    for row, column, message in (
        import_issue_list(job=job, level=ImportIssue.Level.ERROR)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "message")
    ):
        messages[row].append(f"{column}：{message}" if column else message)
    if not job.file or not Path(job.file.path).exists():
        raise NotFound("导入文件已不存在。")
    header, rows = parsing.read_raw(Path(job.file.path), set(messages))
    masked = {}
    if not caller_visible_to(user):
        columns = parsing.map_header(tuple(header))
        for key, mask in (("caller_name", mask_name), ("caller_phone", mask_phone)):
            if key in columns:
                masked[columns[key]] = mask

    def lines() -> Iterator[list]:
        for number, cells in rows:
            values = list(cells) + [None] * (len(header) - len(cells))
            for index, mask in masked.items():
                values[index] = mask(parsing.text(values[index]))
            yield [number, *values, "；".join(messages[number])]

    return ["原行号", *header, "错误说明"], lines()
