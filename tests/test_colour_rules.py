"""What a colour means has one dated source: every reader agrees on every date.

The ledger's routing, the ranking, ``rules_for``, the criteria registry's statutory
agreement, the calendar, the simulation and ``check_referral`` all read
``colour_rules.*`` (fuaalborg.colours). These tests walk every date boundary of the
parameter history and check that they say the same thing, that a layered parameter
file changes them all at once, and that retired parameter names are refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest

import fuaalborg
from fuaalborg.colours import (
    COUNTING,
    MANDATORY,
    PLACEMENT,
    check_colour_rules,
    mandatory_history,
)
from fuaalborg.criteria import load
from fuaalborg.criteria.builtin import statutory_agreements
from fuaalborg.errors import ParameterFileError
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.ranking import RankingContextError, rank
from fuaalborg.letting.referral_limits import check_referral
from fuaalborg.letting.routing import RULE_PARAMETERS, rules_on
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.model import COLOURS
from fuaalborg.parameters import RETIRED_PARAMETERS, ParameterSet, load_parameters

CVR = "31831814"
#: The first date the ledger's rules are in force (referral.share).
FIRST = dt.date(2010, 1, 1)


def boundaries(params: ParameterSet) -> list[dt.date]:
    """Every date on which a rule a colour decides, or the ledger routes by, changes."""
    names = {*RULE_PARAMETERS, *(f"colour_rules.{c}" for c in COLOURS)}
    days: set[dt.date] = set()
    for name in names:
        for dated in params.history(name):
            for day in (dated.start - dt.timedelta(days=1), dated.start):
                days.add(day)
            if dated.end is not None:
                days.update({dated.end, dated.end + dt.timedelta(days=1)})
    return sorted(d for d in days if d >= FIRST)


def applicants() -> pd.DataFrame:
    """One applicant with every field the mandatory criterion reads, in work."""
    return pd.DataFrame({
        "applicant_id": ["a1"],
        "list": ["external"],
        "seniority_date": pd.to_datetime(["2005-01-01"]),
        "household_size": [1],
        "employment_hours_per_week": [37.0],
        "employment_permanent": [True],
        "fixed_term_months": [0],
        "wage_subsidy": [False],
        "self_employed_cvr": [None],
        "partner_employment_hours_per_week": [0.0],
        "partner_employment_permanent": [False],
        "in_education": [False],
        "apprentice": [False],
        "partner_in_education": [False],
    })


def household() -> dict[str, Any]:
    """A household that no criterion of § 59, stk. 6 or 7 bars."""
    return {
        "released_from_prison_on": None, "released_from_youth_institution_on": None,
        "action_plan_required": False, "age": 40, "lease_terminated_on": None,
        "eu_eea_swiss_citizen": True, "student": False, "cash_benefit_months": 0,
        "education_benefit_months": 0, "self_support_benefit_months": 0,
        "transition_benefit_months": 0, "cash_benefit_s16_1_months": 0,
        "cash_benefit_s16_2_months": 0, "disability_pension": False,
        "unemployment_sickness_months": 0,
    }


def registry_of(days: list[dt.date], kinds: tuple[str, ...]) -> pd.DataFrame:
    """One department per date, each with one dwelling of every kind."""
    return pd.DataFrame({
        "dwelling_id": [f"D{i}-{k}" for i in range(len(days)) for k in kinds],
        "department_id": [f"D{i}" for i in range(len(days)) for _ in kinds],
        "kind": [k for _ in days for k in kinds],
        "organisation_cvr": CVR,
    })


def layer(tmp_path: Path, text: str) -> ParameterSet:
    path = tmp_path / "layer.toml"
    path.write_text('[meta]\ntitle = "layer"\nversion = "1"\n\n' + text, encoding="utf-8")
    return load_parameters(path)


def _walk(params: ParameterSet, tmp_path: Path) -> int:
    """The red walk: the ledger's subroute == rank().route == rules_for() on every boundary."""
    days = boundaries(params)
    registry = load(entry_points=False, parameters=params)
    waiting = applicants()
    checked = 0
    with Ledger.create(tmp_path / "walk.jsonl", registry_of(days, ("family",)),
                       parameters=params) as ledger:
        for i, day in enumerate(days):
            # each department's first counting vacancy goes to the waiting list
            decision = ledger.record_vacancy(f"V{i}", f"D{i}-family", f"D{i}", "family", day,
                                             4000.0, 2, colour="red")
            assert decision.route == "waiting_list", day
            ranked = rank(waiting, Vacancy(f"D{i}", rooms=2, monthly_rent_dkk=4000.0,
                                           vacant_on=day),
                          registry=registry, colour="red", organisation_cvr=CVR,
                          parameters=params)
            meaning = fuaalborg.rules_for("red", day, parameters=params)
            expected = "flexible" if meaning.flexible_letting == "mandatory" else "ordinary"
            assert decision.subroute == ranked.route == expected, day
            statutory = [a for a in registry.statutory if a.in_force(day)]
            assert bool(statutory) == (expected == "flexible"), day
            checked += 1
    return checked


