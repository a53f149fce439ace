from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "governance"
    verbose_name = "未诉先办"

    def ready(self) -> None:
        # 吹哨 meetings' files: the attachments app learns who sees and changes them.
        from attachments.models import OwnerKind
        from attachments.owners import OWNERS
        from governance.meetings_files import MEETING_OWNER

        OWNERS[OwnerKind.MEETING] = MEETING_OWNER
