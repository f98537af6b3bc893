"""Rent bands (huslejeintervaller): the agreement's and Landsbyggefonden's.

The agreement counts dwellings at most 3,500 kr a month ("billige boliger"),
above 3,500 and at most 5,000 kr, and above 5,000 kr (afsnit 3). Landsbyggefonden
reports referral dwellings under 3,500, 3,500–4,000 and 4,000–4,500 kr. The band
edges and which side of each band is closed are parameters (``rent_bands.*``).

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

import numpy as np
import pandas as pd

from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["RENT_BAND_SCHEMES", "rent_band", "rent_band_labels"]

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
