"""The ledger as a JSON Lines file: zero set-up, and the interchange and archive format.

One event per line (:func:`fuaalborg.letting.events.encode`), appended and
``fsync``-ed before a write returns. The state lives in memory
(:class:`~fuaalborg.letting.store.memory.MemoryState`), rebuilt by replaying
the file when it is opened and kept current by reading the lines other
processes append (:meth:`FileStore.refresh`, before every read).

Several processes may hold one file open: a write takes an exclusive
``fcntl.flock`` on ``<ledger>.lock`` for its transaction (waiting up to
``wait`` seconds for another writer), reads the lines written since it last
looked, checks and writes. Readers take the shared lock while they read, so a
line without its newline is never a write in progress: it is a crash's torn
line, reported and truncated only by :meth:`FileStore.repair`. The file suits
one or a few processes on one host; a letting system with many workers or hosts
uses a database (:mod:`.sqlite`, :mod:`.postgres`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import os
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from fuaalborg.errors import WithRemedy
from fuaalborg.letting.errors import (
    OPEN_EXISTING,
    REOPEN,
    REPAIR,
    LedgerBusyError,
    LedgerCorruptError,
    LedgerError,
)
from fuaalborg.letting.events import FORMAT, check_line, decode, encode, structure
from fuaalborg.letting.store import DEFAULT_WAIT_SECONDS, Projector
from fuaalborg.letting.store.memory import MemoryState

__all__ = ["FileStore", "RepairReport", "TornLine", "TornLineWarning", "now"]


class TornLineWarning(WithRemedy, UserWarning):
    """The ledger's last line is incomplete (a crash during a write).

    Its ``remedy`` is :data:`~fuaalborg.letting.errors.REPAIR`.
    """


@attrs.frozen
class TornLine:
    """The incomplete last line of a ledger: where it starts and how long it is."""

    line: int
    offset: int
    length: int

    def describe(self) -> str:
        """One line for messages."""
        return (
            f"line {self.line} (byte {self.offset}, {self.length} bytes) is incomplete or "
            "fails its checksum"
        )


@attrs.frozen
class RepairReport:
    """What a repair did: the bytes it dropped and the events it kept."""

    path: Path
    dropped: TornLine | None
    dropped_sha256: str | None
    events_kept: int

    def describe(self) -> str:
        """A readable summary."""
        if self.dropped is None:
            return f"{self.path.name}: nothing to repair ({self.events_kept} events)"
        return (
            f"{self.path.name}: dropped {self.dropped.length} bytes at byte "
            f"{self.dropped.offset} (line {self.dropped.line}, sha256 "
            f"{self.dropped_sha256}); kept {self.events_kept} events"
        )


def now() -> str:
    """The time an event is written: UTC, milliseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _scan(data: bytes, first_line: int = 1) -> tuple[list[bytes], list[int], TornLine | None]:
    """Split ``data`` into checked lines; return them, bad line numbers and a torn tail."""
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the data ends with a newline
    good: list[bytes] = []
    bad: list[int] = []
    offsets = []
    offset = 0
    for number, line in enumerate(lines, start=first_line):
        offsets.append(offset)
        offset += len(line) + 1
        if check_line(line):
            good.append(line)
        else:
            bad.append(number)
    torn: TornLine | None = None
    if tail:
        torn = TornLine(first_line + len(lines), offset, len(tail))
    elif bad and bad[-1] == first_line + len(lines) - 1:
        last = bad.pop()
        index = last - first_line
        torn = TornLine(last, offsets[index], len(lines[index]) + 1)
    if torn is not None and bad:
        # a torn tail after damage earlier in the file is damage, not a crash
        bad.append(torn.line)
    return good, bad, torn


def _open_lock(path: Path, readonly: bool) -> int | None:
    """The lock file's descriptor; for a reader where it cannot be created, what there is.

    A reader of a ledger in a place it may not write (a read-only share, a
    copy) opens an existing lock file read-only (``flock`` needs no write
    access), or reads without the lock when there is none: it then sees the
    lines written so far, and a line being written at that moment as a torn
    last line (reported, never repaired by a reader).
    """
    try:
        return os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if not readonly or exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
    try:
        return os.open(path, os.O_RDONLY)
    except OSError:
        return None


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platform without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


