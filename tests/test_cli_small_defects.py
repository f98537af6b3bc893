"""Small things a stranger meets: a closed pipe, a share of nothing, bounds, an incomplete audit.

- ``fuaalborg calendar | head -3`` stops quietly (status 141, nothing on stderr);
- ``fuaalborg simulate`` says why a share has no value instead of printing ``nan%``;
- the applicant fields' plausible ranges are cited, dated parameters (``bounds.*``)
  that a municipality.toml may move, like every other bound;
- ``fuaalborg audit`` on a waiting list that lacks columns names what it could not
  check, what it would need, and exits 3 (1 is for a violation).
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from cli_support import run
from fuaalborg.cli import BROKEN_PIPE_STATUS
from fuaalborg.cli.criteria import INCOMPLETE
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.parameters import load_parameters
from fuaalborg.tables import TableValidationError
from municipality_support import FJORDBY

ON = "2024-05-01"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _edit(path: Path, change: dict[str, str] | None = None,
          drop: frozenset[str] | set[str] = frozenset()) -> None:
    """Rewrite a Danish CSV file: set every value of some columns, drop others."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    head = rows[0]
    keep = [i for i, name in enumerate(head) if name not in drop]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow([head[i] for i in keep])
        for row in rows[1:]:
            for name, value in (change or {}).items():
                row[head.index(name)] = value
            writer.writerow([row[i] for i in keep])


def test_a_reader_that_goes_away_stops_the_command_quietly() -> None:
    command = subprocess.Popen(
        [sys.executable, "-m", "fuaalborg", "calendar", "--on", ON],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert command.stdout is not None
    assert command.stderr is not None
    command.stdout.close()  # as `| head -3` does once it has its lines
    errors = command.stderr.read().decode()
    assert command.wait(timeout=120) == BROKEN_PIPE_STATUS == 141
    assert errors == ""


def test_simulate_says_why_a_share_has_no_value(folder: Path) -> None:
    _edit(folder / "boliger.csv", {"månedsleje_kr": "6000,00"})  # nothing cheap at all
    result = run("simulate", "--municipality", folder, "--runs", "10", "--years", "1",
                 "--seed", "2", "-q", "--compare", "share-one-third")
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output
    assert "no run had a cheap vacancy in 2026: nothing cheap was vacant" in result.output
    assert "— (no value to compare: no cheap vacancy" in result.output
    as_json = run("simulate", "--municipality", folder, "--runs", "10", "--years", "1",
                  "--seed", "2", "-q", "--json")
    assert as_json.exit_code == 0
    assert "warning" not in as_json.output
    assert '"waiting_list_cheap_share": {"mean": [null]' in as_json.output
    zero = run("simulate", "--municipality", folder, "--runs", "5", "--years", "1",
               "--seed", "2", "-q", "--need", "0", "0")
    assert zero.exit_code == 0, zero.output
    assert "nan" not in zero.output
    assert "inf" not in zero.output
    assert "need met: — the need is 0" in zero.output


# -- bounds -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "lower", "upper"),
    [
        ("age", "bounds.applicant_age_min", "bounds.applicant_age_max"),
        ("household_size", None, "bounds.household_size"),
        ("children", None, "bounds.household_size"),
        ("employment_hours_per_week", None, "bounds.hours_per_week"),
        ("partner_employment_hours_per_week", None, "bounds.hours_per_week"),
        ("fixed_term_months", None, "bounds.fixed_term_months"),
        ("min_rooms", None, "bounds.rooms"),
        ("cash_benefit_months", None, "bounds.benefit_months"),
    ],
)
def test_the_applicant_fields_plausible_ranges_are_cited_parameters(
    column: str, lower: str | None, upper: str
) -> None:
    field = APPLICANTS.column(column)
    assert (field.lower_bound, field.bound) == (lower, upper)
    assert field.max is None, "a plausible bound is a parameter, not a literal"
    params = load_parameters()
    for name in filter(None, (lower, upper)):
        dated = params.lookup(name, pd.Timestamp(ON).date(), warn=False)
        assert dated.reference
        assert params.parameter(name).description


