"""The declarative objects plug-ins return: criteria, letting agreements and selectors.

A :class:`Criterion` is one flexible-letting criterion (fleksibelt
udlejningskriterium): the fields it reads, a vectorised predicate, its legal
basis and effective dates. A :class:`LettingAgreement` is an organisation's
bilag 4 agreement: which departments, the ordered priority groups (each a
criterion id, group 1 first), the share of waiting-list lettings let flexibly.

Objects are frozen and checked only for their shape here; the loader validates
them centrally (protected fields, unknown ids, dates, departments) and names the
plug-in in every error.

>>> import pandas as pd
>>> from fuaalborg.criteria import ByColour, Criterion
>>> c = Criterion(
...     id="example.families",
...     title="Families with children",
...     reads={"children"},
...     predicate=lambda f: f["children"].fillna(0) > 0,
...     legal_basis="Almenboligloven § 60, stk. 1",
... )
>>> sorted(c.reads)
['children']
>>> ByColour("red", "yellow").matches("d1", "yellow")
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import attrs
import pandas as pd

from fuaalborg.criteria.conditions import PriorityGroup
from fuaalborg.model import COLOURS

__all__ = [
    "COLOURS",
    "COMBINED_SEPARATOR",
    "MAX_GROUPS",
    "AllDepartments",
    "ByColour",
    "Criterion",
    "DepartmentSelector",
    "Group",
    "LettingAgreement",
    "Predicate",
    "tightened",
]

#: Joins criterion ids into a combined group that requires all of them (``"a&b"``).
COMBINED_SEPARATOR = "&"
#: The most priority groups an agreement may have in any department. The ranking's sort
#: key holds the group in 6 bits: groups 1…G and G + 1 for "meets none" (G <= 62); in a
#: red department the mandatory § 60, stk. 4 criterion adds a group.
MAX_GROUPS = 62

#: A predicate: the declared columns (and, if the criterion reads parameters,
#: their values on the evaluation date) to a boolean Series on the same index.
Predicate: TypeAlias = (
    Callable[[pd.DataFrame], "pd.Series[bool]"]
    | Callable[[pd.DataFrame, Mapping[str, Any]], "pd.Series[bool]"]
)


def _frozen_names(value: Iterable[str] | str) -> frozenset[str]:
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


def _tuple(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _groups(value: Any) -> tuple[Any, ...]:
    if isinstance(value, str | PriorityGroup):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(value)
    return (value,)


@attrs.frozen
class Criterion:
    """One flexible-letting criterion (fleksibelt udlejningskriterium).

    ``reads`` is the set of applicant fields the predicate needs (a frozenset;
    any iterable is converted). ``predicate`` receives a fresh DataFrame holding
    exactly those columns and returns a boolean Series on the same index — one
    call per waiting list, never one per applicant. A criterion that names
    ``parameters`` (dated values from the parameter files) is called as
    ``predicate(frame, values)`` with those parameters' values on the evaluation
    date. ``legal_basis`` cites the rule; ``valid_from``/``valid_until`` bound
    its effect (inclusive; ``None``: open). ``documentation`` says what the
    applicant must document when offered a dwelling.
    """

    id: str
    title: str
    reads: frozenset[str] = attrs.field(converter=_frozen_names)
    predicate: Predicate = attrs.field(eq=False)
    legal_basis: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    documentation: str | None = None
    title_da: str | None = None
    parameters: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    def in_force(self, on: dt.date) -> bool:
        """Whether the criterion applies on ``on``."""
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_until is None or on <= self.valid_until
        )


@attrs.frozen
class AllDepartments:
    """Selector: every department of the agreement's organisation."""

    def matches(self, department_id: str, colour: str | None) -> bool:
        """Whether the selector covers the department."""
        return True

    def describe(self) -> str:
        """A short text for listings."""
        return "all departments"


@attrs.frozen(init=False)
class ByColour:
    """Selector: the organisation's departments of the given colours (red, yellow, green)."""

    colours: tuple[str, ...]

    def __init__(self, *colours: str) -> None:
        self.__attrs_init__(tuple(colours))

    def matches(self, department_id: str, colour: str | None) -> bool:
        """Whether the selector covers a department of ``colour``."""
        return colour in self.colours

    def describe(self) -> str:
        """A short text for listings."""
        return "departments coloured " + "/".join(self.colours)


