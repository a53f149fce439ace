from celery import shared_task

from supervision import orders, rechecks


@shared_task(name="supervision.recheck_weekly_draw")
def recheck_weekly_draw() -> int:
    return len(rechecks.recheck_draw_last_week())


@shared_task(name="supervision.orders_mark_late")
def orders_mark_late() -> int:
    return orders.order_mark_late()
