"""Almenboligloven § 59, stk. 6–9: each household criterion blocks where, when and as the law says.

The statute's figures are literals here on purpose (6 and 24 months, under 18, 30 %,
the dates of the amending acts): a change in the parameter files must fail a test.
"""

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
from fuaalborg.letting.referral_limits import (
    HOUSEHOLD_FIELDS,
    ForebyggelseShare,
    check_referral,
    designation_on,
    forebyggelse_share,
)
from fuaalborg.municipality import Municipality

ON = dt.date(2024, 6, 15)            # before the cash-benefit reform
AFTER = dt.date(2025, 8, 15)         # after it (read as in force 2025-07-01)
SIX_MONTHS_AGO = dt.date(2023, 12, 15)
STK6 = ["udsat", "parallelsamfund", "omdannelse"]


def clean(**changes: Any) -> dict[str, Any]:
    """A member who meets no criterion; every field the law reads on any date."""
    member: dict[str, Any] = {
        "released_from_prison_on": None,
        "released_from_youth_institution_on": None,
        "action_plan_required": None,
        "age": 30,
        "lease_terminated_on": None,
        "eu_eea_swiss_citizen": True,
        "student": False,
        "cash_benefit_months": 0,
        "education_benefit_months": 0,
        "self_support_benefit_months": 0,
        "transition_benefit_months": 0,
        "cash_benefit_s16_1_months": 0,
        "cash_benefit_s16_2_months": 0,
        "disability_pension": False,
        "unemployment_sickness_months": 0,
    }
    member.update(changes)
    return member


def codes(check: Any) -> list[str]:
    return [b.criterion for b in check.blocks]


def test_household_fields_are_the_ones_the_law_names() -> None:
    assert set(HOUSEHOLD_FIELDS) == {
        "released_from_prison_on", "released_from_youth_institution_on", "action_plan_required",
        "age", "lease_terminated_on", "eu_eea_swiss_citizen", "student", "cash_benefit_months",
        "education_benefit_months", "self_support_benefit_months", "transition_benefit_months",
        "cash_benefit_s16_1_months", "cash_benefit_s16_2_months", "disability_pension",
        "unemployment_sickness_months",
    }


# -- stk. 6 -------------------------------------------------------------------------------

# each criterion: a member who meets it, and one just outside it (on ON, before the reform)
STK6_CASES = {
    "nr1": (clean(released_from_prison_on=SIX_MONTHS_AGO, action_plan_required=True),
            clean(released_from_prison_on=SIX_MONTHS_AGO - dt.timedelta(days=1),
                  action_plan_required=True)),
    "nr2": (clean(age=17, released_from_youth_institution_on=dt.date(2024, 5, 1),
                  action_plan_required=True),
            clean(age=18, released_from_youth_institution_on=dt.date(2024, 5, 1),
                  action_plan_required=True)),
    "nr3": (clean(lease_terminated_on=dt.date(2024, 6, 15)),
            clean(lease_terminated_on=dt.date(2023, 12, 14))),
    "nr4": (clean(eu_eea_swiss_citizen=False),
            clean(eu_eea_swiss_citizen=False, student=True)),
    "nr5": (clean(education_benefit_months=6), clean(education_benefit_months=5)),
    "nr6": (clean(disability_pension=True), clean(disability_pension=False)),
    "nr7": (clean(unemployment_sickness_months=6), clean(unemployment_sickness_months=5)),
}


@pytest.mark.parametrize("designation", STK6)
@pytest.mark.parametrize("criterion", sorted(STK6_CASES))
def test_stk6_each_criterion_at_its_boundary(designation: str, criterion: str) -> None:
    meets, outside = STK6_CASES[criterion]
    check = check_referral([clean(), meets], "D", ON, designation=designation)
    assert not check.allowed
    assert codes(check) == [f"stk6_{criterion}"]
    assert check.blocks[0].members == (2,)
    assert check.provision == "almenboligloven § 59, stk. 6"
    assert check_referral([clean(), outside], "D", ON, designation=designation).allowed


