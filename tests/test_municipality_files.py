"""A municipality folder's file-level problems — a table's file missing, given twice or
unreadable, a ``municipality.toml`` with problems — are reported in one error with every
other table's problems, and the checks they stop are named as not made."""

from __future__ import annotations

import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.tables import FileProblem, TableValidationError
from municipality_support import FJORDBY, set_cell

ON = "2024-06-01"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _error(folder: Path) -> TableValidationError:
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    return info.value


def _not_made(err: TableValidationError) -> set[str]:
    return {check for skipped in err.not_checked for check in skipped.checks}


#: One bad cell of the departments table, checked on its own.
_BAD_CELL = ("departments", "beboere", 2, "'abc'", "a whole number >= 0")


def _with_bad_cell(folder: Path) -> None:
    set_cell(folder / "afdelinger.csv", 2, "beboere", "abc")


def test_a_missing_file_and_a_bad_cell_of_another_table_in_one_run(folder: Path) -> None:
    (folder / "boliger.csv").unlink()
    _with_bad_cell(folder)
    err = _error(folder)
    missing, cell = err.problems
    assert isinstance(missing, FileProblem)
    assert (missing.table, missing.column, missing.row, missing.value) == (
        "dwellings", "", None, None)
    # what was expected: the accepted names, the folder's language (Danish) first
    assert missing.expected == "missing boliger.csv (or dwellings.csv, or .xlsx) in folder fjordby"
    assert (cell.table, cell.column, cell.row, cell.value, cell.expected) == _BAD_CELL
    lines = str(err).splitlines()
    assert lines[:3] == [
        "2 problems in 2 tables:",
        "  boliger.csv (table 'dwellings'): 1 problem",
        "    - missing boliger.csv (or dwellings.csv, or .xlsx) in folder fjordby",
    ]
    assert "  afdelinger.csv (table 'departments'): 1 problem" in lines
    assert lines[-1] == (
        "not checked, so another run may show more: the dwellings' departments and the "
        "departments' dwelling counts, as boliger.csv (table 'dwellings') is missing"
    )
    # the frame of every problem has the columns of a cell's problem
    assert list(err.to_frame().columns) == ["table", "column", "row", "value", "expected"]


def test_a_missing_file_of_an_english_folder_is_named_in_english(tmp_path: Path) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    for english, danish in (("organisations", "boligorganisationer"), ("areas", "områder")):
        shutil.copy(FJORDBY / f"{danish}.csv", folder / f"{english}.csv")
    err = _error(folder)
    assert err.files["departments"] == "departments.csv"
    assert "missing departments.csv (or afdelinger.csv, or .xlsx) in folder town" in str(err)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("lister.csv", "latin-1", "not UTF-8 text; save it as CSV UTF-8"),
        ("lister.csv", b'omr\xc3\xa5de_id;listedato\n"F01;2023-12-01\n', "not a CSV table ("),
        ("lister.csv", b"", "not a CSV table (No columns to parse from file)"),
        ("lister.xlsx", b"not a workbook", "not a readable xlsx workbook ("),
    ],
)
def test_an_unreadable_file_and_a_bad_cell_of_another_table_in_one_run(
    folder: Path, name: str, content: str | bytes, expected: str
) -> None:
    lists = folder / "lister.csv"
    if content == "latin-1":
        lists.write_bytes(lists.read_text(encoding="utf-8-sig").encode("latin-1"))
    else:
        lists.unlink()
        (folder / name).write_bytes(content)  # type: ignore[arg-type]
    _with_bad_cell(folder)
    err = _error(folder)
    unreadable, cell = err.problems
    assert isinstance(unreadable, FileProblem)
    assert unreadable.table == "lists"
    assert unreadable.expected.startswith(expected)
    assert (cell.table, cell.column, cell.row, cell.value, cell.expected) == _BAD_CELL
    assert f"  {name} (table 'lists'): 1 problem" in str(err).splitlines()
    assert str(err).splitlines()[-1] == (
        "not checked, so another run may show more: the lists' areas, "
        f"as {name} (table 'lists') cannot be read"
    )


def test_a_table_given_twice_and_a_bad_cell_of_another_table_in_one_run(folder: Path) -> None:
    shutil.copy(folder / "områder.csv", folder / "areas.csv")
    _with_bad_cell(folder)
    err = _error(folder)
    twice, cell = err.problems
    assert isinstance(twice, FileProblem)
    assert twice.table == "areas"
    assert twice.expected == (
        "the same table in 2 files; keep one, named areas.csv or områder.csv (or .xlsx)")
    assert (cell.table, cell.column, cell.row, cell.value, cell.expected) == _BAD_CELL
    assert "  areas.csv and områder.csv (table 'areas'): 1 problem" in str(err).splitlines()
    assert _not_made(err) == {"the departments' areas", "the lists' areas"}


