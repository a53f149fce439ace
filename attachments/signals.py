"""A stored file goes when its row goes (a removal, or a case deleted with its
attachments): after the commit, so a rolled-back delete keeps its file."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from attachments.models import Attachment


@receiver(post_delete, sender=Attachment, dispatch_uid="attachment_files_delete")
def attachment_files_delete(sender, instance: Attachment, **kwargs) -> None:
    names = [f.name for f in (instance.file, instance.thumbnail) if f and f.name]
    storage = instance.file.storage

    def delete() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)
