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

from fuaalborg.letting.ledger import Ledger, vacancy_stream
from fuaalborg.letting.offers import OfferRound
from fuaalborg.municipality import Municipality

__all__ = ["demo_evictions", "demo_ledger"]


class _Ranked:
    """The waiting list of one list in seniority order (the shape offers read)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame


def demo_ledger(
    town: Municipality,
    start: dt.date,
    end: dt.date,
    *,
    path: str | os.PathLike[str] | None = None,
    seed: int = 2023,
    signed: int = 300,
) -> Ledger:
    """A ledger of ``town``'s vacancies from ``start`` to ``end``, with answers and lettings.

    Referred dwellings are let by the municipality (about 80 %), declined and
    returned (about 15 %) or left awaiting an answer; up to ``signed``
    waiting-list dwellings are offered to the longest-waiting active applicant
    of the list of their turn and let. Returned read-only (written to ``path``,
    or a temporary folder).
    """
    target = Path(path) if path is not None else Path(tempfile.mkdtemp()) / "ledger.jsonl"
    days = (end - start).days + 1
    stream = vacancy_stream(town, start, days, seed=seed)
    rng = np.random.default_rng(seed)
    applicants = town.applicants
    lists: dict[str, pd.DataFrame] = {}
    if len(applicants):
        flags = (applicants["active"].astype(bool) if "active" in applicants.columns
                 else pd.Series(True, index=applicants.index))
        active = applicants[flags]
        for name, group in active.groupby("list"):
            ordered = group.sort_values(["seniority_date", "applicant_id"], kind="stable")
            lists[str(name)] = pd.DataFrame(
                {
                    "rank": np.arange(1, len(ordered) + 1),
                    "applicant_id": ordered["applicant_id"].astype(str).to_numpy(),
                    "list": str(name),
                }
            )
    used = dict.fromkeys(lists, 0)
    with Ledger.create(target, town) as ledger:
        decisions = ledger.record_vacancies(stream)
        let_count = 0
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
            turn = row.turn if isinstance(row.turn, str) else "external"
            ranked = lists.get(turn)
            if let_count >= signed or ranked is None or used[turn] >= len(ranked):
                continue
            window = _Ranked(ranked.iloc[used[turn]: used[turn] + 1].reset_index(drop=True))
            used[turn] += 1
            offers = OfferRound(vid, window, ledger=ledger, size=1)
            winner = offers.send(on)[0]
            offers.answer(winner, "accept", on)
            offers.close(on + dt.timedelta(days=1))
            offers.sign(on + dt.timedelta(days=1))
            let_count += 1
    return Ledger.open(target, readonly=True)


def demo_evictions(town: Municipality, start: dt.date, end: dt.date, *, seed: int = 2023) -> (
    pd.DataFrame
):
    """An invented evictions table (fogedsager) for ``town`` in the period."""
    rng = np.random.default_rng(seed)
    deps = town.departments["department_id"].astype(str).to_numpy()
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
