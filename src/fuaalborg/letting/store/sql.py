"""The ledger in SQL tables: what SQLite and PostgreSQL stores share.

The schema (version :data:`SCHEMA_VERSION`, recorded in ``ledger_schema``):

* ``ledger_events`` — every event's line (the same JSON document with its
  checksum as in a ledger file) by ``seq``, with its type, date, vacancy and
  department as columns to filter on;
* ``ledger_head`` — one row, the last ``seq``: every write locks it before it
  appends, so sequence numbers are gapless and in commit order, which is the
  order the ledger counts in;
* ``ledger_meta``, ``ledger_rules``, ``ledger_dwellings``, ``ledger_departments``
  — the municipality's registry (every department it has had, each dwelling's
  department and kind in the latest stock: a ``stock`` event updates them),
  fingerprint and the recorded rule versions;
* ``ledger_counters`` — counters by *scope* and *key*: every department's
  ``referral``, ``flexible`` and ``turns``, and every housing organisation's
  ``turns`` (the internal/external turn of udlejningsbekendtgørelsen § 7), read
  and advanced under a row lock;
* ``ledger_vacancies``, ``ledger_offer_rounds``, ``ledger_applicants``,
  ``ledger_consumed`` — the state the events lead to.

Opening a database ledger reads its metadata only: its cost does not grow with
the ledger. Every read queries the tables, so a reader sees every committed
event without reopening. A write is one transaction: it locks the department's
counters (waiting up to ``wait`` seconds for another writer of the department)
and, where the turn counts per organisation, the organisation's, reads and
checks, then locks the head row, appends its events, updates the state and
commits; a failure rolls everything back. Locks are always taken in one order —
departments (sorted), then organisations, before the head — so writers never
deadlock; a write that needs the whole ledger's state (offers: an applicant's
offers span departments) takes the head first. A batch locks every department
and every organisation, then the head. The departments' organisations are read
from the ``created`` and ``organisations`` events.

A database made by a newer fuaalborg (a higher schema version) is refused; an
older one is brought up to date by :data:`MIGRATIONS` in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Self

from fuaalborg import _lazy
from fuaalborg._version import __version__
from fuaalborg.letting.errors import (
    OPEN_EXISTING,
    LedgerError,
    LedgerInputError,
    LedgerSchemaError,
)
from fuaalborg.letting.events import decode, encode, structure
from fuaalborg.letting.routing import Counters
from fuaalborg.letting.store import (
    DEFAULT_WAIT_SECONDS,
    ApplicantRow,
    LedgerMeta,
    Projector,
    RoundRow,
    VacancyRow,
)
from fuaalborg.letting.store.file import now
from fuaalborg.letting.store.memory import MemoryState

__all__ = ["MIGRATIONS", "SCHEMA_STATEMENTS", "SCHEMA_VERSION", "SqlStore"]

#: The schema version this fuaalborg writes and reads.
SCHEMA_VERSION = 1
#: Steps that bring a database from schema version *n* to *n* + 1 (none yet).
MIGRATIONS: Mapping[int, Sequence[str]] = {}

#: The statements that create the tables of schema version 1 (standard SQL that SQLite and
#: PostgreSQL both accept).
SCHEMA_STATEMENTS: tuple[str, ...] = (
    "CREATE TABLE ledger_schema (version INTEGER NOT NULL, written_by TEXT NOT NULL)",
    "CREATE TABLE ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE ledger_head (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)",
    "CREATE TABLE ledger_events (seq BIGINT PRIMARY KEY, type TEXT NOT NULL, on_date TEXT, "
    "vacancy_id TEXT, department_id TEXT, line TEXT NOT NULL)",
    "CREATE INDEX ledger_events_vacancy ON ledger_events (vacancy_id)",
    "CREATE INDEX ledger_events_department ON ledger_events (department_id)",
    "CREATE INDEX ledger_events_type ON ledger_events (type)",
    "CREATE TABLE ledger_rules (id TEXT PRIMARY KEY, vals TEXT NOT NULL)",
    "CREATE TABLE ledger_dwellings (dwelling_id TEXT PRIMARY KEY, department_id TEXT NOT NULL, "
    "kind TEXT NOT NULL)",
    "CREATE TABLE ledger_departments (department_id TEXT PRIMARY KEY, flexible_share TEXT)",
    "CREATE TABLE ledger_counters (scope TEXT NOT NULL, key TEXT NOT NULL, "
    "referral BIGINT NOT NULL, flexible BIGINT NOT NULL, turns BIGINT NOT NULL, "
    "PRIMARY KEY (scope, key))",
    "CREATE TABLE ledger_vacancies (vacancy_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, "
    "department_id TEXT NOT NULL, dwelling_id TEXT NOT NULL, kind TEXT NOT NULL, "
    "vacant_on TEXT NOT NULL, monthly_rent_dkk DOUBLE PRECISION NOT NULL, "
    "rooms INTEGER NOT NULL, colour TEXT NOT NULL, colour_basis TEXT NOT NULL, "
    "status TEXT NOT NULL, late INTEGER NOT NULL, decision_seq BIGINT NOT NULL, "
    "decided_on TEXT NOT NULL, route TEXT NOT NULL, subroute TEXT, turn TEXT, "
    "reason_code TEXT NOT NULL, n_referral BIGINT, n_flexible BIGINT, n_turn BIGINT, "
    "rules_id TEXT NOT NULL, department_share TEXT, returned INTEGER NOT NULL)",
    "CREATE INDEX ledger_vacancies_department ON ledger_vacancies (department_id, vacant_on)",
    "CREATE INDEX ledger_vacancies_seq ON ledger_vacancies (seq)",
    "CREATE TABLE ledger_offer_rounds (vacancy_id TEXT NOT NULL, round INTEGER NOT NULL, "
    "doc TEXT NOT NULL, PRIMARY KEY (vacancy_id, round))",
    "CREATE TABLE ledger_applicants (applicant_id TEXT PRIMARY KEY, unanswered TEXT NOT NULL, "
    "refused TEXT NOT NULL, passive_on TEXT)",
    "CREATE TABLE ledger_consumed (applicant_id TEXT NOT NULL, list TEXT NOT NULL, "
    "vacancy_id TEXT NOT NULL, PRIMARY KEY (applicant_id, list))",
)

_VACANCY_COLUMNS = (
    "vacancy_id", "seq", "department_id", "dwelling_id", "kind", "vacant_on",
    "monthly_rent_dkk", "rooms", "colour", "colour_basis", "status", "late", "decision_seq",
    "decided_on", "route", "subroute", "turn", "reason_code", "n_referral", "n_flexible",
    "n_turn", "rules_id", "department_share", "returned",
)
_VACANCY_SELECT = "SELECT " + ", ".join(_VACANCY_COLUMNS) + " FROM ledger_vacancies"
_DATES = frozenset({"vacant_on", "decided_on"})
_FLAGS = frozenset({"late", "returned"})


def _vacancy_values(row: VacancyRow) -> tuple[Any, ...]:
    out = []
    for name in _VACANCY_COLUMNS:
        value = getattr(row, name)
        if name in _DATES:
            value = value.isoformat()
        elif name in _FLAGS:
            value = int(bool(value))
        out.append(value)
    return tuple(out)


def _vacancy_row(values: Sequence[Any]) -> VacancyRow:
    fields = dict(zip(_VACANCY_COLUMNS, values, strict=True))
    for name in _DATES:
        fields[name] = dt.date.fromisoformat(fields[name])
    for name in _FLAGS:
        fields[name] = bool(fields[name])
    fields["monthly_rent_dkk"] = float(fields["monthly_rent_dkk"])
    for name in ("seq", "decision_seq", "rooms"):
        fields[name] = int(fields[name])
    return VacancyRow(**fields)


def _round_doc(row: RoundRow) -> str:
    return json.dumps(
        {
            "round": row.round,
            "on": row.on.isoformat(),
            "deadline": row.deadline.isoformat(),
            "offers": row.offers,
            "closed_on": row.closed_on.isoformat() if row.closed_on else None,
            "winner": row.winner,
        },
        ensure_ascii=False,
    )


def _round_row(text: str) -> RoundRow:
    doc = json.loads(text)
    return RoundRow(
        round=int(doc["round"]),
        on=dt.date.fromisoformat(doc["on"]),
        deadline=dt.date.fromisoformat(doc["deadline"]),
        offers=doc["offers"],
        closed_on=dt.date.fromisoformat(doc["closed_on"]) if doc["closed_on"] else None,
        winner=doc["winner"],
    )


def _dates(text: str) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(d) for d in json.loads(text))


def _applicant_values(row: ApplicantRow) -> tuple[Any, ...]:
    return (
        row.applicant_id,
        json.dumps([d.isoformat() for d in row.unanswered]),
        json.dumps([d.isoformat() for d in row.refused]),
        row.passive_on.isoformat() if row.passive_on else None,
    )


def _applicant_row(values: Sequence[Any]) -> ApplicantRow:
    aid, unanswered, refused, passive = values
    return ApplicantRow(
        str(aid), _dates(unanswered), _dates(refused),
        dt.date.fromisoformat(passive) if passive else None,
    )


class SqlStore:
    """What SQLite and PostgreSQL stores share: the schema, reads, writes and bulk loads.

    A subclass supplies the connection and the dialect: how a transaction
    begins (and waits for other writers), how the head row and a department's
    counters are locked, how errors read, and how many rows load at once.
    """

    kind = "sql"
    placeholder = "?"
    #: What the driver takes for "no parameters" (``None`` lets psycopg send several statements).
    _no_params: Any = ()

    def __init__(self, conn: Any, target: str, project: Projector, *, readonly: bool,
                 wait: float = DEFAULT_WAIT_SECONDS) -> None:
        self._conn = conn
        self.target = target
        self.readonly = readonly
        self.wait = wait
        self._project = project
        self._depth = 0
        self._batch = 0
        self._failed = False
        self._head: int | None = None
        self._held: dict[tuple[str, str], Counters] = {}
        self._meta: LedgerMeta | None = None
        self._rules: dict[str, dict[str, Any]] = {}
        self._departments: list[str] | None = None
        self._dwellings: dict[str, tuple[str, str]] | None = None
        # the stock event the cached departments and dwellings are of
        self._registry_seq: int | None = None
        # the departments' organisations: those of the created event (read once) and of the
        # organisations events up to the one numbered _organisations_seq
        self._created_organisations: dict[str, str] | None = None
        self._organisations: dict[str, str] | None = None
        self._organisations_seq: int | None = None
        # counter rows known to exist (made by a committed transaction), and this one's
        self._rows_made: set[tuple[str, str]] = set()
        self._rows_pending: set[tuple[str, str]] = set()

    # -- dialect --------------------------------------------------------------------

    def _begin(self) -> None:
        """Begin a write transaction (waiting for other writers where the database must)."""
        raise NotImplementedError

    def _end(self, commit: bool) -> None:
        """Commit or roll back the write transaction."""
        raise NotImplementedError

    def _lock_head(self) -> int:
        """Lock the head row for the rest of the transaction; return the last ``seq``."""
        found = self._row("SELECT seq FROM ledger_head WHERE id = 0")
        assert found is not None
        return int(found[0])

    def _lock_counters(self, scope: str, keys: Sequence[str]) -> dict[str, Counters]:
        """Lock keys' counters (in this order) for the rest of the transaction; return them."""
        return {key: self._read_counters(scope, key) for key in keys}

    def _hold(self, scope: str, keys: Sequence[str]) -> None:
        """Lock counters not held yet, creating rows that do not exist, in sorted order."""
        wanted = sorted(k for k in set(keys) if (scope, k) not in self._held)
        if not wanted:
            return
        if scope != "department":  # department rows exist from the ledger's creation
            for key in wanted:
                if (scope, key) not in self._rows_made:
                    # a row to lock (rows are never deleted): another writer's insert of the
                    # same row waits for this transaction
                    self._execute(
                        "INSERT INTO ledger_counters (scope, key, referral, flexible, turns) "
                        "VALUES (?, ?, 0, 0, 0) ON CONFLICT (scope, key) DO NOTHING",
                        (scope, key))
        for key, counters in self._lock_counters(scope, wanted).items():
            self._held[(scope, key)] = counters
            self._rows_pending.add((scope, key))

    def _writes(self) -> contextlib.AbstractContextManager[Any]:
        """A block of writes whose results are not read (PostgreSQL pipelines them)."""
        return contextlib.nullcontext()

    def _has_ledger(self) -> bool:
        """Whether the database holds ledger tables."""
        raise NotImplementedError

    def _bulk(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
               f"({', '.join([self.placeholder] * len(columns))})")
        if rows:
            self._conn.cursor().executemany(sql, rows)

    def _translate(self, exc: Exception) -> Exception | None:
        """The ledger error an exception of the driver stands for, if it is a known one."""
        return None

    # -- statements -----------------------------------------------------------------

    def _sql(self, text: str) -> str:
        return text if self.placeholder == "?" else text.replace("?", self.placeholder)

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self._execute(sql, params).fetchall())

    def _row(self, sql: str, params: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        found: tuple[Any, ...] | None = self._execute(sql, params).fetchone()
        return found

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        try:
            return self._conn.execute(self._sql(sql), tuple(params) if params else self._no_params)
        except Exception as exc:
            if self._depth:
                self._failed = True
            known = self._translate(exc)
            if known is not None:
                raise known from None
            raise

    # -- opening --------------------------------------------------------------------

    @classmethod
    def _opened(
        cls,
        conn: Any,
        target: str,
        project: Projector,
        *,
        create: Sequence[bytes] | None,
        readonly: bool,
        wait: float,
        error: type[Exception],
        discard: Callable[[], None] = lambda: None,
    ) -> Self:
        """The store on a new connection: its ledger created from ``create``, or checked.

        On any failure the connection is closed and ``discard`` removes what opening
        made (a new database file); the driver's ``error`` becomes the ledger error it
        stands for, or one naming the target.
        """
        store = cls(conn, target, project, readonly=readonly, wait=wait)
        try:
            store._start_session()
            if create is not None:
                store._load(create)
            store._check_schema()
            store.meta()
        except BaseException as exc:
            store.close()
            discard()
            if isinstance(exc, error):
                raise (store._translate(exc) or LedgerError(connect_error(target, exc))) from None
            raise
        return store

    def _start_session(self) -> None:
        """Set the connection up before the ledger is read (nothing to do by default)."""

    def _check_schema(self) -> None:
        if not self._has_ledger():
            raise LedgerSchemaError(
                f"no ledger in {self.target}: create one with `fuaalborg ledger init`"
            )
        found = self._row("SELECT max(version) FROM ledger_schema")
        version = int(found[0]) if found and found[0] is not None else 0
        if version > SCHEMA_VERSION:
            raise LedgerSchemaError(
                f"{self.target} holds a ledger of schema version {version}, made by a newer "
                f"fuaalborg; this one ({__version__}) reads up to version {SCHEMA_VERSION}: "
                "upgrade fuaalborg"
            )
        if version < SCHEMA_VERSION:
            if self.readonly:
                raise LedgerSchemaError(
                    f"{self.target} holds a ledger of schema version {version}; open it for "
                    f"writing once to migrate it to version {SCHEMA_VERSION}"
                )
            self._migrate(version)

    def _migrate(self, version: int) -> None:  # pragma: no cover - no older schema yet
        with self.transaction():
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]:
                    self._execute(statement)
            self._execute("INSERT INTO ledger_schema (version, written_by) VALUES (?, ?)",
                          (SCHEMA_VERSION, __version__))

    def _load(self, lines: Sequence[bytes]) -> None:
        """Create the schema and load events (and the state they lead to) in one transaction."""
        if self._has_ledger():
            raise LedgerError(f"{self.target} already holds a ledger", remedy=OPEN_EXISTING)
        state = MemoryState()
        for line in lines:
            doc = decode(line)
            state.add_docs([doc])
            self._project(structure(doc), state)
        self._depth += 1
        self._begin_plain()
        ok = False
        try:
            for statement in SCHEMA_STATEMENTS:
                self._execute(statement)
            self._load_state(lines, state)
            ok = True
        finally:
            self._depth -= 1
            self._end(commit=ok)
        self._head = None

    def _begin_plain(self) -> None:
        """Begin a transaction for loading (no head row exists yet)."""
        raise NotImplementedError

    def _load_state(self, lines: Sequence[bytes], state: MemoryState) -> None:
        meta = state.meta()
        self._execute("INSERT INTO ledger_schema (version, written_by) VALUES (?, ?)",
                      (SCHEMA_VERSION, __version__))
        self._bulk("ledger_meta", ("key", "value"), [
            ("format", meta.format), ("municipality", meta.municipality),
            ("fingerprint", meta.fingerprint), ("created_at", meta.created_at),
        ])
        self._execute("INSERT INTO ledger_head (id, seq) VALUES (0, ?)", (state.head(),))
        vacancy_deps = {v.vacancy_id: v.department_id for v in state.vacancies()}
        rows = []
        for line, doc in zip(lines, state.docs, strict=True):
            dep = doc.get("department_id")
            if dep is None and "vacancy_id" in doc:
                dep = vacancy_deps.get(str(doc["vacancy_id"]))
            rows.append((doc["seq"], doc["type"], doc.get("on"), doc.get("vacancy_id"), dep,
                         line.decode("utf-8")))
        self._bulk("ledger_events", ("seq", "type", "on_date", "vacancy_id", "department_id",
                                     "line"), rows)
        self._bulk("ledger_rules", ("id", "vals"), [
            (rid, json.dumps(values, ensure_ascii=False))
            for rid, values in state._rules.items()
        ])
        self._bulk("ledger_dwellings", ("dwelling_id", "department_id", "kind"), [
            (d, dep, kind) for d, (dep, kind) in state._dwellings.items()
        ])
        self._bulk("ledger_departments", ("department_id", "flexible_share"), [
            (d, state.department_share(d)) for d in state.department_ids()
        ])
        counters = dict(state._counters)
        for dep in state.department_ids():
            counters.setdefault(("department", dep), Counters())
        for org in set(state.organisations().values()):
            counters.setdefault(("organisation", org), Counters())
        self._bulk("ledger_counters", ("scope", "key", "referral", "flexible", "turns"), [
            (s, k, c.referral, c.flexible, c.turns) for (s, k), c in counters.items()
        ])
        self._bulk("ledger_vacancies", _VACANCY_COLUMNS,
                   [_vacancy_values(v) for v in state.vacancies()])
        self._bulk("ledger_offer_rounds", ("vacancy_id", "round", "doc"), [
            (vid, r.round, _round_doc(r)) for vid, rs in state.all_rounds().items() for r in rs
        ])
        self._bulk("ledger_applicants", ("applicant_id", "unanswered", "refused", "passive_on"),
                   [_applicant_values(a) for a in state.applicants()])
        self._bulk("ledger_consumed", ("applicant_id", "list", "vacancy_id"), [
            (aid, name, vid) for (aid, name), vid in state.consumed().items()
        ])

    # -- transactions ---------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(
        self,
        department_id: str | None = None,
        *,
        serial: bool = True,
        counters: Sequence[tuple[str, str]] = (),
    ) -> Iterator[SqlStore]:
        """One write transaction (joining the batch's, inside :meth:`batch`).

        Locks the department's counters, then the ``(scope, key)`` counters in
        ``counters``, and the head row either now (``serial``: the transaction
        reads state beyond the department) or when it appends.
        """
        if self.readonly:
            raise LedgerError(f"{self.target} is open read-only")
        outer = self._depth == 0
        if outer:
            self._failed = False
            self._begin()
        self._depth += 1
        ok = False
        try:
            if department_id is not None:
                self._hold("department", [department_id])
            for scope in sorted({scope for scope, _key in counters}):
                self._hold(scope, [key for s, key in counters if s == scope])
            if serial:
                self.lock_head()
            yield self
            ok = True
        except LedgerInputError:
            ok = not self._failed  # refused before anything was written
            raise
        finally:
            self._depth -= 1
            if outer:
                self._close_transaction(commit=ok and not self._failed)

    def _close_transaction(self, commit: bool) -> None:
        self._head = None
        self._held = {}
        self._end(commit=commit)
        if commit:
            self._rows_made |= self._rows_pending
        self._rows_pending = set()

    def lock_head(self) -> int:
        """Inside a transaction: lock the head row (once); return the last ``seq``."""
        if self._head is None:
            self._head = self._lock_head()
        return self._head

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: one transaction for the block; rows refused inside write nothing.

        Locks every department and then the head, in the order every writer takes them.
        """
        with self.transaction(serial=False):
            self._lock_everything()
            self._batch += 1
            try:
                yield
            finally:
                self._batch -= 1

    def _lock_everything(self) -> None:
        self._hold("department", self.department_ids())
        self._hold("organisation", sorted(set(self.organisations().values())))
        self.lock_head()

    def sync(self) -> None:
        """Inside a batch: commit what it has written so far and go on in a new transaction."""
        if self._depth and not self._failed:
            self._close_transaction(commit=True)
            self._begin()
            self._lock_everything()

    def refresh(self) -> None:
        """Nothing to do: every read queries the tables."""

    def close(self) -> None:
        """Close the connection (safe to call twice)."""
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None
        self.readonly = True

    # -- reading --------------------------------------------------------------------

    def meta(self) -> LedgerMeta:
        """The ledger's metadata."""
        if self._meta is None:
            values = dict(self._rows("SELECT key, value FROM ledger_meta"))
            self._meta = LedgerMeta(values["format"], values["municipality"],
                                    values["fingerprint"], values["created_at"])
        return self._meta

    def head(self) -> int:
        """The last event's sequence number."""
        if self._depth and self._head is not None:
            return self._head
        found = self._row("SELECT seq FROM ledger_head WHERE id = 0")
        assert found is not None
        return int(found[0])

    def stock_seq(self) -> int:
        """The event that set the current stock: the latest ``stock`` event, or 0."""
        found = self._row("SELECT max(seq) FROM ledger_events WHERE type = 'stock'")
        return 0 if found is None or found[0] is None else int(found[0])

    def _registry_current(self) -> None:
        """Forget the cached departments and dwellings when the stock has changed since."""
        seq = self.stock_seq()
        if seq != self._registry_seq:
            self._departments = self._dwellings = None
            self._registry_seq = seq

    def dwelling(self, dwelling_id: str) -> tuple[str, str] | None:
        """A dwelling's department and kind (read again only after a change of stock)."""
        self._registry_current()
        if self._dwellings is None:
            self._dwellings = {str(d): (str(dep), str(kind)) for d, dep, kind in self._rows(
                "SELECT dwelling_id, department_id, kind FROM ledger_dwellings")}
        return self._dwellings.get(dwelling_id)

    def department_ids(self) -> list[str]:
        """Every department the stock has had, sorted (read again after a change of stock)."""
        self._registry_current()
        if self._departments is None:
            self._departments = [str(r[0]) for r in self._rows(
                "SELECT department_id FROM ledger_departments ORDER BY department_id")]
        return list(self._departments)

    def department_share(self, department_id: str) -> str | None:
        """A department's agreed flexible share."""
        found = self._row(
            "SELECT flexible_share FROM ledger_departments WHERE department_id = ?",
            (department_id,))
        return None if found is None or found[0] is None else str(found[0])

    def organisations(self) -> dict[str, str]:
        """Each department's housing organisation, from the ``created``, ``organisations`` and
        ``stock`` events; read again only when another of those has been written."""
        if self._created_organisations is None:
            found = self._row("SELECT line FROM ledger_events WHERE seq = 0")
            created = decode(found[0]) if found is not None else {}
            self._created_organisations = {
                str(k): str(v) for k, v in created.get("organisations", {}).items()}
        latest = self._row("SELECT max(seq) FROM ledger_events WHERE type IN "
                           "('organisations', 'stock')")
        seq = None if latest is None or latest[0] is None else int(latest[0])
        if self._organisations is None or seq != self._organisations_seq:
            merged = dict(self._created_organisations)
            if seq is not None:
                for doc in self.event_docs(types=["organisations", "stock"]):
                    merged.update({str(k): str(v) for k, v in
                                   doc.get("organisations", {}).items()})
            self._organisations, self._organisations_seq = merged, seq
        return dict(self._organisations)

    def rules(self, rules_id: str) -> dict[str, Any] | None:
        """Recorded rule values (cached: they never change)."""
        if rules_id not in self._rules:
            found = self._row("SELECT vals FROM ledger_rules WHERE id = ?", (rules_id,))
            if found is None:
                return None
            self._rules[rules_id] = json.loads(found[0])
        return self._rules[rules_id]

    def counters(self, scope: str, key: str) -> Counters:
        """The counters of a key in a scope (as locked, inside a transaction that locked them)."""
        held = self._held.get((scope, key)) if self._depth else None
        return held if held is not None else self._read_counters(scope, key)

    def _read_counters(self, scope: str, key: str) -> Counters:
        found = self._row(
            "SELECT referral, flexible, turns FROM ledger_counters WHERE scope = ? AND key = ?",
            (scope, key))
        return Counters() if found is None else Counters(*(int(v) for v in found))

    def all_counters(self, scope: str) -> dict[str, Counters]:
        """Every key's counters in a scope."""
        return {
            str(k): Counters(int(a), int(b), int(c))
            for k, a, b, c in self._rows(
                "SELECT key, referral, flexible, turns FROM ledger_counters WHERE scope = ? "
                "ORDER BY key", (scope,))
        }

    def vacancy(self, vacancy_id: str) -> VacancyRow | None:
        """A vacancy's current state."""
        found = self._row(_VACANCY_SELECT + " WHERE vacancy_id = ?", (vacancy_id,))
        return None if found is None else _vacancy_row(found)

    def vacancies(self) -> list[VacancyRow]:
        """Every vacancy, in the order recorded."""
        return [_vacancy_row(r) for r in self._rows(_VACANCY_SELECT + " ORDER BY seq")]

    def latest_vacant_on(self, department_id: str) -> dt.date | None:
        """The latest date among the department's vacancies that are not void."""
        found = self._row(
            "SELECT max(vacant_on) FROM ledger_vacancies WHERE department_id = ? AND "
            "status <> 'void'", (department_id,))
        return None if found is None or found[0] is None else dt.date.fromisoformat(found[0])

    def rounds(self, vacancy_id: str) -> list[RoundRow]:
        """A vacancy's offer rounds."""
        return [_round_row(r[0]) for r in self._rows(
            "SELECT doc FROM ledger_offer_rounds WHERE vacancy_id = ? ORDER BY round",
            (vacancy_id,))]

    def all_rounds(self) -> dict[str, list[RoundRow]]:
        """Every vacancy's offer rounds."""
        out: dict[str, list[RoundRow]] = {}
        for vid, doc in self._rows(
                "SELECT vacancy_id, doc FROM ledger_offer_rounds ORDER BY vacancy_id, round"):
            out.setdefault(str(vid), []).append(_round_row(doc))
        return out

    def applicant(self, applicant_id: str) -> ApplicantRow | None:
        """An applicant's offer history."""
        found = self._row(
            "SELECT applicant_id, unanswered, refused, passive_on FROM ledger_applicants "
            "WHERE applicant_id = ?", (applicant_id,))
        return None if found is None else _applicant_row(found)

    def applicants(self) -> list[ApplicantRow]:
        """Every applicant with an offer history."""
        return [_applicant_row(r) for r in self._rows(
            "SELECT applicant_id, unanswered, refused, passive_on FROM ledger_applicants "
            "ORDER BY applicant_id")]

    def consumed_by(self, applicant_id: str, list_name: str) -> str | None:
        """The vacancy an applicant's seniority on a list was used for."""
        found = self._row(
            "SELECT vacancy_id FROM ledger_consumed WHERE applicant_id = ? AND list = ?",
            (applicant_id, list_name))
        return None if found is None else str(found[0])

    def consumed(self) -> dict[tuple[str, str], str]:
        """Every used seniority."""
        return {(str(a), str(b)): str(v) for a, b, v in self._rows(
            "SELECT applicant_id, list, vacancy_id FROM ledger_consumed")}

    def event_docs(
        self,
        *,
        types: Sequence[str] | None = None,
        vacancy_id: str | None = None,
        department_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Event documents in order, filtered by the database."""
        where: list[str] = []
        params: list[Any] = []
        if types is not None:
            if not types:
                return []
            where.append(f"type IN ({', '.join('?' * len(types))})")
            params.extend(types)
        if vacancy_id is not None:
            where.append("vacancy_id = ?")
            params.append(vacancy_id)
        if department_id is not None:
            where.append("department_id = ?")
            params.append(department_id)
        sql = "SELECT line FROM ledger_events"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [decode(r[0]) for r in self._rows(sql + " ORDER BY seq", params)]

    def event_lines(self) -> Iterator[bytes]:
        """Every event's line, in order."""
        cursor = self._execute("SELECT line FROM ledger_events ORDER BY seq")
        while True:
            chunk = cursor.fetchmany(5000)
            if not chunk:
                return
            for (line,) in chunk:
                yield str(line).encode("utf-8")

    # -- writing --------------------------------------------------------------------

    def append(self, docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Lock the head; number, time-stamp and insert events; move the head."""
        assert self._depth, "append outside a transaction"
        seq = self.lock_head()
        stamped: list[dict[str, Any]] = []
        rows = []
        for doc in docs:
            seq += 1
            full = {"seq": seq, "type": doc["type"], "at": now(),
                    **{k: v for k, v in doc.items() if k != "type"}}
            stamped.append(full)
            dep = full.get("department_id")
            if dep is None and "vacancy_id" in full:
                row = self._row("SELECT department_id FROM ledger_vacancies WHERE vacancy_id = ?",
                                (full["vacancy_id"],))
                dep = None if row is None else row[0]
            rows.append((seq, full["type"], full.get("on"), full.get("vacancy_id"), dep,
                         encode(full)[:-1].decode("utf-8")))
        with self._writes():
            for row_values in rows:
                self._execute("INSERT INTO ledger_events (seq, type, on_date, vacancy_id, "
                              "department_id, line) VALUES (?, ?, ?, ?, ?, ?)", row_values)
            self._execute("UPDATE ledger_head SET seq = ? WHERE id = 0", (seq,))
        self._head = seq
        return stamped

    def writes(self) -> contextlib.AbstractContextManager[Any]:
        """A block of writes whose results are not read: one round trip where the driver can."""
        return self._writes()

    def put_meta(self, meta: LedgerMeta) -> None:  # pragma: no cover - loaded in bulk
        """Metadata is written when the ledger is created."""

    def put_registry(self, registry: Mapping[str, Mapping[str, Sequence[str]]],
                     seq: int = 0) -> None:
        """A change of stock: the dwellings' departments and kinds, new departments and their
        counters (the creation's registry is loaded in bulk)."""
        rows = [(str(d), str(dep), str(kind)) for dep, groups in registry.items()
                for kind, ids in groups.items() for d in ids]
        self._bulk_upsert(
            "INSERT INTO ledger_dwellings (dwelling_id, department_id, kind) VALUES (?, ?, ?) "
            "ON CONFLICT (dwelling_id) DO UPDATE SET department_id = excluded.department_id, "
            "kind = excluded.kind", rows)
        self._bulk_upsert(
            "INSERT INTO ledger_departments (department_id, flexible_share) VALUES (?, NULL) "
            "ON CONFLICT (department_id) DO NOTHING", [(str(dep),) for dep in registry])
        self._bulk_upsert(
            "INSERT INTO ledger_counters (scope, key, referral, flexible, turns) "
            "VALUES ('department', ?, 0, 0, 0) ON CONFLICT (scope, key) DO NOTHING",
            [(str(dep),) for dep in registry])
        self._departments = self._dwellings = None
        self._registry_seq = None

    def _bulk_upsert(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            try:
                self._conn.cursor().executemany(self._sql(sql), rows)
            except Exception as exc:
                self._failed = True
                known = self._translate(exc)
                if known is not None:
                    raise known from None
                raise

    def put_department_share(self, department_id: str, share: str | None) -> None:
        """Set a department's agreed flexible share."""
        self._execute("UPDATE ledger_departments SET flexible_share = ? WHERE department_id = ?",
                      (share, department_id))

    def put_organisations(self, organisations: Mapping[str, str]) -> None:
        """The organisations are read from their events (see :meth:`organisations`)."""

    def put_rules(self, rules_id: str, values: Mapping[str, Any]) -> None:
        """Store rule values (once)."""
        self._execute("INSERT INTO ledger_rules (id, vals) VALUES (?, ?) ON CONFLICT (id) "
                      "DO NOTHING", (rules_id, json.dumps(values, ensure_ascii=False)))

    def put_counters(self, scope: str, key: str, counters: Counters) -> None:
        """Set counters."""
        if (scope, key) in self._held:
            self._held[(scope, key)] = counters
        self._execute(
            "INSERT INTO ledger_counters (scope, key, referral, flexible, turns) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (scope, key) DO UPDATE SET "
            "referral = excluded.referral, flexible = excluded.flexible, turns = excluded.turns",
            (scope, key, counters.referral, counters.flexible, counters.turns))

    def put_vacancy(self, row: VacancyRow) -> None:
        """Insert or replace a vacancy's state."""
        columns = ", ".join(_VACANCY_COLUMNS)
        marks = ", ".join("?" * len(_VACANCY_COLUMNS))
        updates = ", ".join(f"{c} = excluded.{c}" for c in _VACANCY_COLUMNS[1:])
        self._execute(
            f"INSERT INTO ledger_vacancies ({columns}) VALUES ({marks}) "
            f"ON CONFLICT (vacancy_id) DO UPDATE SET {updates}", _vacancy_values(row))

    def put_round(self, vacancy_id: str, row: RoundRow) -> None:
        """Insert or replace an offer round."""
        self._execute(
            "INSERT INTO ledger_offer_rounds (vacancy_id, round, doc) VALUES (?, ?, ?) "
            "ON CONFLICT (vacancy_id, round) DO UPDATE SET doc = excluded.doc",
            (vacancy_id, row.round, _round_doc(row)))

    def put_applicant(self, row: ApplicantRow) -> None:
        """Insert or replace an applicant's offer history."""
        self._execute(
            "INSERT INTO ledger_applicants (applicant_id, unanswered, refused, passive_on) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (applicant_id) DO UPDATE SET "
            "unanswered = excluded.unanswered, refused = excluded.refused, "
            "passive_on = excluded.passive_on", _applicant_values(row))

    def put_consumed(self, applicant_id: str, list_name: str, vacancy_id: str) -> None:
        """Record a used seniority."""
        self._execute(
            "INSERT INTO ledger_consumed (applicant_id, list, vacancy_id) VALUES (?, ?, ?) "
            "ON CONFLICT (applicant_id, list) DO UPDATE SET vacancy_id = excluded.vacancy_id",
            (applicant_id, list_name, vacancy_id))


def connect_error(target: str, exc: BaseException) -> str:
    """The first line of a driver's connection error, for a one-line message."""
    text = " ".join(str(exc).split("\n")[0].split())
    return f"cannot open {target}: {text or type(exc).__name__}"


#: For type checkers: a function that opens a store.
Opener = Callable[..., SqlStore]


# Renamed names, kept for one release: ``SCHEMA`` is also the ranking records' format
# (:data:`fuaalborg.records.SCHEMA`).
_RENAMED = {"SCHEMA": ("fuaalborg.letting.store.sql", "SCHEMA_STATEMENTS")}


def __getattr__(name: str) -> Any:
    """``SCHEMA`` is deprecated: it is :data:`SCHEMA_STATEMENTS`."""
    return _lazy.deprecated(__name__, name, _RENAMED)
