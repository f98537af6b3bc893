"""``fuaalborg calendar``, ``place``, ``overview`` and ``classify-areas`` on the example."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from fuaalborg.cli import main


def test_cli_calendar_flags_overdue_items_and_writes_a_file(tmp_path: Path) -> None:
    from fuaalborg.cli import main

    runner = CliRunner()
    res = runner.invoke(main, ["calendar", "--on", "2024-10-15", "--overdue"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[0].startswith("Using the example municipality (synthetic)")
    assert ("2024-09-30 overdue: Eksempelkommune (syntetisk): call the parties to renegotiate"
            in res.output)
    assert "upcoming" not in res.output
    done = tmp_path / "done.csv"
    done.write_text("id,done_on\nrenegotiation_call:2023–2025,2024-08-20\n", encoding="utf-8")
    out = tmp_path / "calendar.xlsx"
    res = runner.invoke(main, ["calendar", "--on", "2024-10-15", "--done", str(done),
                               "-o", str(out)])
    assert res.exit_code == 0, res.output
    frame = pd.read_excel(out)
    row = frame.loc[frame["id"] == "renegotiation_call:2023–2025"].iloc[0]
    assert row["status"] == "done"
    bad = tmp_path / "bad.csv"
    bad.write_text("id,done_on\nx,not a date\n", encoding="utf-8")
    res = runner.invoke(main, ["calendar", "--done", str(bad)])
    assert res.exit_code == 1
    assert "Traceback" not in res.output
    res = runner.invoke(main, ["calendar", "-o", str(tmp_path / "x.txt")])
    assert res.exit_code == 2
    res = runner.invoke(main, ["calendar", "--from", "2025-01-01", "--to", "2024-01-01"])
    assert res.exit_code == 1
    assert res.output.startswith("Error: --to 2024-01-01 is before --from 2025-01-01")


def test_cli_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "placement.csv"
    res = runner.invoke(main, ["place", "--on", "2024-06-01", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "C-417/23" in res.output
    assert out.exists()
    prev = tmp_path / "prev.csv"
    pd.read_csv(out)[["department_id", "colour"]].assign(colour="green").to_csv(prev, index=False)
    res = runner.invoke(main, ["overview", "--on", "2024-06-01", "--previous", str(prev),
                               "-o", str(tmp_path / "o.xlsx")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["classify-areas", "--on", "2024-06-01"])
    assert res.exit_code == 0
    assert "Differences from the official lists: 0" in res.output
    bad = tmp_path / "bad.csv"
    bad.write_text("area_id,list_date\nA,2017-12-01\n", encoding="utf-8")
    res = runner.invoke(main, ["classify-areas", str(bad), "-o", str(tmp_path / "x.csv")])
    assert res.exit_code == 1
    assert not (tmp_path / "x.csv").exists()
    res = runner.invoke(main, ["colour-rules", "red", "--on", "2024-01-01"])
    assert res.exit_code == 0
    assert "§ 60, stk. 4" in res.output


def test_place_and_overview_take_the_same_placement_options() -> None:
    """Both commands place the departments: the same options, in the same order, first."""
    from fuaalborg.cli.monitoring import overview_command, place_command

    shared = ["on", "preset", "previous", "municipality_dir", "folder", "dayfirst", "output",
              "danish"]
    assert [p.name for p in place_command.params] == [*shared, "figure"]
    assert [p.name for p in overview_command.params] == [*shared, "summary"]
