"""Large imports run in a real Celery worker on the real Redis (TEST_REDIS_URL),
against the test database. The web process enqueues through the outbox: with
the broker down the steps still answer, the jobs wait, and they run once the
broker is back and the periodic job has sent their tasks again."""

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases.intake import services
from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.intake.transitions import STUCK_AFTER
from cases.models import Case
from hotline.celery import app
from hotline.models import OutboxMessage
from hotline.outbox import outbox_send_pending
from hotline.tests.test_outbox import dead_broker_url

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/3")
ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "hotline", "worker", "--pool=solo", "-I", "cases.intake.tasks"]
Status = ImportJob.Status

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def broker(monkeypatch):
    """Where this (web) process sends its tasks: the real Redis, or a port where nothing listens."""

    def point(url: str) -> None:
        monkeypatch.setattr(app.conf, "broker_url", url)

    point(REDIS_URL)
    return point


@pytest.fixture
def queue():
    client = redis.Redis.from_url(REDIS_URL)
    client.delete("celery")
    yield client
    client.delete("celery")
    client.close()


@pytest.fixture
def start_worker(tmp_path, settings, queue):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INTAKE_SYNC_MAX_BYTES = 10  # every file runs in the worker
    processes = []

    def start() -> None:
        env = {
            **os.environ,
            "REDIS_URL": REDIS_URL,
            "DATABASE_URL": _database_url(),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DEBUG": "1",
            "SECRET_KEY": "celery-test",
        }
        log = open(tmp_path / "worker.log", "a")  # noqa: SIM115 - closed below
        processes.append(
            (
                log,
                subprocess.Popen(
                    [*CELERY, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"],
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
            )
        )

    yield start
    for log, process in processes:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def wait_for(job_id: int, statuses: set[str], limit: float = 90) -> ImportJob:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        job = ImportJob.objects.get(pk=job_id)
        if job.status in statuses:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {job.status}")


def big_file(tmp_path: Path, name: str, first: int, count: int) -> SimpleUploadedFile:
    path = write_xlsx(tmp_path / name, [order_row(n) for n in range(first, first + count)])
    return SimpleUploadedFile(name, path.read_bytes())


def test_a_large_file_is_previewed_and_imported_by_the_worker(org, tmp_path, broker, start_worker, client):
    start_worker()
    client.force_login(org.clerk)
    answer = client.post(reverse("intake-api:jobs"), {"file": big_file(tmp_path, "big.xlsx", 1, 1200), "dry_run": "1"})
    assert answer.status_code == 202
    job_id = answer.json()["id"]

    previewed = wait_for(job_id, {Status.PREVIEWED, Status.FAILED})
    assert (previewed.status, previewed.new_count, previewed.processed_rows) == ("previewed", 1200, 1200)
    assert Case.objects.count() == 0

    confirmed = client.post(reverse("intake-api:job-confirm", args=[job_id]), content_type="application/json")
    assert confirmed.status_code == 202
    # Sent again, as a retry would: the second run finds nothing to do.
    with app.connection_for_write(REDIS_URL) as conn:
        app.send_task("intake.execute_job", args=[job_id], connection=conn)
    done = wait_for(job_id, {Status.DONE, Status.FAILED})

    assert (done.status, done.new_count) == ("done", 1200), done.message
    assert Case.objects.count() == 1200


def test_with_the_broker_down_each_step_answers_and_the_job_runs_once_it_is_back(
    org, tmp_path, broker, start_worker, client
):
    client.force_login(org.clerk)
    start_worker()  # the worker waits on the real Redis; this process cannot reach any broker
    broker(dead_broker_url())

    started = time.monotonic()
    answer = client.post(reverse("intake-api:jobs"), {"file": big_file(tmp_path, "a.xlsx", 1, 300), "dry_run": "1"})
    page = client.post(reverse("intake:index"), {"file": big_file(tmp_path, "b.xlsx", 301, 200)})
    assert time.monotonic() - started < 20

    assert answer.status_code == 202 and answer["Content-Type"] == "application/json"
    assert answer.json()["status"] == "uploaded"
    assert page.status_code == 302
    api_job, page_job = ImportJob.objects.order_by("id")
    assert (api_job.status, page_job.status) == (Status.UPLOADED, Status.UPLOADED)
    waiting = OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING)
    assert [(m.name, m.attempts) for m in waiting] == [("intake.preview_job", 1)] * 2
    assert 'id="intake-waiting"' in client.get(reverse("intake:job", args=[page_job.pk])).content.decode()

    broker(REDIS_URL)
    assert outbox_send_pending(due_only=False) == 2  # what the periodic job does every minute
    assert wait_for(api_job.pk, {Status.PREVIEWED, Status.FAILED}).status == Status.PREVIEWED
    assert wait_for(page_job.pk, {Status.PREVIEWED, Status.FAILED}).status == Status.PREVIEWED

    broker(dead_broker_url())
    confirmed = client.post(reverse("intake-api:job-confirm", args=[api_job.pk]), content_type="application/json")
    assert confirmed.status_code == 202 and confirmed.json()["status"] == "queued"
    again = client.post(reverse("intake-api:job-confirm", args=[api_job.pk]), content_type="application/json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    response = client.post(reverse("intake:job-confirm", args=[page_job.pk]))
    assert response.status_code == 302

    broker(REDIS_URL)
    assert outbox_send_pending(due_only=False) == 2
    assert wait_for(api_job.pk, {Status.DONE, Status.FAILED}).status == Status.DONE
    assert wait_for(page_job.pk, {Status.DONE, Status.FAILED}).status == Status.DONE
    assert Case.objects.count() == 500
    assert not OutboxMessage.objects.exclude(state=OutboxMessage.State.SENT).exists()


def test_a_job_whose_task_was_lost_is_picked_up_again_by_the_periodic_job(
    org, tmp_path, broker, start_worker, client, queue
):
    client.force_login(org.clerk)
    answer = client.post(reverse("intake-api:jobs"), {"file": big_file(tmp_path, "a.xlsx", 1, 50)})
    job_id = answer.json()["id"]
    assert answer.json()["status"] == "queued"
    queue.delete("celery")  # the broker lost the task (a Redis restart without persistence)

    assert services.import_jobs_resume() == 0  # not stuck yet
    long_ago = timezone.now() - STUCK_AFTER[Status.QUEUED] - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job_id).update(progress_at=long_ago)
    assert services.import_jobs_resume() == 1

    start_worker()
    done = wait_for(job_id, {Status.DONE, Status.FAILED})
    assert (done.status, done.new_count) == (Status.DONE, 50)
