"""The done-when of outbound channels, end to end: a case is dispatched while
the broker is down (the step answers at once, the delivery waits in the
outbox), the broker comes back, the periodic job sends what waited, and a
real Celery worker on the real Redis (TEST_REDIS_URL) delivers the message to
the handler's WeCom test receiver — with the ticket number and nothing of the caller."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from cases.models import Case
from cases.services import case_dispatch
from hotline.celery import app
from hotline.models import OutboxMessage
from hotline.outbox import outbox_send_pending
from hotline.tests.test_outbox import dead_broker_url
from supervision.delivery import SEND_TASK
from supervision.models import Channel, ChannelKind, Delivery, DeliveryState
from supervision.tests.channel_receivers import HttpReceiver
from supervision.tests.test_channels import assert_no_caller_data

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "hotline", "worker", "--pool=solo", "-I", "supervision.tasks"]

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(monkeypatch):
    def point(url: str) -> None:
        monkeypatch.setattr(app.conf, "broker_url", url)

    point(REDIS_URL)
    return point


@pytest.fixture
def start_worker(tmp_path):
    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery")
    processes = []

    def start() -> None:
        env = {**os.environ, "REDIS_URL": REDIS_URL, "DATABASE_URL": _database_url(), "SECRET_KEY": "celery-test"}
        log = open(tmp_path / "worker.log", "a")  # noqa: SIM115 - closed below
        command = [*CELERY, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"]
        processes.append((log, subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)))

    yield start
    for log, process in processes:
        process.terminate()
        process.wait(timeout=30)
        log.close()
    client.delete("celery")
    client.close()


@pytest.fixture
def robot():
    receiver = HttpReceiver().start()
    yield receiver
    receiver.stop()


def wait_for_state(delivery_id: int, state: str, limit: float = 60) -> Delivery:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        item = Delivery.objects.get(pk=delivery_id)
        if item.state == state:
            return item
        time.sleep(0.2)
    raise AssertionError(f"delivery {delivery_id} still {item.state}")


def test_with_the_broker_down_the_step_succeeds_and_the_worker_delivers_once_it_is_back(
    org, walk, broker, start_worker, robot
):
    Channel.objects.create(
        user=org.officer_a, kind=ChannelKind.WECOM, address=f"{robot.url}/cgi-bin/webhook/send?key=w"
    )
    broker(dead_broker_url())

    case = walk.registered()
    started = time.monotonic()
    case_dispatch(case_id=case.id, actor=org.clerk, pairing_id=org.pairing_a.id, handler_id=org.officer_a.id)
    assert time.monotonic() - started < 10  # the broker's refusal is quick; no receiver is waited for
    assert Case.objects.get(pk=case.pk).status == "dispatched"
    item = Delivery.objects.get()
    assert item.state == DeliveryState.PENDING and robot.posts == []
    waiting = OutboxMessage.objects.get(name=SEND_TASK)
    assert (waiting.state, waiting.attempts, waiting.payload["args"]) == ("pending", 1, [item.pk])

    broker(REDIS_URL)
    start_worker()
    assert outbox_send_pending(due_only=False) == 1  # what the periodic job does every minute
    sent = wait_for_state(item.pk, DeliveryState.SENT)

    assert sent.attempts == 1
    (post,) = robot.posts
    assert post.query == {"key": "w"} and post.json["msgtype"] == "markdown"
    assert case.ticket_no in post.json["markdown"]["content"]
    assert_no_caller_data(post.body.decode())
