"""Declared table specs, lazy validation and readers for CSV, Danish CSV and xlsx.

Every input table fuaalborg reads has one :class:`TableSpec`: its columns with
dtype, unit, allowed range, whether missing values are allowed, and the meaning
in English and Danish. :meth:`TableSpec.validate` checks a whole table at once
and raises a single :class:`TableValidationError` listing *every* failing cell
(column, row, value, what was expected); values of personal columns are never
shown. Validation returns a new, coerced frame and never changes the caller's.

:func:`read_table` reads a DataFrame, a CSV file (``,`` with decimal point, or
the Danish Excel export with ``;`` and decimal comma, UTF-8 with or without a
byte-order mark) or an ``.xlsx`` workbook, and validates it.

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
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from fuaalborg.errors import ValidationError

__all__ = [
    "Column",
    "Problem",
    "TableSpec",
    "TableValidationError",
    "atomic_write",
    "is_in",
    "read_table",
    "write_table",
]

Dtype = Literal["string", "int", "float", "bool", "date"]

#: How many problem lines an error message prints before summarising the rest.
MAX_PROBLEM_LINES = 40

_REDACTED = "<personal data hidden>"


@attrs.frozen
class Column:
    """One declared column of a table.

    ``dtype`` is one of ``string``, ``int``, ``float``, ``bool``, ``date``.
    ``min``/``max`` bound numbers (inclusive); ``allowed`` lists the values a
    string column may take. ``personal`` marks personal data: its values never
    appear in an error. ``required=False`` lets the column be absent.
    ``check`` is a vectorised test of the present values that returns ``True``
    where a value is acceptable; ``check_text`` says what it requires.
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

    def expected(self) -> str:
        """A short description of the form a value must take."""
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
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
class Problem:
    """One failing cell (or column) of a table.

    ``row`` is the 1-based data row, or ``None`` for a problem with a whole
    column (missing, unknown); ``value`` is already redacted for personal columns.
    """

    table: str
    column: str
    row: int | None
    value: str | None
    expected: str


