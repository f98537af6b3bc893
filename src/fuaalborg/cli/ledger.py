"""``fuaalborg ledger``: the letting ledger in a file, SQLite or PostgreSQL.

Subcommands: init, vacancy, answer, void, correct, update-stock, state, events,
verify, convert, repair. Every command takes the ledger's TARGET: a file path
(``ledger.jsonl``), ``sqlite:///path.db`` or ``postgresql://user@host/dbname``.

The commands only parse arguments and call :class:`fuaalborg.letting.ledger.Ledger`;
the library's errors name their arguments and remedies by name, and the commands
word them in their own arguments, options and commands (no text is rewritten);
warnings print as one line ``warning: …``.
"""

from __future__ import annotations

import datetime as dt
import shlex
import tempfile
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from fuaalborg.cli import SuggestingGroup
from fuaalborg.cli._common import (
    DATE,
    Amount,
    CommandError,
    cannot_write,
    check_output,
    counted,
    danish_option,
    dayfirst_option,
    echo_notice,
    in_options,
    load_municipality,
    municipality_option,
    number,
    output_option,
    stacked,
)
from fuaalborg.errors import FuaalborgError, Remedy, WithRemedy, Wording
from fuaalborg.letting.events import EVENT_TYPES as _EVENT_TYPES
from fuaalborg.model import COLOURS
from fuaalborg.municipality import Municipality
from fuaalborg.specs import DWELLING_KINDS

if TYPE_CHECKING:
    import pandas as pd

    from fuaalborg.letting.ledger import StepModelColours

__all__ = ["COMMANDS", "EVENT_TYPES", "ledger_group", "ledger_section"]

#: The event types a ledger writes, for ``events --type``.
EVENT_TYPES: tuple[str, ...] = _EVENT_TYPES

_TARGET = "TARGET"
_TARGET_HELP = "TARGET is a ledger file, sqlite:///path.db or postgresql://user@host/dbname."


def _is_file(target: str) -> bool:
    from fuaalborg.letting.store import parse_target

    try:
        return parse_target(target)[0] == "file"
    except FuaalborgError:
        return False


def _repair_command(path: str) -> str:
    return f"`fuaalborg ledger repair {shlex.quote(path)} --yes`"


def _remedy(path: str, names: Mapping[str, str]) -> Callable[[Remedy], str | None]:
    """The ledger commands' wording of the ledger's remedies (:mod:`fuaalborg.letting.errors`),
    naming arguments by the command's ``names``."""
    repair = _repair_command(path)
    existing = (
        "the existing file, or give `fuaalborg ledger init` a new file name" if _is_file(path)
        else "it, or give `fuaalborg ledger init` another database"
    )
    own = "give --municipality DIR with the ledger's own municipality"
    words = {
        "open_existing": f"use `fuaalborg ledger vacancy` and the other ledger commands on "
                         f"{existing}",
        "repair": f"run {repair} first",
        "reopen": "run the command again",
        "give_colour": "give --colour, or --municipality DIR with the ledger's own municipality",
        "give_organisations": f"{own}, and the first write records its organisations",
        "own_municipality": own,
        "own_colours": f"{own}, or --colour",
        "correct_instead": "correct its facts with `fuaalborg ledger correct` instead",
        "void_and_record": "void the vacancy (`fuaalborg ledger void`) and record it again",
        "update_stock": "if the stock changed on purpose, record the change with "
                        f"`fuaalborg ledger update-stock {shlex.quote(path)} --municipality DIR "
                        "--on DATE` (DATE: the day it is in force); else give --municipality DIR "
                        "with the ledger's own municipality",
        "current_stock": "give --municipality DIR with the ledger's municipality as it is now",
        "void_or_later": "void the vacancy (`fuaalborg ledger void`), or give a later --on",
        "rebuilt": "where the dwelling was rebuilt, correct the dwellings table and record the "
                   f"change with `fuaalborg ledger update-stock {shlex.quote(path)}`",
    }

    def worded(remedy: Remedy) -> str | None:
        if remedy.key == "correct_too":
            given = " and ".join(names.get(a, a) for a in remedy.arguments)
            return f"give {given} as well"
        return words.get(remedy.key)

    return worded


