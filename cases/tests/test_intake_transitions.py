"""The life of an import job, edge by edge: every status change goes through
the one service that locks the job and checks the table; anything else is
refused with a Conflict (a 409, never a 500) and changes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from cases.intake import services
from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.intake.transitions import EDGES, STUCK_AFTER, Status, Step, allowed_steps, next_status
from cases.tests.intake_helpers import create_job
from hotline.errors import Conflict

S = Status

# The lifecycle as the clerks know it, written out independently of the table.
EXPECTED = {
    (Step.PREVIEW_START, S.UPLOADED): S.PREVIEWING,
    (Step.PREVIEW_FINISH, S.PREVIEWING): S.PREVIEWED,
    (Step.QUEUE, S.UPLOADED): S.QUEUED,
    (Step.CONFIRM, S.PREVIEWED): S.QUEUED,
    (Step.IMPORT_START, S.QUEUED): S.IMPORTING,
    (Step.IMPORT_FINISH, S.IMPORTING): S.DONE,
    (Step.FAIL, S.PREVIEWING): S.FAILED,
    (Step.FAIL, S.IMPORTING): S.FAILED,
    (Step.EXPIRE, S.UPLOADED): S.FAILED,
    (Step.EXPIRE, S.PREVIEWED): S.FAILED,
    (Step.RETRY, S.FAILED): S.UPLOADED,
    (Step.RETRY, S.UPLOADED): S.UPLOADED,
    (Step.RETRY, S.PREVIEWING): S.UPLOADED,
    (Step.RETRY, S.QUEUED): S.QUEUED,
    (Step.RETRY, S.IMPORTING): S.QUEUED,
    (Step.CANCEL, S.UPLOADED): S.CANCELLED,
    (Step.CANCEL, S.PREVIEWING): S.CANCELLED,
    (Step.CANCEL, S.PREVIEWED): S.CANCELLED,
    (Step.CANCEL, S.QUEUED): S.CANCELLED,
    (Step.CANCEL, S.IMPORTING): S.CANCELLED,
    (Step.CANCEL, S.FAILED): S.CANCELLED,
}
ALL_PAIRS = [(step, status) for step in Step for status in Status]


def test_the_table_is_exactly_the_lifecycle():
    table = {(step, source): target for step, edges in EDGES.items() for source, target in edges.items()}
    assert table == EXPECTED


def test_finished_jobs_take_no_step_but_a_failed_one_is_retried_or_cancelled():
    assert allowed_steps(S.DONE) == [] and allowed_steps(S.CANCELLED) == []
    assert allowed_steps(S.FAILED) == [Step.RETRY, Step.CANCEL]


@pytest.fixture
def job(org, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return create_job(org.clerk, write_xlsx(tmp_path / "a.xlsx", [order_row(1)]))


@pytest.mark.parametrize(("step", "status"), ALL_PAIRS, ids=[f"{s.value}-from-{t.value}" for s, t in ALL_PAIRS])
def test_each_step_from_each_status_moves_the_job_as_the_table_says_or_is_refused(job, step, status):
    before = timezone.now() - dt.timedelta(days=1)
    ImportJob.objects.filter(pk=job.pk).update(status=status, progress_at=before)

    if (step, status) in EXPECTED:
        moved = services._move(job.pk, step)
        job.refresh_from_db()
        assert moved.status == job.status == EXPECTED[step, status]
        assert job.progress_at > before
    else:
        with pytest.raises(Conflict) as refused:
            services._move(job.pk, step)
        assert refused.value.code == "invalid_state" and "不能" in refused.value.message
        job.refresh_from_db()
        assert (job.status, job.progress_at) == (status, before)


def test_next_status_names_the_status_and_the_step_it_refuses():
    with pytest.raises(Conflict, match=r"已完成.*不能确认导入"):
        next_status(Step.CONFIRM, S.DONE)


def test_a_task_sent_twice_runs_the_job_once(org, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = create_job(org.clerk, write_xlsx(tmp_path / "a.xlsx", [order_row(1)]))
    first = services.import_job_preview(job_id=job.pk)
    previewed_at = first.previewed_at
    again = services.import_job_preview(job_id=job.pk)
    assert (again.status, again.previewed_at) == (S.PREVIEWED, previewed_at)


def test_a_cancelled_job_is_not_run_by_its_late_task(org, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    job = create_job(org.clerk, write_xlsx(tmp_path / "a.xlsx", [order_row(1)]))
    services.import_job_cancel(job_id=job.pk, actor=org.clerk)

    late = services.import_job_preview(job_id=job.pk)

    assert late.status == S.CANCELLED and late.new_count == 0 and not late.file


def test_a_running_job_is_retried_or_cancelled_only_once_stuck(job, org):
    ImportJob.objects.filter(pk=job.pk).update(status=S.IMPORTING, progress_at=timezone.now())
    with pytest.raises(Conflict, match="正在进行"):
        services.import_job_cancel(job_id=job.pk, actor=org.clerk)
    with pytest.raises(Conflict, match="正在进行"):
        services.import_job_retry(job_id=job.pk, actor=org.clerk)

    long_ago = timezone.now() - STUCK_AFTER[S.IMPORTING] - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(progress_at=long_ago)
    retried = services.import_job_retry(job_id=job.pk, actor=org.clerk, inline=False)
    assert retried.status == S.QUEUED


def test_the_periodic_job_leaves_a_task_waiting_for_the_broker_to_the_outbox(org, tmp_path, settings):
    from hotline.models import OutboxMessage

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INTAKE_SYNC_MAX_BYTES = 10
    job = services.import_job_submit(
        actor=org.clerk, upload=_upload(write_xlsx(tmp_path / "a.xlsx", [order_row(1)])), name="a.xlsx"
    )
    [message] = OutboxMessage.objects.all()
    assert (message.name, message.payload["args"], message.key) == ("intake.preview_job", [job.pk], job.outbox_key)
    long_ago = timezone.now() - STUCK_AFTER[S.UPLOADED] - dt.timedelta(minutes=1)
    ImportJob.objects.filter(pk=job.pk).update(progress_at=long_ago)

    assert services.import_jobs_resume() == 0  # its task still waits for the broker
    assert OutboxMessage.objects.count() == 1

    OutboxMessage.objects.update(state=OutboxMessage.State.SENT)  # sent, then lost
    assert services.import_jobs_resume() == 1
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.PENDING, key=job.outbox_key).count() == 1
    job.refresh_from_db()
    assert job.status == S.UPLOADED and job.progress_at > long_ago
    assert services.import_jobs_resume() == 0  # no longer stuck


def _upload(path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(path.name, path.read_bytes())
