"""The audit of flexible-letting criteria (its commands: ``test_cli_criteria``)."""

from __future__ import annotations

import datetime as dt
import json
import types

import numpy as np
import pandas as pd

from fuaalborg.criteria import Criterion, audit, hookimpl
from fuaalborg.criteria.testing import load_plugin, synthetic_applicants

ON = dt.date(2024, 5, 1)


def cheating_plugin() -> types.SimpleNamespace:
    def by_position(frame: pd.DataFrame) -> pd.Series[bool]:
        # depends on where a row sits, which a shuffled list would change
        return pd.Series(np.arange(len(frame)) % 2 == 0, index=frame.index)

    crit = Criterion(
        id="cheat.position",
        title="t",
        reads={"age"},
        predicate=by_position,
        legal_basis="Almenboligloven § 60, stk. 1",
    )
    return types.SimpleNamespace(__name__="cheat", register_criteria=hookimpl(lambda: [crit]))


def test_audit_passes_on_builtins_and_reports_rates() -> None:
    sample = synthetic_applicants(3_000, seed=4)
    report = audit(load_plugin(), sample, ON)
    assert report.ok
    assert not report.violations
    assert not report.unchecked
    assert {c.variant for c in report.checks} == {"shuffled", "synthetic", "removed", "row order"}
    labels = {r.label_column for r in report.impact}
    assert labels == {"citizenship", "country_of_birth"}
    assert all(r.label != "Person 1" for r in report.impact)
    json.dumps(report.to_dict())


def test_audit_finds_a_row_order_dependent_criterion() -> None:
    report = audit(load_plugin(cheating_plugin()), synthetic_applicants(200, seed=1), ON)
    assert not report.ok
    assert {v.subject for v in report.violations} == {"cheat.position"}
    assert any("VIOLATION" in line for line in report.lines())


def test_the_audit_words_its_counts_with_their_nouns() -> None:
    import attrs

    report = audit(load_plugin(cheating_plugin()), synthetic_applicants(200, seed=1), ON)
    check = report.violations[0]
    one = attrs.evolve(report, checks=(attrs.evolve(check, changed=1),))
    assert f"VIOLATION: {check.kind} cheat.position: 1 result changed" in "\n".join(one.lines())
    many = attrs.evolve(report, checks=(attrs.evolve(check, changed=2),))
    assert "cheat.position: 2 results changed" in "\n".join(many.lines())


def test_audit_reports_unchecked_criteria() -> None:
    sample = synthetic_applicants(100).drop(columns=["age"])
    report = audit(load_plugin(), sample, ON)
    assert not report.ok
    assert {s for s, _ in report.unchecked} == {"young", "senior"}


def test_four_fifths_rule_flags_for_review() -> None:
    sample = synthetic_applicants(2_000, seed=2)
    sample["citizenship"] = np.where(sample["children"] > 0, "A", "B")
    report = audit(load_plugin(), sample, ON)
    flagged = [r for r in report.warnings if r.criterion == "families_with_children"]
    assert flagged
    assert flagged[0].label == "B"
    assert flagged[0].ratio == 0.0
    assert report.ok  # disparate impact is a warning for review, never a violation


def test_labels_drawn_independently_raise_no_review_flags() -> None:
    # many groups, some small, labels independent of every criterion: a ratio under
    # four-fifths from chance alone is not significant once the groups are counted
    rng = np.random.default_rng(11)
    sample = synthetic_applicants(6_000, seed=3)
    sample["country_of_birth"] = rng.choice([f"C{i:02d}" for i in range(15)], len(sample))
    report = audit(load_plugin(), sample, ON)
    assert not [r for r in report.warnings if r.label_column == "country_of_birth"]
    rows = [r for r in report.impact if r.label_column == "country_of_birth" and r.ratio]
    assert rows
    assert all(r.p_value is not None and 0 <= r.p_value <= 1 for r in rows)


def test_a_small_ratio_in_a_tiny_group_is_not_flagged_without_significance() -> None:
    sample = synthetic_applicants(2_000, seed=5)
    sample["citizenship"] = "A"
    target = sample.index[(sample["children"] == 0)][:30]
    sample.loc[target, "citizenship"] = "B"  # 30 applicants, none with children
    sample.loc[sample.index[(sample["children"] > 0)][:2], "citizenship"] = "B"
    report = audit(load_plugin(), sample, ON)
    row = next(
        r for r in report.impact
        if r.criterion == "families_with_children" and r.label == "B"
    )
    assert row.ratio is not None
    assert row.ratio < 0.8
    assert row.flagged == (row.p_value is not None and row.p_value < 0.05 / 2)
