"""``fuaalborg plugins`` and ``fuaalborg audit``: the flexible-letting plug-ins and their audit."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from typing import Any

import click
import pandas as pd

from fuaalborg.cli._common import (
    DATE,
    CommandError,
    dayfirst_option,
    echo_notice,
    load_municipality,
    municipality_option,
)
from fuaalborg.criteria import (
    PluginLoadError,
    audit,
    discover,
    load,
)
from fuaalborg.criteria.testing import trial_run
from fuaalborg.errors import AssumedTermsWarning
from fuaalborg.municipality import Municipality
from fuaalborg.tables import TableSpec, read_table

__all__ = ["COMMANDS", "INCOMPLETE", "audit_command", "criteria_section", "plugins_command"]

def _plugins_payload(departments: pd.DataFrame | None, on: dt.date) -> tuple[dict[str, Any], bool]:
    report = discover(departments=departments)
    registry = report.registry
    trial: list[tuple[str, str]] = []
    if registry is not None:
        with registry:
            trial = trial_run(registry, on)
    plugins = []
    for info in report.plugins:
        own = set(info.criteria)
        plugins.append(
            {
                "name": info.name,
                "distribution": info.distribution or ("fuaalborg" if info.builtin else None),
                "version": info.version,
                "builtin": info.builtin,
                "isolation": info.isolation,
                "organisation_cvr": info.organisation_cvr,
                "criteria": list(info.criteria),
                "agreements": info.agreements,
                "fields": list(info.fields),
                "parameter_files": list(info.parameter_files),
                "problems": [str(p) for p in report.problems if p.plugin == info.name]
                + [message for cid, message in trial if cid in own],
            }
        )
    payload: dict[str, Any] = {
        "valid": report.ok and not trial,
        "departments_checked": departments is not None,
        "plugins": plugins,
        "problems": [str(p) for p in report.problems] + [message for _, message in trial],
        "criteria": [],
        "agreements": [],
    }
    if registry is not None:
        payload["criteria"] = [
            {
                "id": c.id,
                "title": c.title,
                "title_da": c.title_da,
                "reads": sorted(c.reads),
                "parameters": list(c.parameters),
                "legal_basis": c.legal_basis,
                "valid_from": c.valid_from.isoformat() if c.valid_from else None,
                "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                "plugin": registry.origins[c.id],
            }
            for c in registry.criteria.values()
        ]
        payload["agreements"] = [
            {
                "organisation_cvr": a.organisation_cvr,
                "departments": a.describe_departments(),
                "groups": list(a.group_ids),
                "applies_to": list(a.group_conditions),
                "flexible_share": a.flexible_share,
                "legal_basis": a.legal_basis,
                "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat() if a.valid_until else None,
                "internal_moves_exempt": a.internal_moves_exempt,
                "children_first_for_rooms": a.children_first_for_rooms,
            }
            for a in registry.agreements
        ]
    return payload, bool(payload["valid"])


def _group_text(group: str, condition: str) -> str:
    return f"{group} [only {condition}]" if condition else group


@click.command("plugins")
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@municipality_option
@dayfirst_option
def plugins_command(as_json: bool, municipality_dir: str | None, dayfirst: bool) -> None:
    """List flexible-letting plug-ins, their versions, criteria, agreements and validation status.

    Installed plug-ins come from the entry-point group 'fuaalborg' and run in worker
    processes of their own; narrow them with FUAALBORG_PLUGINS and block some with
    FUAALBORG_DISABLE_PLUGINS (comma-separated distribution names). Every predicate is
    run once on a small synthetic waiting list. With --municipality DIR each
    agreement's departments are checked against the municipality's: they must exist
    and belong to the agreement's organisation. Exits with status 1 if any plug-in is
    invalid or any predicate fails.
    """
    municipality = (
        load_municipality(municipality_dir, dayfirst=dayfirst) if municipality_dir else None
    )
    payload, ok = _plugins_payload(
        None if municipality is None else municipality.departments, dt.date.today()
    )
    payload["departments_checked_against"] = municipality.name if municipality is not None else None
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        for plugin in payload["plugins"]:
            origin = plugin["distribution"] or "registered directly"
            version = f" {plugin['version']}" if plugin["version"] else ""
            status = "invalid" if plugin["problems"] else "ok"
            where = "" if plugin["builtin"] else f", {plugin['isolation']}"
            click.echo(f"{plugin['name']} ({origin}{version}{where}) — {status}")
            cvr = plugin["organisation_cvr"]
            org = f"; organisation CVR {cvr}" if cvr else ""
            click.echo(
                f"  criteria: {', '.join(plugin['criteria']) or 'none'}; "
                f"agreements: {plugin['agreements']}{org}"
            )
            if plugin["fields"]:
                click.echo(f"  fields: {', '.join(plugin['fields'])}")
        if payload["agreements"]:
            click.echo("Agreements:")
            for agr in payload["agreements"]:
                who = agr["organisation_cvr"] or "statutory (§ 60, stk. 4)"
                until = agr["valid_until"] or "…"
                groups = " > ".join(
                    _group_text(g, c)
                    for g, c in zip(agr["groups"], agr["applies_to"], strict=True)
                )
                click.echo(
                    f"  {who}: {agr['departments']}; groups {groups}; "
                    f"share {agr['flexible_share']:.0%}; {agr['valid_from']}–{until}"
                )
        if municipality is not None:
            click.echo(
                f"Agreements' departments checked against the departments of "
                f"{municipality.name}."
            )
        else:
            click.echo(
                "Agreement departments not checked against a municipality "
                "(--municipality DIR checks them)."
            )
        if payload["problems"]:
            click.echo(f"{len(payload['problems'])} problem(s):")
            for problem in payload["problems"]:
                click.echo(f"  - {problem}")
        else:
            click.echo("All plug-ins valid; every predicate ran on a synthetic sample.")
    if not ok:
        raise SystemExit(1)


#: The audit's exit status when no violation was found but not everything could be checked.
INCOMPLETE = 3


def _waiting_list_file(folder: str | None) -> str:
    """How the output names the waiting-list file of a municipality's folder."""
    from pathlib import Path

    from fuaalborg.municipality import TABLE_FILES

    if folder is None:
        return "the waiting list"
    for name in TABLE_FILES["applicants"]:
        for suffix in (".csv", ".xlsx"):
            if (Path(folder) / f"{name}{suffix}").exists():
                return f"{name}{suffix}"
    return "the municipality's waiting list (venteliste.csv)"


