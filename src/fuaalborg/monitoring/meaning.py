"""What a colour of the step model means on a date: referral and flexible letting.

The agreement (afsnit 4–5 and its overview) says a department's colour decides
three things: whether its vacancies are reported to (count towards) the
municipal referral, whether the referral may place citizens there, and whether
flexible letting is optional or mandatory. Each answer is one dated, cited
parameter — ``colour_rules.referral_counting``, ``colour_rules.referral_placement``
and ``colour_rules.mandatory_flexible``, read through :mod:`fuaalborg.colours` —
the very parameters the letting ledger, the ranking, the referral check, the
criteria registry, the calendar and the simulation read, so none of them can
disagree with :func:`rules_for`. ``colour_rules.<colour>`` adds the colour's
step, Danish name and whether flexible letting by agreement is recommended.

>>> rules = rules_for("red", "2024-03-01")
>>> rules.counts_towards_referral, rules.referral_placement, rules.flexible_letting
(False, 'no', 'mandatory')
>>> rules.flexible_reference.split(":")[0]
'Almenboligloven § 60, stk. 4, som ændret ved L 23 (2021-22)'
>>> rules_for("yellow", "2024-03-01").referral_limits
('almenboligloven § 59, stk. 7',)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs

from fuaalborg.colours import (
    COUNTING,
    MANDATORY,
    PLACEMENT,
    check_colour_rules,
    counting_colours,
    mandatory_flexible,
    placements,
)
from fuaalborg.dates import as_date
from fuaalborg.errors import (
    NotInForceError,
    ParameterFileError,
    Problem,
    ValidationError,
    unknown_keys,
)
from fuaalborg.formatting import format_value
from fuaalborg.model import COLOURS
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["ColourRules", "rules_for"]

_FLEXIBLE = ("optional", "recommended")
_KEYS = {
    "step": int,
    "label_da": str,
    "flexible_letting": str,
    "flexible_reference": str,
    "reading": bool,
}
#: Keys an older colour table carried, and the parameter that holds the answer now.
_MOVED = {
    "counts_towards_referral": COUNTING,
    "counts_reference": COUNTING,
    "referral_placement": PLACEMENT,
    "referral_limits": PLACEMENT,
    "placement_reference": PLACEMENT,
}


@attrs.frozen
class ColourRules:
    """The letting rules that follow from a colour on a date, each with its reference.

    ``referral_placement`` is ``"yes"``, ``"restricted"`` (the agreement applies
    the household criteria of the provisions in ``referral_limits`` there too)
    or ``"no"`` (no placement, BAB dwellings included); ``flexible_letting`` is
    ``"optional"``, ``"recommended"`` or ``"mandatory"`` (with
    ``mandatory_flexible_share`` of the waiting-list lettings). ``reading``
    marks answers that are the library's reading of the agreement.
    """

    colour: str
    on: dt.date
    step: int
    label_da: str
    counts_towards_referral: bool
    counts_reference: str
    referral_placement: str
    referral_limits: tuple[str, ...]
    placement_reference: str
    flexible_letting: str
    flexible_reference: str
    reading: bool
    reference: str
    note: str | None = None
    mandatory_flexible_share: Fraction | None = None

    def describe(self) -> list[str]:
        """The rules as readable lines."""
        counts = "yes" if self.counts_towards_referral else "no (exempt, fritaget)"
        limits = f" ({', '.join(self.referral_limits)})" if self.referral_limits else ""
        head = f"{self.colour} (step {self.step}, {self.label_da}) on {self.on.isoformat()}"
        if self.reading:
            head += " — library reading"
        flexible = self.flexible_letting
        if self.mandatory_flexible_share is not None:
            share = self.mandatory_flexible_share
            flexible += f" (share {format_value(share)} of waiting-list lettings)"
        return [
            head,
            f"  vacancies count towards the referral: {counts} [{self.counts_reference}]",
            f"  referral may place: {self.referral_placement}{limits} [{self.placement_reference}]",
            f"  flexible letting: {flexible} [{self.flexible_reference}]",
        ]


def _check(colour: str, value: Any) -> list[Problem]:
    where = f"colour_rules.{colour}"
    if not isinstance(value, Mapping):
        return [Problem(where, "expected a table")]
    unknown = set(value) - set(_KEYS)
    problems = [
        Problem(f"{where}.{key}",
                f"no longer read here; what a colour means for the referral is {_MOVED[key]}")
        for key in sorted(unknown & set(_MOVED))
    ]
    problems += unknown_keys(unknown - set(_MOVED), _KEYS, where)
    for key, kind in _KEYS.items():
        item = value.get(key)
        if item is None:
            problems.append(Problem(f"{where}.{key}", "missing"))
        elif not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            problems.append(Problem(f"{where}.{key}", f"{item!r} is not a {kind.__name__}"))
    if value.get("flexible_letting") == "mandatory":
        problems.append(Problem(
            f"{where}.flexible_letting",
            f"mandatory flexible letting is {MANDATORY} (its colours "
            "and share); here give optional or recommended",
        ))
    elif value.get("flexible_letting") not in _FLEXIBLE:
        problems.append(Problem(
            f"{where}.flexible_letting",
            f"expected one of {', '.join(_FLEXIBLE)}",
        ))
    return problems


def _provision(params: ParameterSet, name: str, day: dt.date) -> str:
    """The provision a ``referral.limits.*`` parameter words on ``day`` (else its name)."""
    try:
        value = params.get(name, day, warn=False)
    except (KeyError, NotInForceError):
        return name
    if isinstance(value, Mapping) and isinstance(value.get("provision"), str):
        return str(value["provision"])
    return name


def rules_for(
    colour: str, on: dt.date | str, *, parameters: ParameterSet | None = None
) -> ColourRules:
    """What ``colour`` (green, yellow, red) means on ``on``.

    Every answer comes from the parameters the rest of the library reads
    (:mod:`fuaalborg.colours`): a parameter file that overrides one of them (a
    simulation scenario, a newer agreement) changes it here too. Raises
    :class:`~fuaalborg.errors.ValidationError` for an unknown colour,
    :class:`~fuaalborg.errors.ParameterFileError` for colour rules that
    contradict each other, and :class:`~fuaalborg.errors.NotInForceError` before
    the rules' history (2010).
    """
    params = parameters or load_parameters()
    day = as_date(on, "on")
    if colour not in COLOURS:
        raise ValidationError(f"unknown colour {colour!r}; expected one of {', '.join(COLOURS)}")
    dated = params.lookup(f"colour_rules.{colour}", day)
    problems = _check(colour, dated.value)
    if problems:
        raise ParameterFileError(problems)
    check_colour_rules(params, day)
    v = dated.value
    counting = params.lookup(COUNTING, day, warn=False)
    placement = placements(params, day)[colour]
    mandatory = mandatory_flexible(params, day)
    share = mandatory.share_for(colour)
    limits = (_provision(params, placement.criteria, day),) if placement.criteria else ()
    return ColourRules(
        colour=colour,
        on=day,
        step=int(v["step"]),
        label_da=str(v["label_da"]),
        counts_towards_referral=colour in counting_colours(params, day),
        counts_reference=counting.reference,
        referral_placement=placement.placement,
        referral_limits=limits,
        placement_reference=placement.reference,
        flexible_letting="mandatory" if share is not None else str(v["flexible_letting"]),
        flexible_reference=mandatory.reference if share is not None else str(
            v["flexible_reference"]),
        reading=bool(v["reading"]),
        reference=dated.reference,
        note=dated.note,
        mandatory_flexible_share=share,
    )
