"""A slip's photos: checked by content, re-encoded without EXIF, at most three,
size-capped, images only; served to the queue only; copied onto the case."""

import io
import shutil

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from attachments.models import Attachment, Label, Part, attachment_storage
from attachments.tests import files
from attachments.tests.helpers import stored_names
from governance import slips
from governance.models import Slip, SlipPhoto
from hotline.errors import InvalidInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_attachment_storage():
    shutil.rmtree(settings.ATTACHMENTS_DIR, ignore_errors=True)
    yield


def photo(data: bytes | None = None, name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, files.jpeg(gps=True) if data is None else data)


def submit(org, photos):
    return slips.slip_submit(community_id=org.a.pk, problem="井盖缺失", photos=photos)


def test_photos_are_re_encoded_without_exif_and_kept_off_public_urls(org):
    slip = submit(org, [photo(), photo(files.png(), "b.png")])
    stored = list(slip.photos.all())
    assert len(stored) == 2 and all(p.thumbnail for p in stored)
    with stored[0].file.open("rb") as file:
        image = Image.open(io.BytesIO(file.read()))
        assert not image.getexif()
    assert not stored[0].file.name.startswith(settings.MEDIA_URL)


@pytest.mark.parametrize(
    ("uploads", "code"),
    [
        (lambda: [photo(files.HTML, "a.jpg")], "unsupported_type"),
        (lambda: [photo(files.SVG, "a.svg")], "unsupported_type"),
        (lambda: [photo(files.pdf(), "a.pdf")], "unsupported_type"),
        (lambda: [photo(b"\xff\xd8\xff" + b"0" * 100, "broken.jpg")], "unreadable_image"),
        (lambda: [photo() for _ in range(4)], "too_many_files"),
    ],
)
def test_what_is_not_a_photo_or_too_many_is_refused_and_nothing_kept(org, uploads, code):
    with pytest.raises(InvalidInput) as error:
        submit(org, uploads())
    assert error.value.code == code and error.value.field == "photos"
    assert not Slip.objects.exists() and not SlipPhoto.objects.exists()
    assert not stored_names(attachment_storage())


def test_a_photo_over_the_size_limit_is_refused(org, settings):
    settings.SLIP_PHOTO_MAX_BYTES = 1000
    with pytest.raises(InvalidInput) as error:
        submit(org, [photo(files.jpeg(400, 400))])
    assert error.value.code == "file_too_large" and not Slip.objects.exists()


def test_converting_copies_the_photos_onto_the_case(org):
    slip = submit(org, [photo()])
    slip = slips.slip_convert(slip_id=slip.pk, actor=org.clerk)
    attachment = Attachment.objects.get(case=slip.case)
    assert (attachment.part, attachment.label, attachment.uploaded_by) == (Part.CASE, Label.BEFORE, org.clerk)
    assert attachment.sha256 == slip.photos.get().sha256 and attachment.file.name != slip.photos.get().file.name
    assert slip.case.events.get(action="register").data["photos"] == 1


def test_photos_are_served_to_the_queue_only(client, org):
    slip = submit(org, [photo()])
    stored = slip.photos.get()
    url = f"/slips/{slip.pk}/photos/{stored.pk}/"
    assert client.get(url).status_code == 302  # no public URL
    client.force_login(org.officer_a)
    assert client.get(url).status_code == 403
    client.force_login(org.clerk)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"{url}thumbnail/").status_code == 200
    assert client.get(f"/slips/{slip.pk}/photos/{stored.pk + 99}/").status_code == 404
    assert f"/slips/{slip.pk}/photos/{stored.pk}/thumbnail/" in client.get(f"/slips/{slip.pk}/").content.decode()


def test_the_page_and_the_api_refuse_a_file_that_is_not_a_photo(client, org):
    response = client.post(
        f"/slip/{org.a.pk}/", {"problem": "井盖缺失", "photos": [photo(files.HTML, "x.jpg")], "website": ""}
    )
    assert response.status_code == 400 and "只接受" in response.content.decode()
    api = APIClient()
    response = api.post(
        "/api/public/slips/",
        {"community": org.a.pk, "problem": "井盖缺失", "photos": [photo(files.HTML, "x.jpg")]},
        format="multipart",
    )
    assert response.status_code == 400 and response.json()["code"] == "unsupported_type"
    ok = api.post(
        "/api/public/slips/", {"community": org.a.pk, "problem": "井盖缺失", "photos": [photo()]}, format="multipart"
    )
    assert ok.status_code == 201 and SlipPhoto.objects.count() == 1
