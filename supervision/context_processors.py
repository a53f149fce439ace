from django.conf import settings
from django.http import HttpRequest

from communities.models import Role
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


def emergencies(request: HttpRequest) -> dict:
    """The red banner on every staff page: emergencies whose caller has not
    been contacted (the lobby display never shows it)."""
    from supervision.emergencies import emergency_banner_for_user

    person = person_for_user(request.user)
    if person is None or person.role == Role.DISPLAY:
        return {}
    return {"emergency_banner": emergency_banner_for_user(user=request.user), "emergency_banner_slot": True}
