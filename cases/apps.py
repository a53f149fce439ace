from importlib import import_module

from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "案件办理"

    def import_models(self):
        super().import_models()
        # The import records (ImportJob, ImportIssue, PendingCallback) live beside
        # the import code but belong to this app: registered with its own models,
        # without cases.models having to import them back.
        import_module("cases.intake.models")
