"""Table specs: lazy validation, readers for CSV, Danish CSV and xlsx, atomic writes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg import specs
from fuaalborg.tables import (
    Column,
    TableSpec,
    TableValidationError,
    atomic_write,
    read_table,
    write_table,
)

SPEC = TableSpec(
    "things",
    (
        Column("thing_id", "string", "id", "id", unique=True),
        Column("count", "int", "a count", "et antal", min=0, max=1000),
        Column("share", "float", "a percentage", "en procentdel", min=0, max=100, nullable=True),
        Column("kind", "string", "kind", "slags", allowed=("a", "b")),
        Column("on", "date", "a date", "en dato"),
        Column("flag", "bool", "a flag", "et flag"),
        Column("owner_name", "string", "a person's name", "navn", personal=True, nullable=True),
    ),
    key=("thing_id",),
)

GOOD = pd.DataFrame(
    {
        "thing_id": ["T1", "T2", "T3"],
        "count": [1, 20, 300],
        "share": [12.5, None, 99.0],
        "kind": ["a", "b", "a"],
        "on": ["2024-01-31", "2023-12-01", "2025-02-01"],
        "flag": [True, False, True],
        "owner_name": ["Anna Testesen", None, "Bo Prøvesen"],
    }
)


def test_valid_table_is_coerced_and_the_input_untouched() -> None:
    before = GOOD.copy()
    out = SPEC.validate(GOOD)
    pd.testing.assert_frame_equal(GOOD, before)
    assert out["count"].dtype == "int64"
    assert out["share"].dtype == "float64"
    assert str(out["on"].dtype) == "datetime64[s]"
    assert out["flag"].dtype == bool
    assert out.loc[1, "on"] == pd.Timestamp("2023-12-01")


def test_every_bad_cell_is_reported_and_personal_data_hidden() -> None:
    bad = GOOD.copy()
    bad["count"] = [1, -5, "many"]
    bad["kind"] = ["a", "c", "a"]
    bad["on"] = ["2024-02-30", "2023-12-01", "soon"]
    bad["thing_id"] = ["T1", "T1", "T3"]
    bad["owner_name"] = ["Anna Testesen", "Anna Testesen", 12]
    with pytest.raises(TableValidationError) as info:
        SPEC.validate(bad)
    got = {(p.column, p.row) for p in info.value.problems}
    assert got == {
        ("thing_id", 2),
        ("count", 2),
        ("count", 3),
        ("kind", 2),
        ("on", 1),
        ("on", 3),
    }
    message = str(info.value)
    assert "Anna" not in message
    assert "'many'" in message
    assert "6 problems" in message
    frame = info.value.to_frame()
    assert list(frame.columns) == ["table", "column", "row", "value", "expected"]


def test_missing_columns_and_required_values() -> None:
    bad = GOOD.drop(columns=["kind", "flag"]).copy()
    bad.loc[0, "count"] = None
    with pytest.raises(TableValidationError) as info:
        SPEC.validate(bad)
    got = {(p.column, p.row) for p in info.value.problems}
    assert got == {("kind", None), ("flag", None), ("count", 1)}


def test_personal_key_duplicates_are_redacted() -> None:
    spec = TableSpec(
        "people",
        (Column("cpr", "string", "CPR", "CPR", personal=True, unique=True),),
    )
    with pytest.raises(TableValidationError) as info:
        spec.validate(pd.DataFrame({"cpr": ["0101011234", "0101011234"]}))
    assert "0101011234" not in str(info.value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cells=st.lists(
        st.one_of(
            st.integers(0, 1000).map(lambda v: ("ok", v)),
            st.integers(-1000, -1).map(lambda v: ("bad", v)),
            st.integers(1001, 10**6).map(lambda v: ("bad", v)),
            st.sampled_from(["x", "1,5", "2.5", "--"]).map(lambda v: ("bad", v)),
        ),
        min_size=1,
        max_size=60,
    )
)
def test_generated_bad_tables_report_exactly_the_bad_cells(cells: list[tuple[str, object]]) -> None:
    spec = TableSpec("gen", (Column("n", "int", "n", "n", min=0, max=1000),))
    frame = pd.DataFrame({"n": pd.Series([v for _, v in cells], dtype=object)})
    expected = {i + 1 for i, (kind, _) in enumerate(cells) if kind == "bad"}
    if not expected:
        assert spec.validate(frame)["n"].tolist() == [v for _, v in cells]
        return
    with pytest.raises(TableValidationError) as info:
        spec.validate(frame)
    assert {p.row for p in info.value.problems} == expected


def _plain_and_danish(tmp_path: Path) -> tuple[Path, Path]:
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "thing_id,count,share,kind,on,flag,owner_name\n"
        "T1,1,12.5,a,2024-01-31,true,Anna\n"
        "T2,1200,,b,2023-12-01,false,\n"
        "T3,300,99.25,a,2025-02-01,true,Bo\n",
        encoding="utf-8",
    )
    danish = tmp_path / "danish.csv"
    danish.write_text(
        "\ufeffthing_id;count;share;kind;on;flag;owner_name\n"
        "T1;1;12,5;a;31-01-2024;ja;Anna\n"
        "T2;1.200;;b;01-12-2023;nej;\n"
        "T3;300;99,25;a;01.02.2025;ja;Bo\n",
        encoding="utf-8",
    )
    return plain, danish


def test_danish_csv_and_xlsx_read_the_same_as_plain_csv(tmp_path: Path) -> None:
    spec = TableSpec(
        SPEC.name,
        (SPEC.columns[0], Column("count", "int", "c", "c", min=0), *SPEC.columns[2:]),
        key=SPEC.key,
    )
    plain, danish = _plain_and_danish(tmp_path)
    a = read_table(plain, spec)
    b = read_table(danish, spec, dayfirst=True)  # day-first dates only when asked for
    pd.testing.assert_frame_equal(a, b)
    assert a["count"].tolist() == [1, 1200, 300]
    with pytest.raises(TableValidationError, match="day-first") as caught:
        read_table(danish, spec)
    assert len(caught.value.problems) == 3
    xlsx = tmp_path / "things.xlsx"
    a.to_excel(xlsx, index=False)
    c = read_table(xlsx, spec)
    pd.testing.assert_frame_equal(a, c)


def test_reader_errors_name_the_file_not_its_path(tmp_path: Path) -> None:
    with pytest.raises(TableValidationError, match="count"):
        read_table(_plain_and_danish(tmp_path)[0], SPEC)  # 1200 > max 1000
    missing = tmp_path / "absent.csv"
    with pytest.raises(ValueError, match=r"absent\.csv does not exist"):
        read_table(missing, SPEC)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("thing_id\nNørre\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_table(latin, SPEC)


def test_atomic_write_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old", encoding="utf-8")
    def write_then_fail() -> None:
        with atomic_write(target) as tmp:
            tmp.write_text("partial", encoding="utf-8")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_write_table_round_trips_csv_danish_csv_and_xlsx(tmp_path: Path) -> None:
    frame = SPEC.validate(GOOD)
    for name, danish in (("a.csv", False), ("b.csv", True), ("c.xlsx", False)):
        path = write_table(frame, tmp_path / name, danish=danish)
        back = read_table(path, SPEC)
        pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_municipality_specs_declare_canonical_columns() -> None:
    assert specs.DEPARTMENTS.names == [
        "department_id", "organisation_cvr", "name", "area_id",
        "family_dwellings", "bab_dwellings", "residents", "residents_18_64",
    ]
    assert specs.DWELLINGS.names == [
        "dwelling_id", "department_id", "kind", "rooms", "area_m2", "monthly_rent_dkk",
        "floor", "dwelling_type", "lift",
    ]
    assert specs.INDICATORS.names == [
        "department_id", "measured_on", "source", "residents_18_64", "units", "residents",
        "outside_work_education_pct", "conviction_ratio", "conviction_pct",
        "basic_education_pct", "income_ratio_pct", "non_western_pct",
    ]
    assert specs.AREAS.names == ["area_id", "name", "kind", "residents"]
    assert specs.LISTS.names == ["area_id", "list_date", "designation"]


def test_percentages_outside_0_100_are_refused() -> None:
    frame = pd.DataFrame(
        {
            "department_id": ["D1", "D2"],
            "measured_on": ["2024-11-01", "2024-11-01"],
            "source": ["twin_tool", "twin_tool"],
            "residents_18_64": [40, 50],
            "units": [30, 40],
            "residents": [70, 90],
            "outside_work_education_pct": [101.0, 20.0],
            "conviction_ratio": [1.0, -0.5],
            "basic_education_pct": [30.0, np.nan],
            "income_ratio_pct": [80.0, 90.0],
            "non_western_pct": [10.0, 12.0],
        }
    )
    with pytest.raises(TableValidationError) as info:
        specs.INDICATORS.validate(frame)
    assert {(p.column, p.row) for p in info.value.problems} == {
        ("outside_work_education_pct", 1),
        ("conviction_ratio", 2),
    }


def test_cvr_columns_apply_the_modulus_11_check() -> None:
    frame = pd.DataFrame(
        {"organisation_cvr": ["31831814", "12345678", "0123456"], "name": ["A", "B", "C"]}
    )
    with pytest.raises(TableValidationError) as info:
        specs.ORGANISATIONS.validate(frame)
    assert {(p.row, p.value) for p in info.value.problems} == {(2, "'12345678'"), (3, "'0123456'")}
    assert "modulus-11" in info.value.problems[0].expected


def test_a_departments_organisation_cvr_is_checked_like_the_organisations() -> None:
    frame = pd.DataFrame({
        "department_id": ["D1", "D2", "D3"],
        "organisation_cvr": ["31831814", "12345678", "0123456"],
        "name": ["A", "B", "C"],
        "area_id": [None, None, None],
        "family_dwellings": [10, 10, 10],
        "bab_dwellings": [0, 0, 0],
        "residents": [20, 20, 20],
        "residents_18_64": [12, 12, 12],
    })
    with pytest.raises(TableValidationError) as info:
        specs.DEPARTMENTS.validate(frame)
    assert {(p.column, p.row, p.value) for p in info.value.problems} == {
        ("organisation_cvr", 2, "'12345678'"), ("organisation_cvr", 3, "'0123456'"),
    }
    expected = {p.expected for p in info.value.problems}
    assert expected == {specs.ORGANISATIONS.column("organisation_cvr").expected("en")}
    assert "modulus-11" in expected.pop()


def test_problems_of_several_tables_are_each_under_their_own_head() -> None:
    from fuaalborg.tables import TableProblem

    error = TableValidationError(
        "departments, dwellings",
        [
            TableProblem("departments", "residents", 3, "-1", "a whole number >= 0"),
            TableProblem("dwellings", "kind", 2, "'youth'", "one of family, bab"),
        ],
    )
    lines = str(error).splitlines()
    assert lines[0] == "2 problems in 2 tables:"
    assert lines[1] == "  table 'departments': 1 problem"
    assert lines[2].split() == ["column", "row", "value", "expected"]
    assert lines[3].split()[0] == "residents"
    assert lines[4] == "  table 'dwellings': 1 problem"
    assert lines[6].split()[0] == "kind"
    assert error.tables == ("departments", "dwellings")


def test_written_files_get_the_ordinary_mode(tmp_path: Path) -> None:
    import os
    import stat

    umask = os.umask(0o022)
    try:
        path = write_table(pd.DataFrame({"a": [1]}), tmp_path / "out.csv")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_a_duplicate_applicant_is_reported_without_its_id() -> None:
    from fuaalborg.criteria import APPLICANTS

    frame = pd.DataFrame(
        {
            "applicant_id": ["A-1011", "A-1011"],
            "list": ["internal", "internal"],
            "seniority_date": ["2020-01-01", "2021-01-01"],
            "household_size": [1, 2],
        }
    )
    with pytest.raises(TableValidationError) as info:
        APPLICANTS.validate(frame)
    assert "1011" not in str(info.value)
    assert [(p.column, p.row) for p in info.value.problems] == [("applicant_id, list", 2)]
