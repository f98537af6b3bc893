"""Letting: ranking waiting lists, the letting ledger, offers and referral limits.

Each concept has its own module; the public names are re-exported here and from
:mod:`fuaalborg`.
"""

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
