"""The case page: the gallery, the upload step (camera field), the progress
note step with photos, and removing a file."""

import re

from django.urls import reverse

from attachments.models import Attachment, Label, OwnerKind, Part
from attachments.services import attachment_add
from attachments.tests import files
from attachments.tests.helpers import upload
from cases.models import CaseEvent
from cases.transitions import Action


def step(case, name):
    return reverse("case-step", args=[case.pk, name])


def test_the_officer_sees_the_upload_and_progress_forms_with_the_camera_field(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    for form in ('id="step-attach"', 'id="step-progress_note"'):
        assert form in html
    assert html.count('enctype="multipart/form-data"') >= 2
    assert re.search(r'<input type="file" name="photos"[^>]*accept="image/\*"[^>]*capture="environment"', html)
    assert "办理结果（随结果签字）" in html  # a responded case's reply may take photos


def test_a_progress_note_with_two_photos_from_the_page(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    response = client.post(
        step(case, "progress_note"),
        {
            "text": "已约物业维修",
            "done_at": "",
            "label": Label.BEFORE,
            "photos": [upload(), upload(files.png(), "b.png")],
        },
    )
    assert response.status_code == 302
    note = CaseEvent.objects.get(case=case, action=Action.PROGRESS_NOTE)
    assert note.note == "已约物业维修" and note.attachments.count() == 2
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "已约物业维修" in html and html.count(f"/attachments/{note.attachments.first().pk}/thumbnail/") >= 1


def test_a_bad_file_on_the_page_says_why_and_keeps_nothing(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_a)
    response = client.post(
        step(case, "attach"),
        {"part": Part.CASE, "label": Label.BEFORE, "documents": [upload(files.HTML, "scan.jpg")]},
        follow=True,
    )
    assert "scan.jpg" in response.content.decode() and "内容不是可接受的类型" in response.content.decode()
    assert not Attachment.objects.exists()
    empty = client.post(step(case, "attach"), {"part": Part.CASE, "label": Label.BEFORE})
    assert empty.status_code == 400 and "请拍照或选择要上传的文件" in empty.content.decode()


def test_an_upload_to_a_case_out_of_scope_is_not_found(client, org, walk):
    case = walk.responded()
    client.force_login(org.officer_b)
    response = client.post(step(case, "attach"), {"part": Part.CASE, "label": Label.BEFORE, "photos": [upload()]})
    assert response.status_code == 404
    assert not Attachment.objects.exists()


def test_removing_from_the_page(client, org, walk):
    case = walk.replied()
    attachment = attachment_add(
        owner_kind=OwnerKind.CASE,
        owner_id=case.pk,
        upload=upload(),
        actor=org.officer_a,
        label=Label.AFTER,
        part=Part.REPLY,
    )
    client.force_login(org.officer_b)
    assert client.post(reverse("attachment-remove", args=[attachment.pk])).status_code == 404
    client.force_login(org.officer_a)
    html = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert "删除（已签字将作废）" in html
    response = client.post(reverse("attachment-remove", args=[attachment.pk]))
    assert response.status_code == 302 and not Attachment.objects.exists()
