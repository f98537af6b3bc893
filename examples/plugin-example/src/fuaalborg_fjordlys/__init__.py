"""Flexible-letting criteria of Boligselskabet Fjordlys, a FICTIONAL organisation.

An example of a fuaalborg plug-in: found through the entry point ``fjordlys`` in
the group ``fuaalborg``, and run in a worker process of its own. It speaks for
one organisation (``ORGANISATION_CVR``), reproduces Randers Kommune's published
employment and education test, adds one criterion on a field of its own, and
gives seniors priority to ground-floor dwellings or dwellings with a lift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fuaalborg.criteria import (
    ApplicantField,
    ByColour,
    Criterion,
    DwellingCondition,
    LettingAgreement,
    PriorityGroup,
    hookimpl,
)
from fuaalborg.criteria.builtin import valid_cvr

__version__ = "1.1.0"

#: Fictional; chosen only because it passes the modulus-11 check.
FJORDLYS_CVR = "29990018"
#: The organisation this plug-in speaks for: it may publish agreements for this CVR only.
ORGANISATION_CVR = FJORDLYS_CVR
EMPLOYMENT_TEST = "fjordlys.household_in_work_or_education"
VOLUNTEER = "fjordlys.volunteer"


def _flag(series: pd.Series) -> np.ndarray:
    return series.astype("boolean").fillna(False).to_numpy(dtype=bool)


def household_in_work_or_education(frame: pd.DataFrame, values: Mapping[str, Any]) -> pd.Series:
    """Randers' test: a household member in work, or in education (apprentices included)."""
    hours = values["fjordlys.min_hours_per_week"]
    months = values["fjordlys.min_fixed_term_months"]
    own_hours = frame["employment_hours_per_week"].to_numpy(dtype=float, na_value=np.nan)
    fixed = frame["fixed_term_months"].to_numpy(dtype=float, na_value=np.nan) >= months
    job = (own_hours >= hours) & (_flag(frame["employment_permanent"]) | fixed)
    job &= ~_flag(frame["wage_subsidy"])
    job |= valid_cvr(frame["self_employed_cvr"])
    partner_hours = frame["partner_employment_hours_per_week"].to_numpy(dtype=float, na_value=np.nan)
    job |= (partner_hours >= hours) & _flag(frame["partner_employment_permanent"])
    study = (
        _flag(frame["in_education"]) | _flag(frame["apprentice"])
        | _flag(frame["partner_in_education"])
    )
    return pd.Series(job | study, index=frame.index)


@hookimpl
def register_applicant_fields() -> list[ApplicantField]:
    """Fjordlys' own field."""
    return [
        ApplicantField(
            "volunteer_in_department", "bool",
            "volunteers in the department's residents' activities",
            "frivillig i afdelingens beboeraktiviteter",
            required=False, nullable=True,
        )
    ]


@hookimpl
def register_parameter_files() -> list[Path]:
    """Fjordlys' cited thresholds."""
    return [Path(str(resources.files(__name__) / "fjordlys.toml"))]


@hookimpl
def register_criteria() -> list[Criterion]:
    """Fjordlys' criteria."""
    return [
        Criterion(
            id=EMPLOYMENT_TEST,
            title="A household member in work or in education (Randers' definition)",
            title_da="Et husstandsmedlem i beskæftigelse eller under uddannelse",
            reads={
                "employment_hours_per_week", "employment_permanent", "fixed_term_months",
                "wage_subsidy", "self_employed_cvr", "partner_employment_hours_per_week",
                "partner_employment_permanent", "in_education", "apprentice",
                "partner_in_education",
            },
            predicate=household_in_work_or_education,
            parameters=("fjordlys.min_hours_per_week", "fjordlys.min_fixed_term_months"),
            legal_basis="Almenboligloven § 60, stk. 1 og 4; Fjordlys bilag 4 (fictional)",
            documentation="employment contract or pay slips; CVR registration; proof of enrolment",
        ),
        Criterion(
            id=VOLUNTEER,
            title="Volunteers in the department's residents' activities",
            reads={"volunteer_in_department"},
            predicate=lambda frame: frame["volunteer_in_department"].astype("boolean").fillna(False).astype(bool),
            legal_basis="Almenboligloven § 60, stk. 1; Fjordlys bilag 4 (fictional)",
            documentation="a statement from the department's board",
        ),
    ]


@hookimpl
def register_letting_agreements() -> list[LettingAgreement]:
    """Fjordlys' bilag 4 agreement: red and yellow departments."""
    return [
        LettingAgreement(
            organisation_cvr=FJORDLYS_CVR,
            departments=ByColour("red", "yellow"),
            groups=(
                EMPLOYMENT_TEST,
                VOLUNTEER,
                # seniors first to dwellings on the ground floor or with a lift
                PriorityGroup(
                    "senior",
                    applies_to=[DwellingCondition(floor=0), DwellingCondition(lift=True)],
                ),
            ),
            flexible_share=0.5,
            legal_basis="Almenboligloven § 60, stk. 1 og 4; Fjordlys bilag 4 (fictional)",
            valid_from=dt.date(2023, 1, 1),
            valid_until=dt.date(2025, 12, 31),
            internal_moves_exempt=True,
        )
    ]
