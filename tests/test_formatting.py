"""One value, one text: parameters and the ledger's shares print with ``format_value``."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuaalborg.formatting import format_value
from fuaalborg.letting.routing import show_share
from fuaalborg.parameters import DatedValue

fractions = st.fractions(min_value=0, max_value=10)
scalars = st.one_of(fractions, st.integers(-10**6, 10**6), st.booleans(),
                    st.text(max_size=12), st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, max_size=3)),
    max_leaves=10)


@given(fractions)
def test_a_fraction_reads_back_as_itself_and_a_whole_one_as_a_whole_number(value: Fraction) -> (
    None
):
    text = format_value(value)
    assert Fraction(text) == value
    assert ("/" in text) == (value.denominator != 1)


@given(fractions)
def test_the_ledger_writes_a_share_as_the_formatter_prints_it(value: Fraction) -> None:
    assert show_share(value) == format_value(value)


@given(values)
def test_a_parameter_describes_its_value_as_the_formatter_prints_it(value: Any) -> None:
    dated = DatedValue(name="x.y", start=dt.date(2024, 1, 1), end=None, value=value,
                       reference="§ 1")
    assert dated.describe() == f"x.y = {format_value(value)} (2024-01-01–…; § 1)"


@given(st.lists(scalars, max_size=5))
def test_a_list_is_its_items_in_brackets(items: list[Any]) -> None:
    assert format_value(items) == "[" + ", ".join(format_value(i) for i in items) + "]"
    assert format_value(tuple(items)) == format_value(items)