class TableValidationError(ValidationError):
    """A table that does not match its spec; ``problems`` lists every failing cell."""

    def __init__(self, table: str, problems: Sequence[Problem]) -> None:
        self.table = table
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(self._message())

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame with columns table, column, row, value, expected."""
        return pd.DataFrame(
            [attrs.asdict(p) for p in self.problems],
            columns=["table", "column", "row", "value", "expected"],
        )

    def _message(self) -> str:
        n = len(self.problems)
        head = f"table {self.table!r}: {n} problem{'s' if n != 1 else ''}"
        shown = self.problems[:MAX_PROBLEM_LINES]
        several = len({p.table for p in self.problems}) > 1
        head_row = ("table",) * several + ("column", "row", "value", "expected")
        rows = [head_row] + [
            (p.table,) * several
            + (p.column, "" if p.row is None else str(p.row), p.value or "", p.expected)
            for p in shown
        ]
        last = len(head_row) - 1
        widths = [max(len(r[i]) for r in rows) for i in range(last)]
        lines = [
            "  " + "  ".join(r[i].ljust(widths[i]) for i in range(last)) + "  " + r[last]
            for r in rows
        ]
        if n > len(shown):
            lines.append(f"  … and {n - len(shown)} more (see .problems or .to_frame())")
        return "\n".join([head, *(line.rstrip() for line in lines)])


@attrs.frozen
class TableSpec:
    """The declaration of one input table.

    ``key`` names the columns that together identify a row (duplicates are
    reported). ``allow_extra`` keeps undeclared columns (they are passed through
    untouched); otherwise an undeclared column is a problem.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    description: str = ""
    description_da: str = ""
    allow_extra: bool = True

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

    def validate(
        self,
        frame: pd.DataFrame,
        *,
        decimal_comma: bool = False,
        checks: Sequence[Callable[[pd.DataFrame], Iterator[Problem]]] = (),
    ) -> pd.DataFrame:
        """Check ``frame`` against the spec; return a new frame with declared dtypes.

        All problems are collected before anything is raised. ``decimal_comma``
        reads text numbers in the Danish form (``1.234,5``). ``checks`` are extra
        table-level checks run on the coerced frame when its cells are valid.
        """
        problems: list[Problem] = []
        present = set(map(str, frame.columns))
        for col in self.columns:
            if col.name not in present and col.required:
                problems.append(
                    Problem(self.name, col.name, None, None, f"a column: {col.meaning}")
                )
        if not self.allow_extra:
            declared = set(self.names)
            for extra in sorted(present - declared):
                problems.append(
                    Problem(self.name, extra, None, None, "no such column in this table")
                )
        out = pd.DataFrame(index=pd.RangeIndex(len(frame)))
        source = frame.reset_index(drop=True)
        for col in self.columns:
            if col.name not in present:
                continue
            values, bad, missing = _coerce(source[col.name], col, decimal_comma)
            out[col.name] = values
            problems.extend(self._cell_problems(source[col.name], col, bad))
            if missing.any() and not col.nullable:
                problems.extend(
                    Problem(self.name, col.name, int(i) + 1, None, col.expected() + " (required)")
                    for i in np.flatnonzero(missing.to_numpy())
                )
            if col.unique:
                problems.extend(self._duplicates(source, out, [col.name]))
        key_present = bool(self.key) and all(k in out.columns for k in self.key)
        key_checked = len(self.key) == 1 and self.column(self.key[0]).unique
        if key_present and not key_checked:
            problems.extend(self._duplicates(source, out, list(self.key)))
        for extra in frame.columns:
            if str(extra) not in out.columns:
                out[str(extra)] = source[extra].to_numpy()
        if not problems:
            for check in checks:
                problems.extend(check(out))
        if problems:
            raise TableValidationError(self.name, _sorted(problems, self.names))
        out.index = frame.index
        return out

    def _cell_problems(
        self, raw: pd.Series[Any], col: Column, bad: pd.Series[bool]
    ) -> list[Problem]:
        idx = np.flatnonzero(bad.to_numpy())
        if not len(idx):
            return []
        expected = col.expected()
        return [
            Problem(self.name, col.name, int(i) + 1, _show_value(raw.iloc[i], col), expected)
            for i in idx
        ]

    def _duplicates(
        self, source: pd.DataFrame, out: pd.DataFrame, cols: list[str]
    ) -> list[Problem]:
        sub = out[cols]
        if sub.isna().any(axis=None):
            sub = sub.dropna()
        dup = sub.duplicated(keep="first")
        if not dup.any():
            return []
        personal = any(self.column(c).personal for c in cols)
        label = ", ".join(cols)
        problems = []
        for i in np.flatnonzero(dup.to_numpy()):
            pos = int(sub.index[int(i)])
            shown = None if personal else ", ".join(str(out.at[pos, c]) for c in cols)
            problems.append(
                Problem(
                    self.name,
                    label,
                    pos + 1,
                    _REDACTED if personal else repr(shown) if len(cols) == 1 else f"({shown})",
                    "a value not used by an earlier row"
                    if len(cols) == 1
                    else f"a combination of {label} not used by an earlier row",
                )
            )
        return problems


def _sorted(problems: list[Problem], order: list[str]) -> list[Problem]:
    rank = {name: i for i, name in enumerate(order)}
    return sorted(
        problems,
        key=lambda p: (rank.get(p.column, len(rank)), p.row if p.row is not None else 0),
    )


def _show_value(value: Any, col: Column) -> str:
    if col.personal:
        return _REDACTED
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "…"


_TRUE = {"true", "1", "yes", "ja", "sand", "t", "y", "j"}
_FALSE = {"false", "0", "no", "nej", "falsk", "f", "n"}


def _is_missing(raw: pd.Series[Any]) -> pd.Series[bool]:
    missing = raw.isna()
    if raw.dtype == object or pd.api.types.is_string_dtype(raw.dtype):
        text = raw.astype("string").str.strip()
        missing = missing | (text == "").fillna(False)
    return missing.astype(bool)


