"""What an uploaded file is, decided by its content (never by its name), and
what is stored of it.

`upload_inspect(data=..., name=...)` reads the bytes: the magic bytes choose a
candidate type, then a real decode (Pillow for JPEG/PNG/WebP, pillow-heif for
HEIC, pypdf for PDF) must succeed. Images are re-encoded (EXIF — GPS included —
dropped, the orientation applied to the pixels) and get a thumbnail; PDFs are
kept as they are when they carry no active content (JavaScript, OpenAction,
Launch). Anything else (HTML, SVG, office files, archives…) is refused with a
clear Chinese message (`hotline.errors.InvalidInput`)."""

import hashlib
import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

from hotline.errors import InvalidInput

pillow_heif.register_heif_opener()

IMAGE = "image"
DOCUMENT = "document"

THUMBNAIL_SIZE = (320, 320)
ACCEPTED = "JPEG、PNG、WebP、HEIC 照片或 PDF 文件"

# The brands of an ISO base media file ("ftyp" box) that are HEIF/HEIC images.
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
# PDF names that make a document act when opened (or at all).
PDF_ACTIVE_NAMES = {"/JavaScript", "/JS", "/OpenAction", "/Launch", "/AA", "/EmbeddedFile", "/RichMedia"}
PDF_MAX_OBJECTS = 50_000


@dataclass(frozen=True)
class Inspected:
    """What is stored of an accepted upload."""

    kind: str  # IMAGE or DOCUMENT
    content_type: str
    extension: str  # of the stored file, from its content
    data: bytes
    sha256: str  # of `data`, the bytes stored and served
    thumbnail: bytes | None = None  # JPEG, images only
    width: int | None = None
    height: int | None = None


def sniff(data: bytes) -> str | None:
    """The candidate type from the magic bytes: jpeg, png, webp, heif, pdf or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "heif"
    if data[:1024].lstrip(b"\xef\xbb\xbf\r\n\t ").startswith(b"%PDF-"):
        return "pdf"
    return None


def upload_inspect(*, data: bytes, name: str = "") -> Inspected:
    """The stored form of an upload, or InvalidInput saying why it is refused."""
    label = f"“{name}”" if name else "文件"
    if not data:
        raise InvalidInput(f"{label}是空文件（0 字节），请重新选择。", code="empty_file", field="file")
    limit = settings.ATTACHMENT_MAX_BYTES
    if len(data) > limit:
        raise InvalidInput(
            f"{label}超过单个文件大小上限 {limit // (1024 * 1024)} MB。", code="file_too_large", field="file"
        )
    kind = sniff(data)
    if kind is None:
        raise InvalidInput(
            f"{label}的内容不是可接受的类型（只接受 {ACCEPTED}；按文件内容判断，不看扩展名）。",
            code="unsupported_type",
            field="file",
        )
    if kind == "pdf":
        return _pdf(data, label)
    return _image(data, kind, label)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _image(data: bytes, kind: str, label: str) -> Inspected:
    broken = InvalidInput(f"{label}无法作为图片读取（文件损坏或类型不符）。", code="unreadable_image", field="file")
    bomb = InvalidInput(
        f"{label}的像素过多（超过 {settings.ATTACHMENT_MAX_PIXELS // 1_000_000} 百万像素），拒绝处理。",
        code="image_too_large",
        field="file",
    )
    formats = {"jpeg": ["JPEG"], "png": ["PNG"], "webp": ["WEBP"], "heif": ["HEIF", "AVIF"]}[kind]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data), formats=formats)
            width, height = opened.size
            if width * height > settings.ATTACHMENT_MAX_PIXELS:
                raise bomb
            opened.load()
            image: Image.Image = ImageOps.exif_transpose(opened)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise bomb from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
        raise broken from None
    # Re-encoded from the pixels alone: no EXIF (GPS, device), no XMP, no comments.
    keep_alpha = kind == "png" or (kind == "webp" and image.mode in ("RGBA", "LA", "P"))
    out = io.BytesIO()
    if kind == "png":
        image = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
        image.save(out, format="PNG", optimize=True)
        content_type, extension = "image/png", "png"
    elif kind == "webp":
        image = image.convert("RGBA" if keep_alpha else "RGB")
        image.save(out, format="WEBP", quality=85)
        content_type, extension = "image/webp", "webp"
    else:  # JPEG, and HEIC turned into JPEG so every browser shows it
        image = image.convert("RGB")
        image.save(out, format="JPEG", quality=85, optimize=True)
        content_type, extension = "image/jpeg", "jpg"
    thumb = image.convert("RGB")
    thumb.thumbnail(THUMBNAIL_SIZE)
    thumb_out = io.BytesIO()
    thumb.save(thumb_out, format="JPEG", quality=80)
    stored = out.getvalue()
    return Inspected(
        kind=IMAGE,
        content_type=content_type,
        extension=extension,
        data=stored,
        sha256=_digest(stored),
        thumbnail=thumb_out.getvalue(),
        width=image.width,
        height=image.height,
    )


def _pdf(data: bytes, label: str) -> Inspected:
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise InvalidInput(f"{label}是加密的 PDF，请上传未加密的文件。", code="encrypted_pdf", field="file")
        if len(reader.pages) < 1:
            raise InvalidInput(f"{label}没有页面。", code="unreadable_pdf", field="file")
        active = _pdf_active_name(reader)
    except InvalidInput:
        raise
    except Exception:  # pypdf raises many kinds of errors on a broken file
        raise InvalidInput(f"{label}无法作为 PDF 读取（文件损坏）。", code="unreadable_pdf", field="file") from None
    if active:
        raise InvalidInput(
            f"{label}含有脚本或自动动作（{active}），出于安全原因拒绝上传。", code="active_pdf", field="file"
        )
    return Inspected(kind=DOCUMENT, content_type="application/pdf", extension="pdf", data=data, sha256=_digest(data))


def _pdf_active_name(reader: PdfReader) -> str | None:
    """The first active-content name found walking every object reachable from
    the trailer (names are compared decoded, so #xx escapes do not hide them)."""
    seen: set[tuple[int, int]] = set()
    stack: list[object] = [reader.trailer]
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise PdfReadError("too many objects")
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            stack.append(obj.get_object())
        elif isinstance(obj, DictionaryObject):
            for name, value in obj.items():
                if str(name) in PDF_ACTIVE_NAMES:
                    return str(name)
                if name == "/S" and isinstance(value, NameObject) and str(value) in PDF_ACTIVE_NAMES:
                    return str(value)
                if name not in ("/Parent", "/P"):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return None
