"""Adding and removing attachments — the stable API other apps call.

    attachment_add(*, owner_kind, owner_id, upload, actor, label="other",
                   part="", event_id=None, at=None) -> Attachment
    attachment_add_many(*, owner_kind, owner_id, uploads, actor, part="",
                        event_id=None, at=None) -> list[Attachment]
    attachment_remove(*, attachment_id, actor, at=None) -> None
    attachment_add_checked_to_case(*, case, files, actor, label, at) -> list[Attachment]
    attachment_files_cleanup() / attachment_file_store(*, names, prefix, inspected)
    attachment_upload_read(upload) -> (bytes, name)
    attachment_row_store(*, names, owner_kind, owner_fields, prefix, inspected, name, label, actor, at)

`upload` is a Django UploadedFile (or any file object with `.name` and
`.read()`); `uploads` a sequence of (upload, label) pairs. The content is
checked and re-encoded (attachments.content) before anything is written; then,
in one transaction, the owner row is locked and its hooks
(attachments.owners) check the actor's right, the per-owner cap is applied,
the files are stored, the row is written and the change recorded (for a case:
its timeline, and the signatures on the reply or explanation voided). A
refused or failed upload leaves nothing: no row, no stored file.

Files checked elsewhere with `upload_inspect` (a resident's slip photos) are
stored with `attachment_file_store` inside `attachment_files_cleanup`, and
become a case's own material with `attachment_add_checked_to_case`; an owner
that writes its files with a record of its own (a project's progress note)
reads them with `attachment_upload_read` and writes each row with
`attachment_row_store`."""

import datetime as dt
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from attachments.content import Inspected, upload_inspect
from attachments.models import Attachment, Label, OwnerKind, Part, attachment_storage
from attachments.owners import OWNERS, owner_hooks
from cases.models import Case
from hotline.errors import InvalidInput, NotFound

NAME_LIMIT = 255


def _clean_name(name: str) -> str:
    """The file's own name, without any path, control characters trimmed."""
    base = PurePath((name or "").replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-NAME_LIMIT:]


def attachment_upload_read(upload: IO[Any]) -> tuple[bytes, str]:
    """An uploaded file's bytes (at most one byte over the cap, for the check to
    refuse) and its cleaned name; refused at once when its size is known to be over."""
    name = _clean_name(getattr(upload, "name", "") or "")
    size = getattr(upload, "size", None)
    if size is not None and size > settings.ATTACHMENT_MAX_BYTES:
        limit = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
        raise InvalidInput(f"“{name}”超过单个文件大小上限 {limit} MB。", code="file_too_large", field="file")
    data = upload.read(settings.ATTACHMENT_MAX_BYTES + 1)
    return (data if isinstance(data, bytes) else data.encode()), name


@contextmanager
def attachment_files_cleanup() -> Iterator[list[str]]:
    """The names stored inside the block are deleted again if it fails."""
    names: list[str] = []
    try:
        yield names
    except BaseException:
        storage = attachment_storage()
        for name in names:
            storage.delete(name)
        raise


def attachment_file_store(*, names: list[str], prefix: str, inspected: Inspected) -> tuple[str, str]:
    """Store a checked file and its thumbnail under `prefix`; their names are
    appended to `names` (of `attachment_files_cleanup`)."""
    storage = attachment_storage()
    stem = f"{prefix}/{uuid.uuid4().hex}"
    file_name = storage.save(f"{stem}.{inspected.extension}", ContentFile(inspected.data))
    names.append(file_name)
    thumb_name = ""
    if inspected.thumbnail is not None:
        thumb_name = storage.save(f"{stem}-thumb.jpg", ContentFile(inspected.thumbnail))
        names.append(thumb_name)
    return file_name, thumb_name


def attachment_row_store(
    *,
    names: list[str],
    owner_kind: str,
    owner_fields: dict[str, Any],
    prefix: str,
    inspected: Inspected,
    name: str,
    label: str,
    actor: User,
    at: dt.datetime,
) -> Attachment:
    """Store a checked file and write its row (in the caller's transaction and cleanup)."""
    file_name, thumb_name = attachment_file_store(names=names, prefix=prefix, inspected=inspected)
    return Attachment.objects.create(
        owner_kind=owner_kind,
        **owner_fields,
        label=label,
        kind=inspected.kind,
        content_type=inspected.content_type,
        original_name=name,
        size=len(inspected.data),
        sha256=inspected.sha256,
        width=inspected.width,
        height=inspected.height,
        file=file_name,
        thumbnail=thumb_name,
        uploaded_by=actor,
        uploaded_at=at,
    )


