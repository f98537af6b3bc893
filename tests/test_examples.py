"""Tests of the bundled example municipality: calibration, determinism, consistency."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg import Municipality, examples, is_valid_cvr, load_parameters, rent_band
from fuaalborg.errors import ValidationError
from fuaalborg.examples._calibration import Calibration
from fuaalborg.examples._dwellings import EXACT_EDGE_RENTS

# The agreement's figures (afsnit 3, bilag 3), stated here as the test's oracle.
DEPARTMENTS = 271
FAMILY = 22_972
BAB = 352
BAB_DEPARTMENTS = 5
DWELLINGS = 23_324
CHEAP = 1_849
MID = 6_149
CHEAP_IN_PREVENTION = 194
MID_IN_PREVENTION = 380
PREVENTION_LIST = pd.Timestamp("2021-12-01")
L23_IN_FORCE = pd.Timestamp("2021-11-30")

TABLES = ("organisations", "departments", "dwellings", "areas", "indicators", "lists")


@pytest.fixture(scope="module")
def municipality(example_municipality: Municipality) -> Municipality:
    return example_municipality


def _bands(dwellings: pd.DataFrame) -> pd.Series:
    return rent_band(dwellings["monthly_rent_dkk"], "agreement", dt.date(2023, 1, 1))


def _check_calibration(municipality: Municipality) -> None:
    deps, dws = municipality.departments, municipality.dwellings
    assert len(deps) == DEPARTMENTS
    assert deps["family_dwellings"].sum() == FAMILY
    assert deps["bab_dwellings"].sum() == BAB
    assert (deps["bab_dwellings"] > 0).sum() == BAB_DEPARTMENTS
    assert len(dws) == DWELLINGS
    assert (dws["kind"] == "bab").sum() == BAB
    bands = _bands(dws)
    labels = list(bands.cat.categories)
    assert (bands == labels[0]).sum() == CHEAP
    assert (bands == labels[1]).sum() == MID
    assert (bands[dws["kind"] == "bab"] == labels[0]).all()
    lists = municipality.lists
    prevention = lists.loc[
        (lists["list_date"] == PREVENTION_LIST) & (lists["designation"] == "forebyggelse"),
        "area_id",
    ]
    in_prevention = dws["department_id"].isin(
        deps.loc[deps["area_id"].isin(prevention), "department_id"]
    )
    assert (bands[in_prevention] == labels[0]).sum() == CHEAP_IN_PREVENTION
    assert (bands[in_prevention] == labels[1]).sum() == MID_IN_PREVENTION


# --------------------------------------------------------------------------
# calibration


def test_calibration_targets_come_from_the_parameters() -> None:
    cal = Calibration.from_parameters()
    assert (
        cal.departments, cal.family_dwellings, cal.bab_dwellings, cal.bab_departments,
        cal.cheap_dwellings, cal.cheap_dwellings_in_prevention_areas,
        cal.mid_rent_dwellings, cal.mid_rent_dwellings_in_prevention_areas, cal.dwellings,
    ) == (
        DEPARTMENTS, FAMILY, BAB, BAB_DEPARTMENTS, CHEAP, CHEAP_IN_PREVENTION, MID,
        MID_IN_PREVENTION, DWELLINGS,
    )
    assert cal.counted_on == dt.date(2022, 3, 11)
    assert cal.prevention_list_date == PREVENTION_LIST.date()
    assert cal.rent_edges == (3500.0, 5000.0)


def test_bundled_example_is_calibrated_exactly(municipality: Municipality) -> None:
    _check_calibration(municipality)


@settings(max_examples=3, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_calibration_holds_for_any_seed(seed: int) -> None:
    _check_calibration(examples.generate(seed))


def test_generator_follows_a_users_parameters(tmp_path: Path) -> None:
    # a user's layer with other figures moves the generator with it
    text = """
[meta]
title = "A user's figures"
version = "1"

