"""The waiting list, validated once and held in fast dtypes for ranking.

Internal to :mod:`fuaalborg.letting.ranking`: :func:`prepare` checks the
required columns of a waiting-list table and reports every problem at once,
then keeps what the ranking needs as numpy arrays (order-preserving integer
codes for applicant ids, list codes, seniority as days). Other columns are
read only when a criterion, a wish rule or an agreement term needs them, and
only those columns; protected and extra columns are never touched.

The waiting list is a table of persons: its errors name the column (by the
file's own header), the row and what was expected, and never show a value.
An applicant id shaped like a CPR number is refused (data minimisation).

Text never passes through Python objects on the way: the checks are vectorised,
applicant ids held in Arrow (pandas' text columns) are coded from their bytes,
and the ranking takes the ids it shows from the caller's array by position.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg import danish as _danish
from fuaalborg.errors import ValidationError
from fuaalborg.model import TURNS
from fuaalborg.personal_data import PERSONAL_MARKER, cpr_mask

if TYPE_CHECKING:
    from fuaalborg.parameters import ParameterSet

from fuaalborg.tables import (
    Column,
    TableProblem,
    TableSpec,
    TableValidationError,
    file_headers,
    is_in,
    with_file_headers,
)

__all__ = [
    "EPOCH",
    "ID_BITS",
    "REQUIRED",
    "WISH_COLUMNS",
    "WaitingList",
    "prepare",
]

TABLE = "applicants"
#: Columns every waiting list must have.
REQUIRED = ("applicant_id", "list", "seniority_date", "household_size")
#: The applicant's wishes; each is used when the table has it.
WISH_COLUMNS = ("min_rooms", "max_rent_dkk", "wanted_department_ids")
#: Seniority is held as days since this date (packing needs a non-negative number).
EPOCH = dt.date(1900, 1, 1)
#: Bits of the sort key kept for the applicant-id tie-break.
ID_BITS = 36
_SENIORITY_BITS = 17
_EPOCH64 = np.datetime64(EPOCH.isoformat(), "D")
_HIDDEN = PERSONAL_MARKER

_EXTRA_COLUMNS: dict[str, Column] = {
    "min_rooms": Column(
        "min_rooms", "int", "the fewest habitable rooms the applicant wants",
        "det mindste antal beboelsesrum ansøgeren ønsker", unit="rooms", min=1, max=20,
        nullable=True, required=False,
    ),
    "max_rent_dkk": Column(
        "max_rent_dkk", "float", "the highest monthly rent the applicant accepts",
        "den højeste månedlige husleje ansøgeren accepterer", unit="kr/month", min=0,
        nullable=True, required=False,
    ),
    "wanted_department_ids": Column(
        "wanted_department_ids", "string",
        "departments the applicant wants, separated by ';' (empty: any department)",
        "afdelinger ansøgeren ønsker, adskilt af ';' (tom: alle afdelinger)",
        nullable=True, required=False,
    ),
    "children": Column(
        "children", "int", "children in the household", "børn i husstanden",
        unit="persons", min=0, max=30, required=False,
    ),
    "current_department_id": Column(
        "current_department_id", "string",
        "the department the applicant lives in now, if a tenant",
        "den afdeling ansøgeren bor i nu, hvis lejer",
        nullable=True, required=False,
    ),
}


def _vocabulary() -> dict[str, Column]:
    """Declared applicant columns: the criteria vocabulary where it exists, else ours."""
    columns = dict(_EXTRA_COLUMNS)
    try:
        from fuaalborg.criteria.vocabulary import APPLICANTS
    except ImportError:  # pragma: no cover - the criteria package is part of fuaalborg
        return columns
    for col in APPLICANTS.columns:
        if col.name not in REQUIRED and col.name != "active":
            columns[col.name] = col
    return columns


@functools.cache
def bound_names() -> tuple[str, ...]:
    """The sanity bounds (``bounds.*``) a waiting list's declared columns are checked against.

    Sorted; the ranking's record keeps their values
    (:attr:`~fuaalborg.records.RankingRecord.bounds`), so that replay checks the list
    against them again.
    """
    names = {n for col in _vocabulary().values() for n in (col.lower_bound, col.bound)}
    return tuple(sorted(n for n in names if n is not None))


def _spec(columns: Iterable[Column]) -> TableSpec:
    """A spec of some waiting-list columns: a table of persons, as the waiting list's spec is."""
    try:
        from fuaalborg.criteria.vocabulary import APPLICANTS
    except ImportError:  # pragma: no cover - the criteria package is part of fuaalborg
        return TableSpec(TABLE, tuple(columns), personal=True)
    return attrs.evolve(APPLICANTS, columns=tuple(columns), key=(), checks=())


