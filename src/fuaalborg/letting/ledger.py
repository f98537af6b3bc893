"""The letting ledger (udlejningsjournal): whose turn each vacancy is, durably recorded.

A :class:`Ledger` records every vacancy and its route — the municipality's
referral or the waiting list, flexibly or by seniority, on the internal or the
external list's turn — as an append-only sequence of events
(:mod:`fuaalborg.letting.events`). Each event carries its sequence number, the
time it was written and a checksum; each decision points to a ``rules`` event
that lists every parameter value it used with its legal source and effective
period, so a decision can be re-derived years later even when the rules have
changed since.

The events and the state they lead to live in a store
(:mod:`fuaalborg.letting.store`) named by a *target*: a path (a JSON Lines
file, the zero-setup default), ``sqlite:///path.db`` or
``postgresql://user@host/dbname``. Several processes — with PostgreSQL,
several hosts — may hold one ledger open for writing: each write is one
transaction that waits (up to ``wait`` seconds) for other writers, reads and
advances the department's counters and commits; the ledger counts vacancies in
the order it records them (``seq``). A vacancy dated before the department's
latest is accepted and marked ``late``.

The routing rules are those of :mod:`fuaalborg.letting.routing`: BAB dwellings
always go to referral; every 4th counting family vacancy per department goes to
the municipality (almenboligloven § 59, stk. 1); red departments count nothing;
waiting-list lettings take the flexible and internal/external turns — the
internal/external turn per housing organisation (udlejningsbekendtgørelsen § 7),
so the ledger records each department's organisation. A vacancy
recorded in error is voided (:meth:`Ledger.void`) and stops counting from then;
its other facts are corrected with :meth:`Ledger.correct`.

>>> import tempfile, pathlib
>>> import pandas as pd
>>> from fuaalborg.letting.ledger import Ledger
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> registry = pd.DataFrame({"dwelling_id": ["D1", "D2"], "department_id": ["A", "A"],
...                          "kind": ["family", "bab"], "organisation_cvr": "31831814"})
>>> with Ledger.create(folder / "ledger.jsonl", registry, name="demo") as ledger:
...     decisions = [ledger.record_vacancy(f"V{i}", "D1", "A", "family", f"2024-0{i}-01",
...                                        4200.0, 3, colour="green") for i in range(1, 5)]
>>> [d.route for d in decisions]
['waiting_list', 'waiting_list', 'waiting_list', 'referral']
>>> [d.turn for d in decisions]
['internal', 'external', 'internal', None]
>>> with Ledger.open(folder / "ledger.jsonl") as again:
...     print(again.decision("V4").reason)
counting vacancy no. 4 of the department: the referral's turn (share 1/4)
>>> Ledger.convert(folder / "ledger.jsonl", f"sqlite:///{folder}/ledger.db").events
6
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg import _lazy
from fuaalborg._types import (
    SUBROUTES,
    TURNS,
    AgreementLike,
    CriteriaRegistry,
    Subroute,
    Turn,
    one_of,
)
from fuaalborg.dates import parse_date
from fuaalborg.errors import (
    LIBRARY_WORDING,
    FuaalborgError,
    InputError,
    NotInForceError,
    Problem,
    WithRemedy,
    Wording,
)
from fuaalborg.formatting import format_value
from fuaalborg.letting.errors import (
    CORRECT_INSTEAD,
    CORRECT_TOO,
    GIVE_COLOUR,
    GIVE_ORGANISATIONS,
    REBUILT,
    REOPEN,
    VOID_AND_RECORD,
    VOID_OR_LATER,
    LedgerBusyError,
    LedgerConnectionError,
    LedgerCorruptError,
    LedgerError,
    LedgerInputError,
    LedgerLockedError,
    LedgerMunicipalityError,
    LedgerSchemaError,
)
from fuaalborg.letting.events import (
    FORMAT,
    VacancyRecorded,
    check_line,
    decode,
    encode,
    structure,
)
from fuaalborg.letting.offers import OfferBook
from fuaalborg.letting.projection import project, recorded_row
from fuaalborg.letting.registry import (
    ColourSource,
    StepModelColours,
    check_colour_source,
    dwelling_facts_of,
    facts_by_dwelling,
    fingerprint_of,
    organisations_of,
    other_organisations,
    registry_fingerprint,
    registry_of,
)
from fuaalborg.letting.routing import (
    COUNTING_REASONS,
    DWELLING_KINDS,
    RULE_PARAMETERS,
    Counters,
    Routed,
    Rules,
    explain,
    route_one,
    route_waiting_list,
    rule_values,
    rules_from_values,
    rules_id,
    rules_on,
    show_share,
)
from fuaalborg.letting.stock import (
    Stock,
    StockChange,
    StockHistory,
    check_stock,
    compare_registries,
    other_stock,
)
from fuaalborg.letting.store import (
    DEFAULT_WAIT_SECONDS,
    StateView,
    Store,
    VacancyRow,
    describe_target,
    open_store,
    parse_target,
)
from fuaalborg.letting.store.file import FileStore, RepairReport, TornLine, TornLineWarning, now
from fuaalborg.letting.store.memory import MemoryState
from fuaalborg.letting.vacancy import compare_with_table
from fuaalborg.letting.verification import (
    Correction,
    VerifyReport,
    check_decisions,
    first_difference,
    snapshot,
)
from fuaalborg.model import COLOURS
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import ParameterSet, load_parameters
from fuaalborg.rents import RentDifference

if TYPE_CHECKING:
    from fuaalborg.letting.ranking import Ranking
    from fuaalborg.letting.vacancy import Vacancy

__all__ = [
    "ANSWERS",
    "CORRECTABLE",
    "DEFAULT_WAIT_SECONDS",
    "FORMAT",
    "RULE_PARAMETERS",
    "ColourSource",
    "ConvertReport",
    "Correction",
    "Decision",
    "Ledger",
    "LedgerBusyError",
    "LedgerConnectionError",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerInputError",
    "LedgerLockedError",
    "LedgerMunicipalityError",
    "LedgerSchemaError",
    "RentDiffersWarning",
    "RepairReport",
    "StepModelColours",
    "StockChange",
    "TornLine",
    "TornLineWarning",
    "VerifyReport",
    "project",
    "registry_fingerprint",
    "rule_values",
    "rules_on",
]

#: The municipality's answers to a referred vacancy.
ANSWERS = ("accepted", "declined", "let")
#: The facts of a vacancy :meth:`Ledger.correct` corrects; the department, kind and
#: colour decide the route and are corrected by voiding and recording again.
CORRECTABLE = ("monthly_rent_dkk", "rooms", "dwelling_id", "vacant_on")
_ROUTING_FACTS = ("department_id", "kind", "colour")



# ---------------------------------------------------------------------------
# Values


def _restore_warning(cls: type[RentDiffersWarning], state: dict[str, Any]) -> Any:
    warning = cls.__new__(cls)
    warning.__dict__.update(state)
    warning.args = (warning.worded(),)
    return warning


class RentDiffersWarning(WithRemedy, UserWarning):
    """A vacancy's rent differs from the municipality's dwellings table: recorded as given.

    Rents change (a yearly budget, an improvement), so the ledger records the
    rent given for the vacancy and says that it differs; rooms do not change
    and a differing number of rooms is refused.

    The warning keeps what it says as fields: ``subject`` (``"vacancy 'V1'"``,
    ``"correction of 'V1'"``), ``argument`` (the argument the rent was given as,
    ``monthly_rent_dkk``), ``difference`` (the
    :class:`~fuaalborg.rents.RentDifference`) and ``dwelling``. Its message names
    the argument as the library does; :meth:`worded` names it as a front end
    does (the command line: ``RENT``, ``--rent``), without rewriting the text.
    """

    def __init__(self, subject: str, difference: RentDifference, dwelling: str,
                 argument: str = "monthly_rent_dkk") -> None:
        self.subject = subject
        self.difference = difference
        self.dwelling = dwelling
        self.argument = argument
        super().__init__(self.worded())

    def worded(self, words: Wording = LIBRARY_WORDING) -> str:
        """The warning with the rent's argument named in ``words`` (default: the library's)."""
        return (f"{self.subject}: {words.name(self.argument)} "
                f"{self.difference.describe(self.dwelling)}; recorded as given (correct it if "
                "it was typed wrong)")

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its fields, not by calling __init__ with the message
        return (_restore_warning, (type(self), self.__dict__))


@attrs.frozen
class Decision:
    """The route of one vacancy, with its reason and the rule versions used.

    ``route`` is ``"referral"`` or ``"waiting_list"``; on the waiting list,
    ``subroute`` is ``"flexible"`` or ``"ordinary"`` and ``turn`` is
    ``"internal"`` or ``"external"`` (``None`` before the 50/50 rule). ``rules``
    maps each parameter name to its value, effective period and reference.
    ``returned`` marks a dwelling the municipality declined (the decision of the
    answer event). ``rooms`` and ``monthly_rent_dkk`` are the dwelling's (as
    corrected); ``late`` marks a vacancy recorded after one of its department
    with a later date.
    """

    vacancy_id: str
    department_id: str
    dwelling_id: str
    kind: str
    rooms: int
    monthly_rent_dkk: float
    on: dt.date
    colour: str
    colour_basis: str
    route: str
    subroute: str | None
    turn: str | None
    reason_code: str
    reason: str
    n_referral: int | None
    n_flexible: int | None
    n_turn: int | None
    rules_id: str
    rules: Mapping[str, Mapping[str, Any]] = attrs.field(eq=False, repr=False)
    seq: int
    returned: bool = False
    late: bool = False


@attrs.frozen
class ConvertReport:
    """A ledger copied to another store: how many events, and their common digest."""

    source: str
    target: str
    events: int
    sha256: str

    def describe(self) -> str:
        """One line for messages."""
        return (f"copied {self.events} events from {self.source} to {self.target}; both verify, "
                f"events identical (sha256 {self.sha256[:16]}…)")


# ---------------------------------------------------------------------------
# Input checks


def _as_date(value: Any, what: str, problems: list[Problem]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        problems.append(Problem(what, f"{value!r} is not a date (YYYY-MM-DD)"))
    return day


def _number(value: Any, what: str, problems: list[Problem], *, minimum: float) -> float:
    if isinstance(value, bool):
        problems.append(Problem(what, f"{value!r} is not a number"))
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(what, f"{value!r} is not a number"))
        return 0.0
    if not math.isfinite(number) or number < minimum:
        problems.append(Problem(what, f"{value!r} is not a number >= {minimum:g}"))
    return number


def _whole(value: Any, what: str, problems: list[Problem], *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            problems.append(Problem(what, f"{value!r} is not a whole number"))
            return 0
    if int(value) < minimum:
        problems.append(Problem(what, f"{value!r} is not a whole number >= {minimum}"))
    return int(value)


def _unknown_vacancy(vacancy_id: object) -> Problem:
    return Problem("vacancy_id", f"unknown vacancy {vacancy_id!r}")


def _text(value: Any, what: str, problems: list[Problem]) -> str:
    if not isinstance(value, str) or not value.strip():
        problems.append(Problem(what, "required (a non-empty text)"))
        return ""
    return value.strip()


def _routed_fields(routed: Routed) -> dict[str, Any]:
    return {
        "route": routed.route,
        "subroute": routed.subroute,
        "turn": routed.turn,
        "reason_code": routed.reason_code,
        "n_referral": routed.n_referral,
        "n_flexible": routed.n_flexible,
        "n_turn": routed.n_turn,
    }


_TOKEN = object()

_DECISION_COLUMNS = [
    "seq", "vacancy_id", "department_id", "dwelling_id", "kind", "rooms", "monthly_rent_dkk",
    "on", "colour", "route", "subroute", "turn", "reason_code", "n_referral", "n_flexible",
    "n_turn", "rules_id", "returned", "late",
]


def _decision_row(d: Decision) -> dict[str, Any]:
    return {c: getattr(d, c) for c in _DECISION_COLUMNS}


# ---------------------------------------------------------------------------


class Ledger:
    """The persisted letting ledger of one municipality, in a file or a database.

    Create one with :meth:`create`, open an existing one with :meth:`open`;
    ``target`` is a path or a URL (see :mod:`fuaalborg.letting.store`). Many
    ledgers — in many processes — may hold one target open for writing at
    once; each write waits up to ``wait`` seconds for the others.
    ``readonly=True`` refuses writes. One :class:`Ledger` serves one thread.
    """

    def __init__(self, store: Store, parameters: ParameterSet, *, _token: object = None) -> None:
        if _token is not _TOKEN:
            raise TypeError("use Ledger.create(...) or Ledger.open(...)")
        self._store = store
        self._params = parameters
        self._colour_source: ColourSource | None = None
        # organisations given to open() for a ledger that does not record them yet
        self._organisations: dict[str, str] = {}
        # organisations the ledger records (a recorded one never changes: changes are refused)
        self._recorded_organisations: dict[str, str] = {}
        self._rules_by_date: dict[dt.date, tuple[str, Rules, dict[str, Any]]] = {}
        self._rules_by_id: dict[str, Rules] = {}
        self._facts: dict[str, dict[str, Any]] | None = None
        # the stock history (created and stock events), of the stock event numbered _history_seq
        self._history: StockHistory | None = None
        self._history_seq: int | None = None
        # rooms and rent by dwelling, from the dwellings table of the municipality given
        self._table: dict[str, tuple[int | None, float | None]] | None = None
        # the parameters whose sanity bounds the table's rents are compared with: the
        # municipality's own (its municipality.toml's [bounds]), else the ledger's
        self._table_bounds: ParameterSet | None = None

    def _use_table(self, municipality: Municipality | pd.DataFrame | None) -> None:
        """Check rooms and rents against ``municipality``'s dwellings table, with the sanity
        bounds of its ``municipality.toml`` on top of the ledger's parameters."""
        self._table = _rooms_and_rents(municipality)
        self._table_bounds = (municipality.parameters_over(self._params)
                              if isinstance(municipality, Municipality) else None)

    def _parameters_with(self, municipality: Municipality | None) -> ParameterSet:
        """The ledger's parameters with the ``municipality.toml`` need and bounds of
        ``municipality`` (else of the municipality it was opened with) on top."""
        if municipality is not None:
            return municipality.parameters_over(self._params)
        return self._table_bounds or self._params

    # -- construction -------------------------------------------------------

    @classmethod
    def create(
        cls,
        target: str | os.PathLike[str],
        municipality: Municipality | pd.DataFrame,
        *,
        parameters: ParameterSet | None = None,
        flexible_shares: Mapping[str, Fraction | str] | None = None,
        colour_source: ColourSource | None = None,
        name: str | None = None,
        wait: float = DEFAULT_WAIT_SECONDS,
        organisations: Mapping[str, str] | None = None,
    ) -> Ledger:
        """Create a new ledger at ``target`` for ``municipality``'s departments and dwellings.

        ``target`` is a file path, ``sqlite:///path.db`` or a ``postgresql://`` URI.
        ``municipality`` is a :class:`~fuaalborg.Municipality` (or just a dwellings
        table with ``dwelling_id``, ``department_id``, ``kind``); its registry of
        dwellings and its fingerprint are the ledger's first event, so that the
        ledger checks vacancies on its own and refuses another municipality. The
        dwellings' stated floor, dwelling type and lift are kept with it, for
        :meth:`rank`'s dwelling conditions.
        ``flexible_shares`` sets departments' agreed flexible shares (§ 60,
        stk. 1); others use ``ledger.flexible_share``. ``colour_source(department_id,
        on)`` gives a department's colour when a vacancy is recorded without one
        (default for a :class:`~fuaalborg.Municipality`: its step model,
        :class:`StepModelColours`). ``organisations`` maps departments to their
        housing organisation (default: the municipality's departments table, or
        a dwellings table's ``organisation_cvr`` column): the internal/external
        turn counts per organisation, so a ledger without them refuses
        waiting-list lettings under that rule until it is given them (see
        :meth:`open`). Refuses a target that already holds a ledger.
        """
        registry, town_name = registry_of(municipality)
        fingerprint = fingerprint_of(registry)
        shares: dict[str, str] = {}
        problems = []
        for dep, share in (flexible_shares or {}).items():
            try:
                frac = Fraction(share)
            except (ValueError, ZeroDivisionError, TypeError):
                problems.append(Problem(
                    "flexible_shares", f"{share!r} for department {dep!r} is not a fraction"
                ))
                continue
            if dep not in registry:
                problems.append(Problem("flexible_shares", f"unknown department {dep!r}"))
            if not 0 <= frac <= 1:
                problems.append(Problem(
                    "flexible_shares", f"{share!r} for department {dep!r} is outside 0–1"
                ))
            shares[str(dep)] = show_share(frac)
        try:
            orgs = organisations_of(municipality, organisations)
        except InputError as exc:
            problems.extend(exc.problems)
            orgs = {}
        problems.extend(Problem("organisations", f"unknown department {d!r}")
                        for d in sorted(set(orgs) - set(registry)))
        if problems:
            raise LedgerInputError("Ledger.create", problems)
        check_colour_source(colour_source, fingerprint, town_name, describe_target(target))
        header = {
            "seq": 0,
            "type": "created",
            "at": now(),
            "format": FORMAT,
            "municipality": name or town_name,
            "fingerprint": fingerprint,
            "flexible_shares": shares,
            "registry": registry,
        }
        facts = dwelling_facts_of(municipality)
        if facts:
            header["dwelling_facts"] = facts
        if orgs:
            header["organisations"] = dict(sorted(orgs.items()))
        if isinstance(municipality, Municipality) and municipality.danish:
            header["danish"] = True  # its tables are written in Danish by default
        structure(header)
        store = open_store(target, project, create=[encode(header)[:-1]], wait=wait)
        ledger = cls(store, parameters or load_parameters(), _token=_TOKEN)
        own = municipality if isinstance(municipality, Municipality) else None
        ledger._use_table(municipality)
        ledger._colour_source = colour_source or (
            StepModelColours(own) if own is not None else None)
        return ledger

    @classmethod
    def open(
        cls,
        target: str | os.PathLike[str],
        *,
        municipality: Municipality | None = None,
        parameters: ParameterSet | None = None,
        colour_source: ColourSource | None = None,
        readonly: bool = False,
        wait: float = DEFAULT_WAIT_SECONDS,
        organisations: Mapping[str, str] | None = None,
    ) -> Ledger:
        """Open an existing ledger.

        A file is replayed: every line's checksum is verified and every recorded
        decision re-derived by the routing core; a mismatch or damage before the
        last line raises :class:`LedgerCorruptError`, and a torn last line is
        reported (``ledger.torn`` and a :class:`TornLineWarning`) and refuses
        writes until :meth:`repair`. A database ledger opens in constant time
        (:meth:`verify` checks it on demand). ``municipality`` (its step model
        gives colours) and ``colour_source`` must be the ledger's own, with its
        current stock of departments and dwellings: another municipality's, or
        this one's as it was before a change of stock (:meth:`update_stock`), is
        refused with :class:`LedgerMunicipalityError`, saying what differs and
        what to do. Given ``municipality``, a vacancy's rooms must be its
        dwellings table's, and a rent that differs is recorded with a
        :class:`RentDiffersWarning`.
        ``municipality`` or ``organisations`` (department -> organisation) give
        the departments' housing organisations to a ledger created without
        them: the first write that needs one records them. Organisations that
        differ from those the ledger records are refused.
        """
        store = open_store(target, project, readonly=readonly, wait=wait)
        try:
            ledger = cls(store, parameters or load_parameters(), _token=_TOKEN)
            meta = store.meta()
            if municipality is not None:
                ledger._check_municipality(municipality)
                ledger._use_table(municipality)
            if getattr(colour_source, "fingerprint", None) is not None:
                check_colour_source(colour_source, ledger.fingerprint, meta.municipality,
                                    store.target)
            if municipality is not None or organisations is not None:
                given = organisations_of(
                    municipality if municipality is not None else pd.DataFrame(), organisations)
                refused = other_organisations(store.target, store.organisations(), given)
                if refused:
                    raise LedgerMunicipalityError(refused)
                unknown = sorted(set(given) - set(store.department_ids()))
                if unknown:
                    raise LedgerInputError("Ledger.open", [
                        Problem("organisations", f"unknown department {d!r}") for d in unknown])
                ledger._organisations = given
            if isinstance(store, FileStore):
                check_decisions_of(ledger, store.docs)
        except BaseException:
            store.close()
            raise
        ledger._colour_source = colour_source or (
            StepModelColours(municipality) if municipality is not None else None)
        return ledger

    @staticmethod
    def repair(path: str | os.PathLike[str]) -> RepairReport:
        """Truncate a ledger file's torn last line, and report what was dropped.

        Only a damaged *last* line is dropped (the signature of a crash during a
        write); damage earlier in the log raises :class:`LedgerCorruptError` and
        nothing is changed. A database needs no repair: a transaction that did
        not commit left nothing.
        """
        kind, where = parse_target(path)
        if kind != "file":
            raise LedgerError(
                f"{describe_target(path)} is a database: a write that did not commit left "
                "nothing behind, so there is nothing to repair (run `fuaalborg ledger verify`)"
            )
        return FileStore.repair(Path(where))

    @staticmethod
    def convert(
        source: str | os.PathLike[str],
        target: str | os.PathLike[str],
        *,
        wait: float = DEFAULT_WAIT_SECONDS,
    ) -> ConvertReport:
        """Copy the ledger at ``source`` to a new store ``target`` (file, SQLite, PostgreSQL).

        The source is verified first; the target receives the very same events
        (byte for byte, with their checksums), is verified in turn, and its
        events are compared with the source's. A target that exists or already
        holds a ledger is refused; on any failure nothing is left at the target.
        """
        with Ledger.open(source, readonly=True, wait=wait) as src:
            src.verify()
            lines = list(src._store.event_lines())
            shown = src._store.target
        digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
        store = open_store(target, project, create=lines, wait=wait)
        try:
            copy = Ledger(store, load_parameters(), _token=_TOKEN)
            if isinstance(store, FileStore):
                check_decisions_of(copy, store.docs)
            copy.verify()
            written = list(store.event_lines())
            if hashlib.sha256(b"\n".join(written)).hexdigest() != digest:  # pragma: no cover
                raise LedgerCorruptError(f"{store.target}: the copied events differ")
            return ConvertReport(shown, store.target, len(lines), digest)
        finally:
            store.close()

    # -- the store --------------------------------------------------------------

    @property
    def store(self) -> Store:
        """The store this ledger lives in (read its state; write through the ledger)."""
        return self._store

    @property
    def target(self) -> str:
        """The ledger's target as shown in messages (a database URL without its password)."""
        return self._store.target

    @property
    def path(self) -> Path | None:
        """The ledger file's path (``None`` for a database ledger)."""
        return self._store.path if isinstance(self._store, FileStore) else None

    @property
    def readonly(self) -> bool:
        """Whether the ledger refuses writes."""
        return self._store.readonly

    @property
    def torn(self) -> TornLine | None:
        """A ledger file's torn last line, if it has one."""
        return self._store.torn if isinstance(self._store, FileStore) else None

    @property
    def name(self) -> str:
        """The municipality the ledger was created for."""
        return self._store.meta().municipality

    @property
    def fingerprint(self) -> str:
        """The fingerprint of the ledger's current stock of departments and dwellings.

        The registry it was created from until the stock changes
        (:meth:`update_stock`); then the latest change's.
        """
        seq = self._store.stock_seq()
        if seq == 0:  # never changed: the created event's, without reading its registry
            return self._store.meta().fingerprint
        return self._stock_history(seq).current.fingerprint

    @property
    def stock(self) -> StockHistory:
        """Every stock of departments and dwellings the ledger has had, and since when."""
        self._store.refresh()
        return self._stock_history()

    def _stock_history(self, seq: int | None = None) -> StockHistory:
        """The stock history, read again when a stock event after the cached one exists."""
        seq = self._store.stock_seq() if seq is None else seq
        if self._history is None or self._history_seq != seq:
            docs = self._store.event_docs(types=["created", "stock"])
            self._history = StockHistory.from_events(docs)
            self._history_seq = seq
            facts: dict[str, Any] = {}
            for doc in docs:
                if doc.get("dwelling_facts") is not None:
                    facts = doc["dwelling_facts"]
            self._facts = facts_by_dwelling(facts)
        return self._history

    def _check_municipality(self, municipality: Municipality) -> None:
        """Refuse a municipality whose departments and dwellings are not the ledger's stock."""
        found = registry_fingerprint(municipality)
        if found != self.fingerprint:
            history = self._stock_history()
            raise other_stock(self.target, self._store.meta().municipality, history,
                              municipality.name, registry_of(municipality)[0])

    @property
    def parameters(self) -> ParameterSet:
        """The parameter set this ledger resolves rules from."""
        return self._params

    @property
    def offers(self) -> OfferBook:
        """The ledger's offers: rounds, unanswered and refused offers, passive, used seniority."""
        self._store.refresh()
        return OfferBook(self._store)

    @property
    def rounds(self) -> dict[str, list[dict[str, Any]]]:
        """Every vacancy's offer rounds, as :attr:`fuaalborg.letting.offers.OfferRound.rounds`."""
        from fuaalborg.letting.offers import _round_dict

        self._store.refresh()
        return {v: [_round_dict(r) for r in rs] for v, rs in self._store.all_rounds().items()}

    @property
    def unanswered(self) -> dict[str, list[dt.date]]:
        """Each applicant's unanswered offers (the days their rounds closed)."""
        return self.offers.unanswered()

    @property
    def refused(self) -> dict[str, list[dt.date]]:
        """Each applicant's refused offers (they count towards passive where a rule says so)."""
        return self.offers.refused()

    @property
    def passive(self) -> dict[str, dt.date]:
        """Passive applicants and the day they became passive."""
        return self.offers.passive()

    @property
    def consumed(self) -> dict[tuple[str, str], str]:
        """Used seniority: (applicant, list) -> the vacancy it was used for."""
        return self.offers.consumed()

    def commit(
        self,
        events: Sequence[Mapping[str, Any]] | Callable[[StateView], Sequence[Mapping[str, Any]]],
        *,
        department_id: str | None = None,
        serial: bool = True,
        counters: Sequence[tuple[str, str]] = (),
    ) -> list[dict[str, Any]]:
        """Write events in one transaction; return them numbered and time-stamped.

        ``events`` is a list of event documents (``type`` and fields), or a
        function that receives the state inside the transaction and returns them
        — raising :class:`LedgerInputError` there refuses and writes nothing. The
        transaction locks ``department_id`` against other writers; with
        ``serial`` (the default) it locks the whole ledger before ``events`` is
        called, which a function reading beyond one department needs. A
        ``rules`` event whose rules are recorded already is left out.
        ``counters`` names further ``(scope, key)`` counters the transaction
        locks after the department's (a housing organisation's turn). The
        ledger's own recording functions and
        :class:`~fuaalborg.letting.offers.OfferRound` write through this.
        """
        with self._store.transaction(department_id, serial=serial, counters=counters) as tx:
            docs = list(events(tx) if callable(events) else events)
            tx.lock_head()
            docs = [d for d in docs if d["type"] != "rules" or tx.rules(str(d["id"])) is None]
            checked = [structure({"seq": 0, "at": "", **doc}) for doc in docs]
            with tx.writes():
                stamped = tx.append(docs)
                for event, doc in zip(checked, stamped, strict=True):
                    project(attrs.evolve(event, seq=doc["seq"], at=doc["at"]), tx)
        return stamped

    def batch(self) -> AbstractContextManager[None]:
        """Group commit: events recorded inside the block are made durable at its end.

        An event recorded inside the block is acknowledged when the block ends;
        a crash inside it can lose the block's events, never earlier ones. Each
        call inside still validates on its own and writes nothing when it
        refuses its input. Other writers wait while a batch runs.
        """
        return self._store.batch()

    def sync(self) -> None:
        """Make durable what a :meth:`batch` has written so far."""
        self._store.sync()

    def close(self) -> None:
        """Close the ledger (safe to call twice)."""
        self._store.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.readonly else "open"
        return f"<Ledger {self.target} ({self._store.kind}, {mode})>"

    # -- rules ------------------------------------------------------------------

    def _rules_on(self, on: dt.date) -> tuple[str, Rules, dict[str, Any]]:
        """The rules id, rules and recorded values in force on ``on``."""
        cached = self._rules_by_date.get(on)
        if cached is None:
            values = rule_values(self._params, on)
            rid = rules_id(values)
            cached = self._rules_by_date[on] = (rid, self._rules_of(rid, values), values)
        return cached

    def _rules_of(self, rid: str, values: Mapping[str, Any] | None = None) -> Rules:
        rules = self._rules_by_id.get(rid)
        if rules is None:
            if values is None:
                values = self._store.rules(rid)
                if values is None:
                    raise LedgerCorruptError(f"{self.target}: rules {rid!r} are not recorded")
            rules = self._rules_by_id[rid] = rules_from_values(values)
        return rules

    # -- organisations --------------------------------------------------------------

    def _turn_organisation(self, dep: str, rules: Rules, problems: list[Problem]) -> str | None:
        """The organisation whose turn a waiting-list letting of ``dep`` takes under ``rules``."""
        if not rules.turns_per_organisation:
            return None
        org = self._recorded_organisations.get(dep)
        if org is None:
            self._recorded_organisations = self._store.organisations()
            org = self._recorded_organisations.get(dep) or self._organisations.get(dep)
        if org is None:
            problems.append(Problem(
                "organisations",
                "the internal/external turn counts per housing organisation "
                "(udlejningsbekendtgørelsen § 7, letting.internal_turn_scope), and the ledger "
                f"does not know department {dep!r}'s organisation",
                remedy=GIVE_ORGANISATIONS,
            ))
        return org

    def _organisation_docs(self, tx: StateView, dep: str, org: str | None) -> list[dict[str, Any]]:
        """The ``organisations`` event to write first, where the ledger does not record them."""
        if org is None or self._recorded_organisations.get(dep) == org:
            return []
        recorded = tx.organisations()
        if recorded.get(dep) == org:
            return []
        if dep in recorded:  # recorded by another writer meanwhile
            raise LedgerInputError(f"department {dep!r}", [Problem(
                "organisations",
                f"the ledger records organisation {recorded[dep]} for department {dep!r}, not "
                f"{org}",
                remedy=REOPEN,
            )])
        missing = {d: o for d, o in self._organisations.items() if d not in recorded}
        return [{"type": "organisations", "organisations": dict(sorted(missing.items()))}]

    # -- recording --------------------------------------------------------------

    def _colour(self, dep: str, on: dt.date, problems: list[Problem]) -> str | None:
        if self._colour_source is None:
            problems.append(Problem(
                "colour",
                "required: no step-model placement is available to this ledger",
                remedy=GIVE_COLOUR,
            ))
            return None
        try:
            return self._colour_source(dep, on)
        except FuaalborgError as exc:
            problems.append(Problem(
                "colour", f"of {dep!r} on {on.isoformat()}: {exc}", remedy=GIVE_COLOUR
            ))
            return None

    def record_vacancy(
        self,
        vacancy_id: str,
        dwelling_id: str,
        department_id: str,
        kind: str,
        vacant_on: dt.date | str,
        monthly_rent_dkk: float,
        rooms: int,
        colour: str | None = None,
    ) -> Decision:
        """Record a vacancy (ledig bolig) and return its route.

        One transaction reads and advances the department's counters; another
        writer waits. The colour comes from the step model's placement in force
        on ``vacant_on`` unless passed. A vacancy dated before the department's
        latest (not void) vacancy is recorded and marked ``late``: the ledger
        counts in the order it records. Every problem is reported at once and
        nothing is written when any is found.
        """
        self._store.refresh()
        problems: list[Problem] = []
        vid, dwelling, dep = str(vacancy_id), str(dwelling_id), str(department_id)
        on = _as_date(vacant_on, "vacant_on", problems)
        if not vid.strip():
            problems.append(Problem("vacancy_id", "empty"))
        else:
            existing = self._store.vacancy(vid)
            if existing is not None:
                problems.append(Problem(
                    "vacancy_id", f"vacancy {vid!r} is already recorded (event {existing.seq})"
                ))
        if kind not in DWELLING_KINDS:
            problems.append(Problem("kind", f"{kind!r} is not family or bab"))
        seen = self._check_in_stock(dwelling, dep, kind, on, problems)
        rent = _number(monthly_rent_dkk, "monthly_rent_dkk", problems, minimum=0.0)
        room_count = _whole(rooms, "rooms", problems, minimum=1)
        rent_differs = self._check_table(dwelling, on, room_count, rent, problems)
        basis = "given"
        if colour is None and not problems and on is not None:
            colour = self._colour(dep, on, problems)
            basis = "step model"
        if colour is not None and colour not in COLOURS:
            problems.append(Problem("colour", f"{colour!r} is not green, yellow or red"))
        org: str | None = None
        if not problems and on is not None:
            try:
                rid, rules, values = self._rules_on(on)
                org = self._turn_organisation(dep, rules, problems)
            except NotInForceError as exc:
                problems.append(Problem("vacant_on", str(exc)))
        if problems:
            raise LedgerInputError(f"vacancy {vid!r}", problems)
        assert on is not None
        assert colour is not None

        def build(tx: StateView) -> list[dict[str, Any]]:
            existing = tx.vacancy(vid)
            if existing is not None:  # recorded by another writer meanwhile
                raise LedgerInputError(f"vacancy {vid!r}", [Problem(
                    "vacancy_id", f"vacancy {vid!r} is already recorded (event {existing.seq})"
                )])
            stock_seq = tx.stock_seq()
            if stock_seq != seen:  # the stock changed meanwhile: check against the new one
                changed: list[Problem] = []
                self._stock_history(stock_seq).check_dwelling(dwelling, dep, kind, on, changed)
                if changed:
                    raise LedgerInputError(f"vacancy {vid!r}", changed)
            share = tx.department_share(dep)
            latest = tx.latest_vacant_on(dep)
            first = self._organisation_docs(tx, dep, org)
            routed, _ = route_one(
                tx.counters("department", dep), kind, colour, rules,
                department_share=Fraction(share) if share else None,
                turn_counters=None if org is None else tx.counters("organisation", org),
            )
            event: dict[str, Any] = {
                "type": "vacancy",
                "on": on.isoformat(),
                "vacancy_id": vid,
                "dwelling_id": dwelling,
                "department_id": dep,
                "kind": kind,
                "monthly_rent_dkk": rent,
                "rooms": room_count,
                "colour": colour,
                "colour_basis": basis,
                **_routed_fields(routed),
                "rules": rid,
            }
            if share is not None and rules.records_department_share(colour):
                event["department_share"] = share
            if latest is not None and on < latest:
                event["late"] = True
            if routed.turn_scope == "organisation":
                event["organisation"] = org
            return [*first, {"type": "rules", "id": rid, "values": values}, event]

        written = self.commit(build, department_id=dep, serial=False,
                              counters=[("organisation", org)] if org else [])
        if rent_differs:
            warnings.warn(RentDiffersWarning(f"vacancy {vid!r}", rent_differs, dwelling),
                          stacklevel=2)
        recorded = structure(written[-1])
        assert isinstance(recorded, VacancyRecorded)
        return self._decision(recorded_row(recorded), values)

    def _check_in_stock(self, dwelling: str, dep: str, kind: str, on: dt.date | None,
                        problems: list[Problem]) -> int:
        """Check a vacancy's dwelling against the stock in force on its date; return the
        stock event checked against. A problem is checked again on a fresh stock history
        (another process may have changed the stock)."""
        day = on if on is not None else dt.date.max  # a bad date: the current stock
        given = kind if kind in DWELLING_KINDS else None
        if self._history is None:
            self._stock_history()
        assert self._history is not None
        found: list[Problem] = []
        self._history.check_dwelling(dwelling, dep, given, day, found)
        if found:
            found = []
            self._stock_history().check_dwelling(dwelling, dep, given, day, found)
        problems.extend(found)
        assert self._history_seq is not None
        return self._history_seq

    def _check_table(self, dwelling: str, on: dt.date | None, rooms: int | None,
                     rent: float | None, problems: list[Problem], *,
                     redated: bool = False) -> RentDifference | None:
        """Compare rooms and rent with the dwellings table of the municipality given.

        Only for a vacancy dated in the current stock (the table is the current
        stock's). Rooms do not change: a difference is refused. Rents change: a
        difference is recorded and returned, for a warning; a rent further from
        the table's than the plausible factor (``bounds.rent_ratio_to_table``, the
        municipality's own, in force on ``on``) is most likely mistyped, and
        refused. ``None`` for ``rooms`` or ``rent`` leaves it unchecked (a
        correction checks only what it changes). The check is
        :func:`~fuaalborg.letting.vacancy.compare_with_table`, the one
        ``fuaalborg rank --dwelling`` makes too.

        ``redated``: the values are the vacancy's recorded ones, compared again
        because a correction moves its date (which decides whether the table
        applies, and the plausible factor): a problem is placed at
        ``vacant_on``, and a rent within the factor is not warned of again.
        """
        if self._table is None or on is None or dwelling not in self._table:
            return None
        history = self._history or self._stock_history()  # as just checked against
        latest = history.latest_change
        if latest is not None and on < latest:
            return None
        table_rooms, table_rent = self._table[dwelling]
        found = compare_with_table(
            dwelling, {"rooms": rooms, "monthly_rent_dkk": rent},
            {"rooms": table_rooms, "monthly_rent_dkk": table_rent}, on,
            self._table_bounds or self._params, remedy=CORRECT_TOO if redated else REBUILT,
            given_as="recorded" if redated else "given")
        if not redated:
            problems.extend(found.problems)
            return found.rent
        for problem in found.problems:
            fact = "rooms" if problem.where == "rooms" else "rent"
            problems.append(Problem(
                "vacant_on",
                f"{on.isoformat()} is in the stock the dwellings table describes, and the "
                f"table disagrees with the vacancy's {fact}: {problem.what}",
                remedy=attrs.evolve(CORRECT_TOO, arguments=(problem.where,))))
        return None

    def record_vacancies(self, frame: pd.DataFrame, *, sync_every: int = 1000) -> pd.DataFrame:
        """Record many vacancies in order (one :meth:`record_vacancy` each); return decisions.

        ``frame`` has the columns of :meth:`record_vacancy`'s arguments
        (``colour`` optional). The rows are group-committed (:meth:`batch`):
        made durable every ``sync_every`` rows and at the end, so every row is
        durable when the call returns. Stops at the first refused row, with
        every row before it recorded and durable.
        """
        columns = ["vacancy_id", "dwelling_id", "department_id", "kind", "vacant_on",
                   "monthly_rent_dkk", "rooms"]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise LedgerInputError(
                "vacancies", [Problem("frame", f"missing column {c}") for c in missing]
            )
        colours = frame["colour"].tolist() if "colour" in frame.columns else [None] * len(frame)
        out = []
        with self.batch():
            for i, (row, colour) in enumerate(zip(
                frame[columns].itertuples(index=False, name=None), colours, strict=True
            )):
                vid, dwelling, dep, kind, vacant_on, rent, rooms = row
                decision = self.record_vacancy(
                    vid, dwelling, dep, kind, vacant_on, rent, rooms, colour=colour
                )
                out.append(_decision_row(decision))
                if sync_every and (i + 1) % sync_every == 0:
                    self.sync()
        return pd.DataFrame(out, columns=_DECISION_COLUMNS)

    def record_answer(self, vacancy_id: str, answer: str, on: dt.date | str) -> Decision:
        """Record the municipality's answer to a referred vacancy.

        ``answer`` is ``accepted``, ``declined`` (the dwelling returns to the
        waiting list; the referral's turn stays used) or ``let``. Returns the
        vacancy's decision after the answer (for ``declined``, its waiting-list route).
        """
        self._store.refresh()
        problems: list[Problem] = []
        vid = str(vacancy_id)
        day = _as_date(on, "on", problems)
        if answer not in ANSWERS:
            problems.append(Problem("answer", f"{answer!r} is not one of {', '.join(ANSWERS)}"))
        rules_found: list[tuple[str, Rules, dict[str, Any]]] = []
        dep_of = self._store.vacancy(vid)
        org: str | None = None
        if answer == "declined" and day is not None:
            try:
                rules_found.append(self._rules_on(day))
                if dep_of is not None:
                    org = self._turn_organisation(dep_of.department_id, rules_found[0][1],
                                                  problems)
            except NotInForceError as exc:
                problems.append(Problem("on", str(exc)))

        def build(tx: StateView) -> list[dict[str, Any]]:
            row = tx.vacancy(vid)
            if row is None:
                problems.append(_unknown_vacancy(vid))
            elif row.route != "referral" or row.status == "void":
                problems.append(Problem(
                    "vacancy_id",
                    f"vacancy {vid!r} was not referred (route {row.route})"
                    if row.status != "void" else f"vacancy {vid!r} is void",
                ))
            elif answer in ANSWERS:
                allowed = {"referred": set(ANSWERS), "accepted": {"declined", "let"}}
                if answer not in allowed.get(row.status, set()):
                    problems.append(Problem(
                        "answer", f"vacancy {vid!r} is {row.status}; cannot record {answer!r}"
                    ))
            if day is not None and row is not None and day < row.vacant_on:
                problems.append(Problem(
                    "on", f"answer date {day.isoformat()} is before the vacancy "
                    f"({row.vacant_on.isoformat()})",
                ))
            if problems:
                raise LedgerInputError(f"answer to {vid!r}", problems)
            assert row is not None
            assert day is not None
            event: dict[str, Any] = {"type": "answer", "on": day.isoformat(), "vacancy_id": vid,
                                     "answer": answer}
            docs: list[dict[str, Any]] = [event]
            if answer == "declined":
                rid, rules, values = rules_found[0]
                dep = row.department_id
                share = tx.department_share(dep)
                routed, _ = route_waiting_list(
                    tx.counters("department", dep), row.colour, rules,
                    department_share=Fraction(share) if share else None, reason_code="returned",
                    turn_counters=None if org is None else tx.counters("organisation", org),
                )
                event.update(
                    department_id=dep, dwelling_id=row.dwelling_id, kind=row.kind,
                    colour=row.colour, **_routed_fields(routed), rules=rid,
                )
                if share is not None and rules.records_department_share(row.colour):
                    event["department_share"] = share
                if routed.turn_scope == "organisation":
                    event["organisation"] = org
                docs.insert(0, {"type": "rules", "id": rid, "values": values})
                docs[0:0] = self._organisation_docs(tx, dep, org)
            return docs

        if problems and dep_of is None:
            problems.append(_unknown_vacancy(vid))
            raise LedgerInputError(f"answer to {vid!r}", problems)
        self.commit(build, department_id=None if dep_of is None else dep_of.department_id,
                    serial=dep_of is None, counters=[("organisation", org)] if org else [])
        return self.decision(vid)

    def set_flexible_share(
        self, department_id: str, share: Fraction | str, on: dt.date | str
    ) -> None:
        """Record a department's agreed flexible share (§ 60, stk. 1) from ``on``."""
        problems: list[Problem] = []
        day = _as_date(on, "on", problems)
        dep = str(department_id)
        if dep not in self._store.department_ids():
            problems.append(Problem("department_id", f"unknown department {dep!r}"))
        try:
            frac = Fraction(share)
            if not 0 <= frac <= 1:
                problems.append(Problem("share", f"{share!r} is outside 0–1"))
        except (ValueError, ZeroDivisionError, TypeError):
            problems.append(Problem("share", f"{share!r} is not a fraction"))
        if problems:
            raise LedgerInputError(f"flexible share of {dep!r}", problems)
        assert day is not None
        self.commit([{"type": "flexible_share", "on": day.isoformat(), "department_id": dep,
                      "share": show_share(frac)}], department_id=dep, serial=False)

    # -- the housing stock ----------------------------------------------------------

    def update_stock(
        self,
        municipality: Municipality | pd.DataFrame,
        *,
        on: dt.date | str,
        note: str | None = None,
        by: str | None = None,
        organisations: Mapping[str, str] | None = None,
    ) -> StockChange:
        """Record a change of the housing stock (ændring af boligbestanden), in force from ``on``.

        ``municipality`` is the municipality as it is now (or its dwellings
        table): its departments and dwellings become the ledger's stock from
        ``on`` in one ``stock`` event with its fingerprint and what changed
        (:class:`~fuaalborg.letting.stock.StockChange`: ids of departments and
        dwellings, no personal data). A department that continues keeps its
        counters — § 59, stk. 1 counts every 4th vacancy *per department*, and
        it is the same department; a new department starts at zero; a removed
        one takes no vacancy dated from ``on`` (one dated before, notified
        late, is still recorded). A dwelling takes vacancies as the stock in
        force on the vacancy's date has it: its department and kind may change
        from ``on`` (a merger, a conversion), never before. Refused, with
        nothing written: a change dated before the latest one, a change that
        leaves a recorded vacancy dated from ``on`` outside the new stock (void
        it, or give a later date), a department that moved to another housing
        organisation (the internal/external turn counts per organisation, and
        a move is not modelled), and a stock that is the ledger's already.
        The new departments' organisations come from ``municipality`` (or
        ``organisations``). ``note`` says why; ``by`` who (default: the
        operating-system user). The update locks every department and
        organisation and the ledger's head, as a batch does, so writers in
        other processes count on the new stock from its commit. Returns what
        changed.
        """
        self._store.refresh()
        problems: list[Problem] = []
        day = _as_date(on, "on", problems)
        who = _text(by if by is not None else _user(), "by", problems)
        text = _text(note, "note", problems) if note is not None else None
        registry: dict[str, dict[str, list[str]]] | None = None
        try:
            registry = registry_of(municipality)[0]
        except FuaalborgError as exc:
            problems.append(Problem("municipality", str(exc)))
        try:
            orgs = organisations_of(municipality, organisations)
        except InputError as exc:
            problems.extend(exc.problems)
            orgs = {}
        history = self._stock_history()
        current = history.current
        change = StockChange()
        if registry is not None:
            if not registry:
                problems.append(Problem("municipality", "the new stock has no departments"))
            change = compare_registries(current.registry, registry)
            if change.empty:
                problems.append(Problem(
                    "municipality", f"its stock is the ledger's already (fingerprint "
                    f"{current.fingerprint}): there is no change to record"))
            problems.extend(Problem("organisations", f"unknown department {d!r}")
                            for d in sorted(set(orgs) - set(registry)))
        if day is not None and current.on is not None and day < current.on:
            problems.append(Problem(
                "on", f"{day.isoformat()} is before the stock's latest change ({current.on}, "
                f"event {current.seq}): changes are recorded in the order they come into force"))
        recorded = self._store.organisations()
        moved = other_organisations(self.target, recorded, orgs)
        if moved:
            raise LedgerMunicipalityError(moved)
        if problems:
            raise LedgerInputError("change of stock", problems)
        assert registry is not None
        assert day is not None
        new_orgs = {d: o for d, o in sorted(orgs.items()) if d not in recorded}
        facts = dwelling_facts_of(municipality)
        departments = sorted(set(self._store.department_ids()) | set(registry))
        organisations_locked = sorted(set(recorded.values()) | set(orgs.values()))

        def build(tx: StateView) -> list[dict[str, Any]]:
            seq = tx.stock_seq()
            if seq != current.seq:
                raise LedgerInputError("change of stock", [Problem(
                    "municipality", f"another writer recorded a change of stock meanwhile "
                    f"(event {seq})", remedy=REOPEN)])
            after = StockHistory([*history.stocks, Stock.of(-1, day, registry)])
            outside: list[Problem] = []
            for vacancy in tx.vacancies():
                if vacancy.status != "void" and vacancy.vacant_on >= day:
                    found: list[Problem] = []
                    after.check_dwelling(vacancy.dwelling_id, vacancy.department_id,
                                         vacancy.kind, vacancy.vacant_on, found)
                    outside.extend(Problem(
                        "on", f"vacancy {vacancy.vacancy_id!r} ({vacancy.vacant_on}) would be "
                        f"outside the new stock: {p.what}", remedy=VOID_OR_LATER)
                        for p in found[:1])
            if outside:
                raise LedgerInputError("change of stock", outside)
            event: dict[str, Any] = {
                "type": "stock", "on": day.isoformat(), "fingerprint": fingerprint_of(registry),
                "registry": registry, "changes": change.as_event(), "by": who,
            }
            if text is not None:
                event["note"] = text
            if new_orgs:
                event["organisations"] = new_orgs
            if facts:
                event["dwelling_facts"] = facts
            return [event]

        self.commit(build, serial=True,
                    counters=[*(("department", d) for d in departments),
                              *(("organisation", o) for o in organisations_locked)])
        self._stock_history()
        self._use_table(municipality)
        return change

    # -- corrections --------------------------------------------------------------

    def void(
        self, vacancy_id: str, reason: str, on: dt.date | str, *, by: str | None = None
    ) -> Counters:
        """Void a vacancy recorded in error: it stops counting from ``on``.

        The department's counters go back by what the vacancy had added to them
        (its count towards referral, and its waiting-list letting and turn); the
        decisions of vacancies recorded after it stand, and its own decision
        stays in the history. This is the library's reading of almenboligloven
        § 59, stk. 1 (see the ledger documentation). ``by`` names who voids it
        (default: the operating-system user); ``reason`` is required. A vacancy
        that is let, or whose offer round is open, is refused. Returns the
        department's counters after the void.
        """
        self._store.refresh()
        problems: list[Problem] = []
        vid = str(vacancy_id)
        day = _as_date(on, "on", problems)
        why = _text(reason, "reason", problems)
        who = _text(by if by is not None else _user(), "by", problems)
        row = self._store.vacancy(vid)
        if row is None:
            problems.append(_unknown_vacancy(vid))
        if problems:
            raise LedgerInputError(f"void of {vid!r}", problems)
        assert row is not None
        assert day is not None
        after: list[Counters] = []

        def build(tx: StateView) -> list[dict[str, Any]]:
            current = tx.vacancy(vid)
            assert current is not None
            if current.status == "void":
                problems.append(Problem("vacancy_id", f"vacancy {vid!r} is already void"))
            elif current.status == "let":
                problems.append(Problem(
                    "vacancy_id", f"vacancy {vid!r} is let: a let dwelling was vacant",
                    remedy=CORRECT_INSTEAD,
                ))
            rounds = tx.rounds(vid)
            if rounds and rounds[-1].closed_on is None:
                problems.append(Problem(
                    "vacancy_id", f"vacancy {vid!r} has an open offer round; close it first"
                ))
            if day < current.vacant_on:
                problems.append(Problem(
                    "on", f"{day.isoformat()} is before the vacancy "
                    f"({current.vacant_on.isoformat()})",
                ))
            if problems:
                raise LedgerInputError(f"void of {vid!r}", problems)
            counted = {"referral": 0, "flexible": 0, "turns": 0}
            orgs: list[str] = []
            for doc in tx.event_docs(types=["vacancy", "answer"], vacancy_id=vid):
                if doc["type"] == "vacancy":
                    counted["referral"] += int(doc["reason_code"] in COUNTING_REASONS)
                elif doc.get("answer") != "declined":
                    continue
                counted["flexible"] += int(doc["route"] == "waiting_list")
                counted["turns"] += int(doc.get("n_turn") is not None)
                if doc.get("organisation") is not None and doc.get("n_turn") is not None:
                    orgs.append(str(doc["organisation"]))
            old = tx.counters("department", current.department_id)
            new = Counters(old.referral - counted["referral"], old.flexible - counted["flexible"],
                           old.turns - counted["turns"])
            after.append(new)
            event: dict[str, Any] = {
                "type": "void", "on": day.isoformat(), "vacancy_id": vid,
                "department_id": current.department_id, "reason": why, "by": who,
                "counted": counted, "counters": dict(zip(("referral", "flexible", "turns"),
                                                         attrs.astuple(new), strict=True)),
            }
            if orgs:  # the turns it took were its organisation's: take them back there
                org = orgs[0]
                counted["organisation_turns"] = len(orgs)
                event["counters"]["organisation_turns"] = (
                    tx.counters("organisation", org).turns - len(orgs))
                event["organisation"] = org
            return [event]

        taken = {str(d["organisation"]) for d in self._store.event_docs(
            types=["vacancy", "answer"], vacancy_id=vid) if d.get("organisation") is not None}
        self.commit(build, department_id=row.department_id, serial=False,
                    counters=[("organisation", o) for o in sorted(taken)])
        return after[0]

    def correct(
        self,
        vacancy_id: str,
        reason: str,
        on: dt.date | str,
        *,
        by: str | None = None,
        **fields: Any,
    ) -> Decision:
        """Correct facts of a recorded vacancy from ``on``: rent, rooms, dwelling or date.

        ``fields`` are among :data:`CORRECTABLE`: ``monthly_rent_dkk``, ``rooms``,
        ``dwelling_id`` (another dwelling of the same department and kind) and
        ``vacant_on`` (a date under the same rules). They do not change the
        route; the department, kind and colour do, and are corrected by voiding
        the vacancy (:meth:`void`) and recording it again. The correction is an
        event with the old and new values, ``reason`` and ``by``; history is
        not rewritten. Returns the vacancy's decision as corrected.

        Opened with its municipality, the ledger checks what a correction
        changes against the dwellings table as :meth:`record_vacancy` does: a
        corrected rooms (or a corrected dwelling with other rooms) that differs
        from the table, and a rent beyond ``bounds.rent_ratio_to_table``, are
        refused; a rent that differs less is corrected with a
        :class:`RentDiffersWarning`. A new ``vacant_on`` alone checks the
        recorded rooms and rent again: the date decides whether the table
        applies at all (only to a vacancy in the current stock, dated from the
        latest change of stock on) and which plausible factor is in force, so a
        vacancy re-dated into the current stock must agree with the table as one
        recorded on that date must. What disagrees is refused at ``vacant_on``
        (correct that fact in the same call); a rent within the factor is not
        warned of again.
        """
        self._store.refresh()
        problems: list[Problem] = []
        vid = str(vacancy_id)
        day = _as_date(on, "on", problems)
        why = _text(reason, "reason", problems)
        who = _text(by if by is not None else _user(), "by", problems)
        row = self._store.vacancy(vid)
        if row is None:
            problems.append(_unknown_vacancy(vid))
        if not fields:
            problems.append(Problem(
                "", f"nothing to correct: give one of {', '.join(CORRECTABLE)}"
            ))
        for name in fields:
            if name in _ROUTING_FACTS:
                problems.append(Problem(
                    name, "decides the vacancy's route and cannot be corrected",
                    remedy=VOID_AND_RECORD,
                ))
            elif name not in CORRECTABLE:
                problems.append(Problem(
                    name, "not a fact of a vacancy that can be corrected "
                    f"({', '.join(CORRECTABLE)})",
                ))
        new: dict[str, Any] = {}
        if "monthly_rent_dkk" in fields:
            new["monthly_rent_dkk"] = _number(fields["monthly_rent_dkk"], "monthly_rent_dkk",
                                              problems, minimum=0.0)
        if "rooms" in fields:
            new["rooms"] = _whole(fields["rooms"], "rooms", problems, minimum=1)
        if "vacant_on" in fields:
            new["vacant_on"] = _as_date(fields["vacant_on"], "vacant_on", problems)
        if "dwelling_id" in fields:
            new["dwelling_id"] = str(fields["dwelling_id"])
        if row is not None and ("dwelling_id" in new or isinstance(new.get("vacant_on"),
                                                                   dt.date)):
            # the dwelling (as corrected) in the stock of the date (as corrected)
            found: list[Problem] = []
            self._stock_history().check_dwelling(
                new.get("dwelling_id", row.dwelling_id), row.department_id, row.kind,
                new.get("vacant_on") or row.vacant_on, found)
            problems.extend(attrs.evolve(p, remedy=VOID_AND_RECORD) for p in found)
        if row is not None and isinstance(new.get("vacant_on"), dt.date):
            try:
                rid = self._rules_on(new["vacant_on"])[0]
                if rid != self._original_rules(vid):
                    problems.append(Problem(
                        "vacant_on",
                        f"{new['vacant_on'].isoformat()} falls under other rules than the "
                        "vacancy was routed by",
                        remedy=VOID_AND_RECORD,
                    ))
            except NotInForceError as exc:
                problems.append(Problem("vacant_on", str(exc)))
        rent_differs = None
        if row is not None:
            # the facts the correction changes, against the dwellings table, as a vacancy's
            bad = {p.where for p in problems}
            moved = "dwelling_id" in new
            rent = (new.get("monthly_rent_dkk", row.monthly_rent_dkk)
                    if ("monthly_rent_dkk" in new or moved) and "monthly_rent_dkk" not in bad
                    else None)
            room_count = (new.get("rooms", row.rooms)
                          if ("rooms" in new or moved) and "rooms" not in bad else None)
            vacant = new.get("vacant_on")
            dwelling = new.get("dwelling_id", row.dwelling_id)
            day_of = vacant if isinstance(vacant, dt.date) else row.vacant_on
            rent_differs = self._check_table(dwelling, day_of, room_count, rent, problems)
            if isinstance(vacant, dt.date) and not moved:
                # a new date may bring the vacancy into the stock the table describes, or
                # under another plausible factor: the recorded facts it keeps, checked again
                self._check_table(
                    dwelling, vacant,
                    row.rooms if "rooms" not in new else None,
                    row.monthly_rent_dkk if "monthly_rent_dkk" not in new else None,
                    problems, redated=True)
        if problems:
            raise LedgerInputError(f"correction of {vid!r}", problems)
        assert row is not None
        assert day is not None

        def build(tx: StateView) -> list[dict[str, Any]]:
            current = tx.vacancy(vid)
            assert current is not None
            if current.status == "void":
                problems.append(Problem("vacancy_id", f"vacancy {vid!r} is void"))
            if day < current.vacant_on and "vacant_on" not in new:
                problems.append(Problem(
                    "on", f"{day.isoformat()} is before the vacancy "
                    f"({current.vacant_on.isoformat()})",
                ))
            changes: dict[str, list[Any]] = {}
            for name, value in new.items():
                old = getattr(current, name)
                if old == value:
                    problems.append(Problem(name, f"already {format_value(value)}"))
                changes[name] = [_json_value(old), _json_value(value)]
            if problems:
                raise LedgerInputError(f"correction of {vid!r}", problems)
            return [{"type": "correction", "on": day.isoformat(), "vacancy_id": vid,
                     "reason": why, "by": who, "changes": changes}]

        self.commit(build, department_id=row.department_id, serial=False)
        if rent_differs:
            warnings.warn(RentDiffersWarning(f"correction of {vid!r}", rent_differs,
                                             new.get("dwelling_id", row.dwelling_id)),
                          stacklevel=2)
        return self.decision(vid)

    def _original_rules(self, vacancy_id: str) -> str:
        docs = self._store.event_docs(types=["vacancy"], vacancy_id=vacancy_id)
        return str(docs[0]["rules"])

    # -- one path from vacancy to lease -------------------------------------------

    def rank(
        self,
        vacancy_id: str,
        applicants: pd.DataFrame,
        *,
        registry: CriteriaRegistry | None = None,
        on: dt.date | None = None,
        top: int | None = None,
        municipality: Municipality | None = None,
        organisation_cvr: str | None = None,
        agreement: AgreementLike | None = None,
    ) -> Ranking:
        """Rank the waiting list for a vacancy's recorded decision (:func:`fuaalborg.rank`).

        The department, dwelling, rooms, rent, colour, route (flexible or
        ordinary) and turn are the decision's, and the date is the decision's
        (the vacancy's, or the day the municipality returned it) unless ``on``
        is given. The dwelling's floor, dwelling type and lift — which an
        agreement's dwelling conditions read — are those the ledger keeps from
        the dwellings table it was created from; for a dwelling it keeps none
        of (a ledger written before it kept them), ``municipality``'s.
        ``municipality`` (checked against the ledger's fingerprint) or
        ``organisation_cvr`` and ``agreement`` give what the flexible route
        needs. The result is what :class:`~fuaalborg.letting.offers.OfferRound`
        accepts for this vacancy. Its decision record names ``municipality``,
        else the municipality the ledger was created for, by the name it keeps
        (:attr:`name`; :attr:`RankingBasis.municipality
        <fuaalborg.records.RankingBasis.municipality>`).
        """
        from fuaalborg.letting.ranking import rank
        from fuaalborg.records import MunicipalityRef

        vacancy, route, turn, colour = self._ranking_basis(str(vacancy_id), municipality)
        # the ledger keeps its municipality's name only: no code, not whether it is the example
        named = municipality if municipality is not None else MunicipalityRef(self.name)
        return rank(
            applicants, vacancy, registry=registry, on=on, route=route, turn=turn,
            top=top, municipality=named, colour=colour,
            organisation_cvr=organisation_cvr, agreement=agreement,
            parameters=self._parameters_with(municipality),
        )

    def rank_many(
        self,
        vacancy_ids: Sequence[str],
        applicants: pd.DataFrame,
        *,
        top: int | None = 25,
        registry: CriteriaRegistry | None = None,
        municipality: Municipality | None = None,
        organisation_cvr: str | None = None,
        agreement: AgreementLike | None = None,
    ) -> list[Ranking]:
        """Rank the waiting list for many recorded vacancies at once (:func:`fuaalborg.rank_many`).

        Each ranking is :meth:`rank`'s for its vacancy; the waiting list is
        validated once. Returns one ranking per vacancy id, in order.
        """
        from fuaalborg.letting.ranking import rank_many
        from fuaalborg.records import MunicipalityRef

        named = municipality if municipality is not None else MunicipalityRef(self.name)
        bases = [self._ranking_basis(str(v), municipality) for v in vacancy_ids]
        out: list[Ranking | None] = [None] * len(bases)
        # one call per set of vacancies whose departments have one colour each
        pending = list(range(len(bases)))
        while pending:
            colours: dict[str, str] = {}
            now_, later = [], []
            for i in pending:
                dep, colour = bases[i][0].department_id, bases[i][3]
                if colours.setdefault(dep, colour) == colour:
                    now_.append(i)
                else:
                    later.append(i)
            ranked = rank_many(
                applicants, [bases[i][0] for i in now_], top=top, registry=registry,
                route=[bases[i][1] for i in now_],
                turn=[bases[i][2] for i in now_],
                municipality=named, colours=colours, organisation_cvr=organisation_cvr,
                agreement=agreement, parameters=self._parameters_with(municipality),
            )
            for i, ranking in zip(now_, ranked, strict=True):
                out[i] = ranking
            pending = later
        return [r for r in out if r is not None]

    def _ranking_basis(
        self, vid: str, municipality: Municipality | None
    ) -> tuple[Vacancy, Subroute | None, Turn | None, str]:
        """The vacancy (as the ranking reads it), route, turn and colour of a decision."""
        from fuaalborg.letting.vacancy import Vacancy

        self._store.refresh()
        row = self._store.vacancy(vid)
        problems = []
        if row is None:
            problems.append(_unknown_vacancy(vid))
        elif row.status == "void":
            problems.append(Problem("vacancy_id", f"vacancy {vid!r} is void"))
        elif row.route != "waiting_list":
            problems.append(Problem(
                "vacancy_id",
                f"vacancy {vid!r} went to the municipal referral: the municipality places, "
                "there is no waiting list to rank",
            ))
        if municipality is not None:
            self._check_municipality(municipality)
        if problems:
            raise LedgerInputError(f"ranking for {vid!r}", problems)
        assert row is not None
        facts = self._dwelling_facts().get(row.dwelling_id)
        if facts is None and municipality is not None:
            facts = facts_by_dwelling(dwelling_facts_of(municipality.dwellings.loc[
                municipality.dwellings["dwelling_id"].astype(str) == row.dwelling_id
            ])).get(row.dwelling_id)
        vacancy = Vacancy(row.department_id, rooms=row.rooms,
                          monthly_rent_dkk=row.monthly_rent_dkk, vacant_on=row.decided_on,
                          dwelling_id=row.dwelling_id, **(facts or {}))
        subroute = None if row.subroute is None else one_of(row.subroute, SUBROUTES, "subroute")
        turn = None if row.turn is None else one_of(row.turn, TURNS, "turn")
        return vacancy, subroute, turn, row.colour

    @property
    def danish(self) -> bool:
        """Whether the ledger was created from a municipality whose files are in Danish:
        its tables (``fuaalborg ledger state``/``events``) are then written in Danish by
        default."""
        self._store.refresh()
        (created,) = self._store.event_docs(types=["created"])
        return bool(created.get("danish"))

    def _dwelling_facts(self) -> dict[str, dict[str, Any]]:
        """The dwellings' facts the ledger keeps (of its latest stock that states them)."""
        self._stock_history()
        assert self._facts is not None
        return self._facts

    # -- reading ----------------------------------------------------------------

    @property
    def departments(self) -> list[str]:
        """Every department the ledger's stock has had, sorted (removed ones too)."""
        return self._store.department_ids()

    def status(self, vacancy_id: str) -> str:
        """A vacancy's status: referred, accepted, returned, waiting_list, offered, let or void."""
        return self._current("status", vacancy_id).status

    def _current(self, call: str, vacancy_id: str) -> VacancyRow:
        """A vacancy's current state (with what other processes wrote); ``call`` is refused
        when the ledger does not know the vacancy."""
        self._store.refresh()
        row = self._store.vacancy(str(vacancy_id))
        if row is None:
            raise LedgerInputError(call, [_unknown_vacancy(vacancy_id)])
        return row

    def vacancy(self, vacancy_id: str) -> Mapping[str, Any]:
        """A vacancy's recorded facts (as corrected), its current decision and status."""
        row = self._current("vacancy", vacancy_id)
        out = attrs.asdict(row)
        out["on"] = row.vacant_on.isoformat()
        out["rules"] = row.rules_id
        return out

    def decision(self, vacancy_id: str) -> Decision:
        """The current decision of a vacancy (after a decline: its waiting-list route)."""
        return self._decision(self._current("decision", str(vacancy_id)))

    def _decision(self, row: VacancyRow, values: Mapping[str, Any] | None = None) -> Decision:
        rules = self._rules_of(row.rules_id, values)
        if values is None:
            values = self._store.rules(row.rules_id) or {}
        return Decision(
            vacancy_id=row.vacancy_id,
            department_id=row.department_id,
            dwelling_id=row.dwelling_id,
            kind=row.kind,
            rooms=row.rooms,
            monthly_rent_dkk=row.monthly_rent_dkk,
            on=row.decided_on,
            colour=row.colour,
            colour_basis=row.colour_basis,
            route=row.route,
            subroute=row.subroute,
            turn=row.turn,
            reason_code=row.reason_code,
            reason=explain(row.reason_code, rules, colour=row.colour, route=row.route,
                           subroute=row.subroute, turn=row.turn, n_referral=row.n_referral,
                           n_flexible=row.n_flexible, n_turn=row.n_turn,
                           department_share=row.department_share),
            n_referral=row.n_referral,
            n_flexible=row.n_flexible,
            n_turn=row.n_turn,
            rules_id=row.rules_id,
            rules=values,
            seq=row.decision_seq,
            returned=row.returned,
            late=row.late,
        )

    def counters(self, key: str, *, scope: str = "department") -> Counters:
        """A department's counters now, or (``scope="organisation"``) a housing organisation's.

        An organisation's ``turns`` counts its waiting-list lettings under the
        internal/external rule where the turn counts per organisation.
        """
        self._store.refresh()
        return self._store.counters(scope, str(key))

    @property
    def organisations(self) -> dict[str, str]:
        """Each department's housing organisation, as the ledger records them (or was given)."""
        self._store.refresh()
        return {**self._organisations, **self._store.organisations()}

    def events(
        self,
        *,
        type: str | Iterable[str] | None = None,
        department_id: str | None = None,
        vacancy_id: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
    ) -> list[dict[str, Any]]:
        """The events matching every filter given, in order (copies, without checksums).

        ``since``/``until`` filter on the event's date (``on``), inclusive.
        """
        self._store.refresh()
        types = [type] if isinstance(type, str) else list(type) if type is not None else None
        problems: list[Problem] = []
        lo = _as_date(since, "since", problems) if since is not None else None
        hi = _as_date(until, "until", problems) if until is not None else None
        if problems:
            raise LedgerInputError("events", problems)
        docs = self._store.event_docs(
            types=types,
            vacancy_id=None if vacancy_id is None else str(vacancy_id),
            department_id=None if department_id is None else str(department_id),
        )
        if lo is None and hi is None:
            return docs
        out = []
        for doc in docs:
            if "on" not in doc:
                continue
            day = dt.date.fromisoformat(doc["on"])
            if (lo is not None and day < lo) or (hi is not None and day > hi):
                continue
            out.append(doc)
        return out

    def corrections(self) -> list[Correction]:
        """Every void and correction, in order, with who, when and why."""
        out = []
        for doc in self.events(type=["void", "correction"]):
            changes = doc["counted"] if doc["type"] == "void" else doc["changes"]
            out.append(Correction(int(doc["seq"]), doc["type"], dt.date.fromisoformat(doc["on"]),
                                  doc["at"], doc["vacancy_id"], doc["by"], doc["reason"],
                                  changes))
        return out

    def to_frame(self, events: list[dict[str, Any]] | None = None) -> pd.DataFrame:
        """The events as a DataFrame, one row per event (nested values as JSON text).

        A field recorded as a whole number (a counter, ``rooms``) is a nullable
        integer column (``Int64``), also where events of other types lack it.
        """
        rows = self.events() if events is None else events
        flat = [
            {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
             for k, v in e.items() if k not in ("registry", "dwelling_facts")}
            for e in rows
        ]
        frame = pd.DataFrame(flat)
        whole: dict[str, bool] = {}
        for row in flat:
            for k, v in row.items():
                if v is not None:
                    whole[k] = whole.get(k, True) and isinstance(v, int) and not isinstance(
                        v, bool)
        for column in (k for k, is_whole in whole.items() if is_whole):
            frame[column] = frame[column].astype("Int64")
        if "on" in frame.columns:
            frame["on"] = pd.to_datetime(frame["on"]).astype("datetime64[s]")
        return frame

    def to_xlsx(self, path: str | os.PathLike[str]) -> Path:
        """Write the events and the current counters to an xlsx workbook (atomically)."""
        target = Path(path)
        events = self.to_frame()
        for column in events.columns:
            if events[column].dtype == object:
                events[column] = events[column].astype("string")
        from fuaalborg.tables import atomic_write

        with atomic_write(target) as tmp, pd.ExcelWriter(tmp, engine="openpyxl") as writer:
            events.to_excel(writer, sheet_name="events", index=False)
            self.state().to_excel(writer, sheet_name="state", index=False)
        return target

    def decisions(self) -> pd.DataFrame:
        """Every vacancy's current decision as a DataFrame (one row per vacancy, void included)."""
        self._store.refresh()
        rows = [_decision_row(self._decision(v)) for v in self._store.vacancies()]
        return pd.DataFrame(rows, columns=_DECISION_COLUMNS)

    def state(self, on: dt.date | str | None = None) -> pd.DataFrame:
        """Every department's counters on ``on`` (default: now), reconstructed from the events.

        Columns: ``department_id``, ``referral`` (counting family vacancies),
        ``flexible`` and ``turns`` (waiting-list lettings), ``vacancies``
        (recorded), ``referred``, ``returned``, ``waiting_list``, ``voided``,
        ``late`` and ``last_vacancy_on``. A void takes back what its vacancy
        counted from the counters; the other columns count what was recorded.
        """
        problems: list[Problem] = []
        day = _as_date(on, "on", problems) if on is not None else None
        if problems:
            raise LedgerInputError("state", problems)
        deps = self.departments
        rows = [
            e for e in self.events(type=["vacancy", "answer", "void"])
            if (e["type"] != "answer" or e["answer"] == "declined")
            and (day is None or dt.date.fromisoformat(e["on"]) <= day)
        ]
        base = pd.DataFrame({"department_id": deps})
        columns = ("referral", "flexible", "turns", "vacancies", "referred", "returned",
                   "waiting_list", "voided", "late")
        if not rows:
            for column in columns:
                base[column] = 0
            base["last_vacancy_on"] = pd.Series([pd.NaT] * len(deps), dtype="datetime64[s]")
            return base

        def get(e: Mapping[str, Any], key: str) -> int:
            return int(e.get("counted", {}).get(key, 0))

        kind = [e["type"] for e in rows]
        frame = pd.DataFrame(
            {
                "department_id": [e["department_id"] for e in rows],
                "is_vacancy": [k == "vacancy" for k in kind],
                "referral": [
                    -get(e, "referral") if k == "void" else int(e["reason_code"] in
                                                                COUNTING_REASONS)
                    for e, k in zip(rows, kind, strict=True)],
                "flexible": [
                    -get(e, "flexible") if k == "void" else int(e["route"] == "waiting_list")
                    for e, k in zip(rows, kind, strict=True)],
                "turns": [
                    -get(e, "turns") if k == "void" else int(e.get("n_turn") is not None)
                    for e, k in zip(rows, kind, strict=True)],
                "referred": [k == "vacancy" and e["route"] == "referral"
                             for e, k in zip(rows, kind, strict=True)],
                "returned": [k == "answer" for k in kind],
                "waiting": [k != "void" and e["route"] == "waiting_list"
                            for e, k in zip(rows, kind, strict=True)],
                "voided": [k == "void" for k in kind],
                "late": [k == "vacancy" and bool(e.get("late")) for e, k in
                         zip(rows, kind, strict=True)],
                "on": pd.to_datetime([e["on"] for e in rows]).astype("datetime64[s]"),
            }
        )
        grouped = frame.groupby("department_id")
        agg = pd.DataFrame(
            {
                "referral": grouped["referral"].sum(),
                "flexible": grouped["flexible"].sum(),
                "turns": grouped["turns"].sum(),
                "vacancies": grouped["is_vacancy"].sum(),
                "referred": grouped["referred"].sum(),
                "returned": grouped["returned"].sum(),
                "waiting_list": grouped["waiting"].sum(),
                "voided": grouped["voided"].sum(),
                "late": grouped["late"].sum(),
                "last_vacancy_on": frame.loc[frame["is_vacancy"]].groupby("department_id")[
                    "on"].max(),
            }
        )
        out = base.merge(agg, left_on="department_id", right_index=True, how="left")
        for column in columns:
            out[column] = out[column].fillna(0).astype("int64")
        return out.reset_index(drop=True)

    def check_referral(
        self,
        household: Any,
        vacancy_id: str,
        *,
        municipality: Municipality | None = None,
        on: dt.date | str | None = None,
        designation: str | None = None,
        area_id: str | None = None,
        forebyggelse_share: Any = None,
        excluded_areas: Any = None,
        no_alternative: bool = False,
    ) -> Any:
        """Check a referred household against § 59, stk. 6–9 for a recorded vacancy.

        The department, date (the vacancy's unless ``on``) and colour are the
        vacancy's, as the ledger recorded them; ``municipality`` (its lists) or
        ``designation`` give the area's designation, and ``area_id``,
        ``forebyggelse_share``, ``excluded_areas`` and ``no_alternative`` are
        passed on as they are: see
        :func:`fuaalborg.letting.referral_limits.check_referral`. The colour's
        placement is the rule the ledger's routing reads too, so a vacancy the
        ledger routed to the referral is never in a department the check closes.
        """
        from fuaalborg.letting.referral_limits import check_referral

        vacancy = self.vacancy(vacancy_id)
        return check_referral(
            household, vacancy["department_id"], on or vacancy["on"],
            municipality=municipality, designation=designation, colour=vacancy["colour"],
            parameters=self._params, area_id=area_id, forebyggelse_share=forebyggelse_share,
            excluded_areas=excluded_areas, no_alternative=no_alternative,
        )

    # -- verification -----------------------------------------------------------

    def verify(self) -> VerifyReport:
        """Re-derive every decision and the whole state from the events, and compare.

        Checks every event's checksum and form (:mod:`fuaalborg.letting.events`),
        that sequence numbers run without gaps, that every decision, late mark
        and void follows from the events before it under the rules it records
        (with the vectorised routing core), and that the store's state — every
        vacancy, counter, offer round, applicant and used seniority — is what
        the events lead to. Raises :class:`LedgerCorruptError` naming the first
        event that disagrees; returns what was checked, with every void and correction.
        """
        self._store.refresh()
        fresh = MemoryState()
        for number, line in enumerate(self._store.event_lines()):
            if not check_line(line):
                raise LedgerCorruptError(f"{self.target}: event {number} fails its checksum")
            doc = decode(line)
            if doc.get("seq") != number:
                raise LedgerCorruptError(
                    f"{self.target}: event {number} has sequence number {doc.get('seq')!r}; "
                    "events are missing or out of order"
                )
            if number == 0 and (doc.get("type") != "created" or doc.get("format") != FORMAT):
                raise LedgerCorruptError(f"{self.target}: not a {FORMAT} ledger")
            try:
                event = structure(doc)
                fresh.add_docs([doc])
                project(event, fresh)
            except LedgerCorruptError as exc:
                raise LedgerCorruptError(f"{self.target}: {exc}") from None
        check_decisions_of(self, fresh.docs)
        changes = check_stock(fresh.docs, self.target)
        ours, theirs = snapshot(fresh), snapshot(self._store)
        for part in ours:
            if ours[part] != theirs[part]:
                raise LedgerCorruptError(first_difference(self.target, part, ours[part],
                                                           theirs[part]))
        vacancies = fresh.vacancies()
        return VerifyReport(
            target=self.target,
            events=len(fresh.docs),
            vacancies=len(vacancies),
            voided=sum(v.status == "void" for v in vacancies),
            late=sum(v.late for v in vacancies),
            corrections=tuple(self.corrections()),
            stock_changes=changes,
        )


