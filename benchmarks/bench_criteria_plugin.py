"""A plug-in for ``bench_criteria.py``: the library's ten benchmarked criteria under its own ids.

Loaded by module name, it runs in a worker process of its own, so the
benchmark compares the same predicates in-process and isolated.
"""

from __future__ import annotations

import attrs

from fuaalborg.criteria import Criterion, hookimpl
from fuaalborg.criteria.builtin import builtin_criteria

#: The library's criteria the benchmark evaluates (ten).
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
#: The prefix of this plug-in's copies.
PREFIX = "bench."


@hookimpl
def register_criteria() -> list[Criterion]:
    """The ten criteria as ``bench.<id>``, with the library's predicates."""
    return [
        attrs.evolve(c, id=PREFIX + c.id) for c in builtin_criteria() if c.id in IDS
    ]