def _labels(frame: pd.DataFrame, missing: Iterable[str] = ()) -> dict[str, str]:
    """The file's own header of each canonical column (and, in a Danish file, of ``missing``)."""
    headers = file_headers(frame)
    if headers:  # a file whose headers were renamed is a Danish one
        headers.update({n: _danish.header(n) for n in missing if n not in headers})
    return headers


def _raise(
    frame: pd.DataFrame, problems: Sequence[TableProblem], missing: Iterable[str] = ()
) -> None:
    """Raise the problems of the waiting list ``frame``, columns named by its own headers."""
    raise TableValidationError(TABLE, with_file_headers(problems, _labels(frame, missing)))


def _protected() -> frozenset[str]:
    try:
        from fuaalborg.criteria.vocabulary import PROTECTED_FIELDS, STATUTORY_NAMES
    except ImportError:  # pragma: no cover
        return frozenset()
    return frozenset(PROTECTED_FIELDS) | STATUTORY_NAMES


class WaitingList:
    """A validated waiting list in fast dtypes (see :func:`prepare`).

    ``ids`` holds the applicant ids as given — an Arrow-backed text array, or a
    numpy array of whole numbers or objects — and is only ever taken from by
    position (:meth:`take_ids`); ``id_code`` orders them (equal ids, equal codes).
    """

    def __init__(
        self,
        source: pd.DataFrame,
        ids: Any,
        id_code: npt.NDArray[np.int64],
        list_code: npt.NDArray[np.int8],
        seniority: npt.NDArray[np.int64],
        household: npt.NDArray[np.int64],
        active: npt.NDArray[np.bool_],
        has_active: bool,
        value_checks: bool = True,
        parameters: ParameterSet | None = None,
    ) -> None:
        self.source = source
        self.n = len(ids)
        self.ids = ids
        self.id_code = id_code
        self.list_code = list_code
        self.seniority = seniority
        self.household = household
        self.active = active
        self.has_active = has_active
        #: whether the declared fields' value checks (a CVR number's modulus 11, an id
        #: shaped like a CPR number) apply; :func:`prepare` explains when they do not
        self.value_checks = value_checks
        #: the parameters whose sanity bounds the declared columns are checked against
        #: (the municipality's own; ``None``: the bundled ones)
        self.parameters = parameters
        self.columns = frozenset(map(str, source.columns))
        self._extra: dict[str, pd.Series[Any]] = {}
        self._criteria: dict[tuple[str, dt.date], npt.NDArray[np.bool_]] = {}
        self._wanted: tuple[npt.NDArray[np.intp], dict[str, npt.NDArray[np.intp]]] | None = None
        self._fingerprints: dict[tuple[str, ...], str] = {}
        self._numbers: dict[tuple[str, float], npt.NDArray[np.float64]] = {}
        self._arrow_ids = _arrow_text(ids)
        #: seniority and applicant code packed: the low bits of every sort key
        self.base_key: npt.NDArray[np.int64] = (seniority << ID_BITS) | id_code
        #: one more than the highest applicant code
        self.code_bound = int(id_code.max(initial=-1)) + 1
        self.multi: npt.NDArray[np.bool_] = _repeated(id_code)
        self.any_multi = bool(self.multi.any())
        #: the dtype of the list column handed on: a categorical of :data:`~fuaalborg.model.TURNS`
        self.list_dtype = pd.CategoricalDtype(pd.Index(list(TURNS), dtype=object))

    # -- the ids handed on -------------------------------------------------------

    def take_ids(self, rows: npt.NDArray[np.intp]) -> Any:
        """The applicant ids of ``rows``, in the dtype pandas gives text (no Python objects)."""
        if self._arrow_ids is None:
            return np.asarray(self.ids)[rows]
        return _take_text(self._arrow_ids, rows)

    def lists(self, rows: npt.NDArray[np.intp]) -> pd.Categorical:
        """The lists of ``rows`` as a categorical of :data:`~fuaalborg.model.TURNS`."""
        return pd.Categorical.from_codes(self.list_code[rows], dtype=self.list_dtype,
                                         validate=False)

    # -- columns read on demand ------------------------------------------------

    def require(self, names: Iterable[str], why: dict[str, str]) -> None:
        """Raise one error naming every column in ``names`` the table lacks."""
        missing = [n for n in names if n not in self.columns]
        if missing:
            _raise(
                self.source,
                [
                    TableProblem(TABLE, n, None, None, f"a column ({why.get(n, 'needed')})")
                    for n in missing
                ],
                missing,
            )

    def extra(self, names: Sequence[str]) -> dict[str, pd.Series[Any]]:
        """Validated columns ``names`` (declared ones coerced), with a 0..n-1 index."""
        todo = [n for n in names if n not in self._extra]
        if todo:
            vocab = _vocabulary()
            raw = self.source[todo].reset_index(drop=True)
            for n in [n for n in todo if n in vocab]:
                if _already_valid(raw[n], vocab[n], self.parameters):
                    self._extra[n] = raw[n]
            todo = [n for n in todo if n not in self._extra]
            declared = [n for n in todo if n in vocab]
            if declared:
                spec = _spec(vocab[n] if self.value_checks else vocab[n].without_value_check()
                             for n in declared)
                checked = spec.validate(raw[declared], parameters=self.parameters)
                for n in declared:
                    self._extra[n] = checked[n]
            for n in todo:
                if n not in declared:
                    self._extra[n] = raw[n]
        return {n: self._extra[n] for n in names}

    def numbers(self, name: str, missing: float = np.nan) -> npt.NDArray[np.float64]:
        """The validated column ``name`` as floats, missing values as ``missing`` (kept)."""
        key = (name, missing)
        if key not in self._numbers:
            column = self.extra([name])[name]
            self._numbers[key] = column.to_numpy(dtype="float64", na_value=missing)
        return self._numbers[key]

    def criteria_frame(self, reads: Iterable[str]) -> pd.DataFrame:
        """A fresh frame holding only the columns ``reads`` (never a protected one)."""
        names = sorted(set(reads))
        protected = _protected() & set(names)
        if protected:  # the criteria registry refuses these; this is a second guard
            raise ValidationError(
                f"a criterion reads protected fields {sorted(protected)}; refused"
            )
        cols = self.extra(names)
        # the firewall hands each criterion private copies: no copy here
        return pd.DataFrame(cols, index=pd.RangeIndex(self.n), copy=False)

    def wanted_index(self) -> tuple[npt.NDArray[np.intp], dict[str, npt.NDArray[np.intp]]]:
        """Codes of the wanted-departments column and, per department, the codes wanting it."""
        if self._wanted is None:
            col = self.extra(["wanted_department_ids"])["wanted_department_ids"]
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
            texts = pd.Series(np.asarray(uniques, dtype=object), dtype="string")
            # one row per (wish-list code, department named in it), without loops
            parts = texts.str.split(";").explode().str.strip()
            parts = parts[parts.notna() & (parts != "")]
            pairs = pd.DataFrame(
                {"code": parts.index.to_numpy(dtype=np.intp), "dep": parts.to_numpy(dtype=object)}
            ).drop_duplicates()
            index = {
                str(dep): group.to_numpy(dtype=np.intp)
                for dep, group in pairs.groupby("dep", sort=False)["code"]
            }
            any_code = len(uniques)
            # code -1 (missing) and empty texts mean "any department"
            empty = np.flatnonzero(texts.str.strip(" ;").fillna("").eq("").to_numpy(dtype=bool))
            codes = np.where(codes < 0, any_code, codes).astype(np.intp)
            index["\x00any"] = np.concatenate([[any_code], empty]).astype(np.intp)
            self._wanted = (codes, index)
        return self._wanted

    def wants(self, department_id: str) -> npt.NDArray[np.bool_]:
        """Rows whose wish list is empty or names ``department_id``."""
        codes, index = self.wanted_index()
        lut = np.zeros(int(codes.max(initial=0)) + 2, dtype=bool)
        lut[index["\x00any"]] = True
        if department_id in index:
            lut[index[department_id]] = True
        result: npt.NDArray[np.bool_] = lut[codes]
        return result

    def criterion(self, key: tuple[str, dt.date]) -> npt.NDArray[np.bool_] | None:
        """A cached criterion result for (criterion id, date)."""
        return self._criteria.get(key)

    def store_criterion(self, key: tuple[str, dt.date], values: npt.NDArray[np.bool_]) -> None:
        """Cache a criterion result for (criterion id, date)."""
        self._criteria[key] = values

    def fingerprint(self, extra: Sequence[str]) -> str:
        """SHA-256 over the used columns, independent of row order and of other columns."""
        names = tuple(sorted(set(extra) - set(REQUIRED) - {"active"}))
        if names not in self._fingerprints:
            parts: dict[str, Any] = {
                "applicant_id": pd.Series(self.ids).astype(str).to_numpy(),
                "list": self.list_code,
                "seniority_date": self.seniority,
                "household_size": self.household,
                "active": self.active,
            }
            for name, col in self.extra(list(names)).items():
                parts[name] = col.astype("string").fillna("").to_numpy()
            frame = pd.DataFrame(parts)
            rows = np.sort(pd.util.hash_pandas_object(frame, index=False).to_numpy())
            digest = hashlib.sha256()
            digest.update(",".join(frame.columns).encode())
            digest.update(rows.tobytes())
            self._fingerprints[names] = digest.hexdigest()
        return self._fingerprints[names]

    def living_elsewhere(self, departments: pd.Series[Any]) -> npt.NDArray[np.intp]:
        """Rows whose ``current_department_id`` is not among ``departments`` (the table's ids).

        Such an applicant lives in a department the municipality's table does not
        hold — of another municipality (an organisation's internal list spans
        them), or without family dwellings — and is read as living elsewhere. An
        id that is one of ``departments`` written differently (case, blanks,
        leading zeros: ``d 01`` for ``D001``) is an error: read as it is written,
        the applicant would silently count as not living in that department
        (almenboligloven § 51 c, an agreement's internal moves). Empty without the
        column.
        """
        if "current_department_id" not in self.columns:
            return np.zeros(0, dtype=np.intp)
        current = self.extra(["current_department_id"])["current_department_id"]
        known = departments.dropna().astype(str)
        unknown = current.notna().to_numpy(dtype=bool) & ~is_in(current.astype(object), known)
        rows = np.flatnonzero(unknown)
        if not len(rows):
            return rows
        spelt = {_spelling(k): k for k in known}
        codes, uniques = pd.factorize(current.iloc[rows].astype(str))
        near = np.array([_spelling(u) in spelt for u in uniques], dtype=bool)
        wrong = rows[near[codes]]
        if len(wrong):
            _raise(self.source, [
                _problem(
                    "current_department_id", int(i), _HIDDEN,
                    "a department id written as the departments table writes it (this one "
                    "differs from one there only in case, blanks or leading zeros)",
                )
                for i in wrong
            ])
        return rows

    def rows_of(self, applicant_id: object) -> npt.NDArray[np.intp]:
        """Row positions holding ``applicant_id`` (compared as text when needed)."""
        ids = pd.Series(self.ids)
        hit = (ids == applicant_id).to_numpy(dtype=bool)
        if not hit.any():
            hit = (ids.astype(str) == str(applicant_id)).to_numpy(dtype=bool)
        return np.flatnonzero(hit)


