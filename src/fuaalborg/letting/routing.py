"""The routing rules of vacancies: municipal referral, flexible and internal/external turns.

This is the core of the letting ledger (:mod:`fuaalborg.letting.ledger`): no
files, no clock. :func:`rule_values` and :func:`rules_on` resolve the rule
values in force on a date into :class:`Rules` (the one place that reads the
routing parameters); the ledger keeps one :class:`Counters` per department and
calls :func:`route_one` for each vacancy; a simulation calls
:func:`route_frame` over a whole stream of vacancies at once. Both use the same
integer arithmetic, and the ledger verifies its log through
:func:`route_frame`, so the two can never drift apart.

The rules (almenboligloven § 59, stk. 1; § 60; udlejningsbekendtgørelsen); what a
colour means is read from the one dated source, :mod:`fuaalborg.colours`:

* A **BAB** dwelling (familiebolig med tilskud) goes to referral and advances no
  counter while the 100 % referral right is in force — in a department whose
  colour lets the referral place households (``colour_rules.referral_placement``).
  In a colour where it may not (red), the BAB dwelling is let from the waiting
  list like the department's other dwellings (reason ``bab_exempt``: the
  library's reading, shared with
  :func:`~fuaalborg.letting.referral_limits.check_referral`). Without the right
  a BAB dwelling counts like any family dwelling.
* A **family** dwelling in a department whose colour counts towards referral
  (``colour_rules.referral_counting``) advances the department's referral
  counter *n*; with referral share ``p = a/b`` the *n*-th counting vacancy goes
  to referral exactly when ``floor(n·a/b) > floor((n−1)·a/b)`` — with 1/4 the
  4th, 8th, 12th … A department in a colour that does not count (red) advances
  nothing; its counter resumes where it stood when the colour changes.
* Every **waiting-list letting** (including a dwelling the municipality declined
  and returned) advances the department's flexible counter *m*: it is let
  flexibly when ``floor(m·f) > floor((m−1)·f)`` with the flexible share ``f``:
  the mandatory share where § 60, stk. 4 governs the colour
  (``colour_rules.mandatory_flexible``: 1 in red departments, always flexible),
  else the department's agreed share or ``ledger.flexible_share``.
* While the internal/external rule is in force, every waiting-list letting also
  advances the turn counter *k*; with internal share ``s`` and the first turn
  internal, the *k*-th letting is internal when ``ceil(k·s) > ceil((k−1)·s)``
  (1st, 3rd, 5th … with 1/2), otherwise by the floor rule. The turn counts
  »hver anden ledige almene familiebolig i boligorganisationen«
  (udlejningsbekendtgørelsen § 7): *k* is the housing organisation's counter
  (``letting.internal_turn_scope`` = ``"organisation"``), or the department's
  where an agreement says so (``"department"``); the department's ``turns``
  counter counts its own turns either way.
* A vacancy **voided** as recorded in error stops counting from the void: each
  counter it advanced goes back by one, and later decisions stand (the
  library's reading, see :doc:`/ledger`).

>>> from fractions import Fraction
>>> [n for n in range(1, 13) if fires(n, Fraction(1, 4))]
[4, 8, 12]
>>> import datetime as dt
>>> from fuaalborg import load_parameters
>>> rules = rules_on(load_parameters(), dt.date(2024, 1, 1))
>>> rules.referral_share, rules.internal_share, rules.turn_scope
(Fraction(1, 4), Fraction(1, 2), 'organisation')
>>> counters, organisation = Counters(), Counters()
>>> routes = []
>>> for _ in range(5):
...     step, counters = route_one(counters, "family", "green", rules,
...                                turn_counters=organisation)
...     organisation = Counters(turns=step.n_turn or organisation.turns)
...     routes.append(step.route if step.route == "referral" else step.turn)
>>> routes
['internal', 'external', 'internal', 'referral', 'external']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa

from fuaalborg import _lazy
from fuaalborg.colours import (
    COUNTING,
    MANDATORY,
    PLACEMENT,
    counting_value,
    mandatory_value,
    placement_value,
)
from fuaalborg.errors import InputError, NotInForceError, Problem, ValidationError
from fuaalborg.formatting import format_value
from fuaalborg.model import COLOURS, ROUTES, SUBROUTES, TURNS
from fuaalborg.parameters import ParameterSet
from fuaalborg.specs import DWELLING_KINDS

__all__ = [
    "COLOURS",
    "COUNTING_REASONS",
    "DWELLING_KINDS",
    "LEGACY_RULE_PARAMETERS",
    "REASON_CODES",
    "ROUTES",
    "ROUTE_CODES",
    "ROUTING_REASONS",
    "RULE_PARAMETERS",
    "SUBROUTES",
    "TURNS",
    "TURN_SCOPES",
    "CodedCounters",
    "CodedRoutes",
    "CounterKey",
    "Counters",
    "Routed",
    "Rules",
    "bab_route",
    "explain",
    "fires",
    "fires_array",
    "internal_turn",
    "route_codes",
    "route_frame",
    "route_one",
    "route_waiting_list",
    "rule_values",
    "rules_from_values",
    "rules_id",
    "rules_on",
    "show_share",
]

#: What the internal/external turn counts: the housing organisation's or the department's
#: waiting-list lettings (``letting.internal_turn_scope``).
TURN_SCOPES = ("organisation", "department")

#: The reason codes of a vacancy that advanced its department's referral counter.
COUNTING_REASONS = frozenset({"referral_turn", "waiting_list_turn"})
#: Reason codes and their English sentences; the ledger fills in ``{…}`` when it
#: explains a decision.
ROUTING_REASONS: Mapping[str, str] = {
    "bab": "BAB dwelling: let by municipal referral ({bab_share}); no counter advances",
    "bab_exempt": (
        "BAB dwelling in a {colour} department, where the referral does not place households: "
        "let from the waiting list; no referral counter advances"
    ),
    "referral_turn": (
        "counting vacancy no. {n_referral} of the department: the referral's turn "
        "(share {referral_share})"
    ),
    "waiting_list_turn": (
        "counting vacancy no. {n_referral} of the department: not the referral's turn "
        "(share {referral_share})"
    ),
    "colour_exempt": (
        "{colour} department: exempt from referral; its referral counter stays at {n_referral}"
    ),
    "returned": "declined by the municipality and returned to the waiting list",
}
#: The parameters a routing decision uses, recorded with every decision.
RULE_PARAMETERS = (
    "referral.share",
    "referral.bab_share",
    COUNTING,
    PLACEMENT,
    "ledger.flexible_share",
    MANDATORY,
    "letting.internal_share",
    "ledger.first_turn",
    "letting.internal_turn_scope",
)
#: The colour parameters a ledger written before colour_rules.* recorded instead:
#: their values are still read when such a ledger is replayed and verified.
LEGACY_RULE_PARAMETERS = ("ledger.referral_colours", "ledger.flexible_share_red")
#: How :func:`route_frame` keys counters: a department by its id, any other scope
#: (an organisation) by ``(scope, key)``.
CounterKey: TypeAlias = str | tuple[str, str]
IntArray: TypeAlias = npt.NDArray[np.int64]
Int8Array: TypeAlias = npt.NDArray[np.int8]
#: Rule parameters that may not be in force on a date (the rule not yet adopted).
_OPTIONAL_RULES = frozenset(
    {"ledger.first_turn", "referral.bab_share", "letting.internal_turn_scope"})


@attrs.frozen
class Rules:
    """The rule values one routing decision uses, resolved from parameters by date.

    Every field is required: the values live in the parameter files, and
    :func:`rules_on` resolves them for a date (change
    one with :func:`attrs.evolve`). ``referral_colours`` count towards the
    referral; the referral may place households in ``placement_colours`` (a
    colour that counts must be one of them); ``mandatory_colours`` are let by
    the mandatory criteria at ``mandatory_share``. ``internal_share`` is
    ``None`` while no internal/external rule is in force: waiting-list lettings
    then take no turn; ``turn_scope`` says whose waiting-list lettings the turn
    counts (the housing organisation's or the department's). ``bab_share`` is
    ``None`` while no 100 % referral right for BAB dwellings is in force.
    """

    referral_share: Fraction
    bab_share: Fraction | None
    referral_colours: tuple[str, ...]
    placement_colours: tuple[str, ...]
    flexible_share: Fraction
    mandatory_colours: tuple[str, ...]
    mandatory_share: Fraction
    internal_share: Fraction | None
    first_turn: str
    turn_scope: str = "department"

    def __attrs_post_init__(self) -> None:
        problems = []
        if self.bab_share is not None and self.bab_share != 1:
            problems.append(Problem(
                "bab_share", f"{self.bab_share} is not supported: BAB dwellings are let 100 % "
                "by referral",
            ))
        for name in ("referral_share", "flexible_share", "mandatory_share"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                problems.append(Problem(name, f"{value} is outside 0–1"))
        if self.internal_share is not None and not 0 <= self.internal_share <= 1:
            problems.append(Problem("internal_share", f"{self.internal_share} is outside 0–1"))
        if self.first_turn not in TURNS:
            problems.append(
                Problem("first_turn", f"{self.first_turn!r} is not internal or external")
            )
        if self.turn_scope not in TURN_SCOPES:
            problems.append(
                Problem("turn_scope", f"{self.turn_scope!r} is not organisation or department")
            )
        for name in ("referral_colours", "placement_colours", "mandatory_colours"):
            unknown = set(getattr(self, name)) - set(COLOURS)
            if unknown:
                problems.append(Problem(name, f"unknown colours {sorted(unknown)}"))
        closed = [c for c in self.referral_colours if c not in self.placement_colours]
        if closed:
            problems.append(Problem(
                "referral_colours",
                f"{', '.join(closed)} count towards the referral but the referral may not place "
                "households there: a vacancy routed to it could never be let by it",
            ))
        if problems:
            raise InputError(problems, head="invalid routing rules: {count}")

    def flexible_share_for(self, colour: str, department_share: Fraction | None = None) -> Fraction:
        """The flexible share for a department of ``colour``.

        Where flexible letting is mandatory for the colour (§ 60, stk. 4) the
        mandatory share; else the department's agreed share, or ``flexible_share``.
        """
        if colour in self.mandatory_colours:
            return self.mandatory_share
        return self.flexible_share if department_share is None else department_share

    @property
    def turns_per_organisation(self) -> bool:
        """Whether a waiting-list letting takes the housing organisation's turn."""
        return self.internal_share is not None and self.turn_scope == "organisation"

    def records_department_share(self, colour: str) -> bool:
        """Whether a department's agreed share decides a letting of ``colour`` (not mandatory)."""
        return colour not in self.mandatory_colours


