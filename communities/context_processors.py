from communities.selectors import person_for_user


def person(request):
    """The user's person and the navigation of their role (communities.views.MENU_FOR_ROLE)."""
    from communities.views import menu_entries, menu_for

    user = getattr(request, "user", None)
    menu = menu_for(user=user, path=request.path) if getattr(user, "is_authenticated", False) else []
    return {"person": person_for_user(user), "nav_menu": menu_entries(menu)}