def _spelling(department_id: str) -> str:
    """A department id without case, blanks and leading zeros: how near-misses are told."""
    compact = "".join(department_id.split()).casefold()
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", compact)


def _already_valid(
    col: pd.Series[Any], spec: Column, parameters: ParameterSet | None = None
) -> bool:
    """Whether a column already holds valid values in a fast dtype (no coercion needed)."""
    dtype = col.dtype
    if spec.dtype == "bool":
        return pd.api.types.is_bool_dtype(dtype) and (spec.nullable or not col.hasnans)
    if spec.dtype in ("int", "float"):
        if not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype):
            return False
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        present = ~np.isnan(values)
        if not spec.nullable and not present.all():
            return False
        ok = np.isfinite(values[present])
        if spec.dtype == "int":
            ok &= values[present] % 1 == 0
        lo, hi = spec.plausible_range(parameters)  # min/max and the sanity bounds in force
        if lo is not None:
            ok &= values[present] >= lo
        if hi is not None:
            ok &= values[present] <= hi
        return bool(ok.all())
    texty = pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
    if spec.dtype == "string" and texty:
        if spec.pattern is not None or spec.check is not None:
            return False
        if spec.allowed is not None and all(a == a.strip() and a for a in spec.allowed):
            # a closed set of clean words: membership says it all, without the distinct values
            known = col.isin(list(spec.allowed)).to_numpy(dtype=bool, na_value=False)
            missing = col.isna().to_numpy(dtype=bool)
            return bool((known | (missing & spec.nullable)).all())
        codes, uniques = pd.factorize(col, use_na_sentinel=True)
        if not spec.nullable and (codes < 0).any():
            return False
        texts = list(uniques)
        if not all(isinstance(u, str) and u == u.strip() and u for u in texts):
            return False
        return spec.allowed is None or all(u in spec.allowed for u in texts)
    return False


