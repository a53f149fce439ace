from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from communities.webapp import web_app_manifest

handler404 = "hotline.api.page_not_found"
handler500 = "hotline.api.server_error"

admin.site.site_header = "接诉即办管理后台"
admin.site.site_title = "接诉即办"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("manifest.webmanifest", web_app_manifest, name="web-app-manifest"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up code as a file (no inline script under the CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("api/rankings/", include("rankings.api_urls")),
    path("api/imports/", include("cases.intake.api_urls")),
    path("api/", include("cases.api.urls")),
    path("api/", include("communities.urls")),
    path("api/", include("supervision.api_urls")),
    path("api/", include("knowledge.api_urls")),
    path("intake/", include("cases.intake.urls")),
    path("api/", include("governance.api_urls")),
    path("", include("governance.urls")),
    path("", include("attachments.urls")),
    path("", include("rankings.urls")),
    path("", include("supervision.urls")),
    path("", include("knowledge.urls")),
    path("", include("cases.urls")),
]
