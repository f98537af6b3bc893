"""The capacity simulation: reproducibility, the agreement's arithmetic, scenario properties."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuaalborg
from fuaalborg import Municipality, load_parameters
from fuaalborg.letting.routing import rules_on
from fuaalborg.simulation import (
    METRICS,
    Scenario,
    ScenarioError,
    builtin_scenarios,
    compare_scenarios,
    simulate,
)

START = dt.date(2026, 1, 1)


@pytest.fixture(scope="module")
def municipality(example_municipality: Municipality) -> Municipality:
    return example_municipality


def all_colour(colour: str):  # type: ignore[no-untyped-def]
    def source(municipality: Municipality, on: dt.date) -> dict[str, str]:
        return {str(d): colour for d in municipality.departments["department_id"]}

    return source


def one_department(family: int, bab: int = 0, rent: float = 3000.0) -> Municipality:
    """A municipality of one department, with ``family`` + ``bab`` dwellings."""
    n = family + bab
    return Municipality.from_frames(
        organisations=pd.DataFrame({"organisation_cvr": ["31831814"], "name": ["Vivabolig"]}),
        departments=pd.DataFrame(
            {
                "department_id": ["D1"],
                "organisation_cvr": ["31831814"],
                "name": ["Testparken"],
                "area_id": [None],
                "family_dwellings": [family],
                "bab_dwellings": [bab],
                "residents": [2 * n],
                "residents_18_64": [n],
            }
        ),
        dwellings=pd.DataFrame(
            {
                "dwelling_id": [f"W{i}" for i in range(n)],
                "department_id": ["D1"] * n,
                "kind": ["family"] * family + ["bab"] * bab,
                "rooms": [2] * n,
                "area_m2": [60.0] * n,
                "monthly_rent_dkk": [rent] * n,
            }
        ),
        areas=pd.DataFrame(columns=["area_id", "name", "kind", "residents"]),
        indicators=pd.DataFrame(
            columns=[
                "department_id",
                "measured_on",
                "source",
                "residents_18_64",
                "units",
                "residents",
                "outside_work_education_pct",
                "conviction_ratio",
                "basic_education_pct",
                "income_ratio_pct",
                "non_western_pct",
            ]
        ),
        lists=pd.DataFrame(columns=["area_id", "list_date", "designation"]),
    )


def share_scenario(share: str | Fraction) -> Scenario:
    share = f"{Fraction(share).numerator}/{Fraction(share).denominator}"
    return Scenario.from_text(
        f"""
