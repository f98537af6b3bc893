"""Ranking a waiting list for a vacant dwelling: a sort key, not a score.

Danish letting orders applicants; it does not score them. For one vacancy
(:class:`~fuaalborg.letting.vacancy.Vacancy`) :func:`rank` returns the eligible
applicants in the order the law and the organisation's agreement give:

1. on an **internal turn**, internal-list rows before external rows (on an
   external turn only external-list rows take part; without a turn both lists
   compete as one) — udlejningsbekendtgørelsen, every second letting external
   since 2019-07-01 (``letting.internal_share``);
2. on the **flexible route** (almenboligloven § 60), the first priority group
   the applicant meets, group 1 first; applicants meeting none come after all
   groups — flexible letting gives priority, it does not exclude. Internal
   applicants already living in the department count as group 1 where the
   agreement exempts internal moves;
3. **families with children** first where the agreement sets
   ``children_first_for_rooms`` and the dwelling has at least that many rooms;
4. the **seniority date**, earliest first (udlejningsbekendtgørelsen § 2);
5. the **applicant id**, lowest first: a deterministic tie-break.

These five parts are packed into one 64-bit integer per row, the ``sort_key``
(list 1 bit, group 6 bits, children 1 bit, seniority 17 bits as days since
1900-01-01, applicant code 36 bits), so a ranking is one integer sort — or, with
``top``, one partial selection (``numpy.argpartition``). An applicant on both
lists appears once, at their best position.

Eligibility: an active application (``active``, true when absent); a household
the organisation does not refuse for its size (udlejningsbekendtgørelsen § 26:
it *may* refuse more than ``letting.max_persons_per_room`` persons per habitable
room, and does where ``letting.household_size_refusal`` says so); wishes that
match where the table has wish columns (``min_rooms``, ``max_rent_dkk``,
``wanted_department_ids``); and, in a department of a transformation area, not
refused by almenboligloven § 51 c (reason ``s51c``; the department's
designation comes from ``designation=`` or the municipality's lists). Every
other row goes to :attr:`Ranking.ineligible` with its reasons.

>>> import datetime as dt
>>> import pandas as pd
>>> applicants = pd.DataFrame({
...     "applicant_id": ["a1", "a2", "a3", "a4"],
...     "list": ["external", "external", "internal", "external"],
...     "seniority_date": pd.to_datetime(["2015-03-01", "2012-06-15", "2018-01-10", "2012-06-15"]),
...     "household_size": [2, 3, 1, 7],
... })
>>> vacancy = Vacancy("D1", rooms=3, monthly_rent_dkk=6500, vacant_on=dt.date(2024, 5, 1))
>>> ranking = rank(applicants, vacancy, route="ordinary")
>>> ranking.frame[["rank", "applicant_id", "list"]]
   rank applicant_id      list
0     1           a2  external
1     2           a1  external
2     3           a3  internal
>>> ranking.ineligible[["applicant_id", "reason"]]
  applicant_id               reason
0           a4  household_too_large
>>> print(ranking.explain("a1", lang="en"))  # doctest: +NORMALIZE_WHITESPACE
Position 2 of 3 eligible applicants for the dwelling in department D1
(3 rooms, 6,500 kr. a month), 2024-05-01.
The dwelling is let by seniority (ordinary letting): the longest on the waiting list goes first.
The internal and external lists compete as one list.
Seniority date: 2015-03-01.
The applicant at position 1 stands ahead: they have an earlier seniority date.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg import _lazy
from fuaalborg._types import AgreementLike, CriteriaRegistry, Language, Subroute
from fuaalborg._types import Turn as Turn
from fuaalborg._version import __version__
from fuaalborg.colours import MANDATORY, mandatory_value
from fuaalborg.criteria.declarations import MAX_GROUPS
from fuaalborg.errors import FuaalborgError, NotInForceError, Remedy, ValidationError
from fuaalborg.formatting import format_value
from fuaalborg.letting import _explain
from fuaalborg.letting._waiting_list import (
    EPOCH,
    ID_BITS,
    REQUIRED,
    WISH_COLUMNS,
    WaitingList,
    bound_names,
    prepare,
)
from fuaalborg.letting.notices import Notice
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.model import COLOURS, SUBROUTES, TURNS
from fuaalborg.parameters import DatedValue, ParameterSet, load_parameters
from fuaalborg.records import (
    AgreementTerms,
    CriterionUse,
    InputFingerprint,
    MunicipalityRef,
    ParameterUse,
    PluginUse,
    RankingBasis,
    RankingRecord,
    _recorded_text,
)

if TYPE_CHECKING:
    from fuaalborg.municipality import Municipality

__all__ = [
    "COLOURS",
    "INELIGIBILITY_REASONS",
    "KEY_LAYOUT",
    "SUBROUTES",
    "TURNS",
    "ApplicantNotFoundError",
    "Ranking",
    "RankingContextError",
    "mandatory_columns",
    "rank",
    "rank_many",
]

#: The route of a waiting-list letting: :data:`fuaalborg._types.Subroute`.
Route = Subroute
#: Reasons a row cannot be offered the dwelling, in the order they are checked.
INELIGIBILITY_REASONS: tuple[str, ...] = (
    "inactive",
    "household_too_large",
    "fewer_rooms_than_wished",
    "rent_above_wish",
    "department_not_wished",
    "not_this_turn",
    "not_yet_on_list",
    "s51c",
)

_SEN_SHIFT = ID_BITS
_CHILD_SHIFT = ID_BITS + 17
_GROUP_SHIFT = _CHILD_SHIFT + 1
_LIST_SHIFT = _GROUP_SHIFT + 6
# groups 1…G and G + 1 ("meets none") in the key's 6 group bits; plug-ins are checked at load
_MAX_GROUPS = MAX_GROUPS
assert _MAX_GROUPS + 1 < 1 << 6
_EPOCH64 = np.datetime64(EPOCH.isoformat(), "D")
# days from 1970-01-01 (numpy's epoch) to EPOCH
_EPOCH_DAYS = int(_EPOCH64.astype(np.int64))

#: The bit layout of the sort key: (name, lowest bit, bits), most significant first.
KEY_LAYOUT: tuple[tuple[str, int, int], ...] = (
    ("list", _LIST_SHIFT, 1),
    ("group", _GROUP_SHIFT, 6),
    ("children", _CHILD_SHIFT, 1),
    ("seniority_days_since_1900", _SEN_SHIFT, 17),
    ("applicant_code", 0, ID_BITS),
)

_COLOUR_NAMES = {
    "red": "red", "rød": "red", "roed": "red", "rod": "red",
    "yellow": "yellow", "gul": "yellow",
    "green": "green", "grøn": "green", "groen": "green", "gron": "green",
}


class RankingContextError(ValidationError):
    """Something a ranking needs is missing or contradicts the rules.

    For instance: no route given and the department's colour or organisation
    unknown; a share of flexible letting between 0 and 1 without a route from the
    letting ledger; the ordinary route asked for in a red department.

    Where the caller can supply what is missing, the error's
    :class:`~fuaalborg.errors.Remedy` says how; its ``arguments`` are the
    keyword arguments of :func:`rank` concerned. The keys:
    ``give_context`` (the department's colour or organisation is needed; the
    arguments name which), ``choose_route`` (the agreement's share lies
    between 0 and 1: the letting ledger's turn decides), ``give_agreement``
    (the flexible route without an agreement), ``department_facts`` (a
    department the municipality does not know) and ``give_colour`` (a BAB
    dwelling's route depends on its department's colour, whatever the route
    asked for).
    """


#: What the ranking needs to know of a department, by argument.
_NEEDS = {"colour": "colour", "organisation_cvr": "organisation"}
_DEPARTMENT_FACTS = Remedy(
    "department_facts", "pass its colour= and organisation_cvr=, or route='ordinary'",
    ("colour", "organisation_cvr", "route"),
)


class ApplicantNotFoundError(FuaalborgError, LookupError):
    """An explanation asked for an applicant id that is not on the waiting list."""


# ---------------------------------------------------------------------------
# The context of one ranking: route, turn, colour, agreement, rules.


@attrs.frozen
class _Context:
    """What a ranking decided on (recorded) and the terms that follow from it (re-derived)."""

    basis: RankingBasis
    max_persons_per_room: int
    children_first: bool
    exempt_internal: bool
    household_refusal: bool = True
    designation_basis: str = ""
    s51c: Any = None
    applies: tuple[bool, ...] | None = None
    #: whether the colour rules in force make flexible letting mandatory in the department
    mandatory_flexible: bool = False


#: How many sort keys one :func:`rank_many` call keeps for reuse.
_KEYS_KEPT = 8


class _Caches:
    """Look-ups shared by the vacancies of one :func:`rank_many` call."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[str, Any], npt.NDArray[np.uint8]] = {}
        self.keys: dict[tuple[Any, ...], Any] = {}
        self.placements: dict[dt.date, Any] = {}
        self.designations: dict[tuple[str, dt.date], Any] = {}
        self.agreements: dict[tuple[str, str | None, str | None, dt.date], Any] = {}
        self.groups: dict[tuple[tuple[str, ...], dt.date], tuple[Any, Any]] = {}
        self.registry: CriteriaRegistry | None = None


@functools.cache
def _default_registry() -> CriteriaRegistry:
    from fuaalborg.criteria.registry import load

    registry: CriteriaRegistry = load()
    return registry


def _registry(registry: CriteriaRegistry | None, caches: _Caches) -> CriteriaRegistry:
    if registry is not None:
        return registry
    if caches.registry is None:
        caches.registry = _default_registry()
    return caches.registry


def _normalise_colour(value: Any) -> str:
    raw = getattr(value, "value", value)
    if not isinstance(raw, str):
        raw = getattr(value, "name", raw)
    text = str(raw).strip().lower()
    if text not in _COLOUR_NAMES:
        raise RankingContextError(f"unknown colour {value!r}; expected red, yellow or green")
    return _COLOUR_NAMES[text]


def _colour_of(
    vacancy: Vacancy, on: dt.date, colour: Any, municipality: Municipality | None, caches: _Caches
) -> tuple[str | None, str]:
    if colour is not None:
        return _normalise_colour(colour), "given with the ranking"
    if municipality is None:
        return None, "not known (no colour and no municipality given)"
    from fuaalborg.monitoring.calendar import placement_on

    if on not in caches.placements:
        caches.placements[on] = placement_on(municipality, on)
    placement = caches.placements[on]
    try:
        found = placement.colour_of(vacancy.department_id)
    except ValidationError as exc:  # a department the placement does not know
        raise RankingContextError(str(exc), remedy=_DEPARTMENT_FACTS) from None
    basis = (
        f"step model {placement.preset!r}, placement of {placement.on.isoformat()} in force on "
        f"{on.isoformat()}: {placement.explain(vacancy.department_id)}"
    )
    return _normalise_colour(found), basis


def _organisation_of(
    vacancy: Vacancy, organisation_cvr: str | None, municipality: Municipality | None
) -> str | None:
    if organisation_cvr is not None:
        return str(organisation_cvr)
    if municipality is None:
        return None
    deps = municipality.departments
    rows = deps.loc[deps["department_id"] == vacancy.department_id, "organisation_cvr"]
    if rows.empty:
        raise RankingContextError(
            f"department {vacancy.department_id!r} is not in the municipality's departments",
            remedy=_DEPARTMENT_FACTS,
        )
    return str(rows.iloc[0])


def _lookup(params: ParameterSet, name: str, on: dt.date, used: list[ParameterUse]) -> DatedValue:
    dated = params.lookup(name, on)
    used.append(
        ParameterUse(
            name=name,
            value=_recorded_text(dated.value),
            reference=dated.reference,
            start=dated.start,
            end=dated.end,
            source=dated.source,
        )
    )
    return dated


def _plugins(registry: CriteriaRegistry | None) -> tuple[PluginUse, ...]:
    if registry is None:
        return ()
    out = []
    for plugin in getattr(registry, "plugins", ()) or ():
        if isinstance(plugin, Mapping):
            name, dist, ver = plugin.get("name"), plugin.get("distribution"), plugin.get("version")
        elif isinstance(plugin, tuple) and len(plugin) == 3:
            name, dist, ver = plugin
        else:
            name = getattr(plugin, "name", str(plugin))
            dist = getattr(plugin, "distribution", None)
            ver = getattr(plugin, "version", None)
        out.append(PluginUse(str(name), None if dist is None else str(dist),
                             None if ver is None else str(ver)))
    return tuple(sorted(out, key=lambda p: p.name))


def _criterion_use(registry: CriteriaRegistry, group_id: str, group: int) -> CriterionUse:
    """A priority group's criterion (or composite ``"a&b"``: every part must be met)."""
    known = registry.criteria
    names = group_id.split("&")
    unknown = [n for n in names if n not in known]
    if unknown:
        raise RankingContextError(
            f"the agreement names criteria no loaded plug-in provides: {', '.join(unknown)}"
        )
    parts = [known[n] for n in names]
    title_da = " og ".join(str(getattr(p, "title_da", None) or p.title) for p in parts)
    return CriterionUse(
        id=group_id,
        group=group,
        title=" and ".join(str(p.title) for p in parts),
        reads=tuple(sorted({f for p in parts for f in p.reads})),
        legal_basis="; ".join(dict.fromkeys(str(p.legal_basis) for p in parts)),
        title_da=title_da,
    )


def _resolve(
    vacancy: Vacancy,
    *,
    on: dt.date | None,
    route: Subroute | None,
    turn: Turn | None,
    registry: CriteriaRegistry | None,
    municipality: Municipality | None,
    colour: Any,
    organisation_cvr: str | None,
    agreement: AgreementLike | None,
    parameters: ParameterSet | None,
    caches: _Caches,
    designation: str | None = None,
    named: MunicipalityRef | None = None,
) -> tuple[_Context, CriteriaRegistry | None]:
    """Decide route, turn, colour and agreement; collect the rules used.

    ``municipality`` gives colours, organisations and designations; ``named`` is
    the municipality the record names (see :func:`_municipality`).
    """
    if not isinstance(vacancy, Vacancy):
        raise ValidationError(f"vacancy must be a Vacancy, got {type(vacancy).__name__}")
    day = on if on is not None else vacancy.vacant_on
    if isinstance(day, dt.datetime):
        day = day.date()
    if route is not None and route not in SUBROUTES:
        raise RankingContextError(f"unknown route {route!r}; expected flexible or ordinary")
    if turn is not None and turn not in TURNS:
        raise RankingContextError(f"unknown turn {turn!r}; expected internal or external")
    params = parameters or load_parameters()
    used: list[ParameterUse] = []
    persons = int(_lookup(params, "letting.max_persons_per_room", day, used).value)
    refusal = bool(_lookup(params, "letting.household_size_refusal", day, used).value)
    _lookup(params, "letting.seniority_order", day, used)

    # turn
    if turn is None:
        turn_basis = "no turn given: the internal and external lists compete as one list"
    else:
        share = _lookup(params, "letting.internal_share", day, used)
        if turn == "external" and share.value == 1:
            raise RankingContextError(
                f"there is no external turn on {day.isoformat()}: the internal list goes first "
                f"in every waiting-list letting ({share.reference})"
            )
        turn_basis = (
            f"{turn} turn given with the ranking (the letting ledger keeps the turn); "
            f"internal share {format_value(share.value)}"
        )

    # colour and organisation (explicit values win)
    known_colour, colour_basis = _colour_of(vacancy, day, colour, municipality, caches)
    org = _organisation_of(vacancy, organisation_cvr, municipality)
    # What the colour means for flexible letting is the one dated source the letting
    # ledger routes by too (colour_rules.mandatory_flexible: red from 2018-12-01).
    red_mandatory = known_colour is not None and mandatory_value(
        _lookup(params, MANDATORY, day, used).value).share_for(known_colour) == 1
    kind_basis = _route_by_kind(vacancy, day, known_colour, params, used)
    if route == "ordinary" and red_mandatory:
        raise RankingContextError(
            f"department {vacancy.department_id} is {known_colour} on {day.isoformat()}: letting "
            "from the waiting list is flexible by law (almenboligloven § 60, stk. 4); route "
            "'ordinary' does not apply"
        )

    # agreement
    reg = registry
    found: Any = agreement
    if found is None and (route is None or route == "flexible" or registry is not None):
        missing = [name for name, value in (("colour", known_colour),
                                            ("organisation_cvr", org)) if value is None]
        if missing and (route is None or route == "flexible"):
            what = "the route" if route is None else "the flexible agreement"
            needs = " and ".join(_NEEDS[m] for m in missing)
            raise RankingContextError(
                f"to decide {what} for department {vacancy.department_id} on {day.isoformat()} "
                f"the ranking needs the department's {needs}",
                remedy=Remedy(
                    "give_context",
                    f"pass {' and '.join(f'{m}=' for m in missing)} (or municipality=), or "
                    "route= and agreement=",
                    (*missing, "municipality"),
                ),
            )
        if org is not None and known_colour is not None:
            reg = _registry(registry, caches)
            key = (vacancy.department_id, org, known_colour, day)
            if key not in caches.agreements:
                caches.agreements[key] = reg.agreement_for(
                    vacancy.department_id, org, known_colour, day
                )
            found = caches.agreements[key]
    terms = None if found is None else AgreementTerms.of(found)
    known_designation, designation_basis, s51c = _designation(
        vacancy, day, designation, municipality, params, used, caches
    )

    # route
    chosen: Subroute
    if route is not None:
        chosen, route_basis = route, "given with the ranking"
        if red_mandatory:
            route_basis += (
                f"; mandatory flexible letting in a {known_colour} department "
                "(almenboligloven § 60, stk. 4)"
            )
    elif red_mandatory:
        chosen = "flexible"
        route_basis = (
            f"mandatory flexible letting in a {known_colour} department (almenboligloven § 60, "
            "stk. 4; Fælles Udlejningsaftale, afsnit 3.1)"
        )
    elif terms is None:
        chosen, route_basis = "ordinary", "no flexible-letting agreement covers the department"
    elif terms.share == 1:
        chosen = "flexible"
        route_basis = f"the agreement lets every letting flexibly ({terms.legal_basis})"
    elif terms.share == 0:
        chosen = "ordinary"
        route_basis = f"the agreement's flexible share is 0 ({terms.legal_basis})"
    else:
        raise RankingContextError(
            f"the agreement for department {vacancy.department_id} lets {terms.flexible_share} of "
            "waiting-list lettings flexibly: whose turn it is comes from the letting ledger",
            remedy=Remedy("choose_route", "pass route='flexible' or route='ordinary'", ("route",)),
        )
    if kind_basis:
        route_basis += f"; {kind_basis}"
    if chosen == "flexible":
        _lookup(params, "letting.flexible_priority", day, used)
        if terms is None:
            raise RankingContextError(
                f"route 'flexible' for department {vacancy.department_id} needs an agreement with "
                "priority groups",
                remedy=Remedy(
                    "give_agreement", "pass agreement= or a registry, colour and organisation",
                    ("agreement", "registry", "colour", "organisation_cvr"),
                ),
            )
        if len(terms.groups) > _MAX_GROUPS:
            raise RankingContextError(
                f"an agreement may have at most {_MAX_GROUPS} priority groups"
            )

    criteria: tuple[CriterionUse, ...] = ()
    if chosen == "flexible" and terms is not None and terms.groups:
        reg = _registry(reg, caches)
        criteria = tuple(_criterion_use(reg, g, i + 1) for i, g in enumerate(terms.groups))
    children_first = bool(
        terms is not None
        and terms.children_first_for_rooms is not None
        and vacancy.rooms >= terms.children_first_for_rooms
    )
    exempt = bool(chosen == "flexible" and terms is not None and terms.internal_moves_exempt)
    basis = RankingBasis(
        vacancy=vacancy,
        on=day,
        route=chosen,
        route_basis=route_basis,
        turn=turn,
        turn_basis=turn_basis,
        colour=known_colour,
        colour_basis=colour_basis,
        organisation_cvr=org,
        agreement=terms,
        criteria=criteria,
        parameters=tuple(used),
        plugins=_plugins(reg) if reg is not None else (),
        designation=known_designation,
        municipality=named,
    )
    ctx = _Context(
        basis=basis,
        max_persons_per_room=persons,
        children_first=children_first,
        exempt_internal=exempt,
        household_refusal=refusal,
        designation_basis=designation_basis,
        s51c=s51c,
        mandatory_flexible=red_mandatory,
    )
    return ctx, reg


def _route_by_kind(
    vacancy: Vacancy, day: dt.date, colour: str | None, params: ParameterSet,
    used: list[ParameterUse],
) -> str:
    """Route the dwelling by its kind as the letting ledger does (one decision,
    :func:`~fuaalborg.letting.routing.bab_route`): refuse a BAB dwelling the
    municipal referral lets; the basis of one let from the waiting list (else
    empty)."""
    if vacancy.kind != "bab":
        return ""
    from fuaalborg.colours import PLACEMENT
    from fuaalborg.letting.routing import bab_route, rules_on

    rules = rules_on(params, day)
    if rules.bab_share is None:
        return ""
    share = _lookup(params, "referral.bab_share", day, used)
    what = (f"dwelling {vacancy.dwelling_id} of department {vacancy.department_id}"
            if vacancy.dwelling_id else f"the dwelling of department {vacancy.department_id}")
    if colour is None:
        raise RankingContextError(
            f"{what} is a BAB dwelling: whether the municipal referral lets it "
            f"({share.reference}) depends on the department's colour on {day.isoformat()}; "
            "the ranking needs the department's colour",
            remedy=Remedy("give_colour", "pass colour= (or municipality=)",
                          ("colour", "municipality")),
        )
    placement = _lookup(params, PLACEMENT, day, used)
    if bab_route("bab", colour, rules) == "referral":
        raise RankingContextError(
            f"{what} is a BAB dwelling (familiebolig med tilskud): on {day.isoformat()} it is "
            f"let by municipal referral, not from the waiting list (referral.bab_share "
            f"{format_value(share.value)}: {share.reference}; the referral places households "
            f"in a {colour} department: colour_rules.referral_placement, {placement.reference}). "
            "The letting ledger routes it the same way; should the municipality decline it, "
            "the ledger returns it to the waiting list and ranks it there"
        )
    return (
        f"BAB dwelling in a {colour} department, where the municipal referral does not place "
        "households: let from the waiting list like the department's other dwellings, as the "
        "letting ledger routes it (the library's reading of colour_rules.referral_placement: "
        f"{placement.reference})"
    )


def _designation(
    vacancy: Vacancy,
    day: dt.date,
    given: str | None,
    municipality: Municipality | None,
    params: ParameterSet,
    used: list[ParameterUse],
    caches: _Caches,
) -> tuple[str | None, str, Any]:
    """The area designation (given, else from the lists) and § 51 c if it applies."""
    from fuaalborg.letting._s51c import Rule

    if given is not None:
        designation = str(given)
        basis = "given with the ranking"
    elif municipality is not None:
        from fuaalborg.monitoring.designations import designation_on

        key = (vacancy.department_id, day)
        if key not in caches.designations:
            caches.designations[key] = designation_on(municipality, vacancy.department_id, day)
        found = caches.designations[key]
        designation, basis = str(found.designation), str(found.basis)
    else:
        return None, "not known (no designation and no municipality given)", None
    if "letting.s51c" not in params:
        return designation, basis, None
    try:
        params.lookup("letting.s51c", day)
    except NotInForceError:
        return designation, basis, None
    dated = _lookup(params, "letting.s51c", day, used)
    if not isinstance(dated.value, Mapping):
        raise RankingContextError(
            "letting.s51c: the recorded value cannot be read back as a table"
        )
    if designation not in dated.value.get("areas", {}):
        return designation, basis, None
    return designation, basis, Rule.of(dated.value, designation, dated.reference)


def _apply_conditions(resolved: list[tuple[_Context, Any]]) -> list[tuple[_Context, Any]]:
    """Which of each agreement's groups apply to each vacancy (groups with dwelling conditions).

    Evaluated by :func:`fuaalborg.criteria.conditions.applicability`, once per
    distinct set of conditions over all the vacancies that share it.
    """
    from fuaalborg.criteria.conditions import applicability

    by_conditions: dict[tuple[str, ...], list[int]] = {}
    for i, (ctx, _) in enumerate(resolved):
        basis = ctx.basis
        texts = basis.agreement.applies_to if basis.agreement is not None else ()
        if basis.route == "flexible" and any(texts):
            by_conditions.setdefault(tuple(texts), []).append(i)
    out = list(resolved)
    for texts, rows in by_conditions.items():
        matrix = applicability(texts, [resolved[i][0].basis.vacancy for i in rows])
        for i, applies in zip(rows, matrix, strict=True):
            ctx, reg = resolved[i]
            out[i] = (attrs.evolve(ctx, applies=tuple(bool(a) for a in applies)), reg)
    return out


def _only_applicable(
    met: npt.NDArray[np.int64], applies: tuple[bool, ...]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(group, met) with the groups that do not apply to the dwelling left out."""
    mask = sum(1 << j for j, ok in enumerate(applies) if ok)
    kept = met & np.int64(mask)
    lowest = kept & -kept
    first = np.log2(np.where(kept != 0, lowest, 1)).astype(np.int64) + 1
    return np.where(kept != 0, first, len(applies) + 1), kept


# ---------------------------------------------------------------------------
# The engine


def _criteria_matrix(
    wl: WaitingList, registry: CriteriaRegistry | None, ctx: _Context
) -> npt.NDArray[np.bool_]:
    on, criteria = ctx.basis.on, ctx.basis.criteria
    ids = [c.id for c in criteria]
    todo = [c for c in criteria if wl.criterion((c.id, on)) is None]
    if todo:
        reads = sorted({f for c in todo for f in c.reads})
        wl.require(reads, dict.fromkeys(reads, "read by a criterion of the agreement"))
        frame = wl.criteria_frame(reads)
        todo_ids = [c.id for c in todo]
        many = getattr(registry, "evaluate_many", None)
        if callable(many):
            result = many(todo_ids, frame, on)
            columns = {c: result[c] for c in todo_ids}
        else:
            assert registry is not None  # an agreement's criteria come from a registry
            columns = {c: registry.evaluate(c, frame, on) for c in todo_ids}
        for cid, col in columns.items():
            values = np.asarray(col, dtype=bool)
            if values.shape != (wl.n,):
                raise ValidationError(f"criterion {cid}: result has the wrong length")
            wl.store_criterion((cid, on), values)
    if not ids:
        return np.zeros((wl.n, 0), dtype=bool)
    cols = [wl.criterion((c, on)) for c in ids]
    return np.column_stack([c for c in cols if c is not None])


def _groups(
    wl: WaitingList, registry: CriteriaRegistry | None, ctx: _Context, caches: _Caches
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(group index per row: 1..G, G+1 for none; bitmask of criteria met)."""
    ids = tuple(c.id for c in ctx.basis.criteria)
    key = (ids, ctx.basis.on)
    if key not in caches.groups:
        matrix = _criteria_matrix(wl, registry, ctx)
        g = matrix.shape[1]
        if g:
            first = np.argmax(matrix, axis=1).astype(np.int64) + 1
            group = np.where(matrix.any(axis=1), first, g + 1)
            weights = (np.int64(1) << np.arange(g, dtype=np.int64))
            met = matrix.astype(np.int64) @ weights
        else:
            group = np.ones(wl.n, dtype=np.int64)
            met = np.zeros(wl.n, dtype=np.int64)
        caches.groups[key] = (group, met)
    group, met = caches.groups[key]
    return group, met


def _bits(
    caches: _Caches, key: tuple[str, Any], build: Callable[[], npt.NDArray[Any]], shift: int
) -> npt.NDArray[np.uint8]:
    """``build()`` as reason bits shifted by ``shift``, kept in ``caches`` under ``key``."""
    found = caches.reasons.get(key)
    if found is None:
        found = np.asarray(build(), dtype=np.uint8) << np.uint8(shift)
        caches.reasons[key] = found
    return found


#: A notice and the rows it concerns (``None``: every row).
_Noted = tuple[Notice, npt.NDArray[np.intp] | None]


def _eligibility(
    wl: WaitingList, ctx: _Context, caches: _Caches
) -> tuple[npt.NDArray[np.uint8], list[_Noted], bool]:
    """(one bit per reason of :data:`INELIGIBILITY_REASONS` per row, notices with the rows they
    concern, whether § 51 c was checked)."""
    basis = ctx.basis
    vac = basis.vacancy
    # the reasons that depend on the date only (inactive, not yet on the list), on the
    # household limit or on the rooms are shared by the vacancies of one rank_many call
    on_day = (basis.on - EPOCH).days

    def fixed() -> npt.NDArray[np.uint8]:
        bits = (wl.seniority > on_day).astype(np.uint8) << np.uint8(6)
        if wl.has_active:
            bits |= (~wl.active).astype(np.uint8)
        return bits

    reasons = _bits(caches, ("date", on_day), fixed, 0).copy()
    if ctx.household_refusal:  # udlejningsbekendtgørelsen § 26: a ground the organisation uses
        limit = ctx.max_persons_per_room * vac.rooms
        reasons |= _bits(caches, ("household", limit), lambda: wl.household > limit, 1)
    if "min_rooms" in wl.columns:
        rooms = vac.rooms
        reasons |= _bits(caches, ("rooms", rooms), lambda: wl.numbers("min_rooms") > rooms, 2)
    if "max_rent_dkk" in wl.columns:
        reasons |= (wl.numbers("max_rent_dkk") < vac.monthly_rent_dkk).astype(np.uint8) << 3
    if "wanted_department_ids" in wl.columns:
        reasons |= (~wl.wants(vac.department_id)).astype(np.uint8) << 4
    if basis.turn == "external":
        reasons |= (wl.list_code == 0).astype(np.uint8) << 5
    notices: list[_Noted] = []
    checked = False
    if ctx.s51c is not None:
        from fuaalborg.letting._s51c import refused

        s51c, unknown, checked = refused(wl, vac.department_id, ctx.s51c)
        reasons |= s51c.astype(np.uint8) << 7
        provision = ctx.s51c.provision
        if not checked:
            notices.append(
                (Notice("s51c_not_checked", provision=provision, area=ctx.s51c.area_term), None)
            )
        else:
            count = int(np.count_nonzero(unknown))
            if count:
                notice = Notice("s51c_rows_unchecked", rows=count, provision=provision)
                notices.append((notice, np.flatnonzero(unknown)))
    return reasons, notices, checked


_Key = tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64] | None,
    npt.NDArray[np.int64] | None,
    npt.NDArray[np.bool_] | None,
    npt.NDArray[np.bool_] | None,
]


