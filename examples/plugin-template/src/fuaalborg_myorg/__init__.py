"""Flexible-letting criteria of <organisation> (template).

Installed, this plug-in runs in a worker process of its own: its predicates see
only the columns their criteria declare, and nothing of the program that loads
them.
"""

from __future__ import annotations

import datetime  # noqa: F401 - used by the agreement below once it is uncommented

import pandas as pd

from fuaalborg.criteria import (  # noqa: F401 - some are used by the commented agreement
    AllDepartments,
    ByColour,
    Criterion,
    DwellingCondition,
    LettingAgreement,
    PriorityGroup,
    hookimpl,
)

#: The organisation this plug-in speaks for (its 8-digit CVR number, modulus-11 checked).
#: Agreements may be published for this CVR only; without it, criteria but no agreements.
#: Set it before uncommenting the agreement below.
ORGANISATION_CVR: str | None = None


def families_with_three_or_more_children(frame: pd.DataFrame) -> pd.Series:
    """Households with at least three children (an example)."""
    return frame["children"].fillna(0) >= 3


@hookimpl
def register_criteria() -> list[Criterion]:
    """This organisation's criteria; prefix ids with the organisation's name."""
    return [
        Criterion(
            id="myorg.large_families",
            title="Families with three or more children",
            title_da="Familier med mindst tre børn",
            reads={"children"},
            predicate=families_with_three_or_more_children,
            legal_basis="Almenboligloven § 60, stk. 1; <organisation> bilag 4",
            documentation="the children's registration at the applicant's address",
        )
    ]


@hookimpl
def register_letting_agreements() -> list[LettingAgreement]:
    """This organisation's bilag 4 agreement (fill in ORGANISATION_CVR, then uncomment)."""
    return [
        # LettingAgreement(
        #     organisation_cvr=ORGANISATION_CVR,
        #     departments=ByColour("yellow"),          # or ("dept-id", ...) or AllDepartments()
        #     groups=(
        #         # group 1: large families, but only for dwellings of 4 rooms or more
        #         PriorityGroup("myorg.large_families", applies_to=DwellingCondition(min_rooms=4)),
        #         "employment&commuter",               # group 2: both criteria met
        #     ),
        #     flexible_share=0.5,
        #     legal_basis="Almenboligloven § 60, stk. 1; <organisation> bilag 4",
        #     valid_from=datetime.date(2026, 1, 1),
        #     valid_until=datetime.date(2029, 12, 31),
        # ),
    ]

