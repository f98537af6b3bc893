"""The municipality's objects: organisations (with CVR), departments, areas, dwellings.

These are small frozen value objects for code that handles one thing at a time
(a letting system's form, a plug-in's metadata). Bulk data lives in validated
pandas tables; see :mod:`fuaalborg.specs`.

>>> is_valid_cvr("31831814")
True
>>> Organisation("31831814", "Vivabolig").cvr
'31831814'
>>> Organisation("31831815", "Vivabolig")
Traceback (most recent call last):
...
fuaalborg.errors.ValidationError: organisation 'Vivabolig': CVR '31831815' fails the modulus-11 ...
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any, Literal, get_args

import attrs
import numpy as np
import pandas as pd

from fuaalborg.errors import ValidationError

__all__ = [
    "COLOURS",
    "CVR_WEIGHTS",
    "ROUTES",
    "SUBROUTES",
    "TURNS",
    "Area",
    "Colour",
    "Department",
    "Dwelling",
    "Organisation",
    "Route",
    "Subroute",
    "Turn",
    "is_valid_cvr",
    "parties",
    "valid_cvr_mask",
    "validate_cvr",
]

#: Weights of the CVR modulus-11 check (Erhvervsstyrelsen).
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)

#: A colour of the agreement's step model (trappetrinsmodellen): green is step 1,
#: yellow step 2, red step 3. What a colour means for letting on a date is the dated
#: parameter data ``colour_rules.*`` (see :func:`fuaalborg.monitoring.rules_for`).
Colour = Literal["green", "yellow", "red"]
#: The step model's colours, from step 1 to step 3: the one vocabulary every module
#: (monitoring, criteria, letting, simulation, reports) imports from here.
COLOURS: tuple[Colour, ...] = get_args(Colour)

#: Where a vacancy goes: the municipality's referral (kommunal anvisning) or the
#: waiting list (venteliste).
Route = Literal["referral", "waiting_list"]
#: The routes of a vacancy. Every module names a route by one of these.
ROUTES: tuple[Route, ...] = get_args(Route)
#: How a waiting-list letting is made: flexible letting (fleksibel udlejning,
#: almenboligloven § 60) or the ordinary waiting-list order.
Subroute = Literal["flexible", "ordinary"]
#: The sub-routes of a waiting-list letting.
SUBROUTES: tuple[Subroute, ...] = get_args(Subroute)
#: Whose turn a waiting-list letting is under the internal/external rule: the
#: internal list of existing tenants (intern venteliste) or the external list.
Turn = Literal["internal", "external"]
#: The turns, and the two waiting lists they take from, in their code order
#: (0 = internal, 1 = external).
TURNS: tuple[Turn, ...] = get_args(Turn)


def is_valid_cvr(cvr: object) -> bool:
    """Whether ``cvr`` is an 8-digit CVR number that passes the modulus-11 check.

    The check: the digits weighted 2, 7, 6, 5, 4, 3, 2, 1 sum to a multiple of 11.
    A first digit 0 is not issued.
    """
    if not isinstance(cvr, str) or len(cvr) != 8 or not cvr.isascii() or not cvr.isdigit():
        return False
    if cvr[0] == "0":
        return False
    return sum(int(d) * w for d, w in zip(cvr, CVR_WEIGHTS, strict=True)) % 11 == 0


def valid_cvr_mask(values: pd.Series[Any]) -> pd.Series[bool]:
    """Vectorised :func:`is_valid_cvr` over a column of texts.

    >>> valid_cvr_mask(pd.Series(["31831814", "31831815", "0183181"])).tolist()
    [True, False, False]
    """
    text = values.astype("string")
    shape_ok = text.str.fullmatch(r"[1-9][0-9]{7}").fillna(False).to_numpy(dtype=bool)
    padded = text.where(shape_ok, "00000000").fillna("00000000")
    codes = np.frombuffer("".join(padded.tolist()).encode("ascii"), dtype=np.uint8)
    digits = (codes.astype(np.int64) - ord("0")).reshape(len(values), 8)
    total = digits @ np.asarray(CVR_WEIGHTS, dtype=np.int64)
    return pd.Series(shape_ok & (total % 11 == 0), index=values.index)


def validate_cvr(cvr: object, *, owner: str = "organisation") -> str:
    """Return ``cvr`` if valid, else raise :class:`~fuaalborg.errors.ValidationError`."""
    if not isinstance(cvr, str) or len(cvr) != 8 or not cvr.isdigit():
        raise ValidationError(f"{owner}: CVR {cvr!r} is not 8 digits")
    if not is_valid_cvr(cvr):
        raise ValidationError(
            f"{owner}: CVR {cvr!r} fails the modulus-11 check (weights 2,7,6,5,4,3,2,1)"
        )
    return cvr


def _cvr_validator(instance: Organisation, _attr: Any, value: str) -> None:
    validate_cvr(value, owner=f"organisation {instance.name!r}")


def _non_negative(instance: Any, attr: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValidationError(
            f"{type(instance).__name__.lower()}: {attr.name} must be a number >= 0, got {value!r}"
        )


def _non_empty(instance: Any, attr: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{type(instance).__name__.lower()}: {attr.name} must not be empty")


@attrs.frozen
class Organisation:
    """A housing organisation (boligorganisation), identified by its CVR number."""

    cvr: str = attrs.field(validator=_cvr_validator)
    name: str = attrs.field(validator=_non_empty)
    includes: tuple[str, ...] = ()


@attrs.frozen
class Area:
    """A housing area (boligområde).

    ``kind`` is ``"ministry"`` for an area defined by the ministry (connected
    plots of social housing, ABL § 61 a, stk. 3) or ``"local"`` for a group of
    neighbouring departments the parties agreed to treat as one (agreement,
    note 1).
    """

    area_id: str = attrs.field(validator=_non_empty)
    name: str = attrs.field(validator=_non_empty)
    kind: Literal["ministry", "local"] = attrs.field(
        validator=attrs.validators.in_(("ministry", "local"))
    )
    residents: int = attrs.field(validator=_non_negative)


@attrs.frozen
class Department:
    """A housing department (boligafdeling): the unit of letting and of colour."""

    department_id: str = attrs.field(validator=_non_empty)
    organisation_cvr: str = attrs.field()
    name: str = attrs.field(validator=_non_empty)
    family_dwellings: int = attrs.field(validator=_non_negative)
    bab_dwellings: int = attrs.field(validator=_non_negative)
    residents: int = attrs.field(validator=_non_negative)
    residents_18_64: int = attrs.field(validator=_non_negative)
    area_id: str | None = None

    @organisation_cvr.validator
    def _check_cvr(self, _attr: Any, value: str) -> None:
        validate_cvr(value, owner=f"department {self.department_id!r}")

    def __attrs_post_init__(self) -> None:
        if self.residents_18_64 > self.residents:
            raise ValidationError(
                f"department {self.department_id!r}: residents_18_64 "
                f"({self.residents_18_64}) exceeds residents ({self.residents})"
            )

    @property
    def dwellings(self) -> int:
        """Family dwellings plus BAB dwellings."""
        return self.family_dwellings + self.bab_dwellings


@attrs.frozen
class Dwelling:
    """A dwelling (bolig) of a department.

    ``kind`` is ``"family"`` (almen familiebolig) or ``"bab"`` (familiebolig med
    tilskud, let 100 % by municipal referral).
    """

    dwelling_id: str = attrs.field(validator=_non_empty)
    department_id: str = attrs.field(validator=_non_empty)
    kind: Literal["family", "bab"] = attrs.field(validator=attrs.validators.in_(("family", "bab")))
    rooms: int = attrs.field(validator=_non_negative)
    area_m2: float = attrs.field(validator=_non_negative)
    monthly_rent_dkk: float = attrs.field(validator=_non_negative)


@cache
def _load_parties() -> tuple[Organisation, ...]:
    text = (resources.files("fuaalborg") / "data" / "parties.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    return tuple(
        Organisation(cvr=p["cvr"], name=p["name"], includes=tuple(p.get("includes", ())))
        for p in data["party"]
    )


def parties() -> tuple[Organisation, ...]:
    """The 14 housing organisations that are parties to the agreement, with CVR numbers.

    Source: the agreement's list of signatories (Fælles Udlejningsaftale 2023–2025).

    >>> len(parties())
    14
    """
    return _load_parties()