# ---------------------------------------------------------------------------
# Validation of the required columns, with fast paths for fast dtypes.


def _problem(column: str, row: int, value: str | None, expected: str) -> TableProblem:
    return TableProblem(TABLE, column, row + 1, value, expected)


# ---------------------------------------------------------------------------
# Applicant ids: checked, coded in text order, taken from by position.

#: Ids up to this many bytes are coded from their bytes; longer ones by a sort of the text.
_MAX_ID_BYTES = 32


def _arrow_text(values: Any) -> Any:
    """The Arrow array of an Arrow-backed text column (no copy), else ``None``."""
    dtype = getattr(values, "dtype", None)
    arrow = isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        kind = dtype.pyarrow_dtype
        arrow = pa.types.is_string(kind) or pa.types.is_large_string(kind)
    if not arrow:
        return None
    import pyarrow as pa

    array = pa.array(values)  # the __arrow_array__ protocol: the column's own buffers
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array


def _cpr_ids(rows: npt.NDArray[np.intp], problems: list[TableProblem]) -> None:
    """Refuse the applicant ids of ``rows``: they are shaped like a CPR number."""
    from fuaalborg.criteria.vocabulary import NOT_CPR

    for i in rows:
        problems.append(_problem("applicant_id", int(i), _HIDDEN, f"an applicant id {NOT_CPR}"))


