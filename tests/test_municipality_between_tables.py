"""The checks between a municipality's tables run on every row that could be read: a
table with problems of its own hides no dangling reference elsewhere, and a check that
cannot be made (a table lacks the column it reads) is named, with the table and column."""

from __future__ import annotations

import functools
import pickle
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.monitoring.steps import StepModel
from fuaalborg.tables import TableValidationError
from municipality_support import FJORDBY, set_cell


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _problems(err: TableValidationError) -> set[tuple[Any, ...]]:
    return {(p.table, p.column, p.row, p.value, p.expected) for p in err.problems}


def _rename_header(path: Path, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines[0] = ";".join(new if h == old else h for h in lines[0].split(";"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")


# ---------------------------------------------------------------------------
# 1. A table with a problem of its own: the references into it and out of it are checked


def test_a_bad_departments_cell_hides_no_unknown_department_of_a_dwelling(
    folder: Path,
) -> None:
    set_cell(folder / "afdelinger.csv", 2, "beboere", "-3")
    set_cell(folder / "boliger.csv", 3, "afdeling_id", "D999")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    err = info.value
    assert _problems(err) == {
        ("departments", "beboere", 2, "'-3'", "a whole number >= 0"),
        ("dwellings", "afdeling_id", 3, "'D999'", "a known department id"),
        # D001 lost the dwelling that now names D999
        ("departments", "familieboliger", 1, "60",
         "the number of family dwellings listed for it (59)"),
    }
    text = str(err)
    assert text.splitlines()[0] == "3 problems in 2 tables:"
    assert "  afdelinger.csv (table 'departments'): 2 problems" in text
    assert "  boliger.csv (table 'dwellings'): 1 problem" in text
    assert "not checked" not in text  # every check was made


#: For each table a check between tables reads: a cell that fails the table's own checks,
#: and a dangling reference that a check reading that table finds (into the table, or out
#: of another row of it).
_FAILING = {
    "departments": (("afdelinger.csv", 4, "beboere_18_64", "x"),
                    ("indikatorer.csv", 2, "afdeling_id", "D777")),
    "dwellings": (("boliger.csv", 5, "rum", "0"), ("boliger.csv", 9, "afdeling_id", "D999")),
    "areas": (("områder.csv", 1, "beboere", "-1"), ("lister.csv", 1, "område_id", "F77")),
    "organisations": (("boligorganisationer.csv", 1, "navn", ""),
                      ("afdelinger.csv", 2, "boligorganisation_cvr", "12011814")),
    "indicators": (("indikatorer.csv", 1, "lejemål", "-4"),
                   ("indikatorer.csv", 3, "afdeling_id", "D888")),
    "lists": (("lister.csv", 1, "udpegning", "ghetto"), ("lister.csv", 2, "område_id", "F77")),
}


@pytest.mark.parametrize("table", sorted(_FAILING))
def test_a_table_with_a_problem_of_its_own_hides_no_problem_between_tables(
    folder: Path, table: str
) -> None:
    (own_file, own_row, own_column, own_value), (ref_file, ref_row, ref_column, ref_value) = (
        _FAILING[table]
    )
    set_cell(folder / own_file, own_row, own_column, own_value)
    set_cell(folder / ref_file, ref_row, ref_column, ref_value)
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    got = {(p.column, p.row) for p in info.value.problems}
    assert (own_column, own_row) in got
    assert (ref_column, ref_row) in got
    known = {p.column: p.expected for p in info.value.problems if p.row == ref_row}
    assert known[ref_column].startswith("a known ")
    assert "not checked" not in str(info.value)


def test_a_row_with_a_problem_is_still_referenced_by_its_key(folder: Path) -> None:
    # D002's resident count is wrong; its dwellings and indicators still name a known department
    set_cell(folder / "afdelinger.csv", 2, "beboere", "mange")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    assert [(p.table, p.column, p.row) for p in info.value.problems] == [
        ("departments", "beboere", 2)
    ]


def test_a_dwelling_whose_department_or_kind_cannot_be_read_makes_no_count_wrong(
    folder: Path,
) -> None:
    set_cell(folder / "boliger.csv", 3, "afdeling_id", "")  # a dwelling of D001
    set_cell(folder / "boliger.csv", 4, "type", "rækkehus")  # another of D001
    set_cell(folder / "afdelinger.csv", 6, "bab_boliger", "-2")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    # the blank, the unknown kind and the negative count; no count is called wrong for them
    assert {(p.column, p.row) for p in info.value.problems} == {
        ("afdeling_id", 3), ("type", 4), ("bab_boliger", 6)
    }


# ---------------------------------------------------------------------------
# 2. A table that lacks the column a check reads: the checks not made are named


def test_a_departments_table_without_its_ids_names_the_checks_not_made(folder: Path) -> None:
    _rename_header(folder / "afdelinger.csv", "afdeling_id", "afd")
    set_cell(folder / "lister.csv", 1, "område_id", "F77")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    err = info.value
    assert {(p.table, p.column, p.row) for p in err.problems} == {
        ("departments", "afdeling_id", None),  # named as a Danish file names it
        ("lists", "område_id", 1),  # a check that reads no departments id is still made
    }
    last = str(err).splitlines()[-1]
    assert last == (
        "not checked, so another run may show more: the dwellings' departments, the "
        "indicators' departments and the departments' dwelling counts, as afdelinger.csv "
        "(table 'departments') has no column afdeling_id"
    )
    assert [(n.table, n.column) for n in err.not_checked] == [("departments", "afdeling_id")]
    again = pickle.loads(pickle.dumps(err))
    assert again.not_checked == err.not_checked
    assert str(again) == str(err)


def test_the_command_line_says_which_checks_were_not_made(folder: Path, tmp_path: Path) -> None:
    _rename_header(folder / "områder.csv", "område_id", "omr")
    result = CliRunner().invoke(main, ["place", "--municipality", str(folder), "--on",
                                       "2024-06-01", "-o", str(tmp_path / "placering.csv")])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert ("not checked, so another run may show more: the departments' areas and the "
            "lists' areas, as områder.csv (table 'areas') has no column område_id"
            ) in result.output
    assert not (tmp_path / "placering.csv").exists()


# ---------------------------------------------------------------------------
# 3. Independent problems: together, exactly the problems each shows alone


_VALID = Municipality.from_folder(FJORDBY)
_TABLES = ("organisations", "departments", "dwellings", "areas", "indicators", "lists")

#: Cells that fail their own table's checks, in columns no check between tables reads.
_CELL_DEFECTS = st.sampled_from([
    ("organisations", "name", ""),
    ("departments", "residents", -3),
    ("departments", "name", ""),
    ("dwellings", "rooms", 0),
    ("dwellings", "monthly_rent_dkk", -1.0),
    ("areas", "residents", -1),
    ("areas", "kind", "kommunal"),
    ("indicators", "units", -4),
    ("lists", "designation", "ghetto"),
])
#: References to a row no table has.
_DANGLING = st.sampled_from([
    ("departments", "organisation_cvr", "12011814"),
    ("departments", "area_id", "F55"),
    ("dwellings", "department_id", "D999"),
    ("indicators", "department_id", "D998"),
    ("lists", "area_id", "F77"),
])


def _frames(defects: list[tuple[str, str, object, int]]) -> dict[str, pd.DataFrame]:
    frames = {t: getattr(_VALID, t).astype(object) for t in _TABLES}
    for table, column, value, row in defects:
        frames[table].iloc[row % len(frames[table]), frames[table].columns.get_loc(column)] = (
            value
        )
    return frames


@functools.cache
def _found(defects: tuple[tuple[str, str, object, int], ...]) -> frozenset[tuple[Any, ...]]:
    try:
        Municipality.from_frames(**_frames(list(defects)))
    except TableValidationError as err:
        return frozenset(_problems(err))
    return frozenset()


@settings(max_examples=10, deadline=None)
@given(
    cell=st.tuples(_CELL_DEFECTS, st.integers(0, 12)),
    reference=st.tuples(_DANGLING, st.integers(0, 12)),
)
def test_two_independent_problems_show_together_as_each_does_alone(
    cell: tuple[tuple[str, str, object], int], reference: tuple[tuple[str, str, object], int]
) -> None:
    a = ((*cell[0], cell[1]),)
    b = ((*reference[0], reference[1]),)
    alone_a, alone_b = _found(a), _found(b)
    assert alone_a
    assert alone_b
    assert _found(a + b) == alone_a | alone_b


# ---------------------------------------------------------------------------
# 4. Placing the departments: the indicators' departments are checked on readable rows


def test_a_placement_checks_the_indicators_departments_when_a_table_fails() -> None:
    departments = _VALID.departments.astype(object)
    departments.iloc[0, departments.columns.get_loc("residents")] = -1
    indicators = _VALID.indicators.astype(object)
    indicators.iloc[1, indicators.columns.get_loc("department_id")] = "D777"
    with pytest.raises(TableValidationError) as info:
        StepModel.load("socioeconomic").place(departments, indicators, _VALID.lists,
                                              "2024-06-01")
    # named as the Danish files the frames were read from name them
    assert {(p.table, p.column, p.row) for p in info.value.problems} == {
        ("departments", "beboere", 1), ("indicators", "afdeling_id", 2)
    }
