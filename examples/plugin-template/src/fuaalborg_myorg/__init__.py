"""Flexible-letting criteria of <organisation> (template)."""

from __future__ import annotations

import pandas as pd

from fuaalborg.criteria import Criterion, LettingAgreement, hookimpl


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
            reads={"children"},
            predicate=families_with_three_or_more_children,
            legal_basis="Almenboligloven § 60, stk. 1; <organisation> bilag 4",
            documentation="the children's registration at the applicant's address",
        )
    ]


@hookimpl
def register_letting_agreements() -> list[LettingAgreement]:
    """This organisation's bilag 4 agreement (fill in and uncomment)."""
    return [
        # LettingAgreement(
        #     organisation_cvr="<8-digit CVR>",
        #     departments=ByColour("yellow"),          # or ("dept-id", ...) or AllDepartments()
        #     groups=("myorg.large_families",),        # group 1 first
        #     flexible_share=0.5,
        #     legal_basis="Almenboligloven § 60, stk. 1; <organisation> bilag 4",
        #     valid_from=datetime.date(2026, 1, 1),
        #     valid_until=datetime.date(2029, 12, 31),
        # ),
    ]
