"""What the commands share: their options, the municipality they work on, wording, counts.

Every command takes the same options for the same things, declared once here as
decorators:

- :data:`DATE` — the one date type: strictly ``YYYY-MM-DD``;
- :func:`municipality_option` — ``--municipality DIR`` (with ``--folder`` as a
  hidden alias, deprecated) and ``--dayfirst``; :func:`load_municipality`
  reads the folder, or the bundled example when none is given, and
  :func:`example_notice` is the line every output on the example starts with;
- :func:`output_option` — ``-o/--output`` accepting only the suffixes the command
  can write, checked before any work;
- :func:`danish_option` — ``--danish/--no-danish`` for every command that writes a
  table (default: Danish when the input was Danish);
- :func:`dayfirst_option` — ``--dayfirst`` for a command reading a table file.

:func:`write_ranking` writes a ranking and its decision record beside it, for
every command that writes one (``rank -o``, ``replay -o``).

This module imports neither pandas nor the library's heavy parts, so that
``fuaalborg --version`` and ``--help`` stay fast.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, overload

import click

from fuaalborg.errors import FuaalborgError, Wording
from fuaalborg.formatting import counted as counted_in
from fuaalborg.formatting import whole

if TYPE_CHECKING:
    from fuaalborg._types import Language
    from fuaalborg.letting.ranking import Ranking
    from fuaalborg.municipality import Municipality
    from fuaalborg.parameters import ParameterSet
    from fuaalborg.tables import TableSpec

__all__ = [
    "DATE",
    "EXAMPLE",
    "Amount",
    "CommandError",
    "cannot_write",
    "check_not_an_input",
    "check_output",
    "counted",
    "danish_option",
    "dayfirst_option",
    "echo_notice",
    "example_notice",
    "file_is_danish",
    "folder_list_inputs",
    "folder_lists",
    "in_options",
    "load_municipality",
    "municipality_option",
    "number",
    "output_option",
    "output_suffix",
    "parse_amount",
    "stacked",
    "write_ranking",
]

F = TypeVar("F", bound=Callable[..., Any])

#: The words every output made on the bundled example municipality starts with.
EXAMPLE = "example municipality (synthetic)"


class CommandError(FuaalborgError):
    """A user error found by a command, or a library message worded in its options."""


# -- dates -----------------------------------------------------------------------------


class _DateType(click.ParamType):  # type: ignore[type-arg]  # generic in newer click
    """A calendar date written YYYY-MM-DD; shown as ``DATE`` in usage lines."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            hint = (
                " (dates on the command line are always YYYY-MM-DD; --dayfirst is for files)"
                if re.fullmatch(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}", text)
                else ""
            )
            self.fail(f"{text!r} is not a date in the form YYYY-MM-DD{hint}", param, ctx)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date: there is no such day", param, ctx)


#: The click type of a date argument or option (YYYY-MM-DD, returns a ``datetime.date``).
DATE = _DateType()


# -- numbers ---------------------------------------------------------------------------


_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_EXPONENT_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+")
#: One separator after one to three digits, then exactly three: 4.550 (4550, or 4,55?).
_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}[.,]\d{3}")
#: Thousands groups of three digits and a decimal part, each in one convention: Danish
#: (6.100,50 and 1.234.567) or English (6,100.50 and 1,234,567).
_THOUSANDS = {
    sep: re.compile(rf"[+-]?[1-9]\d{{0,2}}(?:{re.escape(sep)}\d{{3}})+(?:{re.escape(dec)}\d+)?")
    for sep, dec in ((".", ","), (",", "."))
}


