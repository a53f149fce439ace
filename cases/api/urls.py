from django.urls import path
from rest_framework.routers import SimpleRouter

from attachments import api as attachments
from cases.api import hotspots, views

router = SimpleRouter(use_regex_path=False)
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("extensions", views.ExtensionViewSet, basename="api-extension")

urlpatterns = [
    *router.urls,
    path("hotspots/", hotspots.HotspotView.as_view(), name="api-hotspots"),
    path(
        "cases/<int:case_pk>/attachments/",
        attachments.CaseAttachmentList.as_view(),
        name="api-case-attachments",
    ),
    path(
        "cases/<int:case_pk>/attachments/<int:pk>/",
        attachments.CaseAttachmentDetail.as_view(),
        name="api-case-attachment",
    ),
    path(
        "cases/<int:case_pk>/progress-notes/",
        attachments.CaseProgressNoteList.as_view(),
        name="api-case-progress-notes",
    ),
]
