from django.conf import settings
from django.http import HttpRequest

from communities.selectors import person_for_user
from supervision.selectors import notification_unread_count


def notifications(request: HttpRequest) -> dict:
    """The bell's count on every staff page (the lobby display has no bell)."""
    if person_for_user(request.user) is None:
        return {}
    return {
        "unread_notifications": notification_unread_count(user=request.user),
        "notification_poll_seconds": settings.NOTIFICATION_POLL_SECONDS,
    }
