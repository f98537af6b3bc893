"""What the library says about the law: the C-417/23 notice, proxies, list dates, citations."""

from __future__ import annotations

import datetime as dt

from fuaalborg.monitoring.calendar import scheduled_updates
from fuaalborg.monitoring.lists import list_rules
from fuaalborg.monitoring.steps import ETHNICITY_NOTICE, StepModel
from fuaalborg.parameters import load_parameters
from fuaalborg.reports.labels import label


def test_the_c417_notice_says_what_the_court_held() -> None:
    for text in (ETHNICITY_NOTICE, label("ethnicity_notice", "da")):
        assert "C-417/23" in text
        assert "50" in text
        assert "Østre Landsret" in text
        assert "30" in text  # the judgment does not concern the 30 % test
    assert "the Danish area rules are direct discrimination" not in ETHNICITY_NOTICE


def test_preset_tests_are_labelled_as_twin_tool_proxies() -> None:
    for preset in ("aalborg-2023", "socioeconomic"):
        model = StepModel.load(preset)
        step = next(s for s in model.steps_on(dt.date(2024, 1, 1)) if s.colour == "yellow")
        for test in (*step.criteria, *step.conditions):
            assert "proxy for § 61 b" in test.label, test.label


def test_ministry_list_dates_before_and_after_lov_1609_2013() -> None:
    lists = [u.on for u in scheduled_updates(dt.date(2010, 1, 1), dt.date(2015, 12, 31))
             if u.source == "ministry lists"]
    assert lists == [dt.date(2011, 1, 1), dt.date(2011, 10, 1), dt.date(2012, 10, 1),
                     dt.date(2013, 10, 1), dt.date(2014, 12, 1), dt.date(2015, 12, 1)]


def test_citations_of_the_2018_text() -> None:
    params = load_parameters()
    five = params.lookup("lists.omdannelse_years", dt.date(2019, 12, 1))
    assert five.value == 5
    assert "§ 61 a, stk. 5" in five.reference
    assert params.get("lists.omdannelse_years", dt.date(2021, 6, 1)) == 4
    assert list_rules("2020-12-01").omdannelse_paragraph == "§ 61 a, stk. 4 og 5"
    assert list_rules("2022-12-01").omdannelse_paragraph == "§ 61 a, stk. 4"
    stk6 = params.get("referral.limits.stk6", dt.date(2017, 1, 1))
    assert set(stk6["areas"]) == {"parallelsamfund", "s51b"}
    assert "ghettoområde" in stk6["areas"]["parallelsamfund"]