#: The arguments and options of the ledger commands, by the library's argument names.
_NAMES: dict[str, dict[str, str]] = {
    "vacancy": {"vacancy_id": "VACANCY_ID", "dwelling_id": "DWELLING_ID",
                "department_id": "DEPARTMENT_ID", "kind": "KIND", "vacant_on": "DATE",
                "monthly_rent_dkk": "RENT", "rooms": "ROOMS", "colour": "--colour",
                "organisations": "--municipality"},
    "answer": {"vacancy_id": "VACANCY_ID", "answer": "ANSWER", "on": "DATE"},
    "void": {"vacancy_id": "VACANCY_ID", "on": "DATE", "reason": "--reason", "by": "--by"},
    "update-stock": {"on": "--on", "note": "--note", "by": "--by",
                     "municipality": "--municipality", "organisations": "--municipality"},
    "correct": {"vacancy_id": "VACANCY_ID", "on": "DATE", "reason": "--reason", "by": "--by",
                "monthly_rent_dkk": "--rent", "rooms": "--rooms", "dwelling_id": "--dwelling",
                "vacant_on": "--vacant-on"},
}


#: The facts of a vacancy a correction changes, named by the options of ``ledger correct``
#: (in the lines of ``correct`` and ``verify``).
_FACT_WORDS = Wording(names={k: v for k, v in _NAMES["correct"].items()
                             if k in ("monthly_rent_dkk", "rooms", "dwelling_id", "vacant_on")})


def _wording(path: str, command: str = "") -> Wording:
    """The ledger command's words for the library's arguments and remedies."""
    names = _NAMES.get(command, {})
    return Wording(names=names, remedies=_remedy(path, names))


@contextmanager
def _ledger_command(path: str, command: str = "") -> Iterator[None]:
    """Word the library's errors in the command's terms; print warnings as one line each."""
    caught: list[warnings.WarningMessage] = []
    words = _wording(path, command)
    try:
        with warnings.catch_warnings(record=True) as caught:
            yield
    except FuaalborgError as exc:
        raise in_options(exc, words) from None
    finally:
        for warning in caught:
            message = warning.message
            text = message.worded(words) if isinstance(message, WithRemedy) else str(message)
            click.echo(f"warning: {' '.join(text.split())}", err=True)


@click.group("ledger", cls=SuggestingGroup)
def ledger_group() -> None:
    """The letting ledger: whose turn each vacancy is (referral, flexible, internal/external).

    Every command takes the ledger's TARGET: a file (ledger.jsonl), an SQLite
    database (sqlite:///ledger.db) or PostgreSQL (postgresql://user@host/dbname).
    """


@ledger_group.command("init")
@click.argument("target", metavar=_TARGET)
@municipality_option
@dayfirst_option
def init_command(target: str, municipality_dir: str | None, dayfirst: bool) -> None:
    """Create a new ledger at TARGET for the municipality's departments and dwellings.

    TARGET is a ledger file, sqlite:///path.db or postgresql://user@host/dbname.
    The ledger keeps the municipality's registry of dwellings — with their
    floor, dwelling type and lift where the dwellings table states them — and its
    fingerprint, and refuses another municipality's later.
    """
    from fuaalborg.letting.ledger import Ledger

    if _is_file(target):
        check_output(target)
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    echo_notice(municipality, "its departments and dwellings")
    with _ledger_command(target), Ledger.create(target, municipality) as ledger:
        count = len(ledger.departments)
        shown = ledger.target
    click.echo(f"created {shown}: {municipality.name}, {counted(count, 'department')}")


