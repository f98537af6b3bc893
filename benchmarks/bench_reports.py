"""Benchmark of the reports: reading ledger events and protecting public tables.

Prints time ratios against baselines measured in the same run:

- ``letting_frame`` over N synthetic vacancy and answer events, as a ratio to
  building a plain DataFrame from the same event dicts;
- ``protect_counts`` (primary and secondary suppression) of an organisation ×
  route table, as a ratio to ``pandas.crosstab`` building that table from the
  lettings.

Run: ``python benchmarks/bench_reports.py [--events N] [--organisations K]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from fuaalborg.reports.disclosure import protect_counts
from fuaalborg.reports.report import letting_frame


def best(func: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append(time.perf_counter() - t0)
    return min(times)


def synthetic_events(n: int, seed: int = 1) -> list[dict[str, object]]:
    rng = np.random.default_rng(seed)
    start = dt.date(2024, 1, 1)
    events: list[dict[str, object]] = []
    for i in range(n):
        referral = rng.random() < 0.2
        events.append({
            "type": "vacancy", "on": (start + dt.timedelta(days=int(i * 365 / n))).isoformat(),
            "vacancy_id": f"V{i}", "department_id": f"D{i % 271:03d}", "dwelling_id": f"W{i}",
            "kind": "family", "monthly_rent_dkk": float(rng.integers(2500, 9000)),
            "colour": "green", "route": "referral" if referral else "waiting_list",
            "subroute": None if referral else ("flexible" if rng.random() < 0.1 else "ordinary"),
            "turn": None if referral else ("internal" if i % 2 else "external"),
            "reason_code": "referral_turn", "rules": "r1",
        })
        if referral:
            events.append({"type": "answer", "on": events[-1]["on"], "vacancy_id": f"V{i}",
                           "answer": "let"})
    return events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--organisations", type=int, default=14)
    args = parser.parse_args()
    events = synthetic_events(args.events)
    start, end = dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ours = best(lambda: letting_frame(events, start, end), 3)
    base = best(lambda: pd.DataFrame(events), 3)
    print(f"letting_frame, {len(events):,} events: {ours * 1e3:.1f} ms; "
          f"plain DataFrame of the events: {base * 1e3:.1f} ms; ratio {ours / base:.2f}x")
    rng = np.random.default_rng(2)
    lettings = pd.DataFrame({
        "organisation": rng.integers(0, args.organisations, size=args.events),
        "route": rng.choice(["referral", "flexible", "internal", "ordinary", "unknown"],
                            p=[0.2, 0.02, 0.38, 0.38, 0.02], size=args.events),
    })
    table = pd.crosstab(lettings["organisation"], lettings["route"])
    # make small cells so that suppression has work to do
    table.iloc[:, 1] = rng.integers(0, 6, size=len(table))
    ours = best(lambda: protect_counts(table, 5))
    base = best(lambda: pd.crosstab(lettings["organisation"], lettings["route"]))
    protected = protect_counts(table, 5)
    print(f"protect_counts {table.shape[0]}x{table.shape[1]} "
          f"({protected.n_primary} primary, {protected.n_secondary} secondary): "
          f"{ours * 1e3:.2f} ms; crosstab of the lettings: {base * 1e3:.2f} ms; "
          f"ratio {ours / base:.2f}x")


if __name__ == "__main__":
    main()
