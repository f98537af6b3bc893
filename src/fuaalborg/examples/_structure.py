"""Organisations, departments, areas and the ministry's lists of the example.

The departments are spread over the agreement's 14 real parties with unequal,
invented sizes; their names are invented. A few invented ministry-defined areas
tell a story on the lists of 1 December 2018–2025 (see :data:`LIST_STORY`), and
their area indicators are drawn from value bands that lie clearly on one side of
each statutory threshold (see :data:`LEVELS`), so that classifying the
indicators under ABL § 61 a and § 61 b reproduces the lists exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.examples._calibration import Calibration, month_day
from fuaalborg.examples._names import (
    AREA_NAMES,
    DEPARTMENT_NAME_FIRST,
    DEPARTMENT_NAME_SECOND,
    LOCAL_GROUP_NAMES,
)
from fuaalborg.model import parties
from fuaalborg.parameters import ParameterSet

__all__ = [
    "AREA_INDICATOR_COLUMNS",
    "LEVELS",
    "LEVEL_STORY",
    "LIST_STORY",
    "LIST_YEARS",
    "ORGANISATION_WEIGHTS",
    "SMALL_DEPARTMENTS",
    "area_indicators_frame",
    "departments_frame",
    "draw_levels",
    "list_dates",
    "lists_frame",
    "organisations_frame",
]

# --------------------------------------------------------------------------
# Generator knobs (not legal facts)

#: Relative number of departments of each party, in the order of
#: :func:`fuaalborg.parties` (invented; every party gets at least 3).
ORGANISATION_WEIGHTS: tuple[float, ...] = (7, 14, 8, 11, 5, 6, 4, 18, 4, 3, 3, 3, 11, 3)
_MIN_DEPARTMENTS_PER_ORGANISATION = 3

#: Departments made deliberately small (4–14 dwellings, fewer than the twin
#: tool's discretion threshold of residents aged 18–64).
SMALL_DEPARTMENTS = 16
_SMALL_DWELLINGS = (4, 15)  # half-open range of dwellings in a small department
_MIN_REGULAR_DWELLINGS = 18
_SIZE_MEDIAN, _SIZE_SIGMA = 50.0, 0.9  # log-normal extra dwellings above the minimum
_RESIDENTS_PER_DWELLING = (1.8, 2.2)
_SHARE_18_64 = (0.52, 0.66)
_BAB_MIN_PER_DEPARTMENT = 30

#: Residents the areas are built up to (ministry areas first, then local groups).
_MINISTRY_AREA_TARGETS = (2400, 1500, 1700, 1100, 1300)
_LOCAL_GROUP_TARGETS = (650, 1200)
_AREA_DEPARTMENT_DWELLINGS = (50, 400)  # departments eligible for areas
#: Residents of the fourth area on the 2018 and 2019 lists, before it grew
#: past the 1,000 residents an area needs to be listed (ABL § 61 a, stk. 1).
_SMALL_AREA_YEARS = {3: {2018: 930, 2019: 965}}

#: The list years of the example (1 December of each year).
LIST_YEARS: tuple[int, ...] = tuple(range(2018, 2026))

#: The designation of each ministry area (in the order of
#: :data:`~fuaalborg.examples._names.AREA_NAMES`) on each list of :data:`LIST_YEARS`:
#:
#: 1. a parallel society from 2018, a transformation area once five yearly lists
#:    in a row make it one (L 23, in force 2021-11-30), vulnerable in 2025;
#: 2. vulnerable 2018–2020, a prevention area 2021–2022, then off the lists;
#: 3. a prevention area from the first prevention list (2021);
#: 4. under 1,000 residents until 2019, vulnerable from 2020 (meeting the
#:    prevention criteria as well from 2021);
#: 5. never listed.
LIST_STORY: tuple[tuple[str, ...], ...] = (
    ("parallelsamfund",) * 4 + ("omdannelse",) * 3 + ("udsat",),
    ("udsat",) * 3 + ("forebyggelse",) * 2 + ("none",) * 3,
    ("none",) * 3 + ("forebyggelse",) * 5,
    ("none",) * 2 + ("udsat",) * 6,
    ("none",) * 8,
)

#: Value bands of each indicator, each clearly (>= 2 points, 0.1 for the
#: conviction ratio) on one side of every threshold of ABL § 61 a, stk. 1–2
#: and § 61 b: ``low``/``mid``/``high`` non-Western share (below 30, between
#: 30 and 50, above 50 %), ``ok``/``prev``/``udsat`` for the socio-economic
#: indicators (meets no criterion, the prevention criterion only, both).
LEVELS: Mapping[str, Mapping[str, tuple[float, float]]] = {
    "non_western_pct": {"low": (4.0, 26.0), "mid": (34.0, 46.0), "high": (54.0, 68.0)},
    "outside_work_education_pct": {
        "ok": (12.0, 27.0), "prev": (32.0, 38.0), "udsat": (42.0, 52.0),
    },
    "conviction_ratio": {"ok": (0.3, 1.8), "prev": (2.1, 2.8), "udsat": (3.2, 4.6)},
    "basic_education_pct": {"ok": (18.0, 56.0), "bad": (62.0, 72.0)},
    "income_ratio_pct": {"ok": (68.0, 95.0), "prev": (57.0, 63.0), "udsat": (42.0, 53.0)},
}

#: The indicator columns of ``area_indicators`` and of department indicators.
AREA_INDICATOR_COLUMNS: tuple[str, ...] = tuple(LEVELS)

_PARALLEL = ("high", "udsat", "udsat", "ok", "udsat")
#: The value bands behind :data:`LIST_STORY`: one tuple of levels (in the order
#: of :data:`AREA_INDICATOR_COLUMNS`) per ministry area and list year.
LEVEL_STORY: tuple[tuple[tuple[str, ...], ...], ...] = (
    (_PARALLEL,) * 7 + (("mid", "udsat", "prev", "ok", "udsat"),),
    (("mid", "udsat", "udsat", "ok", "prev"),) * 3
    + (("mid", "prev", "prev", "ok", "prev"),) * 2
    + (("mid", "prev", "ok", "ok", "ok"),) * 3,
    (("mid", "prev", "ok", "bad", "prev"),) * 8,
    (("mid", "udsat", "prev", "bad", "udsat"),) * 8,
    (("low", "prev", "ok", "ok", "ok"),) * 8,
)

_ROUND = {"conviction_ratio": 2}


def draw_levels(column: str, levels: np.ndarray, position: np.ndarray) -> np.ndarray:
    """Values of ``column`` at ``position`` (0–1) inside each cell's level band."""
    bands = LEVELS[column]
    flat = pd.Series(levels.ravel())
    lo = flat.map({k: v[0] for k, v in bands.items()}).to_numpy(dtype=float)
    hi = flat.map({k: v[1] for k, v in bands.items()}).to_numpy(dtype=float)
    values = lo + np.clip(position.ravel(), 0.0, 1.0) * (hi - lo)
    rounded: np.ndarray = np.round(values, _ROUND.get(column, 1)).reshape(levels.shape)
    return rounded


