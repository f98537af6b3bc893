"""The ledger in PostgreSQL (``postgresql://user@host:port/dbname``), through psycopg 3.

Several processes on several hosts may hold one ledger open. A write is one
transaction under ``lock_timeout`` (``wait`` seconds): it locks the ledger's
head row (``SELECT … FOR UPDATE``) — so sequence numbers are gapless and in
commit order, the order the ledger counts in — then the department's counter
row, checks, appends and commits. A writer that cannot get the locks in time
gets :class:`~fuaalborg.letting.errors.LedgerBusyError` and nothing is written.

Needs the ``postgres`` extra: ``pip install 'fuaalborg[postgres]'``. The URI is
libpq's, so ``postgresql://user@/dbname?host=/socket/dir&port=5433`` connects
over a unix socket and ``PGPASSWORD``/``~/.pgpass`` supply a password.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

from fuaalborg.letting.errors import (
    OPEN_EXISTING,
    LedgerBusyError,
    LedgerConnectionError,
    LedgerError,
)
from fuaalborg.letting.routing import Counters
from fuaalborg.letting.store import DEFAULT_WAIT_SECONDS, Projector, describe_target
from fuaalborg.letting.store.sql import SqlStore, connect_error

__all__ = ["PostgresStore"]

_CONNECT_TIMEOUT = 10


def _driver() -> Any:
    try:
        import psycopg
    except ImportError:
        raise LedgerError(
            "a PostgreSQL ledger needs psycopg: pip install 'fuaalborg[postgres]'"
        ) from None
    return psycopg


class PostgresStore(SqlStore):
    """A ledger in a PostgreSQL database."""

    kind = "postgresql"
    placeholder = "%s"
    _no_params = None

    @classmethod
    def open(
        cls,
        uri: str,
        project: Projector,
        *,
        create: Sequence[bytes] | None = None,
        readonly: bool = False,
        wait: float = DEFAULT_WAIT_SECONDS,
    ) -> PostgresStore:
        """Connect to the database ``uri`` names; create the ledger there from ``create``."""
        psycopg = _driver()
        target = describe_target(uri)
        try:
            conn = psycopg.connect(uri, autocommit=True, connect_timeout=_CONNECT_TIMEOUT)
        except psycopg.Error as exc:
            raise LedgerConnectionError(connect_error(target, exc)) from None
        return cls._opened(conn, target, project, create=create, readonly=readonly, wait=wait,
                           error=psycopg.Error)

    def _start_session(self) -> None:
        if self.readonly:  # the server itself refuses writes in this session
            self._conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    def _begin(self) -> None:
        self._execute(f"BEGIN; SET LOCAL lock_timeout = '{max(int(self.wait * 1000), 1)}ms'")

    def _lock_head(self) -> int:
        found = self._row("SELECT seq FROM ledger_head WHERE id = 0 FOR UPDATE")
        assert found is not None
        return int(found[0])

    def _writes(self) -> contextlib.AbstractContextManager[Any]:
        if self._conn is None or self._conn._pipeline is not None:
            return contextlib.nullcontext()
        pipeline: contextlib.AbstractContextManager[Any] = self._conn.pipeline()
        return pipeline

    def _begin_plain(self) -> None:
        self._execute("BEGIN")
        self._execute(f"SET LOCAL lock_timeout = '{max(int(self.wait * 1000), 1)}ms'")
        # two processes creating a ledger in one database at once: one waits, then refuses
        self._execute("SELECT pg_advisory_xact_lock(4242, 11)")
        if self._has_ledger():
            raise LedgerError(f"{self.target} already holds a ledger", remedy=OPEN_EXISTING)

    def _end(self, commit: bool) -> None:
        if self._conn is None:  # pragma: no cover - closed under us
            return
        psycopg = _driver()
        status = self._conn.info.transaction_status
        if status == psycopg.pq.TransactionStatus.IDLE:
            return
        if commit and status == psycopg.pq.TransactionStatus.INTRANS:
            self._execute("COMMIT")
        else:
            self._conn.execute("ROLLBACK")

    def _lock_counters(self, scope: str, keys: Sequence[str]) -> dict[str, Counters]:
        if len(keys) == 1:
            rows = self._rows("SELECT key, referral, flexible, turns FROM ledger_counters "
                              "WHERE scope = ? AND key = ? FOR UPDATE", (scope, keys[0]))
        else:
            rows = [r for r in self._rows(
                "SELECT key, referral, flexible, turns FROM ledger_counters WHERE scope = ? "
                "ORDER BY key FOR UPDATE", (scope,)) if r[0] in set(keys)]
        found = {str(k): Counters(int(a), int(b), int(c)) for k, a, b, c in rows}
        return {key: found.get(key, Counters()) for key in keys}

    def _has_ledger(self) -> bool:
        found = self._row("SELECT to_regclass('ledger_schema') IS NOT NULL")
        return bool(found and found[0])

    def _bulk(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._conn.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)

    def _translate(self, exc: Exception) -> Exception | None:
        psycopg = _driver()
        if isinstance(exc, psycopg.errors.LockNotAvailable):
            return LedgerBusyError(
                f"{self.target} was held by another writer for more than {self.wait:g} s; "
                "nothing was written"
            )
        if isinstance(exc, psycopg.OperationalError):
            return LedgerConnectionError(connect_error(self.target, exc))
        if isinstance(exc, psycopg.errors.InsufficientPrivilege):
            reason = str(exc).splitlines()[0] if str(exc) else "permission denied"
            return LedgerError(
                f"{self.target}: the database user may not do this ({reason}); nothing was "
                "written (a user who may only read opens the ledger read-only)"
            )
        return None