def _sort_key(
    wl: WaitingList, ctx: _Context, registry: CriteriaRegistry | None, caches: _Caches
) -> _Key:
    """(sort key, group, criteria met, exempt internal moves, families with children) per row.

    Vacancies of one :func:`rank_many` call whose keys are built alike (same
    criteria and date, dwelling conditions, exempt department, children rule
    and turn) share one key; keys are never changed once built.
    """
    basis = ctx.basis
    vac = basis.vacancy
    flexible = basis.route == "flexible"
    variant = (
        tuple(c.id for c in basis.criteria) if flexible else None,
        basis.on if flexible else None,
        ctx.applies if flexible else None,
        vac.department_id if flexible and ctx.exempt_internal else None,
        ctx.children_first,
        basis.turn == "internal",
    )
    if variant in caches.keys:
        cached: _Key = caches.keys[variant]
        return cached
    key = wl.base_key.copy()
    exempt = None
    met = None
    group = None
    if flexible:
        group, met = _groups(wl, registry, ctx, caches)
        if ctx.applies is not None and not all(ctx.applies):
            group, met = _only_applicable(met, ctx.applies)
        if ctx.exempt_internal:
            why = "the agreement exempts internal moves within the department"
            wl.require(["current_department_id"], {"current_department_id": why})
            current = wl.extra(["current_department_id"])["current_department_id"]
            exempt = (wl.list_code == 0) & (current == vac.department_id).to_numpy(
                dtype=bool, na_value=False
            )
            group = np.where(exempt, 1, group)
        key |= group << _GROUP_SHIFT
    children = None
    if ctx.children_first:
        wl.require(["children"], {"children": "the agreement puts families with children first"})
        kids = wl.numbers("children", missing=0)
        children = kids > 0
        key |= (~children).astype(np.int64) << _CHILD_SHIFT
    if basis.turn == "internal":
        key |= wl.list_code.astype(np.int64) << _LIST_SHIFT
    key.flags.writeable = False
    built: _Key = (key, group, met, exempt, children)
    if len(caches.keys) >= _KEYS_KEPT:  # bounded: keys are as long as the waiting list
        caches.keys.pop(next(iter(caches.keys)))
    caches.keys[variant] = built
    return built


