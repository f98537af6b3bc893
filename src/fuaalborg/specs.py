"""The declared input tables of a municipality, with canonical column names.

One :class:`~fuaalborg.tables.TableSpec` per table. Other parts of fuaalborg,
and users' scripts, rely on these column names; the data dictionary in the
documentation is generated from these declarations. Each column also has a
Danish header and each closed-set value a Danish word, from the glossary
:mod:`fuaalborg.danish`; a file may use either language. Sanity bounds (an
implausible rent) are cited, dated parameters (``bounds.*``), not numbers here.

None of these is a table of persons (:attr:`TableSpec.personal
<fuaalborg.tables.TableSpec.personal>`): their errors show a failing cell's
value, except one shaped like a CPR number. The waiting list
(:data:`fuaalborg.criteria.vocabulary.APPLICANTS`) is one: its errors show no
value at all.

=================  ==========================================================
spec               table
=================  ==========================================================
``ORGANISATIONS``  housing organisations (boligorganisationer)
``DEPARTMENTS``    housing departments (boligafdelinger)
``DWELLINGS``      dwellings (boliger)
``AREAS``          housing areas (boligområder)
``INDICATORS``     department indicators (twin tool, parallel-society data)
``LISTS``          the ministry's official list designations
=================  ==========================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypedDict

import attrs
import numpy as np
import pandas as pd

from fuaalborg.model import CVR_PATTERN, valid_cvr_mask
from fuaalborg.tables import (
    Column,
    NotChecked,
    TableProblem,
    TableSpec,
    cell_text,
    file_headers,
    is_in,
    with_file_headers,
)

__all__ = [
    "AREAS",
    "AREA_KINDS",
    "BETWEEN_TABLES",
    "DEPARTMENTS",
    "DESIGNATIONS",
    "DWELLINGS",
    "DWELLING_KINDS",
    "DWELLING_TYPES",
    "INDICATORS",
    "INDICATOR_SOURCES",
    "LISTS",
    "ORGANISATIONS",
    "TABLE_SPECS",
    "BetweenTables",
    "check_between_tables",
    "one_conviction_form",
]


class _CvrNumber(TypedDict):
    """The keyword arguments of a column of CVR numbers."""

    pattern: str
    check: Callable[[pd.Series[Any]], pd.Series[bool]]
    check_text: str


#: How a CVR number is checked, wherever a table names an organisation by one.
_CVR_NUMBER: _CvrNumber = {
    "pattern": CVR_PATTERN,
    "check": valid_cvr_mask,
    "check_text": "passing the modulus-11 check",
}

#: Dwelling kinds: ordinary social family dwellings and subsidised (BAB) ones.
DWELLING_KINDS = ("family", "bab")
#: What a dwelling is suited or earmarked for, as bilag 4 conditions name it: an ordinary
#: family dwelling, a youth dwelling (ungdomsegnet), a senior dwelling (ældreegnet), an
#: accessible dwelling (handicapegnet).
DWELLING_TYPES = ("family", "youth", "senior", "accessible")
#: Area kinds: defined by the ministry, or a locally agreed group of departments.
AREA_KINDS = ("ministry", "local")
#: Where a department's indicator values come from.
INDICATOR_SOURCES = ("twin_tool", "parallel_data")
#: Designations on the ministry's lists, most severe first; ``none`` is off every list.
DESIGNATIONS = ("omdannelse", "parallelsamfund", "udsat", "forebyggelse", "none")

ORGANISATIONS = TableSpec(
    name="organisations",
    description="Housing organisations, parties to the agreement",
    description_da="Boligorganisationer, parter i aftalen",
    key=("organisation_cvr",),
    columns=(
        Column(
            "organisation_cvr",
            "string",
            "CVR number (8 digits, modulus-11)",
            "CVR-nummer (8 cifre, modulus-11)",
            **_CVR_NUMBER,
            unique=True,
        ),
        Column("name", "string", "name of the organisation", "boligorganisationens navn"),
    ),
)

DEPARTMENTS = TableSpec(
    name="departments",
    description="Housing departments with family dwellings",
    description_da="Boligafdelinger med almene familieboliger",
    key=("department_id",),
    columns=(
        Column(
            "department_id",
            "string",
            "identifier of the department",
            "afdelingens id",
            unique=True,
        ),
        Column(
            "organisation_cvr",
            "string",
            "CVR number of the organisation that owns the department",
            "boligorganisationens CVR-nummer",
            **_CVR_NUMBER,
        ),
        Column("name", "string", "name of the department", "afdelingens navn"),
        Column(
            "area_id",
            "string",
            "the area the department belongs to, if any (at most one)",
            "boligområde som afdelingen indgår i (højst ét)",
            nullable=True,
        ),
        Column(
            "family_dwellings",
            "int",
            "social family dwellings, BAB dwellings not included",
            "almene familieboliger uden BAB-boliger",
            unit="dwellings",
            min=0,
        ),
        Column(
            "bab_dwellings",
            "int",
            "subsidised family dwellings (BAB), let 100 % by referral",
            "familieboliger med tilskud (BAB-boliger)",
            unit="dwellings",
            min=0,
        ),
        Column("residents", "int", "residents", "beboere", unit="persons", min=0),
        Column(
            "residents_18_64",
            "int",
            "residents aged 18–64 (the twin tool's discretion threshold counts these)",
            "beboere 18–64 år",
            unit="persons",
            min=0,
        ),
    ),
)

DWELLINGS = TableSpec(
    name="dwellings",
    description="Dwellings of the departments",
    description_da="Afdelingernes boliger",
    key=("dwelling_id",),
    columns=(
        Column("dwelling_id", "string", "identifier of the dwelling", "boligens id", unique=True),
        Column("department_id", "string", "the dwelling's department", "boligens afdeling"),
        Column(
            "kind",
            "string",
            "family (almen familiebolig) or bab (familiebolig med tilskud)",
            "family (almen familiebolig) eller bab (BAB-bolig)",
            allowed=DWELLING_KINDS,
        ),
        Column(
            "rooms", "int", "habitable rooms", "beboelsesrum", unit="rooms", min=1,
            bound="bounds.rooms",
        ),
        Column(
            "area_m2", "float", "gross floor area", "bruttoareal", unit="m²", min=1,
            bound="bounds.area_m2",
        ),
        Column(
            "monthly_rent_dkk",
            "float",
            "monthly rent",
            "månedlig husleje",
            unit="kr/month",
            min=0,
            bound="bounds.monthly_rent_dkk",
        ),
        Column(
            "floor",
            "int",
            "the floor the dwelling is on (0 = ground floor, -1 = basement)",
            "etage (0 = stueetagen, -1 = kælder)",
            min=-1,
            max=40,
            nullable=True,
            required=False,
        ),
        Column(
            "dwelling_type",
            "string",
            "what the dwelling is suited or earmarked for (as agreement conditions name it)",
            "hvad boligen er egnet eller øremærket til (familie-, ungdoms-, ældre- eller "
            "handicapegnet)",
            allowed=DWELLING_TYPES,
            nullable=True,
            required=False,
        ),
        Column(
            "lift",
            "bool",
            "the dwelling can be reached by lift",
            "boligen kan nås med elevator",
            nullable=True,
            required=False,
        ),
    ),
)

AREAS = TableSpec(
    name="areas",
    description="Housing areas: ministry-defined areas and locally agreed groups",
    description_da="Boligområder: ministeriets områder og lokalt aftalte grupper",
    key=("area_id",),
    columns=(
        Column("area_id", "string", "identifier of the area", "områdets id", unique=True),
        Column("name", "string", "name of the area", "områdets navn"),
        Column(
            "kind",
            "string",
            "ministry (ABL § 61 a, stk. 3) or local (agreed group of departments)",
            "ministry (ABL § 61 a, stk. 3) eller local (lokalt aftalt gruppe)",
            allowed=AREA_KINDS,
        ),
        Column("residents", "int", "residents of the area", "områdets beboere", min=0),
    ),
)

class _Percent(TypedDict):
    """The keyword arguments of a percentage column."""

    unit: str
    min: float
    max: float
    nullable: bool


_PCT: _Percent = {"unit": "%", "min": 0.0, "max": 100.0, "nullable": True}


def one_conviction_form(frame: pd.DataFrame, table: str = "indicators") -> Iterator[TableProblem]:
    """Each row gives convictions as a ratio or as a share in percent, never both."""
    if "conviction_pct" not in frame.columns or "conviction_ratio" not in frame.columns:
        return
    both = frame["conviction_pct"].notna() & frame["conviction_ratio"].notna()
    for pos in np.flatnonzero(both.to_numpy(dtype=bool)):
        yield TableProblem(
            table,
            "conviction_pct",
            int(pos) + 1,
            str(frame["conviction_pct"].iloc[pos]),
            "empty where conviction_ratio is given (one of the two per row)",
        )

INDICATORS = TableSpec(
    name="indicators",
    description="Department indicators from the twin tool and parallel-society data",
    description_da="Afdelingsindikatorer fra tvillingeværktøjet og parallelsamfundsdata",
    key=("department_id", "measured_on", "source"),
    checks=(one_conviction_form,),
    columns=(
        Column("department_id", "string", "the department", "afdelingen"),
        Column("measured_on", "date", "date the data refer to", "datoen data vedrører"),
        Column(
            "source",
            "string",
            "twin_tool (tvillingeværktøjet) or parallel_data (parallelsamfundsdata)",
            "twin_tool (tvillingeværktøjet) eller parallel_data (parallelsamfundsdata)",
            allowed=INDICATOR_SOURCES,
        ),
        Column("residents_18_64", "int", "residents aged 18–64", "beboere 18–64 år", min=0),
        Column("units", "int", "dwelling units", "lejemål", min=0),
        Column("residents", "int", "residents", "beboere", min=0),
        Column(
            "outside_work_education_pct",
            "float",
            "share of residents aged 18–64 outside work or education",
            "andel 18–64-årige uden for arbejdsmarked eller uddannelse",
            **_PCT,
        ),
        Column(
            "conviction_ratio",
            "float",
            "share convicted of offences against the criminal code, weapons or drugs laws, "
            "as a multiple of the national average",
            "andel dømt for overtrædelse af straffeloven, våbenloven eller lov om euforiserende "
            "stoffer, i forhold til landsgennemsnittet",
            unit="× national average",
            min=0.0,
            nullable=True,
            bound="bounds.conviction_ratio",
        ),
        Column(
            "conviction_pct",
            "float",
            "the same share in percent of the residents aged 18 and over, converted to "
            "conviction_ratio with indicators.conviction_national_average_pct (give one of the "
            "two per row)",
            "samme andel i procent af beboerne på 18 år og derover; omregnes med "
            "landsgennemsnittet (angiv én af de to pr. række)",
            **_PCT,
            required=False,
        ),
        Column(
            "basic_education_pct",
            "float",
            "share of residents aged 30–59 with only basic schooling",
            "andel 30–59-årige med alene grundskoleuddannelse",
            **_PCT,
        ),
        Column(
            "income_ratio_pct",
            "float",
            "average gross income of residents aged 15–64 (students excluded) as a share of "
            "the reference average",
            "gennemsnitlig bruttoindkomst for 15–64-årige (ekskl. uddannelsessøgende) i procent "
            "af gennemsnittet",
            unit="%",
            min=0.0,
            max=1000.0,
            nullable=True,
        ),
        Column(
            "non_western_pct",
            "float",
            "aggregate share of immigrants and descendants from non-Western countries "
            "(area/department level only; never an applicant attribute)",
            "andel indvandrere og efterkommere fra ikke-vestlige lande (kun på "
            "område-/afdelingsniveau)",
            **_PCT,
        ),
    ),
)

LISTS = TableSpec(
    name="lists",
    description="The ministry's official designations of areas, one row per area per list date",
    description_da="Ministeriets officielle udpegninger af områder pr. listedato",
    key=("area_id", "list_date"),
    columns=(
        Column("area_id", "string", "the area", "området"),
        Column("list_date", "date", "the list's publication date", "listens offentliggørelse"),
        Column(
            "designation",
            "string",
            "the most severe list the area is on (none: on no list)",
            "den mest alvorlige liste området er på (none: ingen liste)",
            allowed=DESIGNATIONS,
        ),
    ),
)

#: Every declared municipality table, by name.
TABLE_SPECS: dict[str, TableSpec] = {
    spec.name: spec for spec in (ORGANISATIONS, DEPARTMENTS, DWELLINGS, AREAS, INDICATORS, LISTS)
}


# --------------------------------------------------------------------------
# Checks between the tables


@attrs.frozen
class BetweenTables:
    """A check between tables, made on the rows that could be read.

    ``name`` says what it checks, as a message names it where it could not be
    made (``"the dwellings' departments"``); ``reads`` names each column it
    reads, as ``(table, column)``; ``run`` yields its problems from the tables'
    readable frames (:attr:`CheckedTable.frame <fuaalborg.tables.CheckedTable.frame>`:
    a cell that failed its own table's checks is empty there and is not checked
    again). A row with a problem of its own is still checked and still
    referenced by its key.
    """

    name: str
    reads: tuple[tuple[str, str], ...]
    run: Callable[[Mapping[str, pd.DataFrame]], Iterator[TableProblem]] = attrs.field(eq=False)

    @property
    def tables(self) -> tuple[str, ...]:
        """The tables the check reads, in order."""
        return tuple(dict.fromkeys(table for table, _ in self.reads))


def _reference(
    name: str, table: str, column: str, other: str, key: str, what: str
) -> BetweenTables:
    """The check that every value of ``table.column`` is a ``key`` of ``other``."""

    def run(t: Mapping[str, pd.DataFrame]) -> Iterator[TableProblem]:
        values = t[table][column]
        bad = values.notna().to_numpy() & ~is_in(values, t[other][key])
        for pos in np.flatnonzero(bad):
            yield TableProblem(
                table, column, int(pos) + 1, cell_text(values.iloc[pos]), f"a known {what}"
            )

    return BetweenTables(name, ((table, column), (other, key)), run)


def _dwelling_counts(t: Mapping[str, pd.DataFrame]) -> Iterator[TableProblem]:
    """Each department's declared dwelling counts against the dwellings listed for it.

    A dwelling whose department or kind could not be read may be one of those
    missing from a count: a count short by no more than such dwellings could
    make up is not reported (it may be right once they are put right); a
    department whose id is missing or repeated is not counted.
    """
    deps, dws = t["departments"], t["dwellings"]
    ids = dws["department_id"].astype(object)
    kinds = dws["kind"].astype(object)
    no_id, no_kind = ids.isna().to_numpy(), kinds.isna().to_numpy()
    read = ~no_id & ~no_kind
    pairs = pd.DataFrame({"department_id": ids[read], "kind": kinds[read]})
    listed = (
        pairs.groupby(["department_id", "kind"]).size().unstack(fill_value=0)
        .reindex(columns=list(DWELLING_KINDS), fill_value=0)
        if len(pairs) else pd.DataFrame(columns=list(DWELLING_KINDS), dtype="int64")
    )
    # dwellings of a known department but unknown kind may be of either kind
    either = ids[~no_id & no_kind].value_counts()
    ours = deps["department_id"].astype(object)
    counted = ours.notna() & ~ours.duplicated(keep=False)
    for kind, column in (("family", "family_dwellings"), ("bab", "bab_dwellings")):
        declared = deps[column]
        checked = (counted & declared.notna()).to_numpy(dtype=bool)
        found = ours.map(listed[kind]).fillna(0).to_numpy(dtype="int64")
        # dwellings of no readable department that may be of this kind
        loose = int((no_id & (no_kind | kinds.isin([kind]).to_numpy(dtype=bool))).sum())
        may = ours.map(either).fillna(0).to_numpy(dtype="int64") + loose
        said = declared.to_numpy(dtype="float64", na_value=np.nan)
        wrong = checked & ((found > said) | (said > found + may))
        for pos in np.flatnonzero(wrong):
            yield TableProblem(
                "departments",
                column,
                int(pos) + 1,
                str(int(said[pos])),
                f"the number of {kind} dwellings listed for it ({found[pos]})",
            )


def _adults_within_residents(t: Mapping[str, pd.DataFrame]) -> Iterator[TableProblem]:
    """A department has no more residents aged 18–64 than residents."""
    deps = t["departments"]
    over = (deps["residents_18_64"] > deps["residents"]).fillna(False).to_numpy(dtype=bool)
    for pos in np.flatnonzero(over):
        yield TableProblem(
            "departments", "residents_18_64", int(pos) + 1,
            str(deps["residents_18_64"].iloc[pos]), "at most residents",
        )


#: The checks made between a municipality's tables once each table has been read: the
#: references between them, each department's dwelling counts against its dwellings,
#: and one check between two columns of the departments table that reads whatever
#: rows could be read (a table's own checks wait for all its cells to be valid).
BETWEEN_TABLES: tuple[BetweenTables, ...] = (
    _reference("the departments' organisations", "departments", "organisation_cvr",
               "organisations", "organisation_cvr", "organisation CVR (organisations table)"),
    _reference("the departments' areas", "departments", "area_id", "areas", "area_id",
               "area id"),
    _reference("the dwellings' departments", "dwellings", "department_id", "departments",
               "department_id", "department id"),
    _reference("the indicators' departments", "indicators", "department_id", "departments",
               "department_id", "department id"),
    _reference("the lists' areas", "lists", "area_id", "areas", "area_id", "area id"),
    BetweenTables(
        "the departments' dwelling counts",
        (("departments", "department_id"), ("departments", "family_dwellings"),
         ("departments", "bab_dwellings"), ("dwellings", "department_id"),
         ("dwellings", "kind")),
        _dwelling_counts,
    ),
    BetweenTables(
        "the departments' residents aged 18–64 against their residents",
        (("departments", "residents"), ("departments", "residents_18_64")),
        _adults_within_residents,
    ),
)


def check_between_tables(
    tables: Mapping[str, pd.DataFrame],
    checks: Sequence[BetweenTables] = BETWEEN_TABLES,
    unreadable: Mapping[str, str] | None = None,
) -> tuple[list[TableProblem], list[NotChecked]]:
    """Make each of ``checks`` whose tables are all in ``tables``; every problem at once.

    ``tables`` holds each table's readable frame
    (:attr:`CheckedTable.frame <fuaalborg.tables.CheckedTable.frame>`), whether or
    not the table has problems of its own. A check that reads a column a table
    lacks is not made: it is listed, by the table and column, among the checks
    not made (:class:`~fuaalborg.tables.NotChecked`). So is a check that reads a
    table of ``unreadable`` (table: why, ``"is missing"``, ``"cannot be read"``):
    a table whose file is missing or cannot be read; a check of a table in
    neither is simply not made. Each problem names its column as the table's
    file does.

    >>> deps = DEPARTMENTS.check(pd.DataFrame({
    ...     "department_id": ["D1", "D2"], "organisation_cvr": ["29190003", "29190003"],
    ...     "name": ["A", "B"], "area_id": [None, None], "family_dwellings": [1, 0],
    ...     "bab_dwellings": [0, 0], "residents": [3, -1], "residents_18_64": [2, 0]}))
    >>> [p.where for p in deps.problems]
    ["table 'departments', column 'residents', row 2"]
    >>> dws = DWELLINGS.check(pd.DataFrame({
    ...     "dwelling_id": ["W1"], "department_id": ["D9"], "kind": ["family"],
    ...     "rooms": [2], "area_m2": [60], "monthly_rent_dkk": [4000]}))
    >>> problems, not_checked = check_between_tables(
    ...     {"departments": deps.frame, "dwellings": dws.frame})
    >>> for p in problems:
    ...     print(p.table, p.column, p.row, p.value, "-", p.expected)
    dwellings department_id 1 'D9' - a known department id
    departments family_dwellings 1 1 - the number of family dwellings listed for it (0)
    >>> not_checked
    []
    """
    problems: list[TableProblem] = []
    skipped: dict[tuple[str, str], list[str]] = {}
    why = dict(unreadable or {})
    for check in checks:
        gone = [t for t in check.tables if t not in tables and t in why]
        if gone:
            skipped.setdefault((gone[0], ""), []).append(check.name)
            continue
        if not all(table in tables for table in check.tables):
            continue
        lacking = [(t, c) for t, c in check.reads if c not in tables[t].columns]
        if lacking:
            table, column = lacking[0]
            shown = file_headers(tables[table]).get(column, column)
            skipped.setdefault((table, shown), []).append(check.name)
            continue
        problems.extend(check.run(tables))
    named = [
        named
        for p in problems
        for named in with_file_headers([p], file_headers(tables[p.table]))
    ]
    return named, [
        NotChecked(t, c, tuple(names), "" if c else why.get(t, ""))
        for (t, c), names in skipped.items()
    ]
