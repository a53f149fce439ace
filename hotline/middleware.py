"""Headers every dynamic answer carries: a Content-Security-Policy and
`Cache-Control: no-store`. Static files (served by WhiteNoise, which sits above
this middleware and answers first) keep their own long-lived caching."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def content_security_policy() -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in settings.CONTENT_SECURITY_POLICY.items())


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        # Pages, API answers and exports carry callers' names and phones: no
        # browser or proxy may keep a copy. A view that sets its own policy
        # (the admin's never_cache) keeps it; it already says no-store.
        if "no-store" not in response.headers.get("Cache-Control", ""):
            response.headers["Cache-Control"] = "no-store"
        return response
