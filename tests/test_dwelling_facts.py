"""Dwelling facts where rankings are made: the example, the ledger, ``rank --dwelling``.

A group of an agreement may apply only to some dwellings (``PriorityGroup(...,
applies_to=DwellingCondition(...))``). The facts it reads — floor, dwelling
type, lift — come from the municipality's dwellings table: the example fills
them from a random stream of their own; a ledger keeps them from the table it
was created from and :meth:`Ledger.rank` fills the vacancy with them; ``fuaalborg
rank --dwelling ID`` reads them from the table (``test_cli_ranking``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import fuaalborg
from fuaalborg import Municipality, examples
from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup
from fuaalborg.criteria.conditions import UnknownDwellingFactError
from fuaalborg.examples import _generator
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.registry import facts_by_dwelling
from fuaalborg.letting.vacancy import compare_with_table
from fuaalborg.specs import DWELLING_TYPES
from municipality_support import FJORDBY

# the senior age band is an assumed placeholder until an agreement's values are loaded
pytestmark = pytest.mark.filterwarnings("ignore::fuaalborg.errors.AssumedTermsWarning")
ON = dt.date(2024, 5, 1)
ORGANISATION = "29190011"  # Fjordby's Andelsboligforeningen Kystbo (invented)


# -- the example --------------------------------------------------------------------------


def test_the_example_states_plausible_floors_types_and_lifts(
    example_municipality: Municipality
) -> None:
    dwellings = example_municipality.dwellings
    assert dwellings["floor"].notna().all()
    assert dwellings["lift"].notna().all()
    assert dwellings["floor"].between(0, 8).all()
    assert 0.3 < (dwellings["floor"] == 0).mean() < 0.7
    assert set(dwellings["dwelling_type"]) == set(DWELLING_TYPES)
    assert (dwellings["dwelling_type"] == "family").mean() > 0.9
    reached = (dwellings["floor"] == 0) | dwellings["lift"]
    earmarked = dwellings["dwelling_type"].isin(["senior", "accessible"])
    assert reached[earmarked].all(), "a senior or accessible dwelling up stairs"
    assert (dwellings.loc[dwellings["kind"] == "bab", "dwelling_type"] == "family").all()
    assert (dwellings.loc[dwellings["dwelling_type"].isin(["senior", "youth"]),
                          "rooms"] <= 2).all()
    # one building form per department: a lift reaches every floor of its building
    assert (dwellings.groupby("department_id")["lift"].nunique() == 1).all()


def test_the_facts_move_no_other_figure_of_the_example(
    monkeypatch: pytest.MonkeyPatch, example_municipality: Municipality
) -> None:
    municipality = example_municipality

    def none(rng: np.random.Generator, departments: pd.DataFrame,
             dwellings: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(index=dwellings.index)

    monkeypatch.setattr(_generator, "dwelling_facts", none)
    without = _generator.generate()
    for table in examples.TABLES:
        mine = getattr(municipality, table)
        if table == "dwellings":
            mine = mine.drop(columns=["floor", "dwelling_type", "lift"])
        pd.testing.assert_frame_equal(getattr(without, table), mine, obj=table)


# -- the ledger ---------------------------------------------------------------------------


def _agreement(department: str, cvr: str = ORGANISATION) -> LettingAgreement:
    return LettingAgreement(
        organisation_cvr=cvr, departments=(department,),
        groups=(PriorityGroup("senior", applies_to=[DwellingCondition(floor=0),
                                                     DwellingCondition(lift=True)]),),
        flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1 (test)",
        valid_from=dt.date(2020, 1, 1), valid_until=None,
    )


def _applicants() -> pd.DataFrame:
    return pd.DataFrame({
        "applicant_id": ["young", "old", "older"], "list": ["external"] * 3,
        "seniority_date": pd.to_datetime(["2001-01-01", "2010-01-01", "2015-01-01"]),
        "household_size": [1, 1, 1], "age": [30, 70, 80]})


def _town() -> Municipality:
    """Fjordby: its dwellings table states floor, dwelling type and lift."""
    return Municipality.from_folder(FJORDBY)


def test_a_ledger_keeps_the_dwelling_facts_and_ranks_with_them(tmp_path: Path) -> None:
    municipality = _town()
    ground, upstairs = "D004-005", "D004-004"
    target = f"sqlite:///{tmp_path}/l.db"
    with Ledger.create(target, municipality, flexible_shares={"D004": "1"}) as ledger:
        ledger.record_vacancy("V1", ground, "D004", "family", "2024-03-01", 4911.0, 2,
                              colour="green")
        ledger.record_vacancy("V2", upstairs, "D004", "family", "2024-03-02", 4927.0, 2,
                              colour="green")
        (created,) = ledger.events(type="created")
    facts = facts_by_dwelling(created["dwelling_facts"])
    assert facts[ground] == {"floor": 0, "dwelling_type": "senior", "lift": False}
    assert facts[upstairs] == {"floor": 3, "dwelling_type": "family", "lift": False}
    assert created["dwelling_facts"]["dwelling_type"]["senior"] == [
        "D004-001", "D004-005", "D004-013", "D006-001", "D006-002", "D006-003", "D006-004",
        "D006-005", "D006-006"]
    with Ledger.open(target, readonly=True) as ledger:
        on_ground = ledger.rank("V1", _applicants(), agreement=_agreement("D004"))
        up_stairs = ledger.rank("V2", _applicants(), agreement=_agreement("D004"))
        both = ledger.rank_many(["V1", "V2"], _applicants(), agreement=_agreement("D004"))
    assert on_ground.vacancy.floor == 0
    assert on_ground.frame["applicant_id"].tolist() == ["old", "older", "young"]
    assert up_stairs.frame["applicant_id"].tolist() == ["young", "old", "older"]
    assert [r.frame["applicant_id"].tolist() for r in both] == [
        on_ground.frame["applicant_id"].tolist(), up_stairs.frame["applicant_id"].tolist()]
    assert "the group applies" in on_ground.explain("old", lang="en")
    assert "the group does not apply here" in up_stairs.explain("old", lang="en")
    # the offer round takes the ranking made from the ledger's facts
    with Ledger.open(target) as ledger:
        offers = fuaalborg.OfferRound("V1", ledger.rank("V1", _applicants(),
                                                        agreement=_agreement("D004")),
                                      ledger=ledger, size=1)
        assert offers.send("2024-03-05") == ["old"]


def test_a_ledger_without_facts_takes_them_from_its_municipality(tmp_path: Path) -> None:
    municipality = _town()
    ground = "D004-005"
    bare = municipality.dwellings.drop(columns=["floor", "dwelling_type", "lift"]).merge(
        municipality.departments[["department_id", "organisation_cvr"]], on="department_id")
    target = str(tmp_path / "old.jsonl")
    with Ledger.create(target, bare, name="Fjordby Kommune",
                       flexible_shares={"D004": "1"}) as ledger:
        ledger.record_vacancy("V1", ground, "D004", "family", "2024-03-01", 4911.0, 2,
                              colour="green")
        assert "dwelling_facts" not in ledger.events(type="created")[0]
    header = json.loads(Path(target).read_text(encoding="utf-8").splitlines()[0])
    assert "dwelling_facts" not in header  # as every ledger written before the facts
    with Ledger.open(target) as ledger:
        with pytest.raises(UnknownDwellingFactError, match="floor"):
            ledger.rank("V1", _applicants(), agreement=_agreement("D004"))
        ranked = ledger.rank("V1", _applicants(), agreement=_agreement("D004"),
                             municipality=municipality)
    assert ranked.vacancy.floor == 0
    assert ranked.frame["applicant_id"].iloc[0] == "old"


def test_a_dwelling_type_that_differs_is_named_in_the_language_asked_for() -> None:
    table = {"rooms": 2, "dwelling_type": "senior"}
    given = {"rooms": 2, "dwelling_type": "family"}
    day = dt.date(2024, 5, 1)
    (english,) = compare_with_table("D004-005", given, table, day).problems
    (danish,) = compare_with_table("D004-005", given, table, day, lang="da").problems
    assert english.what.startswith("family given, but the dwellings table gives dwelling "
                                   "'D004-005' senior")
    assert danish.what.startswith("familie given, but the dwellings table gives dwelling "
                                  "'D004-005' ældreegnet")
    assert (danish.where, danish.remedy) == (english.where, english.remedy)
