"""Benchmark: placing synthetic departments on the step model vs plain pandas.

The baseline takes the latest twin-tool row per department, joins the list in
force, compares the same thresholds with plain pandas and picks the colour with
``numpy.select``. ``StepModel.place`` does the same plus discretion, reasons,
value columns and (optionally) input validation. Run::

    python benchmarks/bench_monitoring.py [--departments 100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from fuaalborg.monitoring import StepModel
from fuaalborg.parameters import load_parameters

ON = dt.date(2024, 6, 1)


def synthetic(n: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    ids = np.char.add("D", np.arange(n).astype(str)).astype(object)
    areas = np.where(rng.random(n) < 0.1, "A" + (np.arange(n) % 50).astype(str), None)
    r1864 = rng.integers(5, 400, n)
    deps = pd.DataFrame({
        "department_id": ids, "organisation_cvr": "31831814", "name": ids, "area_id": areas,
        "family_dwellings": rng.integers(5, 300, n), "bab_dwellings": 0,
        "residents": r1864 * 2, "residents_18_64": r1864,
    })
    def ind(source: str, day: str) -> pd.DataFrame:
        return pd.DataFrame({
            "department_id": ids, "measured_on": pd.Timestamp(day), "source": source,
            "residents_18_64": r1864, "units": 100, "residents": r1864 * 2,
            "outside_work_education_pct": rng.uniform(0, 60, n),
            "conviction_ratio": rng.uniform(0, 4, n),
            "basic_education_pct": rng.uniform(10, 80, n),
            "income_ratio_pct": rng.uniform(30, 120, n),
            "non_western_pct": rng.uniform(0, 70, n),
        })
    # each source gives what it measures: the twin tool the shares and the income, the
    # parallel-society data the conviction ratio (the preset reads each from its source)
    twin, parallel = ind("twin_tool", "2023-11-01"), ind("parallel_data", "2024-02-01")
    twin["conviction_ratio"] = np.nan
    others = ["outside_work_education_pct", "basic_education_pct", "income_ratio_pct",
              "non_western_pct"]
    parallel[others] = np.nan
    indicators = pd.concat([twin, parallel], ignore_index=True)
    lists = pd.DataFrame({
        "area_id": [f"A{i}" for i in range(50)],
        "list_date": pd.Timestamp("2023-12-01"),
        "designation": np.where(np.arange(50) % 3 == 0, "udsat", "none"),
    })
    return deps, indicators, lists


def baseline(deps: pd.DataFrame, ind: pd.DataFrame, lists: pd.DataFrame) -> pd.Series:
    day = pd.Timestamp(ON)
    latest = {}
    for source in ("twin_tool", "parallel_data"):
        sub = ind[(ind["source"] == source) & (ind["measured_on"] <= day)]
        latest[source] = sub.sort_values("measured_on").drop_duplicates(
            "department_id", keep="last").set_index("department_id")
    twin = latest["twin_tool"].reindex(deps["department_id"])
    par = latest["parallel_data"].reindex(deps["department_id"])
    # department-level parallel-society data exist only above these sizes (note 13)
    params = load_parameters()
    published = ((par["units"] > params.get("monitoring.parallel_data.min_units", ON))
                 & (par["residents"] > params.get("monitoring.parallel_data.min_residents", ON)))
    in_force = lists[lists["list_date"] == lists.loc[lists["list_date"] <= day, "list_date"].max()]
    designation = deps["area_id"].map(in_force.set_index("area_id")["designation"]).fillna("none")
    red = designation.isin(["omdannelse", "parallelsamfund", "udsat", "forebyggelse"]).to_numpy()
    monitored = (deps["residents_18_64"] >= 20).to_numpy()
    count = (
        (twin["outside_work_education_pct"] > 30).to_numpy().astype(int)
        + (par["conviction_ratio"].where(published) >= 2).to_numpy()
        + (twin["basic_education_pct"] > 60).to_numpy()
        + (twin["income_ratio_pct"] < 65).to_numpy()
    )
    yellow = ~red & monitored & (count >= 2) & (twin["non_western_pct"] > 30).to_numpy()
    return pd.Series(np.select([red, yellow], ["red", "yellow"], "green"), index=deps.index)


def best(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--departments", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    deps, ind, lists = synthetic(args.departments)
    model = StepModel.load("aalborg-2023")
    t_base, colours = best(lambda: baseline(deps, ind, lists), args.repeat)
    t_place, placement = best(
        lambda: model.place(deps, ind, lists, ON, validate=False), args.repeat
    )
    t_valid, _ = best(lambda: model.place(deps, ind, lists, ON), 1)
    agree = (placement.frame["colour"].to_numpy() == colours.to_numpy()).all()  # type: ignore[union-attr]
    print(f"departments: {args.departments:,}")
    print(f"plain pandas comparison:        {t_base * 1000:8.1f} ms")
    print(f"StepModel.place (validate=False): {t_place * 1000:8.1f} ms  "
          f"ratio {t_place / t_base:5.2f}x")
    print(f"StepModel.place (validated):      {t_valid * 1000:8.1f} ms  "
          f"ratio {t_valid / t_base:5.2f}x")
    print(f"same colours as the baseline: {bool(agree)}")


if __name__ == "__main__":
    main()
