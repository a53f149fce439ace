"""The web app manifest: installable (name, standalone, theme colour, icons of
192 and 512 px and a maskable one), the start page of the signed-in person's role."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from communities.views import HOME_FOR_ROLE
from communities.webapp import THEME_COLOR


def _manifest(client) -> tuple[object, dict]:
    response = client.get(reverse("web-app-manifest"))
    return response, json.loads(response.content)


def test_the_manifest_names_the_app_and_its_icons(client, db):
    response, manifest = _manifest(client)
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    assert manifest["name"] == "接诉即办" and manifest["display"] == "standalone"
    assert manifest["theme_color"] == THEME_COLOR and manifest["start_url"] == "/"
    icons = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert icons == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


@pytest.mark.parametrize("role", ["officer_a", "clerk", "secretary_a", "leader", "supervisor"])
def test_the_start_page_is_the_home_of_the_persons_role(client, org, role):
    user = getattr(org, role)
    client.force_login(user)
    response, manifest = _manifest(client)
    assert manifest["start_url"] == reverse(HOME_FOR_ROLE[user.person.role])
    assert response["Cache-Control"] == "no-store"  # one person's start page: no cache keeps it


def test_every_page_links_the_manifest_with_credentials(client, org):
    client.force_login(org.officer_a)
    page = client.get(reverse("case-inbox")).content.decode()
    assert f'<link rel="manifest" href="{reverse("web-app-manifest")}" crossorigin="use-credentials">' in page
    assert f'<meta name="theme-color" content="{THEME_COLOR}">' in page


def test_the_manifest_only_answers_get(client, db):
    assert client.post(reverse("web-app-manifest")).status_code == 405
