"""Benchmark the letting ledger: routing ten years of vacancies with fsync, and replay.

Prints events per second with an fsync after every event (on a sample) and with
group commit (fsync every 1,000 events) for ten years of the example
municipality's vacancies (about 32,000 at 13.7 % turnover), and the time to open
(replay and verify) the resulting log as a ratio to ``pandas.read_json(lines=True)``
of the same file, measured in the same run.

    python benchmarks/bench_ledger.py [--years 10] [--strict-sample 500] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import pandas as pd

from fuaalborg import examples
from fuaalborg.letting.ledger import Ledger
from fuaalborg.monitoring import placement_on
from fuaalborg.simulation.arrivals import vacancy_stream


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--strict-sample", type=int, default=500,
                        help="events recorded with an fsync each (default 500)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    town = examples.load()
    start = dt.date(2024, 1, 1)
    stream = vacancy_stream(town, start, days=365 * args.years)
    placement = placement_on(town, start)
    colours = {d: placement.colour_of(d) for d in town.departments["department_id"]}
    stream["colour"] = stream["department_id"].map(colours)
    print(f"{len(stream):,} vacancies over {args.years} years "
          f"({len(town.dwellings):,} dwellings)")

    with tempfile.TemporaryDirectory() as folder:
        strict_path = Path(folder) / "strict.jsonl"
        sample = stream.head(args.strict_sample)
        with Ledger.create(strict_path, town) as ledger:
            t0 = time.perf_counter()
            for row in sample.itertuples(index=False):
                ledger.record_vacancy(row.vacancy_id, row.dwelling_id, row.department_id,
                                      row.kind, row.vacant_on, row.monthly_rent_dkk, row.rooms,
                                      colour=row.colour)
            strict = time.perf_counter() - t0
        print(f"fsync per event : {len(sample) / strict:10,.0f} events/s "
              f"({1000 * strict / len(sample):.2f} ms per event, {len(sample)} events)")

        path = Path(folder) / "ledger.jsonl"
        with Ledger.create(path, town) as ledger:
            t0 = time.perf_counter()
            ledger.record_vacancies(stream, sync_every=1000)
            grouped = time.perf_counter() - t0
            events = len(ledger.events())
        size = path.stat().st_size
        print(f"group commit    : {len(stream) / grouped:10,.0f} events/s "
              f"({grouped:.1f} s for {len(stream):,} vacancies; {events:,} events, "
              f"{size / 1e6:.1f} MB)")

        replay, baseline = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with Ledger.open(path, readonly=True) as opened:
                assert len(opened.events()) == events
            replay.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            frame = pd.read_json(path, lines=True)
            baseline.append(time.perf_counter() - t0)
            assert len(frame) == events
        best_replay, best_base = min(replay), min(baseline)
        print(f"replay (open, verify every checksum and decision): {best_replay:.3f} s")
        print(f"pandas.read_json(lines=True) of the same file   : {best_base:.3f} s")
        print(f"ratio replay / read_json: {best_replay / best_base:.2f}x (aim <= 3x)")


if __name__ == "__main__":
    main()