@pytest.mark.parametrize("field", ["cash_benefit_months", "education_benefit_months",
                                   "self_support_benefit_months", "transition_benefit_months"])
def test_stk6_nr5_each_named_benefit_5_vs_6_months_before_the_reform(field: str) -> None:
    assert codes(check_referral(clean(**{field: 6}), "D", ON, designation="udsat")) == [
        "stk6_nr5"]
    assert check_referral(clean(**{field: 5}), "D", ON, designation="udsat").allowed


def test_stk6_nr5_after_the_reform_reads_kontanthjaelp_only() -> None:
    assert codes(check_referral(clean(cash_benefit_months=6), "D", AFTER,
                                designation="udsat")) == ["stk6_nr5"]
    assert check_referral(clean(cash_benefit_months=5), "D", AFTER, designation="udsat").allowed
    # the benefits the reform abolished are no longer named
    old = clean(education_benefit_months=12, self_support_benefit_months=12,
                transition_benefit_months=12)
    assert check_referral(old, "D", AFTER, designation="udsat").allowed
    # the reform's date: the last day before it and the day it took effect
    edu = clean(education_benefit_months=6)
    assert not check_referral(edu, "D", dt.date(2025, 6, 30), designation="udsat").allowed
    assert check_referral(edu, "D", dt.date(2025, 7, 1), designation="udsat").allowed


@pytest.mark.parametrize("field", ["released_from_prison_on",
                                   "released_from_youth_institution_on"])
def test_nr1_and_nr2_need_release_and_action_plan(field: str) -> None:
    released = {field: dt.date(2024, 4, 1), "age": 17}
    with_plan = clean(**released, action_plan_required=True)
    without = clean(**released, action_plan_required=False)
    expected = "stk6_nr1" if field == "released_from_prison_on" else "stk6_nr2"
    assert codes(check_referral(with_plan, "D", ON, designation="udsat")) == [expected]
    assert check_referral(without, "D", ON, designation="udsat").allowed
    # the same in a forebyggelse area (stk. 7 applies stk. 6, nr. 1-4)
    assert codes(check_referral(with_plan, "D", ON, designation="forebyggelse")) == [
        expected.replace("stk6", "stk7")]
    assert check_referral(without, "D", ON, designation="forebyggelse").allowed
    # released within the window with no word on the action plan: asked for, not guessed
    with pytest.raises(ValidationError, match="action_plan_required is needed"):
        check_referral(clean(**released), "D", ON, designation="udsat")
    # no release: the action plan may stay empty
    assert check_referral(clean(action_plan_required=None), "D", ON, designation="udsat").allowed


def test_stk6_before_2018_had_nr1_to_4_only_and_protected_ghetto_and_s51b_areas() -> None:
    pension = clean(disability_pension=True, cash_benefit_months=12)
    day = dt.date(2016, 6, 1)
    assert check_referral(pension, "D", day, designation="parallelsamfund").allowed
    abroad = clean(eu_eea_swiss_citizen=False)
    check = check_referral(abroad, "D", day, designation="parallelsamfund")
    assert codes(check) == ["stk6_nr4"]
    assert check.area_term == "ghettoområde, jf. § 61 a"
    assert "ghettoområde" in check.reasons("en")[0]
    assert codes(check_referral(abroad, "D", day, designation="s51b")) == ["stk6_nr4"]
    # "udsat" did not exist as a list before 2018-12-01
    assert check_referral(abroad, "D", day, designation="udsat").allowed
    # nr. 5-7 and the udsat areas from 2018-12-01
    assert check_referral(pension, "D", dt.date(2018, 11, 30), designation="udsat").allowed
    assert codes(check_referral(pension, "D", dt.date(2018, 12, 1), designation="udsat")) == [
        "stk6_nr5", "stk6_nr6"]
    # the names of 2018-2021 and after L 23 (2021-11-30)
    assert check_referral(abroad, "D", dt.date(2020, 1, 1),
                          designation="omdannelse").area_term.startswith("hårdt ghettoområde")
    assert check_referral(abroad, "D", dt.date(2022, 1, 1),
                          designation="omdannelse").area_term.startswith("omdannelsesområde")


