"""The web app manifest (`/manifest.webmanifest`): what a phone needs to
install the workbench on its home screen — the name 接诉即办, the icons of
static/icons (drawn by hotline/make_icons.py), standalone display, the theme
colour, and a start URL at the signed-in person's own home page (the page
links it with credentials, so the person is known)."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.http import HttpRequest, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET

from communities.selectors import person_for_user
from communities.views import HOME_FOR_ROLE

APP_NAME = "接诉即办"
THEME_COLOR = "#1f5fae"  # --bs-primary of static/css/app.css
BACKGROUND_COLOR = "#f4f6f9"
ICONS = (
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
)


def web_app_manifest_for(user: AbstractBaseUser | AnonymousUser) -> dict:
    person = person_for_user(user)
    home = HOME_FOR_ROLE.get(person.role) if person is not None else None
    return {
        "id": "/",
        "name": APP_NAME,
        "short_name": APP_NAME,
        "description": "街道12345接诉即办案件工作台",
        "lang": "zh-CN",
        "start_url": reverse(home or "home"),
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOR,
        "background_color": BACKGROUND_COLOR,
        "icons": [
            {"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
            for path, sizes, purpose in ICONS
        ],
    }


@require_GET
def web_app_manifest(request: HttpRequest) -> JsonResponse:
    # Each person's own start page: like every dynamic answer it is sent with
    # Cache-Control: no-store (hotline.middleware), so no cache shares it.
    return JsonResponse(
        web_app_manifest_for(request.user),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