[agreement.figures.cheap_dwellings]
description = "test"
description_da = "test"
unit = "count"

[[agreement.figures.cheap_dwellings.values]]
from = 2022-03-11
value = 2000
reference = "test layer"
"""
    path = tmp_path / "figures.toml"
    path.write_text(text, encoding="utf-8")
    municipality = examples.generate(parameters=load_parameters(path))
    bands = _bands(municipality.dwellings)
    assert (bands == bands.cat.categories[0]).sum() == 2000


# --------------------------------------------------------------------------
# determinism, caching, validation, export


def test_generate_is_deterministic() -> None:
    one, two = examples.generate(11), examples.generate(11)
    for table in (*TABLES, "applicants", "area_indicators"):
        a, b = getattr(one, table), getattr(two, table)
        pd.testing.assert_frame_equal(a, b)
        assert pd.util.hash_pandas_object(a).equals(pd.util.hash_pandas_object(b))
    other = examples.generate(12)
    assert not other.dwellings.equals(one.dwellings)


def test_default_seed_is_the_bundled_example(municipality: Municipality) -> None:
    again = examples.generate(examples.DEFAULT_SEED)
    pd.testing.assert_frame_equal(again.dwellings, municipality.dwellings)
    assert municipality.name == examples.NAME == "Eksempelkommune (syntetisk)"
    assert municipality.synthetic


def test_load_returns_independent_copies() -> None:
    one = examples.load()
    one.departments["name"] = "changed"
    one.dwellings.loc[0, "rooms"] = 19
    two = examples.load()
    assert (two.departments["name"] != "changed").all()
    assert two.dwellings.loc[0, "rooms"] != 19


def test_example_passes_validation(municipality: Municipality) -> None:
    again = Municipality.from_frames(**{t: getattr(municipality, t) for t in TABLES})
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(again, table), getattr(municipality, table))


def _coerce_like(read: pd.DataFrame, original: pd.DataFrame) -> pd.DataFrame:
    """Turn a table read back as text into the original's dtypes."""
    out = pd.DataFrame(index=read.index)
    for column, dtype in original.dtypes.items():
        values = read[column]
        if pd.api.types.is_bool_dtype(dtype):
            out[column] = values.astype(str).str.lower().map({"true": True, "false": False})
        elif pd.api.types.is_datetime64_any_dtype(dtype):
            out[column] = pd.to_datetime(values).astype(dtype)
        elif pd.api.types.is_numeric_dtype(dtype):
            out[column] = pd.to_numeric(values).astype(dtype)
        else:
            # an empty text is an empty cell in a workbook
            text = values.astype("string").fillna("")
            missing = original[column].isna().to_numpy()
            out[column] = text.where(~missing).astype(dtype)
    return out.astype(original.dtypes.to_dict())


def test_export_csv_round_trip(municipality: Municipality, tmp_path: Path) -> None:
    written = examples.export(tmp_path, municipality=municipality)
    assert [p.name for p in written] == [f"{t}.csv" for t in examples.TABLES]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    back = Municipality.from_folder(tmp_path)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(back, table), getattr(municipality, table))
    # applicants are read as text (their vocabulary validates them); no value is lost
    pd.testing.assert_frame_equal(
        _coerce_like(back.applicants, municipality.applicants), municipality.applicants
    )
    area_indicators = pd.read_csv(tmp_path / "area_indicators.csv", dtype=str)
    pd.testing.assert_frame_equal(
        _coerce_like(area_indicators, municipality.area_indicators), municipality.area_indicators
    )


def test_export_xlsx_round_trip(municipality: Municipality, tmp_path: Path) -> None:
    import attrs

    small = attrs.evolve(
        municipality, applicants=municipality.applicants.head(300).reset_index(drop=True)
    )
    examples.export(tmp_path, "xlsx", municipality=small)
    back = Municipality.from_folder(tmp_path)
    for table in TABLES:
        pd.testing.assert_frame_equal(getattr(back, table), getattr(municipality, table))
    pd.testing.assert_frame_equal(
        _coerce_like(back.applicants, small.applicants), small.applicants
    )


