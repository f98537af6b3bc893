"""Passive status counts only the unanswered offers within the passive period.

Three unanswered offers within ``ledger.offers.passive_period_days`` (365 days
by default) make an applicant passive; three spread over more than the period
do not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.offers import OfferRound
from fuaalborg.parameters import load_parameters
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




@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[Ledger]:
    with Ledger.create(tmp_path / "ledger.jsonl", REGISTRY) as opened:
        yield opened


def _silent_offers(ledger: Ledger, days: list[dt.date]) -> None:
    """On each day a vacancy is offered to x (who never answers) and y (who refuses)."""
    for i, day in enumerate(days, start=1):
        ledger.record_vacancy(f"V{i}", f"A{i}", "A", "family", day, 4500.0, 2, colour="green")
        offers = OfferRound(f"V{i}", Ranked(ledger, f"V{i}", ["x", "y"]), ledger=ledger, size=2,
                            reply_days=7)
        assert offers.send(day) == ["x", "y"]
        offers.answer("y", "refuse", day)
        assert offers.close(day + dt.timedelta(days=10)) is None


def test_three_unanswered_offers_within_the_period_make_an_applicant_passive(
    ledger: Ledger,
) -> None:
    start = dt.date(2024, 1, 1)
    days = [start, start + dt.timedelta(days=150), start + dt.timedelta(days=340)]
    _silent_offers(ledger, days)
    assert set(ledger.passive) == {"x"}
    assert ledger.passive["x"] == days[-1] + dt.timedelta(days=10)
    (event,) = ledger.events(type="applicant_passive")
    assert event["unanswered"] == 3
    assert event["period_days"] == 365


def test_three_unanswered_offers_spread_over_more_than_the_period_do_not(
    ledger: Ledger,
) -> None:
    start = dt.date(2024, 1, 1)
    # first and third silence 400 days apart: never three within 365 days
    days = [start, start + dt.timedelta(days=200), start + dt.timedelta(days=400)]
    _silent_offers(ledger, days)
    assert len(ledger.unanswered["x"]) == 3
    assert ledger.passive == {}
    assert ledger.events(type="applicant_passive") == []


def test_the_period_is_read_from_the_parameters(tmp_path: Path) -> None:
    override = tmp_path / "offers.toml"
    override.write_text(
        "[meta]\n"
        'title = "Shorter passive period"\n'
        'version = "1"\n\n'
        "[ledger.offers.passive_period_days]\n"
        'description = "A shorter period"\n'
        'unit = "days"\n\n'
        "[[ledger.offers.passive_period_days.values]]\n"
        "from = 2010-01-01\n"
        "value = 60\n"
        'reference = "Test"\n',
        encoding="utf-8",
    )
    parameters = load_parameters(override)
    start = dt.date(2024, 1, 1)
    # within a year, but not within 60 days
    days = [start, start + dt.timedelta(days=40), start + dt.timedelta(days=80)]
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, parameters=parameters) as opened:
        _silent_offers(opened, days)
        assert opened.passive == {}
    with Ledger.create(tmp_path / "m.jsonl", REGISTRY, parameters=parameters) as opened:
        _silent_offers(
            opened, [start, start + dt.timedelta(days=20), start + dt.timedelta(days=45)]
        )
        assert set(opened.passive) == {"x"}
        (event,) = opened.events(type="applicant_passive")
        assert event["period_days"] == 60