def test_red_means_the_same_to_the_ledger_the_ranking_and_rules_for_on_every_date(
    tmp_path: Path,
) -> None:
    params = load_parameters()
    checked = _walk(params, tmp_path)
    assert checked >= 8
    # the walk crosses the law's date for mandatory flexible letting
    assert fuaalborg.rules_for("red", "2018-11-30").flexible_letting == "optional"
    assert fuaalborg.rules_for("red", "2018-12-01").flexible_letting == "mandatory"


def test_a_layered_file_changes_every_reader_at_once(tmp_path: Path) -> None:
    # a scenario: no mandatory flexible letting from 2024 (what if § 60, stk. 4 lapsed)
    params = layer(tmp_path, f"""
[{MANDATORY}]
description = "test"
unit = "table"

[[{MANDATORY}.values]]
from = 2024-01-01
reference = "scenario"
[{MANDATORY}.values.value]
colours = []
designations = []
""")
    day = dt.date(2024, 6, 1)
    assert fuaalborg.rules_for("red", day, parameters=params).flexible_letting == "optional"
    assert rules_on(params, day).flexible_share_for("red") == 0
    assert not [a for a in statutory_agreements(params) if a.in_force(day)]
    assert [a for a in statutory_agreements(params) if a.in_force(dt.date(2023, 6, 1))]
    ranked = rank(applicants(), Vacancy("D0", rooms=2, monthly_rent_dkk=4000.0, vacant_on=day),
                  registry=load(entry_points=False, parameters=params), colour="red",
                  organisation_cvr=CVR, parameters=params)
    assert ranked.route == "ordinary"
    assert _walk(params, tmp_path) >= 8
    # the calendar reads the same source: no § 60, stk. 4 duties from lists of 2024 on
    from fuaalborg.monitoring.calendar import _mandatory_on

    assert _mandatory_on(params, day) is None
    assert _mandatory_on(load_parameters(), day) is not None


def test_bab_in_red_the_ledger_and_check_referral_agree_on_every_date(tmp_path: Path) -> None:
    """Where the ledger gives a vacancy to the referral, the check lets the referral place."""
    params = load_parameters()
    days = boundaries(params)
    kinds = ("bab", "family")
    member = household()
    with Ledger.create(tmp_path / "bab.jsonl", registry_of(days * len(COLOURS), kinds)) as ledger, \
            ledger.batch():
        n = 0
        for day in days:
            right = rules_on(params, day).bab_share is not None  # the 100 % referral right
            for colour in COLOURS:
                dep = f"D{n}"
                routes = {}
                for kind in kinds:
                    # four family vacancies so that the referral's turn comes where it counts
                    for k in range(4 if kind == "family" else 1):
                        vid = f"V{n}-{kind}-{k}"
                        d = ledger.record_vacancy(vid, f"{dep}-{kind}", dep, kind, day, 4000.0, 2,
                                                  colour=colour)
                        routes[vid] = d.route
                check = ledger.check_referral(member, f"V{n}-bab-0", designation="none")
                placed = check.allowed
                meaning = fuaalborg.rules_for(colour, day)
                if right:
                    assert (routes[f"V{n}-bab-0"] == "referral") == placed, (day, colour)
                # a family vacancy reaches the referral only where the referral may place
                if routes[f"V{n}-family-3"] == "referral":
                    assert placed, (day, colour)
                assert placed == (meaning.referral_placement != "no"), (day, colour)
                n += 1
    red = fuaalborg.rules_for("red", "2024-06-01")
    assert red.referral_placement == "no"
    assert not check_referral(member, "D", "2024-06-01", designation="none",
                              colour="red").allowed


