"""A number in a Danish file: a decimal comma, a point only between thousands.

A point anywhere else (``3068.5``, ``92.3``) is refused with a hint; read as a
thousands point it would be ten or a hundred times the value, and a rent of
30.685 kr. or a floor area of 923 m² passes every plausible bound.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.formatting import kroner
from fuaalborg.tables import Column, TableSpec, TableValidationError, read_table

SPEC = TableSpec(
    "dwellings",
    (
        Column("dwelling_id", "string", "id", "boligens id", unique=True),
        Column("monthly_rent_dkk", "float", "monthly rent", "månedsleje_kr", min=0),
        Column("rooms", "int", "rooms", "rum", min=1),
    ),
    key=("dwelling_id",),
)


def _danish_csv(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["dwelling_id;monthly_rent_dkk;rooms", *(";".join(r) for r in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_a_point_decimal_in_a_danish_file_is_refused_not_read_as_thousands(
    tmp_path: Path,
) -> None:
    path = _danish_csv(tmp_path / "boliger.csv", [
        ("D1", "3068.5", "3"),      # a decimal point: refused
        ("D2", "3.068,50", "2"),    # thousands point and decimal comma: 3068.5
        ("D3", "12.500", "1.5"),    # a thousands point: 12500; rooms 1.5: refused
        ("D4", "6546", "4"),
    ])
    with pytest.raises(TableValidationError) as caught:
        read_table(path, SPEC)
    problems = caught.value.problems
    assert [(p.column, p.row) for p in problems] == [("monthly_rent_dkk", 1), ("rooms", 3)]
    assert all("a Danish file writes a decimal comma (3068,5)" in p.what for p in problems)
    fixed = _danish_csv(tmp_path / "boliger2.csv", [
        ("D1", "3068,5", "3"), ("D2", "3.068,50", "2"), ("D3", "12.500", "1"),
        ("D4", "6546", "4"),
    ])
    frame = read_table(fixed, SPEC)
    assert frame["monthly_rent_dkk"].tolist() == [3068.5, 3068.5, 12500.0, 6546.0]


@settings(max_examples=25)
@given(st.lists(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
                min_size=1, max_size=40))
def test_an_amount_written_the_danish_way_reads_back_as_itself(amounts: list[object]) -> None:
    values = [float(str(a)) for a in amounts]
    frame = pd.DataFrame({"dwelling_id": [f"D{i}" for i in range(len(values))],
                          "monthly_rent_dkk": [kroner(v) for v in values],
                          "rooms": ["2"] * len(values)})
    read = SPEC.validate(frame, decimal_comma=True)
    assert read["monthly_rent_dkk"].tolist() == pytest.approx(values, abs=0.005)


@settings(max_examples=25)
@given(st.lists(st.tuples(st.integers(0, 999), st.integers(1, 99)), min_size=1, max_size=40))
def test_a_point_decimal_never_reads_as_a_number_of_a_danish_file(
    numbers: list[tuple[int, int]],
) -> None:
    texts = [f"{w}.{p:02d}" if p % 10 else f"{w}.{p // 10}" for w, p in numbers]
    frame = pd.DataFrame({"dwelling_id": [f"D{i}" for i in range(len(texts))],
                          "monthly_rent_dkk": texts, "rooms": ["2"] * len(texts)})
    with pytest.raises(TableValidationError) as caught:
        SPEC.validate(frame, decimal_comma=True)
    assert [p.row for p in caught.value.problems] == list(range(1, len(texts) + 1))
    assert all("decimal comma" in p.what for p in caught.value.problems)