[meta]
title = "share {share}"
version = "1"
[referral.share]
description = "share"
unit = "fraction"
[[referral.share.values]]
from = 2010-01-01
value = "{share}"
reference = "test scenario"
""",
        f"share-{share.replace('/', '-')}",
    )


# -- reproducibility --------------------------------------------------------------


def test_the_same_seed_gives_the_same_result(municipality: Municipality) -> None:
    a = simulate(municipality, years=2, runs=8, seed=11)
    b = simulate(municipality, years=2, runs=8, seed=11)
    for name in a.counts:
        np.testing.assert_array_equal(a.counts[name], b.counts[name])
    assert a.to_json() == b.to_json()
    c = simulate(municipality, years=2, runs=8, seed=12)
    assert not np.array_equal(a.values("vacancies"), c.values("vacancies"))


def test_a_run_does_not_depend_on_how_many_runs_there_are(municipality: Municipality) -> None:
    few = simulate(municipality, years=1, runs=3, seed=5)
    many = simulate(municipality, years=1, runs=9, seed=5)
    for name in few.counts:
        np.testing.assert_array_equal(few.counts[name], many.counts[name][:3])


def test_workers_do_not_change_the_result(municipality: Municipality) -> None:
    one = simulate(municipality, years=1, runs=30, seed=13)
    two = simulate(municipality, years=1, runs=30, seed=13, workers=2)
    for name in one.counts:
        np.testing.assert_array_equal(one.counts[name], two.counts[name])


def test_without_a_seed_one_is_drawn_and_reported(municipality: Municipality) -> None:
    result = simulate(municipality, years=1, runs=2)
    again = simulate(municipality, years=1, runs=2, seed=result.seed)
    np.testing.assert_array_equal(result.values("vacancies"), again.values("vacancies"))
    assert result.to_dict()["seed"] == result.seed


# -- the agreement's arithmetic ----------------------------------------------------


def test_arithmetic_of_the_agreement(municipality: Municipality) -> None:
    """Mean vacancies ≈ 23,324 × 13.7 %, cheap ≈ 253 (48 BAB), referral cheap ≈ 48 + 205/4."""
    params = load_parameters()
    turnover = params.get("agreement.figures.turnover_pct", START) / 100
    dws = municipality.dwellings
    cheap = dws["monthly_rent_dkk"] <= 3500
    expected_vacancies = len(dws) * turnover
    expected_cheap = int(cheap.sum()) * turnover
    expected_bab = int((dws["kind"] == "bab").sum()) * turnover
    cheap_family = int((cheap & (dws["kind"] == "family")).sum()) * turnover
    share = params.get("referral.share", START)
    expected_referral_cheap = expected_bab + float(share) * cheap_family
    # the agreement's own figures
    assert expected_vacancies == pytest.approx(3195, abs=1)
    assert expected_cheap == pytest.approx(253, abs=1)
    assert expected_bab == pytest.approx(48, abs=1)
    assert expected_referral_cheap == pytest.approx(100, abs=1)

    result = simulate(municipality, years=3, runs=60, seed=2023, scenario="no-exemptions")
    # 180 run-years: the standard error of the mean vacancies is about 4
    assert result.values("vacancies").mean() == pytest.approx(expected_vacancies, abs=20)
    assert result.values("cheap_vacancies").mean() == pytest.approx(expected_cheap, abs=6)
    assert result.values("bab_vacancies").mean() == pytest.approx(expected_bab, abs=3)
    # once the counters have run for a year the referral receives its full share
    later = result.values("referral_cheap")[:, 1:].mean()
    assert later == pytest.approx(expected_referral_cheap, abs=5)
    # counters start at zero: the first year gives a little less, never more
    assert result.values("referral_cheap")[:, 0].mean() < later
    assert result.stats("need_met_low")["mean"][2] == pytest.approx(later / 250, abs=0.05)
    assert "start at zero" in result.notes[0]


def test_counters_start_at_zero_and_carry_over_years() -> None:
    small = one_department(40)
    result = simulate(small, years=3, runs=20, seed=1, colours=all_colour("green"))
    vac = result.values("vacancies").cumsum(axis=1)
    ref = result.values("referral_dwellings").cumsum(axis=1)
    # every 4th counting vacancy of the department, counted from the first simulated day
    np.testing.assert_array_equal(ref, vac // 4)


def test_red_departments_give_the_referral_nothing_not_even_bab_dwellings(
    municipality: Municipality, tmp_path: Path
) -> None:
    result = simulate(municipality, years=2, runs=4, seed=3, colours=all_colour("red"))
    assert (result.values("bab_vacancies") > 0).all()
    assert (result.values("referral_dwellings") == 0).all()  # the referral does not place
    assert (result.values("lettings_ordinary") == 0).all()  # red: flexible letting only
    # the other reading, layered: the referral keeps the BAB dwellings of red departments
    keeps = tmp_path / "red-bab.toml"
    keeps.write_text(
        '[meta]\ntitle = "BAB in red to the referral"\nversion = "1"\ndescription = "test"\n\n'
        '[colour_rules.referral_placement]\ndescription = "test"\nunit = "table"\n\n'
        '[[colour_rules.referral_placement.values]]\nfrom = 2023-01-01\nreference = "test"\n'
        '[colour_rules.referral_placement.values.value]\ngreen = { placement = "yes" }\n'
        'yellow = { placement = "yes" }\nred = { placement = "yes" }\n',
        encoding="utf-8",
    )
    other = simulate(
        municipality, years=2, runs=4, seed=3, colours=all_colour("red"), scenario=keeps
    )
    np.testing.assert_array_equal(
        other.values("referral_dwellings"), other.values("bab_vacancies")
    )


def test_colours_do_not_matter_without_exemptions(municipality: Municipality) -> None:
    red = simulate(
        municipality, years=1, runs=4, seed=3, colours=all_colour("red"), scenario="no-exemptions"
    )
    green = simulate(municipality, years=1, runs=4, seed=3, colours=all_colour("green"))
    np.testing.assert_array_equal(
        red.values("referral_dwellings"), green.values("referral_dwellings")
    )


def test_the_step_model_placement_is_used_by_default(municipality: Municipality) -> None:
    from fuaalborg.monitoring import placement_on

    colours = placement_on(municipality, START).colours()
    result = simulate(municipality, years=1, runs=3, seed=9)
    explicit = simulate(
        municipality,
        years=1,
        runs=3,
        seed=9,
        colours=lambda _t, _on: {str(k): str(v) for k, v in colours.items()},
    )
    np.testing.assert_array_equal(
        result.values("vacancies_by_colour"), explicit.values("vacancies_by_colour")
    )
    dwellings = municipality.dwellings.merge(
        colours.rename("colour"), left_on="department_id", right_index=True
    )
    red_share = (dwellings["colour"] == "red").mean()
    by_colour = result.values("vacancies_by_colour").sum(axis=(0, 1))
    assert by_colour[2] / by_colour.sum() == pytest.approx(red_share, abs=0.03)


# -- scenario properties -----------------------------------------------------------


@settings(max_examples=8, deadline=None)
@given(
    st.fractions(min_value=0, max_value=1, max_denominator=8),
    st.fractions(min_value=0, max_value=1, max_denominator=8),
)
def test_a_larger_share_never_lowers_referral_dwellings(a: Fraction, b: Fraction) -> None:
    small, large = sorted((a, b))
    municipality = one_department(60, bab=3)
    kwargs = {"years": 2, "runs": 6, "seed": 4, "colours": all_colour("green")}
    low = simulate(municipality, scenario=share_scenario(small), **kwargs)  # type: ignore[arg-type]
    high = simulate(municipality, scenario=share_scenario(large), **kwargs)  # type: ignore[arg-type]
    # common random numbers: the same vacancies, so the comparison holds run by run
    low_total = low.values("referral_dwellings").cumsum(axis=1)
    high_total = high.values("referral_dwellings").cumsum(axis=1)
    assert (high_total >= low_total).all()


def test_a_larger_share_on_the_example_municipality(municipality: Municipality) -> None:
    means = [
        simulate(municipality, years=1, runs=5, seed=8, scenario=share_scenario(s))
        .values("referral_dwellings")
        .mean()
        for s in ("1/5", "1/4", "1/3", "1/2")
    ]
    assert means == sorted(means)


def test_yellow_exempt_never_gives_more(municipality: Municipality) -> None:
    comparison = compare_scenarios(
        municipality, "agreement", "yellow-exempt", years=1, runs=5, seed=6
    )
    diff = comparison.other.values("referral_dwellings") - comparison.base.values(
        "referral_dwellings"
    )
    assert (diff <= 0).all()


def test_compensation_restores_the_referral_in_expectation(municipality: Municipality) -> None:
    comp = simulate(municipality, years=2, runs=20, seed=7, scenario="compensation")
    none = simulate(municipality, years=2, runs=20, seed=7, scenario="no-exemptions")
    agreed = simulate(municipality, years=2, runs=20, seed=7)
    total = {
        k: r.values("referral_dwellings")[:, 1].mean()
        for k, r in (("comp", comp), ("none", none), ("agreed", agreed))
    }
    assert total["agreed"] < total["comp"]
    assert total["comp"] == pytest.approx(total["none"], rel=0.03)


def test_rent_ceiling_keeps_dear_dwellings_from_the_referral() -> None:
    dear = one_department(50, rent=6000.0)
    result = simulate(
        dear, years=1, runs=5, seed=1, colours=all_colour("green"), scenario="rent-ceiling"
    )
    assert (result.values("referral_dwellings") == 0).all()
    assert (result.values("waiting_list_lettings") == result.values("vacancies")).all()
    cheap = one_department(50, rent=3000.0)
    ceiling = simulate(
        cheap, years=1, runs=5, seed=1, colours=all_colour("green"), scenario="rent-ceiling"
    )
    plain = simulate(cheap, years=1, runs=5, seed=1, colours=all_colour("green"))
    np.testing.assert_array_equal(
        ceiling.values("referral_dwellings"), plain.values("referral_dwellings")
    )


def test_colour_changes_over_time() -> None:
    text = """
