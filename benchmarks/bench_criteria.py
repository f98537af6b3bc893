"""Benchmark: the criteria firewall's overhead against the same predicates applied directly.

Evaluates ten criteria over a synthetic waiting list (default 1,000,000 applicants)
twice in the same run: through ``Registry.evaluate_many`` (fresh projected frame per
criterion, result checks) and by calling the same predicates directly on the whole
frame. Prints both times and their ratio (aim: at most 1.3).

    python benchmarks/bench_criteria.py [--rows N] [--repeat R]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
import warnings

from fuaalborg.criteria import load
from fuaalborg.criteria.testing import synthetic_applicants
from fuaalborg.errors import AssumedTermsWarning

IDS = (
    "employment",
    "education",
    "employment_or_education",
    "clean_criminal_record",
    "education_above_basic",
    "household_income",
    "families_with_children",
    "young",
    "commuter",
    "accessible_dwelling",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    warnings.simplefilter("ignore", AssumedTermsWarning)
    on = dt.date(2024, 5, 1)
    registry = load(entry_points=False)
    frame = synthetic_applicants(args.rows, seed=0)
    values = {
        cid: {n: registry.parameters.get(n, on) for n in registry.criteria[cid].parameters}
        for cid in IDS
    }

    def direct() -> None:
        for cid in IDS:
            crit = registry.criteria[cid]
            if crit.parameters:
                crit.predicate(frame, values[cid])  # type: ignore[call-arg]
            else:
                crit.predicate(frame)  # type: ignore[call-arg]

    def firewalled() -> None:
        registry.evaluate_many(IDS, frame, on)

    def best(fn: object) -> float:
        times = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()  # type: ignore[operator]
            times.append(time.perf_counter() - start)
        return min(times)

    direct()
    firewalled()
    t_direct = best(direct)
    t_fire = best(firewalled)
    print(f"{len(IDS)} criteria over {args.rows:,} applicants (best of {args.repeat})")
    print(f"  direct predicates on the frame: {t_direct * 1000:8.1f} ms")
    print(f"  firewalled evaluate_many:       {t_fire * 1000:8.1f} ms")
    print(f"  ratio (firewall / direct):      {t_fire / t_direct:8.2f}x  (aim <= 1.3x)")


if __name__ == "__main__":
    main()
