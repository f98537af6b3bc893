"""Benchmark: generating the example municipality, against validating the same tables.

The baseline is :meth:`Municipality.from_frames` on the generated tables (the
validation every municipality's data goes through), measured in the same run;
each part of the generator is reported as a ratio to it.

Usage::

    python benchmarks/bench_examples.py [--repeat N] [--seed S]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from fuaalborg import Municipality, load_parameters
from fuaalborg.examples import generate
from fuaalborg.examples._applicants import applicants_frame
from fuaalborg.examples._calibration import Calibration
from fuaalborg.examples._dwellings import dwellings_frame
from fuaalborg.examples._indicators import indicators_frame
from fuaalborg.examples._structure import departments_frame, organisations_frame

TABLES = ("organisations", "departments", "dwellings", "areas", "indicators", "lists")


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    town = generate(args.seed)
    params = load_parameters()
    cal = Calibration.from_parameters(params)
    orgs = organisations_frame()
    areas_ministry = set(town.areas.loc[town.areas["kind"] == "ministry", "area_id"])

    def rng() -> np.random.Generator:
        return np.random.default_rng(args.seed)

    baseline = best(
        lambda: Municipality.from_frames(**{t: getattr(town, t) for t in TABLES}), args.repeat
    )
    parts = {
        "generate (all, validated)": lambda: generate(args.seed),
        "departments and areas": lambda: departments_frame(rng(), cal, orgs, 20),
        "dwellings": lambda: dwellings_frame(
            rng(), town.departments, areas_ministry, {"M02", "M03"}, cal
        ),
        "indicators": lambda: indicators_frame(rng(), town.departments, town.areas, params),
        "applicants": lambda: applicants_frame(rng(), rng(), town.departments),
    }
    print(f"baseline: validate the tables ({len(town.dwellings):,} dwellings): "
          f"{baseline * 1000:.0f} ms")
    for name, fn in parts.items():
        seconds = best(fn, args.repeat)
        print(f"{name:<28} {seconds * 1000:8.0f} ms  {seconds / baseline:6.2f}× baseline")


if __name__ == "__main__":
    main()
