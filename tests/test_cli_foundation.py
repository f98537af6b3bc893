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
    import click

    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    ctx = click.Context(main)
    names = main.list_commands(ctx)
    assert {"place", "rank", "report", "simulate", "ledger", "audit", "plugins"} <= set(names)
    for name in names:
        command = main.get_command(ctx, name)
        assert command is not None, name
        assert command.help, name
        assert name in result.output
        sub = runner.invoke(main, [name, "--help"])
        assert sub.exit_code == 0, (name, sub.output)
        assert "Usage:" in sub.output


def test_the_command_table_names_each_modules_own_commands() -> None:
    """Every command module's ``COMMANDS``, and nothing else, is in the lazy table."""
    import importlib
    import pkgutil

    import fuaalborg.cli
    from fuaalborg.cli import COMMAND_MODULES

    found = {}
    for info in pkgutil.iter_modules(fuaalborg.cli.__path__):
        module = importlib.import_module(f"fuaalborg.cli.{info.name}")
        for command in getattr(module, "COMMANDS", ()):
            attribute = next(a for a in module.__all__ if getattr(module, a) is command)
            found[command.name] = (info.name, attribute)
    assert found == dict(COMMAND_MODULES)


def test_stacked_options_are_the_options_written_one_above_the_other() -> None:
    import click

    from fuaalborg.cli._common import stacked

    both = stacked(click.argument("first"), click.option("--second"), click.option("--third"))

    @click.command()
    @both
    @click.option("--own")
    def stacked_command(first: str, second: str | None, third: str | None,
                        own: str | None) -> None:
        click.echo(f"{first} {second} {third} {own}")

    @click.command()
    @click.argument("first")
    @click.option("--second")
    @click.option("--third")
    @click.option("--own")
    def written_command(first: str, second: str | None, third: str | None,
                        own: str | None) -> None:
        click.echo(f"{first} {second} {third} {own}")

    assert [p.name for p in stacked_command.params] == ["first", "second", "third", "own"]
    runner = CliRunner()
    args = ["a", "--own", "d", "--third", "c", "--second", "b"]
    assert runner.invoke(stacked_command, args).output == "a b c d\n"
    help_of = [runner.invoke(c, ["--help"]).output.split("\n", 1)[1]
               for c in (stacked_command, written_command)]
    assert help_of[0] == help_of[1]


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


def test_an_unwritable_output_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    result = runner.invoke(main, ["parameters", "--file", str(blocker / "x.toml")])
    assert result.exit_code == 2  # click refuses a path that does not exist
    for command in (["place"], ["classify-areas"], ["overview"]):
        result = runner.invoke(main, [*command, "-o", str(blocker / "x.csv")])
        assert result.exit_code == 1, command
        assert "Traceback" not in result.output
        assert "Error: cannot write" in result.output
        assert "is not a directory" in result.output


def test_any_file_error_is_one_line(runner: CliRunner) -> None:
    import click

    @click.command("fail-to-write")
    def fail_to_write() -> None:
        """Fail as a full disk would (test only)."""
        raise OSError(28, "No space left on device", "out.xlsx")

    main.add_command(fail_to_write)
    try:
        result = runner.invoke(main, ["fail-to-write"])
    finally:
        main.commands.pop("fail-to-write")
    assert result.exit_code == 1
    assert result.output.strip() == "Error: cannot use out.xlsx: No space left on device"


def test_a_reversed_report_period_is_refused_before_any_work(runner: CliRunner) -> None:
    result = runner.invoke(
        main, ["report", "--from", "2024-12-31", "--to", "2024-01-01", "-o", "never.xlsx"]
    )
    assert result.exit_code == 1
    assert "ends (2024-01-01) before it starts" in result.output


def test_warnings_print_as_one_line(runner: CliRunner) -> None:
    import warnings

    import click

    @click.command("warn-once")
    def warn_once() -> None:
        """Emit one warning (test only)."""
        warnings.warn("terms are\n  assumed", fuaalborg.AssumedTermsWarning, stacklevel=1)

    main.add_command(warn_once)
    try:
        result = runner.invoke(main, ["warn-once"])
    finally:
        main.commands.pop("warn-once")
    assert result.exit_code == 0
    assert "warning: terms are assumed" in result.output
    assert "warnings.warn" not in result.output


def test_place_writes_its_table_and_figure_together_or_not_at_all(
    runner: CliRunner, tmp_path: Path
) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    table = tmp_path / "placement.csv"
    result = runner.invoke(
        main, ["place", "-o", str(table), "--figure", str(blocker / "staircase.png")]
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not table.exists()
    result = runner.invoke(main, ["place", "-o", str(table), "--figure", str(tmp_path / "s.png")])
    assert result.exit_code == 0, result.output
    assert table.exists()
    assert (tmp_path / "s.png").read_bytes().startswith(b"\x89PNG")


def test_report_checks_its_outputs_before_any_work(runner: CliRunner, tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("", encoding="utf-8")
    out = tmp_path / "r.xlsx"
    result = runner.invoke(
        main,
        ["report", "--from", "2024-01-01", "--to", "2024-03-31", "-o", str(out),
         "--figures", str(blocker / "figs")],
    )
    assert result.exit_code == 1
    assert "not a folder" in result.output
    assert not out.exists()
