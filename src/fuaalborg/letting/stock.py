"""The housing stock a ledger counts over (boligbestanden), and how it changes over time.

A ledger is created for a municipality's registry of departments and their
family and BAB dwellings (:mod:`fuaalborg.letting.registry`). Real stock
changes: new buildings are added, departments merge or are demolished. A
``stock`` event (:meth:`fuaalborg.Ledger.update_stock`) records the new
registry, its fingerprint and what changed, in force from a date; the ledger
goes on counting. :class:`StockHistory` is the sequence of registries a ledger
has had — the first from its ``created`` event, each later one from a
``stock`` event — and answers which registry is in force on a date, so that a
vacancy is checked against the stock of its own date:

* a department that continues keeps its counters (§ 59, stk. 1 counts per
  department, and the department is the same); a new department starts at
  zero; a removed department takes no vacancy dated on or after the change;
* a dwelling takes vacancies dated within the periods it belongs to the stock,
  with the department and kind the stock in force on the vacancy's date gives
  it (a dwelling moved to another department in a merger, a family dwelling
  converted to a youth dwelling).

>>> old = {"A": {"family": ["A1", "A2"], "bab": []}, "B": {"family": ["B1"], "bab": []}}
>>> new = {"A": {"family": ["A1", "A2", "A3", "B1"], "bab": []}}
>>> change = compare_registries(old, new)
>>> for part in change.describe().split("; "):
...     print(part)
1 department removed (B)
1 department with another number of dwellings (A)
1 dwelling added (A3)
1 dwelling moved to another department (B1)
>>> change.departments_removed, change.dwellings_added, change.dwellings_moved
(('B',), ('A3',), ('B1',))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fuaalborg.errors import Problem
from fuaalborg.letting.errors import (
    CURRENT_STOCK,
    OWN_MUNICIPALITY,
    UPDATE_STOCK,
    LedgerCorruptError,
    LedgerMunicipalityError,
)
from fuaalborg.letting.registry import fingerprint_of

__all__ = [
    "Stock",
    "StockChange",
    "StockHistory",
    "check_stock",
    "compare_registries",
    "other_stock",
]

#: A registry: department -> kind (family, bab) -> sorted dwelling ids.
Registry = Mapping[str, Mapping[str, Sequence[str]]]


def _dwellings(registry: Registry) -> dict[str, tuple[str, str]]:
    return {str(d): (str(dep), str(kind)) for dep, groups in registry.items()
            for kind, ids in groups.items() for d in ids}


@attrs.frozen
class StockChange:
    """What changed between two registries: ids of departments and dwellings (never persons).

    ``departments_resized`` are departments on both sides whose number of
    family or BAB dwellings changed; ``dwellings_moved`` dwellings that belong
    to another department, ``kinds_changed`` dwellings of another kind.
    """

    departments_added: tuple[str, ...] = ()
    departments_removed: tuple[str, ...] = ()
    departments_resized: tuple[str, ...] = ()
    dwellings_added: tuple[str, ...] = ()
    dwellings_removed: tuple[str, ...] = ()
    dwellings_moved: tuple[str, ...] = ()
    kinds_changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing changed."""
        return not any(attrs.astuple(self))

    def as_event(self) -> dict[str, list[str]]:
        """The change as a ``stock`` event keeps it (only the parts that are not empty)."""
        return {name: list(value) for name, value in attrs.asdict(self).items() if value}

    @classmethod
    def from_event(cls, changes: Mapping[str, Sequence[str]]) -> StockChange:
        """The change a ``stock`` event records."""
        return cls(**{name: tuple(map(str, ids)) for name, ids in changes.items()})

    def describe(self, *, shown: int = 3) -> str:
        """The change in one line, counts with the first ``shown`` ids of each part
        (``2 departments added (D101, D102); 14 dwellings added (D101-001, …)``).

        Department and dwelling ids are no personal data; they let a caseworker find
        the rows that differ.
        """
        parts = []
        for ids, what in (
            (self.departments_added, "department{} added"),
            (self.departments_removed, "department{} removed"),
            (self.departments_resized, "department{} with another number of dwellings"),
            (self.dwellings_added, "dwelling{} added"),
            (self.dwellings_removed, "dwelling{} removed"),
            (self.dwellings_moved, "dwelling{} moved to another department"),
            (self.kinds_changed, "dwelling{} of another kind"),
        ):
            if ids:
                named = ", ".join(ids[:shown]) + (", …" if len(ids) > shown else "")
                parts.append(
                    f"{len(ids)} " + what.format("" if len(ids) == 1 else "s") + f" ({named})"
                )
        return "; ".join(parts) or "no change"


