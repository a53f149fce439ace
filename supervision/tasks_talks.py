from celery import shared_task

from supervision.talks import follow_up_late_sweep


@shared_task(name="supervision.follow_up_late_sweep")
def follow_up_late_sweep_task() -> int:
    """The weekly meeting's follow-up actions that became late: owner and leader told once."""
    return follow_up_late_sweep()
