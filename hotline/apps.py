from django.apps import AppConfig, apps


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = "接诉即办"

    def ready(self) -> None:
        # django-axes names its admin section after its label ("Axes"); its
        # models' and fields' names are translated in hotline/locale.
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = "登录防护"