def compare_registries(old: Registry, new: Registry) -> StockChange:
    """What changed from registry ``old`` to ``new``."""
    before, after = _dwellings(old), _dwellings(new)
    common = set(before) & set(after)
    resized = sorted(
        d for d in set(old) & set(new)
        if any(len(old[d].get(k, ())) != len(new[d].get(k, ())) for k in ("family", "bab"))
    )
    return StockChange(
        departments_added=tuple(sorted(set(new) - set(old))),
        departments_removed=tuple(sorted(set(old) - set(new))),
        departments_resized=tuple(resized),
        dwellings_added=tuple(sorted(set(after) - set(before))),
        dwellings_removed=tuple(sorted(set(before) - set(after))),
        dwellings_moved=tuple(sorted(d for d in common if before[d][0] != after[d][0])),
        kinds_changed=tuple(sorted(d for d in common if before[d][1] != after[d][1])),
    )


@attrs.frozen
class Stock:
    """One registry of a ledger and when it came into force.

    ``on`` is ``None`` for the registry the ledger was created with (in force
    from the beginning); ``seq`` is the event that recorded it.
    """

    seq: int
    on: dt.date | None
    fingerprint: str
    registry: Mapping[str, Mapping[str, Sequence[str]]] = attrs.field(repr=False)
    dwellings: Mapping[str, tuple[str, str]] = attrs.field(repr=False)

    @classmethod
    def of(cls, seq: int, on: dt.date | None, registry: Registry,
           fingerprint: str | None = None) -> Stock:
        """The stock of ``registry`` from ``on`` (its ``fingerprint`` computed unless given)."""
        return cls(seq, on, fingerprint or fingerprint_of(registry), registry,
                   _dwellings(registry))


def _event(stock: Stock) -> str:
    """The event that recorded a stock, for messages (a change being recorded has none yet)."""
    return f"event {stock.seq}" if stock.seq >= 0 else "the change being recorded"


