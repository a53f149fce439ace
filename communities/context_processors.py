from communities.selectors import person_for_user


def person(request):
    return {"person": person_for_user(request.user)}
