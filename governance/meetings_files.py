"""The files of a 吹哨 meeting (attachments owner kind MEETING): who sees them
(the meeting's scoping), who adds or removes them (`meeting_may`), and the
record of the change. Registered with the attachments app when governance loads."""

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Model, Q

from attachments.models import Attachment
from governance.events import governance_event_record
from governance.models import Meeting
from governance.scoping import meeting_scope_for_user
from hotline.errors import NotFound


@dataclass(frozen=True)
class MeetingOwner:
    def visible_q(self, user: AbstractBaseUser | AnonymousUser) -> Q:
        return Q(meeting__in=meeting_scope_for_user(user))

    def lock(self, *, owner_id: int, actor: User, part: str, event_id: int | None, adding: bool) -> Model:
        from governance.meetings import ATTACH, meeting_check  # the services use the attachments app

        if not meeting_scope_for_user(actor).filter(pk=owner_id).exists():
            raise NotFound("会议不存在，或不在您的查看范围内。")
        meeting = Meeting.objects.select_for_update(of=("self",)).get(pk=owner_id)
        meeting_check(actor, meeting, ATTACH)
        return meeting

    def owner_fields(self, owner: Model, *, part: str, event_id: int | None) -> dict:
        return {"meeting": owner}

    def owner_pk(self, attachment: Attachment) -> int:
        assert attachment.meeting_id is not None
        return attachment.meeting_id

    def count(self, owner: Model) -> int:
        return Attachment.objects.filter(meeting_id=owner.pk).count()

    def changed(self, owner: Model, *, attachment: Attachment, added: bool, actor: User, at: dt.datetime) -> None:
        assert isinstance(owner, Meeting)
        governance_event_record(
            street_id=owner.street_id,
            meeting=owner,
            subject=f"attachment:{attachment.pk}",
            action="attach" if added else "detach",
            note=attachment.original_name,
            actor=actor,
            at=at,
        )


MEETING_OWNER = MeetingOwner()
