"""The outbox: a side effect is written in the step's transaction and sent
after it commits; a broker that is down delays it, never fails the step;
the periodic job sends it once the broker is back; each row is sent once."""

import base64
import datetime as dt
import json
import os
import socket
import time

import pytest
import redis
from django.db import transaction
from django.utils import timezone

from hotline import outbox
from hotline.celery import app
from hotline.models import OutboxMessage

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
State = OutboxMessage.State


def dead_broker_url() -> str:
    """A Redis URL on a local port where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def broker(monkeypatch):
    """Points the app's broker at a URL for the test (the app reads it when it connects)."""

    def point(url: str) -> None:
        monkeypatch.setattr(app.conf, "broker_url", url)

    return point


@pytest.fixture
def queue():
    """The Celery queue on the test Redis, emptied before and after."""
    client = redis.Redis.from_url(TEST_REDIS_URL)
    client.delete("celery")
    yield client
    client.delete("celery")
    client.close()


def sent_tasks(client) -> list[tuple[str, list]]:
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


def test_a_step_that_rolls_back_sends_nothing(db, broker, django_capture_on_commit_callbacks):
    broker(dead_broker_url())
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox.outbox_add_task(task="intake.preview_job", args=[1])
        raise RuntimeError("the step failed")
    assert callbacks == [] and not OutboxMessage.objects.exists()


def test_a_broker_that_is_down_leaves_the_message_waiting_quickly(db, broker, django_capture_on_commit_callbacks):
    broker(dead_broker_url())
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox.outbox_add_task(task="intake.preview_job", args=[7], key="job:7")

    message.refresh_from_db()
    assert time.monotonic() - started < 10
    assert (message.state, message.attempts) == (State.PENDING, 1)
    assert "OperationalError" in message.last_error or "Connection" in message.last_error
    assert message.available_at > timezone.now()  # the next attempt waits a little
    assert outbox.outbox_waiting(key="job:7") and outbox.outbox_delayed(key="job:7")


def test_a_waiting_key_is_added_once(db):
    first = outbox.outbox_add_task(task="intake.preview_job", args=[3], key="job:3")
    second = outbox.outbox_add_task(task="intake.preview_job", args=[3], key="job:3")
    other = outbox.outbox_add_task(task="intake.preview_job", args=[4], key="job:4")
    assert first.pk == second.pk != other.pk
    assert OutboxMessage.objects.count() == 2


def test_an_unknown_kind_is_a_programming_error(db):
    with pytest.raises(ValueError):
        outbox.outbox_add(kind="carrier_pigeon", name="x")


@pytest.mark.celery
def test_the_periodic_job_sends_each_waiting_message_once_the_broker_is_back(db, broker, queue):
    broker(dead_broker_url())
    message = outbox.outbox_add_task(task="intake.preview_job", args=[11], key="job:11")
    assert not outbox.outbox_send(message_id=message.pk)
    assert outbox.outbox_send_pending() == 0  # not due yet: it waits for its next attempt

    broker(TEST_REDIS_URL)
    later = timezone.now() + dt.timedelta(minutes=1)
    assert outbox.outbox_send_pending(now=later) == 1
    assert outbox.outbox_send_pending(now=later) == 0  # sent once, not again
    assert outbox.outbox_send(message_id=message.pk) is False

    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (State.SENT, 2, "")
    assert sent_tasks(queue) == [("intake.preview_job", [11])]
    # Sent, the key is free for the next message of the same job.
    assert not outbox.outbox_waiting(key="job:11") and not outbox.outbox_delayed(key="job:11")
    # A week on, the periodic job forgets it.
    outbox.outbox_send_pending(now=timezone.now() + outbox.SENT_KEPT + dt.timedelta(minutes=1))
    assert not OutboxMessage.objects.exists()


@pytest.mark.celery
def test_a_message_left_sending_by_a_dead_process_is_sent_again(db, broker, queue):
    broker(TEST_REDIS_URL)
    message = OutboxMessage.objects.create(
        kind=OutboxMessage.Kind.CELERY_TASK,
        name="intake.execute_job",
        payload={"args": [5], "kwargs": {}},
        state=State.SENDING,
        claimed_at=timezone.now() - outbox.SENDING_STALE_AFTER - dt.timedelta(seconds=1),
    )
    assert outbox.outbox_send_pending() == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert sent_tasks(queue) == [("intake.execute_job", [5])]


def test_a_broker_that_accepts_and_never_answers_does_not_hang_the_step(db, broker, django_capture_on_commit_callbacks):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(5)  # connections complete in the backlog; nothing ever answers
        broker(f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            message = outbox.outbox_add_task(task="intake.preview_job", args=[8])
        elapsed = time.monotonic() - started

    message.refresh_from_db()
    assert elapsed < outbox.BROKER_CONNECT_TIMEOUT + outbox.BROKER_SOCKET_TIMEOUT + 2
    assert (message.state, message.attempts) == (State.PENDING, 1) and "Timeout" in message.last_error
