"""The audit, the CLI commands and the demo section."""

from __future__ import annotations

import datetime as dt
import json
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from fuaalborg.cli import main
from fuaalborg.criteria import Criterion, audit, hookimpl
from fuaalborg.criteria.testing import load_plugin, synthetic_applicants
from fuaalborg.tables import write_table

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


def test_cli_plugins_lists_builtins() -> None:
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "fuaalborg.builtin" in result.output
    assert "employment_or_education" in result.output
    data = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    assert data["valid"]
    assert data["plugins"][0]["builtin"]
    assert any(a["organisation_cvr"] is None for a in data["agreements"])


def test_cli_plugins_reports_invalid_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "not-installed-anywhere")
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 1
    assert "not-installed-anywhere" in result.output


def test_cli_audit_on_a_sample_file(tmp_path: Path) -> None:
    path = write_table(synthetic_applicants(300, seed=5), tmp_path / "sample.csv")
    result = CliRunner().invoke(main, ["audit", "--sample", str(path), "--on", "2024-05-01"])
    assert result.exit_code == 0, result.output
    assert "no result depends on a protected column" in result.output
    assert "Person" not in result.output
    result = CliRunner().invoke(
        main, ["audit", "--sample", str(path), "--on", "2024-05-01", "--json"]
    )
    assert json.loads(result.output)["ok"] is True


def test_cli_audit_exits_non_zero_on_violation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fuaalborg.cli.criteria as cli

    monkeypatch.setattr(cli, "load", lambda **_: load_plugin(cheating_plugin()))
    path = write_table(synthetic_applicants(100, seed=5), tmp_path / "sample.csv")
    result = CliRunner().invoke(main, ["audit", "--sample", str(path), "--on", "2024-05-01"])
    assert result.exit_code == 1
    assert "VIOLATION" in result.output


def test_demo_section_runs_on_a_small_town() -> None:
    from fuaalborg.cli.criteria import criteria_section

    town = types.SimpleNamespace(applicants=synthetic_applicants(500, seed=6))
    lines = criteria_section(town, ON)  # type: ignore[arg-type]
    assert any("mandatory" in line for line in lines)
    assert lines[-1].endswith("no result depends on a protected column")