def test_the_bounds_give_the_same_ranges_as_before() -> None:
    ranges = {c: APPLICANTS.column(c).plausible_range() for c in
              ("age", "household_size", "employment_hours_per_week")}
    assert ranges == {"age": (15, 120), "household_size": (1, 20),
                      "employment_hours_per_week": (0, 168)}


def test_a_municipality_moves_an_applicant_bound_in_its_settings(folder: Path) -> None:
    waiting = folder / "venteliste.csv"
    text = waiting.read_text(encoding="utf-8-sig").splitlines()
    fields = text[1].split(";")
    head = text[0].split(";")
    fields[head.index("husstandsstørrelse")] = "22"
    fields[head.index("børn")] = "18"
    fields[head.index("alder")] = "14"
    waiting.write_text("\n".join([text[0], ";".join(fields), *text[2:]]) + "\n",
                       encoding="utf-8-sig")
    args = ("rank", "--municipality", folder, "--department", "D004", "--rooms", "6",
            "--rent", "8000", "--on", ON, "--top", "1")
    refused = run(*args)
    assert refused.exit_code == 1
    assert "at most 20, the plausible bound" in refused.output
    assert "at least 15, the plausible bound" in refused.output
    assert "bounds.household_size" in refused.output
    assert "lower the bound in municipality.toml [bounds]" in refused.output
    settings = folder / "municipality.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + (
        '\n[bounds]\nhousehold_size = 25\napplicant_age_min = 14\n'
        'reference = "Fjordby Boligselskab registers applicants from 14 (test)"\n'),
        encoding="utf-8")
    admitted = run(*args)
    assert admitted.exit_code == 0, admitted.output


def test_a_bound_refusal_lists_every_cell() -> None:
    frame = pd.DataFrame({"applicant_id": ["a", "b"], "list": ["internal", "external"],
                          "seniority_date": ["2020-01-01"] * 2, "household_size": [2, 21],
                          "age": [14, 121], "employment_hours_per_week": [169, 37]})
    with pytest.raises(TableValidationError) as caught:
        APPLICANTS.validate(frame)
    found = {(p.column, p.row) for p in caught.value.problems}
    assert found == {("household_size", 2), ("age", 1), ("age", 2),
                     ("employment_hours_per_week", 1)}


# -- the audit ----------------------------------------------------------------------------


def test_an_audit_that_cannot_check_everything_says_what_it_needs(folder: Path) -> None:
    _edit(folder / "venteliste.csv",
          drop={"alder", "arbejder_i_kommunen", "ren_straffeattest", "separeret_seneste_år"})
    result = run("audit", "--municipality", folder, "--on", ON)
    assert result.exit_code == INCOMPLETE == 3, result.output
    text = result.output
    assert "NOT CHECKED (5): they read fields the sample lacks" in text
    assert "senior, young: age (alder); in no agreement in force" in text
    assert "commuter: works_in_municipality (arbejder_i_kommunen)" in text
    assert ("the sample needs the columns age (alder), criminal_record_clean "
            "(ren_straffeattest), separated_within_year (separeret_seneste_år), "
            "works_in_municipality (arbejder_i_kommunen)") in text
    assert "add them to venteliste.csv, or give --sample FILE with them" in text
    assert "no result of the 8 checked depends on a protected column" in text
    as_json = run("audit", "--municipality", folder, "--on", ON, "--json")
    assert as_json.exit_code == 3
    assert '"complete": false' in as_json.output
    assert '"lacks": [\n        "age"\n      ]' in as_json.output


def test_an_audit_that_checks_nothing_proves_nothing(folder: Path, tmp_path: Path) -> None:
    sample = tmp_path / "bare.csv"
    sample.write_text("ansøger_id;liste;anciennitetsdato;husstandsstørrelse\n"
                      "x1;ekstern;2020-01-01;2\n", encoding="utf-8-sig")
    result = run("audit", "--municipality", folder, "--on", ON, "--sample", sample)
    assert result.exit_code == 3, result.output
    assert "so nothing could be checked" in result.output
    assert "add them to" in result.output
    assert "bare.csv" in result.output


def test_a_complete_audit_exits_0(folder: Path) -> None:
    # (a violation or a failing predicate exits 1: tests/test_criteria_audit.py, _cli.py)
    result = run("audit", "--municipality", folder, "--on", ON)
    assert result.exit_code == 0, result.output
    assert "NOT CHECKED" not in result.output