[meta]
title = "All red from 2027"
version = "1"
[simulation.colour_overrides]
description = "colours"
unit = "table"
[[simulation.colour_overrides.values]]
from = 2027-01-01
value = { "*" = "red" }
reference = "test"
"""
    scenario = Scenario.from_text(text, "red-2027")
    municipality = one_department(80)
    result = simulate(
        municipality, years=2, runs=5, seed=2, colours=all_colour("green"), scenario=scenario
    )
    assert (result.values("referral_dwellings")[:, 0] > 0).all()
    assert (result.values("referral_dwellings")[:, 1] == 0).all()


def test_department_turnover_override() -> None:
    text = """
[meta]
title = "Busy"
version = "1"
[simulation.department_turnover_pct]
description = "turnover"
unit = "table"
[[simulation.department_turnover_pct.values]]
from = 2020-01-01
value = { D1 = 50 }
reference = "test"
"""
    municipality = one_department(200)
    result = simulate(
        municipality,
        years=1,
        runs=30,
        seed=2,
        colours=all_colour("green"),
        scenario=Scenario.from_text(text, "busy"),
    )
    assert result.values("vacancies").mean() == pytest.approx(100, abs=10)


# -- scenarios: loading and bad input -------------------------------------------------


def test_builtin_scenarios() -> None:
    names = builtin_scenarios()
    for name in (
        "agreement",
        "no-exemptions",
        "share-one-third",
        "yellow-exempt",
        "compensation",
        "rent-ceiling",
    ):
        assert name in names
        scenario = Scenario.load(name)
        assert scenario.name == name
        assert scenario.title
        assert scenario.description
    assert Scenario.load("agreement").overrides == ()
    assert Scenario.load("share-one-third").parameters.get("referral.share", START) == Fraction(
        1, 3
    )
    assert rules_on(Scenario.load("no-exemptions").parameters, START).referral_colours == (
        "green",
        "yellow",
        "red",
    )


def test_a_scenario_file_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "third.toml"
    path.write_text(
        (
            Path(fuaalborg.__file__).parent / "simulation_scenarios" / "share-one-third.toml"
        ).read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    scenario = Scenario.load(path)
    assert scenario.name == "third"
    assert scenario.source == "third.toml"


def test_every_problem_of_a_scenario_is_reported() -> None:
    text = """
