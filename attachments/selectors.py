"""Reading attachments, always through the owner's scoping
(attachments.owners): a file of another unit is "not found"."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from attachments.models import Attachment
from attachments.owners import owner_visible_q
from hotline.errors import NotFound


def attachment_scope_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Attachment]:
    return Attachment.objects.filter(owner_visible_q(user))


def attachment_get_for_user(*, user: AbstractBaseUser | AnonymousUser, attachment_id: int) -> Attachment:
    attachment = attachment_scope_for_user(user).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("附件不存在，或不在您的查看范围内。")
    return attachment


def attachment_list_for_case(*, user: AbstractBaseUser | AnonymousUser, case_id: int) -> QuerySet[Attachment]:
    """A case's attachments (empty when the case is out of scope), oldest first."""
    return attachment_scope_for_user(user).filter(case_id=case_id).select_related("uploaded_by__person")
