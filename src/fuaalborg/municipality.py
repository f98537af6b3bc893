"""A municipality's data as one validated bundle of tables.

:class:`Municipality` holds the tables every part of fuaalborg reads:
organisations, departments, dwellings, areas, indicators, the official lists
and (optionally) a waiting list of applicants. Building one validates every
table against its spec *and* the references between them (a department's
organisation and area exist; a dwelling's department exists; each department's
dwelling counts match its dwellings), reporting every problem at once.

>>> from fuaalborg import examples
>>> town = examples.load()
>>> len(town.departments)
271
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from fuaalborg import specs
from fuaalborg.errors import ValidationError
from fuaalborg.tables import Problem, TableValidationError, is_in, read_table

__all__ = ["Municipality"]


def _optional_frame() -> pd.DataFrame:
    return pd.DataFrame()


@attrs.frozen
class Municipality:
    """The validated tables of one municipality.

    Construct it with :meth:`from_frames` or :meth:`from_folder` (which validate);
    the attributes are pandas DataFrames with the canonical columns of
    :mod:`fuaalborg.specs`. ``applicants`` is the waiting list, validated by the
    applicant vocabulary of :mod:`fuaalborg.criteria` where that is used.
    ``area_indicators`` (optional) holds the ministry's indicators per area and
    list date, the input of :func:`fuaalborg.classify_areas`.
    """

    organisations: pd.DataFrame = attrs.field(eq=False)
    departments: pd.DataFrame = attrs.field(eq=False)
    dwellings: pd.DataFrame = attrs.field(eq=False)
    areas: pd.DataFrame = attrs.field(eq=False)
    indicators: pd.DataFrame = attrs.field(eq=False)
    lists: pd.DataFrame = attrs.field(eq=False)
    applicants: pd.DataFrame = attrs.field(eq=False, factory=_optional_frame)
    area_indicators: pd.DataFrame = attrs.field(eq=False, factory=_optional_frame)
    name: str = "municipality"
    synthetic: bool = False

    @classmethod
    def from_frames(
        cls,
        *,
        organisations: pd.DataFrame,
        departments: pd.DataFrame,
        dwellings: pd.DataFrame,
        areas: pd.DataFrame,
        indicators: pd.DataFrame,
        lists: pd.DataFrame,
        applicants: pd.DataFrame | None = None,
        area_indicators: pd.DataFrame | None = None,
        name: str = "municipality",
        synthetic: bool = False,
    ) -> Municipality:
        """Validate every table and the references between them; all problems at once."""
        raw = {
            "organisations": organisations,
            "departments": departments,
            "dwellings": dwellings,
            "areas": areas,
            "indicators": indicators,
            "lists": lists,
        }
        town = cls._build(raw, applicants, name=name, synthetic=synthetic)
        if area_indicators is not None:
            town = attrs.evolve(town, area_indicators=area_indicators)
        return town

    @classmethod
    def from_folder(
        cls, folder: str | os.PathLike[str], *, name: str | None = None
    ) -> Municipality:
        """Read ``<table>.csv`` or ``<table>.xlsx`` for each table from ``folder``.

        ``applicants`` and ``area_indicators`` (``.csv``/``.xlsx``) are optional and
        read as text, to be validated by the code that uses them (the applicant
        vocabulary, :func:`fuaalborg.classify_areas`); every other table is required.
        """
        base = Path(folder)
        found: dict[str, Path] = {}
        missing = []
        for table in [*specs.TABLE_SPECS, "applicants"]:
            for suffix in (".csv", ".xlsx"):
                if (base / f"{table}{suffix}").exists():
                    found[table] = base / f"{table}{suffix}"
                    break
            else:
                if table != "applicants":
                    missing.append(f"{table}.csv")
        if missing:
            raise ValidationError(f"folder {base.name}: missing {', '.join(missing)}")
        for optional in ("area_indicators",):
            for suffix in (".csv", ".xlsx"):
                if (base / f"{optional}{suffix}").exists():
                    found[optional] = base / f"{optional}{suffix}"
                    break
        optional_tables = ("applicants", "area_indicators")
        raw: dict[str, pd.DataFrame | Path] = {
            t: p for t, p in found.items() if t not in optional_tables
        }
        extra = {t: _read_raw(found[t]) for t in optional_tables if t in found}
        town = cls._build(
            raw, extra.get("applicants"), name=name or base.name, synthetic=False
        )
        if "area_indicators" in extra:
            town = attrs.evolve(town, area_indicators=extra["area_indicators"])
        return town

    @classmethod
    def _build(
        cls,
        raw: dict[str, pd.DataFrame] | dict[str, pd.DataFrame | Path],
        applicants: pd.DataFrame | None,
        *,
        name: str,
        synthetic: bool,
    ) -> Municipality:
        errors: list[TableValidationError] = []
        tables: dict[str, pd.DataFrame] = {}
        for table, source in raw.items():
            try:
                tables[table] = read_table(source, specs.TABLE_SPECS[table])
            except TableValidationError as exc:
                errors.append(exc)
        # references between the tables that passed: all problems in one round
        problems = list(_references(tables))
        if problems:
            errors.append(TableValidationError("municipality", problems))
        if errors:
            raise _combine(errors)
        return cls(
            applicants=applicants if applicants is not None else pd.DataFrame(),
            name=name,
            synthetic=synthetic,
            **tables,
        )

    def department(self, department_id: str) -> pd.Series[Any]:
        """The departments-table row of ``department_id``."""
        rows = self.departments.loc[self.departments["department_id"] == department_id]
        if rows.empty:
            raise ValidationError(f"unknown department {department_id!r}")
        return rows.iloc[0]


def _read_raw(path: Path) -> pd.DataFrame:
    """Read a table as text cells, for validation by the part that owns its spec."""
    if path.suffix == ".xlsx":
        return pd.read_excel(path, dtype=object, engine="openpyxl")
    text = path.read_text(encoding="utf-8-sig")
    first = text.split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    return pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)


def _combine(errors: list[TableValidationError]) -> TableValidationError:
    if len(errors) == 1:
        return errors[0]
    problems = [p for e in errors for p in e.problems]
    return TableValidationError(", ".join(e.table for e in errors), problems)


def _unknown(
    frame: pd.DataFrame, column: str, known: pd.Series[Any], table: str, what: str
) -> Iterator[Problem]:
    values = frame[column]
    bad = values.notna().to_numpy() & ~is_in(values, known)
    for pos in bad.nonzero()[0]:
        yield Problem(table, column, int(pos) + 1, repr(values.iloc[pos]), f"a known {what}")


def _references(t: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Checks between tables; each runs when the tables it reads passed validation."""
    references = (
        ("departments", "organisation_cvr", "organisations", "organisation_cvr",
         "organisation CVR (organisations table)"),
        ("departments", "area_id", "areas", "area_id", "area id"),
        ("dwellings", "department_id", "departments", "department_id", "department id"),
        ("indicators", "department_id", "departments", "department_id", "department id"),
        ("lists", "area_id", "areas", "area_id", "area id"),
    )
    for table, column, other, key, what in references:
        if table in t and other in t:
            yield from _unknown(t[table], column, t[other][key], table, what)
    if "departments" in t and "dwellings" in t:
        yield from _dwelling_counts(t["departments"], t["dwellings"])
    if "departments" in t:
        deps = t["departments"]
        over = deps["residents_18_64"] > deps["residents"]
        for pos in over.to_numpy().nonzero()[0]:
            yield Problem(
                "departments",
                "residents_18_64",
                int(pos) + 1,
                str(deps["residents_18_64"].iloc[pos]),
                "at most residents",
            )


def _dwelling_counts(deps: pd.DataFrame, dws: pd.DataFrame) -> Iterator[Problem]:
    """Each department's declared dwelling counts against the dwellings listed for it."""
    if not len(dws):
        return
    counts = (
        dws.groupby(["department_id", "kind"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=["family", "bab"], fill_value=0)
    )
    merged = (
        deps[["department_id", "family_dwellings", "bab_dwellings"]]
        .join(counts, on="department_id", how="left")
        .fillna(0)
    )
    for kind, column in (("family", "family_dwellings"), ("bab", "bab_dwellings")):
        declared = merged[column].to_numpy(dtype="int64")
        listed = merged[kind].to_numpy(dtype="int64")
        for pos in (declared != listed).nonzero()[0]:
            yield Problem(
                "departments",
                column,
                int(pos) + 1,
                str(declared[pos]),
                f"the number of {kind} dwellings listed for it ({listed[pos]})",
            )
