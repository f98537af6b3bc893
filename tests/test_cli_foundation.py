"""The command line's foundation: help, version, parameters, error handling."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import fuaalborg
from fuaalborg.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_version(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert fuaalborg.__version__ in result.output


def test_every_command_has_help(runner: CliRunner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name, command in main.commands.items():
        assert command.help, name
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage:" in sub.output


def test_parameters_command_shows_value_period_and_reference(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parameters", "referral.share", "--on", "2024-05-01"])
    assert result.exit_code == 0
    assert "referral.share = 1/4" in result.output
    assert "§ 59, stk. 1" in result.output


def test_assumed_terms_are_noted(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parameters", "agreement.period", "--on", "2027-01-01"])
    assert result.exit_code == 0
    assert "note:" in result.output
    assert "assumed" in result.output


def test_user_error_is_one_line_without_traceback(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[meta]\ntitle = "t"\nversion = "1"\n[x.y]\nunit = "count"\n', encoding="utf-8")
    result = runner.invoke(main, ["parameters", "--file", str(bad)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: ")
    assert "x.y" in result.output


def test_unknown_parameter_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parameters", "no.such.thing"])
    assert result.exit_code == 2
    assert "unknown parameter" in result.output
