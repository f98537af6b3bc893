"""Disclosure control (diskretionering) for public reports.

Department-level monitoring is for the parties to the agreement only (afsnit 5,
note 12: bilag 1 is "af diskretionshensyn kun tilgængelig for aftalens parter").
A public report therefore aggregates to organisation and municipality and
protects every count table in two steps:

1. **Primary suppression** — a count from 1 to ``threshold − 1`` (parameter
   ``reporting.disclosure.threshold``, 5 by default: counts 1–4) is replaced by
   :data:`SUPPRESSED`. Zero is shown. Totals are counts too and are protected
   the same way.
2. **Secondary suppression** — the table is published with its row and column
   totals, so a hidden cell could be recovered by subtraction. The cells of a
   table with totals obey one linear equation per row and per column (the
   total row and column included). Seen as a bipartite graph whose nodes are the
   table's lines and whose edges are the hidden cells, the hidden values can move
   along any cycle of hidden cells without changing a single total; a hidden
   cell is uniquely determined exactly when it lies on no such cycle (it is a
   *bridge* of the graph). The algorithm repeatedly finds a bridge and hides one
   more cell that closes a cycle through it — the smallest non-zero cell that
   joins the two sides, inner cells before totals — until no bridge is left.
   Because every hidden cell is at least 1, each one can then move by ±1 with
   all cells staying non-negative: it has at least two possible values.

:func:`recoverable_cells` checks the result independently, by linear algebra
on the published equations; the workbook writer runs it on every public table
before anything is written.

Values derived from counts (shares, medians) are protected by
:func:`protect_derived`: a value computed from fewer than ``threshold`` cases,
or from a count that is itself hidden, is hidden.

>>> import pandas as pd
>>> counts = pd.DataFrame({"a": [10, 2, 7], "b": [8, 9, 6]}, index=["x", "y", "z"])
>>> table = protect_counts(counts, threshold=5)
>>> table.shown()
        a   b  Total
x      10   8     18
y      ..  ..     11
z      ..  ..     13
Total  19  23     42
>>> recoverable_cells(table)
[]
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from typing import Any, Literal

import attrs
import numpy as np
import pandas as pd

from fuaalborg.errors import FuaalborgError, ValidationError

__all__ = [
    "MARGINS",
    "NO_CASES",
    "SUPPRESSED",
    "DisclosureError",
    "ProtectedTable",
    "check_protected",
    "protect_counts",
    "protect_derived",
    "recoverable_cells",
]

#: What a public table shows in place of a suppressed value.
SUPPRESSED = ".."
#: What a public table shows for a value derived from no cases (a share of no lettings):
#: there is nothing to compute, and nothing is hidden.
NO_CASES = "–"

#: How a count table is published: ``both`` — the columns are parts of a whole,
#: with a total row and a total column; ``columns`` — each column is its own
#: measure, with a total row only; ``none`` — no totals.
MARGINS = ("both", "columns", "none")

Margins = Literal["both", "columns", "none"]


class DisclosureError(FuaalborgError):
    """A public table that would reveal a small count or let one be recovered."""


@attrs.frozen(eq=False)
class ProtectedTable:
    """A table of values with the cells a public report must hide.

    ``values`` holds every value (with the total row and/or column that
    ``margins`` names, see :data:`MARGINS`); ``suppressed`` marks the hidden cells and ``primary``
    the ones hidden for being small (or derived from few cases), so
    ``suppressed & ~primary`` are the secondary suppressions. ``kind`` is
    ``"counts"`` (protected by :func:`protect_counts`) or ``"derived"``.
    """

    values: pd.DataFrame
    suppressed: pd.DataFrame
    primary: pd.DataFrame
    threshold: int
    margins: str
    kind: str = "counts"

    @property
    def n_primary(self) -> int:
        """How many cells are hidden for being small (primary suppression)."""
        return int(self.primary.to_numpy().sum())

    @property
    def n_secondary(self) -> int:
        """How many further cells are hidden so no small cell can be recovered."""
        return int((self.suppressed.to_numpy() & ~self.primary.to_numpy()).sum())

    def shown(self, marker: str = SUPPRESSED) -> pd.DataFrame:
        """The table as published: hidden cells replaced by ``marker``; a derived value
        computed from no cases (missing) by :data:`NO_CASES`, so that no cell is blank."""
        out = self.values.astype(object)
        if self.kind == "derived":
            out = out.mask(self.values.isna() & ~self.suppressed, NO_CASES)
        return out.mask(self.suppressed, marker)


def _check_counts(table: pd.DataFrame) -> np.ndarray[Any, np.dtype[np.int64]]:
    problems = []
    numeric = table.apply(pd.to_numeric, errors="coerce")
    arr = numeric.to_numpy(dtype=float)
    for i, j in zip(*np.nonzero(np.isnan(arr) | (arr < 0) | (arr % 1 != 0)), strict=True):
        problems.append(
            f"row {table.index[i]!r}, column {table.columns[j]!r}: {table.iat[i, j]!r}"
        )
    if problems:
        raise ValidationError(
            "a count table holds values that are not whole numbers >= 0: " + "; ".join(problems)
        )
    counts: np.ndarray[Any, np.dtype[np.int64]] = arr.astype(np.int64)
    return counts


def _with_totals(
    values: np.ndarray[Any, np.dtype[np.int64]],
    index: pd.Index,
    columns: pd.Index,
    label: str,
    margins: str,
) -> pd.DataFrame:
    if margins == "none":
        return pd.DataFrame(values, index=index, columns=columns)
    rows = np.vstack([values, values.sum(axis=0, keepdims=True)])
    if margins == "columns":
        return pd.DataFrame(rows, index=[*index, label], columns=columns)
    full = np.hstack([rows, rows.sum(axis=1, keepdims=True)])
    return pd.DataFrame(full, index=[*index, label], columns=[*columns, label])


def protect_counts(
    table: pd.DataFrame,
    threshold: int,
    *,
    margins: Margins = "both",
    total_label: str = "Total",
) -> ProtectedTable:
    """Protect a table of counts for publication, with its totals.

    Counts from 1 to ``threshold − 1`` are hidden (primary suppression); then
    further cells are hidden until no hidden cell can be recovered from the
    row and column totals (secondary suppression). With ``margins="both"`` the
    result carries a total row and column labelled ``total_label`` (the
    municipality in an organisation table); with ``"columns"`` each column is a
    measure of its own with a total row; with ``"none"`` nothing links the
    cells and only primary suppression applies.

    >>> import pandas as pd
    >>> t = protect_counts(pd.DataFrame({"n": [3, 12, 40]}, index=["a", "b", "c"]), 5)
    >>> t.shown()["n"].tolist()
    ['..', '..', 40, 55]
    >>> t.n_primary, t.n_secondary  # the row total of "a" repeats its count
    (2, 2)
    """
    if threshold < 1:
        raise ValidationError(f"the disclosure threshold must be at least 1, not {threshold}")
    if margins not in MARGINS:
        raise ValueError(f"margins must be one of {', '.join(MARGINS)}, not {margins!r}")
    counts = _check_counts(table)
    values = _with_totals(counts, table.index, table.columns, total_label, margins)
    arr = values.to_numpy()
    primary = (arr >= 1) & (arr < threshold)
    hidden = primary.copy()
    if margins == "both" and hidden.any():
        _secondary(arr, hidden)
    elif margins == "columns" and hidden.any():
        _secondary_columns(arr, hidden)
    return ProtectedTable(
        values=values,
        suppressed=pd.DataFrame(hidden, index=values.index, columns=values.columns),
        primary=pd.DataFrame(primary, index=values.index, columns=values.columns),
        threshold=threshold,
        margins=margins,
    )


def _secondary_columns(
    arr: np.ndarray[Any, np.dtype[np.int64]], hidden: np.ndarray[Any, np.dtype[np.bool_]]
) -> None:
    """Each column is one equation: a column with one hidden cell hides one more."""
    n_rows = arr.shape[0]
    for j in range(arr.shape[1]):
        if hidden[:, j].sum() != 1:
            continue
        inner = np.arange(n_rows) < n_rows - 1
        key = np.lexsort((np.arange(n_rows), ~inner, arr[:, j], arr[:, j] == 0))
        free = [i for i in key if not hidden[i, j]]
        hidden[free[0], j] = True


# --------------------------------------------------------------------------
# Secondary suppression on the line graph of the table.


def _component(
    start: int, adjacency: list[set[int]], skip: tuple[int, int] | None = None
) -> set[int]:
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for other in adjacency[node]:
            if skip is not None and {node, other} == set(skip):
                continue
            if other not in seen:
                seen.add(other)
                queue.append(other)
    return seen


def _adjacency(hidden: np.ndarray[Any, np.dtype[np.bool_]]) -> list[set[int]]:
    n_rows, n_cols = hidden.shape
    adjacency: list[set[int]] = [set() for _ in range(n_rows + n_cols)]
    for i, j in zip(*np.nonzero(hidden), strict=True):
        adjacency[int(i)].add(n_rows + int(j))
        adjacency[n_rows + int(j)].add(int(i))
    return adjacency


def _first_bridge(
    hidden: np.ndarray[Any, np.dtype[np.bool_]], adjacency: list[set[int]]
) -> tuple[int, int, set[int], set[int]] | None:
    """A hidden cell on no cycle, with the two sides its removal separates."""
    n_rows = hidden.shape[0]
    for i, j in zip(*np.nonzero(hidden), strict=True):
        row, col = int(i), n_rows + int(j)
        side = _component(row, adjacency, skip=(row, col))
        if col not in side:
            return int(i), int(j), side, _component(col, adjacency, skip=(row, col))
    return None


def _secondary(
    arr: np.ndarray[Any, np.dtype[np.int64]], hidden: np.ndarray[Any, np.dtype[np.bool_]]
) -> None:
    """Hide cells (in place) until every hidden cell lies on a cycle of hidden cells."""
    n_rows, n_cols = arr.shape
    inner = np.zeros_like(hidden)
    inner[:-1, :-1] = True
    # cheapest first: non-zero before zero, small before large, inner before totals
    order = np.lexsort(
        (
            np.arange(arr.size),
            ~inner.ravel(),
            arr.ravel(),
            arr.ravel() == 0,
        )
    )
    rows_of = np.repeat(np.arange(n_rows), n_cols)
    cols_of = np.tile(np.arange(n_cols), n_rows) + n_rows
    while True:
        adjacency = _adjacency(hidden)
        bridge = _first_bridge(hidden, adjacency)
        if bridge is None:
            return
        _, _, side_a, side_b = bridge
        flat = hidden.ravel()
        r_nodes, c_nodes = rows_of[order], cols_of[order]
        in_a_r = np.isin(r_nodes, list(side_a))
        in_b_r = np.isin(r_nodes, list(side_b))
        in_a_c = np.isin(c_nodes, list(side_a))
        in_b_c = np.isin(c_nodes, list(side_b))
        free = ~flat[order]
        joins = free & ((in_a_r & in_b_c) | (in_b_r & in_a_c))
        touching = free & (in_a_r | in_b_r | in_a_c | in_b_c)
        pick = np.flatnonzero(joins)
        if not len(pick):
            pick = np.flatnonzero(touching)
        if not len(pick):  # pragma: no cover - a full table with totals has no bridge
            raise AssertionError("secondary suppression found no cell to hide")
        flat[order[pick[0]]] = True
        hidden[:] = flat.reshape(hidden.shape)


# --------------------------------------------------------------------------
# Derived values and the independent check.


def protect_derived(
    values: pd.DataFrame,
    cases: pd.DataFrame,
    threshold: int,
    *,
    hidden_inputs: pd.DataFrame | None = None,
) -> ProtectedTable:
    """Hide each value derived from fewer than ``threshold`` cases.

    ``cases`` holds, for each cell of ``values``, the number of cases it was
    computed from (same index and columns); a value with no cases is not hidden:
    it is missing, shown as :data:`NO_CASES`. ``hidden_inputs`` marks values computed from a count
    that is itself hidden (a share whose numerator is suppressed), which are
    hidden too.

    >>> import pandas as pd
    >>> med = pd.DataFrame({"median": [2.5, 4.0]}, index=["a", "b"])
    >>> n = pd.DataFrame({"median": [3, 30]}, index=["a", "b"])
    >>> protect_derived(med, n, 5).shown()["median"].tolist()
    ['..', 4.0]
    >>> share = pd.DataFrame({"share": [float("nan")]}, index=["c"])
    >>> none = pd.DataFrame({"share": [0]}, index=["c"])
    >>> protect_derived(share, none, 5).shown()["share"].tolist()
    ['–']
    """
    cases_aligned = cases.reindex(index=values.index, columns=values.columns).fillna(0)
    arr = cases_aligned.to_numpy(dtype=float)
    primary = (arr > 0) & (arr < threshold)
    if hidden_inputs is not None:
        linked = hidden_inputs.reindex(index=values.index, columns=values.columns)
        primary |= linked.fillna(False).to_numpy(dtype=bool)
    mask = pd.DataFrame(primary, index=values.index, columns=values.columns)
    return ProtectedTable(
        values=values,
        suppressed=mask,
        primary=mask,
        threshold=threshold,
        margins="none",
        kind="derived",
    )


def _equations(n_rows: int, n_cols: int, margins: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The additivity equations of an ``n_rows × n_cols`` table with totals as
    ``margins`` says, one row per equation, one column per (flattened) cell."""
    eqs = []
    if margins != "columns":  # each row sums to its total in the last column
        for i in range(n_rows):
            eq = np.zeros((n_rows, n_cols))
            eq[i, :-1] = 1.0
            eq[i, -1] = -1.0
            eqs.append(eq.ravel())
    for j in range(n_cols):  # each column sums to its total in the last row
        eq = np.zeros((n_rows, n_cols))
        eq[:-1, j] = 1.0
        eq[-1, j] = -1.0
        eqs.append(eq.ravel())
    return np.asarray(eqs)


