"""The kinds of owner an attachment can have, each with its hooks: who sees
its files (scoping), and what adding or removing a file means for it (the
lock, the permission, the timeline). A new kind (slip, project, meeting) adds
an `OwnerKind` value, a nullable foreign key on `Attachment`, and an entry in
OWNERS built like CASE_OWNER."""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Model, Q

from attachments.models import Attachment, OwnerKind, Part
from cases.models import CaseEvent, Signature
from cases.selectors import case_scope_for_user
from cases.transitions import Action
from hotline.errors import InvalidInput, NotFound


class OwnerHooks(Protocol):
    def visible_q(self, user: AbstractBaseUser | AnonymousUser) -> Q:
        """The attachments of this kind the user may see (a filter on Attachment)."""
        ...

    def lock(self, *, owner_id: int, actor: User, part: str, event_id: int | None, adding: bool) -> Model:
        """Inside the step's transaction: the owner row locked, the actor's right
        to add (or remove) a file of `part` checked; raises a DomainError."""
        ...

    def owner_fields(self, owner: Model, *, part: str, event_id: int | None) -> dict:
        """The Attachment fields naming the owner."""
        ...

    def owner_pk(self, attachment: Attachment) -> int:
        """The id of the attachment's owner row."""
        ...

    def count(self, owner: Model) -> int:
        """The files the owner holds now (for the per-owner cap)."""
        ...

    def changed(self, owner: Model, *, attachment: Attachment, added: bool, actor: User, at: dt.datetime) -> None:
        """Record the change (timeline event, voided signatures…) in the same transaction."""
        ...


# Adding a file to these parts is also a step of that document, and changes
# what its signatures bind (cases.vocabulary.signed_text).
PART_ACTION = {Part.REPLY: Action.REPLY, Part.EXPLANATION: Action.WRITE_EXPLANATION}
PART_DOCUMENT = {Part.REPLY: Signature.Document.REPLY, Part.EXPLANATION: Signature.Document.EXPLANATION}


@dataclass(frozen=True)
class CaseOwner:
    def visible_q(self, user: AbstractBaseUser | AnonymousUser) -> Q:
        return Q(case__in=case_scope_for_user(user))

    def lock(self, *, owner_id: int, actor: User, part: str, event_id: int | None, adding: bool) -> Model:
        from cases.services import case_check_step, case_lock_for_step

        if part not in Part.values:
            raise InvalidInput("请选择附件所属部分。", field="part")
        case, person = case_lock_for_step(
            case_id=owner_id, action=Action.ATTACH if adding else Action.DETACH, actor=actor
        )
        if part in PART_ACTION:
            case_check_step(case=case, action=PART_ACTION[Part(part)], person=person)
        if part == Part.PROGRESS:
            notes = CaseEvent.objects.filter(case=case, action=Action.PROGRESS_NOTE)
            if event_id is None or not notes.filter(pk=event_id).exists():
                raise NotFound("该办理进展不存在。")
        return case

    def owner_fields(self, owner: Model, *, part: str, event_id: int | None) -> dict:
        return {"case": owner, "part": part, "event_id": event_id if part == Part.PROGRESS else None}

    def owner_pk(self, attachment: Attachment) -> int:
        assert attachment.case_id is not None
        return attachment.case_id

    def count(self, owner: Model) -> int:
        return Attachment.objects.filter(case_id=owner.pk).count()

    def changed(self, owner: Model, *, attachment: Attachment, added: bool, actor: User, at: dt.datetime) -> None:
        from cases.models import Case
        from cases.services import case_record_step, case_signatures_void

        assert isinstance(owner, Case)
        voided = 0
        document = PART_DOCUMENT.get(Part(attachment.part)) if attachment.part else None
        if document is not None:
            reason = f"{Part(attachment.part).label}附件已{'添加' if added else '删除'}"
            voided = case_signatures_void(case=owner, document=document, reason=reason, at=at)
        case_record_step(
            case=owner,
            action=Action.ATTACH if added else Action.DETACH,
            actor=actor,
            note=attachment.original_name,
            data={
                "attachment_id": attachment.pk,
                "part": attachment.part,
                "part_label": Part(attachment.part).label if attachment.part else "",
                "label": attachment.get_label_display(),
                "kind": attachment.kind,
                "sha256": attachment.sha256,
                "voided_signatures": voided,
            },
            at=at,
        )


CASE_OWNER = CaseOwner()

OWNERS: dict[str, OwnerHooks] = {OwnerKind.CASE: CASE_OWNER}


def owner_hooks(kind: str) -> OwnerHooks:
    try:
        return OWNERS[kind]
    except KeyError:
        raise InvalidInput("附件的所属对象无效。", field="owner_kind") from None


def owner_visible_q(user: AbstractBaseUser | AnonymousUser) -> Q:
    """Every attachment the user may see, whatever its owner."""
    q = Q(pk__in=[])
    for kind, hooks in OWNERS.items():
        q |= Q(owner_kind=kind) & hooks.visible_q(user)
    return q
