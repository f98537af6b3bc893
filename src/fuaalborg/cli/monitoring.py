"""``fuaalborg classify-areas``, ``place``, ``overview``, ``colour-rules``, ``compare-presets``.

The commands call :mod:`fuaalborg.monitoring`; every one defaults to the bundled
example municipality. Output files are written atomically (never partially).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import click
import pandas as pd

from fuaalborg.cli._common import check_output
from fuaalborg.errors import ValidationError
from fuaalborg.monitoring.steps import Placement
from fuaalborg.municipality import Municipality

__all__ = [
    "COMMANDS",
    "classify_areas_command",
    "colour_rules_command",
    "compare_presets_command",
    "monitoring_section",
    "overview_command",
    "place_command",
]

_DATE = click.DateTime(["%Y-%m-%d"])


def _town(folder: str | None) -> Municipality:
    if folder:
        return Municipality.from_folder(folder)
    from fuaalborg import examples

    return examples.load()


def _day(on: dt.datetime | None) -> dt.date:
    return on.date() if on else dt.date.today()


def _check_output(path: str | None) -> None:
    if path and Path(path).suffix.lower() not in (".csv", ".xlsx"):
        raise ValidationError(f"output {Path(path).name}: expected a .csv or .xlsx file")


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    return frame[columns].to_string(index=False) if len(frame) else "  (none)"


_folder_option = click.option(
    "--folder",
    type=click.Path(exists=True, file_okay=False),
    help="Read the municipality from FOLDER (default: the bundled example).",
)
_on_option = click.option("--on", "on", type=_DATE, help="Date (default: today).")
_preset_option = click.option(
    "--preset",
    default="aalborg-2023",
    show_default=True,
    help="A bundled preset (aalborg-2023, socioeconomic) or a preset file.",
)
_previous_option = click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False),
    help="A previous placement (CSV/xlsx with department_id, colour) to show changes.",
)
_output_option = click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False), help="Write a .csv or .xlsx file."
)


@click.command("classify-areas")
@click.argument("areas", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--on", "on", type=_DATE, help="Show only the list in force on DATE.")
@click.option(
    "--lists",
    "lists",
    type=click.Path(exists=True, dir_okay=False),
    help="Official lists (area_id, list_date, designation) for earlier years' history.",
)
@_output_option
def classify_areas_command(
    areas: str | None, on: dt.datetime | None, lists: str | None, output: str | None
) -> None:
    """Classify housing areas against almenboligloven § 61 a and § 61 b.

    AREAS is a CSV/xlsx with area_id, list_date, residents and the indicators
    (default: the example municipality's area indicators).
    """
    from fuaalborg.monitoring import classify_areas, compare_with_lists
    from fuaalborg.tables import write_table

    _check_output(output)
    check_output(output)
    official: pd.DataFrame | str | None = lists
    if areas is None:
        town = _town(None)
        source: pd.DataFrame | str = town.area_indicators
        official = town.lists if lists is None else lists
    else:
        source = areas
    result = classify_areas(source, on.date() if on else None, lists=official)
    click.echo(_table(result, ["area_id", "list_date", "law_version", "designation"]))
    counts = result["designation"].value_counts()
    click.echo(
        "Designations: "
        + ", ".join(f"{name} {int(count)}" for name, count in counts.items())
    )
    if official is not None:
        diff = compare_with_lists(result, official)
        click.echo(f"Differences from the official lists: {len(diff)}")
    if output:
        write_table(result, output, sheet_name="areas")
        click.echo(f"Wrote {output}")


def _placement(
    folder: str | None, on: dt.datetime | None, preset: str, previous: str | None
) -> tuple[Municipality, Placement]:
    from fuaalborg.monitoring import StepModel

    town = _town(folder)
    model = StepModel.load(preset)
    return town, model.place(
        town.departments, town.indicators, town.lists, _day(on), previous, validate=False
    )


@click.command("place")
@_on_option
@_preset_option
@_previous_option
@_folder_option
@_output_option
@click.option(
    "--figure",
    type=click.Path(dir_okay=False),
    help="Also draw the step model as a staircase (.png or .svg).",
)
def place_command(
    on: dt.datetime | None,
    preset: str,
    previous: str | None,
    folder: str | None,
    output: str | None,
    figure: str | None,
) -> None:
    """Place every department on the step model (green, yellow, red) on a date."""
    from fuaalborg.monitoring import changes, staircase_figure
    from fuaalborg.tables import atomic_write

    _check_output(output)
    check_output(output)
    if figure and Path(figure).suffix.lower() not in {".png", ".svg"}:
        raise ValidationError(f"figure {Path(figure).name}: expected a .png or .svg file")
    check_output(figure)
    placement = _placement(folder, on, preset, previous)[1]
    click.echo(f"Placement on {placement.on.isoformat()} — {placement.title}")
    click.echo(_table(placement.counts(), ["colour", "departments", "dwellings"]))
    by_basis = placement.frame["basis"].value_counts()
    click.echo("Basis: " + ", ".join(f"{k} {int(v)}" for k, v in by_basis.items()))
    if previous:
        changed = changes(placement)
        click.echo(f"Changed since the previous placement: {len(changed)}")
        if len(changed):
            click.echo(_table(changed, ["department_id", "previous_colour", "colour"]))
    if placement.notice:
        click.echo(f"Note: {placement.notice}")
    # both files or neither: each is written to a temporary file first
    with contextlib.ExitStack() as files:
        if output:
            placement.write(files.enter_context(atomic_write(output)))
        if figure:
            staircase_figure(placement, files.enter_context(atomic_write(figure)))
    for written in (output, figure):
        if written:
            click.echo(f"Wrote {written}")


@click.command("overview")
@_on_option
@_preset_option
@_previous_option
@_folder_option
@_output_option
@click.option("--summary", is_flag=True, help="Show counts per organisation only.")
def overview_command(
    on: dt.datetime | None,
    preset: str,
    previous: str | None,
    folder: str | None,
    output: str | None,
    summary: bool,
) -> None:
    """The overview of red and yellow departments per organisation."""
    from fuaalborg.monitoring import overview, overview_summary
    from fuaalborg.tables import write_table

    _check_output(output)
    check_output(output)
    town, placement = _placement(folder, on, preset, previous)
    table = overview(placement, town.organisations)
    counts = overview_summary(placement, town.organisations)
    click.echo(f"Red and yellow departments on {placement.on.isoformat()} ({placement.preset})")
    shown = counts[(counts["red_departments"] + counts["yellow_departments"]) > 0]
    click.echo(
        _table(
            shown,
            ["organisation", "red_departments", "red_dwellings", "yellow_departments",
             "yellow_dwellings"],
        )
    )
    if not summary:
        for name, group in table.groupby("organisation", sort=True):
            click.echo(f"\n{name}")
            cols = ["department_id", "department", "colour", "basis", "designation", "dwellings"]
            if previous:
                cols += ["previous_colour", "changed"]
            click.echo(_table(group, cols))
    if placement.notice:
        click.echo(f"\nNote: {placement.notice}")
    if output:
        write_table(table.assign(notice=placement.notice or ""), output, sheet_name="overview")
        click.echo(f"Wrote {output}")


@click.command("colour-rules")
@click.argument("colour", type=click.Choice(["green", "yellow", "red"]))
@_on_option
def colour_rules_command(colour: str, on: dt.datetime | None) -> None:
    """What COLOUR means on a date: referral counting, referral placement, flexible letting."""
    from fuaalborg.monitoring import rules_for

    click.echo("\n".join(rules_for(colour, _day(on)).describe()))


@click.command("compare-presets")
@click.argument("first", default="aalborg-2023")
@click.argument("second", default="socioeconomic")
@_on_option
@_folder_option
@_output_option
def compare_presets_command(
    first: str, second: str, on: dt.datetime | None, folder: str | None, output: str | None
) -> None:
    """Departments whose colour differs between two presets, and why."""
    from fuaalborg.monitoring import StepModel
    from fuaalborg.tables import write_table

    _check_output(output)
    check_output(output)
    town = _town(folder)
    a, b = StepModel.load(first), StepModel.load(second)
    diff = a.compare(b, town.departments, town.indicators, town.lists, _day(on))
    click.echo(f"{len(diff)} department(s) differ between {a.name} and {b.name}")
    click.echo(_table(diff, ["department_id", "colour_a", "colour_b"]))
    if output:
        write_table(diff, output, sheet_name="comparison")
        click.echo(f"Wrote {output}")


def monitoring_section(town: Municipality, on: dt.date) -> list[str]:
    """Demo: the placement in force, the presets compared, and the overview."""
    from fuaalborg.errors import NotInForceError
    from fuaalborg.monitoring import (
        StepModel,
        compare_placements,
        next_update,
        overview_summary,
        placement_on,
    )

    try:
        placement = placement_on(town, on)
    except NotInForceError as exc:
        return [f"Step model on {on.isoformat()}: no placement ({exc})"]
    lines = [
        f"Step model: placement in force on {on.isoformat()} (made {placement.on.isoformat()},"
        f" preset {placement.preset})"
    ]
    for row in placement.counts().itertuples(index=False):
        text = f"  {row.colour:<7} {row.departments:>4} departments {row.dwellings:>7,} dwellings"
        lines.append(text.replace(",", "."))
    unmonitored = int((~placement.frame["monitored"]).sum())
    lines.append(f"  unmonitored (fewer than 20 residents aged 18–64): {unmonitored}")
    other = StepModel.load("socioeconomic").place(
        town.departments, town.indicators, town.lists, placement.on, validate=False
    )
    diff = compare_placements(placement, other)
    lines.append(f"  departments coloured differently by the 'socioeconomic' preset: {len(diff)}")
    if placement.notice:
        lines.append(f"  note: {placement.notice}")
    counts = overview_summary(placement, town.organisations)
    shown = counts[(counts["red_departments"] + counts["yellow_departments"]) > 0]
    lines.append("Overview of red and yellow departments per organisation:")
    for row in shown.itertuples(index=False):
        lines.append(
            f"  {row.organisation:<40} red {row.red_departments:>3}  yellow "
            f"{row.yellow_departments:>3}"
        )
    update = next_update(on)
    lines.append(f"Next monitoring update: {update.on.isoformat()} ({update.source})")
    return lines


COMMANDS = [
    classify_areas_command,
    place_command,
    overview_command,
    colour_rules_command,
    compare_presets_command,
]
