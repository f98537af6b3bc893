"""The library's own criteria and the statutory agreement, registered as a built-in plug-in.

The statutory and common criteria of almenboligloven § 60 and the agreement's
section 3.1 are registered through the same hooks as any plug-in, by
:class:`BuiltinPlugin`. The loader registers it directly (not through an entry
point), so ``FUAALBORG_PLUGINS`` and ``FUAALBORG_DISABLE_PLUGINS`` can never
switch the statutory criterion off.

Every threshold is a cited, dated parameter (``parameters/criteria.toml``); a
criterion names the parameters it reads and receives their values on the
evaluation date. Missing answers count as "not met": an applicant who has not
documented employment does not get priority for it.

==============================  ==========================================================
criterion id                    meaning
==============================  ==========================================================
``employment``                  in employment (hours, permanent or fixed-term, self-employed;
                                wage subsidy as the parameter says; applicant or partner)
``education``                   in SU-qualifying education, or an apprentice
``employment_or_education``     the mandatory § 60, stk. 4 criterion
``clean_criminal_record``       a clean criminal record certificate
``education_above_basic``       education above basic school (grundskole)
``household_income``            household income at least the parameter
``families_with_children``      children in the household
``young``                       age within the young band
``senior``                      age at least the senior threshold
``commuter``                    works in the municipality
``separated``                   separated or divorced within the last year
``accessible_dwelling``         needs an accessible dwelling
==============================  ==========================================================

>>> import pandas as pd
>>> from fuaalborg.criteria.builtin import families_with_children
>>> frame = pd.DataFrame({"children": [0, 2, None]})
>>> families_with_children(frame).tolist()
[False, True, False]
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from fuaalborg.colours import mandatory_history
from fuaalborg.criteria.declarations import ByColour, Criterion, LettingAgreement
from fuaalborg.criteria.hookspecs import hookimpl
from fuaalborg.model import valid_cvr_mask
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = [
    "BUILTIN_PLUGIN_NAME",
    "MANDATORY_CRITERION",
    "BuiltinPlugin",
    "builtin_criteria",
    "employment",
    "employment_or_education",
    "families_with_children",
    "in_education",
    "statutory_agreements",
    "valid_cvr",
]

#: The name the built-in plug-in is registered under.
BUILTIN_PLUGIN_NAME = "fuaalborg.builtin"
#: The id of the mandatory § 60, stk. 4 criterion (employment or education).
MANDATORY_CRITERION = "employment_or_education"

_ABL_60_1 = "Almenboligloven § 60, stk. 1 (fleksibel udlejning efter aftale)"
_ABL_60_4 = "Almenboligloven § 60, stk. 4 (obligatorisk fleksibel udlejning)"
_AGREEMENT_31 = "Fælles Udlejningsaftale, afsnit 3.1"

_EMPLOYMENT_READS = frozenset(
    {
        "employment_hours_per_week",
        "employment_permanent",
        "fixed_term_months",
        "wage_subsidy",
        "self_employed_cvr",
        "partner_employment_hours_per_week",
        "partner_employment_permanent",
    }
)
_EMPLOYMENT_PARAMETERS = (
    "criteria.employment.min_hours_per_week",
    "criteria.employment.min_fixed_term_months",
    "criteria.employment.self_employed_counts",
    "criteria.employment.wage_subsidy_counts",
    "criteria.employment.partner_counts",
)
_EDUCATION_READS = frozenset({"in_education", "apprentice", "partner_in_education"})
_EDUCATION_PARAMETERS = (
    "criteria.education.apprentice_counts",
    "criteria.education.partner_counts",
)


def _flag(series: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """True where a yes/no field is true; missing counts as false."""
    if series.dtype == np.bool_:
        return series.to_numpy()
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def _number(series: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """The values as floats; missing as NaN (every comparison with NaN is false)."""
    return series.to_numpy(dtype="float64", na_value=np.nan)


def valid_cvr(series: pd.Series[Any]) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Vectorised CVR check: 8 digits, first not 0, weighted sum divisible by 11.

    >>> from fuaalborg.criteria.builtin import valid_cvr
    >>> valid_cvr(pd.Series(["31831814", "31831815", None, "abc"])).tolist()
    [True, False, False, False]
    """
    return valid_cvr_mask(series.astype("string").str.strip()).to_numpy(dtype=bool)


