from django.urls import path
from rest_framework.routers import SimpleRouter

from communities import api

router = SimpleRouter(use_regex_path=False)
router.register("communities", api.CommunityViewSet, basename="api-community")
router.register("departments", api.DepartmentViewSet, basename="api-department")
router.register("pairings", api.PairingViewSet, basename="api-pairing")

urlpatterns = [
    # For scripts: POST username and password, then send "Authorization: Token <key>".
    path("auth/token/", api.AuthTokenView.as_view(), name="api-token"),
    *router.urls,
]
