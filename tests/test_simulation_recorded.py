"""Simulations and routed streams recorded by an earlier version give the same results.

``tests/recorded/simulations.json`` and ``tests/recorded/routed-streams.json``
were written by fuaalborg 0.1.0 before the routing core worked on integer codes
(see ``tests/recorded/write_simulations.py``): capacity simulations of the
example municipality for a fixed seed under every built-in scenario, a scenario
that sets every knob of the simulation and counts the turn per department from
its second year, and a run with colours that change every year; and streams of
vacancies, returned dwellings and voids under several rules at once, with the
routing core's whole output frame. Both are compared exactly: every count of
every run and year, every cell and dtype of the frame, every counter after.
"""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pytest

import fuaalborg
from fuaalborg import Municipality
from fuaalborg.letting.routing import Counters, Rules, route_frame
from fuaalborg.simulation import Scenario

HERE = Path(__file__).parent / "recorded"
SIMULATIONS = json.loads((HERE / "simulations.json").read_text(encoding="utf-8"))
STREAMS = json.loads((HERE / "routed-streams.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def municipality(example_municipality: Municipality) -> Municipality:
    return example_municipality


def by_position(municipality: Municipality, on: dt.date) -> dict[str, str]:
    """Colours that cycle green, yellow, red over the departments, shifted each year."""
    ids = municipality.departments["department_id"].astype(str).tolist()
    names = ("green", "yellow", "red")
    return {d: names[(i + on.year) % 3] for i, d in enumerate(ids)}


def test_every_case_is_there() -> None:
    assert len(SIMULATIONS["cases"]) == 9
    assert [s["name"] for s in STREAMS["streams"]] == [
        "one-rules", "organisation-turns", "every-rule"]


@pytest.mark.parametrize("case", SIMULATIONS["cases"], ids=lambda c: c["case"][0])
def test_a_recorded_simulation_gives_the_same_counts(case: dict[str, Any],
                                                     municipality: Municipality) -> None:
    _name, scenario, seed, runs, years, start, colours = case["case"]
    result = fuaalborg.simulate(
        municipality, years=years, runs=runs, seed=seed,
        scenario=(Scenario.from_text(SIMULATIONS["own_rules"], "own-rules")
                  if scenario == "own-rules" else scenario),
        start=None if start is None else dt.date.fromisoformat(start),
        colours=by_position if colours == "by-position" else None,
    )
    assert sorted(result.counts) == sorted(case["counts"])
    for name, recorded in case["counts"].items():
        expected = np.asarray([np.nan if v is None else v for v in recorded["values"]],
                              dtype=np.float64).reshape(recorded["shape"])
        np.testing.assert_array_equal(result.counts[name], expected, err_msg=name)


def _rules(values: dict[str, Any]) -> Rules:
    fractions = {"referral_share", "bab_share", "flexible_share", "mandatory_share",
                 "internal_share"}
    return Rules(**{k: (None if v is None else Fraction(v)) if k in fractions
                    else tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def _key(key: str | list[str]) -> str | tuple[str, str]:
    return key if isinstance(key, str) else (key[0], key[1])


@pytest.mark.parametrize("stream", STREAMS["streams"], ids=lambda s: s["name"])
def test_a_recorded_stream_routes_to_the_same_frame(stream: dict[str, Any]) -> None:
    variants = {name: _rules(values) for name, values in STREAMS["rules"].items()}
    events = stream["events"]
    frame = pd.DataFrame({k: [e[k] for e in events] for k in (
        "department_id", "kind", "colour", "returned", "flexible_share", "undoes",
        "organisation_id")})
    per_row = [variants[e["rules"]] for e in events]
    start = {_key(k): Counters(*c) for k, c in STREAMS["start"]}
    routed, end = route_frame(frame, per_row[0] if stream["single"] else per_row, start)
    expected = pd.DataFrame(stream["columns"], index=stream["index"])
    expected = expected.astype(stream["dtypes"])
    assert {c: str(t) for c, t in routed.dtypes.items()} == stream["dtypes"]
    pd.testing.assert_frame_equal(routed, expected)
    assert end == {_key(k): Counters(*c) for k, c in stream["end"]}


def test_the_recorded_rules_are_the_variants_written() -> None:
    rules = {name: _rules(values) for name, values in STREAMS["rules"].items()}
    assert rules["department"] == attrs.evolve(rules["organisation"], turn_scope="department")
    assert rules["2019"].bab_share is None
    assert rules["no-turn"].internal_share is None
