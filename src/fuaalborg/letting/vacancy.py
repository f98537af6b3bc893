"""A vacant dwelling (ledig bolig) to be let from the waiting list.

>>> import datetime as dt
>>> v = Vacancy("D001", rooms=3, monthly_rent_dkk=6200, vacant_on=dt.date(2024, 5, 1))
>>> v.rooms, v.vacant_on.isoformat()
(3, '2024-05-01')
>>> Vacancy("D001", rooms=0, monthly_rent_dkk=6200, vacant_on=dt.date(2024, 5, 1))
Traceback (most recent call last):
...
fuaalborg.errors.ValidationError: vacancy D001: rooms must be a whole number >= 1, got 0

A vacancy of a dwelling in the municipality's dwellings table states what the
table states: :func:`compare_with_table` is the one check of the letting
ledger (a vacancy recorded, a correction) and of ``fuaalborg rank --dwelling``.
A fact of :data:`TABLE_FACTS` given otherwise than the table gives it is
refused; a rent may differ (rents change), within the plausible factor
(:func:`fuaalborg.rents.rent_difference`):

>>> table = {"rooms": 2, "monthly_rent_dkk": 4927.0, "floor": 3, "lift": False}
>>> found = compare_with_table("D004-004", {"rooms": 2, "floor": 0, "lift": True,
...                                         "monthly_rent_dkk": 5000.0},
...                            table, dt.date(2024, 5, 1))
>>> [p.where for p in found.problems]
['floor', 'lift']
>>> print(found.problems[0].what)
0 given, but the dwellings table gives dwelling 'D004-004' 3 (a dwelling's floor does not change)
>>> print(found.problems[1].what)
lift given, but the dwellings table gives dwelling 'D004-004' no lift
>>> found.rent.describe("D004-004")  # within the plausible factor: for a warning
"5.000 kr. differs from the dwellings table's 4.927 kr. for dwelling 'D004-004'"
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from collections.abc import Mapping
from typing import Any

import attrs

from fuaalborg._types import Language
from fuaalborg.danish import value_in
from fuaalborg.dates import as_date
from fuaalborg.errors import Problem, Remedy, ValidationError
from fuaalborg.parameters import ParameterSet
from fuaalborg.rents import RentDifference, rent_difference
from fuaalborg.specs import DWELLING_KINDS, DWELLING_TYPES

__all__ = ["FROM_TABLE", "TABLE_FACTS", "TableComparison", "Vacancy", "compare_with_table"]


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


# -- a vacancy against its dwellings table -------------------------------------------

#: The facts of a dwelling a vacancy must state as the dwellings table does: its
#: habitable rooms, floor, dwelling type and lift. Rooms and floor do not change; a
#: type or a lift changes with the dwelling (re-earmarked, a lift added), and then the
#: table is what is corrected, so that every later vacancy and report reads the same.
TABLE_FACTS: tuple[str, ...] = ("rooms", "floor", "dwelling_type", "lift")

#: The facts of :data:`TABLE_FACTS` that a dwelling keeps for good.
_FIXED = {"rooms": "rooms do", "floor": "floor does"}

#: A fact given otherwise than the dwellings table gives it: the remedy of
#: :func:`compare_with_table`'s problems by default (its ``arguments``: the fact).
FROM_TABLE = Remedy(
    "from_table",
    "leave it out to use the dwellings table's, or, where the dwelling changed, correct the "
    "dwellings table",
)


def _shown(name: str, value: Any, lang: Language | None = None) -> str:
    """A fact's value in a message: a lift as ``lift``/``no lift``, a dwelling type in
    ``lang`` (:func:`fuaalborg.danish.value_in`; ``None``: the canonical word), else as
    it is."""
    if name == "lift":
        return "lift" if value else "no lift"
    if name == "dwelling_type" and isinstance(value, str) and lang is not None:
        return value_in(value, lang)
    return str(value)


@attrs.frozen
class TableComparison:
    """What :func:`compare_with_table` found: the problems, and a rent that differs.

    ``problems`` (refused) has one :class:`~fuaalborg.errors.Problem` per fact
    given otherwise than the table gives it, placed at the fact's argument name
    (``rooms``, ``floor``, ``dwelling_type``, ``lift``, ``monthly_rent_dkk``),
    and one for a rent beyond the plausible factor. ``rent`` is a rent that
    differs within the plausible factor: not a problem, but worth a warning.
    """

    problems: tuple[Problem, ...] = ()
    rent: RentDifference | None = None


def compare_with_table(
    dwelling: str,
    given: Mapping[str, Any],
    table: Mapping[str, Any],
    on: dt.date,
    parameters: ParameterSet | None = None,
    *,
    remedy: Remedy = FROM_TABLE,
    given_as: str = "given",
    lang: Language | None = None,
) -> TableComparison:
    """Compare the facts ``given`` for a vacancy of ``dwelling`` with its dwellings table's.

    ``given`` and ``table`` map argument names (:data:`TABLE_FACTS` and
    ``monthly_rent_dkk``) to values; a fact that either leaves out or gives as
    ``None`` is not compared. A fact of :data:`TABLE_FACTS` that differs is a
    problem naming the given value and the table's (no personal data: a
    dwelling is no person), with ``remedy`` for that fact (its ``arguments``:
    the fact's name); ``given_as`` says how the value came (``"recorded"``
    for a value compared again). ``lang`` is the language a dwelling type is
    named in (``"da"``: ``ældreegnet``, as a Danish dwellings table and a user
    who typed it so write it; ``None``, the default: the canonical word the
    values compared are, ``senior``). A rent is compared by
    :func:`~fuaalborg.rents.rent_difference` on ``on`` with ``parameters``'
    plausible factor (``bounds.rent_ratio_to_table``): beyond it, a problem;
    within it, :attr:`TableComparison.rent`.
    """
    problems: list[Problem] = []
    for name in TABLE_FACTS:
        mine, theirs = given.get(name), table.get(name)
        if mine is None or theirs is None or mine == theirs:
            continue
        why = f" (a dwelling's {_FIXED[name]} not change)" if name in _FIXED else ""
        problems.append(Problem(
            name,
            f"{_shown(name, mine, lang)} {given_as}, but the dwellings table gives dwelling "
            f"{dwelling!r} {_shown(name, theirs, lang)}{why}",
            remedy=attrs.evolve(remedy, arguments=(name,)),
        ))
    rent, table_rent = given.get("monthly_rent_dkk"), table.get("monthly_rent_dkk")
    differs = (None if rent is None or table_rent is None or not math.isfinite(rent)
               else rent_difference(rent, table_rent, on, parameters))
    if differs is not None and not differs.plausible:
        problems.append(Problem("monthly_rent_dkk", differs.describe(dwelling)))
        differs = None
    return TableComparison(tuple(problems), differs)
