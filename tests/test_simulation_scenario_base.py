"""A scenario given as an object runs on the municipality's parameters, never the bundled
example's in their place; and the note on a missing need says how to give one where it is
read (the library's ways in the library, ``--need`` on the command line)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from fuaalborg.simulation import Scenario, ScenarioError, compare_scenarios, simulate
from fuaalborg.simulation.result import HOW_TO_GIVE_NEED
from municipality_support import FJORDBY

QUICK = {"years": 2, "runs": 4, "seed": 5}

#: A scenario that changes a rule the municipality does not state: a referral share of 1/3.
THIRD = """
[meta]
title = "A third"
version = "1"
description = "Referral share 1/3."
[referral.share]
description = "Referral share"
unit = "fraction"
[[referral.share.values]]
from = 2020-01-01
value = "1/3"
reference = "Scenario: ABL § 59, stk. 2 (an agreed share)"
"""


def _need(low: int, high: int, where: str) -> dict[str, Parameter]:
    """A parameter layer stating the referral's need from 2020."""
    return {
        name: Parameter(name=name, description=name, unit="count", source=where, values=(
            DatedValue(name=name, start=dt.date(2020, 1, 1), end=None,
                       value=value, reference=where, source=where),))
        for name, value in (("referral.expected_need_low", low),
                            ("referral.expected_need_high", high))
    }


@pytest.fixture(scope="module")
def fjordby(tmp_path_factory: pytest.TempPathFactory) -> Municipality:
    """The guide's Fjordby: its own [referral_need] of 20–30 a year from 2024."""
    return Municipality.from_folder(shutil.copytree(FJORDBY, tmp_path_factory.mktemp("f") / "f"))


def test_a_scenario_object_runs_on_the_municipality_s_own_need(
    fjordby: Municipality, tmp_path: Path
) -> None:
    given = simulate(fjordby, scenario=Scenario.from_text(THIRD, "third"), **QUICK)
    assert (given.need_low, given.need_high, given.has_need) == (20, 30, True)
    assert not any("no yearly need" in note for note in given.notes)
    # the same as the same scenario given as a file, which was always laid on the municipality
    path = tmp_path / "third.toml"
    path.write_text(THIRD, encoding="utf-8")
    by_file = simulate(fjordby, scenario=str(path), **QUICK)
    assert by_file.need_by_year == given.need_by_year == ((20, 30), (20, 30))
    for name, values in by_file.counts.items():
        np.testing.assert_array_equal(values, given.counts[name], err_msg=name)
    # and the scenario's own override took effect: a third is more than the agreement's quarter
    agreed = simulate(fjordby, **QUICK)
    assert given.stats("referral_dwellings")["mean"] > agreed.stats("referral_dwellings")["mean"]


def test_a_comparison_of_scenario_objects_runs_both_on_the_municipality(
    fjordby: Municipality,
) -> None:
    compared = compare_scenarios(fjordby, base=Scenario.load("agreement"),
                                 other=Scenario.from_text(THIRD, "third"), **QUICK)
    for result in (compared.base, compared.other):
        assert (result.need_low, result.need_high) == (20, 30)


def test_a_scenario_keeps_its_overrides_on_top_of_the_municipality(
    fjordby: Municipality,
) -> None:
    stated = THIRD.replace("[referral.share]", """[referral.expected_need_low]
description = "need"
unit = "count"
[[referral.expected_need_low.values]]
from = 2020-01-01
value = 40
reference = "Scenario: a larger need"
[referral.expected_need_high]
description = "need"
unit = "count"
[[referral.expected_need_high.values]]
from = 2020-01-01
value = 50
reference = "Scenario: a larger need"
[referral.share]""")
    scenario = Scenario.from_text(stated, "larger")
    result = simulate(fjordby, scenario=scenario, **QUICK)
    assert (result.need_low, result.need_high) == (40, 50)  # the scenario's, over Fjordby's
    assert scenario.over(fjordby.parameters).overrides == scenario.overrides


def test_a_scenario_built_on_the_municipality_s_parameters_is_used_as_it_is(
    fjordby: Municipality,
) -> None:
    own = fjordby.parameters
    given = ParameterSet((*own.layers, _need(5, 6, "a layer of one's own")),
                         (*own.sources, "own"))
    scenario = Scenario.from_text(THIRD, "third", base=given)
    assert scenario.builds_on(own)
    result = simulate(fjordby, scenario=scenario, **QUICK)
    assert (result.need_low, result.need_high) == (5, 6)


def test_a_scenario_built_on_a_layer_of_one_s_own_keeps_it_under_the_municipality(
    fjordby: Municipality, tmp_path: Path
) -> None:
    turnover = tmp_path / "turnover.toml"
    turnover.write_text("""
[meta]
title = "Turnover"
version = "1"
description = "A turnover of one's own."
[agreement.figures.turnover_pct]
description = "turnover"
unit = "percent"
[[agreement.figures.turnover_pct.values]]
from = 2020-01-01
value = 40
reference = "A reading of one's own (test)"
""", encoding="utf-8")
    scenario = Scenario.from_text(THIRD, "third", base=load_parameters(turnover))
    result = simulate(fjordby, scenario=scenario, **QUICK)
    assert (result.need_low, result.need_high) == (20, 30)  # the municipality's settings
    plain = simulate(fjordby, scenario=Scenario.from_text(THIRD, "third"), **QUICK)
    assert result.stats("vacancies")["mean"][0] > 2 * plain.stats("vacancies")["mean"][0]


def test_a_scenario_constructed_directly_on_other_parameters_is_refused(
    fjordby: Municipality,
) -> None:
    loose = Scenario(name="loose", title="Loose", description="",
                     parameters=load_parameters(), overrides=())
    with pytest.raises(ScenarioError, match=r"build it with Scenario\.load or Scenario\.from_text"):
        simulate(fjordby, scenario=loose, **QUICK)
    on_own = Scenario(name="on own", title="On own", description="",
                      parameters=fjordby.parameters)
    assert simulate(fjordby, scenario=on_own, **QUICK).need_low == 20


def _without_need(tmp_path: Path) -> Path:
    folder = Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))
    settings = folder / "municipality.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text[: text.index("[referral_need]")], encoding="utf-8")
    return folder


def test_the_note_on_a_missing_need_names_the_library_s_way_and_the_command_s(
    tmp_path: Path,
) -> None:
    folder = _without_need(tmp_path)
    result = simulate(Municipality.from_folder(folder), **QUICK)
    (note,) = [n for n in result.notes if "no yearly need of the referral" in n]
    assert note.endswith(HOW_TO_GIVE_NEED)
    assert "--need" not in note
    assert "a scenario that sets referral.expected_need_low" in note
    said = CliRunner().invoke(main, ["simulate", "--municipality", str(folder), "--years", "2",
                                     "--runs", "4", "--seed", "5", "-q"])
    assert said.exit_code == 0, said.output
    assert said.output.count("no yearly need of the referral") == 1
    assert ("give one with [referral_need] in municipality.toml (low, high, from, reference) "
            "or with --need LOW HIGH on the command line") in said.output
    assert "a scenario that sets" not in said.output