# -- stk. 7 -------------------------------------------------------------------------------


def test_stk7_before_the_reform_boundaries() -> None:
    fore = {"designation": "forebyggelse"}
    for field in ("self_support_benefit_months", "transition_benefit_months"):
        assert codes(check_referral(clean(**{field: 6}), "D", ON, **fore)) == ["stk7_benefits_6"]
        assert check_referral(clean(**{field: 5}), "D", ON, **fore).allowed
    assert codes(check_referral(clean(cash_benefit_months=24), "D", ON, **fore)) == [
        "stk7_cash_24"]
    assert check_referral(clean(cash_benefit_months=23), "D", ON, **fore).allowed
    # stk. 7 does not name uddannelseshjælp, nor stk. 6, nr. 6-7
    assert check_referral(clean(education_benefit_months=36), "D", ON, **fore).allowed
    assert check_referral(clean(disability_pension=True, unemployment_sickness_months=12),
                          "D", ON, **fore).allowed


def test_stk7_after_the_reform_boundaries() -> None:
    fore = {"designation": "forebyggelse"}
    assert codes(check_referral(clean(cash_benefit_s16_2_months=6), "D", AFTER, **fore)) == [
        "stk7_benefits_6"]
    assert check_referral(clean(cash_benefit_s16_2_months=5), "D", AFTER, **fore).allowed
    assert codes(check_referral(clean(cash_benefit_s16_1_months=24), "D", AFTER, **fore)) == [
        "stk7_cash_24"]
    assert check_referral(clean(cash_benefit_s16_1_months=23), "D", AFTER, **fore).allowed
    # § 16, stk. 1 for 6 months is not enough, and the old fields are not read
    assert check_referral(clean(cash_benefit_s16_1_months=6, self_support_benefit_months=9,
                                cash_benefit_months=30), "D", AFTER, **fore).allowed
    # the new fields are not read before the reform
    assert check_referral(clean(cash_benefit_s16_2_months=9), "D", ON, **fore).allowed


def test_stk7_is_in_force_from_2021_11_30() -> None:
    abroad = clean(eu_eea_swiss_citizen=False)
    assert check_referral(abroad, "D", dt.date(2021, 11, 29), designation="forebyggelse").allowed
    assert not check_referral(abroad, "D", dt.date(2021, 11, 30),
                              designation="forebyggelse").allowed


def test_only_the_fields_of_the_rules_in_force_are_needed() -> None:
    before = {k: v for k, v in clean().items() if "s16" not in k}
    assert check_referral(before, "D", ON, designation="forebyggelse").allowed
    with pytest.raises(ValidationError, match="cash_benefit_s16_1_months"):
        check_referral(before, "D", AFTER, designation="forebyggelse")


# -- stk. 7, 2. pkt. and stk. 8 ---------------------------------------------------------------


@pytest.mark.parametrize(("share", "excluded", "lifted"), [
    (30.0, True, False),     # »overstiger 30 pct.«: 30 % is not above
    (30.1, True, True),
    (45.0, False, False),    # above 30 %, but the municipality has not excluded the area
    (45.0, True, True),
])
def test_the_30_percent_exception(share: float, excluded: bool, lifted: bool) -> None:
    member = clean(cash_benefit_months=30)
    exclusions = {"A": "2024-01-01"} if excluded else {}
    check = check_referral(member, "D", ON, designation="forebyggelse", area_id="A",
                           forebyggelse_share=share, excluded_areas=exclusions)
    assert check.exception is not None
    assert check.exception.threshold_pct == 30
    assert check.exception.lifted is lifted
    assert check.allowed is lifted
    assert "stk. 7, 2. pkt., og stk. 8" in "\n".join(check.reasons("en"))


