from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "通知与督办"
    default_auto_field = "django.db.models.BigAutoField"
