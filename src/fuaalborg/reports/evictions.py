"""The evictions input table (fogedsager), reported by the organisations (R4).

The agreement asks the organisations to report the number of eviction cases
(»Antal fogedsager (v. boligorganisationerne)«, afsnit 7.2). The input is one
row per department, date and (if known) letting route of the evicted tenancy:

>>> import pandas as pd
>>> deps = pd.Series(["A1", "A2"])
>>> table = pd.DataFrame({"department_id": ["A1", "A2"], "date": ["2024-03-01", "2024-05-02"],
...                       "count": [2, 1], "route": ["referral", None]})
>>> read_evictions(table, deps)[["department_id", "count", "route"]].to_dict("list")
{'department_id': ['A1', 'A2'], 'count': [2, 1], 'route': ['referral', 'unknown']}
"""

from __future__ import annotations

import os
from typing import Any

import attrs
import pandas as pd

from fuaalborg.tables import Column, TableSpec, TableValidationError, read_table

__all__ = ["EVICTIONS", "EVICTION_ROUTES", "read_evictions"]

#: The letting route of an evicted tenancy: the report's route categories, or unknown.
EVICTION_ROUTES = ("referral", "flexible", "internal", "ordinary", "unknown")

EVICTIONS = TableSpec(
    name="evictions",
    description="Eviction cases (fogedsager) per department, date and letting route",
    description_da="Fogedsager pr. afdeling, dato og udlejningsvej",
    key=(),
    columns=(
        Column("department_id", "string", "the department", "afdelingen"),
        Column(
            "date",
            "date",
            "date of the eviction case (or the first day of the period it counts)",
            "fogedsagens dato (eller første dag i den periode den tælles i)",
        ),
        Column(
            "count",
            "int",
            "number of eviction cases",
            "antal fogedsager",
            unit="cases",
            min=0,
        ),
        Column(
            "route",
            "string",
            "how the evicted tenancy was let: referral, flexible, internal, ordinary "
            "(missing: unknown)",
            "hvordan lejemålet blev udlejet: referral (anvisning), flexible (fleksibel), "
            "internal (intern venteliste), ordinary (ekstern venteliste); tom: ukendt",
            nullable=True,
            required=False,
            allowed=EVICTION_ROUTES,
        ),
    ),
)


def read_evictions(
    source: pd.DataFrame | str | os.PathLike[str], departments: pd.Series[Any]
) -> pd.DataFrame:
    """Read and validate an evictions table against the municipality's departments.

    Every problem — a department that does not exist, a negative or fractional
    count, a date that is not a date, an unknown route — is reported at once in
    one :class:`~fuaalborg.tables.TableValidationError`. A missing route becomes
    ``unknown``.
    """
    known = tuple(sorted(set(departments.astype(str))))
    # departments are checked in the same pass as every other cell, so one
    # error lists every problem
    columns = tuple(
        attrs.evolve(col, allowed=known) if col.name == "department_id" else col
        for col in EVICTIONS.columns
    )
    spec = attrs.evolve(EVICTIONS, columns=columns)
    try:
        frame = read_table(source, spec)
    except TableValidationError as exc:
        problems = [
            attrs.evolve(p, expected="a department of the municipality")
            if p.column == "department_id" and p.row is not None
            else p
            for p in exc.problems
        ]
        raise TableValidationError(EVICTIONS.name, problems) from None
    if "route" not in frame.columns:
        frame["route"] = "unknown"
    frame["route"] = frame["route"].fillna("unknown").astype(object)
    return frame
