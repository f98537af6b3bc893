"""Where a letting ledger keeps its events and state: a file, SQLite or PostgreSQL.

Every store keeps the same two things: the **events** — the ledger's history,
each the same JSON document with the same checksum whatever the store — and the
**state** derived from them (every vacancy's current decision and status, each
department's counters, the offer rounds, applicants' unanswered offers, passive
status and used seniority). A store writes an event and the state it changes
in one transaction; the ledger (:mod:`fuaalborg.letting.ledger`) decides what
the events are and how they change the state, once, for every store.

The stores, by the target that names them:

* a path (``ledger.jsonl``): the JSON Lines file (:mod:`.file`); the state is
  rebuilt in memory by replaying the file when it is opened;
* ``sqlite:///relative.db`` or ``sqlite:////absolute/path.db`` (SQLAlchemy's
  spelling): an SQLite database (:mod:`.sqlite`), WAL mode, ``BEGIN IMMEDIATE``;
* ``postgresql://user@host:port/dbname`` (a libpq URI, also
  ``postgresql://user@/dbname?host=/socket/dir&port=N``): PostgreSQL through
  psycopg 3 (:mod:`.postgres`, the ``fuaalborg[postgres]`` extra).

>>> describe_target("postgresql://ledger:secret@db.example:5432/letting")
'postgresql://ledger:***@db.example:5432/letting'
>>> parse_target("sqlite:////srv/ledger.db")
('sqlite', '/srv/ledger.db')
>>> parse_target("mysql://db/ledger")
Traceback (most recent call last):
...
fuaalborg.letting.errors.LedgerError: unknown ledger target 'mysql://db/ledger': give ...
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

import attrs

from fuaalborg.letting.errors import LedgerError
from fuaalborg.letting.routing import Counters

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "ApplicantRow",
    "LedgerMeta",
    "Projector",
    "RoundRow",
    "StateView",
    "StateWriter",
    "Store",
    "Transaction",
    "VacancyRow",
    "describe_target",
    "open_store",
    "parse_target",
]

#: How long a writer waits for another writer by default, in seconds.
DEFAULT_WAIT_SECONDS = 30.0

#: Applies one event (already written) to a state.
Projector = Callable[[Any, "StateWriter"], None]


@attrs.frozen
class LedgerMeta:
    """What a ledger says about itself: its format, municipality and registry fingerprint."""

    format: str
    municipality: str
    fingerprint: str
    created_at: str


@attrs.frozen
class VacancyRow:
    """A vacancy's current state: its (corrected) facts, its current decision and status.

    ``seq`` is the vacancy event's sequence number, ``decision_seq`` that of the
    event holding the current decision (the vacancy, or the municipality's
    decline that returned it to the waiting list). ``status`` is one of
    referred, accepted, returned, waiting_list, offered, let or void.
    """

    vacancy_id: str
    seq: int
    department_id: str
    dwelling_id: str
    kind: str
    vacant_on: dt.date
    monthly_rent_dkk: float
    rooms: int
    colour: str
    colour_basis: str
    status: str
    late: bool
    decision_seq: int
    decided_on: dt.date
    route: str
    subroute: str | None
    turn: str | None
    reason_code: str
    n_referral: int | None
    n_flexible: int | None
    n_turn: int | None
    rules_id: str
    department_share: str | None
    returned: bool


@attrs.frozen
class RoundRow:
    """One offer round of a vacancy; ``offers`` maps applicant ids to list, rank, group, answer."""

    round: int
    on: dt.date
    deadline: dt.date
    offers: Mapping[str, Mapping[str, Any]]
    closed_on: dt.date | None = None
    winner: str | None = None

    @property
    def closed(self) -> bool:
        """Whether the round has closed."""
        return self.closed_on is not None


@attrs.frozen
class ApplicantRow:
    """An applicant's offer history: dates of unanswered and refused offers, passive status."""

    applicant_id: str
    unanswered: tuple[dt.date, ...] = ()
    refused: tuple[dt.date, ...] = ()
    passive_on: dt.date | None = None