def _ids(raw: pd.Series[Any], problems: list[TableProblem], cpr: bool = True) -> Any:
    """The ids as an array to take from by position.

    Missing and empty ids are problems, and so are ids shaped like a CPR number
    (unless ``cpr`` is false).
    """
    if pd.api.types.is_integer_dtype(raw.dtype) and not raw.hasnans:
        values: npt.NDArray[Any] = raw.to_numpy(dtype=np.int64)
        if cpr:
            _cpr_ids(np.flatnonzero(cpr_mask(values)), problems)
        return values
    if isinstance(raw.dtype, pd.CategoricalDtype) and pd.api.types.is_string_dtype(
        raw.cat.categories.dtype
    ):
        raw = raw.astype(raw.cat.categories.dtype)  # the categories taken by code
    elif raw.dtype == object or (
        isinstance(raw.dtype, pd.StringDtype) and raw.dtype.storage == "python"
    ):
        plain = raw.to_numpy(dtype=object)
        if len(plain) and pd.api.types.infer_dtype(plain, skipna=False) == "string":
            raw = pd.Series(pd.array(plain, dtype="string[pyarrow]"))  # text: held in Arrow
    arrow = _arrow_text(raw.array)
    if arrow is not None:
        import pyarrow.compute as pc

        lengths = pc.binary_length(arrow)
        empty = pc.equal(lengths, 0)
        missing = empty.to_numpy(zero_copy_only=False) if arrow.null_count == 0 else (
            pc.fill_null(empty, True).to_numpy(zero_copy_only=False)
        )
        for i in np.flatnonzero(missing):
            problems.append(_problem("applicant_id", int(i), None, "an applicant id (required)"))
        # a CPR number takes 10 or 11 characters (with blanks around it, a few more bytes)
        near = pc.fill_null(pc.and_(pc.greater_equal(lengths, 10), pc.less_equal(lengths, 44)),
                            False)
        if cpr and pc.any(near).as_py():
            rows = np.flatnonzero(near.to_numpy(zero_copy_only=False))
            shaped = cpr_mask(pd.Series(raw.array[rows]))
            _cpr_ids(rows[shaped], problems)
        return raw.array
    values = np.asarray(raw.astype(object).to_numpy())
    missing = pd.isna(values)
    if not pd.api.types.is_numeric_dtype(raw.dtype):
        missing = missing | (values == "")
    for i in np.flatnonzero(missing):
        problems.append(_problem("applicant_id", int(i), None, "an applicant id (required)"))
    if cpr:
        _cpr_ids(np.flatnonzero(cpr_mask(values)), problems)
    return values


@functools.cache
def _text_dtype() -> Any:
    """The dtype pandas gives a column of Python text (``str`` in pandas 3, else ``object``)."""
    return pd.DataFrame({"id": np.array(["a"], dtype=object)})["id"].dtype


def _take_text(array: Any, rows: npt.NDArray[np.intp]) -> Any:
    """``array[rows]`` of an Arrow text array, in the dtype pandas gives text."""
    import pyarrow as pa

    taken = array.take(pa.array(rows, type=pa.int64()))
    dtype = _text_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.arrays.ArrowStringArray(  # type: ignore[call-arg]
            pa.chunked_array([taken]), dtype=dtype
        )
    return taken.to_numpy(zero_copy_only=False)


def _dense_rank(sort_cols: list[npt.NDArray[Any]], n: int) -> npt.NDArray[np.int64]:
    order = np.argsort(sort_cols[0], kind="stable") if len(sort_cols) == 1 else np.lexsort(
        sort_cols[::-1]
    )
    change = np.zeros(n, dtype=bool)
    for col in sort_cols:
        s = col[order]
        change[1:] |= s[1:] != s[:-1]
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = np.cumsum(change)
    return ranks


def _byte_matrix(array: Any) -> npt.NDArray[np.uint8] | None:
    """The UTF-8 bytes of a non-null Arrow text array, one row per value, padded with 0.

    ``None`` when a value is longer than :data:`_MAX_ID_BYTES` or holds a NUL
    character (which the padding could not tell apart). Values of one length
    are a view of the Arrow buffer; otherwise one column of bytes at a time.
    """
    import pyarrow as pa

    n = len(array)
    large = pa.types.is_large_string(array.type)
    buffers = array.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64 if large else np.int32)
    offsets = offsets[array.offset : array.offset + n + 1].astype(np.int64)
    data = (
        np.frombuffer(buffers[2], dtype=np.uint8)
        if buffers[2] is not None
        else np.zeros(0, dtype=np.uint8)
    )
    lengths = np.diff(offsets)
    width = int(lengths.max(initial=0))
    if width > _MAX_ID_BYTES or not (data[offsets[0] : offsets[-1]] != 0).all():
        return None
    if width and (lengths == width).all():
        matrix: npt.NDArray[np.uint8] = data[offsets[0] : offsets[-1]].reshape(n, width)
        return matrix
    matrix = np.zeros((n, width), dtype=np.uint8)
    starts = offsets[:-1]
    for j in range(width):
        has = lengths > j
        matrix[has, j] = data[starts[has] + j]
    return matrix


