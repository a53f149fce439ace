"""Files are served only through the scoped view, with headers that keep a
browser from running them."""

import pytest
from django.urls import reverse

from attachments.models import Label, OwnerKind, Part
from attachments.services import attachment_add
from attachments.tests import files
from attachments.tests.helpers import upload


def add(case, actor, data=None, name="photo.jpg"):
    return attachment_add(
        owner_kind=OwnerKind.CASE,
        owner_id=case.pk,
        upload=upload(data, name),
        actor=actor,
        label=Label.AFTER,
        part=Part.CASE,
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_photo_is_served_inline_with_nosniff(client, org, walk):
    attachment = add(walk.responded(), org.officer_a, name="现场.jpg")
    client.force_login(org.secretary_a)
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")
    assert body(response) == attachment.file.open("rb").read()
    thumb = client.get(reverse("attachment-thumbnail", args=[attachment.pk]))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"


def test_a_document_is_downloaded_as_an_attachment(client, org, walk):
    attachment = add(walk.responded(), org.officer_a, files.pdf(), name="整改通知.pdf")
    client.force_login(org.leader)
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(reverse("attachment-thumbnail", args=[attachment.pk])).status_code == 404


@pytest.mark.parametrize("who", ["officer_b", "secretary_b", "chief_b", "display"])
def test_another_communitys_photo_is_not_found_by_guessing_its_id(client, org, walk, who):
    attachment = add(walk.responded(), org.officer_a)
    client.force_login(getattr(org, who))
    for name in ("attachment-download", "attachment-thumbnail"):
        assert client.get(reverse(name, args=[attachment.pk])).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(client, org, walk):
    attachment = add(walk.responded(), org.officer_a)
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
