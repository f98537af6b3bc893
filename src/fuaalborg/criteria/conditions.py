"""Conditions on the vacant dwelling that decide whether a priority group applies.

Some bilag 4 rules give a group priority only to certain dwellings: "seniors to
ground-floor dwellings", "students to youth dwellings", "families with children
to dwellings of 4 rooms or more". A :class:`PriorityGroup` pairs a group's
criterion with such a condition (``applies_to``); for a vacancy the condition
does not hold for, the group does not apply — nobody is placed in it, and the
group after it keeps its number.

A :class:`DwellingCondition` reads the declared facts of the dwelling
(:data:`DWELLING_FACTS`: ``rooms``, ``floor``, ``dwelling_type``, ``lift`` — the
dwellings table's columns, see :data:`fuaalborg.specs.DWELLINGS`), which a
:class:`~fuaalborg.letting.vacancy.Vacancy` carries. Several conditions in
``applies_to`` are alternatives (any of them). Every condition has one text
form, which decision records keep and
:func:`~fuaalborg.criteria.conditions.parse` reads back.

:func:`applicability` evaluates the groups of an agreement for many vacancies at
once (vectorised over the vacancies); :func:`explain_group` says in Danish or
English which condition made a group apply, or not.

>>> import datetime as dt
>>> from fuaalborg.letting.vacancy import Vacancy
>>> ground = DwellingCondition(floor=0)
>>> str(ground), str(DwellingCondition(min_rooms=4, dwelling_type="family"))
('floor = 0', 'rooms >= 4 and dwelling_type = family')
>>> group = PriorityGroup("senior", applies_to=[ground, DwellingCondition(lift=True)])
>>> group.condition_text
'floor = 0 or lift = true'
>>> v = [Vacancy("D1", 2, 5000, dt.date(2025, 1, 1), floor=0),
...      Vacancy("D1", 2, 5000, dt.date(2025, 1, 1), floor=3, lift=False)]
>>> applicability(["", group.condition_text], v).tolist()
[[True, True], [True, False]]
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from fuaalborg._types import Language
from fuaalborg.errors import InputError, Problem, ValidationError
from fuaalborg.specs import DWELLING_TYPES

__all__ = [
    "DWELLING_FACTS",
    "DwellingCondition",
    "PriorityGroup",
    "UnknownDwellingFactError",
    "applicability",
    "explain_group",
    "parse",
]

#: The dwelling facts a condition may read (columns of the dwellings table).
DWELLING_FACTS: tuple[str, ...] = ("rooms", "floor", "dwelling_type", "lift")


class UnknownDwellingFactError(InputError):
    """A group's condition needs a fact of the dwelling that the vacancy does not state.

    Give the vacancy the fact (``Vacancy(..., floor=0)``), taken from the
    dwellings table's declared columns (:data:`fuaalborg.specs.DWELLINGS`).
    One problem per vacancy: ``where`` names the vacancy (its dwelling, or its
    department), ``what`` the facts missing.
    """

    head = (
        "the agreement's groups depend on facts of the dwelling that the vacancy does not "
        "state (give the vacancy these facts of its dwelling, as the dwellings table declares "
        "them): {count}"
    )


def _types(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def _check_whole(name: str, low: int) -> Any:
    def check(_self: Any, _attr: Any, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValidationError(f"DwellingCondition: {name} must be a whole number >= {low}")

    return check


@attrs.frozen
class DwellingCondition:
    """A condition on the vacant dwelling; every stated part must hold.

    ``min_rooms``/``max_rooms`` bound the habitable rooms (inclusive); ``floor``
    is the exact floor (0 = ground floor, stuen) and ``max_floor`` the highest;
    ``dwelling_type`` is one type or several (any of them) among
    :data:`~fuaalborg.specs.DWELLING_TYPES`; ``lift`` requires a lift (or its
    absence). A condition that states nothing is refused.
    """

    min_rooms: int | None = attrs.field(default=None, validator=_check_whole("min_rooms", 1))
    max_rooms: int | None = attrs.field(default=None, validator=_check_whole("max_rooms", 1))
    floor: int | None = attrs.field(default=None, validator=_check_whole("floor", -5))
    max_floor: int | None = attrs.field(default=None, validator=_check_whole("max_floor", -5))
    dwelling_type: tuple[str, ...] = attrs.field(default=(), converter=_types)
    lift: bool | None = None

    def __attrs_post_init__(self) -> None:
        unknown = [t for t in self.dwelling_type if t not in DWELLING_TYPES]
        if unknown:
            raise ValidationError(
                f"DwellingCondition: dwelling_type {', '.join(map(repr, unknown))} is not one of "
                f"{', '.join(DWELLING_TYPES)}"
            )
        if self.lift is not None and not isinstance(self.lift, bool):
            raise ValidationError("DwellingCondition: lift must be true or false")
        if not self.facts:
            raise ValidationError("DwellingCondition: a condition must state at least one fact")
        if (
            self.min_rooms is not None
            and self.max_rooms is not None
            and self.min_rooms > self.max_rooms
        ):
            raise ValidationError("DwellingCondition: min_rooms is above max_rooms")

    @property
    def facts(self) -> tuple[str, ...]:
        """The dwelling facts the condition reads."""
        out = []
        if self.min_rooms is not None or self.max_rooms is not None:
            out.append("rooms")
        if self.floor is not None or self.max_floor is not None:
            out.append("floor")
        if self.dwelling_type:
            out.append("dwelling_type")
        if self.lift is not None:
            out.append("lift")
        return tuple(out)

    def __str__(self) -> str:
        parts = []
        if self.min_rooms is not None:
            parts.append(f"rooms >= {self.min_rooms}")
        if self.max_rooms is not None:
            parts.append(f"rooms <= {self.max_rooms}")
        if self.floor is not None:
            parts.append(f"floor = {self.floor}")
        if self.max_floor is not None:
            parts.append(f"floor <= {self.max_floor}")
        if len(self.dwelling_type) == 1:
            parts.append(f"dwelling_type = {self.dwelling_type[0]}")
        elif self.dwelling_type:
            parts.append(f"dwelling_type in ({', '.join(self.dwelling_type)})")
        if self.lift is not None:
            parts.append(f"lift = {'true' if self.lift else 'false'}")
        return " and ".join(parts)

    def describe(self, lang: Language = "da") -> str:
        """The dwellings the condition covers, in words that follow "dwellings" / "boliger".

        >>> DwellingCondition(floor=0, min_rooms=2).describe("da")
        'med mindst 2 rum og i stueetagen'
        """
        da = lang == "da"
        words: list[str] = []
        lo, hi = self.min_rooms, self.max_rooms
        if lo is not None and hi is not None:
            span = str(lo) if lo == hi else f"{lo}–{hi}"
            words.append(f"med {span} rum" if da else f"with {span} rooms")
        elif lo is not None:
            words.append(f"med mindst {lo} rum" if da else f"with at least {lo} rooms")
        elif hi is not None:
            words.append(f"med højst {hi} rum" if da else f"with at most {hi} rooms")
        if self.floor is not None:
            words.append(_floor(self.floor, lang, on=True))
        if self.max_floor is not None:
            words.append(
                f"højst på {self.max_floor}. sal" if da
                else f"no higher than floor {self.max_floor}"
            )
        if self.dwelling_type:
            kinds = [_TYPE_WORDS[t][3 if da else 2] for t in self.dwelling_type]
            words.append((" eller " if da else " or ").join(kinds))
        if self.lift is not None:
            if da:
                words.append("med elevator" if self.lift else "uden elevator")
            else:
                words.append("with a lift" if self.lift else "without a lift")
        return (" og " if da else " and ").join(words)


def _floor(floor: int, lang: Language, *, on: bool) -> str:
    if lang == "da":
        if floor == 0:
            return "i stueetagen" if on else "stueetagen"
        return f"på {floor}. sal" if on else f"{floor}. sal"
    if floor == 0:
        return "on the ground floor" if on else "ground floor"
    return f"on floor {floor}" if on else f"floor {floor}"


# type: (noun en, noun da, after "dwellings" en, after "boliger" da)
_TYPE_WORDS = {
    "family": ("family dwelling", "familiebolig", "that are family dwellings",
               "der er familieboliger"),
    "youth": ("youth dwelling", "ungdomsegnet bolig", "suited for young people",
              "der er ungdomsegnede"),
    "senior": ("senior dwelling", "ældreegnet bolig", "suited for seniors",
               "der er ældreegnede"),
    "accessible": ("accessible dwelling", "handicapegnet bolig", "that are accessible",
                   "der er handicapegnede"),
}


def _conditions(value: Any) -> tuple[DwellingCondition, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, DwellingCondition):
        return (value,)
    if isinstance(value, Iterable):
        out: list[DwellingCondition] = []
        for item in value:
            out.extend(_conditions(item))
        return tuple(out)
    return (value,)  # refused by the loader's checks, with the plug-in named


@attrs.frozen
class PriorityGroup:
    """A priority group whose criterion applies only to certain dwellings.

    ``criterion`` is a criterion id (or a combined group ``"a&b"``);
    ``applies_to`` is a :class:`DwellingCondition`, several (any of them) or
    their text form (``"floor = 0 or lift = true"``). Use it in a
    :class:`~fuaalborg.criteria.LettingAgreement`'s ``groups`` next to plain
    criterion ids.
    """

    criterion: str
    applies_to: tuple[DwellingCondition, ...] = attrs.field(converter=_conditions)

    @property
    def condition_text(self) -> str:
        """The text form of ``applies_to`` (alternatives joined by ``or``)."""
        return " or ".join(str(c) for c in self.applies_to)


_PART = re.compile(r"^\s*(rooms|floor|dwelling_type|lift)\s*(>=|<=|=|in)\s*(.+?)\s*$")


def parse(text: str) -> tuple[DwellingCondition, ...]:
    """Read the text form of ``applies_to`` (``"rooms >= 4 and floor = 0 or lift = true"``).

    ``or`` separates alternatives, ``and`` the parts of one condition. The empty
    text is "always". Raises :class:`~fuaalborg.errors.ValidationError` naming
    the part it cannot read.

    >>> parse("dwelling_type in (youth, senior) and rooms <= 2")[0].dwelling_type
    ('youth', 'senior')
    """
    return _parse(text)


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> tuple[DwellingCondition, ...]:
    if not text.strip():
        return ()
    out = []
    for alternative in re.split(r"\s+or\s+", text.strip()):
        fields: dict[str, Any] = {}
        for part in re.split(r"\s+and\s+", alternative):
            m = _PART.match(part)
            if m is None:
                raise ValidationError(
                    f"condition {text!r}: cannot read {part.strip()!r} (expected e.g. "
                    "'rooms >= 4', 'floor = 0', 'dwelling_type = youth', 'lift = true')"
                )
            fact, op, raw = m.groups()
            fields.update(_part(text, fact, op, raw))
        out.append(DwellingCondition(**fields))
    return tuple(out)


def _part(text: str, fact: str, op: str, raw: str) -> dict[str, Any]:
    def whole() -> int:
        if not re.fullmatch(r"-?\d+", raw):
            raise ValidationError(f"condition {text!r}: {fact} needs a whole number, got {raw!r}")
        return int(raw)

    if fact == "rooms" and op in (">=", "<="):
        return {"min_rooms" if op == ">=" else "max_rooms": whole()}
    if fact == "rooms" and op == "=":
        n = whole()
        return {"min_rooms": n, "max_rooms": n}
    if fact == "floor" and op in ("=", "<="):
        return {"floor" if op == "=" else "max_floor": whole()}
    if fact == "dwelling_type" and op == "=":
        return {"dwelling_type": (raw,)}
    if fact == "dwelling_type" and op == "in":
        inner = raw.strip()
        if not (inner.startswith("(") and inner.endswith(")")):
            raise ValidationError(f"condition {text!r}: write dwelling_type in (a, b)")
        return {"dwelling_type": tuple(t.strip() for t in inner[1:-1].split(",") if t.strip())}
    if fact == "lift" and op == "=" and raw in ("true", "false"):
        return {"lift": raw == "true"}
    raise ValidationError(f"condition {text!r}: {fact} {op} {raw} is not a condition it knows")


def _fact_arrays(
    vacancies: Sequence[Any], needed: Iterable[str]
) -> dict[str, npt.NDArray[Any]]:
    arrays: dict[str, npt.NDArray[Any]] = {}
    for fact in needed:
        values = [getattr(v, fact, None) for v in vacancies]
        if fact == "dwelling_type":
            arrays[fact] = np.array(["" if x is None else str(x) for x in values], dtype=object)
            arrays[fact + "?"] = np.array([x is None for x in values], dtype=bool)
        else:
            arrays[fact] = np.array(
                [np.nan if x is None else float(x) for x in values], dtype=np.float64
            )
            arrays[fact + "?"] = np.isnan(arrays[fact])
    return arrays


def _parts(cond: DwellingCondition, facts: dict[str, npt.NDArray[Any]]) -> list[tuple[str, Any]]:
    """Each part of the condition: (the fact it reads, where it holds for a known fact)."""
    parts: list[tuple[str, Any]] = []
    if cond.min_rooms is not None:
        parts.append(("rooms", facts["rooms"] >= cond.min_rooms))
    if cond.max_rooms is not None:
        parts.append(("rooms", facts["rooms"] <= cond.max_rooms))
    if cond.floor is not None:
        parts.append(("floor", facts["floor"] == cond.floor))
    if cond.max_floor is not None:
        parts.append(("floor", facts["floor"] <= cond.max_floor))
    if cond.dwelling_type:
        parts.append(("dwelling_type", np.isin(facts["dwelling_type"], list(cond.dwelling_type))))
    if cond.lift is not None:
        parts.append(("lift", facts["lift"] == (1.0 if cond.lift else 0.0)))
    return parts


def applicability(
    conditions: Sequence[str], vacancies: Sequence[Any]
) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """Which groups apply to which vacancy: a (vacancies × groups) boolean array.

    ``conditions`` holds one text form per group (``""``: the group always
    applies); ``vacancies`` are :class:`~fuaalborg.letting.vacancy.Vacancy`
    objects (anything with the facts as attributes). Evaluated once per
    condition over all vacancies. A fact the vacancy does not state matters
    only where it decides: ``floor = 0 or lift = true`` holds for a
    ground-floor dwelling whether or not its lift is known. Raises
    :class:`UnknownDwellingFactError` listing every vacancy whose groups cannot
    be decided for want of a fact.
    """
    parsed = [parse(text) for text in conditions]
    n = len(vacancies)
    needed = sorted({f for alts in parsed for c in alts for f in c.facts})
    facts = _fact_arrays(vacancies, needed)
    out = np.ones((n, len(parsed)), dtype=bool)
    undecided = np.zeros(n, dtype=bool)
    missing: dict[int, set[str]] = {}
    for j, alternatives in enumerate(parsed):
        if not alternatives:
            continue
        holds = np.zeros(n, dtype=bool)
        unknown = np.zeros(n, dtype=bool)
        for cond in alternatives:
            known_true = np.ones(n, dtype=bool)
            known_false = np.zeros(n, dtype=bool)
            lacking = np.zeros(n, dtype=bool)
            for fact, ok in _parts(cond, facts):
                absent = facts[fact + "?"]
                known_true &= ~absent & ok
                known_false |= ~absent & ~ok
                lacking |= absent
            holds |= known_true
            unknown |= ~known_true & ~known_false
            for i in np.flatnonzero(~known_false & lacking):
                missing.setdefault(int(i), set()).update(
                    f for f in cond.facts if facts[f + "?"][i]
                )
        out[:, j] = holds
        undecided |= unknown & ~holds
    if undecided.any():
        problems = []
        for i in np.flatnonzero(undecided):
            v = vacancies[int(i)]
            where = getattr(v, "dwelling_id", None) or f"in department {v.department_id}"
            problems.append(
                Problem(f"vacancy {where}", ", ".join(sorted(missing.get(int(i), ()))))
            )
        raise UnknownDwellingFactError(problems)
    return out


def _fact_text(vacancy: Any, fact: str, lang: Language) -> str:
    da = lang == "da"
    value = getattr(vacancy, fact, None)
    if value is None:
        return f"{fact}: ikke oplyst" if da else f"{fact} not stated"
    if fact == "rooms":
        return f"{value} rum" if da else f"{value} rooms"
    if fact == "floor":
        return _floor(int(value), lang, on=False)
    if fact == "dwelling_type":
        return _TYPE_WORDS[str(value)][1 if da else 0]
    if da:
        return "elevator" if value else "ingen elevator"
    return "a lift" if value else "no lift"


def explain_group(
    group: int, title: str, condition: str, vacancy: Any, applies: bool, lang: Language
) -> str:
    """One sentence: whether priority group ``group`` applies to the dwelling, and why.

    >>> import datetime as dt
    >>> from fuaalborg.letting.vacancy import Vacancy
    >>> v = Vacancy("D1", 2, 5000, dt.date(2025, 1, 1), floor=3, lift=True)
    >>> print(explain_group(2, "Seniors", "floor = 0 or lift = true", v, True, "en"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Priority group 2 (»Seniors«) applies only to dwellings on the ground floor or
    with a lift; this dwelling: floor 3, a lift — the group applies.
    >>> print(explain_group(2, "Seniorer", "floor = 0", v, False, "da"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Prioritetsgruppe 2 (»Seniorer«) gælder kun boliger i stueetagen;
    denne bolig: 3. sal — gruppen gælder ikke her.
    """
    alternatives = parse(condition)
    da = lang == "da"
    wanted = (" eller " if da else " or ").join(c.describe(lang) for c in alternatives)
    facts = sorted({f for c in alternatives for f in c.facts}, key=DWELLING_FACTS.index)
    stated = ", ".join(_fact_text(vacancy, f, lang) for f in facts)
    if da:
        verdict = "gruppen gælder" if applies else "gruppen gælder ikke her"
        return (
            f"Prioritetsgruppe {group} (»{title}«) gælder kun boliger {wanted}; "
            f"denne bolig: {stated} — {verdict}."
        )
    verdict = "the group applies" if applies else "the group does not apply here"
    return (
        f"Priority group {group} (»{title}«) applies only to dwellings {wanted}; "
        f"this dwelling: {stated} — {verdict}."
    )
