"""The letting ledger: API, bad input, durability (torn lines, repair, locking, SIGKILL)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

import fuaalborg
from fuaalborg.letting.events import encode
from fuaalborg.letting.ledger import (
    Ledger,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
    LedgerInputError,
    LedgerLockedError,
    TornLineWarning,
)

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


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger.create(tmp_path / "ledger.jsonl", REGISTRY, name="test") as opened:
        yield opened


def _vacancies(ledger: Ledger, n: int, dep: str = "A", start: int = 0,
               colour: str = "green") -> list[fuaalborg.Decision]:
    return [
        ledger.record_vacancy(f"{dep}-{i}", f"{dep}1", dep, "family",
                              dt.date(2024, 1, 1) + dt.timedelta(days=i), 4100.0, 2,
                              colour=colour)
        for i in range(start, start + n)
    ]


def test_public_names() -> None:
    assert fuaalborg.Ledger is Ledger
    assert fuaalborg.letting.Ledger is Ledger
    assert callable(fuaalborg.check_referral)
    assert fuaalborg.OfferRound.__name__ == "OfferRound"


def test_decision_carries_reason_and_rule_versions(ledger: Ledger) -> None:
    decisions = _vacancies(ledger, 4)
    fourth = decisions[3]
    assert fourth.route == "referral"
    assert fourth.subroute is None
    assert fourth.turn is None
    assert fourth.n_referral == 4
    assert fourth.rules["referral.share"]["value"] == "1/4"
    assert fourth.rules["referral.share"]["reference"].startswith("Almenboligloven § 59")
    assert fourth.rules["letting.internal_share"]["from"] == "2019-07-01"
    first = decisions[0]
    assert (first.route, first.subroute, first.turn) == ("waiting_list", "ordinary", "internal")
    assert "internal turn" in first.reason
    rules_events = ledger.events(type="rules")
    assert len(rules_events) == 1  # the same rules all year: written once


def test_bab_and_red(ledger: Ledger) -> None:
    bab = ledger.record_vacancy("X0", "AB", "A", "bab", "2024-01-20", 3000, 2, colour="green")
    assert (bab.route, bab.reason_code) == ("referral", "bab")
    assert ledger.counters("A") == fuaalborg.letting.Counters()
    # in a red department the referral does not place, BAB dwellings included (reading)
    bab = ledger.record_vacancy("X1", "AB", "A", "bab", "2024-02-01", 3000, 2, colour="red")
    assert (bab.route, bab.subroute, bab.reason_code) == ("waiting_list", "flexible",
                                                          "bab_exempt")
    assert "does not place" in bab.reason
    assert ledger.counters("A").referral == 0
    red = [ledger.record_vacancy(f"R{i}", "R1", "R", "family", f"2024-02-0{i + 1}", 5000, 3,
                                 colour="red") for i in range(5)]
    assert {d.route for d in red} == {"waiting_list"}
    assert {d.subroute for d in red} == {"flexible"}
    assert ledger.counters("R").referral == 0


def test_rules_before_the_step_model_count_every_colour(ledger: Ledger) -> None:
    decisions = [ledger.record_vacancy(f"O{i}", "R1", "R", "family", f"2018-0{i + 1}-01", 4000,
                                       2, colour="red") for i in range(4)]
    assert decisions[3].route == "referral"  # before 2023 no department is exempt
    # before the 50/50 rule of 1 July 2019 the internal list went first every time
    assert decisions[0].turn == "internal"


def test_declined_referral_returns_to_waiting_list_turn_used(ledger: Ledger) -> None:
    decisions = _vacancies(ledger, 4)
    assert decisions[3].route == "referral"
    returned = ledger.record_answer("A-3", "declined", "2024-01-10")
    assert returned.route == "waiting_list"
    assert returned.returned
    assert returned.reason_code == "returned"
    assert returned.turn == "external"
    assert returned.n_flexible == 4
    assert ledger.counters("A").referral == 4  # the referral's turn stays used
    after = _vacancies(ledger, 4, start=10)
    assert [d.route for d in after] == ["waiting_list"] * 3 + ["referral"]
    assert ledger.status("A-3") == "returned"


def test_answers_flow(ledger: Ledger) -> None:
    _vacancies(ledger, 4)
    ledger.record_answer("A-3", "accepted", "2024-01-05")
    ledger.record_answer("A-3", "let", "2024-01-20")
    assert ledger.status("A-3") == "let"
    with pytest.raises(LedgerInputError, match="cannot record"):
        ledger.record_answer("A-3", "declined", "2024-01-21")


def test_state_on_past_dates(ledger: Ledger) -> None:
    _vacancies(ledger, 8)
    _vacancies(ledger, 2, dep="B", start=10)
    early = ledger.state("2024-01-04").set_index("department_id")
    assert early.loc["A", "referral"] == 4
    assert early.loc["A", "referred"] == 1
    assert early.loc["B", "vacancies"] == 0
    now = ledger.state().set_index("department_id")
    assert now.loc["A", "referral"] == 8
    assert now.loc["A", "referred"] == 2
    assert now.loc["A", "turns"] == 6
    assert now.loc["B", "vacancies"] == 2
    assert list(now.index) == ["A", "B", "R"]


def test_events_filters_and_export(ledger: Ledger, tmp_path: Path) -> None:
    _vacancies(ledger, 4)
    _vacancies(ledger, 1, dep="B")
    assert len(ledger.events(type="vacancy")) == 5
    assert len(ledger.events(department_id="B")) == 1
    assert len(ledger.events(type="vacancy", since="2024-01-03", until="2024-01-04")) == 2
    assert [e["vacancy_id"] for e in ledger.events(vacancy_id="A-3")] == ["A-3"]
    frame = ledger.to_frame()
    assert {"seq", "type", "on", "route", "crc"} - set(frame.columns) == {"crc"}
    out = ledger.to_xlsx(tmp_path / "ledger.xlsx")
    sheets = pd.read_excel(out, sheet_name=None)
    assert set(sheets) == {"events", "state"}
    assert len(sheets["events"]) == len(ledger.events())


# ---------------------------------------------------------------------------
# bad input: a clear error, nothing written


def _size(ledger: Ledger) -> int:
    return ledger.path.stat().st_size


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("V9", "A1", "Z", "family", "2024-03-01", 4000, 2), "unknown department 'Z'"),
        (("V9", "ZZ", "A", "family", "2024-03-01", 4000, 2), "unknown dwelling 'ZZ'"),
        (("V9", "B1", "A", "family", "2024-03-01", 4000, 2), "belongs to department 'B'"),
        (("V9", "AB", "A", "family", "2024-03-01", 4000, 2), "is a bab dwelling"),
        (("A-0", "A1", "A", "family", "2024-03-01", 4000, 2), "already recorded"),
        (("V9", "A1", "A", "family", "2024-13-01", 4000, 2), "not a date"),
        (("V9", "A1", "A", "family", "2024-03-01", -5, 0), "rooms"),
    ],
)
def test_bad_vacancies_write_nothing(ledger: Ledger, args: tuple[object, ...],
                                     message: str) -> None:
    _vacancies(ledger, 1)
    before = _size(ledger), ledger.counters("A")
    with pytest.raises(LedgerInputError, match=message) as info:
        ledger.record_vacancy(*args, colour="green")  # type: ignore[arg-type]
    assert "nothing was written" in str(info.value)
    assert (_size(ledger), ledger.counters("A")) == before


def test_all_problems_at_once(ledger: Ledger) -> None:
    with pytest.raises(LedgerInputError) as info:
        ledger.record_vacancy("", "ZZ", "Z", "castle", "soon", "x", 0, colour="blue")
    assert len(info.value.problems) >= 6


def test_colour_required_without_step_model(ledger: Ledger) -> None:
    size = _size(ledger)
    with pytest.raises(LedgerInputError, match="colour: required"):
        ledger.record_vacancy("V1", "A1", "A", "family", "2024-03-01", 4000, 2)
    assert _size(ledger) == size


def test_colour_source_used(tmp_path: Path) -> None:
    def colour(dep: str, on: dt.date) -> str:
        return "red" if dep == "R" else "green"

    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, colour_source=colour) as led:
        d = led.record_vacancy("V1", "R1", "R", "family", "2024-03-01", 4000, 2)
        assert d.colour == "red"
        assert d.colour_basis == "step model"


def test_bad_answers_write_nothing(ledger: Ledger) -> None:
    _vacancies(ledger, 4)
    size = _size(ledger)
    for args, message in [
        (("A-0", "accepted", "2024-02-01"), "was not referred"),
        (("nope", "accepted", "2024-02-01"), "unknown vacancy"),
        (("A-3", "maybe", "2024-02-01"), "is not one of"),
        (("A-3", "declined", "2023-02-01"), "before the vacancy"),
    ]:
        with pytest.raises(LedgerInputError, match=message):
            ledger.record_answer(*args)
    assert _size(ledger) == size


def test_flexible_shares(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, flexible_shares={"B": "1/2"}) as led:
        subs = [led.record_vacancy(f"V{i}", "B1", "B", "family", f"2024-03-0{i + 1}", 4000, 2,
                                   colour="green").subroute for i in range(3)]
        assert subs == ["ordinary", "flexible", "ordinary"]
        led.set_flexible_share("B", Fraction(1), "2024-04-01")
        d = led.record_vacancy("V9", "B1", "B", "family", "2024-04-02", 4000, 2, colour="green")
        assert d.route == "referral"
        d = led.record_vacancy("V10", "B1", "B", "family", "2024-04-03", 4000, 2, colour="green")
        assert d.subroute == "flexible"
    with Ledger.open(tmp_path / "l.jsonl", readonly=True) as again:
        assert again.decision("V10").subroute == "flexible"
    with pytest.raises(LedgerInputError, match="unknown department"):
        Ledger.create(tmp_path / "m.jsonl", REGISTRY, flexible_shares={"Q": "1/2"})


# ---------------------------------------------------------------------------
# durability


def test_create_refuses_existing_file(ledger: Ledger) -> None:
    with pytest.raises(LedgerError, match="already exists"):
        Ledger.create(ledger.path, REGISTRY)


def test_line_format_has_seq_time_rules_and_checksum(ledger: Ledger) -> None:
    _vacancies(ledger, 2)
    lines = ledger.path.read_bytes().splitlines()
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(len(events)))
    assert all("at" in e and "crc" in e for e in events)
    assert events[-1]["rules"] == events[1]["id"]


def test_two_writers_share_one_file_and_readers_see_new_events(ledger: Ledger) -> None:
    other = Ledger.open(ledger.path)  # a second writer waits for the lock, never fails
    reader = Ledger.open(ledger.path, readonly=True)
    try:
        ledger.record_vacancy("V1", "A1", "A", "family", "2024-03-01", 4000, 2, colour="green")
        other.record_vacancy("V2", "A2", "A", "family", "2024-03-02", 4000, 2, colour="green")
        ledger.record_vacancy("V3", "A3", "A", "family", "2024-03-03", 4000, 2, colour="green")
        assert [d.n_referral for d in (ledger.decision(v) for v in ("V1", "V2", "V3"))] == [
            1, 2, 3]
        assert reader.counters("A").referral == 3  # without reopening
        with pytest.raises(LedgerError, match="read-only"):
            reader.record_vacancy("V4", "A1", "A", "family", "2024-03-04", 4000, 2,
                                  colour="green")
    finally:
        other.close()
        reader.close()


def test_a_writer_in_another_process_waits_and_counts_on(ledger: Ledger) -> None:
    ledger.record_vacancy("V1", "A1", "A", "family", "2024-03-01", 4000, 2, colour="green")
    code = textwrap.dedent(f"""
        from fuaalborg.letting.ledger import Ledger
        with Ledger.open({str(ledger.path)!r}) as other:
            d = other.record_vacancy("V2", "A2", "A", "family", "2024-03-02", 4000, 2,
                                     colour="green")
            print(d.n_referral)
    """)
    with ledger.batch():  # holds the lock: the other process waits for it
        ledger.record_vacancy("V0", "A3", "A", "family", "2024-03-01", 4000, 2, colour="green")
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                 text=True)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0
    assert out.strip() == "3"
    assert ledger.decision("V2").n_referral == 3


def test_a_writer_that_waits_too_long_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    Ledger.create(path, REGISTRY).close()
    with Ledger.open(path) as holder, Ledger.open(path, wait=0.05) as impatient:
        size = path.stat().st_size
        with holder.batch(), pytest.raises(LedgerBusyError, match=r"more than 0\.05 s"):
            impatient.record_vacancy("V1", "A1", "A", "family", "2024-03-01", 4000, 2,
                                     colour="green")
        assert path.stat().st_size == size
        assert isinstance(LedgerBusyError("x"), LedgerLockedError)


def test_late_vacancies_are_counted_in_recording_order(ledger: Ledger) -> None:
    first = ledger.record_vacancy("V1", "A1", "A", "family", "2024-03-10", 4000, 2,
                                  colour="green")
    late = ledger.record_vacancy("V2", "A2", "A", "family", "2024-03-01", 4000, 2,
                                 colour="green")
    assert (first.late, late.late) == (False, True)
    assert late.n_referral == 2  # the order recorded, not the date
    assert ledger.state().set_index("department_id").loc["A", "late"] == 1
    ledger.void("V1", "typed the wrong date", "2024-03-11", by="kb")
    assert not ledger.record_vacancy("V3", "A3", "A", "family", "2024-03-05", 4000, 2,
                                     colour="green").late


def test_torn_last_line_reported_and_repaired(ledger: Ledger) -> None:
    _vacancies(ledger, 3)
    ledger.close()
    good_size = ledger.path.stat().st_size
    with open(ledger.path, "ab") as handle:
        handle.write(b'{"seq":4,"type":"vacancy","on":"2024-')
    with pytest.warns(TornLineWarning, match="line 6"):
        torn = Ledger.open(ledger.path)
    assert torn.torn is not None
    assert torn.torn.offset == good_size
    assert len(torn.events(type="vacancy")) == 3
    with pytest.raises(LedgerError, match="torn line"):
        torn.record_vacancy("V", "A1", "A", "family", "2024-03-01", 4000, 2, colour="green")
    torn.close()
    report = Ledger.repair(ledger.path)
    assert report.dropped is not None
    assert report.dropped.length == 37
    assert "dropped 37 bytes" in report.describe()
    assert ledger.path.stat().st_size == good_size
    with Ledger.open(ledger.path) as fixed:
        assert fixed.torn is None
        fixed.record_vacancy("V", "A1", "A", "family", "2024-03-01", 4000, 2, colour="green")
    assert Ledger.repair(ledger.path).dropped is None


def test_damaged_complete_last_line_is_torn(ledger: Ledger) -> None:
    _vacancies(ledger, 2)
    ledger.close()
    data = bytearray(ledger.path.read_bytes())
    data[-5] = ord("0") if data[-5] != ord("0") else ord("1")  # inside the checksum
    ledger.path.write_bytes(bytes(data))
    with pytest.warns(TornLineWarning):
        Ledger.open(ledger.path, readonly=True).close()


def test_damage_before_the_last_line_is_corruption(ledger: Ledger) -> None:
    _vacancies(ledger, 4)
    ledger.close()
    lines = ledger.path.read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"family"', b'"bab"   ')
    ledger.path.write_bytes(b"".join(lines))
    size = ledger.path.stat().st_size
    with pytest.raises(LedgerCorruptError, match=r"lines \[3\]"):
        Ledger.open(ledger.path)
    with pytest.raises(LedgerCorruptError):
        Ledger.repair(ledger.path)
    assert ledger.path.stat().st_size == size


def test_replay_detects_a_decision_that_does_not_follow(ledger: Ledger) -> None:
    _vacancies(ledger, 2)
    ledger.close()
    lines = ledger.path.read_bytes().splitlines(keepends=True)
    event = json.loads(lines[-1])
    del event["crc"]
    event["subroute"] = "flexible"  # rewritten with a valid checksum
    lines[-1] = encode(event)
    ledger.path.write_bytes(b"".join(lines))
    with pytest.raises(LedgerCorruptError, match="subroute"):
        Ledger.open(ledger.path, readonly=True)


def test_sigkill_while_appending_loses_no_acknowledged_event(tmp_path: Path) -> None:
    path = tmp_path / "crash.jsonl"
    REGISTRY.to_csv(tmp_path / "registry.csv", index=False)
    code = textwrap.dedent(f"""
        import sys, datetime as dt
        import pandas as pd
        from fuaalborg.letting.ledger import Ledger
        registry = pd.read_csv({str(tmp_path / "registry.csv")!r})
        ledger = Ledger.create({str(path)!r}, registry)
        sys.stdout.write("ready\\n"); sys.stdout.flush()
        day = dt.date(2020, 1, 1)
        for i in range(20000):
            dep = "AB"[i % 2]
            ledger.record_vacancy(f"V{{i}}", dep + "1", dep, "family",
                                  day + dt.timedelta(days=i // 50), 4000.0, 2, colour="green")
            sys.stdout.write(f"V{{i}}\\n"); sys.stdout.flush()
    """)
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    acknowledged = []
    for line in child.stdout:
        if line.strip() != "ready":
            acknowledged.append(line.strip())
        if len(acknowledged) >= 1500:
            break
    # the child must have been appending when killed, not dead before writing
    assert len(acknowledged) >= 1500, f"only {len(acknowledged)} events acknowledged"
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=60) == -signal.SIGKILL
    acknowledged.extend(x.strip() for x in child.stdout.read().splitlines() if x.strip())
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        reopened = Ledger.open(path, readonly=True)
    torn = [w for w in caught if issubclass(w.category, TornLineWarning)]
    assert len(torn) <= 1
    recorded = {e["vacancy_id"] for e in reopened.events(type="vacancy")}
    assert set(acknowledged) <= recorded
    assert len(recorded) - len(acknowledged) <= 1  # at most the one in flight
    if reopened.torn is not None:
        Ledger.repair(path)
    with Ledger.open(path) as again:
        assert {e["vacancy_id"] for e in again.events(type="vacancy")} == recorded
