"""``fuaalborg ledger``: the letting ledger on a file.

Subcommands: init, vacancy, answer, state, events, repair.

The commands only parse arguments and call :class:`fuaalborg.letting.ledger.Ledger`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import click

from fuaalborg.municipality import Municipality

__all__ = ["COMMANDS", "ledger_group", "ledger_section"]

_DATE = click.DateTime(["%Y-%m-%d"])


def _town(folder: str | None) -> Municipality:
    if folder:
        return Municipality.from_folder(folder)
    from fuaalborg import examples

    return examples.load()


@click.group("ledger")
def ledger_group() -> None:
    """The letting ledger: whose turn each vacancy is (referral, flexible, internal/external)."""


@ledger_group.command("init")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--municipality", "folder", type=click.Path(file_okay=False, exists=True),
              help="Folder with the municipality's tables (default: the bundled example).")
def init_command(path: str, folder: str | None) -> None:
    """Create a new ledger file at PATH for the municipality's departments and dwellings."""
    from fuaalborg.letting.ledger import Ledger

    town = _town(folder)
    with Ledger.create(path, town) as ledger:
        click.echo(f"created {Path(path).name}: {town.name}, {len(ledger.departments)} departments")


@ledger_group.command("vacancy")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.argument("vacancy_id")
@click.argument("dwelling_id")
@click.argument("department_id")
@click.argument("kind", type=click.Choice(["family", "bab"]))
@click.argument("vacant_on", type=_DATE)
@click.argument("rent", type=float)
@click.argument("rooms", type=int)
@click.option("--colour", type=click.Choice(["green", "yellow", "red"]),
              help="The department's colour (default: the step model's placement on the date).")
@click.option("--municipality", "folder", type=click.Path(file_okay=False, exists=True),
              help="Folder with the municipality's tables, for the colour (default: the example).")
def vacancy_command(path: str, vacancy_id: str, dwelling_id: str, department_id: str, kind: str,
                    vacant_on: dt.datetime, rent: float, rooms: int, colour: str | None,
                    folder: str | None) -> None:
    """Record a vacancy and print its route."""
    from fuaalborg.letting.ledger import Ledger

    town = None if colour else _town(folder)
    with Ledger.open(path, municipality=town) as ledger:
        d = ledger.record_vacancy(vacancy_id, dwelling_id, department_id, kind,
                                  vacant_on.date(), rent, rooms, colour=colour)
    parts = [d.route] + [p for p in (d.subroute, d.turn) if p]
    click.echo(f"{d.vacancy_id}: {' / '.join(parts)} ({d.colour}, {d.colour_basis})")
    click.echo(f"  {d.reason}")


@ledger_group.command("answer")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.argument("vacancy_id")
@click.argument("answer", type=click.Choice(["accepted", "declined", "let"]))
@click.argument("on", type=_DATE)
def answer_command(path: str, vacancy_id: str, answer: str, on: dt.datetime) -> None:
    """Record the municipality's answer to a referred vacancy."""
    from fuaalborg.letting.ledger import Ledger

    with Ledger.open(path) as ledger:
        d = ledger.record_answer(vacancy_id, answer, on.date())
        status = ledger.status(vacancy_id)
    click.echo(f"{vacancy_id}: {status}" + (f" -> {d.route} / {d.subroute} / {d.turn}"
                                            if d.returned else ""))


@ledger_group.command("state")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--on", "on", type=_DATE, help="Reconstruct the counters on DATE.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write CSV or xlsx.")
def state_command(path: str, on: dt.datetime | None, output: str | None) -> None:
    """Every department's counters (now, or on a past date)."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import write_table

    with Ledger.open(path, readonly=True) as ledger:
        state = ledger.state(on.date() if on else None)
    if output:
        write_table(state, output)
        click.echo(f"wrote {Path(output).name} ({len(state)} departments)")
    else:
        active = state.loc[state["vacancies"] > 0]
        click.echo(active.to_string(index=False) if len(active) else "no vacancies recorded")


@ledger_group.command("events")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--type", "kind", help="Only events of this type (vacancy, answer, ...).")
@click.option("--department", help="Only events of this department.")
@click.option("--vacancy", help="Only events of this vacancy.")
@click.option("--since", type=_DATE)
@click.option("--until", type=_DATE)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write CSV or xlsx.")
def events_command(path: str, kind: str | None, department: str | None, vacancy: str | None,
                   since: dt.datetime | None, until: dt.datetime | None,
                   output: str | None) -> None:
    """List (or export) the ledger's events."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import write_table

    with Ledger.open(path, readonly=True) as ledger:
        events = ledger.events(type=kind, department_id=department, vacancy_id=vacancy,
                               since=since.date() if since else None,
                               until=until.date() if until else None)
        frame = ledger.to_frame(events)
        if output and output.lower().endswith(".xlsx") and not any(
            (kind, department, vacancy, since, until)
        ):
            ledger.to_xlsx(output)
            click.echo(f"wrote {Path(output).name} ({len(events)} events)")
            return
    if output:
        write_table(frame, output)
        click.echo(f"wrote {Path(output).name} ({len(events)} events)")
        return
    shown = [c for c in ("seq", "type", "on", "vacancy_id", "department_id", "route",
                         "subroute", "turn", "answer") if c in frame.columns]
    click.echo(frame[shown].to_string(index=False) if len(frame) else "no events")


@ledger_group.command("repair")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Truncate the torn last line (otherwise only report).")
def repair_command(path: str, yes: bool) -> None:
    """Report a torn last line after a crash; truncate it with --yes."""
    import warnings

    from fuaalborg.letting.ledger import Ledger, TornLineWarning

    if not yes:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TornLineWarning)
            with Ledger.open(path, readonly=True) as ledger:
                torn = ledger.torn
                count = len(ledger.events())
        if torn is None:
            click.echo(f"{Path(path).name}: intact ({count} events)")
        else:
            click.echo(f"{Path(path).name}: {torn.describe()}; run again with --yes to drop it")
        return
    click.echo(Ledger.repair(path).describe())


def ledger_section(town: Municipality, on: dt.date) -> list[str]:
    """Demo: a year of vacancies at the agreement's turnover through a ledger, by colour/rent."""
    from fuaalborg.letting.ledger import Ledger, route_summary, vacancy_stream

    start = dt.date(on.year, 1, 1)
    stream = vacancy_stream(town, start)
    with tempfile.TemporaryDirectory() as folder:
        try:
            with Ledger.create(Path(folder) / "ledger.jsonl", town) as ledger:
                decisions = ledger.record_vacancies(stream)
        except Exception as exc:  # the tour goes on when a part cannot run
            return [f"Letting ledger: not available ({exc})"]
    summary = route_summary(decisions, stream["monthly_rent_dkk"], start)
    lines = [
        f"Letting ledger: {len(stream):,} vacancies in {start.year}".replace(",", ".")
        + f" (turnover {100 * len(stream) / max(len(town.dwellings), 1):.1f} %),"
        " routed and written with fsync",
        f"  {'':<16} {'referral':>8} {'flexible':>8} {'ordinary':>8} {'internal':>8} "
        f"{'external':>8} {'total':>7}",
    ]
    for by, title in (("colour", "by colour"), ("rent_band", "by rent band")):
        lines.append(f"  {title}")
        for row in summary.loc[summary["by"] == by].itertuples(index=False):
            lines.append(
                f"  {row.group:<16} {row.referral:>8} {row.flexible:>8} {row.ordinary:>8} "
                f"{row.internal:>8} {row.external:>8} {row.total:>7}"
            )
    return lines


COMMANDS = [ledger_group]
