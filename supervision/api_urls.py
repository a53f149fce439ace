from rest_framework.routers import SimpleRouter

from supervision import api

router = SimpleRouter(use_regex_path=False)
router.register("notifications", api.NotificationViewSet, basename="api-notification")

urlpatterns = router.urls
