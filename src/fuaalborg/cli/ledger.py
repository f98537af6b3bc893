"""``fuaalborg ledger``: the letting ledger on a file.

Subcommands: init, vacancy, answer, state, events, repair.

The commands only parse arguments and call :class:`fuaalborg.letting.ledger.Ledger`;
the library's messages are re-worded in the commands' own terms, and warnings
print as one line ``warning: …``.
"""

from __future__ import annotations

import datetime as dt
import shlex
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from fuaalborg.cli._common import (
    DATE,
    CommandError,
    cannot_write,
    check_output,
    counted,
    output_suffix,
    reword,
    reworded,
)
from fuaalborg.errors import FuaalborgError
from fuaalborg.municipality import Municipality

__all__ = ["COMMANDS", "EVENT_TYPES", "ledger_group", "ledger_section"]

#: The event types a ledger writes (letting.ledger and letting.offers), for ``events --type``.
EVENT_TYPES: tuple[str, ...] = (
    "created",
    "rules",
    "flexible_share",
    "vacancy",
    "answer",
    "offers_sent",
    "offer_answer",
    "offer_round_closed",
    "applicant_passive",
    "signed",
)


def _town(folder: str | None) -> Municipality:
    if folder:
        return Municipality.from_folder(folder)
    from fuaalborg import examples

    return examples.load()


def _repair_command(path: str) -> str:
    return f"`fuaalborg ledger repair {shlex.quote(path)} --yes`"


def _words(path: str) -> list[tuple[str, str]]:
    """The library's wording (its Python API) and the ledger commands' wording."""
    repair = _repair_command(path).replace("\\", "\\\\")
    return [
        (
            r"already exists; open it with Ledger\.open",
            "already exists; use `fuaalborg ledger vacancy` and the other ledger commands "
            "on the existing file, or give `fuaalborg ledger init` a new file name",
        ),
        (r"run `fuaalborg ledger repair` first", f"run {repair} first"),
        (r"until `fuaalborg ledger repair` truncates it", f"until {repair} truncates it"),
        (
            r"\(pass colour=, or open the ledger with a municipality/colour_source\)",
            "(give --colour)",
        ),
        (
            r"close it there, or open this one read-only",
            "close it there; `fuaalborg ledger state` and `fuaalborg ledger events` only read it",
        ),
        (r"reopen the ledger", "run the command again"),
    ]


@contextmanager
def _ledger_command(path: str) -> Iterator[None]:
    """Re-word the library's errors for the command line; print warnings as one line each."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield
    except FuaalborgError as exc:
        raise reworded(exc, _words(path)) from None
    finally:
        for warning in caught:
            text = reword(str(warning.message), _words(path))
            click.echo(f"warning: {' '.join(text.split())}", err=True)


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

    check_output(path)
    with _ledger_command(path):
        town = _town(folder)
        with Ledger.create(path, town) as ledger:
            count = len(ledger.departments)
    click.echo(f"created {Path(path).name}: {town.name}, {counted(count, 'department')}")


@ledger_group.command("vacancy")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.argument("vacancy_id")
@click.argument("dwelling_id")
@click.argument("department_id")
@click.argument("kind", type=click.Choice(["family", "bab"]))
@click.argument("vacant_on", type=DATE)
@click.argument("rent", type=click.FloatRange(min=0), metavar="RENT")
@click.argument("rooms", type=click.IntRange(min=1), metavar="ROOMS")
@click.option("--colour", type=click.Choice(["green", "yellow", "red"]),
              help="The department's colour (default: the step model's placement on the date).")
@click.option("--municipality", "folder", type=click.Path(file_okay=False, exists=True),
              help="Folder with the municipality's tables, for the colour (default: the example).")
def vacancy_command(path: str, vacancy_id: str, dwelling_id: str, department_id: str, kind: str,
                    vacant_on: dt.date, rent: float, rooms: int, colour: str | None,
                    folder: str | None) -> None:
    """Record a vacancy and print its route.

    DATE (YYYY-MM-DD, required) is the day the dwelling is vacant; RENT is the
    monthly rent in kr. and ROOMS the number of habitable rooms.
    """
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(path):
        town = None if colour else _town(folder)
        with Ledger.open(path, municipality=town) as ledger:
            d = ledger.record_vacancy(vacancy_id, dwelling_id, department_id, kind,
                                      vacant_on, rent, rooms, colour=colour)
    parts = [d.route] + [p for p in (d.subroute, d.turn) if p]
    click.echo(f"{d.vacancy_id}: {' / '.join(parts)} ({d.colour}, {d.colour_basis})")
    click.echo(f"  {d.reason}")


@ledger_group.command("answer")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.argument("vacancy_id")
@click.argument("answer", type=click.Choice(["accepted", "declined", "let"]))
@click.argument("on", type=DATE)
def answer_command(path: str, vacancy_id: str, answer: str, on: dt.date) -> None:
    """Record the municipality's answer to a referred vacancy on DATE (YYYY-MM-DD, required)."""
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(path), Ledger.open(path) as ledger:
        d = ledger.record_answer(vacancy_id, answer, on)
        status = ledger.status(vacancy_id)
    click.echo(f"{vacancy_id}: {status}" + (f" -> {d.route} / {d.subroute} / {d.turn}"
                                            if d.returned else ""))


