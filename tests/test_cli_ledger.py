"""`fuaalborg ledger ...` on a ledger file, and the demo section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.cli.ledger import ledger_section


@pytest.fixture(scope="module")
def family_dwelling(example_municipality: Municipality) -> tuple[str, str]:
    municipality = example_municipality
    row = municipality.dwellings.loc[municipality.dwellings["kind"] == "family"].iloc[0]
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
    assert result.exit_code == 1
    assert f"run `fuaalborg ledger repair {path} --yes`" in result.output
    result = runner.invoke(main, ["ledger", "repair", path, "--yes"])
    assert "dropped 8 bytes" in result.output
    result = runner.invoke(main, ["ledger", "repair", path])
    assert "intact" in result.output


@pytest.fixture
def ledger_file(tmp_path: Path) -> str:
    path = str(tmp_path / "l.jsonl")
    result = CliRunner().invoke(main, ["ledger", "init", path])
    assert result.exit_code == 0, result.output
    return path


def test_dates_are_shown_as_date_and_must_exist(ledger_file: str) -> None:
    runner = CliRunner()
    for command in ("vacancy", "answer"):
        usage = runner.invoke(main, ["ledger", command, "--help"])
        assert "%Y" not in usage.output
        assert " DATE" in usage.output.split("Options:")[0]
        assert "[DATE]" not in usage.output
    result = runner.invoke(main, ["ledger", "answer", ledger_file, "V1", "declined", "2024-02-30"])
    assert result.exit_code == 2
    assert "'2024-02-30' is not a date" in result.output
    result = runner.invoke(main, ["ledger", "state", ledger_file, "--on", "2024-13-01"])
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_events_type_is_one_the_ledger_writes(ledger_file: str) -> None:
    runner = CliRunner()
    bogus = runner.invoke(main, ["ledger", "events", ledger_file, "--type", "bogus"])
    assert bogus.exit_code == 2
    assert "'bogus' is not one of" in bogus.output
    assert "'offers_sent'" in bogus.output
    created = runner.invoke(main, ["ledger", "events", ledger_file, "--type", "created"])
    assert created.exit_code == 0
    assert "created" in created.output


def test_a_torn_ledger_warns_in_one_line_and_repair_needs_yes(
    ledger_file: str, family_dwelling: tuple[str, str]
) -> None:
    runner = CliRunner()
    with open(ledger_file, "ab") as handle:
        handle.write(b'{"seq":1')
    before = Path(ledger_file).read_bytes()
    repair = f"`fuaalborg ledger repair {ledger_file} --yes`"
    report = runner.invoke(main, ["ledger", "repair", ledger_file])
    assert report.exit_code == 1
    assert report.output.startswith("Error: l.jsonl: line 2")
    assert f"nothing repaired: run {repair}" in report.output
    assert Path(ledger_file).read_bytes() == before
    events = runner.invoke(main, ["ledger", "events", ledger_file])
    assert events.exit_code == 0
    warning = [line for line in events.output.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1
    assert f"refuses writes until the line is truncated; run {repair} first" in warning[0]
    assert "TornLineWarning" not in events.output
    assert "ledger.py" not in events.output
    dwelling, dep = family_dwelling
    write = runner.invoke(main, ["ledger", "vacancy", ledger_file, "V1", dwelling, dep, "family",
                                 "2024-05-01", "4200", "2", "--colour", "green"])
    assert write.exit_code == 1
    assert f"run {repair} first" in write.output
    assert "Traceback" not in write.output


def test_messages_speak_of_commands_not_of_python(ledger_file: str) -> None:
    again = CliRunner().invoke(main, ["ledger", "init", ledger_file])
    assert again.exit_code == 1
    assert "Ledger.open" not in again.output
    assert "use `fuaalborg ledger vacancy`" in again.output


def test_outputs_are_checked_first_and_failures_are_one_line(
    ledger_file: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    (tmp_path / "afile").write_text("a file, not a directory", encoding="utf-8")
    for command in ("state", "events"):
        json_out = str(tmp_path / "x.json")
        wrong = runner.invoke(main, ["ledger", command, ledger_file, "-o", json_out])
        assert wrong.exit_code == 2
        assert ".csv or .xlsx" in wrong.output
        for name in ("x.csv", "x.xlsx"):
            blocked = tmp_path / "afile" / name
            result = runner.invoke(main, ["ledger", command, ledger_file, "-o", str(blocked)])
            assert result.exit_code == 1
            assert result.output.splitlines() == [
                f"Error: cannot write {blocked}: {tmp_path / 'afile'} is not a directory"
            ]
    result = runner.invoke(main, ["ledger", "init", str(tmp_path / "afile" / "l.jsonl")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "l.jsonl", "l.jsonl.lock"]


def test_demo_section_routes_a_year(example_municipality: Municipality) -> None:
    lines = ledger_section(example_municipality, dt.date(2024, 6, 1))
    text = "\n".join(lines)
    assert "vacancies in 2024" in text
    assert "by colour" in text
    assert "by rent band" in text
    red = next(line for line in lines if line.strip().startswith("red"))
    assert red.split()[1] == "0"  # red departments never go to referral