def recoverable_cells(table: ProtectedTable) -> list[tuple[Hashable, Hashable]]:
    """The hidden cells that the shown values and totals determine exactly.

    Independent of how the cells were chosen: a hidden value is recoverable
    when the published equations (each row and each column sums to its total)
    pin it down, that is when the unit vector of the cell lies in the row space
    of the equations restricted to the hidden cells. A table without totals, or
    of derived values, has no such equations. An empty list means the table is
    safe to publish.
    """
    if table.kind != "counts" or table.margins == "none":
        return []
    hidden = table.suppressed.to_numpy(dtype=bool)
    if not hidden.any():
        return []
    n_rows, n_cols = hidden.shape
    eqs = _equations(n_rows, n_cols, table.margins)[:, hidden.ravel()]
    base = np.linalg.matrix_rank(eqs) if eqs.size else 0
    cells = list(zip(*np.nonzero(hidden), strict=True))
    out: list[tuple[Hashable, Hashable]] = []
    for k, (i, j) in enumerate(cells):
        unit = np.zeros((1, eqs.shape[1]))
        unit[0, k] = 1.0
        if np.linalg.matrix_rank(np.vstack([eqs, unit])) == base:
            out.append((table.values.index[int(i)], table.values.columns[int(j)]))
    return out


def check_protected(tables: Iterable[tuple[str, ProtectedTable]]) -> None:
    """Raise :class:`DisclosureError` if any table shows a small count or lets a
    hidden one be recovered; ``tables`` pairs a table's name with the table."""
    problems = []
    for name, table in tables:
        if table.kind == "counts":
            arr = table.values.to_numpy()
            small = (arr >= 1) & (arr < table.threshold) & ~table.suppressed.to_numpy(dtype=bool)
            for i, j in zip(*np.nonzero(small), strict=True):
                problems.append(
                    f"{name}: cell ({table.values.index[i]!r}, {table.values.columns[j]!r}) "
                    f"shows a count below {table.threshold}"
                )
        for row, col in recoverable_cells(table):
            problems.append(f"{name}: hidden cell ({row!r}, {col!r}) can be recovered from totals")
    if problems:
        raise DisclosureError(
            "a public table is not protected:\n" + "\n".join(f"  - {p}" for p in problems)
        )