_OUTPUT = click.option(
    "-o", "--output", type=click.Path(dir_okay=False), callback=output_suffix(".csv", ".xlsx"),
    help="Write a .csv or .xlsx file.",
)


@ledger_group.command("state")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--on", "on", type=DATE, help="Reconstruct the counters on DATE.")
@_OUTPUT
def state_command(path: str, on: dt.date | None, output: str | None) -> None:
    """Every department's counters (now, or on a past date)."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import write_table

    check_output(output)
    with _ledger_command(path), Ledger.open(path, readonly=True) as ledger:
        state = ledger.state(on)
    if output:
        try:
            write_table(state, output)
        except OSError as exc:
            raise cannot_write(output, exc) from None
        click.echo(f"wrote {Path(output).name} ({counted(len(state), 'department')})")
    else:
        active = state.loc[state["vacancies"] > 0]
        click.echo(active.to_string(index=False) if len(active) else "no vacancies recorded")


@ledger_group.command("events")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--type", "kind", type=click.Choice(EVENT_TYPES),
              help="Only events of this type.")
@click.option("--department", help="Only events of this department.")
@click.option("--vacancy", help="Only events of this vacancy.")
@click.option("--since", type=DATE, help="Only events on or after DATE.")
@click.option("--until", type=DATE, help="Only events on or before DATE.")
@_OUTPUT
def events_command(path: str, kind: str | None, department: str | None, vacancy: str | None,
                   since: dt.date | None, until: dt.date | None,
                   output: str | None) -> None:
    """List (or export) the ledger's events."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import write_table

    check_output(output)
    with _ledger_command(path), Ledger.open(path, readonly=True) as ledger:
        events = ledger.events(type=kind, department_id=department, vacancy_id=vacancy,
                               since=since, until=until)
        frame = ledger.to_frame(events)
        if output and output.lower().endswith(".xlsx") and not any(
            (kind, department, vacancy, since, until)
        ):
            try:
                ledger.to_xlsx(output)
            except OSError as exc:
                raise cannot_write(output, exc) from None
            click.echo(f"wrote {Path(output).name} ({counted(len(events), 'event')})")
            return
    if output:
        try:
            write_table(frame, output)
        except OSError as exc:
            raise cannot_write(output, exc) from None
        click.echo(f"wrote {Path(output).name} ({counted(len(events), 'event')})")
        return
    shown = [c for c in ("seq", "type", "on", "vacancy_id", "department_id", "route",
                         "subroute", "turn", "answer") if c in frame.columns]
    click.echo(frame[shown].to_string(index=False) if len(frame) else "no events")


@ledger_group.command("repair")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
@click.option("--yes", is_flag=True, help="Truncate the torn last line (otherwise only report).")
def repair_command(path: str, yes: bool) -> None:
    """Report a torn last line after a crash; truncate it with --yes.

    Without --yes a damaged ledger is an error (exit status 1): nothing is repaired.
    """
    from fuaalborg.letting.ledger import Ledger, TornLineWarning

    with _ledger_command(path):
        if yes:
            click.echo(Ledger.repair(path).describe())
            return
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", TornLineWarning)
            with Ledger.open(path, readonly=True) as ledger:
                torn = ledger.torn
                count = len(ledger.events())
    if torn is not None:
        raise CommandError(
            f"{Path(path).name}: {torn.describe()}; nothing repaired: run "
            f"{_repair_command(path)} to drop it"
        )
    click.echo(f"{Path(path).name}: intact ({counted(count, 'event')})")


def ledger_section(town: Municipality, on: dt.date) -> list[str]:
    """Demo: a year of vacancies at the agreement's turnover through a ledger, by colour/rent."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.reports.routes import route_summary
    from fuaalborg.simulation.arrivals import vacancy_stream

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
