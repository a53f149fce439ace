"""Celery tasks of the import: thin, take ids, safe to run twice (the
services only run a job that is waiting for it). They are enqueued through
the outbox (hotline.outbox) by name, so the services never import this module."""

from celery import shared_task

from cases.intake import services


@shared_task(name="intake.preview_job")
def import_job_preview_task(job_id: int) -> None:
    services.import_job_preview(job_id=job_id)


@shared_task(name="intake.execute_job")
def import_job_execute_task(job_id: int) -> None:
    services.import_job_execute(job_id=job_id)


@shared_task(name="intake.resume_jobs")
def import_jobs_resume_task() -> int:
    """For the periodic schedule: jobs whose task was lost or whose worker died."""
    return services.import_jobs_resume()


@shared_task(name="intake.purge_files")
def import_files_purge_task() -> int:
    """For the periodic schedule: uploaded files past their retention period."""
    return services.import_files_purge()


@shared_task(name="intake.apply_pending_callbacks")
def pending_callbacks_apply_task() -> int:
    """For the periodic schedule: record the waiting callbacks of cases closed since."""
    return services.pending_callbacks_apply()
