"""A municipality's own input files: how their problems are headed, which bounds a
separately given waiting list is checked against, and a rent far from the table's."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import warnings
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_support import run
from fuaalborg import Municipality
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.errors import MAX_PROBLEM_LINES
from fuaalborg.letting.errors import LedgerInputError
from fuaalborg.letting.ledger import Ledger, RentDiffersWarning
from fuaalborg.letting.ranking import rank
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.municipality import MunicipalitySettings, SettingsError
from fuaalborg.tables import TableProblem, TableValidationError, combine_errors, read_table
from municipality_support import FJORDBY, set_cell

ON = "2024-06-01"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _add_bounds(folder: Path, **bounds: float) -> None:
    settings = folder / "municipality.toml"
    lines = "".join(f"{k} = {v}\n" for k, v in bounds.items())
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + f'\n[bounds]\n{lines}reference = "Fjordby Kommune (test)"\n', encoding="utf-8")


# ---------------------------------------------------------------------------
# 1. Problems of several tables: each table under its own head, named by its file


def test_problems_of_several_files_are_headed_file_by_file(folder: Path) -> None:
    set_cell(folder / "afdelinger.csv", 1, "beboere", "abc")
    set_cell(folder / "venteliste.csv", 2, "husstandsstørrelse", "x")
    set_cell(folder / "venteliste.csv", 3, "husstandsstørrelse", "0")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder, applicants=APPLICANTS)
    err = info.value
    assert err.tables == ("departments", "applicants")
    assert err.files["applicants"] == "venteliste.csv"
    lines = str(err).splitlines()
    assert lines[0] == "3 problems in 2 tables:"
    assert "  afdelinger.csv (table 'departments'): 1 problem" in lines
    assert "  venteliste.csv (table 'applicants'): 2 problems" in lines
    assert not any("departments, " in line or "table 'municipality'" in line for line in lines)
    # one problem, one line; the waiting list's values are not shown
    assert sum("husstandsstørrelse" in line for line in lines) == 2
    assert "<personal data hidden>" in str(err)
    assert err.to_frame()["table"].tolist() == ["departments", "applicants", "applicants"]


def test_problems_between_tables_are_headed_by_the_table_they_are_in(folder: Path) -> None:
    set_cell(folder / "boliger.csv", 3, "afdeling_id", "D999")
    with pytest.raises(TableValidationError) as info:
        Municipality.from_folder(folder)
    head = str(info.value).splitlines()[0]
    # the dwelling's department is unknown, and its department's count is off by one
    assert head == "2 problems in 2 tables:"
    assert "  boliger.csv (table 'dwellings'): 1 problem" in str(info.value)
    assert "  afdelinger.csv (table 'departments'): 1 problem" in str(info.value)


def test_a_separate_waiting_list_is_headed_by_its_own_file_name(
    folder: Path, tmp_path: Path
) -> None:
    waiting = tmp_path / "ventende_juni.csv"
    shutil.copy(folder / "venteliste.csv", waiting)
    set_cell(waiting, 2, "husstandsstørrelse", "x")
    set_cell(folder / "afdelinger.csv", 1, "beboere", "abc")
    result = run("rank", waiting, "--municipality", folder, "--dwelling", "D001-001",
                 "--on", ON)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "Error: 2 problems in 2 tables:" in result.output
    assert "  ventende_juni.csv (table 'applicants'): 1 problem" in result.output
    assert "  afdelinger.csv (table 'departments'): 1 problem" in result.output
    # alone, the file still names itself
    with pytest.raises(TableValidationError, match=r"^ventende_juni.csv \(table 'applicants'\)"):
        read_table(waiting, APPLICANTS)


_TABLES = st.sampled_from(["departments", "dwellings", "applicants", "lists"])


@given(st.lists(st.tuples(_TABLES, st.integers(1, 99)), min_size=1, max_size=60))
def test_each_table_is_counted_under_its_own_head(cells: list[tuple[str, int]]) -> None:
    problems = [TableProblem(t, "x", row, None, "a number") for t, row in cells]
    by_table = [TableValidationError(t, [p for p in problems if p.table == t])
                for t in dict.fromkeys(t for t, _ in cells)]
    err = combine_errors(by_table, {"applicants": "venteliste.csv"})
    text = str(err)
    assert pickle.loads(pickle.dumps(err)).args == err.args
    assert len(err.problems) == len(problems)
    tables = list(dict.fromkeys(t for t, _ in cells))
    assert err.tables == tuple(tables)
    if len(tables) == 1:
        assert text.splitlines()[0].endswith(f"{len(problems)} problem"
                                             + ("s" if len(problems) > 1 else ""))
        return
    for table in tables:
        n = sum(t == table for t, _ in cells)
        label = "venteliste.csv (table 'applicants')" if table == "applicants" \
            else f"table {table!r}"
        assert f"\n  {label}: {n} problem{'s' if n > 1 else ''}\n" in text + "\n"
    rows = [line for line in text.splitlines() if line.startswith("    x ")]
    assert len(rows) == min(len(problems), MAX_PROBLEM_LINES)


# ---------------------------------------------------------------------------
# 2. A separate waiting list is checked against the municipality's own bounds


def test_a_waiting_list_is_checked_against_the_own_bounds_when_a_table_fails(
    folder: Path, tmp_path: Path
) -> None:
    _add_bounds(folder, household_size=30)
    set_cell(folder / "afdelinger.csv", 1, "beboere", "abc")
    waiting = tmp_path / "wl.csv"
    shutil.copy(folder / "venteliste.csv", waiting)
    set_cell(waiting, 2, "husstandsstørrelse", "25")  # above the bundled 20, within Fjordby's 30
    result = run("rank", waiting, "--municipality", folder, "--dwelling", "D001-001",
                 "--on", ON)
    assert result.exit_code == 1
    assert "afdelinger.csv (table 'departments'): 1 problem" in result.output
    assert "applicants" not in result.output
    assert "at most 20" not in result.output
    set_cell(waiting, 2, "husstandsstørrelse", "35")  # above Fjordby's own bound too
    result = run("rank", waiting, "--municipality", folder, "--dwelling", "D001-001",
                 "--on", ON)
    assert "wl.csv (table 'applicants'): 1 problem" in result.output
    assert "at most 30" in result.output


def test_a_waiting_list_is_checked_against_the_bounds_that_could_be_read(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "municipality.toml").write_text(
        'name = "Fjordby"\n[bounds]\nrooms = -1\nhousehold_size = 30\nreference = "own"\n',
        encoding="utf-8")
    waiting = tmp_path / "wl.csv"
    shutil.copy(folder / "venteliste.csv", waiting)
    set_cell(waiting, 2, "husstandsstørrelse", "x")
    set_cell(waiting, 3, "husstandsstørrelse", "35")  # above the own bound that could be read
    set_cell(waiting, 4, "mindst_rum", "25")  # bounds.rooms cannot be read: not checked
    result = run("rank", waiting, "--municipality", folder, "--dwelling", "D001-001",
                 "--on", ON)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == "Error: 3 problems in 2 tables:"
    assert "  municipality.toml: 1 problem" in lines
    assert "    - bounds.rooms: -1 is not a number > 0" in lines
    assert "  wl.csv (table 'applicants'): 2 problems" in lines
    assert "at most 30" in result.output
    assert "at most 20" not in result.output  # never the bundled bound in the own one's place
    # one line for the checks not made, the file's with the folder's, for one reason
    (note,) = [line for line in lines if line.startswith("not checked")]
    assert note == lines[-1]
    assert "the dwellings' rum against bounds.rooms" in note
    assert "the applicants' mindst_rum against bounds.rooms" in note
    assert "household_size" not in note
    assert note.count("as municipality.toml has problems in [bounds]") == 1
    assert "F0003" not in result.output
    assert "<personal data hidden>" in result.output


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("latin-1", "not UTF-8 text; save it as CSV UTF-8"),
        ("not csv", "not a CSV table"),
        ("not xlsx", "not a readable xlsx workbook"),
    ],
)
def test_a_waiting_list_that_cannot_be_read_is_reported_with_the_folder(
    folder: Path, tmp_path: Path, content: str, problem: str
) -> None:
    text = (folder / "venteliste.csv").read_text(encoding="utf-8-sig")
    if content == "latin-1":
        waiting = tmp_path / "wl.csv"
        waiting.write_bytes(text.encode("latin-1"))
    elif content == "not csv":
        waiting = tmp_path / "wl.csv"
        waiting.write_text('a;b\n"1;2\n', encoding="utf-8")
    else:
        waiting = tmp_path / "wl.xlsx"
        waiting.write_text(text, encoding="utf-8")
    set_cell(folder / "afdelinger.csv", 1, "beboere", "abc")
    result = run("rank", waiting, "--municipality", folder, "--dwelling", "D001-001",
                 "--on", ON, "-o", tmp_path / "ranked.csv")
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert lines[0] == "Error: 2 problems in 2 tables:"
    assert "  afdelinger.csv (table 'departments'): 1 problem" in lines
    assert f"  {waiting.name} (table 'applicants'): 1 problem" in lines
    assert any(line.startswith(f"    - {problem}") for line in lines), result.output
    assert not (tmp_path / "ranked.csv").exists()
    # without a folder of its own, the file is named and its problem listed as well
    alone = run("rank", waiting, "--department", "D001", "--rooms", "3", "--rent", "6000",
                "--route", "ordinary")
    assert alone.exit_code == 1
    assert alone.output.startswith(f"Error: {waiting.name} (table 'applicants'): 1 problem\n")


def test_an_amount_is_not_refused_against_a_bound_that_cannot_be_read(
    folder: Path, tmp_path: Path
) -> None:
    (folder / "municipality.toml").write_text(
        'name = "Fjordby"\n[bounds]\nmonthly_rent_dkk = -1\nreference = "own"\n',
        encoding="utf-8")
    set_cell(folder / "afdelinger.csv", 1, "beboere", "abc")
    result = run("rank", "--municipality", folder, "--department", "D001", "--rooms", "3",
                 "--rent", "50000", "--on", ON)
    # the folder's problems, its settings' among them, all at once: not the settings alone,
    # and the rent not refused against the bundled bound in place of the own
    assert result.exit_code == 1
    assert result.output.startswith("Error: 2 problems in 2 tables:\n")
    assert "bounds.monthly_rent_dkk: -1" in result.output
    assert "afdelinger.csv (table 'departments'): 1 problem" in result.output
    assert "above 40000" not in result.output


def test_the_ranking_reads_the_waiting_list_with_the_own_bounds(folder: Path) -> None:
    _add_bounds(folder, rooms=30)
    set_cell(folder / "venteliste.csv", 3, "mindst_rum", "25")  # above the bundled 20 rooms
    municipality = Municipality.from_folder(folder, applicants=APPLICANTS)
    vacancy = Vacancy("D001", rooms=3, monthly_rent_dkk=6546.0,
                      vacant_on=dt.date(2024, 6, 1), dwelling_id="D001-001")
    ranking = rank(municipality.applicants, vacancy, municipality=municipality)
    assert len(ranking.frame) + len(ranking.ineligible) == len(municipality.applicants)
    with pytest.raises(TableValidationError, match="at most 20"):  # bundled bounds, asked for
        rank(municipality.applicants, vacancy, municipality=municipality,
             parameters=MunicipalitySettings(name="x").parameters)


def test_a_ranking_through_the_ledger_reads_the_waiting_list_with_the_own_bounds(
    folder: Path, tmp_path: Path
) -> None:
    _add_bounds(folder, rooms=30)
    set_cell(folder / "venteliste.csv", 3, "mindst_rum", "25")  # above the bundled 20 rooms
    municipality = Municipality.from_folder(folder, applicants=APPLICANTS)
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger:
        ledger.record_vacancy("V1", "D004-001", "D004", "family", ON, 3319.0, 1,
                              colour="green")
        opened = ledger.rank("V1", municipality.applicants, municipality=municipality)
        bound = ledger.rank("V1", municipality.applicants)  # the municipality it was made with
    for ranking in (opened, bound):
        assert len(ranking.frame) + len(ranking.ineligible) == len(municipality.applicants)


# ---------------------------------------------------------------------------
# 3. A rent an order of magnitude from the table's is refused; a smaller difference warned


@given(st.floats(1, 1e5), st.floats(1, 1e5))
def test_a_rent_difference_is_symmetric_and_plausible_within_the_factor(
    given_rent: float, table: float
) -> None:
    from fuaalborg.rents import rent_difference

    day = dt.date(2024, 6, 1)
    one, other = rent_difference(given_rent, table, day), rent_difference(table, given_rent, day)
    if one is None:
        assert other is None
        assert abs(given_rent - table) < 0.005
        return
    assert other is not None
    assert one.ratio == pytest.approx(other.ratio)
    assert one.plausible == (max(given_rent, table) <= 2 * min(given_rent, table))


def test_the_ledger_refuses_a_rent_ten_times_the_tables(folder: Path, tmp_path: Path) -> None:
    municipality = Municipality.from_folder(folder)  # D001-002: 3068 kr.
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger:
        with pytest.raises(LedgerInputError, match=r"30\.680 kr\. differs .* 10 times more, above "
                                                   r"the plausible factor 2 "):
            ledger.record_vacancy("V1", "D001-002", "D001", "family", ON, 30680.0, 1)
        with pytest.raises(LedgerInputError, match="10 times less"):
            ledger.record_vacancy("V1", "D001-002", "D001", "family", ON, 306.8, 1)
        assert ledger.decisions().empty
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ledger.record_vacancy("V1", "D001-002", "D001", "family", ON, 3200.0, 1)
        assert [w.category for w in caught] == [RentDiffersWarning]
    cli = run("ledger", "vacancy", tmp_path / "l.jsonl", "V2", "D001-002", "D001", "family",
              "2024-07-01", "30680", "1", "--municipality", folder)
    assert cli.exit_code == 1
    assert "RENT: 30.680 kr. differs from the dwellings table's 3.068 kr." in cli.output
    assert "nothing was written" in cli.output


def test_a_municipality_raises_the_rent_factor_in_its_settings(
    folder: Path, tmp_path: Path
) -> None:
    _add_bounds(folder, rent_ratio_to_table=12)
    municipality = Municipality.from_folder(folder)
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger, \
            pytest.warns(RentDiffersWarning):
        ledger.record_vacancy("V1", "D001-002", "D001", "family", ON, 30680.0, 1)
    with pytest.raises(SettingsError, match=r"bounds.rent_ratio_to_table: 0.5 is not a factor"):
        MunicipalitySettings.from_text(
            'name = "x"\n[bounds]\nrent_ratio_to_table = 0.5\nreference = "r"\n')


def test_rank_refuses_a_rent_ten_times_the_tables_and_warns_of_a_smaller_one(
    folder: Path
) -> None:
    args = ["rank", "--municipality", folder, "--dwelling", "D001-002", "--on", ON]
    refused = run(*args, "--rent", "30680")
    assert refused.exit_code == 1
    assert refused.output.startswith("Error: --dwelling D001-002: 1 problem\n  - --rent: "
                                     "30.680 kr. differs from the dwellings table's 3.068 kr. for "
                                     "dwelling 'D001-002': 10 times more")
    warned = run(*args, "--rent", "3200")
    assert warned.exit_code == 0
    assert "warning: --rent 3.200 kr. differs from the dwellings table's 3.068 kr." in warned.output
    assert "3.200 kr./month" in warned.output


def test_rank_refuses_rooms_that_differ_from_the_table_as_the_ledger_does(
    folder: Path
) -> None:
    args = ["rank", "--municipality", folder, "--dwelling", "D001-002", "--on", ON]  # 1 room
    refused = run(*args, "--rooms", "3")
    assert refused.exit_code == 1
    assert refused.output.startswith(
        "Error: --dwelling D001-002: 1 problem\n  - --rooms: 3 given, but the dwellings table "
        "gives dwelling 'D001-002' 1 (a dwelling's rooms do not change")
    both = run(*args, "--rooms", "3", "--rent", "30680")  # every refusal at once
    assert both.exit_code == 1
    assert "--rooms: 3 given" in both.output
    assert "--rent: 30.680 kr. differs" in both.output
    assert "warning" not in both.output
    same = run(*args, "--rooms", "1", "--top", "1")
    assert same.exit_code == 0, same.output
    assert "dwelling D001-002, 1 room" in same.output
