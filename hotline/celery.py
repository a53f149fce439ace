import os
from pathlib import Path

from celery import Celery, signals
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The one declaration of the periodic jobs. Times are Asia/Shanghai (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "rankings-weekly": {
        "task": "rankings.tasks.compute_weekly_boards",
        "schedule": crontab(minute=10, hour=0, day_of_week="mon"),
    },
    "rankings-nightly": {
        "task": "rankings.tasks.compute_nightly_boards",
        "schedule": crontab(minute=40, hour=0),
    },
}


def ensure_queue_folders(**kwargs) -> None:
    """kombu's filesystem transport (the embedded default) does not create its
    folders: without this the worker dies at start and sending a task fails."""
    if not str(app.conf.broker_url or "").startswith("filesystem"):
        return
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


for signal in (signals.worker_init, signals.beat_init, signals.before_task_publish):
    signal.connect(ensure_queue_folders, weak=False)
