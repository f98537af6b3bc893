"""``fuaalborg classify-areas``, ``place``, ``overview``, ``colour-rules``, ``compare-presets``.

The commands call :mod:`fuaalborg.monitoring` on the municipality of
``--municipality DIR``, or on the bundled example (and then say so in their first
line). Output files are written atomically (never partially), in Danish with
``--danish`` or when the input was Danish.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fuaalborg.cli._common import (
    DATE,
    CommandError,
    check_output,
    danish_option,
    dayfirst_option,
    echo_notice,
    file_is_danish,
    load_municipality,
    municipality_option,
    number,
    output_option,
    stacked,
)
from fuaalborg.model import COLOURS

if TYPE_CHECKING:
    import pandas as pd

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


def _day(on: dt.date | None) -> dt.date:
    return on or dt.date.today()


def _table(frame: pd.DataFrame, columns: list[str]) -> str:
    shown = [c for c in columns if c in frame.columns]
    return frame[shown].to_string(index=False) if len(frame) else "  (none)"


_on_option = click.option("--on", "on", type=DATE, help="Date (default: today).")
_preset_option = click.option(
    "--preset",
    default=None,
    metavar="NAME|FILE",
    help="A bundled preset (aalborg-2023, socioeconomic) or a preset file (default: the "
    "municipality's first preset in municipality.toml, else aalborg-2023).",
)
_previous_option = click.option(
    "--previous",
    type=click.Path(exists=True, dir_okay=False),
    help="A previous placement (CSV/xlsx with department_id, colour) to show changes.",
)


#: The options of a command that places the departments on the step model.
_placement_options = stacked(_on_option, _preset_option, _previous_option, municipality_option,
                             dayfirst_option, output_option(".csv", ".xlsx"), danish_option)


@click.command("classify-areas")
@click.argument("areas", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--on", "on", type=DATE, help="Show only the list in force on DATE.")
@click.option(
    "--lists",
    "lists",
    type=click.Path(exists=True, dir_okay=False),
    help="Official lists (area_id, list_date, designation): history for omdannelse, and "
    "the official designation beside the computed one (default: the municipality's lists).",
)
@municipality_option
@dayfirst_option
@output_option(".csv", ".xlsx")
@danish_option
def classify_areas_command(
    areas: str | None,
    on: dt.date | None,
    lists: str | None,
    municipality_dir: str | None,
    dayfirst: bool,
    output: str | None,
    danish: bool | None,
) -> None:
    """Classify housing areas against almenboligloven § 61 a and § 61 b.

    AREAS is a CSV/xlsx with area_id, list_date, residents and the indicators
    (default: the municipality's area_indicators table). Rows whose computed
    designation differs from the official list are listed one by one.
    """
    from fuaalborg.monitoring import classify_areas, compare_with_lists
    from fuaalborg.monitoring.lists import AREA_INDICATORS
    from fuaalborg.tables import read_table, write_table

    check_output(output)
    municipality = None
    official: pd.DataFrame | str | None = lists
    if areas is None or municipality_dir is not None:
        municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
        echo_notice(municipality, "its area indicators and lists")
        official = municipality.lists if lists is None else lists
    if areas is None:
        assert municipality is not None
        if municipality.area_indicators.empty:
            raise CommandError(
                f"{municipality.name} has no area_indicators table (områdeindikatorer); give AREAS"
            )
        source: pd.DataFrame | str = municipality.area_indicators
        in_danish = municipality.danish
    else:
        source = read_table(areas, AREA_INDICATORS, dayfirst=dayfirst)
        in_danish = file_is_danish(areas, AREA_INDICATORS)
    if isinstance(official, str):
        from fuaalborg.specs import LISTS

        official = read_table(official, LISTS, dayfirst=dayfirst)
    result = classify_areas(source, on, lists=official)
    if municipality is not None:
        click.echo(f"{municipality.name}: areas classified against almenboligloven §§ 61 a–61 b")
    columns = ["area_id", "list_date", "law_version", "designation", "official_designation"]
    click.echo(_table(result, columns))
    counts = result["designation"].value_counts()
    click.echo(
        "Designations: "
        + (", ".join(f"{name} {int(count)}" for name, count in counts.items()) or "none")
    )
    if official is not None:
        diff = compare_with_lists(result, official)
        click.echo(f"Differences from the official lists: {len(diff)}")
        if len(diff):
            shown = diff.assign(list_date=diff["list_date"].dt.strftime("%Y-%m-%d"))
            click.echo(_table(shown, ["area_id", "list_date", "computed", "official"]))
            click.echo("  (the reason column of -o FILE says which criteria each row meets)")
    if output:
        write_table(result, output, sheet_name="areas",
                    danish=in_danish if danish is None else danish)
        click.echo(f"Wrote {output}")


def _placement(
    municipality: Municipality, on: dt.date | None, preset: str | None, previous: str | None
) -> Placement:
    from fuaalborg.monitoring import StepModel

    model = StepModel.load(preset or municipality.preset)
    return model.place(
        municipality.departments,
        municipality.indicators,
        municipality.lists,
        _day(on),
        previous,
        validate=False,
    )


@click.command("place")
@_placement_options
@click.option(
    "--figure",
    type=click.Path(dir_okay=False),
    help="Also draw the step model as a staircase (.png or .svg).",
)
def place_command(
    on: dt.date | None,
    preset: str | None,
    previous: str | None,
    municipality_dir: str | None,
    dayfirst: bool,
    output: str | None,
    danish: bool | None,
    figure: str | None,
) -> None:
    """Place every department on the step model (green, yellow, red) on a date."""
    from fuaalborg.monitoring import changes, staircase_figure
    from fuaalborg.tables import atomic_write

    check_output(output)
    if figure and Path(figure).suffix.lower() not in {".png", ".svg"}:
        raise CommandError(f"figure {Path(figure).name}: expected a .png or .svg file")
    check_output(figure)
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its placement")
    placement = _placement(municipality, on, preset, previous)
    click.echo(f"{municipality.name}: placement on {placement.on.isoformat()} — {placement.title}")
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
            placement.write(files.enter_context(atomic_write(output)),
                            danish=municipality.danish if danish is None else danish)
        if figure:
            staircase_figure(placement, files.enter_context(atomic_write(figure)))
    for written in (output, figure):
        if written:
            click.echo(f"Wrote {written}")


@click.command("overview")
@_placement_options
@click.option("--summary", is_flag=True, help="Show counts per organisation only.")
def overview_command(
    on: dt.date | None,
    preset: str | None,
    previous: str | None,
    municipality_dir: str | None,
    dayfirst: bool,
    output: str | None,
    danish: bool | None,
    summary: bool,
) -> None:
    """The overview of red and yellow departments per organisation."""
    from fuaalborg.monitoring import overview, overview_summary
    from fuaalborg.tables import write_table

    check_output(output)
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its overview")
    placement = _placement(municipality, on, preset, previous)
    in_danish = municipality.danish if danish is None else danish
    table = overview(placement, municipality.organisations, "da" if in_danish else "en")
    counts = overview_summary(placement, municipality.organisations)
    click.echo(
        f"{municipality.name}: red and yellow departments on {placement.on.isoformat()} "
        f"({placement.preset})"
    )
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
            # the designations are the law's Danish terms; an area on no list has none: "–"
            click.echo(_table(group.assign(designation=group["designation"].replace("none", "–")),
                              cols))
    if placement.notice:
        click.echo(f"\nNote: {placement.notice}")
    if output:
        notice = placement.notice_in("da" if in_danish else "en") or ""
        write_table(table.assign(notice=notice), output, sheet_name="overview",
                    danish=in_danish)
        click.echo(f"Wrote {output}")


@click.command("colour-rules")
@click.argument("colour", type=click.Choice(COLOURS))
@_on_option
def colour_rules_command(colour: str, on: dt.date | None) -> None:
    """What COLOUR means on a date: referral counting, referral placement, flexible letting."""
    from fuaalborg.monitoring import rules_for

    click.echo("\n".join(rules_for(colour, _day(on)).describe()))


@click.command("compare-presets")
@click.argument("first", required=False)
@click.argument("second", required=False)
@_on_option
@municipality_option
@dayfirst_option
@output_option(".csv", ".xlsx")
@danish_option
def compare_presets_command(
    first: str | None,
    second: str | None,
    on: dt.date | None,
    municipality_dir: str | None,
    dayfirst: bool,
    output: str | None,
    danish: bool | None,
) -> None:
    """Departments whose colour differs between two presets, and why.

    FIRST and SECOND are bundled preset names or preset files (default: the
    municipality's first two presets, else aalborg-2023 and socioeconomic).
    """
    from fuaalborg.monitoring import StepModel
    from fuaalborg.tables import write_table

    check_output(output)
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its placements")
    defaults = [*municipality.presets, "aalborg-2023", "socioeconomic"]
    defaults = list(dict.fromkeys(defaults))
    first = first or defaults[0]
    second = second or next(p for p in defaults if p != first)
    a, b = StepModel.load(first), StepModel.load(second)
    in_danish = municipality.danish if danish is None else danish
    diff = a.compare(
        b, municipality.departments, municipality.indicators, municipality.lists, _day(on),
        "da" if in_danish else "en",
    )
    click.echo(
        f"{municipality.name}: {len(diff)} department(s) differ between {a.name} and {b.name}"
    )
    click.echo(_table(diff, ["department_id", "colour_a", "colour_b"]))
    if output:
        write_table(diff, output, sheet_name="comparison", danish=in_danish)
        click.echo(f"Wrote {output}")


def monitoring_section(municipality: Municipality, on: dt.date) -> list[str]:
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
        placement = placement_on(municipality, on)
    except NotInForceError as exc:
        return [f"Step model on {on.isoformat()}: no placement ({exc})"]
    lines = [
        f"Step model: placement in force on {on.isoformat()} (made {placement.on.isoformat()},"
        f" preset {placement.preset})"
    ]
    for count in placement.counts().to_dict("records"):
        colour, departments = count["colour"], count["departments"]
        dwellings = number(count["dwellings"])
        lines.append(f"  {colour:<7} {departments:>4} departments {dwellings:>7} dwellings")
    unmonitored = int((~placement.frame["monitored"]).sum())
    lines.append(f"  unmonitored (fewer than 20 residents aged 18–64): {unmonitored}")
    other = StepModel.load("socioeconomic").place(
        municipality.departments,
        municipality.indicators,
        municipality.lists,
        placement.on,
        validate=False,
    )
    diff = compare_placements(placement, other)
    lines.append(f"  departments coloured differently by the 'socioeconomic' preset: {len(diff)}")
    if placement.notice:
        lines.append(f"  note: {placement.notice}")
    counts = overview_summary(placement, municipality.organisations)
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
