"""Log filters: an expected refusal is one line, not a traceback; the lobby
display's token never reaches an access log."""

import logging
import re

TOKEN_IN_QUERY = re.compile(r"(?<=[?&])token=[^&\s\"']*")


def redact_tokens(text: str) -> str:
    return TOKEN_IN_QUERY.sub("token=[redacted]", text)


class ClientErrorWithoutTraceback(logging.Filter):
    """django.request logs a 403 (PermissionDenied) with the exception's
    traceback; a 4xx is an expected answer, so keep only its one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class RedactTokens(logging.Filter):
    """For runserver's access log (django.server): `?token=…` becomes `token=[redacted]`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact_tokens(str(record.msg))
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact_tokens(arg) if isinstance(arg, str) else arg for arg in args)
        return True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover - gunicorn is in requirements.txt
    _GunicornLogger = object  # type: ignore[misc, assignment]  # only when gunicorn is absent


class GunicornLogger(_GunicornLogger):
    """gunicorn's access log with `?token=…` redacted (hotline/gunicorn_conf.py)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "q", "f", "{raw_uri}e", "{query_string}e", "{referer}i"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact_tokens(atoms[key]) if key != "q" else redact_tokens("?" + atoms[key])[1:]
        return atoms
