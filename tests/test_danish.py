"""Danish in and out: the glossary covers every column, and Danish files round-trip."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg import Municipality, danish, specs
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.monitoring import StepModel, classify_areas, overview
from fuaalborg.monitoring.lists import AREA_INDICATORS
from fuaalborg.monitoring.steps import PREVIOUS_PLACEMENT
from fuaalborg.parameters import load_parameters
from fuaalborg.reports.evictions import EVICTIONS
from fuaalborg.tables import Column, TableSpec, TableValidationError, read_table, write_table

ALL_SPECS = [*specs.TABLE_SPECS.values(), APPLICANTS, AREA_INDICATORS, PREVIOUS_PLACEMENT,
             EVICTIONS]


@pytest.mark.parametrize("spec", ALL_SPECS, ids=lambda s: s.name)
def test_every_column_has_a_declared_danish_header_and_values(spec: TableSpec) -> None:
    headers = [c.name_da for c in spec.columns]
    missing = [c.name for c in spec.columns if c.name not in danish.HEADERS]
    assert not missing, f"add Danish headers to fuaalborg.danish.HEADERS: {missing}"
    assert len(set(headers)) == len(headers), "two columns share a Danish header"
    names = set(spec.names)
    for col in spec.columns:
        # a Danish header never means another column of the same table
        assert col.name_da == col.name or col.name_da not in names, col.name
        if col.allowed is not None:
            untranslated = [v for v in col.allowed if v not in danish.VALUES]
            assert not untranslated, f"add Danish values to fuaalborg.danish.VALUES: {untranslated}"
            assert col.allowed_da is not None
            assert len(set(col.allowed_da)) == len(col.allowed), col.name


def test_the_outputs_columns_are_all_translated(example_municipality: Municipality) -> None:
    municipality = example_municipality
    placement = StepModel.load("aalborg-2023").place(
        municipality.departments,
        municipality.indicators,
        municipality.lists,
        "2024-05-01",
        validate=False,
    )
    frames = [
        placement.output_frame(),
        overview(placement, municipality.organisations),
        classify_areas(municipality.area_indicators, lists=municipality.lists),
    ]
    for frame in frames:
        untranslated = [c for c in frame.columns if danish.header(str(c)) == c
                        and c not in ("udsat", "parallelsamfund", "omdannelse", "forebyggelse",
                                      "race", "religion")]
        assert not untranslated, untranslated


def test_a_file_mixing_english_and_danish_headers_is_refused() -> None:
    mixed = pd.DataFrame({"applicant_id": ["a"], "liste": ["intern"],
                          "seniority_date": ["2020-01-01"], "household_size": [1]})
    with pytest.raises(TableValidationError, match="one language per file"):
        APPLICANTS.validate(mixed)


def test_danish_errors_name_the_files_columns_and_values() -> None:
    frame = pd.DataFrame({"ansøger_id": ["a", "b"], "liste": ["intern", "udenfor"],
                          "anciennitetsdato": ["2020-01-01", "2020-01-02"],
                          "husstandsstørrelse": ["2", "to"]})
    with pytest.raises(TableValidationError) as caught:
        APPLICANTS.validate(frame)
    got = {(p.column, p.row, p.expected) for p in caught.value.problems}
    assert ("liste", 2, "one of intern, ekstern") in got
    assert any(column == "husstandsstørrelse" and row == 2 for column, row, _ in got)


# -- round trips -------------------------------------------------------------------------

_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\x85"),
    min_size=1, max_size=12,
).map(str.strip).filter(bool)


def _range(col: Column) -> tuple[float, float]:
    """The valid values' range: minimum and maximum narrowed by the sanity bounds."""
    low, high = col.plausible_range(load_parameters())
    return (low or 0), (10_000 if high is None else high)


def _cells(col: Column) -> st.SearchStrategy[object]:
    """Valid values of one column (``None`` where a value may be missing)."""
    if col.allowed is not None:
        values: st.SearchStrategy[object] = st.sampled_from(col.allowed)
    elif col.dtype == "int":
        low, high = _range(col)
        values = st.integers(int(low), int(high))
    elif col.dtype == "float":
        low, high = _range(col)
        values = st.floats(low, high, allow_nan=False).map(lambda x: round(x, 2))
    elif col.dtype == "bool":
        values = st.booleans()
    elif col.dtype == "date":
        values = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)).map(pd.Timestamp)
    else:
        values = _text
    return (st.none() | values) if col.nullable else values


def _frames(spec: TableSpec, columns: list[str]) -> st.SearchStrategy[pd.DataFrame]:
    cols = [spec.column(c) for c in columns]
    row = st.fixed_dictionaries({c.name: _cells(c) for c in cols})
    return st.lists(row, min_size=1, max_size=8).map(lambda rows: pd.DataFrame(rows))


_FIXTURE = HealthCheck.function_scoped_fixture  # tmp_path is only written and read again
_APPLICANT_COLUMNS = ["applicant_id", "list", "seniority_date", "household_size", "active",
                      "employment_hours_per_week", "highest_education", "children"]


@settings(max_examples=15, deadline=None, suppress_health_check=[_FIXTURE])
@given(raw=_frames(APPLICANTS, _APPLICANT_COLUMNS).map(
    lambda f: f.assign(applicant_id=[f"a{i}" for i in range(len(f))])))
def test_danish_round_trip_of_a_waiting_list(raw: pd.DataFrame, tmp_path: Path) -> None:
    frame = read_table(raw, APPLICANTS)
    path = tmp_path / "venteliste.csv"
    write_table(frame, path, danish=True)
    text = path.read_text(encoding="utf-8-sig")
    assert text.startswith("ansøger_id;liste;anciennitetsdato")
    back = read_table(path, APPLICANTS)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    # and once more: reading Danish, writing Danish, reading again gives the same frame
    write_table(back, path, danish=True)
    pd.testing.assert_frame_equal(read_table(path, APPLICANTS), back)


@settings(max_examples=8, deadline=None, suppress_health_check=[_FIXTURE])
@given(raw=_frames(specs.DWELLINGS, specs.DWELLINGS.names).map(
    lambda f: f.assign(dwelling_id=[f"W{i}" for i in range(len(f))])))
def test_danish_round_trip_of_dwellings_csv_and_xlsx(raw: pd.DataFrame, tmp_path: Path) -> None:
    frame = read_table(raw, specs.DWELLINGS)
    for name in ("boliger.csv", "boliger.xlsx"):
        path = tmp_path / name
        write_table(frame, path, danish=True)
        back = read_table(path, specs.DWELLINGS)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)