def test_export_rejects_an_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="expected csv or xlsx"):
        examples.export(tmp_path, "json")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------
# organisations, departments, areas, dwellings


def test_organisations_are_the_fourteen_parties(municipality: Municipality) -> None:
    from fuaalborg import parties

    assert municipality.organisations["organisation_cvr"].tolist() == [p.cvr for p in parties()]
    sizes = municipality.departments.groupby("organisation_cvr").size()
    assert len(sizes) == 14
    assert sizes.max() >= 3 * sizes.min()  # unequal sizes


def test_departments_are_plausible(municipality: Municipality) -> None:
    deps = municipality.departments
    assert deps["department_id"].is_unique
    assert deps["name"].is_unique
    per_dwelling = deps["residents"] / (deps["family_dwellings"] + deps["bab_dwellings"])
    assert per_dwelling.between(1.7, 2.3).all()
    assert per_dwelling.median() == pytest.approx(2.0, abs=0.1)
    assert (deps["residents_18_64"] < 20).sum() >= 10
    in_area = deps["area_id"].notna()
    assert 0 < in_area.sum() < len(deps) / 2


def test_areas(municipality: Municipality) -> None:
    areas, deps = municipality.areas, municipality.departments
    sums = deps.groupby("area_id")["residents"].sum()
    assert (areas.set_index("area_id")["residents"] == sums.reindex(areas["area_id"])).all()
    ministry = areas[areas["kind"] == "ministry"]
    assert len(ministry) >= 4
    assert (ministry["residents"] >= 1000).all()
    assert (areas["kind"] == "local").sum() >= 2
    assert (areas.loc[areas["kind"] == "local", "residents"] < 1000).any()


def test_dwellings_are_realistic(municipality: Municipality) -> None:
    dws = municipality.dwellings
    assert np.corrcoef(dws["rooms"], dws["area_m2"])[0, 1] > 0.8
    assert np.corrcoef(dws["area_m2"], dws["monthly_rent_dkk"])[0, 1] > 0.7
    by_rooms = dws.groupby("rooms")["monthly_rent_dkk"].median()
    assert by_rooms.is_monotonic_increasing
    rent = dws["monthly_rent_dkk"]
    assert (rent == 3500.0).sum() == EXACT_EDGE_RENTS
    assert (rent == 5000.0).sum() == EXACT_EDGE_RENTS
    assert not rent.isin([4000.0, 4500.0]).any()
    assert dws["dwelling_id"].is_unique


# --------------------------------------------------------------------------
# lists and area indicators: an independent reading of ABL § 61 a and § 61 b


def _classify(area_ind: pd.DataFrame) -> pd.Series:
    area_ind = area_ind.sort_values(["area_id", "list_date"]).reset_index(drop=True)
    listable = area_ind["residents"] >= 1000
    udsat_n = (
        (area_ind["outside_work_education_pct"] > 40).astype(int)
        + (area_ind["conviction_ratio"] >= 3)
        + (area_ind["basic_education_pct"] > 60)
        + (area_ind["income_ratio_pct"] < 55)
    )
    prev_n = (
        (area_ind["outside_work_education_pct"] > 30).astype(int)
        + (area_ind["conviction_ratio"] >= 2)
        + (area_ind["basic_education_pct"] > 60)
        + (area_ind["income_ratio_pct"] < 65)
    )
    udsat = listable & (udsat_n >= 2)
    parallel = udsat & (area_ind["non_western_pct"] > 50)
    prevention = (
        listable & (area_ind["non_western_pct"] > 30) & (prev_n >= 2)
        & (area_ind["list_date"] >= L23_IN_FORCE)
    )
    run = parallel.astype(int).groupby(
        [area_ind["area_id"], (~parallel).cumsum()]
    ).cumsum()
    needed = np.where(area_ind["list_date"] >= L23_IN_FORCE, 5, 4)
    designation = np.select(
        [parallel & (run >= needed), parallel, udsat, prevention],
        ["omdannelse", "parallelsamfund", "udsat", "forebyggelse"],
        "none",
    )
    index = pd.MultiIndex.from_frame(area_ind[["area_id", "list_date"]])
    return pd.Series(designation, index=index)


