"""``fuaalborg calendar``: the agreement's own duties and deadlines, overdue items flagged.

The command calls :func:`fuaalborg.monitoring.calendar.agreement_calendar` with
the municipality's lists (for the mandatory criteria of § 60, stk. 4) and the
loaded plug-ins' organisation agreements (for the revisions of § 60, stk. 2).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from fuaalborg.cli._common import (
    DATE,
    CommandError,
    cannot_write,
    check_output,
    danish_option,
    dayfirst_option,
    echo_notice,
    load_municipality,
    municipality_option,
    output_option,
)

__all__ = ["COMMANDS", "calendar_command"]


@click.command("calendar")
@municipality_option
@dayfirst_option
@click.option("--from", "start", type=DATE,
              help="First day of the calendar (default: 1 January of the --on year).")
@click.option("--to", "end", type=DATE,
              help="Last day of the calendar (default: 31 December of the --on year).")
@click.option("--on", "on", type=DATE,
              help="The date overdue items are judged on (default: today).")
@click.option("--done", "done", type=click.Path(exists=True, dir_okay=False),
              help="CSV or xlsx file of items done: columns id and done_on.")
@click.option("--overdue", is_flag=True, help="Show only the overdue items.")
@output_option(".csv", ".xlsx", help="Write the items to FILE (.csv or .xlsx).")
@danish_option
def calendar_command(
    municipality_dir: str | None,
    dayfirst: bool,
    start: dt.date | None,
    end: dt.date | None,
    on: dt.date | None,
    done: str | None,
    overdue: bool,
    output: str | None,
    danish: bool | None,
) -> None:
    """The agreement's duties and deadlines: meetings, reviews, renegotiation, § 60 revisions.

    Items past their deadline and not listed in --done are overdue; deadlines the
    agreement does not date itself are marked [reading], those of its assumed
    2026–2029 terms [assumed]. The exit status is 0 whether or not items are overdue.
    """
    from fuaalborg.criteria import load
    from fuaalborg.monitoring.calendar import agreement_calendar
    from fuaalborg.tables import write_table

    check_output(output)
    day = on or dt.date.today()
    first = start or dt.date(day.year, 1, 1)
    last = end or dt.date(day.year, 12, 31)
    if last < first:
        raise CommandError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its lists and departments")
    click.echo(f"Municipality: {municipality.name}")
    registry = load()
    cal = agreement_calendar(first, last, on=day, municipality=municipality,
                             agreements=registry.agreements, done=done)
    lines = cal.describe()
    shown = [d for d in cal.duties if d.status == "overdue"] if overdue else list(cal.duties)
    click.echo(lines[0])
    for duty in shown:
        click.echo(f"  {duty.describe()}")
    for note in cal.notes:
        click.echo(f"  note: {note}")
    own = [a for a in registry.agreements if a.organisation_cvr is not None]
    if not own:
        click.echo("  note: no organisation agreements on flexible letting are loaded (plug-ins): "
                   "the revisions of § 60, stk. 2 are not listed")
    if output:
        in_danish = municipality.danish if danish is None else danish
        frame = cal.table("da" if in_danish else "en")
        if overdue:
            frame = frame.loc[frame["status"] == "overdue"].reset_index(drop=True)
        try:
            write_table(frame, output, danish=in_danish)
        except OSError as exc:
            raise cannot_write(output, exc) from None
        click.echo(f"Wrote {Path(output).name}")


COMMANDS = [calendar_command]
