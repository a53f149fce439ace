"""Every write to a 急难愁盼 slip: a resident sends one from the public page,
a clerk types one in from paper, a clerk turns one into a case or closes it,
and writes the public summary the resident's status page shows at the end.
Each step locks the slip row, checks the table in `slips_transitions`, saves
with update_fields — in one transaction."""

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Sequence
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from attachments.content import Inspected, upload_inspect
from attachments.models import Kind, Label
from attachments.services import attachment_add_checked_to_case, attachment_file_store, attachment_files_cleanup
from cases import services as case_services
from cases.models import TEXT_LIMITS, Channel, Urgency
from cases.transitions import TRANSITIONS, Action
from communities.models import Community, Role
from communities.selectors import person_for_user
from governance.models import SLIP_TEXT_LIMITS, Slip, SlipCloseReason, SlipPhoto, SlipSource
from governance.slips_transitions import SlipAction, SlipStatus, slip_next_status
from hotline.errors import Conflict, DomainError, InvalidInput, NotAllowed, NotFound
from hotline.text import text_clean

# Receipt codes: no 0/O, 1/I/L — read aloud and typed from paper without doubt.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
# 31^12 ≈ 7.9 × 10^17 codes: with the look-up rate-limited, not to be guessed.
RECEIPT_LENGTH = 12
RATE_WINDOW = dt.timedelta(hours=1)
_PHONE = re.compile(r"^\+?[0-9]{7,15}$")


class RateLimited(DomainError):
    status_code = 429
    code = "rate_limited"


# ---------------------------------------------------------------- input


def _text(value: str | None, *, label: str, field: str, required: bool = False) -> str:
    return text_clean(value, label=label, field=field, limit=SLIP_TEXT_LIMITS[field], required=required)


def slip_phone_normalize(phone: str | None) -> str:
    """Digits (and a leading +) only; refused unless 7 to 15 digits."""
    value = re.sub(r"[\s\-()（）]", "", phone or "")
    if value and not _PHONE.match(value):
        raise InvalidInput("电话号码格式不正确，请填写7至15位数字。", field="phone")
    return value


def receipt_code_normalize(code: str | None) -> str:
    """What a resident types, as stored: upper case, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", code or "").upper()


def _receipt_code() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
        if not Slip.objects.filter(receipt_code=code).exists():
            return code


def _community(community_id: int) -> Community:
    community = Community.objects.filter(pk=community_id, is_active=True).first()
    if community is None:
        raise NotFound("社区不存在。")
    return community


def _slip(
    *,
    community_id: int,
    source: str,
    problem: str,
    compound: str,
    building: str,
    name: str,
    phone: str,
    consent: bool,
    at: dt.datetime,
    client_address: str | None = None,
    created_by: User | None = None,
) -> Slip:
    community = _community(community_id)
    problem = _text(problem, label="反映的问题", field="problem", required=True)
    compound = _text(compound, label="小区", field="compound")
    building = _text(building, label="楼号/位置", field="building")
    name = _text(name, label="称呼", field="name")
    phone = slip_phone_normalize(_text(phone, label="电话", field="phone"))
    if (name or phone) and not consent:
        raise InvalidInput("留下称呼或电话时，请勾选同意街道用于联系您。", field="consent")
    return Slip.objects.create(
        community=community,
        source=source,
        receipt_code=_receipt_code(),
        problem=problem,
        compound=compound,
        building=building,
        name=name,
        phone=phone,
        consent=bool(consent) and bool(name or phone),
        client_address=client_address,
        created_at=at,
        created_by=created_by,
    )


# ---------------------------------------------------------------- photos

SLIP_PHOTO_LIMIT = 3


def slip_photos_inspect(uploads: Sequence[IO[Any]]) -> list[tuple[Inspected, str]]:
    """Each photo checked by its content and re-encoded (EXIF stripped) by
    attachments.content, before anything is written: at most three, each at
    most SLIP_PHOTO_MAX_MB, and images only."""
    if len(uploads) > SLIP_PHOTO_LIMIT:
        raise InvalidInput(f"最多上传{SLIP_PHOTO_LIMIT}张照片。", code="too_many_files", field="photos")
    limit = settings.SLIP_PHOTO_MAX_BYTES
    inspected = []
    for upload in uploads:
        name = re.split(r"[\\/]", getattr(upload, "name", "") or "")[-1][-255:]
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise InvalidInput(
                f"照片“{name}”超过{limit // (1024 * 1024)} MB，请压缩后再传。", code="file_too_large", field="photos"
            )
        not_a_photo = InvalidInput(
            f"“{name}”不是照片：只接受 JPEG、PNG、WebP、HEIC 照片（按文件内容判断，不看扩展名）。",
            code="unsupported_type",
            field="photos",
        )
        try:
            item = upload_inspect(data=data, name=name)
        except InvalidInput as error:
            if error.code == "unsupported_type":
                raise not_a_photo from None
            raise InvalidInput(error.message, code=error.code, field="photos") from None
        if item.kind != Kind.IMAGE:
            raise not_a_photo
        inspected.append((item, name))
    return inspected


def _store_photos(slip: Slip, photos: list[tuple[Inspected, str]]) -> None:
    """Store the photos in the slip's transaction; the files go again if it fails."""
    with attachment_files_cleanup() as names:
        for item, name in photos:
            file_name, thumb = attachment_file_store(names=names, prefix=f"slip/{slip.pk}", inspected=item)
            SlipPhoto.objects.create(
                slip=slip,
                file=file_name,
                thumbnail=thumb,
                content_type=item.content_type,
                original_name=name,
                size=len(item.data),
                sha256=item.sha256,
                width=item.width,
                height=item.height,
            )


