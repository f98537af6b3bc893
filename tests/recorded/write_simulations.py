"""Write the recorded simulations and routed streams kept in this folder (run once).

``simulations.json`` holds capacity simulations of the example municipality —
every built-in scenario, a scenario that sets the simulation's own knobs and
counts the turn per department from its second year, and a run from 2023
with colours that change every year — each with its
seed, size and every count it gave. ``routed-streams.json`` holds streams of
vacancies, returned dwellings and voids with the routing core's whole output
frame (values and dtypes) and the counters after each stream.
``tests/test_simulation_recorded.py`` runs the same cases again and compares
them exactly.

The files in this folder were written by fuaalborg 0.1.0 before the routing
core worked on integer codes. Running this script again writes what the code
at hand gives: use it for new cases, never to refresh these (that would defeat
their purpose)::

    python tests/recorded/write_simulations.py OUT_DIR
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

import fuaalborg
from fuaalborg import examples, load_parameters
from fuaalborg.letting.routing import Counters, Rules, route_frame, rules_on
from fuaalborg.municipality import Municipality
from fuaalborg.simulation import Scenario

#: A scenario that sets every knob of the simulation, from dates inside the run.
OWN_RULES = '''
[meta]
title = "Department rules"
version = "1"
description = "Shares, colours and turnover per department; the turn per department from 2027."

[simulation.department_referral_share]
description = "Referral share per department"
unit = "table"
[[simulation.department_referral_share.values]]
from = 2023-01-01
value = { D001 = "1/3", D002 = "1/2", D003 = "1/5", D004 = "0/1", D005 = "1/1" }
reference = "Scenario (ABL § 59, stk. 2)"

[simulation.colour_overrides]
description = "Colours replacing the placement"
unit = "table"
[[simulation.colour_overrides.values]]
from = 2027-01-01
value = { D010 = "red", D020 = "yellow", D030 = "green", D040 = "red" }
reference = "Scenario"

[simulation.department_turnover_pct]
description = "Turnover per department"
unit = "table"
[[simulation.department_turnover_pct.values]]
from = 2023-01-01
value = { D003 = 25.0, D006 = 40.0 }
reference = "Scenario"

[simulation.referral_rent_ceiling_dkk]
description = "Only dwellings at most this rent are reported to the referral"
unit = "dkk_per_month"
[[simulation.referral_rent_ceiling_dkk.values]]
from = 2028-01-01
value = 4500
reference = "Scenario"

[ledger.flexible_share]
description = "Flexible share"
unit = "fraction"
[[ledger.flexible_share.values]]
from = 2023-01-01
value = "1/3"
reference = "Scenario (ABL § 60, stk. 1)"

[letting.internal_turn_scope]
description = "Whose lettings the turn counts"
unit = "text"
[[letting.internal_turn_scope.values]]
from = 2027-01-01
value = "department"
reference = "Scenario (an agreement counting per department)"
'''

#: name, scenario (a built-in name or ``"own-rules"``), seed, runs, years, start, colours
SIMULATIONS: tuple[tuple[str, str, int, int, int, str | None, str | None], ...] = (
    ("agreement-1", "agreement", 1, 6, 3, None, None),
    ("agreement-2025", "agreement", 2025, 4, 2, None, None),
    ("compensation", "compensation", 3, 4, 3, None, None),
    ("no-exemptions", "no-exemptions", 4, 4, 2, None, None),
    ("rent-ceiling", "rent-ceiling", 5, 4, 2, None, None),
    ("share-one-third", "share-one-third", 6, 4, 2, None, None),
    ("yellow-exempt", "yellow-exempt", 7, 4, 2, None, None),
    ("own-rules", "own-rules", 8, 5, 3, None, None),
    ("from-2023", "agreement", 9, 4, 3, "2023-01-01", "by-position"),
)


def by_position(municipality: Municipality, on: dt.date) -> dict[str, str]:
    """Colours that cycle green, yellow, red over the departments, shifted each year."""
    ids = municipality.departments["department_id"].astype(str).tolist()
    names = ("green", "yellow", "red")
    return {d: names[(i + on.year) % 3] for i, d in enumerate(ids)}


def scenario_of(name: str) -> str | Scenario:
    """A built-in scenario's name, or the scenario of :data:`OWN_RULES`."""
    return Scenario.from_text(OWN_RULES, "own-rules") if name == "own-rules" else name


def simulate_case(municipality: Municipality, case: tuple[Any, ...]) -> fuaalborg.SimulationResult:
    """Run one case of :data:`SIMULATIONS`."""
    _name, scenario, seed, runs, years, start, colours = case
    return fuaalborg.simulate(
        municipality, years=years, runs=runs, seed=seed, scenario=scenario_of(scenario),
        start=None if start is None else dt.date.fromisoformat(start),
        colours=by_position if colours == "by-position" else None,
    )


def _plain(values: np.ndarray[Any, Any]) -> Any:
    return [None if np.isnan(v) else float(v) for v in values.ravel().tolist()]


def record_simulations(municipality: Municipality) -> dict[str, Any]:
    """Every case's counts (shape and values; NaN as null)."""
    out: dict[str, Any] = {"own_rules": OWN_RULES, "cases": []}
    for case in SIMULATIONS:
        result = simulate_case(municipality, case)
        out["cases"].append({
            "case": list(case),
            "counts": {name: {"shape": list(values.shape), "values": _plain(values)}
                       for name, values in sorted(result.counts.items())},
        })
    return out


