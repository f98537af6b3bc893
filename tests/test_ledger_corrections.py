"""Voids and corrections: a vacancy recorded in error stops counting; history is not rewritten."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg.cli import main
from fuaalborg.letting.ledger import Ledger, LedgerInputError
from fuaalborg.letting.offers import OfferRound
from fuaalborg.letting.routing import Counters
from ledger_support import Ranked

REGISTRY = pd.DataFrame(
    {
        "dwelling_id": ["A1", "A2", "AB", "B1", "R1", "Z1"],
        "department_id": ["A", "A", "A", "B", "R", "A"],
        "kind": ["family", "family", "bab", "family", "family", "family"],
    }
)
#: Each department its own housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), here the same as per department.
REGISTRY["organisation_cvr"] = "org-" + REGISTRY["department_id"]
COLOURS = {"A": "green", "B": "yellow", "R": "red"}


def _record(ledger: Ledger, vid: str, dep: str = "A", day: str = "2024-02-01",
            kind: str = "family") -> None:
    dwelling = {"A": "A1", "B": "B1", "R": "R1"}[dep] if kind == "family" else "AB"
    ledger.record_vacancy(vid, dwelling, dep, kind, day, 4000.0, 2, colour=COLOURS[dep])


def test_a_void_stops_counting_from_then_and_rewrites_nothing(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, REGISTRY) as ledger:
        for i in range(1, 6):
            _record(ledger, f"V{i}", day=f"2024-02-0{i}")
        before = path.read_bytes()
        decisions = ledger.decisions()
        assert ledger.counters("A") == Counters(5, 4, 4)
        after = ledger.void("V2", "the tenant withdrew the notice", "2024-02-06", by="kb")
        assert after == Counters(4, 3, 3)  # V2 was a counting, waiting-list, turn-taking letting
        assert path.read_bytes().startswith(before)  # history unchanged, the void appended
        pd.testing.assert_frame_equal(ledger.decisions().drop(columns=["seq"]),
                                      decisions.drop(columns=["seq"]))
        assert ledger.status("V2") == "void"
        # counting goes on from the void: V6 is the 5th counting vacancy, V9 the 8th
        routes = []
        for i in range(6, 10):
            _record(ledger, f"V{i}", day=f"2024-02-{i + 4:02d}")
            routes.append((ledger.decision(f"V{i}").n_referral,
                           ledger.decision(f"V{i}").route))
        assert routes == [(5, "waiting_list"), (6, "waiting_list"), (7, "waiting_list"),
                          (8, "referral")]
        report = ledger.verify()
        assert report.voided == 1
        (void,) = report.corrections
        assert (void.type, void.by, void.reason) == ("void", "kb",
                                                     "the tenant withdrew the notice")
        assert ("stops counting (referral -1, flexible -1, turns -1, organisation_turns -1)"
                in void.describe())


def test_voiding_the_referrals_turn_gives_the_referral_the_next_one(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY) as ledger:
        for i in range(1, 5):
            _record(ledger, f"V{i}", day=f"2024-02-0{i}")
        assert ledger.decision("V4").route == "referral"
        assert ledger.void("V4", "recorded twice", "2024-02-05", by="kb") == Counters(3, 3, 3)
        _record(ledger, "V5", day="2024-02-06")
        assert ledger.decision("V5").route == "referral"
        # a declined, returned dwelling gives back its waiting-list letting too
        ledger.record_answer("V5", "declined", "2024-02-07")
        assert ledger.void("V5", "not vacant after all", "2024-02-08", by="kb") == Counters(
            3, 3, 3)
        ledger.verify()


def test_corrections_change_facts_not_routes(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY) as ledger:
        ledger.record_vacancy("V1", "A1", "A", "family", "2024-02-01", 1e300, 2, colour="green")
        route = ledger.decision("V1")
        fixed = ledger.correct("V1", "rent typed wrong", "2024-02-02", by="kb",
                               monthly_rent_dkk=4200.0, dwelling_id="Z1", rooms=3)
        assert (fixed.monthly_rent_dkk, fixed.dwelling_id, fixed.rooms) == (4200.0, "Z1", 3)
        assert (fixed.route, fixed.turn, fixed.n_referral) == (route.route, route.turn,
                                                              route.n_referral)
        size = ledger.path.stat().st_size  # type: ignore[union-attr]
        for fields, message in [
            ({"department_id": "B"}, "decides the vacancy's route"),
            ({"colour": "red"}, "decides the vacancy's route"),
            ({"dwelling_id": "B1"}, r"void the vacancy \(Ledger.void\) and record it again"),
            ({"dwelling_id": "AB"}, "is a bab dwelling"),
            ({"vacant_on": "2022-12-30"}, "falls under other rules"),
            ({"monthly_rent_dkk": float("inf")}, "is not a number >= 0"),
            ({"monthly_rent_dkk": 4200.0}, "monthly_rent_dkk: already 4200.0"),
            ({"flavour": "x"}, "flavour: not a fact"),
            ({}, "nothing to correct"),
        ]:
            with pytest.raises(LedgerInputError, match=message):
                ledger.correct("V1", "try", "2024-02-03", by="kb", **fields)
        with pytest.raises(LedgerInputError, match="reason: required"):
            ledger.correct("V1", " ", "2024-02-03", by="kb", rooms=2)
        assert ledger.path.stat().st_size == size  # type: ignore[union-attr]
        ledger.correct("V1", "date typed wrong", "2024-02-03", by="kb", vacant_on="2024-01-28")
        assert ledger.vacancy("V1")["on"] == "2024-01-28"
        ledger.verify()


def test_a_let_vacancy_or_an_open_round_cannot_be_voided(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY) as ledger:
        _record(ledger, "V1")
        offers = OfferRound("V1", Ranked(ledger, "V1", ["a"]), ledger=ledger, size=1)
        offers.send("2024-02-02")
        with pytest.raises(LedgerInputError, match="open offer round"):
            ledger.void("V1", "x", "2024-02-03", by="kb")
        offers.answer("a", "accept", "2024-02-03")
        offers.close("2024-02-04")
        offers.sign("2024-02-05")
        with pytest.raises(LedgerInputError, match="is let"):
            ledger.void("V1", "x", "2024-02-06", by="kb")
        _record(ledger, "V2")
        ledger.void("V2", "x", "2024-02-06", by="kb")
        with pytest.raises(LedgerInputError, match="already void"):
            ledger.void("V2", "x", "2024-02-07", by="kb")
        with pytest.raises(LedgerInputError, match="is void"):
            OfferRound("V2", Ranked(ledger, "V1", ["b"]), ledger=ledger)


_steps = st.lists(
    st.one_of(
        st.tuples(st.just("record"), st.sampled_from(["A", "B", "R"]),
                  st.sampled_from(["family", "family", "family", "bab"])),
        st.tuples(st.just("void"), st.integers(0, 40), st.just("")),
        st.tuples(st.just("decline"), st.integers(0, 40), st.just("")),
    ),
    min_size=1, max_size=40,
)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps)
def test_counters_always_equal_a_recount_of_what_still_counts(
    steps: list[tuple[str, object, str]], tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("voids")
    recorded: list[str] = []
    with Ledger.create(folder / "l.jsonl", REGISTRY) as ledger, ledger.batch():
        for number, (op, what, kind) in enumerate(steps):
            day = (dt.date(2024, 1, 1) + dt.timedelta(days=number)).isoformat()
            if op == "record":
                dep = str(what)
                if kind == "bab" and dep != "A":
                    kind = "family"
                vid = f"V{number}"
                _record(ledger, vid, dep, day, kind)
                recorded.append(vid)
            elif recorded:
                vid = recorded[int(str(what)) % len(recorded)]
                status = ledger.status(vid)
                if op == "void" and status != "void":
                    ledger.void(vid, "test", day, by="t")
                elif op == "decline" and status == "referred":
                    ledger.record_answer(vid, "declined", day)
        report = ledger.verify()
        # the recount: what every vacancy not void added to its department's counters
        expected = {d: [0, 0, 0] for d in COLOURS}
        for vid in recorded:
            if ledger.status(vid) == "void":
                continue
            events = ledger.events(vacancy_id=vid, type=["vacancy", "answer"])
            dep = events[0]["department_id"]
            expected[dep][0] += events[0]["reason_code"] in ("referral_turn",
                                                             "waiting_list_turn")
            for event in events:
                if event["type"] == "answer" and event["answer"] != "declined":
                    continue
                expected[dep][1] += event["route"] == "waiting_list"
                expected[dep][2] += event.get("n_turn") is not None
        counters = {d: ledger.counters(d) for d in COLOURS}
        assert {d: [c.referral, c.flexible, c.turns] for d, c in counters.items()} == expected
        assert report.voided == sum(ledger.status(v) == "void" for v in recorded)


def test_void_and_correct_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, REGISTRY) as ledger:
        _record(ledger, "V1")
        _record(ledger, "V2", day="2024-02-02")
    runner = CliRunner()
    result = runner.invoke(main, ["ledger", "void", str(path), "V1", "2024-02-03",
                                  "--reason", "not vacant", "--by", "kb"])
    assert result.exit_code == 0, result.output
    assert result.output == ("V1: void from 2024-02-03; department A's counters now referral 1, "
                             "flexible 1, turns 1\n")
    result = runner.invoke(main, ["ledger", "correct", str(path), "V2", "2024-02-03",
                                  "--reason", "typo", "--by", "kb", "--rent", "4100"])
    assert result.exit_code == 0, result.output
    assert "--rent 4.000 kr. -> 4.100 kr.; reason: typo" in result.output
    result = runner.invoke(main, ["ledger", "correct", str(path), "V2", "2024-02-03",
                                  "--reason", "typo"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing to correct")
    result = runner.invoke(main, ["ledger", "void", str(path), "V9", "2024-02-03",
                                  "--reason", "x"])
    assert result.exit_code == 1
    assert "unknown vacancy 'V9'" in result.output
    assert "Traceback" not in result.output


def test_a_correction_names_each_fact_as_its_caller_does(tmp_path: Path) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, REGISTRY) as ledger:
        _record(ledger, "V1")
        ledger.correct("V1", "typo", "2024-02-03", by="kb", monthly_rent_dkk=45000.5,
                       rooms=3, dwelling_id="A2", vacant_on="2024-02-02")
        (fix,) = ledger.corrections()
    # structured: the event keeps the values; the line shows them as the screen writes them
    assert dict(fix.changes)["monthly_rent_dkk"] == [4000.0, 45000.5]
    library = fix.describe()
    assert ("monthly_rent_dkk 4.000 kr. -> 45.000,50 kr., rooms 2 -> 3, vacant_on 2024-02-01 "
            "-> 2024-02-02, dwelling_id A1 -> A2; reason: typo") in library
    result = CliRunner().invoke(main, ["ledger", "verify", str(path)])
    assert result.exit_code == 0, result.output
    assert ("--rent 4.000 kr. -> 45.000,50 kr., --rooms 2 -> 3, --vacant-on 2024-02-01 -> "
            "2024-02-02, --dwelling A1 -> A2; reason: typo") in result.output
    assert "monthly_rent_dkk" not in result.output
    assert "'A1'" not in result.output
