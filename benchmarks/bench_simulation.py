"""Benchmark: the capacity simulation against routing vacancies through the letting ledger.

The simulation (``fuaalborg.simulate``) runs RUNS × YEARS of the example
municipality's vacancies through the ledger's routing core
(``fuaalborg.letting.routing.route_frame``), vectorised over each chunk of runs.
The baseline is the ledger itself: one run's vacancies recorded one by one with
``Ledger.record_vacancy`` (checks, routing, an fsync-ed event per vacancy),
measured on a sample of LEDGER_VACANCIES and scaled linearly to the simulation's
number of vacancies. The ratio says how much cheaper a simulated vacancy is than
a recorded one. The share of the simulation spent inside ``route_frame`` is
reported too.

With ``--workers 1`` the share of time inside ``route_frame`` is measured too
(with more workers the routing happens in other processes).

Run: ``python benchmarks/bench_simulation.py`` (1,000 runs × 3 years, 2 workers);
``--runs 200 --years 1`` for a quick look.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

import fuaalborg
from fuaalborg import examples
from fuaalborg.letting import routing
from fuaalborg.letting.ledger import Ledger
from fuaalborg.monitoring import placement_on
from fuaalborg.simulation import engine
from fuaalborg.simulation.arrivals import Stock, draw_year

START = dt.date(2026, 1, 1)


def time_simulation(town: Any, runs: int, years: int, workers: int) -> tuple[float, float, int]:
    """Seconds for the whole simulation, seconds inside route_frame, vacancies routed."""
    inside = [0.0]
    original = engine.route_frame

    def timed(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            inside[0] += time.perf_counter() - t0

    engine.route_frame = timed  # type: ignore[assignment]
    try:
        t0 = time.perf_counter()
        result = fuaalborg.simulate(
            town, years=years, runs=runs, seed=1, start=START, workers=workers
        )
        elapsed = time.perf_counter() - t0
    finally:
        engine.route_frame = original  # type: ignore[assignment]
    return elapsed, inside[0], int(result.values("vacancies").sum())


def time_ledger(town: Any, years: int, limit: int) -> tuple[float, int]:
    """Seconds to record up to ``limit`` vacancies of one run through a ledger file."""
    deps = town.departments["department_id"].astype(str).tolist()
    stock = Stock.from_frame(town.dwellings, deps)
    order = np.argsort(
        town.dwellings["department_id"]
        .astype(str)
        .map({d: i for i, d in enumerate(deps)})
        .to_numpy(),
        kind="stable",
    )
    dws = town.dwellings.iloc[order].reset_index(drop=True)
    colours = placement_on(town, START).colours()
    rate = (
        stock.size * fuaalborg.load_parameters().get("agreement.figures.turnover_pct", START) / 100
    )
    rng = np.random.default_rng(1)
    rows = []
    for y in range(years):
        first = START.replace(year=START.year + y)
        year = draw_year(stock, rate, 365, rng)
        for dep, dw, day in zip(
            year.department.tolist(), year.dwelling.tolist(), year.day.tolist(), strict=True
        ):
            rows.append((dw, deps[dep], first + dt.timedelta(days=day)))
    rows = rows[:limit]
    with tempfile.TemporaryDirectory() as folder:
        ledger = Ledger.create(Path(folder) / "bench.jsonl", town)
        t0 = time.perf_counter()
        with ledger:
            for i, (dw, dep, on) in enumerate(rows):
                row = dws.iloc[dw]
                ledger.record_vacancy(
                    f"V{i}",
                    str(row["dwelling_id"]),
                    dep,
                    str(row["kind"]),
                    on,
                    float(row["monthly_rent_dkk"]),
                    int(row["rooms"]),
                    colour=str(colours[dep]),
                )
        elapsed = time.perf_counter() - t0
    return elapsed, len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the simulation (2 cores)"
    )
    parser.add_argument(
        "--ledger-vacancies",
        type=int,
        default=1000,
        help="vacancies recorded through the ledger (a sample of one run)",
    )
    args = parser.parse_args()
    town = examples.load()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} cores; fuaalborg {fuaalborg.__version__}"
    )
    placement_on(town, START)  # warm the placement cache for both sides
    sim, core, vacancies = time_simulation(town, args.runs, args.years, args.workers)
    led, recorded = time_ledger(town, args.years, args.ledger_vacancies)
    per_sim = sim / vacancies
    per_ledger = led / recorded
    print(
        f"simulation: {args.runs} runs × {args.years} years, {args.workers} worker(s) = "
        f"{vacancies:,} vacancies "
        f"in {sim:.1f} s ({per_sim * 1e6:.2f} µs a vacancy; "
        f"{core / sim:.0%} inside routing.route_frame in this process)"
    )
    print(
        f"ledger:     {recorded:,} vacancies recorded one by one (fsync each) in "
        f"{led:.2f} s ({per_ledger * 1e6:.0f} µs a vacancy)"
    )
    print(
        f"ledger time for the simulation's {vacancies:,} vacancies (scaled): "
        f"{per_ledger * vacancies:,.0f} s"
    )
    print(
        f"ratio simulation / ledger for the same number of vacancies: "
        f"{per_sim / per_ledger:.4f} (the simulation is {per_ledger / per_sim:,.0f}× faster "
        "per vacancy)"
    )
    one_run = vacancies / args.runs
    print(
        f"ratio simulation / ledger routing one run's {one_run:,.0f} vacancies once: "
        f"{sim / (per_ledger * one_run):.1f}"
    )
    _ = routing  # the core both sides share


if __name__ == "__main__":
    main()
