"""The report and the ledger it reads: whose ledger it is, read-only means read-only, R7's audit.

A report refuses a ledger by the fingerprint of the departments and dwellings
the ledger was created for — not by the name it recorded — so renaming a
municipality keeps its reports and two municipalities of one name are never
mixed. ``Ledger.open(..., readonly=True)``, as the report opens a ledger,
writes nothing in any store, and the databases themselves refuse writes in
that session. R7's audit reads the waiting list as ``fuaalborg audit`` does:
with every field's declared type, the plug-ins' own included.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import fuaalborg
import fuaalborg.criteria
from cli_support import run
from fuaalborg import Municipality
from fuaalborg.criteria.testing import load_plugin
from fuaalborg.errors import FuaalborgError
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.registry import fingerprint_of
from fuaalborg.reports.report import ReportInputError, build_report
from municipality_support import FJORDBY
from plugin_support import volunteer_plugin

PERIOD = ("--from", "2024-01-01", "--to", "2024-12-31")


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _ledger(folder: Path, target: str) -> str:
    assert run("ledger", "init", target, "--municipality", folder).exit_code == 0
    result = run("ledger", "vacancy", target, "V1", "D004-001", "D004", "family", "2024-03-01",
                 "5200", "1", "--municipality", folder)
    assert result.exit_code == 0, result.output
    return target


def test_a_renamed_municipality_keeps_its_reports(folder: Path, tmp_path: Path) -> None:
    target = _ledger(folder, f"sqlite:///{tmp_path}/l.db")
    settings = folder / "municipality.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'name = "Fjordby Kommune"', 'name = "Fjordby og Omegn Kommune"'), encoding="utf-8")
    renamed = Municipality.from_folder(folder)
    with Ledger.open(target, readonly=True) as ledger:
        assert ledger.name == "Fjordby Kommune"
        report = build_report(renamed, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              figures=False)
    assert report.municipality == "Fjordby og Omegn Kommune"
    assert not report.empty


def test_r2_states_the_municipalitys_own_referral_need(folder: Path, tmp_path: Path) -> None:
    """R2's expected need and the rule versions are the municipality's (municipality.toml:
    20–30 a year), not the bundled agreement's 250–300."""
    target = _ledger(folder, str(tmp_path / "l.jsonl"))
    municipality = Municipality.from_folder(folder)
    with Ledger.open(target, readonly=True) as ledger:
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 6, 30),
                              figures=False, lang="en")
    need = report.table("R2_need").iloc[0]
    assert (need["Expected need per year, low"], need["Expected need per year, high"]) == (20, 30)
    assert (need["Expected need in period, low"], need["Expected need in period, high"]) == (
        10, 15)
    rules = report.rule_versions.set_index("parameter")
    assert rules.loc["referral.expected_need_low", "value"] == "20"
    assert "municipality.toml" in rules.loc["referral.expected_need_low", "reference"]


def test_the_rules_sheet_shows_table_valued_rules_readably_in_the_reports_language(
    folder: Path, tmp_path: Path
) -> None:
    """The parties' report's rules (sheet Regler/Rules and R7): no Python reprs; colours in
    the report's language. The ledger keeps the values it recorded."""
    import json

    from openpyxl import load_workbook

    want = {
        "da": ("grøn, gul", "grøn (placement: ja); gul (placement: begrænset, criteria: "
               "referral.limits.stk7); rød (placement: nej)"),
        "en": ("green, yellow", "green (placement: yes); yellow (placement: restricted, "
               "criteria: referral.limits.stk7); red (placement: no)"),
    }
    for lang, (counting, placement) in want.items():
        path = tmp_path / f"{lang}.xlsx"
        result = run("report", "--municipality", folder, "--demo-ledger", *PERIOD,
                     "--lang", lang, "-o", path)
        assert result.exit_code == 0, result.output
        book = load_workbook(path)
        rules = {row[0]: row[1] for row in book[book.sheetnames[-1]].iter_rows(values_only=True)}
        r7 = {row[0]: row[1] for row in book["R7"].iter_rows(values_only=True)}
        for shown in (rules, r7):
            assert shown["colour_rules.referral_counting"] == counting
            assert shown["colour_rules.referral_placement"] == placement
            assert shown["reporting.waiting_time.percentiles"] == "50, 90"
            assert not any(isinstance(v, str) and ("{" in v or "['" in v)
                           for v in shown.values())
    target = tmp_path / "l.jsonl"
    _ledger(folder, str(target))
    recorded = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    (rules_event,) = [e for e in recorded if e["type"] == "rules"]
    assert rules_event["values"]["colour_rules.referral_counting"]["value"] == [
        "green", "yellow"]


