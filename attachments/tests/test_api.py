"""The case's attachments and progress notes through the API: multipart
upload, list, download, delete; scoped like the case; errors as 4xx JSON."""

import pytest
from rest_framework.test import APIClient

from attachments.models import Attachment, Label, OwnerKind, Part
from attachments.services import attachment_add
from attachments.tests import files
from attachments.tests.helpers import upload
from cases.models import CaseEvent
from cases.transitions import Action


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_upload_list_download_and_delete(org, walk):
    case = walk.responded()
    client = api(org.officer_a)
    answer = client.post(
        f"/api/cases/{case.pk}/attachments/",
        {"file": [upload(name="a.jpg"), upload(files.pdf(), "b.pdf")], "label": "before", "part": "case"},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    created = answer.json()
    assert [(a["kind"], a["label_display"], a["part"]) for a in created] == [
        ("image", "处置前", "case"),
        ("document", "处置前", "case"),
    ]
    listed = client.get(f"/api/cases/{case.pk}/attachments/").json()
    assert [a["id"] for a in listed] == [a["id"] for a in created]
    photo = client.get(created[0]["url"])
    assert photo.status_code == 200 and photo["X-Content-Type-Options"] == "nosniff"
    assert photo["Content-Type"] == "image/jpeg"
    document = client.get(created[1]["url"])
    assert document["Content-Disposition"].startswith("attachment")
    assert client.delete(created[1]["url"]).status_code == 204
    assert Attachment.objects.filter(case=case).count() == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [(files.HTML, "unsupported_type"), (files.SVG, "unsupported_type"), (b"", "empty_file")],
)
def test_bad_files_are_a_400_with_a_clear_message_and_nothing_kept(org, walk, data, code):
    case = walk.responded()
    answer = api(org.officer_a).post(
        f"/api/cases/{case.pk}/attachments/",
        {"file": [upload(data, "photo.jpg")], "label": "before", "part": "case"},
        format="multipart",
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == code and "photo.jpg" in answer.json()["detail"]
    assert not Attachment.objects.exists()


def test_missing_file_or_bad_label_is_a_400(org, walk):
    case = walk.responded()
    client = api(org.officer_a)
    assert client.post(f"/api/cases/{case.pk}/attachments/", {"part": "case"}, format="multipart").status_code == 400
    answer = client.post(
        f"/api/cases/{case.pk}/attachments/", {"file": [upload()], "label": "x", "part": "case"}, format="multipart"
    )
    assert answer.status_code == 400 and answer.json()["detail"].startswith("标注")


def test_another_units_case_and_file_are_404(org, walk):
    case = walk.responded()
    attachment = attachment_add(
        owner_kind=OwnerKind.CASE,
        owner_id=case.pk,
        upload=upload(),
        actor=org.officer_a,
        label=Label.AFTER,
        part=Part.CASE,
    )
    other = api(org.officer_b)
    assert other.get(f"/api/cases/{case.pk}/attachments/").status_code == 404
    assert other.get(f"/api/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    assert other.delete(f"/api/cases/{case.pk}/attachments/{attachment.pk}/").status_code == 404
    answer = other.post(f"/api/cases/{case.pk}/attachments/", {"file": [upload()], "part": "case"}, format="multipart")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    # The file under a case of the other community's own: not found either.
    own = walk.responded(ticket_no="T-OWN")
    assert api(org.officer_a).get(f"/api/cases/{own.pk}/attachments/{attachment.pk + 99}/").status_code == 404
    assert Attachment.objects.count() == 1


def test_progress_notes_with_photos(org, walk):
    case = walk.responded()
    client = api(org.officer_a)
    answer = client.post(
        f"/api/cases/{case.pk}/progress-notes/",
        {"text": "已约物业查看屋顶", "photo": [upload(), upload(files.png(), "b.png")], "label": "during"},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    note = answer.json()
    assert note["text"] == "已约物业查看屋顶" and len(note["photos"]) == 2
    assert {p["part"] for p in note["photos"]} == {"progress"}
    listed = client.get(f"/api/cases/{case.pk}/progress-notes/").json()
    assert [n["id"] for n in listed] == [note["id"]]
    # JSON without photos works too; the timeline holds both notes.
    assert (
        client.post(f"/api/cases/{case.pk}/progress-notes/", {"text": "再次电话物业"}, format="json").status_code == 201
    )
    assert CaseEvent.objects.filter(case=case, action=Action.PROGRESS_NOTE).count() == 2


def test_a_progress_note_is_refused_before_the_contact_and_outside_the_community(org, walk):
    dispatched = walk.dispatched()
    answer = api(org.officer_a).post(f"/api/cases/{dispatched.pk}/progress-notes/", {"text": "x"}, format="json")
    assert answer.status_code == 409
    responded = walk.responded(ticket_no="T-2")
    assert (
        api(org.officer_b).post(f"/api/cases/{responded.pk}/progress-notes/", {"text": "x"}, format="json").status_code
        == 404
    )
    assert (
        api(org.officer_a).post(f"/api/cases/{responded.pk}/progress-notes/", {"text": " "}, format="json").status_code
        == 400
    )
    assert not CaseEvent.objects.filter(action=Action.PROGRESS_NOTE).exists()


def test_a_failed_photo_leaves_no_progress_note(org, walk):
    case = walk.responded()
    answer = api(org.officer_a).post(
        f"/api/cases/{case.pk}/progress-notes/",
        {"text": "现场照片", "photo": [upload(), upload(files.SVG, "x.svg")]},
        format="multipart",
    )
    assert answer.status_code == 400
    assert not CaseEvent.objects.filter(action=Action.PROGRESS_NOTE).exists() and not Attachment.objects.exists()


def test_the_schema_lists_the_endpoints(org):
    schema = api(org.officer_a).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/cases/{case_pk}/attachments/",
        "/api/cases/{case_pk}/attachments/{id}/",
        "/api/cases/{case_pk}/progress-notes/",
    ):
        assert path in schema["paths"]