def _coerce(
    raw: pd.Series[Any], col: Column, decimal_comma: bool
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
        values = _to_date(raw)
        bad = present & values.isna()
        if col.min is not None or col.max is not None:
            raise TypeError("date columns take no numeric bounds")
        return values, bad, missing
    # string
    text = raw.astype("string").str.strip()
    text = text.where(present)
    bad = pd.Series(False, index=raw.index)
    if col.allowed is not None:
        bad = present & ~text.isin(col.allowed).fillna(False).astype(bool)
    if col.pattern is not None:
        bad = bad | (present & ~text.str.fullmatch(col.pattern).fillna(False).astype(bool))
    if col.check is not None:
        candidates = present & ~bad
        if candidates.any():
            passed = col.check(text[candidates]).reindex(text.index, fill_value=False)
            bad = bad | (candidates & ~passed.fillna(False).astype(bool))
    return text, bad, missing


def _to_number(raw: pd.Series[Any], decimal_comma: bool) -> pd.Series[Any]:
    if pd.api.types.is_bool_dtype(raw.dtype):
        return pd.Series(np.nan, index=raw.index)
    if pd.api.types.is_numeric_dtype(raw.dtype):
        return pd.to_numeric(raw, errors="coerce").astype("float64")
    text = raw.astype("string").str.strip()
    if decimal_comma:
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    text = text.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    numbers = pd.to_numeric(text, errors="coerce")
    # bools that arrived as objects are not numbers
    is_bool = raw.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool)
    return numbers.astype("float64").where(~is_bool)


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")


def _to_date(raw: pd.Series[Any]) -> pd.Series[Any]:
    """Parse dates; returns datetime64[s] normalised to midnight (NaT where not a date)."""
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = (
            pd.to_datetime(raw).dt.tz_localize(None)
            if getattr(raw.dt, "tz", None)
            else pd.to_datetime(raw)
        )
        return values.dt.normalize().astype("datetime64[s]")
    result = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[s]")
    objs = raw.map(lambda v: isinstance(v, dt.date)).astype(bool)
    if objs.any():
        result[objs] = pd.to_datetime(raw[objs].map(_date_only)).astype("datetime64[s]")
    full = raw.astype("string").str.strip()
    todo = ~objs & raw.notna().to_numpy()
    for fmt in _DATE_FORMATS:
        idx = todo & result.isna()
        if not idx.any():
            break
        parsed = pd.to_datetime(full[idx].str.slice(0, 10), format=fmt, errors="coerce")
        result[idx] = parsed.astype("datetime64[s]")
    # a time of day other than midnight in an ISO timestamp is not a date
    with_time = todo & (full.str.len().fillna(0) > 10)
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


def read_table(
    source: pd.DataFrame | str | os.PathLike[str],
    spec: TableSpec,
    *,
    sheet: str | int = 0,
    checks: Sequence[Callable[[pd.DataFrame], Iterator[Problem]]] = (),
) -> pd.DataFrame:
    """Read and validate a table from a DataFrame, a CSV file or an xlsx workbook.

    CSV files may be plain (``,`` and decimal point) or the Danish Excel export
    (``;`` and decimal comma); both UTF-8 with or without a byte-order mark. The
    form is detected from the header line.
    """
    if isinstance(source, pd.DataFrame):
        return spec.validate(source, checks=checks)
    path = Path(source)
    if not path.exists():
        raise ValidationError(f"table {spec.name!r}: file {path.name} does not exist")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name=sheet, dtype=object, engine="openpyxl")
        except Exception as exc:
            raise ValidationError(
                f"table {spec.name!r}: {path.name} is not a readable xlsx workbook ({exc})"
            ) from None
        return spec.validate(frame, checks=checks)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            f"table {spec.name!r}: {path.name} is not UTF-8 text; save it as CSV UTF-8"
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
        raise ValidationError(
            f"table {spec.name!r}: {path.name} is not a CSV table ({exc})"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    return spec.validate(frame, decimal_comma=danish, checks=checks)


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

    ``danish=True`` writes CSV with ``;`` and decimal comma, with a byte-order
    mark, as Excel in Danish expects.
    """
    target = Path(path)
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
