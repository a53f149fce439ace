from django.urls import path

from cases.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.import_index, name="index"),
    path("jobs/<int:pk>/", views.import_job_detail, name="job"),
    path("jobs/<int:pk>/progress/", views.import_job_progress, name="job-progress"),
    path("jobs/<int:pk>/confirm/", views.import_job_confirm, name="job-confirm"),
    path("jobs/<int:pk>/retry/", views.import_job_retry, name="job-retry"),
    path("jobs/<int:pk>/cancel/", views.import_job_cancel, name="job-cancel"),
    path("sample.xlsx", views.import_sample, name="sample"),
    path("jobs/<int:pk>/rejected.xlsx", views.import_job_rejected, name="job-rejected"),
    path("callbacks/apply/", views.pending_callbacks_apply, name="callbacks-apply"),
    path("export/cases/", views.case_export, name="case-export"),
]
