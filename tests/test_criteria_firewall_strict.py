"""The runtime firewall, strictly: a predicate sees its declared columns and nothing else.

A probing plug-in records what its predicate was handed (columns, index, attrs),
tries to reach every protected column by item and by attribute access, and
writes into its frame. Over generated waiting lists that carry every protected
column (name, citizenship, country_of_birth, cpr, ...), the predicate must see
exactly its ``reads``, reach no protected column, get empty ``attrs`` on a plain
``RangeIndex``, and none of its writes may reach the caller's frame.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg.criteria import (
    PROTECTED_FIELDS,
    Criterion,
    hookimpl,
    is_protected_name,
)
from fuaalborg.criteria.errors import (
    CriterionAccessError,
)
from fuaalborg.criteria.testing import applicant_frames, load_plugin

ON = dt.date(2024, 5, 1)
PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every protected name the generated frames carry, plus Danish spellings of the same ideas.
PROBED = sorted(PROTECTED_FIELDS | {"statsborgerskab", "fodeland", "navn", "etnicitet"})
_OPEN_FIELDS = (
    "age",
    "children",
    "household_size",
    "employment_hours_per_week",
    "in_education",
    "seniority_date",
    "highest_education",
    "annual_household_income_dkk",
)
READS: dict[str, frozenset[str]] = {
    "probe.one": frozenset({"age"}),
    "probe.two": frozenset({"children", "household_size"}),
    "probe.mixed": frozenset(
        {"employment_hours_per_week", "in_education", "seniority_date", "highest_education"}
    ),
    "probe.many": frozenset(_OPEN_FIELDS),
}

SEEN: dict[str, list[dict[str, Any]]] = {}


def _probe(criterion_id: str) -> Any:
    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        reached: list[str] = []
        for name in PROBED:
            try:
                frame[name]
            except (CriterionAccessError, KeyError):
                pass
            else:
                reached.append(f"[{name}]")
            try:
                getattr(frame, name)
            except (CriterionAccessError, KeyError, AttributeError):
                pass
            else:
                reached.append(f".{name}")
            if frame.get(name) is not None:
                reached.append(f"get({name})")
        SEEN.setdefault(criterion_id, []).append(
            {
                "columns": list(frame.columns),
                "index": frame.index,
                "attrs": dict(frame.attrs),
                "reached": reached,
            }
        )
        # writes of every kind: none may reach the caller's waiting list
        n = len(frame)
        if n:
            first = frame.columns[0]
            frame.loc[0, first] = None
            frame.loc[:, first] = frame[first].iloc[::-1].set_axis(frame.index)
        for col in list(frame.columns):
            frame[col] = None
        frame["citizenship"] = "overwritten"
        frame.attrs["leak"] = True
        return pd.Series(np.ones(n), index=frame.index).astype(bool)

    return predicate


def _plugin() -> types.SimpleNamespace:
    criteria = [
        Criterion(
            id=cid,
            title=f"Probe {cid}",
            reads=reads,
            predicate=_probe(cid),
            legal_basis="Almenboligloven § 60, stk. 1",
        )
        for cid, reads in READS.items()
    ]
    return types.SimpleNamespace(__name__="probe", register_criteria=hookimpl(lambda: criteria))


REGISTRY = load_plugin(_plugin())


def _snapshot(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.copy(deep=True)


@PROPS
@given(frame=applicant_frames(max_rows=12), cid=st.sampled_from(sorted(READS)))
def test_a_predicate_sees_exactly_its_reads_and_nothing_protected(
    frame: pd.DataFrame, cid: str
) -> None:
    assert set(PROTECTED_FIELDS) <= set(frame.columns)
    frame.attrs["citizenship"] = frame["citizenship"].tolist()
    before = _snapshot(frame)
    SEEN.clear()

    result = REGISTRY.evaluate(cid, frame, ON)

    (call,) = SEEN[cid]
    assert call["columns"] == sorted(READS[cid])
    assert not [c for c in call["columns"] if is_protected_name(str(c))]
    assert call["reached"] == []
    assert call["attrs"] == {}
    assert call["index"].equals(pd.RangeIndex(len(frame)))
    # the caller's waiting list is untouched: values, columns, index and attrs
    pd.testing.assert_frame_equal(frame, before)
    assert frame.attrs == {"citizenship": before["citizenship"].tolist()}
    assert result.index.equals(frame.index)
    assert bool(result.all())


@PROPS
@given(frame=applicant_frames(max_rows=8))
def test_evaluate_many_gives_each_predicate_only_its_reads(frame: pd.DataFrame) -> None:
    before = _snapshot(frame)
    SEEN.clear()
    REGISTRY.evaluate_many(sorted(READS), frame, ON)
    assert set(SEEN) == set(READS)
    for cid, calls in SEEN.items():
        assert [c["columns"] for c in calls] == [sorted(READS[cid])]
        assert all(c["reached"] == [] and c["attrs"] == {} for c in calls)
    pd.testing.assert_frame_equal(frame, before)


def test_the_probe_notices_a_protected_column_when_one_is_handed_over() -> None:
    # guards the probe itself: given a plain frame, it does report what it reached
    SEEN.clear()
    plain = pd.DataFrame({"age": [30], "citizenship": ["X"], "cpr": ["0101011234"]})
    _probe("probe.self")(plain.copy())
    (call,) = SEEN["probe.self"]
    assert "[citizenship]" in call["reached"]
    assert ".cpr" in call["reached"]
