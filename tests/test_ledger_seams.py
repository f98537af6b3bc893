"""The seams: a ranking must be made for the vacancy's decision; malformed events are named."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import fuaalborg
from fuaalborg.cli import main
from fuaalborg.letting.events import encode
from fuaalborg.letting.ledger import Ledger, LedgerCorruptError, LedgerInputError
from fuaalborg.letting.offers import OfferRound

REGISTRY = pd.DataFrame(
    {"dwelling_id": ["A1", "A2", "A3", "A4"], "department_id": ["A"] * 4, "kind": ["family"] * 4}
)
#: Each department its own housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), here the same as per department.
REGISTRY["organisation_cvr"] = "org-" + REGISTRY["department_id"]
APPLICANTS = pd.DataFrame(
    {
        "applicant_id": ["a", "b", "c", "d"],
        "list": ["internal", "external", "external", "internal"],
        "seniority_date": pd.to_datetime(["2015-01-01", "2016-01-01", "2014-01-01",
                                          "2013-01-01"]),
        "household_size": [1, 2, 3, 2],
    }
)
ON = dt.date(2024, 3, 1)


@pytest.fixture
def ledger(tmp_path: Path) -> Ledger:
    with Ledger.create(tmp_path / "ledger.jsonl", REGISTRY) as opened:
        for i in range(1, 5):
            opened.record_vacancy(f"V{i}", f"A{i}", "A", "family", ON, 4500.0, 2,
                                  colour="green")
        yield opened


def _vacancy(dwelling: str = "A1", rooms: int = 2, rent: float = 4500.0,
             department: str = "A") -> fuaalborg.Vacancy:
    return fuaalborg.Vacancy(department, rooms=rooms, monthly_rent_dkk=rent, vacant_on=ON,
                             dwelling_id=dwelling)


def test_ledger_rank_is_rank_with_the_decisions_route_and_turn(ledger: Ledger) -> None:
    for vid, dwelling in (("V1", "A1"), ("V2", "A2")):
        decision = ledger.decision(vid)
        ours = ledger.rank(vid, APPLICANTS)
        theirs = fuaalborg.rank(APPLICANTS, _vacancy(dwelling), route=decision.subroute,
                                turn=decision.turn, colour=decision.colour, on=decision.on)
        pd.testing.assert_frame_equal(ours.frame, theirs.frame)
        assert (ours.route, ours.turn) == (decision.subroute, decision.turn)
    assert ledger.rank("V2", APPLICANTS).frame["list"].unique().tolist() == ["external"]
    with pytest.raises(LedgerInputError, match="went to the municipal referral"):
        ledger.rank("V4", APPLICANTS)


@pytest.mark.parametrize(
    ("ranking", "message"),
    [
        (lambda: fuaalborg.rank(APPLICANTS, _vacancy(), route="ordinary", turn="external",
                                colour="green"),
         "the ranking is for the external turn, the vacancy's decision is the internal turn"),
        (lambda: fuaalborg.rank(APPLICANTS, _vacancy(), route="ordinary", colour="green"),
         "the ranking is for no turn (both lists as one), the vacancy's decision is the "
         "internal turn"),
        (lambda: fuaalborg.rank(APPLICANTS, _vacancy(), route="flexible", turn="internal",
                                colour="green", agreement=_agreement()),
         "the ranking is for the flexible route, the vacancy's decision is ordinary"),
        (lambda: fuaalborg.rank(APPLICANTS, _vacancy("A2"), route="ordinary", turn="internal",
                                colour="green"),
         "the ranking is for dwelling 'A2', the vacancy's is 'A1'"),
        (lambda: fuaalborg.rank(APPLICANTS, _vacancy(rooms=3, rent=4600), route="ordinary",
                                turn="internal", colour="green"),
         "rooms 3, the vacancy's is 2"),
        (lambda: fuaalborg.rank(APPLICANTS, fuaalborg.Vacancy("A", 2, 4500.0, ON),
                                route="ordinary", turn="internal", colour="green"),
         "the ranking names no dwelling"),
    ],
)
def test_an_offer_round_refuses_a_ranking_made_for_another_decision(
    ledger: Ledger, ranking: object, message: str
) -> None:
    size = ledger.path.stat().st_size  # type: ignore[union-attr]
    with pytest.raises(LedgerInputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        OfferRound("V1", ranking(), ledger=ledger)  # type: ignore[operator]
    assert ledger.path.stat().st_size == size  # type: ignore[union-attr]


def test_a_returned_dwelling_is_ranked_for_its_return(ledger: Ledger) -> None:
    ledger.record_answer("V4", "declined", "2024-03-05")
    decision = ledger.decision("V4")
    ranking = ledger.rank("V4", APPLICANTS)
    assert (ranking.turn, ranking.on) == (decision.turn, dt.date(2024, 3, 5))
    offers = OfferRound("V4", ranking, ledger=ledger, size=1)
    assert offers.send("2024-03-06") == ranking.frame["applicant_id"].tolist()[:1]


def _agreement() -> object:
    from fuaalborg.records import AgreementTerms

    return AgreementTerms(organisation_cvr="12011814", groups=(), flexible_share="1",
                          legal_basis="an agreement that lets everything flexibly")


# ---------------------------------------------------------------------------
# malformed events: LedgerCorruptError naming the event and the field


def _rewrite(path: Path, seq: int, change: object) -> None:
    lines = path.read_bytes().splitlines(keepends=True)
    doc = json.loads(lines[seq])
    del doc["crc"]
    change(doc)  # type: ignore[operator]
    lines[seq] = encode(doc)  # a valid checksum: only the form is wrong
    path.write_bytes(b"".join(lines))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("department_id"), r"event 2 \(vacancy\): department_id: missing"),
        (lambda d: d.update(colour_of_door="blue"),
         r"event 2 \(vacancy\): unknown field colour_of_door"),
        (lambda d: d.update(rooms="2"), r"event 2 \(vacancy\): rooms: expected a whole number"),
        (lambda d: d.update(on="2024-02-30"), r"event 2 \(vacancy\): on: expected a date"),
        (lambda d: d.update(type="vacation"), r"event 2: unknown event type 'vacation'"),
    ],
)
def test_a_malformed_event_is_named_with_its_field(tmp_path: Path, change: object,
                                                  message: str) -> None:
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, REGISTRY) as ledger:
        ledger.record_vacancy("V1", "A1", "A", "family", ON, 4500.0, 2, colour="green")
    _rewrite(path, 2, change)
    with pytest.raises(LedgerCorruptError, match=message):
        Ledger.open(path, readonly=True)
    result = CliRunner().invoke(main, ["ledger", "state", str(path)])
    assert result.exit_code == 1
    assert len(result.output.splitlines()) == 1
    assert result.output.startswith("Error: ")
    assert "Traceback" not in result.output
    assert "KeyError" not in result.output


def test_a_malformed_event_in_a_database_is_named_by_verify(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path}/l.db"
    with Ledger.create(target, REGISTRY) as ledger:
        ledger.record_vacancy("V1", "A1", "A", "family", ON, 4500.0, 2, colour="green")
    with sqlite3.connect(tmp_path / "l.db") as conn:
        (line,) = conn.execute("SELECT line FROM ledger_events WHERE seq = 2").fetchone()
        doc = json.loads(line)
        del doc["crc"], doc["kind"]
        conn.execute("UPDATE ledger_events SET line = ? WHERE seq = 2",
                     (encode(doc)[:-1].decode(),))
    result = CliRunner().invoke(main, ["ledger", "verify", target])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: {target}: event 2 (vacancy): kind: missing"
    ]


def test_state_tables_that_disagree_with_the_events_fail_verify(tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path}/l.db"
    with Ledger.create(target, REGISTRY) as ledger:
        ledger.record_vacancy("V1", "A1", "A", "family", ON, 4500.0, 2, colour="green")
    with sqlite3.connect(tmp_path / "l.db") as conn:
        conn.execute("UPDATE ledger_counters SET referral = 7 WHERE key = 'A'")
    with Ledger.open(target, readonly=True) as ledger, pytest.raises(
        LedgerCorruptError, match=r"stored counters of 'A' are \(7, 1, 1\), the events give"
    ):
        ledger.verify()
