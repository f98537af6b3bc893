"""Almenboligloven § 59, stk. 6 and 7: each household criterion blocks where the law says."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.errors import ValidationError
from fuaalborg.letting.referral_limits import check_referral, designation_on
from fuaalborg.municipality import Municipality

ON = dt.date(2024, 6, 15)
SIX_MONTHS_AGO = dt.date(2023, 12, 15)


def clean(**changes: Any) -> dict[str, Any]:
    member: dict[str, Any] = {
        "released_from_prison_on": None,
        "age": 30,
        "released_from_youth_institution_on": None,
        "lease_terminated_on": None,
        "eu_eea_swiss_citizen": True,
        "student": False,
        "social_assistance_months": 0,
        "disability_pension": False,
        "unemployment_sickness_months": 0,
    }
    member.update(changes)
    return member


# each criterion: a member who meets it, and one just outside it
CASES = {
    "nr1": (clean(released_from_prison_on=SIX_MONTHS_AGO),
            clean(released_from_prison_on=SIX_MONTHS_AGO - dt.timedelta(days=1))),
    "nr2": (clean(age=17, released_from_youth_institution_on=dt.date(2024, 5, 1)),
            clean(age=18, released_from_youth_institution_on=dt.date(2024, 5, 1))),
    "nr3": (clean(lease_terminated_on=dt.date(2024, 6, 15)),
            clean(lease_terminated_on=dt.date(2023, 12, 14))),
    "nr4": (clean(eu_eea_swiss_citizen=False),
            clean(eu_eea_swiss_citizen=False, student=True)),
    "nr5": (clean(social_assistance_months=6), clean(social_assistance_months=5)),
    "nr6": (clean(disability_pension=True), clean(disability_pension=False)),
    "nr7": (clean(unemployment_sickness_months=6), clean(unemployment_sickness_months=5)),
}
STK6 = ["udsat", "parallelsamfund", "omdannelse"]


@pytest.mark.parametrize("designation", STK6)
@pytest.mark.parametrize("criterion", sorted(CASES))
def test_stk6_each_criterion_blocks_in_vulnerable_areas(designation: str, criterion: str) -> None:
    meets, outside = CASES[criterion]
    check = check_referral([clean(), meets], "D", ON, designation=designation)
    assert not check.allowed
    assert [b.criterion for b in check.blocks] == [f"stk6_{criterion}"]
    assert check.blocks[0].members == (2,)
    assert check.provision == "almenboligloven § 59, stk. 6"
    assert check_referral([clean(), outside], "D", ON, designation=designation).allowed


@pytest.mark.parametrize("criterion", sorted(CASES))
def test_stk7_blocks_nr1_to_4_and_the_benefit_rule_only(criterion: str) -> None:
    meets, outside = CASES[criterion]
    check = check_referral(meets, "D", ON, designation="forebyggelse")
    if criterion in {"nr1", "nr2", "nr3", "nr4", "nr5"}:
        assert [b.criterion for b in check.blocks] == [f"stk7_{criterion}"]
        assert check.provision == "almenboligloven § 59, stk. 7"
    else:  # disability pension, unemployment/sickness benefit: stk. 6 only
        assert check.allowed
    assert check_referral(outside, "D", ON, designation="forebyggelse").allowed


@pytest.mark.parametrize("criterion", sorted(CASES))
def test_no_limit_outside_designated_areas(criterion: str) -> None:
    check = check_referral(CASES[criterion][0], "D", ON, designation="none")
    assert check.allowed
    assert check.provision is None


def test_law_in_force_on_the_date() -> None:
    pension = clean(disability_pension=True)
    assert check_referral(pension, "D", dt.date(2018, 6, 1), designation="udsat").allowed
    assert not check_referral(pension, "D", dt.date(2019, 6, 1), designation="udsat").allowed
    abroad = clean(eu_eea_swiss_citizen=False)
    assert check_referral(abroad, "D", dt.date(2021, 6, 1), designation="forebyggelse").allowed
    assert not check_referral(abroad, "D", dt.date(2022, 6, 1),
                              designation="forebyggelse").allowed


def test_agreement_readings_for_colours() -> None:
    red = check_referral(clean(), "D", ON, designation="none", colour="red")
    assert not red.allowed
    assert red.blocks[0].criterion == "agreement_red"
    yellow = check_referral(clean(social_assistance_months=8), "D", ON, designation="none",
                            colour="yellow")
    assert [b.criterion for b in yellow.blocks] == ["yellow_stk7_nr5"]
    green = check_referral(clean(social_assistance_months=8), "D", ON, designation="none",
                           colour="green")
    assert green.allowed


def test_reasons_name_criteria_never_values() -> None:
    check = check_referral([clean(), clean(eu_eea_swiss_citizen=False)], "D", ON,
                           designation="udsat")
    text = "\n".join(check.reasons()) + "\n".join(check.reasons("da"))
    assert "household member 2" in text
    assert "husstandsmedlem 2" in text
    assert "False" not in text


def test_missing_and_malformed_fields_reported_together() -> None:
    with pytest.raises(ValidationError, match="missing fields") as info:
        check_referral({"age": 30}, "D", ON, designation="udsat")
    assert "eu_eea_swiss_citizen" in str(info.value)
    bad = clean(eu_eea_swiss_citizen="ja", social_assistance_months=-1,
                lease_terminated_on="2030-01-01")
    with pytest.raises(ValidationError, match="3 problems"):
        check_referral(bad, "D", ON, designation="udsat")
    # a department with no limits needs no fields at all
    assert check_referral({}, "D", ON, designation="none").allowed
    with pytest.raises(ValidationError, match="municipality"):
        check_referral(clean(), "D", ON)


@settings(max_examples=60, deadline=None)
@given(
    months=st.integers(0, 24),
    days_ago=st.integers(0, 400),
    citizen=st.booleans(),
    student=st.booleans(),
)
def test_blocked_exactly_when_a_criterion_holds(
    months: int, days_ago: int, citizen: bool, student: bool
) -> None:
    released = ON - dt.timedelta(days=days_ago)
    member = clean(social_assistance_months=months, released_from_prison_on=released,
                   eu_eea_swiss_citizen=citizen, student=student)
    check = check_referral(member, "D", ON, designation="parallelsamfund")
    expected = set()
    if released >= SIX_MONTHS_AGO:
        expected.add("stk6_nr1")
    if not citizen and not student:
        expected.add("stk6_nr4")
    if months >= 6:
        expected.add("stk6_nr5")
    assert {b.criterion for b in check.blocks} == expected
    assert check.allowed == (not expected)


def test_designation_from_the_municipality_lists() -> None:
    town = Municipality.__new__(Municipality)
    object.__setattr__(town, "departments", pd.DataFrame(
        {"department_id": ["D1", "D2"], "area_id": ["X", None]}))
    object.__setattr__(town, "lists", pd.DataFrame(
        {"area_id": ["X", "X"], "list_date": pd.to_datetime(["2022-12-01", "2023-12-01"]),
         "designation": ["udsat", "forebyggelse"]}))
    assert designation_on(town, "D1", dt.date(2023, 6, 1))[0] == "udsat"
    assert designation_on(town, "D1", dt.date(2024, 6, 1))[0] == "forebyggelse"
    assert designation_on(town, "D2", dt.date(2024, 6, 1))[0] == "none"
    assert designation_on(town, "D1", dt.date(2020, 1, 1))[0] == "none"
    check = check_referral(clean(disability_pension=True), "D1", dt.date(2023, 6, 1),
                           municipality=town)
    assert not check.allowed
    assert "2022-12-01" in check.basis
    with pytest.raises(ValidationError, match="unknown department"):
        designation_on(town, "Q", ON)


def test_no_criterion_or_firewall_module_imports_referral_limits() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "fuaalborg"
    offenders = []
    for path in [*(root / "criteria").rglob("*.py"), root / "letting" / "ranking.py"]:
        if not path.exists():
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            if any("referral_limits" in n for n in names):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []
