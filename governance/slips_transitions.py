"""The one table of a slip's own status: a slip waits in the lead queue
(received) until a clerk turns it into a case (converted) or closes it with a
reason (closed). Both ends are final."""

from django.db import models


class SlipStatus(models.TextChoices):
    RECEIVED = "received", "待处理"
    CONVERTED = "converted", "已转为案件"
    CLOSED = "closed", "已关闭"


class SlipAction(models.TextChoices):
    CONVERT = "convert", "转为案件"
    CLOSE = "close", "关闭"


# status → {action: the status it leads to}
SLIP_TRANSITIONS: dict[str, dict[str, str]] = {
    SlipStatus.RECEIVED: {SlipAction.CONVERT: SlipStatus.CONVERTED, SlipAction.CLOSE: SlipStatus.CLOSED},
    SlipStatus.CONVERTED: {},
    SlipStatus.CLOSED: {},
}


def slip_next_status(status: str, action: str) -> str | None:
    """Where `action` leads from `status`, or None when the table does not allow it."""
    return SLIP_TRANSITIONS.get(status, {}).get(action)
