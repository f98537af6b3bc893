"""`fuaalborg ledger ...` on a ledger file, and the demo section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from fuaalborg import examples
from fuaalborg.cli import main
from fuaalborg.cli.ledger import ledger_section


@pytest.fixture(scope="module")
def family_dwelling() -> tuple[str, str]:
    town = examples.load()
    row = town.dwellings.loc[town.dwellings["kind"] == "family"].iloc[0]
    return str(row["dwelling_id"]), str(row["department_id"])


def test_ledger_commands(tmp_path: Path, family_dwelling: tuple[str, str]) -> None:
    runner = CliRunner()
    path = str(tmp_path / "l.jsonl")
    dwelling, dep = family_dwelling
    result = runner.invoke(main, ["ledger", "init", path])
    assert result.exit_code == 0, result.output
    assert "271 departments" in result.output
    for i in range(1, 5):
        result = runner.invoke(main, ["ledger", "vacancy", path, f"V{i}", dwelling, dep, "family",
                                      f"2024-05-0{i}", "4200", "2", "--colour", "green"])
        assert result.exit_code == 0, result.output
    assert result.output.startswith("V4: referral")
    result = runner.invoke(main, ["ledger", "answer", path, "V4", "declined", "2024-05-06"])
    assert result.exit_code == 0
    assert "returned -> waiting_list" in result.output
    result = runner.invoke(main, ["ledger", "vacancy", path, "V4", "nope", dep, "family",
                                  "2024-05-07", "4200", "2", "--colour", "green"])
    assert result.exit_code == 1
    assert "unknown dwelling 'nope'" in result.output
    result = runner.invoke(main, ["ledger", "state", path, "--on", "2024-05-03"])
    assert dep in result.output
    result = runner.invoke(main, ["ledger", "events", path, "--type", "vacancy"])
    assert result.output.count("vacancy") >= 4
    out = tmp_path / "events.xlsx"
    result = runner.invoke(main, ["ledger", "events", path, "-o", str(out)])
    assert result.exit_code == 0
    assert out.exists()
    with open(path, "ab") as handle:
        handle.write(b'{"seq":9')
    result = runner.invoke(main, ["ledger", "repair", path])
    assert "run again with --yes" in result.output
    result = runner.invoke(main, ["ledger", "repair", path, "--yes"])
    assert "dropped 8 bytes" in result.output
    result = runner.invoke(main, ["ledger", "repair", path])
    assert "intact" in result.output


def test_demo_section_routes_a_year() -> None:
    lines = ledger_section(examples.load(), dt.date(2024, 6, 1))
    text = "\n".join(lines)
    assert "vacancies in 2024" in text
    assert "by colour" in text
    assert "by rent band" in text
    red = next(line for line in lines if line.strip().startswith("red"))
    assert red.split()[1] == "0"  # red departments never go to referral