def test_settings_with_problems_and_a_bad_cell_in_one_run(folder: Path) -> None:
    settings_file = folder / "municipality.toml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8")
        + '\n[bounds]\nmonthly_rent_dkk = 45000\nrooms = -1\nreference = "own"\n',
        encoding="utf-8",
    )
    _with_bad_cell(folder)
    set_cell(folder / "boliger.csv", 1, "rum", "25")  # above the bundled bound of 20 rooms
    set_cell(folder / "boliger.csv", 2, "månedsleje_kr", "50000,00")  # above the own 45000
    err = _error(folder)
    settings_problem, *cells = err.problems
    assert isinstance(settings_problem, FileProblem)
    assert (settings_problem.table, settings_problem.column, settings_problem.expected) == (
        "municipality.toml", "bounds.rooms", "-1 is not a number > 0")
    assert str(err).splitlines()[1:3] == [
        "  municipality.toml: 1 problem",
        "    - bounds.rooms: -1 is not a number > 0",
    ]
    got = {(p.table, p.column, p.row) for p in cells}
    # the bound that could be read applies; the one that could not is not checked, and
    # never replaced by the bundled one
    assert got == {("departments", "beboere", 2), ("dwellings", "månedsleje_kr", 2)}
    assert "at most 45000" in str(err)
    assert "the dwellings' rum against bounds.rooms" in _not_made(err)
    assert "the dwellings' månedsleje_kr against bounds.monthly_rent_dkk" not in _not_made(err)
    assert str(err).splitlines()[-1].endswith("as municipality.toml has problems in [bounds]")


def test_settings_that_are_not_toml_leave_every_bound_unchecked(folder: Path) -> None:
    (folder / "municipality.toml").write_text('name = "Fjordby\n', encoding="utf-8")
    set_cell(folder / "boliger.csv", 1, "rum", "25")  # above the bundled bound: not checked
    _with_bad_cell(folder)
    err = _error(folder)
    assert [p.table for p in err.problems] == ["municipality.toml", "departments"]
    assert str(err).splitlines()[-1].endswith("as municipality.toml cannot be read")
    assert "the dwellings' rum against bounds.rooms" in _not_made(err)


def test_settings_problems_outside_the_bounds_leave_every_table_checked(folder: Path) -> None:
    settings_file = folder / "municipality.toml"
    settings_file.write_text(
        settings_file.read_text(encoding="utf-8").replace("code = 999", "code = 12"),
        encoding="utf-8")
    set_cell(folder / "boliger.csv", 1, "rum", "25")  # above the bundled bound of 20 rooms
    err = _error(folder)
    assert [(p.table, p.column) for p in err.problems] == [
        ("municipality.toml", "code"), ("dwellings", "rum")]
    assert err.not_checked == ()


def test_the_command_line_prints_every_file_and_table_problem_once(folder: Path) -> None:
    (folder / "indikatorer.csv").unlink()
    shutil.copy(folder / "boliger.csv", folder / "dwellings.csv")
    _with_bad_cell(folder)
    result = CliRunner().invoke(main, ["place", "--municipality", str(folder), "--on", ON])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    for line in (
        "3 problems in 3 tables:",
        "  dwellings.csv and boliger.csv (table 'dwellings'): 1 problem",
        "  indikatorer.csv (table 'indicators'): 1 problem",
        "  afdelinger.csv (table 'departments'): 1 problem",
    ):
        assert line in result.output
    assert "as indikatorer.csv (table 'indicators') is missing" in result.output


# ---------------------------------------------------------------------------
# Together as alone: independent defects of different files


def _latin1(path: Path) -> None:
    """Save ``path`` as Latin-1 text, as Excel's plain "CSV" does, with one letter outside ASCII."""
    text = path.read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    lines[0] = lines[0].replace("navn", "næavn") if "navn" in lines[0] else lines[0]
    path.write_bytes(("\n".join(lines) + "\n").encode("latin-1"))


#: A defect of one table's own cells, never one the checks between the tables read.
_CELL: dict[str, tuple[str, str]] = {
    "afdelinger.csv": ("beboere", "abc"),
    "boliger.csv": ("rum", "0"),
    "boligorganisationer.csv": ("navn", ""),
    "indikatorer.csv": ("lejemål", "-1"),
    "lister.csv": ("udpegning", "nope"),
    "områder.csv": ("beboere", "x"),
}
_ENGLISH = {"afdelinger.csv": "departments.csv", "boliger.csv": "dwellings.csv",
            "boligorganisationer.csv": "organisations.csv", "indikatorer.csv": "indicators.csv",
            "lister.csv": "lists.csv", "områder.csv": "areas.csv"}
_KINDS = ("missing", "not utf-8", "not csv", "twice", "cell")


def _apply(folder: Path, file: str, kind: str) -> None:
    path = folder / file
    if kind == "missing":
        path.unlink()
    elif kind == "not utf-8":
        _latin1(path)
    elif kind == "not csv":
        path.write_bytes(b'a;b\n"x;1\n')
    elif kind == "twice":
        shutil.copy(path, folder / _ENGLISH[file])
    else:
        set_cell(path, 1, *_CELL[file])


@functools.cache
def _reported(defects: frozenset[tuple[str, str]]) -> tuple[frozenset[Any], frozenset[str]]:
    """The problems and the checks not made, of Fjordby with ``defects`` (file, kind)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(shutil.copytree(FJORDBY, Path(tmp) / "fjordby"))
        for file, kind in defects:
            _apply(folder, file, kind)
        try:
            Municipality.from_folder(folder)
        except TableValidationError as err:
            problems = frozenset(
                (type(p).__name__, p.table, p.column, p.row, p.value, p.expected)
                for p in err.problems
            )
            return problems, frozenset(_not_made(err))
    return frozenset(), frozenset()


@settings(max_examples=6, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(_CELL)), st.sampled_from(_KINDS),
                       min_size=2, max_size=3))
def test_defects_of_different_files_show_together_as_each_does_alone(
    defects: dict[str, str],
) -> None:
    alone = [_reported(frozenset({defect})) for defect in defects.items()]
    together = _reported(frozenset(defects.items()))
    assert all(problems for problems, _ in alone)
    assert together[0] == frozenset().union(*(problems for problems, _ in alone))
    assert together[1] == frozenset().union(*(made for _, made in alone))
