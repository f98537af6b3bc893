"""R3 per priority group: a real ranking's group travels through offers into the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fuaalborg import Municipality
from fuaalborg.criteria import load
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.offers import OfferRound
from fuaalborg.monitoring import placement_on
from fuaalborg.reports import build_report

ON = dt.date(2026, 3, 2)


def test_the_group_of_a_flexible_letting_reaches_r3(
    tmp_path: Path, example_municipality: Municipality
) -> None:
    municipality = example_municipality
    placement = placement_on(municipality, ON)
    red = sorted(d for d, c in placement.colours().items() if c == "red")
    assert red, "the example municipality has red departments"
    dep = red[0]
    dwelling = municipality.dwellings[
        (municipality.dwellings["department_id"] == dep)
        & (municipality.dwellings["kind"] == "family")
    ].iloc[0]
    with Ledger.create(tmp_path / "ledger.jsonl", municipality) as ledger:
        decision = ledger.record_vacancy(
            "V1", dwelling["dwelling_id"], dep, "family", ON,
            float(dwelling["monthly_rent_dkk"]), int(dwelling["rooms"]),
        )
        assert decision.subroute == "flexible"  # red: mandatory flexible letting
        ranking = ledger.rank("V1", municipality.applicants, registry=load(entry_points=False),
                              municipality=municipality, top=3)
        assert ranking.route == "flexible"
        first = ranking.frame.iloc[0]
        offers = OfferRound("V1", ranking, ledger=ledger, size=1)
        sent = offers.send(ON)
        offers.answer(sent[0], "accept", ON)
        assert offers.close(ON) == sent[0]
        offers.sign(ON + dt.timedelta(days=7))
        signed = [e for e in ledger.events() if e["type"] == "signed"]
        assert signed[0]["group"] == (None if pd.isna(first["group"]) else int(first["group"]))
        report = build_report(municipality, ledger, dt.date(2026, 1, 1), dt.date(2026, 12, 31),
                              figures=False, lang="en")
    tables = {t.key: t for t in report.tables}
    assert {"R3_group_org", "R3_group_dep"} <= set(tables), sorted(tables)
    frame = tables["R3_group_dep"].frame
    expected = "No group met" if pd.isna(first["group"]) else f"Group {int(first['group'])}"
    row = frame[frame["Department (id)"] == dep]
    assert int(row[expected].iloc[0]) == 1


@pytest.mark.parametrize("lang", ["da", "en"])
def test_without_groups_r3_says_why(lang: str, example_municipality: Municipality) -> None:
    from fuaalborg.reports.demo import demo_ledger

    municipality = example_municipality
    ledger = demo_ledger(municipality, dt.date(2024, 1, 1), dt.date(2024, 1, 31), signed=5)
    # a ledger written before lettings recorded the priority group
    events = [{**e, "group": None} if e["type"] == "signed" else e for e in ledger.events()]
    report = build_report(municipality, events, dt.date(2024, 1, 1), dt.date(2024, 1, 31),
                          figures=False, lang=lang)
    r3 = next(t for t in report.tables if t.key == "R3_org")
    assert r3.note


def test_a_danish_report_states_the_ethnicity_notice_in_danish(
    example_municipality: Municipality
) -> None:
    from fuaalborg.reports.demo import demo_ledger

    municipality = example_municipality
    ledger = demo_ledger(municipality, dt.date(2024, 1, 1), dt.date(2024, 1, 31), signed=5)
    danish = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 1, 31),
                          figures=False, lang="da")
    english = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 1, 31),
                           figures=False, lang="en")
    assert any("EU-Domstolen (C-417/23)" in note for note in danish.notes)
    assert not any("EU Court of Justice" in note for note in danish.notes)
    assert any("EU Court of Justice (C-417/23)" in note for note in english.notes)
