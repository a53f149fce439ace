"""The outbox: side effects that leave the process are written as rows in the
transaction of the step that causes them and sent after it commits.

- `outbox_add` writes the row and asks for it to be sent on commit; a step
  that rolls back sends nothing.
- `outbox_send` sends one waiting row. A receiver that is down (the broker,
  later an SMTP server or a webhook) leaves the row waiting with its error
  and a later attempt time; it never fails the step.
- `outbox_send_pending` is the periodic job (hotline.celery's schedule): it
  sends what is still waiting.

Each row is sent by one sender at a time: sending starts with a conditional
UPDATE from `pending` to `sending`, which only one process wins. A row left
`sending` by a process that died is taken again after SENDING_STALE_AFTER.
Receivers must be idempotent (a Celery task checks the state of its object):
a process dying between sending and recording it sends the row again.

A kind of message is sent by a sender registered with `outbox_sender`.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from hotline.celery import app
from hotline.models import OutboxMessage

logger = logging.getLogger(__name__)

Kind = OutboxMessage.Kind
State = OutboxMessage.State

# Seconds to wait for a broker before the attempt counts as failed: to connect,
# and for an answer (a broker that accepts and never answers must not hang
# the request that sends after its commit).
BROKER_CONNECT_TIMEOUT = 3
BROKER_SOCKET_TIMEOUT = 5
SENDING_STALE_AFTER = dt.timedelta(minutes=5)
# Sent rows are kept this long (to see what went out), then deleted by the periodic job.
SENT_KEPT = dt.timedelta(days=7)
RETRY_FIRST = dt.timedelta(seconds=30)
RETRY_MAX = dt.timedelta(minutes=15)
BATCH = 500

SENDERS: dict[str, Callable[[OutboxMessage], None]] = {}


def outbox_sender(kind: str) -> Callable[[Callable[[OutboxMessage], None]], Callable[[OutboxMessage], None]]:
    def register(function: Callable[[OutboxMessage], None]) -> Callable[[OutboxMessage], None]:
        SENDERS[kind] = function
        return function

    return register


def outbox_add(*, kind: str, name: str, payload: dict | None = None, key: str = "") -> OutboxMessage:
    """Write a message in the current transaction and send it once that commits.
    With a `key`, a message of that key still waiting is kept (and tried again
    on commit, whatever its next attempt time) and no other is added."""
    if kind not in SENDERS:
        raise ValueError(f"no outbox sender for {kind!r}")
    message = None
    if key:
        message = OutboxMessage.objects.filter(key=key, state__in=[State.PENDING, State.SENDING]).first()
    if message is None:
        try:
            with transaction.atomic():
                message = OutboxMessage.objects.create(kind=kind, name=name, payload=payload or {}, key=key)
        except IntegrityError:
            # Another transaction added the same key meanwhile: that one is sent.
            message = OutboxMessage.objects.get(key=key, state__in=[State.PENDING, State.SENDING])
    transaction.on_commit(partial(outbox_send, message_id=message.pk), robust=True)
    return message


def outbox_add_task(*, task: str, args: list | None = None, kwargs: dict | None = None, key: str = "") -> OutboxMessage:
    """A Celery task by its registered name, sent to the broker after commit."""
    return outbox_add(
        kind=Kind.CELERY_TASK, name=task, payload={"args": list(args or []), "kwargs": dict(kwargs or {})}, key=key
    )


def outbox_send(*, message_id: int, now: dt.datetime | None = None) -> bool:
    """Send one waiting message; True if it was sent now."""
    now = now or timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, state=State.PENDING).update(
        state=State.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        SENDERS[message.kind](message)
    except Exception as error:  # whatever the receiver does, the message waits for the next attempt
        delay = min(RETRY_FIRST * 2 ** (message.attempts - 1), RETRY_MAX)
        logger.warning("outbox message %s (%s %s) not sent: %s", message.pk, message.kind, message.name, error)
        OutboxMessage.objects.filter(pk=message_id, state=State.SENDING).update(
            state=State.PENDING, last_error=f"{type(error).__name__}: {error}"[:2000], available_at=now + delay
        )
        return False
    OutboxMessage.objects.filter(pk=message_id, state=State.SENDING).update(
        state=State.SENT, sent_at=timezone.now(), last_error=""
    )
    return True


def outbox_send_pending(*, now: dt.datetime | None = None, due_only: bool = True) -> int:
    """The periodic job: send every message that is waiting (and due, unless
    `due_only` is off). Returns how many were sent."""
    now = now or timezone.now()
    OutboxMessage.objects.filter(state=State.SENT, sent_at__lt=now - SENT_KEPT).delete()
    OutboxMessage.objects.filter(state=State.SENDING, claimed_at__lt=now - SENDING_STALE_AFTER).update(
        state=State.PENDING
    )
    waiting = OutboxMessage.objects.filter(state=State.PENDING)
    if due_only:
        waiting = waiting.filter(Q(available_at__lte=now))
    sent = 0
    for message_id in list(waiting.order_by("id").values_list("id", flat=True)[:BATCH]):
        sent += outbox_send(message_id=message_id, now=now)
    return sent


def outbox_waiting(*, key: str) -> bool:
    """A message of this key is not sent yet."""
    return OutboxMessage.objects.filter(key=key, state__in=[State.PENDING, State.SENDING]).exists()


def outbox_delayed(*, key: str) -> bool:
    """A message of this key was tried and refused (its receiver is down) and waits for the next attempt."""
    return OutboxMessage.objects.filter(key=key, state=State.PENDING, attempts__gt=0).exists()


@outbox_sender(Kind.CELERY_TASK)
def _send_celery_task(message: OutboxMessage) -> None:
    args, kwargs = message.payload.get("args", []), message.payload.get("kwargs", {})
    if app.conf.task_always_eager:
        # CELERY_TASK_ALWAYS_EAGER (debugging): run here, as .delay() would. The
        # tasks modules are found as a worker finds them.
        app.loader.import_default_modules()
        app.tasks[message.name].apply(args=args, kwargs=kwargs, throw=True)
        return
    # A broker that is down answers within the timeout, once: the outbox retries, not kombu.
    with app.connection_for_write(
        connect_timeout=BROKER_CONNECT_TIMEOUT,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": BROKER_CONNECT_TIMEOUT,
            "socket_timeout": BROKER_SOCKET_TIMEOUT,
        },
    ) as connection:
        app.send_task(
            message.name,
            args=args,
            kwargs=kwargs,
            connection=connection,
            retry=False,
        )
