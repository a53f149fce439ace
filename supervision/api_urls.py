from django.urls import path
from rest_framework.routers import SimpleRouter

from supervision import api, api_checks, api_ladder, api_talks, emergency_api

router = SimpleRouter(use_regex_path=False)
router.register("notifications", api.NotificationViewSet, basename="api-notification")
router.register("emergencies", emergency_api.EmergencyViewSet, basename="api-emergency")
router.register("supervision/orders", api_checks.OrderViewSet, basename="api-supervision-order")
router.register("supervision/checks", api_checks.CheckViewSet, basename="api-supervision-check")
router.register("supervision/rechecks", api_checks.RecheckDrawViewSet, basename="api-supervision-recheck")
router.register("supervision/talks", api_talks.TalkViewSet, basename="api-supervision-talk")

urlpatterns = [
    *router.urls,
    path("supervision/ladder/", api_ladder.LadderView.as_view(), name="api-supervision-ladder"),
    path("supervision/order-figures/", api_checks.OrderFiguresView.as_view(), name="api-supervision-order-figures"),
    path("supervision/figures/", api_talks.FiguresView.as_view(), name="api-supervision-figures"),
    path(
        "supervision/figures/<slug:figure>/",
        api_talks.FigureRecordsView.as_view(),
        name="api-supervision-figure-records",
    ),
    path("supervision/ladder/cases/", api_ladder.LadderCaseListView.as_view(), name="api-supervision-ladder-cases"),
]
