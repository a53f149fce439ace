from rest_framework.routers import SimpleRouter

from cases.api import views

router = SimpleRouter(use_regex_path=False)
router.register("cases", views.CaseViewSet, basename="api-case")
router.register("extensions", views.ExtensionViewSet, basename="api-extension")

urlpatterns = router.urls
