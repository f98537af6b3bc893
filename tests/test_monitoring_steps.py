"""Step model: placement, presets, custom models, rules_for, calendar, outputs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from fuaalborg.errors import NotInForceError, ParameterFileError, ValidationError
from fuaalborg.monitoring import (
    ConflictingSteps,
    NoStepApplies,
    PresetError,
    StepModel,
    compare_placements,
    last_update,
    next_update,
    overview,
    placement_in_force,
    rules_for,
    staircase_figure,
)
from fuaalborg.parameters import load_parameters
from fuaalborg.tables import TableValidationError

ON = dt.date(2024, 1, 15)
CVR = "31831814"
VALUE_COLUMNS = [
    "outside_work_education_pct", "basic_education_pct", "income_ratio_pct", "non_western_pct",
    "conviction_ratio",
]


def municipality(values: list[dict[str, float]], residents_18_64: list[int] | None = None,
         areas: list[str | None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    n = len(values)
    r1864 = residents_18_64 or [100] * n
    deps = pd.DataFrame({
        "department_id": [f"D{i:03d}" for i in range(n)],
        "organisation_cvr": [CVR] * n,
        "name": [f"Afdeling {i}" for i in range(n)],
        "area_id": areas or [None] * n,
        "family_dwellings": [50] * n,
        "bab_dwellings": [0] * n,
        "residents": [max(150, r) for r in r1864],
        "residents_18_64": r1864,
    })
    twin = pd.DataFrame({
        "department_id": deps["department_id"],
        "measured_on": "2023-11-01",
        "source": "twin_tool",
        "residents_18_64": r1864,
        "units": 50,
        "residents": deps["residents"],
        **{c: [v.get(c, np.nan) for v in values] for c in VALUE_COLUMNS if c != "conviction_ratio"},
        "conviction_ratio": np.nan,
    })
    parallel = pd.DataFrame({
        "department_id": deps["department_id"],
        "measured_on": "2023-02-01",
        "source": "parallel_data",
        "residents_18_64": r1864,
        "units": 50,
        "residents": deps["residents"],
        "conviction_ratio": [v.get("conviction_ratio", np.nan) for v in values],
    })
    lists = pd.DataFrame({"area_id": ["A1", "A2"], "list_date": ["2023-12-01"] * 2,
                          "designation": ["udsat", "none"]})
    return deps, pd.concat([twin, parallel], ignore_index=True), lists


AALBORG = StepModel.load("aalborg-2023")
SOCIO = StepModel.load("socioeconomic")

indicator = st.floats(0, 100, allow_nan=False)
dept = st.fixed_dictionaries({
    "outside_work_education_pct": indicator, "basic_education_pct": indicator,
    "income_ratio_pct": st.floats(0, 150, allow_nan=False), "non_western_pct": indicator,
    "conviction_ratio": st.floats(0, 5, allow_nan=False),
})
RANK = {"green": 1, "yellow": 2, "red": 3}


def test_yellow_boundaries_are_exact() -> None:
    base = {"outside_work_education_pct": 35.0, "non_western_pct": 40.0, "income_ratio_pct": 80}
    cases = [dict(base, basic_education_pct=v) for v in (60.0, 60.0 + 1e-13, 60.01)]
    deps, ind, lists = municipality(cases)
    colours = AALBORG.place(deps, ind, lists, ON).frame["colour"].tolist()
    assert colours == ["green", "green", "yellow"]
    cases = [dict(base, basic_education_pct=70.0, non_western_pct=v) for v in (30.0, 30.01)]
    deps, ind, lists = municipality(cases)
    assert AALBORG.place(deps, ind, lists, ON).frame["colour"].tolist() == ["green", "yellow"]
    assert SOCIO.place(deps, ind, lists, ON).frame["colour"].tolist() == ["yellow", "yellow"]


@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(values=st.lists(dept, min_size=1, max_size=12), data=st.data())
def test_red_iff_in_a_designated_area_and_presets_differ_only_by_ethnicity(
    values: list[dict[str, float]], data: st.DataObject
) -> None:
    n = len(values)
    areas = data.draw(st.lists(st.sampled_from([None, "A1", "A2"]), min_size=n, max_size=n))
    r1864 = data.draw(st.lists(st.integers(0, 60), min_size=n, max_size=n))
    deps, ind, lists = municipality(values, r1864, areas)
    a = AALBORG.place(deps, ind, lists, ON).frame
    s = SOCIO.place(deps, ind, lists, ON).frame
    in_area = pd.Series(areas).eq("A1").to_numpy()  # A1 is udsat; A2 is on no list
    assert ((a["colour"] == "red").to_numpy() == in_area).all()
    assert ((s["colour"] == "red").to_numpy() == in_area).all()
    differ = (a["colour"] != s["colour"]).to_numpy()
    nw_not_met = ~(np.round(np.array([v["non_western_pct"] for v in values]), 6) > 30)
    expected = (s["colour"] == "yellow").to_numpy() & nw_not_met
    assert (differ == expected).all()
    # unmonitored departments never show indicator values
    hidden = ~a["monitored"].to_numpy()
    value_cols = [c for c in a.columns if c.startswith(("value_", "met_")) or
                  c.endswith("_criteria_met")]
    assert a.loc[hidden, value_cols].isna().all().all()
    for reason in a.loc[hidden, "reason"]:
        assert "criteria" not in reason
        assert "condition" not in reason
        assert "values withheld" in reason
    assert (a["colour"][hidden] != "yellow").all()


@settings(max_examples=40, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(value=dept, column=st.sampled_from(VALUE_COLUMNS), step=st.floats(0, 40))
def test_worsening_an_indicator_never_improves_a_colour(
    value: dict[str, float], column: str, step: float
) -> None:
    worse = dict(value)
    sign = -1 if column == "income_ratio_pct" else 1
    # a conviction ratio stays below its plausibility bound (bounds.conviction_ratio)
    top = 10.0 if column == "conviction_ratio" else 100.0
    worse[column] = min(top, max(0.0, value[column] + sign * step))
    deps, ind, lists = municipality([value, worse])
    for model in (AALBORG, SOCIO):
        colours = model.place(deps, ind, lists, ON).frame["colour"].tolist()
        assert RANK[colours[1]] >= RANK[colours[0]]


@settings(max_examples=15, deadline=None)
@given(values=st.lists(dept, min_size=2, max_size=10), seed=st.integers(0, 1000))
def test_output_is_independent_of_row_order(values: list[dict[str, float]], seed: int) -> None:
    deps, ind, lists = municipality(values)
    a = AALBORG.place(deps, ind, lists, ON).frame
    b = AALBORG.place(
        deps.sample(frac=1, random_state=seed), ind.sample(frac=1, random_state=seed),
        lists.sample(frac=1, random_state=seed), ON,
    ).frame
    pd.testing.assert_frame_equal(
        a.sort_values("department_id").reset_index(drop=True),
        b.sort_values("department_id").reset_index(drop=True),
    )


def test_placements_are_stable_and_previous_gives_changes() -> None:
    deps, ind, lists = municipality([{"outside_work_education_pct": 50, "basic_education_pct": 70,
                              "non_western_pct": 50, "income_ratio_pct": 90}] * 2,
                            areas=["A1", None])
    first = AALBORG.place(deps, ind, lists, ON)
    again = AALBORG.place(deps, ind, lists, ON)
    pd.testing.assert_frame_equal(first.frame, again.frame)
    prev = pd.DataFrame({"department_id": ["D000", "D001"], "colour": ["yellow", "yellow"]})
    placed = AALBORG.place(deps, ind, lists, ON, previous=prev).frame
    assert placed["previous_colour"].tolist() == ["yellow", "yellow"]
    assert placed["changed"].tolist() == [True, False]


def write_preset(tmp_path: Path, yellow: str, green: str = 'otherwise = true') -> Path:
    path = tmp_path / "custom.toml"
    path.write_text(f"""