#: What an agreement's ``departments`` may be: department ids or a selector.
DepartmentSelector: TypeAlias = tuple[str, ...] | AllDepartments | ByColour
#: A priority group: a criterion id, a combined group ``"a&b"`` (every part must be met)
#: or a :class:`~fuaalborg.criteria.conditions.PriorityGroup` that applies only to
#: certain dwellings.
Group: TypeAlias = str | PriorityGroup


def _departments(value: Any) -> Any:
    if isinstance(value, AllDepartments | ByColour):
        return value
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(value)
    return value


@attrs.frozen
class LettingAgreement:
    """An organisation's agreement on flexible letting (the agreement's bilag 4).

    ``departments`` is a tuple of department ids or a selector
    (:class:`AllDepartments`, :class:`ByColour`). ``groups`` is the ordered tuple
    of priority groups, group 1 first: each a criterion id, a combined group
    ``"a&b"`` (both met), or a
    :class:`~fuaalborg.criteria.conditions.PriorityGroup` that applies only to
    certain dwellings. At most :data:`MAX_GROUPS` groups (counting the mandatory
    group a red department adds). ``flexible_share`` is
    the share (0–1) of the department's waiting-list lettings let flexibly.
    ``internal_moves_exempt`` exempts moves within the department;
    ``children_first_for_rooms`` gives families with children priority for
    dwellings of at least that many rooms. ``organisation_cvr`` is ``None`` only
    for the library's statutory agreement, which applies to every organisation;
    a plug-in may publish agreements only for its own ``ORGANISATION_CVR``.
    """

    organisation_cvr: str | None
    departments: DepartmentSelector = attrs.field(converter=_departments)
    groups: tuple[Group, ...] = attrs.field(converter=_groups)
    flexible_share: float
    legal_basis: str
    valid_from: dt.date
    valid_until: dt.date | None
    internal_moves_exempt: bool = False
    children_first_for_rooms: int | None = None

    def in_force(self, on: dt.date) -> bool:
        """Whether the agreement applies on ``on``."""
        return self.valid_from <= on and (self.valid_until is None or on <= self.valid_until)

    @property
    def group_ids(self) -> tuple[str, ...]:
        """The criterion id (or combined ``"a&b"``) of each group, group 1 first."""
        return tuple(g.criterion if isinstance(g, PriorityGroup) else g for g in self.groups)

    @property
    def group_conditions(self) -> tuple[str, ...]:
        """The text form of each group's dwelling condition (``""``: always applies)."""
        return tuple(g.condition_text if isinstance(g, PriorityGroup) else "" for g in self.groups)

    def covers(self, department_id: str, colour: str | None) -> bool:
        """Whether ``departments`` includes this department (of this colour)."""
        if isinstance(self.departments, AllDepartments | ByColour):
            return self.departments.matches(department_id, colour)
        return department_id in self.departments

    @property
    def specificity(self) -> int:
        """2 for listed department ids, 1 for a colour selector, 0 for all departments."""
        if isinstance(self.departments, AllDepartments):
            return 0
        if isinstance(self.departments, ByColour):
            return 1
        return 2

    def describe_departments(self) -> str:
        """A short text for listings."""
        if isinstance(self.departments, AllDepartments | ByColour):
            return self.departments.describe()
        return ", ".join(self.departments)


def tightened(org: LettingAgreement, mandatory: LettingAgreement) -> LettingAgreement:
    """An organisation's agreement as it applies in a red department.

    The mandatory § 60, stk. 4 agreement may be tightened but never dropped:
    each of the organisation's groups is combined with the mandatory groups
    (``"group&employment_or_education"``, keeping a group's dwelling
    condition), the mandatory groups follow last, the share is the larger and
    the period the overlap.
    """
    required = mandatory.group_ids
    groups: list[Group] = []
    for group in org.groups:
        gid = group.criterion if isinstance(group, PriorityGroup) else group
        if not isinstance(gid, str) or gid in required:
            groups.append(group)
            continue
        combined = COMBINED_SEPARATOR.join((gid, *required))
        groups.append(
            PriorityGroup(combined, applies_to=group.applies_to)
            if isinstance(group, PriorityGroup)
            else combined
        )
    groups.extend(required)
    until = [d for d in (org.valid_until, mandatory.valid_until) if d is not None]
    return attrs.evolve(
        org,
        groups=tuple(dict.fromkeys(groups)),
        flexible_share=max(org.flexible_share, mandatory.flexible_share),
        legal_basis=f"{org.legal_basis}; {mandatory.legal_basis}",
        valid_from=max(org.valid_from, mandatory.valid_from),
        valid_until=min(until) if until else None,
    )
