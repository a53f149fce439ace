"""What every case page shares: the scoped case look-up (role gates,
pagination and safe redirects live in `hotline.web`)."""

from django.http import Http404, HttpRequest

from cases.models import Case
from cases.selectors import case_get_for_user
from hotline.errors import NotFound


def case_or_404(request: HttpRequest, case_id: int) -> Case:
    """The case if the user may see it; out of scope is indistinguishable from missing."""
    try:
        return case_get_for_user(user=request.user, case_id=case_id)
    except NotFound as error:
        raise Http404(error.message) from None
