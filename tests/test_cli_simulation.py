"""``fuaalborg simulate`` and the demo section."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fuaalborg.simulation
from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.cli.simulate import simulation_section

#: A quick simulation: one year, three runs.
_ONE_YEAR = ("simulate", "--years", "1", "--runs", "3")


def test_json_output_is_one_object_and_reproducible() -> None:
    runner = CliRunner()
    args = ["simulate", "--years", "2", "--runs", "4", "--seed", "7", "--json", "--quiet"]
    first = runner.invoke(main, args)
    assert first.exit_code == 0, first.output
    data = json.loads(first.output)
    assert (data["seed"], data["years"], data["runs"], data["scenario"]) == (7, 2, 4, "agreement")
    for key in ("vacancies", "cheap_vacancies", "referral_dwellings", "referral_cheap"):
        assert len(data[key]["mean"]) == 2
        assert len(data[key]["p10"]) == 2
    assert (data["need_low"], data["need_high"]) == (250, 300)
    assert runner.invoke(main, args).output == first.output


def test_text_output_comparison_and_figure(tmp_path: Path) -> None:
    figure = tmp_path / "compare.png"
    result = CliRunner().invoke(main, [
        *_ONE_YEAR, "--seed", "1", "--scenario", "agreement", "--compare", "no-exemptions",
        "-o", str(figure), "--quiet",
    ])
    assert result.exit_code == 0, result.output
    assert "seed 1" in result.output
    assert "counters start at zero" in result.output
    assert "Comparison: 'no-exemptions' minus 'agreement' (paired runs" in result.output
    assert figure.stat().st_size > 1000


def test_compare_as_json_and_scenario_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        '[meta]\ntitle = "Mine"\nversion = "1"\n'
        '[referral.share]\ndescription = "s"\nunit = "fraction"\n'
        '[[referral.share.values]]\nfrom = 2010-01-01\nvalue = "1/2"\nreference = "x"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, [
        *_ONE_YEAR, "--seed", "2", "--compare", str(path), "--json", "--start", "2025-01-01",
    ])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["other"]["scenario"] == "mine"
    assert data["paired"] is True
    assert data["difference"]["referral_dwellings"]["mean"][0] > 0
    assert data["base"]["start"] == "2025-01-01"


def test_list_and_bad_scenario() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["simulate", "--list"])
    assert listed.exit_code == 0
    assert "no-exemptions" in listed.output
    bad = runner.invoke(main, ["simulate", "--scenario", "nonsense", "--runs", "1"])
    assert bad.exit_code == 1
    assert "neither a built-in scenario" in bad.output
    assert "Traceback" not in bad.output


def test_figure_name_and_folder_are_checked_before_simulating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the simulation ran")

    monkeypatch.setattr(fuaalborg.simulation, "simulate", no_run)
    runner = CliRunner()
    base = ["simulate", "--years", "1", "--runs", "2", "--seed", "1", "--quiet"]
    wrong = runner.invoke(main, [*base, "-o", str(tmp_path / "sim.txt")])
    assert wrong.exit_code == 2
    assert ".png, .svg or .pdf" in wrong.output
    (tmp_path / "afile").write_text("a file, not a directory", encoding="utf-8")
    blocked = tmp_path / "afile" / "sim.png"
    result = runner.invoke(main, [*base, "-o", str(blocked)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot write {blocked}: {tmp_path / 'afile'} is not a directory"
    ]
    bad_day = runner.invoke(main, [*base, "--start", "2025-02-29"])
    assert bad_day.exit_code == 2
    assert "not a date" in bad_day.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_demo_section(example_municipality: Municipality) -> None:
    lines = simulation_section(example_municipality, dt.date(2026, 1, 1))
    assert lines[0].startswith("Capacity simulation: 200 runs × 1 year")
    assert "vacancies 3.1" in lines[1] or "vacancies 3.2" in lines[1]