# --------------------------------------------------------------------------
# Tables


def organisations_frame() -> pd.DataFrame:
    """The agreement's 14 parties with their CVR numbers."""
    orgs = parties()
    return pd.DataFrame(
        {"organisation_cvr": [o.cvr for o in orgs], "name": [o.name for o in orgs]}
    )


def _largest_remainder(weights: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to ``weights`` that sum to ``total`` exactly."""
    raw = weights / weights.sum() * total
    base: np.ndarray = np.floor(raw).astype(np.int64)
    short = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:short]] += 1
    return base


def departments_frame(
    rng: np.random.Generator,
    cal: Calibration,
    organisations: pd.DataFrame,
    min_residents_18_64: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The departments and the areas (ministry areas first, then local groups).

    ``min_residents_18_64`` is the twin tool's discretion threshold; the small
    departments stay below it.
    """
    n = cal.departments
    n_orgs = len(organisations)
    if len(ORGANISATION_WEIGHTS) != n_orgs:
        raise ValidationError(
            f"the example expects {len(ORGANISATION_WEIGHTS)} organisations, got {n_orgs}"
        )
    spare = n - _MIN_DEPARTMENTS_PER_ORGANISATION * n_orgs
    weights = np.asarray(ORGANISATION_WEIGHTS, dtype=float)
    per_org = _MIN_DEPARTMENTS_PER_ORGANISATION + rng.multinomial(spare, weights / weights.sum())
    org_of = np.repeat(np.arange(n_orgs), per_org)

    # sizes: a few deliberately small departments, the rest log-normal
    small = np.zeros(n, dtype=bool)
    small[rng.choice(n, SMALL_DEPARTMENTS, replace=False)] = True
    family = np.zeros(n, dtype=np.int64)
    family[small] = rng.integers(*_SMALL_DWELLINGS, size=SMALL_DEPARTMENTS)
    regular_total = cal.family_dwellings - int(family[small].sum())
    extra = rng.lognormal(np.log(_SIZE_MEDIAN), _SIZE_SIGMA, size=n - SMALL_DEPARTMENTS)
    family[~small] = _MIN_REGULAR_DWELLINGS + _largest_remainder(
        extra, regular_total - _MIN_REGULAR_DWELLINGS * (n - SMALL_DEPARTMENTS)
    )

    ratio = rng.uniform(*_RESIDENTS_PER_DWELLING, size=n)
    share = rng.uniform(*_SHARE_18_64, size=n)

    # areas: shuffled eligible departments, taken until each area's target is met
    lo, hi = _AREA_DEPARTMENT_DWELLINGS
    pool = list(rng.permutation(np.flatnonzero(~small & (family >= lo) & (family <= hi))))
    area_of = np.full(n, -1)
    targets = _MINISTRY_AREA_TARGETS + _LOCAL_GROUP_TARGETS
    for a, target in enumerate(targets):
        got = 0.0
        while got < target:
            if not pool:
                raise ValidationError("the example's departments are too few for its areas")
            d = pool.pop()
            area_of[d] = a
            got += family[d] * ratio[d]

    # BAB dwellings in departments outside every area
    bab = np.zeros(n, dtype=np.int64)
    candidates = np.flatnonzero(~small & (area_of < 0) & (family >= 40))
    chosen = rng.choice(candidates, cal.bab_departments, replace=False)
    spare_bab = cal.bab_dwellings - _BAB_MIN_PER_DEPARTMENT * cal.bab_departments
    bab[chosen] = _BAB_MIN_PER_DEPARTMENT + rng.multinomial(
        spare_bab, np.full(cal.bab_departments, 1.0 / cal.bab_departments)
    )

    residents = np.round((family + bab) * ratio).astype(np.int64)
    r1864 = np.round(residents * share).astype(np.int64)
    # small departments stay below the twin tool's discretion threshold
    r1864[small] = np.minimum(r1864[small], min_residents_18_64 - 1)

    combos = rng.choice(
        len(DEPARTMENT_NAME_FIRST) * len(DEPARTMENT_NAME_SECOND), n, replace=False
    )
    first = np.asarray(DEPARTMENT_NAME_FIRST)[combos // len(DEPARTMENT_NAME_SECOND)]
    second = np.asarray(DEPARTMENT_NAME_SECOND)[combos % len(DEPARTMENT_NAME_SECOND)]
    names = pd.Series(first).str.cat(pd.Series(second))

    area_ids = _area_ids()
    departments = pd.DataFrame(
        {
            "department_id": pd.Series(np.arange(1, n + 1)).map("D{:03d}".format),
            "organisation_cvr": organisations["organisation_cvr"].to_numpy()[org_of],
            "name": names.to_numpy(),
            "area_id": pd.Series(
                [area_ids[a] if a >= 0 else None for a in area_of], dtype="string"
            ),
            "family_dwellings": family,
            "bab_dwellings": bab,
            "residents": residents,
            "residents_18_64": r1864,
        }
    )
    sums = departments.groupby("area_id")["residents"].sum()
    areas = pd.DataFrame(
        {
            "area_id": area_ids,
            "name": list(AREA_NAMES) + list(LOCAL_GROUP_NAMES),
            "kind": ["ministry"] * len(AREA_NAMES) + ["local"] * len(LOCAL_GROUP_NAMES),
            "residents": [int(sums.get(a, 0)) for a in area_ids],
        }
    )
    return departments, areas


def _area_ids() -> list[str]:
    return [f"M{i + 1:02d}" for i in range(len(AREA_NAMES))] + [
        f"L{i + 1:02d}" for i in range(len(LOCAL_GROUP_NAMES))
    ]


def list_dates(params: ParameterSet) -> list[dt.date]:
    """The publication dates of the example's lists (``monitoring.calendar.ministry_lists``)."""
    return [
        month_day(params, "monitoring.calendar.ministry_lists", y, dt.date(y, 1, 1))
        for y in LIST_YEARS
    ]


def lists_frame(areas: pd.DataFrame, params: ParameterSet) -> pd.DataFrame:
    """One row per ministry area per list date with the designation of :data:`LIST_STORY`."""
    ministry = areas.loc[areas["kind"] == "ministry", "area_id"].tolist()
    dates = list_dates(params)
    _check_story(ministry, LIST_STORY)
    return pd.DataFrame(
        {
            "area_id": np.repeat(ministry, len(dates)),
            "list_date": pd.to_datetime(dates * len(ministry)).astype("datetime64[s]"),
            "designation": [d for story in LIST_STORY for d in story],
        }
    )


def _check_story(ministry: Sequence[str], story: Sequence[Sequence[object]]) -> None:
    if len(story) != len(ministry) or any(len(s) != len(LIST_YEARS) for s in story):
        raise ValidationError("the example's list story does not match its areas and years")


def area_indicators_frame(
    rng: np.random.Generator, areas: pd.DataFrame, cal: Calibration, params: ParameterSet
) -> pd.DataFrame:
    """The ministry's indicators per ministry area and list date, consistent with the lists."""
    ministry = areas.loc[areas["kind"] == "ministry"].reset_index(drop=True)
    _check_story(ministry["area_id"].tolist(), LEVEL_STORY)
    dates = list_dates(params)
    n_areas, n_years = len(ministry), len(dates)
    factor = np.clip(1 + rng.normal(0, 0.015, size=(n_areas, n_years)), 0.96, 1.04)
    factor[:, [d.year for d in dates].index(cal.prevention_list_date.year)] = 1.0
    residents = np.round(ministry["residents"].to_numpy()[:, None] * factor).astype(np.int64)
    for a, years in _SMALL_AREA_YEARS.items():
        for year, count in years.items():
            residents[a, LIST_YEARS.index(year)] = count
    frame = pd.DataFrame(
        {
            "area_id": np.repeat(ministry["area_id"].to_numpy(), n_years),
            "list_date": pd.to_datetime(dates * n_areas).astype("datetime64[s]"),
            "residents": residents.ravel(),
        }
    )
    for i, column in enumerate(AREA_INDICATOR_COLUMNS):
        levels = np.array([[story[y][i] for y in range(n_years)] for story in LEVEL_STORY])
        base = rng.uniform(0.15, 0.85, size=(n_areas, 1))
        position = base + rng.normal(0, 0.05, size=(n_areas, n_years))
        frame[column] = draw_levels(column, levels, position).ravel()
    return frame