[meta]
title = "Broken"
version = "1"
[referral.shares]
description = "typo"
unit = "fraction"
[[referral.shares.values]]
from = 2026-01-01
value = "1/3"
reference = "x"
[referral.share]
description = "wrong unit"
unit = "share"
[[referral.share.values]]
from = 2026-01-01
value = 0.3
reference = "x"
[simulation.colour_overrides]
description = "bad colour"
unit = "table"
[[simulation.colour_overrides.values]]
from = 2026-01-01
value = { D1 = "purple" }
reference = "x"
"""
    with pytest.raises(ScenarioError) as info:
        Scenario.from_text(text, "broken")
    message = str(info.value)
    assert "3 problems" in message
    assert "referral.shares: unknown parameter" in message
    assert "referral.share.unit" in message
    assert "purple" in message


def test_unknown_scenario_and_unknown_departments(municipality: Municipality) -> None:
    with pytest.raises(ScenarioError, match="neither a built-in scenario"):
        Scenario.load("no-such-scenario")
    text = """
[meta]
title = "Ghosts"
version = "1"
[simulation.colour_overrides]
description = "colours"
unit = "table"
[[simulation.colour_overrides.values]]
from = 2020-01-01
value = { GHOST = "red", "*" = "green" }
reference = "x"
[simulation.department_turnover_pct]
description = "turnover"
unit = "table"
[[simulation.department_turnover_pct.values]]
from = 2020-01-01
value = { PHANTOM = 20 }
reference = "x"
"""
    with pytest.raises(ScenarioError) as info:
        simulate(municipality, years=1, runs=1, seed=1, scenario=Scenario.from_text(text, "ghosts"))
    assert "GHOST" in str(info.value)
    assert "PHANTOM" in str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"runs": 0}, "runs"),
        ({"years": -1}, "years"),
        ({"seed": -3}, "seed"),
        ({"runs": 1.5}, "runs"),
        ({"workers": 0}, "workers"),
    ],
)
def test_bad_arguments(municipality: Municipality, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(fuaalborg.ValidationError, match=match):
        simulate(municipality, **kwargs)  # type: ignore[arg-type]


# -- outputs ----------------------------------------------------------------------


def test_json_output(municipality: Municipality) -> None:
    result = simulate(municipality, years=2, runs=10, seed=4)
    data = json.loads(result.to_json())
    assert data["seed"] == 4
    assert data["years"] == 2
    assert data["runs"] == 10
    assert data["scenario"] == "agreement"
    assert data["need_low"] == 250
    assert data["need_high"] == 300
    for key in ("vacancies", "cheap_vacancies", "referral_dwellings", "referral_cheap"):
        for stat in ("mean", "p10", "p90", "median"):
            assert len(data[key][stat]) == 2
        assert data[key]["p10"][0] <= data[key]["mean"][0] <= data[key]["p90"][0]
    assert set(data["referral_by_band"]) == set(fuaalborg.rent_band_labels("agreement", START))
    assert set(data["lettings_by_route"]) == {"referral", "flexible", "ordinary"}
    assert any("start at zero" in note for note in data["notes"])
    assert data["year"] == ["2026", "2027"]


def test_summary_and_lettings_add_up(municipality: Municipality) -> None:
    result = simulate(municipality, years=1, runs=5, seed=4)
    summary = result.summary()
    assert set(summary["metric"]) >= set(METRICS)
    routes = result.values("lettings_by_route").sum(axis=2)
    np.testing.assert_array_equal(routes, result.values("vacancies"))
    np.testing.assert_array_equal(
        result.values("lettings_internal") + result.values("lettings_external"),
        result.values("waiting_list_lettings"),
    )
    share = result.values("waiting_list_cheap_share")
    assert ((share >= 0) & (share <= 1)).all()


def test_comparison_of_a_scenario_with_itself_is_zero(municipality: Municipality) -> None:
    comparison = compare_scenarios(municipality, "agreement", "agreement", years=1, runs=5, seed=1)
    assert comparison.paired
    diff = comparison.difference("referral_cheap")
    assert diff["mean"] == [0.0]
    assert diff["p10"] == [0.0]
    assert diff["p90"] == [0.0]


def test_unpaired_comparison_gives_no_percentiles(municipality: Municipality) -> None:
    a = simulate(municipality, years=1, runs=5, seed=1)
    b = simulate(municipality, years=1, runs=5, seed=2, scenario="share-one-third")
    comparison = a.compare(b)
    assert not comparison.paired
    data = comparison.to_dict()
    assert data["difference"]["referral_cheap"]["p10"] == [None]
    low, high = (
        data["difference"]["referral_dwellings"]["ci95_low"][0],
        data["difference"]["referral_dwellings"]["ci95_high"][0],
    )
    assert 0 < low < high
    assert len(comparison.summary()) == len(METRICS)


def test_figures(municipality: Municipality, tmp_path: Path) -> None:
    comparison = compare_scenarios(
        municipality, "agreement", "no-exemptions", years=2, runs=4, seed=1
    )
    need = tmp_path / "need.png"
    both = tmp_path / "compare.svg"
    fig = comparison.base.plot(str(need))
    comparison.plot(str(both))
    assert need.stat().st_size > 1000
    assert both.read_text().startswith("<?xml")
    assert fig.axes[0].get_xticklabels()[0].get_text() == "2026"


def _fjordby(tmp_path: Path, need_from: str | None) -> Municipality:
    """The guide's Fjordby: its need (20–30) from ``need_from``, or none stated (``None``)."""
    import shutil

    folder = Path(shutil.copytree(Path(__file__).parent.parent / "docs" / "fjordby",
                                  tmp_path / "fjordby"))
    settings = folder / "municipality.toml"
    text = settings.read_text(encoding="utf-8")
    if need_from is None:
        text = text[: text.index("[referral_need]")]
    else:
        text = text.replace("from = 2024-01-01", f"from = {need_from}")
    settings.write_text(text, encoding="utf-8")
    return Municipality.from_folder(folder)


