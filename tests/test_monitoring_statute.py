"""The statute's figures and the step model's boundaries, pinned as fixed literals.

The thresholds below are written out from almenboligloven § 61 a and § 61 b and
from the bundled step-model presets, independently of the parameter files, so a
change to a threshold or an operator in those files makes a test fail.
"""

from __future__ import annotations

import datetime as dt
import operator as op
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from fuaalborg.monitoring import StepModel, classify_areas, list_rules
from fuaalborg.tables import TableValidationError

# ---------------------------------------------------------------------------
# The statute (§ 61 a, stk. 1–3; § 61 b), written out by hand.

OPS: dict[str, Callable[[float, float], bool]] = {
    ">": op.gt, ">=": op.ge, "<": op.lt, "<=": op.le,
}

#: (column, operator, threshold), in the order of the paragraph's numbers.
UDSAT = (
    ("outside_work_education_pct", ">", 40.0),
    ("conviction_ratio", ">=", 3.0),
    ("basic_education_pct", ">", 60.0),
    ("income_ratio_pct", "<", 55.0),
)
PARALLEL_CONDITION = ("non_western_pct", ">", 50.0)
FOREBYGGELSE = (
    ("outside_work_education_pct", ">", 30.0),
    ("conviction_ratio", ">=", 2.0),
    ("basic_education_pct", ">", 60.0),
    ("income_ratio_pct", "<", 65.0),
)
FOREBYGGELSE_CONDITION = ("non_western_pct", ">", 30.0)
MIN_CRITERIA = 2
MIN_RESIDENTS = 1000

LAW_2018 = ("2018", "2020-12-01")
LAW_2021 = ("2021", "2022-12-01")

# Values that meet every criterion of every list, and values that meet none.
STRONG = {
    "outside_work_education_pct": 90.0,
    "conviction_ratio": 9.0,
    "basic_education_pct": 90.0,
    "income_ratio_pct": 10.0,
}
CALM = {
    "outside_work_education_pct": 0.0,
    "conviction_ratio": 0.0,
    "basic_education_pct": 0.0,
    "income_ratio_pct": 100.0,
}
EPS = 0.01


def around(threshold: float) -> tuple[float, float, float]:
    """Just below, at and just above a threshold."""
    return threshold - EPS, threshold, threshold + EPS


def areas(rows: list[dict[str, float]], date: str) -> pd.DataFrame:
    """One area per row (each area appears once per list year)."""
    return pd.DataFrame(
        [
            {"area_id": f"A{i:03d}", "list_date": date, "residents": 2000,
             "non_western_pct": 0.0, **CALM, **r}
            for i, r in enumerate(rows)
        ]
    )


def helper_for(column: str, criteria: tuple[tuple[str, str, float], ...]) -> str:
    """Another criterion of the same list, met strongly to make the tested one decide."""
    return next(c for c, _, _ in criteria if c != column)


@pytest.mark.parametrize(("version", "date"), [LAW_2018, LAW_2021])
def test_list_rules_are_the_statute(version: str, date: str) -> None:
    rules = list_rules(date)
    assert rules.version == version
    assert rules.min_residents == MIN_RESIDENTS
    udsat = [(c.column, c.operator, c.threshold) for c in rules.udsat.criteria]
    assert udsat == list(UDSAT)
    assert [c.nr for c in rules.udsat.criteria] == [1, 2, 3, 4]
    assert rules.udsat.min_criteria == MIN_CRITERIA
    assert rules.udsat.condition is None
    par = rules.parallelsamfund
    assert [(c.column, c.operator, c.threshold) for c in par.criteria] == list(UDSAT)
    assert par.min_criteria == MIN_CRITERIA
    assert par.condition is not None
    assert (par.condition.column, par.condition.operator, par.condition.threshold) == (
        PARALLEL_CONDITION
    )
    fore = rules.forebyggelse
    if version == "2018":
        assert fore is None
    else:
        assert fore is not None
        assert [(c.column, c.operator, c.threshold) for c in fore.criteria] == list(
            FOREBYGGELSE
        )
        assert fore.min_criteria == MIN_CRITERIA
        assert fore.condition is not None
        assert (fore.condition.column, fore.condition.operator, fore.condition.threshold) == (
            FOREBYGGELSE_CONDITION
        )
    text = "\n".join(rules.describe())
    assert (
        "nr. 1: outside_work_education_pct > 40; nr. 2: conviction_ratio >= 3; "
        "nr. 3: basic_education_pct > 60; nr. 4: income_ratio_pct < 55" in text
    )
    assert "non_western_pct > 50 and at least 2 of" in text


