"""``fuaalborg demo``: a tour of the library on the bundled example municipality.

The tour is a list of sections; each area of the library contributes one
function that takes the municipality and the date and returns printable lines.
"""

from __future__ import annotations

import datetime as dt
import importlib
import warnings
from collections.abc import Callable

import click

from fuaalborg.agreement import agreement_in_force
from fuaalborg.cli._common import DATE, number
from fuaalborg.errors import NotInForceError
from fuaalborg.municipality import Municipality
from fuaalborg.rents import rent_band, rent_band_labels

__all__ = ["COMMANDS", "SECTIONS", "demo_command", "summary_section"]

Section = Callable[[Municipality, dt.date], list[str]]


def summary_section(municipality: Municipality, on: dt.date) -> list[str]:
    """Organisations, departments, dwellings by rent band, and the agreement in force."""
    lines = [
        f"Municipality: {municipality.name}"
        + (" (synthetic example data)" if municipality.synthetic else "")
    ]
    deps, dws = municipality.departments, municipality.dwellings
    lines.append(
        f"  {len(municipality.organisations)} organisations, {len(deps)} departments, "
        f"{len(municipality.areas)} areas"
    )
    family = int((dws["kind"] == "family").sum())
    bab = int((dws["kind"] == "bab").sum())
    lines.append(f"  {number(len(dws))} dwellings: {number(family)} family + {number(bab)} BAB")
    bands = rent_band(dws["monthly_rent_dkk"], "agreement", on).value_counts()
    for label in rent_band_labels("agreement", on):
        lines.append(f"    {label:<16} {number(bands.get(label, 0)):>6}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            agreement = agreement_in_force(on)
            until = agreement.end.isoformat() if agreement.end else "…"
            lines.append(
                f"Agreement in force on {on.isoformat()}: {agreement.title} "
                f"({agreement.start.isoformat()}–{until}, {agreement.status})"
            )
        except NotInForceError as exc:
            lines.append(f"Agreement in force on {on.isoformat()}: none ({exc})")
    lines.extend(f"  note: {w.message}" for w in caught)
    return lines


#: The tour's sections, in order.
def _section(module: str, name: str) -> Section:
    """The section function ``name`` of ``fuaalborg.cli.<module>``, imported when run."""

    def section(municipality: Municipality, on: dt.date) -> list[str]:
        found: Section = getattr(importlib.import_module(f"fuaalborg.cli.{module}"), name)
        return found(municipality, on)

    section.__name__ = name
    return section


#: The tour's sections, in order: each area of the library contributes one.
SECTIONS: list[Section] = [
    summary_section,
    _section("monitoring", "monitoring_section"),
    _section("criteria", "criteria_section"),
    _section("ranking", "ranking_section"),
    _section("ledger", "ledger_section"),
    _section("report", "report_section"),
    _section("simulate", "simulation_section"),
]


@click.command("demo")
@click.option(
    "--on",
    "on",
    type=DATE,
    help="Run the tour as of DATE (default: today).",
)
def demo_command(on: dt.date | None) -> None:
    """Run the main job on the bundled example municipality and print a readable tour."""
    from fuaalborg import examples

    day = on or dt.date.today()
    municipality = examples.load()
    for section in SECTIONS:
        click.echo("\n".join(section(municipality, day)))
        click.echo("")


COMMANDS = [demo_command]