def test_a_municipality_that_states_no_need_gets_no_need_met_and_every_other_figure(
    tmp_path: Path,
) -> None:
    """Never Aalborg's 250–300 behind its back: no need met, a note saying how to give one,
    and every other count the same as with a need."""
    none = simulate(_fjordby(tmp_path / "a", None), years=2, runs=6, seed=3)
    own = simulate(_fjordby(tmp_path / "b", "2024-01-01"), years=2, runs=6, seed=3)
    assert (own.need_low, own.need_high, own.has_need) == (20, 30, True)
    assert (none.need_low, none.need_high, none.has_need) == (None, None, False)
    assert none.need_by_year == (None, None)
    assert set(own.counts) - set(none.counts) == {"need_met_low", "need_met_high"}
    for name, values in none.counts.items():
        np.testing.assert_array_equal(values, own.counts[name], err_msg=name)
    said = [n for n in none.notes if "no yearly need of the referral" in n]
    assert len(said) == 1
    assert "[referral_need] in municipality.toml" in said[0]
    # the library's ways to give one; the simulate command names its --need instead
    assert "a scenario that sets referral.expected_need_low" in said[0]
    assert "--need" not in said[0]
    assert not any("need" in n for n in own.notes)
    with pytest.raises(fuaalborg.ValidationError, match="no yearly need of the referral"):
        none.stats("need_met_low")
    text = "\n".join(none.lines())
    assert "need met" not in text
    assert "250" not in text
    assert "300" not in text
    assert text.count("no yearly need of the referral") == 1
    data = json.loads(none.to_json())
    assert (data["need_low"], data["need_high"], data["need_by_year"]) == (None, None,
                                                                            [None, None])
    assert "need_met_low" not in data
    assert "need_met_high" not in data
    assert not none.summary()["metric"].isin(["need_met_low", "need_met_high"]).any()
    assert none.metrics == [m for m in METRICS if not m.startswith("need_met")]
    fig = none.plot(str(tmp_path / "none.png"))
    assert "no yearly need" in fig.axes[0].get_title()
    assert not any("need" in label for label in fig.axes[0].get_legend_handles_labels()[1])


