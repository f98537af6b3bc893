"""``fuaalborg plugins`` and ``fuaalborg audit``, and the criteria's demo section.

Both commands on the built-in criteria, a sample file and a missing plug-in, and
against failing and careless plug-ins: a predicate that raises ``SystemExit(0)``
makes both commands exit non-zero and is named; ``plugins`` runs each predicate
once; the audit reports every failing subject; ``--fail-on-impact``; ``audit
--sample`` reads plug-in fields with their declared types; ``--municipality``
checks agreement departments. And the plug-in template loads once its agreement
is uncommented.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import fuaalborg.cli.criteria as cli
from fuaalborg.cli import main
from fuaalborg.criteria import (
    ByColour,
    Criterion,
    LettingAgreement,
    audit,
    discover,
    hookimpl,
)
from fuaalborg.criteria.testing import load_plugin, synthetic_applicants
from fuaalborg.tables import write_table
from plugin_support import VOLUNTEER, volunteer_plugin
from test_criteria_audit import cheating_plugin

ON = dt.date(2024, 5, 1)
BASIS = "Almenboligloven § 60, stk. 1"
ROOT = Path(__file__).resolve().parents[1]


def raising(exc: BaseException) -> object:
    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        raise exc

    return predicate


def failing_plugin() -> types.SimpleNamespace:
    crits = [
        Criterion("bad.exits", "t", {"age"}, raising(SystemExit(0)), BASIS),
        Criterion("bad.divides", "t", {"children"}, lambda f: f["children"] / 0 > "x", BASIS),
        Criterion("bad.fine", "t", {"children"}, lambda f: f["children"].fillna(0) > 1, BASIS),
    ]
    return types.SimpleNamespace(__name__="bad", register_criteria=hookimpl(lambda: crits))


def test_audit_reports_every_failing_subject_not_the_first() -> None:
    report = audit(load_plugin(failing_plugin()), synthetic_applicants(200, seed=2), ON)
    assert not report.ok
    failed = dict(report.failures)
    assert set(failed) == {"bad.exits", "bad.divides"}
    assert "SystemExit" in failed["bad.exits"]
    assert "plug-in 'bad'" in failed["bad.exits"]
    assert any(c.subject == "bad.fine" for c in report.checks)
    assert any(line.startswith("  FAILED: bad.exits") for line in report.lines())


def test_audit_command_exits_non_zero_on_system_exit_in_a_predicate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "load", lambda **_: load_plugin(failing_plugin()))
    path = write_table(synthetic_applicants(100, seed=5), tmp_path / "sample.csv")
    result = CliRunner().invoke(main, ["audit", "--sample", str(path), "--on", "2024-05-01"])
    assert result.exit_code == 1
    assert "FAILED: bad.exits" in result.output
    assert "Traceback" not in result.output


def test_plugins_command_runs_each_predicate_once_and_reports_failures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        cli, "discover", lambda **kw: discover([failing_plugin()], entry_points=False, **kw)
    )
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 1
    assert "bad (registered directly, in-process) — invalid" in result.output
    assert "criterion 'bad.exits': its predicate raised SystemExit" in result.output
    assert "criterion 'bad.divides'" in result.output
    assert "bad.fine" not in result.output.split("problem(s):")[1]
    payload = json.loads(CliRunner().invoke(main, ["plugins", "--json"]).output)
    assert payload["valid"] is False
    assert payload["departments_checked"] is False


def test_plugins_command_passes_valid_plugins() -> None:
    result = CliRunner().invoke(main, ["plugins"])
    assert result.exit_code == 0, result.output
    assert "every predicate ran on a synthetic sample" in result.output


def tiny_town(folder: Path) -> Path:
    tables = {
        "organisations": pd.DataFrame({"organisation_cvr": ["31831814"], "name": ["Vivabolig"]}),
        "departments": pd.DataFrame({
            "department_id": ["D1"], "organisation_cvr": ["31831814"], "name": ["Testparken"],
            "area_id": [None], "family_dwellings": [1], "bab_dwellings": [0], "residents": [2],
            "residents_18_64": [2],
        }),
        "dwellings": pd.DataFrame({
            "dwelling_id": ["W1"], "department_id": ["D1"], "kind": ["family"], "rooms": [2],
            "area_m2": [60.0], "monthly_rent_dkk": [5000.0],
        }),
        "areas": pd.DataFrame(columns=["area_id", "name", "kind", "residents"]),
        "indicators": pd.DataFrame(columns=[
            "department_id", "measured_on", "source", "residents_18_64", "units", "residents",
            "outside_work_education_pct", "conviction_ratio", "basic_education_pct",
            "income_ratio_pct", "non_western_pct",
        ]),
        "lists": pd.DataFrame(columns=["area_id", "list_date", "designation"]),
    }
    for name, frame in tables.items():
        write_table(frame, folder / f"{name}.csv", danish=True)
    return folder


def test_plugins_checks_agreement_departments_against_the_municipality(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    agreement = LettingAgreement(
        organisation_cvr="31831814", departments=("D1", "D9"), groups=("senior",),
        flexible_share=0.5, legal_basis=BASIS, valid_from=dt.date(2024, 1, 1), valid_until=None,
    )
    plugin = types.SimpleNamespace(
        __name__="viva", ORGANISATION_CVR="31831814",
        register_letting_agreements=hookimpl(lambda: [agreement]),
    )
    monkeypatch.setattr(
        cli, "discover", lambda **kw: discover([plugin], entry_points=False, **kw)
    )
    assert CliRunner().invoke(main, ["plugins"]).exit_code == 0
    folder = tiny_town(tmp_path)
    result = CliRunner().invoke(main, ["plugins", "--municipality", str(folder)])
    assert result.exit_code == 1
    assert "department 'D9' is not in the municipality's departments" in result.output


def test_fail_on_impact_makes_a_flagged_group_a_failing_exit_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = synthetic_applicants(1_500, seed=2)
    sample["citizenship"] = np.where(sample["children"] > 0, "A", "B")
    path = write_table(sample, tmp_path / "labelled.csv", danish=True)
    args = ["audit", "--sample", str(path), "--on", "2024-05-01"]
    plain = CliRunner().invoke(main, args)
    assert plain.exit_code == 0, plain.output
    assert "review: families_with_children" in plain.output
    strict = CliRunner().invoke(main, [*args, "--fail-on-impact"])
    assert strict.exit_code == 1


def test_audit_sample_reads_plugin_fields_with_their_declared_types(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    seen: list[str] = []
    plugin = volunteer_plugin(seen)
    sample = synthetic_applicants(300, seed=3, extra=[VOLUNTEER])
    path = write_table(sample, tmp_path / "sample.csv", danish=True)
    monkeypatch.setattr(cli, "load", lambda **_: load_plugin(plugin))
    result = CliRunner().invoke(main, ["audit", "--sample", str(path), "--on", "2024-05-01"])
    assert result.exit_code == 0, result.output
    assert seen
    assert set(seen) == {"boolean"}


def test_the_template_loads_once_its_agreement_is_uncommented() -> None:
    source = (ROOT / "examples/plugin-template/src/fuaalborg_myorg/__init__.py").read_text(
        encoding="utf-8"
    )
    uncommented = re.sub(r"(?m)^(\s*)# (\s*)(?=\S)", r"\1\2", source.split("return [", 1)[1])
    text = source.split("return [", 1)[0] + "return [" + uncommented
    text = text.replace('ORGANISATION_CVR: str | None = None', 'ORGANISATION_CVR = "31831814"')
    module = types.ModuleType("fuaalborg_myorg_filled_in")
    exec(compile(text, "fuaalborg_myorg", "exec"), module.__dict__)
    registry = load_plugin(module)
    agreement = registry.agreement_for("d1", "31831814", "yellow", dt.date(2026, 6, 1))
    assert agreement is not None
    assert agreement.group_ids == ("myorg.large_families", "employment&commuter")
    assert agreement.group_conditions == ("rooms >= 4", "")
    assert isinstance(agreement.departments, ByColour)


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

    municipality = types.SimpleNamespace(applicants=synthetic_applicants(500, seed=6))
    lines = criteria_section(municipality, ON)  # type: ignore[arg-type]
    assert any("mandatory" in line for line in lines)
    assert lines[-1].endswith("no result depends on a protected column")


def test_a_municipality_named_with_parentheses_is_named_without_a_possessive(
    tmp_path: Path,
) -> None:
    import shutil

    folder = tmp_path / "fjordby"
    shutil.copytree(ROOT / "docs" / "fjordby", folder)
    settings = folder / "municipality.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'name = "Fjordby Kommune"', 'name = "Fjordby Kommune (prøve)"', 1), encoding="utf-8")
    outputs = []
    for args, said in [
        (["plugins"], "checked against the departments of Fjordby Kommune (prøve)."),
        (["audit"], "Sample: the waiting list of Fjordby Kommune (prøve)\n"),
        (["rank", "--on", "2024-05-01", "--dwelling", "D404-001"],
         "is not in the dwellings table of Fjordby Kommune (prøve)"),
    ]:
        result = CliRunner().invoke(main, [*args, "--municipality", str(folder)])
        assert said in result.output, (args, result.output)
        outputs.append(result.output)
    assert ")'s" not in "".join(outputs)
