"""The letting ledger (udlejningsjournal): whose turn each vacancy is, durably recorded.

A :class:`Ledger` is an append-only event log in JSON Lines: one event per
line, each with a sequence number, the time it was written, the rule versions
it used (by reference to a ``rules`` event that lists every parameter value with
its legal source and effective date), and a CRC-32 checksum of the line. Every
write is flushed and ``fsync``-ed before the call returns, so an event whose
call returned is on disk. Opening a ledger replays the log through the routing
core (:func:`fuaalborg.letting.routing.route_frame`) and checks that every
recorded decision comes out again. A torn last line after a crash is detected
and reported; :meth:`Ledger.repair` truncates it only when asked. A lock file
(``<ledger>.lock``, ``fcntl.flock``) keeps a second process from writing the
same ledger.

The routing rules are those of :mod:`fuaalborg.letting.routing`: BAB dwellings
always go to referral; every 4th counting family vacancy per department goes to
the municipality (almenboligloven § 59, stk. 1); red departments count nothing;
waiting-list lettings take the flexible and internal/external turns.

>>> import tempfile, pathlib
>>> import pandas as pd
>>> from fuaalborg.letting.ledger import Ledger
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> registry = pd.DataFrame({"dwelling_id": ["D1", "D2"], "department_id": ["A", "A"],
...                          "kind": ["family", "bab"]})
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
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import warnings
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from pathlib import Path
from types import TracebackType
from typing import Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg.dates import parse_date
from fuaalborg.errors import FuaalborgError, NotInForceError, ValidationError
from fuaalborg.letting.routing import (
    COLOURS,
    COUNTING_REASONS,
    DWELLING_KINDS,
    REASONS,
    Counters,
    Routed,
    Rules,
    route_frame,
    route_one,
    route_waiting_list,
)
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = [
    "ANSWERS",
    "FORMAT",
    "RULE_PARAMETERS",
    "ColourSource",
    "Decision",
    "Ledger",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerInputError",
    "LedgerLockedError",
    "RepairReport",
    "TornLine",
    "TornLineWarning",
    "route_summary",
    "rule_values",
    "rules_on",
    "vacancy_stream",
]

#: The format tag written in every ledger's first line.
FORMAT = "fuaalborg-ledger/1"
#: The municipality's answers to a referred vacancy.
ANSWERS = ("accepted", "declined", "let")
#: The parameters a routing decision uses, recorded with every decision.
RULE_PARAMETERS = (
    "referral.share",
    "referral.bab_share",
    "ledger.referral_colours",
    "ledger.flexible_share",
    "ledger.flexible_share_red",
    "letting.internal_share",
    "ledger.first_turn",
)
#: Rule parameters that may not be in force on a date (the rule not yet adopted).
_OPTIONAL_RULES = frozenset({"ledger.first_turn", "referral.bab_share"})

#: A function giving a department's colour on a date (the step model's placement).
ColourSource = Callable[[str, dt.date], str]

_CRC_PREFIX = b',"crc":"'
_SUFFIX_LEN = 18  # ,"crc":"xxxxxxxx"}


class LedgerError(FuaalborgError):
    """A ledger that cannot be created, opened or written."""


class LedgerLockedError(LedgerError):
    """Another process holds the ledger open for writing."""


class LedgerCorruptError(LedgerError):
    """A ledger whose log is damaged before its last line, or does not replay."""


class LedgerInputError(ValidationError):
    """Input the ledger refuses; ``problems`` lists every problem. Nothing was written."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        n = len(problems)
        head = f"{what}: {n} problem{'s' if n != 1 else ''}; nothing was written"
        super().__init__("\n".join([head, *(f"  - {p}" for p in problems)]))


class TornLineWarning(UserWarning):
    """The ledger's last line is incomplete (a crash during a write)."""


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
    """What :meth:`Ledger.repair` did: the bytes it dropped and the events it kept."""

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


@attrs.frozen
class Decision:
    """The route of one vacancy, with its reason and the rule versions used.

    ``route`` is ``"referral"`` or ``"waiting_list"``; on the waiting list,
    ``subroute`` is ``"flexible"`` or ``"ordinary"`` and ``turn`` is
    ``"internal"`` or ``"external"`` (``None`` before the 50/50 rule). ``rules``
    maps each parameter name to its value, effective period and reference.
    ``returned`` marks a dwelling the municipality declined (the decision of the
    answer event).
    """

    vacancy_id: str
    department_id: str
    dwelling_id: str
    kind: str
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


# ---------------------------------------------------------------------------
# Line encoding


