"""What a colour of the step model means on a date: referral and flexible letting.

The agreement (afsnit 4–5) says a department's colour decides three things:
whether its vacancies are reported to (count towards) the municipal referral,
whether the referral may place citizens there, and whether flexible letting is
optional or mandatory. The answers are parameter data (``colour_rules.toml``),
each with its reference; yellow's answers are the library's reading. Whether a
colour counts towards the referral is read from the dated parameter
``ledger.referral_colours`` — the one the letting ledger uses — so the two
cannot disagree.

>>> rules = rules_for("red", "2024-03-01")
>>> rules.counts_towards_referral, rules.referral_placement, rules.flexible_letting
(False, 'no', 'mandatory')
>>> rules.flexible_reference.split(";")[0]
'Almenboligloven § 60, stk. 4 (beskæftigelses- og uddannelseskriterier)'
>>> rules_for("yellow", "2024-03-01").referral_limits
('Almenboligloven § 59, stk. 7',)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import attrs

from fuaalborg.dates import as_date
from fuaalborg.errors import ParameterFileError, ValidationError
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["ColourRules", "rules_for"]

_PLACEMENT = ("yes", "restricted", "no")
_FLEXIBLE = ("optional", "recommended", "mandatory")
_KEYS = {
    "step": int,
    "label_da": str,
    "counts_reference": str,
    "referral_placement": str,
    "referral_limits": list,
    "placement_reference": str,
    "flexible_letting": str,
    "flexible_reference": str,
    "reading": bool,
}


@attrs.frozen
class ColourRules:
    """The letting rules that follow from a colour on a date, each with its reference.

    ``referral_placement`` is ``"yes"``, ``"restricted"`` (only within the
    statutory household limits named in ``referral_limits``) or ``"no"``;
    ``flexible_letting`` is ``"optional"``, ``"recommended"`` or ``"mandatory"``.
    ``reading`` marks answers that are the library's reading of the agreement.
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

    def describe(self) -> list[str]:
        """The rules as readable lines."""
        counts = "yes" if self.counts_towards_referral else "no (exempt, fritaget)"
        limits = f" ({', '.join(self.referral_limits)})" if self.referral_limits else ""
        head = f"{self.colour} (step {self.step}, {self.label_da}) on {self.on.isoformat()}"
        if self.reading:
            head += " — library reading"
        return [
            head,
            f"  vacancies count towards the referral: {counts} [{self.counts_reference}]",
            f"  referral may place: {self.referral_placement}{limits} [{self.placement_reference}]",
            f"  flexible letting: {self.flexible_letting} [{self.flexible_reference}]",
        ]


def _check(colour: str, value: Any) -> list[str]:
    where = f"colour_rules.{colour}"
    if not isinstance(value, Mapping):
        return [f"{where}: expected a table"]
    # counts_towards_referral is derived from ledger.referral_colours; an older
    # file may still carry it, and rules_for checks that it agrees.
    allowed = set(_KEYS) | {"counts_towards_referral"}
    problems = [f"{where}.{k}: unknown key" for k in sorted(set(value) - allowed)]
    for key, kind in _KEYS.items():
        item = value.get(key)
        if item is None:
            problems.append(f"{where}.{key}: missing")
        elif not isinstance(item, kind) or (kind is int and isinstance(item, bool)):
            problems.append(f"{where}.{key}: {item!r} is not a {kind.__name__}")
    if value.get("referral_placement") not in _PLACEMENT:
        problems.append(f"{where}.referral_placement: expected one of {', '.join(_PLACEMENT)}")
    if value.get("flexible_letting") not in _FLEXIBLE:
        problems.append(f"{where}.flexible_letting: expected one of {', '.join(_FLEXIBLE)}")
    return problems


def rules_for(
    colour: str, on: dt.date | str, *, parameters: ParameterSet | None = None
) -> ColourRules:
    """What ``colour`` (green, yellow, red) means on ``on``.

    ``counts_towards_referral`` is whether ``colour`` is among the colours of
    ``ledger.referral_colours`` on ``on`` (a simulation scenario that overrides
    that parameter changes it here too). Raises
    :class:`~fuaalborg.errors.ValidationError` for an unknown colour and
    :class:`~fuaalborg.errors.NotInForceError` before the agreement (2023).
    """
    params = parameters or load_parameters()
    day = as_date(on, "on")
    name = f"colour_rules.{colour}"
    if name not in params:
        known = sorted(n.split(".", 1)[1] for n in params.names() if n.startswith("colour_rules."))
        raise ValidationError(f"unknown colour {colour!r}; expected one of {', '.join(known)}")
    dated = params.lookup(name, day)
    problems = _check(colour, dated.value)
    v = dated.value
    counts = colour in params.lookup("ledger.referral_colours", day).value
    stated = v.get("counts_towards_referral") if isinstance(v, Mapping) else None
    if stated is not None and stated is not counts:
        problems.append(
            f"colour_rules.{colour}.counts_towards_referral: {stated!r} disagrees with "
            f"ledger.referral_colours on {day.isoformat()} ({counts!r}); remove the key"
        )
    if problems:
        raise ParameterFileError(problems)
    return ColourRules(
        colour=colour,
        on=day,
        step=int(v["step"]),
        label_da=str(v["label_da"]),
        counts_towards_referral=counts,
        counts_reference=str(v["counts_reference"]),
        referral_placement=str(v["referral_placement"]),
        referral_limits=tuple(str(x) for x in v["referral_limits"]),
        placement_reference=str(v["placement_reference"]),
        flexible_letting=str(v["flexible_letting"]),
        flexible_reference=str(v["flexible_reference"]),
        reading=bool(v["reading"]),
        reference=dated.reference,
        note=dated.note,
    )
