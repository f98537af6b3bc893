"""Dates in, dates out: one reading of the date forms users pass to fuaalborg.

Every public function that takes a date accepts a :class:`datetime.date`, a
:class:`datetime.datetime` (its date is used), a :class:`pandas.Timestamp` or an
ISO string ``YYYY-MM-DD``.

>>> import datetime as dt
>>> as_date("2024-05-01")
datetime.date(2024, 5, 1)
>>> parse_date("1. maj") is None
True
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fuaalborg.errors import ValidationError

__all__ = ["as_date", "parse_date"]


def parse_date(value: object) -> dt.date | None:
    """``value`` as a date, or ``None`` when it is not one of the accepted forms."""
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def as_date(value: object, what: str = "date") -> dt.date:
    """``value`` as a date; raise :class:`~fuaalborg.errors.ValidationError` otherwise.

    ``what`` names the argument in the message (e.g. ``"on"``).
    """
    day = parse_date(value)
    if day is None:
        raise ValidationError(f"{what}: {value!r} is not a date (YYYY-MM-DD)")
    return day