def _encode(event: Mapping[str, Any]) -> bytes:
    body = json.dumps(event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    crc = zlib.crc32(body)
    return body[:-1] + _CRC_PREFIX + f"{crc:08x}".encode() + b'"}\n'


def _check(line: bytes) -> bool:
    if len(line) < _SUFFIX_LEN + 2 or line[-_SUFFIX_LEN:-10] != _CRC_PREFIX:
        return False
    if line[-2:] != b'"}':
        return False
    body = line[:-_SUFFIX_LEN] + b"}"
    try:
        return int(line[-10:-2], 16) == zlib.crc32(body)
    except ValueError:
        return False


def _scan(data: bytes) -> tuple[list[bytes], list[int], TornLine | None]:
    """Split ``data`` into verified lines; return them, bad line numbers and a torn tail."""
    lines = data.split(b"\n")
    tail = lines.pop()  # b"" when the data ends with a newline
    good: list[bytes] = []
    bad: list[int] = []
    offsets = []
    offset = 0
    for number, line in enumerate(lines, start=1):
        offsets.append(offset)
        offset += len(line) + 1
        if _check(line):
            good.append(line)
        else:
            bad.append(number)
    torn: TornLine | None = None
    if tail:
        torn = TornLine(len(lines) + 1, offset, len(tail))
    elif bad and bad[-1] == len(lines):
        last = bad.pop()
        torn = TornLine(last, offsets[last - 1], len(lines[last - 1]) + 1)
    if torn is not None and bad:
        # a torn tail after damage earlier in the file is damage, not a crash
        bad.append(torn.line)
    return good, bad, torn


def _as_date(value: Any, what: str, problems: list[str]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        problems.append(f"{what}: {value!r} is not a date (YYYY-MM-DD)")
    return day


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def _show_share(value: Any) -> str:
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    return str(value)


def _registry_from(
    source: Municipality | pd.DataFrame,
) -> tuple[dict[str, dict[str, list[str]]], str]:
    if isinstance(source, Municipality):
        dwellings = source.dwellings
        deps = source.departments["department_id"].astype(str).tolist()
        name = source.name
    else:
        dwellings = source
        deps = []
        name = "municipality"
    missing = [c for c in ("dwelling_id", "department_id", "kind") if c not in dwellings.columns]
    if missing:
        raise ValidationError(f"dwellings table: missing columns {', '.join(missing)}")
    registry: dict[str, dict[str, list[str]]] = {d: {"family": [], "bab": []} for d in deps}
    frame = dwellings[["dwelling_id", "department_id", "kind"]].astype(str)
    bad = ~frame["kind"].isin(DWELLING_KINDS)
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()[:10]
        raise ValidationError(f"dwellings table: kind must be family or bab (rows {rows})")
    dup = frame["dwelling_id"].duplicated()
    if dup.any():
        rows = (np.flatnonzero(dup.to_numpy()) + 1).tolist()[:10]
        raise ValidationError(f"dwellings table: duplicate dwelling_id (rows {rows})")
    for (dep, kind), ids in frame.groupby(["department_id", "kind"], sort=True)["dwelling_id"]:
        registry.setdefault(str(dep), {"family": [], "bab": []})[str(kind)] = sorted(
            ids.tolist()
        )
    return registry, name


def _fingerprint(registry: Mapping[str, Any]) -> str:
    text = json.dumps(registry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _default_colour_source(town: Municipality | None) -> ColourSource | None:
    """The step model's placement in force on a date, when fuaalborg.monitoring provides it."""
    if town is None:
        return None
    try:
        from fuaalborg import monitoring
    except ImportError:  # pragma: no cover - depends on the installed parts
        return None
    finder = getattr(monitoring, "colour_on", None)
    if finder is None:
        return None

    def colour(department_id: str, on: dt.date) -> str:
        return str(finder(town, department_id, on))

    return colour


# ---------------------------------------------------------------------------


class Ledger:
    """The persisted letting ledger of one municipality.

    Create one with :meth:`create`, open an existing one with :meth:`open`;
    both return a ledger that holds the write lock until :meth:`close` (or the
    end of a ``with`` block). ``readonly=True`` opens without the lock and
    refuses writes.
    """

    def __init__(self, path: Path, *, _token: object = None) -> None:
        if _token is not _TOKEN:
            raise TypeError("use Ledger.create(...) or Ledger.open(...)")
        self.path = path
        self.name = ""
        self.readonly = True
        self.torn: TornLine | None = None
        self._fd: int | None = None
        self._lock_fd: int | None = None
        self._broken: str | None = None
        self._defer = 0
        self._unsynced = False
        self._params: ParameterSet = load_parameters()
        self._colour_source: ColourSource | None = None
        self._events: list[dict[str, Any]] = []
        self._seq = -1
        self._dwellings: dict[str, tuple[str, str]] = {}
        self._departments: set[str] = set()
        self._dep_shares: dict[str, Fraction] = {}
        self._rules: dict[str, tuple[Rules, dict[str, Any]]] = {}
        self._rules_by_date: dict[dt.date, tuple[str, Rules, dict[str, Any]]] = {}
        self._counters: dict[str, Counters] = {}
        self._last_on: dict[str, dt.date] = {}
        self._vacancies: dict[str, dict[str, Any]] = {}
        self._status: dict[str, str] = {}
        self._decisions: dict[str, dict[str, Any]] = {}
        # offers (see fuaalborg.letting.offers)
        self.rounds: dict[str, list[dict[str, Any]]] = {}
        self.unanswered: dict[str, list[dt.date]] = {}
        #: refusal dates per applicant (they count towards passive where a rule says so)
        self.refused: dict[str, list[dt.date]] = {}
        self.passive: dict[str, dt.date] = {}
        self.consumed: dict[tuple[str, str], str] = {}

    # -- construction -------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        municipality: Municipality | pd.DataFrame,
        *,
        parameters: ParameterSet | None = None,
        flexible_shares: Mapping[str, Fraction | str] | None = None,
        colour_source: ColourSource | None = None,
        name: str | None = None,
    ) -> Ledger:
        """Create a new ledger file at ``path`` for ``municipality``'s departments and dwellings.

        ``municipality`` is a :class:`~fuaalborg.Municipality` (or just a dwellings
        table with ``dwelling_id``, ``department_id``, ``kind``); its registry of
        dwellings is written into the ledger's first line so that the ledger can
        check vacancies on its own. ``flexible_shares`` sets departments' agreed
        flexible shares (§ 60, stk. 1); others use ``ledger.flexible_share``.
        ``colour_source(department_id, on)`` gives a department's colour when a
        vacancy is recorded without one. Refuses to overwrite an existing file.
        """
        target = Path(path)
        registry, town_name = _registry_from(municipality)
        shares: dict[str, str] = {}
        problems = []
        for dep, share in (flexible_shares or {}).items():
            try:
                frac = Fraction(share)
            except (ValueError, ZeroDivisionError, TypeError):
                problems.append(f"flexible share of {dep!r}: {share!r} is not a fraction")
                continue
            if dep not in registry:
                problems.append(f"flexible share of unknown department {dep!r}")
            if not 0 <= frac <= 1:
                problems.append(f"flexible share of {dep!r}: {share!r} is outside 0–1")
            shares[str(dep)] = _show_share(frac)
        if problems:
            raise LedgerInputError("Ledger.create", problems)
        if target.exists():
            raise LedgerError(f"{target.name} already exists; open it with Ledger.open")
        ledger = cls(target, _token=_TOKEN)
        ledger._params = parameters or load_parameters()
        ledger._lock()
        try:
            try:
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            except FileExistsError:
                raise LedgerError(
                    f"{target.name} already exists; open it with Ledger.open"
                ) from None
            ledger._fd = fd
            ledger.readonly = False
            header = {
                "seq": 0,
                "type": "created",
                "at": _now(),
                "format": FORMAT,
                "municipality": name or town_name,
                "fingerprint": _fingerprint(registry),
                "flexible_shares": shares,
                "registry": registry,
            }
            ledger._write([header])
            _fsync_dir(target.parent)
            ledger._apply(header)
        except BaseException:
            ledger.close()
            raise
        town = municipality if isinstance(municipality, Municipality) else None
        ledger._colour_source = colour_source or _default_colour_source(town)
        return ledger

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        municipality: Municipality | None = None,
        parameters: ParameterSet | None = None,
        colour_source: ColourSource | None = None,
        readonly: bool = False,
    ) -> Ledger:
        """Open an existing ledger and replay its log.

        Every line's checksum is verified and every recorded decision is
        re-derived by the routing core; a mismatch or damage before the last
        line raises :class:`LedgerCorruptError`. A torn last line is reported
        (``ledger.torn`` and a :class:`TornLineWarning`) and the ledger refuses
        writes until :meth:`repair` is run. Without ``readonly`` the ledger takes
        the write lock; a second writer gets :class:`LedgerLockedError`.
        """
        target = Path(path)
        if not target.exists():
            raise LedgerError(f"no ledger at {target.name}")
        ledger = cls(target, _token=_TOKEN)
        ledger._params = parameters or load_parameters()
        if not readonly:
            ledger._lock()
        try:
            ledger._replay(target.read_bytes())
            if not readonly:
                ledger._fd = os.open(target, os.O_WRONLY | os.O_APPEND)
                ledger.readonly = False
        except BaseException:
            ledger.close()
            raise
        ledger._colour_source = colour_source or _default_colour_source(municipality)
        return ledger

    @staticmethod
    def repair(path: str | os.PathLike[str]) -> RepairReport:
        """Truncate a torn last line, and report what was dropped.

        Only a damaged *last* line is dropped (the signature of a crash during a
        write); damage earlier in the log raises :class:`LedgerCorruptError` and
        nothing is changed. Takes the write lock while it works.
        """
        target = Path(path)
        if not target.exists():
            raise LedgerError(f"no ledger at {target.name}")
        holder = Ledger(target, _token=_TOKEN)
        holder._lock()
        try:
            data = target.read_bytes()
            good, bad, torn = _scan(data)
            if bad:
                raise LedgerCorruptError(
                    f"{target.name}: lines {bad[:20]} fail their checksum before the last "
                    "line; repair only drops a torn last line"
                )
            if torn is None:
                return RepairReport(target, None, None, len(good))
            dropped = data[torn.offset :]
            with open(target, "r+b") as handle:
                handle.truncate(torn.offset)
                handle.flush()
                os.fsync(handle.fileno())
            return RepairReport(target, torn, hashlib.sha256(dropped).hexdigest(), len(good))
        finally:
            holder.close()

    # -- locking and writing --------------------------------------------------

    def _lock(self) -> None:
        lock_path = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = os.read(fd, 32).decode(errors="replace").strip()
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                who = f" (process {holder})" if holder else ""
                raise LedgerLockedError(
                    f"{self.path.name} is open for writing by another process{who}; "
                    "close it there, or open this one read-only"
                ) from None
            raise  # pragma: no cover - unexpected OS error
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._lock_fd = fd

    def _write(self, events: list[dict[str, Any]]) -> None:
        if self._fd is None:
            raise LedgerError(f"{self.path.name} is open read-only")
        data = b"".join(_encode(e) for e in events)
        try:
            view = memoryview(data)
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
            if self._defer:
                self._unsynced = True
            else:
                os.fsync(self._fd)
        except OSError as exc:
            self._broken = f"a write failed ({exc.strerror}); reopen the ledger"
            raise LedgerError(f"{self.path.name}: {self._broken}") from exc

    def _writable(self) -> None:
        if self.readonly or self._fd is None:
            raise LedgerError(f"{self.path.name} is open read-only")
        if self.torn is not None:
            raise LedgerError(
                f"{self.path.name} ends with a torn line: {self.torn.describe()}; "
                "run `fuaalborg ledger repair` first"
            )
        if self._broken:
            raise LedgerError(f"{self.path.name}: {self._broken}")

    def commit(self, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Number, timestamp, write (fsync) and apply ``events``; all or nothing in memory.

        For use by the ledger's own recording functions (offers); the events
        must already be validated.
        """
        self._writable()
        stamped = []
        seq = self._seq
        for event in events:
            seq += 1
            stamped.append({"seq": seq, "type": event["type"], "at": _now(), **{
                k: v for k, v in event.items() if k != "type"
            }})
        self._write(stamped)
        for event in stamped:
            self._apply(event)
        return stamped

    @contextlib.contextmanager
    def batch(self) -> Iterator[Ledger]:
        """Group commit: inside the block events are written but ``fsync``-ed once, at its end.

        An event recorded inside the block is acknowledged (durable) when the
        block ends; a crash inside it can lose the block's events, never earlier
        ones. Each call inside still validates on its own and writes nothing when
        it refuses its input.
        """
        self._defer += 1
        try:
            yield self
        finally:
            self._defer -= 1
            if not self._defer:
                self.sync()

    def sync(self) -> None:
        """``fsync`` any events written inside :meth:`batch` and not yet synced."""
        if self._unsynced and self._fd is not None:
            try:
                os.fsync(self._fd)
            except OSError as exc:  # pragma: no cover - disk failure
                self._broken = f"fsync failed ({exc.strerror}); reopen the ledger"
                raise LedgerError(f"{self.path.name}: {self._broken}") from exc
            self._unsynced = False

    def close(self) -> None:
        """Release the write lock and close the file (safe to call twice)."""
        if self._fd is not None:
            self.sync()
            os.close(self._fd)
            self._fd = None
        if self._lock_fd is not None:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            finally:
                os.close(self._lock_fd)
                self._lock_fd = None
        self.readonly = True

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
        return f"<Ledger {self.path.name} ({mode}, {len(self._events)} events)>"

    # -- replay -----------------------------------------------------------------

    def _replay(self, data: bytes) -> None:
        good, bad, torn = _scan(data)
        if bad:
            raise LedgerCorruptError(
                f"{self.path.name}: lines {bad[:20]} fail their checksum; the log is damaged "
                "before its last line"
            )
        if not good:
            raise LedgerCorruptError(f"{self.path.name}: not a ledger (no complete first line)")
        events: list[dict[str, Any]] = json.loads(b"[" + b",".join(good) + b"]")
        head = events[0]
        if head.get("type") != "created" or head.get("format") != FORMAT:
            raise LedgerCorruptError(f"{self.path.name}: not a {FORMAT} ledger")
        for expected, event in enumerate(events):
            if event.get("seq") != expected:
                raise LedgerCorruptError(
                    f"{self.path.name}: event {expected} has sequence number "
                    f"{event.get('seq')!r}; events are missing or out of order"
                )
            del event["crc"]
        for event in events:
            self._apply(event)
        self._verify()
        if torn is not None:
            self.torn = torn
            warnings.warn(
                f"{self.path.name}: {torn.describe()}; the ledger is readable but refuses "
                "writes until `fuaalborg ledger repair` truncates it",
                TornLineWarning,
                stacklevel=3,
            )

    def _verify(self) -> None:
        """Re-derive every routing decision with the vectorised core and compare."""
        rows = [e for e in self._events if e["type"] == "vacancy" or (
            e["type"] == "answer" and e["answer"] == "declined")]
        if not rows:
            return
        frame = pd.DataFrame(
            {
                "department_id": [e["department_id"] for e in rows],
                "kind": [e["kind"] for e in rows],
                "colour": [e["colour"] for e in rows],
                "returned": [e["type"] == "answer" for e in rows],
                "flexible_share": [e.get("department_share") for e in rows],
            }
        )
        rules = [self._rules[e["rules"]][0] for e in rows]
        out, end = route_frame(frame, rules)
        recorded = pd.DataFrame(
            {
                "route": [e["route"] for e in rows],
                "subroute": pd.array([e.get("subroute") for e in rows], dtype="string"),
                "turn": pd.array([e.get("turn") for e in rows], dtype="string"),
                "reason_code": [e["reason_code"] for e in rows],
                "n_referral": pd.array([e.get("n_referral") for e in rows], dtype="Int64"),
                "n_flexible": pd.array([e.get("n_flexible") for e in rows], dtype="Int64"),
                "n_turn": pd.array([e.get("n_turn") for e in rows], dtype="Int64"),
            }
        )
        for column in recorded.columns:
            left = out[column].astype("string").fillna("-").to_numpy()
            right = recorded[column].astype("string").fillna("-").to_numpy()
            diff = np.flatnonzero(left != right)
            if diff.size:
                event = rows[int(diff[0])]
                raise LedgerCorruptError(
                    f"{self.path.name}: event {event['seq']} records {column} = "
                    f"{right[diff[0]]!r} but the rules give {left[diff[0]]!r}"
                )
        for dep, counters in end.items():
            if self._counters.get(dep, Counters()) != counters:
                raise LedgerCorruptError(  # pragma: no cover - implied by the row checks
                    f"{self.path.name}: counters of {dep} do not replay"
                )

    def _apply(self, event: dict[str, Any]) -> None:
        """Apply one (already written or replayed) event to the in-memory state."""
        kind = event["type"]
        if kind == "created":
            self.name = str(event["municipality"])
            for dep, groups in event["registry"].items():
                self._departments.add(dep)
                for k in DWELLING_KINDS:
                    for dwelling in groups.get(k, ()):
                        self._dwellings[dwelling] = (dep, k)
            self._dep_shares = {d: Fraction(s) for d, s in event["flexible_shares"].items()}
        elif kind == "rules":
            self._rules[event["id"]] = (_rules_from(event["values"]), event["values"])
        elif kind == "flexible_share":
            self._dep_shares[event["department_id"]] = Fraction(event["share"])
        elif kind == "vacancy":
            vid, dep = event["vacancy_id"], event["department_id"]
            self._vacancies[vid] = event
            self._decisions[vid] = event
            self._last_on[dep] = dt.date.fromisoformat(event["on"])
            self._status[vid] = "referred" if event["route"] == "referral" else "waiting_list"
            self._advance(event)
        elif kind == "answer":
            vid = event["vacancy_id"]
            answer = event["answer"]
            if answer == "declined":
                self._status[vid] = "returned"
                self._decisions[vid] = event
                self._advance(event)
            else:
                self._status[vid] = answer
        elif kind in {"offers_sent", "offer_answer", "offer_round_closed", "applicant_passive",
                      "signed"}:
            _apply_offer_event(self, event)
        elif kind == "repaired":
            pass
        else:
            raise LedgerCorruptError(f"{self.path.name}: unknown event type {kind!r}")
        self._events.append(event)
        self._seq = event["seq"]

    def _advance(self, event: Mapping[str, Any]) -> None:
        dep = event["department_id"]
        old = self._counters.get(dep, Counters())
        referral = old.referral
        if event["reason_code"] in COUNTING_REASONS:
            referral = int(event["n_referral"])
        flexible = old.flexible if event.get("n_flexible") is None else int(event["n_flexible"])
        turns = old.turns if event.get("n_turn") is None else int(event["n_turn"])
        self._counters[dep] = Counters(referral, flexible, turns)

    # -- rules ------------------------------------------------------------------

    def _rules_on(self, on: dt.date) -> tuple[str, Rules, dict[str, Any], dict[str, Any] | None]:
        """The rules id in force on ``on``, and a ``rules`` event if it is new."""
        cached = self._rules_by_date.get(on)
        if cached is not None:
            cached_id, cached_rules, cached_values = cached
            event = None if cached_id in self._rules else {
                "type": "rules", "id": cached_id, "values": cached_values}
            return cached_id, cached_rules, cached_values, event
        values = rule_values(self._params, on)
        text = json.dumps(values, sort_keys=True, ensure_ascii=False)
        rules_id = "r" + hashlib.sha256(text.encode()).hexdigest()[:12]
        rules = self._rules[rules_id][0] if rules_id in self._rules else _rules_from(values)
        self._rules_by_date[on] = (rules_id, rules, values)
        new_event = None if rules_id in self._rules else {
            "type": "rules", "id": rules_id, "values": values}
        return rules_id, rules, values, new_event

    # -- recording --------------------------------------------------------------

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

        Vacancies of a department must arrive in date order. The colour comes
        from the step model's placement in force on ``vacant_on`` unless passed.
        Every problem is reported at once and nothing is written when any is found.
        """
        problems: list[str] = []
        vid, dwelling, dep = str(vacancy_id), str(dwelling_id), str(department_id)
        on = _as_date(vacant_on, "vacant_on", problems)
        if not vid.strip():
            problems.append("vacancy_id is empty")
        elif vid in self._vacancies:
            problems.append(f"vacancy {vid!r} is already recorded (event "
                            f"{self._vacancies[vid]['seq']})")
        if dep not in self._departments:
            problems.append(f"unknown department {dep!r}")
        if kind not in DWELLING_KINDS:
            problems.append(f"kind {kind!r} is not family or bab")
        known = self._dwellings.get(dwelling)
        if known is None:
            problems.append(f"unknown dwelling {dwelling!r}")
        else:
            if dep in self._departments and known[0] != dep:
                problems.append(f"dwelling {dwelling!r} belongs to department {known[0]!r}, "
                                f"not {dep!r}")
            if kind in DWELLING_KINDS and known[1] != kind:
                problems.append(f"dwelling {dwelling!r} is a {known[1]} dwelling, not {kind}")
        rent = _number(monthly_rent_dkk, "monthly_rent_dkk", problems, minimum=0.0)
        room_count = _whole(rooms, "rooms", problems, minimum=1)
        if on is not None and dep in self._last_on and on < self._last_on[dep]:
            problems.append(
                f"vacant_on {on.isoformat()} is before department {dep!r}'s last vacancy "
                f"({self._last_on[dep].isoformat()}); vacancies must arrive in date order"
            )
        basis = "given"
        if colour is None and not problems and on is not None:
            if self._colour_source is None:
                problems.append(
                    "colour is required: no step-model placement is available to this ledger "
                    "(pass colour=, or open the ledger with a municipality/colour_source)"
                )
            else:
                try:
                    colour = self._colour_source(dep, on)
                    basis = "step model"
                except FuaalborgError as exc:
                    problems.append(f"colour of {dep!r} on {on.isoformat()}: {exc}")
        if colour is not None and colour not in COLOURS:
            problems.append(f"colour {colour!r} is not green, yellow or red")
        rules_event = None
        if not problems and on is not None:
            try:
                rules_id, rules, _values, rules_event = self._rules_on(on)
            except NotInForceError as exc:
                problems.append(str(exc))
        if problems:
            raise LedgerInputError(f"vacancy {vid!r}", problems)
        self._writable()
        assert on is not None
        assert colour is not None
        share = self._dep_shares.get(dep)
        routed, _ = route_one(
            self._counters.get(dep, Counters()), kind, colour, rules, department_share=share
        )
        event = {
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
            "rules": rules_id,
        }
        if share is not None and colour != "red":
            event["department_share"] = _show_share(share)
        self.commit([e for e in (rules_event, event) if e is not None])
        return self.decision(vid)

    def record_vacancies(self, frame: pd.DataFrame, *, sync_every: int = 1000) -> pd.DataFrame:
        """Record many vacancies in order (one :meth:`record_vacancy` each); return decisions.

        ``frame`` has the columns of :meth:`record_vacancy`'s arguments
        (``colour`` optional). The rows are group-committed (:meth:`batch`):
        ``fsync`` every ``sync_every`` rows and at the end, so every row is on
        disk when the call returns. Stops at the first refused row, with every
        row before it recorded and synced.
        """
        columns = ["vacancy_id", "dwelling_id", "department_id", "kind", "vacant_on",
                   "monthly_rent_dkk", "rooms"]
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise LedgerInputError("vacancies", [f"missing column {c}" for c in missing])
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
        problems: list[str] = []
        vid = str(vacancy_id)
        day = _as_date(on, "on", problems)
        vacancy = self._vacancies.get(vid)
        status = self._status.get(vid)
        if vacancy is None:
            problems.append(f"unknown vacancy {vid!r}")
        elif vacancy["route"] != "referral":
            problems.append(f"vacancy {vid!r} was not referred (route {vacancy['route']})")
        if answer not in ANSWERS:
            problems.append(f"answer {answer!r} is not one of {', '.join(ANSWERS)}")
        elif vacancy is not None and vacancy["route"] == "referral":
            allowed = {"referred": set(ANSWERS), "accepted": {"declined", "let"}}
            if answer not in allowed.get(status or "", set()):
                problems.append(f"vacancy {vid!r} is {status}; cannot record {answer!r}")
        if day is not None and vacancy is not None:
            vacant_on = dt.date.fromisoformat(vacancy["on"])
            if day < vacant_on:
                problems.append(
                    f"answer date {day.isoformat()} is before the vacancy ({vacant_on.isoformat()})"
                )
        rules_event = None
        if not problems and answer == "declined" and day is not None:
            try:
                rules_id, rules, _values, rules_event = self._rules_on(day)
            except NotInForceError as exc:
                problems.append(str(exc))
        if problems:
            raise LedgerInputError(f"answer to {vid!r}", problems)
        self._writable()
        assert vacancy is not None
        assert day is not None
        event: dict[str, Any] = {"type": "answer", "on": day.isoformat(), "vacancy_id": vid,
                                 "answer": answer}
        if answer == "declined":
            dep = vacancy["department_id"]
            share = self._dep_shares.get(dep)
            routed, _ = route_waiting_list(
                self._counters.get(dep, Counters()), vacancy["colour"], rules,
                department_share=share, reason_code="returned",
            )
            event.update(
                department_id=dep, dwelling_id=vacancy["dwelling_id"], kind=vacancy["kind"],
                colour=vacancy["colour"], **_routed_fields(routed), rules=rules_id,
            )
            if share is not None and vacancy["colour"] != "red":
                event["department_share"] = _show_share(share)
        self.commit([e for e in (rules_event, event) if e is not None])
        return self.decision(vid)

    def set_flexible_share(
        self, department_id: str, share: Fraction | str, on: dt.date | str
    ) -> None:
        """Record a department's agreed flexible share (§ 60, stk. 1) from ``on``."""
        problems: list[str] = []
        day = _as_date(on, "on", problems)
        dep = str(department_id)
        if dep not in self._departments:
            problems.append(f"unknown department {dep!r}")
        try:
            frac = Fraction(share)
            if not 0 <= frac <= 1:
                problems.append(f"share {share!r} is outside 0–1")
        except (ValueError, ZeroDivisionError, TypeError):
            problems.append(f"share {share!r} is not a fraction")
        if problems:
            raise LedgerInputError(f"flexible share of {dep!r}", problems)
        assert day is not None
        self._writable()
        self.commit([{"type": "flexible_share", "on": day.isoformat(), "department_id": dep,
                      "share": _show_share(frac)}])

    # -- reading ----------------------------------------------------------------

    @property
    def departments(self) -> list[str]:
        """The departments in the ledger's registry, sorted."""
        return sorted(self._departments)

    def status(self, vacancy_id: str) -> str:
        """A vacancy's status: referred, accepted, returned, waiting_list, offered or let."""
        try:
            return self._status[str(vacancy_id)]
        except KeyError:
            raise LedgerInputError("status", [f"unknown vacancy {vacancy_id!r}"]) from None

    def vacancy(self, vacancy_id: str) -> Mapping[str, Any]:
        """The recorded ``vacancy`` event of ``vacancy_id``."""
        try:
            return dict(self._vacancies[str(vacancy_id)])
        except KeyError:
            raise LedgerInputError("vacancy", [f"unknown vacancy {vacancy_id!r}"]) from None

    def decision(self, vacancy_id: str) -> Decision:
        """The current decision of a vacancy (after a decline: its waiting-list route)."""
        vid = str(vacancy_id)
        if vid not in self._decisions:
            raise LedgerInputError("decision", [f"unknown vacancy {vid!r}"])
        event = self._decisions[vid]
        vacancy = self._vacancies[vid]
        rules, values = self._rules[event["rules"]]
        return Decision(
            vacancy_id=vid,
            department_id=vacancy["department_id"],
            dwelling_id=vacancy["dwelling_id"],
            kind=vacancy["kind"],
            on=dt.date.fromisoformat(event["on"]),
            colour=vacancy["colour"],
            colour_basis=vacancy["colour_basis"],
            route=event["route"],
            subroute=event.get("subroute"),
            turn=event.get("turn"),
            reason_code=event["reason_code"],
            reason=_reason(event, rules),
            n_referral=event.get("n_referral"),
            n_flexible=event.get("n_flexible"),
            n_turn=event.get("n_turn"),
            rules_id=event["rules"],
            rules=values,
            seq=int(event["seq"]),
            returned=event["type"] == "answer",
        )

    def counters(self, department_id: str) -> Counters:
        """A department's counters now."""
        return self._counters.get(str(department_id), Counters())

    def events(
        self,
        *,
        type: str | Iterable[str] | None = None,
        department_id: str | None = None,
        vacancy_id: str | None = None,
        since: dt.date | str | None = None,
        until: dt.date | str | None = None,
    ) -> list[dict[str, Any]]:
        """The events matching every filter given, in order (copies).

        ``since``/``until`` filter on the event's date (``on``), inclusive.
        """
        types = {type} if isinstance(type, str) else set(type) if type is not None else None
        problems: list[str] = []
        lo = _as_date(since, "since", problems) if since is not None else None
        hi = _as_date(until, "until", problems) if until is not None else None
        if problems:
            raise LedgerInputError("events", problems)
        out = []
        for event in self._events:
            if types is not None and event["type"] not in types:
                continue
            if vacancy_id is not None and event.get("vacancy_id") != str(vacancy_id):
                continue
            if department_id is not None:
                dep = event.get("department_id")
                if dep is None and "vacancy_id" in event:
                    dep = self._vacancies.get(event["vacancy_id"], {}).get("department_id")
                if dep != str(department_id):
                    continue
            if lo is not None or hi is not None:
                if "on" not in event:
                    continue
                day = dt.date.fromisoformat(event["on"])
                if (lo is not None and day < lo) or (hi is not None and day > hi):
                    continue
            out.append(dict(event))
        return out

    def to_frame(self, events: list[dict[str, Any]] | None = None) -> pd.DataFrame:
        """The events as a DataFrame, one row per event (nested values as JSON text)."""
        rows = self._events if events is None else events
        flat = [
            {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else v)
             for k, v in e.items() if k != "registry"}
            for e in rows
        ]
        frame = pd.DataFrame(flat)
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
        """Every vacancy's current decision as a DataFrame (one row per vacancy)."""
        rows = [_decision_row(self.decision(v)) for v in self._vacancies]
        return pd.DataFrame(rows, columns=_DECISION_COLUMNS)

    def state(self, on: dt.date | str | None = None) -> pd.DataFrame:
        """Every department's counters on ``on`` (default: now), reconstructed from the log.

        Columns: ``department_id``, ``referral`` (counting family vacancies),
        ``flexible`` and ``turns`` (waiting-list lettings), ``vacancies``,
        ``referred``, ``returned``, ``waiting_list``, ``last_vacancy_on``.
        """
        problems: list[str] = []
        day = _as_date(on, "on", problems) if on is not None else None
        if problems:
            raise LedgerInputError("state", problems)
        deps = sorted(self._departments)
        rows = [
            e for e in self._events
            if (e["type"] == "vacancy" or (e["type"] == "answer" and e["answer"] == "declined"))
            and (day is None or dt.date.fromisoformat(e["on"]) <= day)
        ]
        base = pd.DataFrame({"department_id": deps})
        if not rows:
            for column in ("referral", "flexible", "turns", "vacancies", "referred",
                           "returned", "waiting_list"):
                base[column] = 0
            base["last_vacancy_on"] = pd.Series([pd.NaT] * len(deps), dtype="datetime64[s]")
            return base
        frame = pd.DataFrame(
            {
                "department_id": [e["department_id"] for e in rows],
                "is_vacancy": [e["type"] == "vacancy" for e in rows],
                "counts": [e["reason_code"] in COUNTING_REASONS
                           for e in rows],
                "referred": [e["route"] == "referral" for e in rows],
                "returned": [e["type"] == "answer" for e in rows],
                "waiting": [e["route"] == "waiting_list" for e in rows],
                "turn": [e.get("n_turn") is not None for e in rows],
                "on": pd.to_datetime([e["on"] for e in rows]).astype("datetime64[s]"),
            }
        )
        grouped = frame.groupby("department_id")
        agg = pd.DataFrame(
            {
                "referral": grouped["counts"].sum(),
                "flexible": grouped["waiting"].sum(),
                "turns": grouped["turn"].sum(),
                "vacancies": grouped["is_vacancy"].sum(),
                "referred": grouped["referred"].sum(),
                "returned": grouped["returned"].sum(),
                "waiting_list": grouped["waiting"].sum(),
                "last_vacancy_on": frame.loc[frame["is_vacancy"]].groupby("department_id")[
                    "on"].max(),
            }
        )
        out = base.merge(agg, left_on="department_id", right_index=True, how="left")
        for column in ("referral", "flexible", "turns", "vacancies", "referred", "returned",
                       "waiting_list"):
            out[column] = out[column].fillna(0).astype("int64")
        return out.reset_index(drop=True)

    def check_referral(self, household: Any, vacancy_id: str, *, municipality: Municipality,
                       on: dt.date | str | None = None) -> Any:
        """Check a referred household against § 59, stk. 6/7 for a recorded vacancy.

        See :func:`fuaalborg.letting.referral_limits.check_referral`.
        """
        from fuaalborg.letting.referral_limits import check_referral

        vacancy = self.vacancy(vacancy_id)
        return check_referral(
            household, vacancy["department_id"], on or vacancy["on"],
            municipality=municipality, colour=vacancy["colour"], parameters=self._params,
        )

    @property
    def parameters(self) -> ParameterSet:
        """The parameter set this ledger resolves rules from."""
        return self._params


_TOKEN = object()

_DECISION_COLUMNS = [
    "seq", "vacancy_id", "department_id", "dwelling_id", "kind", "on", "colour", "route",
    "subroute", "turn", "reason_code", "n_referral", "n_flexible", "n_turn", "rules_id",
    "returned",
]


def _decision_row(d: Decision) -> dict[str, Any]:
    return {c: getattr(d, c) for c in _DECISION_COLUMNS}


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


def rule_values(parameters: ParameterSet, on: dt.date) -> dict[str, Any]:
    """The value, period and reference of every routing parameter in force on ``on``.

    This is what a ``rules`` event of the ledger records; a rule not yet in force
    on the date (the first internal/external turn, the BAB share) has the value
    ``None``.
    """
    values: dict[str, Any] = {}
    for name in RULE_PARAMETERS:
        try:
            dated = parameters.lookup(name, on, warn=False)
        except NotInForceError:
            if name not in _OPTIONAL_RULES:
                raise
            values[name] = {"value": None, "reference": "not in force on this date"}
            continue
        value = dated.value
        shown: Any = _show_share(value) if isinstance(value, Fraction) else value
        values[name] = {
            "value": shown,
            "from": dated.start.isoformat(),
            "until": dated.end.isoformat() if dated.end else None,
            "reference": dated.reference,
        }
    return values


def rules_on(parameters: ParameterSet, on: dt.date) -> Rules:
    """The routing rules in force on ``on``: the same resolution the ledger records.

    >>> from fuaalborg import load_parameters
    >>> rules_on(load_parameters(), dt.date(2026, 1, 1)).referral_colours
    ('green', 'yellow')
    """
    return _rules_from(rule_values(parameters, on))


def _rules_from(values: Mapping[str, Any]) -> Rules:
    def frac(name: str) -> Fraction:
        return Fraction(str(values[name]["value"]))

    internal = values["letting.internal_share"]["value"]
    bab = values["referral.bab_share"]["value"]
    first = values["ledger.first_turn"]["value"]
    return Rules(
        referral_share=frac("referral.share"),
        bab_share=None if bab is None else Fraction(str(bab)),
        referral_colours=tuple(values["ledger.referral_colours"]["value"]),
        flexible_share=frac("ledger.flexible_share"),
        flexible_share_red=frac("ledger.flexible_share_red"),
        internal_share=None if internal is None else Fraction(str(internal)),
        first_turn=str(first) if first is not None else "internal",
    )


def _reason(event: Mapping[str, Any], rules: Rules) -> str:
    code = event["reason_code"]
    text = REASONS[code].format(
        n_referral=event.get("n_referral"),
        referral_share=_show_share(rules.referral_share),
        bab_share=_show_share(rules.bab_share or 0),
        colour=event.get("colour", ""),
    )
    if event["route"] == "waiting_list":
        share = event.get("department_share")
        f = rules.flexible_share_for(event["colour"], Fraction(share) if share else None)
        text += (
            f"; waiting-list letting no. {event['n_flexible']} of the department: "
            f"{event['subroute']} (flexible share {_show_share(f)})"
        )
        if event.get("turn"):
            text += (
                f"; {event['turn']} turn (no. {event['n_turn']}, internal share "
                f"{_show_share(rules.internal_share)})"
            )
    return text


def _number(value: Any, what: str, problems: list[str], *, minimum: float) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(f"{what}: {value!r} is not a number")
        return 0.0
    if not np.isfinite(number) or number < minimum:
        problems.append(f"{what}: {value!r} is not a number >= {minimum:g}")
    return number


def _whole(value: Any, what: str, problems: list[str], *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        else:
            problems.append(f"{what}: {value!r} is not a whole number")
            return 0
    if int(value) < minimum:
        problems.append(f"{what}: {value!r} is not a whole number >= {minimum}")
    return int(value)


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


def _apply_offer_event(ledger: Ledger, event: Mapping[str, Any]) -> None:
    from fuaalborg.letting.offers import apply_offer_event

    apply_offer_event(ledger, event)


def vacancy_stream(
    municipality: Municipality,
    start: dt.date,
    days: int = 365,
    *,
    turnover_pct: float | None = None,
    seed: int = 2023,
) -> pd.DataFrame:
    """A synthetic stream of vacancies for ``days`` days from ``start``, in date order.

    Each dwelling falls vacant on average ``turnover_pct`` % of the time per
    year (default: the agreement's figure ``agreement.figures.turnover_pct``,
    13.7 %), on uniformly drawn days; the draw uses the recorded ``seed``. The
    columns are those of :meth:`Ledger.record_vacancies`. For demonstrations,
    benchmarks and simulations, not for real lettings.
    """
    if turnover_pct is None:
        turnover_pct = float(load_parameters().get("agreement.figures.turnover_pct", start))
    rng = np.random.default_rng(seed)
    dwellings = municipality.dwellings
    rate = turnover_pct / 100.0 * days / 365.0
    counts = rng.poisson(rate, size=len(dwellings))
    picked = np.repeat(np.arange(len(dwellings)), counts)
    offsets = rng.integers(0, days, size=picked.size)
    frame = dwellings.iloc[picked][
        ["dwelling_id", "department_id", "kind", "monthly_rent_dkk", "rooms"]
    ].reset_index(drop=True)
    frame["vacant_on"] = [start + dt.timedelta(days=int(d)) for d in offsets]
    frame = frame.sort_values(["vacant_on", "dwelling_id"], kind="stable").reset_index(drop=True)
    frame.insert(0, "vacancy_id", [f"V{start.year}-{i + 1:06d}" for i in range(len(frame))])
    return frame


def route_summary(decisions: pd.DataFrame, rents: pd.Series[float], on: dt.date) -> pd.DataFrame:
    """Routes counted by colour and by the agreement's rent band.

    ``decisions`` is a frame of :meth:`Ledger.decisions` (or :meth:`Ledger.record_vacancies`),
    ``rents`` the monthly rent of each row. Returns one row per (``by``, ``group``)
    with the counts of ``referral``, ``flexible``, ``ordinary``, ``internal`` and
    ``external`` lettings and ``total``.
    """
    from fuaalborg.rents import rent_band

    colours = pd.Categorical(decisions["colour"].to_numpy(), categories=list(COLOURS))
    frame = pd.DataFrame(
        {
            "colour": colours,
            # ordered categories: the bands print cheapest first, colours green to red
            "rent_band": rent_band(
                pd.Series(rents.to_numpy(dtype=float)), "agreement", on
            ).array,
            "referral": (decisions["route"] == "referral").to_numpy(),
            "flexible": (decisions["subroute"] == "flexible").fillna(False).to_numpy(),
            "ordinary": (decisions["subroute"] == "ordinary").fillna(False).to_numpy(),
            "internal": (decisions["turn"] == "internal").fillna(False).to_numpy(),
            "external": (decisions["turn"] == "external").fillna(False).to_numpy(),
        }
    )
    parts = []
    for by in ("colour", "rent_band"):
        grouped = frame.groupby(by, sort=True, observed=True)
        counts = grouped[
            ["referral", "flexible", "ordinary", "internal", "external"]
        ].sum().astype("int64")
        counts["total"] = grouped.size()
        counts = counts.reset_index().rename(columns={by: "group"})
        counts["group"] = counts["group"].astype(str)
        counts.insert(0, "by", by)
        parts.append(counts)
    return pd.concat(parts, ignore_index=True)
