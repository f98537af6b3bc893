"""Benchmark: the capacity simulation against its own routing before it worked on integer codes.

The workload: RUNS × YEARS of the example municipality's vacancies from
2026-01-01, seed 1, on WORKERS processes (default 1,000 × 3 years, about 9.6
million vacancies, on 2 workers). Two contestants run it in turns, in the same
process:

* **before** — a faithful copy of the simulation's routing as it was before
  (``benchmarks/_simulation_before.py``): text columns, a dict of counters,
  one ``route_frame`` call per year and referral-share group;
* **now** — ``fuaalborg.simulate``: integer codes through
  ``fuaalborg.letting.routing.route_codes``, the core the ledger's
  ``route_frame`` shares.

Both results are checked equal, count for count, before any figure is printed.
The figure that matters is the ratio of **vacancies per second per core**: the
vacancies divided by the CPU seconds of this process and its worker processes
(measured with ``resource.getrusage``), so that another job on a shared core
changes it less than it changes the wall-clock time, which is shown too. Each
contestant's figure is the best of ``--repeats`` turns.

For scale, the ledger: one run's vacancies recorded one by one with
``Ledger.record_vacancy`` (checks, routing, an fsync-ed event per vacancy),
measured on a sample and scaled to the simulation's vacancies.

``--profile N`` prints the N top lines (by own time) of a cProfile of both
contestants on one worker instead.

Run: ``python benchmarks/bench_simulation.py`` (1,000 runs × 3 years, 2 workers);
``--runs 200 --years 1`` for a quick look.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import platform
import pstats
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import fuaalborg
from fuaalborg import examples
from fuaalborg.letting.ledger import Ledger
from fuaalborg.monitoring import placement_on
from fuaalborg.simulation.arrivals import Stock, draw_year

sys.path.insert(0, str(Path(__file__).parent))
from _simulation_before import simulate_before

START = dt.date(2026, 1, 1)
Simulate = Callable[..., fuaalborg.SimulationResult]


def cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run(simulate: Simulate, town: Any, runs: int, years: int, workers: int
        ) -> tuple[float, float, fuaalborg.SimulationResult]:
    """Wall seconds, CPU seconds and the result of one simulation."""
    cpu, wall = cpu_seconds(), time.perf_counter()
    result = simulate(town, years=years, runs=runs, seed=1, start=START, workers=workers)
    return time.perf_counter() - wall, cpu_seconds() - cpu, result


def same_result(before: fuaalborg.SimulationResult, now: fuaalborg.SimulationResult) -> None:
    """Fail unless both results hold the same counts (NaN where the other has NaN)."""
    assert sorted(before.counts) == sorted(now.counts)
    for name, values in before.counts.items():
        np.testing.assert_array_equal(values, now.counts[name], err_msg=name)


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


def profile(town: Any, runs: int, years: int, lines: int) -> None:
    """Print the top ``lines`` of a profile of each contestant (one worker)."""
    for name, simulate in (("before", simulate_before), ("now", fuaalborg.simulate)):
        profiler = cProfile.Profile()
        profiler.enable()
        simulate(town, years=years, runs=runs, seed=1, start=START)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("tottime").print_stats(lines)
        print(f"--- {name}: {runs} runs × {years} years, 1 worker")
        print("\n".join(line for line in out.getvalue().splitlines()
                        if line.strip() and "Ordered by" not in line
                        and "List reduced" not in line))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument(
        "--workers", type=int, default=2, help="processes for the simulation (2 cores)"
    )
    parser.add_argument("--repeats", type=int, default=2,
                        help="turns per contestant; the best counts")
    parser.add_argument(
        "--ledger-vacancies",
        type=int,
        default=1000,
        help="vacancies recorded through the ledger (a sample of one run)",
    )
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="print the N top lines of a profile of each contestant instead")
    args = parser.parse_args()
    town = examples.load()
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, pandas "
        f"{pd.__version__}, {os.cpu_count()} cores; fuaalborg {fuaalborg.__version__}"
    )
    placement_on(town, START)  # warm the placement cache for both contestants
    fuaalborg.simulate(town, years=1, runs=2, seed=1, start=START)  # imports, caches
    simulate_before(town, years=1, runs=2, seed=1, start=START)
    if args.profile:
        profile(town, args.runs, args.years, args.profile)
        return
    best: dict[str, tuple[float, float]] = {}
    results: dict[str, fuaalborg.SimulationResult] = {}
    for _ in range(args.repeats):
        for name, simulate in (("before", simulate_before), ("now", fuaalborg.simulate)):
            wall, cpu, results[name] = run(simulate, town, args.runs, args.years, args.workers)
            old = best.get(name, (np.inf, np.inf))
            best[name] = (min(old[0], wall), min(old[1], cpu))
    same_result(results["before"], results["now"])
    vacancies = int(results["now"].values("vacancies").sum())
    print(f"workload: {args.runs} runs × {args.years} years = {vacancies:,} vacancies, "
          f"{args.workers} worker(s), best of {args.repeats}; results equal count for count")
    print(f"{'':8s} {'wall s':>8s} {'CPU s':>8s} {'vacancies/s per core':>22s} "
          f"{'µs CPU a vacancy':>17s}")
    for name in ("before", "now"):
        wall, cpu = best[name]
        print(f"{name:8s} {wall:8.2f} {cpu:8.2f} {vacancies / cpu:22,.0f} "
              f"{cpu / vacancies * 1e6:17.3f}")
    (wall_b, cpu_b), (wall_n, cpu_n) = best["before"], best["now"]
    print(f"ratio now / before: CPU {cpu_n / cpu_b:.3f} (vacancies per second per core "
          f"{cpu_b / cpu_n:.1f}× before's), wall {wall_n / wall_b:.3f} "
          f"({wall_b / wall_n:.1f}× as fast)")
    led, recorded = time_ledger(town, args.years, args.ledger_vacancies)
    per_ledger = led / recorded
    print(
        f"ledger: {recorded:,} vacancies recorded one by one (fsync each) in {led:.2f} s "
        f"({per_ledger * 1e6:,.0f} µs a vacancy); the simulation's {vacancies:,} would take "
        f"{per_ledger * vacancies:,.0f} s, {per_ledger * vacancies / wall_n:,.0f}× its wall time"
    )


if __name__ == "__main__":
    main()
