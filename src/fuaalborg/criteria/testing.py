"""Helpers for testing flexible-letting plug-ins, shipped for plug-in authors.

Use them from a plug-in's own test suite::

    from datetime import date
    from fuaalborg.criteria import testing

    def test_loads():
        registry = testing.load_plugin(my_plugin)
        assert "acme.in_work" in registry.criteria

    def test_protected_columns_never_matter():
        testing.assert_independent_of_protected(my_plugin, on=date(2025, 1, 1))

    def test_refuses_origin():
        testing.assert_refused(bad_plugin, DiscriminatoryCriterionError)

:func:`synthetic_applicants` builds a waiting list of any size with every
canonical field and the protected ``name``, ``citizenship`` and
``country_of_birth`` columns (vectorised; a million rows in about a second).
:func:`applicant_frames` is a Hypothesis strategy generated from the
vocabulary's declarations. Loading through these helpers never picks up
installed third-party plug-ins.

>>> from fuaalborg.criteria.testing import load_plugin, synthetic_applicants
>>> frame = synthetic_applicants(5, seed=2)
>>> len(frame), "citizenship" in frame.columns
(5, True)
>>> registry = load_plugin()
>>> "employment" in registry.criteria
True
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fuaalborg.criteria.audit import AuditReport, audit
from fuaalborg.criteria.errors import PluginError, PluginLoadError
from fuaalborg.criteria.loading import load
from fuaalborg.criteria.registry import Registry
from fuaalborg.criteria.vocabulary import (
    APPLICANT_FIELDS,
    APPLICANTS,
    EDUCATION_LEVELS,
    ApplicantField,
)
from fuaalborg.errors import AssumedTermsWarning, FuaalborgError
from fuaalborg.parameters import ParameterSet

if TYPE_CHECKING:
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "applicant_frames",
    "assert_independent_of_protected",
    "assert_refused",
    "load_plugin",
    "synthetic_applicants",
    "trial_run",
]

_COUNTRIES = ("Danmark", "Sverige", "Syrien", "Polen", "Tyrkiet", "Somalia", "Irak")
_CITIZENSHIP = ("DK", "SE", "SY", "PL", "TR", "SO", "IQ")
#: CVR numbers passing the modulus-11 check (the waiting list refuses others).
_CVRS = ("31831814", "12011814", "34738416")


def load_plugin(
    *plugins: object,
    departments: pd.DataFrame | None = None,
    parameters: ParameterSet | None = None,
    isolation: str = "auto",
) -> Registry:
    """Load the built-in plug-in and ``plugins`` only (never installed plug-ins).

    ``plugins`` are objects or module names; ``isolation="process"`` runs
    even plug-in objects in a worker process, as installed plug-ins run.
    """
    return load(
        plugins,
        entry_points=False,
        departments=departments,
        parameters=parameters,
        isolation=isolation,
    )


def assert_refused(
    plugin: object, error: type[PluginError], *, departments: pd.DataFrame | None = None
) -> PluginLoadError:
    """Assert that loading ``plugin`` fails with at least one ``error``; return the group."""
    try:
        load_plugin(plugin, departments=departments)
    except PluginLoadError as group:
        if group.subgroup(error) is None:
            kinds = ", ".join(sorted({type(p).__name__ for p in group.problems}))
            raise AssertionError(
                f"loading was refused, but not with {error.__name__} (got {kinds})"
            ) from group
        return group
    raise AssertionError(f"the plug-in loaded; expected {error.__name__}")


def assert_independent_of_protected(
    *plugins: object,
    on: dt.date,
    applicants: pd.DataFrame | None = None,
    size: int = 2_000,
    seed: int = 0,
    isolation: str = "auto",
) -> AuditReport:
    """Audit the plug-ins on ``applicants`` (default: a synthetic list); fail on any violation."""
    with load_plugin(*plugins, isolation=isolation) as registry:
        extra = [f for n, f in registry.fields.items() if n not in APPLICANTS.names]
        sample = (
            applicants
            if applicants is not None
            else synthetic_applicants(size, seed=seed, extra=extra)
        )
        report = audit(registry, sample, on, seed=seed)
    if not report.ok:
        raise AssertionError("\n".join(report.lines()))
    return report


def trial_run(
    registry: Registry, on: dt.date, *, size: int = 50, seed: int = 0
) -> list[tuple[str, str]]:
    """Run every criterion's predicate once on a small synthetic sample; the failures.

    Each criterion runs on ``on`` if it is in force then, else on the first
    day it is; its plug-in's own fields get random values of their declared
    type. Returns (criterion id, error message) for each criterion whose
    predicate failed or whose parameters have no value on that day —
    ``fuaalborg plugins`` reports them.
    """
    extra = [f for n, f in registry.fields.items() if n not in APPLICANTS.names]
    sample = synthetic_applicants(size, seed=seed, extra=extra)
    failures = []
    for cid, crit in registry.criteria.items():
        day = on
        if not crit.in_force(on):
            day = crit.valid_from if crit.valid_from is not None and crit.valid_from > on else (
                crit.valid_until or on
            )
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", AssumedTermsWarning)
                registry.evaluate(cid, sample, day)
        except FuaalborgError as exc:
            failures.append((cid, str(exc)))
    return failures


def _choice(
    rng: np.random.Generator, values: Any, n: int, p: Any = None, missing: float = 0.0
) -> Any:
    """Random strings from ``values`` as a string column (drawn as codes: fast)."""
    codes = rng.choice(len(values), size=n, p=p)
    if missing:
        codes = np.where(rng.random(n) < missing, -1, codes)
    categories = pd.Index(list(values), dtype="string")
    return pd.Categorical.from_codes(codes, categories=categories).astype("string")


def synthetic_applicants(
    n: int, *, seed: int = 0, extra: Iterable[ApplicantField] = ()
) -> pd.DataFrame:
    """A synthetic waiting list of ``n`` applicants with every canonical field.

    Includes the protected ``name``, ``citizenship`` and ``country_of_birth``
    columns (random and unrelated to every other column) so that audits have
    something to perturb. ``extra`` plug-in fields get random values of their
    dtype.
    """
    rng = np.random.default_rng(seed)
    numbers = pd.Series(np.arange(1, n + 1)).astype("string")
    ids = ("A" + numbers).array
    days = rng.integers(0, 365 * 15, size=n)
    seniority = (np.datetime64("2010-01-01") + days.astype("timedelta64[D]")).astype(
        "datetime64[s]"
    )
    household = rng.integers(1, 7, size=n)
    children = np.minimum(rng.integers(0, 4, size=n), household - 1)
    hours = np.where(rng.random(n) < 0.65, rng.choice([10, 20, 25, 30, 37], size=n), np.nan)
    partner = household >= 2
    partner_hours = np.where(
        partner & (rng.random(n) < 0.6), rng.choice([15, 25, 37], size=n), np.nan
    )
    frame = pd.DataFrame(
        {
            "applicant_id": ids,
            "list": _choice(rng, ["internal", "external"], n, p=[0.3, 0.7]),
            "seniority_date": seniority,
            "active": rng.random(n) < 0.9,
            "household_size": household.astype("int64"),
            "children": children.astype("int64"),
            "age": rng.integers(18, 90, size=n).astype("int64"),
            "current_department_id": _choice(
                rng, [f"D{i:03d}" for i in range(1, 272)], n, missing=0.7
            ),
            "employment_hours_per_week": hours,
            "employment_permanent": pd.Series(rng.random(n) < 0.7, dtype="boolean").where(
                ~np.isnan(hours)
            ),
            "fixed_term_months": np.where(rng.random(n) < 0.2, rng.integers(1, 24, size=n), np.nan),
            "wage_subsidy": rng.random(n) < 0.05,
            "self_employed_cvr": _choice(rng, _CVRS, n, missing=0.95),
            "partner_employment_hours_per_week": partner_hours,
            "partner_employment_permanent": partner & (rng.random(n) < 0.5),
            "in_education": rng.random(n) < 0.15,
            "apprentice": rng.random(n) < 0.03,
            "partner_in_education": partner & (rng.random(n) < 0.1),
            "highest_education": _choice(rng, EDUCATION_LEVELS, n, p=[0.25, 0.15, 0.3, 0.15, 0.15]),
            "criminal_record_clean": rng.random(n) < 0.93,
            "annual_household_income_dkk": np.round(rng.lognormal(12.6, 0.5, size=n), -2),
            "works_in_municipality": rng.random(n) < 0.5,
            "separated_within_year": rng.random(n) < 0.05,
            "needs_accessible_dwelling": rng.random(n) < 0.04,
            "min_rooms": rng.integers(1, 5, size=n).astype("int64"),
            "max_rent_dkk": np.round(rng.uniform(3000, 12000, size=n), -2),
            "wanted_department_ids": _choice(rng, [""], n),
            "name": ("Person " + numbers).array,
            "citizenship": _choice(rng, _CITIZENSHIP, n),
            "country_of_birth": _choice(rng, _COUNTRIES, n),
        }
    )
    for field in extra:
        frame[field.name] = _random_column(field, n, rng)
    return frame


def _random_column(field: ApplicantField, n: int, rng: np.random.Generator) -> Any:
    if field.dtype == "bool":
        return rng.random(n) < 0.5
    if field.dtype in ("int", "float"):
        low, high = field.plausible_range()  # min/max narrowed by the sanity bounds
        lo = low if low is not None else 0
        hi = high if high is not None else lo + 100
        values = rng.uniform(lo, hi, size=n)
        return np.round(values).astype("int64") if field.dtype == "int" else values
    if field.dtype == "date":
        return np.datetime64("2015-01-01") + rng.integers(0, 3650, size=n).astype("timedelta64[D]")
    if field.allowed:
        return pd.array(rng.choice(np.array(field.allowed), size=n), dtype="string")
    return pd.array(rng.integers(0, 1000, size=n).astype(str), dtype="string")


def applicant_frames(
    *, min_rows: int = 0, max_rows: int = 25, fields: Iterable[ApplicantField] = ()
) -> SearchStrategy[pd.DataFrame]:
    """A Hypothesis strategy of waiting lists, generated from the field declarations.

    Every canonical, wish and protected field of the vocabulary (and ``fields``)
    gets values of its declared dtype and range, missing values where the field
    is nullable, and the index is shuffled labels so that code relying on a
    default index is caught.
    """
    from hypothesis import strategies as st

    declared = [*APPLICANT_FIELDS, *fields]

    def column(field: ApplicantField) -> SearchStrategy[Any]:
        low, high = field.plausible_range()  # min/max narrowed by the sanity bounds
        if field.dtype == "bool":
            base: SearchStrategy[Any] = st.booleans()
        elif field.dtype == "int":
            lo = int(low) if low is not None else -1000
            hi = int(high) if high is not None else 1000
            base = st.integers(lo, hi)
        elif field.dtype == "float":
            lo_f = low if low is not None else -1e6
            hi_f = high if high is not None else 1e7
            base = st.floats(lo_f, hi_f, allow_nan=False)
        elif field.dtype == "date":
            base = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31))
        elif field.allowed:
            base = st.sampled_from(field.allowed)
        elif field.name in ("self_employed_cvr",):
            base = st.sampled_from(_CVRS)
        else:
            base = st.text(min_size=0, max_size=8)
        return st.one_of(st.none(), base) if field.nullable else base

    @st.composite
    def frames(draw: st.DrawFn) -> pd.DataFrame:
        n = draw(st.integers(min_rows, max_rows))
        data: dict[str, Any] = {}
        for field in declared:
            values = draw(st.lists(column(field), min_size=n, max_size=n))
            data[field.name] = _as_column(field, values)
        data["applicant_id"] = pd.array([f"A{i}" for i in range(n)], dtype="string")
        labels = draw(st.permutations(list(range(n))))
        return pd.DataFrame(data, index=pd.Index([f"row{i}" for i in labels]))

    return frames()


def _as_column(field: ApplicantField, values: list[Any]) -> Any:
    if field.dtype == "bool":
        return pd.array(values, dtype="boolean")
    if field.dtype == "int":
        return pd.array(values, dtype="Int64")
    if field.dtype == "float":
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    if field.dtype == "date":
        return pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[s]").to_numpy()
    return pd.array(values, dtype="string")
