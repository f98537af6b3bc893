"""The ledger in an SQLite database (``sqlite:///path.db``), through the standard library.

WAL mode (readers never wait for a writer), ``synchronous=FULL`` (a committed
transaction is on disk when ``commit`` returns) and ``BEGIN IMMEDIATE`` (a
write takes the database's write lock at its start, so its reads and its writes
see one state); a second writer waits up to ``wait`` seconds for the lock.
Several processes on one host may hold one database open; SQLite over a network
file system is not safe, use PostgreSQL for several hosts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from fuaalborg.letting.errors import LedgerBusyError, LedgerError
from fuaalborg.letting.store import DEFAULT_WAIT_SECONDS, Projector
from fuaalborg.letting.store.sql import SqlStore, connect_error

__all__ = ["SqliteStore"]


class SqliteStore(SqlStore):
    """A ledger in an SQLite database file."""

    kind = "sqlite"

    @classmethod
    def open(
        cls,
        path: Path,
        project: Projector,
        *,
        create: Sequence[bytes] | None = None,
        readonly: bool = False,
        wait: float = DEFAULT_WAIT_SECONDS,
    ) -> SqliteStore:
        """Open (or create, from event lines) the ledger database at ``path``."""
        target = f"sqlite:///{path}"
        existed = path.exists()
        if create is None and not existed:
            raise LedgerError(f"no ledger at {target}")
        if create is not None and not path.parent.is_dir():
            raise LedgerError(f"cannot create {target}: directory {path.parent} does not exist")
        # read-only: SQLite itself refuses writes, and a read-only file opens too
        mode = "rwc" if create is not None else "ro" if readonly else "rw"
        try:
            conn = sqlite3.connect(
                f"file:{quote(str(path.resolve()))}?mode={mode}", uri=True, timeout=wait,
                isolation_level=None, check_same_thread=False,
            )
            conn.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
            if create is not None or not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        except sqlite3.Error as exc:
            raise LedgerError(connect_error(target, exc)) from None

        def discard() -> None:  # a database this call created, with its journal files
            if create is not None and not existed:
                for suffix in ("", "-wal", "-shm"):
                    path.with_name(path.name + suffix).unlink(missing_ok=True)

        return cls._opened(conn, target, project, create=create, readonly=readonly, wait=wait,
                           error=sqlite3.DatabaseError, discard=discard)

    def _begin(self) -> None:
        self._execute("BEGIN IMMEDIATE")

    def _begin_plain(self) -> None:
        self._execute("BEGIN IMMEDIATE")

    def _end(self, commit: bool) -> None:
        if self._conn is None:  # pragma: no cover - closed under us
            return
        if commit:
            try:
                self._conn.execute("COMMIT")
                return
            except sqlite3.Error:
                self._conn.execute("ROLLBACK")
                raise
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _has_ledger(self) -> bool:
        found = self._row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'ledger_schema'")
        return bool(found and found[0])

    def _translate(self, exc: Exception) -> Exception | None:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            return LedgerBusyError(
                f"{self.target} was held by another writer for more than {self.wait:g} s; "
                "nothing was written"
            )
        if isinstance(exc, sqlite3.DatabaseError) and "not a database" in str(exc):
            return LedgerError(f"{self.target} is not an SQLite database")
        return None
