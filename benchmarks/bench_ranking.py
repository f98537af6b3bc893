"""Benchmark: ``fuaalborg.rank`` against two hand-written rankings of the same order.

All three rank a synthetic waiting list for one vacancy on the flexible route
with three built-in criteria (clean criminal record, education above basic
school, families with children): eligibility (active, at most two persons per
room), the first group met, seniority, applicant id, one row per applicant
(both lists).

- The **lean baseline** — the reference for the target — applies the same
  predicates directly to the columns, takes the group with ``numpy.select``,
  orders the eligible rows with one ``numpy.lexsort`` over (group, seniority,
  id, list), keeps each applicant's first row and builds the ranked frame with
  ``DataFrame.take``. Text ids are sorted as fixed-width bytes (``astype("S")``),
  which order as the text does.
- The **sort_values baseline** builds a frame of the eligible rows and sorts it
  with ``DataFrame.sort_values`` on four keys, then ``drop_duplicates``.

``fuaalborg.rank`` also validates the table, passes the criteria through the
firewall, and builds a frame with more columns (criteria met, sort key) and the
decision's facts. All three results are checked equal (ids; lists and groups
against the lean one) before timing. Timings take turns — lean, sort_values,
rank, rank with ``top=25`` — and the best of each is kept; ratios compare
figures of the same run.

Then ``rank_many`` ranks 1,000 vacancies against 100,000 applicants with
``top=25`` and reports milliseconds per vacancy next to one full ``rank``.

Run: ``python benchmarks/bench_ranking.py`` (10k, 100k and 1M, about two
minutes); ``--sizes 10000 100000`` skips the million; ``--many 0`` skips the
batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import fuaalborg
from fuaalborg.criteria.declarations import LettingAgreement
from fuaalborg.criteria.registry import load

ON = dt.date(2025, 12, 31)
GROUPS = ("clean_criminal_record", "education_above_basic", "families_with_children")
LEVELS = ("basic", "upper_secondary", "vocational", "short_higher", "higher")


def waiting_list(n: int, seed: int = 7) -> pd.DataFrame:
    """A synthetic waiting list of ``n`` rows; about 10 % of applicants on both lists."""
    rng = np.random.default_rng(seed)
    people = int(n / 1.1)
    ids = np.concatenate([np.arange(people), rng.choice(people, n - people, replace=False)])
    lists = np.where(np.arange(n) < people, rng.choice(["internal", "external"], n, p=[0.3, 0.7]),
                     "internal")
    both = np.arange(n) >= people
    lists = np.where(both, "internal", np.where(np.isin(ids, ids[both]), "external", lists))
    frame = pd.DataFrame(
        {
            "applicant_id": pd.array([f"A{i:08d}" for i in ids], dtype="string"),
            "list": pd.array(lists, dtype="string"),
            "seniority_date": (
                np.datetime64("1995-01-01") + rng.integers(0, 11_000, n).astype("timedelta64[D]")
            ).astype("datetime64[s]"),
            "household_size": rng.integers(1, 7, n),
            "active": rng.random(n) < 0.9,
            "criminal_record_clean": rng.random(n) < 0.85,
            "highest_education": pd.array(rng.choice(LEVELS, n), dtype="string"),
            "children": rng.integers(0, 3, n),
            "name": pd.array(rng.choice(["Anna", "Ali", "Jens", "Mette"], n), dtype="string"),
        }
    )
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


def _groups(frame: pd.DataFrame, registry: Any) -> np.ndarray[Any, Any]:
    """The first group met (1…3), 4 for none: the predicates applied to the columns."""
    masks = []
    for cid in GROUPS:
        crit = registry.criteria[cid]
        masks.append(crit.predicate(frame[sorted(crit.reads)]).to_numpy(dtype=bool))
    return np.select(masks, [1, 2, 3], 4)


def _eligible(frame: pd.DataFrame, rooms: int) -> np.ndarray[Any, Any]:
    active = frame["active"].to_numpy(dtype=bool)
    return active & (frame["household_size"].to_numpy() <= 2 * rooms)


def lean(frame: pd.DataFrame, registry: Any, rooms: int) -> pd.DataFrame:
    """The lean baseline: np.select, one np.lexsort, first row per applicant, DataFrame.take."""
    group = _groups(frame, registry)
    rows = np.flatnonzero(_eligible(frame, rooms))
    ids = frame["applicant_id"].to_numpy()[rows].astype("S")
    external = (frame["list"] == "external").to_numpy(dtype=bool)[rows]
    seniority = frame["seniority_date"].to_numpy()[rows]
    order = rows[np.lexsort((external, ids, seniority, group[rows]))]
    ranked = frame[["applicant_id", "list", "seniority_date"]].take(order)
    first = ~ranked["applicant_id"].duplicated().to_numpy()
    ranked = ranked[first].reset_index(drop=True)
    ranked.insert(0, "rank", np.arange(1, len(ranked) + 1))
    ranked.insert(3, "group", group[order[first]])
    return ranked


def sort_values(frame: pd.DataFrame, registry: Any, rooms: int) -> pd.DataFrame:
    """The sort_values baseline: np.select, sort_values on four keys, drop_duplicates."""
    group = _groups(frame, registry)
    eligible = _eligible(frame, rooms)
    sub = pd.DataFrame(
        {
            "applicant_id": frame["applicant_id"].to_numpy()[eligible],
            "list": frame["list"].to_numpy()[eligible],
            "group": group[eligible],
            "seniority_date": frame["seniority_date"].to_numpy()[eligible],
        }
    )
    sub = sub.sort_values(["group", "seniority_date", "applicant_id", "list"])
    sub = sub.drop_duplicates("applicant_id", keep="first")
    sub.insert(0, "rank", np.arange(1, len(sub) + 1))
    return sub.reset_index(drop=True)


def check(frame: pd.DataFrame, registry: Any, rooms: int, ours: pd.DataFrame) -> None:
    """The three rankings agree: ids everywhere, lists and groups with the lean one."""
    a = lean(frame, registry, rooms)
    b = sort_values(frame, registry, rooms)
    ids = ours["applicant_id"].astype(str).tolist()
    assert ids == a["applicant_id"].astype(str).tolist(), "rank and the lean baseline differ"
    assert ids == b["applicant_id"].astype(str).tolist(), "rank and sort_values differ"
    assert ours["list"].astype(str).tolist() == a["list"].astype(str).tolist()
    groups = ours["group"].fillna(len(GROUPS) + 1).astype(int).tolist()
    assert groups == a["group"].tolist()


def best_in_turns(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """The best time of each function, run in turns so that load affects all alike."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            gc.collect()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}