def _text_codes(matrix: npt.NDArray[np.uint8]) -> npt.NDArray[np.int64]:
    """Dense codes of the byte rows in byte order (the text's order: UTF-8 keeps code points').

    Each byte position is replaced by its rank among the bytes found there and
    the positions are combined as digits of a mixed radix, so that the order is
    kept without sorting; positions where every id has the same byte drop out.
    The codes are then made dense (0, 1, 2, …) by a look-up when the radix is
    small, else by one sort.
    """
    n = len(matrix)
    columns = np.ascontiguousarray(matrix.T)
    words: list[npt.NDArray[Any]] = []
    code: npt.NDArray[Any] = np.zeros(n, dtype=np.uint32)
    size = 1
    for column in columns:
        found = np.bincount(column, minlength=256) > 0
        k = int(np.count_nonzero(found))
        if k < 2:
            continue
        if size * k >= 1 << 64:
            words.append(code)
            code, size = np.zeros(n, dtype=np.uint64), 1
        elif size * k >= 1 << 32 and code.dtype == np.uint32:
            code = code.astype(np.uint64)
        digits = (np.cumsum(found) - 1).astype(code.dtype)
        code *= code.dtype.type(k)
        code += np.take(digits, column)
        size *= k
    words.append(code)
    if len(words) > 1:
        return _dense_rank(words, n)
    if size <= 2 * n + 1024:
        present = np.zeros(size, dtype=bool)
        present[code] = True
        dense = np.cumsum(present, dtype=np.int64) - 1
        result: npt.NDArray[np.int64] = np.take(dense, code)
        return result
    _, inverse = np.unique(code, return_inverse=True)
    dense_codes: npt.NDArray[np.int64] = inverse.astype(np.int64)
    return dense_codes


def id_codes(values: Any) -> npt.NDArray[np.int64]:
    """Order-preserving integer codes of applicant ids (equal ids, equal codes).

    Whole numbers in ``[0, 2**36)`` are their own code; text ids are ranked in
    text order (0, 1, 2, … over the distinct ids): ids in Arrow and short ASCII
    ids from their bytes, others by a general sort.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    arrow = _arrow_text(values)
    if arrow is not None:
        matrix = _byte_matrix(arrow)
        if matrix is not None:
            return _text_codes(matrix)
        sorted_codes, _ = pd.factorize(pd.Series(values), sort=True)
        return np.asarray(sorted_codes, dtype=np.int64)
    values = np.asarray(values)
    if np.issubdtype(values.dtype, np.integer):
        ints: npt.NDArray[np.int64] = values.astype(np.int64)
        if ints.min() >= 0 and ints.max() < 2**ID_BITS:
            return ints
        return _dense_rank([ints], n)
    obj = values.astype(object)
    if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in obj[:1000]):
        try:
            return id_codes(obj.astype(np.int64))
        except (TypeError, ValueError, OverflowError):
            pass
    if pd.api.types.infer_dtype(obj, skipna=False) == "string":
        text = obj
    else:
        text = pd.Series(obj).astype(str).to_numpy(dtype=object)
    try:
        raw = text.astype("S")
    except (UnicodeEncodeError, ValueError, TypeError):
        raw = None
    if raw is not None and 0 < raw.dtype.itemsize <= _MAX_ID_BYTES:
        width = raw.dtype.itemsize
        chunks = -(-width // 8)
        padded = np.zeros((n, chunks * 8), dtype=np.uint8)
        padded[:, :width] = raw.view(np.uint8).reshape(n, width)
        cols = [
            np.ascontiguousarray(padded[:, 8 * k : 8 * k + 8]).view(">u8").ravel().astype(np.uint64)
            for k in range(chunks)
        ]
        return _dense_rank(cols, n)
    codes, _ = pd.factorize(pd.Series(text), sort=True)
    return codes.astype(np.int64)


def _counts(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
    """How often each code occurs, by its value (``None`` when the codes are too sparse)."""
    top = int(codes.max(initial=-1)) + 1
    if top > 4 * len(codes) + 1024:
        return None
    return np.bincount(codes, minlength=top)


def _repeated(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Rows whose code occurs more than once."""
    counts = _counts(codes)
    if counts is None:
        sparse: npt.NDArray[np.bool_] = pd.Series(codes).duplicated(keep=False).to_numpy()
        return sparse
    repeated: npt.NDArray[np.bool_] = counts[codes] > 1
    return repeated


