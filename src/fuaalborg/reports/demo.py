"""A demonstration ledger and evictions table for the example municipality.

:func:`demo_ledger` runs the example municipality's vacancies for a period
through a real :class:`~fuaalborg.letting.ledger.Ledger` (turnover 13.7 %),
records the municipality's answers to the referred dwellings and lets a share
of the waiting-list dwellings through offer rounds, all from a recorded seed.
:func:`demo_evictions` invents a small evictions table. Both are for
demonstrations and documentation, never for real reporting.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from fuaalborg.letting.errors import LedgerInputError
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.offers import OfferRound
from fuaalborg.municipality import Municipality
from fuaalborg.simulation.arrivals import vacancy_stream

__all__ = ["demo_evictions", "demo_ledger"]


def demo_ledger(
    municipality: Municipality,
    start: dt.date,
    end: dt.date,
    *,
    path: str | os.PathLike[str] | None = None,
    seed: int = 2023,
    signed: int = 300,
) -> Ledger:
    """A ledger of ``municipality``'s vacancies from ``start`` to ``end``, with answers and
    lettings.

    Referred dwellings are let by the municipality (about 80 %), declined and
    returned (about 15 %) or left awaiting an answer; up to ``signed``
    waiting-list dwellings (the first in the period) are ranked for their
    decisions (:meth:`Ledger.rank_many`), offered to the first candidate whose
    seniority is not used yet, accepted and let. Returned read-only (written to
    ``path``, or a temporary folder).
    """
    target = Path(path) if path is not None else Path(tempfile.mkdtemp()) / "ledger.jsonl"
    days = (end - start).days + 1
    stream = vacancy_stream(municipality, start, days, seed=seed)
    rng = np.random.default_rng(seed)
    with Ledger.create(target, municipality) as ledger:
        decisions = ledger.record_vacancies(stream)
        waiting = decisions.loc[decisions["route"] == "waiting_list", "vacancy_id"]
        to_let = [str(v) for v in waiting.head(signed)] if len(municipality.applicants) else []
        rankings = dict(
            zip(
                to_let,
                ledger.rank_many(
                    to_let, municipality.applicants, top=signed + 5, municipality=municipality
                ),
                strict=True,
            )
        )
        for row in decisions.itertuples(index=False):
            vid = str(row.vacancy_id)
            on = row.on if isinstance(row.on, dt.date) else pd.Timestamp(str(row.on)).date()
            answer_on = min(on + dt.timedelta(days=14), end)
            if row.route == "referral":
                draw = rng.random()
                if draw < 0.8:
                    ledger.record_answer(vid, "let", answer_on)
                elif draw < 0.95:
                    ledger.record_answer(vid, "declined", answer_on)
                continue
            ranking = rankings.get(vid)
            if ranking is None or not len(ranking):
                continue
            offers = OfferRound(vid, ranking, ledger=ledger, size=1)
            try:
                winner = offers.send(on)[0]
            except LedgerInputError:  # every candidate's seniority is used
                continue
            offers.answer(winner, "accept", on)
            offers.close(on + dt.timedelta(days=1))
            offers.sign(on + dt.timedelta(days=1))
    return Ledger.open(target, readonly=True)


def demo_evictions(
    municipality: Municipality, start: dt.date, end: dt.date, *, seed: int = 2023
) -> pd.DataFrame:
    """An invented evictions table (fogedsager) for ``municipality`` in the period."""
    rng = np.random.default_rng(seed)
    deps = municipality.departments["department_id"].astype(str).to_numpy()
    n = max(len(deps) // 4, 1)
    chosen = rng.choice(deps, size=n, replace=False)
    offsets = rng.integers(0, max((end - start).days, 1), size=n)
    routes = rng.choice(["referral", "flexible", "internal", "ordinary", "unknown"], size=n,
                        p=[0.3, 0.1, 0.2, 0.3, 0.1])
    return pd.DataFrame(
        {
            "department_id": chosen,
            "date": [start + dt.timedelta(days=int(d)) for d in offsets],
            "count": rng.integers(1, 4, size=n),
            "route": routes,
        }
    ).sort_values(["date", "department_id"], kind="stable").reset_index(drop=True)
