from django.urls import path
from rest_framework.routers import SimpleRouter

from cases.api import hotspots, reply_sheet, views

router = SimpleRouter(use_regex_path=False)
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("extensions", views.ExtensionViewSet, basename="api-extension")

urlpatterns = [
    *router.urls,
    path("hotspots/", hotspots.HotspotView.as_view(), name="api-hotspots"),
    path("reply-sheet/", reply_sheet.ReplySheetView.as_view(), name="api-reply-sheet"),
]
