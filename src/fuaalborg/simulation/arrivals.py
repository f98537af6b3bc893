"""Vacancy arrivals (fraflytninger): the seeded random process the simulation runs on.

Each department's vacancies in a year arrive as a Poisson process with rate
*dwellings × turnover*: the number in a year is Poisson distributed with that
mean, each vacancy hits one of the department's dwellings chosen uniformly (so a
vacancy's rent band and kind come from the real dwellings table) and falls on a
uniformly drawn day of the year. Every run draws from its own random stream,
spawned from the seed, so run *i* is the same whatever the number of runs and
whichever scenario is simulated (common random numbers: two scenarios compare
on the same vacancies).

>>> import numpy as np
>>> stock = Stock.from_frame(pd.DataFrame({
...     "dwelling_id": ["a", "b", "c"], "department_id": ["D1", "D1", "D2"],
...     "kind": ["family", "bab", "family"], "monthly_rent_dkk": [3000.0, 3100.0, 6000.0]}),
...     ["D1", "D2"])
>>> rng = np.random.default_rng(7)
>>> year = draw_year(stock, np.array([0.5, 0.5]), 365, rng)
>>> sorted(set(year.department.tolist())) <= [0, 1], bool((np.diff(year.day) >= 0).all())
(True, True)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import load_parameters

__all__ = ["Stock", "YearOfVacancies", "draw_year", "vacancy_stream"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@attrs.frozen(eq=False)
class Stock:
    """The dwellings vacancies can hit, grouped by department (boligmassen).

    Dwellings are sorted by department; ``start[d]`` and ``size[d]`` give the
    slice of department ``d`` (its position in ``department_ids``);
    ``organisation_ids[d]`` is its housing organisation (empty when not given);
    ``row[i]`` is dwelling ``i``'s position in the table the stock was built from.
    """

    department_ids: tuple[str, ...]
    department: IntArray
    bab: BoolArray
    rent: FloatArray
    start: IntArray
    size: IntArray
    organisation_ids: tuple[str, ...] = ()
    row: IntArray | None = None

    @classmethod
    def from_frame(
        cls,
        dwellings: pd.DataFrame,
        department_ids: Sequence[str],
        organisation_ids: Sequence[str] | None = None,
    ) -> Stock:
        """Build the stock from a dwellings table (columns of ``specs.DWELLINGS``).

        ``organisation_ids`` gives each department's housing organisation, in the
        order of ``department_ids`` (the internal/external turn counts per
        organisation).
        """
        ids = [str(d) for d in department_ids]
        if organisation_ids is not None and len(organisation_ids) != len(ids):
            raise ValidationError("simulation: one organisation per department")
        position = pd.Index(ids)
        if not position.is_unique:
            raise ValidationError("simulation: duplicate department ids")
        codes = position.get_indexer(pd.Index(dwellings["department_id"].astype(str)))
        if (codes < 0).any():
            bad = sorted(set(dwellings["department_id"].astype(str)[codes < 0]))[:5]
            raise ValidationError(f"simulation: dwellings of unknown departments {bad}")
        order = np.argsort(codes, kind="stable")
        dep = np.asarray(codes[order], dtype=np.int64)
        size = np.bincount(dep, minlength=len(ids)).astype(np.int64)
        start = np.concatenate([[0], np.cumsum(size)[:-1]]).astype(np.int64)
        kind = dwellings["kind"].astype(str).to_numpy()[order]
        rent = dwellings["monthly_rent_dkk"].to_numpy(dtype=np.float64)[order]
        return cls(
            department_ids=tuple(ids),
            department=dep,
            bab=np.asarray(kind == "bab", dtype=np.bool_),
            rent=np.asarray(rent, dtype=np.float64),
            start=start,
            size=size,
            organisation_ids=tuple(str(o) for o in organisation_ids or ()),
            row=np.asarray(order, dtype=np.int64),
        )

    @property
    def family(self) -> IntArray:
        """Family (non-BAB) dwellings per department."""
        return np.bincount(self.department[~self.bab], minlength=len(self.department_ids)).astype(
            np.int64
        )


@attrs.frozen(eq=False)
class YearOfVacancies:
    """One run's vacancies in one simulated year, in date order.

    ``department`` indexes the stock's ``department_ids``, ``dwelling`` indexes the
    stock's dwellings and ``day`` counts days from the year's first day.
    """

    department: IntArray
    dwelling: IntArray
    day: IntArray


def draw_year(
    stock: Stock, rate: FloatArray, days: int, rng: np.random.Generator
) -> YearOfVacancies:
    """Draw one year of vacancies: ``rate[d]`` is department ``d``'s expected vacancies.

    ``rate`` is dwellings × yearly turnover; the draws are vectorised over all
    departments.
    """
    counts = rng.poisson(rate)
    department = np.repeat(np.arange(len(rate), dtype=np.int64), counts)
    offset = (rng.random(len(department)) * stock.size[department]).astype(np.int64)
    dwelling = stock.start[department] + offset
    day = rng.integers(0, days, len(department), dtype=np.int64)
    # the same stable order as of the days themselves; 16-bit keys sort by radix
    keys = day.astype(np.uint16) if days <= 1 << 16 else day
    order = np.argsort(keys, kind="stable")
    return YearOfVacancies(department[order], dwelling[order], day[order])


def vacancy_stream(
    municipality: Municipality,
    start: dt.date,
    days: int = 365,
    *,
    turnover_pct: float | None = None,
    seed: int = 2023,
) -> pd.DataFrame:
    """A synthetic stream of vacancies for ``days`` days from ``start``, in date order.

    Each dwelling falls vacant on average ``turnover_pct`` % of the time per
    year (default: the agreement's figure ``agreement.figures.turnover_pct``,
    13.7 %), on uniformly drawn days; the draw uses the recorded ``seed``. The
    columns are those of :meth:`fuaalborg.Ledger.record_vacancies`. For
    demonstrations and benchmarks, not for real lettings. The draw is the
    simulation's own (:func:`draw_year`: a department's vacancies Poisson
    distributed with mean dwellings × turnover, each on one of its dwellings).
    """
    if turnover_pct is None:
        turnover_pct = float(load_parameters().get("agreement.figures.turnover_pct", start))
    dwellings = municipality.dwellings
    stock = Stock.from_frame(dwellings, list(dict.fromkeys(dwellings["department_id"].astype(str))))
    rate = stock.size * (turnover_pct / 100.0 * days / 365.0)
    drawn = draw_year(stock, rate.astype(np.float64), days, np.random.default_rng(seed))
    assert stock.row is not None
    frame = dwellings.iloc[stock.row[drawn.dwelling]][
        ["dwelling_id", "department_id", "kind", "monthly_rent_dkk", "rooms"]
    ].reset_index(drop=True)
    frame["vacant_on"] = [start + dt.timedelta(days=int(d)) for d in drawn.day]
    frame = frame.sort_values(["vacant_on", "dwelling_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "vacancy_id", [f"V{start.year}-{i + 1:06d}" for i in range(len(frame))])
    return frame
