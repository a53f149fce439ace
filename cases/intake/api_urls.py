"""Included by hotline/urls.py as `path("api/imports/", include("cases.intake.api_urls"))`."""

from django.urls import path

from cases.intake import api

app_name = "intake-api"

urlpatterns = [
    path("", api.ImportJobListView.as_view(), name="jobs"),
    path("<int:pk>/", api.ImportJobDetailView.as_view(), name="job"),
    path("<int:pk>/confirm/", api.ImportJobConfirmView.as_view(), name="job-confirm"),
    path("<int:pk>/retry/", api.ImportJobRetryView.as_view(), name="job-retry"),
    path("<int:pk>/cancel/", api.ImportJobCancelView.as_view(), name="job-cancel"),
]
