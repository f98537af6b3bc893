"""Benchmark: the criteria firewall, in-process and isolated, against the bare predicates.

Ten criteria over a synthetic waiting list (default 1,000,000 applicants),
measured in one run:

1. the bare predicates, called directly on the whole frame (the baseline);
2. the in-process firewall: ``Registry.evaluate_many`` (a fresh frame of
   private copies of the declared columns per criterion, result checks);
3. the same predicates in an isolated plug-in (``bench_criteria_plugin``,
   loaded by module name): the declared columns written to shared memory,
   the worker builds the same firewalled frames, one bit per applicant back.

Results of all three are checked to be equal before timing. It also prints
what the firewall's column copies cost, the two transports that were measured
for the worker (Arrow IPC through the pipe, pickle protocol 5 with the column
buffers in shared memory), the worker's start-up, and a ``rank_many`` batch
with an agreement of isolated criteria against the same agreement in-process
(the start-up is paid once per registry, not per vacancy).

    python benchmarks/bench_criteria.py [--rows N] [--repeat R] [--many V]
"""

from __future__ import annotations

import argparse
import datetime as dt
import pickle
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_criteria_plugin as plugin

from fuaalborg.criteria import LettingAgreement, load
from fuaalborg.criteria.firewall import private_copy
from fuaalborg.criteria.testing import synthetic_applicants
from fuaalborg.errors import AssumedTermsWarning
from fuaalborg.letting.ranking import rank_many
from fuaalborg.letting.vacancy import Vacancy

ON = dt.date(2024, 5, 1)
IDS = plugin.IDS


def best(fn: Callable[[], Any], repeat: int) -> float:
    """The best of ``repeat`` timings, in seconds."""
    return interleaved([fn], repeat)[0]


def interleaved(fns: list[Callable[[], Any]], repeat: int) -> list[float]:
    """The best of ``repeat`` timings of each function, taken in turns (drift hits all alike)."""
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            times[i].append(time.perf_counter() - start)
    return [min(t) for t in times]


