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

from collections.abc import Callable, Iterator
from typing import Any, TypedDict

import numpy as np
import pandas as pd

from fuaalborg.model import CVR_PATTERN, valid_cvr_mask
from fuaalborg.tables import Column, TableProblem, TableSpec

__all__ = [
    "AREAS",
    "AREA_KINDS",
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
