"""Progress notes (办理进展): what the handler or the community did between
the contact with the caller and the reply, when, with optional photos. A
timeline-only step (Action.PROGRESS_NOTE in cases.transitions): the note is
the CaseEvent itself, and its photos are attachments of part "progress"."""

import datetime as dt
from collections.abc import Sequence
from typing import IO, Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from attachments.models import OwnerKind, Part
from attachments.services import attachment_add_many
from cases.models import TEXT_LIMITS, CaseEvent
from cases.services import case_lock_for_step, case_record_step
from cases.transitions import Action
from hotline.errors import InvalidInput

PROGRESS_NOTE_LIMIT = TEXT_LIMITS["note"]


def progress_note_add(
    *,
    case_id: int,
    actor: User,
    text: str,
    done_at: dt.datetime | None = None,
    uploads: Sequence[tuple[IO[Any], str]] = (),
    at: dt.datetime | None = None,
) -> CaseEvent:
    """Record a progress note (and its photos, each with its label): all of it, or nothing."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("请填写办理进展。", field="text")
    if len(text) > PROGRESS_NOTE_LIMIT:
        raise InvalidInput(
            f"办理进展不能超过{PROGRESS_NOTE_LIMIT}字（现为{len(text)}字），请精简后再提交。",
            code="too_long",
            field="text",
        )
    at = at or timezone.now()
    done_at = done_at or at
    if done_at > at + dt.timedelta(minutes=5):
        raise InvalidInput("办理时间不能晚于当前时间。", field="done_at")
    with transaction.atomic():
        case, _ = case_lock_for_step(case_id=case_id, action=Action.PROGRESS_NOTE, actor=actor)
        contacted = case.responded_at.replace(second=0, microsecond=0) if case.responded_at else None
        if contacted is not None and done_at < contacted:
            raise InvalidInput("办理时间不能早于联系来电人的时间。", field="done_at")
        event = case_record_step(
            case=case,
            action=Action.PROGRESS_NOTE,
            actor=actor,
            note=text,
            data={"done_at": done_at.isoformat(), "photos": len(uploads)},
            at=at,
        )
        if uploads:
            attachment_add_many(
                owner_kind=OwnerKind.CASE,
                owner_id=case.pk,
                uploads=uploads,
                actor=actor,
                part=Part.PROGRESS,
                event_id=event.pk,
                at=at,
            )
    return event
