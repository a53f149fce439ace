"""Celery tasks of the shared plumbing: thin, idempotent."""

from celery import shared_task

from hotline import outbox


@shared_task(name="outbox.send_pending")
def outbox_send_pending_task() -> int:
    """For the periodic schedule: send again what the broker or a receiver did not take."""
    return outbox.outbox_send_pending()
