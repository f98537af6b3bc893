"""``fuaalborg rank``: rank a waiting list for one vacant dwelling; the demo's ranking section."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from fuaalborg.municipality import Municipality

__all__ = ["COMMANDS", "rank_command", "ranking_section"]


def _show_frame(frame: Any) -> list[str]:
    shown = frame.copy()
    shown["seniority_date"] = shown["seniority_date"].dt.strftime("%Y-%m-%d")
    shown["group"] = shown["group"].astype("string").fillna("–")
    shown["criteria_met"] = shown["criteria_met"].astype("string").replace("", "–")
    text: str = shown.drop(columns="sort_key").to_string(index=False)
    return text.splitlines()


@click.command("rank")
@click.argument("applicants", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--department", "department", required=True, help="The vacancy's department id.")
@click.option("--rooms", type=click.IntRange(min=1), required=True, help="Habitable rooms.")
@click.option("--rent", type=click.FloatRange(min=0), required=True, help="Monthly rent in kr.")
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]),
              help="Date the dwelling is let on (default: today).")
@click.option("--route", type=click.Choice(["flexible", "ordinary"]),
              help="Letting route (default: from the department's colour and agreement).")
@click.option("--turn", type=click.Choice(["internal", "external"]),
              help="Whose turn (default: both lists as one).")
@click.option("--top", type=click.IntRange(min=0), default=None,
              help="Show or write only the first N (default: 25 shown, all written).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="Write the ranking (CSV or xlsx) and its decision record (.record.json).")
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
    on: dt.datetime | None,
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
    from fuaalborg.letting.ranking import rank
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.tables import atomic_write, read_table, write_table

    day = on.date() if on else dt.date.today()
    town = None
    if applicants is None:
        town = examples.load()
        frame = town.applicants
    else:
        from fuaalborg.tables import TableSpec

        frame = read_table(applicants, TableSpec("applicants", ()))
        if route != "ordinary" and (colour is None or organisation is None):
            town = examples.load()
    vacancy = Vacancy(department, rooms, rent, day)
    ranking = rank(
        frame, vacancy, on=day, route=route, turn=turn,  # type: ignore[arg-type]
        top=top, municipality=town, colour=colour, organisation_cvr=organisation,
    )
    if output:
        path = Path(output)
        record = path.with_suffix(".record.json")
        text = ranking.record.to_json()
        write_table(ranking.frame, path, sheet_name="ranking")
        with atomic_write(record) as tmp:
            tmp.write_text(text, encoding="utf-8")
        click.echo(
            f"Wrote {len(ranking.frame)} rows to {path.name} and the record to {record.name}"
        )
    else:
        click.echo(repr(ranking))
        click.echo("\n".join(_show_frame(ranking.frame.head(25 if top is None else top))))
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
    latest = applicants["seniority_date"].max()
    day = max(on, latest.date()) if hasattr(latest, "date") else on
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
            f"{day.isoformat()}: {ranking.route} letting, {ranking.eligible_count} eligible, "
            f"{len(ranking.ineligible)} rows not eligible"
        )
        lines.extend("    " + line for line in _show_frame(ranking.frame))
        if len(ranking.frame):
            second = ranking.frame["applicant_id"].iloc[min(1, len(ranking.frame) - 1)]
            lines.append("    Explanation (da):")
            lines.extend("      " + t for t in ranking.explain(second, lang="da").splitlines())
    return lines


COMMANDS = [rank_command]
