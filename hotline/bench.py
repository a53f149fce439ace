"""What the benchmark commands share: they write cases with INSERT … SELECT
and need a value for every column they do not fill themselves."""

from django.core.management.base import CommandError
from django.db import models


def column_default(field: models.Field):
    """A value for a column the benchmark does not fill itself."""
    if field.null:
        return None
    if field.has_default():
        default = field.get_default()
        return default if not callable(default) else default()
    if isinstance(field, models.CharField | models.TextField):
        return ""
    if isinstance(field, models.BooleanField):
        return False
    raise CommandError(
        f"{field.model._meta.db_table}.{field.column} has no default: the benchmark needs a value for it."
    )
