"""What is kept of an upload: nothing of a refused one (whatever refuses it,
the upload check or the pass over the rows, on the page, through the API or
in the worker); an accepted one is readable by the server's user only."""

import stat
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.intake import parsing, services
from cases.intake.models import ImportJob
from cases.intake.samples import HEADER, order_row, write_xlsx
from cases.models import Case
from cases.tests.intake_helpers import create_job


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


def stored(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def _rewrite_sheet(path: Path, change) -> Path:
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    name = "xl/worksheets/sheet1.xml"
    members[name] = change(members[name].decode()).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in members.items():
            target.writestr(member, data)
    return path


def entity_declaration(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "entity.xlsx", [order_row(1)])
    return _rewrite_sheet(
        path, lambda xml: xml.replace("<worksheet", '<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet', 1)
    )


def value_in_column_5000(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "wide.xlsx", [order_row(1)])
    far = parsing.column_name(4999)
    cell = f'<c r="{far}2" t="inlineStr"><is><t>x</t></is></c></row>'
    return _rewrite_sheet(path, lambda xml: xml.replace("</row>", cell, 2).replace(cell, "</row>", 1))


def row_one_million(tmp_path: Path) -> Path:
    path = write_xlsx(tmp_path / "tall.xlsx", [order_row(1)])
    return _rewrite_sheet(path, lambda xml: xml.replace('<row r="2"', '<row r="1000000"').replace('2"', '1000000"'))


def text_named_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "orders.xlsx"
    path.write_text("工单编号,标题\n2025000000001,电梯故障\n", encoding="utf-8")
    return path


def _encoded_csv(path: Path, encoding: str, **overrides: Any) -> Path:
    """The platform's columns in an encoding the import does not read (the
    characters it cannot hold replaced, as a converting editor does)."""
    row = order_row(1, **overrides)
    lines = [",".join(HEADER), ",".join(parsing.text(row[label]) for label in HEADER)]
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    return path


def big5_csv(tmp_path: Path) -> Path:
    return _encoded_csv(tmp_path / "big5.csv", "big5", 标题="電梯故障", 主要内容="電梯停運，請儘快維修。")


def shift_jis_csv(tmp_path: Path) -> Path:
    return _encoded_csv(tmp_path / "sjis.csv", "shift_jis", 来电人="田中", 主要内容="エレベーター故障")


REFUSED = {
    "entity declaration": entity_declaration,
    "a value in column 5000": value_in_column_5000,
    "row 1,000,000": row_one_million,
    "text named .xlsx": text_named_xlsx,
    "Big5 CSV": big5_csv,
    "Shift-JIS CSV": shift_jis_csv,
}


@pytest.mark.parametrize("case", REFUSED)
def test_nothing_of_a_refused_upload_is_kept_on_the_page(client, org, tmp_path, media, case):
    path = REFUSED[case](tmp_path)
    client.force_login(org.clerk)

    response = client.post(reverse("intake:index"), {"file": SimpleUploadedFile(path.name, path.read_bytes())})

    assert response.status_code in (302, 400), case
    assert stored(media) == [], case
    assert not ImportJob.objects.exclude(file="").exists(), case
    assert Case.objects.count() == 0
    job = ImportJob.objects.first()
    if job is not None:  # refused by the pass over the rows: the failure stays, the file does not
        assert job.status == ImportJob.Status.FAILED and job.message
        page = client.get(reverse("intake:job", args=[job.pk])).content.decode()
        assert job.message in page.replace("&quot;", '"').replace("&#x27;", "'")


@pytest.mark.parametrize("case", ["entity declaration", "Big5 CSV"])
def test_nothing_of_a_refused_upload_is_kept_through_the_api(client, org, tmp_path, media, case):
    path = REFUSED[case](tmp_path)
    client.force_login(org.clerk)

    response = client.post(reverse("intake-api:jobs"), {"file": SimpleUploadedFile(path.name, path.read_bytes())})

    assert response.status_code in (201, 400)
    assert response.json().get("status", "failed") == "failed"
    assert stored(media) == []


def test_a_file_refused_in_the_worker_is_deleted_and_its_failure_kept(org, tmp_path, media):
    job = create_job(org.clerk, value_in_column_5000(tmp_path))
    assert len(stored(media)) == 1

    job = services.import_job_preview(job_id=job.pk)  # what the Celery task runs

    assert job.status == ImportJob.Status.FAILED and "列" in job.message
    assert stored(media) == [] and not job.file


@pytest.mark.parametrize("make", [big5_csv, shift_jis_csv])
def test_a_csv_in_another_encoding_is_refused_naming_the_encodings_read(org, tmp_path, media, make):
    job = services.import_job_preview(job_id=create_job(org.clerk, make(tmp_path)).pk)
    assert job.status == ImportJob.Status.FAILED
    assert "未找到表头" in job.message and "UTF-8" in job.message and "Big5" in job.message
    assert stored(media) == []


def test_a_text_file_named_xlsx_is_said_not_to_be_an_excel_file(org, tmp_path, media):
    with pytest.raises(parsing.FileRejected, match="不是Excel工作簿"):
        create_job(org.clerk, text_named_xlsx(tmp_path))
    assert stored(media) == [] and not ImportJob.objects.exists()


def test_an_accepted_upload_is_readable_by_the_server_user_only(client, org, tmp_path, media):
    path = write_xlsx(tmp_path / "orders.xlsx", [order_row(1)])
    client.force_login(org.clerk)

    client.post(reverse("intake:index"), {"file": SimpleUploadedFile(path.name, path.read_bytes())})

    [kept] = stored(media)
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    for directory in kept.relative_to(media).parents:
        if directory != Path("."):
            assert stat.S_IMODE((media / directory).stat().st_mode) == 0o700, directory
