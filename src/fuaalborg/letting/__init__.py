"""Letting: ranking waiting lists, the letting ledger, offers and referral limits.

Each concept has its own module; the public names are re-exported here and from
:mod:`fuaalborg`. They load on first use (a module ``__getattr__``), so that
importing one module of the package — :mod:`fuaalborg.letting.vacancy` for
the decision records, say — does not import the others.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fuaalborg.letting.ledger import Decision, Ledger
    from fuaalborg.letting.offers import OfferRound
    from fuaalborg.letting.ranking import (
        ApplicantNotFoundError,
        Ranking,
        RankingContextError,
        rank,
        rank_many,
    )
    from fuaalborg.letting.referral_limits import ReferralCheck, check_referral
    from fuaalborg.letting.routing import Counters, Rules, route_frame, route_one
    from fuaalborg.letting.vacancy import Vacancy

#: Every re-exported name and the module that defines it.
_EXPORTS: dict[str, str] = {
    "ApplicantNotFoundError": "fuaalborg.letting.ranking",
    "Counters": "fuaalborg.letting.routing",
    "Decision": "fuaalborg.letting.ledger",
    "Ledger": "fuaalborg.letting.ledger",
    "OfferRound": "fuaalborg.letting.offers",
    "Ranking": "fuaalborg.letting.ranking",
    "RankingContextError": "fuaalborg.letting.ranking",
    "ReferralCheck": "fuaalborg.letting.referral_limits",
    "Rules": "fuaalborg.letting.routing",
    "Vacancy": "fuaalborg.letting.vacancy",
    "check_referral": "fuaalborg.letting.referral_limits",
    "rank": "fuaalborg.letting.ranking",
    "rank_many": "fuaalborg.letting.ranking",
    "route_frame": "fuaalborg.letting.routing",
    "route_one": "fuaalborg.letting.routing",
}


def __getattr__(name: str) -> Any:
    """Load a re-exported name on first use (PEP 562)."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'fuaalborg.letting' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__: list[str] = [
    "ApplicantNotFoundError",
    "Counters",
    "Decision",
    "Ledger",
    "OfferRound",
    "Ranking",
    "RankingContextError",
    "ReferralCheck",
    "Rules",
    "Vacancy",
    "check_referral",
    "rank",
    "rank_many",
    "route_frame",
    "route_one",
]
