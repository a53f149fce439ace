"""Celery tasks of the supervision app: thin, take ids, safe to run twice.
Enqueued through the outbox (hotline.outbox) by name."""

from celery import shared_task

from supervision import delivery


@shared_task(name="supervision.send_delivery")
def delivery_send_task(delivery_id: int) -> bool:
    return delivery.delivery_send(delivery_id=delivery_id)


@shared_task(name="supervision.send_due_deliveries")
def deliveries_send_due_task() -> int:
    """For the periodic schedule: retries, and deliveries held back by quiet hours."""
    return delivery.deliveries_send_due()
