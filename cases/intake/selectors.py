"""Reads of the import records. Clerks and leaders see the street's imports
(leaders read only); nobody else does."""

import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from cases.intake import parsing
from cases.intake.models import ImportIssue, ImportJob, PendingCallback
from cases.selectors import caller_visible_to, mask_name, mask_phone
from communities.models import Community, Role
from communities.selectors import person_for_user
from hotline.errors import NotFound
from hotline.outbox import outbox_delayed

IMPORT_ROLES = frozenset({Role.CLERK, Role.LEADER})


def import_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.role in IMPORT_ROLES


def import_allowed_for(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    person = person_for_user(user)
    return person is not None and person.role == Role.CLERK


def import_job_list_for_user(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[ImportJob]:
    if not import_visible_to(user=user):
        return ImportJob.objects.none()
    return ImportJob.objects.select_related("created_by__person")


def import_job_get_for_user(*, user: AbstractBaseUser | AnonymousUser, job_id: int) -> ImportJob:
    job = import_job_list_for_user(user=user).filter(pk=job_id).first()
    if job is None:
        raise NotFound("导入记录不存在。")
    return job


def import_job_waits_for_broker(job: ImportJob) -> bool:
    """The job's task is still in the outbox after a failed attempt: the broker is down."""
    return job.is_running and outbox_delayed(key=job.outbox_key)


def sample_community_names() -> list[str]:
    """The street's communities, for the sample file (one installation serves one street)."""
    return list(Community.objects.filter(is_active=True).order_by("id").values_list("name", flat=True)[:8])


def import_issue_list(*, job: ImportJob, level: str | None = None) -> QuerySet[ImportIssue]:
    issues = job.issues.all()
    return issues.filter(level=level) if level else issues


def pending_callback_list() -> QuerySet[PendingCallback]:
    return PendingCallback.objects.filter(state=PendingCallback.State.PENDING).select_related("case", "job")


_MOBILE = re.compile(r"(?<!\d)1\d{10}(?!\d)")


def _masked_phones(value: str | int) -> str | int:
    text = str(value)
    masked = _MOBILE.sub(lambda match: mask_phone(match.group()), text)
    return value if masked == text else masked


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
    hide = not caller_visible_to(user)
    masks = {"caller_name": mask_name, "caller_phone": mask_phone}
    masked = {index: masks[key] for index, key in parsing.columns_named_as(tuple(header), set(masks)).items()}

    def lines() -> Iterator[list]:
        for number, cells in rows:
            values = list(cells) + [None] * (len(header) - len(cells))
            if hide:
                for index, value in enumerate(values):
                    if index in masked:
                        values[index] = masked[index](parsing.text(value))
                    elif isinstance(value, str | int) and not isinstance(value, bool):
                        # A phone number in any other column (备用电话, the content) is masked too.
                        values[index] = _masked_phones(value)
            yield [number, *values, "；".join(messages[number])]

    return ["原行号", *header, "错误说明"], lines()
