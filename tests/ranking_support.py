"""Shared pieces of the ranking tests: a registry with plain criteria, an agreement."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import attrs
import pandas as pd

from fuaalborg.criteria.declarations import Criterion, LettingAgreement

ON = dt.date(2024, 6, 1)
CVR = "31831814"


@attrs.define
class FakeRegistry:
    """The registry contract, with plain criteria over canonical fields."""

    criteria: dict[str, Criterion]
    agreement: LettingAgreement | None
    plugins: tuple[Any, ...] = ()
    calls: int = 0

    def evaluate_many(
        self, criterion_ids: Iterable[str], applicants: pd.DataFrame, on: dt.date
    ) -> pd.DataFrame:
        self.calls += 1
        out = {}
        for cid in criterion_ids:
            crit = self.criteria[cid]
            out[cid] = crit.predicate(applicants[sorted(crit.reads)].copy()).astype(bool)
        return pd.DataFrame(out, index=applicants.index)

    def agreement_for(
        self, department_id: str, organisation_cvr: str, colour: str | None, on: dt.date
    ) -> LettingAgreement | None:
        return self.agreement


def criteria() -> dict[str, Criterion]:
    """Three criteria: in education, permanent employment, families with children."""
    return {
        "education": Criterion(
            "education", "In education", {"in_education"},
            lambda f: f["in_education"].fillna(False).astype(bool),
            "Almenboligloven § 60, stk. 1", title_da="Under uddannelse",
        ),
        "employment": Criterion(
            "employment", "In permanent employment", {"employment_permanent"},
            lambda f: f["employment_permanent"].fillna(False).astype(bool),
            "Almenboligloven § 60, stk. 1", title_da="Fastansat",
        ),
        "families": Criterion(
            "families", "Families with children", {"children"},
            lambda f: f["children"].fillna(0) > 0,
            "Almenboligloven § 60, stk. 1", title_da="Familier med børn",
        ),
    }


def agreement(**kw: Any) -> LettingAgreement:
    base: dict[str, Any] = {
        "organisation_cvr": CVR,
        "departments": ("D1",),
        "groups": ("education", "employment", "families"),
        "flexible_share": 1.0,
        "legal_basis": "Bilag 4 (test)",
        "valid_from": dt.date(2020, 1, 1),
        "valid_until": None,
    }
    base.update(kw)
    return LettingAgreement(**base)




def read_recorded_waiting_list(path: Any, types: dict[str, str]) -> pd.DataFrame:
    """A waiting list of ``tests/recorded``: CSV, each column read as ``types`` says.

    ``types`` maps a column to a pandas dtype name, or ``"date"`` for a column of
    ``YYYY-MM-DD`` dates (read as ``datetime64[s]``); empty cells are missing.
    """
    dates = [c for c, t in types.items() if t == "date"]
    frame = pd.read_csv(
        path, dtype={c: t for c, t in types.items() if t != "date"},
        keep_default_na=False, na_values={c: [""] for c in types if c not in dates},
    )
    for column in dates:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d").astype("datetime64[s]")
    return frame
