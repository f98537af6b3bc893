"""The statutory refusals in the ranking: almenboligloven § 51 c and udlejningsbekendtgørelsen § 26.

§ 51 c (from 2019-07-01): in a department of a transformation area the organisation must
refuse waiting-list applicants who do not live in the department when they and their
spouse receive the benefits the law names, unless the municipality dispenses (stk. 4).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from fuaalborg.criteria.declarations import Criterion
from fuaalborg.criteria.errors import StatutoryFieldError
from fuaalborg.criteria.hookspecs import hookimpl
from fuaalborg.criteria.testing import assert_refused
from fuaalborg.criteria.vocabulary import STATUTORY_NAMES, is_protected_name
from fuaalborg.letting.ranking import INELIGIBILITY_REASONS, rank, rank_many
from fuaalborg.letting.replay import replay
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import load_parameters
from fuaalborg.records import RankingRecord
from fuaalborg.tables import TableValidationError

ON = dt.date(2024, 5, 1)
AFTER = dt.date(2025, 8, 1)
VAC = Vacancy("D1", rooms=3, monthly_rent_dkk=5000, vacant_on=ON)

#: id, list, lives in, own benefit, partner's benefit, dispensation
ROWS = [
    ("a1", "external", None, "cash_benefit", "no_partner", False),       # refused
    ("a2", "external", None, "cash_benefit", "other", False),            # spouse: other benefit
    ("a3", "external", "D9", "cash_benefit", "education_benefit", False),  # both named: refused
    ("a4", "internal", "D1", "cash_benefit", "no_partner", False),       # lives here
    ("a5", "external", None, "cash_benefit", "no_partner", True),        # dispensation
    ("a6", "external", None, "none", "cash_benefit", False),             # applicant: none
    ("a7", "external", None, None, "no_partner", False),                 # not given
    ("a8", "internal", "D9", "education_benefit", "no_partner", False),  # refused before reform
]


def waiting(rows: list[tuple[Any, ...]] = ROWS, *, dispensation: bool = True) -> pd.DataFrame:
    frame = pd.DataFrame({
        "applicant_id": [r[0] for r in rows],
        "list": [r[1] for r in rows],
        "seniority_date": pd.to_datetime([f"2010-01-{i + 1:02d}" for i in range(len(rows))]),
        "household_size": 1,
        "current_department_id": [r[2] for r in rows],
        "benefit_received": [r[3] for r in rows],
        "partner_benefit_received": [r[4] for r in rows],
    })
    if dispensation:
        frame["s51c_dispensation"] = [r[5] for r in rows]
    return frame


def refused(ranking: Any) -> list[str]:
    out = ranking.ineligible
    return sorted(out.loc[out["reason"].astype(str) == "s51c", "applicant_id"].astype(str))


def test_s51c_refuses_exactly_the_applicants_the_law_names() -> None:
    r = rank(waiting(), VAC, route="ordinary", designation="omdannelse")
    assert INELIGIBILITY_REASONS[-1] == "s51c"
    assert refused(r) == ["a1", "a3", "a8"]
    assert list(r.frame["applicant_id"]) == ["a2", "a4", "a5", "a6", "a7"]
    assert r.notices == ("almenboligloven § 51 c: 1 row without benefit information could not "
                         "be checked and is not refused",)
    names = {p.name for p in r.record.parameters}
    assert "letting.s51c" in names
    assert r.record.designation == "omdannelse"
    assert {"benefit_received", "partner_benefit_received", "s51c_dispensation",
            "current_department_id"} <= set(r.record.input.columns)


def test_without_a_recorded_dispensation_the_applicant_is_refused() -> None:
    r = rank(waiting(dispensation=False), VAC, route="ordinary", designation="omdannelse")
    assert refused(r) == ["a1", "a3", "a5", "a8"]


def test_s51c_applies_only_in_transformation_areas_and_from_2019_07_01() -> None:
    for designation in ("parallelsamfund", "udsat", "forebyggelse", "none"):
        assert refused(rank(waiting(), VAC, route="ordinary", designation=designation)) == []
    before = Vacancy("D1", 3, 5000, dt.date(2019, 6, 30))
    assert refused(rank(waiting(), before, route="ordinary", designation="omdannelse")) == []
    first = Vacancy("D1", 3, 5000, dt.date(2019, 7, 1))
    assert refused(rank(waiting(), first, route="ordinary", designation="omdannelse")) == [
        "a1", "a3", "a8"]


def test_after_the_cash_benefit_reform_only_kontanthjaelp_is_named() -> None:
    vac = Vacancy("D1", 3, 5000, AFTER)
    r = rank(waiting(), vac, route="ordinary", designation="omdannelse")
    # a3's spouse and a8 receive uddannelseshjælp, which the reform abolished
    assert refused(r) == ["a1"]


def test_explanation_names_the_provision_and_the_area() -> None:
    r = rank(waiting(), VAC, route="ordinary", designation="omdannelse")
    en, da = r.explain("a1", lang="en"), r.explain("a1", lang="da")
    assert "almenboligloven § 51 c requires the organisation to refuse in an "\
           "omdannelsesområde, jf. § 61 a, stk. 4" in en
    assert "almenboligloven § 51 c pålægger boligorganisationen at afvise" in da
    assert "cash_benefit" not in en + da  # the value itself is never shown


def test_a_list_without_benefit_columns_is_ranked_with_a_notice() -> None:
    plain = waiting().drop(columns=["benefit_received", "partner_benefit_received",
                                    "s51c_dispensation"])
    r = rank(plain, VAC, route="ordinary", designation="omdannelse")
    assert refused(r) == []
    assert len(r.notices) == 1
    assert "municipality checks before the letting (stk. 3)" in r.notices[0]
    assert "benefit_received" not in r.record.input.columns
    # one of the two columns alone is not enough: both are named
    half = waiting().drop(columns=["partner_benefit_received"])
    with pytest.raises(TableValidationError, match="partner_benefit_received"):
        rank(half, VAC, route="ordinary", designation="omdannelse")


def test_designation_from_the_municipality_lists_in_rank_and_rank_many() -> None:
    municipality = Municipality.__new__(Municipality)
    object.__setattr__(municipality, "settings", None)  # no municipality.toml: bundled bounds
    object.__setattr__(municipality, "departments", pd.DataFrame(
        {"department_id": ["D1", "D2"], "organisation_cvr": ["31831814"] * 2,
         "area_id": ["M", None]}))
    object.__setattr__(municipality, "lists", pd.DataFrame(
        {"area_id": ["M", "M"], "list_date": ["2022-12-01", "2024-12-01"],
         "designation": ["omdannelse", "parallelsamfund"]}))
    r = rank(waiting(), VAC, route="ordinary", municipality=municipality, colour="green")
    assert r.record.designation == "omdannelse"
    assert refused(r) == ["a1", "a3", "a8"]
    later = Vacancy("D1", 3, 5000, dt.date(2025, 1, 5))
    assert refused(rank(waiting(), later, route="ordinary", municipality=municipality,
                        colour="green")) == []
    many = rank_many(waiting(), [VAC, Vacancy("D2", 3, 5000, ON)], top=None,
                     route="ordinary", designations={"D1": "omdannelse"})
    assert refused(many[0]) == ["a1", "a3", "a8"]
    assert refused(many[1]) == []


def test_the_record_replays_with_its_designation() -> None:
    r = rank(waiting(), VAC, route="ordinary", designation="omdannelse")
    again = RankingRecord.from_json(r.record.to_json())
    assert again.designation == "omdannelse"
    assert replay(again, waiting()).matches


def test_s51c_fields_are_protected_from_every_criterion() -> None:
    fields = ["benefit_received", "partner_benefit_received", "s51c_dispensation",
              "cash_benefit_months", "released_from_prison_on", "eu_eea_swiss_citizen",
              "action_plan_required", "cash_benefit_s16_2_months"]
    assert set(fields) <= STATUTORY_NAMES
    assert all(is_protected_name(f"applicant_{f}") for f in fields)
    assert not is_protected_name("age")
    crit = Criterion(
        id="prop.benefit", title="t", reads={"benefit_received", "age"},
        predicate=lambda f: f["age"].notna(), legal_basis="Almenboligloven § 60, stk. 1",
    )
    plugin = type("P", (), {"register_criteria": staticmethod(hookimpl(lambda: [crit]))})()
    group = assert_refused(plugin, StatutoryFieldError)
    assert "benefit_received" in str(group)


# -- udlejningsbekendtgørelsen § 26 -----------------------------------------------------------


def test_household_size_is_a_ground_the_organisation_may_use(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        "applicant_id": ["big", "small"], "list": ["external", "external"],
        "seniority_date": pd.to_datetime(["2010-01-01", "2011-01-01"]),
        "household_size": [7, 2],
    })
    vac = Vacancy("D1", rooms=3, monthly_rent_dkk=5000, vacant_on=ON)
    used = rank(frame, vac, route="ordinary")
    assert list(used.frame["applicant_id"]) == ["small"]
    assert "udlejningsbekendtgørelsen § 26" in used.explain("big", lang="en")
    assert list(rank(frame.assign(household_size=[6, 2]), vac, route="ordinary")
                .frame["applicant_id"]) == ["big", "small"]   # 6 = 2 per room: not above
    own = tmp_path / "practice.toml"
    own.write_text(
        '[meta]\ntitle = "no refusal"\nversion = "1"\n'
        "[letting.household_size_refusal]\n"
        'description = "x"\nunit = "boolean"\n'
        "[[letting.household_size_refusal.values]]\n"
        'from = 2020-01-01\nvalue = false\nreference = "Organisation practice"\n',
        encoding="utf-8",
    )
    params = load_parameters(own)
    kept = rank(frame, vac, route="ordinary", parameters=params)
    assert list(kept.frame["applicant_id"]) == ["big", "small"]
    names = {p.name: p.value for p in kept.record.parameters}
    assert names["letting.household_size_refusal"] == "False"
    reference = load_parameters().lookup("letting.max_persons_per_room", ON).reference
    assert "§ 26" in reference
    assert "52 a" not in reference
