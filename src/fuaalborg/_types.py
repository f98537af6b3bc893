"""The types the seams between fuaalborg's modules are typed with.

Two kinds, both for type checkers and readers; nothing here runs a rule.

**Closed vocabularies** as :data:`~typing.Literal` aliases, each with the tuple of
its values in order (one fact: the tuple is read from the alias):

- :data:`~fuaalborg.model.Route` — where a vacancy goes: the municipality's
  referral (*kommunal anvisning*) or the waiting list
  (:data:`~fuaalborg.model.ROUTES`);
- :data:`~fuaalborg.model.Subroute` — how a waiting-list letting is made:
  flexibly (*fleksibel udlejning*) or by seniority alone
  (:data:`~fuaalborg.model.SUBROUTES`); the ``route`` of :func:`fuaalborg.rank`
  is a subroute;
- :data:`~fuaalborg.model.Turn` — whose turn a waiting-list letting is under the
  internal and external rule: the internal or the external list
  (:data:`~fuaalborg.model.TURNS`);
- :data:`~fuaalborg.model.Colour` — a colour of the step model
  (:data:`~fuaalborg.model.COLOURS`);
- :data:`Language` — the language of an output written for people, Danish or
  English (:data:`LANGUAGES`); every function that chooses one takes
  ``lang: Language = "da"``.

The first four live in :mod:`fuaalborg.model`, beside the domain's other
vocabularies, and are re-exported here so that a signature imports every seam
type from one module.

:func:`one_of` narrows a value read from a file or a database to one of them.

**Protocols** for what one module hands another (in the spirit of OpenFisca's
``types`` module): what the letting modules need of a registry of criteria, an
agreement, a source of colours and a ranking — so that a letting system may
pass its own objects, and the type checker knows what is used.

>>> one_of("flexible", SUBROUTES, "route")
'flexible'
>>> one_of("sideways", SUBROUTES, "route")
Traceback (most recent call last):
...
ValueError: route: 'sideways' is not one of flexible, ordinary
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, get_args

from fuaalborg.model import COLOURS, ROUTES, SUBROUTES, TURNS, Colour, Route, Subroute, Turn

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLOURS",
    "LANGUAGES",
    "ROUTES",
    "SUBROUTES",
    "TURNS",
    "AgreementLike",
    "Colour",
    "ColourSource",
    "CriteriaRegistry",
    "CriterionLike",
    "Language",
    "RankingLike",
    "Route",
    "Subroute",
    "Turn",
    "one_of",
]

#: The language of an output for people: Danish (the default everywhere) or English.
Language = Literal["da", "en"]
#: The languages, Danish first.
LANGUAGES: tuple[Language, ...] = get_args(Language)

_T = TypeVar("_T")


def one_of(value: object, choices: Sequence[_T], what: str) -> _T:
    """``value`` as the one of ``choices`` it equals; a :class:`ValueError` naming ``what`` else.

    Narrows a text read from a file, a database or the command line to a
    :data:`~typing.Literal` type: ``one_of(row.route, ROUTES, "route")`` is a
    :data:`~fuaalborg.model.Route`.
    """
    for choice in choices:
        if value == choice:
            return choice
    raise ValueError(f"{what}: {value!r} is not one of {', '.join(map(str, choices))}")


class CriterionLike(Protocol):
    """What a ranking reads of a criterion (:class:`fuaalborg.criteria.Criterion`)."""

    @property
    def title(self) -> str:
        """The criterion's title in English."""
        ...

    @property
    def reads(self) -> Collection[str]:
        """The applicant fields its predicate reads."""
        ...

    @property
    def legal_basis(self) -> str:
        """The rule it rests on."""
        ...


class AgreementLike(Protocol):
    """What a ranking reads of a flexible-letting agreement (bilag 4).

    A :class:`fuaalborg.criteria.LettingAgreement`, or the recorded terms of
    one (:class:`fuaalborg.records.AgreementTerms`); its other terms (dates,
    departments, children first, dwelling conditions) are read where present.
    """

    @property
    def groups(self) -> Sequence[Any]:
        """The priority groups, group 1 first (criterion ids, or groups with an ``id``)."""
        ...

    @property
    def flexible_share(self) -> Any:
        """The share of waiting-list lettings let flexibly (a fraction, or its text)."""
        ...


class CriteriaRegistry(Protocol):
    """What the letting modules need of the loaded criteria and agreements.

    :class:`fuaalborg.criteria.Registry` (made by :func:`fuaalborg.criteria.load`)
    is one; a letting system may pass its own.
    """

    @property
    def criteria(self) -> Mapping[str, CriterionLike]:
        """Every loaded criterion by id."""
        ...

    def agreement_for(
        self, department_id: str, organisation_cvr: str, colour: str | None, on: dt.date
    ) -> AgreementLike | None:
        """The agreement that applies to a department of an organisation on ``on``, if any."""
        ...

    def evaluate(self, criterion_id: str, applicants: pd.DataFrame, on: dt.date) -> Any:
        """Whether each applicant meets the criterion on ``on``: one boolean per row."""
        ...


class ColourSource(Protocol):
    """The colour (green, yellow, red) of a department on a date: the ledger's source.

    :class:`fuaalborg.letting.registry.StepModelColours` (the step model's
    placement) is one; any function ``(department_id, on) -> colour`` is one.
    """

    def __call__(self, department_id: str, on: dt.date, /) -> str:
        """The colour of ``department_id`` on ``on``."""
        ...


class RankingLike(Protocol):
    """What an offer round reads of a ranking (:class:`fuaalborg.letting.ranking.Ranking`).

    ``frame`` holds the ranked candidates (``rank``, ``applicant_id``, ``list``
    and, on the flexible route, ``group``); ``vacancy``, ``route`` and ``turn``
    say what the ranking was made for, and are checked against the vacancy's
    decision.
    """

    @property
    def frame(self) -> pd.DataFrame:
        """The ranked candidates."""
        ...

    @property
    def vacancy(self) -> Any:
        """The vacancy ranked for."""
        ...

    @property
    def route(self) -> Subroute:
        """The waiting-list route the ranking was made on."""
        ...

    @property
    def turn(self) -> Turn | None:
        """The turn it was made on (``None``: both lists as one)."""
        ...