class StateView(Protocol):
    """Reading a ledger's state (a store outside a transaction, or a transaction)."""

    def meta(self) -> LedgerMeta:
        """The ledger's format, municipality and fingerprint."""

    def head(self) -> int:
        """The last event's sequence number."""

    def dwelling(self, dwelling_id: str) -> tuple[str, str] | None:
        """A dwelling's department and kind in the latest stock that had it, or ``None``."""

    def department_ids(self) -> list[str]:
        """Every department the ledger's stock has had, sorted (removed ones too)."""

    def stock_seq(self) -> int:
        """The sequence number of the event that set the current stock (0: the ledger's
        creation; else its latest ``stock`` event)."""

    def department_share(self, department_id: str) -> str | None:
        """A department's agreed flexible share (``"a/b"``), if set."""

    def organisations(self) -> dict[str, str]:
        """Each department's housing organisation, as the ledger records them (may be empty)."""

    def rules(self, rules_id: str) -> dict[str, Any] | None:
        """The recorded rule values of ``rules_id``."""

    def counters(self, scope: str, key: str) -> Counters:
        """The counters of ``key`` in ``scope`` (``"department"`` or ``"organisation"``)."""

    def all_counters(self, scope: str) -> dict[str, Counters]:
        """Every key's counters in ``scope``."""

    def vacancy(self, vacancy_id: str) -> VacancyRow | None:
        """A vacancy's current state."""

    def vacancies(self) -> list[VacancyRow]:
        """Every vacancy, in the order recorded."""

    def latest_vacant_on(self, department_id: str) -> dt.date | None:
        """The latest date of the department's vacancies that are not void."""

    def rounds(self, vacancy_id: str) -> list[RoundRow]:
        """A vacancy's offer rounds, in order."""

    def all_rounds(self) -> dict[str, list[RoundRow]]:
        """Every vacancy's offer rounds."""

    def applicant(self, applicant_id: str) -> ApplicantRow | None:
        """An applicant's offer history, if any."""

    def applicants(self) -> list[ApplicantRow]:
        """Every applicant with an offer history."""

    def consumed_by(self, applicant_id: str, list_name: str) -> str | None:
        """The vacancy an applicant's seniority on a list was used for, if any."""

    def consumed(self) -> dict[tuple[str, str], str]:
        """Every used seniority: (applicant, list) -> vacancy."""

    def event_docs(
        self,
        *,
        types: Sequence[str] | None = None,
        vacancy_id: str | None = None,
        department_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Event documents (without ``crc``) in order, filtered in the store where it can."""


class StateWriter(StateView, Protocol):
    """Reading and changing a ledger's state (what applying an event needs)."""

    def put_registry(self, registry: Mapping[str, Mapping[str, Sequence[str]]],
                     seq: int = 0) -> None:
        """Store the registry of departments and dwellings of event ``seq`` (the creation, or
        a change of stock): each dwelling's department and kind become the registry's, its
        new departments start with zero counters; departments are never taken away."""

    def put_meta(self, meta: LedgerMeta) -> None:
        """Store the ledger's metadata (at creation)."""

    def put_department_share(self, department_id: str, share: str | None) -> None:
        """Set a department's agreed flexible share."""

    def put_organisations(self, organisations: Mapping[str, str]) -> None:
        """Record departments' housing organisations (replacing those of the same departments)."""

    def put_rules(self, rules_id: str, values: Mapping[str, Any]) -> None:
        """Store recorded rule values."""

    def put_counters(self, scope: str, key: str, counters: Counters) -> None:
        """Set the counters of ``key`` in ``scope``."""

    def put_vacancy(self, row: VacancyRow) -> None:
        """Insert or replace a vacancy's state."""

    def put_round(self, vacancy_id: str, row: RoundRow) -> None:
        """Insert or replace an offer round."""

    def put_applicant(self, row: ApplicantRow) -> None:
        """Insert or replace an applicant's offer history."""

    def put_consumed(self, applicant_id: str, list_name: str, vacancy_id: str) -> None:
        """Record that an applicant's seniority on a list was used for a vacancy."""


class Transaction(StateWriter, Protocol):
    """Reading and writing a ledger's state and events inside one transaction."""

    def lock_head(self) -> int:
        """Take the ledger's head (once per transaction): from here on no other writer
        appends until this transaction ends. Returns the last ``seq``."""

    def append(self, docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Number, time-stamp and write ``docs`` (taking the head); return them as written."""

    def writes(self) -> AbstractContextManager[Any]:
        """A block of writes whose results are not read (one round trip where possible)."""


class Store(StateView, Protocol):
    """A ledger's store: its state to read, and transactions to write in."""

    #: ``"file"``, ``"sqlite"`` or ``"postgresql"``.
    kind: str
    #: The target as shown in messages (no password).
    target: str
    readonly: bool

    def transaction(
        self,
        department_id: str | None = None,
        *,
        serial: bool = True,
        counters: Sequence[tuple[str, str]] = (),
    ) -> AbstractContextManager[Transaction]:
        """One write transaction; waits (bounded) for other writers.

        Locks ``department_id``'s counters, then the ``(scope, key)`` counters in
        ``counters`` (a housing organisation's turn), and the head at once when
        ``serial`` (the transaction reads state beyond the department), else when
        it appends.
        """

    def batch(self) -> AbstractContextManager[None]:
        """Group commit: transactions inside the block are made durable at its end."""

    def sync(self) -> None:
        """Make durable what a batch has written so far."""

    def refresh(self) -> None:
        """Catch up with events other processes wrote (a no-op where reads are live)."""

    def event_lines(self) -> Iterator[bytes]:
        """Every event's line (the JSON document with its checksum, no newline), in order."""

    def close(self) -> None:
        """Release the store (safe to call twice)."""


_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def parse_target(target: str | os.PathLike[str]) -> tuple[str, str]:
    """The kind of store a target names and its location (path or connection URI)."""
    if not isinstance(target, str):
        return "file", os.fspath(target)
    match = _URL.match(target)
    if match is None:
        if not target.strip():
            raise LedgerError("no ledger target given: give a file path or a database URL")
        return "file", target
    scheme = match.group(1).lower()
    rest = target[match.end():]
    if scheme == "file":
        return "file", rest
    if scheme == "sqlite":
        if not rest.startswith("/") or rest in ("/", "/:memory:"):
            raise LedgerError(
                f"{target!r} names no database file: write sqlite:///relative.db or "
                "sqlite:////absolute/path.db"
            )
        return "sqlite", rest[1:]
    if scheme in ("postgresql", "postgres"):
        return "postgresql", target
    raise LedgerError(
        f"unknown ledger target {describe_target(target)!r}: give a file path, "
        "sqlite:///path.db or postgresql://user@host/dbname"
    )


def describe_target(target: str | os.PathLike[str]) -> str:
    """A target as shown in messages: a URL's password replaced by ``***``."""
    text = os.fspath(target)
    return re.sub(r"^([A-Za-z][A-Za-z0-9+.-]*://[^:/@?]*):[^@/?]*@", r"\1:***@", text)


def open_store(
    target: str | os.PathLike[str],
    project: Projector,
    *,
    create: Sequence[bytes] | None = None,
    readonly: bool = False,
    wait: float = DEFAULT_WAIT_SECONDS,
) -> Store:
    """Open the store ``target`` names, or create it from event lines ``create``.

    ``project(event, transaction)`` applies one event to the state; a file store
    uses it to replay its events, a database store when it is created or loaded.
    ``wait`` bounds how long a writer waits for another (seconds).
    """
    kind, where = parse_target(target)
    if kind == "file":
        from fuaalborg.letting.store.file import FileStore

        return FileStore.open(Path(where), project, create=create, readonly=readonly, wait=wait)
    if kind == "sqlite":
        from fuaalborg.letting.store.sqlite import SqliteStore

        return SqliteStore.open(Path(where), project, create=create, readonly=readonly,
                                wait=wait)
    from fuaalborg.letting.store.postgres import PostgresStore

    return PostgresStore.open(where, project, create=create, readonly=readonly, wait=wait)
