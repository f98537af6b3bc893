"""Rent bands (huslejeintervaller): the agreement's and Landsbyggefonden's.

The agreement counts dwellings at most 3,500 kr a month ("billige boliger"),
above 3,500 and at most 5,000 kr, and above 5,000 kr (afsnit 3). Landsbyggefonden
reports referral dwellings under 3,500, 3,500–4,000 and 4,000–4,500 kr. The band
edges and which side of each band is closed are parameters (``rent_bands.*``).

A rent given for a vacancy may differ from the dwellings table's: rents change.
:func:`rent_difference` says by what factor, and whether that is plausible
(at most ``bounds.rent_ratio_to_table``, a sanity bound); a larger factor is
most likely a typing error that would put the dwelling in the wrong band.

>>> import datetime as dt
>>> import pandas as pd
>>> rents = pd.Series([3500.0, 3500.01, 5000.0, 6200.0])
>>> rent_band(rents, "agreement", dt.date(2024, 1, 1)).tolist()
['≤ 3.500 kr', '3.500–5.000 kr', '3.500–5.000 kr', '> 5.000 kr']
>>> rent_band(pd.Series([3499.0, 3500.0, 4499.0, 4500.0]), "lbf", dt.date(2024, 1, 1)).tolist()
['< 3.500 kr', '3.500–4.000 kr', '4.000–4.500 kr', '≥ 4.500 kr']
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = [
    "RENT_BAND_SCHEMES",
    "RENT_RATIO_BOUND",
    "RentDifference",
    "rent_band",
    "rent_band_labels",
    "rent_difference",
]

#: The rent-band schemes: the agreement's own and Landsbyggefonden's.
RENT_BAND_SCHEMES = ("agreement", "lbf")


def _scheme(
    scheme: Literal["agreement", "lbf"], on: dt.date, parameters: ParameterSet | None
) -> dict[str, Any]:
    if scheme not in RENT_BAND_SCHEMES:
        raise ValueError(f"unknown rent-band scheme {scheme!r}; expected agreement or lbf")
    params = parameters or load_parameters()
    value: dict[str, Any] = params.get(f"rent_bands.{scheme}", on)
    return value


def rent_band_labels(
    scheme: Literal["agreement", "lbf"], on: dt.date, parameters: ParameterSet | None = None
) -> list[str]:
    """The labels of ``scheme``'s bands in force on ``on``, cheapest first."""
    return list(_scheme(scheme, on, parameters)["labels"])


def rent_band(
    rents: pd.Series[float],
    scheme: Literal["agreement", "lbf"],
    on: dt.date,
    parameters: ParameterSet | None = None,
) -> pd.Series[Any]:
    """The band label of each monthly rent, as an ordered categorical Series."""
    spec = _scheme(scheme, on, parameters)
    edges = np.asarray(spec["edges"], dtype=float)
    labels = list(spec["labels"])
    values = rents.to_numpy(dtype=float)
    side: Literal["left", "right"] = "left" if spec["closed"] == "right" else "right"
    codes = np.searchsorted(edges, values, side=side)
    codes = np.where(np.isnan(values), -1, codes)
    dtype = pd.CategoricalDtype(pd.Index(labels), ordered=True)
    cat = pd.Categorical.from_codes(codes.astype("int64"), dtype=dtype)
    return pd.Series(cat, index=rents.index, name=f"rent_band_{scheme}")


#: The sanity bound of the factor between a vacancy's rent and its dwellings table's.
RENT_RATIO_BOUND = "bounds.rent_ratio_to_table"


@attrs.frozen
class RentDifference:
    """A rent given for a dwelling that differs from its dwellings table's rent.

    ``ratio`` is the larger rent divided by the smaller (infinite where one is 0);
    ``limit`` the largest plausible ratio (the parameter ``bounds.rent_ratio_to_table``
    in force). A ratio above it is most likely a typing error.
    """

    given: float
    table: float
    ratio: float
    limit: float

    @property
    def plausible(self) -> bool:
        """Whether the difference is within the plausible factor (a rent that changed)."""
        return self.ratio <= self.limit

    def describe(self, dwelling: str) -> str:
        """The difference in words, for ``dwelling``: the rents and, if implausible, why.

        The rents are written as every screen writes amounts of kroner
        (:func:`fuaalborg.formatting.kroner`):

        >>> RentDifference(6100.5, 3068.0, 1.99, 10.0).describe("D001-002")
        "6.100,50 kr. differs from the dwellings table's 3.068 kr. for dwelling 'D001-002'"
        """
        from fuaalborg.formatting import kroner

        text = (f"{kroner(self.given)} kr. differs from the dwellings table's "
                f"{kroner(self.table)} kr. for dwelling {dwelling!r}")
        if self.plausible:
            return text
        times = "∞" if self.ratio == float("inf") else f"{self.ratio:.1f}".rstrip("0").rstrip(".")
        way = "more" if self.given > self.table else "less"
        return (f"{text}: {times} times {way}, above the plausible factor "
                f"{_amount(self.limit)} (parameter {RENT_RATIO_BOUND}); most likely "
                "a typing error (a digit too many or too few, a yearly rent, øre). If the rent "
                "is right, correct the dwellings table, or raise the bound in municipality.toml "
                "[bounds]")


def _amount(value: float) -> str:
    """A factor as written in a message: 2, 2.5."""
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def rent_difference(
    given: float, table: float, on: dt.date, parameters: ParameterSet | None = None
) -> RentDifference | None:
    """How ``given`` differs from the dwellings table's rent ``table``; ``None`` if they agree.

    Rents agree to the øre (a difference under 0.005 kr. is none), and a table rent of
    0 or less states no rent to compare with (``None``). The plausible
    factor is ``bounds.rent_ratio_to_table`` in force on ``on`` in ``parameters``
    (default: the bundled ones; a municipality's ``municipality.toml`` ``[bounds]``
    raises it).

    >>> import datetime as dt
    >>> rent_difference(3900.0, 3800.0, dt.date(2024, 6, 1)).plausible
    True
    >>> big = rent_difference(38000.0, 3800.0, dt.date(2024, 6, 1))
    >>> big.ratio, big.plausible
    (10.0, False)
    >>> rent_difference(3800.0, 3800.0, dt.date(2024, 6, 1)) is None
    True
    >>> rent_difference(3800.0, 0.0, dt.date(2024, 6, 1)) is None  # the table states no rent
    True
    """
    if abs(given - table) < 0.005 or table <= 0:
        return None
    params = parameters or load_parameters()
    limit = float(params.get(RENT_RATIO_BOUND, on, warn=False))
    low, high = sorted((given, table))
    ratio = high / low if low > 0 else float("inf")
    return RentDifference(float(given), float(table), ratio, limit)
