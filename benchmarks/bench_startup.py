"""Benchmark: the command line's start-up, against importing pandas alone.

The baseline is ``python -c "import pandas"`` measured in the same run, in fresh
processes; ``fuaalborg --version`` (through ``python -m fuaalborg``) and a bare
``import fuaalborg`` are reported as ratios to it. Below 1 means faster than
importing pandas: the command line loads neither pandas nor the library to
print its version. Each figure is the median of ``--repeat`` runs.

Usage::

    python benchmarks/bench_startup.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time


def timed(args: list[str], repeat: int) -> float:
    """The median wall time of ``repeat`` fresh runs of ``args``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    args = parser.parse_args()
    python = sys.executable
    baseline = timed([python, "-c", "import pandas"], args.repeat)
    cases = {
        "fuaalborg --version": [python, "-m", "fuaalborg", "--version"],
        "import fuaalborg": [python, "-c", "import fuaalborg"],
        "python (nothing)": [python, "-c", "pass"],
    }
    print(f"baseline: import pandas {baseline * 1000:.0f} ms (median of {args.repeat})")
    for name, command in cases.items():
        seconds = timed(command, args.repeat)
        print(f"{name:<22} {seconds * 1000:6.0f} ms  ratio {seconds / baseline:.2f}")


if __name__ == "__main__":
    main()
