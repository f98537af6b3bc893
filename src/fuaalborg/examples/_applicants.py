"""The example's waiting list (venteliste): invented applicants with the fields criteria use.

One row per applicant per list: the internal list (existing tenants, with the
department they live in) and the external list; about
:data:`BOTH_LISTS_SHARE` of the applicants are on both (two rows, the same
``applicant_id``, the same person's fields, each list's own seniority date).

The columns an export of a letting system typically carries but that no
criterion may ever read — ``name``, ``citizenship``, ``country_of_birth`` —
are drawn from their own random stream, independently of every other column
(and of each other), so an audit can shuffle them and nothing else changes.
Every value is invented.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from fuaalborg.examples._names import APPLICANT_FIRST_NAMES, APPLICANT_SURNAMES
from fuaalborg.model import CVR_WEIGHTS

__all__ = [
    "APPLICANT_COLUMNS",
    "BOTH_LISTS_SHARE",
    "CITIZENSHIPS",
    "PERSONS",
    "PROTECTED_COLUMNS",
    "applicants_frame",
]

#: Invented persons on the waiting list (rows are a little more: some are on both lists).
PERSONS = 21_000
#: Share of persons on both the internal and the external list.
BOTH_LISTS_SHARE = 0.03
#: Share of persons on the internal list only (existing tenants).
_INTERNAL_ONLY_SHARE = 0.20
#: Values of ``citizenship``.
CITIZENSHIPS = ("DK", "EU/EEA", "other")
#: Columns that criteria must never read; drawn independently of everything else.
PROTECTED_COLUMNS = ("name", "citizenship", "country_of_birth")

#: Every column of the example's waiting list with its dtype, in order.
APPLICANT_COLUMNS: dict[str, str] = {
    "applicant_id": "string",
    "list": "string",
    "seniority_date": "datetime64[s]",
    "active": "bool",
    "household_size": "int64",
    "children": "int64",
    "has_partner": "bool",
    "age": "int64",
    "current_department_id": "string",
    "employment_hours_per_week": "float64",
    "employment_permanent": "bool",
    "fixed_term_months": "int64",
    "wage_subsidy": "bool",
    "self_employed_cvr": "string",
    "partner_employment_hours_per_week": "float64",
    "partner_employment_permanent": "bool",
    "in_education": "bool",
    "apprentice": "bool",
    "partner_in_education": "bool",
    "highest_education": "string",
    "criminal_record_clean": "bool",
    "annual_household_income_dkk": "float64",
    "works_in_municipality": "bool",
    "separated_within_year": "bool",
    "needs_accessible_dwelling": "bool",
    "min_rooms": "int64",
    "max_rent_dkk": "float64",
    "wanted_department_ids": "string",
    "name": "string",
    "citizenship": "string",
    "country_of_birth": "string",
}

# Generator knobs (not legal facts)
_EXTRACTED_ON = dt.date(2025, 12, 31)  # the day the list was exported; no seniority after it
_EARLIEST_SENIORITY = dt.date(1990, 1, 1)
_SENIORITY_SCALE_DAYS = 2_600.0  # exponential age of a place on the list
_ACTIVE_SHARE = 0.90
_CITIZENSHIP_P = (0.85, 0.06, 0.09)
_COUNTRY_OF_BIRTH = ("DK", "DE", "PL", "RO", "UA", "SE", "SY", "IQ", "SO", "AF", "TR", "BA",
                     "IR", "LB", "PH", "VN", "ER")
_COUNTRY_OF_BIRTH_P = (0.80, 0.015, 0.025, 0.015, 0.02, 0.01, 0.025, 0.015, 0.012, 0.01,
                       0.01, 0.008, 0.008, 0.007, 0.005, 0.005, 0.005)
_EDUCATION_P = (0.22, 0.15, 0.33, 0.10, 0.20)
_ANY_DEPARTMENT_SHARE = 0.30
_MAX_WANTED = 5


def _valid_cvrs(rng: np.random.Generator, count: int) -> np.ndarray:
    """``count`` random CVR numbers that pass the modulus-11 check."""
    weights = np.asarray(CVR_WEIGHTS[:7])
    out: list[np.ndarray] = []
    have = 0
    while have < count:
        digits = rng.integers(0, 10, size=(2 * count + 10, 7))
        digits[:, 0] = rng.integers(1, 10, size=len(digits))
        check = (-(digits @ weights)) % 11
        ok = check < 10
        full = np.concatenate([digits[ok], check[ok][:, None]], axis=1)
        out.append(full)
        have += len(full)
    digits = np.concatenate(out)[:count]
    return np.asarray(["".join(map(str, row)) for row in digits.tolist()], dtype=object)


def _hours(rng: np.random.Generator, n: int) -> np.ndarray:
    kind = rng.random(n)
    full = np.round(rng.normal(37, 1.5, n) * 2) / 2
    part = np.round(rng.uniform(8, 32, n) * 2) / 2
    over = np.round(rng.uniform(38, 55, n) * 2) / 2
    return np.clip(np.where(kind < 0.6, full, np.where(kind < 0.92, part, over)), 0, 60)


def applicants_frame(
    rng: np.random.Generator, protected_rng: np.random.Generator, departments: pd.DataFrame
) -> pd.DataFrame:
    """The waiting list; ``protected_rng`` draws only the protected columns."""
    n = PERSONS
    age = np.clip(np.round(18 + rng.gamma(2.2, 12.0, n)), 18, 95).astype(np.int64)
    partner_p = np.select([age < 25, age <= 70], [0.2, 0.45], 0.3)
    has_partner = rng.random(n) < partner_p
    child_rate = np.select([age < 25, age <= 50, age <= 60], [0.25, 1.1, 0.3], 0.03)
    children = np.clip(rng.poisson(child_rate), 0, 6)
    household = np.clip(1 + has_partner + children, 1, 8).astype(np.int64)
    children = household - 1 - has_partner

    in_education = rng.random(n) < np.select([age < 30, age < 45], [0.30, 0.06], 0.01)
    apprentice = ~in_education & (age < 30) & (rng.random(n) < 0.06)
    working_age = age < 67
    employ_p = np.where(in_education, 0.25, np.where(working_age, 0.68, 0.05))
    employed = (rng.random(n) < employ_p) | apprentice
    hours = np.where(in_education, np.round(rng.uniform(8, 15, n) * 2) / 2, _hours(rng, n))
    hours = np.where(employed, hours, 0.0)
    self_employed = employed & ~apprentice & (rng.random(n) < 0.025)
    permanent = employed & ~self_employed & (rng.random(n) < 0.78)
    fixed_term = np.where(employed & ~self_employed & ~permanent, rng.integers(1, 25, n), 0)
    wage_subsidy = employed & ~self_employed & (rng.random(n) < 0.05)
    cvr = pd.Series(pd.NA, index=range(n), dtype="string")
    cvr[self_employed] = _valid_cvrs(rng, int(self_employed.sum()))

    partner_employed = has_partner & (rng.random(n) < 0.7)
    partner_hours = np.where(partner_employed, _hours(rng, n), 0.0)
    partner_permanent = partner_employed & (rng.random(n) < 0.78)
    partner_in_education = has_partner & ~partner_employed & (rng.random(n) < 0.25)

    # the applicant vocabulary's levels; imported here, so that the example data alone
    # does not load the criteria package
    from fuaalborg.criteria.vocabulary import EDUCATION_LEVELS

    cum = np.cumsum(_EDUCATION_P)
    draw = rng.random(n)
    draw = np.where(in_education & (age < 25), draw * cum[1], draw)  # students: lower so far
    education = np.asarray(EDUCATION_LEVELS)[np.searchsorted(cum, draw, side="right").clip(0, 4)]

    wage = rng.lognormal(np.log(230.0), 0.25, n)
    own = np.where(employed, hours * 52 * wage, rng.uniform(110_000, 200_000, n))
    own = np.where(in_education, 75_000 + hours * 52 * wage, own)
    partner_wage = rng.lognormal(np.log(230.0), 0.25, n)
    partner = np.where(
        partner_employed, partner_hours * 52 * partner_wage, rng.uniform(90_000, 200_000, n)
    )
    income = np.round(own + np.where(has_partner, partner, 0.0), -2)

    min_rooms = np.clip(household - has_partner - (rng.random(n) < 0.3), 1, 5).astype(np.int64)
    max_rent = np.round(np.clip(income / 12 * rng.uniform(0.25, 0.4, n), 3000, 15000), -2)

    dep_ids = departments["department_id"].to_numpy()
    size = (departments["family_dwellings"] + departments["bab_dwellings"]).to_numpy(float)
    # up to five departments, larger ones more often; a repeated draw counts once
    top = rng.choice(len(dep_ids), size=(n, _MAX_WANTED), p=size / size.sum())
    k = rng.integers(1, _MAX_WANTED + 1, n)
    k = np.where(rng.random(n) < _ANY_DEPARTMENT_SHARE, 0, k)
    top = np.where(np.arange(_MAX_WANTED)[None, :] < k[:, None], top, len(dep_ids))
    top = np.sort(top, axis=1)
    repeated = np.zeros_like(top, dtype=bool)
    repeated[:, 1:] = top[:, 1:] == top[:, :-1]
    top = np.sort(np.where(repeated, len(dep_ids), top), axis=1)
    padded = np.append(dep_ids, "")
    wanted = pd.Series(padded[top[:, 0]], dtype="string")
    for j in range(1, _MAX_WANTED):
        part = padded[top[:, j]]
        wanted = wanted + pd.Series(np.where(part == "", "", ";" + part.astype(str)),
                                    dtype="string")

    residents = departments["residents"].to_numpy(float)
    home = rng.choice(dep_ids, size=n, p=residents / residents.sum())

    # which list(s): internal only, external only, or both
    u = rng.random(n)
    both = u < BOTH_LISTS_SHARE
    internal_only = (u >= BOTH_LISTS_SHARE) & (u < BOTH_LISTS_SHARE + _INTERNAL_ONLY_SHARE)
    tenant = both | internal_only

    persons = pd.DataFrame(
        {
            "applicant_id": pd.Series(np.arange(1, n + 1)).map("A{:06d}".format).astype("string"),
            "active": rng.random(n) < _ACTIVE_SHARE,
            "household_size": household,
            "children": children.astype(np.int64),
            "has_partner": has_partner,
            "age": age,
            "current_department_id": pd.Series(home, dtype="string").where(tenant),
            "employment_hours_per_week": hours.astype(float),
            "employment_permanent": permanent,
            "fixed_term_months": fixed_term.astype(np.int64),
            "wage_subsidy": wage_subsidy,
            "self_employed_cvr": cvr,
            "partner_employment_hours_per_week": partner_hours.astype(float),
            "partner_employment_permanent": partner_permanent,
            "in_education": in_education,
            "apprentice": apprentice,
            "partner_in_education": partner_in_education,
            "highest_education": pd.Series(education, dtype="string"),
            "criminal_record_clean": rng.random(n) < 0.94,
            "annual_household_income_dkk": income.astype(float),
            "works_in_municipality": employed & (rng.random(n) < 0.72),
            "separated_within_year": ~has_partner & (rng.random(n) < 0.03),
            "needs_accessible_dwelling": rng.random(n) < np.where(age >= 70, 0.18, 0.03),
            "min_rooms": min_rooms,
            "max_rent_dkk": max_rent.astype(float),
            "wanted_department_ids": wanted,
        }
    )
    # protected columns: their own stream, nothing else read
    first = protected_rng.choice(np.asarray(APPLICANT_FIRST_NAMES, dtype=object), n)
    last = protected_rng.choice(np.asarray(APPLICANT_SURNAMES, dtype=object), n)
    persons["name"] = pd.Series(first + " " + last, dtype="string")
    persons["citizenship"] = pd.Series(
        protected_rng.choice(np.asarray(CITIZENSHIPS, dtype=object), n, p=_CITIZENSHIP_P),
        dtype="string",
    )
    p_birth = np.asarray(_COUNTRY_OF_BIRTH_P) / np.sum(_COUNTRY_OF_BIRTH_P)
    persons["country_of_birth"] = pd.Series(
        protected_rng.choice(np.asarray(_COUNTRY_OF_BIRTH, dtype=object), n, p=p_birth),
        dtype="string",
    )

    # one row per person per list
    row_person = np.concatenate([np.arange(n), np.flatnonzero(both)])
    row_list = np.where(tenant, "internal", "external")
    row_list = np.concatenate([row_list, np.full(int(both.sum()), "external")])
    rows = persons.iloc[row_person].reset_index(drop=True)
    rows.insert(1, "list", pd.Series(row_list, dtype="string"))
    span = (_EXTRACTED_ON - _EARLIEST_SENIORITY).days
    # exponential time on the list, truncated at the earliest seniority (inverse CDF)
    tail = 1 - np.exp(-span / _SENIORITY_SCALE_DAYS)
    back = -_SENIORITY_SCALE_DAYS * np.log1p(-rng.random(len(rows)) * tail)
    back = np.minimum(np.floor(back), span).astype(np.int64)
    seniority = np.datetime64(_EXTRACTED_ON, "D") - back.astype("timedelta64[D]")
    rows.insert(2, "seniority_date", pd.Series(seniority.astype("datetime64[s]")))
    rows = rows.sort_values(["applicant_id", "list"], kind="stable").reset_index(drop=True)
    return rows[list(APPLICANT_COLUMNS)].astype(APPLICANT_COLUMNS)
