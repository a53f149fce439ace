from rest_framework.routers import SimpleRouter

from supervision import api, emergency_api

router = SimpleRouter(use_regex_path=False)
router.register("notifications", api.NotificationViewSet, basename="api-notification")
router.register("emergencies", emergency_api.EmergencyViewSet, basename="api-emergency")

urlpatterns = router.urls
