"""The audit's variants really perturb the protected columns, and a cheat is caught.

A criterion can get round the runtime firewall only by reaching protected data
some other way than its frame. The audit is the layer that must then notice:
its shuffled and synthetic variants change the protected columns, so a result
that follows them changes too.
"""

from __future__ import annotations

import datetime as dt
import sys
import types
from typing import Any

import numpy as np
import pandas as pd
import pytest

from fuaalborg.criteria import Criterion, audit, hookimpl
from fuaalborg.criteria.audit import _variants
from fuaalborg.criteria.testing import load_plugin, synthetic_applicants
from fuaalborg.criteria.vocabulary import protected_columns

ON = dt.date(2024, 5, 1)
LEGAL = "Almenboligloven § 60, stk. 1"


def _plugin(*criteria: Criterion) -> types.SimpleNamespace:
    return types.SimpleNamespace(
        __name__="cheat", register_criteria=hookimpl(lambda: list(criteria))
    )


def _waiting_list_being_evaluated() -> pd.DataFrame | None:
    """The caller's waiting list, found in the call stack past the firewall."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        candidate = frame.f_locals.get("applicants")
        if isinstance(candidate, pd.DataFrame):
            return candidate
        frame = frame.f_back
    return None


def stack_cheat() -> Criterion:
    """Selects citizens of one country, reading citizenship behind the firewall's back."""

    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        waiting = _waiting_list_being_evaluated()
        if waiting is None or "citizenship" not in waiting.columns:
            return pd.Series(np.zeros(len(frame)), index=frame.index).astype(bool)
        met = waiting["citizenship"].astype("string").eq("DK").fillna(False).to_numpy(bool)
        return pd.Series(met, index=frame.index)

    return Criterion(
        id="cheat.stack", title="t", reads={"age"}, predicate=predicate, legal_basis=LEGAL
    )


def closure_cheat(sample: pd.DataFrame) -> Criterion:
    """A lookup of the sample's citizenship by row position, captured when the plug-in is made."""
    danish = sample["citizenship"].astype("string").eq("DK").fillna(False).to_numpy(bool)

    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        positions = np.arange(len(frame)) % len(danish)
        return pd.Series(danish[positions], index=frame.index)

    return Criterion(
        id="cheat.lookup", title="t", reads={"age"}, predicate=predicate, legal_basis=LEGAL
    )


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    frame = synthetic_applicants(400, seed=7)
    frame["cpr"] = pd.array([f"{i:010d}" for i in range(len(frame))], dtype="string")
    return frame


def _violated(report: Any, subject: str) -> set[str]:
    return {v.variant for v in report.violations if v.subject == subject}


def test_variants_change_every_protected_column_and_nothing_else(sample: pd.DataFrame) -> None:
    base = sample.reset_index(drop=True)
    protected = protected_columns(base.columns)
    assert {"name", "citizenship", "country_of_birth", "cpr"} <= set(protected)
    variants = _variants(base, protected, seed=0)
    assert set(variants) == {"shuffled", "synthetic", "removed", "row order"}
    others = [c for c in base.columns if c not in protected]
    for kind in ("shuffled", "synthetic"):
        frame, order = variants[kind]
        assert order is None
        pd.testing.assert_frame_equal(frame[others], base[others])
        for col in protected:
            changed = frame[col].astype(object).to_numpy() != base[col].astype(object).to_numpy()
            # a column of 400 applicants over at most 7 values: many rows must differ
            assert changed.sum() >= len(base) // 4, (kind, col, int(changed.sum()))
    shuffled = variants["shuffled"][0]
    for col in protected:  # a shuffle keeps the values, only moves them
        assert sorted(shuffled[col].astype(str)) == sorted(base[col].astype(str))
    synthetic = variants["synthetic"][0]
    for col in protected:  # synthetic values share nothing with the sample's
        assert not set(synthetic[col].astype(str)) & set(base[col].astype(str))
    removed, _ = variants["removed"]
    assert not set(protected) & set(removed.columns)
    reordered, order = variants["row order"]
    assert order is not None
    assert sorted(order) == list(range(len(base)))
    assert not np.array_equal(order, np.arange(len(base)))
    pd.testing.assert_frame_equal(reordered, base.iloc[order])


def test_variants_without_protected_columns_add_synthetic_ones(sample: pd.DataFrame) -> None:
    base = sample.drop(columns=protected_columns(sample.columns)).reset_index(drop=True)
    variants = _variants(base, [], seed=3)
    for kind in ("shuffled", "synthetic"):
        frame, _ = variants[kind]
        assert {"name", "citizenship", "country_of_birth"} <= set(frame.columns)
        assert frame["citizenship"].str.startswith("synthetic-").all()


def test_audit_catches_a_criterion_reading_citizenship_past_the_firewall(
    sample: pd.DataFrame,
) -> None:
    report = audit(load_plugin(_plugin(stack_cheat())), sample, ON)
    assert not report.ok
    assert {v.subject for v in report.violations} == {"cheat.stack"}
    assert {"shuffled", "synthetic"} <= _violated(report, "cheat.stack")
    for check in report.violations:
        if check.variant in ("shuffled", "synthetic"):
            assert check.changed > 10


def test_audit_catches_a_lookup_of_protected_data_captured_in_a_closure(
    sample: pd.DataFrame,
) -> None:
    report = audit(load_plugin(_plugin(closure_cheat(sample))), sample, ON)
    assert not report.ok
    assert {v.subject for v in report.violations} == {"cheat.lookup"}
    # the lookup memorised the sample by position: moving the rows gives it away
    assert "row order" in _violated(report, "cheat.lookup")
