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

from fuaalborg.colours import (
    COUNTING,
    MANDATORY,
    PLACEMENT,
    counting_value,
    mandatory_value,
    placement_value,
)
from fuaalborg.errors import InputError, NotInForceError, Problem, ValidationError
from fuaalborg.model import COLOURS
from fuaalborg.parameters import ParameterSet

__all__ = [
    "COLOURS",
    "COUNTING_REASONS",
    "DWELLING_KINDS",
    "LEGACY_RULE_PARAMETERS",
    "REASONS",
    "ROUTES",
    "RULE_PARAMETERS",
    "SUBROUTES",
    "TURNS",
    "TURN_SCOPES",
    "CounterKey",
    "Counters",
    "Routed",
    "Rules",
    "explain",
    "fires",
    "fires_array",
    "internal_turn",
    "route_frame",
    "route_one",
    "route_waiting_list",
    "rule_values",
    "rules_from_values",
    "rules_id",
    "rules_on",
    "show_share",
]

#: Dwelling kinds the ledger routes.
DWELLING_KINDS = ("family", "bab")
#: Routes of a vacancy: the municipality's referral or the waiting list.
ROUTES = ("referral", "waiting_list")
#: Sub-routes of a waiting-list letting.
SUBROUTES = ("flexible", "ordinary")
#: What the internal/external turn counts: the housing organisation's or the department's
#: waiting-list lettings (``letting.internal_turn_scope``).
TURN_SCOPES = ("organisation", "department")
#: Turns of a waiting-list letting under the 50/50 rule.
TURNS = ("internal", "external")