# ---------------------------------------------------------------- the public page


def slip_rate_check(*, client_address: str | None, at: dt.datetime | None = None) -> None:
    """Refuse a slip when this address sent SLIP_RATE_PER_HOUR in the last hour
    (counted in the database: every web process sees the same count)."""
    limit = settings.SLIP_RATE_PER_HOUR
    if client_address is None or limit <= 0:
        return
    since = (at or timezone.now()) - RATE_WINDOW
    sent = Slip.objects.filter(client_address=client_address, created_at__gt=since).count()
    if sent >= limit:
        raise RateLimited(f"提交过于频繁：同一网络每小时最多提交{limit}条，请稍后再试。")


@transaction.atomic
def slip_submit(
    *,
    community_id: int,
    problem: str,
    compound: str = "",
    building: str = "",
    name: str = "",
    phone: str = "",
    consent: bool = False,
    honeypot: str = "",
    photos: Sequence[IO[Any]] = (),
    client_address: str | None = None,
    at: dt.datetime | None = None,
) -> Slip:
    """A resident's slip from the public page (no login). The honeypot is a
    field people never see: a filled one is a robot, refused and not stored."""
    at = at or timezone.now()
    if honeypot:
        raise InvalidInput("提交未被接受。", code="rejected")
    slip_rate_check(client_address=client_address, at=at)
    inspected = slip_photos_inspect(photos)
    slip = _slip(
        community_id=community_id,
        source=SlipSource.WEB,
        problem=problem,
        compound=compound,
        building=building,
        name=name,
        phone=phone,
        consent=consent,
        at=at,
        client_address=client_address,
    )
    _store_photos(slip, inspected)
    return slip


# ---------------------------------------------------------------- the lead queue

QUEUE_ROLES = frozenset({Role.CLERK, Role.LEADER})
# Who takes the queue's steps: whoever registers cases (the clerk).
HANDLING_ROLES = frozenset(TRANSITIONS[Action.REGISTER].roles)


def _handler(actor: User) -> None:
    person = person_for_user(actor)
    if person is None or person.role not in HANDLING_ROLES:
        raise NotAllowed("只有办件员可以处理线索。")


@transaction.atomic
def slip_enter_paper(
    *,
    actor: User,
    community_id: int,
    problem: str,
    compound: str = "",
    building: str = "",
    name: str = "",
    phone: str = "",
    consent: bool = False,
    at: dt.datetime | None = None,
) -> Slip:
    """A paper slip typed in by a clerk: it joins the same queue."""
    _handler(actor)
    return _slip(
        community_id=community_id,
        source=SlipSource.PAPER,
        problem=problem,
        compound=compound,
        building=building,
        name=name,
        phone=phone,
        consent=consent,
        at=at or timezone.now(),
        created_by=actor,
    )


def _lock(slip_id: int) -> Slip:
    slip = Slip.objects.select_for_update().filter(pk=slip_id).first()
    if slip is None:
        raise NotFound("线索不存在。")
    return slip


def _step(slip: Slip, action: str) -> str:
    target = slip_next_status(slip.status, action)
    if target is None:
        raise Conflict(f"该线索已{slip.get_status_display()}，不能再{SlipAction(action).label}。")
    return target