def test_lists_have_one_row_per_ministry_area_and_list_date(municipality: Municipality) -> None:
    ministry = set(municipality.areas.loc[municipality.areas["kind"] == "ministry", "area_id"])
    lists = municipality.lists
    assert set(lists["area_id"]) == ministry
    dates = sorted(lists["list_date"].unique())
    assert [d.strftime("%Y-%m-%d") for d in pd.to_datetime(dates)] == [
        f"{y}-12-01" for y in range(2018, 2026)
    ]
    assert len(lists) == len(ministry) * len(dates)
    assert len(municipality.area_indicators) == len(lists)


def test_area_indicators_reproduce_the_lists(municipality: Municipality) -> None:
    expected = _classify(municipality.area_indicators)
    actual = municipality.lists.set_index(["area_id", "list_date"])["designation"]
    assert actual.sort_index().to_dict() == expected.sort_index().to_dict()


def test_monitoring_classification_reproduces_the_lists(municipality: Municipality) -> None:
    lists_module = pytest.importorskip("fuaalborg.monitoring.lists")
    classified = lists_module.classify_areas(municipality.area_indicators)
    assert lists_module.compare_with_lists(classified, municipality.lists).empty


def test_area_indicators_keep_clear_of_thresholds(municipality: Municipality) -> None:
    area_ind = municipality.area_indicators
    pct = {
        "non_western_pct": (30, 50),
        "outside_work_education_pct": (30, 40),
        "basic_education_pct": (60,),
        "income_ratio_pct": (55, 65),
    }
    for column, thresholds in pct.items():
        for t in thresholds:
            assert ((area_ind[column] - t).abs() >= 1).all(), column
    for t in (2, 3):
        assert ((area_ind["conviction_ratio"] - t).abs() >= 0.1).all()


def test_list_story(municipality: Municipality) -> None:
    lists = municipality.lists
    designations = set(lists["designation"])
    assert {"omdannelse", "parallelsamfund", "udsat", "forebyggelse", "none"} <= designations
    # prevention areas exist only from the 1 December 2021 list on
    early = lists["list_date"] < L23_IN_FORCE
    assert not (lists.loc[early, "designation"] == "forebyggelse").any()
    # an area under 1,000 residents is on no list, and the example has such a year
    area_ind = municipality.area_indicators.merge(lists, on=["area_id", "list_date"])
    small = area_ind["residents"] < 1000
    assert small.any()
    assert (area_ind.loc[small, "designation"] == "none").all()
    # one area meets the vulnerable and the prevention criteria at once
    both = (
        (area_ind["designation"] == "udsat")
        & (area_ind["list_date"] >= L23_IN_FORCE)
        & (area_ind["non_western_pct"] > 30)
        & (
            (area_ind["outside_work_education_pct"] > 30).astype(int)
            + (area_ind["conviction_ratio"] >= 2)
            + (area_ind["basic_education_pct"] > 60)
            + (area_ind["income_ratio_pct"] < 65)
            >= 2
        )
    )
    assert both.any()
    # one area leaves the lists
    listed = lists.assign(on=lists["designation"] != "none").pivot(
        index="area_id", columns="list_date", values="on"
    )
    assert (listed.iloc[:, :3].any(axis=1) & ~listed.iloc[:, -3:].any(axis=1)).any()
    # lists in force in 2024, 2025 and 2026 list someone
    for date in ("2023-12-01", "2024-12-01", "2025-12-01"):
        on = lists[lists["list_date"] == pd.Timestamp(date)]
        assert (on["designation"] != "none").any()


