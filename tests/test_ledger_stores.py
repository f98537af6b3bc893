"""One ledger, three stores: a file, SQLite and PostgreSQL behave alike; convert; bad input."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.letting.ledger import (
    Ledger,
    LedgerConnectionError,
    LedgerError,
    LedgerInputError,
    LedgerMunicipalityError,
    LedgerSchemaError,
    StepModelColours,
)
from fuaalborg.letting.store.sql import SCHEMA_VERSION

REGISTRY = pd.DataFrame(
    {
        "dwelling_id": ["A1", "A2", "A3", "AB", "B1", "B2", "R1"],
        "department_id": ["A", "A", "A", "A", "B", "B", "R"],
        "kind": ["family", "family", "family", "bab", "family", "family", "family"],
    }
)
#: Each department its own housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), here the same as per department.
REGISTRY["organisation_cvr"] = "org-" + REGISTRY["department_id"]
OTHER = REGISTRY.assign(dwelling_id=REGISTRY["dwelling_id"] + "x")


@pytest.fixture(params=["file", "sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "file":
        return str(tmp_path / "ledger.jsonl")
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    return str(request.getfixturevalue("pg_url"))


def _story(ledger: Ledger) -> None:
    """Vacancies (one late), a decline, a void, a correction and a signed lease."""
    from fuaalborg.letting.offers import OfferRound
    from ledger_support import Ranked

    days = ["2024-01-05", "2024-01-02", "2024-01-09", "2024-01-10", "2024-01-12"]
    for i, day in enumerate(days, start=1):
        ledger.record_vacancy(f"V{i}", "A1", "A", "family", day, 4000 + i, 2, colour="green")
    ledger.record_vacancy("X1", "R1", "R", "family", "2024-01-03", 3500, 3, colour="red")
    ledger.record_vacancy("X2", "AB", "A", "bab", "2024-01-04", 3000, 2, colour="green")
    ledger.record_answer("V4", "declined", "2024-01-15")
    ledger.void("V3", "the dwelling was not vacant", "2024-01-16", by="kb")
    ledger.correct("V1", "rent typed wrong", "2024-01-17", by="kb", monthly_rent_dkk=4100.0)
    offers = OfferRound("V5", Ranked(ledger, "V5", ["a", "b"]), ledger=ledger, size=2)
    offers.send("2024-01-18")
    offers.answer("b", "accept", "2024-01-19")
    offers.close("2024-01-30")
    offers.sign("2024-02-01")


def test_every_store_keeps_the_same_ledger(target: str, tmp_path: Path) -> None:
    with Ledger.create(target, REGISTRY, name="test") as ledger:
        _story(ledger)
        report = ledger.verify()
        decisions = ledger.decisions()
        state = ledger.state()
        unanswered = ledger.unanswered
    assert (report.events, report.vacancies, report.voided, report.late) == (17, 7, 1, 2)
    assert [c.type for c in report.corrections] == ["void", "correction"]
    # the same story in a file is the reference
    with Ledger.create(tmp_path / "reference.jsonl", REGISTRY, name="test") as reference:
        _story(reference)
        pd.testing.assert_frame_equal(decisions, reference.decisions())
        pd.testing.assert_frame_equal(state, reference.state())
        assert unanswered == reference.unanswered == {"a": [pd.Timestamp("2024-01-30").date()]}
    with Ledger.open(target, readonly=True) as again:
        assert again.status("V3") == "void"
        assert again.status("V5") == "let"
        assert again.decision("V2").late
        assert again.decision("V1").monthly_rent_dkk == 4100.0
        assert again.counters("A") == again.store.counters("department", "A")


def test_a_reader_sees_new_events_without_reopening(target: str) -> None:
    with Ledger.create(target, REGISTRY) as writer, Ledger.open(target, readonly=True) as reader:
        assert reader.counters("A").referral == 0
        writer.record_vacancy("V1", "A1", "A", "family", "2024-01-05", 4000, 2, colour="green")
        assert reader.counters("A").referral == 1
        assert reader.status("V1") == "waiting_list"
        assert [e["type"] for e in reader.events()][-1] == "vacancy"


def test_convert_file_sqlite_postgresql_file_keeps_every_byte(tmp_path: Path,
                                                              pg_url: str) -> None:
    start = tmp_path / "start.jsonl"
    with Ledger.create(start, REGISTRY, name="test") as ledger:
        _story(ledger)
    sqlite = f"sqlite:///{tmp_path}/copy.db"
    back = tmp_path / "back.jsonl"
    reports = [Ledger.convert(start, sqlite), Ledger.convert(sqlite, pg_url),
               Ledger.convert(pg_url, back)]
    assert start.read_bytes() == back.read_bytes()
    digest = hashlib.sha256(start.read_bytes().rstrip(b"\n")).hexdigest()
    assert {r.sha256 for r in reports} == {digest}
    assert all(r.events == 17 for r in reports)
    with pytest.raises(LedgerError, match="already holds a ledger"):
        Ledger.convert(start, sqlite)
    with pytest.raises(LedgerError, match="already exists"):
        Ledger.convert(sqlite, back)


def test_convert_and_verify_on_the_command_line(tmp_path: Path) -> None:
    start = tmp_path / "start.jsonl"
    with Ledger.create(start, REGISTRY, name="test") as ledger:
        _story(ledger)
    runner = CliRunner()
    db = f"sqlite:///{tmp_path}/l.db"
    result = runner.invoke(main, ["ledger", "convert", str(start), db])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("copied 17 events")
    result = runner.invoke(main, ["ledger", "verify", db])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "17 events verified" in lines[0]
    assert "void on 2024-01-16 by kb" in lines[1]
    assert "reason: the dwelling was not vacant" in lines[1]
    assert "--rent 4.001 kr. -> 4.100 kr." in lines[2]


def test_tcp_connection_as_another_host(postgres: Any, pg_url: str) -> None:
    dbname = pg_url.split("/")[3].split("?")[0]
    tcp = postgres.tcp_url(dbname)
    with Ledger.create(pg_url, REGISTRY) as local, Ledger.open(tcp) as remote:
        local.record_vacancy("V1", "A1", "A", "family", "2024-01-05", 4000, 2, colour="green")
        d = remote.record_vacancy("V2", "A2", "A", "family", "2024-01-06", 4000, 2,
                                  colour="green")
        assert d.n_referral == 2
        assert "***" in remote.target
        assert "ledger-test-password" not in remote.target
        assert local.decision("V2").turn == "external"


# ---------------------------------------------------------------------------
# bad input: one clear line, nothing written


def test_unknown_schemes_and_missing_ledgers(tmp_path: Path) -> None:
    for target, message in [
        ("mysql://db/ledger", "unknown ledger target 'mysql://db/ledger'"),
        ("sqlite://", "names no database file"),
        ("sqlite:///:memory:", "names no database file"),
        (f"sqlite:///{tmp_path}/none.db", "no ledger at"),
        (str(tmp_path / "none.jsonl"), "no ledger at none.jsonl"),
        (f"sqlite:///{tmp_path}/nowhere/l.db", "no ledger at"),
    ]:
        with pytest.raises(LedgerError, match=message):
            Ledger.open(target)
    with pytest.raises(LedgerError, match=r"directory .* does not exist"):
        Ledger.create(f"sqlite:///{tmp_path}/nowhere/l.db", REGISTRY)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, " * 100)
    with pytest.raises(LedgerError, match=r"not an SQLite database|not a database"):
        Ledger.open(f"sqlite:///{junk}")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.db"]


def test_unreachable_servers_and_wrong_credentials(postgres: Any, pg_url: str) -> None:
    dbname = pg_url.split("/")[3].split("?")[0]
    with pytest.raises(LedgerConnectionError, match="password authentication failed") as info:
        Ledger.create(postgres.tcp_url(dbname, password="wrong"), REGISTRY)
    assert "wrong" not in str(info.value)
    assert "\n" not in str(info.value)
    with pytest.raises(LedgerConnectionError, match=r"refused|could not connect|failed"):
        Ledger.open("postgresql://ledger@127.0.0.1:9/ledger")
    with pytest.raises(LedgerSchemaError, match="no ledger in"):
        Ledger.open(pg_url)  # an empty database
    with pytest.raises(LedgerConnectionError, match='database "nope" does not exist'):
        Ledger.open(postgres.url("nope"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/ledger.db"
    return str(request.getfixturevalue("pg_url"))


def test_a_database_made_by_a_newer_version_is_refused(database: str) -> None:
    target = database
    Ledger.create(target, REGISTRY).close()
    with Ledger.open(target) as ledger:
        ledger.store._execute("UPDATE ledger_schema SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(LedgerSchemaError, match="newer fuaalborg") as info:
        Ledger.open(target)
    assert "upgrade fuaalborg" in str(info.value)


def test_a_failed_sqlite_creation_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database error while a new ledger is created removes the database and its journal."""
    import sqlite3

    from fuaalborg.letting.store.sqlite import SqliteStore

    def fail(store: SqliteStore) -> None:
        raise sqlite3.DatabaseError("disk I/O error")

    monkeypatch.setattr(SqliteStore, "_check_schema", fail)
    target = f"sqlite:///{tmp_path}/ledger.db"
    with pytest.raises(LedgerError, match=r"cannot open sqlite:///.*ledger\.db: disk I/O error"):
        Ledger.create(target, REGISTRY)
    assert list(tmp_path.iterdir()) == []