def test_an_exclusion_applies_from_its_date_and_to_its_area_only() -> None:
    member = clean(cash_benefit_months=30)
    args: dict[str, Any] = {"designation": "forebyggelse", "forebyggelse_share": 40.0}
    rows = [{"area_id": "A", "from": "2024-07-01", "until": "2024-12-31"}]
    assert not check_referral(member, "D", ON, area_id="A", excluded_areas=rows, **args).allowed
    assert check_referral(member, "D", dt.date(2024, 7, 1), area_id="A", excluded_areas=rows,
                          **args).allowed
    assert not check_referral(member, "D", dt.date(2025, 1, 1), area_id="A",
                              excluded_areas=rows, **args).allowed
    assert not check_referral(member, "D", dt.date(2024, 8, 1), area_id="B",
                              excluded_areas=rows, **args).allowed
    # stk. 6 areas are not touched by the exception
    assert not check_referral(member, "D", dt.date(2024, 8, 1), area_id="A",
                              excluded_areas=rows, forebyggelse_share=40.0,
                              designation="udsat").allowed


def test_exclusions_report_every_problem_and_need_the_area() -> None:
    rows = [{"area_id": "", "from": "2024-01-01"}, {"area_id": "A", "from": "x"},
            {"area_id": "B", "from": "2024-05-01", "until": "2024-01-01"}]
    with pytest.raises(ValidationError, match="3 problems"):
        check_referral(clean(), "D", ON, designation="forebyggelse", area_id="A",
                       forebyggelse_share=40.0, excluded_areas=rows)
    with pytest.raises(ValidationError, match="area_id="):
        check_referral(clean(), "D", ON, designation="forebyggelse", forebyggelse_share=40.0,
                       excluded_areas={"A": "2024-01-01"})


def _town(departments: dict[str, list[Any]], lists: dict[str, list[Any]]) -> Municipality:
    municipality = Municipality.__new__(Municipality)
    object.__setattr__(municipality, "departments", pd.DataFrame(departments))
    object.__setattr__(municipality, "lists", pd.DataFrame(lists))
    return municipality


def test_the_share_is_computed_from_the_municipality_tables() -> None:
    municipality = _town(
        {"department_id": ["D1", "D2", "D3", "D4"], "area_id": ["F", "F", "U", None],
         "family_dwellings": [200, 110, 300, 390], "bab_dwellings": [0, 0, 0, 0]},
        {"area_id": ["F", "U"], "list_date": ["2023-12-01", "2023-12-01"],
         "designation": ["forebyggelse", "udsat"]},
    )
    share = forebyggelse_share(municipality, ON)
    assert (share.dwellings, share.total) == (310, 1000)
    assert share.share_pct == pytest.approx(31.0)
    assert share.areas == ("F",)
    member = clean(cash_benefit_months=30)
    lifted = check_referral(member, "D1", ON, municipality=municipality,
                            excluded_areas={"F": "2024-01-01"})
    assert lifted.allowed
    assert lifted.exception is not None
    assert lifted.exception.lifted
    assert lifted.area_id == "F"
    assert not check_referral(member, "D1", ON, municipality=municipality).allowed
    # 30 of 100 is not above 30 %
    exact = ForebyggelseShare(ON, None, ("F",), 300, 1000)
    assert not check_referral(member, "D1", ON, municipality=municipality, forebyggelse_share=exact,
                              excluded_areas={"F": "2024-01-01"}).allowed


# -- stk. 9 -------------------------------------------------------------------------------


