from celery import shared_task

from governance.projects import milestones_late_sweep


@shared_task(name="governance.milestones_late_sweep")
def milestones_late_sweep_task() -> int:
    """Governance milestones that became late: owner and lead told once."""
    return milestones_late_sweep()
