"""What a colour of the step model means for letting: the one dated source, read once.

A department's colour (:data:`fuaalborg.model.COLOURS`) decides three things, each
held by one dated, cited parameter (``colour_rules.toml``):

* :data:`COUNTING` — whether the colour's family-dwelling vacancies count towards
  the municipal referral (almenboligloven § 59, stk. 1; red is exempt under the
  agreement);
* :data:`PLACEMENT` — whether the referral may place households there:
  ``"yes"`` (only the statutory limits), ``"restricted"`` (the agreement applies
  a statutory provision's household criteria too) or ``"no"`` (no placement, BAB
  dwellings included);
* :data:`MANDATORY` — flexible letting by the mandatory employment and education
  criteria (§ 60, stk. 4): the colours, the share of waiting-list lettings and
  the area designations the law names.

Every reader — the letting ledger's routing (:mod:`fuaalborg.letting.routing`),
:func:`~fuaalborg.letting.referral_limits.check_referral`, the ranking, the
criteria registry's statutory agreement, the calendar, the simulation and
:func:`fuaalborg.monitoring.rules_for` — reads them through this module, so a
layered parameter file (a scenario, a newer agreement) changes them all at once.
A value of the wrong form is a :class:`~fuaalborg.errors.ParameterFileError`
listing every problem.

>>> import datetime as dt
>>> from fuaalborg.parameters import load_parameters
>>> params = load_parameters()
>>> counting_colours(params, dt.date(2024, 1, 1))
('green', 'yellow')
>>> placements(params, dt.date(2024, 1, 1))["red"].placement
'no'
>>> rule = mandatory_flexible(params, dt.date(2024, 1, 1))
>>> rule.colours, rule.share, rule.share_for("green")
(('red',), Fraction(1, 1), None)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from fuaalborg.dates import as_date
from fuaalborg.errors import ParameterFileError, Problem, unknown_keys
from fuaalborg.model import COLOURS, Colour
from fuaalborg.parameters import DatedValue, ParameterSet

__all__ = [
    "COUNTING",
    "MANDATORY",
    "PLACEMENT",
    "PLACEMENTS",
    "MandatoryFlexible",
    "ReferralPlacement",
    "check_colour_rules",
    "counting_colours",
    "counting_value",
    "mandatory_flexible",
    "mandatory_history",
    "mandatory_value",
    "placement_value",
    "placements",
]

#: The colours whose family-dwelling vacancies count towards the referral.
COUNTING = "colour_rules.referral_counting"
#: Whether the referral may place households in each colour's departments.
PLACEMENT = "colour_rules.referral_placement"
#: Flexible letting by the mandatory criteria of almenboligloven § 60, stk. 4.
MANDATORY = "colour_rules.mandatory_flexible"
#: The answers of :data:`PLACEMENT`: only the statutory limits, the agreement's
#: restriction by a provision's criteria, or no placement.
PLACEMENTS = ("yes", "restricted", "no")


@attrs.frozen
class ReferralPlacement:
    """Whether the municipal referral may place households in a colour's departments.

    ``placement`` is ``"yes"`` (only the statutory limits of § 59, stk. 6–9),
    ``"restricted"`` (the agreement applies the household criteria of the
    provision parameter ``criteria``, e.g. ``referral.limits.stk7``, there too)
    or ``"no"`` (the referral does not place households there, BAB dwellings
    included).
    """

    colour: Colour
    placement: str
    criteria: str | None
    reference: str
    note: str | None = None

    @property
    def allows(self) -> bool:
        """Whether the referral may place any household here."""
        return self.placement != "no"


@attrs.frozen
class MandatoryFlexible:
    """Flexible letting by the mandatory criteria (§ 60, stk. 4) on a date.

    ``colours`` are the colours whose waiting-list lettings it governs,
    ``share`` the share of them let by it, ``designations`` the area
    designations on the ministry's lists the law names; ``start``/``end`` the
    period of the dated value and ``reference`` its source.
    """

    colours: tuple[Colour, ...]
    share: Fraction
    designations: tuple[str, ...]
    reference: str
    start: dt.date
    end: dt.date | None = None
    note: str | None = None

    def share_for(self, colour: str | None) -> Fraction | None:
        """The mandatory share for a department of ``colour`` (``None``: not mandatory)."""
        return self.share if colour in self.colours else None


def _colour_list(value: Any, where: str, problems: list[Problem]) -> tuple[Colour, ...]:
    if not isinstance(value, Sequence) or isinstance(value, str):
        problems.append(Problem(where, f"expected a list of colours ({', '.join(COLOURS)})"))
        return ()
    unknown = [c for c in value if c not in COLOURS]
    if unknown:
        problems.append(Problem(
            where,
            f"unknown colours {unknown}; expected {', '.join(COLOURS)}",
        ))
    return tuple(c for c in COLOURS if c in value)


def _share(value: Any, where: str, problems: list[Problem]) -> Fraction:
    try:
        share = Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        problems.append(Problem(where, f"{value!r} is not a share written \"a/b\", 0 or 1"))
        return Fraction(0)
    if not 0 <= share <= 1:
        problems.append(Problem(where, f"{value!r} is outside 0–1"))
    return share


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise ParameterFileError(problems)


def counting_value(value: Any) -> tuple[Colour, ...]:
    """The colours of a value of :data:`COUNTING` (in the order of ``COLOURS``)."""
    problems: list[Problem] = []
    colours = _colour_list(value, COUNTING, problems)
    _raise(problems)
    return colours


def placement_value(
    value: Any, reference: str = "", note: str | None = None
) -> dict[Colour, ReferralPlacement]:
    """The :class:`ReferralPlacement` of every colour in a value of :data:`PLACEMENT`."""
    problems: list[Problem] = []
    out: dict[Colour, ReferralPlacement] = {}
    if not isinstance(value, Mapping):
        raise ParameterFileError([Problem(PLACEMENT, "expected a table colour -> { placement }")])
    unknown = sorted(set(value) - set(COLOURS))
    if unknown:
        problems.append(Problem(
            PLACEMENT,
            f"unknown colours {unknown}; expected {', '.join(COLOURS)}",
        ))
    for colour in COLOURS:
        where = f"{PLACEMENT}.{colour}"
        entry = value.get(colour)
        if not isinstance(entry, Mapping):
            problems.append(Problem(where, "missing (a table { placement = \"yes\" })"))
            continue
        problems += unknown_keys(entry, ("placement", "criteria"), where, in_order=True)
        kind = entry.get("placement")
        if kind not in PLACEMENTS:
            problems.append(Problem(
                f"{where}.placement",
                f"expected one of {', '.join(PLACEMENTS)}",
            ))
            continue
        criteria = entry.get("criteria")
        if kind == "restricted" and not (
            isinstance(criteria, str) and criteria.startswith("referral.limits.")
        ):
            problems.append(Problem(
                f"{where}.criteria",
                "a restricted placement names the provision whose "
                "household criteria apply (a referral.limits.* parameter, e.g. "
                "\"referral.limits.stk7\")",
            ))
            continue
        if kind != "restricted" and criteria is not None:
            problems.append(Problem(
                f"{where}.criteria",
                "only a restricted placement names criteria",
            ))
        out[colour] = ReferralPlacement(
            colour, str(kind), criteria if kind == "restricted" else None, reference, note)
    _raise(problems)
    return out


def mandatory_value(
    value: Any, reference: str = "", start: dt.date = dt.date.min,
    end: dt.date | None = None, note: str | None = None,
) -> MandatoryFlexible:
    """The :class:`MandatoryFlexible` of a value of :data:`MANDATORY`."""
    problems: list[Problem] = []
    if not isinstance(value, Mapping):
        raise ParameterFileError(
            [Problem(MANDATORY, "expected a table { colours, share, designations }")])
    problems += unknown_keys(value, ("colours", "share", "designations"), MANDATORY,
                             in_order=True)
    colours = _colour_list(value.get("colours"), f"{MANDATORY}.colours", problems)
    if colours and "share" not in value:
        problems.append(Problem(
            f"{MANDATORY}.share",
            "missing (the share of waiting-list lettings "
            "let by the mandatory criteria, \"1\" for all)",
        ))
    share = _share(value.get("share", 0), f"{MANDATORY}.share", problems)
    designations = value.get("designations", [])
    if not isinstance(designations, Sequence) or isinstance(designations, str) or not all(
        isinstance(d, str) for d in designations
    ):
        problems.append(Problem(
            f"{MANDATORY}.designations",
            "expected a list of area designations",
        ))
        designations = []
    _raise(problems)
    return MandatoryFlexible(colours, share, tuple(designations), reference, start, end, note)


def counting_colours(parameters: ParameterSet, on: dt.date | str) -> tuple[Colour, ...]:
    """The colours whose family-dwelling vacancies count towards the referral on ``on``."""
    return counting_value(parameters.get(COUNTING, as_date(on, "on"), warn=False))


def placements(
    parameters: ParameterSet, on: dt.date | str
) -> dict[Colour, ReferralPlacement]:
    """Where the referral may place households on ``on``, per colour."""
    dated = parameters.lookup(PLACEMENT, as_date(on, "on"), warn=False)
    return placement_value(dated.value, dated.reference, dated.note)


def _mandatory(dated: DatedValue) -> MandatoryFlexible:
    return mandatory_value(dated.value, dated.reference, dated.start, dated.end, dated.note)


def mandatory_flexible(parameters: ParameterSet, on: dt.date | str) -> MandatoryFlexible:
    """Flexible letting by the mandatory criteria (§ 60, stk. 4) in force on ``on``."""
    return _mandatory(parameters.lookup(MANDATORY, as_date(on, "on"), warn=False))


def mandatory_history(parameters: ParameterSet) -> list[MandatoryFlexible]:
    """Every period of :data:`MANDATORY` in force, oldest first (ended periods left out).

    The topmost layer's values win where layers overlap, as in a lookup: each
    period is cut where a higher layer's value starts.
    """
    dated = parameters.history(MANDATORY)
    starts = sorted({d.start for d in dated} | {d.end + dt.timedelta(days=1)
                                                 for d in dated if d.end is not None})
    out: list[MandatoryFlexible] = []
    for i, day in enumerate(starts):
        try:
            found = parameters.lookup(MANDATORY, day, warn=False)
        except LookupError:
            continue
        until = starts[i + 1] - dt.timedelta(days=1) if i + 1 < len(starts) else None
        if found.end is not None and (until is None or found.end < until):
            until = found.end
        rule = attrs.evolve(_mandatory(found), start=day, end=until)
        if out and out[-1].end is not None and out[-1].end + dt.timedelta(days=1) == day and (
            attrs.evolve(out[-1], start=day, end=until) == rule
        ):
            out[-1] = attrs.evolve(out[-1], end=until)
            continue
        out.append(rule)
    return out


def check_colour_rules(parameters: ParameterSet, on: dt.date | str) -> None:
    """Refuse colour rules that contradict each other on ``on``.

    A colour whose vacancies count towards the referral must be one where the
    referral may place households: otherwise the ledger would route vacancies
    to a referral that could never let them.
    """
    day = as_date(on, "on")
    counted = counting_colours(parameters, day)
    placed = placements(parameters, day)
    closed = [c for c in counted if not placed[c].allows]
    if closed:
        raise ParameterFileError([Problem(
            f"{COUNTING} on {day.isoformat()}",
            f"{', '.join(closed)} count towards the referral, but {PLACEMENT} lets the referral "
            "place no household there: a vacancy routed to the referral could never be let by "
            "it; change both together",
        )])
