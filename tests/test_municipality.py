"""The municipality bundle: every table validated, references checked, all at once."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fuaalborg import Municipality, TableValidationError, rent_band
from fuaalborg.tables import write_table


def tiny() -> dict[str, pd.DataFrame]:
    return {
        "organisations": pd.DataFrame(
            {"organisation_cvr": ["31831814", "32043887"], "name": ["Vivabolig", "DOMEA"]}
        ),
        "departments": pd.DataFrame(
            {
                "department_id": ["D1", "D2"],
                "organisation_cvr": ["31831814", "32043887"],
                "name": ["Testparken", "Prøvevej"],
                "area_id": ["A1", None],
                "family_dwellings": [2, 1],
                "bab_dwellings": [1, 0],
                "residents": [6, 2],
                "residents_18_64": [4, 2],
            }
        ),
        "dwellings": pd.DataFrame(
            {
                "dwelling_id": ["W1", "W2", "W3", "W4"],
                "department_id": ["D1", "D1", "D1", "D2"],
                "kind": ["family", "family", "bab", "family"],
                "rooms": [2, 3, 1, 4],
                "area_m2": [60.0, 80.0, 40.0, 100.0],
                "monthly_rent_dkk": [3500.0, 5000.0, 3100.0, 7100.0],
            }
        ),
        "areas": pd.DataFrame(
            {"area_id": ["A1"], "name": ["Testområdet"], "kind": ["local"], "residents": [6]}
        ),
        "indicators": pd.DataFrame(
            {
                "department_id": ["D1"],
                "measured_on": ["2024-11-01"],
                "source": ["twin_tool"],
                "residents_18_64": [4],
                "units": [3],
                "residents": [6],
                "outside_work_education_pct": [None],
                "conviction_ratio": [None],
                "basic_education_pct": [None],
                "income_ratio_pct": [None],
                "non_western_pct": [None],
            }
        ),
        "lists": pd.DataFrame(columns=["area_id", "list_date", "designation"]),
    }


def test_a_consistent_municipality_validates() -> None:
    municipality = Municipality.from_frames(**tiny())
    assert len(municipality.dwellings) == 4
    bands = rent_band(
        municipality.dwellings["monthly_rent_dkk"], "agreement", pd.Timestamp("2024-01-01")
    )
    assert bands.value_counts().to_dict() == {
        "≤ 3.500 kr": 2,
        "3.500–5.000 kr": 1,
        "> 5.000 kr": 1,
    }


def test_broken_references_are_all_reported() -> None:
    tables = tiny()
    tables["departments"].loc[1, "organisation_cvr"] = "12011814"  # valid CVR, not a listed party
    tables["departments"].loc[1, "area_id"] = "A9"
    tables["dwellings"].loc[3, "department_id"] = "D7"
    tables["indicators"].loc[0, "department_id"] = "D8"
    with pytest.raises(TableValidationError) as info:
        Municipality.from_frames(**tables)
    got = {(p.table, p.column, p.row) for p in info.value.problems}
    assert got == {
        ("departments", "organisation_cvr", 2),
        ("departments", "area_id", 2),
        ("dwellings", "department_id", 4),
        ("indicators", "department_id", 1),
        ("departments", "family_dwellings", 2),  # D2 now has no family dwelling listed
    }


def test_problems_in_several_tables_come_together() -> None:
    tables = tiny()
    tables["departments"].loc[0, "residents"] = -1
    tables["dwellings"].loc[0, "kind"] = "youth"
    with pytest.raises(TableValidationError) as info:
        Municipality.from_frames(**tables)
    assert {p.table for p in info.value.problems} == {"departments", "dwellings"}


def test_from_folder_reads_csv_and_xlsx(tmp_path: Path) -> None:
    tables = tiny()
    for name, frame in tables.items():
        suffix = ".xlsx" if name == "dwellings" else ".csv"
        write_table(frame, tmp_path / f"{name}{suffix}", danish=name == "departments")
    municipality = Municipality.from_folder(tmp_path)
    direct = Municipality.from_frames(**tables)
    pd.testing.assert_frame_equal(municipality.dwellings, direct.dwellings)
    pd.testing.assert_frame_equal(municipality.departments, direct.departments)


def test_from_folder_names_missing_tables(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"missing organisations\.csv"):
        Municipality.from_folder(tmp_path)


def test_references_are_checked_even_when_another_table_fails() -> None:
    tables = tiny()
    tables["areas"].loc[0, "residents"] = -5  # the areas table fails on its own
    tables["dwellings"].loc[3, "department_id"] = "D7"  # a broken reference elsewhere
    with pytest.raises(TableValidationError) as info:
        Municipality.from_frames(**tables)
    got = {(p.table, p.column, p.row) for p in info.value.problems}
    assert ("areas", "residents", 1) in got
    assert ("dwellings", "department_id", 4) in got
    # references into the failed table are checked against its readable rows: none dangles
    assert not any(p.column == "area_id" for p in info.value.problems)


def test_an_empty_dwellings_table_does_not_hide_the_declared_dwellings() -> None:
    tables = tiny()
    tables["dwellings"] = tables["dwellings"].iloc[0:0]
    with pytest.raises(TableValidationError) as info:
        Municipality.from_frames(**tables)
    got = {(p.table, p.column, p.row) for p in info.value.problems}
    assert {("departments", "family_dwellings", 1), ("departments", "bab_dwellings", 1),
            ("departments", "family_dwellings", 2)} <= got


def test_every_bound_of_municipality_toml_overrides_its_parameter_in_its_unit() -> None:
    from fuaalborg.municipality import MunicipalitySettings
    from fuaalborg.parameters import load_parameters

    bundled = load_parameters()
    keys = [name.removeprefix("bounds.") for name in bundled.names() if name.startswith("bounds.")]
    lines = ['name = "Own"', "[bounds]", *(f"{key} = 7" for key in keys), 'reference = "own"']
    text = "\n".join(lines)
    layer = MunicipalitySettings.from_text(text, "municipality.toml").layer()
    assert sorted(layer) == [f"bounds.{key}" for key in sorted(keys)]
    for name, parameter in layer.items():
        assert parameter.unit == bundled.parameter(name).unit
        assert parameter.values[0].value == 7
        assert parameter.values[0].reference == "own (municipality.toml [bounds])"
