"""Rankings recorded by an earlier version replay to the same decision.

``tests/recorded`` holds waiting lists, the decision records rankings of them
wrote, and what those rankings showed (frame, ineligible rows, notices,
positions, explanations), all written by fuaalborg 0.1.0 before the ranking's
internals changed (see ``tests/recorded/write_records.py``). The cases cover
both routes, both turns and none, a top, a red department's mandatory
criterion, § 51 c in a transformation area, dwelling conditions on groups,
wishes, duplicates across the lists, ties, missing values, integer ids and ids
with Danish letters.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import fuaalborg
from fuaalborg.criteria.registry import load
from fuaalborg.errors import AssumedTermsWarning
from fuaalborg.letting.ranking import Ranking
from fuaalborg.parameters import RETIRED_PARAMETERS
from fuaalborg.records import RankingRecord
from ranking_support import read_recorded_waiting_list

HERE = Path(__file__).parent / "recorded"
CASES = sorted(p.name.removesuffix(".record.json") for p in HERE.glob("*.record.json"))
#: The record fields that make the decision (bases are texts and name how a value was given).
DECISION = ("vacancy", "on", "route", "turn", "colour", "designation", "organisation_cvr",
            "agreement", "criteria", "input", "top", "eligible", "ineligible", "ranked",
            "library_version", "schema")


@pytest.fixture(scope="module")
def registry() -> Any:
    return load(entry_points=False)


def _case(name: str) -> tuple[RankingRecord, pd.DataFrame, dict[str, Any]]:
    expected = json.loads((HERE / f"{name}.expected.json").read_text(encoding="utf-8"))
    record = RankingRecord.from_json((HERE / f"{name}.record.json").read_text(encoding="utf-8"))
    frame = read_recorded_waiting_list(HERE / f"{name}.csv", expected["types"])
    return record, frame, expected


def test_every_case_is_there() -> None:
    assert len(CASES) == 8


@pytest.mark.parametrize("name", CASES)
def test_a_recorded_ranking_replays_to_the_same_decision(name: str, registry: Any) -> None:
    record, frame, expected = _case(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        plugins = registry if record.plugins else None
        # the order does not depend on the rows' order: the fingerprint neither
        shuffled = fuaalborg.replay(record, frame.sample(frac=1, random_state=3),
                                    registry=plugins)
        assert shuffled.matches, shuffled.differences
        result = fuaalborg.replay(record, frame, registry=plugins)
        assert result.matches, result.differences
        again: Ranking = result.ranking
        new = again.record.to_dict()
        old = record.to_dict()
        assert {k: new[k] for k in DECISION} == {k: old[k] for k in DECISION}
        # the same parameters, a retired name read under the one that replaced it
        renamed = {old: text.split()[0] for old, text in RETIRED_PARAMETERS.items()}
        assert [p["name"] for p in new["parameters"]] == [
            renamed.get(p["name"], p["name"]) for p in old["parameters"]
        ]

        shown = again.frame
        assert [str(c) for c in shown.columns] == expected["columns"]
        assert [str(t) for t in shown.dtypes] == expected["dtypes"]
        rows = [
            [int(r.rank), str(r.applicant_id), str(r.list),
             None if pd.isna(r.group) else int(r.group), str(r.criteria_met),
             r.seniority_date.date().isoformat(), int(r.sort_key)]
            for r in shown.itertuples(index=False)
        ]
        assert rows == expected["frame"]
        bad = [
            [str(r.applicant_id), str(r.list), str(r.reason), str(r.reasons)]
            for r in again.ineligible.itertuples(index=False)
        ]
        assert bad == expected["ineligible"]
        assert again.eligible_count == expected["eligible_count"]
        assert list(again.notices) == expected["notices"]
        ids = {str(i): i for i in [*shown["applicant_id"], *again.ineligible["applicant_id"]]}
        assert set(ids) == set(expected["positions"])
        for text, applicant in ids.items():
            assert again.position_of(applicant) == expected["positions"][text]
            for lang in ("da", "en"):
                assert again.explain(applicant, lang) == expected["explain"][text][lang], (
                    text, lang)


@pytest.mark.parametrize("name", CASES)
def test_the_table_states_the_recorded_reasons(name: str, registry: Any) -> None:
    record, frame, expected = _case(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        again = fuaalborg.replay(record, frame, registry=registry if record.plugins else None)
        texts = again.ranking.table(include_ineligible=True, lang="da")["reason_text"].tolist()
    assert texts == expected["reason_text"]
