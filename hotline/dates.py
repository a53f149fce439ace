"""Dates in the street's time zone (Asia/Shanghai), shared by every app."""

import datetime as dt

from django.utils import timezone


def local_midnight(day: dt.date) -> dt.datetime:
    """The moment a day begins in the street's time zone: a day's window is
    [local_midnight(day), local_midnight(day + 1))."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())
