"""Deliveries: one notification sent on one outbound channel, at most once.

- `delivery_create_for_notifications` is called in the step's transaction
  (after the notifications are written): it writes a Delivery per channel
  and, for the ones due now, an outbox message that asks a Celery worker to
  send it after the commit. The step never waits for a receiver.
- `delivery_send` (the worker) claims the row (pending → sending, one winner),
  sends, and records the outcome: sent, or retried with exponential backoff,
  or failed after MAX_ATTEMPTS; the attempts and the last error are kept
  for the administrators (admin: 外发记录).
- `deliveries_send_due` (the periodic job) asks the worker again for what is
  due: retries, and deliveries held back by quiet hours. A row left
  `sending` by a worker that died is marked failed, never sent twice.

Quiet hours delay non-urgent deliveries to a person's own channels;
emergencies ignore them. A deactivated user gets nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from communities.models import Person
from hotline.errors import Conflict, NotFound
from hotline.outbox import outbox_add_task
from supervision.channels import ChannelError, ChannelRefused, channel_send, message_for_notification
from supervision.models import Channel, Delivery, DeliveryState, Notification, QuietHours

logger = logging.getLogger(__name__)

State = DeliveryState
SEND_TASK = "supervision.send_delivery"
RETRY_FIRST = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 6
# A worker that claimed a delivery and is silent this long has died mid-send.
SENDING_STALE_AFTER = dt.timedelta(minutes=5)
BATCH = 500
# A worker asked to send a due delivery that is still waiting this long later lost the task.
ASK_AGAIN_AFTER = dt.timedelta(minutes=5)
# Notification kinds that ignore quiet hours (the emergencies' alerts), besides every
# notification about a case registered as an emergency.
URGENT_KINDS = frozenset({"emergency"})


class Step(models.TextChoices):
    CLAIM = "claim", "开始发送"
    SUCCEED = "succeed", "送达"
    RETRY = "retry", "稍后重试"
    GIVE_UP = "give_up", "放弃"
    CANCEL = "cancel", "取消"
    ABANDON = "abandon", "发送中断"
    RESEND = "resend", "重新发送"


S = State
# step -> {state before: state after}. A state not listed for a step refuses it.
EDGES: dict[Step, dict[State, State]] = {
    Step.CLAIM: {S.PENDING: S.SENDING},
    Step.SUCCEED: {S.SENDING: S.SENT},
    Step.RETRY: {S.SENDING: S.PENDING},
    Step.GIVE_UP: {S.SENDING: S.FAILED},
    # The recipient was deactivated or the channel switched off before it was sent.
    Step.CANCEL: {S.SENDING: S.CANCELLED},
    # The worker died while sending: it may have been delivered, so it is not sent again by itself.
    Step.ABANDON: {S.SENDING: S.FAILED},
    # An administrator sends a failed delivery again.
    Step.RESEND: {S.FAILED: S.PENDING},
}


def _move(*, delivery_id: int, step: Step, **fields) -> bool:
    """The one way a delivery's state changes: a conditional UPDATE per edge of
    the step, which only one process wins. False if the state did not allow it."""
    for before, after in EDGES[step].items():
        if Delivery.objects.filter(pk=delivery_id, state=before).update(state=after, **fields):
            return True
    return False


def quiet_until(*, quiet: QuietHours | None, now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours `now` falls in (local time; they may span midnight), or None."""
    if quiet is None or quiet.start == quiet.end:
        return None
    local = timezone.localtime(now)
    moment = local.time()
    if quiet.start < quiet.end:
        inside, end_day = quiet.start <= moment < quiet.end, local.date()
    else:
        inside = moment >= quiet.start or moment < quiet.end
        end_day = local.date() + dt.timedelta(days=1 if moment >= quiet.start else 0)
    if not inside:
        return None
    return timezone.make_aware(dt.datetime.combine(end_day, quiet.end), timezone.get_current_timezone())


def notification_is_urgent(notification: Notification) -> bool:
    case = notification.case
    return notification.kind in URGENT_KINDS or (case is not None and case.urgency == "emergency")


