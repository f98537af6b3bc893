"""Waiting time at letting (R6): the seniority age of the applicants who signed.

The seniority age (anciennitetsalder) of a letting is the time from the
applicant's seniority date on the list they were let from to the day they
signed, in years of 365.25 days. The report gives, per group, the number of
lettings and the percentiles of ``reporting.waiting_time.percentiles`` (the
median and the 90th percentile).

>>> import pandas as pd
>>> lettings = pd.DataFrame({
...     "route": ["ordinary"] * 3 + ["flexible"],
...     "signed_on": pd.to_datetime(["2024-06-01"] * 4),
...     "seniority_date": pd.to_datetime(["2020-06-01", "2022-06-01", "2023-06-01",
...                                       "2024-01-01"]),
... })
>>> waiting_time(lettings, ["route"], [50, 90]).round(2)
          lettings  p50   p90
route
flexible         1  0.42  0.42
ordinary         3  2.00  3.60
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["seniority_years", "waiting_time"]

_DAYS_PER_YEAR = 365.25


def seniority_years(signed_on: pd.Series[pd.Timestamp], seniority: pd.Series[pd.Timestamp]) -> (
    pd.Series[float]
):
    """The seniority age at letting in years (days / 365.25), vectorised."""
    start = pd.to_datetime(seniority).astype("datetime64[s]")
    end = pd.to_datetime(signed_on).astype("datetime64[s]")
    days = (end - start).dt.days.astype(float)
    return days / _DAYS_PER_YEAR


def waiting_time(
    lettings: pd.DataFrame, by: Sequence[str], percentiles: Sequence[float]
) -> pd.DataFrame:
    """Lettings and seniority-age percentiles per group of ``by``.

    ``lettings`` has ``signed_on`` and ``seniority_date`` and the ``by``
    columns. Returns one row per group with ``lettings`` and one column
    ``p<q>`` per percentile (linear interpolation, as :func:`numpy.percentile`).
    """
    years = seniority_years(lettings["signed_on"], lettings["seniority_date"])
    frame = lettings[list(by)].assign(_years=years.to_numpy())
    grouped = frame.groupby(list(by), sort=True, observed=True)["_years"]
    out = pd.DataFrame({"lettings": grouped.size().astype("int64")})
    for q in percentiles:
        out[f"p{q:g}"] = grouped.quantile(float(q) / 100.0).astype(float)
    if out.empty:
        out = out.astype({"lettings": "int64"})
    return out.replace({np.inf: np.nan})