def test_a_comparison_without_a_need_compares_everything_else(tmp_path: Path) -> None:
    municipality = _fjordby(tmp_path, None)
    comparison = compare_scenarios(municipality, "agreement", "no-exemptions", years=1,
                                   runs=4, seed=2)
    assert "need_met_low" not in comparison.metrics
    assert set(comparison.summary()["metric"]) == set(comparison.metrics)
    data = comparison.to_dict()
    assert "need_met_low" not in data["difference"]
    assert "need_met_low" not in data["base"]
    assert "referral_cheap" in data["difference"]
    comparison.plot(str(tmp_path / "compare.png"))


def test_a_need_from_a_later_year_is_met_only_from_then(tmp_path: Path) -> None:
    """Fjordby's need from 2027: 2026 is measured against nothing (not Aalborg's 250)."""
    result = simulate(_fjordby(tmp_path, "2027-01-01"), years=2, runs=6, seed=4)
    assert result.need_by_year == (None, (20, 30))
    assert (result.need_low, result.need_high) == (20, 30)
    met = result.values("need_met_low")
    assert np.isnan(met[:, 0]).all()
    np.testing.assert_allclose(met[:, 1], result.values("referral_cheap")[:, 1] / 20)
    assert sum("in force in 2026" in n for n in result.notes) == 1
    text = "\n".join(result.lines())
    assert "need met (low)" in text
    assert "need per year: 2026 none stated, 2027 20–30" in text
    assert json.loads(result.to_json())["need_by_year"] == [None, {"low": 20, "high": 30}]
