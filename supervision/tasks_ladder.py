"""The 催办 sweep, run by beat every five minutes (hotline/celery.py). Taking a
level is idempotent (a unique constraint), so a retry or a second worker running
the same sweep sends nothing twice."""

from celery import shared_task

from supervision.ladder import ladder_sweep


@shared_task(name="supervision.ladder_sweep", ignore_result=True)
def sweep_ladder() -> dict[str, int]:
    return ladder_sweep()