def test_stk9_fallback_named_and_recorded() -> None:
    member = clean(eu_eea_swiss_citizen=False)
    blocked = check_referral(member, "D", ON, designation="udsat")
    assert not blocked.allowed
    assert blocked.fallback is None
    english, danish = "\n".join(blocked.reasons("en")), "\n".join(blocked.reasons("da"))
    assert "almenboligloven § 59, stk. 9" in english
    assert "no_alternative=True" in english
    assert "almenboligloven § 59, stk. 9" in danish
    assert "skal den anvise her" in danish
    allowed = check_referral(member, "D", ON, designation="udsat", no_alternative=True)
    assert allowed.allowed
    assert allowed.no_alternative
    assert allowed.fallback == "almenboligloven § 59, stk. 9"
    assert codes(allowed) == ["stk6_nr4"]  # the criteria met are still recorded
    assert "do not bar this referral" in "\n".join(allowed.reasons("en"))
    fore = check_referral(clean(cash_benefit_months=24), "D", ON, designation="forebyggelse",
                          no_alternative=True)
    assert fore.allowed
    assert fore.fallback


def test_stk9_lifts_the_red_exemption_but_not_the_yellow_criteria_nor_applies_before_2021(
) -> None:
    barred = clean(eu_eea_swiss_citizen=False)
    red = check_referral(barred, "D", ON, designation="udsat", colour="red")
    assert not red.allowed
    assert codes(red) == ["agreement_red", "stk6_nr4"]
    # the municipality's duty under stk. 9 is not the agreement's to set aside
    red = check_referral(barred, "D", ON, designation="udsat", colour="red", no_alternative=True)
    assert red.allowed
    assert red.yielded == ("agreement_red",)
    assert codes(red) == ["agreement_red", "stk6_nr4"]  # still recorded
    assert "cannot set aside the municipality's statutory duty" in "\n".join(red.reasons("en"))
    assert "lovbestemte pligt" in "\n".join(red.reasons("da"))
    # no statutory bar here: there is no duty for the agreement to yield to
    unbarred = check_referral(clean(), "D", ON, designation="none", colour="red",
                              no_alternative=True)
    assert not unbarred.allowed
    assert unbarred.yielded == ()
    assert "does not apply here" in "\n".join(unbarred.reasons("en"))
    # yellow: the agreement's stk. 7 criteria outside the listed areas stand
    yellow = check_referral(clean(cash_benefit_months=24), "D", ON, designation="none",
                            colour="yellow", no_alternative=True)
    assert not yellow.allowed
    assert codes(yellow) == ["yellow_stk7_cash_24"]
    assert not any(b.statutory for b in yellow.blocks)
    with pytest.raises(ValidationError, match="modelled from 2021-11-30"):
        check_referral(clean(eu_eea_swiss_citizen=False), "D", dt.date(2020, 1, 1),
                       designation="udsat", no_alternative=True)


# -- the agreement's readings, errors, and isolation -----------------------------------------


def test_no_limit_outside_designated_areas() -> None:
    for meets, _outside in STK6_CASES.values():
        check = check_referral(meets, "D", ON, designation="none")
        assert check.allowed
        assert check.provision is None


def test_agreement_readings_for_colours() -> None:
    red = check_referral(clean(), "D", ON, designation="none", colour="red")
    assert not red.allowed
    assert codes(red) == ["agreement_red"]
    yellow = check_referral(clean(cash_benefit_months=24), "D", ON, designation="none",
                            colour="yellow")
    assert codes(yellow) == ["yellow_stk7_cash_24"]
    assert check_referral(clean(cash_benefit_months=23), "D", ON, designation="none",
                          colour="yellow").allowed
    green = check_referral(clean(cash_benefit_months=30), "D", ON, designation="none",
                           colour="green")
    assert green.allowed


def test_social_assistance_months_is_refused_naming_its_replacements() -> None:
    old = clean()
    old["social_assistance_months"] = 7
    for designation in ("udsat", "none"):
        with pytest.raises(ValidationError) as info:
            check_referral(old, "D", ON, designation=designation)
        text = str(info.value)
        assert "social_assistance_months: no longer read" in text
        for field in ("cash_benefit_months", "education_benefit_months",
                      "self_support_benefit_months", "transition_benefit_months"):
            assert field in text


