"""Helpers shared by the intake tests: running a file through the real services."""

from pathlib import Path

from django.core.files import File

from cases.intake import services
from cases.intake.models import ImportJob


def create_job(user, path: Path, *, name: str | None = None) -> ImportJob:
    with open(path, "rb") as fh:
        return services.import_job_create(actor=user, upload=File(fh, name=name or Path(path).name))


def preview(user, path: Path) -> ImportJob:
    job = create_job(user, path)
    return services.import_job_preview(job_id=job.id)


def run_import(user, path: Path, *, valid_only: bool = False) -> ImportJob:
    with open(path, "rb") as fh:
        return services.import_job_submit(
            actor=user, upload=File(fh, name=Path(path).name), dry_run=False, valid_only=valid_only, inline=True
        )


def issues(job: ImportJob, level: str | None = None) -> list[tuple[int, str, str]]:
    qs = job.issues.all()
    if level:
        qs = qs.filter(level=level)
    return list(qs.values_list("row_number", "column", "message"))