class StockHistory:
    """Every registry a ledger has had, in order; which one is in force on a date."""

    def __init__(self, stocks: Sequence[Stock]) -> None:
        if not stocks:  # pragma: no cover - every ledger starts with its created event
            raise ValueError("a ledger has at least the registry it was created with")
        self.stocks = tuple(stocks)

    @classmethod
    def from_events(cls, docs: Sequence[Mapping[str, Any]], *,
                    recorded: bool = True) -> StockHistory:
        """The history of a ledger's ``created`` and ``stock`` events (in order).

        With ``recorded`` the fingerprints are those the events record (a
        ledger's own, checked by :func:`check_stock` when it verifies);
        otherwise each is computed from its registry.
        """
        stocks = []
        for doc in docs:
            if doc["type"] not in ("created", "stock"):
                continue
            on = dt.date.fromisoformat(str(doc["on"])) if doc["type"] == "stock" else None
            stocks.append(Stock.of(int(doc["seq"]), on, doc["registry"],
                                   str(doc["fingerprint"]) if recorded else None))
        return cls(stocks)

    @property
    def current(self) -> Stock:
        """The latest registry."""
        return self.stocks[-1]

    @property
    def latest_change(self) -> dt.date | None:
        """The day the latest change came into force (``None``: the stock never changed)."""
        return self.current.on

    def in_force(self, on: dt.date) -> Stock:
        """The registry in force on ``on``: the latest whose change came into force by then."""
        found = self.stocks[0]
        for stock in self.stocks[1:]:
            assert stock.on is not None
            if stock.on <= on:
                found = stock
        return found

    def find(self, fingerprint: str) -> Stock | None:
        """The latest registry with this fingerprint, if the ledger has had one."""
        for stock in reversed(self.stocks):
            if stock.fingerprint == fingerprint:
                return stock
        return None

    def check_dwelling(self, dwelling_id: str, department_id: str, kind: str | None,
                       on: dt.date, problems: list[Problem]) -> None:
        """Add to ``problems`` why ``dwelling_id`` of ``department_id`` cannot be vacant on ``on``.

        ``kind`` ``None`` skips the kind (a kind that is neither is reported elsewhere).
        """
        stock = self.in_force(on)
        ever = any(department_id in s.registry for s in self.stocks)
        if department_id not in stock.registry:
            if not ever:
                problems.append(Problem("department_id", f"unknown department {department_id!r}"))
            else:
                problems.append(Problem("department_id", self._not_in_stock(
                    f"department {department_id!r}", department_id, on, departments=True)))
        known = stock.dwellings.get(dwelling_id)
        if known is None:
            if not any(dwelling_id in s.dwellings for s in self.stocks):
                problems.append(Problem("dwelling_id", f"unknown dwelling {dwelling_id!r}"))
            else:
                problems.append(Problem("dwelling_id", self._not_in_stock(
                    f"dwelling {dwelling_id!r}", dwelling_id, on, departments=False)))
            return
        when = "" if len(self.stocks) == 1 else f" on {on.isoformat()}"
        if ever and known[0] != department_id:
            problems.append(Problem(
                "dwelling_id", f"dwelling {dwelling_id!r} belongs to department {known[0]!r}"
                f"{when}, not {department_id!r}"))
        if kind is not None and known[1] != kind:
            problems.append(Problem(
                "dwelling_id", f"dwelling {dwelling_id!r} is a {known[1]} dwelling{when}, "
                f"not {kind}"))

    def _not_in_stock(self, what: str, key: str, on: dt.date, *, departments: bool) -> str:
        """Why ``what`` is not in the stock on ``on``: when it left it, or when it joins."""
        def has(stock: Stock) -> bool:
            return key in (stock.registry if departments else stock.dwellings)

        in_force = self.in_force(on)
        later = [s for s in self.stocks if s.on is not None and s.on > on and has(s)]
        if later and not has(in_force):
            return (f"{what} is in the ledger's stock only from {later[0].on} "
                    f"({_event(later[0])}), not on {on.isoformat()}")
        left = None
        for before, stock in zip(self.stocks, self.stocks[1:], strict=False):
            if stock.on is not None and stock.on <= on and has(before) and not has(stock):
                left = stock
        if left is not None:
            return (f"{what} left the ledger's stock on {left.on} ({_event(left)}): it takes "
                    f"no vacancy dated from then ({on.isoformat()} given)")
        return f"{what} is not in the ledger's stock on {on.isoformat()}"  # pragma: no cover