def test_reasons_name_criteria_never_values() -> None:
    check = check_referral([clean(), clean(eu_eea_swiss_citizen=False)], "D", ON,
                           designation="udsat")
    text = "\n".join(check.reasons("en")) + "\n".join(check.reasons("da"))
    assert "household member 2" in text
    assert "husstandsmedlem 2" in text
    assert "False" not in text


def test_missing_and_malformed_fields_reported_together() -> None:
    with pytest.raises(ValidationError, match="missing fields") as info:
        check_referral({"age": 30}, "D", ON, designation="udsat")
    assert "eu_eea_swiss_citizen" in str(info.value)
    bad = clean(eu_eea_swiss_citizen="ja", cash_benefit_months=-1,
                lease_terminated_on="2030-01-01")
    with pytest.raises(ValidationError, match="3 problems"):
        check_referral(bad, "D", ON, designation="udsat")
    # a department with no limits needs no fields at all
    assert check_referral({}, "D", ON, designation="none").allowed
    with pytest.raises(ValidationError, match="municipality"):
        check_referral(clean(), "D", ON)


@settings(max_examples=60, deadline=None)
@given(
    cash=st.integers(0, 30),
    short=st.integers(0, 12),
    days_ago=st.integers(0, 400),
    plan=st.booleans(),
    citizen=st.booleans(),
    student=st.booleans(),
    after=st.booleans(),
)
def test_stk7_blocked_exactly_when_a_criterion_holds(
    cash: int, short: int, days_ago: int, plan: bool, citizen: bool, student: bool, after: bool
) -> None:
    day = AFTER if after else ON
    released = day - dt.timedelta(days=days_ago)
    six_back = dt.date(day.year - (1 if day.month <= 6 else 0), (day.month - 7) % 12 + 1, day.day)
    fields = ({"cash_benefit_s16_1_months": cash, "cash_benefit_s16_2_months": short} if after
              else {"cash_benefit_months": cash, "self_support_benefit_months": short})
    member = clean(released_from_prison_on=released, action_plan_required=plan,
                   eu_eea_swiss_citizen=citizen, student=student, **fields)
    check = check_referral(member, "D", day, designation="forebyggelse")
    expected = set()
    if released >= six_back and plan:
        expected.add("stk7_nr1")
    if not citizen and not student:
        expected.add("stk7_nr4")
    if short >= 6:
        expected.add("stk7_benefits_6")
    if cash >= 24:
        expected.add("stk7_cash_24")
    assert set(codes(check)) == expected
    assert check.allowed == (not expected)


def test_designation_from_the_municipality_lists() -> None:
    municipality = _town({"department_id": ["D1", "D2"], "area_id": ["X", None]},
                 {"area_id": ["X", "X"], "list_date": pd.to_datetime(["2022-12-01", "2023-12-01"]),
                  "designation": ["udsat", "forebyggelse"]})
    assert designation_on(municipality, "D1", dt.date(2023, 6, 1))[0] == "udsat"
    assert designation_on(municipality, "D1", dt.date(2024, 6, 1))[0] == "forebyggelse"
    assert designation_on(municipality, "D2", dt.date(2024, 6, 1))[0] == "none"
    assert designation_on(municipality, "D1", dt.date(2020, 1, 1))[0] == "none"
    check = check_referral(clean(disability_pension=True), "D1", dt.date(2023, 6, 1),
                           municipality=municipality)
    assert not check.allowed
    assert "2022-12-01" in check.basis
    assert check.area_id == "X"
    with pytest.raises(ValidationError, match="unknown department"):
        designation_on(municipality, "Q", ON)


def test_no_criterion_firewall_or_ranking_module_imports_referral_limits() -> None:
    root = Path(__file__).resolve().parents[1] / "src" / "fuaalborg"
    offenders = []
    paths = [*(root / "criteria").rglob("*.py"), *(root / "letting").glob("_[a-z]*.py"),
             root / "letting" / "ranking.py"]
    for path in paths:
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