def test_creating_twice_writes_nothing(target: str) -> None:
    with Ledger.create(target, REGISTRY) as ledger:
        ledger.record_vacancy("V1", "A1", "A", "family", "2024-01-05", 4000, 2, colour="green")
    with pytest.raises(LedgerError, match="already"):
        Ledger.create(target, OTHER)
    with Ledger.open(target) as ledger:
        assert ledger.counters("A").referral == 1
        assert ledger.fingerprint != Ledger.__name__


def test_another_municipality_is_refused(
    tmp_path: Path, example_municipality: Municipality
) -> None:
    municipality = example_municipality
    path = tmp_path / "l.jsonl"
    Ledger.create(path, REGISTRY, name="Nordby").close()
    size = path.stat().st_size
    with pytest.raises(LedgerMunicipalityError, match="created for municipality 'Nordby'"):
        Ledger.open(path, municipality=municipality)
    with pytest.raises(LedgerMunicipalityError, match="colour source is for"):
        Ledger.open(path, colour_source=StepModelColours(municipality))
    with pytest.raises(LedgerMunicipalityError):
        Ledger.create(tmp_path / "m.jsonl", REGISTRY, colour_source=StepModelColours(municipality))
    assert not (tmp_path / "m.jsonl").exists()
    with Ledger.open(path) as ledger:
        with pytest.raises(LedgerMunicipalityError):
            ledger.rank("V1", municipality.applicants, municipality=municipality)
        # a ledger of its own municipality never falls back to the example's colours
        with pytest.raises(LedgerInputError, match="colour: required"):
            ledger.record_vacancy("V1", "A1", "A", "family", "2024-01-05", 4000, 2)
    assert path.stat().st_size == size