class FileStore(MemoryState):
    """A ledger in a JSON Lines file, its state in memory (the store *is* the memory state)."""

    kind = "file"

    def __init__(self, path: Path, project: Projector, *, readonly: bool, wait: float) -> None:
        super().__init__()
        self.path = path
        self.target = path.name
        self.readonly = readonly
        self.wait = wait
        self.torn: TornLine | None = None
        self._project = project
        self._offset = 0
        self._lines = 0
        self._lock_fd: int | None = None
        self._lockless = False  # a reader where no lock file can be opened
        self._fd: int | None = None
        self._locked = 0
        self._batch = 0
        self._unsynced = False
        self._broken: str | None = None

    # -- opening ------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        project: Projector,
        *,
        create: Sequence[bytes] | None = None,
        readonly: bool = False,
        wait: float = DEFAULT_WAIT_SECONDS,
    ) -> FileStore:
        """Open (or create, from event lines) the ledger file at ``path``."""
        if create is not None:
            cls._create(path, create)
        elif not path.exists():
            raise LedgerError(f"no ledger at {path.name}")
        elif path.is_dir():
            raise LedgerError(f"{path.name} is a directory, not a ledger file")
        store = cls(path, project, readonly=readonly, wait=wait)
        try:
            store._lock_fd = _open_lock(store._lock_path, readonly)
            store._lockless = store._lock_fd is None
            with store._flock(fcntl.LOCK_SH):
                store._read_new(opening=True)
            if not readonly:
                store._fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        except BaseException:
            store.close()
            raise
        return store

    @staticmethod
    def _create(path: Path, lines: Sequence[bytes]) -> None:
        if path.exists():
            raise LedgerError(f"{path.name} already exists", remedy=OPEN_EXISTING)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
        except FileExistsError:
            raise LedgerError(f"{path.name} already exists", remedy=OPEN_EXISTING) from None
        try:
            data = b"".join(line + b"\n" for line in lines)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            path.unlink(missing_ok=True)
            raise
        os.close(fd)
        _fsync_dir(path.parent)

    @property
    def _lock_path(self) -> Path:
        return self.path.with_name(self.path.name + ".lock")

    @contextlib.contextmanager
    def _flock(self, mode: int) -> Iterator[None]:
        """Take the lock file's lock (waiting up to ``wait`` seconds); re-entrant."""
        if self._locked or self._lock_fd is None:  # re-entered; or read-only without a lock
            self._locked += 1
            try:
                yield
            finally:
                self._locked -= 1
            return
        deadline = time.monotonic() + self.wait
        pause = 0.001
        while True:
            try:
                fcntl.flock(self._lock_fd, mode | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                    raise  # pragma: no cover - unexpected OS error
                if time.monotonic() >= deadline:
                    raise LedgerBusyError(
                        f"{self.path.name} was held by another writer for more than "
                        f"{self.wait:g} s; nothing was written"
                    ) from None
                time.sleep(pause)
                pause = min(pause * 2, 0.05)
        self._locked = 1
        try:
            yield
        finally:
            self._locked = 0
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    # -- reading the file ---------------------------------------------------------

    def _read_new(self, *, opening: bool = False) -> None:
        """Read and apply the complete lines written since the last read (under a lock)."""
        with open(self.path, "rb") as handle:
            handle.seek(self._offset)
            data = handle.read()
        if not data:
            if opening:
                raise LedgerCorruptError(
                    f"{self.path.name}: not a ledger (no complete first line)"
                )
            return
        good, bad, torn = _scan(data, first_line=self._lines + 1)
        if bad:
            raise LedgerCorruptError(
                f"{self.path.name}: lines {bad[:20]} fail their checksum; the log is damaged "
                "before its last line"
            )
        if opening and not good:
            raise LedgerCorruptError(f"{self.path.name}: not a ledger (no complete first line)")
        docs = [decode(line) for line in good]
        state = self
        for doc in docs:
            expected = state.head() + 1
            if doc.get("seq") != expected:
                raise LedgerCorruptError(
                    f"{self.path.name}: event {expected} has sequence number "
                    f"{doc.get('seq')!r}; events are missing or out of order"
                )
            if expected == 0 and (doc.get("type") != "created" or doc.get("format") != FORMAT):
                raise LedgerCorruptError(f"{self.path.name}: not a {FORMAT} ledger")
            event = structure(doc)
            state.add_docs([doc])
            self._project(event, state)
        self._offset += sum(len(line) + 1 for line in good)
        self._lines += len(good)
        if torn is not None and self.torn is None:
            self.torn = torn
            warnings.warn(
                TornLineWarning(
                    f"{self.path.name}: {torn.describe()}; the ledger is readable but refuses "
                    "writes until the line is truncated",
                    remedy=REPAIR,
                ),
                stacklevel=5,
            )

    def refresh(self) -> None:
        """Apply the events other processes appended since the last read."""
        if self._locked or (self._lock_fd is None and not self._lockless):
            return
        try:
            size = os.stat(self.path).st_size
        except OSError:  # pragma: no cover - the file removed under us
            return
        if size == self._offset or (self.torn is not None and size == self.torn.offset
                                    + self.torn.length):
            return
        with self._flock(fcntl.LOCK_SH):
            self._read_new()

    def event_lines(self) -> Iterator[bytes]:
        """Every complete event line, in order."""
        with open(self.path, "rb") as handle:
            data = handle.read(self._offset)
        yield from data.split(b"\n")[: self._lines]

    # -- writing ------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(
        self,
        department_id: str | None = None,
        *,
        serial: bool = True,
        counters: Sequence[tuple[str, str]] = (),
    ) -> Iterator[FileStore]:
        """A write: the lock, the lines written since, the checks; ``fsync`` at the end.

        The file has one lock for the whole ledger: every write is serial, so
        ``department_id``, ``serial`` and ``counters`` need no locks of their own.
        """
        if self.readonly or self._fd is None:
            raise LedgerError(f"{self.path.name} is open read-only")
        if self._broken:
            raise LedgerError(f"{self.path.name}: {self._broken}", remedy=REOPEN)
        with self._flock(fcntl.LOCK_EX):
            self._read_new()
            if self.torn is not None:
                raise LedgerError(
                    f"{self.path.name} ends with a torn line: {self.torn.describe()}",
                    remedy=REPAIR,
                )
            yield self
            if not self._batch:
                self.sync()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Group commit: hold the lock for the block and ``fsync`` once, at its end."""
        if self.readonly or self._fd is None:
            raise LedgerError(f"{self.path.name} is open read-only")
        with self._flock(fcntl.LOCK_EX):
            self._batch += 1
            try:
                yield
            finally:
                self._batch -= 1
                if not self._batch:
                    self.sync()

    def sync(self) -> None:
        """``fsync`` the lines written and not yet synced."""
        if self._unsynced and self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError as exc:  # pragma: no cover - disk failure
                self._broken = f"fsync failed ({exc.strerror})"
                raise LedgerError(f"{self.path.name}: {self._broken}", remedy=REOPEN) from exc
            self._unsynced = False

    def lock_head(self) -> int:
        """Inside a transaction the file is locked already; the last ``seq``."""
        return self.head()

    def writes(self) -> contextlib.AbstractContextManager[None]:
        """Writes go to the file as they come."""
        return contextlib.nullcontext()

    def append(self, docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Number, time-stamp and write events (inside a transaction)."""
        assert self._locked, "append outside a transaction"
        assert self._fd is not None
        seq = self.head()
        stamped: list[dict[str, Any]] = []
        for doc in docs:
            seq += 1
            stamped.append({"seq": seq, "type": doc["type"], "at": now(),
                            **{k: v for k, v in doc.items() if k != "type"}})
        lines = [encode(d) for d in stamped]
        data = b"".join(lines)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as exc:
            self._broken = f"a write failed ({exc.strerror})"
            raise LedgerError(f"{self.path.name}: {self._broken}", remedy=REOPEN) from exc
        self._unsynced = True
        self._offset += len(data)
        self._lines += len(lines)
        self.add_docs(stamped)
        return stamped

    # -- closing and repairing ----------------------------------------------------

    def close(self) -> None:
        """Sync and close the file and the lock file (safe to call twice)."""
        try:
            if self._fd is not None:
                self.sync()
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None
            if self._lock_fd is not None:
                os.close(self._lock_fd)
                self._lock_fd = None
            self._lockless = False
            self.readonly = True

    @classmethod
    def repair(cls, path: Path, wait: float = DEFAULT_WAIT_SECONDS) -> RepairReport:
        """Truncate a torn last line, and report what was dropped.

        Only a damaged *last* line is dropped (the signature of a crash during a
        write); damage earlier raises :class:`LedgerCorruptError` and nothing is
        changed. Holds the write lock while it works.
        """
        if not path.exists():
            raise LedgerError(f"no ledger at {path.name}")
        holder = cls(path, lambda event, tx: None, readonly=True, wait=wait)
        holder._lock_fd = os.open(holder._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            with holder._flock(fcntl.LOCK_EX):
                data = path.read_bytes()
                good, bad, torn = _scan(data)
                if bad:
                    raise LedgerCorruptError(
                        f"{path.name}: lines {bad[:20]} fail their checksum before the last "
                        "line; repair only drops a torn last line"
                    )
                if torn is None:
                    return RepairReport(path, None, None, len(good))
                dropped = data[torn.offset:]
                with open(path, "r+b") as handle:
                    handle.truncate(torn.offset)
                    handle.flush()
                    os.fsync(handle.fileno())
                return RepairReport(path, torn, hashlib.sha256(dropped).hexdigest(), len(good))
        finally:
            holder.close()