def parse_amount(text: str) -> float:
    """A number written on the command line: decimal point or Danish decimal comma.

    ``4550``, ``4550.5`` and ``4550,5`` are read; so is ``1e3``. So are
    thousands separators where the form cannot be read two ways: groups of
    three digits after the first, and the decimal mark the other sign — the
    Danish form (``6.100,50``, as :func:`fuaalborg.formatting.kroner` writes
    it) or the English one (``6,100.50``) — or two separators or more of the
    same sign (``1.234.567``). A form a reader could take two ways is refused:
    one separator followed by exactly three digits and nothing else (``6.100``:
    6100 the Danish way, but 6,1 where a decimal point is meant, as this command
    line also reads it). The :class:`ValueError` says how to write the number;
    for text that is no number at all its message is empty.

    >>> parse_amount("4550,5"), parse_amount("4550.5"), parse_amount("0,125")
    (4550.5, 4550.5, 0.125)
    >>> parse_amount("6.100,50"), parse_amount("6,100.50"), parse_amount("1.234.567")
    (6100.5, 6100.5, 1234567.0)
    >>> parse_amount("6.100")
    Traceback (most recent call last):
    ...
    ValueError: '6.100' could be read two ways: write 6100 for the whole number ...
    """
    shown = text.strip()
    compact = shown.replace(" ", "").replace("\u00a0", "")
    if _EXPONENT_NUMBER.fullmatch(compact):
        return float(compact)
    if _PLAIN_NUMBER.fullmatch(compact) and not _GROUPED.fullmatch(compact):
        return float(compact.replace(",", "."))
    for sep, grouped in _THOUSANDS.items():
        # with a decimal part, or with two separators or more: one reading only
        if grouped.fullmatch(compact) and not _GROUPED.fullmatch(compact):
            plain = compact.replace(sep, "")
            return float(plain.replace(",", ".") if sep == "." else plain)
    sign = "-" if compact.startswith("-") else ""
    digits = compact.lstrip("+-")
    marks = {c for c in digits if c in ".,"}
    if not re.fullmatch(r"\d[\d.,]*\d", digits) or not marks:
        raise ValueError("")
    last = max(digits.rfind("."), digits.rfind(","))
    whole = re.sub(r"[.,]", "", digits[:last])
    fraction = digits[last + 1:]
    if digits.count(".") + digits.count(",") == 1:  # 6.100: a thousands separator, or decimals?
        decimals = fraction.rstrip("0")
        decimals = decimals if decimals != fraction else fraction + "0"
        raise ValueError(
            f"{shown!r} could be read two ways: write {sign}{whole}{fraction} for the whole "
            f"number (no thousands separator), or {sign}{whole}{',' * bool(decimals)}{decimals} "
            "for a decimal"
        )
    raise ValueError(
        f"{shown!r} is not an amount as written: thousands separators stand between groups "
        "of three digits, with the decimal mark the other sign (6.100,50 or 6,100.50); or "
        "write it without them (6100,50 or 6100.50)"
    )


class Amount(click.ParamType):  # type: ignore[type-arg]  # generic in newer click
    """A number >= ``minimum`` and at most a sanity bound (a cited, dated parameter).

    ``bound`` names the parameter (``bounds.monthly_rent_dkk``); a value above it
    is refused with the parameter's reason. The bound in force is read from
    ``--municipality``'s parameters when the command has that option (its
    ``municipality.toml`` may raise it), else from the bundled ones. The number
    may be written with a decimal point or a Danish decimal comma (``4550,5``),
    and with thousands separators where it cannot be read two ways (``6.100,50``;
    :func:`parse_amount`).
    """

    name = "number"

    def __init__(self, bound: str, *, whole: bool = False, minimum: float = 0) -> None:
        self.bound = bound
        self.whole = whole
        self.minimum = minimum

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "INTEGER" if self.whole else "NUMBER"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float | int:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: float = float(value)
        else:
            try:
                number = parse_amount(str(value))
            except ValueError as exc:
                kind = "whole number" if self.whole else "number"
                self.fail(str(exc) or f"{value!r} is not a {kind}", param, ctx)
        if number != number or number in (float("inf"), float("-inf")):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.whole and not number.is_integer():
            self.fail(f"{value!r} is not a whole number", param, ctx)
        if number < self.minimum:
            self.fail(f"{value} is below {self.minimum:g}: it cannot be negative", param, ctx)
        from fuaalborg.parameters import load_parameters

        params: ParameterSet = load_parameters()
        folder = ctx.params.get("municipality_dir") if ctx is not None else None
        if ctx is not None and isinstance(folder, str):
            from fuaalborg.municipality import FolderBounds

            # one reading of the folder's settings for every amount of the command
            known: dict[str, FolderBounds] = ctx.meta.setdefault("fuaalborg.folder_bounds", {})
            if folder not in known:
                known[folder] = FolderBounds.of_folder(folder)
            bounds = known[folder]
            if self.bound in bounds.unbounded:
                # the municipality's own bound cannot be read: the command reports its
                # settings' problems with its folder's, and the bundled bound is not used
                # in its place
                return int(number) if self.whole else number
            params = bounds.parameters
        limit = float(params.get(self.bound, dt.date.today(), warn=False))
        if number > limit:
            from fuaalborg.formatting import kroner

            why = params.parameter(self.bound).description
            where = (f"raise the bound in {Path(folder).resolve().name}/municipality.toml "
                     "([bounds])" if isinstance(folder, str) else
                     "raise the bound in your municipality's municipality.toml ([bounds]) "
                     "and give --municipality DIR")
            self.fail(
                f"{value} is above {kroner(limit)}, the plausible bound: {why} (parameter "
                f"{self.bound}, see `fuaalborg parameters {self.bound}`); if the value is "
                f"right, {where}",
                param,
                ctx,
            )
        return int(number) if self.whole else number