[meta]
title = "custom"
version = "1"
[model.listed_designations]
description = "d"
unit = "list"
[[model.listed_designations.values]]
from = 2023-01-01
value = ["udsat"]
reference = "test"
[step.red]
description = "r"
unit = "table"
[[step.red.values]]
from = 2023-01-01
value = {{ colour = "red", step = 3, listed = true }}
reference = "test"
[step.yellow]
description = "y"
unit = "table"
[[step.yellow.values]]
from = 2023-01-01
value = {{ colour = "yellow", step = 2, {yellow} }}
reference = "test"
[step.green]
description = "g"
unit = "table"
[[step.green.values]]
from = 2023-01-01
value = {{ colour = "green", step = 1, {green} }}
reference = "test"
""", encoding="utf-8")
    return path


def test_custom_model_with_no_step_raises_naming_departments(tmp_path: Path) -> None:
    model = StepModel.load(write_preset(
        tmp_path, "monitored = true, listed = false", green="monitored = false, listed = false"
    ))
    deps, ind, lists = municipality([{}, {}], areas=["A1", None])
    model.place(deps, ind, lists, ON)  # everyone is covered
    model2 = StepModel.load(write_preset(tmp_path, "listed = false, monitored = true",
                                         green="listed = false, monitored = true"))
    with pytest.raises(ConflictingSteps) as err:
        model2.place(deps, ind, lists, ON)
    assert "D001" in err.value.conflicts
    model3 = StepModel.load(write_preset(
        tmp_path, "monitored = true, listed = false, conditions = "
        '[{ column = "non_western_pct", operator = ">", threshold = 50, source = "twin_tool" }]',
        green='conditions = [{ column = "non_western_pct", operator = "<", threshold = 20, '
        'source = "twin_tool" }], listed = false'))
    deps, ind, lists = municipality([{"non_western_pct": 30.0}, {"non_western_pct": 10.0}])
    with pytest.raises(NoStepApplies) as none:
        model3.place(deps, ind, lists, ON)
    assert none.value.department_ids == ("D000",)
    assert model3.uses_ethnicity(ON)


def test_preset_loader_reports_all_problems_at_once(tmp_path: Path) -> None:
    path = write_preset(
        tmp_path,
        'criteria = [{ column = "shoe_size", operator = "~", threshold = "x", source = "web" }], '
        "min_criteria = 5, colourful = 1",
    )
    with pytest.raises(PresetError) as err:
        StepModel.load(path)
    text = str(err.value)
    for fragment in ("shoe_size", "operator", "threshold", "source", "min_criteria", "colourful"):
        assert fragment in text
    with pytest.raises(ValidationError):
        StepModel.load("no-such-preset")


def test_bad_inputs_are_reported_together() -> None:
    deps, ind, lists = municipality([{}, {}])
    deps.loc[1, "department_id"] = "D000"
    ind.loc[0, "non_western_pct"] = 120.0
    lists.loc[0, "list_date"] = "someday"
    with pytest.raises(TableValidationError) as err:
        AALBORG.place(deps, ind, lists, ON)
    tables = {p.table for p in err.value.problems}
    assert tables == {"departments", "indicators", "lists"}


def test_compare_presets_lists_differences_with_reasons() -> None:
    deps, ind, lists = municipality([{"outside_work_education_pct": 50, "basic_education_pct": 70,
                              "non_western_pct": 10, "income_ratio_pct": 90}])
    diff = AALBORG.compare(SOCIO, deps, ind, lists, ON)
    assert diff["department_id"].tolist() == ["D000"]
    assert "non_western_pct > 30" in diff.loc[0, "reason_a"]


def test_rules_for_each_colour() -> None:
    green, yellow, red = (rules_for(c, ON) for c in ("green", "yellow", "red"))
    assert green.counts_towards_referral
    assert green.referral_placement == "yes"
    assert "§ 60, stk. 1" in green.flexible_reference
    assert yellow.referral_placement == "restricted"
    assert yellow.reading
    assert "§ 59, stk. 7" in yellow.referral_limits[0]
    assert not red.counts_towards_referral
    assert red.referral_placement == "no"
    assert red.flexible_letting == "mandatory"
    assert red.mandatory_flexible_share == 1
    assert "§ 60, stk. 4" in red.flexible_reference
    assert "Fælles Udlejningsaftale" in green.counts_reference
    with pytest.raises(ValidationError):
        rules_for("blue", ON)
    # before the step model a recorded colour means what the law makes of it
    before = rules_for("red", dt.date(2020, 1, 1))
    assert before.counts_towards_referral
    assert before.referral_placement == "yes"
    assert before.flexible_letting == "mandatory"  # § 60, stk. 4 since 2018-12-01
    assert "§ 59, stk. 1" in before.counts_reference
    assert rules_for("red", dt.date(2018, 11, 30)).flexible_letting == "optional"
    with pytest.raises(NotInForceError):
        rules_for("red", dt.date(2009, 12, 31))


def test_rules_for_counts_towards_referral_follows_the_counting_parameter(
    tmp_path: Path,
) -> None:
    override = tmp_path / "yellow-exempt.toml"
    override.write_text(
        '[meta]\ntitle = "test"\nversion = "1"\n\n'
        '[colour_rules.referral_counting]\ndescription = "test"\nunit = "list"\n\n'
        '[[colour_rules.referral_counting.values]]\nfrom = 2023-01-01\nvalue = ["green"]\n'
        'reference = "test"\n',
        encoding="utf-8",
    )
    params = load_parameters(override)
    assert rules_for("green", ON, parameters=params).counts_towards_referral
    assert not rules_for("yellow", ON, parameters=params).counts_towards_referral
    assert rules_for("yellow", ON).counts_towards_referral


def test_rules_for_refuses_an_older_colour_table_naming_where_each_answer_moved(
    tmp_path: Path,
) -> None:
    override = tmp_path / "older.toml"
    override.write_text(
        '[meta]\ntitle = "test"\nversion = "1"\n\n'
        '[colour_rules.red]\ndescription = "test"\nunit = "table"\n\n'
        '[[colour_rules.red.values]]\nfrom = 2023-01-01\nreference = "test"\n'
        '[colour_rules.red.values.value]\nstep = 3\nlabel_da = "rød"\n'
        'counts_towards_referral = true\ncounts_reference = "x"\n'
        'referral_placement = "no"\nreferral_limits = []\nplacement_reference = "x"\n'
        'flexible_letting = "mandatory"\nflexible_reference = "x"\nreading = true\n',
        encoding="utf-8",
    )
    with pytest.raises(ParameterFileError) as info:
        rules_for("red", ON, parameters=load_parameters(override))
    text = str(info.value)
    assert "colour_rules.red.counts_towards_referral: no longer read here" in text
    assert "colour_rules.referral_counting" in text
    assert "colour_rules.red.referral_placement: no longer read here" in text
    assert "colour_rules.referral_placement" in text
    assert "colour_rules.red.flexible_letting: mandatory flexible letting is "\
        "colour_rules.mandatory_flexible" in text


def test_calendar() -> None:
    assert next_update(dt.date(2024, 2, 1)).on == dt.date(2024, 11, 1)
    assert next_update(dt.date(2024, 11, 15)).source == "ministry lists"
    assert next_update(dt.date(2024, 12, 1)).on == dt.date(2025, 2, 1)
    assert last_update(dt.date(2024, 12, 1)).source == "ministry lists"
    deps, ind, lists = municipality([{}])
    older = AALBORG.place(deps, ind, lists, dt.date(2024, 2, 1))
    newer = AALBORG.place(deps, ind, lists, dt.date(2024, 11, 1))
    assert placement_in_force([newer, older], dt.date(2024, 6, 1)) is older
    assert placement_in_force([newer, older], dt.date(2024, 11, 1)) is newer
    with pytest.raises(NotInForceError):
        placement_in_force([newer, older], dt.date(2023, 1, 1))


def test_outputs_are_written_atomically_and_flag_ethnicity(tmp_path: Path) -> None:
    deps, ind, lists = municipality([{"outside_work_education_pct": 50, "basic_education_pct": 70,
                              "non_western_pct": 50, "income_ratio_pct": 90}, {}],
                            areas=["A1", None])
    placement = AALBORG.place(deps, ind, lists, ON)
    out = placement.write(tmp_path / "p.xlsx")
    read = pd.read_excel(out)
    assert read["ethnicity_indicator"].all()
    view = overview(placement)
    assert view["department_id"].tolist() == ["D000"]
    assert "notice" in view.attrs
    # a Danish overview carries the notice in Danish, as its reasons
    from fuaalborg.monitoring.steps import ETHNICITY_NOTICE_DA

    assert overview(placement, lang="da").attrs["notice"] == ETHNICITY_NOTICE_DA
    socio = SOCIO.place(deps, ind, lists, ON)
    assert not socio.frame["ethnicity_indicator"].any()
    assert socio.notice is None
    for suffix in ("png", "svg"):
        staircase_figure(placement, tmp_path / f"fig.{suffix}")
        assert (tmp_path / f"fig.{suffix}").stat().st_size > 0
    with pytest.raises(ValidationError):
        staircase_figure(placement, tmp_path / "fig.gif")
    assert not (tmp_path / "fig.gif").exists()
    assert compare_placements(placement, placement).empty