def _colour_source(target: str, ledger_fingerprint: str, ledger_name: str) -> StepModelColours:
    """The bundled example's step model, when the ledger was made from the example."""
    from fuaalborg import examples
    from fuaalborg.letting.ledger import StepModelColours

    example = examples.load()
    colours = StepModelColours(example)
    if colours.fingerprint != ledger_fingerprint:
        raise CommandError(
            f"{target} was created for {ledger_name!r}, not for the bundled example "
            "municipality: give --municipality DIR with its tables (for the step model's "
            "colour), or --colour"
        )
    return colours


@ledger_group.command("vacancy")
@click.argument("target", metavar=_TARGET)
@click.argument("vacancy_id")
@click.argument("dwelling_id")
@click.argument("department_id")
@click.argument("kind", type=click.Choice(DWELLING_KINDS))
@click.argument("vacant_on", type=DATE)
@click.argument("rent", type=Amount("bounds.monthly_rent_dkk"), metavar="RENT")
@click.argument("rooms", type=Amount("bounds.rooms", whole=True, minimum=1), metavar="ROOMS")
@click.option("--colour", type=click.Choice(COLOURS),
              help="The department's colour (default: the step model's placement on the date).")
@municipality_option
@dayfirst_option
def vacancy_command(target: str, vacancy_id: str, dwelling_id: str, department_id: str,
                    kind: str, vacant_on: dt.date, rent: float, rooms: int, colour: str | None,
                    municipality_dir: str | None, dayfirst: bool) -> None:
    """Record a vacancy and print its route.

    DATE (YYYY-MM-DD, required) is the day the dwelling is vacant; RENT is the
    monthly rent in kr. (a decimal comma is fine: 4550,5, and thousands dots
    with it: 6.100,50) and ROOMS the number
    of habitable rooms. Without --colour the colour is the step model's
    placement of the ledger's own municipality (--municipality DIR); a ledger
    of another municipality never takes the bundled example's colours.
    """
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(target, "vacancy"):
        municipality = (
            load_municipality(municipality_dir, dayfirst=dayfirst) if municipality_dir else None
        )
        source = None
        if colour is None and municipality is None:
            with Ledger.open(target, readonly=True) as probe:
                source = _colour_source(probe.target, probe.fingerprint, probe.name)
            echo_notice(source.municipality,
                        "its step model's colours (the ledger was created for it)")
        with Ledger.open(target, municipality=municipality, colour_source=source) as ledger:
            d = ledger.record_vacancy(vacancy_id, dwelling_id, department_id, kind,
                                      vacant_on, rent, rooms, colour=colour)
    parts = [d.route] + [p for p in (d.subroute, d.turn) if p]
    late = "; late: dated before the department's latest vacancy" if d.late else ""
    click.echo(f"{d.vacancy_id}: {' / '.join(parts)} ({d.colour}, {d.colour_basis}){late}")
    click.echo(f"  {d.reason}")


@ledger_group.command("answer")
@click.argument("target", metavar=_TARGET)
@click.argument("vacancy_id")
@click.argument("answer", type=click.Choice(["accepted", "declined", "let"]))
@click.argument("on", type=DATE)
def answer_command(target: str, vacancy_id: str, answer: str, on: dt.date) -> None:
    """Record the municipality's answer to a referred vacancy on DATE (YYYY-MM-DD, required)."""
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(target, "answer"), Ledger.open(target) as ledger:
        d = ledger.record_answer(vacancy_id, answer, on)
        status = ledger.status(vacancy_id)
    click.echo(f"{vacancy_id}: {status}" + (f" -> {d.route} / {d.subroute} / {d.turn}"
                                            if d.returned else ""))


_BY = click.option("--by", help="Who (default: the operating-system user).")

#: The arguments and options of a command that amends a recorded vacancy from a date.
_AMENDMENT = stacked(
    click.argument("target", metavar=_TARGET),
    click.argument("vacancy_id"),
    click.argument("on", type=DATE),
    click.option("--reason", required=True, help="Why (kept in the ledger)."),
    _BY,
)


