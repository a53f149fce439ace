"""The import API for scripts: POST /api/imports/ and GET /api/imports/{id}/.
The URL include is declared here too, so the tests do not depend on where
the project's URLconf mounts it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import include, path
from rest_framework.test import APIClient

import hotline.urls
from cases.intake.models import ImportJob
from cases.intake.samples import order_row, write_xlsx
from cases.models import Case

urlpatterns = [path("api/imports/", include("cases.intake.api_urls")), *hotline.urls.urlpatterns]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def api():
    return APIClient()


def upload(path):
    return SimpleUploadedFile(path.name, path.read_bytes())


def test_a_script_imports_a_file_and_reads_its_status(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1), order_row(2, community="无名社区")])

    response = api.post("/api/imports/", {"file": upload(path)}, format="multipart")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["new_count"], body["unmatched_count"]) == ("done", 2, 1)
    assert Case.objects.count() == 2
    status = api.get(body["url"]).json()
    assert status["id"] == body["id"] and status["issues_total"] == 1
    assert status["issues"][0]["message"] == "未能匹配到社区，请人工派发。"
    history = api.get("/api/imports/").json()
    assert [job["id"] for job in history["results"]] == [body["id"]]


def test_a_dry_run_then_a_confirmation(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1), order_row(2, 主要内容="")])

    preview = api.post("/api/imports/", {"file": upload(path), "dry_run": "true"}, format="multipart").json()

    assert (preview["status"], preview["new_count"], preview["error_count"]) == ("previewed", 1, 1)
    assert preview["rejected_rows_url"].endswith("/rejected.xlsx")
    assert Case.objects.count() == 0
    refused = api.post(f"/api/imports/{preview['id']}/confirm/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "has_errors"
    done = api.post(f"/api/imports/{preview['id']}/confirm/", {"valid_only": True}, format="json")
    assert done.status_code == 201 and done.json()["new_count"] == 1


def test_a_file_with_errors_is_not_imported_and_says_why(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1), order_row(2, 来电时间="不知道")])

    body = api.post("/api/imports/", {"file": upload(path)}, format="multipart").json()

    assert body["status"] == "failed" and "未导入任何数据" in body["message"]
    assert body["issues"][0]["row_number"] == 3 and body["issues"][0]["column"] == "来电时间"
    assert Case.objects.count() == 0


def test_bad_requests_get_a_4xx_json_answer(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    missing = api.post("/api/imports/", {}, format="multipart")
    assert missing.status_code == 400 and missing.json()["code"] == "invalid_input"
    junk = api.post("/api/imports/", {"file": SimpleUploadedFile("a.xlsx", b"\x89PNG\r\n\x1a\nxx")}, format="multipart")
    assert junk.status_code == 400 and junk.json() == {
        "code": "file_rejected",
        "detail": "文件不是电子表格（仅支持 .xlsx 和 .csv）。",
    }
    assert api.get("/api/imports/999/").status_code == 404


def test_only_clerks_import_and_leaders_read(api, org, tmp_path):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    api.force_authenticate(org.clerk)
    job_id = api.post("/api/imports/", {"file": upload(path)}, format="multipart").json()["id"]

    api.force_authenticate(org.leader)
    assert api.get(f"/api/imports/{job_id}/").status_code == 200
    assert api.post("/api/imports/", {"file": upload(path)}, format="multipart").status_code == 403
    for user in (org.officer_a, org.chief_a, org.display):
        api.force_authenticate(user)
        assert api.get("/api/imports/").status_code == 403
        assert api.get(f"/api/imports/{job_id}/").status_code == 404
        assert api.post("/api/imports/", {"file": upload(path)}, format="multipart").status_code == 403
    api.force_authenticate(None)
    assert api.get("/api/imports/").status_code in (401, 403)
    assert ImportJob.objects.count() == 1


def test_the_api_schema_documents_the_import_endpoints_without_warnings():
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.validation import validate_schema

    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=urlpatterns[:1]).get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache
    assert {"/api/imports/", "/api/imports/{id}/", "/api/imports/{id}/confirm/"} <= set(schema["paths"])


def test_a_failed_job_is_retried_or_cancelled_through_the_api(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1), order_row(2, 来电时间="不知道")])
    failed = api.post("/api/imports/", {"file": upload(path)}, format="multipart").json()
    assert failed["status"] == "failed"

    retried = api.post(f"/api/imports/{failed['id']}/retry/")
    assert retried.status_code == 201
    assert (retried.json()["status"], retried.json()["error_count"]) == ("previewed", 1)

    cancelled = api.post(f"/api/imports/{failed['id']}/cancel/")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert not ImportJob.objects.get().file

    again = api.post(f"/api/imports/{failed['id']}/retry/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    assert Case.objects.count() == 0


def test_a_running_job_is_not_cancelled_and_leaders_cannot_cancel(api, org, tmp_path):
    api.force_authenticate(org.clerk)
    job = api.post(
        "/api/imports/", {"file": upload(write_xlsx(tmp_path / "a.xlsx", [order_row(1)])), "dry_run": True}
    ).json()
    ImportJob.objects.filter(pk=job["id"]).update(status=ImportJob.Status.IMPORTING)

    refused = api.post(f"/api/imports/{job['id']}/cancel/")
    assert refused.status_code == 409 and refused.json()["code"] == "running"

    api.force_authenticate(org.leader)
    assert api.post(f"/api/imports/{job['id']}/retry/").status_code == 403
    assert ImportJob.objects.get().status == ImportJob.Status.IMPORTING