def test_a_bab_dwelling_is_ranked_exactly_where_the_ledger_lets_it_from_the_waiting_list(
    tmp_path: Path,
) -> None:
    """One decision for BAB: rank() refuses where the ledger routes to the referral, else ranks."""
    params = load_parameters()
    days = boundaries(params)
    registry = load(entry_points=False, parameters=params)
    waiting = applicants()
    refused = ranked = 0
    with Ledger.create(tmp_path / "bab-rank.jsonl", registry_of(days * len(COLOURS), ("bab",)),
                       parameters=params) as ledger, ledger.batch():
        n = 0
        for day in days:
            for colour in COLOURS:
                decision = ledger.record_vacancy(f"V{n}", f"D{n}-bab", f"D{n}", "bab", day,
                                                 4000.0, 2, colour=colour)
                vacancy = Vacancy(f"D{n}", rooms=2, monthly_rent_dkk=4000.0, vacant_on=day,
                                  dwelling_id=f"D{n}-bab", kind="bab")
                if decision.route == "referral":
                    with pytest.raises(RankingContextError, match="let by municipal referral"):
                        rank(waiting, vacancy, registry=registry, colour=colour,
                             organisation_cvr=CVR, parameters=params)
                    refused += 1
                else:
                    result = rank(waiting, vacancy, registry=registry, colour=colour,
                                  organisation_cvr=CVR, parameters=params)
                    assert result.eligible_count == 1, (day, colour)
                    assert result.record.vacancy.kind == "bab"
                    ranked += 1
                n += 1
    assert refused
    assert ranked
    # the refusal names the rule and its source; a red department's BAB dwelling is ranked
    day = dt.date(2024, 6, 1)
    vacancy = Vacancy("D1", rooms=2, monthly_rent_dkk=4000.0, vacant_on=day, kind="bab")
    with pytest.raises(RankingContextError) as err:
        rank(waiting, vacancy, registry=registry, colour="green", organisation_cvr=CVR)
    assert "referral.bab_share" in str(err.value)
    assert "Fælles Udlejningsaftale, afsnit 3" in str(err.value)
    red = rank(waiting, vacancy, registry=registry, colour="red", organisation_cvr=CVR)
    assert red.route == "flexible"
    assert "BAB dwelling in a red department" in red.basis.route_basis
    assert {"referral.bab_share", PLACEMENT} <= {p.name for p in red.basis.parameters}
    # without its kind the dwelling is ranked as before; without a colour it cannot be decided
    assert rank(waiting, attrs.evolve(vacancy, kind=None), route="ordinary").route == "ordinary"
    with pytest.raises(RankingContextError, match="depends on the department's colour"):
        rank(waiting, vacancy, route="ordinary")
    # the ranking record keeps the kind, and replays
    again = fuaalborg.replay(red.record, waiting, registry=registry)
    assert again.matches, again.differences
    assert again.ranking.record.vacancy == red.record.vacancy


def test_ledger_check_referral_passes_every_argument_on(tmp_path: Path) -> None:
    registry = pd.DataFrame({"dwelling_id": ["F1"], "department_id": ["F"], "kind": ["family"],
                             "organisation_cvr": [CVR]})
    barred = household() | {"cash_benefit_months": 24}
    with Ledger.create(tmp_path / "fwd.jsonl", registry) as ledger:
        ledger.record_vacancy("V1", "F1", "F", "family", "2024-03-01", 4000.0, 2, colour="green")
        blocked = ledger.check_referral(barred, "V1", designation="forebyggelse")
        assert not blocked.allowed
        assert blocked.exception is not None
        assert blocked.exception.share_pct is None
        # stk. 7, 2. pkt. and stk. 8: a share over 30 % and the area excluded
        lifted = ledger.check_referral(barred, "V1", designation="forebyggelse", area_id="A1",
                                       forebyggelse_share=31.0,
                                       excluded_areas={"A1": "2024-01-01"})
        assert lifted.allowed
        assert lifted.area_id == "A1"
        assert lifted.exception is not None
        assert lifted.exception.lifted
        # stk. 9
        fallback = ledger.check_referral(barred, "V1", designation="forebyggelse",
                                         no_alternative=True)
        assert fallback.allowed
        assert fallback.no_alternative
        assert fallback.fallback == "almenboligloven § 59, stk. 9"