def _best_rows(
    wl: WaitingList, key: npt.NDArray[np.int64], eligible: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """The eligible rows, each applicant on both lists at their best row only.

    The best row has the lowest key; of equal keys, the internal list's row.
    """
    kept = eligible.copy()
    if not wl.any_multi:
        return kept
    sub = np.flatnonzero(eligible & wl.multi)
    if not len(sub):
        return kept
    codes = wl.id_code[sub]
    if wl.code_bound <= 4 * wl.n + 1024:
        # the lowest (key, list) per applicant code, by one scatter (keys < 2**61)
        ranked = key[sub] * 2 + wl.list_code[sub]
        best = np.full(wl.code_bound, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(best, codes, ranked)
        kept[sub[ranked != best[codes]]] = False
        return kept
    order = np.lexsort((wl.list_code[sub], key[sub], codes))
    s = sub[order]
    ordered = wl.id_code[s]
    later = np.zeros(len(s), dtype=bool)
    later[1:] = ordered[1:] == ordered[:-1]
    kept[s[later]] = False
    return kept


#: The sample :func:`_smallest` bounds a short top with.
_SAMPLE = 4096


def _smallest(keys: npt.NDArray[np.int64], top: int | None) -> npt.NDArray[np.intp]:
    """Positions of the ``top`` smallest ``keys`` (all when ``None``), smallest first.

    For a short top of many keys, the ``top``-th smallest of an evenly spaced
    sample bounds the answer from above (the sample's own ``top`` keys lie under
    it), so only the keys under that bound are sorted; when they are too many,
    one partial selection (``numpy.argpartition``) over all keys.
    """
    n = len(keys)
    if top is None or top >= n:
        order: npt.NDArray[np.intp] = np.argsort(keys)
        return order
    if top == 0:
        return np.zeros(0, dtype=np.intp)
    if n > 8 * _SAMPLE and top < _SAMPLE // 8:
        sample = keys[:: n // _SAMPLE]
        bound = np.partition(sample, top - 1)[top - 1]
        under = np.flatnonzero(keys <= bound)
        if len(under) <= n // 8:
            first: npt.NDArray[np.intp] = under[np.argsort(keys[under])][:top]
            return first
    part = np.argpartition(keys, top - 1)[:top]
    chosen: npt.NDArray[np.intp] = part[np.argsort(keys[part])]
    return chosen


def _elsewhere(wl: WaitingList, municipality: Any) -> tuple[_Noted, ...]:
    """The notice on applicants living in departments the municipality's table lacks.

    Raises when a current department id is one of the table's written differently
    (see :meth:`WaitingList.living_elsewhere`). The notice counts the rows; it names
    neither rows nor values (a row's position would point at the applicant, and an
    unknown id may be anything, a CPR number written in the wrong column too).
    """
    if municipality is None or "current_department_id" not in wl.columns:
        return ()
    rows = wl.living_elsewhere(municipality.departments["department_id"])
    if not len(rows):
        return ()
    name = str(getattr(municipality, "name", "") or "the municipality")
    return ((Notice("department_elsewhere", rows=len(rows), municipality=name), rows),)


def _rank(
    wl: WaitingList,
    ctx: _Context,
    registry: CriteriaRegistry | None,
    top: int | None,
    caches: _Caches,
    elsewhere: tuple[_Noted, ...] = (),
) -> Ranking:
    reasons, notices, checked = _eligibility(wl, ctx, caches)
    notices = [*elsewhere, *notices]
    eligible = reasons == 0
    key, group, met, exempt, children = _sort_key(wl, ctx, registry, caches)

    kept = _best_rows(wl, key, eligible)
    cand = np.flatnonzero(kept)
    ck = key[cand]
    sel = cand[_smallest(ck, top)]
    return Ranking(
        wl=wl, ctx=ctx, key=key, reasons=reasons, kept=kept, eligible_count=len(cand),
        selected=sel, group=group, met=met, exempt=exempt, children=children, top=top,
        notices=tuple(notices), s51c_checked=checked,
    )


def mandatory_columns() -> tuple[str, ...]:
    """The waiting-list columns a red department's letting reads, sorted.

    Almenboligloven § 60, stk. 4: waiting-list letting in a red department is
    flexible with the employment-or-education criterion, which reads these
    columns; a waiting list without them cannot be ranked for a red department.
    An organisation's agreement may read more (its criteria's ``reads``).

    >>> "employment_hours_per_week" in mandatory_columns()
    True
    """
    from fuaalborg.criteria.builtin import MANDATORY_CRITERION, builtin_criteria

    (criterion,) = [c for c in builtin_criteria() if c.id == MANDATORY_CRITERION]
    return tuple(sorted(criterion.reads))


def _bounds_of(
    parameters: ParameterSet | None, municipality: Municipality | None
) -> ParameterSet | None:
    """The parameters whose sanity bounds the waiting list's columns are checked against.

    ``parameters`` where given, else the municipality's own (its ``municipality.toml``'s
    ``[bounds]`` on top of the bundled ones), else the bundled ones (``None``).
    """
    if parameters is not None:
        return parameters
    return municipality.parameters if municipality is not None else None


def _bounds_used(parameters: ParameterSet | None) -> tuple[ParameterUse, ...]:
    """The sanity bounds a waiting list is checked against, as in force today (the
    day its columns are checked on), from ``parameters`` (default: the bundled ones)."""
    params = parameters or load_parameters()
    today = dt.date.today()
    used: list[ParameterUse] = []
    for name in bound_names():
        if name in params:
            try:
                _lookup(params, name, today, used)
            except NotInForceError:  # no value in force: none to record
                continue
    return tuple(used)


def _check_top(top: int | None) -> int | None:
    if top is None:
        return None
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 0:
        raise ValidationError(f"top must be a whole number >= 0, got {top!r}")
    return int(top)


def rank(
    applicants: pd.DataFrame,
    vacancy: Vacancy,
    *,
    registry: CriteriaRegistry | None = None,
    on: dt.date | None = None,
    route: Subroute | None = None,
    turn: Turn | None = None,
    top: int | None = None,
    municipality: Municipality | MunicipalityRef | None = None,
    colour: str | None = None,
    organisation_cvr: str | None = None,
    agreement: AgreementLike | None = None,
    parameters: ParameterSet | None = None,
    designation: str | None = None,
) -> Ranking:
    """Rank the waiting list ``applicants`` for ``vacancy`` (rangordning af ansøgere).

    ``on`` is the date rules and criteria are read on (default: the vacancy's
    ``vacant_on``). ``route`` is ``"flexible"`` or ``"ordinary"``; when omitted it
    follows the department's colour and agreement: red departments are let
    flexibly by law (§ 60, stk. 4) from when ``colour_rules.mandatory_flexible``
    names red with share 1 (2018-12-01); an agreement share of 1 or 0 decides; a
    share in between needs ``route`` (the letting ledger's turn). ``turn`` is
    ``"internal"`` or ``"external"``; when omitted both lists compete as one.

    The colour comes from ``colour`` (red, yellow, green), else from
    ``municipality``'s step-model placement in force on the date; the
    organisation from ``organisation_cvr``, else from ``municipality``. The
    agreement comes from ``agreement`` (a
    :class:`fuaalborg.criteria.LettingAgreement` or recorded
    :class:`~fuaalborg.records.AgreementTerms`), else from ``registry``
    (default: :func:`fuaalborg.criteria.load`). ``top`` returns only the first
    ``top`` applicants (a partial selection). ``parameters`` layers other
    parameter values (default: the bundled ones); the waiting list's columns are
    checked against their sanity bounds, or, without ``parameters``, against
    ``municipality``'s own (its ``municipality.toml``'s ``[bounds]``). ``designation`` is the
    department's area designation on the ministry's list (else read from
    ``municipality``'s lists): in an omdannelse area § 51 c refuses applicants
    (reason ``s51c``).

    The decision record names ``municipality`` (its name, code and whether it is
    the bundled example: :attr:`RankingBasis.municipality
    <fuaalborg.records.RankingBasis.municipality>`); a ranking without one
    names none (``None``). A recorded :class:`~fuaalborg.records.MunicipalityRef`
    may be given instead of a :class:`~fuaalborg.municipality.Municipality`, as
    the letting ledger and :func:`fuaalborg.replay` do: it names the
    municipality only, and gives no colour, organisation, designation or bounds.

    Raises :class:`~fuaalborg.tables.TableValidationError` listing every problem
    of the table, and :class:`RankingContextError` when the route cannot be
    decided.
    """
    caches = _Caches()
    tables, named = _municipality(municipality)
    ((ctx, reg),) = _apply_conditions([_resolve(
        vacancy, on=on, route=route, turn=turn, registry=registry, municipality=tables,
        colour=colour, organisation_cvr=organisation_cvr, agreement=agreement,
        parameters=parameters, caches=caches, designation=designation, named=named,
    )])
    wl = prepare(applicants, ctx.basis.on, parameters=_bounds_of(parameters, tables))
    return _rank(wl, ctx, reg, _check_top(top), caches, _elsewhere(wl, tables))


def _municipality(
    municipality: Municipality | MunicipalityRef | None,
) -> tuple[Municipality | None, MunicipalityRef | None]:
    """The municipality's tables (``None`` for a recorded reference) and what the record names.

    A municipality's stand-in without a name (tables only) is used for its tables and
    named by none.
    """
    if municipality is None:
        return None, None
    if isinstance(municipality, MunicipalityRef):
        return None, municipality
    named = MunicipalityRef.of(municipality) if hasattr(municipality, "name") else None
    return municipality, named


def _per_vacancy(value: Any, count: int, name: str) -> list[Any]:
    if value is None or isinstance(value, str):
        return [value] * count
    if isinstance(value, Mapping):
        raise ValidationError(f"{name}: give one value or one per vacancy, not a mapping")
    values = list(value)
    if len(values) != count:
        raise ValidationError(f"{name}: {len(values)} values for {count} vacancies")
    return values


def rank_many(
    applicants: pd.DataFrame,
    vacancies: Sequence[Vacancy],
    *,
    top: int | None = 25,
    registry: CriteriaRegistry | None = None,
    on: dt.date | None = None,
    route: Subroute | Sequence[Subroute | None] | None = None,
    turn: Turn | Sequence[Turn | None] | None = None,
    municipality: Municipality | MunicipalityRef | None = None,
    colours: Mapping[str, str] | None = None,
    organisation_cvr: str | None = None,
    agreement: AgreementLike | None = None,
    parameters: ParameterSet | None = None,
    designations: Mapping[str, str] | None = None,
) -> list[Ranking]:
    """Rank many vacancies against one waiting list (an offer round).

    The waiting list is validated once; each criterion is evaluated once per
    date and reused by every agreement that names it; colours and agreements
    are looked up once per department. ``route`` and ``turn`` are one value for
    all vacancies or one per vacancy; ``colours`` maps department ids to colours
    (else they come from ``municipality``); ``agreement`` applies one agreement
    to every vacancy (else each department's comes from ``registry``);
    ``designations`` maps department ids to area designations (else they come
    from ``municipality``). Each record names ``municipality`` as :func:`rank`'s
    does. Returns one :class:`Ranking` per vacancy, in order.
    """
    vacancies = list(vacancies)
    if not vacancies:
        return []
    routes = _per_vacancy(route, len(vacancies), "route")
    turns = _per_vacancy(turn, len(vacancies), "turn")
    top = _check_top(top)
    caches = _Caches()
    tables, named = _municipality(municipality)
    resolved = []
    for vac, r, t in zip(vacancies, routes, turns, strict=True):
        dep = str(getattr(vac, "department_id", ""))
        colour = None if colours is None else colours.get(dep)
        designation = None if designations is None else designations.get(dep)
        resolved.append(
            _resolve(
                vac, on=on, route=r, turn=t, registry=registry, municipality=tables,
                colour=colour, organisation_cvr=organisation_cvr, agreement=agreement,
                parameters=parameters, caches=caches, designation=designation, named=named,
            )
        )
    resolved = _apply_conditions(resolved)
    wl = prepare(applicants, min(ctx.basis.on for ctx, _ in resolved),
                 parameters=_bounds_of(parameters, tables))
    elsewhere = _elsewhere(wl, tables)
    return [_rank(wl, ctx, reg, top, caches, elsewhere) for ctx, reg in resolved]


# ---------------------------------------------------------------------------
# The result


def _categorical(codes: npt.NDArray[Any], labels: Sequence[str]) -> pd.Categorical:
    """A categorical from integer codes and distinct labels (no copy of the labels)."""
    return pd.Categorical.from_codes(
        codes, categories=pd.Index(list(labels), dtype=object), validate=False
    )


def _distinct_codes(
    values: npt.NDArray[np.int64], limit: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]]:
    """(codes, sorted distinct values) of small non-negative integers below ``limit``."""
    if limit <= 1 << 16:
        present = np.zeros(limit, dtype=bool)
        present[values] = True
        lookup = np.cumsum(present, dtype=np.intp) - 1
        return lookup[values], np.flatnonzero(present).astype(np.int64)
    codes, uniques = pd.factorize(values, sort=True)
    return codes.astype(np.intp), np.asarray(uniques, dtype=np.int64)


def _dates(days: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    """Days since :data:`EPOCH` as ``datetime64[s]``, in one new array."""
    seconds = days + _EPOCH_DAYS
    seconds *= 86_400
    return seconds.view("datetime64[s]")


def _decode(key: int) -> _explain.KeyParts:
    """The parts of a sort key, as :data:`KEY_LAYOUT` lays them out."""
    parts = [(key >> shift) & ((1 << bits) - 1) for _name, shift, bits in KEY_LAYOUT]
    return parts[0], parts[1], parts[2], parts[3], parts[4]


class Ranking:
    """The ranked candidates for one vacancy, with reasons and a decision record.

    ``frame`` has one row per eligible applicant in order (only the first
    ``top`` when a top was asked for): ``rank`` (1…n), ``applicant_id``,
    ``list``, ``group`` (the priority group met; missing on the ordinary route
    or when none is met), ``criteria_met`` (criterion ids, ``"; "``-separated),
    ``seniority_date`` and ``sort_key`` (see :data:`KEY_LAYOUT`); :meth:`table`
    is the same without the internal key, optionally with the ineligible rows and
    their reasons, and :meth:`write` writes it (English or Danish).
    :attr:`basis` is what the ranking decided on, :attr:`ineligible` lists the
    rows that cannot be offered the dwelling, :attr:`record` is the decision
    record and :meth:`explain` says why an applicant stands where they do.
    """

    def __init__(
        self,
        *,
        wl: WaitingList,
        ctx: _Context,
        key: npt.NDArray[np.int64],
        reasons: npt.NDArray[np.uint8],
        kept: npt.NDArray[np.bool_],
        eligible_count: int,
        selected: npt.NDArray[np.intp],
        group: npt.NDArray[np.int64] | None,
        met: npt.NDArray[np.int64] | None,
        exempt: npt.NDArray[np.bool_] | None,
        children: npt.NDArray[np.bool_] | None,
        top: int | None,
        notices: Sequence[_Noted] = (),
        s51c_checked: bool = False,
    ) -> None:
        self._wl = wl
        self._ctx = ctx
        self._key = key
        self._reasons = reasons
        self._kept = kept
        self._group = group
        self._met = met
        self._exempt = exempt
        self._children = children
        self._s51c_checked = s51c_checked
        # built on first use: the ineligible rows, the record, the candidates' keys
        self._ineligible: pd.DataFrame | None = None
        self._record: RankingRecord | None = None
        self._cand_keys: npt.NDArray[np.int64] | None = None
        #: How many applicants the first ``top`` were chosen from.
        self.eligible_count = eligible_count
        #: The ``top`` asked for, or ``None`` for the full ranking.
        self.top = top
        self._noted = tuple(notices)
        #: What the ranking could not check from this waiting list, or noticed, in English:
        #: :meth:`notice_texts` gives them in Danish, the decision record as codes
        #: (:attr:`RankingRecord.notices <fuaalborg.records.RankingRecord.notices>`).
        self.notices: tuple[str, ...] = self.notice_texts("en")
        self.frame = self._frame(selected)

    # -- plain facts ----------------------------------------------------------

    @property
    def basis(self) -> RankingBasis:
        """What the ranking decided on: route, turn, colour, agreement, criteria, parameters."""
        return self._ctx.basis

    @property
    def vacancy(self) -> Vacancy:
        """The vacancy ranked for."""
        return self._ctx.basis.vacancy

    @property
    def on(self) -> dt.date:
        """The date rules and criteria were read on."""
        return self._ctx.basis.on

    @property
    def route(self) -> Subroute:
        """``"flexible"`` or ``"ordinary"``."""
        return self._ctx.basis.route

    @property
    def turn(self) -> Turn | None:
        """``"internal"``, ``"external"`` or ``None`` (one list)."""
        return self._ctx.basis.turn

    @property
    def colour(self) -> str | None:
        """The department's colour, when known."""
        return self._ctx.basis.colour

    @property
    def agreement(self) -> AgreementTerms | None:
        """The terms of the letting agreement applied, if any."""
        return self._ctx.basis.agreement

    @property
    def criteria(self) -> tuple[CriterionUse, ...]:
        """The priority groups' criteria, group 1 first (empty on the ordinary route)."""
        return self._ctx.basis.criteria

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        return (
            f"<Ranking {self.vacancy.department_id} on {self.on.isoformat()}: {self.route}, "
            f"turn {self.turn or 'none'}, {len(self.frame)} of {self.eligible_count} eligible>"
        )

    # -- frames ---------------------------------------------------------------

    def _met_labels(self, rows: npt.NDArray[np.intp]) -> pd.Categorical:
        names = [c.id for c in self.criteria]
        if self._met is None or not names:
            return _categorical(np.zeros(len(rows), dtype=np.int8), [""])
        codes, uniques = _distinct_codes(self._met[rows], 1 << len(names))
        labels = [
            "; ".join(n for j, n in enumerate(names) if int(mask) >> j & 1) for mask in uniques
        ]
        return _categorical(codes, labels)

    def _frame(self, rows: npt.NDArray[np.intp]) -> pd.DataFrame:
        wl = self._wl
        g = len(self.criteria)
        if self._group is not None:
            grp = self._group[rows]
            group = pd.arrays.IntegerArray(grp.astype(np.int16), grp > g)
        else:
            group = pd.arrays.IntegerArray(
                np.zeros(len(rows), dtype=np.int16), np.ones(len(rows), dtype=bool)
            )
        # every column is new here: the frame takes them without another copy
        return pd.DataFrame(
            {
                "rank": np.arange(1, len(rows) + 1, dtype=np.int64),
                "applicant_id": wl.take_ids(rows),
                "list": wl.lists(rows),
                "group": group,
                "criteria_met": self._met_labels(rows),
                "seniority_date": _dates(wl.seniority[rows]),
                "sort_key": self._key[rows],
            },
            copy=False,
        )

    @property
    def ineligible(self) -> pd.DataFrame:
        """Rows that cannot be offered the dwelling: applicant_id, list, reason, reasons.

        ``reason`` is the first of :data:`INELIGIBILITY_REASONS` that applies; ``reasons``
        lists
        all of them, ``"; "``-separated. An applicant on both lists may be ranked
        on one list and listed here for the other.
        """
        if self._ineligible is None:
            rows = np.flatnonzero(self._reasons)
            bits = self._reasons[rows]
            first = np.zeros(len(rows), dtype=np.int8)
            for i in range(len(INELIGIBILITY_REASONS) - 1, -1, -1):
                first = np.where((bits >> i) & 1 == 1, i, first).astype(np.int8)
            codes, uniques = _distinct_codes(
                bits.astype(np.int64), 1 << len(INELIGIBILITY_REASONS)
            )
            labels = [
                "; ".join(r for i, r in enumerate(INELIGIBILITY_REASONS) if int(b) >> i & 1)
                for b in uniques
            ]
            self._ineligible = pd.DataFrame(
                {
                    "applicant_id": self._wl.take_ids(rows),
                    "list": self._wl.lists(rows),
                    "reason": _categorical(first, INELIGIBILITY_REASONS),
                    "reasons": _categorical(codes, labels),
                },
                copy=False,
            )
        return self._ineligible

    # -- the table handed on ----------------------------------------------------

    def table(
        self, *, include_ineligible: bool = False, lang: Language = "da"
    ) -> pd.DataFrame:
        """The ranking as handed on: ``frame`` without the internal sort key.

        Columns: ``rank``, ``applicant_id``, ``list``, ``group``,
        ``criteria_met``, ``seniority_date``. With ``include_ineligible`` the rows
        that cannot be offered the dwelling follow, without a rank, and the
        columns ``eligible``, ``reason_code`` (the first reason of
        :data:`INELIGIBILITY_REASONS`), ``reason_codes`` (every one, ``"; "``-separated) and
        ``reason_text`` (the reasons in plain words, in ``lang``) are added. The sort key stays in
        ``frame``, and the order in the decision record (:attr:`record`).
        """
        shown = self.frame.drop(columns="sort_key")
        if not include_ineligible:
            return shown
        bad = self.ineligible
        rows = np.flatnonzero(self._reasons)
        other = pd.DataFrame(
            {
                "rank": pd.array([pd.NA] * len(bad), dtype="Int64"),
                "applicant_id": bad["applicant_id"].array,
                "list": bad["list"].astype(str).array,
                "group": pd.array([pd.NA] * len(bad), dtype="Int16"),
                "criteria_met": "",
                "seniority_date": _dates(self._wl.seniority[rows]),
                "eligible": False,
                "reason_code": bad["reason"].astype(str).array,
                "reason_codes": bad["reasons"].astype(str).array,
                "reason_text": self._reason_texts(rows, lang),
            }
        )
        head = shown.assign(
            rank=shown["rank"].astype("Int64"),
            list=shown["list"].astype(str),
            criteria_met=shown["criteria_met"].astype(str),
            eligible=True,
            reason_code="",
            reason_codes="",
            reason_text="",
        )
        return pd.concat([head, other], ignore_index=True)

    def _reason_texts(self, rows: npt.NDArray[np.intp], lang: Language) -> Any:
        """The reasons of ``rows`` in words: one text per distinct case, not per row."""
        if not len(rows):
            return np.array([], dtype=object)
        wl = self._wl
        keys: dict[str, Any] = {"bits": self._reasons[rows], "size": wl.household[rows]}
        for name in ("min_rooms", "max_rent_dkk"):
            if name in wl.columns:
                values = wl.extra([name])[name].to_numpy(dtype="float64", na_value=np.nan)
                keys[name] = values[rows]
        cases = pd.DataFrame(keys).groupby(list(keys), sort=False, dropna=False).ngroup()
        codes = cases.to_numpy()
        first = pd.Series(np.arange(len(codes))).groupby(codes).first().to_numpy()
        terms = self._terms()
        texts = np.array(
            [_explain.reasons_text(terms, self._row(int(rows[i])), lang) for i in first],
            dtype=object,
        )
        return texts[codes]

    def write(
        self,
        path: str | Any,
        *,
        include_ineligible: bool = False,
        danish: bool = False,
        lang: Language | None = None,
    ) -> Any:
        """Write :meth:`table` to CSV or xlsx (by suffix), atomically.

        ``danish`` writes Danish headers and values (and for CSV ``;``, decimal
        comma and a byte-order mark); the reason texts are Danish then unless
        ``lang`` says otherwise. Returns the path written.
        """
        from fuaalborg.tables import write_table

        words: Language = lang or ("da" if danish else "en")
        frame = self.table(include_ineligible=include_ineligible, lang=words)
        return write_table(frame, path, sheet_name="ranking", danish=danish)

    # -- the record -------------------------------------------------------------

    def _used_columns(self) -> tuple[str, ...]:
        wl = self._wl
        cols = set(REQUIRED) | ({"active"} if wl.has_active else set())
        cols |= {c for c in WISH_COLUMNS if c in wl.columns}
        for c in self.criteria:
            cols |= set(c.reads)
        if self._exempt is not None:
            cols.add("current_department_id")
        if self._children is not None:
            cols.add("children")
        if self._s51c_checked:
            from fuaalborg.letting._s51c import COLUMNS

            cols |= {*COLUMNS, "current_department_id"}
            cols |= {"s51c_dispensation"} & wl.columns
        return tuple(sorted(cols))

    @property
    def record(self) -> RankingRecord:
        """The decision record (serialisable with :meth:`RankingRecord.to_json`)."""
        if self._record is None:
            wl = self._wl
            used = self._used_columns()
            self._record = RankingRecord.of(
                self.basis,
                input=InputFingerprint(rows=wl.n, columns=used, sha256=wl.fingerprint(used)),
                top=self.top,
                eligible=self.eligible_count,
                ineligible=int(np.count_nonzero(self._reasons)),
                ranked=tuple(str(v) for v in self.frame["applicant_id"].tolist()),
                library_version=__version__,
                notices=tuple(n for n, _rows in self._noted),
                bounds=_bounds_used(wl.parameters),
            )
        return self._record

    # -- notices ----------------------------------------------------------------

    def notice_texts(self, lang: Language = "da") -> tuple[str, ...]:
        """The ranking's notices in words, in Danish or English (:attr:`notices`: English)."""
        return tuple(n.text(lang) for n, _rows in self._noted)

    def _rows_of_applicant(self, applicant_id: object) -> npt.NDArray[np.intp]:
        """The waiting-list rows of the applicant; refused when the id is on none."""
        rows = self._wl.rows_of(applicant_id)
        if not len(rows):
            raise ApplicantNotFoundError(
                "the applicant id asked for is not on the waiting list that was ranked"
            )
        return rows

    def notices_about(self, applicant_id: object) -> tuple[Notice, ...]:
        """The notices that concern the applicant's own rows, in the ranking's order.

        A notice on some rows (a current department not in the municipality's
        table, benefit information missing under § 51 c) concerns the applicants
        of those rows; one on the whole waiting list (§ 51 c not checked)
        concerns everyone. :meth:`Notice.about_applicant
        <fuaalborg.letting.notices.Notice.about_applicant>` says what each
        means for the applicant.
        """
        rows = self._rows_of_applicant(applicant_id)
        return tuple(
            notice for notice, concerned in self._noted
            if concerned is None or bool(np.isin(rows, concerned).any())
        )

    # -- explanations -----------------------------------------------------------

    def _candidate_keys(self) -> npt.NDArray[np.int64]:
        """The sort keys of every eligible applicant (their best rows), unordered."""
        if self._cand_keys is None:
            self._cand_keys = self._key[self._kept]
        return self._cand_keys

    def position_of(self, applicant_id: object) -> int | None:
        """The applicant's position in the full ranking (``None`` when not eligible)."""
        rows = self._wl.rows_of(applicant_id)
        best = rows[self._kept[rows]]
        if not len(best):
            return None
        return int(np.count_nonzero(self._candidate_keys() < self._key[best[0]])) + 1

    def _terms(self) -> _explain.Terms:
        ctx = self._ctx
        return _explain.Terms(
            basis=ctx.basis, eligible=self.eligible_count,
            max_persons_per_room=ctx.max_persons_per_room, s51c=ctx.s51c, applies=ctx.applies,
            mandatory_flexible=ctx.mandatory_flexible,
        )

    def _row(self, row: int) -> _explain.Row:
        """The facts of one waiting-list row that an explanation shows."""
        wl = self._wl
        bits = int(self._reasons[row])
        reasons = tuple(r for i, r in enumerate(INELIGIBILITY_REASONS) if bits >> i & 1)
        min_rooms = max_rent = None
        if "fewer_rooms_than_wished" in reasons:
            min_rooms = int(wl.extra(["min_rooms"])["min_rooms"].iloc[row])
        if "rent_above_wish" in reasons:
            max_rent = float(wl.extra(["max_rent_dkk"])["max_rent_dkk"].iloc[row])
        return _explain.Row(
            list=TURNS[wl.list_code[row]], reasons=reasons, household_size=int(wl.household[row]),
            min_rooms=min_rooms, max_rent_dkk=max_rent,
        )

    def _standing(self, rows: npt.NDArray[np.intp]) -> _explain.Standing | None:
        """Where the best of ``rows`` stands (``None`` when none can be offered the dwelling)."""
        kept = np.flatnonzero(self._kept[rows])
        if not len(kept):
            return None
        row = int(rows[kept[0]])
        key = int(self._key[row])
        cand = self._candidate_keys()
        ahead = cand[cand < key]
        met = None
        if self._met is not None:
            mask = int(self._met[row])
            met = tuple(bool(mask >> j & 1) for j in range(len(self.criteria)))
        day = (_EPOCH64 + self._wl.seniority[row]).astype("datetime64[D]").item()
        return _explain.Standing(
            row=int(kept[0]),
            position=len(ahead) + 1,
            key=_decode(key),
            above=_decode(int(ahead.max())) if len(ahead) else None,
            seniority=day,
            met=met,
            exempt=bool(self._exempt is not None and self._exempt[row]),
            children=None if self._children is None else bool(self._children[row]),
        )

    def explain(self, applicant_id: object, lang: Language = "da") -> str:
        """Why the applicant stands where they do, in plain Danish or English.

        Covers the route, the turn, the priority group and the criteria met and
        not met (by their titles), the seniority date, and what puts the applicant
        just above ahead; an ineligible applicant gets the reasons. Never shows
        protected data or another applicant's data.
        """
        if lang not in ("da", "en"):
            raise ValidationError(f"lang must be 'da' or 'en', got {lang!r}")
        rows = self._rows_of_applicant(applicant_id)
        facts = [self._row(int(r)) for r in rows]
        return _explain.explain(self._terms(), facts, self._standing(rows), lang)


# Renamed names, kept for one release: ``ROUTES`` and ``REASONS`` meant other things
# in :mod:`fuaalborg.letting.routing`.
_RENAMED = {
    "ROUTES": ("fuaalborg.model", "SUBROUTES"),
    "REASONS": ("fuaalborg.letting.ranking", "INELIGIBILITY_REASONS"),
}


def __getattr__(name: str) -> Any:
    """``ROUTES`` (now :data:`~fuaalborg.model.SUBROUTES`) and ``REASONS`` (now
    :data:`INELIGIBILITY_REASONS`) are deprecated."""
    return _lazy.deprecated(__name__, name, _RENAMED)