def test_forebyggelse_is_described_with_its_own_thresholds() -> None:
    text = "\n".join(list_rules(LAW_2021[1]).describe())
    assert (
        "non_western_pct > 30 and at least 2 of [nr. 1: outside_work_education_pct > 30; "
        "nr. 2: conviction_ratio >= 2; nr. 3: basic_education_pct > 60; "
        "nr. 4: income_ratio_pct < 65]" in text
    )


@pytest.mark.parametrize(("version", "date"), [LAW_2018, LAW_2021])
@pytest.mark.parametrize("criterion", UDSAT, ids=[c for c, _, _ in UDSAT])
def test_udsat_and_parallelsamfund_at_every_threshold(
    version: str, date: str, criterion: tuple[str, str, float]
) -> None:
    column, oper, threshold = criterion
    helper = helper_for(column, UDSAT)
    values = around(threshold)
    rows = [{helper: STRONG[helper], column: v, "non_western_pct": 60.0} for v in values]
    out = classify_areas(areas(rows, date))
    expected = [OPS[oper](v, threshold) for v in values]
    assert out["udsat"].tolist() == expected
    # parallelsamfund is the udsat condition plus the non-Western share
    assert out["parallelsamfund"].tolist() == expected
    assert out["law_version"].tolist() == [version] * 3


@pytest.mark.parametrize("date", [LAW_2018[1], LAW_2021[1]])
def test_the_figures_at_the_threshold_exactly(date: str) -> None:
    # only the criterion at its threshold and one other: "at least 2" decides
    at = {
        "outside_work_education_pct": False,  # 40 does not overstige 40
        "conviction_ratio": True,  # 3 times is "mindst tre gange"
        "basic_education_pct": False,  # 60 does not overstige 60
        "income_ratio_pct": False,  # 55 % is not "mindre end 55 pct."
    }
    rows = []
    for column, threshold in (
        ("outside_work_education_pct", 40.0), ("conviction_ratio", 3.0),
        ("basic_education_pct", 60.0), ("income_ratio_pct", 55.0),
    ):
        helper = helper_for(column, UDSAT)
        rows.append({helper: STRONG[helper], column: threshold})
    out = classify_areas(areas(rows, date))
    assert out["udsat"].tolist() == list(at.values())
    # 50 % of the region's income is below 55 %: an income mutated to "< 50" fails here
    near = areas(
        [{"basic_education_pct": 90.0, "income_ratio_pct": v} for v in (50.0, 52.0, 54.99)],
        date,
    )
    assert classify_areas(near)["udsat"].tolist() == [True, True, True]


@pytest.mark.parametrize(("version", "date"), [LAW_2018, LAW_2021])
def test_parallelsamfund_condition_and_the_count_of_criteria(version: str, date: str) -> None:
    two = {"outside_work_education_pct": 90.0, "basic_education_pct": 90.0}
    one = {"outside_work_education_pct": 90.0}
    rows = [dict(two, non_western_pct=v) for v in around(50.0)]
    rows += [dict(one, non_western_pct=90.0), dict(two, non_western_pct=90.0), dict(STRONG)]
    out = classify_areas(areas(rows, date))
    assert out["parallelsamfund"].tolist() == [False, False, True, False, True, False]
    assert out["udsat"].tolist() == [True, True, True, False, True, True]
    assert out["udsat_criteria_met"].tolist() == [2, 2, 2, 1, 2, 4]


