"""``fuaalborg report``: the report to the strategic working group as an xlsx workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from fuaalborg._types import LANGUAGES, Language
from fuaalborg.cli._common import (
    DATE,
    CommandError,
    check_output,
    dayfirst_option,
    echo_notice,
    load_municipality,
    municipality_option,
    output_option,
)
from fuaalborg.municipality import Municipality
from fuaalborg.reports.model import DISCLOSURE_LEVELS, Disclosure

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMMANDS", "report_command", "report_section"]


def _open_ledger(target: str) -> Any:
    """The ledger at ``target`` (a file, or a URL a ledger backend understands), read-only."""
    from fuaalborg.letting.ledger import Ledger

    if "://" not in target and not Path(target).exists():
        raise CommandError(
            f"the ledger {target} does not exist (create one with `fuaalborg ledger init`, "
            "or give the file or URL of the municipality's letting ledger)"
        )
    return Ledger.open(target, readonly=True)


def _audit(municipality: Municipality, on: dt.date) -> Any:
    """R7's audit, as ``fuaalborg audit`` makes it: the waiting list read with declared types.

    The plug-ins' own fields are read with the types they declare
    (:meth:`~fuaalborg.criteria.registry.Registry.applicant_spec`), and the
    agreements' departments are checked against the municipality's own.
    """
    from fuaalborg.criteria import audit, load
    from fuaalborg.tables import read_table

    registry = load(departments=None if municipality.synthetic else municipality.departments)
    with registry:
        applicants = read_table(municipality.applicants, registry.applicant_spec(),
                                parameters=municipality.parameters)
        return audit(registry, applicants, on)


@click.command("report")
@click.option("--from", "start", required=True, type=DATE, help="First day of the period.")
@click.option("--to", "end", required=True, type=DATE, help="Last day of the period.")
@click.option("--disclosure", type=click.Choice(DISCLOSURE_LEVELS), default="parties",
              show_default=True, help="Department level for the parties, or public.")
@click.option("--lang", type=click.Choice(LANGUAGES), default="da", show_default=True,
              help="Language of the headings.")
@click.option("--ledger", "ledger_target", metavar="TARGET",
              help="The municipality's letting ledger: a file, or a URL of a ledger "
              "database. Required with --municipality.")
@click.option("--demo-ledger", is_flag=True,
              help="Invent a demonstration ledger (and eviction cases) for the period instead; "
              "every sheet then says the report is a demonstration on invented data.")
@municipality_option
@dayfirst_option
@click.option("--evictions", type=click.Path(exists=True, dir_okay=False),
              help="A table of eviction cases (fogedsager), CSV or xlsx.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False),
              help="Also write the figures as PNG files into this folder.")
@click.option("--audit/--no-audit", "run_audit", default=True, show_default=True,
              help="For the parties: audit the loaded criteria on the municipality's waiting "
              "list for the R7 annex.")
@output_option(".xlsx", required=True, help="The xlsx workbook to write.")
def report_command(
    start: dt.date,
    end: dt.date,
    disclosure: Disclosure,
    lang: Language,
    ledger_target: str | None,
    demo_ledger: bool,
    municipality_dir: str | None,
    dayfirst: bool,
    evictions: str | None,
    figures_dir: str | None,
    run_audit: bool,
    output: str,
) -> None:
    """Write the yearly report (agreement, afsnit 7.2) for a period as an xlsx workbook.

    On your own municipality (--municipality DIR) the report reads its letting
    ledger (--ledger TARGET); without one it is refused, unless --demo-ledger asks
    for a demonstration on invented vacancies. On the bundled example municipality
    a demonstration ledger is the default.
    """
    from fuaalborg.reports.demo import demo_evictions
    from fuaalborg.reports.demo import demo_ledger as make_demo_ledger
    from fuaalborg.reports.figures import save_figures
    from fuaalborg.reports.labels import label
    from fuaalborg.reports.report import build_report

    first, last = start, end
    if last < first:
        raise CommandError(
            f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})"
        )
    if ledger_target and demo_ledger:
        raise CommandError("give either --ledger TARGET or --demo-ledger, not both")
    if municipality_dir is not None and not ledger_target and not demo_ledger:
        raise CommandError(
            "a report on your own municipality needs its letting ledger: give --ledger "
            "TARGET (or --demo-ledger for a demonstration on invented vacancies)"
        )
    check_output(output)
    if figures_dir:  # the folder may be new; what exists of its path must be a folder
        existing = Path(figures_dir)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise CommandError(f"cannot write figures to {figures_dir}: {existing} is not a folder")
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its departments" if ledger_target
                else "a demonstration ledger of invented vacancies")
    eviction_table: str | pd.DataFrame | None = evictions
    if evictions is not None and dayfirst:
        from fuaalborg.reports.evictions import EVICTIONS
        from fuaalborg.tables import read_table

        eviction_table = read_table(evictions, EVICTIONS, dayfirst=True)
    demonstration = not ledger_target
    if ledger_target:
        ledger = _open_ledger(ledger_target)
    else:
        ledger = make_demo_ledger(municipality, first, last)
        if evictions is None:
            eviction_table = demo_evictions(municipality, first, last)
    audit_report = None
    if run_audit and disclosure == "parties" and len(municipality.applicants):
        audit_report = _audit(municipality, last)
    try:
        report = build_report(
            municipality, ledger, first, last,
            disclosure=disclosure,
            lang=lang,
            evictions=eviction_table,
            audit=audit_report,
            preset=municipality.preset,
        )
    finally:
        ledger.close()
    if demonstration:
        import attrs

        banner = label("demonstration", lang)
        report = attrs.evolve(report, banner=banner, notes=(banner, *report.notes))
    path = report.write(output)
    click.echo(f"{path.name}: {municipality.name}, {', '.join(report.sections)}"
               + (" (empty: no ledger events in the period)" if report.empty else "")
               + (" — DEMONSTRATION on invented vacancies" if demonstration else ""))
    if figures_dir:
        for figure in save_figures(report, figures_dir):
            click.echo(f"  figure {figure.name}")


def report_section(municipality: Municipality, on: dt.date) -> list[str]:
    """The demo's report section: the public R1 table for the year before ``on``."""
    from fuaalborg.reports.demo import demo_ledger
    from fuaalborg.reports.report import build_report

    start = dt.date(on.year - 1, 1, 1)
    end = dt.date(on.year - 1, 12, 31)
    try:
        ledger = demo_ledger(municipality, start, end, signed=50)
        report = build_report(municipality, ledger, start, end, disclosure="public", lang="en",
                              figures=False)
        ledger.close()
    except Exception as exc:  # the tour goes on whatever one section does
        return [f"Report {start.year}: not available ({exc})"]
    lines = [f"Report {start.year} (public; counts 1–{report.threshold - 1} suppressed as '..')"]
    lines.extend("  " + line for line in report.table("R1_org").to_string(index=False)
                 .splitlines())
    return lines


COMMANDS = [report_command]