@ledger_group.command("void")
@_AMENDMENT
def void_command(target: str, vacancy_id: str, on: dt.date, reason: str, by: str | None) -> None:
    """Void a vacancy recorded in error: it stops counting from DATE (YYYY-MM-DD).

    The department's counters go back by what the vacancy counted; decisions
    recorded after it stand, and its own stays in the history.
    """
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(target, "void"), Ledger.open(target) as ledger:
        after = ledger.void(vacancy_id, reason, on, by=by)
        dep = ledger.vacancy(vacancy_id)["department_id"]
    click.echo(f"{vacancy_id}: void from {on.isoformat()}; department {dep}'s counters now "
               f"referral {after.referral}, flexible {after.flexible}, turns {after.turns}")


@ledger_group.command("correct")
@_AMENDMENT
@click.option("--rent", type=Amount("bounds.monthly_rent_dkk"),
              help="The monthly rent in kr. (a decimal comma is fine: 4550,5, and "
              "thousands dots with it: 6.100,50).")
@click.option("--rooms", type=Amount("bounds.rooms", whole=True, minimum=1),
              help="The number of habitable rooms.")
@click.option("--dwelling", help="Another dwelling of the same department and kind.")
@click.option("--vacant-on", "vacant_on", type=DATE, help="The day the dwelling is vacant.")
@municipality_option
@dayfirst_option
def correct_command(target: str, vacancy_id: str, on: dt.date, reason: str, by: str | None,
                    rent: float | None, rooms: int | None, dwelling: str | None,
                    vacant_on: dt.date | None, municipality_dir: str | None,
                    dayfirst: bool) -> None:
    """Correct a recorded vacancy's rent, rooms, dwelling or date from DATE (YYYY-MM-DD).

    The department, kind and colour decide the route: to change them, void the
    vacancy and record it again. --municipality DIR (the ledger's own) lets its
    municipality.toml's bounds apply to --rent and --rooms.
    """
    from fuaalborg.letting.ledger import Ledger

    fields = {k: v for k, v in (("monthly_rent_dkk", rent), ("rooms", rooms),
                                ("dwelling_id", dwelling), ("vacant_on", vacant_on))
              if v is not None}
    if not fields:
        raise CommandError("nothing to correct: give --rent, --rooms, --dwelling or --vacant-on")
    with _ledger_command(target, "correct"):
        municipality = (
            load_municipality(municipality_dir, dayfirst=dayfirst) if municipality_dir else None
        )
        with Ledger.open(target, municipality=municipality) as ledger:
            ledger.correct(vacancy_id, reason, on, by=by, **fields)
            (last,) = ledger.corrections()[-1:]
    click.echo(last.describe(_FACT_WORDS))


@ledger_group.command("update-stock")
@click.argument("target", metavar=_TARGET)
@click.option("--municipality", "municipality_dir", required=True, metavar="DIR",
              help="The municipality's folder as it is now (its departments and dwellings).")
@click.option("--on", "on", type=DATE, required=True,
              help="The day the change is in force (YYYY-MM-DD).")
@click.option("--note", help="Why the stock changed (kept in the ledger).")
@_BY
@dayfirst_option
def update_stock_command(target: str, municipality_dir: str, on: dt.date, note: str | None,
                         by: str | None, dayfirst: bool) -> None:
    """Carry the ledger forward to a changed housing stock, in force from --on DATE.

    Give --municipality DIR with the municipality's tables as they are now: new
    and demolished buildings, merged departments. The ledger records the new
    departments and dwellings, their fingerprint and what changed in one event;
    continuing departments keep their counters (every 4th vacancy per
    department carries on), new ones start at zero, removed ones take no vacancy
    dated from DATE. A department that moved to another housing organisation is
    refused.
    """
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(target, "update-stock"):
        municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
        with Ledger.open(target) as ledger:
            change = ledger.update_stock(municipality, on=on, note=note, by=by)
            fingerprint, shown = ledger.fingerprint, ledger.target
    click.echo(f"{shown}: the stock of {municipality.name} from {on.isoformat()} (fingerprint "
               f"{fingerprint}): {change.describe()}; the counters of continuing departments "
               "carry on")