def test_forebyggelse_at_every_threshold_under_the_2021_text() -> None:
    date = LAW_2021[1]
    rows: list[dict[str, float]] = []
    expected: list[bool] = []
    for column, oper, threshold in FOREBYGGELSE:
        helper = helper_for(column, FOREBYGGELSE)
        for v in around(threshold):
            rows.append({helper: STRONG[helper], column: v, "non_western_pct": 35.0})
            expected.append(OPS[oper](v, threshold))
    # the non-Western condition: > 30
    for v in around(30.0):
        rows.append({"outside_work_education_pct": 35.0, "income_ratio_pct": 60.0,
                     "non_western_pct": v})
        expected.append(v > 30.0)
    # only one criterion met: not forebyggelse
    rows.append({"outside_work_education_pct": 35.0, "non_western_pct": 90.0})
    expected.append(False)
    out = classify_areas(areas(rows, date))
    assert out["forebyggelse"].tolist() == expected
    # values between the two sets of thresholds: forebyggelse, not udsat
    mild = {"outside_work_education_pct": 35.0, "conviction_ratio": 2.0,
            "basic_education_pct": 60.01, "income_ratio_pct": 60.0, "non_western_pct": 35.0}
    res = classify_areas(areas([mild], date)).iloc[0]
    assert bool(res["forebyggelse"]) is True
    assert bool(res["udsat"]) is False
    assert int(res["forebyggelse_criteria_met"]) == 4
    assert res["designation"] == "forebyggelse"


def test_no_forebyggelse_under_the_2018_text() -> None:
    mild = {"outside_work_education_pct": 35.0, "conviction_ratio": 2.5,
            "basic_education_pct": 90.0, "income_ratio_pct": 60.0, "non_western_pct": 35.0}
    out = classify_areas(areas([mild, dict(STRONG, non_western_pct=35.0)], LAW_2018[1]))
    assert out["forebyggelse"].tolist() == [False, False]
    assert out["forebyggelse_criteria_met"].isna().all()
    assert out["designation"].tolist() == ["none", "udsat"]


@pytest.mark.parametrize("date", [LAW_2018[1], LAW_2021[1]])
def test_areas_under_1000_residents_are_on_no_list(date: str) -> None:
    frame = areas([dict(STRONG, non_western_pct=90.0)] * 3, date)
    frame["residents"] = [999, 1000, 1001]
    out = classify_areas(frame)
    assert out["udsat"].tolist() == [False, True, True]
    assert out["parallelsamfund"].tolist() == [False, True, True]
    assert out["forebyggelse"].tolist() == [False, date == LAW_2021[1], date == LAW_2021[1]]
    assert out["designation"].iloc[0] == "none"
    assert out["designation"].iloc[1] == "parallelsamfund"


# ---------------------------------------------------------------------------
# The step model: discretion, yellow thresholds, red by area.

CVR = "31831814"
ON = dt.date(2024, 1, 15)
AALBORG = StepModel.load("aalborg-2023")
SOCIO = StepModel.load("socioeconomic")
TWIN_COLUMNS = (
    "outside_work_education_pct", "basic_education_pct", "income_ratio_pct", "non_western_pct",
)
# a department meeting every yellow test of both presets
YELLOW = {
    "outside_work_education_pct": 50.0, "basic_education_pct": 70.0, "income_ratio_pct": 40.0,
    "non_western_pct": 40.0, "conviction_ratio": 3.0,
}
# a department meeting no yellow test
QUIET = {
    "outside_work_education_pct": 10.0, "basic_education_pct": 20.0, "income_ratio_pct": 90.0,
    "non_western_pct": 10.0, "conviction_ratio": 0.5,
}