def test_two_municipalities_of_one_name_are_not_mixed(folder: Path, tmp_path: Path) -> None:
    target = _ledger(folder, str(tmp_path / "l.jsonl"))
    other = Path(shutil.copytree(folder, tmp_path / "andet"))
    dwellings = other / "boliger.csv"
    dwellings.write_text(dwellings.read_text(encoding="utf-8-sig")
                         + "D004-099;D004;familie;2;61,0;4800,00\n", encoding="utf-8-sig")
    departments = other / "afdelinger.csv"
    departments.write_text(departments.read_text(encoding="utf-8-sig").replace(
        "D004;29190011;Havnegade;;16;", "D004;29190011;Havnegade;;17;"), encoding="utf-8-sig")
    municipality = Municipality.from_folder(other)
    assert municipality.name == "Fjordby Kommune"
    with Ledger.open(target, readonly=True) as ledger, pytest.raises(ReportInputError) as caught:
        build_report(
            municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31), figures=False
        )
    said = str(caught.value)
    assert "created for 'Fjordby Kommune' (fingerprint" in said
    assert "has other departments or dwellings" in said
    result = run("report", "--municipality", other, *PERIOD, "--ledger", target,
                 "-o", tmp_path / "r.xlsx", "--no-audit")
    assert result.exit_code == 1
    assert "belongs to another municipality" in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_a_ledger_of_departments_the_tables_lack_is_named(folder: Path, tmp_path: Path) -> None:
    target = _ledger(folder, str(tmp_path / "l.jsonl"))
    with Ledger.open(target, readonly=True) as ledger:
        events = ledger.events()
    registry = {**events[0]["registry"], "X9": {"family": [], "bab": []}}
    events[0] = {**events[0], "registry": registry, "fingerprint": fingerprint_of(registry)}
    with pytest.raises(ReportInputError,
                       match=r"1 department\(s\) the municipality does not have: X9"):
        build_report(Municipality.from_folder(folder), events, dt.date(2024, 1, 1),
                     dt.date(2024, 12, 31), figures=False)


# -- read-only, in every store -----------------------------------------------------------


def _snapshot(target: str, kind: str, folder: Path) -> Any:
    if kind == "postgresql":
        with Ledger.open(target, readonly=True) as ledger:
            return [e["seq"] for e in ledger.events()], ledger.state().to_dict("list")
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if not p.name.endswith(("-shm", "-wal"))}


@pytest.mark.parametrize("kind", ["file", "sqlite", "postgresql"])
def test_read_only_means_read_only_in_every_store(kind: str, folder: Path, tmp_path: Path,
                                                  request: pytest.FixtureRequest) -> None:
    where = tmp_path / "store"
    where.mkdir()
    target = {"file": str(where / "l.jsonl"), "sqlite": f"sqlite:///{where}/l.db"}.get(kind)\
        or request.getfixturevalue("pg_url")
    _ledger(folder, target)
    before = _snapshot(target, kind, where)
    municipality = Municipality.from_folder(folder)
    applicants = pd.DataFrame({"applicant_id": ["a"], "list": ["internal"],
                               "seniority_date": pd.to_datetime(["2019-01-01"]),
                               "household_size": [2]})
    with Ledger.open(target, readonly=True) as ledger:
        assert ledger.readonly
        writes = [
            lambda: ledger.record_vacancy("V2", "D004-002", "D004", "family", "2024-04-01",
                                          5200.0, 3, colour="green"),
            lambda: ledger.void("V1", "test", "2024-04-02"),
            lambda: ledger.correct("V1", "test", "2024-04-02", monthly_rent_dkk=5300.0),
            lambda: ledger.set_flexible_share("D004", "1/2", "2024-04-02"),
            lambda: fuaalborg.OfferRound("V1", ledger.rank("V1", applicants,
                                                           municipality=municipality),
                                         ledger=ledger).send("2024-04-02"),
        ]
        for write in writes:
            with pytest.raises(FuaalborgError, match="read-only"):
                write()
        with pytest.raises(FuaalborgError, match="read-only"), ledger.batch():
            pass
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              figures=False)
        assert not report.empty
        store: Any = ledger.store
        if kind != "file":  # the database refuses a write in a read-only session itself
            with pytest.raises(Exception, match=r"(?i)read.?only"):
                store._conn.execute("DELETE FROM ledger_events")
    assert _snapshot(target, kind, where) == before


