"""Declared table specs, lazy validation and readers for CSV, Danish CSV and xlsx.

Every input table fuaalborg reads has one :class:`TableSpec`: its columns with
dtype, unit, allowed range, whether missing values are allowed, and the meaning
in English and Danish. :meth:`TableSpec.validate` checks a whole table at once
and raises a single :class:`TableValidationError` listing *every* failing cell
(column, row, value, what was expected). Errors never carry personal data: a
table of persons (``personal=True``, the waiting list) shows no cell's value,
only its column, row and what was expected; other tables show values, except a
value shaped like a CPR number (:mod:`fuaalborg.personal_data`), and the values
of a column marked personal. Validation returns a new, coerced frame and never
changes the caller's.

A table may be written in English or in Danish, one language per file: each
column has a Danish header and each closed-set value a Danish word
(:mod:`fuaalborg.danish`); validation returns the canonical English names and
values either way, and names the columns in errors by the file's own headers
(also after :func:`normalise`, which keeps them in ``DataFrame.attrs``).
Dates are ``YYYY-MM-DD``; Danish ``dd-mm-yyyy`` only when asked for with
``dayfirst=True``, never guessed. A column may carry sanity bounds: cited,
dated parameters whose values the column's values may not exceed (``bound``)
or fall below (``lower_bound``).

:func:`read_table` reads a DataFrame, a CSV file (``,`` with decimal point, or
the Danish Excel export with ``;`` and decimal comma, UTF-8 with or without a
byte-order mark) or an ``.xlsx`` workbook, and validates it;
:func:`write_table` writes either form.

Rows are numbered from 1, the first data row; in a CSV file, row *n* is on line
*n + 1* (the header is line 1).

>>> import pandas as pd
>>> spec = TableSpec("example", (Column("n", "int", "a count", "et antal", min=0),))
>>> spec.validate(pd.DataFrame({"n": [1, 2]}))["n"].tolist()
[1, 2]
>>> try:
...     spec.validate(pd.DataFrame({"n": [1, -2, "x"]}))
... except TableValidationError as err:
...     print(err)
table 'example': 2 problems
  column  row  value  expected
  n       2    -2     a whole number >= 0
  n       3    'x'    a whole number >= 0
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import attrs
import numpy as np
import pandas as pd

from fuaalborg import danish as _danish
from fuaalborg import errors as _errors
from fuaalborg._types import Language
from fuaalborg.errors import MAX_PROBLEM_LINES as MAX_PROBLEM_LINES  # where it was before
from fuaalborg.errors import ValidationError
from fuaalborg.formatting import counted, format_value
from fuaalborg.personal_data import CPR_MARKER, PERSONAL_MARKER, hide_cpr, looks_like_cpr

if TYPE_CHECKING:
    from fuaalborg.parameters import ParameterSet

__all__ = [
    "DANISH_NUMBER",
    "CheckedTable",
    "Column",
    "FileProblem",
    "NotChecked",
    "TableProblem",
    "TableSpec",
    "TableValidationError",
    "UnreadableFileError",
    "atomic_write",
    "cell_text",
    "check_table",
    "combine_errors",
    "file_headers",
    "is_in",
    "normalise",
    "read_csv_text",
    "read_table",
    "read_xlsx_text",
    "to_danish",
    "with_file_headers",
    "write_table",
]

Dtype = Literal["string", "int", "float", "bool", "date"]

_REDACTED = PERSONAL_MARKER
#: The key of ``DataFrame.attrs`` under which :func:`normalise` keeps the file's own headers.
HEADERS_ATTR = "fuaalborg.headers"


@attrs.frozen
class Column:
    """One declared column of a table.

    ``dtype`` is one of ``string``, ``int``, ``float``, ``bool``, ``date``.
    ``min``/``max`` bound numbers (inclusive); ``allowed`` lists the values a
    string column may take. ``personal`` marks personal data: its values never
    appear in an error. ``required=False`` lets the column be absent.
    ``check`` is a vectorised test of the present values that returns ``True``
    where a value is acceptable; ``check_text`` says what it requires.
    ``danish`` is the Danish header when it is not the glossary's
    (:func:`fuaalborg.danish.header`). ``bound`` names a parameter whose value
    in force today is the largest plausible value (a sanity bound, cited and
    dated like every number; a parameter layer of one's own overrides it);
    ``lower_bound`` one whose value is the smallest. ``min``/``max`` are what a
    value can be at all; the bounds what it plausibly is.
    """

    name: str
    dtype: Dtype
    meaning: str
    meaning_da: str
    unit: str | None = None
    nullable: bool = False
    min: float | None = None
    max: float | None = None
    allowed: tuple[str, ...] | None = None
    unique: bool = False
    personal: bool = False
    required: bool = True
    pattern: str | None = None
    check: Callable[[pd.Series[Any]], pd.Series[bool]] | None = attrs.field(
        default=None, eq=False
    )
    check_text: str | None = None
    danish: str | None = None
    bound: str | None = None
    lower_bound: str | None = None

    def plausible_range(
        self, parameters: ParameterSet | None = None, on: dt.date | None = None
    ) -> tuple[float | None, float | None]:
        """The smallest and largest value accepted: ``min``/``max`` narrowed by the bounds.

        The bounds are the parameters in force ``on`` (default: today) in
        ``parameters`` (default: the bundled ones).
        """
        lo, hi = self.min, self.max
        if self.bound is None and self.lower_bound is None:
            return lo, hi
        from fuaalborg.parameters import load_parameters

        params = parameters or load_parameters()
        day = on or dt.date.today()
        if self.lower_bound is not None:
            low = float(params.get(self.lower_bound, day, warn=False))
            lo = low if lo is None else max(lo, low)
        if self.bound is not None:
            high = float(params.get(self.bound, day, warn=False))
            hi = high if hi is None else min(hi, high)
        return lo, hi

    @property
    def name_da(self) -> str:
        """The column's Danish header."""
        return self.danish or _danish.header(self.name)

    @property
    def allowed_da(self) -> tuple[str, ...] | None:
        """The Danish form of each allowed value (``None`` without a closed set)."""
        if self.allowed is None:
            return None
        return tuple(_danish.value(v) for v in self.allowed)

    def without_value_check(self) -> Column:
        """This column without its check of a value's content (``check`` and the
        ``check_text`` that words it: a CVR number's modulus 11, an id shaped like a
        CPR number); its type, closed set, pattern and bounds stay."""
        if self.check is None and self.check_text is None:
            return self
        return attrs.evolve(self, check=None, check_text=None)

    def header(self, lang: Language = "da") -> str:
        """The column's header in ``lang``."""
        return self.name_da if lang == "da" else self.name

    def expected(self, lang: Language = "da") -> str:
        """A short description of the form a value must take (values in ``lang``)."""
        if self.allowed is not None:
            values = self.allowed_da if lang == "da" else self.allowed
            return "one of " + ", ".join(values or ())
        base = {
            "string": "a text",
            "int": "a whole number",
            "float": "a number",
            "bool": "true or false",
            "date": "a date (YYYY-MM-DD)",
        }[self.dtype]
        if self.pattern is not None:
            base = f"a text matching {self.pattern}"
        if self.check_text is not None:
            base = f"{base}, {self.check_text}"
        lo, hi = self.min, self.max
        if lo is not None and hi is not None:
            base += f" from {_num(lo)} to {_num(hi)}"
        elif lo is not None:
            base += f" >= {_num(lo)}"
        elif hi is not None:
            base += f" <= {_num(hi)}"
        return base


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


@attrs.frozen
class TableProblem(_errors.Problem):
    """One failing cell (or column) of a table: a :class:`fuaalborg.errors.Problem`.

    ``row`` is the 1-based data row, or ``None`` for a problem with a whole
    column (missing, unknown); ``value`` is already redacted for personal columns.
    ``where`` (table, column and row) and ``what`` (what was expected, and the
    value found) follow from them.
    """

    table: str
    column: str
    row: int | None
    value: str | None
    expected: str
    where: str = attrs.field(init=False)
    what: str = attrs.field(init=False)

    COLUMNS: ClassVar[tuple[str, ...]] = ("table", "column", "row", "value", "expected")

    @where.default
    def _where(self) -> str:
        at = f"table {self.table!r}, column {self.column!r}"
        return at if self.row is None else f"{at}, row {self.row}"

    @what.default
    def _what(self) -> str:
        found = "" if self.value is None else f"; found {self.value}"
        return f"expected {self.expected}{found}"

    def cells(self) -> tuple[str, ...]:
        """The problem's text under table, column, row, value and expected."""
        return (
            self.table, self.column, "" if self.row is None else str(self.row),
            self.value or "", self.expected,
        )


@attrs.frozen
class FileProblem(TableProblem):
    """A problem of a file as a whole, or of one key of a settings file.

    A table's file that is missing, given twice (under its English and its
    Danish name, or as ``.csv`` and ``.xlsx``) or cannot be read at all (not
    UTF-8, not CSV, not an xlsx workbook): ``table`` is the table, ``column``
    is empty, ``expected`` says what is wrong and what was expected (the
    accepted file names, the encoding). A problem of a settings file
    (``municipality.toml``): ``table`` is the file's name, ``column`` the key
    (``bounds.rooms``). ``row`` and ``value`` are always empty: no cell's value
    is shown. Listed one a line (``- where: what``), not in the columns of a
    cell's problem; :meth:`TableValidationError.to_frame` still gives it the
    columns of every :class:`TableProblem`.

    >>> problem = FileProblem.of("lists", "not UTF-8 text; save it as CSV UTF-8")
    >>> print(TableValidationError("lists", [problem], files={"lists": "lister.csv"}))
    lister.csv (table 'lists'): 1 problem
      - not UTF-8 text; save it as CSV UTF-8
    """

    where: str = attrs.field(init=False)
    what: str = attrs.field(init=False)

    COLUMNS: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def of(cls, table: str, text: str, key: str = "") -> FileProblem:
        """The problem ``text`` of ``table``'s file (of the settings key ``key``, if given)."""
        return cls(table, key, None, None, text)

    @where.default
    def _file_where(self) -> str:
        return self.column

    @what.default
    def _file_what(self) -> str:
        return self.expected


@attrs.frozen
class NotChecked:
    """Checks not made because what they read cannot be read.

    ``table`` is the table (or settings file) that cannot be read; ``column``
    the column it lacks, as its file would name it (empty where the table
    cannot be read at all); ``checks`` says which checks were not made
    (``"the dwellings' departments"``); ``reason`` says why, where the table
    is not merely unreadable (``"is missing"``, ``"are the same table twice"``,
    ``"has problems in [bounds]"``). Once it can be read, another run may show
    more problems.
    """

    table: str
    column: str
    checks: tuple[str, ...]
    reason: str = ""


class TableValidationError(_errors.ProblemsError[TableProblem], ValidationError):
    """A table that does not match its spec; ``problems`` lists every failing cell.

    The message lays the problems out as a table (column, row, value, expected)
    under a head naming the table and, where it is known, its file (``files``:
    each table's file name, as the user named it). Problems of several tables
    (:func:`combine_errors`) are listed table by table, each under its own head
    with its own count; ``tables`` names them in order. ``table`` is the name
    the error was raised for (for an error of several tables, their names
    joined by ``, ``; read ``tables``). ``not_checked`` lists the checks between
    tables that were not made because a table they read cannot be read
    (:class:`NotChecked`); the message says so in its last line, so that the
    user knows another run may show more.

    >>> cells = [TableProblem("departments", "residents", 1, "'abc'", "a whole number >= 0"),
    ...          TableProblem("applicants", "household_size", 2, None, "a whole number >= 1")]
    >>> err = TableValidationError("municipality", cells, files={"departments": "afdelinger.csv"})
    >>> err.tables
    ('departments', 'applicants')
    >>> print(err)
    2 problems in 2 tables:
      afdelinger.csv (table 'departments'): 1 problem
        column     row  value  expected
        residents  1    'abc'  a whole number >= 0
      table 'applicants': 1 problem
        column          row  value  expected
        household_size  2           a whole number >= 1
    """

    def __init__(
        self,
        table: str,
        problems: Sequence[TableProblem],
        *,
        files: Mapping[str, str] | None = None,
        not_checked: Iterable[NotChecked] = (),
    ) -> None:
        self.table = table
        #: The checks between tables not made, by the table that cannot be read.
        self.not_checked: tuple[NotChecked, ...] = tuple(not_checked)
        # the last guard: whatever built a problem, a CPR-shaped value is not shown
        shown = [_without_cpr(p) for p in problems]
        #: The tables the problems are of, in the order they first occur.
        self.tables: tuple[str, ...] = tuple(dict.fromkeys(p.table for p in shown)) or (table,)
        #: Each table's file name, where it is known (the user's own name for it).
        self.files: dict[str, str] = {t: str(f) for t, f in (files or {}).items()}
        head = (
            f"{self._label(self.tables[0])}: {{count}}" if len(self.tables) == 1
            else f"{{count}} in {len(self.tables)} tables:"
        )
        super().__init__(shown, head=head)
        self.args = (self.worded(),)

    def _label(self, table: str) -> str:
        """The table's name in a head line, after its file's name where that is known."""
        file = self.files.get(table)
        if file == table:  # a settings file, not a table
            return file
        return f"{file} (table {table!r})" if file else f"table {table!r}"

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame: one row each, under table, column, row, value and
        expected (a :class:`FileProblem` too: its column is the key or empty)."""
        columns = TableProblem.COLUMNS
        return pd.DataFrame(
            [{c: getattr(p, c, None) for c in columns} for p in self.problems], columns=columns
        )

    def with_files(self, files: Mapping[str, str]) -> TableValidationError:
        """The same error, its tables named by ``files`` too (file names by table)."""
        err = TableValidationError(self.table, self.problems, files={**self.files, **files},
                                   not_checked=self.not_checked)
        err.remedy = self.remedy
        return err

    def not_checked_line(self) -> str | None:
        """The message's line on the checks not made and why (``None``: every check was made).

        >>> err = TableValidationError(
        ...     "departments", [TableProblem("departments", "afdeling_id", None, None, "a column")],
        ...     files={"departments": "afdelinger.csv"},
        ...     not_checked=[NotChecked("departments", "afdeling_id",
        ...                             ("the dwellings' departments", "the dwelling counts"))])
        >>> print(err.not_checked_line().replace(": ", ":\\n  ").replace(", as ", ",\\n  as "))
        not checked, so another run may show more:
          the dwellings' departments and the dwelling counts,
          as afdelinger.csv (table 'departments') has no column afdeling_id
        """
        if not self.not_checked:
            return None
        # the checks not made for one reason are named together, in the order they came
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for skipped in self.not_checked:
            grouped.setdefault((skipped.table, skipped.column, skipped.reason), []).extend(
                skipped.checks)
        parts = []
        for (table, column, reason), named in grouped.items():
            skipped = NotChecked(table, column, tuple(named), reason)
            checks = list(dict.fromkeys(skipped.checks))
            what = (", ".join(checks[:-1]) + " and " + checks[-1]) if len(checks) > 1 \
                else "".join(checks)
            why = (f"has no column {skipped.column}" if skipped.column
                   else skipped.reason or "cannot be read")
            parts.append(f"{what}, as {self._label(skipped.table)} {why}")
        return "not checked, so another run may show more: " + "; ".join(parts)

    def worded(self, words: _errors.Wording = _errors.LIBRARY_WORDING) -> str:
        """The message: the problems of one table, or of each table under its own head,
        and the line on the checks not made (:meth:`not_checked_line`), if any."""
        text = self._listed(words)
        note = self.not_checked_line()
        return text if note is None else f"{text}\n{note}"

    def _listed(self, words: _errors.Wording) -> str:
        if len(self.tables) == 1:
            return super().worded(words)
        lines = [self.head.replace("{count}", counted(len(self.problems), "problem"))]
        room = MAX_PROBLEM_LINES  # problem lines left to list, over all the tables
        for table in self.tables:
            group = [p for p in self.problems if p.table == table]
            head = f"{self._label(table)}: {{count}}"
            if room > 0:
                text = _errors.format_problems(group, head=head, words=words, limit=room)
            else:
                text = (f"{head.replace('{count}', counted(len(group), 'problem'))}\n"
                        f"  … {len(group)} not listed (see .problems or .to_frame())")
            room -= len(group)
            lines.extend("  " + line for line in text.splitlines())
        return "\n".join(lines)


def _without_cpr(problem: TableProblem) -> TableProblem:
    """``problem`` with every part of its value and expected text shaped like a CPR hidden."""
    value = None if problem.value is None else hide_cpr(problem.value)
    expected = hide_cpr(problem.expected)
    if value == problem.value and expected == problem.expected:
        return problem
    return attrs.evolve(problem, value=value, expected=expected)


def combine_errors(
    errors: Sequence[TableValidationError],
    files: Mapping[str, str] | None = None,
    not_checked: Iterable[NotChecked] = (),
) -> TableValidationError:
    """One error listing every problem of ``errors``, each table's under its own head.

    ``files`` names each table's file (the user's own file name, ``venteliste.csv``),
    on top of the file names the errors already know; ``not_checked`` adds checks
    between tables that were not made (:class:`NotChecked`) to those the errors
    already name.
    """
    known = {t: f for e in errors for t, f in e.files.items()} | dict(files or {})
    skipped = [n for e in errors for n in e.not_checked] + list(not_checked)
    if len(errors) == 1 and len(skipped) == len(errors[0].not_checked):
        err = errors[0]
        return err.with_files(known) if known != err.files else err
    problems = [p for e in errors for p in e.problems]
    combined = TableValidationError(
        ", ".join(e.table for e in errors), problems, files=known, not_checked=skipped
    )
    if len(errors) == 1:
        combined.remedy = errors[0].remedy
    return combined


@attrs.frozen
class CheckedTable:
    """A table checked against its spec (:meth:`TableSpec.check`): what could be read,
    and every problem.

    ``frame`` holds the declared columns that are present, coerced to their
    dtypes, with the file's own headers in its ``attrs`` (:func:`file_headers`);
    a cell that failed its own check is empty. ``problems`` is empty when the
    table is valid: ``frame`` is then what :meth:`TableSpec.validate` returns.
    """

    table: str
    frame: pd.DataFrame = attrs.field(eq=False, repr=False)
    problems: tuple[TableProblem, ...]
    #: The table's file name, where it was read from a file (its problems are headed by it).
    file: str | None = None
    #: The checks not made because what they read cannot be read (a sanity bound of
    #: settings that cannot be read): the error's last line names them.
    not_checked: tuple[NotChecked, ...] = ()

    @property
    def valid(self) -> bool:
        """Whether the table has no problem."""
        return not self.problems

    def error(self) -> TableValidationError:
        """The error listing the problems, headed by the file's name where that is known.

        Only a table with problems has one: check :attr:`valid` first (a table
        without problems may still name checks not made, :attr:`not_checked`; pass
        those to :func:`combine_errors` with the other tables' errors).

        :raises ValueError: the table has no problem (a programming error).
        """
        if not self.problems:
            raise ValueError(
                f"CheckedTable.error(): table {self.table!r} has no problem to report; "
                "check .valid first (its .not_checked go to combine_errors)"
            )
        files = {self.table: self.file} if self.file else None
        return TableValidationError(self.table, self.problems, files=files,
                                    not_checked=self.not_checked)

    def lacks(self, column: str) -> bool:
        """Whether the declared ``column`` is not in the table at all."""
        return column not in self.frame.columns


@attrs.frozen
class TableSpec:
    """The declaration of one input table.

    ``key`` names the columns that together identify a row (duplicates are
    reported). ``allow_extra`` keeps undeclared columns (they are passed through
    untouched); otherwise an undeclared column is a problem. ``checks`` are
    table-level checks (rules between the cells of a row or between rows) run on
    the coerced frame when its cells are valid; each yields problems (:class:`TableProblem`).
    ``personal`` marks a table of persons (a waiting list): every row is about a
    person, so no cell's value is shown in an error, only its column, row and
    what was expected. In other tables a value shaped like a CPR number is
    hidden (:data:`~fuaalborg.personal_data.CPR_MARKER`), as are the values of
    a column marked personal.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    description_da: str = ""
    allow_extra: bool = True
    checks: tuple[Callable[[pd.DataFrame], Iterator[TableProblem]], ...] = attrs.field(
        default=(), eq=False
    )
    personal: bool = False

    def without_value_checks(self) -> TableSpec:
        """This table with every column :meth:`without its value check
        <Column.without_value_check>`: a table read as a recorded decision read it,
        before a check was added."""
        return attrs.evolve(self, columns=tuple(c.without_value_check() for c in self.columns))

    def column(self, name: str) -> Column:
        """The declared column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def names(self) -> list[str]:
        """The declared column names, in order."""
        return [c.name for c in self.columns]

    def language_of(self, columns: Iterable[object]) -> Language:
        """``"da"`` when ``columns`` use a Danish header of this spec, else ``"en"``."""
        names = set(self.names)
        danish = {c.name_da for c in self.columns if c.name_da != c.name}
        used = [str(c).strip() for c in columns]
        return "da" if any(c in danish and c not in names for c in used) else "en"

    def _headers(
        self, columns: Sequence[str]
    ) -> tuple[dict[str, str], Language, list[TableProblem]]:
        """Danish headers to canonical names, the file's language, and a mixed-language problem."""
        names = set(self.names)
        to_canonical = {c.name_da: c.name for c in self.columns if c.name_da != c.name}
        english = [c for c in columns if c in names and c not in to_canonical]
        danish = [c for c in columns if c in to_canonical and c not in names]
        problems = []
        english_only = [c for c in english if self.column(c).name_da != c]
        if danish and english_only:
            problems.append(
                TableProblem(
                    self.name,
                    english_only[0],
                    None,
                    None,
                    "one language per file: English headers ("
                    + ", ".join(english_only[:3])
                    + ") and Danish headers ("
                    + ", ".join(danish[:3])
                    + ") are mixed",
                )
            )
        lang: Language = "da" if danish and not english_only else "en"
        rename = {c: to_canonical[c] for c in danish} if lang == "da" else {}
        return rename, lang, problems

    def validate(
        self,
        frame: pd.DataFrame,
        *,
        decimal_comma: bool = False,
        checks: Sequence[Callable[[pd.DataFrame], Iterator[TableProblem]]] = (),
        dayfirst: bool = False,
        parameters: ParameterSet | None = None,
    ) -> pd.DataFrame:
        """Check ``frame`` against the spec; return a new frame with declared dtypes.

        All problems are collected before anything is raised. ``decimal_comma``
        reads text numbers in the Danish form (``1.234,5``). ``checks`` are extra
        table-level checks run on the coerced frame when its cells are valid.
        Headers and closed-set values may be English or Danish (one language per
        frame); the result always has the canonical names and values.
        ``dayfirst`` reads text dates written ``dd-mm-yyyy`` (also with ``.`` or
        ``/``) besides ``YYYY-MM-DD``. ``parameters`` supplies the sanity bounds
        (default: the bundled parameters). :meth:`check` does the same without
        raising.
        """
        checked = self.check(
            frame, decimal_comma=decimal_comma, checks=checks, dayfirst=dayfirst,
            parameters=parameters,
        )
        if checked.problems:
            raise TableValidationError(self.name, checked.problems)
        return checked.frame

    def check(
        self,
        frame: pd.DataFrame,
        *,
        decimal_comma: bool = False,
        checks: Sequence[Callable[[pd.DataFrame], Iterator[TableProblem]]] = (),
        dayfirst: bool = False,
        parameters: ParameterSet | None = None,
    ) -> CheckedTable:
        """Check ``frame`` as :meth:`validate` does, and return what could be read with
        every problem, without raising.

        The result's ``frame`` holds the declared columns that are present, coerced
        to their dtypes; a cell that failed its own check is empty in it, so that
        checks between tables (:func:`fuaalborg.specs.check_between_tables`) read
        only values that could be read, and report no cell twice. A row with a
        problem keeps its other cells (a department whose resident count is wrong
        still has its id). The table-level checks (``checks`` and the spec's own)
        run only when every cell is valid.

        >>> spec = TableSpec("example", (Column("id", "string", "an id", "et id"),
        ...                              Column("n", "int", "a count", "et antal", min=0)))
        >>> checked = spec.check(pd.DataFrame({"id": ["a", "b"], "n": [1, -2]}))
        >>> [p.where for p in checked.problems]
        ["table 'example', column 'n', row 2"]
        >>> checked.frame["id"].tolist(), checked.frame["n"].tolist()
        (['a', 'b'], [1, <NA>])
        """
        columns = [str(c).strip() for c in frame.columns]
        rename, lang, problems = self._headers(columns)
        if file_headers(frame):  # Danish headers made canonical by normalise: a Danish file
            lang = "da"
        source = frame.reset_index(drop=True)
        source.columns = pd.Index([rename.get(c, c) for c in columns])
        present = set(source.columns)
        absent = [col for col in self.columns if col.name not in present and col.required]
        for col in absent:
            problems.append(
                TableProblem(self.name, col.name, None, None, f"a column: {col.meaning}")
            )
        if not self.allow_extra:
            declared = set(self.names)
            for extra in sorted(present - declared):
                problems.append(
                    TableProblem(self.name, extra, None, None, "no such column in this table")
                )
        out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
        unread: dict[str, pd.Series[bool]] = {}
        for col in self.columns:
            if col.name not in present:
                continue
            values, bad, missing = _coerce(source[col.name], col, decimal_comma, dayfirst)
            out[col.name] = values
            problems.extend(
                self._cell_problems(source[col.name], col, bad, lang, dayfirst, decimal_comma)
            )
            if missing.any() and not col.nullable:
                problems.extend(
                    TableProblem(
                        self.name, col.name, int(i) + 1, None, col.expected(lang) + " (required)"
                    )
                    for i in np.flatnonzero(missing.to_numpy())
                )
            if col.bound is not None or col.lower_bound is not None:
                problems.extend(self._bound_problems(source[col.name], values, bad, col,
                                                     parameters))
            if col.unique:
                problems.extend(self._duplicates(source, out, [col.name]))
            if col.dtype == "string" and bad.any():  # a number, date or bool is empty already
                unread[col.name] = bad
        key_present = bool(self.key) and all(k in out.columns for k in self.key)
        key_checked = len(self.key) == 1 and self.column(self.key[0]).unique
        if key_present and not key_checked:
            problems.extend(self._duplicates(source, out, list(self.key)))
        for name, bad in unread.items():  # what could not be read is not kept
            out[name] = out[name].where(~bad)
        for extra in source.columns:
            if str(extra) not in out.columns:
                out[str(extra)] = source[extra].to_numpy()
        if not problems:
            for check in (*self.checks, *checks):
                problems.extend(check(out))
        headers = {**file_headers(frame), **{v: k for k, v in rename.items()}}
        if lang == "da":  # a Danish file's missing column is named as the file would name it
            headers.update({col.name: col.name_da for col in absent if col.name not in headers})
        out.index = frame.index
        if headers:
            out.attrs[HEADERS_ATTR] = headers
        ordered = [self._hidden(p) for p in _sorted(problems, self.names)]
        return CheckedTable(self.name, out, tuple(with_file_headers(ordered, headers)))

    def _hidden(self, problem: TableProblem) -> TableProblem:
        """``problem`` without its value when the table is one of persons."""
        if not self.personal or problem.value is None or problem.value == _REDACTED:
            return problem
        return attrs.evolve(problem, value=_REDACTED)

    def shown(self, value: Any, col: Column) -> str:
        """How an error about a cell of ``col`` shows its ``value``.

        Never in a table of persons or a personal column; elsewhere as
        :func:`cell_text` shows it (a CPR-shaped value hidden).
        """
        return _REDACTED if self.personal or col.personal else cell_text(value)

    def _bound_problems(
        self,
        raw: pd.Series[Any],
        values: pd.Series[Any],
        bad: pd.Series[bool],
        col: Column,
        parameters: ParameterSet | None,
    ) -> list[TableProblem]:
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        if not len(numbers) or not (numbers.notna() & ~bad).any():
            return []
        from fuaalborg.parameters import load_parameters

        params = parameters or load_parameters()
        problems: list[TableProblem] = []
        for name, word in ((col.bound, "at most"), (col.lower_bound, "at least")):
            if name is None:
                continue
            limit = float(params.lookup(name, dt.date.today(), warn=False).value)
            outside = numbers > limit if word == "at most" else numbers < limit
            hit = outside.fillna(False).to_numpy(dtype=bool) & ~bad.to_numpy(dtype=bool)
            why = params.parameter(name).description
            way = "raise" if word == "at most" else "lower"
            expected = (
                f"{word} {_num(limit)}, the plausible bound: {why} (parameter {name}; "
                f"if the value is right, {way} the bound in municipality.toml [bounds] or a "
                "parameter layer of your own)"
            )
            problems.extend(
                TableProblem(
                    self.name, col.name, int(i) + 1, self.shown(raw.iloc[i], col), expected
                )
                for i in np.flatnonzero(hit)
            )
        return problems

    def _cell_problems(
        self,
        raw: pd.Series[Any],
        col: Column,
        bad: pd.Series[bool],
        lang: Language = "en",
        dayfirst: bool = False,
        decimal_comma: bool = False,
    ) -> list[TableProblem]:
        idx = np.flatnonzero(bad.to_numpy())
        if not len(idx):
            return []
        expected = col.expected(lang)
        if col.dtype == "date" and dayfirst:
            expected = "a date (YYYY-MM-DD or dd-mm-yyyy)"
        out = []
        for i in idx:
            shown = self.shown(raw.iloc[i], col)
            said = expected
            if col.dtype == "date" and not dayfirst and _looks_dayfirst(raw.iloc[i]):
                said = (
                    f"{expected}; this looks like a Danish day-first date: "
                    "read the file with dayfirst (--dayfirst on the command line)"
                )
            elif (col.dtype in ("int", "float") and decimal_comma
                  and _POINT_DECIMAL.fullmatch(str(raw.iloc[i]).strip())):
                said = (
                    f"{expected}; a Danish file writes a decimal comma (3068,5), and a "
                    "point only between thousands (1.234,5)"
                )
            out.append(TableProblem(self.name, col.name, int(i) + 1, shown, said))
        return out

    def _duplicates(
        self, source: pd.DataFrame, out: pd.DataFrame, cols: list[str]
    ) -> list[TableProblem]:
        sub = out[cols]
        if sub.isna().any(axis=None):
            sub = sub.dropna()
        dup = sub.duplicated(keep="first")
        if not dup.any():
            return []
        personal = self.personal or any(self.column(c).personal for c in cols)
        label = ", ".join(cols)
        problems = []
        for i in np.flatnonzero(dup.to_numpy()):
            pos = int(sub.index[int(i)])
            shown = None if personal else ", ".join(str(out.at[pos, c]) for c in cols)
            problems.append(
                TableProblem(
                    self.name,
                    label,
                    pos + 1,
                    _REDACTED if personal
                    else cell_text(shown) if len(cols) == 1 else hide_cpr(f"({shown})"),
                    "a value not used by an earlier row"
                    if len(cols) == 1
                    else f"a combination of {label} not used by an earlier row",
                )
            )
        return problems


def _sorted(problems: list[TableProblem], order: list[str]) -> list[TableProblem]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(
        problems,
        key=lambda p: (rank.get(p.column, len(rank)), p.row if p.row is not None else 0),
    )


def cell_text(value: Any) -> str:
    """A cell's value as an error about it shows it: a text in quotes (so that blanks
    show), anything else as :func:`~fuaalborg.formatting.format_value` prints it, cut
    to 40 characters; a value shaped like a CPR number never (it is replaced by
    :data:`~fuaalborg.personal_data.CPR_MARKER`).

    Not for a table of persons, where no value is shown (:meth:`TableSpec.shown`).

    >>> cell_text("12,5 kr."), cell_text(4000.0), cell_text("x" * 50)[-3:]
    ("'12,5 kr.'", '4000.0', 'xx…')
    >>> cell_text("010190-1234"), cell_text(101901234)
    ('<looks like a CPR number: hidden>', '<looks like a CPR number: hidden>')
    >>> cell_text("D1 010190-1234")
    "'D1 <looks like a CPR number: hidden>'"
    """
    if looks_like_cpr(value):  # also a whole number whose leading zero a spreadsheet dropped
        return CPR_MARKER
    text = hide_cpr(repr(value) if isinstance(value, str) else format_value(value))
    return text if len(text) <= 40 else text[:37] + "…"


def file_headers(frame: pd.DataFrame) -> dict[str, str]:
    """The file's own header of each canonical column of ``frame`` that was renamed.

    :func:`normalise` keeps them (in ``frame.attrs``) and so does
    :meth:`TableSpec.validate`, so that an error names a column as the file does.
    """
    headers = frame.attrs.get(HEADERS_ATTR)
    return dict(headers) if isinstance(headers, Mapping) else {}


def with_file_headers(
    problems: Iterable[TableProblem], headers: Mapping[str, str]
) -> list[TableProblem]:
    """``problems`` with each column (``a`` or ``a, b``) named by the file's own ``headers``.

    A combination of columns named in the expected text is renamed with it.
    """
    if not headers:
        return list(problems)
    out = []
    for p in problems:
        label = ", ".join(headers.get(part, part) for part in p.column.split(", "))
        if label == p.column:
            out.append(p)
            continue
        expected = p.expected.replace(p.column, label) if ", " in p.column else p.expected
        out.append(attrs.evolve(p, column=label, expected=expected))
    return out


_TRUE = {"true", "1", "yes", "ja", "sand", "t", "y", "j"}
_FALSE = {"false", "0", "no", "nej", "falsk", "f", "n"}


def _is_missing(raw: pd.Series[Any]) -> pd.Series[bool]:
    missing = raw.isna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.astype("string").str.strip()
        missing = missing | (text == "").fillna(False)
    return missing.astype(bool)


def _coerce(
    raw: pd.Series[Any], col: Column, decimal_comma: bool, dayfirst: bool = False
) -> tuple[pd.Series[Any], pd.Series[bool], pd.Series[bool]]:
    """Coerce one column; return (values, bad-cell mask, missing mask)."""
    missing = _is_missing(raw)
    present = ~missing
    if col.dtype in ("int", "float"):
        values = _to_number(raw, decimal_comma)
        bad = present & values.isna()
        ok = present & ~bad
        if col.dtype == "int":
            frac = ok & (values.fillna(0) % 1 != 0)
            bad |= frac
        if col.min is not None:
            bad |= ok & (values < col.min).fillna(False)
        if col.max is not None:
            bad |= ok & (values > col.max).fillna(False)
        clean = values.where(~bad)
        if col.dtype == "int":
            if col.nullable or clean.isna().any():
                result: pd.Series[Any] = clean.round().astype("Int64")
            else:
                result = clean.round().astype("int64")
        else:
            result = clean.astype("float64")
        return result, bad, missing
    if col.dtype == "bool":
        if pd.api.types.is_bool_dtype(raw.dtype):
            return raw.astype("boolean" if col.nullable else bool), missing & False, missing
        text = raw.astype("string").str.strip().str.lower()
        truthy = text.isin(_TRUE).fillna(False).astype(bool)
        falsy = text.isin(_FALSE).fillna(False).astype(bool)
        bad = present & ~truthy & ~falsy
        values = pd.Series(pd.NA, index=raw.index, dtype="boolean")
        values[truthy] = True
        values[falsy] = False
        if not col.nullable and not (bad | missing).any():
            return values.astype(bool), bad, missing
        return values, bad, missing
    if col.dtype == "date":
        values = _to_date(raw, dayfirst)
        bad = present & values.isna()
        if col.min is not None or col.max is not None:
            raise TypeError("date columns take no numeric bounds")
        return values, bad, missing
    # string
    text = raw.astype("string").str.strip()
    text = text.where(present)
    bad = pd.Series(False, index=raw.index)
    if col.allowed is not None:
        # the Danish form of a closed-set value means the canonical one
        danish = dict(zip(col.allowed_da or (), col.allowed, strict=True))
        danish = {da: en for da, en in danish.items() if da != en}
        if danish:
            text = text.replace(danish)
        bad = present & ~text.isin(col.allowed).fillna(False).astype(bool)
    if col.pattern is not None:
        bad = bad | (present & ~text.str.fullmatch(col.pattern).fillna(False).astype(bool))
    if col.check is not None:
        candidates = present & ~bad
        if candidates.any():
            passed = col.check(text[candidates]).reindex(text.index, fill_value=False)
            bad = bad | (candidates & ~passed.fillna(False).astype(bool))
    return text, bad, missing


def _may_hold_objects(raw: pd.Series[Any]) -> bool:
    """Whether a column may hold Python objects other than text (bools, dates) to look for.

    A text column cannot; neither can an object column of text only, which one
    pass in C tells (``infer_dtype``) without a Python call per cell.
    """
    if raw.dtype != object:
        return False
    return pd.api.types.infer_dtype(raw, skipna=True) not in ("string", "empty")


#: A number as a Danish file writes it: a decimal comma, and a point only between
#: thousands (``1.234``, ``-12.345.678,5``, ``3068,5``).
DANISH_NUMBER = r"[-+]?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?"
#: A number written with a decimal point (``3068.5``): what a Danish file refuses.
_POINT_DECIMAL = re.compile(r"[-+]?\d*\.\d+")


def _to_number(raw: pd.Series[Any], decimal_comma: bool) -> pd.Series[Any]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return pd.to_numeric(raw, errors="coerce").astype("float64")
    text = raw.astype("string").str.strip()
    if decimal_comma:
        # a point separates thousands, in groups of three (1.234,5); any other point
        # (3068.5, 92.3) is no number of a Danish file: read as thousands it would be
        # ten or a hundred times the value, so it is refused, not guessed
        pointed = text.str.contains(".", regex=False).fillna(False).astype(bool)
        if pointed.any():  # most files have none: one pass, no pattern
            misplaced = pointed.copy()
            misplaced[pointed] = ~text[pointed].str.fullmatch(DANISH_NUMBER).fillna(False)
            text = text.where(~misplaced).str.replace(".", "", regex=False)
        text = text.str.replace(",", ".", regex=False)
    text = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    if not _may_hold_objects(raw):  # only text: no bool to look for in each cell
        return numbers
    # bools that arrived as objects are not numbers
    is_bool = raw.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
    return numbers.where(~is_bool)


#: The one date form of text cells, and the Danish day-first forms read with ``dayfirst``.
_ISO_FORMAT = "%Y-%m-%d"
_DAYFIRST_FORMATS = ("%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")
_DAYFIRST = re.compile(r"\d{1,2}[-./]\d{1,2}[-./]\d{4}")


def _looks_dayfirst(value: Any) -> bool:
    return isinstance(value, str) and _DAYFIRST.fullmatch(value.strip()) is not None


def _to_date(raw: pd.Series[Any], dayfirst: bool = False) -> pd.Series[Any]:
    """Parse dates; returns datetime64[s] normalised to midnight (NaT where not a date).

    Text must be ``YYYY-MM-DD`` (a time of midnight may follow); with ``dayfirst``
    also ``dd-mm-yyyy``, ``dd.mm.yyyy`` or ``dd/mm/yyyy``. Nothing is guessed.
    """
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = (
            pd.to_datetime(raw).dt.tz_localize(None)
            if getattr(raw.dt, "tz", None)
            else pd.to_datetime(raw)
        )
        return values.dt.normalize().astype("datetime64[s]")
    result = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    objs = (
        raw.map(lambda v: isinstance(v, dt.date)).astype(bool)
        if _may_hold_objects(raw)
        else pd.Series(False, index=raw.index)  # only text: no date objects
    )
    if objs.any():
        result[objs] = pd.to_datetime(raw[objs].map(_date_only)).astype("datetime64[s]")
    full = raw.astype("string").str.strip()
    todo = ~objs & raw.notna().to_numpy()
    iso = full.str.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?").fillna(False).astype(bool)
    idx = todo & iso
    if idx.any():
        parsed = pd.to_datetime(full[idx].str.slice(0, 10), format=_ISO_FORMAT, errors="coerce")
        result[idx] = parsed.astype("datetime64[s]")
    if dayfirst:
        for fmt in _DAYFIRST_FORMATS:
            idx = todo & ~iso & result.isna()
            if not idx.any():
                break
            parsed = pd.to_datetime(full[idx], format=fmt, errors="coerce")
            result[idx] = parsed.astype("datetime64[s]")
    # a time of day other than midnight in an ISO timestamp is not a date
    with_time = todo & iso & (full.str.len().fillna(0) > 10)
    if with_time.any():
        tail = full[with_time].str.slice(10).str.strip()
        ok_tail = tail.str.fullmatch(r"(T| )?00:00(:00(\.0+)?)?").fillna(False).astype(bool)
        result[tail.index[~ok_tail.to_numpy()]] = pd.NaT
    return result


def _date_only(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else dt.date.min
    return value


def is_in(values: pd.Series[Any], known: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Whether each of ``values`` occurs among ``known`` (missing values never do).

    A hash lookup over the distinct known values: unlike ``Series.isin`` with a
    large collection of text values, it does not iterate in Python, so checking
    a million references against a table of ids stays fast.

    >>> is_in(pd.Series(["D1", "D9", None]), pd.Series(["D1", "D2"])).tolist()
    [True, False, False]
    """
    index = pd.Index(known.dropna().unique())
    found = index.get_indexer(values) >= 0
    return np.asarray(found & values.notna().to_numpy(), dtype=bool)


# --------------------------------------------------------------------------
# Readers and writers


def _sniff_danish(text: str) -> bool:
    first = text.split("\n", 1)[0]
    return first.count(";") > first.count(",")


class UnreadableFileError(ValidationError):
    """A table's file that cannot be read at all: not UTF-8, not CSV, not an xlsx workbook.

    ``file`` is the file's name; ``problem`` says what it is and what was
    expected (``"not UTF-8 text; save it as CSV UTF-8"``), the message
    ``"<what>: <file> is <problem>"``. A municipality's folder reports it as a
    :class:`FileProblem` with the other tables' problems.
    """

    def __init__(self, what: str, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{what}: {file} is {problem}")


#: What a CSV file that cannot be parsed was expected to be.
_CSV_EXPECTED = (
    "expected a header line, then one line per row, cells separated by ; (Danish Excel) or ,"
)


def read_csv_text(path: Path, what: str) -> tuple[pd.DataFrame, bool]:
    """A CSV file as text cells, and whether it is the Danish form (``;``, decimal comma).

    UTF-8 with or without a byte-order mark; the form is detected from the header
    line. ``what`` names the table in errors. A file that cannot be read raises
    :class:`UnreadableFileError`.
    """
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFileError(
            what, path.name, "not UTF-8 text; save it as CSV UTF-8"
        ) from None
    except OSError as exc:
        raise UnreadableFileError(
            what, path.name, f"not a readable file ({exc.strerror or type(exc).__name__})"
        ) from None
    danish = _sniff_danish(text)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=";" if danish else ",",
            dtype=str,
            keep_default_na=False,
            quoting=csv.QUOTE_MINIMAL,
        )
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise UnreadableFileError(
            what, path.name, f"not a CSV table ({_one_line(exc)}); {_CSV_EXPECTED}"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, danish


def read_xlsx_text(path: Path, what: str, sheet: str | int = 0) -> pd.DataFrame:
    """An xlsx workbook's sheet as cells; one that cannot be read raises
    :class:`UnreadableFileError`. ``what`` names the table in errors."""
    try:
        return pd.read_excel(
            path, sheet_name=sheet, dtype=object, engine="openpyxl", keep_default_na=False
        )
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key, value errors)
        raise UnreadableFileError(
            what, path.name,
            f"not a readable xlsx workbook ({_one_line(exc)}); expected an Excel workbook "
            "(.xlsx) with the table on its first sheet",
        ) from None


def _one_line(exc: BaseException) -> str:
    """A reader's message on one line, with any value shaped like a CPR number hidden."""
    return hide_cpr(" ".join(str(exc).split()))


def read_table(
    source: pd.DataFrame | str | os.PathLike[str],
    spec: TableSpec,
    *,
    sheet: str | int = 0,
    checks: Sequence[Callable[[pd.DataFrame], Iterator[TableProblem]]] = (),
    dayfirst: bool = False,
    parameters: ParameterSet | None = None,
) -> pd.DataFrame:
    """Read and validate a table from a DataFrame, a CSV file or an xlsx workbook.

    CSV files may be plain (``,`` and decimal point) or the Danish Excel export
    (``;`` and decimal comma); both UTF-8 with or without a byte-order mark. The
    form is detected from the header line. Headers and closed-set values may be
    English or Danish, one language per file. Dates are ``YYYY-MM-DD``, or with
    ``dayfirst`` also ``dd-mm-yyyy``. ``parameters`` supplies sanity bounds.
    A file's problems are headed by its file name. :func:`check_table` does the
    same without raising for the table's problems.
    """
    checked = check_table(
        source, spec, sheet=sheet, checks=checks, dayfirst=dayfirst, parameters=parameters
    )
    if checked.problems:  # named by its file, as the user knows it
        raise checked.error()
    return checked.frame


def check_table(
    source: pd.DataFrame | str | os.PathLike[str],
    spec: TableSpec,
    *,
    sheet: str | int = 0,
    checks: Sequence[Callable[[pd.DataFrame], Iterator[TableProblem]]] = (),
    dayfirst: bool = False,
    parameters: ParameterSet | None = None,
) -> CheckedTable:
    """Read a table as :func:`read_table` does and check it (:meth:`TableSpec.check`):
    what could be read, and every problem, without raising for them.

    A file that does not exist still raises :class:`~fuaalborg.errors.ValidationError`;
    one that cannot be read at all, :class:`UnreadableFileError`.
    """
    options: dict[str, Any] = {"checks": checks, "dayfirst": dayfirst, "parameters": parameters}
    if isinstance(source, pd.DataFrame):
        return spec.check(source, **options)
    path = Path(source)
    if not path.exists():
        raise ValidationError(f"table {spec.name!r}: file {path.name} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        frame = read_xlsx_text(path, f"table {spec.name!r}", sheet)
    else:
        frame, danish = read_csv_text(path, f"table {spec.name!r}")
        options["decimal_comma"] = danish
    return attrs.evolve(spec.check(frame, **options), file=path.name)


def normalise(frame: pd.DataFrame, *, dayfirst: bool = False) -> pd.DataFrame:
    """A raw table (text cells) with canonical headers and values, for later validation.

    For a table whose spec the reader does not know: Danish headers become the
    canonical ones (:func:`fuaalborg.danish.header`), Danish closed-set values of
    the columns in :data:`fuaalborg.danish.VALUE_COLUMNS` the canonical ones,
    and, with ``dayfirst``, every cell written ``dd-mm-yyyy`` (or with ``.``/``/``)
    an ISO date. Returns a new frame.

    >>> raw = pd.DataFrame({"ansøger_id": ["a1"], "liste": ["intern"],
    ...                     "anciennitetsdato": ["01-03-2015"]})
    >>> normalise(raw, dayfirst=True).to_dict("records")
    [{'applicant_id': 'a1', 'list': 'internal', 'seniority_date': '2015-03-01'}]
    """
    canonical = {da: en for en, da in _danish.HEADERS.items()}
    out = frame.rename(columns=lambda c: canonical.get(str(c).strip(), str(c).strip()))
    own = {
        canonical[str(c).strip()]: str(c).strip()
        for c in frame.columns if str(c).strip() in canonical
    }
    headers = {**file_headers(frame), **own}
    if headers:
        out.attrs[HEADERS_ATTR] = headers
    values = {da: en for en, da in _danish.VALUES.items() if da != en}
    for column in _danish.VALUE_COLUMNS & set(out.columns):
        out[column] = out[column].replace(values)
    if dayfirst:
        for column in out.columns:
            text = out[column]
            if not (text.dtype == object or pd.api.types.is_string_dtype(text.dtype)):
                continue
            shown = text.astype("string").str.strip()
            match = shown.str.fullmatch(_DAYFIRST.pattern).fillna(False).astype(bool)
            if match.any():
                parsed = _to_date(shown[match], dayfirst=True)
                iso = parsed.dt.strftime("%Y-%m-%d")
                out[column] = text.astype(object).where(~match | parsed.isna(), iso)
    return out


def to_danish(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with Danish headers, Danish closed-set values and ``ja``/``nej``.

    Headers come from :func:`fuaalborg.danish.header`; the values of the columns
    in :data:`fuaalborg.danish.VALUE_COLUMNS` from :func:`fuaalborg.danish.value`;
    true and false become ``ja`` and ``nej``. Returns a new frame.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if column in _danish.VALUE_COLUMNS:
            out[column] = values.astype(object).map(
                lambda v: _danish.value(v) if isinstance(v, str) else v
            )
        elif pd.api.types.is_bool_dtype(values.dtype):
            out[column] = values.astype(object).map(
                lambda v: _danish.BOOLEAN[bool(v)] if isinstance(v, bool | np.bool_) else v
            )
    out.columns = pd.Index([_danish.header(str(c)) for c in out.columns])
    return out


@contextmanager
def atomic_write(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place only on success.

    A failure inside the block leaves ``path`` untouched (no partial file).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        # mkstemp creates the file readable by its owner only; give the result the
        # mode an ordinary new file gets (0666 less the umask)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, target)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_table(
    frame: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sheet_name: str = "data",
    danish: bool = False,
) -> Path:
    """Write ``frame`` to CSV or xlsx (by the file's suffix), atomically.

    ``danish=True`` writes Danish headers and values (:func:`to_danish`) and a
    CSV file with ``;``, decimal comma and a byte-order mark, as Excel in Danish
    expects; :func:`read_table` reads it back to the same frame.
    """
    target = Path(path)
    if danish:
        frame = to_danish(frame)
    with atomic_write(target) as tmp:
        if target.suffix.lower() == ".xlsx":
            frame.to_excel(tmp, index=False, sheet_name=sheet_name, engine="openpyxl")
        else:
            frame.to_csv(
                tmp,
                index=False,
                sep=";" if danish else ",",
                decimal="," if danish else ".",
                encoding="utf-8-sig" if danish else "utf-8",
            )
    return target


#: Former names, kept for one release (old name → module, new name).
_RENAMED = {"Problem": (__name__, "TableProblem")}


def __getattr__(name: str) -> Any:
    """``Problem``: the former name of :class:`TableProblem`, deprecated since 0.2."""
    from fuaalborg import _lazy

    return _lazy.deprecated(__name__, name, _RENAMED)
