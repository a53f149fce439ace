from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "communities"
    verbose_name = "组织架构"

    def ready(self) -> None:
        from communities import tokens

        tokens.connect_signals()