def check_stock(docs: Sequence[Mapping[str, Any]], target: str) -> int:
    """Check a ledger's changes of stock and its vacancies against the stock of their dates.

    Every ``stock`` event's fingerprint must be its registry's, its ``changes``
    what changed from the registry before, its date not before the change
    before it; every vacancy (as recorded, and as corrected) must be a dwelling
    of its department and kind in the stock in force on its date, as the ledger
    stood when it was written; and no change of stock may leave a vacancy that
    counts (not void) dated from the change outside the new stock. Raises
    :class:`~fuaalborg.letting.errors.LedgerCorruptError` naming the first event
    that disagrees; returns the number of changes of stock.
    """
    stocks: list[Stock] = []
    history: StockHistory | None = None
    # each counting vacancy's dwelling, department, kind and date
    open_vacancies: dict[str, tuple[str, str, str, dt.date]] = {}

    def refuse(doc: Mapping[str, Any], why: str) -> LedgerCorruptError:
        return LedgerCorruptError(f"{target}: event {doc['seq']} ({doc['type']}): {why}")

    for doc in docs:
        kind = doc["type"]
        if kind == "created":
            stocks.append(Stock.of(int(doc["seq"]), None, doc["registry"]))
            history = StockHistory(stocks)
        elif kind == "stock":
            on = dt.date.fromisoformat(str(doc["on"]))
            stock = Stock.of(int(doc["seq"]), on, doc["registry"])
            if stock.fingerprint != doc["fingerprint"]:
                raise refuse(doc, f"the fingerprint {doc['fingerprint']} is not its registry's "
                                  f"({stock.fingerprint})")
            previous = stocks[-1]
            if previous.on is not None and on < previous.on:
                raise refuse(doc, f"in force from {on}, before the change before it "
                                  f"({previous.on})")
            expected = compare_registries(previous.registry, stock.registry).as_event()
            if expected != dict(doc["changes"]):
                raise refuse(doc, "its changes are not what changed from the stock before it")
            after = StockHistory([*stocks, stock])
            for vid, (dwelling, dep, vkind, day) in open_vacancies.items():
                if day >= on:
                    problems: list[Problem] = []
                    after.check_dwelling(dwelling, dep, vkind, day, problems)
                    if problems:
                        raise refuse(doc, f"vacancy {vid!r} dated {day} is outside the new "
                                          f"stock: {problems[0].what}")
            stocks.append(stock)
            history = after
        elif kind in ("vacancy", "correction"):
            vid = str(doc["vacancy_id"])
            if kind == "vacancy":
                facts = (str(doc["dwelling_id"]), str(doc["department_id"]), str(doc["kind"]),
                         dt.date.fromisoformat(str(doc["on"])))
            elif vid in open_vacancies:
                changes = doc["changes"]
                if "dwelling_id" not in changes and "vacant_on" not in changes:
                    continue
                dwelling, dep, vkind, day = open_vacancies[vid]
                facts = (
                    str(changes["dwelling_id"][1]) if "dwelling_id" in changes else dwelling,
                    dep, vkind,
                    dt.date.fromisoformat(str(changes["vacant_on"][1])) if "vacant_on" in changes
                    else day)
            else:
                continue
            problems = []
            assert history is not None
            history.check_dwelling(facts[0], facts[1], facts[2], facts[3], problems)
            if problems:
                raise refuse(doc, f"vacancy {vid!r}: {problems[0].what}")
            open_vacancies[vid] = facts
        elif kind == "void":
            open_vacancies.pop(str(doc["vacancy_id"]), None)
    return len(stocks) - 1


def other_stock(target: str, ledger_name: str, history: StockHistory, name: str,
                registry: Registry) -> LedgerMunicipalityError:
    """The error refusing municipality ``name`` (its ``registry``) for a ledger.

    It says whether the municipality is the ledger's stock as it was before a
    change (the ledger moved on, and since when), what differs from the
    ledger's current stock (counts; ids are not shown), and the remedy.
    """
    found = fingerprint_of(registry)
    current = history.current
    older = history.find(found)
    if older is not None:
        later = history.stocks[history.stocks.index(older) + 1]
        return LedgerMunicipalityError(
            f"{target}: {name!r} is the ledger's stock as it was before it changed on "
            f"{later.on} (event {later.seq}); the ledger has moved on (fingerprint "
            f"{current.fingerprint} since {current.on})", remedy=CURRENT_STOCK)
    if not set(current.registry) & set(registry):
        return LedgerMunicipalityError(
            f"{target} was created for municipality {ledger_name!r} (fingerprint "
            f"{current.fingerprint}); {name!r} has other departments or dwellings (fingerprint "
            f"{found})", remedy=OWN_MUNICIPALITY)
    change = compare_registries(current.registry, registry)
    since = "" if current.on is None else f" since {current.on}"
    return LedgerMunicipalityError(
        f"{target}: the stock of {name!r} (fingerprint {found}) differs from the ledger's "
        f"(municipality {ledger_name!r}, fingerprint {current.fingerprint}{since}): "
        f"{change.describe()}", remedy=UPDATE_STOCK)
