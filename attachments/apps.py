from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = "附件"

    def ready(self) -> None:
        from attachments import signals  # noqa: F401  (stored files follow their rows)