@pytest.mark.parametrize("name", sorted(RETIRED_PARAMETERS))
def test_a_retired_parameter_name_is_refused_naming_its_replacement(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(ParameterFileError) as info:
        layer(tmp_path, f"""
[{name}]
description = "an older file"
unit = "list"

[[{name}.values]]
from = 2023-01-01
value = ["green"]
reference = "old"
""")
    text = str(info.value)
    assert f"{name}: this parameter is no longer read; give instead colour_rules." in text


def test_colour_rules_that_contradict_each_other_are_refused(tmp_path: Path) -> None:
    params = layer(tmp_path, f"""
[{COUNTING}]
description = "test"
unit = "list"

[[{COUNTING}.values]]
from = 2023-01-01
value = ["green", "yellow", "red"]
reference = "red counts, but the referral still may not place there"
""")
    day = dt.date(2024, 1, 1)
    for read in (lambda: check_colour_rules(params, day),
                 lambda: fuaalborg.rules_for("red", day, parameters=params),
                 lambda: rules_on(params, day)):
        with pytest.raises(fuaalborg.ValidationError, match="could never be let by it"):
            read()


def test_colour_rules_of_the_wrong_form_name_every_problem(tmp_path: Path) -> None:
    params = layer(tmp_path, f"""
[{PLACEMENT}]
description = "test"
unit = "table"

[[{PLACEMENT}.values]]
from = 2023-01-01
reference = "test"
[{PLACEMENT}.values.value]
green = {{ placement = "maybe" }}
yellow = {{ placement = "restricted" }}
blue = {{ placement = "no" }}
""")
    with pytest.raises(ParameterFileError) as info:
        fuaalborg.rules_for("green", "2024-01-01", parameters=params)
    text = str(info.value)
    assert "unknown colours ['blue']" in text
    assert f"{PLACEMENT}.green.placement: expected one of yes, restricted, no" in text
    assert f"{PLACEMENT}.yellow.criteria: a restricted placement names the provision" in text
    assert f"{PLACEMENT}.red: missing" in text


def test_mandatory_history_follows_the_topmost_layer(tmp_path: Path) -> None:
    bundled = [(r.start, r.end, r.colours) for r in mandatory_history(load_parameters())]
    assert bundled == [
        (dt.date(1998, 1, 1), dt.date(2018, 11, 30), ()),
        (dt.date(2018, 12, 1), dt.date(2021, 11, 29), ("red",)),
        (dt.date(2021, 11, 30), None, ("red",)),
    ]
    params = layer(tmp_path, f"""
[{MANDATORY}]
description = "test"
unit = "table"

[[{MANDATORY}.values]]
from = 2024-01-01
until = 2024-12-31
reference = "scenario"
[{MANDATORY}.values.value]
colours = ["red", "yellow"]
share = "1/2"
designations = []
""")
    layered = [(r.start, r.end, r.colours, str(r.share)) for r in mandatory_history(params)]
    assert layered[2:] == [
        (dt.date(2021, 11, 30), dt.date(2023, 12, 31), ("red",), "1"),
        (dt.date(2024, 1, 1), dt.date(2024, 12, 31), ("yellow", "red"), "1/2"),
        (dt.date(2025, 1, 1), None, ("red",), "1"),
    ]
    yellow = fuaalborg.rules_for("yellow", "2024-06-01", parameters=params)
    assert (yellow.flexible_letting, yellow.mandatory_flexible_share) == ("mandatory", 0.5)
