"""The example's department indicators: twin tool each November, parallel data each February.

Every department has a twin-tool row for each November update
(:data:`TWIN_TOOL_YEARS`); the indicator values are withheld (missing) where
fewer than the discretion threshold of residents aged 18–64 live in the
department (``monitoring.twin_tool.min_residents_18_64``). Department-level
parallel-society data (:data:`PARALLEL_DATA_YEARS`) exist only for departments
with more than ``monitoring.parallel_data.min_units`` units and
``monitoring.parallel_data.min_residents`` residents (agreement, note 13).
Each row carries only the indicators the step model reads from its source: the
twin tool's rows no convictions, the parallel data's rows only convictions.

The values are drawn from the value bands of
:data:`~fuaalborg.examples._structure.LEVELS`, clearly on one side of each
threshold, by profile:

* departments of a ministry area follow their area's bands for the year;
* among the other monitored departments, :data:`PROFILE_SIZES` fixes how many
  meet two or more of the socio-economic criteria of ABL § 61 b with a
  non-Western share above 30 % (``yellow_both``: yellow in both step-model
  presets), how many meet them with a share below 30 % (``yellow_socio``:
  yellow only in the socio-economic preset), how many have a high share but
  only one criterion (``near``: green in both), and how many cross from one to
  two criteria in 2024 (``worsening``);
* every other department meets at most one criterion.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from fuaalborg.examples._calibration import month_day
from fuaalborg.examples._structure import (
    AREA_INDICATOR_COLUMNS,
    LEVEL_STORY,
    LIST_YEARS,
    draw_levels,
)
from fuaalborg.parameters import ParameterSet

__all__ = ["PARALLEL_DATA_YEARS", "PROFILE_SIZES", "TWIN_TOOL_YEARS", "indicators_frame"]

#: Years of the twin tool's November updates in the example.
TWIN_TOOL_YEARS: tuple[int, ...] = (2023, 2024, 2025)
#: Years of the February updates of department-level parallel-society data.
PARALLEL_DATA_YEARS: tuple[int, ...] = (2024, 2025)

#: How many departments outside the ministry areas get each designed profile.
PROFILE_SIZES: Mapping[str, int] = {
    "yellow_both": 7,
    "yellow_socio": 5,
    "near": 8,
    "worsening": 2,
}

# Generator knobs (not legal facts)
_ONE_CRITERION_SHARE = 0.15  # ordinary departments meeting exactly one criterion
_COUNT_DRIFT = 0.03  # yearly drift of residents and residents aged 18–64
_POSITION_JITTER = 0.06

#: The "meets the prevention criterion" band of each socio-economic indicator.
_CRITERION_LEVEL = ("prev", "prev", "bad", "prev")
_OK_LEVEL = ("ok", "ok", "ok", "ok")


def _socio_levels(
    rng: np.random.Generator, n: int, count: np.ndarray
) -> np.ndarray:
    """``(n, 4)`` socio-economic levels with exactly ``count[i]`` criteria met in row i."""
    keys = rng.random((n, 4))
    ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
    meets = ranks < count[:, None]
    return np.where(meets, np.asarray(_CRITERION_LEVEL), np.asarray(_OK_LEVEL))


def indicators_frame(
    rng: np.random.Generator,
    departments: pd.DataFrame,
    areas: pd.DataFrame,
    params: ParameterSet,
) -> pd.DataFrame:
    """Twin-tool and parallel-data rows for the departments (canonical columns)."""
    n = len(departments)
    first_day = dt.date(min(TWIN_TOOL_YEARS), 1, 1)
    min_18_64 = int(params.get("monitoring.twin_tool.min_residents_18_64", first_day))
    min_units = int(params.get("monitoring.parallel_data.min_units", first_day))
    min_residents = int(params.get("monitoring.parallel_data.min_residents", first_day))

    ministry = areas.loc[areas["kind"] == "ministry", "area_id"].tolist()
    area_index = departments["area_id"].map({a: i for i, a in enumerate(ministry)})
    in_ministry = area_index.notna().to_numpy(dtype=bool)
    area_of = area_index.fillna(-1).to_numpy(dtype=np.int64)
    monitored = departments["residents_18_64"].to_numpy() >= min_18_64

    # profiles of the monitored departments outside the ministry areas
    eligible = np.flatnonzero(monitored & ~in_ministry)
    picked = rng.choice(eligible, sum(PROFILE_SIZES.values()), replace=False)
    profile = np.full(n, "ordinary", dtype=object)
    start = 0
    for name, size in PROFILE_SIZES.items():
        profile[picked[start : start + size]] = name
        start += size

    years = sorted(set(TWIN_TOOL_YEARS) | {y - 1 for y in PARALLEL_DATA_YEARS})
    ny = len(years)
    count = np.where(rng.random(n) < _ONE_CRITERION_SHARE, 1, 0)
    count = np.select(
        [profile == "yellow_both", profile == "yellow_socio", profile == "near"],
        [rng.integers(2, 4, size=n), np.full(n, 2), np.full(n, 1)],
        count,
    )
    counts = np.repeat(count[:, None], ny, axis=1)
    worsening = profile == "worsening"
    counts[worsening] = np.where(np.asarray(years) >= 2024, 2, 1)
    socio = np.stack([_socio_levels(rng, n, counts[:, y]) for y in range(ny)], axis=1)
    non_western = np.where(
        np.isin(profile, ["yellow_both", "near"]), "mid", "low"
    )
    levels = np.concatenate(
        [np.repeat(non_western[:, None, None], ny, axis=1), socio], axis=2
    ).astype(object)
    # departments of ministry areas follow their area's bands of the year
    for i, year in enumerate(years):
        story = LIST_YEARS.index(min(max(year, LIST_YEARS[0]), LIST_YEARS[-1]))
        for d in np.flatnonzero(in_ministry):
            levels[d, i, :] = LEVEL_STORY[area_of[d]][story]

    base = rng.uniform(0.1, 0.9, size=(n, 1, len(AREA_INDICATOR_COLUMNS)))
    units = (departments["family_dwellings"] + departments["bab_dwellings"]).to_numpy()
    residents = departments["residents"].to_numpy()
    r1864 = departments["residents_18_64"].to_numpy()

    frames = []
    sources = [("twin_tool", y, "calendar.twin_tool_update", y) for y in TWIN_TOOL_YEARS] + [
        ("parallel_data", y, "calendar.parallel_data_update", y - 1) for y in PARALLEL_DATA_YEARS
    ]
    for source, year, calendar, level_year in sources:
        measured = month_day(params, f"monitoring.{calendar}", year, dt.date(year, 1, 1))
        drift = np.clip(1 + rng.normal(0, _COUNT_DRIFT / 2, n), 1 - _COUNT_DRIFT, 1 + _COUNT_DRIFT)
        res_y = np.round(residents * drift).astype(np.int64)
        r_y = np.round(r1864 * drift).astype(np.int64)
        r_y = np.where(monitored, np.maximum(r_y, min_18_64), np.minimum(r_y, min_18_64 - 1))
        res_y = np.maximum(res_y, r_y)
        frame = pd.DataFrame(
            {
                "department_id": departments["department_id"].to_numpy(),
                "measured_on": pd.Timestamp(measured),
                "source": source,
                "residents_18_64": r_y,
                "units": units,
                "residents": res_y,
            }
        )
        yi = years.index(level_year)
        position = base[:, 0, :] + rng.normal(0, _POSITION_JITTER, (n, base.shape[2]))
        for c, column in enumerate(AREA_INDICATOR_COLUMNS):
            frame[column] = draw_levels(column, levels[:, yi, c], position[:, c])
        if source == "twin_tool":
            withheld = r_y < min_18_64
            frame.loc[withheld, list(AREA_INDICATOR_COLUMNS)] = np.nan
            # the twin tool publishes no convictions: they come from the parallel data
            frame["conviction_ratio"] = np.nan
        else:
            frame = frame.loc[(units > min_units) & (res_y > min_residents)]
            # the parallel data's rows carry what the presets read from them: convictions
            others = [c for c in AREA_INDICATOR_COLUMNS if c != "conviction_ratio"]
            frame.loc[:, others] = np.nan
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out["measured_on"] = out["measured_on"].astype("datetime64[s]")
    order = [
        "department_id", "measured_on", "source", "residents_18_64", "units", "residents",
        "outside_work_education_pct", "conviction_ratio", "basic_education_pct",
        "income_ratio_pct", "non_western_pct",
    ]
    return out[order].reset_index(drop=True)
