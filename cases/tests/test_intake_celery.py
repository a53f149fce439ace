"""A large import runs in a real Celery worker on the real Redis (db 4, or
INTAKE_TEST_REDIS_URL), against the test database, and reports its progress
on the job row."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from cases.intake import services
from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.models import Case
from cases.tests.intake_helpers import create_job

REDIS_URL = os.environ.get("INTAKE_TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
ROOT = Path(__file__).resolve().parents[2]
CELERY = [sys.executable, "-m", "celery", "-A", "hotline", "worker", "--pool=solo", "-I", "cases.intake.tasks"]

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    env = {
        **os.environ,
        "REDIS_URL": REDIS_URL,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DEBUG": "1",
        "SECRET_KEY": "celery-test",
    }
    log = open(tmp_path / "worker.log", "w")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [*CELERY, "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield
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


def test_a_large_file_is_previewed_and_imported_by_the_worker(org, tmp_path, worker):
    from hotline.celery import app

    path = write_xlsx(tmp_path / "big.xlsx", [order_row(n) for n in range(1, 1201)])
    job = create_job(org.clerk, path)

    with app.connection_for_write(REDIS_URL) as conn:
        app.send_task("intake.preview_job", args=[job.id], connection=conn)
        previewed = wait_for(job.id, {ImportJob.Status.PREVIEWED, ImportJob.Status.FAILED})
        assert (previewed.status, previewed.new_count, previewed.processed_rows) == ("previewed", 1200, 1200)
        assert Case.objects.count() == 0

        services.import_job_confirm(job_id=job.id, actor=org.clerk, valid_only=False)
        # Sent twice, as a retry would: the second run finds nothing to do.
        app.send_task("intake.execute_job", args=[job.id], connection=conn)
        app.send_task("intake.execute_job", args=[job.id], connection=conn)
        done = wait_for(job.id, {ImportJob.Status.DONE, ImportJob.Status.FAILED})

    assert (done.status, done.new_count) == ("done", 1200), done.message
    assert Case.objects.count() == 1200
