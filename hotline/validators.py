"""Validators shared by forms, filters and API inputs."""

import datetime as dt

from django.core.exceptions import ValidationError

# Dates a user can ask about. Outside these, the arithmetic around a day (the
# next midnight, the window before) would leave the range of dates the
# database and Python can hold.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)
# The largest id a database key column holds (a signed 64-bit integer).
ID_MAX = 2**63 - 1


def date_in_range(value: dt.date) -> None:
    if value is not None and not DATE_MIN <= value <= DATE_MAX:
        raise ValidationError(f"日期须在{DATE_MIN:%Y-%m-%d}至{DATE_MAX:%Y-%m-%d}之间。", code="date_out_of_range")
