"""Capacity simulation (kapacitetssimulering): does the referral get what it needs?

Monte Carlo years of vacancies run through the library's own rules — the step
model's placement and the letting ledger's routing core — under the agreement
or another scenario. See :func:`simulate`, :class:`Scenario` and
:class:`SimulationResult`.
"""

from __future__ import annotations

import secrets
from typing import Any

from fuaalborg.municipality import Municipality
from fuaalborg.simulation.engine import DEFAULT_START, ColourSource, simulate
from fuaalborg.simulation.result import (
    BREAKDOWNS,
    METRICS,
    ScenarioComparison,
    SimulationResult,
)
from fuaalborg.simulation.scenarios import (
    SCENARIO_KNOBS,
    Scenario,
    ScenarioError,
    builtin_scenarios,
)

__all__ = [
    "BREAKDOWNS",
    "DEFAULT_START",
    "METRICS",
    "SCENARIO_KNOBS",
    "ColourSource",
    "Scenario",
    "ScenarioComparison",
    "ScenarioError",
    "SimulationResult",
    "builtin_scenarios",
    "compare_scenarios",
    "simulate",
]


def compare_scenarios(
    municipality: Municipality,
    base: str | Scenario = "agreement",
    other: str | Scenario = "no-exemptions",
    **kwargs: Any,
) -> ScenarioComparison:
    """Simulate two scenarios on the same vacancies (same seed) and compare them.

    ``kwargs`` are passed to :func:`simulate` for both; without a ``seed`` one is
    drawn once and used for both, so the runs are paired.
    """
    if kwargs.get("seed") is None:
        kwargs["seed"] = secrets.randbits(32)
    first = simulate(municipality, scenario=base, **kwargs)
    second = simulate(municipality, scenario=other, **kwargs)
    return first.compare(second)