def delivery_create_for_notifications(
    *, notifications: Iterable[Notification], now: dt.datetime | None = None
) -> list[Delivery]:
    """The deliveries the notifications owe (call in the step's transaction):
    each recipient's own active channels, and once per notified unit (its
    community's or department's group robot) however many of its people are told."""
    now = now or timezone.now()
    notifications = [n for n in notifications if n.pk]
    if not notifications:
        return []
    user_ids = {n.recipient_id for n in notifications}
    if not Channel.objects.filter(is_active=True).exists():
        return []  # a street that has set up no channel yet: one cheap query
    User = get_user_model()
    active = set(User.objects.filter(pk__in=user_ids, is_active=True).values_list("pk", flat=True))
    people = {p.user_id: p for p in Person.objects.filter(user_id__in=active)}
    communities = {p.community_id for p in people.values() if p.community_id}
    departments = {p.department_id for p in people.values() if p.department_id}
    own: dict[int, list[Channel]] = {}
    unit_channels: list[Channel] = []
    for channel in Channel.objects.filter(is_active=True).filter(
        models.Q(user_id__in=active) | models.Q(community_id__in=communities) | models.Q(department_id__in=departments)
    ):
        if channel.user_id:
            own.setdefault(channel.user_id, []).append(channel)
        else:
            unit_channels.append(channel)
    if not own and not unit_channels:
        return []
    quiet = {q.user_id: q for q in QuietHours.objects.filter(user_id__in=own)} if own else {}

    rows: list[Delivery] = []
    told_units: set[tuple[int | None, int]] = set()  # (event, channel): a group robot hears of a step once
    for notification in notifications:
        if notification.recipient_id not in active:
            continue
        urgent = notification_is_urgent(notification)
        wait = None if urgent else quiet_until(quiet=quiet.get(notification.recipient_id), now=now)
        for channel in own.get(notification.recipient_id, []):
            rows.append(
                Delivery(
                    notification=notification,
                    channel=channel,
                    urgent=urgent,
                    created_at=now,
                    next_attempt_at=wait or now,
                )
            )
        person = people.get(notification.recipient_id)
        for channel in unit_channels:
            mine = person is not None and (
                (channel.community_id and channel.community_id == person.community_id)
                or (channel.department_id and channel.department_id == person.department_id)
            )
            group = (notification.event_id or -notification.pk, channel.pk)
            if mine and group not in told_units:
                told_units.add(group)
                rows.append(
                    Delivery(
                        notification=notification, channel=channel, urgent=urgent, created_at=now, next_attempt_at=now
                    )
                )
    if not rows:
        return []
    Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    created = list(
        Delivery.objects.filter(notification__in=notifications, created_at=now, state=State.PENDING).order_by("id")
    )
    due = [delivery.pk for delivery in created if delivery.next_attempt_at <= now]
    _ask_worker(due, now)
    return created


def _ask_worker(delivery_ids: list[int], now: dt.datetime) -> None:
    """An outbox message per delivery: the worker is asked after the commit."""
    if delivery_ids:
        Delivery.objects.filter(pk__in=delivery_ids).update(asked_at=now)
    for delivery_id in delivery_ids:
        outbox_add_task(task=SEND_TASK, args=[delivery_id], key=f"delivery:{delivery_id}")


def delivery_send(*, delivery_id: int, now: dt.datetime | None = None) -> bool:
    """Send one delivery that is due (the worker's task; safe to run twice).
    True if it was delivered now."""
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=State.PENDING, next_attempt_at__lte=now).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    delivery = Delivery.objects.select_related(
        "channel", "notification__case", "notification__event", "notification__recipient"
    ).get(pk=delivery_id)
    channel, notification = delivery.channel, delivery.notification
    if not channel.is_active or (channel.user_id and not notification.recipient.is_active):
        reason = "渠道已停用" if not channel.is_active else "接收人账号已停用"
        _move(delivery_id=delivery_id, step=Step.CANCEL, last_error=reason)
        return False
    message = message_for_notification(notification=notification, urgent=delivery.urgent)
    try:
        channel_send(channel=channel, message=message, delivery_id=delivery.pk)
    except (ChannelError, ChannelRefused) as error:
        return _failed(delivery, f"{error}", now)
    except Exception as error:  # a bug in a sender must not leave the row `sending`
        logger.exception("delivery %s: unexpected error", delivery_id)
        return _failed(delivery, f"{type(error).__name__}: {error}", now)
    _move(delivery_id=delivery_id, step=Step.SUCCEED, sent_at=timezone.now(), last_error="")
    return True


def _failed(delivery: Delivery, error: str, now: dt.datetime) -> bool:
    logger.warning("delivery %s (%s) not sent: %s", delivery.pk, delivery.channel.kind, error)
    if delivery.attempts >= MAX_ATTEMPTS:
        _move(delivery_id=delivery.pk, step=Step.GIVE_UP, last_error=error[:2000])
    else:
        delay = min(RETRY_FIRST * 2 ** (delivery.attempts - 1), RETRY_MAX)
        _move(delivery_id=delivery.pk, step=Step.RETRY, last_error=error[:2000], next_attempt_at=now + delay)
    return False


def deliveries_send_due(*, now: dt.datetime | None = None) -> int:
    """The periodic job: ask the worker for every delivery that is due; mark the
    ones a dead worker left `sending` failed. Returns how many were asked for."""
    now = now or timezone.now()
    for delivery_id in Delivery.objects.filter(
        state=State.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER
    ).values_list("pk", flat=True):
        _move(delivery_id=delivery_id, step=Step.ABANDON, last_error="发送过程中断，结果未知：不自动重发。")
    # Due, and not asked for since it became due (or asked so long ago that the task looks lost).
    due = list(
        Delivery.objects.filter(state=State.PENDING, next_attempt_at__lte=now)
        .filter(
            models.Q(asked_at__isnull=True)
            | models.Q(asked_at__lt=F("next_attempt_at"))
            | models.Q(asked_at__lt=now - ASK_AGAIN_AFTER)
        )
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:BATCH]
    )
    with transaction.atomic():
        _ask_worker(due, now)
    return len(due)


def delivery_resend(*, delivery_id: int, now: dt.datetime | None = None) -> Delivery:
    """An administrator sends a failed delivery again (a fresh round of attempts)."""
    now = now or timezone.now()
    with transaction.atomic():
        if not Delivery.objects.filter(pk=delivery_id).exists():
            raise NotFound("外发记录不存在。")
        if not _move(delivery_id=delivery_id, step=Step.RESEND, attempts=0, next_attempt_at=now):
            raise Conflict("只有发送失败的记录可以重新发送。")
        _ask_worker([delivery_id], now)
    return Delivery.objects.get(pk=delivery_id)
