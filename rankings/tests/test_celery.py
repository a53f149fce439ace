"""A real Celery worker computes a board against the test database: on the
machine's Redis (as in production) and on the filesystem transport (as
`./dev run` starts it). The worker is a subprocess, so the test data must be
committed: transactional tests."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from hotline.celery import app as hotline_app
from rankings import services, windows
from rankings.models import Board
from rankings.tests.helpers import expected_board, local, make_case

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ROOT = Path(settings.BASE_DIR)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_worker(*, queue: str, env: dict) -> subprocess.Popen:
    command = [sys.executable, "-m", "celery", "-A", "hotline", "worker", "--pool=solo", "-Q", queue]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_boards(count: int, worker: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Board.objects.count() >= count:
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited:\n{worker.communicate(timeout=10)[0]}")
        time.sleep(0.3)
    worker.terminate()
    pytest.fail(f"no board after {timeout}s; worker output:\n{worker.communicate(timeout=10)[0]}")


def _stop(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def _cases(org):
    cases = []
    for index in range(4):
        cases.append(
            make_case(
                org.a,
                org.d1,
                dispatched=local(2026, 11, 9, 9),
                closed=local(2026, 11, 10, 9),
                callback=local(2026, 11, 11, 9),
                resolved=index > 0,
            )
        )
    services.rule_ensure_default()
    return cases


def _check(board: Board, cases, org) -> None:
    window = windows.week_parse("2026-W46")
    expected = expected_board(cases, [org.a, org.b], window.start_at, window.end_at, "community")
    row = board.rows.get(community=org.a)
    assert (row.received, row.closed, row.valid_callbacks, row.resolution_rate, row.score, row.rank) == (
        expected[org.a.id]["received"],
        expected[org.a.id]["closed"],
        expected[org.a.id]["valid_callbacks"],
        expected[org.a.id]["resolution_rate"],
        expected[org.a.id]["score"],
        1,
    )
    assert board.computed_by == "celery"


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_redis_computes_the_board(org):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as error:
        pytest.fail(f"Redis at {REDIS_URL} cannot be reached ({error}); this test fails rather than skips.")
    cases = _cases(org)
    queue = f"rankings-test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "REDIS_URL": REDIS_URL, "CELERY_TASK_ALWAYS_EAGER": "0"}
    worker = _start_worker(queue=queue, env=env)
    try:
        with Celery("rankings-test", broker=REDIS_URL) as client:
            client.send_task("rankings.tasks.compute_board", args=["week", "2026-W46"], queue=queue)
            # The same task twice: a retry makes a second version with the same figures.
            client.send_task("rankings.tasks.compute_board", args=["week", "2026-W46"], queue=queue)
        _wait_for_boards(2, worker)
    finally:
        _stop(worker)
    first, second = Board.objects.order_by("version")
    assert (first.version, second.version) == (1, 2)
    _check(first, cases, org)
    _check(second, cases, org)


@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_a_worker_on_the_filesystem_transport_computes_the_board(org, tmp_path):
    cases = _cases(org)
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update({"DATABASE_URL": _database_url(), "VAR_DIR": str(tmp_path), "CELERY_TASK_ALWAYS_EAGER": "0"})
    queue = "celery"
    worker = _start_worker(queue=queue, env=env)
    folder = tmp_path / "celery" / "queue"
    try:
        deadline = time.monotonic() + 60
        while not folder.exists() and time.monotonic() < deadline:  # the worker creates its folders
            time.sleep(0.2)
        options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(tmp_path / "celery" / "control"),
        }
        with Celery("rankings-test", broker="filesystem://", broker_transport_options=options) as client:
            client.send_task("rankings.tasks.compute_board", args=["week", "2026-W46"], queue=queue)
        _wait_for_boards(1, worker)
    finally:
        _stop(worker)
    _check(Board.objects.get(), cases, org)


def test_the_periodic_jobs_are_declared_once_and_point_at_real_tasks():
    schedule = hotline_app.conf.beat_schedule
    hotline_app.loader.import_default_modules()
    assert {entry["task"] for entry in schedule.values()} <= set(hotline_app.tasks)
    weekly = schedule["rankings-weekly"]["schedule"]
    nightly = schedule["rankings-nightly"]["schedule"]
    assert weekly.day_of_week == {1} and weekly.hour == {0}
    assert nightly.hour == {0} and len(nightly.day_of_week) == 7
    assert hotline_app.conf.timezone == "Asia/Shanghai"