def attachment_add_many(
    *,
    owner_kind: str,
    owner_id: int,
    uploads: Sequence[tuple[IO[Any], str]],
    actor: User,
    part: str = "",
    event_id: int | None = None,
    at: dt.datetime | None = None,
) -> list[Attachment]:
    """Add several files at once: all of them, or none."""
    hooks = owner_hooks(owner_kind)
    for _, label in uploads:
        if label not in Label.values:
            raise InvalidInput("请选择附件标注（处置前/处置中/处置后/其他）。", field="label")
    inspected = []
    for upload, label in uploads:
        data, name = attachment_upload_read(upload)
        inspected.append((upload_inspect(data=data, name=name), name, label))
    at = at or timezone.now()
    added: list[Attachment] = []
    with attachment_files_cleanup() as names, transaction.atomic():
        owner = hooks.lock(owner_id=owner_id, actor=actor, part=part, event_id=event_id, adding=True)
        cap = settings.ATTACHMENT_MAX_PER_CASE
        if hooks.count(owner) + len(inspected) > cap:
            raise InvalidInput(f"每个{owner._meta.verbose_name}最多 {cap} 个附件，已达上限。", code="too_many_files")
        for item, name, label in inspected:
            attachment = attachment_row_store(
                names=names,
                owner_kind=owner_kind,
                owner_fields=hooks.owner_fields(owner, part=part, event_id=event_id),
                prefix=f"{owner_kind}/{owner.pk}",
                inspected=item,
                name=name,
                label=label,
                actor=actor,
                at=at,
            )
            hooks.changed(owner, attachment=attachment, added=True, actor=actor, at=at)
            added.append(attachment)
    return added


def attachment_add(
    *,
    owner_kind: str,
    owner_id: int,
    upload: IO[Any],
    actor: User,
    label: str = Label.OTHER,
    part: str = "",
    event_id: int | None = None,
    at: dt.datetime | None = None,
) -> Attachment:
    """Add one file to an owner (see the module docstring)."""
    (attachment,) = attachment_add_many(
        owner_kind=owner_kind,
        owner_id=owner_id,
        uploads=[(upload, label)],
        actor=actor,
        part=part,
        event_id=event_id,
        at=at,
    )
    return attachment


def attachment_add_checked_to_case(
    *,
    case: Case,
    files: Sequence[tuple[Inspected, str]],
    actor: User,
    label: str,
    at: dt.datetime,
) -> list[Attachment]:
    """Files already checked and re-encoded (pairs of the inspection and the
    original name) become the case's own material, with files of their own, in
    the caller's transaction on the locked case row: a slip's photos when a
    clerk turns it into a case. The step that brings them names them on the
    timeline; no signature binds the case's own material."""
    with attachment_files_cleanup() as names:
        return [
            attachment_row_store(
                names=names,
                owner_kind=OwnerKind.CASE,
                owner_fields={"case": case, "part": Part.CASE},
                prefix=f"{OwnerKind.CASE}/{case.pk}",
                inspected=item,
                name=name,
                label=label,
                actor=actor,
                at=at,
            )
            for item, name in files
        ]


def attachment_remove(*, attachment_id: int, actor: User, at: dt.datetime | None = None) -> None:
    """Remove a file; the owner's hooks check the right and record it. The
    stored files are deleted after the commit (attachments.signals)."""
    at = at or timezone.now()
    with transaction.atomic():
        found = Attachment.objects.filter(pk=attachment_id).first()
        if found is None or found.owner_kind not in OWNERS:
            raise NotFound("附件不存在。")
        hooks = OWNERS[found.owner_kind]
        # The owner first, then the attachment (the lock order).
        owner = hooks.lock(
            owner_id=hooks.owner_pk(found), actor=actor, part=found.part, event_id=found.event_id, adding=False
        )
        attachment = Attachment.objects.select_for_update().filter(pk=attachment_id).first()
        if attachment is None:
            raise NotFound("附件不存在。")
        attachment.delete()
        attachment.pk = attachment_id
        hooks.changed(owner, attachment=attachment, added=False, actor=actor, at=at)
