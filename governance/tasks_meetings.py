from celery import shared_task

from governance.meetings import decisions_late_sweep


@shared_task(name="governance.decisions_late_sweep")
def decisions_late_sweep_task() -> int:
    """吹哨 meeting decisions past their due date: the person answering and the convener told once."""
    return decisions_late_sweep()
