import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")

app = Celery("hotline")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["cases.intake"])  # tasks of a sub-package are not found by the line above
app.autodiscover_tasks(["supervision"], related_name="tasks_ladder")
app.autodiscover_tasks(["supervision"], related_name="tasks_checks")
app.autodiscover_tasks(["supervision"], related_name="tasks_talks")
app.autodiscover_tasks(["governance"], related_name="tasks_projects")
app.autodiscover_tasks(["governance"], related_name="tasks_meetings")

# The one declaration of the periodic jobs. Times are Asia/Shanghai (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # Governance project milestones past their due date: owner and lead told once.
    "governance-milestones-late-sweep": {
        "task": "governance.milestones_late_sweep",
        "schedule": crontab(minute=25, hour="*"),
    },
    "rankings-weekly": {
        "task": "rankings.tasks.compute_weekly_boards",
        "schedule": crontab(minute=10, hour=0, day_of_week="mon"),
    },
    "rankings-nightly": {
        "task": "rankings.tasks.compute_nightly_boards",
        "schedule": crontab(minute=40, hour=0),
    },
    # Side effects written to the outbox that the broker or a receiver did not take yet.
    "outbox-send-pending": {
        "task": "outbox.send_pending",
        "schedule": crontab(minute="*"),
    },
    # Notification deliveries due again: retries after a failure, the end of quiet hours.
    "supervision-send-due-deliveries": {
        "task": "supervision.send_due_deliveries",
        "schedule": crontab(minute="*"),
    },
    # Import jobs whose task was lost or whose worker died are sent to a worker again.
    "intake-resume-jobs": {
        "task": "intake.resume_jobs",
        "schedule": crontab(minute="*/5"),
    },
    # Imported callbacks waiting for their case to be closed in the office.
    "intake-pending-callbacks": {
        "task": "intake.apply_pending_callbacks",
        "schedule": crontab(minute="*/15"),
    },
    # The 催办 ladder: reminders, 催办, 催办通知书 and 通报 as deadlines pass (each level once).
    "supervision-ladder-sweep": {
        "task": "supervision.ladder_sweep",
        "schedule": crontab(minute="*/5"),
    },
    # 回头看: last week's closed cases drawn for a second call (supervision.rechecks).
    "supervision-recheck-weekly-draw": {
        "task": "supervision.recheck_weekly_draw",
        "schedule": crontab(minute=20, hour=0, day_of_week="mon"),
    },
    # Supervision orders past their due day: the handler, secretary and chief are told once.
    "supervision-orders-mark-late": {
        "task": "supervision.orders_mark_late",
        "schedule": crontab(minute=15),
    },
    # The weekly meeting's follow-up actions past their due date: owner and leader told once.
    "supervision-follow-up-late": {
        "task": "supervision.follow_up_late_sweep",
        "schedule": crontab(minute=15, hour="*"),
    },
    # 吹哨 meeting decisions past their due date: the person answering and the convener told once.
    "governance-decisions-late": {
        "task": "governance.decisions_late_sweep",
        "schedule": crontab(minute=25, hour="*"),
    },
    # Uploaded 12345 files hold every caller's data: kept only as long as needed.
    "intake-purge-files": {
        "task": "intake.purge_files",
        "schedule": crontab(minute=30, hour=3),
    },
}
