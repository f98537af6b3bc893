"""``fuaalborg rank``: rank a waiting list for one vacant dwelling; the demo's ranking section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from fuaalborg.cli._common import (
    DATE,
    cannot_write,
    check_output,
    counted,
    number,
    output_suffix,
    reworded,
)
from fuaalborg.errors import FuaalborgError
from fuaalborg.municipality import Municipality

__all__ = ["COMMANDS", "rank_command", "ranking_section"]

def _kr(value: float) -> str:
    """An amount of kroner in the Danish form: 6.500, or 6.499,50."""
    if float(value).is_integer():
        return number(value)
    return f"{value:,.2f}".translate(str.maketrans(",.", ".,"))


# -- fuaalborg rank --------------------------------------------------------------------

#: The library's wording (keyword arguments) and the rank command's (options).
_RANK_WORDS: tuple[tuple[str, str], ...] = (
    (r"\(colour= or municipality=\)", "(--colour)"),
    (r"\(organisation_cvr= or municipality=\)", "(--organisation)"),
    (r"; or pass route= and agreement=", "; or use --route ordinary"),
    (r"pass route='flexible' or route='ordinary'", "use --route flexible or --route ordinary"),
    (
        r"pass agreement= or a registry, colour and organisation",
        "use --route ordinary, or give the --colour and --organisation of a department "
        "whose organisation has an agreement",
    ),
    (
        r"is not in the (?:municipality's )?(departments|placement of \S+)$",
        r"is not in the example municipality's \1; give its --colour and --organisation, "
        "or use --route ordinary",
    ),
)


def _show_frame(frame: Any) -> list[str]:
    shown = frame.copy()
    shown["seniority_date"] = shown["seniority_date"].dt.strftime("%Y-%m-%d")
    shown["group"] = shown["group"].astype("string").fillna("–")
    shown["criteria_met"] = shown["criteria_met"].astype("string").replace("", "–")
    text: str = shown.drop(columns="sort_key").to_string(index=False)
    return text.splitlines()


def _header(ranking: Any) -> str:
    """One line: the vacancy, the date, the route, the turn and how many are eligible."""
    vacancy = ranking.vacancy
    colour = f" ({ranking.colour})" if ranking.colour else ""
    turn = f"{ranking.turn} turn" if ranking.turn else "internal and external lists as one"
    rooms = counted(vacancy.rooms, "room")
    return (
        f"Department {vacancy.department_id}{colour}, {rooms}, {_kr(vacancy.monthly_rent_dkk)} "
        f"kr./month, {ranking.on.isoformat()}: {ranking.route} letting, {turn}; "
        f"{number(ranking.eligible_count)} eligible, {counted(len(ranking.ineligible), 'row')} "
        "not eligible"
    )


def _write_ranking(ranking: Any, output: str) -> Path:
    """Write the ranking and its record beside it; a failure leaves neither file."""
    from fuaalborg.tables import atomic_write, write_table

    path = Path(output)
    record = path.with_suffix(".record.json")
    text = ranking.record.to_json()
    record_in_place = False
    try:
        with atomic_write(path) as table_tmp:
            write_table(ranking.frame, table_tmp, sheet_name="ranking")
            with atomic_write(record) as record_tmp:
                record_tmp.write_text(text, encoding="utf-8")
            record_in_place = True
    except OSError as exc:
        if record_in_place:  # the table could not be moved into place after the record
            record.unlink(missing_ok=True)
        raise cannot_write(output, exc) from None
    return record


@click.command("rank")
@click.argument("applicants", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "department", required=True, help="The vacancy's department id.")
@click.option("--rooms", type=click.IntRange(min=1), required=True, help="Habitable rooms.")
@click.option("--rent", type=click.FloatRange(min=0), required=True, help="Monthly rent in kr.")
@click.option("--on", "on", type=DATE, help="Date the dwelling is let on (default: today).")
@click.option("--route", type=click.Choice(["flexible", "ordinary"]),
              help="Letting route (default: from the department's colour and agreement).")
@click.option("--turn", type=click.Choice(["internal", "external"]),
              help="Whose turn (default: both lists as one).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Show or write only the first N (default: 25 shown, all written).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              callback=output_suffix(".csv", ".xlsx"),
              help="Write the ranking (.csv or .xlsx) and, beside it, its decision record "
                   "(ranked.csv: ranked.record.json).")
@click.option("--explain", "explain", help="Explain the position of this applicant id.")
@click.option("--lang", type=click.Choice(["da", "en"]), default="da", show_default=True)
@click.option("--colour", type=click.Choice(["red", "yellow", "green"]),
              help="The department's colour (default: the example municipality's placement).")
@click.option("--organisation", "organisation",
              help="CVR of the department's organisation (default: the example municipality's).")
def rank_command(
    applicants: str | None,
    department: str,
    rooms: int,
    rent: float,
    on: dt.date | None,
    route: str | None,
    turn: str | None,
    top: int | None,
    output: str | None,
    explain: str | None,
    lang: str,
    colour: str | None,
    organisation: str | None,
) -> None:
    """Rank a waiting list (default: the example municipality's) for one vacancy.

    APPLICANTS is a CSV (plain or Danish) or xlsx file with at least applicant_id,
    list, seniority_date and household_size. Departments, organisations and
    colours come from the example municipality unless --route is given.
    """
    from fuaalborg import examples
    from fuaalborg.criteria.vocabulary import APPLICANTS
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.tables import read_table

    check_output(output)
    day = on or dt.date.today()
    town = None
    if applicants is None:
        town = examples.load()
        frame = town.applicants
    else:
        frame = read_table(applicants, APPLICANTS)
        if route != "ordinary" and (colour is None or organisation is None):
            town = examples.load()
    vacancy = Vacancy(department, rooms, rent, day)
    try:
        ranking = rank(
            frame, vacancy, on=day, route=route, turn=turn,  # type: ignore[arg-type]
            top=top, municipality=town, colour=colour, organisation_cvr=organisation,
        )
    except FuaalborgError as exc:
        raise reworded(exc, _RANK_WORDS) from None
    if output:
        record = _write_ranking(ranking, output)
        click.echo(_header(ranking))
        click.echo(
            f"wrote {counted(len(ranking.frame), 'row')} to {Path(output).name} "
            f"and the record to {record.name}"
        )
    elif ranking.eligible_count == 0:
        click.echo(_header(ranking))
        click.echo("no eligible applicants")
    else:
        click.echo(_header(ranking))
        shown = ranking.frame.head(25 if top is None else top)
        click.echo("\n".join(_show_frame(shown)))
        if len(shown) < ranking.eligible_count:
            click.echo(
                f"… the first {number(len(shown))} of {number(ranking.eligible_count)}; "
                "--top N shows more, -o FILE writes them all"
            )
    if explain:
        click.echo("")
        click.echo(ranking.explain(explain, lang=lang))  # type: ignore[arg-type]


def ranking_section(town: Municipality, on: dt.date) -> list[str]:
    """Rank one vacancy in a red and one in a green department, with explanations."""
    from fuaalborg.errors import FuaalborgError
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.monitoring.calendar import placement_on

    lines = ["Waiting-list ranking (ventelisteudlejning)"]
    applicants = town.applicants
    if applicants.empty:
        return [*lines, "  no waiting list in this municipality"]
    day = on  # applicants registered after the day are listed as not yet on the list
    try:
        colours = placement_on(town, day).colours()
    except FuaalborgError as exc:
        return [*lines, f"  no placement on {day.isoformat()}: {exc}"]
    for wanted in ("red", "green"):
        deps = sorted(colours[colours == wanted].index)
        if not deps:
            lines.append(f"  no {wanted} department on {day.isoformat()}")
            continue
        vacancy = Vacancy(str(deps[0]), rooms=3, monthly_rent_dkk=6500, vacant_on=day)
        try:
            ranking = rank(applicants, vacancy, municipality=town, top=5)
        except FuaalborgError as exc:
            lines.append(f"  {wanted} department {deps[0]}: {exc}".splitlines()[0])
            continue
        lines.append(
            f"  {wanted} department {vacancy.department_id}, 3 rooms, 6.500 kr./month, "
            f"{day.isoformat()}: {ranking.route} letting, "
            f"{number(ranking.eligible_count)} eligible, "
            f"{counted(len(ranking.ineligible), 'row')} not eligible"
        )
        lines.extend("    " + line for line in _show_frame(ranking.frame))
        if len(ranking.frame):
            second = ranking.frame["applicant_id"].iloc[min(1, len(ranking.frame) - 1)]
            lines.append("    Explanation (da):")
            lines.extend("      " + t for t in ranking.explain(second, lang="da").splitlines())
    return lines


COMMANDS = [rank_command]