def _lists(raw: pd.Series[Any], problems: list[TableProblem]) -> npt.NDArray[np.int8]:
    arrow = _arrow_text(raw.array)
    if arrow is not None:  # the usual case: every value spelt as stored, in one pass
        import pyarrow as pa
        import pyarrow.compute as pc

        found = pc.index_in(arrow, value_set=pa.array(TURNS, type=arrow.type))
        if found.null_count == 0:
            return np.asarray(found.to_numpy(zero_copy_only=False), dtype=np.int8)
    else:
        internal = raw.eq(TURNS[0]).to_numpy(dtype=bool, na_value=False)
        external = raw.eq(TURNS[1]).to_numpy(dtype=bool, na_value=False)
        if (internal | external).all():
            return external.astype(np.int8)
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    table = np.full(len(uniques) + 1, -1, dtype=np.int8)
    for i, value in enumerate(uniques):
        label = str(value).strip().lower() if isinstance(value, str) else None
        if label in TURNS:
            table[i] = TURNS.index(label)
    result = table[codes]  # code -1 takes the last entry: -1
    for j in np.flatnonzero(result < 0):
        shown = None if pd.isna(raw.iloc[int(j)]) else _HIDDEN
        problems.append(_problem("list", int(j), shown, "one of internal, external"))
    return result.astype(np.int8)


def _dates(
    raw: pd.Series[Any], on: dt.date | None, problems: list[TableProblem]
) -> npt.NDArray[np.int64]:
    if pd.api.types.is_datetime64_any_dtype(raw.dtype):
        values = raw
        if getattr(raw.dt, "tz", None) is not None:
            values = raw.dt.tz_localize(None)
        bad = np.zeros(len(raw), dtype=bool)
        days64 = values.to_numpy().astype("datetime64[D]")
    else:
        spec = _spec([Column("seniority_date", "date", "", "")])
        try:
            coerced = spec.validate(pd.DataFrame({"seniority_date": raw.to_numpy()}))
            days64 = coerced["seniority_date"].to_numpy().astype("datetime64[D]")
            bad = np.zeros(len(raw), dtype=bool)
        except TableValidationError as exc:
            problems.extend(exc.problems)
            bad = np.zeros(len(raw), dtype=bool)  # the bad cells are reported; parse the rest
            for p in exc.problems:
                if p.row is not None:
                    bad[p.row - 1] = True
            days64 = np.full(len(raw), np.datetime64("NaT"), dtype="datetime64[D]")
            ok = ~bad
            if ok.any():
                good = spec.validate(pd.DataFrame({"seniority_date": raw.to_numpy()[ok]}))
                days64[ok] = good["seniority_date"].to_numpy().astype("datetime64[D]")
    nat = np.isnat(days64) & ~bad
    for i in np.flatnonzero(nat):
        problems.append(_problem("seniority_date", int(i), None, "a date (YYYY-MM-DD) (required)"))
    days = (days64 - _EPOCH64).astype(np.int64)
    valid = ~np.isnat(days64)
    early = valid & (days < 0)
    late = valid & (days >= 2**_SENIORITY_BITS)
    for i in np.flatnonzero(early | late):
        problems.append(
            _problem("seniority_date", int(i), _HIDDEN, "a date from 1900-01-01 to 2258-12-31")
        )
    if on is not None:
        limit = (np.datetime64(on.isoformat(), "D") - _EPOCH64).astype(np.int64)
        future = valid & (days > limit)
        for i in np.flatnonzero(future):
            problems.append(
                _problem(
                    "seniority_date", int(i), _HIDDEN,
                    f"a date not in the future (on or before {on.isoformat()})",
                )
            )
    return np.where(valid, days, 0).astype(np.int64)


def _households(raw: pd.Series[Any], problems: list[TableProblem]) -> npt.NDArray[np.int64]:
    expected = "a whole number of persons >= 1"
    if pd.api.types.is_integer_dtype(raw.dtype) and not raw.hasnans:
        values = raw.to_numpy(dtype=np.int64)
        bad = values < 1
        shown = values
    else:
        if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
            numbers = pd.to_numeric(raw, errors="coerce").astype("float64")
        else:
            text = raw.astype("string").str.strip().str.replace(",", ".", regex=False)
            numbers = pd.to_numeric(text, errors="coerce").astype("float64")
            numbers = numbers.where(~raw.map(lambda v: isinstance(v, bool | np.bool_)).astype(bool))
        arr = numbers.to_numpy(dtype=np.float64)
        bad = ~np.isfinite(arr) | (arr < 1) | (arr % 1 != 0)
        values = np.where(bad, 0, arr).astype(np.int64)
        shown = raw.to_numpy()
    for i in np.flatnonzero(bad):
        shown_value = None if pd.isna(shown[i]) else _HIDDEN
        problems.append(_problem("household_size", int(i), shown_value, expected))
    return values


