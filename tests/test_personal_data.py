"""Errors never carry personal data: CPR-shaped values anywhere, any value of a table of persons."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg import examples
from fuaalborg.cli import main
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.letting.ranking import rank
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.personal_data import CPR_MARKER, cpr_mask, hide_cpr, looks_like_cpr
from fuaalborg.specs import TABLE_SPECS
from fuaalborg.tables import TableProblem, TableValidationError, cell_text
from municipality_support import FJORDBY, set_cell

ON = dt.date(2024, 5, 1)


@st.composite
def cprs(draw: st.DrawFn) -> str:
    """A CPR-shaped text: a real DDMMYY, an optional hyphen or space, four digits."""
    day = draw(st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)))
    sep = draw(st.sampled_from(["", "-", " "]))
    tail = draw(st.integers(0, 9999))
    return f"{day:%d%m%y}{sep}{tail:04d}"


def _tables() -> dict[str, pd.DataFrame]:
    municipality = examples.load()
    frames = {name: getattr(municipality, name).head(3).copy() for name in TABLE_SPECS}
    frames["applicants"] = municipality.applicants.head(3).copy()
    return frames


TABLES = _tables()
SPECS = {**TABLE_SPECS, "applicants": APPLICANTS}
CELLS = [(table, col.name) for table, spec in SPECS.items() for col in spec.columns
         if col.name in TABLES[table].columns]


def _leaks(text: str, cpr: str) -> bool:
    digits = cpr.replace("-", "").replace(" ", "")
    return cpr in text or digits in text or digits.lstrip("0") in text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cpr=cprs(), cell=st.sampled_from(CELLS), row=st.integers(0, 2), text=st.booleans())
def test_no_error_shows_a_cpr_number_put_into_any_column_of_any_table(
    cpr: str, cell: tuple[str, str], row: int, text: bool
) -> None:
    table, column = cell
    frame = TABLES[table].copy()
    if text:  # as read from a CSV file: every cell a text
        frame = frame.astype(object).where(frame.notna(), None).astype(str)
    frame[column] = frame[column].astype(object)
    frame.loc[row, column] = cpr
    problems: tuple[TableProblem, ...] = ()
    message = ""
    try:
        SPECS[table].validate(frame)
    except TableValidationError as err:
        problems, message = err.problems, str(err)
    shown = [message, *(str(v) for p in problems for v in (p.value, p.expected))]
    assert not any(_leaks(s, cpr) for s in shown), (table, column)
    if SPECS[table].personal:
        assert all(p.value in (None, "<personal data hidden>") for p in problems)


@settings(max_examples=25, deadline=None)
@given(cpr=cprs())
def test_the_ranking_refuses_a_cpr_shaped_applicant_id_without_showing_it(cpr: str) -> None:
    waiting = pd.DataFrame({
        "applicant_id": ["A1", cpr], "list": ["internal", "external"],
        "seniority_date": ["2010-01-01", "2011-01-01"], "household_size": [1, 2],
    })
    with pytest.raises(TableValidationError) as err:
        rank(waiting, Vacancy("D1", rooms=2, monthly_rent_dkk=4000, vacant_on=ON),
             route="ordinary")
    assert [(p.column, p.row) for p in err.value.problems] == [("applicant_id", 2)]
    assert not _leaks(str(err.value), cpr)
    assert "applicant number" in str(err.value)
    assert "GDPR art. 5(1)(c)" in str(err.value)


def test_cpr_shape_scalar_and_vectorised_agree() -> None:
    values = ["010190-1234", "0101901234", "010190 1234", " 310190-1234 ", "310490-1234",
              "290200-1234", "290201-1234", "000190-1234", "011390-1234", "01019-01234",
              "F0001", "", "12345678", "01019012345"]
    expected = [looks_like_cpr(v) for v in values]
    assert expected == [True, True, True, True, False, True, False, False, False, False,
                        False, False, False, False]
    for dtype in (object, "string[pyarrow]", "string[python]"):
        assert cpr_mask(pd.Series(values, dtype=dtype)).tolist() == expected
    # whole numbers: a spreadsheet drops the leading zero of 0101901234
    numbers = pd.Series([101901234, 1501901234, 12345, 3213991234], dtype="int64")
    assert cpr_mask(numbers).tolist() == [True, True, False, False]
    assert hide_cpr("rows 010190-1234 and 2024-01-01") == f"rows {CPR_MARKER} and 2024-01-01"
    assert cell_text(1501901234.0) == CPR_MARKER.join(["", ".0"])


def test_short_ids_are_never_cpr_shaped() -> None:
    ids = pd.Series(np.char.add("F", np.arange(100_000).astype(str)), dtype="string[pyarrow]")
    assert not cpr_mask(ids).any()


def _danish_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "fjordby"
    shutil.copytree(FJORDBY, folder)
    return folder


def test_rank_reports_every_table_at_once_in_danish_without_personal_data(
    tmp_path: Path,
) -> None:
    folder = _danish_copy(tmp_path)
    waiting = folder / "venteliste.csv"
    for column in ("liste", "anciennitetsdato", "husstandsstørrelse", "alder"):
        set_cell(waiting, 1, column, "010190-1234")
    set_cell(waiting, 2, "ansøger_id", "0101901234")
    set_cell(waiting, 2, "selvstændig_cvr", "12345678")
    set_cell(waiting, 3, "nuværende_afdeling_id", "2101901234")
    set_cell(folder / "boliger.csv", 1, "rum", "010190-1234")
    result = CliRunner().invoke(main, [
        "rank", "--municipality", str(folder), "--department", "D004", "--rooms", "2",
        "--rent", "5000", "--on", "2024-05-01",
    ])
    assert result.exit_code == 1
    out = result.output
    for secret in ("010190", "0101901234", "12345678", "2101901234", "Traceback"):
        assert secret not in out
    # the dwellings table and the waiting list in one report, each under its file's
    # name, by the files' own headers
    assert "  boliger.csv (table 'dwellings'): 1 problem" in out
    assert "  venteliste.csv (table 'applicants'): 7 problems" in out
    found, table = set(), ""
    for line in out.splitlines()[1:]:
        if not line.startswith("    "):
            table = line.split("(table '")[1].split("'")[0]
        elif line.split()[0] != "column":
            found.add((table, line.split()[0]))
    assert found == {
        ("dwellings", "rum"), ("applicants", "liste"), ("applicants", "anciennitetsdato"),
        ("applicants", "husstandsstørrelse"), ("applicants", "alder"),
        ("applicants", "ansøger_id"), ("applicants", "selvstændig_cvr"),
        ("applicants", "nuværende_afdeling_id"),
    }
    assert "seniority_date" not in out
    assert "applicant_id" not in out
    assert "one of intern, ekstern" in out  # a Danish file's values in its own words
    assert "applicant number" in out
    assert "modulus-11" in out
    assert not list(tmp_path.glob("*.record.json"))


def test_a_current_department_of_another_municipality_is_noted_a_misspelt_one_refused(
    tmp_path: Path,
) -> None:
    folder = _danish_copy(tmp_path)
    waiting = folder / "venteliste.csv"
    set_cell(waiting, 1, "nuværende_afdeling_id", "HB-0417")  # another municipality's department
    args = ["rank", "--municipality", str(folder), "--department", "D004", "--rooms", "2",
            "--rent", "5000", "--on", "2024-05-01", "--top", "1"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert ("note: 1 row gives a current department that is not in the departments table of "
            "Fjordby Kommune:") in result.output
    # neither the value nor the row: a row's position points at the applicant
    assert "HB-0417" not in result.output
    assert "(row" not in result.output
    set_cell(waiting, 1, "nuværende_afdeling_id", "d 04")  # D004 written differently
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert "nuværende_afdeling_id  1" in result.output
    assert "d 04" not in result.output
    assert "written as the departments table writes it" in result.output


def test_the_library_notes_a_current_department_elsewhere_in_the_ranking() -> None:
    municipality = examples.load()
    waiting = pd.DataFrame({
        "applicant_id": ["a", "b"], "list": ["internal", "external"],
        "seniority_date": ["2010-01-01", "2011-01-01"], "household_size": [1, 1],
        "current_department_id": ["D001", "Z-9"],
    })
    vacancy = Vacancy("D001", rooms=2, monthly_rent_dkk=4000, vacant_on=ON)
    ranking = rank(waiting, vacancy, municipality=municipality, route="ordinary")
    # the name ends in a parenthesis ("Eksempelkommune (syntetisk)"): no possessive after it
    assert ranking.notices == (
        f"1 row gives a current department that is not in the departments table of "
        f"{municipality.name}: read as living in a department elsewhere (another municipality, "
        "or one without family dwellings), so never as living in the vacancy's department",
    )
    assert "Z-9" not in ranking.record.to_json()
    # without a municipality there is no table to compare with
    assert not rank(waiting, vacancy, route="ordinary").notices


def test_a_reference_to_an_unknown_department_hides_a_cpr_and_uses_the_files_header(
    tmp_path: Path,
) -> None:
    folder = _danish_copy(tmp_path)
    set_cell(folder / "boliger.csv", 1, "afdeling_id", "010190-1234")
    result = CliRunner().invoke(main, ["place", "--municipality", str(folder),
                                       "--on", "2024-05-01"])
    assert result.exit_code == 1
    assert "010190" not in result.output
    assert CPR_MARKER in result.output
    assert "afdeling_id" in result.output
