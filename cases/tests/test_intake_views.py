"""The import pages in the browser's place (Django test client): upload,
preview, confirm, progress, history, rejected rows; and who may use them."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.intake.models import ImportJob, PendingCallback
from cases.intake.samples import HEADER, order_row, write_csv, write_xlsx
from cases.models import Case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_the_clerk_uploads_sees_the_preview_and_confirms(client, org, tmp_path):
    client.force_login(org.clerk)
    path = write_xlsx(tmp_path / "工单导出.xlsx", [order_row(1), order_row(2, community="和平社区")])

    response = client.post(reverse("intake:index"), {"file": upload(path)})

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("intake:job", args=[job.pk])
    assert job.original_name == "工单导出.xlsx"
    assert job.status == ImportJob.Status.PREVIEWED
    assert Case.objects.count() == 0
    page = client.get(reverse("intake:job", args=[job.pk])).content.decode()
    assert "预检结果：共2行：将新增2件" in page
    assert "确认导入" in page

    response = client.post(reverse("intake:job-confirm", args=[job.pk]), follow=True)

    assert response.status_code == 200
    assert "已新增2件" in response.content.decode()
    assert Case.objects.count() == 2
    history = client.get(reverse("intake:index")).content.decode()
    assert "工单导出.xlsx" in history and "赵办件" in history


def test_a_file_with_errors_offers_only_the_valid_rows_and_the_rejected_rows_download(client, org, tmp_path):
    client.force_login(org.clerk)
    path = write_xlsx(tmp_path / "bad.xlsx", [order_row(1), order_row(2, 主要内容="", 来电人="李四")])
    client.post(reverse("intake:index"), {"file": upload(path)})
    job = ImportJob.objects.get()

    page = client.get(reverse("intake:job", args=[job.pk])).content.decode()
    assert "仅导入有效行" in page and "确认导入" not in page
    assert "主要内容为空。" in page

    # A forged all-or-nothing confirmation is refused with a message; nothing is written.
    response = client.post(reverse("intake:job-confirm", args=[job.pk]), follow=True)
    assert "预检发现1行错误" in response.content.decode()
    assert Case.objects.count() == 0

    rejected = client.get(reverse("intake:job-rejected", args=[job.pk]))
    assert rejected.status_code == 200
    sheet = load_workbook(io.BytesIO(rejected.content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "原行号" and rows[0][-1] == "错误说明"
    assert len(rows) == 2 and rows[1][0] == 3
    assert rows[1][-1] == "主要内容：主要内容为空。"
    assert "李四" in rows[1]  # the clerk calls callers: names in full

    client.post(reverse("intake:job-confirm", args=[job.pk]), {"valid_only": "on"})
    assert list(Case.objects.values_list("ticket_no", flat=True)) == ["2025000000001"]
    job.refresh_from_db()
    assert (job.status, job.mode) == (ImportJob.Status.DONE, ImportJob.Mode.VALID_ONLY)


def test_a_refused_file_is_reported_on_the_form(client, org, tmp_path):
    client.force_login(org.clerk)
    bad = SimpleUploadedFile("orders.xlsx", b"\x89PNG\r\n\x1a\nnot a spreadsheet")

    response = client.post(reverse("intake:index"), {"file": bad})

    assert response.status_code == 400
    assert "文件不是电子表格" in response.content.decode()
    assert ImportJob.objects.count() == 0


def test_a_large_file_runs_in_celery_with_a_progress_bar(
    client, org, tmp_path, settings, django_capture_on_commit_callbacks
):
    from hotline.celery import app

    settings.INTAKE_SYNC_MAX_BYTES = 10
    client.force_login(org.clerk)
    path = write_xlsx(tmp_path / "big.xlsx", [order_row(n) for n in range(1, 30)])
    app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            client.post(reverse("intake:index"), {"file": upload(path)})
        job = ImportJob.objects.get()
        assert job.status == ImportJob.Status.UPLOADED and len(callbacks) == 1
        page = client.get(reverse("intake:job", args=[job.pk])).content.decode()
        assert 'hx-get="{}"'.format(reverse("intake:job-progress", args=[job.pk])) in page

        callbacks[0]()  # the task runs after the request's transaction commits

        job.refresh_from_db()
        assert job.status == ImportJob.Status.PREVIEWED and job.processed_rows == 29
        polled = client.get(reverse("intake:job-progress", args=[job.pk]), headers={"HX-Request": "true"})
        assert polled["HX-Refresh"] == "true"
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("intake:job-confirm", args=[job.pk]))
    finally:
        app.conf.task_always_eager = False
    job.refresh_from_db()
    assert (job.status, job.new_count) == (ImportJob.Status.DONE, 29)


def test_leaders_see_the_history_read_only_and_others_not_at_all(client, org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1, 来电人="王五", 主要内容="")])
    client.force_login(org.clerk)
    client.post(reverse("intake:index"), {"file": upload(path)})
    job = ImportJob.objects.get()

    client.force_login(org.leader)
    assert client.get(reverse("intake:index")).status_code == 200
    assert "上传并预检" not in client.get(reverse("intake:index")).content.decode()
    assert client.get(reverse("intake:job", args=[job.pk])).status_code == 200
    assert client.post(reverse("intake:index"), {"file": upload(path)}).status_code == 403
    assert client.post(reverse("intake:job-confirm", args=[job.pk]), {"valid_only": "on"}).status_code == 403
    rejected = client.get(reverse("intake:job-rejected", args=[job.pk]))
    rows = list(load_workbook(io.BytesIO(rejected.content)).active.values)
    assert "王五" not in rows[1] and "王*" in rows[1]  # leaders do not call callers: masked

    for user in (org.officer_a, org.secretary_a, org.chief_a, org.supervisor):
        client.force_login(user)
        assert client.get(reverse("intake:index")).status_code == 403
        assert client.get(reverse("intake:job", args=[job.pk])).status_code == 403
    client.logout()
    assert client.get(reverse("intake:index")).status_code == 302


def test_the_clerk_applies_waiting_callbacks_from_the_history_page(client, org, tmp_path, walk):
    case = walk.closed(ticket_no="2025000000001")
    case.refresh_from_db()
    PendingCallback.objects.create(
        case=case, called_at=case.closed_at, contacted=True, resolved=True, satisfaction="satisfied"
    )
    client.force_login(org.clerk)
    assert "有 1 条导入的回访在等待案件办结" in client.get(reverse("intake:index")).content.decode()

    response = client.post(reverse("intake:callbacks-apply"), follow=True)

    assert "已录入1条回访" in response.content.decode()
    case.refresh_from_db()
    assert case.callback_at is not None


def test_a_corrupt_workbook_is_a_message_on_the_form_not_a_server_error(client, org, tmp_path, settings):
    client.force_login(org.clerk)
    data = bytearray(write_xlsx(tmp_path / "orders.xlsx", [order_row(1)]).read_bytes())
    data[data.index(b"PK\x01\x02") + 6] = 0xFF  # an unsupported zip version

    response = client.post(reverse("intake:index"), {"file": SimpleUploadedFile("orders.xlsx", bytes(data))})

    assert response.status_code == 400
    assert "文件已损坏或不是有效的Excel文件。" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_the_rejected_rows_file_never_turns_an_uploaded_header_into_a_formula(client, org, tmp_path):
    client.force_login(org.clerk)
    evil = '=HYPERLINK("http://evil.invalid","点我")'
    rows = [[*order_row(1).values(), "x"], [*order_row(2, 主要内容="").values(), "y"]]
    path = write_csv(tmp_path / "orders.csv", rows, header=[*HEADER, evil])
    client.post(reverse("intake:index"), {"file": upload(path)})
    job = ImportJob.objects.get()

    rejected = client.get(reverse("intake:job-rejected", args=[job.pk]))

    header = next(load_workbook(io.BytesIO(rejected.content)).active.iter_rows(max_row=1))
    cell = header[len(HEADER) + 1]  # after 原行号 and the file's own columns
    assert (cell.value, cell.data_type) == (evil, "s")


def test_the_rejected_rows_file_masks_every_caller_column_and_stray_phones_for_leaders(client, org, tmp_path):
    # The platform's columns plus a second phone and name column under
    # synonyms, and a phone typed into an extra column the import ignores.
    header = [*HEADER, "联系人", "联系电话", "备用电话"]
    row = [*order_row(1, 来电人="王五", 来电人电话="13912345678", 主要内容="").values()]
    path = write_csv(tmp_path / "orders.csv", [[*row, "王五", "13912345678", "备用15800001111"]], header=header)
    client.force_login(org.clerk)
    client.post(reverse("intake:index"), {"file": upload(path)})
    job = ImportJob.objects.get()

    client.force_login(org.leader)
    rows = list(
        load_workbook(io.BytesIO(client.get(reverse("intake:job-rejected", args=[job.pk])).content)).active.values
    )
    text = " ".join(str(cell) for cell in rows[1])
    for secret in ("王五", "13912345678", "15800001111"):
        assert secret not in text
    assert "139****5678" in text and "备用158****1111" in text

    client.force_login(org.clerk)  # clerks call callers: the file as it came
    rows = list(
        load_workbook(io.BytesIO(client.get(reverse("intake:job-rejected", args=[job.pk])).content)).active.values
    )
    assert "13912345678" in rows[1] and "备用15800001111" in rows[1]


def test_a_failed_import_shows_its_failure_not_zero_counts(client, org, tmp_path):
    client.force_login(org.clerk)
    path = write_csv(tmp_path / "notes.csv", [], header=["今天天气很好"])
    client.post(reverse("intake:index"), {"file": upload(path)})
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED

    page = client.get(reverse("intake:job", args=[job.pk])).content.decode()

    assert 'id="intake-failure"' in page and "导入失败，未写入任何数据" in page and "未找到表头" in page
    assert "intake-counts" not in page and "没有问题" not in page
    assert reverse("intake:job-cancel", args=[job.pk]) in page
    assert reverse("intake:job-retry", args=[job.pk]) not in page  # the refused file is gone: nothing to retry


def test_the_clerk_retries_a_stuck_job_and_cancels_another_on_its_page(client, org, tmp_path, settings):
    import datetime as dt

    from django.utils import timezone

    client.force_login(org.clerk)
    for name in ("a.xlsx", "b.xlsx"):
        client.post(reverse("intake:index"), {"file": upload(write_xlsx(tmp_path / name, [order_row(1)]))})
    stuck, other = ImportJob.objects.order_by("id")
    ImportJob.objects.update(status=ImportJob.Status.QUEUED, progress_at=timezone.now() - dt.timedelta(hours=1))

    page = client.get(reverse("intake:job", args=[stuck.pk])).content.decode()
    assert 'id="intake-stuck"' in page and reverse("intake:job-retry", args=[stuck.pk]) in page

    client.post(reverse("intake:job-retry", args=[stuck.pk]))  # a small file runs at once
    stuck.refresh_from_db()
    assert (stuck.status, stuck.new_count) == (ImportJob.Status.DONE, 1)

    response = client.post(reverse("intake:job-cancel", args=[other.pk]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == ImportJob.Status.CANCELLED and not other.file
    assert "已取消" in client.get(reverse("intake:index")).content.decode()


def test_the_demo_street_offers_a_sample_file_that_imports(client, org, tmp_path):
    from communities.models import Community, Street

    client.force_login(org.clerk)
    assert reverse("intake:sample") not in client.get(reverse("intake:index")).content.decode()
    assert client.get(reverse("intake:sample")).status_code == 404

    Street.objects.filter(pk=org.street.pk).update(is_demo=True)
    page = client.get(reverse("intake:index")).content.decode()
    assert reverse("intake:sample") in page

    response = client.get(reverse("intake:sample"))
    assert response.status_code == 200
    sample = tmp_path / "sample.xlsx"
    sample.write_bytes(b"".join(response.streaming_content) if response.streaming else response.content)
    rows = list(load_workbook(sample, read_only=True).active.iter_rows(values_only=True))
    communities = set(Community.objects.values_list("name", flat=True))
    assert {row[HEADER.index("村/社区")] for row in rows[2:]} <= communities
    assert all("0000" in row[HEADER.index("来电人电话")] for row in rows[2:])

    client.post(reverse("intake:index"), {"file": upload(sample)})
    job = ImportJob.objects.get()
    assert (job.status, job.new_count, job.error_count, job.unmatched_count) == (
        ImportJob.Status.PREVIEWED,
        len(rows) - 2,
        0,
        0,
    )