@attrs.frozen
class Counters:
    """One department's counters (tællere) in the ledger.

    ``referral`` counts family vacancies that counted towards referral;
    ``flexible`` counts waiting-list lettings; ``turns`` counts waiting-list
    lettings under the internal/external rule.
    """

    referral: int = 0
    flexible: int = 0
    turns: int = 0


@attrs.frozen
class Routed:
    """The outcome of routing one vacancy (or one returned dwelling).

    ``n_referral``/``n_flexible``/``n_turn`` are the counter values the decision
    was taken at (``None`` when that counter did not advance); ``turn_scope``
    says whose counter ``n_turn`` is: the organisation's or the department's.
    """

    route: str
    subroute: str | None
    turn: str | None
    reason_code: str
    n_referral: int | None
    n_flexible: int | None
    n_turn: int | None
    turn_scope: str | None = None


def _floor_fires(n: int, share: Fraction) -> bool:
    a, b = share.numerator, share.denominator
    return (n * a) // b > ((n - 1) * a) // b


def fires(n: int, share: Fraction) -> bool:
    """Whether the ``n``-th counted event (from 1) is a turn under ``share``.

    True exactly when ``floor(n·a/b) > floor((n−1)·a/b)`` for ``share = a/b``, so
    that after any ``n`` events exactly ``floor(n·a/b)`` turns have fired.

    >>> [fires(n, Fraction(1, 3)) for n in range(1, 7)]
    [False, False, True, False, False, True]
    """
    if n < 1:
        raise ValueError(f"counter value must be >= 1, got {n}")
    return _floor_fires(n, share)