def _sample_of(municipality: Municipality, spec: TableSpec) -> tuple[pd.DataFrame, str]:
    """The municipality's waiting list as the audit's sample, and how the output names it."""
    if municipality.applicants.empty:
        raise CommandError(
            f"{municipality.name} has no waiting list (applicants); give --sample FILE"
        )
    applicants = read_table(municipality.applicants, spec, parameters=municipality.parameters)
    if municipality.synthetic:
        return (
            applicants,
            f"the waiting list of the example municipality (synthetic), {municipality.name}",
        )
    return applicants, f"the waiting list of {municipality.name}"


@click.command("audit")
@click.option(
    "--sample",
    type=click.Path(exists=True, dir_okay=False),
    help="A waiting list (CSV or xlsx) to audit, optionally labelled with protected columns "
    "(default: the municipality's waiting list).",
)
@click.option("--on", "on", type=DATE, help="Audit as of DATE.")
@click.option("--seed", type=click.IntRange(min=0), default=0, show_default=True,
              help="Seed of the shuffles.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--fail-on-impact",
    is_flag=True,
    help="Exit with status 1 also when a selection-rate difference is flagged for review.",
)
@municipality_option
@dayfirst_option
def audit_command(
    sample: str | None,
    on: dt.date | None,
    seed: int,
    as_json: bool,
    fail_on_impact: bool,
    municipality_dir: str | None,
    dayfirst: bool,
) -> None:
    """Prove that no loaded criterion or agreement depends on a protected column.

    Every criterion and agreement is evaluated on the sample, then with the protected
    columns shuffled, replaced by synthetic values and removed, and with the rows
    reordered; any change is a violation. Selection rates by protected group are
    reported for human review (four-fifths rule), never as a decision. The sample is
    read with the declared types of every field, the plug-ins' own included. Defaults
    to the municipality's waiting list (--municipality DIR, else the bundled example's).
    A criterion whose fields the sample lacks cannot be checked: the output names it,
    the columns it needs and whether an agreement in force uses it.

    \b
    Exit status:
      0  every criterion and agreement in force was checked; none depends on a
         protected column
      1  a violation, or a predicate that failed (with --fail-on-impact also a
         group flagged for review)
      2  the command line was wrong
      3  no violation among those checked, but not everything could be checked:
         nothing is proven for the criteria the sample lacks fields of
    """
    day = on or dt.date.today()
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    if not as_json:
        echo_notice(municipality, "its waiting list")
    own = None if municipality.synthetic else municipality
    registry = load(departments=None if own is None else own.departments)
    with registry:
        if sample is not None:
            applicants = read_table(sample, registry.applicant_spec(), dayfirst=dayfirst)
            source = click.format_filename(sample)
        else:
            applicants, source = _sample_of(municipality, registry.applicant_spec())
        report = audit(registry, applicants, day, seed=seed)
    checked = (
        f"checked against {own.name}" if own is not None else "not checked (no --municipality)"
    )
    if as_json:
        click.echo(
            json.dumps(
                {"sample": source, "agreement_departments": checked, **report.to_dict()},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        click.echo(f"Sample: {source}")
        click.echo(f"Agreement departments: {checked}")
        click.echo("\n".join(report.lines()))
        if not report.complete:
            where = (f"add them to {click.format_filename(sample)}" if sample is not None
                     else f"add them to {_waiting_list_file(municipality_dir)}, or give "
                     "--sample FILE with them")
            click.echo(f"  ({where}; the exit status is {INCOMPLETE} until every criterion "
                       "is checked)")
    if report.violations or report.failures or (fail_on_impact and report.warnings):
        raise SystemExit(1)
    if not report.complete:
        raise SystemExit(INCOMPLETE)


def criteria_section(municipality: Municipality, on: dt.date) -> list[str]:
    """Demo: the loaded criteria, the statutory agreement and a short audit."""
    lines = ["Flexible letting (almenboligloven § 60)"]
    try:
        registry = load()
    except PluginLoadError as exc:
        return [*lines, f"  plug-ins invalid: {exc}"]
    lines.append(
        f"  {len(registry.plugins)} plug-in(s), {len(registry.criteria)} criteria: "
        + ", ".join(registry.criteria)
    )
    for mandatory in (a for a in registry.statutory if a.in_force(on)):
        lines.append(
            f"  red departments: mandatory groups {' > '.join(mandatory.group_ids)}, "
            f"{mandatory.flexible_share:.0%} of waiting-list lettings ({mandatory.legal_basis})"
        )
    applicants = municipality.applicants
    if len(applicants) == 0:
        return [*lines, "  (no waiting list in this municipality)"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AssumedTermsWarning)
        ids = [c.id for c in registry.in_force(on) if c.reads <= set(applicants.columns)]
        met = registry.evaluate_many(ids, applicants, on)
    for cid in ids:
        lines.append(f"    {cid:<26} {int(met[cid].sum()):>7,} of {len(applicants):,} applicants")
    report = audit(registry, applicants, on)
    verdict = "no result depends on a protected column" if report.ok else "VIOLATIONS FOUND"
    lines.append(f"  audit: {len(report.checks)} checks, {verdict}")
    return lines


COMMANDS = [plugins_command, audit_command]
