"""Messages a user meets when something is wrong, worded for that user.

- a folder whose ``[bounds]`` cannot be read, given with a waiting list that has no
  problem of its own, is reported (not a traceback);
- amounts of kroner in rent messages are written as the screen writes them;
- a file missing from ``--municipality .`` names the folder;
- a bound refusal does not tell the user to give the option they gave.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from fuaalborg.cli import main
from fuaalborg.criteria.vocabulary import APPLICANTS
from municipality_support import FJORDBY

ON = "2024-05-01"


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


@pytest.mark.parametrize("broken", ["rom = 10", 'rooms = "ten"'])
def test_broken_bounds_beside_a_clean_waiting_list_are_reported(
    folder: Path, tmp_path: Path, broken: str
) -> None:
    settings = folder / "municipality.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + f"\n[bounds]\n{broken}\n",
                        encoding="utf-8")
    out = tmp_path / "ranked.csv"
    result = run("rank", folder / "venteliste.csv", "--municipality", folder,
                 "--department", "D001", "--rooms", "2", "--rent", "5000", "--on", ON,
                 "-o", out)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not isinstance(result.exception, ValueError)
    assert "municipality.toml: 1 problem" in result.output
    assert "bounds.rom" in result.output or "bounds.rooms: 'ten'" in result.output
    # the waiting list's checks against the bounds are named as not made
    assert "the applicants' husstandsstørrelse against bounds.household_size" \
        in result.output
    assert not out.exists()


def test_a_checked_table_without_problems_has_no_error() -> None:
    clean = APPLICANTS.check(pd.read_csv(FJORDBY / "venteliste.csv", sep=";", dtype=str,
                                         encoding="utf-8-sig"), decimal_comma=True)
    assert clean.valid
    with pytest.raises(ValueError, match=r"CheckedTable.error\(\).*no problem.*\.valid"):
        clean.error()
