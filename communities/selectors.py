from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import QuerySet

from communities.models import Community, Pairing, Person, Role, Street


def person_for_user(user: AbstractBaseUser | AnonymousUser) -> Person | None:
    """The user's place in the organisation, or None (anonymous, or a bare
    admin account with no role). Cached on the user object for the request."""
    if not isinstance(user, User):
        return None
    cache = vars(user)
    if "_person_cache" not in cache:
        cache["_person_cache"] = (
            Person.objects.select_related("street", "community", "department").filter(user=user).first()
        )
    return cache["_person_cache"]


def pairing_list(*, active_only: bool = True) -> QuerySet[Pairing]:
    qs = Pairing.objects.select_related("community", "department", "chief__person")
    return qs.filter(is_active=True) if active_only else qs


def pairing_suggest_for_community(*, community: Community | None) -> Pairing | None:
    """First-dispatch suggestion: the community's active pairing (a community
    normally has exactly one)."""
    if community is None:
        return None
    return pairing_list().filter(community=community).order_by("id").first()


def handler_list_for_community(*, community: Community) -> QuerySet[Person]:
    return Person.objects.filter(community=community, role__in=[Role.OFFICER, Role.SECRETARY]).select_related("user")


def pairing_open_case_count(*, pairing: Pairing) -> int:
    """Cases of the pairing still being handled (they need its chief's signature)."""
    from cases.transitions import OPEN  # cases builds on communities; imported late to keep the apps' order

    return pairing.cases.filter(status__in=OPEN).count()


def street_is_demo() -> bool:
    """Whether this installation holds the demo street (one installation serves one street)."""
    return Street.objects.filter(is_demo=True).exists()
