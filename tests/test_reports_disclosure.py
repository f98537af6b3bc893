"""Disclosure control: primary and secondary suppression of public count tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from fuaalborg.errors import ValidationError
from fuaalborg.reports.disclosure import (
    NO_CASES,
    SUPPRESSED,
    DisclosureError,
    ProtectedTable,
    check_protected,
    protect_counts,
    protect_derived,
    recoverable_cells,
)

# small values are frequent so that many cells need primary suppression
_cell = st.one_of(st.integers(0, 6), st.integers(0, 60))


@st.composite
def count_tables(draw: st.DrawFn, max_rows: int = 6, max_cols: int = 5) -> pd.DataFrame:
    n_rows = draw(st.integers(1, max_rows))
    n_cols = draw(st.integers(1, max_cols))
    cells = draw(st.lists(_cell, min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    return pd.DataFrame(
        np.asarray(cells, dtype=np.int64).reshape(n_rows, n_cols),
        index=[f"org{i}" for i in range(n_rows)],
        columns=[f"route{j}" for j in range(n_cols)],
    )


def line_sums_hold(full: np.ndarray) -> bool:
    """Whether every row and column of a table with totals adds up."""
    return bool(
        (full[:, :-1].sum(axis=1) == full[:, -1]).all()
        and (full[:-1, :].sum(axis=0) == full[-1, :]).all()
    )


def value_range(table: ProtectedTable, cell: tuple[int, int]) -> tuple[float, float]:
    """The smallest and largest value ``cell`` can take in any non-negative table that
    equals ``table`` on every shown cell and keeps every row and column adding up.

    A linear program over the hidden cells; the constraint matrix of row and column
    sums is totally unimodular, so both bounds are whole numbers and every whole
    number between them is a possible value.
    """
    hidden = table.suppressed.to_numpy(dtype=bool)
    values = table.values.to_numpy().astype(float)
    n_rows, n_cols = values.shape
    unknown = [(int(i), int(j)) for i, j in zip(*np.nonzero(hidden), strict=True)]
    index = {c: k for k, c in enumerate(unknown)}
    # every line: the inner cells minus the total cell equal zero
    a_eq, b_eq = [], []
    lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)] + [
        [(i, j) for i in range(n_rows)] for j in range(n_cols)
    ]
    for line in lines:
        row = np.zeros(len(unknown))
        rhs = 0.0
        for pos, (i, j) in enumerate(line):
            sign = -1.0 if pos == len(line) - 1 else 1.0
            if (i, j) in index:
                row[index[(i, j)]] += sign
            else:
                rhs -= sign * values[i, j]
        if row.any():
            a_eq.append(row)
            b_eq.append(rhs)
    objective = np.zeros(len(unknown))
    objective[index[cell]] = 1.0
    bounds = [(0, None)] * len(unknown)
    low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    assert low.status == 0
    assert high.status in (0, 3)  # 3: unbounded above
    return float(low.fun), (np.inf if high.status == 3 else float(-high.fun))


@settings(max_examples=300, deadline=None)
@given(count_tables(), st.integers(1, 6))
def test_no_suppressed_count_can_be_derived(table: pd.DataFrame, threshold: int) -> None:
    protected = protect_counts(table, threshold)
    values = protected.values.to_numpy()
    hidden = protected.suppressed.to_numpy(dtype=bool)
    # the values with totals are the table's own
    assert line_sums_hold(values)
    assert (values[:-1, :-1] == table.to_numpy()).all()
    # primary: no shown count from 1 to threshold - 1, zero is shown
    assert not ((values >= 1) & (values < threshold) & ~hidden).any()
    assert not (hidden & (values == 0) & protected.primary.to_numpy()).any()
    # the single-unknown condition, exhaustively over every row and column
    assert not (hidden.sum(axis=1) == 1).any()
    assert not (hidden.sum(axis=0) == 1).any()
    # the linear-algebra check: no hidden cell is pinned down by the equations
    assert recoverable_cells(protected) == []
    # and by linear programming: every hidden cell that is not zero could hold another
    # value, given everything shown (a hidden zero tells nothing sensitive)
    for i, j in zip(*np.nonzero(hidden), strict=True):
        if values[i, j] == 0:
            continue
        low, high = value_range(protected, (int(i), int(j)))
        assert low <= values[i, j] <= high
        assert low < high, (i, j, low, high)
    check_protected([("t", protected)])


@st.composite
def tiny_tables(draw: st.DrawFn) -> pd.DataFrame:
    n_rows = draw(st.integers(1, 3))
    n_cols = draw(st.integers(1, 2))
    cells = draw(st.lists(st.integers(0, 5), min_size=n_rows * n_cols, max_size=n_rows * n_cols))
    return pd.DataFrame(np.asarray(cells, dtype=np.int64).reshape(n_rows, n_cols))


@settings(max_examples=80, deadline=None)
@given(tiny_tables(), st.integers(2, 5))
def test_small_tables_every_hidden_cell_has_two_values_by_enumeration(
    table: pd.DataFrame, threshold: int
) -> None:
    """Brute force on small tables: every completion of the hidden inner cells
    (0 to value + 3) that reproduces every shown value and total."""
    protected = protect_counts(table, threshold)
    values = protected.values.to_numpy()
    hidden = protected.suppressed.to_numpy(dtype=bool)
    inner = table.to_numpy()
    cells = list(zip(*np.nonzero(hidden[:-1, :-1]), strict=True))
    if not cells:
        assert not hidden.any()
        return
    grids = np.meshgrid(*[np.arange(int(inner[c]) + 4) for c in cells], indexing="ij")
    combos = np.stack([g.ravel() for g in grids], axis=1)
    n = len(combos)
    tables = np.broadcast_to(inner, (n, *inner.shape)).copy()
    for k, (i, j) in enumerate(cells):
        tables[:, i, j] = combos[:, k]
    rows = np.concatenate([tables, tables.sum(axis=1, keepdims=True)], axis=1)
    full = np.concatenate([rows, rows.sum(axis=2, keepdims=True)], axis=2)
    shown = ~hidden
    consistent = (full[:, shown] == values[shown]).all(axis=1)
    completions = full[consistent]
    assert len(completions) >= 1
    for i, j in zip(*np.nonzero(hidden), strict=True):
        possible = set(completions[:, i, j].tolist())
        assert values[i, j] in possible
        assert len(possible) >= 2, (i, j)


def test_worked_example_and_marker() -> None:
    counts = pd.DataFrame({"a": [10, 2, 7], "b": [8, 9, 6]}, index=["x", "y", "z"])
    protected = protect_counts(counts, threshold=5, total_label="I alt")
    shown = protected.shown()
    assert shown.loc["y", "a"] == SUPPRESSED
    assert shown.loc["I alt", "I alt"] == 42
    assert protected.n_primary == 1
    assert protected.n_secondary == 3


def test_single_unknown_would_be_recoverable_without_secondary() -> None:
    counts = pd.DataFrame({"a": [10, 2], "b": [8, 9]}, index=["x", "y"])
    protected = protect_counts(counts, threshold=5)
    naive = ProtectedTable(
        values=protected.values,
        suppressed=protected.primary,
        primary=protected.primary,
        threshold=5,
        margins="both",
    )
    assert recoverable_cells(naive) == [("y", "a")]
    with pytest.raises(DisclosureError, match="can be recovered"):
        check_protected([("naive", naive)])


def test_bridge_between_two_cycles_is_caught() -> None:
    """Every line with two hidden cells is not enough: a cell joining two cycles
    of hidden cells is still determined."""
    values = pd.DataFrame(np.full((5, 5), 20), dtype=np.int64)
    values.iloc[:4, 4] = 80
    values.iloc[4, :4] = 80
    values.iloc[4, 4] = 320
    hidden = np.zeros((5, 5), dtype=bool)
    hidden[[0, 0, 1, 1], [0, 1, 0, 1]] = True  # cycle 1
    hidden[[2, 2, 3, 3], [2, 3, 2, 3]] = True  # cycle 2
    hidden[0, 2] = True  # joins them
    table = ProtectedTable(
        values=values,
        suppressed=pd.DataFrame(hidden),
        primary=pd.DataFrame(hidden),
        threshold=5,
        margins="both",
    )
    assert recoverable_cells(table) == [(0, 2)]


def test_shown_counts_below_threshold_are_an_error() -> None:
    counts = pd.DataFrame({"a": [10, 2]}, index=["x", "y"])
    protected = protect_counts(counts, threshold=5)
    leaky = ProtectedTable(
        values=protected.values,
        suppressed=protected.suppressed & False,
        primary=protected.primary,
        threshold=5,
        margins="both",
    )
    with pytest.raises(DisclosureError, match="shows a count below 5"):
        check_protected([("leaky", leaky)])


def test_zero_and_large_counts_are_shown() -> None:
    protected = protect_counts(pd.DataFrame({"a": [0, 50], "b": [30, 0]}), 5)
    assert protected.n_primary == 0
    assert not protected.suppressed.to_numpy().any()


def test_bad_counts_are_all_reported() -> None:
    with pytest.raises(ValidationError) as info:
        protect_counts(pd.DataFrame({"a": [1.5, -1, 3]}), 5)
    assert "1.5" in str(info.value)
    assert "-1" in str(info.value)


def test_derived_values_from_few_cases_are_hidden() -> None:
    values = pd.DataFrame({"share": [0.5, 0.25, np.nan]}, index=["a", "b", "c"])
    cases = pd.DataFrame({"share": [4, 40, 0]}, index=["a", "b", "c"])
    linked = pd.DataFrame({"share": [False, True, False]}, index=["a", "b", "c"])
    shown = protect_derived(values, cases, 5, hidden_inputs=linked).shown()
    assert shown.loc["a", "share"] == SUPPRESSED
    assert shown.loc["b", "share"] == SUPPRESSED
    assert shown.loc["c", "share"] == NO_CASES  # nothing to compute, nothing hidden


@settings(max_examples=150, deadline=None)
@given(count_tables(), st.integers(1, 6))
def test_column_margins_no_single_hidden_cell_per_column(
    table: pd.DataFrame, threshold: int
) -> None:
    protected = protect_counts(table, threshold, margins="columns")
    values = protected.values.to_numpy()
    hidden = protected.suppressed.to_numpy(dtype=bool)
    assert values.shape == (table.shape[0] + 1, table.shape[1])
    assert not ((values >= 1) & (values < threshold) & ~hidden).any()
    assert not (hidden.sum(axis=0) == 1).any()
    assert recoverable_cells(protected) == []


def test_no_margins_is_primary_only() -> None:
    protected = protect_counts(pd.DataFrame({"a": [3, 40]}), 5, margins="none")
    assert protected.values.shape == (2, 1)
    assert protected.n_primary == 1
    assert protected.n_secondary == 0


def test_the_cell_a_shorter_cycle_cannot_move_still_has_another_value() -> None:
    # found by an earlier, one-cycle check: the cell can move along a longer cycle
    table = pd.DataFrame([[0, 0, 5, 5, 1], [0, 0, 0, 0, 0], [0, 0, 0, 0, 5]])
    protected = protect_counts(table, 2)
    values = protected.values.to_numpy()
    hidden = protected.suppressed.to_numpy(dtype=bool)
    assert hidden.any()
    for i, j in zip(*np.nonzero(hidden), strict=True):
        if values[i, j]:
            low, high = value_range(protected, (int(i), int(j)))
            assert low < high