def stacked(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    """One decorator for arguments and options that several commands take together.

    ``stacked(a, b)`` is ``a`` written above ``b``: the help lists them in that order.
    """

    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


# -- the municipality ------------------------------------------------------------------


_MUNICIPALITY_HELP = (
    "The municipality's folder: its tables (CSV or xlsx, English or Danish) and "
    "municipality.toml (default: the bundled, synthetic example municipality)."
)


@overload
def municipality_option(func: F) -> F: ...


@overload
def municipality_option(
    *, help: str = _MUNICIPALITY_HELP, folder_alias: bool = True
) -> Callable[[F], F]: ...


def municipality_option(
    func: F | None = None, *, help: str = _MUNICIPALITY_HELP, folder_alias: bool = True
) -> F | Callable[[F], F]:
    """``--municipality DIR`` (the hidden ``--folder DIR`` is a deprecated alias).

    The command receives ``municipality_dir`` (a folder, or ``None`` for the bundled
    example). Give ``is_eager``-free options only: the folder is read by
    :func:`load_municipality`, after every option is parsed. Used bare
    (``@municipality_option``) or called: ``help`` says what the folder is for in a
    command that uses it otherwise, and ``folder_alias=False`` leaves out the
    deprecated ``--folder`` (a command that never had it).
    """
    if func is None:
        return functools.partial(_municipality_option, help=help, folder_alias=folder_alias)
    return _municipality_option(func, help=help, folder_alias=folder_alias)


def _municipality_option(func: F, *, help: str, folder_alias: bool) -> F:
    @functools.wraps(func)
    def wrapper(*args: Any, folder: str | None = None, **kwargs: Any) -> Any:
        if folder is not None:
            click.echo(
                "warning: --folder is deprecated and will be removed in the next release; "
                "use --municipality DIR",
                err=True,
            )
            given = kwargs.get("municipality_dir")
            if given is not None and Path(given) != Path(folder):
                raise CommandError("give the municipality once: --municipality DIR")
            kwargs["municipality_dir"] = folder
        return func(*args, **kwargs)

    folder_path = click.Path(exists=True, file_okay=False)
    wrapped: Any = wrapper
    if folder_alias:
        wrapped = click.option("--folder", "folder", type=folder_path, hidden=True)(wrapped)
    wrapped = click.option(
        "--municipality",
        "municipality_dir",
        type=folder_path,
        metavar="DIR",
        is_eager=True,  # parsed first, so a bound in its municipality.toml applies to numbers
        help=help,
    )(wrapped)
    return wrapped  # type: ignore[no-any-return]


def dayfirst_option(func: F) -> F:
    """``--dayfirst``: read dates written ``dd-mm-yyyy`` in the input files."""
    return click.option(
        "--dayfirst",
        is_flag=True,
        help="Read dates written dd-mm-yyyy (also with . or /) in the input files; without "
        "it, files must write dates YYYY-MM-DD. Dates on the command line are always "
        "YYYY-MM-DD.",
    )(func)


def load_municipality(
    folder: str | None, *, dayfirst: bool = False, applicants: TableSpec | None = None
) -> Municipality:
    """The municipality of ``folder``, or the bundled example when ``folder`` is ``None``.

    A folder without ``municipality.toml`` is read with a warning: its name is then
    unknown, and outputs say "unnamed municipality". ``applicants`` validates the
    folder's waiting list too, its problems reported with the other tables'.
    """
    if folder is None:
        from fuaalborg import examples

        return examples.load()
    from fuaalborg.municipality import SETTINGS_FILE, Municipality

    if not (Path(folder) / SETTINGS_FILE).exists():
        click.echo(
            f"warning: {Path(folder).resolve().name} has no {SETTINGS_FILE}: the municipality "
            "is shown as 'unnamed municipality' (add its name, code and referral need there)",
            err=True,
        )
    return Municipality.from_folder(folder, dayfirst=dayfirst, applicants=applicants)


def example_notice(municipality: Municipality, doing: str = "") -> str | None:
    """The first line of an output made on the bundled example, or ``None`` for one's own."""
    if not municipality.synthetic:
        return None
    what = f" — {doing}" if doing else ""
    return (
        f"Using the {EXAMPLE}: {municipality.name}, invented data{what}. "
        "Give --municipality DIR for your own."
    )


def echo_notice(municipality: Municipality, doing: str = "") -> None:
    """Print :func:`example_notice` as the first line, when there is one."""
    notice = example_notice(municipality, doing)
    if notice:
        click.echo(notice)


# -- outputs ---------------------------------------------------------------------------


def output_suffix(
    *suffixes: str,
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """An option callback accepting only a file name ending in one of ``suffixes``."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and Path(value).suffix.lower() not in suffixes:
            head, last = ", ".join(suffixes[:-1]), suffixes[-1]
            allowed = f"{head} or {last}" if head else last
            raise click.BadParameter(
                f"{Path(value).name!r} is not a {allowed} file name (this command writes "
                f"{allowed} only)"
            )
        return value

    return check


def output_option(
    *suffixes: str, help: str | None = None, required: bool = False, dest: str = "output"
) -> Callable[[F], F]:
    """``-o/--output FILE`` accepting only ``suffixes`` (refused before any work)."""
    allowed = " or ".join(suffixes)
    return click.option(
        "-o",
        "--output",
        dest,
        type=click.Path(dir_okay=False),
        required=required,
        callback=output_suffix(*suffixes),
        metavar="FILE",
        help=help or f"Write the table to FILE ({allowed}).",
    )


def danish_option(func: F) -> F:
    """``--danish/--no-danish``: the language of written tables (default: the input's)."""
    return click.option(
        "--danish/--no-danish",
        "danish",
        default=None,
        help="Write tables in Danish: Danish headers and values, and for CSV ';', decimal "
        "comma and a byte-order mark (default: Danish when the input was Danish).",
    )(func)


def file_is_danish(path: str | os.PathLike[str], spec: TableSpec) -> bool:
    """Whether a table file is written in Danish (``;`` CSV, or Danish headers)."""
    from fuaalborg.tables import read_csv_text

    file = Path(path)
    if file.suffix.lower() in (".xlsx", ".xlsm"):
        import pandas as pd

        try:
            header = pd.read_excel(file, nrows=0, engine="openpyxl").columns
        except Exception:  # the reader reports an unreadable file properly
            return False
        return spec.language_of(header) == "da"
    try:
        frame, danish = read_csv_text(file, file.name)
    except FuaalborgError:
        return False
    return danish or spec.language_of(frame.columns) == "da"


def check_output(path: str | None) -> None:
    """Refuse, before any work, an output whose directory is missing or not writable."""
    if path is None:
        return
    folder = Path(path).parent
    if folder.is_dir():
        if os.access(folder, os.W_OK):
            return
        reason = f"directory {folder} is not writable"
    else:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            reason = f"{existing} is not a directory"
        else:
            reason = f"directory {folder} does not exist"
    raise CommandError(f"cannot write {path}: {reason}")


def check_not_an_input(
    output: str | None, inputs: Iterable[tuple[str, str | os.PathLike[str] | None]]
) -> None:
    """Refuse, before any work, an output that would overwrite one of the command's inputs.

    ``output`` and the decision record written beside it (:func:`write_ranking`:
    ``ranked.csv``, ``ranked.record.json``) are compared with each input file
    (``inputs``: pairs of what the input is and its path, ``None`` where not given), as
    the files they resolve to: a decision record or a waiting list overwritten by
    the ranking made of it would lose the evidence it is.
    """
    if output is None:
        return
    inputs = list(inputs)
    table = Path(output)
    for written in (table, table.with_suffix(".record.json")):
        for what, given in inputs:
            if given is not None and _same_file(written, Path(given)):
                beside = "" if written == table else "the record written beside it "
                raise CommandError(
                    f"cannot write {table.name}: {beside}would overwrite {Path(given).name}, "
                    f"{what}; give -o another file name"
                )


def folder_lists(folder: str | os.PathLike[str]) -> list[Path]:
    """The waiting-list files of a municipality's folder (``venteliste.csv`` or its kin).

    As :meth:`Municipality.from_folder <fuaalborg.municipality.Municipality.from_folder>`
    names them (:data:`~fuaalborg.municipality.TABLE_FILES`): none, one, or — a problem
    its reader reports — several.
    """
    from fuaalborg.municipality import table_files

    return table_files(folder, "applicants")


def folder_list_inputs(folder: str | None) -> list[tuple[str, Path]]:
    """The waiting-list files of ``folder`` as inputs of :func:`check_not_an_input`."""
    if folder is None:
        return []
    return [(f"the waiting list of {Path(folder).name}", path) for path in folder_lists(folder)]


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name the same file (the one it would be, for one not yet written)."""
    if a.exists() and b.exists():
        return os.path.samefile(a, b)
    return a.resolve() == b.resolve()


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> CommandError:
    """The one-line error for an output file that could not be written."""
    return CommandError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}")


# -- wording and counts ------------------------------------------------------------------


def write_ranking(ranking: Ranking, output: str | os.PathLike[str], *,
                  include_ineligible: bool, danish: bool, lang: Language | None) -> Path:
    """Write ``ranking``'s table to ``output`` and its decision record beside it.

    The record goes to ``output`` with the suffix ``.record.json``
    (``ranked.csv``: ``ranked.record.json``), as ``fuaalborg rank -o`` and
    ``fuaalborg replay -o`` write them; both files are written atomically and a
    failure leaves neither. Returns the record's path.
    """
    from fuaalborg.tables import atomic_write

    path = Path(output)
    record = path.with_suffix(".record.json")
    text = ranking.record.to_json()
    record_in_place = False
    try:
        with atomic_write(path) as table_tmp:
            ranking.write(table_tmp, include_ineligible=include_ineligible, danish=danish,
                          lang=lang)
            with atomic_write(record) as record_tmp:
                record_tmp.write_text(text, encoding="utf-8")
            record_in_place = True
    except OSError as exc:
        if record_in_place:  # the table could not be moved into place after the record
            record.unlink(missing_ok=True)
        raise cannot_write(output, exc) from None
    return record


def in_options(exc: FuaalborgError, words: Wording) -> FuaalborgError:
    """``exc`` in the command line's terms: its problems' places and remedies in ``words``.

    The library's errors name keyword arguments and say what to do in its Python
    API's terms (see :class:`fuaalborg.errors.Remedy`); a command passes the
    :class:`~fuaalborg.errors.Wording` of its own options and commands. The
    error comes back as it was when nothing in it is worded differently.
    """
    text = exc.worded(words)
    return exc if text == str(exc) else CommandError(text)


def number(value: float) -> str:
    """A whole number as the screen shows it, Danish thousands separators (21.618)."""
    return whole(value, "da")


def counted(value: int, noun: str) -> str:
    """A count and its noun as the screen shows it: ``1 row``, ``21.618 rows``."""
    return counted_in(value, noun, group="da")