def test_a_reader_where_no_lock_file_can_be_made_still_reads(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno
    import os

    from fuaalborg.letting.store import file as file_store

    target = _ledger(folder, str(tmp_path / "l.jsonl"))
    (tmp_path / "l.jsonl.lock").unlink()
    real_open = os.open

    def read_only_place(path: Any, flags: int, *args: Any) -> int:
        if str(path).endswith(".lock"):
            raise OSError(errno.EROFS, "Read-only file system", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(file_store.os, "open", read_only_place)
    with Ledger.open(target, readonly=True) as ledger:
        assert [e["type"] for e in ledger.events()] == ["created", "rules", "vacancy"]
    with pytest.raises(OSError, match="Read-only"):
        Ledger.open(target)  # a writer needs the lock


# -- R7's audit ---------------------------------------------------------------------------


def test_the_reports_audit_reads_plugin_fields_with_their_declared_types(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[str] = []
    plugin = volunteer_plugin(seen)
    waiting = folder / "venteliste.csv"
    lines = waiting.read_text(encoding="utf-8-sig").splitlines()
    lines = [lines[0] + ";volunteer"] + [f"{line};{'ja' if i % 3 else 'nej'}"
                                        for i, line in enumerate(lines[1:])]
    waiting.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    monkeypatch.setattr(fuaalborg.criteria, "load", lambda **_: load_plugin(plugin))
    target = _ledger(folder, str(tmp_path / "l.jsonl"))
    book = tmp_path / "rapport.xlsx"
    result = run("report", "--municipality", folder, *PERIOD, "--ledger", target, "-o", book)
    assert result.exit_code == 0, result.output
    assert seen
    assert set(seen) == {"boolean"}
    audit = pd.read_excel(book, sheet_name=None)
    text = "\n".join(frame.to_string() for frame in audit.values())
    assert "vol.volunteer" in text


def test_an_analyst_who_may_only_read_the_database_gets_a_report(
    folder: Path, tmp_path: Path, postgres: Any, pg_url: str
) -> None:
    import psycopg

    _ledger(folder, pg_url)
    dbname = pg_url.split("/")[3].split("?")[0]
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("DROP ROLE IF EXISTS analyst")
        conn.execute("CREATE ROLE analyst LOGIN")
        conn.execute("GRANT SELECT ON ALL TABLES IN SCHEMA public TO analyst")
    analyst = pg_url.replace(f"{postgres.user}@", "analyst@", 1)
    assert dbname in analyst
    with Ledger.open(analyst) as ledger, pytest.raises(FuaalborgError, match="may not do this"):
        ledger.record_vacancy("V2", "D004-002", "D004", "family", "2024-04-01", 5200.0, 3,
                              colour="green")
    refused = run("ledger", "vacancy", analyst, "V2", "D004-002", "D004", "family",
                  "2024-04-01", "5200", "3", "--colour", "green")
    assert refused.exit_code == 1
    assert "Traceback" not in refused.output
    assert "may not do this" in refused.output
    book = tmp_path / "rapport.xlsx"
    result = run("report", "--municipality", folder, *PERIOD, "--ledger", analyst, "-o", book,
                 "--no-audit")
    assert result.exit_code == 0, result.output
    assert book.exists()