# --------------------------------------------------------------------------
# department indicators and the two step-model presets


def test_indicator_rows(municipality: Municipality) -> None:
    ind, deps = municipality.indicators, municipality.departments
    twin = ind[ind["source"] == "twin_tool"]
    assert sorted(twin["measured_on"].dt.strftime("%Y-%m-%d").unique()) == [
        "2023-11-01", "2024-11-01", "2025-11-01",
    ]
    for _, rows in twin.groupby("measured_on"):
        assert sorted(rows["department_id"]) == sorted(deps["department_id"])
    values = ["outside_work_education_pct", "basic_education_pct",
              "income_ratio_pct", "non_western_pct"]
    withheld = twin["residents_18_64"] < 20
    assert twin.loc[withheld, values].isna().all(axis=None)
    assert twin.loc[~withheld, values].notna().all(axis=None)
    # each source's rows carry only what the presets read from that source
    assert twin["conviction_ratio"].isna().all()
    parallel_rows = ind[ind["source"] == "parallel_data"]
    assert parallel_rows["conviction_ratio"].notna().all()
    assert parallel_rows[values].isna().all(axis=None)
    units = deps.set_index("department_id")[["family_dwellings", "bab_dwellings"]].sum(axis=1)
    assert (ind["units"].to_numpy() == units.loc[ind["department_id"]].to_numpy()).all()
    parallel = ind[ind["source"] == "parallel_data"]
    assert sorted(parallel["measured_on"].dt.strftime("%Y-%m-%d").unique()) == [
        "2024-02-01", "2025-02-01",
    ]
    assert ((parallel["units"] >= 50) & (parallel["residents"] >= 100)).all()
    assert len(parallel) > 0


def _colours(municipality: Municipality, measured_on: str, *, non_western: bool) -> pd.Series:
    ind = municipality.indicators
    twin = ind[(ind["source"] == "twin_tool") & (ind["measured_on"] == pd.Timestamp(measured_on))]
    twin = twin.set_index("department_id").loc[municipality.departments["department_id"]]
    lists = municipality.lists[municipality.lists["list_date"] <= pd.Timestamp(measured_on)]
    latest = lists[lists["list_date"] == lists["list_date"].max()]
    listed = set(latest.loc[latest["designation"] != "none", "area_id"])
    red = municipality.departments["area_id"].isin(listed).fillna(False).to_numpy()
    count = (
        (twin["outside_work_education_pct"] > 30).astype(int)
        + (twin["conviction_ratio"] >= 2)
        + (twin["basic_education_pct"] > 60)
        + (twin["income_ratio_pct"] < 65)
    ).to_numpy()
    yellow = count >= 2
    if non_western:
        yellow &= (twin["non_western_pct"] > 30).to_numpy()
    colour = np.where(red, "red", np.where(yellow, "yellow", "green"))
    return pd.Series(colour, index=twin.index)


@pytest.mark.parametrize("measured_on", ["2023-11-01", "2024-11-01", "2025-11-01"])
def test_both_presets_give_every_colour_and_differ_a_little(
    municipality: Municipality, measured_on: str
) -> None:
    mirror = _colours(municipality, measured_on, non_western=True)
    socio = _colours(municipality, measured_on, non_western=False)
    assert set(mirror) == set(socio) == {"green", "yellow", "red"}
    differ = (mirror != socio).sum()
    assert 1 <= differ <= 15


def test_listed_departments_have_worse_values(municipality: Municipality) -> None:
    ind = municipality.indicators
    twin = ind[(ind["source"] == "twin_tool")].merge(
        municipality.departments[["department_id", "area_id"]]
    )
    in_area = twin["area_id"].isin(["M01", "M04"])
    assert (
        twin.loc[in_area, "outside_work_education_pct"].mean()
        > twin.loc[twin["area_id"].isna(), "outside_work_education_pct"].mean() + 10
    )


