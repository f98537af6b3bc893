"""Routes of vacancies counted by colour and by the agreement's rent band.

:func:`route_summary` turns a ledger's decisions (one row per vacancy) into
the counts the demonstration and the steering group read: how many vacancies
went to the municipal referral, were let flexibly or by seniority, and on the
internal or the external list's turn — by the department's colour and by the
agreement's rent band (afsnit 6, the referral's need of cheap dwellings).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from fuaalborg.model import COLOURS
from fuaalborg.rents import rent_band

__all__ = ["route_summary"]


def route_summary(decisions: pd.DataFrame, rents: pd.Series[float], on: dt.date) -> pd.DataFrame:
    """Routes counted by colour and by the agreement's rent band.

    ``decisions`` is a frame of :meth:`fuaalborg.Ledger.decisions` (or
    :meth:`fuaalborg.Ledger.record_vacancies`), ``rents`` the monthly rent of each
    row. Returns one row per (``by``, ``group``) with the counts of ``referral``,
    ``flexible``, ``ordinary``, ``internal`` and ``external`` lettings and ``total``.
    """
    colours = pd.Categorical(decisions["colour"].to_numpy(), categories=list(COLOURS))
    frame = pd.DataFrame(
        {
            "colour": colours,
            # ordered categories: the bands print cheapest first, colours green to red
            "rent_band": rent_band(
                pd.Series(rents.to_numpy(dtype=float)), "agreement", on
            ).array,
            "referral": (decisions["route"] == "referral").to_numpy(),
            "flexible": (decisions["subroute"] == "flexible").fillna(False).to_numpy(),
            "ordinary": (decisions["subroute"] == "ordinary").fillna(False).to_numpy(),
            "internal": (decisions["turn"] == "internal").fillna(False).to_numpy(),
            "external": (decisions["turn"] == "external").fillna(False).to_numpy(),
        }
    )
    parts = []
    for by in ("colour", "rent_band"):
        grouped = frame.groupby(by, sort=True, observed=True)
        counts = grouped[
            ["referral", "flexible", "ordinary", "internal", "external"]
        ].sum().astype("int64")
        counts["total"] = grouped.size()
        counts = counts.reset_index().rename(columns={by: "group"})
        counts["group"] = counts["group"].astype(str)
        counts.insert(0, "by", by)
        parts.append(counts)
    return pd.concat(parts, ignore_index=True)
