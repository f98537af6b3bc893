"""Area lists (§ 61 a / § 61 b): boundaries, law versions, omdannelse history, properties."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.errors import NotInForceError
from fuaalborg.monitoring import NoListRulesError, classify_areas, list_rules
from fuaalborg.tables import TableValidationError

# Indicators that meet no criterion at any level (all well inside the limits).
CALM = {
    "residents": 2000,
    "non_western_pct": 10.0,
    "outside_work_education_pct": 10.0,
    "conviction_ratio": 0.5,
    "basic_education_pct": 20.0,
    "income_ratio_pct": 90.0,
}
DATE_2018 = "2019-12-01"  # governed by the 2018 text
DATE_2021 = "2022-12-01"  # governed by the 2021 text


def frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    return pd.DataFrame(rows)


def row(area: str = "A", date: str = DATE_2021, **values: object) -> dict[str, object]:
    return {"area_id": area, "list_date": date, **CALM, **values}


def _boundary_cases() -> list[tuple[str, str, str, float, str, float]]:
    """(list date, level, column, threshold, operator, other criterion value)."""
    cases = []
    for date in (DATE_2018, DATE_2021):
        rules = list_rules(date)
        levels = [rules.udsat] + ([rules.forebyggelse] if rules.forebyggelse else [])
        for level in levels:
            for crit in level.criteria:
                cases.append((date, level.name, crit.column, crit.threshold, crit.operator, 0.0))
    return cases


def _just(operator: str, threshold: float) -> tuple[float, float, float]:
    """Values at, just below and just above ``threshold``."""
    eps = 0.01
    return threshold, threshold - eps, threshold + eps


@pytest.mark.parametrize(
    ("date", "level", "column", "threshold", "operator", "_x"), _boundary_cases()
)
def test_every_criterion_at_and_around_its_boundary(
    date: str, level: str, column: str, threshold: float, operator: str, _x: float
) -> None:
    rules = list_rules(date)
    lvl = rules.udsat if level == "udsat" else rules.forebyggelse
    assert lvl is not None
    # a second criterion of the same level is met, so the tested one decides the list
    other = next(c for c in lvl.criteria if c.column != column)
    other_value = other.threshold + 5 if other.operator.startswith(">") else other.threshold - 5
    at, below, above = _just(operator, threshold)
    extra: dict[str, object] = {other.column: other_value}
    if level == "forebyggelse":
        extra["non_western_pct"] = 35.0  # above 30, below 50
    rows = [row(f"V{i}", date, **{**extra, column: v}) for i, v in enumerate((at, below, above))]
    result = classify_areas(frame(rows)).set_index("area_id")[level]
    expected = {
        ">": (False, False, True),
        ">=": (True, False, True),
        "<": (False, True, False),
    }[operator]
    assert tuple(result[["V0", "V1", "V2"]]) == expected


@pytest.mark.parametrize("date", [DATE_2018, DATE_2021])
@pytest.mark.parametrize(
    ("level", "threshold"), [("parallelsamfund", 50.0), ("forebyggelse", 30.0)]
)
def test_non_western_condition_is_strict(date: str, level: str, threshold: float) -> None:
    hot = {"outside_work_education_pct": 45.0, "basic_education_pct": 65.0}
    rows = [
        row(f"V{i}", date, **hot, non_western_pct=v)
        for i, v in enumerate((threshold, threshold - 0.01, threshold + 0.01))
    ]
    result = classify_areas(frame(rows)).set_index("area_id")[level]
    if level == "forebyggelse" and date == DATE_2018:
        assert not result.any()  # § 61 b does not exist before 2021-11-30
    else:
        assert tuple(result) == (False, False, True)


@pytest.mark.parametrize("date", [DATE_2018, DATE_2021])
def test_minimum_residents_boundary(date: str) -> None:
    hot = {"outside_work_education_pct": 45.0, "basic_education_pct": 65.0}
    rows = [row(f"V{i}", date, **hot, residents=r) for i, r in enumerate((1000, 999, 1001))]
    result = classify_areas(frame(rows)).set_index("area_id")["udsat"]
    assert tuple(result) == (True, False, True)
    assert "fewer than 1000" in classify_areas(frame(rows)).set_index("area_id").at["V1", "reason"]


def test_csv_float_noise_does_not_flip_a_result(tmp_path: object) -> None:
    noisy = row(outside_work_education_pct=40.000000000000004, basic_education_pct=65.0)
    result = classify_areas(frame([noisy]))
    assert not bool(result["udsat"].iloc[0])
    # and the same through a CSV file
    path = tmp_path / "areas.csv"  # type: ignore[operator]
    frame([noisy]).to_csv(path, index=False)
    assert not bool(classify_areas(path)["udsat"].iloc[0])
    # the number of decimals is a parameter: with 20 decimals the noise counts
    assert bool(classify_areas(frame([noisy]), decimals=20)["udsat"].iloc[0])


def test_list_date_before_2018_raises_named_error_listing_every_row() -> None:
    rows = [row("A", "2017-12-01"), row("B", "2016-12-01"), row("C", DATE_2021)]
    with pytest.raises(NoListRulesError) as err:
        classify_areas(frame(rows))
    assert isinstance(err.value, NotInForceError)
    assert [r[1] for r in err.value.rows] == ["A", "B"]
    assert "2018-12-01" in str(err.value)


def test_law_version_switches_on_2021_11_30() -> None:
    assert list_rules("2021-11-29").version == "2018"
    assert list_rules("2021-11-30").version == "2021"
    assert list_rules("2021-11-29").forebyggelse is None
    assert list_rules("2021-11-30").forebyggelse is not None


PARALLEL = {
    "non_western_pct": 60.0, "outside_work_education_pct": 45.0, "basic_education_pct": 65.0
}


def history(years: list[int], area: str = "A") -> pd.DataFrame:
    return frame([row(area, f"{y}-12-01", **PARALLEL) for y in years])


def test_omdannelse_2018_to_2020_uses_the_transitional_five_years() -> None:
    # 2020 list (2018 text, transitional rule of L 38): 5 years = 2016–2020; the lists
    # of 2016 and 2017 cannot be computed (no rules), so they come from the official lists
    areas = history([2018, 2019, 2020])
    without = classify_areas(areas).set_index("list_date")
    assert not without["omdannelse"].any()
    assert "no data for the list of 2017" in without["reason"].iloc[-1]
    four = pd.DataFrame(
        {"area_id": ["A"], "list_date": ["2017-12-01"], "designation": ["parallelsamfund"]}
    )
    assert not classify_areas(areas, lists=four)["omdannelse"].any()  # 4 years: not enough
    five = pd.DataFrame(
        {
            "area_id": ["A", "A"],
            "list_date": ["2016-12-01", "2017-12-01"],
            "designation": ["parallelsamfund", "parallelsamfund"],
        }
    )
    with_history = classify_areas(areas, lists=five)
    assert with_history["omdannelse"].tolist() == [False, False, True]
    assert with_history["designation"].tolist()[-1] == "omdannelse"


def test_omdannelse_main_rule_of_2018_is_four_years() -> None:
    # L 38's main rule (4 years) applied from 2021 until L 23; no list was published
    # under it, but a list date in that window is classified by it
    areas = frame(
        [row("A", f"{y}-12-01", **PARALLEL) for y in (2018, 2019, 2020)]
        + [row("A", "2021-06-01", **PARALLEL)]
    )
    result = classify_areas(areas)
    assert result["omdannelse"].tolist() == [False, False, False, True]


def test_omdannelse_5_years_after_the_2021_change() -> None:
    # 2021 list (2021 text): 4 years of parallelsamfund (2018–2021) no longer suffice
    areas = history([2018, 2019, 2020, 2021])
    result = classify_areas(areas).set_index(pd.Index([2018, 2019, 2020, 2021]))
    assert not result.at[2021, "omdannelse"]
    assert result.at[2021, "parallelsamfund_years"] == 4
    # 5 years (2018–2022) do
    five = classify_areas(history([2018, 2019, 2020, 2021, 2022]))
    assert five["omdannelse"].tolist() == [False, False, False, False, True]
    # a break in the streak resets it
    broken = history([2018, 2019, 2020, 2021, 2022])
    broken.loc[1, "non_western_pct"] = 40.0
    assert not classify_areas(broken)["omdannelse"].any()


def test_udsat_and_forebyggelse_are_independent() -> None:
    both = row(non_western_pct=35.0, outside_work_education_pct=45.0, basic_education_pct=65.0)
    result = classify_areas(frame([both])).iloc[0]
    assert result["udsat"]
    assert result["forebyggelse"]
    assert not result["parallelsamfund"]
    assert result["designation"] == "udsat"


def test_bad_input_reports_every_problem_at_once() -> None:
    bad = frame(
        [
            row("A", "2022-12-01", non_western_pct=130.0),
            row("A", "2022-12-01", residents=-5),
            row("B", "not a date", income_ratio_pct="x"),
        ]
    ).drop(columns=["basic_education_pct"])
    with pytest.raises(TableValidationError) as err:
        classify_areas(bad)
    columns = {p.column for p in err.value.problems}
    assert {"basic_education_pct", "non_western_pct", "residents", "list_date",
            "income_ratio_pct", "area_id, list_date"} <= columns


indicator = st.floats(0, 100, allow_nan=False)
area_rows = st.fixed_dictionaries(
    {
        "residents": st.integers(800, 3000),
        "non_western_pct": indicator,
        "outside_work_education_pct": indicator,
        "conviction_ratio": st.floats(0, 6, allow_nan=False),
        "basic_education_pct": indicator,
        "income_ratio_pct": st.floats(0, 150, allow_nan=False),
    }
)
SEVERITY = {"none": 0, "forebyggelse": 1, "udsat": 2, "parallelsamfund": 3, "omdannelse": 4}
WORSE = {
    "non_western_pct": 1, "outside_work_education_pct": 1, "conviction_ratio": 1,
    "basic_education_pct": 1, "income_ratio_pct": -1, "residents": 1,
}


@settings(max_examples=60, deadline=None)
@given(base=area_rows, column=st.sampled_from(sorted(WORSE)), step=st.floats(0, 50),
       date=st.sampled_from([DATE_2018, DATE_2021]))
def test_worsening_an_indicator_never_removes_a_list(
    base: dict[str, float], column: str, step: float, date: str
) -> None:
    worse = dict(base)
    delta = step * WORSE[column]
    # a conviction ratio stays below its plausibility bound (bounds.conviction_ratio)
    top = (100.0 if column.endswith("pct") and column != "income_ratio_pct"
           else 10.0 if column == "conviction_ratio" else 1e6)
    worse[column] = max(0.0, min(top, base[column] + delta))
    if column == "residents":
        worse[column] = int(base[column] + step * 10)
    rows = [
        {"area_id": "A", "list_date": date, **base},
        {"area_id": "B", "list_date": date, **worse},
    ]
    result = classify_areas(frame(rows)).set_index("area_id")
    for name in ("udsat", "parallelsamfund", "forebyggelse"):
        assert not (result.at["A", name] and not result.at["B", name])


@settings(max_examples=25, deadline=None)
@given(rows=st.lists(area_rows, min_size=2, max_size=8), seed=st.randoms())
def test_output_is_independent_of_row_order(rows: list[dict[str, float]], seed: object) -> None:
    data = frame(
        [
            {"area_id": f"A{i % 3}", "list_date": f"{2018 + i // 3}-12-01", **r}
            for i, r in enumerate(rows)
        ]
    )
    state = seed.randint(0, 10_000)  # type: ignore[attr-defined]
    shuffled = data.sample(frac=1.0, random_state=state)
    key = ["area_id", "list_date"]
    a = classify_areas(data).sort_values(key).reset_index(drop=True)
    b = classify_areas(shuffled).sort_values(key).reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


def test_on_keeps_the_list_in_force() -> None:
    areas = history([2019, 2020, 2021, 2022])
    in_force = classify_areas(areas, on=dt.date(2022, 6, 1))
    assert in_force["list_date"].tolist() == [pd.Timestamp("2021-12-01")]
    assert classify_areas(areas, on=dt.date(2019, 1, 1)).empty


def test_reasons_say_which_criteria_were_met_and_why_the_designation_follows() -> None:
    one = row(non_western_pct=52.9, outside_work_education_pct=45.0)
    reason = classify_areas(frame([one]))["reason"].iloc[0]
    assert "udsat (§ 61 a, stk. 1): no, only 1 of 4 criteria met (nr. 1: " in reason
    assert (
        "parallelsamfund (§ 61 a, stk. 2): no, the area is not udsat "
        "(non_western_pct 52.9 > 50 is met)"
    ) in reason
    assert reason.endswith("Designation: none (no list is met)")
    two = row(non_western_pct=52.9, outside_work_education_pct=45.0, basic_education_pct=65.0)
    reason = classify_areas(frame([two]))["reason"].iloc[0]
    assert "parallelsamfund (§ 61 a, stk. 2): yes, non_western_pct 52.9 > 50 and udsat" in reason
    assert reason.endswith("Designation: parallelsamfund (the most severe list met)")
    low = row(non_western_pct=20.0, outside_work_education_pct=45.0, basic_education_pct=65.0)
    reason = classify_areas(frame([low]))["reason"].iloc[0]
    assert "forebyggelse (§ 61 b): no, non_western_pct 20 is not > 30 (" in reason


def test_the_official_designation_stands_beside_the_computed_one() -> None:
    from fuaalborg.monitoring import compare_with_lists

    rows = [row("A", "2022-12-01"), row("B", "2022-12-01"), row("A", "2023-12-01")]
    official = pd.DataFrame({"area_id": ["A"], "list_date": ["2022-12-01"],
                             "designation": ["udsat"]})
    result = classify_areas(frame(rows), lists=official)
    # B is on no official list of 2022 (none); no official list exists for 2023
    shown = result["official_designation"]
    assert shown.iloc[:2].tolist() == ["udsat", "none"]
    assert pd.isna(shown.iloc[2])
    diff = compare_with_lists(result, official)
    assert diff[["area_id", "computed", "official"]].values.tolist() == [["A", "none", "udsat"]]