# ---------------------------------------------------------------------------
# routed streams

def rule_variants() -> dict[str, Rules]:
    """The routing rules the streams use, by name."""
    params = load_parameters()
    now = rules_on(params, dt.date(2024, 1, 1))
    return {
        "organisation": now,
        "department": attrs.evolve(now, turn_scope="department"),
        "2019": rules_on(params, dt.date(2019, 1, 1)),
        "thirds": attrs.evolve(now, referral_share=Fraction(2, 5), flexible_share=Fraction(1, 3),
                               internal_share=Fraction(1, 3), first_turn="external"),
        "no-turn": attrs.evolve(now, internal_share=None),
        "red-places": attrs.evolve(now, placement_colours=("green", "yellow", "red")),
    }


def rules_to_json(rules: Rules) -> dict[str, Any]:
    """A :class:`Rules` as JSON: fractions as ``"a/b"``."""
    return {k: (str(v) if isinstance(v, Fraction) else list(v) if isinstance(v, tuple) else v)
            for k, v in attrs.asdict(rules).items()}


ORGANISATION = {"A": "O1", "B": "O1", "C": "O2", "D": "O2", "E": "O3", "F": None}
OWN_SHARE = {"A": None, "B": "1/2", "C": None, "D": "1/3", "E": "0", "F": None}


def make_stream(seed: int, rows: int, rule_names: list[str]) -> dict[str, Any]:
    """A random stream of vacancies, returned dwellings and voids, valid for the core.

    Each row's rules are drawn from ``rule_names``; the department without an
    organisation (F) takes part only where some of them count the turn per department,
    and gets those.
    """
    rng = np.random.default_rng(seed)
    variants = rule_variants()
    per_department = [n for n in rule_names
                      if not variants[n].turns_per_organisation]
    events: list[dict[str, Any]] = []
    vacancies: list[list[int]] = []  # rows of each vacancy not voided
    for _ in range(rows):
        draw = rng.random()
        if draw < 0.08 and vacancies:
            rows_of = vacancies.pop(int(rng.integers(len(vacancies))))
            first = events[rows_of[0]]
            events.append({**first, "returned": False, "undoes": rows_of,
                           "rules": first["rules"]})
            continue
        if draw < 0.18 and vacancies:
            rows_of = vacancies[int(rng.integers(len(vacancies)))]
            first = events[rows_of[0]]
            rows_of.append(len(events))
            events.append({**first, "returned": True, "undoes": []})
            continue
        deps = "ABCDEF" if per_department else "ABCDE"
        dep = deps[int(rng.integers(len(deps)))]
        names = per_department if ORGANISATION[dep] is None else rule_names
        vacancies.append([len(events)])
        events.append({
            "department_id": dep,
            "kind": "bab" if rng.random() < 0.2 else "family",
            "colour": ("green", "yellow", "red")[int(rng.integers(3))],
            "returned": False,
            "flexible_share": OWN_SHARE[dep],
            "undoes": [],
            "organisation_id": ORGANISATION[dep],
            "rules": names[int(rng.integers(len(names)))],
        })
    return {"seed": seed, "events": events}


STREAMS: tuple[tuple[str, int, int, list[str], bool], ...] = (
    # name, seed, rows, rules, one Rules for the whole stream
    ("one-rules", 11, 300, ["department"], True),
    ("organisation-turns", 12, 400, ["organisation", "red-places", "thirds"], False),
    ("every-rule", 13, 500, ["organisation", "department", "2019", "thirds", "no-turn",
                             "red-places"], False),
)
START = {"A": Counters(5, 3, 2), "C": Counters(1, 0, 7), ("organisation", "O2"): Counters(turns=9),
         ("organisation", "O9"): Counters(turns=4)}


def stream_input(stream: dict[str, Any], single: bool
                 ) -> tuple[pd.DataFrame, Rules | list[Rules]]:
    """The frame and rules :func:`route_frame` gets for a stream."""
    variants = rule_variants()
    events = stream["events"]
    frame = pd.DataFrame({k: [e[k] for e in events] for k in (
        "department_id", "kind", "colour", "returned", "flexible_share", "undoes",
        "organisation_id")})
    rules = [variants[e["rules"]] for e in events]
    return frame, (rules[0] if single else rules)


def _cell(value: Any) -> Any:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def record_streams() -> dict[str, Any]:
    """Every stream with its input, the output frame and the counters after it."""
    out: dict[str, Any] = {
        "rules": {n: rules_to_json(r) for n, r in rule_variants().items()},
        "start": [[k if isinstance(k, str) else list(k), attrs.astuple(c)]
                  for k, c in START.items()],
        "streams": [],
    }
    for name, seed, rows, names, single in STREAMS:
        stream = make_stream(seed, rows, names)
        frame, rules = stream_input(stream, single)
        routed, end = route_frame(frame, rules, START)
        out["streams"].append({
            "name": name, "single": single, **stream,
            "dtypes": {c: str(t) for c, t in routed.dtypes.items()},
            "index": routed.index.tolist(),
            "columns": {c: [_cell(v) for v in routed[c].tolist()] for c in routed.columns},
            "end": [[k if isinstance(k, str) else list(k), attrs.astuple(c)]
                    for k, c in end.items()],
        })
    return out


def main() -> None:
    """Write both files into the folder given on the command line."""
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    municipality = examples.load()
    for file, data in (("simulations.json", record_simulations(municipality)),
                       ("routed-streams.json", record_streams())):
        (folder / file).write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"))
                                   + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