def _employment_mask(frame: pd.DataFrame, p: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    min_hours = float(p["criteria.employment.min_hours_per_week"])
    min_months = float(p["criteria.employment.min_fixed_term_months"])
    hours = _number(frame["employment_hours_per_week"])
    permanent = _flag(frame["employment_permanent"])
    fixed_term = _number(frame["fixed_term_months"]) >= min_months
    job = (hours >= min_hours) & (permanent | fixed_term)
    if not p["criteria.employment.wage_subsidy_counts"]:
        job &= ~_flag(frame["wage_subsidy"])
    if p["criteria.employment.self_employed_counts"]:
        job |= valid_cvr(frame["self_employed_cvr"])
    if p["criteria.employment.partner_counts"]:
        partner_hours = _number(frame["partner_employment_hours_per_week"])
        job |= (partner_hours >= min_hours) & _flag(frame["partner_employment_permanent"])
    return job


def _education_mask(frame: pd.DataFrame, p: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    studying = _flag(frame["in_education"])
    if p["criteria.education.apprentice_counts"]:
        studying = studying | _flag(frame["apprentice"])
    if p["criteria.education.partner_counts"]:
        studying = studying | _flag(frame["partner_in_education"])
    return studying


def _series(frame: pd.DataFrame, values: np.ndarray[Any, Any]) -> pd.Series[bool]:
    return pd.Series(values, index=frame.index, dtype=bool)


def employment(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    """In employment: a household member in work as the employment parameters define.

    The applicant works at least ``min_hours_per_week`` in a permanent job or a
    fixed-term job of at least ``min_fixed_term_months`` (a wage-subsidy job only
    if ``wage_subsidy_counts``); or is self-employed with a valid CVR number (if
    ``self_employed_counts``); or the partner works at least the hours
    permanently (if ``partner_counts``).
    """
    return _series(frame, _employment_mask(frame, values))


def in_education(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    """In education: SU-qualifying education, an apprenticeship or a partner studying."""
    return _series(frame, _education_mask(frame, values))


def employment_or_education(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    """The mandatory § 60, stk. 4 criterion: in employment or in education."""
    return _series(frame, _employment_mask(frame, values) | _education_mask(frame, values))


def families_with_children(frame: pd.DataFrame) -> pd.Series[bool]:
    """A household with at least one child under 18."""
    return _series(frame, _number(frame["children"]) > 0)


def _clean_record(frame: pd.DataFrame) -> pd.Series[bool]:
    return _series(frame, _flag(frame["criminal_record_clean"]))


def _above_basic(frame: pd.DataFrame) -> pd.Series[bool]:
    level = frame["highest_education"].astype("string")
    return _series(frame, (level.notna() & (level != "basic")).fillna(False).to_numpy(bool))


def _income(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    floor = float(values["criteria.income.min_annual_household_income_dkk"])
    return _series(frame, _number(frame["annual_household_income_dkk"]) >= floor)


def _young(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    age = _number(frame["age"])
    lo, hi = values["criteria.age.young_min"], values["criteria.age.young_max"]
    return _series(frame, (age >= lo) & (age <= hi))


def _senior(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series[bool]:
    return _series(frame, _number(frame["age"]) >= values["criteria.age.senior_min"])


def _flag_criterion(
    *, id: str, title: str, title_da: str, field: str, documentation: str
) -> Criterion:
    """A § 60, stk. 1 criterion met where the yes/no field ``field`` is true."""

    def predicate(frame: pd.DataFrame) -> pd.Series[bool]:
        return _series(frame, _flag(frame[field]))

    predicate.__name__ = f"flag_{field}"
    return Criterion(
        id=id,
        title=title,
        title_da=title_da,
        reads={field},
        predicate=predicate,
        legal_basis=_ABL_60_1,
        documentation=documentation,
    )


def builtin_criteria() -> list[Criterion]:
    """The library's criteria, as the built-in plug-in registers them."""
    employment_doc = (
        "employment contract or recent pay slips showing hours and whether the job is "
        "permanent or fixed-term (with its end date); or the CVR registration of the "
        "applicant's own business"
    )
    education_doc = "proof of enrolment in SU-qualifying education, or the apprenticeship contract"
    return [
        Criterion(
            id="employment",
            title="In employment",
            title_da="I beskæftigelse",
            reads=_EMPLOYMENT_READS,
            predicate=employment,
            parameters=_EMPLOYMENT_PARAMETERS,
            legal_basis=f"{_ABL_60_1}; {_ABL_60_4}; {_AGREEMENT_31}",
            documentation=employment_doc,
        ),
        Criterion(
            id="education",
            title="In education",
            title_da="Under uddannelse",
            reads=_EDUCATION_READS,
            predicate=in_education,
            parameters=_EDUCATION_PARAMETERS,
            legal_basis=f"{_ABL_60_1}; {_ABL_60_4}; {_AGREEMENT_31}",
            documentation=education_doc,
        ),
        Criterion(
            id=MANDATORY_CRITERION,
            title="In employment or in education",
            title_da="I beskæftigelse eller under uddannelse",
            reads=_EMPLOYMENT_READS | _EDUCATION_READS,
            predicate=employment_or_education,
            parameters=_EMPLOYMENT_PARAMETERS + _EDUCATION_PARAMETERS,
            legal_basis=f"{_ABL_60_4}; {_AGREEMENT_31}",
            documentation=f"{employment_doc}; or {education_doc}",
        ),
        Criterion(
            id="clean_criminal_record",
            title="Clean criminal record",
            title_da="Ren straffeattest",
            reads={"criminal_record_clean"},
            predicate=_clean_record,
            legal_basis=f"{_ABL_60_1}; {_AGREEMENT_31} (»Krav om ikke at have været straffet«)",
            documentation="a criminal record certificate (straffeattest), at most 3 months old",
        ),
        Criterion(
            id="education_above_basic",
            title="Education above basic school",
            title_da="Uddannelse over grundskoleniveau",
            reads={"highest_education"},
            predicate=_above_basic,
            legal_basis=(
                f"{_ABL_60_1}; {_AGREEMENT_31} (»Krav om uddannelse over grundskoleniveau«)"
            ),
            documentation="diploma or transcript of the highest completed education",
        ),
        Criterion(
            id="household_income",
            title="Household income at least the agreed level",
            title_da="Husstandsindkomst mindst det aftalte niveau",
            reads={"annual_household_income_dkk"},
            predicate=_income,
            parameters=("criteria.income.min_annual_household_income_dkk",),
            legal_basis=f"{_ABL_60_1}; {_AGREEMENT_31} (»Krav om indtjeningsniveau«)",
            documentation="the latest annual tax statement (årsopgørelse) of the household",
        ),
        Criterion(
            id="families_with_children",
            title="Families with children",
            title_da="Familier med børn",
            reads={"children"},
            predicate=families_with_children,
            legal_basis=_ABL_60_1,
            documentation="the children's registration at the applicant's address (CPR register)",
        ),
        Criterion(
            id="young",
            title="Young applicants (age band)",
            title_da="Unge (aldersgruppe)",
            reads={"age"},
            predicate=_young,
            parameters=("criteria.age.young_min", "criteria.age.young_max"),
            legal_basis=_ABL_60_1,
            documentation="proof of age",
        ),
        Criterion(
            id="senior",
            title="Senior applicants (age band)",
            title_da="Seniorer (aldersgruppe)",
            reads={"age"},
            predicate=_senior,
            parameters=("criteria.age.senior_min",),
            legal_basis=_ABL_60_1,
            documentation="proof of age",
        ),
        _flag_criterion(
            id="commuter",
            title="Commuter working in the municipality",
            title_da="Pendler med arbejde i kommunen",
            field="works_in_municipality",
            documentation="employment contract showing a workplace in the municipality",
        ),
        _flag_criterion(
            id="separated",
            title="Separated or divorced within the last year",
            title_da="Separeret eller skilt inden for det seneste år",
            field="separated_within_year",
            documentation="the separation or divorce decision (Familieretshuset)",
        ),
        _flag_criterion(
            id="accessible_dwelling",
            title="Needs an accessible dwelling",
            title_da="Behov for en tilgængelig bolig",
            field="needs_accessible_dwelling",
            documentation="the municipality's or a doctor's statement of the need",
        ),
    ]


def statutory_agreements(parameters: ParameterSet) -> list[LettingAgreement]:
    """The mandatory § 60, stk. 4 agreement, one per period of ``colour_rules.mandatory_flexible``.

    Each covers the colours the period names (red) with the mandatory criterion
    as its only group and the period's share; a period that names no colour
    (before 2018-12-01) gives none. The ledger's routing, the ranking and
    :func:`fuaalborg.monitoring.rules_for` read the same parameter.
    """
    return [
        LettingAgreement(
            organisation_cvr=None,
            departments=ByColour(*rule.colours),
            groups=(MANDATORY_CRITERION,),
            flexible_share=float(rule.share),
            legal_basis=rule.reference,
            valid_from=rule.start,
            valid_until=rule.end,
        )
        for rule in mandatory_history(parameters)
        if rule.colours
    ]


class BuiltinPlugin:
    """The built-in plug-in: the library's criteria and the statutory agreement.

    Registered directly by :func:`fuaalborg.criteria.load`, never through an entry
    point, so it cannot be disabled by the plug-in environment variables.
    """

    def __init__(self, parameters: ParameterSet | None = None) -> None:
        self.parameters = parameters if parameters is not None else load_parameters()

    @hookimpl
    def register_criteria(self) -> list[Criterion]:
        """The built-in criteria."""
        return builtin_criteria()

    @hookimpl
    def register_letting_agreements(self) -> list[LettingAgreement]:
        """The statutory agreement for red departments."""
        return statutory_agreements(self.parameters)
