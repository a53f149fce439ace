"""The one family of domain errors. Views turn them into a message next to the
form; the API turns them into a 4xx JSON body with `code` and `detail`."""


class DomainError(Exception):
    """A rule of the domain said no. `message` is shown to the user (Chinese)."""

    status_code = 400
    code = "domain_error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class InvalidInput(DomainError):
    code = "invalid_input"


class NotAllowed(DomainError):
    """The user may see the case but may not take this step."""

    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """Missing, or outside the user's scope: the two are indistinguishable."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The case is not in a state that allows the step (often: someone else was faster)."""

    status_code = 409
    code = "conflict"