def _active(
    raw: pd.Series[Any] | None, n: int, problems: list[TableProblem]
) -> npt.NDArray[np.bool_]:
    if raw is None:
        return np.ones(n, dtype=bool)
    if pd.api.types.is_bool_dtype(raw.dtype) and not raw.hasnans:
        values: npt.NDArray[np.bool_] = raw.to_numpy(dtype=bool)
        return values
    spec = _spec([Column("active", "bool", "", "")])
    try:
        checked = spec.validate(pd.DataFrame({"active": raw.to_numpy()}))
    except TableValidationError as exc:
        problems.extend(
            attrs_evolve_expected(p, "true or false (active on the list)") for p in exc.problems
        )
        return np.zeros(n, dtype=bool)
    result: npt.NDArray[np.bool_] = checked["active"].to_numpy(dtype=bool)
    return result


def attrs_evolve_expected(problem: TableProblem, expected: str) -> TableProblem:
    """The same problem with another ``expected`` text."""
    return TableProblem(problem.table, problem.column, problem.row, problem.value, expected)


def prepare(
    applicants: pd.DataFrame,
    on: dt.date | None = None,
    *,
    value_checks: bool = True,
    parameters: ParameterSet | None = None,
) -> WaitingList:
    """Validate a waiting-list table and hold it in fast dtypes.

    Checks, all at once: the required columns exist; applicant ids are present;
    ``list`` is ``internal`` or ``external``; seniority dates are dates, not after
    today or ``on``, whichever is later (an applicant whose seniority starts after
    the ranking date is not yet on the list: the ranking lists them as ineligible,
    it is no error); household sizes are whole numbers >= 1; ``active`` (when present) is
    true or false; no (applicant_id, list) pair occurs twice. Raises one
    :class:`~fuaalborg.tables.TableValidationError`; applicant ids are never shown.

    ``value_checks=False`` leaves out the checks of a value's content that a
    waiting list may have passed without when a decision was recorded — ids
    shaped like a CPR number, a CVR number's modulus 11 — so that
    :func:`~fuaalborg.letting.replay.replay` ranks the list the decision ranked;
    types, dates, lists and duplicates are checked as always.

    ``parameters`` give the sanity bounds the columns read later are checked
    against (a municipality's own, with its ``municipality.toml``'s ``[bounds]``;
    default: the bundled ones).
    """
    if isinstance(applicants, WaitingList):
        return applicants
    if not isinstance(applicants, pd.DataFrame):
        raise ValidationError(
            f"applicants must be a pandas DataFrame, got {type(applicants).__name__}"
        )
    problems: list[TableProblem] = []
    present = set(map(str, applicants.columns))
    meaning = {
        "applicant_id": "the applicant's id on the waiting list",
        "list": "the waiting list: internal or external",
        "seniority_date": "the date seniority counts from",
        "household_size": "persons in the household",
    }
    for name in REQUIRED:
        if name not in present:
            problems.append(TableProblem(TABLE, name, None, None, f"a column: {meaning[name]}"))
    if problems:
        _raise(applicants, problems, REQUIRED)
    if applicants.columns.duplicated().any():
        dups = sorted({str(c) for c in applicants.columns[applicants.columns.duplicated()]})
        _raise(applicants, [TableProblem(TABLE, c, None, None, "a column name used once")
                            for c in dups])
    frame = applicants.reset_index(drop=True)
    n = len(frame)
    ids = _ids(frame["applicant_id"], problems, cpr=value_checks)
    lists = _lists(frame["list"], problems)
    today = dt.date.today()
    seniority = _dates(frame["seniority_date"], max(on, today) if on else today, problems)
    household = _households(frame["household_size"], problems)
    has_active = "active" in present
    active = _active(frame["active"] if has_active else None, n, problems)
    # missing ids cannot be coded; ids refused for their shape can
    id_missing = {p.row for p in problems if p.column == "applicant_id" and p.value is None}
    codes = np.zeros(n, dtype=np.int64)
    if not id_missing:
        codes = id_codes(ids)
        pair = codes * 3 + lists.astype(np.int64) + 1
        counts = _counts(pair)
        dup = np.zeros(n, dtype=bool)
        if counts is None or bool((counts > 1).any()):
            dup = pd.Series(pair).duplicated(keep="first").to_numpy()
        repeated = np.flatnonzero(dup & (lists >= 0))
        if len(repeated):
            _, first, inverse = np.unique(pair, return_index=True, return_inverse=True)
            for i in repeated:
                problems.append(
                    _problem(
                        "applicant_id, list", int(i), _HIDDEN,
                        "a combination of applicant_id, list not used by an earlier row "
                        f"(row {int(first[inverse[i]]) + 1} has the same)",
                    )
                )
    if problems:
        order = {name: i for i, name in enumerate([*REQUIRED, "active", "applicant_id, list"])}
        problems.sort(key=lambda p: (order.get(p.column, 99), p.row or 0))
        _raise(frame, problems)
    return WaitingList(frame, ids, codes, lists, seniority, household, active, has_active,
                       value_checks, parameters)