def test_the_command_line_never_routes_another_town_with_the_example(
    tmp_path: Path, example_municipality: Municipality
) -> None:
    folder = tmp_path / "town"
    folder.mkdir()
    municipality = example_municipality
    municipality.organisations.to_csv(folder / "organisations.csv", index=False)
    deps = municipality.departments.head(3)
    deps.to_csv(folder / "departments.csv", index=False)
    municipality.dwellings[municipality.dwellings["department_id"].isin(deps["department_id"])].to_csv(
        folder / "dwellings.csv", index=False)
    municipality.areas.to_csv(folder / "areas.csv", index=False)
    municipality.indicators[municipality.indicators["department_id"].isin(deps["department_id"])].to_csv(
        folder / "indicators.csv", index=False)
    municipality.lists.to_csv(folder / "lists.csv", index=False)
    dwelling = municipality.dwellings[
        (municipality.dwellings["department_id"] == deps["department_id"].iloc[0])
        & (municipality.dwellings["kind"] == "family")
    ].iloc[0]
    runner = CliRunner()
    path = str(tmp_path / "own.jsonl")
    result = runner.invoke(main, ["ledger", "init", path, "--municipality", str(folder)])
    assert result.exit_code == 0, result.output
    args = ["ledger", "vacancy", path, "V1", str(dwelling["dwelling_id"]),
            str(dwelling["department_id"]), "family", "2024-05-01", "4200", "2"]
    size = os.path.getsize(path)
    refused = runner.invoke(main, args)
    assert refused.exit_code == 1
    assert refused.output.splitlines() == [
        "Error: own.jsonl was created for 'unnamed municipality', not for the bundled example "
        "municipality: give --municipality DIR with its tables (for the step model's colour), "
        "or --colour"
    ]
    assert os.path.getsize(path) == size
    ok = runner.invoke(main, [*args, "--municipality", str(folder)])
    assert ok.exit_code == 0, ok.output
    assert "step model" in ok.output
    example = tmp_path / "example.jsonl"
    result = runner.invoke(main, ["ledger", "init", str(example)])
    assert result.output.startswith("Using the example municipality (synthetic)")
    wrong = runner.invoke(main, ["ledger", "vacancy", str(example), "V1",
                                 str(dwelling["dwelling_id"]), str(dwelling["department_id"]),
                                 "family", "2024-05-01", "4200", "2", "--municipality",
                                 str(folder)])
    assert wrong.exit_code == 1
    assert "give --municipality DIR with the ledger's own municipality" in wrong.output
    default = runner.invoke(main, ["ledger", "vacancy", str(example), "V1",
                                   str(dwelling["dwelling_id"]), str(dwelling["department_id"]),
                                   "family", "2024-05-01", "4200", "2"])
    assert default.exit_code == 0, default.output
    assert default.output.startswith("Using the example municipality (synthetic)")
    assert "its step model's colours (the ledger was created for it)" in default.output