#: The sheets of an events workbook, in Danish.
_SHEETS = {"events": "hændelser", "state": "tilstand"}

_OUTPUT_HELP = ("Write the table to FILE (.csv or .xlsx); Danish headers and values with "
                "--danish.")


def _write(frames: dict[str, pd.DataFrame], output: str, danish: bool) -> None:
    """Write one table (CSV, or one sheet) or several sheets (xlsx), atomically."""
    import pandas as pd

    from fuaalborg.tables import atomic_write, to_danish, write_table

    try:
        if len(frames) == 1:
            ((sheet, frame),) = frames.items()
            write_table(frame, output, sheet_name=_SHEETS[sheet] if danish else sheet,
                        danish=danish)
            return
        with atomic_write(output) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            for sheet, frame in frames.items():
                shown = to_danish(frame) if danish else frame
                shown.to_excel(writer, sheet_name=_SHEETS[sheet] if danish else sheet,
                               index=False)
    except OSError as exc:
        raise cannot_write(output, exc) from None


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as true/false or as text: a spreadsheet column holds one type.

    A column of events of several types mixes values and gaps (``late`` is
    recorded only where true); nested values are already JSON text.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype != object:
            continue
        present = values.dropna()
        if len(present) and present.map(lambda v: isinstance(v, bool)).all():
            out[column] = values.astype("boolean")
        else:
            out[column] = values.astype("string")
    return out


@ledger_group.command("state")
@click.argument("path", metavar=_TARGET)
@click.option("--on", "on", type=DATE, help="Reconstruct the counters on DATE.")
@output_option(".csv", ".xlsx", help=_OUTPUT_HELP)
@danish_option
def state_command(path: str, on: dt.date | None, output: str | None,
                  danish: bool | None) -> None:
    """Every department's counters (now, or on a past date).

    Tables are in Danish (Danish headers and values; for CSV ';', decimal comma
    and a byte-order mark) when the ledger was created from a municipality in
    Danish files, or with --danish; otherwise in English.
    """
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import to_danish

    check_output(output)
    with _ledger_command(path), Ledger.open(path, readonly=True) as ledger:
        state = ledger.state(on)
        in_danish = ledger.danish if danish is None else danish
    if output:
        _write({"state": state}, output, in_danish)
        click.echo(f"wrote {Path(output).name} ({counted(len(state), 'department')})")
    else:
        active = state.loc[state["vacancies"] > 0]
        if in_danish:
            active = to_danish(active)
        click.echo(active.to_string(index=False) if len(active) else "no vacancies recorded")


@ledger_group.command("events")
@click.argument("path", metavar=_TARGET)
@click.option("--type", "kind", type=click.Choice(EVENT_TYPES),
              help="Only events of this type.")
@click.option("--department", help="Only events of this department.")
@click.option("--vacancy", help="Only events of this vacancy.")
@click.option("--since", type=DATE, help="Only events on or after DATE.")
@click.option("--until", type=DATE, help="Only events on or before DATE.")
@output_option(".csv", ".xlsx", help=_OUTPUT_HELP + " An .xlsx file of every event also "
               "holds the current state, on a second sheet.")
