"""A vacant dwelling (ledig bolig) to be let from the waiting list.

>>> import datetime as dt
>>> v = Vacancy("D001", rooms=3, monthly_rent_dkk=6200, vacant_on=dt.date(2024, 5, 1))
>>> v.rooms, v.vacant_on.isoformat()
(3, '2024-05-01')
>>> Vacancy("D001", rooms=0, monthly_rent_dkk=6200, vacant_on=dt.date(2024, 5, 1))
Traceback (most recent call last):
...
fuaalborg.errors.ValidationError: vacancy D001: rooms must be a whole number >= 1, got 0
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from typing import Any

import attrs

from fuaalborg.dates import as_date
from fuaalborg.errors import ValidationError
from fuaalborg.specs import DWELLING_KINDS, DWELLING_TYPES

__all__ = ["Vacancy"]


def _to_date(value: Any) -> dt.date:
    return as_date(value, "vacancy: vacant_on")


def _optional_str(value: Any) -> str | None:
    return None if value is None else str(value)


def _whole(value: Any) -> Any:
    """Turn numpy and other integral numbers into ``int``; leave the rest for the check."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _amount(value: Any) -> Any:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return float(value)
    return value


@attrs.frozen
class Vacancy:
    """A vacant dwelling (ledig bolig) of a department, to be let from the waiting list.

    ``rooms`` counts habitable rooms (beboelsesrum); ``monthly_rent_dkk`` is the
    monthly rent in kroner; ``vacant_on`` is the date the dwelling is let on (the
    date rules and criteria are read on unless a ranking is given another date).
    ``floor`` (0 = ground floor), ``dwelling_type`` (one of
    :data:`~fuaalborg.specs.DWELLING_TYPES`) and ``lift`` are the dwelling's
    declared facts, needed where an agreement's group applies only to some
    dwellings (:mod:`fuaalborg.criteria.conditions`); ``None`` when not stated.
    ``kind`` is the dwelling's kind, ``"family"`` or ``"bab"`` (familiebolig med
    tilskud): given, the ranking routes the dwelling by it as the letting ledger
    does (:func:`~fuaalborg.letting.routing.bab_route`) and refuses a BAB dwelling
    that goes to the municipal referral; ``None`` when not stated.
    """

    department_id: str = attrs.field(converter=str)
    rooms: int = attrs.field(converter=_whole)
    monthly_rent_dkk: float = attrs.field(converter=_amount)
    vacant_on: dt.date = attrs.field(converter=_to_date)
    dwelling_id: str | None = attrs.field(default=None, converter=_optional_str)
    floor: int | None = attrs.field(default=None, converter=_whole)
    dwelling_type: str | None = attrs.field(default=None, converter=_optional_str)
    lift: bool | None = None
    kind: str | None = attrs.field(default=None, converter=_optional_str)

    def __attrs_post_init__(self) -> None:
        where = f"vacancy {self.department_id}"
        if not self.department_id.strip():
            raise ValidationError("vacancy: department_id must not be empty")
        rooms = self.rooms
        if isinstance(rooms, bool) or not isinstance(rooms, int) or rooms < 1:
            raise ValidationError(f"{where}: rooms must be a whole number >= 1, got {rooms!r}")
        rent = self.monthly_rent_dkk
        if (
            isinstance(rent, bool)
            or not isinstance(rent, int | float)
            or not math.isfinite(rent)
            or rent < 0
        ):
            raise ValidationError(
                f"{where}: monthly_rent_dkk must be an amount >= 0 kr., got {rent!r}"
            )
        floor = self.floor
        if floor is not None and (isinstance(floor, bool) or not isinstance(floor, int)):
            raise ValidationError(f"{where}: floor must be a whole number, got {floor!r}")
        if self.dwelling_type is not None and self.dwelling_type not in DWELLING_TYPES:
            raise ValidationError(
                f"{where}: dwelling_type must be one of {', '.join(DWELLING_TYPES)}, "
                f"got {self.dwelling_type!r}"
            )
        if self.kind is not None and self.kind not in DWELLING_KINDS:
            raise ValidationError(
                f"{where}: kind must be one of {', '.join(DWELLING_KINDS)}, got {self.kind!r}"
            )
        if self.lift is not None and not isinstance(self.lift, bool):
            raise ValidationError(f"{where}: lift must be true or false, got {self.lift!r}")
