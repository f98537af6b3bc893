"""Monitoring on the bundled example municipality (its commands: ``test_cli_monitoring``)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from fuaalborg import Municipality
from fuaalborg.monitoring import (
    StepModel,
    classify_areas,
    colour_on,
    compare_with_lists,
    overview,
    overview_summary,
    placement_on,
)


@pytest.fixture(scope="module")
def municipality(example_municipality: Municipality) -> Municipality:
    return example_municipality


def test_classification_reproduces_the_example_lists(municipality) -> None:  # type: ignore[no-untyped-def]
    result = classify_areas(municipality.area_indicators, lists=municipality.lists)
    assert compare_with_lists(result, municipality.lists).empty


def test_placement_is_stable_and_overview_matches(municipality) -> None:  # type: ignore[no-untyped-def]
    on = dt.date(2024, 6, 1)
    model = StepModel.load("aalborg-2023")
    a = model.place(municipality.departments, municipality.indicators, municipality.lists, on)
    b = model.place(
        municipality.departments, municipality.indicators, municipality.lists, on, validate=False
    )
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert set(a.frame["colour"]) == {"green", "yellow", "red"}
    view = overview(a, municipality.organisations)
    expected = a.frame[a.frame["colour"].isin(["red", "yellow"])]
    assert sorted(view["department_id"]) == sorted(expected["department_id"])
    summary = overview_summary(a, municipality.organisations)
    assert summary["red_departments"].sum() == (a.frame["colour"] == "red").sum()
    assert summary["yellow_dwellings"].sum() == a.frame.loc[
        a.frame["colour"] == "yellow", "dwellings"
    ].sum()
    socio = StepModel.load("socioeconomic").place(municipality.departments, municipality.indicators,
                                                   municipality.lists, on)
    assert set(socio.frame["colour"]) == {"green", "yellow", "red"}


def test_placement_on_uses_the_calendar(municipality) -> None:  # type: ignore[no-untyped-def]
    p = placement_on(municipality, dt.date(2024, 6, 1))
    assert p.on == dt.date(2024, 2, 1)
    assert placement_on(municipality, dt.date(2024, 6, 1)) is p
    assert placement_on(municipality, dt.date(2023, 1, 15)).on == dt.date(2023, 1, 1)
    dep = str(municipality.departments["department_id"].iloc[0])
    assert colour_on(municipality, dep, dt.date(2024, 6, 1)) == p.colour_of(dep)


def test_overview_lists_departments_that_left_red_or_yellow(
    example_municipality: Municipality
) -> None:
    import datetime as dt

    from fuaalborg import StepModel
    from fuaalborg.monitoring import overview

    municipality = example_municipality
    model = StepModel.load("aalborg-2023")
    before = model.place(
        municipality.departments, municipality.indicators, municipality.lists, dt.date(2024, 6, 1)
    )
    green = before.frame.loc[before.frame["colour"] == "green", "department_id"].iloc[0]
    previous = before.frame.copy()
    previous.loc[previous["department_id"] == green, "colour"] = "red"
    import attrs

    pretend = attrs.evolve(before, frame=previous)
    after = model.place(
        municipality.departments,
        municipality.indicators,
        municipality.lists,
        dt.date(2024, 6, 1),
        previous=pretend,
    )
    view = overview(after, municipality.organisations)
    row = view[view["department_id"] == green]
    assert len(row) == 1
    assert row["colour"].iloc[0] == "green"
    assert row["previous_colour"].iloc[0] == "red"
    assert bool(row["changed"].iloc[0])