def slip_case_title(problem: str) -> str:
    """A case title from the slip's text: its first line, shortened."""
    first = problem.strip().splitlines()[0] if problem.strip() else ""
    limit = 30
    return first if len(first) <= limit else first[: limit - 1] + "…"


@transaction.atomic
def slip_convert(
    *,
    slip_id: int,
    actor: User,
    title: str = "",
    category: str = "",
    urgency: str = Urgency.GENERAL,
    tags: Iterable[str] = (),
    ticket_no: str = "",
    at: dt.datetime | None = None,
) -> Slip:
    """Turn a slip into a case through the case registration service: channel
    急难愁盼 (web or paper), the resident's contact as caller, the slip's
    community as the reported one; the register event names the slip. An
    empty `ticket_no` gets the street's own number."""
    at = at or timezone.now()
    _handler(actor)
    slip = _lock(slip_id)
    target = _step(slip, SlipAction.CONVERT)
    address = f"{slip.compound}{slip.building}"[: TEXT_LIMITS["address"]]
    (case,) = case_services.case_register_many(
        actor=actor,
        at=at,
        event_data={"slip_id": slip.pk, "slip_source": slip.source, "photos": slip.photos.count()},
        orders=[
            {
                "title": (title or "").strip() or slip_case_title(slip.problem),
                "content": slip.problem,
                "ticket_no": ticket_no,
                "received_at": min(slip.created_at, at),
                "channel": Channel.PAPER_SLIP if slip.source == SlipSource.PAPER else Channel.WEB_FORM,
                "caller_name": slip.name,
                "caller_phone": slip.phone,
                "address": address,
                "compound": slip.compound,
                "reported_community": slip.community,
                "category": category,
                "urgency": urgency,
                "tags": tags,
            }
        ],
    )
    slip.status, slip.case, slip.handled_by, slip.handled_at = target, case, actor, at
    slip.save(update_fields=["status", "case", "handled_by", "handled_at"])
    _photos_to_case(slip, case, actor=actor, at=at)
    return slip


def _photos_to_case(slip: Slip, case, *, actor: User, at: dt.datetime) -> None:
    """The slip's photos become the new case's own material (处置前), with
    files of their own (the slip keeps its copies). They were checked and
    re-encoded when the slip came in; the register event names how many came
    along."""
    files = []
    for photo in slip.photos.all():
        with photo.file.open("rb") as source:
            data = source.read()
        thumbnail = None
        if photo.thumbnail:
            with photo.thumbnail.open("rb") as source:
                thumbnail = source.read()
        inspected = Inspected(
            kind=Kind.IMAGE,
            content_type=photo.content_type,
            extension=(photo.file.name or "").rsplit(".", 1)[-1],
            data=data,
            sha256=photo.sha256,
            thumbnail=thumbnail,
            width=photo.width,
            height=photo.height,
        )
        files.append((inspected, photo.original_name))
    attachment_add_checked_to_case(case=case, files=files, actor=actor, label=Label.BEFORE, at=at)


@transaction.atomic
def slip_close(*, slip_id: int, actor: User, reason: str, note: str = "", at: dt.datetime | None = None) -> Slip:
    """Close a slip without a case, with a reason from the list."""
    _handler(actor)
    if reason not in SlipCloseReason.values:
        raise InvalidInput("请选择关闭原因。", field="reason")
    note = _text(note, label="说明", field="note", required=reason == SlipCloseReason.OTHER)
    slip = _lock(slip_id)
    target = _step(slip, SlipAction.CLOSE)
    slip.status, slip.close_reason, slip.close_note = target, reason, note
    slip.handled_by, slip.handled_at = actor, at or timezone.now()
    slip.save(update_fields=["status", "close_reason", "close_note", "handled_by", "handled_at"])
    return slip


@transaction.atomic
def slip_publish_summary(*, slip_id: int, actor: User, text: str) -> Slip:
    """The public summary of the outcome the resident's status page shows once
    the slip's case is done (the clerk writes it for the public)."""
    _handler(actor)
    text = _text(text, label="公开答复摘要", field="public_summary", required=True)
    slip = _lock(slip_id)
    if slip.status != SlipStatus.CONVERTED:
        raise Conflict("只有已转为案件的线索可以填写公开答复摘要。")
    slip.public_summary = text
    slip.save(update_fields=["public_summary"])
    return slip
