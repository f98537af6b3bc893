"""Offer rounds on the letting ledger: first acceptor, passive status, consumed seniority."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import fuaalborg
from fuaalborg.letting.ledger import Ledger, LedgerInputError
from fuaalborg.letting.offers import OfferRound
from ledger_support import Ranked

REGISTRY = pd.DataFrame(
    {
        "dwelling_id": [f"A{i}" for i in range(1, 5)],
        "department_id": ["A"] * 4,
        "kind": ["family"] * 4,
    }
)
#: Each department its own housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), here the same as per department.
REGISTRY["organisation_cvr"] = "org-" + REGISTRY["department_id"]
APPLICANTS = pd.DataFrame(
    {
        "applicant_id": ["a", "b", "c", "d", "e"],
        "list": ["internal", "external", "external", "external", "external"],
        "seniority_date": pd.to_datetime(
            ["2015-01-01", "2016-01-01", "2014-01-01", "2020-01-01", "2019-01-01"]
        ),
        "household_size": [1, 2, 3, 9, 1],
    }
)




@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    with Ledger.create(tmp_path / "ledger.jsonl", REGISTRY) as opened:
        for i in range(1, 5):
            opened.record_vacancy(f"V{i}", f"A{i}", "A", "family", f"2024-03-0{i}", 4500.0, 2,
                                  colour="green")
        yield opened


def test_first_acceptor_in_rank_order_gets_the_dwelling(ledger: Ledger) -> None:
    offers = OfferRound("V1", Ranked(ledger, "V1", ["a", "b", "c", "d"]), ledger=ledger,
                        size=3)
    assert offers.send("2024-03-05") == ["a", "b", "c"]
    offers.answer("c", "accept", "2024-03-06")
    offers.answer("b", "accept", "2024-03-07")
    offers.answer("a", "refuse", "2024-03-07")
    assert offers.close("2024-03-08") == "b"
    offers.sign("2024-03-15")
    assert ledger.status("V1") == "let"
    assert ledger.consumed == {("b", "external"): "V1"}
    assert ledger.passive == {}  # a refusal costs nothing
    types = [e["type"] for e in ledger.events(vacancy_id="V1")]
    assert types == ["vacancy", "offers_sent", "offer_answer", "offer_answer", "offer_answer",
                     "offer_round_closed", "signed"]
    assert offers.offers()["answer"].tolist() == ["refuse", "accept", "accept"]


def test_deadline_and_next_round(ledger: Ledger) -> None:
    offers = OfferRound("V1", Ranked(ledger, "V1", ["a", "b", "c"]), ledger=ledger, size=2,
                        reply_days=5)
    offers.send("2024-03-05")
    with pytest.raises(LedgerInputError, match="deadline"):
        offers.close("2024-03-09")  # silent offers, deadline 2024-03-10 not passed
    with pytest.raises(LedgerInputError, match="after the reply deadline"):
        offers.answer("a", "accept", "2024-03-11")
    assert offers.close("2024-03-11") is None
    assert ledger.unanswered == {"a": [dt.date(2024, 3, 11)], "b": [dt.date(2024, 3, 11)]}
    assert offers.send("2024-03-12") == ["c"]  # the next candidates
    offers.answer("c", "accept", "2024-03-12")
    assert offers.close("2024-03-12") == "c"


def test_three_unanswered_offers_make_an_applicant_passive(ledger: Ledger) -> None:
    for i, vid in enumerate(["V1", "V2", "V3"]):
        offers = OfferRound(vid, Ranked(ledger, vid, ["x", "y"]), ledger=ledger, size=2)
        offers.send(f"2024-04-0{i + 1}")
        offers.answer("y", "refuse", f"2024-04-0{i + 1}")
        offers.close(f"2024-04-2{i}")
    assert set(ledger.passive) == {"x"}
    assert ledger.passive["x"] == dt.date(2024, 4, 22)
    ledger.record_answer("V4", "declined", "2024-04-30")  # returned: offered from the list
    nxt = OfferRound("V4", Ranked(ledger, "V4", ["x", "y"]), ledger=ledger, size=2)
    assert nxt.send("2024-05-01") == ["y"]
    sent = ledger.events(type="offers_sent")[-1]
    assert sent["skipped"] == [{"applicant_id": "x", "reason": "passive"}]


def test_state_of_offers_survives_reopening(ledger: Ledger) -> None:
    offers = OfferRound("V1", Ranked(ledger, "V1", ["a", "b"]), ledger=ledger, size=2)
    offers.send("2024-03-05")
    offers.answer("a", "accept", "2024-03-06")
    path = ledger.path
    ledger.close()
    with Ledger.open(path) as again:
        resumed = OfferRound("V1", Ranked(again, "V1", ["a", "b"]), ledger=again, size=2)
        assert resumed.close("2024-03-20") == "a"
        resumed.sign("2024-03-21")
        assert again.consumed[("a", "external")] == "V1"
        assert again.unanswered == {"b": [dt.date(2024, 3, 20)]}


def test_bad_offers_write_nothing(ledger: Ledger) -> None:
    size = ledger.path.stat().st_size
    v1 = Ranked(ledger, "V1", ["a"])
    with pytest.raises(LedgerInputError, match="went to the referral, not to the waiting list"):
        OfferRound("V4", v1, ledger=ledger)  # V4 is referred
    with pytest.raises(LedgerInputError, match="unknown vacancy"):
        OfferRound("nope", v1, ledger=ledger)
    offers = OfferRound("V1", Ranked(ledger, "V1", ["a", "b"]), ledger=ledger)
    with pytest.raises(LedgerInputError, match="not an eligible candidate"):
        offers.send("2024-03-05", applicants=["zz"])
    with pytest.raises(LedgerInputError, match="no open offer round"):
        offers.answer("a", "accept", "2024-03-05")
    with pytest.raises(LedgerInputError, match="before the vacancy"):
        offers.send("2024-01-01")
    with pytest.raises(LedgerInputError, match="no closed round"):
        offers.sign("2024-03-05")
    assert ledger.path.stat().st_size == size
    offers.send("2024-03-05")
    with pytest.raises(LedgerInputError, match="has no offer"):
        offers.answer("zz", "accept", "2024-03-06")
    with pytest.raises(LedgerInputError, match="accept or refuse"):
        offers.answer("a", "yes", "2024-03-06")


def test_with_a_real_ranking(ledger: Ledger) -> None:
    vacancy = fuaalborg.Vacancy("A", rooms=2, monthly_rent_dkk=4500, vacant_on=dt.date(2024, 3, 1),
                                dwelling_id="A1")
    ranking = fuaalborg.rank(APPLICANTS, vacancy, route="ordinary", turn="internal",
                             on=dt.date(2024, 3, 1), colour="green")
    assert ranking.frame.equals(ledger.rank("V1", APPLICANTS).frame)
    offers = OfferRound(ledger.decision("V1"), ranking, ledger=ledger, size=2)
    with pytest.raises(LedgerInputError, match="not an eligible candidate"):
        offers.send("2024-03-05", applicants=["d"])  # household too large: ineligible
    sent = offers.send("2024-03-05")
    assert sent == ranking.frame["applicant_id"].astype(str).tolist()[:2]
    other = fuaalborg.Vacancy("B", rooms=2, monthly_rent_dkk=4500, vacant_on=dt.date(2024, 3, 1))
    wrong = fuaalborg.rank(APPLICANTS, other, route="ordinary", on=dt.date(2024, 3, 1),
                           colour="green")
    with pytest.raises(LedgerInputError, match="ranking is for department"):
        OfferRound("V2", wrong, ledger=ledger)


def test_refusals_count_towards_passive_when_the_rule_says_so(tmp_path: Path) -> None:
    rule = tmp_path / "refusals.toml"
    rule.write_text(
        '[meta]\ntitle = "organisation practice"\nversion = "1"\n\n'
        '[ledger.offers.refusals_count_towards_passive]\n'
        'description = "refusals count"\nunit = "boolean"\n\n'
        '[[ledger.offers.refusals_count_towards_passive.values]]\n'
        'from = 2020-01-01\nvalue = true\nreference = "the organisation\'s letting rules"\n',
        encoding="utf-8",
    )
    params = fuaalborg.load_parameters(rule)
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, parameters=params) as ledger:
        for i, vid in enumerate(["V1", "V2", "V3"]):
            ledger.record_vacancy(vid, f"A{i + 1}", "A", "family", f"2024-0{i + 1}-01", 4000, 2,
                                  colour="green")
            offers = OfferRound(vid, Ranked(ledger, vid, ["x", "y"]), ledger=ledger, size=2)
            offers.send(f"2024-0{i + 1}-02")
            offers.answer("x", "refuse", f"2024-0{i + 1}-03")
            offers.answer("y", "accept", f"2024-0{i + 1}-03")
            offers.close(f"2024-0{i + 1}-04")
            if i < 2:
                assert "x" not in ledger.passive  # two refusals: not yet
        assert set(ledger.passive) == {"x"}  # the third refusal within the period


def test_offer_errors_never_show_an_applicant_id(ledger: Ledger) -> None:
    offers = OfferRound("V1", Ranked(ledger, "V1", ["0101901234", "b"]), ledger=ledger,
                        size=2)
    offers.send("2024-03-05")
    with pytest.raises(LedgerInputError) as info:
        offers.answer("0101909999", "accept", "2024-03-06")
    assert "0101909999" not in str(info.value)
    offers.answer("0101901234", "accept", "2024-03-06")
    with pytest.raises(LedgerInputError) as again:
        offers.answer("0101901234", "refuse", "2024-03-06")
    assert "0101901234" not in str(again.value)
