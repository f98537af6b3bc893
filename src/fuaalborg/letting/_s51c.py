"""Almenboligloven § 51 c in the ranking: the statutory refusal in transformation areas.

Internal to :mod:`fuaalborg.letting.ranking`. In a department of an area whose
designation § 51 c names on the date (an omdannelsesområde; before L 23 a
"hårdt ghettoområde"), the organisation must refuse waiting-list applicants who
do not already live in the department when they and their spouse or cohabitant
of at least 2 years receive one of the benefits the law names (stk. 1–2),
unless the municipality has dispensed (stk. 4). What the law names on each date
is the parameter ``letting.s51c``.

The rule reads ``benefit_received``, ``partner_benefit_received`` (``no_partner``
when there is none), ``s51c_dispensation`` (optional) and
``current_department_id`` — fields protected from every criterion. A waiting
list without the benefit columns cannot be checked here; the ranking then says
so in :attr:`~fuaalborg.letting.ranking.Ranking.notices` (and in the decision
record), since the municipality checks before the letting (stk. 3). A row whose
benefit is not given is not refused, and is counted in a notice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

from fuaalborg.errors import ValidationError

if TYPE_CHECKING:
    from fuaalborg.letting._waiting_list import WaitingList

__all__ = ["COLUMNS", "Rule", "refused"]

#: The waiting-list columns the rule reads (the dispensation column is optional).
COLUMNS = ("benefit_received", "partner_benefit_received")
_DISPENSATION = "s51c_dispensation"
_NO_PARTNER = "no_partner"


@attrs.frozen
class Rule:
    """§ 51 c as in force on a date for one department's area designation."""

    provision: str
    area_term: str
    benefits: frozenset[str]
    title: str
    title_da: str
    reference: str

    @classmethod
    def of(cls, value: Mapping[str, Any], designation: str, reference: str) -> Rule:
        """The rule of the parameter value ``value`` for ``designation``."""
        from fuaalborg.criteria.vocabulary import BENEFIT_CODES

        benefits = frozenset(str(b) for b in value.get("benefits", []))
        unknown = sorted(benefits - set(BENEFIT_CODES))
        if unknown:
            raise ValidationError(
                f"letting.s51c names unknown benefit codes {unknown}; expected codes of "
                f"benefit_received: {', '.join(BENEFIT_CODES)}"
            )
        return cls(
            provision=str(value["provision"]), area_term=str(value["areas"][designation]),
            benefits=benefits, title=str(value["title"]), title_da=str(value["title_da"]),
            reference=reference,
        )


def refused(
    wl: WaitingList, department_id: str, rule: Rule
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], bool]:
    """(rows refused, rows whose benefits are not given, whether the list could be checked)."""
    if not set(COLUMNS) & wl.columns:
        return np.zeros(wl.n, dtype=bool), np.ones(wl.n, dtype=bool), False
    why = f"read by {rule.provision} in an {rule.area_term}"
    wl.require([*COLUMNS, "current_department_id"], dict.fromkeys(
        [*COLUMNS, "current_department_id"], why))
    cols = wl.extra([*COLUMNS, "current_department_id"])
    own = cols["benefit_received"]
    partner = cols["partner_benefit_received"]
    named = sorted(rule.benefits)
    receives = own.isin(named).to_numpy(dtype=bool, na_value=False)
    partner_ok = (partner.isin(named) | (partner == _NO_PARTNER)).to_numpy(
        dtype=bool, na_value=False
    )
    unknown = (own.isna() | partner.isna()).to_numpy(dtype=bool)
    lives_here = (cols["current_department_id"] == department_id).to_numpy(
        dtype=bool, na_value=False
    )
    out = receives & partner_ok & ~lives_here & ~unknown
    if _DISPENSATION in wl.columns:
        dispensed = wl.extra([_DISPENSATION])[_DISPENSATION]
        out &= ~dispensed.to_numpy(dtype=bool, na_value=False)
    return out, unknown, True