@danish_option
def events_command(path: str, kind: str | None, department: str | None, vacancy: str | None,
                   since: dt.date | None, until: dt.date | None,
                   output: str | None, danish: bool | None) -> None:
    """List (or export) the ledger's events.

    Tables are in Danish (Danish headers and values; for CSV ';', decimal comma
    and a byte-order mark) when the ledger was created from a municipality in
    Danish files, or with --danish; otherwise in English.
    """
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.tables import to_danish

    check_output(output)
    everything = not any((kind, department, vacancy, since, until))
    with _ledger_command(path), Ledger.open(path, readonly=True) as ledger:
        events = ledger.events(type=kind, department_id=department, vacancy_id=vacancy,
                               since=since, until=until)
        frame = ledger.to_frame(events)
        workbook = bool(output) and str(output).lower().endswith(".xlsx") and everything
        state = ledger.state() if workbook else None
        in_danish = ledger.danish if danish is None else danish
    if output:
        frames = {"events": _as_text(frame)}
        if state is not None:
            frames["state"] = state
        _write(frames, output, in_danish)
        click.echo(f"wrote {Path(output).name} ({counted(len(events), 'event')})")
        return
    if "late" in frame.columns:  # recorded only where true
        frame["late"] = frame["late"].map(lambda v: "late" if v is True else "")
    shown = [c for c in ("seq", "type", "on", "vacancy_id", "department_id", "route",
                         "subroute", "turn", "answer", "late", "reason") if c in frame.columns]
    table = frame[shown]
    if in_danish:
        if "late" in table.columns:
            table = table.assign(late=table["late"].replace({"late": "ja"}))
        table = to_danish(table)
    click.echo(table.to_string(index=False) if len(frame) else "no events")


@ledger_group.command("verify")
@click.argument("target", metavar=_TARGET)
def verify_command(target: str) -> None:
    """Re-derive every decision and the whole state from the events; list every void and
    correction.

    Exits with status 1 and names the first event that disagrees.
    """
    from fuaalborg.letting.ledger import Ledger

    with _ledger_command(target), Ledger.open(target, readonly=True) as ledger:
        report = ledger.verify()
    for line in report.describe(_FACT_WORDS):
        click.echo(line)


@ledger_group.command("convert")
@click.argument("source", metavar="SOURCE")
@click.argument("target", metavar=_TARGET)
def convert_command(source: str, target: str) -> None:
    """Copy the ledger at SOURCE to a new TARGET (file, SQLite, PostgreSQL), verified.

    Both sides are verified and their events are the same, byte for byte. A
    TARGET that exists or already holds a ledger is refused.
    """
    from fuaalborg.letting.ledger import Ledger

    if _is_file(target):
        check_output(target)
    with _ledger_command(target):
        report = Ledger.convert(source, target)
    click.echo(report.describe())


@ledger_group.command("repair")
@click.argument("path", metavar="PATH")
@click.option("--yes", is_flag=True, help="Truncate the torn last line (otherwise only report).")
def repair_command(path: str, yes: bool) -> None:
    """Report a ledger file's torn last line after a crash; truncate it with --yes.

    Without --yes a damaged ledger is an error (exit status 1): nothing is repaired.
    A database ledger needs no repair.
    """
    from fuaalborg.letting.ledger import Ledger, TornLineWarning

    with _ledger_command(path):
        if yes or not _is_file(path):
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


def ledger_section(municipality: Municipality, on: dt.date) -> list[str]:
    """Demo: a year of vacancies at the agreement's turnover through a ledger, by colour/rent."""
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.reports.routes import route_summary
    from fuaalborg.simulation.arrivals import vacancy_stream

    start = dt.date(on.year, 1, 1)
    stream = vacancy_stream(municipality, start)
    with tempfile.TemporaryDirectory() as folder:
        try:
            with Ledger.create(Path(folder) / "ledger.jsonl", municipality) as ledger:
                decisions = ledger.record_vacancies(stream)
        except Exception as exc:  # the tour goes on when a part cannot run
            return [f"Letting ledger: not available ({exc})"]
    summary = route_summary(decisions, stream["monthly_rent_dkk"], start)
    lines = [
        f"Letting ledger: {number(len(stream))} vacancies in {start.year}"
        + f" (turnover {100 * len(stream) / max(len(municipality.dwellings), 1):.1f} %),"
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