def internal_turn(k: int, share: Fraction, first_turn: str = "internal") -> bool:
    """Whether the ``k``-th waiting-list letting (from 1) is an internal turn.

    With ``first_turn = "internal"`` internal turns come first:
    ``ceil(k·s) > ceil((k−1)·s)``; otherwise the floor rule of :func:`fires`.
    Either way exactly ``floor(k·s)`` or ``ceil(k·s)`` of the first ``k`` are internal.

    >>> [internal_turn(k, Fraction(1, 2)) for k in range(1, 5)]
    [True, False, True, False]
    """
    if k < 1:
        raise ValueError(f"counter value must be >= 1, got {k}")
    a, b = share.numerator, share.denominator
    if first_turn == "internal":
        return -((-k * a) // b) > -((-(k - 1) * a) // b)
    return _floor_fires(k, share)


def fires_array(
    n: npt.ArrayLike, numerator: npt.ArrayLike, denominator: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`fires`: ``floor(n·a/b) > floor((n−1)·a/b)`` element-wise.

    >>> fires_array([1, 2, 3, 4], 1, 4).tolist()
    [False, False, False, True]
    """
    nn = np.asarray(n, dtype=np.int64)
    a = np.asarray(numerator, dtype=np.int64)
    b = np.asarray(denominator, dtype=np.int64)
    return np.asarray((nn * a) // b > ((nn - 1) * a) // b, dtype=np.bool_)


def _internal_array(
    k: npt.NDArray[np.int64],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    first_internal: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    ceil_now = -((-k * a) // b)
    ceil_before = -((-(k - 1) * a) // b)
    by_ceil = ceil_now > ceil_before
    by_floor = (k * a) // b > ((k - 1) * a) // b
    return np.asarray(np.where(first_internal, by_ceil, by_floor), dtype=np.bool_)


def route_waiting_list(
    counters: Counters,
    colour: str,
    rules: Rules,
    *,
    department_share: Fraction | None = None,
    reason_code: str = "waiting_list_turn",
    n_referral: int | None = None,
    turn_counters: Counters | None = None,
) -> tuple[Routed, Counters]:
    """Route one waiting-list letting: its sub-route and turn, and the department's counters.

    Where the turn counts per housing organisation, ``turn_counters`` are the
    organisation's counters: the turn is decided at their ``turns`` + 1 (the
    returned ``Routed.n_turn``, the organisation's counter after), and the
    department's own ``turns`` counter advances by one.
    """
    m = counters.flexible + 1
    subroute = (
        "flexible" if fires(m, rules.flexible_share_for(colour, department_share)) else "ordinary"
    )
    turn: str | None = None
    k: int | None = None
    scope: str | None = None
    turns = counters.turns
    if rules.internal_share is not None:
        scope = rules.turn_scope
        if scope == "organisation":
            if turn_counters is None:
                raise ValidationError(
                    "the internal/external turn counts per housing organisation: give the "
                    "organisation's counters (turn_counters=)"
                )
            k = turn_counters.turns + 1
        else:
            k = counters.turns + 1
        turns = counters.turns + 1
        turn = "internal" if internal_turn(k, rules.internal_share, rules.first_turn) else (
            "external"
        )
    routed = Routed("waiting_list", subroute, turn, reason_code, n_referral, m, k, scope)
    return routed, attrs.evolve(counters, flexible=m, turns=turns)


def bab_route(kind: str, colour: str, rules: Rules) -> str | None:
    """Where a dwelling of ``kind`` in a department of ``colour`` goes by its kind alone.

    The one decision for BAB dwellings (familieboliger med tilskud), read by the
    ledger's :func:`route_one` and by the ranking: while the 100 % referral right
    is in force (``referral.bab_share``), a BAB dwelling goes to the municipal
    referral (``"referral"``, reason ``bab``) in a colour where the referral
    places households (``colour_rules.referral_placement``), and to the waiting
    list (``"waiting_list"``, reason ``bab_exempt``: the library's reading) in a
    colour where it does not (red). ``None``: the kind decides nothing — a
    family dwelling, or a BAB dwelling while no referral right is in force — and
    the vacancy counts like any family dwelling.

    >>> import datetime as dt
    >>> from fuaalborg import load_parameters
    >>> rules = rules_on(load_parameters(), dt.date(2025, 5, 1))
    >>> bab_route("bab", "green", rules), bab_route("bab", "red", rules)
    ('referral', 'waiting_list')
    >>> bab_route("family", "green", rules) is None
    True
    """
    if kind != "bab" or rules.bab_share is None:
        return None
    return "referral" if colour in rules.placement_colours else "waiting_list"


def route_one(
    counters: Counters,
    kind: str,
    colour: str,
    rules: Rules,
    *,
    department_share: Fraction | None = None,
    turn_counters: Counters | None = None,
) -> tuple[Routed, Counters]:
    """Route one vacancy of a department whose counters stand at ``counters``.

    Returns the decision and the department's counters after it. Where the
    turn counts per housing organisation, ``turn_counters`` are the
    organisation's counters (see :func:`route_waiting_list`).
    """
    if kind not in DWELLING_KINDS:
        raise ValidationError(f"unknown dwelling kind {kind!r}; expected family or bab")
    if colour not in COLOURS:
        raise ValidationError(f"unknown colour {colour!r}; expected green, yellow or red")
    bab = bab_route(kind, colour, rules)
    if bab == "referral":
        return Routed("referral", None, None, "bab", None, None, None), counters
    if bab == "waiting_list":
        return route_waiting_list(
            counters, colour, rules, department_share=department_share, reason_code="bab_exempt",
            turn_counters=turn_counters,
        )
    if colour not in rules.referral_colours:
        return route_waiting_list(
            counters, colour, rules, department_share=department_share,
            reason_code="colour_exempt", n_referral=counters.referral,
            turn_counters=turn_counters,
        )
    n = counters.referral + 1
    counters = attrs.evolve(counters, referral=n)
    if fires(n, rules.referral_share):
        return Routed("referral", None, None, "referral_turn", n, None, None), counters
    return route_waiting_list(
        counters, colour, rules, department_share=department_share, n_referral=n,
        turn_counters=turn_counters,
    )


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(value)
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    raise ValidationError(f"expected an exact fraction such as '1/4', got {value!r}")


# ---------------------------------------------------------------------------
# Resolving the rules in force on a date


def show_share(value: Any) -> str:
    """A share as the parameter files write it: ``"1/4"``, ``"1"``
    (:func:`~fuaalborg.formatting.format_value`).

    >>> show_share(Fraction(1, 4)), show_share(Fraction(1))
    ('1/4', '1')
    """
    return format_value(value)


def rule_values(parameters: ParameterSet, on: dt.date) -> dict[str, Any]:
    """The value, period and reference of every routing parameter in force on ``on``.

    This is what a ``rules`` event of the ledger records; a rule not yet in force
    on the date (the first internal/external turn, the BAB share) has the value
    ``None``.
    """
    values: dict[str, Any] = {}
    for name in RULE_PARAMETERS:
        try:
            dated = parameters.lookup(name, on, warn=False)
        except NotInForceError:
            if name not in _OPTIONAL_RULES:
                raise
            values[name] = {"value": None, "reference": "not in force on this date"}
            continue
        value = dated.value
        shown: Any = show_share(value) if isinstance(value, Fraction) else value
        values[name] = {
            "value": shown,
            "from": dated.start.isoformat(),
            "until": dated.end.isoformat() if dated.end else None,
            "reference": dated.reference,
        }
    return values


def rules_id(values: Mapping[str, Any]) -> str:
    """The id a ledger gives a set of rule values: a hash of their canonical JSON."""
    text = json.dumps(values, sort_keys=True, ensure_ascii=False)
    return "r" + hashlib.sha256(text.encode()).hexdigest()[:12]


def rules_from_values(values: Mapping[str, Any]) -> Rules:
    """The :class:`Rules` of recorded rule values (a ledger's ``rules`` event).

    Rule values recorded before the colour rules had one source
    (:data:`LEGACY_RULE_PARAMETERS`) are read as they were written: every
    colour counted or not as ``ledger.referral_colours`` said, BAB dwellings
    went to the referral in every colour, and red departments were let at
    ``ledger.flexible_share_red``.
    """

    def frac(name: str) -> Fraction:
        return Fraction(str(values[name]["value"]))

    internal = values["letting.internal_share"]["value"]
    bab = values["referral.bab_share"]["value"]
    first = values["ledger.first_turn"]["value"]
    # a ledger written before the scope was a rule counted every turn per department
    scope = values.get("letting.internal_turn_scope", {}).get("value") or "department"
    if COUNTING in values:
        counted = counting_value(values[COUNTING]["value"])
        placed = tuple(c for c, p in placement_value(values[PLACEMENT]["value"]).items()
                       if p.allows)
        mandatory = mandatory_value(values[MANDATORY]["value"])
        mandatory_colours, mandatory_share = mandatory.colours, mandatory.share
    else:
        counted = tuple(values["ledger.referral_colours"]["value"])
        placed = COLOURS
        mandatory_colours, mandatory_share = ("red",), frac("ledger.flexible_share_red")
    return Rules(
        referral_share=frac("referral.share"),
        bab_share=None if bab is None else Fraction(str(bab)),
        referral_colours=counted,
        placement_colours=placed,
        flexible_share=frac("ledger.flexible_share"),
        mandatory_colours=mandatory_colours,
        mandatory_share=mandatory_share,
        internal_share=None if internal is None else Fraction(str(internal)),
        first_turn=str(first) if first is not None else "internal",
        turn_scope=str(scope),
    )


def rules_on(parameters: ParameterSet, on: dt.date) -> Rules:
    """The routing rules in force on ``on``: the same resolution the ledger records.

    >>> from fuaalborg import load_parameters
    >>> rules_on(load_parameters(), dt.date(2026, 1, 1)).referral_colours
    ('green', 'yellow')
    """
    return rules_from_values(rule_values(parameters, on))


def explain(
    reason_code: str,
    rules: Rules,
    *,
    colour: str,
    route: str | None,
    subroute: str | None = None,
    turn: str | None = None,
    n_referral: int | None = None,
    n_flexible: int | None = None,
    n_turn: int | None = None,
    department_share: str | None = None,
) -> str:
    """The sentence that explains one routing decision (a ledger's ``Decision.reason``).

    >>> from fuaalborg import load_parameters
    >>> rules = rules_on(load_parameters(), dt.date(2024, 1, 1))
    >>> explain("referral_turn", rules, colour="green", route="referral", n_referral=8)
    "counting vacancy no. 8 of the department: the referral's turn (share 1/4)"
    """
    text = ROUTING_REASONS[reason_code].format(
        n_referral=n_referral,
        referral_share=show_share(rules.referral_share),
        bab_share=show_share(rules.bab_share or 0),
        colour=colour,
    )
    if route == "waiting_list":
        share = rules.flexible_share_for(
            colour, Fraction(department_share) if department_share else None
        )
        text += (
            f"; waiting-list letting no. {n_flexible} of the department: "
            f"{subroute} (flexible share {show_share(share)})"
        )
        if turn:
            whose = "the housing organisation's " if rules.turns_per_organisation else ""
            text += (
                f"; {turn} turn ({whose}no. {n_turn}, internal share "
                f"{show_share(rules.internal_share)})"
            )
    return text


# ---------------------------------------------------------------------------
# The vectorised core: integer codes inside, text only at the edges


def _int64(values: npt.ArrayLike) -> IntArray:
    return np.asarray(values, dtype=np.int64)


@attrs.frozen(eq=False)
class CodedCounters:
    """The counters of many departments and housing organisations, by integer code.

    Department *d*'s :class:`Counters` are ``referral[d]``, ``flexible[d]`` and
    ``turns[d]``; housing organisation *o*'s internal/external turn counter is
    ``organisation_turns[o]``. This is the state :func:`route_codes` takes
    before a stream and returns after it, so that a caller routing stream after
    stream (a simulation, year by year) never turns its counters into text.

    >>> start = CodedCounters.zeros(2, 1)
    >>> start.department(1), start.organisation(0)
    (Counters(referral=0, flexible=0, turns=0), Counters(referral=0, flexible=0, turns=0))
    """

    referral: IntArray = attrs.field(converter=_int64)
    flexible: IntArray = attrs.field(converter=_int64)
    turns: IntArray = attrs.field(converter=_int64)
    organisation_turns: IntArray = attrs.field(converter=_int64)

    def __attrs_post_init__(self) -> None:
        shapes = {a.shape for a in (self.referral, self.flexible, self.turns)}
        if len(shapes) != 1 or self.referral.ndim != 1 or self.organisation_turns.ndim != 1:
            raise ValidationError(
                "CodedCounters: referral, flexible and turns need one value per department")

    @classmethod
    def zeros(cls, departments: int, organisations: int = 0) -> CodedCounters:
        """Every counter of ``departments`` departments and ``organisations`` organisations at 0."""
        zero = np.zeros(departments, dtype=np.int64)
        return cls(zero, zero.copy(), zero.copy(), np.zeros(organisations, dtype=np.int64))

    @property
    def departments(self) -> int:
        """How many departments the counters hold."""
        return len(self.referral)

    @property
    def organisations(self) -> int:
        """How many housing organisations the counters hold."""
        return len(self.organisation_turns)

    def department(self, code: int) -> Counters:
        """Department ``code``'s counters."""
        return Counters(int(self.referral[code]), int(self.flexible[code]), int(self.turns[code]))

    def organisation(self, code: int) -> Counters:
        """Organisation ``code``'s counters (only ``turns`` is kept for an organisation)."""
        return Counters(turns=int(self.organisation_turns[code]))


@attrs.frozen(eq=False)
class CodedRoutes:
    """The decisions of :func:`route_codes`: one integer code per row, ``-1`` for none.

    ``route`` indexes :data:`ROUTE_CODES`, ``subroute`` :data:`~fuaalborg.model.SUBROUTES`,
    ``turn`` :data:`~fuaalborg.model.TURNS`, ``reason`` :data:`REASON_CODES` and ``turn_scope``
    :data:`TURN_SCOPES` (whose counter ``n_turn`` is). ``n_referral``,
    ``n_flexible``, ``n_turn`` and ``n_organisation_turn`` are the counter values
    as :func:`route_frame` shows them (``-1`` where it shows none; a counter is
    never negative). ``counters`` are every department's and organisation's
    counters after the stream.
    """

    route: Int8Array
    subroute: Int8Array
    turn: Int8Array
    reason: Int8Array
    turn_scope: Int8Array
    n_referral: IntArray
    n_flexible: IntArray
    n_turn: IntArray
    n_organisation_turn: IntArray
    counters: CodedCounters


#: The route codes of :func:`route_codes`: :data:`~fuaalborg.model.ROUTES` and a void's ``"void"``.
ROUTE_CODES = (*ROUTES, "void")
#: The reason codes of :func:`route_codes`: the codes of :data:`ROUTING_REASONS` and a
#: void's ``"void"``.
REASON_CODES = (*ROUTING_REASONS, "void")
_BAB = DWELLING_KINDS.index("bab")
_REFERRAL, _WAITING, _VOID = (ROUTE_CODES.index(r) for r in ("referral", "waiting_list", "void"))
_FLEXIBLE, _ORDINARY = SUBROUTES.index("flexible"), SUBROUTES.index("ordinary")
_INTERNAL, _EXTERNAL = TURNS.index("internal"), TURNS.index("external")
_BY_ORGANISATION, _BY_DEPARTMENT = (TURN_SCOPES.index("organisation"),
                                    TURN_SCOPES.index("department"))
_REASON = {code: np.int8(REASON_CODES.index(code)) for code in REASON_CODES}
#: Department codes up to this many sort by radix (16-bit keys): the streams' usual case.
_SMALL_CODES = 1 << 16


def _stable_order(codes: IntArray, size: int) -> npt.NDArray[np.intp]:
    """The stable order of ``codes`` (all in ``0 .. size - 1``)."""
    if size <= _SMALL_CODES:
        return np.argsort(codes.astype(np.uint16), kind="stable")
    return np.argsort(codes, kind="stable")


class _Segments:
    """Rows sorted by a code, and running counts per code in that order."""

    def __init__(self, codes: IntArray) -> None:
        n = len(codes)
        head = np.ones(n, dtype=bool)
        head[1:] = codes[1:] != codes[:-1]
        self.first = np.flatnonzero(head)
        self.last = np.append(self.first[1:] - 1, n - 1) if n else self.first
        self.code = codes[self.first]
        self.sizes = np.diff(np.append(self.first, n))

    def running(self, steps: IntArray, start: IntArray) -> IntArray:
        """Each row's counter after it: the code's ``start`` plus its steps so far."""
        total = np.cumsum(steps)
        before = total[self.first] - steps[self.first]
        return np.asarray(total + np.repeat(start[self.code] - before, self.sizes),
                          dtype=np.int64)

    def after(self, values: IntArray, start: IntArray) -> IntArray:
        """``start`` with each code's counter after its last row."""
        out = start.copy()
        out[self.code] = values[self.last]
        return out


#: A share whose denominator is at most this is decided by a table of the residues.
_TABLE_DENOMINATOR = 4096


def _turn_of(n: IntArray, a: Any, b: Any, first: bool) -> npt.NDArray[np.bool_]:
    """Whether counter value ``n`` is a turn under the share ``a/b`` (one, or one per row).

    By the floor rule of :func:`fires` (``first=False``) or the ceiling rule of
    :func:`internal_turn` with the first turn its own (``first=True``). Both
    repeat with period ``b`` — ``floor((n+b)·a/b) = floor(n·a/b) + a``, and the
    same for the ceiling — so for one share a table of ``b`` residues decides
    every row: one integer division instead of four.
    """
    if np.ndim(a) == 0 and np.ndim(b) == 0 and 0 < b <= _TABLE_DENOMINATOR:
        a, b = int(a), int(b)
        if a in (0, b):
            return np.full(len(n), a != 0)
        residues = range(b)
        if first:
            table = [-((-r * a) // b) > -((-(r - 1) * a) // b) for r in residues]
        else:
            table = [(r * a) // b > ((r - 1) * a) // b for r in residues]
        return np.asarray(np.asarray(table, dtype=np.bool_)[n - (n // b) * b], dtype=np.bool_)
    if first:
        return np.asarray(-((-n * a) // b) > -((-(n - 1) * a) // b), dtype=np.bool_)
    return np.asarray((n * a) // b > ((n - 1) * a) // b, dtype=np.bool_)


def _fires_codes(n: IntArray, a: Any, b: Any) -> npt.NDArray[np.bool_]:
    """:func:`fires_array` with ``a``/``b`` one value or one per row."""
    return _turn_of(n, a, b, first=False)


def _internal_codes(k: IntArray, a: Any, b: Any, first_internal: Any) -> npt.NDArray[np.bool_]:
    """:func:`internal_turn` over counter values ``k`` (``_internal_array``, by rows)."""
    k = np.maximum(k, 1)
    b = np.maximum(b, 1)
    if np.ndim(first_internal) == 0:
        return _turn_of(k, a, b, first=bool(first_internal))
    return np.asarray(np.where(first_internal, _turn_of(k, a, b, first=True),
                               _turn_of(k, a, b, first=False)), dtype=np.bool_)


def route_codes(
    department: npt.ArrayLike,
    kind: npt.ArrayLike,
    colour: npt.ArrayLike,
    rules: Rules | Sequence[Rules],
    rule: npt.ArrayLike | None = None,
    *,
    organisation: npt.ArrayLike | None = None,
    returned: npt.ArrayLike | None = None,
    own_share: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
    undoes: Sequence[tuple[int, Sequence[int]]] = (),
    start: CodedCounters | None = None,
) -> CodedRoutes:
    """Route a stream of vacancies given as integer codes: the core of :func:`route_frame`.

    One entry per row, in the order the events happen: ``department`` (a code
    from 0), ``kind`` (its position in :data:`~fuaalborg.specs.DWELLING_KINDS`) and ``colour``
    (in :data:`~fuaalborg.model.COLOURS`); ``rules`` is one :class:`Rules` for every row, or a
    sequence with ``rule`` giving each row's position in it. Optional:
    ``organisation`` (the department's housing organisation, a code from 0, or
    -1 for none: required where the rules count the turn per organisation),
    ``returned`` (a dwelling the municipality declined, let from the waiting
    list without touching the referral counter), ``own_share`` (each row's
    department's own flexible share as numerators and denominators, a
    denominator of 0 where it has none), ``undoes`` (each void's row and the
    earlier rows of the vacancy it takes back) and ``start`` (the counters
    before the stream; zero by default). The rules are those of
    :func:`route_one`, in the same integer arithmetic; :func:`route_frame`
    codes a frame of text, calls this and shows the codes as text again.

    >>> from fuaalborg import load_parameters
    >>> rules = rules_on(load_parameters(), dt.date(2024, 1, 1))
    >>> out = route_codes([0] * 8, [0] * 8, [0] * 8, rules, organisation=[0] * 8)
    >>> [ROUTE_CODES[r] for r in out.route].count("referral"), out.counters.department(0)
    (2, Counters(referral=8, flexible=6, turns=6))
    """
    return _route_codes(department, kind, colour, rules, rule, organisation=organisation,
                        returned=returned, own_share=own_share, undoes=undoes, start=start,
                        caller="route_codes")


def _route_codes(
    department: npt.ArrayLike,
    kind: npt.ArrayLike,
    colour: npt.ArrayLike,
    rules: Rules | Sequence[Rules],
    rule: npt.ArrayLike | None,
    *,
    organisation: npt.ArrayLike | None,
    returned: npt.ArrayLike | None,
    own_share: tuple[npt.ArrayLike, npt.ArrayLike] | None,
    undoes: Sequence[tuple[int, Sequence[int]]],
    start: CodedCounters | None,
    caller: str,
) -> CodedRoutes:
    problems: list[str] = []

    def coded(values: npt.ArrayLike, name: str) -> npt.NDArray[Any]:
        array = np.asarray(values)
        if array.dtype.kind in "iub" or array.size == 0:
            return array.astype(np.int64) if array.dtype.kind == "b" or array.size == 0 else array
        problems.append(f"{name} codes must be integers, not {array.dtype}")
        return np.zeros(array.shape, dtype=np.int64)

    dep = coded(department, "department").astype(np.int64, copy=False)
    kinds = coded(kind, "kind")
    colours = coded(colour, "colour")
    n = len(dep)
    rule_list = [rules] if isinstance(rules, Rules) else list(rules)
    if dep.ndim != 1 or kinds.shape != dep.shape or colours.shape != dep.shape:
        raise ValidationError(f"{caller}: department, kind and colour need one value per row")
    if n and dep.min() < 0:
        problems.append("a department code below 0")
    if n and (kinds.min() < 0 or kinds.max() >= len(DWELLING_KINDS)):
        problems.append("a kind code outside 0–1 (family, bab)")
    if n and (colours.min() < 0 or colours.max() >= len(COLOURS)):
        problems.append("a colour code outside 0–2 (green, yellow, red)")
    if not rule_list:
        problems.append("no rules")

    def per_row(values: npt.ArrayLike | None, name: str, low: int, high: int | None,
                outside: str) -> IntArray | None:
        """An optional column of codes, one per row, from ``low`` to ``high``."""
        if values is None:
            return None
        array = coded(values, name).astype(np.int64, copy=False)
        if array.shape != dep.shape:
            problems.append(f"{name} needs one value per row")
        elif n and (array.min() < low or (high is not None and array.max() > high)):
            problems.append(outside)
        return array

    last = len(rule_list) - 1
    ridx = per_row(rule, "rule", 0, last, f"a rule position outside 0–{last}")
    if rule is None and len(rule_list) != 1:
        problems.append("several rules need each row's rule")
    org = per_row(organisation, "organisation", -1, None, "an organisation code below -1")
    for name, values in (("returned", returned),
                         *(() if own_share is None else (("own_share", own_share[0]),
                                                         ("own_share", own_share[1])))):
        if values is not None and np.shape(values) != dep.shape:
            problems.append(f"{name} needs one value per row")
    if start is None:
        start = CodedCounters.zeros(int(dep.max()) + 1 if n else 0,
                                    int(org.max()) + 1 if org is not None and n else 0)
    else:
        if n and dep.max() >= start.departments:
            problems.append(f"a department code beyond the {start.departments} counters of start")
        if org is not None and n and org.max() >= start.organisations:
            problems.append(
                f"an organisation code beyond the {start.organisations} counters of start")
    bad_undo = [pos + 1 for pos, rows in undoes
                if not 0 <= pos < n or any(r < 0 or r >= pos or dep[r] != dep[pos] for r in rows)]
    if bad_undo:
        problems.append(
            f"a void must undo earlier rows of its own department (rows {bad_undo[:10]})")
    if problems:
        raise ValidationError(f"{caller}: " + "; ".join(problems))

    # --- the rules as numbers, a scalar where one rules object covers every row
    def pick(values: list[Any], dtype: Any = np.int64) -> Any:
        table = np.asarray(values, dtype=dtype)
        return table[0] if ridx is None else table[ridx]

    def colour_set(name: str) -> npt.NDArray[np.bool_]:
        table = np.asarray([[c in getattr(r, name) for c in COLOURS] for r in rule_list])
        if ridx is None:
            return np.asarray(table[0][colours], dtype=np.bool_)
        return np.asarray(table.ravel()[ridx * len(COLOURS) + colours], dtype=np.bool_)

    ref_a = pick([r.referral_share.numerator for r in rule_list])
    ref_b = pick([r.referral_share.denominator for r in rule_list])
    bab_right = pick([r.bab_share is not None for r in rule_list], np.bool_)
    has_turn = pick([r.internal_share is not None for r in rule_list], np.bool_)
    int_a = pick([(r.internal_share or Fraction(0)).numerator for r in rule_list])
    int_b = pick([(r.internal_share or Fraction(0)).denominator for r in rule_list])
    first_internal = pick([r.first_turn == "internal" for r in rule_list], np.bool_)
    by_org = pick([r.turns_per_organisation for r in rule_list], np.bool_)
    counts_colour = colour_set("referral_colours")
    placeable = colour_set("placement_colours")
    mandatory = colour_set("mandatory_colours")

    def flexible_fires(m: IntArray) -> npt.NDArray[np.bool_]:
        # the mandatory share where § 60, stk. 4 governs the colour, else the
        # department's own share, else the rules' flexible share
        m = np.maximum(m, 1)
        out = _fires_codes(m, pick([r.flexible_share.numerator for r in rule_list]),
                           pick([r.flexible_share.denominator for r in rule_list]))
        if own_share is not None:
            own_a, own_b = _int64(own_share[0]), _int64(own_share[1])
            has_own = own_b > 0
            out = np.where(has_own, _fires_codes(m, own_a, np.maximum(own_b, 1)), out)
        if mandatory.any():
            out = np.where(mandatory, _fires_codes(
                m, pick([r.mandatory_share.numerator for r in rule_list]),
                pick([r.mandatory_share.denominator for r in rule_list])), out)
        return out

    # --- what each row is, before any counter
    is_void = np.zeros(n, dtype=bool)
    for pos, _rows in undoes:
        is_void[pos] = True
    back = (np.zeros(n, dtype=bool) if returned is None
            else np.asarray(returned, dtype=bool))
    active = ~(back | is_void)
    is_bab_kind = kinds == _BAB
    bab_kind = is_bab_kind & bab_right & active
    is_bab = bab_kind & placeable
    bab_exempt = bab_kind & ~placeable
    counting = ~(is_bab_kind & bab_right) & counts_colour & active

    # --- the department counters: running counts per department in time order
    order = _stable_order(dep, start.departments)
    by_dep = _Segments(dep[order])

    def steps(flag: npt.NDArray[np.bool_]) -> IntArray:
        # +1 where a row advances the counter; a void takes back what its rows added
        out = flag.astype(np.int64)
        for pos, rows in undoes:
            out[pos] = -int(flag[list(rows)].sum())
        return out

    def running(flag: npt.NDArray[np.bool_], counter: IntArray) -> tuple[IntArray, IntArray]:
        # each row's counter after it (time order) and the counters after the stream
        sorted_values = by_dep.running(steps(flag)[order], counter)
        values = np.empty(n, dtype=np.int64)
        values[order] = sorted_values
        return values, by_dep.after(sorted_values, counter)

    n_ref, end_ref = running(counting, start.referral)
    referral = is_bab | (counting & _fires_codes(n_ref, ref_a, ref_b))
    waiting = ~(referral | is_void)
    n_flex, end_flex = running(waiting, start.flexible)
    flexible = waiting & flexible_fires(n_flex)
    turning = waiting & has_turn
    n_turn, end_turn = running(turning, start.turns)

    # --- the turn of udlejningsbekendtgørelsen § 7: the organisation's counter where the
    # rules count per organisation, else the department's (which counts every turn)
    org_turning = turning & by_org
    n_org = np.full(n, -1, dtype=np.int64)
    end_org = start.organisation_turns
    counted_org = org_turning
    if org_turning.any():
        if org is None:
            org = np.full(n, -1, dtype=np.int64)
        lacking = org_turning & (org < 0)
        if lacking.any():
            shown = (np.flatnonzero(lacking) + 1).tolist()[:10]
            raise ValidationError(
                f"{caller}: the internal/external turn counts per housing organisation "
                f"(letting.internal_turn_scope) but rows {shown} have no organisation_id"
            )
        org_steps = steps(org_turning)
        for pos, rows in undoes:
            if any(org_turning[r] and org[r] != org[pos] for r in rows):
                raise ValidationError(
                    f"{caller}: the void in row {pos + 1} takes back an organisation's turn: "
                    "it must carry that organisation_id"
                )
        counted_org = org_steps != 0
        rows_org = np.flatnonzero(counted_org)  # in time order
        within = _stable_order(org[rows_org], start.organisations)
        by_organisation = _Segments(org[rows_org][within])
        sorted_values = by_organisation.running(org_steps[rows_org][within], end_org)
        n_org[rows_org[within]] = sorted_values
        end_org = by_organisation.after(sorted_values, end_org)
    k = np.where(org_turning, n_org, n_turn)
    internal = turning & _internal_codes(k, int_a, int_b, first_internal)

    # --- the decisions as codes
    none = np.int8(-1)
    reason = np.where(counting, np.where(referral, _REASON["referral_turn"],
                                         _REASON["waiting_list_turn"]),
                      _REASON["colour_exempt"])
    reason[bab_exempt] = _REASON["bab_exempt"]
    reason[is_bab] = _REASON["bab"]
    reason[back] = _REASON["returned"]
    reason[is_void] = _REASON["void"]
    route = np.where(referral, np.int8(_REFERRAL), np.int8(_WAITING))
    route[is_void] = _VOID
    return CodedRoutes(
        route=route,
        subroute=np.where(waiting, np.where(flexible, np.int8(_FLEXIBLE), np.int8(_ORDINARY)),
                          none),
        turn=np.where(turning, np.where(internal, np.int8(_INTERNAL), np.int8(_EXTERNAL)), none),
        reason=reason,
        turn_scope=np.where(turning, np.where(org_turning, np.int8(_BY_ORGANISATION),
                                              np.int8(_BY_DEPARTMENT)), none),
        n_referral=np.where(bab_kind | back, -1, n_ref),
        n_flexible=np.where(waiting | is_void, n_flex, -1),
        n_turn=np.where(turning | is_void, k, -1),
        n_organisation_turn=np.where(counted_org, n_org, -1),
        counters=CodedCounters(end_ref, end_flex, end_turn, end_org),
    )


def _dedup_rules(rules: Rules | Sequence[Rules], n_rows: int
                 ) -> tuple[list[Rules], IntArray | None]:
    """The distinct rules of a stream and each row's position among them."""
    if isinstance(rules, Rules):
        return [rules], None
    if len(rules) != n_rows:
        raise ValidationError("route_frame: give one Rules per row or a single Rules")
    # by identity first (the same object on most rows), then by value
    by_object: dict[int, int] = {}
    by_value: dict[Rules, int] = {}
    rule_list: list[Rules] = []
    idx = []
    for r in rules:
        pos = by_object.get(id(r))
        if pos is None:
            pos = by_value.get(r)
            if pos is None:
                pos = by_value[r] = len(rule_list)
                rule_list.append(r)
            by_object[id(r)] = pos
        idx.append(pos)
    return rule_list, np.asarray(idx, dtype=np.int64)


def _coded(column: pd.Series[Any], names: Sequence[str]) -> IntArray:
    """A text column as positions in ``names`` (``-1`` for anything else)."""
    codes, uniques = pd.factorize(column.astype(str), sort=False)
    table = np.asarray([names.index(u) if u in names else -1 for u in uniques.tolist()] or [-1],
                       dtype=np.int64)
    return np.asarray(table[codes], dtype=np.int64)


def _own_shares(frame: pd.DataFrame) -> tuple[IntArray, IntArray] | None:
    """Each row's own flexible share as numerator and denominator (0 where it has none)."""
    if "flexible_share" not in frame.columns:
        return None
    own = frame["flexible_share"].astype(object)
    own = own.where(own.notna(), None)
    own_codes, own_values = pd.factorize(own.astype(str).where(own.notna(), ""))
    parsed = [None if v == "" else _fraction(v) for v in own_values.tolist()]
    own_a = np.asarray([0 if f is None else f.numerator for f in parsed] or [0], dtype=np.int64)
    own_b = np.asarray([0 if f is None else f.denominator for f in parsed] or [0],
                       dtype=np.int64)
    return own_a[own_codes], own_b[own_codes]


#: The dtype pandas gives a column of text built from a NumPy text array (``str``).
_TEXT = pd.Series(np.asarray(["text"])).dtype


def _shown(codes: npt.NDArray[Any], names: Sequence[str], index: pd.Index[Any],
           dtype: Any) -> pd.Series[Any]:
    """Codes as a text column of ``dtype`` (missing where the code is -1)."""
    missing = codes < 0
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        # by position from the few names, in Arrow: no Python string per row
        taken = pa.array(list(names), pa.large_string()).take(
            pa.array(codes, mask=missing if missing.any() else None))
        return pd.Series(pd.array(taken, dtype=dtype), index=index)
    values = np.asarray(list(names), dtype=object)[np.maximum(codes, 0)]
    shown: pd.Series[Any] = pd.Series(values, index=index, dtype=dtype).where(~missing)
    return shown


def _shown_number(values: IntArray, index: pd.Index[Any]) -> pd.Series[Any]:
    """Counter values as an ``Int64`` column, missing where -1 (a counter is never negative)."""
    return pd.Series(pd.arrays.IntegerArray(values, values < 0), index=index)


def route_frame(
    frame: pd.DataFrame,
    rules: Rules | Sequence[Rules],
    start: Mapping[CounterKey, Counters] | None = None,
) -> tuple[pd.DataFrame, dict[CounterKey, Counters]]:
    """Route a stream of vacancies at once, vectorised; the same rules as :func:`route_one`.

    ``frame`` has one row per event in the order they happen, with columns
    ``department_id``, ``kind`` (family/bab) and ``colour``; optional
    ``returned`` (True for a dwelling the municipality declined, let from the
    waiting list without touching the referral counter) and ``flexible_share``
    (a department's own share, as a Fraction or ``"a/b"``) and ``undoes`` (for
    a void: the positions of the earlier rows of the voided vacancy, whose
    counting it takes back; empty or missing otherwise) and ``organisation_id``
    (the department's housing organisation: required on rows whose rules count
    the turn per organisation). ``rules`` is one :class:`Rules` for every row
    or a sequence with one per row. ``start`` gives the counters before the
    stream: a department's by its id, an organisation's by
    ``("organisation", id)``.

    Returns a frame (same index) with ``route``, ``subroute``, ``turn``,
    ``reason_code``, ``n_referral``, ``n_flexible``, ``n_turn``,
    ``turn_scope`` (whose counter ``n_turn`` is) and ``n_organisation_turn``
    (the organisation's turn counter after a row that counted it, or after a
    void that took a turn back from it), and the counters after the stream,
    keyed as ``start``. A void's row has the route and reason ``"void"`` and
    the department's counters after it.

    The text is only the edge: departments, organisations, kinds, colours
    and rules become integer codes, :func:`route_codes` routes them, and its
    codes are shown as text again.

    >>> from fuaalborg import load_parameters
    >>> rules = rules_on(load_parameters(), dt.date(2024, 1, 1))
    >>> stream = pd.DataFrame({"department_id": ["A"] * 8, "kind": "family", "colour": "green",
    ...                        "organisation_id": "31831814"})
    >>> out, end = route_frame(stream, rules)
    >>> out["route"].tolist().count("referral"), end["A"]
    (2, Counters(referral=8, flexible=6, turns=6))
    >>> two = pd.DataFrame({"department_id": ["A", "B", "A"], "kind": "family",
    ...                     "colour": "green", "organisation_id": "31831814"})
    >>> out, end = route_frame(two, rules)
    >>> out["turn"].tolist(), end[("organisation", "31831814")].turns
    (['internal', 'external', 'internal'], 3)
    """
    n_rows = len(frame)
    missing = [c for c in ("department_id", "kind", "colour") if c not in frame.columns]
    if missing:
        raise ValidationError(f"route_frame: missing columns {', '.join(missing)}")
    kinds = _coded(frame["kind"], DWELLING_KINDS)
    colours = _coded(frame["colour"], COLOURS)
    bad = (kinds < 0) | (colours < 0)
    if bad.any():
        rows = (np.flatnonzero(bad) + 1).tolist()[:10]
        raise ValidationError(f"route_frame: unknown kind or colour in rows {rows}")
    rule_list, rule_idx = _dedup_rules(rules, n_rows)
    codes, uniques = pd.factorize(frame["department_id"].astype(str), sort=False)
    if "organisation_id" in frame.columns:  # None or NaN: no organisation (code -1)
        org_codes, org_uniques = pd.factorize(frame["organisation_id"], sort=False)
        organisation: IntArray | None = np.asarray(org_codes, dtype=np.int64)
    else:
        org_uniques, organisation = pd.Index([]), None
    start = start or {}
    departments = [start.get(str(d), Counters()) for d in uniques]
    organisations = [str(o) for o in org_uniques]
    coded_start = CodedCounters(
        [c.referral for c in departments], [c.flexible for c in departments],
        [c.turns for c in departments],
        [start.get(("organisation", o), Counters()).turns for o in organisations],
    )
    returned = (
        frame["returned"].fillna(False).astype(bool).to_numpy()
        if "returned" in frame.columns
        else None
    )
    routed = _route_codes(
        codes, kinds, colours, rule_list, rule_idx, organisation=organisation,
        returned=returned, own_share=_own_shares(frame),
        undoes=_undo_rows(frame) if "undoes" in frame.columns else [],
        start=coded_start, caller="route_frame",
    )
    index = frame.index
    out = pd.DataFrame(
        {
            "route": _shown(routed.route, ROUTE_CODES, index, _TEXT),
            "subroute": _shown(routed.subroute, SUBROUTES, index, "string"),
            "turn": _shown(routed.turn, TURNS, index, "string"),
            "reason_code": _shown(routed.reason, REASON_CODES, index, _TEXT),
            "n_referral": _shown_number(routed.n_referral, index),
            "n_flexible": _shown_number(routed.n_flexible, index),
            "n_turn": _shown_number(routed.n_turn, index),
            "turn_scope": _shown(routed.turn_scope, TURN_SCOPES, index, "string"),
            "n_organisation_turn": _shown_number(routed.n_organisation_turn, index),
        },
        index=index,
    )
    after = routed.counters
    end: dict[CounterKey, Counters] = {
        str(d): after.department(code) for code, d in enumerate(uniques)}
    counted: list[int] = [] if organisation is None else np.unique(
        organisation[routed.n_organisation_turn >= 0]).tolist()
    for code in counted:
        end[("organisation", organisations[code])] = after.organisation(int(code))
    for key, counters in start.items():
        end.setdefault(key, counters)
    return out, end


def _undo_rows(frame: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """The void rows of ``frame`` and the earlier rows each takes back."""
    out: list[tuple[int, list[int]]] = []
    for pos, value in enumerate(frame["undoes"].tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        rows = [int(v) for v in value]
        if rows:
            out.append((pos, rows))
    return out


# Renamed names, kept for one release: ``REASONS`` meant routing sentences here and
# ineligibility codes in the ranking.
_RENAMED = {"REASONS": ("fuaalborg.letting.routing", "ROUTING_REASONS")}


def __getattr__(name: str) -> Any:
    """``REASONS`` is deprecated: it is :data:`ROUTING_REASONS`."""
    return _lazy.deprecated(__name__, name, _RENAMED)
