"""``fuaalborg report``: the report to the strategic working group as an xlsx workbook."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fuaalborg.cli._common import CommandError, check_output
from fuaalborg.municipality import Municipality

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMMANDS", "report_command", "report_section"]


@click.command("report")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the period.")
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the period.")
@click.option("--disclosure", type=click.Choice(["parties", "public"]), default="parties",
              show_default=True, help="Department level for the parties, or public.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True,
              help="Language of the headings.")
@click.option("--ledger", "ledger_path", type=click.Path(exists=True, dir_okay=False),
              help="The letting ledger (default: a demonstration ledger of the example "
              "municipality for the period).")
@click.option("--municipality", "folder", type=click.Path(exists=True, file_okay=False),
              help="A folder of the municipality's tables (default: the example municipality).")
@click.option("--evictions", type=click.Path(exists=True, dir_okay=False),
              help="A table of eviction cases (fogedsager), CSV or xlsx.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False),
              help="Also write the figures as PNG files into this folder.")
@click.option("--audit/--no-audit", "run_audit", default=True, show_default=True,
              help="For the parties: audit the loaded criteria on the municipality's waiting "
              "list for the R7 annex.")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The xlsx workbook to write.")
def report_command(
    start: dt.datetime,
    end: dt.datetime,
    disclosure: str,
    lang: str,
    ledger_path: str | None,
    folder: str | None,
    evictions: str | None,
    figures_dir: str | None,
    run_audit: bool,
    output: str,
) -> None:
    """Write the yearly report (agreement, afsnit 7.2) for a period as an xlsx workbook."""
    from fuaalborg import examples
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.reports.demo import demo_evictions, demo_ledger
    from fuaalborg.reports.figures import save_figures
    from fuaalborg.reports.report import build_report

    first, last = start.date(), end.date()
    if last < first:
        raise CommandError(
            f"the period ends ({last.isoformat()}) before it starts ({first.isoformat()})"
        )
    check_output(output)
    if figures_dir:  # the folder may be new; what exists of its path must be a folder
        existing = Path(figures_dir)
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir():
            raise CommandError(f"cannot write figures to {figures_dir}: {existing} is not a folder")
    town = Municipality.from_folder(folder) if folder else examples.load()
    eviction_table: str | pd.DataFrame | None
    if ledger_path:
        ledger = Ledger.open(ledger_path, readonly=True)
        eviction_table = evictions
    else:
        ledger = demo_ledger(town, first, last)
        eviction_table = evictions if evictions else demo_evictions(town, first, last)
    audit_report = None
    if run_audit and disclosure == "parties" and len(town.applicants):
        from fuaalborg.criteria import audit, load

        audit_report = audit(load(), town.applicants, last)
    try:
        report = build_report(
            town, ledger, first, last,
            disclosure=disclosure,  # type: ignore[arg-type]
            lang=lang,  # type: ignore[arg-type]
            evictions=eviction_table,
            audit=audit_report,
        )
    finally:
        ledger.close()
    path = report.write(output)
    click.echo(f"{path.name}: {', '.join(report.sections)}"
               + (" (empty: no ledger events in the period)" if report.empty else ""))
    if figures_dir:
        for figure in save_figures(report, figures_dir):
            click.echo(f"  figure {figure.name}")


def report_section(town: Municipality, on: dt.date) -> list[str]:
    """The demo's report section: the public R1 table for the year before ``on``."""
    from fuaalborg.reports.demo import demo_ledger
    from fuaalborg.reports.report import build_report

    start = dt.date(on.year - 1, 1, 1)
    end = dt.date(on.year - 1, 12, 31)
    try:
        ledger = demo_ledger(town, start, end, signed=50)
        report = build_report(town, ledger, start, end, disclosure="public", lang="en",
                              figures=False)
        ledger.close()
    except Exception as exc:  # the tour goes on whatever one section does
        return [f"Report {start.year}: not available ({exc})"]
    lines = [f"Report {start.year} (public; counts 1–{report.threshold - 1} suppressed as '..')"]
    lines.extend("  " + line for line in report.table("R1_org").to_string(index=False)
                 .splitlines())
    return lines


COMMANDS = [report_command]
