"""Benchmark: ``fuaalborg.rank`` against a hand-written pandas/numpy ranking of the same order.

Both rank a synthetic waiting list for one vacancy on the flexible route with
three built-in criteria (clean criminal record, education above basic school,
families with children): eligibility (active, at most two persons per room),
the first group met, seniority, applicant id, one row per applicant (both
lists). The baseline applies the same predicates directly to the frame and
sorts with ``DataFrame.sort_values``; the library goes through the criteria
firewall, validates the table and builds the ranking frame. Both results are
checked to be equal before timing.

Then ``rank_many`` ranks 1,000 vacancies against 100,000 applicants with
``top=25`` and reports milliseconds per vacancy next to one full ``rank``.

Run: ``python benchmarks/bench_ranking.py`` (10k and 100k, under a minute);
``--sizes 10000 100000 1000000`` for the million-row figures; ``--many 0`` skips
the batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import platform
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


def baseline(frame: pd.DataFrame, registry: Any, rooms: int) -> pd.DataFrame:
    """The same order by hand: direct predicates, np.select, sort_values, drop_duplicates."""
    masks = []
    for cid in GROUPS:
        crit = registry.criteria[cid]
        masks.append(crit.predicate(frame[sorted(crit.reads)]).to_numpy(dtype=bool))
    group = np.select(masks, [1, 2, 3], 4)
    eligible = frame["active"].to_numpy() & (frame["household_size"].to_numpy() <= 2 * rooms)
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


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak(fn: Callable[[], Any]) -> int:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    fn()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


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
    return (
        f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, fuaalborg {fuaalborg.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--many", type=int, default=1_000, help="vacancies for rank_many")
    parser.add_argument("--many-size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
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

    print(machine())
    print(f"{'rows':>10} {'baseline s':>11} {'rank s':>9} {'time ×':>7} "
          f"{'base MB':>8} {'rank MB':>8} {'mem ×':>6} {'top=25 s':>9}")
    for n in args.sizes:
        frame = waiting_list(n)
        expect = baseline(frame, registry, vacancy.rooms)
        got = ours(frame).frame
        assert got["applicant_id"].astype(str).tolist() == expect["applicant_id"].astype(
            str).tolist(), "the two rankings differ"
        repeat = args.repeat if n <= 100_000 else max(1, args.repeat - 1)
        t_base, _ = timed(lambda f=frame: baseline(f, registry, vacancy.rooms), repeat)
        t_ours, _ = timed(lambda f=frame: ours(f), repeat)
        t_top, _ = timed(lambda f=frame: ours(f, 25), repeat)
        m_base = peak(lambda f=frame: baseline(f, registry, vacancy.rooms))
        m_ours = peak(lambda f=frame: ours(f))
        print(f"{n:>10,} {t_base:>11.3f} {t_ours:>9.3f} {t_ours / t_base:>7.2f} "
              f"{m_base / 1e6:>8.1f} {m_ours / 1e6:>8.1f} {m_ours / m_base:>6.2f} "
              f"{t_top:>9.3f}")

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
        t_one, _ = timed(lambda: ours(frame), args.repeat)
        t_many, result = timed(
            lambda: fuaalborg.rank_many(frame, vacancies, top=25, registry=registry,
                                        route="flexible", colours=colours,
                                        organisation_cvr="31831814", agreement=agreement),
            1,
        )
        per = t_many / len(vacancies)
        assert all(len(r) == 25 for r in result)
        print(f"rank_many: {len(vacancies):,} vacancies × {args.many_size:,} applicants, top=25: "
              f"{per * 1e3:.2f} ms per vacancy; one full rank {t_one * 1e3:.1f} ms "
              f"(ratio {per / t_one:.2f})")


if __name__ == "__main__":
    main()
