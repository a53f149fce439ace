"""The demo street's field work (attachments and progress notes): progress
notes with photos on cases being handled, photos beside replies waiting for
their signatures, and a PDF on a case. Made through the real services, at the
seed's `now`, deterministic for a seed; the photos are drawn with Pillow."""

import datetime as dt
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from attachments.models import Label, OwnerKind, Part
from attachments.services import attachment_add, attachment_add_many
from cases.models import Case, Signature
from cases.progress import progress_note_add
from cases.services import case_sign_reply
from cases.transitions import Status
from cases.vocabulary import signed_sha256
from communities.models import Street

PROGRESS_TEXTS = (
    "已到现场查看，拍照留存，已通知物业公司安排维修。",
    "已电话联系物业经理，约定明日上午派人处理。",
    "已协调产权单位到场，正在处置，明日复查。",
    "已上门与来电人面谈，说明处理进度，来电人表示理解。",
)


def _photo(rng: random.Random, name: str) -> SimpleUploadedFile:
    """A small JPEG: a "wall" with a "stain", different for each draw."""
    image = Image.new("RGB", (640, 480), tuple(rng.randrange(150, 230) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    for _ in range(4):
        x, y = rng.randrange(0, 560), rng.randrange(0, 400)
        draw.ellipse((x, y, x + rng.randrange(40, 160), y + rng.randrange(30, 120)), fill=(90, 80, 70))
    draw.rectangle((0, 400, 640, 480), fill=(120, 120, 120))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _pdf() -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("物业整改通知书.pdf", out.getvalue(), content_type="application/pdf")


def demo_field_work(*, street: Street, now: dt.datetime, seed: int) -> int:
    """Add the field work; returns how many files it stored."""
    rng = random.Random(seed * 7919 + 12)
    cases = Case.objects.filter(community__street=street).select_related("handler").order_by("ticket_no")
    stored = 0
    for case in cases.filter(status=Status.RESPONDED)[:8]:
        count = rng.choice((1, 2, 2))
        assert case.handler is not None and case.responded_at is not None
        done_at = case.responded_at + (now - case.responded_at) * rng.uniform(0.3, 0.9)
        progress_note_add(
            case_id=case.pk,
            actor=case.handler,
            text=rng.choice(PROGRESS_TEXTS),
            done_at=done_at,
            uploads=[(_photo(rng, f"IMG_{rng.randrange(1000, 9999)}.jpg"), Label.BEFORE) for _ in range(count)],
            at=now,
        )
        stored += count
    # Replies waiting for signatures: photos of the work done, bound by the
    # signatures. A signature given before the photos came is voided by them,
    # and its signer signs the reply again, photos included.
    for case in cases.filter(status=Status.REPLIED).order_by("pk")[:5]:
        assert case.handler is not None
        signers = [s.signer for s in case.signatures.filter(document=Signature.Document.REPLY, voided_at__isnull=True)]
        attachment_add_many(
            owner_kind=OwnerKind.CASE,
            owner_id=case.pk,
            uploads=[(_photo(rng, "处置前.jpg"), Label.BEFORE), (_photo(rng, "处置后.jpg"), Label.AFTER)],
            actor=case.handler,
            part=Part.REPLY,
            at=now,
        )
        stored += 2
        for signer in signers:
            case.refresh_from_db()
            case_sign_reply(
                case_id=case.pk, actor=signer, expected_sha256=signed_sha256(case, Signature.Document.REPLY), at=now
            )
    document = cases.filter(status=Status.RESPONDED)[8:9].first()
    if document is not None and document.handler is not None:
        attachment_add(
            owner_kind=OwnerKind.CASE,
            owner_id=document.pk,
            upload=_pdf(),
            actor=document.handler,
            label=Label.OTHER,
            part=Part.CASE,
            at=now,
        )
        stored += 1
    return stored