def municipality(
    values: list[dict[str, float]],
    residents_18_64: list[int] | None = None,
    twin_18_64: list[int] | None = None,
    areas_of: list[str | None] | None = None,
    lists: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Departments D000…, their twin-tool and parallel-data rows, and the lists."""
    n = len(values)
    r1864 = residents_18_64 or [100] * n
    t1864 = twin_18_64 or r1864
    ids = [f"D{i:03d}" for i in range(n)]
    deps = pd.DataFrame({
        "department_id": ids,
        "organisation_cvr": [CVR] * n,
        "name": [f"Afdeling {i}" for i in range(n)],
        "area_id": areas_of or [None] * n,
        "family_dwellings": [60] * n,
        "bab_dwellings": [0] * n,
        "residents": [150] * n,
        "residents_18_64": r1864,
    })
    twin = pd.DataFrame({
        "department_id": ids,
        "measured_on": "2023-11-01",
        "source": "twin_tool",
        "residents_18_64": t1864,
        "units": 60,
        "residents": 150,
        **{c: [v.get(c, np.nan) for v in values] for c in TWIN_COLUMNS},
        "conviction_ratio": np.nan,
    })
    parallel = pd.DataFrame({
        "department_id": ids,
        "measured_on": "2023-02-01",
        "source": "parallel_data",
        "residents_18_64": t1864,
        "units": 60,
        "residents": 150,
        "conviction_ratio": [v.get("conviction_ratio", np.nan) for v in values],
    })
    if lists is None:
        lists = pd.DataFrame({"area_id": ["A1"], "list_date": ["2023-12-01"],
                              "designation": ["udsat"]})
    return deps, pd.concat([twin, parallel], ignore_index=True), lists


def test_discretion_threshold_is_20_residents_aged_18_64() -> None:
    deps, ind, lists = municipality([YELLOW] * 3, residents_18_64=[19, 20, 21])
    for model in (AALBORG, SOCIO):
        frame = model.place(deps, ind, lists, ON).frame
        assert frame["monitored"].tolist() == [False, True, True]
        assert frame["colour"].tolist() == ["green", "yellow", "yellow"]
        assert frame["basis"].tolist() == ["unmonitored", "twin tool", "twin tool"]
        shown = [c for c in frame.columns
                 if c.startswith(("value_", "met_")) or c.endswith("_criteria_met")]
        assert shown
        assert frame.loc[0, shown].isna().all()
        assert frame.loc[1:, shown].notna().all().all()
        assert frame["measured_on"].isna().tolist() == [True, False, False]
        reason = str(frame.loc[0, "reason"])
        assert "values withheld" in reason
        assert "fewer than 20 residents aged 18–64" in reason
        for number in ("50", "70", "40"):
            assert number not in reason
        written = model.place(deps, ind, lists, ON).output_frame()
        assert written.loc[0, shown].isna().all()


def test_discretion_reads_both_the_department_and_its_twin_tool_row() -> None:
    # (departments table, twin-tool row): both must be at least 20
    pairs = [(20, 20), (20, 21), (21, 20), (19, 40), (40, 19), (20, 19), (19, 20)]
    deps, ind, lists = municipality(
        [YELLOW] * len(pairs),
        residents_18_64=[d for d, _ in pairs],
        twin_18_64=[t for _, t in pairs],
    )
    frame = AALBORG.place(deps, ind, lists, ON).frame
    assert frame["monitored"].tolist() == [True, True, True, False, False, False, False]
    assert frame["colour"].tolist() == ["yellow"] * 3 + ["green"] * 4
    assert frame.loc[3:, "value_outside_work_education_pct"].isna().all()


# (column, operator, threshold) of the yellow step in both presets
YELLOW_TESTS = (
    ("outside_work_education_pct", ">", 30.0),
    ("conviction_ratio", ">=", 2.0),
    ("basic_education_pct", ">", 60.0),
    ("income_ratio_pct", "<", 65.0),
)


@pytest.mark.parametrize("model", [AALBORG, SOCIO], ids=["aalborg-2023", "socioeconomic"])
@pytest.mark.parametrize("test", YELLOW_TESTS, ids=[c for c, _, _ in YELLOW_TESTS])
def test_yellow_thresholds_of_both_presets(
    model: StepModel, test: tuple[str, str, float]
) -> None:
    column, oper, threshold = test
    helper = next(c for c, _, _ in YELLOW_TESTS if c != column)
    values = around(threshold)
    rows = [dict(QUIET, **{helper: YELLOW[helper], column: v, "non_western_pct": 40.0})
            for v in values]
    deps, ind, lists = municipality(rows)
    frame = model.place(deps, ind, lists, ON).frame
    expected = ["yellow" if OPS[oper](v, threshold) else "green" for v in values]
    assert frame["colour"].tolist() == expected
    assert frame[f"met_yellow_{column}"].tolist() == [OPS[oper](v, threshold) for v in values]


@pytest.mark.parametrize("model", [AALBORG, SOCIO], ids=["aalborg-2023", "socioeconomic"])
def test_yellow_needs_two_criteria(model: StepModel) -> None:
    rows = [dict(QUIET, outside_work_education_pct=50.0, non_western_pct=40.0),
            dict(QUIET, outside_work_education_pct=50.0, income_ratio_pct=40.0,
                 non_western_pct=40.0)]
    deps, ind, lists = municipality(rows)
    frame = model.place(deps, ind, lists, ON).frame
    assert frame["colour"].tolist() == ["green", "yellow"]
    assert frame["yellow_criteria_met"].tolist() == [1, 2]


def test_conviction_comes_from_the_parallel_data() -> None:
    row = dict(QUIET, basic_education_pct=70.0, non_western_pct=40.0, conviction_ratio=0.5)
    deps, ind, lists = municipality([row])
    # a conviction ratio on the twin-tool row would not be read: it is refused, not ignored
    ind.loc[ind["source"] == "twin_tool", "conviction_ratio"] = 4.0
    row_no = int(np.flatnonzero((ind["source"] == "twin_tool").to_numpy())[0]) + 1
    for model in (AALBORG, SOCIO):
        with pytest.raises(TableValidationError) as caught:
            model.place(deps, ind, lists, ON)
        (problem,) = caught.value.problems
        assert (problem.column, problem.row) == ("conviction_ratio", row_no)
        assert "parallel_data" in problem.expected
    ind.loc[ind["source"] == "parallel_data", "conviction_ratio"] = 2.0
    ind.loc[ind["source"] == "twin_tool", "conviction_ratio"] = np.nan
    for model in (AALBORG, SOCIO):
        assert model.place(deps, ind, lists, ON).frame["colour"].tolist() == ["yellow"]


@pytest.mark.parametrize(
    ("units", "residents", "used"),
    [(51, 101, True), (50, 150, False), (60, 100, False)],
)
def test_parallel_data_count_only_above_50_units_and_100_residents(
    units: int, residents: int, used: bool
) -> None:
    # agreement, note 13: »Boligafdelinger med mere end 50 enheder og 100 beboere«
    row = dict(QUIET, basic_education_pct=70.0, non_western_pct=40.0, conviction_ratio=2.5)
    deps, ind, lists = municipality([row])
    parallel = ind["source"] == "parallel_data"
    ind.loc[parallel, "units"] = units
    ind.loc[parallel, "residents"] = residents
    colour = AALBORG.place(deps, ind, lists, ON).frame["colour"].tolist()
    assert colour == (["yellow"] if used else ["green"])


def test_non_western_condition_only_in_the_aalborg_preset() -> None:
    two = dict(QUIET, outside_work_education_pct=50.0, basic_education_pct=70.0)
    rows = [dict(two, non_western_pct=v) for v in around(30.0)]
    deps, ind, lists = municipality(rows)
    assert AALBORG.place(deps, ind, lists, ON).frame["colour"].tolist() == [
        "green", "green", "yellow",
    ]
    socio = SOCIO.place(deps, ind, lists, ON)
    assert socio.frame["colour"].tolist() == ["yellow"] * 3
    assert not socio.uses_ethnicity
    assert not any("non_western" in c for c in socio.frame.columns)
    tests = AALBORG.place(deps, ind, lists, ON).tests
    cond = tests[tests["kind"] == "condition"]
    assert cond[["column", "operator", "threshold"]].values.tolist() == [
        ["non_western_pct", ">", 30.0]
    ]


def test_yellow_tests_of_the_presets_are_the_documented_ones() -> None:
    for model in (AALBORG, SOCIO):
        tests = model.place(*municipality([QUIET]), ON).tests
        crit = tests[tests["kind"] == "criterion"]
        got = [tuple(r) for r in crit[["column", "operator", "threshold"]].values.tolist()]
        assert got == list(YELLOW_TESTS)
        assert crit["source"].tolist() == [
            "twin_tool", "parallel_data", "twin_tool", "twin_tool",
        ]


DESIGNATIONS = ("omdannelse", "parallelsamfund", "udsat", "forebyggelse")
LIST_DATES = ("2022-12-01", "2023-12-01", "2024-12-01")
AREAS = ("AO", "AP", "AU", "AF", "AN")
# the designation of each area on each list: every area changes between lists
ON_LIST: dict[str, tuple[str, ...]] = {
    "2022-12-01": ("omdannelse", "parallelsamfund", "udsat", "forebyggelse", "none"),
    "2023-12-01": ("none", "omdannelse", "parallelsamfund", "udsat", "forebyggelse"),
    "2024-12-01": ("forebyggelse", "none", "omdannelse", "parallelsamfund", "udsat"),
}


def _lists() -> pd.DataFrame:
    rows = [
        {"area_id": area, "list_date": date, "designation": designation}
        for date, row in ON_LIST.items()
        for area, designation in zip(AREAS, row, strict=True)
    ]
    return pd.DataFrame(rows)


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        ("2023-01-01", "2022-12-01"),
        ("2023-11-30", "2022-12-01"),
        ("2023-12-01", "2023-12-01"),  # published that day: in force that day
        ("2024-06-30", "2023-12-01"),
        ("2024-11-30", "2023-12-01"),
        ("2024-12-01", "2024-12-01"),
        ("2025-03-01", "2024-12-01"),
    ],
)
def test_red_iff_in_a_designated_area_on_the_list_in_force(day: str, in_force: str) -> None:
    # each area holds a department meeting the yellow tests, one meeting none and
    # one unmonitored; two departments are in no area and one in an unlisted area
    values: list[dict[str, float]] = []
    r1864: list[int] = []
    areas_of: list[str | None] = []
    for area in (*AREAS, None, "AX"):
        for v, r in ((YELLOW, 100), (QUIET, 100), (YELLOW, 5)):
            values.append(v)
            r1864.append(r)
            areas_of.append(area)
    deps, ind, lists = municipality(values, r1864, areas_of=areas_of, lists=_lists())
    designation_of = dict(zip(AREAS, ON_LIST[in_force], strict=True))
    expected_designation = [designation_of.get(a, "none") if a else "none" for a in areas_of]
    for model in (AALBORG, SOCIO):
        placement = model.place(deps, ind, lists, day)
        frame = placement.frame
        assert placement.list_date == dt.date.fromisoformat(in_force)
        assert frame["designation"].tolist() == expected_designation
        red = [d in DESIGNATIONS for d in expected_designation]
        assert (frame["colour"] == "red").tolist() == red
        assert (frame["basis"] == "list").tolist() == red
        # outside designated areas the department's own data decide (never red)
        others = frame[[not r for r in red]]
        assert set(others["colour"]) <= {"green", "yellow"}
    # every designation (and none) occurs on the list in force
    assert set(ON_LIST[in_force]) == {*DESIGNATIONS, "none"}


def test_the_day_before_a_list_date_uses_the_previous_list() -> None:
    deps, ind, lists = municipality([QUIET] * 2, areas_of=["AO", "AN"], lists=_lists())
    before = AALBORG.place(deps, ind, lists, "2023-11-30").frame["colour"].tolist()
    on_day = AALBORG.place(deps, ind, lists, "2023-12-01").frame["colour"].tolist()
    # AO: omdannelse on the 2022 list, none on the 2023 list; AN: the reverse
    assert before == ["red", "green"]
    assert on_day == ["green", "red"]


def test_no_list_in_force_before_the_first_list_date() -> None:
    lists = pd.DataFrame({"area_id": ["AO"], "list_date": ["2024-12-01"],
                          "designation": ["udsat"]})
    deps, ind, _ = municipality([QUIET], areas_of=["AO"])
    placement = AALBORG.place(deps, ind, lists, "2024-11-30")
    assert placement.list_date is None
    assert placement.frame["colour"].tolist() == ["green"]
    assert AALBORG.place(deps, ind, lists, "2024-12-01").frame["colour"].tolist() == ["red"]