def transports(frame: Any, columns: list[str], repeat: int) -> tuple[float, float]:
    """Seconds to hand the columns to another process's memory: Arrow IPC, pickle 5 + copy."""
    sub = frame[columns]

    def arrow() -> None:
        table = pa.Table.from_pandas(sub, preserve_index=False)
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        back = pa.ipc.open_stream(sink.getvalue()).read_all()
        back.to_pandas()

    target = bytearray(1)

    def pickled() -> None:
        nonlocal target
        buffers: list[pickle.PickleBuffer] = []
        head = pickle.dumps(
            {c: sub[c].array for c in columns}, protocol=5, buffer_callback=buffers.append
        )
        raws = [b.raw() for b in buffers]
        size = len(head) + sum(r.nbytes for r in raws)
        if len(target) < size:
            target = bytearray(size)
        view = memoryview(target)
        view[: len(head)] = head
        offset = len(head)
        spans = []
        for raw in raws:
            view[offset : offset + raw.nbytes] = raw.cast("B")
            spans.append(view[offset : offset + raw.nbytes])
            offset += raw.nbytes
        pickle.loads(view[: len(head)], buffers=spans)

    return best(arrow, repeat), best(pickled, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--many", type=int, default=1_000, help="vacancies in the batch")
    parser.add_argument("--many-rows", type=int, default=100_000)
    args = parser.parse_args()
    warnings.simplefilter("ignore", AssumedTermsWarning)

    start = time.perf_counter()
    isolated = load([plugin.__name__], entry_points=False)
    t_start = time.perf_counter() - start
    registry = load(entry_points=False)
    frame = synthetic_applicants(args.rows, seed=0)
    values = {
        cid: {n: registry.parameters.get(n, ON) for n in registry.criteria[cid].parameters}
        for cid in IDS
    }
    bench_ids = [plugin.PREFIX + c for c in IDS]

    def direct() -> dict[str, Any]:
        out = {}
        for cid in IDS:
            crit = registry.criteria[cid]
            if crit.parameters:
                out[cid] = crit.predicate(frame, values[cid])  # type: ignore[call-arg]
            else:
                out[cid] = crit.predicate(frame)  # type: ignore[call-arg]
        return out

    def firewalled() -> Any:
        return registry.evaluate_many(IDS, frame, ON)

    def remote() -> Any:
        return isolated.evaluate_many(bench_ids, frame, ON)

    base, here, there = direct(), firewalled(), remote()
    for cid in IDS:
        assert np.array_equal(np.asarray(base[cid], dtype=bool), here[cid].to_numpy())
        assert np.array_equal(here[cid].to_numpy(), there[plugin.PREFIX + cid].to_numpy())

    t_direct, t_fire, t_iso = interleaved([direct, firewalled, remote], args.repeat)
    reads = sorted({f for c in IDS for f in registry.criteria[c].reads})
    copies = sum(len(registry.criteria[c].reads) for c in IDS)
    index = frame.index

    def copy_all() -> None:
        for cid in IDS:
            for name in registry.criteria[cid].reads:
                private_copy(frame[name], index)

    t_copy = best(copy_all, args.repeat)
    t_arrow, t_pickle = transports(frame, reads, args.repeat)

    print(f"{len(IDS)} criteria over {args.rows:,} applicants (best of {args.repeat})")
    print(f"  bare predicates on the frame:     {t_direct * 1000:8.1f} ms")
    print(f"  in-process firewall:              {t_fire * 1000:8.1f} ms")
    print(f"  isolated plug-in (worker):        {t_iso * 1000:8.1f} ms")
    print(f"  ratio in-process / bare:          {t_fire / t_direct:8.2f}x  (aim <= 1.3x)")
    print(f"  ratio isolated / in-process:      {t_iso / t_fire:8.2f}x  (aim <= 2x)")
    print(f"  of which the {copies} private column copies: {t_copy * 1000:6.1f} ms")
    print(f"  transport of the {len(reads)} columns read, Arrow IPC round trip: "
          f"{t_arrow * 1000:6.1f} ms; pickle 5 into shared memory and back: "
          f"{t_pickle * 1000:6.1f} ms")
    print(f"  worker start-up (load of the isolated plug-in): {t_start * 1000:6.0f} ms")

    if args.many:
        many_frame = synthetic_applicants(args.many_rows, seed=1)
        rng = np.random.default_rng(3)
        vacancies = [
            Vacancy(f"D{i % 50:03d}", int(rng.integers(1, 6)), 6000.0, ON, floor=int(i % 4))
            for i in range(args.many)
        ]

        def agreement(prefix: str) -> LettingAgreement:
            return LettingAgreement(
                organisation_cvr="12011814",
                departments=("D000",),
                groups=tuple(prefix + g for g in ("employment", "families_with_children")),
                flexible_share=1.0,
                legal_basis="benchmark",
                valid_from=dt.date(2020, 1, 1),
                valid_until=None,
            )

        def batch(reg: Any, prefix: str) -> None:
            rank_many(
                many_frame, vacancies, registry=reg, route="flexible",
                agreement=agreement(prefix), top=25,
            )

        batch(registry, "")  # warm the ranking's own code paths first
        isolated.close()
        start = time.perf_counter()
        batch(isolated, plugin.PREFIX)  # restarts the worker: the batch pays its start-up
        t_first = time.perf_counter() - start
        t_many_here, t_many_there = interleaved(
            [lambda: batch(registry, ""), lambda: batch(isolated, plugin.PREFIX)],
            max(1, args.repeat // 2),
        )
        print(f"rank_many, {args.many:,} vacancies against {args.many_rows:,} applicants, top=25")
        print(f"  in-process criteria:                 {t_many_here * 1000 / args.many:8.2f} "
              "ms per vacancy")
        print(f"  isolated criteria, worker running:   {t_many_there * 1000 / args.many:8.2f} "
              "ms per vacancy")
        print(f"  isolated, first batch incl. worker start: {t_first * 1000 / args.many:8.2f} "
              f"ms per vacancy ({t_first:.2f} s in all; the start-up adds "
              f"{(t_first - t_many_there) * 1000 / args.many:.2f} ms per vacancy)")
    isolated.close()


if __name__ == "__main__":
    main()
