"""The type of an upload comes from its content; what is stored is re-encoded."""

import io

import pytest
from PIL import Image

from attachments.content import DOCUMENT, IMAGE, sniff, upload_inspect
from attachments.tests import files
from hotline.errors import InvalidInput


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (files.jpeg, "image/jpeg"),
        (files.png, "image/png"),
        (files.webp, "image/webp"),
        (files.heic, "image/jpeg"),  # HEIC from phones is stored as JPEG: every browser shows it
    ],
)
def test_photos_are_accepted_reencoded_with_a_thumbnail(make, content_type):
    inspected = upload_inspect(data=make(), name="x.bin")
    assert (inspected.kind, inspected.content_type) == (IMAGE, content_type)
    assert Image.open(io.BytesIO(inspected.data)).get_format_mimetype() == content_type
    assert inspected.thumbnail is not None
    assert Image.open(io.BytesIO(inspected.thumbnail)).format == "JPEG"


def test_a_pdf_without_active_content_is_kept_as_it_is():
    data = files.pdf()
    inspected = upload_inspect(data=data, name="说明.pdf")
    assert (inspected.kind, inspected.content_type, inspected.data) == (DOCUMENT, "application/pdf", data)
    assert inspected.thumbnail is None


def test_exif_with_gps_is_dropped_and_the_orientation_applied():
    data = files.jpeg(40, 20, gps=True, orientation=6)
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the input has a position
    inspected = upload_inspect(data=data, name="IMG_0001.JPG")
    stored = Image.open(io.BytesIO(inspected.data))
    assert dict(stored.getexif()) == {}
    assert stored.size == (20, 40) == (inspected.width, inspected.height)  # turned as the phone held it


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (files.HTML, "unsupported_type"),  # named .jpg, HTML inside
        (files.SVG, "unsupported_type"),
        (b"", "empty_file"),
        (b"\xff\xd8\xff\xe0 not really a jpeg", "unreadable_image"),
        (b"%PDF-1.7\n garbage", "unreadable_pdf"),
    ],
)
def test_content_that_is_not_an_accepted_type_is_refused(data, code):
    with pytest.raises(InvalidInput) as refused:
        upload_inspect(data=data, name="photo.jpg")
    assert refused.value.code == code
    assert "photo.jpg" in refused.value.message


def test_a_pdf_with_javascript_is_refused():
    with pytest.raises(InvalidInput, match="含有脚本") as refused:
        upload_inspect(data=files.pdf(javascript=True), name="通知.pdf")
    assert refused.value.code == "active_pdf"


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    with pytest.raises(InvalidInput, match="像素过多") as refused:
        upload_inspect(data=files.png_bomb(), name="bomb.png")
    assert refused.value.code == "image_too_large"


def test_an_image_over_the_configured_pixels_is_refused(settings):
    settings.ATTACHMENT_MAX_PIXELS = 100
    with pytest.raises(InvalidInput, match="像素过多"):
        upload_inspect(data=files.png(11, 10), name="a.png")


def test_the_size_cap_comes_from_the_settings(settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    with pytest.raises(InvalidInput, match="超过单个文件大小上限") as refused:
        upload_inspect(data=files.jpeg(), name="big.jpg")
    assert refused.value.code == "file_too_large"


def test_sniff_reads_the_magic_bytes_not_the_name():
    assert sniff(files.jpeg()) == "jpeg"
    assert sniff(files.heic()) == "heif"
    assert sniff(files.SVG) is None