#: The reason codes of a vacancy that advanced its department's referral counter.
COUNTING_REASONS = frozenset({"referral_turn", "waiting_list_turn"})
#: Reason codes and their English sentences; the ledger fills in ``{…}`` when it
#: explains a decision.
REASONS: Mapping[str, str] = {
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
    if kind == "bab" and rules.bab_share is not None:
        if colour in rules.placement_colours:
            return Routed("referral", None, None, "bab", None, None, None), counters
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
    """A share as the parameter files write it: ``"1/4"``, ``"1"``.

    >>> show_share(Fraction(1, 4)), show_share(Fraction(1))
    ('1/4', '1')
    """
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    return str(value)


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
    text = REASONS[reason_code].format(
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
    kinds = frame["kind"].astype(str).to_numpy()
    colours = frame["colour"].astype(str).to_numpy()
    bad_kind = ~np.isin(kinds, DWELLING_KINDS)
    bad_colour = ~np.isin(colours, COLOURS)
    if bad_kind.any() or bad_colour.any():
        rows = (np.flatnonzero(bad_kind | bad_colour) + 1).tolist()[:10]
        raise ValidationError(f"route_frame: unknown kind or colour in rows {rows}")
    if isinstance(rules, Rules):
        rule_list: list[Rules] = [rules]
        rule_idx = np.zeros(n_rows, dtype=np.int64)
    else:
        if len(rules) != n_rows:
            raise ValidationError("route_frame: give one Rules per row or a single Rules")
        # by identity first (the same object on most rows), then by value
        by_object: dict[int, int] = {}
        by_value: dict[Rules, int] = {}
        rule_list = []
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
        rule_idx = np.asarray(idx, dtype=np.int64)

    def per_rule(values: list[int]) -> npt.NDArray[np.int64]:
        return np.asarray(values, dtype=np.int64)[rule_idx]

    ref_a = per_rule([r.referral_share.numerator for r in rule_list])
    ref_b = per_rule([r.referral_share.denominator for r in rule_list])
    has_turn = per_rule([int(r.internal_share is not None) for r in rule_list]).astype(bool)
    int_a = per_rule([(r.internal_share or Fraction(0)).numerator for r in rule_list])
    int_b = per_rule([(r.internal_share or Fraction(0)).denominator for r in rule_list])
    first_internal = per_rule([int(r.first_turn == "internal") for r in rule_list]).astype(bool)
    by_organisation = per_rule([int(r.turns_per_organisation) for r in rule_list]).astype(bool)
    bab_right = per_rule([int(r.bab_share is not None) for r in rule_list]).astype(bool)
    counts_colour = np.zeros(n_rows, dtype=bool)
    placeable = np.zeros(n_rows, dtype=bool)
    mandatory = np.zeros(n_rows, dtype=bool)
    for pos, r in enumerate(rule_list):
        mask = rule_idx == pos
        counts_colour[mask] = np.isin(colours[mask], r.referral_colours)
        placeable[mask] = np.isin(colours[mask], r.placement_colours)
        mandatory[mask] = np.isin(colours[mask], r.mandatory_colours)

    flex_a = per_rule([r.flexible_share.numerator for r in rule_list])
    flex_b = per_rule([r.flexible_share.denominator for r in rule_list])
    if "flexible_share" in frame.columns:
        own = frame["flexible_share"].astype(object)
        own = own.where(own.notna(), None)
        own_codes, own_values = pd.factorize(own.astype(str).where(own.notna(), ""))
        parsed = [None if v == "" else _fraction(v) for v in own_values.tolist()]
        own_a = np.asarray([0 if f is None else f.numerator for f in parsed], dtype=np.int64)
        own_b = np.asarray([1 if f is None else f.denominator for f in parsed], dtype=np.int64)
        has_own = np.asarray([f is not None for f in parsed], dtype=bool)[own_codes]
        flex_a = np.where(has_own, own_a[own_codes], flex_a)
        flex_b = np.where(has_own, own_b[own_codes], flex_b)
    mand_a = per_rule([r.mandatory_share.numerator for r in rule_list])
    mand_b = per_rule([r.mandatory_share.denominator for r in rule_list])
    flex_a = np.where(mandatory, mand_a, flex_a)
    flex_b = np.where(mandatory, mand_b, flex_b)

    codes, uniques = pd.factorize(frame["department_id"].astype(str), sort=False)
    start = start or {}
    start_ref = np.asarray([start.get(d, Counters()).referral for d in uniques], dtype=np.int64)
    start_flex = np.asarray([start.get(d, Counters()).flexible for d in uniques], dtype=np.int64)
    start_turn = np.asarray([start.get(d, Counters()).turns for d in uniques], dtype=np.int64)

    def cumulate(steps: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        series = pd.Series(steps)
        return np.asarray(series.groupby(codes).cumsum().to_numpy(), dtype=np.int64)

    returned = (
        frame["returned"].fillna(False).astype(bool).to_numpy()
        if "returned" in frame.columns
        else np.zeros(n_rows, dtype=bool)
    )
    undo = _undo_rows(frame, codes) if "undoes" in frame.columns else []
    is_void = np.zeros(n_rows, dtype=bool)
    for pos, _rows in undo:
        is_void[pos] = True

    def steps(flag: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        # +1 where a row advances the counter; a void takes back what its rows added
        out = flag.astype(np.int64)
        for pos, rows in undo:
            out[pos] = -int(flag[rows].sum())
        return out

    bab_kind = (kinds == "bab") & bab_right & ~returned & ~is_void
    is_bab = bab_kind & placeable
    bab_exempt = bab_kind & ~placeable
    counting = ((kinds == "family") | ~bab_right) & counts_colour & ~returned & ~is_void
    n_ref = cumulate(steps(counting)) + start_ref[codes]
    referral = is_bab | (counting & fires_array(n_ref, ref_a, ref_b))
    waiting = ~referral & ~is_void
    n_flex = cumulate(steps(waiting)) + start_flex[codes]
    flexible = waiting & fires_array(np.maximum(n_flex, 1), flex_a, flex_b)
    turning = waiting & has_turn
    n_turn = cumulate(steps(turning)) + start_turn[codes]
    # the turn of udlejningsbekendtgørelsen § 7: the organisation's counter where the
    # rules count per organisation, else the department's (which counts every turn)
    org_turning = turning & by_organisation
    if "organisation_id" in frame.columns:  # None or NaN: no organisation (code -1)
        org_codes, org_uniques = pd.factorize(frame["organisation_id"], sort=False)
    else:
        org_codes, org_uniques = np.full(n_rows, -1, dtype=np.intp), pd.Index([])
    lacking = org_turning & (org_codes < 0)
    if lacking.any():
        rows = (np.flatnonzero(lacking) + 1).tolist()[:10]
        raise ValidationError(
            "route_frame: the internal/external turn counts per housing organisation "
            f"(letting.internal_turn_scope) but rows {rows} have no organisation_id"
        )
    start_org = np.asarray(
        [start.get(("organisation", str(o)), Counters()).turns for o in org_uniques] or [0],
        dtype=np.int64,
    )
    org_steps = steps(org_turning)
    for pos, rows in undo:
        taken = [r for r in rows if org_turning[r]]
        if taken and any(org_codes[r] != org_codes[pos] for r in taken):
            raise ValidationError(
                f"route_frame: the void in row {pos + 1} takes back an organisation's turn: it "
                "must carry that organisation_id"
            )
    n_org = np.where(
        org_codes >= 0,
        np.asarray(pd.Series(org_steps).groupby(org_codes).cumsum().to_numpy(), dtype=np.int64)
        + start_org[np.maximum(org_codes, 0)],
        0,
    )
    counted_org = org_turning | (is_void & (org_steps != 0))
    k = np.where(org_turning, n_org, n_turn)
    internal = turning & _internal_array(
        np.maximum(k, 1), int_a, np.maximum(int_b, 1), first_internal
    )

    reason = np.where(
        is_void,
        "void",
        np.where(
            returned,
            "returned",
            np.where(
                is_bab,
                "bab",
                np.where(
                    bab_exempt,
                    "bab_exempt",
                    np.where(~counting, "colour_exempt",
                             np.where(referral, "referral_turn", "waiting_list_turn")),
                ),
            ),
        ),
    )
    index = frame.index

    def text(values: npt.NDArray[Any], keep: npt.NDArray[np.bool_]) -> pd.Series[Any]:
        return pd.Series(values, index=index, dtype="string").where(keep)

    def number(values: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_]) -> pd.Series[Any]:
        return pd.Series(values, index=index, dtype="Int64").where(keep)

    out = pd.DataFrame(
        {
            "route": np.where(is_void, "void", np.where(referral, "referral", "waiting_list")),
            "subroute": text(np.where(flexible, "flexible", "ordinary"), waiting),
            "turn": text(np.where(internal, "internal", "external"), turning),
            "reason_code": reason,
            "n_referral": number(n_ref, ~(bab_kind | returned)),
            "n_flexible": number(n_flex, waiting | is_void),
            "n_turn": number(k, turning | is_void),
            "turn_scope": text(np.where(org_turning, "organisation", "department"), turning),
            "n_organisation_turn": number(n_org, counted_org),
        },
        index=index,
    )
    end: dict[CounterKey, Counters] = {}
    last = pd.Series(np.arange(n_rows)).groupby(codes).max()
    for code, pos in zip(last.index.tolist(), last.tolist(), strict=True):
        end[str(uniques[code])] = Counters(
            int(n_ref[pos]), int(n_flex[pos]), int(n_turn[pos])
        )
    if counted_org.any():
        last_org = pd.Series(np.flatnonzero(counted_org)).groupby(
            org_codes[counted_org]).max()
        for code, pos in zip(last_org.index.tolist(), last_org.tolist(), strict=True):
            end[("organisation", str(org_uniques[code]))] = Counters(turns=int(n_org[pos]))
    for key, counters in start.items():
        end.setdefault(key, counters)
    return out, end


def _undo_rows(frame: pd.DataFrame, codes: npt.NDArray[np.intp]) -> list[tuple[int, list[int]]]:
    """The void rows of ``frame`` and the earlier rows (same department) each takes back."""
    out: list[tuple[int, list[int]]] = []
    bad: list[int] = []
    for pos, value in enumerate(frame["undoes"].tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        rows = [int(v) for v in value]
        if not rows:
            continue
        if any(r < 0 or r >= pos or codes[r] != codes[pos] for r in rows):
            bad.append(pos + 1)
        out.append((pos, rows))
    if bad:
        raise ValidationError(
            f"route_frame: a void must undo earlier rows of its own department (rows {bad[:10]})"
        )
    return out
