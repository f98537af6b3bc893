"""Disclosure control at its boundaries: a count equal to the threshold is shown.

Primary suppression hides exactly the counts from 1 to ``threshold − 1``; zero
and the threshold itself are shown. A derived value is hidden when computed
from fewer than ``threshold`` cases and shown from exactly ``threshold``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.reports.disclosure import SUPPRESSED, protect_counts, protect_derived

THRESHOLDS = (2, 3, 5, 10)


def _table(values: list[list[int]]) -> pd.DataFrame:
    arr = np.asarray(values, dtype=np.int64)
    return pd.DataFrame(
        arr,
        index=[f"org{i}" for i in range(arr.shape[0])],
        columns=[f"route{j}" for j in range(arr.shape[1])],
    )


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("margins", ["both", "columns", "none"])
def test_primary_suppression_is_exactly_one_to_threshold_minus_one(
    threshold: int, margins: str
) -> None:
    inner = [[0, 1, threshold - 1], [threshold, threshold + 1, 0]]
    table = protect_counts(_table(inner), threshold, margins=margins)  # type: ignore[arg-type]
    primary = table.primary.to_numpy()[:2, :3]
    expected = np.array([[False, True, True], [False, False, False]])
    np.testing.assert_array_equal(primary, expected)
    assert not table.suppressed.iat[1, 0], "a count equal to the threshold is shown"
    assert table.shown().iat[1, 0] == threshold
    assert table.shown().iat[0, 0] == 0, "zero is shown"


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_a_lone_count_at_the_threshold_is_published_untouched(threshold: int) -> None:
    table = protect_counts(_table([[threshold]]), threshold, margins="none")
    assert table.n_primary == 0
    assert table.n_secondary == 0
    assert table.shown().iat[0, 0] == threshold
    below = protect_counts(_table([[threshold - 1]]), threshold, margins="none")
    if threshold - 1 >= 1:
        assert below.n_primary == 1
        assert below.shown().iat[0, 0] == SUPPRESSED


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_totals_at_the_threshold_are_shown(threshold: int) -> None:
    # a single row whose total equals the threshold: nothing is small, nothing hidden
    cells = [threshold, 0]
    table = protect_counts(_table([cells]), threshold, margins="both")
    assert table.values.iat[0, 2] == threshold  # the row total
    assert not table.suppressed.to_numpy().any()


@settings(max_examples=60, deadline=None)
@given(
    threshold=st.integers(1, 8),
    cells=st.lists(st.integers(0, 12), min_size=1, max_size=20),
    margins=st.sampled_from(["both", "columns", "none"]),
)
def test_primary_marks_exactly_the_small_counts(
    threshold: int, cells: list[int], margins: str
) -> None:
    table = protect_counts(_table([cells]), threshold, margins=margins)  # type: ignore[arg-type]
    arr = table.values.to_numpy()
    np.testing.assert_array_equal(table.primary.to_numpy(), (arr >= 1) & (arr < threshold))
    inner = table.primary.to_numpy()[0, : len(cells)]
    np.testing.assert_array_equal(inner, [1 <= v < threshold for v in cells])
    # hidden cells are a superset of the primary ones; every shown count is 0 or >= threshold
    hidden = table.suppressed.to_numpy()
    assert (hidden | ~table.primary.to_numpy()).all()
    shown = arr[~hidden]
    assert ((shown == 0) | (shown >= threshold)).all()


@pytest.mark.parametrize("threshold", THRESHOLDS)
def test_derived_values_hidden_below_the_threshold_shown_at_it(threshold: int) -> None:
    values = pd.DataFrame(
        {"median": [1.5, 2.5, 3.5, 4.5, np.nan]}, index=["one", "below", "at", "above", "none"]
    )
    cases = pd.DataFrame(
        {"median": [1, threshold - 1, threshold, threshold + 1, 0]}, index=values.index
    )
    table = protect_derived(values, cases, threshold)
    hidden = table.suppressed["median"].to_dict()
    assert hidden == {
        "one": threshold > 1,
        "below": threshold - 1 >= 1,
        "at": False,
        "above": False,
        "none": False,  # no cases: shown as missing, not hidden
    }
    shown = table.shown()["median"]
    assert shown["at"] == 3.5
    assert shown["above"] == 4.5
    if threshold > 2:
        assert shown["below"] == SUPPRESSED


def test_derived_threshold_boundary_with_hidden_inputs() -> None:
    values = pd.DataFrame({"share": [0.2, 0.4]}, index=["a", "b"])
    cases = pd.DataFrame({"share": [5, 5]}, index=["a", "b"])
    linked = pd.DataFrame({"share": [False, True]}, index=["a", "b"])
    table = protect_derived(values, cases, 5, hidden_inputs=linked)
    assert table.suppressed["share"].tolist() == [False, True]
    assert table.shown()["share"].tolist() == [0.2, SUPPRESSED]
