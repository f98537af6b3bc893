"""Benchmark the letting ledger in its three stores: writers, opening, verifying.

In one run, on the example municipality's vacancies (13.7 % turnover):

* aggregate vacancies per second with 1 and with 4 writer processes on a file,
  SQLite and PostgreSQL (every vacancy its own durable transaction), as ratios
  to one writer on the file;
* the time to open a ledger of 10,000 and of 100,000 vacancies (the file
  replays and checks everything; a database reads its metadata), as the ratio
  of the larger to the smaller;
* ``verify`` of the 100,000-vacancy ledger in each store, as a ratio to the
  file's replay.

PostgreSQL runs in a throw-away server started here with its default
durability (``fsync`` on), on a unix socket; without server programs its rows
are left out. Run:

    python benchmarks/bench_ledger.py [--writes 400] [--large 100000] [--small 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from fuaalborg import examples
from fuaalborg.letting.ledger import Ledger
from fuaalborg.monitoring import placement_on
from fuaalborg.simulation.arrivals import vacancy_stream

_FORK = multiprocessing.get_context("fork")
_COLUMNS = ["vacancy_id", "dwelling_id", "department_id", "kind", "vacant_on",
            "monthly_rent_dkk", "rooms", "colour"]


def _stream(town: Any, count: int) -> pd.DataFrame:
    start = dt.date(2024, 1, 1)
    years = max(1, int(count / (len(town.dwellings) * 0.137)) + 1)
    stream = vacancy_stream(town, start, days=365 * years).head(count).copy()
    placement = placement_on(town, start)
    colours = {d: placement.colour_of(d) for d in town.departments["department_id"]}
    stream["colour"] = stream["department_id"].map(colours)
    return stream


def _write(target: str, rows: list[tuple[Any, ...]], start: Any, done: Any) -> None:
    start.wait(timeout=60)
    with Ledger.open(target) as ledger:
        for vid, dwelling, dep, kind, on, rent, rooms, colour in rows:
            ledger.record_vacancy(vid, dwelling, dep, kind, on, rent, rooms, colour=colour)
    done.put(len(rows))


def _throughput(target: str, stream: pd.DataFrame, writers: int) -> float:
    """Vacancies per second, all writers together, each vacancy its own transaction."""
    rows = list(stream[_COLUMNS].itertuples(index=False, name=None))
    parts = [rows[i::writers] for i in range(writers)]
    start, done = _FORK.Event(), _FORK.Queue()
    procs = [_FORK.Process(target=_write, args=(target, part, start, done)) for part in parts]
    for proc in procs:
        proc.start()
    time.sleep(0.2)  # every writer has opened the ledger
    t0 = time.perf_counter()
    start.set()
    total = sum(done.get(timeout=600) for _ in procs)
    elapsed = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    assert total == len(rows)
    return total / elapsed


def _best(action: Callable[[], Any], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        action()
        times.append(time.perf_counter() - t0)
    return min(times)


def _open(target: str) -> None:
    with Ledger.open(target, readonly=True) as ledger:
        ledger.counters("x")


def _verify(target: str) -> None:
    with Ledger.open(target, readonly=True) as ledger:
        ledger.verify()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=400,
                        help="vacancies each throughput run records (default 400)")
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    import postgres_server

    town = examples.load()
    stream = _stream(town, args.large)
    print(f"{len(stream):,} vacancies of the example municipality "
          f"({len(town.dwellings):,} dwellings)")
    runner = postgres_server.start(durable=True)
    server = next(runner)
    if isinstance(server, str):
        print(f"PostgreSQL left out: {server}")
        server = None

    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        counter = iter(range(1000))

        def target(kind: str) -> str:
            n = next(counter)
            if kind == "file":
                return str(base / f"l{n}.jsonl")
            if kind == "sqlite":
                return f"sqlite:///{base}/l{n}.db"
            assert server is not None
            return str(server.url(postgres_server.new_database(server)))

        kinds = ["file", "sqlite"] + (["postgresql"] if server is not None else [])
        sample = stream.head(args.writes)
        rates: dict[tuple[str, int], float] = {}
        for kind in kinds:
            for writers in (1, 4):
                where = target(kind)
                Ledger.create(where, town).close()
                rates[(kind, writers)] = _throughput(where, sample, writers)
        baseline = rates[("file", 1)]
        print(f"\nwriters ({len(sample)} vacancies, one durable transaction each)")
        for (kind, writers), rate in rates.items():
            print(f"  {kind:<10} {writers} writer{'s' if writers > 1 else ' '}: "
                  f"{rate:8,.0f} vacancies/s  {rate / baseline:5.2f}x the file with 1 writer")

        sizes = {"small": args.small, "large": args.large}
        files = {}
        for name, size in sizes.items():
            files[name] = base / f"{name}.jsonl"
            t0 = time.perf_counter()
            with Ledger.create(files[name], town) as ledger:
                ledger.record_vacancies(stream.head(size), sync_every=5000)
            if name == "large":
                print(f"\nrecorded {size:,} vacancies with group commit in "
                      f"{time.perf_counter() - t0:.1f} s "
                      f"({files[name].stat().st_size / 1e6:.0f} MB file)")
        opened: dict[tuple[str, str], float] = {}
        large: dict[str, str] = {}
        for kind in kinds:
            for name in sizes:
                where = str(files[name]) if kind == "file" else target(kind)
                if kind != "file":
                    Ledger.convert(files[name], where)
                if name == "large":
                    large[kind] = where
                opened[(kind, name)] = _best(lambda w=where: _open(w))
        print(f"\nopening ({args.small:,} and {args.large:,} vacancies)")
        for kind in kinds:
            small_t, large_t = opened[(kind, "small")], opened[(kind, "large")]
            print(f"  {kind:<10} {1000 * small_t:8.1f} ms / {1000 * large_t:8.1f} ms: "
                  f"{large_t / small_t:5.2f}x for {args.large // args.small}x the vacancies")
        print(f"\nverify ({args.large:,} vacancies)")
        replay = opened[("file", "large")]
        for kind in kinds:
            seconds = _best(lambda w=large[kind]: _verify(w), repeat=1)
            print(f"  {kind:<10} {seconds:6.2f} s  {seconds / replay:5.2f}x the file's replay")
    if server is not None:
        runner.close()


if __name__ == "__main__":
    main()
