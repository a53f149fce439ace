from django.urls import path
from rest_framework.routers import SimpleRouter

from attachments import api as attachments
from cases.api import context, hotspots, reply_sheet, views

router = SimpleRouter(use_regex_path=False)
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("extensions", views.ExtensionViewSet, basename="api-extension")

urlpatterns = [
    *router.urls,
    path("cases/<int:pk>/context/", context.CaseContextView.as_view(), name="api-case-context"),
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
    path("hotspots/classes/", hotspots.HotspotClassesView.as_view(), name="api-hotspot-classes"),
    path("reply-sheet/", reply_sheet.ReplySheetView.as_view(), name="api-reply-sheet"),
]