# ---------------------------------------------------------------------------


def check_decisions_of(ledger: Ledger, docs: Sequence[Mapping[str, Any]]) -> None:
    """Re-derive every decision, void and late mark of ``docs`` under the ledger's rules."""
    check_decisions(docs, ledger.target, ledger._rules_of)


def _rooms_and_rents(
    municipality: Municipality | pd.DataFrame | None,
) -> dict[str, tuple[int | None, float | None]] | None:
    """Each dwelling's rooms and monthly rent as a dwellings table states them (or ``None``)."""
    if municipality is None:
        return None
    table = municipality.dwellings if isinstance(municipality, Municipality) else municipality
    if "dwelling_id" not in table.columns or not (
            {"rooms", "monthly_rent_dkk"} & set(table.columns)):
        return None
    ids = table["dwelling_id"].astype(str).tolist()
    rooms = (pd.to_numeric(table["rooms"], errors="coerce").tolist() if "rooms" in table.columns
             else [None] * len(ids))
    rents = (pd.to_numeric(table["monthly_rent_dkk"], errors="coerce").tolist()
             if "monthly_rent_dkk" in table.columns else [None] * len(ids))
    return {
        d: (None if r is None or pd.isna(r) else int(r),
            None if m is None or pd.isna(m) else float(m))
        for d, r, m in zip(ids, rooms, rents, strict=True)
    }


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _json_value(value: Any) -> Any:
    """A corrected field's value as the correction event keeps it: a date as ISO text,
    a number as a number (not as text: the event is data, read back by the ledger)."""
    return value.isoformat() if isinstance(value, dt.date) else value


# ---------------------------------------------------------------------------
# Names that moved (kept importable from here, with a warning)

_MOVED = {
    "vacancy_stream": ("fuaalborg.simulation.arrivals", "vacancy_stream"),
    "route_summary": ("fuaalborg.reports.routes", "route_summary"),
}


def __getattr__(name: str) -> Any:
    """``vacancy_stream`` and ``route_summary`` moved (deprecated here)."""
    return _lazy.deprecated(__name__, name, _MOVED)

