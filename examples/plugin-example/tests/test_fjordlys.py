"""Fjordlys' own tests, written with fuaalborg's helpers for plug-in authors."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import fuaalborg_fjordlys as fjordlys
from fuaalborg.criteria import testing

ON = dt.date(2024, 6, 1)


def test_plugin_loads_with_its_criteria_and_agreement() -> None:
    registry = testing.load_plugin(fjordlys)
    assert fjordlys.EMPLOYMENT_TEST in registry.criteria
    assert any(a.organisation_cvr == fjordlys.FJORDLYS_CVR for a in registry.agreements)


def test_randers_definition() -> None:
    registry = testing.load_plugin(fjordlys)
    frame = pd.DataFrame({
        "employment_hours_per_week": [25.0, 24.0, 30.0, 30.0, None],
        "employment_permanent": [True, True, False, True, None],
        "fixed_term_months": [None, None, 3.0, None, None],
        "wage_subsidy": [False, False, False, True, None],
        "self_employed_cvr": [None, None, None, None, None],
        "partner_employment_hours_per_week": [None] * 5,
        "partner_employment_permanent": [None] * 5,
        "in_education": [None] * 5,
        "apprentice": [None, None, None, None, True],
        "partner_in_education": [None] * 5,
    })
    got = registry.evaluate(fjordlys.EMPLOYMENT_TEST, frame, ON).tolist()
    assert got == [True, False, True, False, True]


def test_red_departments_keep_the_mandatory_criterion() -> None:
    registry = testing.load_plugin(fjordlys)
    red = registry.agreement_for("FJ-1", fjordlys.FJORDLYS_CVR, "red", ON)
    assert red is not None and red.groups[-1] == "employment_or_education"


def test_no_result_depends_on_protected_columns() -> None:
    registry = testing.load_plugin(fjordlys)
    extra = [registry.fields["volunteer_in_department"]]
    sample = testing.synthetic_applicants(1_000, seed=3, extra=extra)
    testing.assert_independent_of_protected(fjordlys, on=ON, applicants=sample)


def test_runs_isolated_as_when_installed() -> None:
    # by module name, as an installed plug-in: in a worker process of its own
    with testing.load_plugin("fuaalborg_fjordlys") as registry:
        info = next(p for p in registry.plugins if p.name == "fuaalborg_fjordlys")
        assert info.isolation == "process"
        extra = [registry.fields["volunteer_in_department"]]
        sample = testing.synthetic_applicants(200, seed=1, extra=extra)
        assert registry.evaluate(fjordlys.VOLUNTEER, sample, ON).any()
        assert testing.trial_run(registry, ON) == []