def peak(fn: Callable[[], Any]) -> int:
    """Peak bytes allocated by ``fn`` through Python and numpy (``tracemalloc``).

    Arrow's own memory pool (text columns) is not traced: see :func:`rss_peak`.
    """
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def rss_peak(fn: Callable[[], Any]) -> int:
    """Peak growth of the resident memory while ``fn`` runs, sampled every half millisecond.

    Counts every allocator, Arrow's pool included; run in a fresh process (see
    ``--rss-of``) so that memory freed by earlier work is not reused unseen.
    """
    gc.collect()
    start = _rss()
    top = start
    done = threading.Event()

    def sample() -> None:
        nonlocal top
        while not done.is_set():
            top = max(top, _rss())
            time.sleep(0.0005)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        fn()
    finally:
        done.set()
        sampler.join()
    return max(top, _rss()) - start


def rss_in_child(which: str, n: int) -> int:
    """:func:`rss_peak` of ``which`` (lean, sort_values or rank) on ``n`` rows, in a new process."""
    # large blocks straight from the system, so that freed ones are not reused unseen
    env = {**os.environ, "MALLOC_MMAP_THRESHOLD_": "131072"}
    out = subprocess.run(
        [sys.executable, __file__, "--rss-of", which, "--sizes", str(n)],
        check=True, capture_output=True, text=True, env=env,
    )
    return int(out.stdout.split()[-1])


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    import pyarrow

    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"pandas {pd.__version__}, pyarrow {pyarrow.__version__}, numpy {np.__version__}, "
        f"fuaalborg {fuaalborg.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--many", type=int, default=1_000, help="vacancies for rank_many")
    parser.add_argument("--many-size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rss-of", choices=["lean", "sort_values", "rank"],
                        help="print the resident-memory peak of one ranking (used internally)")
    args = parser.parse_args()

    registry = load(entry_points=False)
    agreement = LettingAgreement(
        organisation_cvr="31831814", departments=("D1",), groups=GROUPS, flexible_share=1.0,
        legal_basis="benchmark agreement", valid_from=dt.date(2020, 1, 1), valid_until=None,
    )
    vacancy = fuaalborg.Vacancy("D1", rooms=2, monthly_rent_dkk=6000, vacant_on=ON)

    def ours(frame: pd.DataFrame, top: int | None = None) -> fuaalborg.Ranking:
        return fuaalborg.rank(frame, vacancy, registry=registry, route="flexible",
                              agreement=agreement, top=top)

    if args.rss_of:
        frame = waiting_list(args.sizes[0])
        run = {"lean": lambda: lean(frame, registry, vacancy.rooms),
               "sort_values": lambda: sort_values(frame, registry, vacancy.rooms),
               "rank": lambda: ours(frame)}[args.rss_of]
        ours(frame.head(1000))  # modules and plug-ins loaded before measuring
        print(rss_peak(run))
        return

    print(machine())
    print(f"{'rows':>10} {'lean s':>7} {'sort_v s':>8} {'rank s':>7} {'÷ lean':>7} "
          f"{'÷ sort_v':>8} {'lean÷sv':>7} {'top=25 s':>8}   {'lean MB':>7} {'rank MB':>7} "
          f"{'÷ lean':>6}   {'lean RSS':>8} {'rank RSS':>8} {'÷ lean':>6}")
    for n in args.sizes:
        frame = waiting_list(n)
        check(frame, registry, vacancy.rooms, ours(frame).frame)
        repeat = args.repeat if n <= 100_000 else max(1, args.repeat - 2)
        best = best_in_turns(
            {
                "lean": lambda f=frame: lean(f, registry, vacancy.rooms),
                "sort_values": lambda f=frame: sort_values(f, registry, vacancy.rooms),
                "rank": lambda f=frame: ours(f),
                "top": lambda f=frame: ours(f, 25),
            },
            repeat,
        )
        m_lean = peak(lambda f=frame: lean(f, registry, vacancy.rooms))
        m_ours = peak(lambda f=frame: ours(f))
        rss = f"{'—':>8} {'—':>8} {'—':>6}"
        if n >= 100_000:  # smaller runs fit in memory the process already holds
            r_lean, r_ours = rss_in_child("lean", n), rss_in_child("rank", n)
            rss = f"{r_lean / 1e6:>8.1f} {r_ours / 1e6:>8.1f} {r_ours / max(r_lean, 1):>6.2f}"
        t_lean, t_sv, t_ours = best["lean"], best["sort_values"], best["rank"]
        print(f"{n:>10,} {t_lean:>7.3f} {t_sv:>8.3f} {t_ours:>7.3f} {t_ours / t_lean:>7.2f} "
              f"{t_ours / t_sv:>8.2f} {t_lean / t_sv:>7.2f} {best['top']:>8.3f}   "
              f"{m_lean / 1e6:>7.1f} {m_ours / 1e6:>7.1f} {m_ours / m_lean:>6.2f}   {rss}")

    if args.many:
        frame = waiting_list(args.many_size)
        rng = np.random.default_rng(3)
        vacancies = [
            fuaalborg.Vacancy(f"D{int(rng.integers(1, 272)):03d}", rooms=int(rng.integers(1, 6)),
                              monthly_rent_dkk=float(rng.integers(3_000, 12_000)), vacant_on=ON)
            for _ in range(args.many)
        ]
        colours = {v.department_id: ("red" if hash(v.department_id) % 10 == 0 else "green")
                   for v in vacancies}
        result: list[fuaalborg.Ranking] = []

        def many() -> None:
            result[:] = fuaalborg.rank_many(
                frame, vacancies, top=25, registry=registry, route="flexible", colours=colours,
                organisation_cvr="31831814", agreement=agreement,
            )

        best = best_in_turns({"one": lambda: ours(frame), "many": many}, 2)
        per = best["many"] / len(vacancies)
        assert all(len(r) == 25 for r in result)
        print(f"rank_many: {len(vacancies):,} vacancies × {args.many_size:,} applicants, top=25: "
              f"{per * 1e3:.2f} ms per vacancy; one full rank {best['one'] * 1e3:.1f} ms "
              f"(ratio {per / best['one']:.2f})")


if __name__ == "__main__":
    main()