# --------------------------------------------------------------------------
# applicants


def test_applicants_shape_and_vocabulary(municipality: Municipality) -> None:
    a = municipality.applicants
    assert len(a) >= 20_000
    assert list(a.columns) == list(examples.APPLICANT_COLUMNS)
    assert (a["seniority_date"] <= pd.Timestamp("2025-12-31")).all()
    assert (a["seniority_date"] >= pd.Timestamp("1990-01-01")).all()
    assert a["seniority_date"].value_counts().max() < 40  # no pile-up on one day
    assert set(a["list"]) == {"internal", "external"}
    assert 0.85 <= a["active"].mean() <= 0.95
    assert a["household_size"].between(1, 8).all()
    assert (a["children"] < a["household_size"]).all()
    assert a["age"].between(18, 95).all()
    assert a["employment_hours_per_week"].between(0, 60).all()
    assert set(a["highest_education"]) == {
        "basic", "upper_secondary", "vocational", "short_higher", "higher",
    }
    cvr = a["self_employed_cvr"].dropna()
    assert len(cvr) > 0
    assert cvr.map(is_valid_cvr).all()
    not_fixed = a["employment_permanent"] | (a["employment_hours_per_week"] == 0)
    assert (a.loc[not_fixed, "fixed_term_months"] == 0).all()
    assert (a.loc[~a["has_partner"], "partner_employment_hours_per_week"] == 0).all()
    known = set(municipality.departments["department_id"])
    wanted = a["wanted_department_ids"]
    assert (wanted == "").mean() == pytest.approx(0.3, abs=0.03)
    lists = wanted[wanted != ""].str.split(";")
    assert set(lists.explode()) <= known
    assert (lists.map(len) == lists.map(lambda ids: len(set(ids)))).all()
    assert lists.map(len).max() == 5


def test_applicants_on_both_lists(municipality: Municipality) -> None:
    a = municipality.applicants
    rows = a.groupby("applicant_id")["list"].agg(["size", "nunique"])
    assert rows["size"].max() == 2
    assert (rows.loc[rows["size"] == 2, "nunique"] == 2).all()
    assert (rows["size"] == 2).mean() == pytest.approx(0.03, abs=0.005)
    internal = a["list"] == "internal"
    assert (
        a.loc[internal, "current_department_id"]
        .isin(municipality.departments["department_id"])
        .all()
    )
    external_only = ~a["applicant_id"].isin(a.loc[internal, "applicant_id"])
    assert a.loc[external_only, "current_department_id"].isna().all()
    # the same person on both lists: same fields except list and seniority
    doubles = a[a["applicant_id"].isin(rows.index[rows["size"] == 2])]
    person = doubles.drop(columns=["list", "seniority_date"])
    assert (person.groupby("applicant_id").nunique(dropna=False) == 1).all(axis=None)


@pytest.mark.parametrize(
    ("protected", "other"),
    [
        ("citizenship", "employment_hours_per_week"),
        ("citizenship", "highest_education"),
        ("country_of_birth", "criminal_record_clean"),
        ("citizenship", "age"),
    ],
)
def test_protected_columns_are_independent(
    municipality: Municipality, protected: str, other: str
) -> None:
    a = municipality.applicants.drop_duplicates("applicant_id")
    groups = a[other]
    if pd.api.types.is_numeric_dtype(groups) and not pd.api.types.is_bool_dtype(groups):
        groups = pd.qcut(groups.rank(method="first"), 3, labels=False)
    overall = a[protected].value_counts(normalize=True)
    common = overall.index[overall >= 0.05]
    for _, rows in a.groupby(groups):
        shares = rows[protected].value_counts(normalize=True).reindex(common, fill_value=0)
        tolerance = 4 * np.sqrt(overall[common] * (1 - overall[common]) / len(rows))
        assert ((shares - overall[common]).abs() <= tolerance).all(), (other, shares)
