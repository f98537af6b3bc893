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

from cli_support import run
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.municipality import MunicipalitySettings, SettingsError
from municipality_support import FJORDBY

ON = "2024-05-01"


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


def test_a_rent_warning_writes_the_rents_as_the_screen_does(folder: Path) -> None:
    # D001-002's rent in the table is 3.068 kr.; 6.100,50 is within the plausible factor
    result = run("rank", "--municipality", folder, "--dwelling", "D001-002", "--on", ON,
                 "--rent", "6.100,50", "--top", "1")
    assert result.exit_code == 0, result.output
    assert ("warning: --rent 6.100,50 kr. differs from the dwellings table's 3.068 kr. "
            "for dwelling 'D001-002'") in result.output
    assert "6.100,50 kr./month" in result.output
    assert "6100.5" not in result.output
    assert "3068.0" not in result.output


def test_a_file_missing_from_the_current_folder_names_the_folder(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "afdelinger.csv").unlink()
    monkeypatch.chdir(folder)
    result = run("rank", "--municipality", ".", "--department", "D001", "--rooms", "2",
                 "--rent", "5000", "--on", ON)
    assert result.exit_code == 1, result.output
    assert "missing afdelinger.csv (or departments.csv, or .xlsx) in folder fjordby\n" \
        in result.output


def test_a_folder_without_settings_given_as_dot_is_named(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (folder / "municipality.toml").unlink()
    monkeypatch.chdir(folder)
    result = run("rank", "--municipality", ".", "--department", "D001", "--rooms", "2",
                 "--rent", "5000", "--on", ON, "--top", "1")
    assert result.exit_code == 0, result.output
    assert "warning: fjordby has no municipality.toml" in result.output


def test_a_bound_refusal_asks_for_the_option_only_where_it_was_not_given(
    folder: Path
) -> None:
    args = ("rank", "--department", "D001", "--rooms", "2", "--rent", "99.999,00", "--on", ON)
    given = run(*args, "--municipality", folder)
    assert given.exit_code == 2, given.output
    assert "99.999,00 is above 40.000, the plausible bound" in given.output
    assert "raise the bound in fjordby/municipality.toml ([bounds])" in given.output
    assert "give --municipality" not in given.output
    bundled = run(*args)
    assert bundled.exit_code == 2, bundled.output
    assert "is above 40.000," in bundled.output
    assert "municipality.toml ([bounds]) and give --municipality DIR" in bundled.output


@pytest.mark.parametrize("reference", ["5", "true", "[1]"])
def test_a_bounds_reference_that_is_not_text_is_named_so(reference: str) -> None:
    with pytest.raises(SettingsError) as refused:
        MunicipalitySettings.from_text(
            f'name = "x"\n[bounds]\nmonthly_rent_dkk = 60000\nreference = {reference}\n')
    message = str(refused.value)
    assert "bounds.reference:" in message
    assert "is not text" in message
    assert "missing" not in message
    with pytest.raises(SettingsError, match=r"bounds\.reference: missing"):
        MunicipalitySettings.from_text('name = "x"\n[bounds]\nmonthly_rent_dkk = 60000\n')
