"""A ledger carried forward to a changed housing stock (boligbestand).

The stock changes every year — new buildings, merged or demolished
departments — and the § 59 counters (every 4th vacancy per department) and the
organisations' internal/external turns must carry on: ``Ledger.update_stock``
records the new registry in one event, in force from a date.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuaalborg
from cli_support import run
from fuaalborg.letting.errors import (
    LedgerCorruptError,
    LedgerInputError,
    LedgerMunicipalityError,
)
from fuaalborg.letting.events import encode
from fuaalborg.letting.ledger import Ledger, RentDiffersWarning
from fuaalborg.letting.routing import Counters
from fuaalborg.letting.stock import compare_registries
from ledger_support import run_together
from municipality_support import FJORDBY

ORG = "31831814"


def _table(rows: list[tuple[str, str, str]], org: str = ORG) -> pd.DataFrame:
    return pd.DataFrame({"dwelling_id": [r[0] for r in rows],
                         "department_id": [r[1] for r in rows],
                         "kind": [r[2] for r in rows], "organisation_cvr": org})


OLD = _table([("A1", "A", "family"), ("A2", "A", "family"), ("B1", "B", "family"),
              ("B2", "B", "family"), ("D1", "D", "family")])
#: A gains a dwelling, D is demolished, N is a new department.
NEW = _table([("A1", "A", "family"), ("A2", "A", "family"), ("A3", "A", "family"),
              ("B1", "B", "family"), ("B2", "B", "family"), ("N1", "N", "family")])


def _target(kind: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if kind == "file":
        return str(folder / "ledger.jsonl")
    if kind == "sqlite":
        return f"sqlite:///{folder}/ledger.db"
    return str(request.getfixturevalue("pg_url"))


def _record(ledger: Ledger, vid: str, dwelling: str, day: str, kind: str = "family") -> Any:
    return ledger.record_vacancy(vid, dwelling, dwelling.rstrip("0123456789"), kind, day,
                                 4000.0, 2, colour="green")


# ---------------------------------------------------------------------------
# What the change records, and what it changes


def test_the_change_names_departments_and_dwellings_added_removed_and_moved() -> None:
    old = {"A": {"family": ["A1"], "bab": []}, "B": {"family": ["B1", "B2"], "bab": ["BB"]}}
    new = {"A": {"family": ["A1", "B1"], "bab": ["BB"]}, "C": {"family": ["C1"], "bab": []}}
    change = compare_registries(old, new)
    assert change.departments_added == ("C",)
    assert change.departments_removed == ("B",)
    assert change.departments_resized == ("A",)
    assert change.dwellings_added == ("C1",)
    assert change.dwellings_removed == ("B2",)
    assert change.dwellings_moved == ("B1", "BB")
    assert change.kinds_changed == ()
    assert compare_registries(old, old).empty
    assert "2 dwellings moved to another department" in change.describe()


@pytest.mark.parametrize("kind", ["file", "sqlite", "postgresql"])
def test_counters_carry_on_new_departments_start_at_zero_removed_ones_stop(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = _target(kind, tmp_path, request)
    with Ledger.create(target, OLD, name="town") as ledger:
        for i in range(1, 4):
            _record(ledger, f"A{i}", "A1", f"2024-0{i}-01")
        _record(ledger, "D-1", "D1", "2024-03-01")
        before = ledger.counters("A"), ledger.counters(ORG, scope="organisation")
        change = ledger.update_stock(NEW, on="2024-06-01", note="new build; D demolished",
                                     by="kb")
        assert change.departments_added == ("N",)
        assert change.departments_removed == ("D",)
        assert change.dwellings_added == ("A3", "N1")
        # continuing: unchanged by the change itself; the 4th counting vacancy is referral's
        assert (ledger.counters("A"), ledger.counters(ORG, scope="organisation")) == before
        fourth = _record(ledger, "A4", "A3", "2024-07-01")
        assert (fourth.route, fourth.n_referral) == ("referral", 4)
        # new: from zero; its first waiting-list letting takes the organisation's next turn
        first = _record(ledger, "N-1", "N1", "2024-07-02")
        assert (first.n_referral, ledger.counters("N")) == (1, Counters(1, 1, 1))
        # the organisation's 5th waiting-list letting (A's three, D's one): internal again
        assert (first.turn, first.n_turn) == ("internal", 5)
        # removed: nothing dated from the change; a late notice from before still counts
        with pytest.raises(LedgerInputError, match="left the ledger's stock on 2024-06-01"):
            _record(ledger, "D-2", "D1", "2024-06-01")
        late = _record(ledger, "D-0", "D1", "2024-05-31")
        assert late.n_referral == 2
        # a new dwelling takes no vacancy dated before it joined the stock
        with pytest.raises(LedgerInputError, match="in the ledger's stock only from 2024-06-01"):
            _record(ledger, "A-early", "A3", "2024-05-01")
        report = ledger.verify()
        assert report.stock_changes == 1
        assert "1 change of stock" in report.describe()[0]
        (event,) = ledger.events(type="stock")
        assert event["on"] == "2024-06-01"
        assert event["by"] == "kb"
        assert event["note"] == "new build; D demolished"
        assert event["changes"]["departments_removed"] == ["D"]
        assert event["fingerprint"] == ledger.fingerprint
        assert {"N", "D"} <= set(ledger.departments)
    copy = tmp_path / "copy.jsonl"
    assert Ledger.convert(target, copy).events == len(ledger_lines(copy))
    with Ledger.open(copy, municipality=None) as again:
        assert again.fingerprint == event["fingerprint"]
        assert again.verify().stock_changes == 1


def ledger_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_a_merger_moves_dwellings_and_a_conversion_changes_a_kind_from_the_day(
    tmp_path: Path
) -> None:
    with Ledger.create(tmp_path / "l.jsonl", OLD) as ledger:
        _record(ledger, "B-1", "B1", "2024-01-01")
        merged = _table([("A1", "A", "family"), ("A2", "A", "bab"), ("B1", "A", "family"),
                         ("B2", "A", "family"), ("D1", "D", "family")])
        change = ledger.update_stock(merged, on="2024-03-01")
        assert change.dwellings_moved == ("B1", "B2")
        assert change.kinds_changed == ("A2",)
        # B1 is A's from the merger; before it, B's (a late notice)
        assert _record(ledger, "B-2", "B1", "2024-02-01").department_id == "B"
        with pytest.raises(LedgerInputError, match="belongs to department 'A' on 2024-04-01"):
            ledger.record_vacancy("B-3", "B1", "B", "family", "2024-04-01", 4000.0, 2,
                                  colour="green")
        moved = ledger.record_vacancy("B-3", "B1", "A", "family", "2024-04-01", 4000.0, 2,
                                      colour="green")
        assert moved.n_referral == 1  # A's own count; B's stopped with B
        # A2 is a family dwelling before the conversion, a BAB dwelling after it
        assert _record(ledger, "A-1", "A2", "2024-02-15").route == "waiting_list"
        assert _record(ledger, "A-2", "A2", "2024-03-15", kind="bab").route == "referral"
        with pytest.raises(LedgerInputError, match="is a bab dwelling on 2024-04-01"):
            _record(ledger, "A-3", "A2", "2024-04-01")
        assert ledger.verify().vacancies == 5


# ---------------------------------------------------------------------------
# Counters are conserved across a change, for any sequence of vacancies

_vacancies = st.lists(st.tuples(st.sampled_from(["A1", "A2", "B1"]), st.integers(0, 300)),
                      min_size=1, max_size=30)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(vacancies=_vacancies, at=st.integers(0, 30), on=st.integers(0, 300))
def test_an_update_changes_no_decision_of_a_continuing_department(
    vacancies: list[tuple[str, int]], at: int, on: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("conserved")
    start = dt.date(2024, 1, 1)
    routes = []
    for changed in (False, True):
        with Ledger.create(folder / f"{changed}.jsonl", OLD) as ledger:
            decided = []
            for i, (dwelling, offset) in enumerate(vacancies):
                if changed and i == min(at, len(vacancies) - 1):
                    ledger.update_stock(NEW, on=start + dt.timedelta(days=on))
                day = start + dt.timedelta(days=offset)
                d = _record(ledger, f"V{i}", dwelling, day.isoformat())
                decided.append((d.route, d.turn, d.n_referral, d.n_flexible, d.late))
            routes.append((decided, ledger.counters("A"), ledger.counters("B"),
                           ledger.counters(ORG, scope="organisation")))
            ledger.verify()
    assert routes[0] == routes[1]


# ---------------------------------------------------------------------------
# Refusals: nothing written, every problem named


def test_a_change_is_refused_when_it_would_rewrite_the_past(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, OLD) as ledger:
        _record(ledger, "D-1", "D1", "2024-07-01")
        size = path.stat().st_size
        with pytest.raises(LedgerInputError) as refused:
            ledger.update_stock(NEW, on="2024-06-01")
        assert "vacancy 'D-1' (2024-07-01) would be outside the new stock" in str(refused.value)
        assert "void the vacancy (Ledger.void), or record the change from a later day" in str(
            refused.value)
        assert path.stat().st_size == size
        ledger.update_stock(NEW, on="2024-07-02")
        with pytest.raises(LedgerInputError, match="before the stock's latest change"):
            ledger.update_stock(OLD, on="2024-07-01")
        with pytest.raises(LedgerInputError, match="there is no change to record"):
            ledger.update_stock(NEW, on="2024-08-01")
        with pytest.raises(LedgerInputError, match="by: required"):
            ledger.update_stock(OLD, on="2024-08-01", by=" ")
        moved = NEW.assign(organisation_cvr=NEW["department_id"].map(
            {"A": "12011814"}).fillna(ORG))
        with pytest.raises(LedgerMunicipalityError, match="other housing organisations for 1 "
                                                          "department: 'A'"):
            ledger.update_stock(moved.iloc[:-1], on="2024-08-01")
        assert len(ledger.events(type="stock")) == 1


def test_verify_names_a_stock_event_that_does_not_hold(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, OLD) as ledger:
        ledger.update_stock(NEW, on="2024-06-01")
    lines = path.read_bytes().splitlines()
    doc = json.loads(lines[1])
    doc.pop("crc")
    doc["changes"]["departments_removed"] = []  # a change that hides a demolition
    lines[1] = encode(doc)[:-1]
    path.write_bytes(b"\n".join(lines) + b"\n")
    with Ledger.open(path) as ledger, pytest.raises(
            LedgerCorruptError, match=r"event 1 \(stock\): its changes are not what changed"):
        ledger.verify()


# ---------------------------------------------------------------------------
# Opening with a municipality: the current stock, the old one, another one


def _fjordby_grown(folder: Path) -> Path:
    """Fjordby with one more family dwelling in D002 (and its count raised)."""
    municipality = Path(shutil.copytree(FJORDBY, folder))
    dwellings = (municipality / "boliger.csv").read_text(encoding="utf-8-sig").rstrip("\n")
    (municipality / "boliger.csv").write_text(
        "\ufeff" + dwellings + "\nD002-999;D002;familie;3;80,0;6000,00;1;familie;ja\n",
        encoding="utf-8")
    departments = (municipality / "afdelinger.csv").read_text(encoding="utf-8-sig")
    assert "D002;29190003;Mågevej;F01;14;" in departments
    (municipality / "afdelinger.csv").write_text(
        "\ufeff" + departments.replace("D002;29190003;Mågevej;F01;14;",
                                       "D002;29190003;Mågevej;F01;15;"), encoding="utf-8")
    return municipality


def test_a_new_dwelling_carried_forward_on_the_command_line(tmp_path: Path) -> None:
    grown = _fjordby_grown(tmp_path / "grown")
    target = f"sqlite:///{tmp_path}/l.db"
    assert run("ledger", "init", target, "--municipality", FJORDBY).exit_code == 0
    assert run("ledger", "vacancy", target, "V1", "D002-001", "D002", "family", "2024-03-01",
               "6978", "3", "--municipality", FJORDBY).exit_code == 0
    refused = run("ledger", "vacancy", target, "V2", "D002-999", "D002", "family",
                  "2024-07-01", "6000", "3", "--municipality", grown)
    assert refused.exit_code == 1
    assert "1 dwelling added" in refused.output
    assert (f"record the change with `fuaalborg ledger update-stock {target} --municipality DIR "
            "--on DATE`") in refused.output
    assert "Traceback" not in refused.output
    updated = run("ledger", "update-stock", target, "--municipality", grown, "--on",
                  "2024-06-01", "--note", "Mågevej: new build")
    assert updated.exit_code == 0, updated.output
    assert "1 dwelling added" in updated.output
    recorded = run("ledger", "vacancy", target, "V2", "D002-999", "D002", "family",
                   "2024-07-01", "6000", "3", "--municipality", grown)
    assert recorded.exit_code == 0, recorded.output
    old = run("ledger", "vacancy", target, "V3", "D002-002", "D002", "family", "2024-07-02",
              "5922", "3", "--municipality", FJORDBY)
    assert old.exit_code == 1
    assert "as it was before it changed on 2024-06-01 (event" in old.output
    assert "give --municipality DIR with the ledger's municipality as it is now" in old.output
    again = run("ledger", "update-stock", target, "--municipality", grown, "--on",
                "2024-08-01")
    assert again.exit_code == 1
    assert "there is no change to record" in again.output
    verified = run("ledger", "verify", target)
    assert verified.exit_code == 0
    assert "1 change of stock" in verified.output
    report = run("report", "--from", "2024-01-01", "--to", "2024-12-31", "--ledger", target,
                 "--municipality", grown, "-o", tmp_path / "r.xlsx")
    assert report.exit_code == 0, report.output
    stale = run("report", "--from", "2024-01-01", "--to", "2024-12-31", "--ledger", target,
                "--municipality", FJORDBY, "-o", tmp_path / "s.xlsx")
    assert stale.exit_code == 1
    assert "as they were before the stock changed on 2024-06-01" in stale.output
    # a report of a period before the change may use the tables as they were then
    before = run("report", "--from", "2024-01-01", "--to", "2024-05-31", "--ledger", target,
                 "--municipality", FJORDBY, "-o", tmp_path / "b.xlsx")
    assert before.exit_code == 0, before.output


def test_a_report_counts_the_lettings_of_a_department_that_left_the_stock(
    tmp_path: Path
) -> None:
    smaller = Path(shutil.copytree(FJORDBY, tmp_path / "smaller"))
    for table in smaller.glob("*.csv"):
        lines = table.read_text(encoding="utf-8-sig").splitlines()
        table.write_text("\ufeff" + "\n".join(
            line for line in lines if not line.startswith(("D006;", "D006-"))) + "\n",
            encoding="utf-8")
    municipality, now = (fuaalborg.Municipality.from_folder(f) for f in (FJORDBY, smaller))
    target = f"sqlite:///{tmp_path}/l.db"
    with Ledger.create(target, municipality) as ledger:
        for i in range(1, 5):
            ledger.record_vacancy(f"V{i}", "D006-001", "D006", "family", f"2024-0{i}-01",
                                  6187.0, 3, colour="green")
        ledger.update_stock(now, on="2024-07-01", note="D006 demolished")
    from fuaalborg.reports.report import build_report

    with Ledger.open(target, readonly=True) as ledger:
        report = build_report(now, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              lang="en")
    r1 = next(t for t in report.tables if t.section == "R1" and "Department" in t.title)
    shown = r1.frame.to_string()
    assert "D006 (left the housing stock on 2024-07-01)" in shown
    assert int(r1.frame.iloc[-1]["Municipal referral"]) == 1  # the 4th, in the total


def test_opening_with_another_stock_names_what_differs_without_ids(tmp_path: Path) -> None:
    municipality = fuaalborg.Municipality.from_folder(FJORDBY)
    grown = fuaalborg.Municipality.from_folder(_fjordby_grown(tmp_path / "grown"))
    target = tmp_path / "l.jsonl"
    Ledger.create(target, municipality).close()
    with pytest.raises(LedgerMunicipalityError) as refused:
        Ledger.open(target, municipality=grown)
    message = str(refused.value)
    assert (
        "1 department with another number of dwellings (D002); 1 dwelling added (D002-999)"
        in message
    )
    assert "Ledger.update_stock" in message


# ---------------------------------------------------------------------------
# Rooms and rent against the dwellings table


def test_rooms_that_differ_from_the_table_are_refused_a_rent_is_recorded_with_a_warning(
    tmp_path: Path
) -> None:
    municipality = fuaalborg.Municipality.from_folder(FJORDBY)  # D001-001: 3 rooms, 6.546 kr.
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger:
        with pytest.raises(LedgerInputError, match="rooms: 2 given, but the dwellings table "
                                                   "gives dwelling 'D001-001' 3"):
            ledger.record_vacancy("V1", "D001-001", "D001", "family", "2024-03-01", 6546.0, 2,
                                  colour="green")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            d = ledger.record_vacancy("V1", "D001-001", "D001", "family", "2024-03-01",
                                      6900.0, 3, colour="green")
        assert d.monthly_rent_dkk == 6900.0
        (warning,) = [w for w in caught if issubclass(w.category, RentDiffersWarning)]
        assert "differs from the dwellings table's 6.546 kr." in str(warning.message)
    cli = run("ledger", "vacancy", tmp_path / "l.jsonl", "V2", "D001-001", "D001", "family",
              "2024-04-01", "7000", "3", "--colour", "green", "--municipality", FJORDBY)
    assert cli.exit_code == 0
    # the command names its own argument; the library's message names the column
    assert "warning: vacancy 'V2': RENT 7.000 kr. differs" in cli.output
    assert "monthly_rent_dkk" not in cli.output


def test_a_correction_is_checked_against_the_table_as_a_vacancy_is(tmp_path: Path) -> None:
    municipality = fuaalborg.Municipality.from_folder(FJORDBY)  # D001-001: 3 rooms, 6.546 kr.
    target = tmp_path / "l.jsonl"
    with Ledger.create(target, municipality) as ledger:
        ledger.record_vacancy("V1", "D001-001", "D001", "family", "2024-03-01", 6546.0, 3,
                              colour="green")
        before = len(ledger.events())
        with pytest.raises(LedgerInputError) as refused:  # a typo: ten times the rent
            ledger.correct("V1", "typo", "2024-03-02", monthly_rent_dkk=65460.0, rooms=2)
        message = str(refused.value)
        assert "65.460 kr. differs from the dwellings table's 6.546 kr." in message
        assert "above the plausible factor 2" in message
        assert "rooms: 2 given, but the dwellings table gives dwelling 'D001-001' 3" in message
        with pytest.raises(LedgerInputError, match=r"rooms: 3 given, .* 'D001-002' 1"):
            ledger.correct("V1", "other dwelling", "2024-03-02", dwelling_id="D001-002")
        assert len(ledger.events()) == before  # nothing written
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            d = ledger.correct("V1", "new budget", "2024-03-02", monthly_rent_dkk=6900.0)
        assert d.monthly_rent_dkk == 6900.0
        (warning,) = [w for w in caught if issubclass(w.category, RentDiffersWarning)]
        assert str(warning.message).startswith(
            "correction of 'V1': monthly_rent_dkk 6.900 kr. differs from the dwellings table's "
            "6.546 kr.")
    cli = run("ledger", "correct", target, "V1", "2024-03-03", "--reason", "typo",
              "--rent", "690", "--municipality", FJORDBY)
    assert cli.exit_code == 1
    assert "--rent: 690 kr. differs from the dwellings table's 6.546 kr." in cli.output
    assert "nothing was written" in cli.output
    cli = run("ledger", "correct", target, "V1", "2024-03-03", "--reason", "budget",
              "--rent", "7000", "--municipality", FJORDBY)
    assert cli.exit_code == 0, cli.output
    (warned,) = [line for line in cli.output.splitlines() if line.startswith("warning:")]
    assert warned.startswith("warning: correction of 'V1': --rent 7.000 kr. differs")


def test_a_rent_warning_keeps_its_argument_apart_for_a_front_end_to_name() -> None:
    import pickle

    from fuaalborg.errors import Wording
    from fuaalborg.rents import rent_difference

    differs = rent_difference(7000.0, 6546.0, dt.date(2024, 4, 1))
    assert differs is not None
    warning = RentDiffersWarning("vacancy 'V2'", differs, "D001-001")
    library = ("vacancy 'V2': monthly_rent_dkk 7.000 kr. differs from the dwellings table's "
               "6.546 kr. for dwelling 'D001-001'; recorded as given (correct it if it was "
               "typed wrong)")
    assert str(warning) == library
    assert (warning.argument, warning.dwelling, warning.difference) == (
        "monthly_rent_dkk", "D001-001", differs)
    assert warning.worded(Wording(names={"monthly_rent_dkk": "--rent"})) == library.replace(
        "monthly_rent_dkk", "--rent")
    again = pickle.loads(pickle.dumps(warning))  # a worker process's warning arrives whole
    assert (type(again), str(again), again.difference) == (RentDiffersWarning, library, differs)


def _rebuilt(tmp_path: Path) -> Path:
    """Fjordby after a rebuilding: D004-004 has 3 rooms (it had 2), and D004 a new dwelling."""
    folder = Path(shutil.copytree(FJORDBY, tmp_path / "rebuilt"))
    table = folder / "boliger.csv"
    lines = table.read_text(encoding="utf-8-sig").splitlines()
    lines = [line.replace("D004-004;D004;familie;2;", "D004-004;D004;familie;3;")
             for line in lines]
    lines.append("D004-099;D004;familie;2;66,0;4900,00;0;familie;nej")
    table.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    departments = folder / "afdelinger.csv"
    departments.write_text(departments.read_text(encoding="utf-8-sig").replace(
        "D004;29190011;Havnegade;;16;", "D004;29190011;Havnegade;;17;"), encoding="utf-8-sig")
    return folder


def test_a_correction_of_the_date_alone_checks_the_recorded_rooms_and_rent_again(
    tmp_path: Path
) -> None:
    # The dwellings table applies only to a vacancy dated in the current stock, and the
    # plausible rent factor is read on the vacancy's date: a new date alone can bring
    # recorded facts under a table that disagrees with them.
    rebuilt = _rebuilt(tmp_path)
    now = fuaalborg.Municipality.from_folder(rebuilt)
    target = tmp_path / "l.jsonl"
    with Ledger.create(target, fuaalborg.Municipality.from_folder(FJORDBY)) as ledger:
        ledger.update_stock(now, on="2024-06-01", note="D004-004 rebuilt")
    with Ledger.open(target, municipality=now) as ledger:
        # dated before the rebuilding: 2 rooms, as the stock of its date had it
        ledger.record_vacancy("V1", "D004-004", "D004", "family", "2024-05-01", 4927.0, 2,
                              colour="green")
        before = len(ledger.events())
        with pytest.raises(LedgerInputError) as refused:
            ledger.correct("V1", "date misread", "2024-06-10", vacant_on="2024-06-05")
        (problem,) = refused.value.problems
        assert problem.where == "vacant_on"
        assert problem.what == (
            "2024-06-05 is in the stock the dwellings table describes, and the table disagrees "
            "with the vacancy's rooms: 2 recorded, but the dwellings table gives dwelling "
            "'D004-004' 3 (a dwelling's rooms do not change)")
        assert problem.remedy is not None
        assert problem.remedy.arguments == ("rooms",)
        assert len(ledger.events()) == before  # nothing written
        # the rooms corrected in the same call: checked as given, and recorded
        ledger.correct("V1", "date misread", "2024-06-10", vacant_on="2024-06-05", rooms=3)
        recorded = ledger.vacancy("V1")
        assert (recorded["vacant_on"], recorded["rooms"]) == (dt.date(2024, 6, 5), 3)
        # a date still before the rebuilding is not checked against the current table
        ledger.record_vacancy("V2", "D004-004", "D004", "family", "2024-04-01", 4927.0, 2,
                              colour="green")
        ledger.correct("V2", "date misread", "2024-06-10", vacant_on="2024-04-02")
    cli = run("ledger", "correct", target, "V2", "2024-06-10", "--reason", "date misread",
              "--vacant-on", "2024-06-07", "--municipality", rebuilt)
    assert cli.exit_code == 1
    assert ("--vacant-on: 2024-06-07 is in the stock the dwellings table describes, and the "
            "table disagrees with the vacancy's rooms: 2 recorded") in cli.output
    assert cli.output.rstrip().endswith("give --rooms as well")
    assert "Traceback" not in cli.output


def test_a_department_that_returns_to_the_stock_counts_on_from_where_it_stopped(
    tmp_path: Path,
) -> None:
    # A reading: the same department id is the same department (a renovation that took it
    # out of letting, say); § 59 counts per department, so its count carries on.
    with Ledger.create(tmp_path / "l.jsonl", OLD) as ledger:
        for i in range(1, 3):
            _record(ledger, f"D-{i}", "D1", f"2024-0{i}-01")
        ledger.update_stock(NEW, on="2024-06-01")
        ledger.update_stock(pd.concat([NEW, OLD[OLD["department_id"] == "D"]]), on="2025-01-01")
        assert ledger.counters("D").referral == 2
        back = _record(ledger, "D-3", "D1", "2025-02-01")
        assert back.n_referral == 3
        assert ledger.verify().stock_changes == 2


# ---------------------------------------------------------------------------
# Several processes across a change of stock


def _writer(target: str, work: list[tuple[str, str, str]], start: Any, done: Any) -> None:
    start.wait(timeout=60)
    try:
        with Ledger.open(target) as ledger:
            for vid, dwelling, day in work:
                deadline = time.monotonic() + 60
                while True:
                    try:
                        _record(ledger, vid, dwelling, day)
                        break
                    except LedgerInputError as exc:  # a new department: wait for the change
                        if "unknown" not in str(exc) or time.monotonic() > deadline:
                            raise
                        time.sleep(0.01)
        done.put(("ok", len(work)))
    except BaseException as exc:
        done.put(("error", f"{type(exc).__name__}: {exc}"))


def _updater(target: str, start: Any, done: Any) -> None:
    start.wait(timeout=60)
    try:
        time.sleep(0.05)
        with Ledger.open(target) as ledger:
            ledger.update_stock(NEW, on="2024-06-01")
        done.put(("ok", 0))
    except BaseException as exc:
        done.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.parametrize("kind", ["file", "sqlite", "postgresql"])
def test_writers_in_several_processes_count_on_across_a_change(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = _target(kind, tmp_path, request)
    Ledger.create(target, OLD).close()
    work = [
        [(f"W{w}-{i}", ("A1", "B1", "D1")[i % 3] if w < 3 else "N1",
          f"2024-0{1 + i % 5}-{1 + w:02d}" if w < 3 else f"2024-07-{1 + i:02d}")
         for i in range(12)]
        for w in range(4)
    ]
    run_together([*((_writer, (target, part)) for part in work), (_updater, (target,))])
    with Ledger.open(target, readonly=True) as ledger:
        ledger.verify()
        events = ledger.events()
        counters = {d: ledger.counters(d) for d in "ABDN"}
    vacancies = [e for e in events if e["type"] == "vacancy"]
    assert sorted(e["vacancy_id"] for e in vacancies) == sorted(v[0] for p in work for v in p)
    stock = next(e["seq"] for e in events if e["type"] == "stock")
    assert all(e["seq"] > stock for e in vacancies if e["department_id"] == "N")
    for dep in "ABDN":  # each department counted every one of its vacancies, in seq order
        mine = [e for e in vacancies if e["department_id"] == dep]
        assert [e["n_referral"] for e in mine] == list(range(1, len(mine) + 1))
        assert counters[dep].referral == len(mine)
    turns = [e["n_turn"] for e in vacancies if e["route"] == "waiting_list"]
    assert turns == list(range(1, len(turns) + 1))  # one organisation's turn, carried on
