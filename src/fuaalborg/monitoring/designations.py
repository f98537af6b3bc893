"""Which list designation a department's area has on a date: the ministry's list in force.

The list in force on a date is the latest publication (``list_date``) on or
before it in the municipality's ``lists`` table (:data:`fuaalborg.specs.LISTS`).
An area absent from that list, a department in no area, or a date before any
list is ``"none"``. This is the one look-up the statutory rules that depend on
an area's designation share: the referral limits of almenboligloven § 59,
stk. 6–7 and the waiting-list refusal of § 51 c.

>>> import datetime as dt
>>> import pandas as pd
>>> from fuaalborg.municipality import Municipality
>>> municipality = Municipality.__new__(Municipality)
>>> object.__setattr__(municipality, "departments", pd.DataFrame(
...     {"department_id": ["D1", "D2"], "area_id": ["X", None]}))
>>> object.__setattr__(municipality, "lists", pd.DataFrame(
...     {"area_id": ["X"], "list_date": ["2022-12-01"], "designation": ["omdannelse"]}))
>>> found = designation_on(municipality, "D1", dt.date(2023, 5, 1))
>>> found.designation, found.list_date
('omdannelse', datetime.date(2022, 12, 1))
>>> print(found.basis)
area X on the list of 2022-12-01: omdannelse
>>> designation_on(municipality, "D2", dt.date(2023, 5, 1)).designation
'none'
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

import attrs
import pandas as pd

from fuaalborg.dates import as_date
from fuaalborg.errors import ValidationError

if TYPE_CHECKING:
    from fuaalborg.municipality import Municipality

__all__ = ["AreaDesignation", "designation_on", "designations_in_force"]


@attrs.frozen
class AreaDesignation:
    """A department's area and its designation on the list in force on a date.

    ``designation`` is one of the lists table's designations, or ``"none"``;
    ``list_date`` is the publication in force (``None`` when there is none or
    the department is in no area); ``basis`` says so in one line.
    """

    department_id: str
    area_id: str | None
    designation: str
    list_date: dt.date | None
    basis: str


def designations_in_force(
    municipality: Municipality, on: dt.date | str
) -> tuple[dt.date | None, pd.DataFrame]:
    """The list in force on ``on``: its date and its rows (``area_id``, ``designation``).

    Returns ``(None, empty frame)`` when no list was published by then.
    """
    day = as_date(on, "on")
    lists = municipality.lists
    empty = pd.DataFrame({"area_id": pd.Series(dtype="string"),
                          "designation": pd.Series(dtype="string")})
    if lists is None or lists.empty:
        return None, empty
    dates = pd.to_datetime(lists["list_date"])
    published = dates[dates <= pd.Timestamp(day)]
    if published.empty:
        return None, empty
    latest = published.max()
    rows = lists.loc[dates == latest, ["area_id", "designation"]]
    frame = pd.DataFrame({
        "area_id": rows["area_id"].astype("string").to_numpy(),
        "designation": rows["designation"].astype("string").to_numpy(),
    })
    return latest.date(), frame


def designation_on(
    municipality: Municipality, department_id: str, on: dt.date | str
) -> AreaDesignation:
    """The designation of ``department_id``'s area on the ministry's list in force on ``on``."""
    day = as_date(on, "on")
    deps = municipality.departments
    row = deps.loc[deps["department_id"].astype(str) == str(department_id)]
    if row.empty:
        raise ValidationError(f"unknown department {department_id!r}")
    area = row["area_id"].iloc[0]
    dep = str(department_id)
    if area is None or pd.isna(area):
        return AreaDesignation(dep, None, "none", None, "not part of an area")
    area = str(area)
    lists = municipality.lists
    if lists is None or lists.empty:
        return AreaDesignation(dep, area, "none", None, f"area {area}: no ministry lists loaded")
    list_date, rows = designations_in_force(municipality, day)
    if list_date is None:
        return AreaDesignation(
            dep, area, "none", None,
            f"area {area}: no ministry list published by {day.isoformat()}",
        )
    hit = rows.loc[rows["area_id"] == area, "designation"]
    designation = "none" if hit.empty else str(hit.iloc[0])
    return AreaDesignation(
        dep, area, designation, list_date,
        f"area {area} on the list of {list_date.isoformat()}: {designation}",
    )
