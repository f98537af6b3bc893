"""Isolated plug-ins: each runs in a worker process of its own, started fresh.

A plug-in that is not the library's own runs, by default, in a separate worker
process (:mod:`fuaalborg.criteria.worker`), started as a new Python interpreter
— never forked, so it inherits nothing of the caller's memory. The worker
imports the plug-in, calls its hooks and sends back plain data (JSON): the
declarations, never Python objects, so nothing the plug-in builds is ever
unpickled in the caller's process. The caller validates those declarations as
it validates any plug-in's.

To evaluate criteria, the caller writes **only the declared columns** of the
waiting list into a shared-memory buffer that the worker maps read-only
(pickle protocol 5 with the column buffers out of band: no conversion, the
exact pandas dtypes, one copy). The worker builds each predicate's frame with
the same firewall as in-process evaluation
(:func:`fuaalborg.criteria.firewall.project`), runs the predicate and sends
back one bit per applicant. Every answer is checked again in the caller.
Each predicate has a time limit (the dated parameter
``criteria.isolation.time_limit_seconds``); past it, the worker is stopped and
:class:`~fuaalborg.criteria.errors.PredicateTimeoutError` names the plug-in
and the criterion. A worker that dies is started again on the next call, and
must declare exactly what it declared before.

The worker starts with the registry (:func:`fuaalborg.criteria.load`) and
serves every evaluation until :meth:`Registry.close
<fuaalborg.criteria.Registry.close>` (or the end of the program), so its
start-up (about half a second) is paid once, not per ranking.

What isolation guarantees, and what it cannot, is stated on the plug-in
writing page of the documentation. In short: the plug-in cannot read the
caller's memory — the waiting list's other columns, the protected columns,
the call stack — because it is not there; it can still do anything the
operating-system user may do (read files, use the network). Process isolation
needs a POSIX system (Linux, macOS).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import mmap
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg.criteria import errors
from fuaalborg.criteria.conditions import PriorityGroup
from fuaalborg.criteria.declarations import AllDepartments, ByColour, Criterion, LettingAgreement
from fuaalborg.criteria.hookspecs import hookimpl
from fuaalborg.criteria.vocabulary import ApplicantField

__all__ = [
    "ISOLATION_MODES",
    "START_LIMIT_PARAMETER",
    "TIME_LIMIT_PARAMETER",
    "IsolatedPlugin",
    "Opaque",
    "RemoteCheck",
    "RemotePredicate",
    "Target",
    "decode",
    "encode",
]

#: How plug-ins may run: ``auto`` (installed plug-ins and plug-ins given by module name
#: in a worker process, plug-in objects in-process), ``process`` (every plug-in but the
#: library's own in a worker), ``in-process`` (none in a worker).
ISOLATION_MODES = ("auto", "process", "in-process")
#: The dated parameter holding each isolated predicate's time limit, in seconds.
TIME_LIMIT_PARAMETER = "criteria.isolation.time_limit_seconds"
#: The dated parameter holding how long a worker may take to start and load its plug-in.
START_LIMIT_PARAMETER = "criteria.isolation.start_time_limit_seconds"

_HEADER = struct.Struct("!II")
_ALIGN = 64
_MAX_JSON = 64 * 1024 * 1024

# The worker's first lines: read sys.path from the request pipe, then hand over.
_BOOTSTRAP = (
    "import json, os, sys\n"
    "fd = int(sys.argv[1])\n"
    "line = b''\n"
    "while not line.endswith(b'\\n'):\n"
    "    chunk = os.read(fd, 1)\n"
    "    if not chunk:\n"
    "        sys.exit(3)\n"
    "    line += chunk\n"
    "sys.path[:] = json.loads(line)\n"
    "from fuaalborg.criteria.worker import main\n"
    "main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))\n"
)


# ---------------------------------------------------------------------------
# Plain data between the processes


@attrs.frozen
class Opaque:
    """A value from a worker that is not plain data: shown by its type and text, never used.

    The loader's checks refuse it wherever a date, text or number is expected.
    """

    type_name: str
    text: str

    def __repr__(self) -> str:
        return self.text


def encode(value: Any) -> Any:
    """Plain JSON data for a declaration value (used in the worker).

    Texts, numbers, ``None``, dates, lists and the selectors and groups of
    agreements keep their meaning; anything else travels as its type name and
    a short text (:class:`Opaque`).
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, ByColour):
        return {"$ByColour": [encode(c) for c in value.colours]}
    if isinstance(value, AllDepartments):
        return {"$AllDepartments": True}
    if isinstance(value, PriorityGroup):
        return {"$PriorityGroup": [encode(value.criterion), value.condition_text]}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return {"$list": [encode(v) for v in items]}
    if isinstance(value, dict):
        return {"$dict": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, os.PathLike):
        return {"$path": encode(os.fspath(value))}
    try:
        text = repr(value)
    except Exception:  # a repr that fails is still only a value the loader refuses
        text = "<unprintable>"
    return {"$opaque": type(value).__name__, "text": text[:80]}


def decode(value: Any) -> Any:
    """The value :func:`encode` sent (used in the caller); unknown forms become :class:`Opaque`."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return Opaque("list", "a bare list")
    if not isinstance(value, dict) or len(value) not in (1, 2):
        return Opaque(type(value).__name__, "an unknown value")
    if "$date" in value or "$datetime" in value:
        raw = value.get("$date", value.get("$datetime"))
        try:
            parse = dt.date if "$date" in value else dt.datetime
            return parse.fromisoformat(str(raw))
        except ValueError:
            return Opaque("date", repr(raw)[:80])
    if "$list" in value and isinstance(value["$list"], list):
        return tuple(decode(v) for v in value["$list"])
    if "$dict" in value and isinstance(value["$dict"], list):
        pairs = [p for p in value["$dict"] if isinstance(p, list) and len(p) == 2]
        try:
            return {decode(k): decode(v) for k, v in pairs}
        except TypeError:
            return Opaque("dict", "a mapping")
    if "$ByColour" in value and isinstance(value["$ByColour"], list):
        return ByColour(*(decode(v) for v in value["$ByColour"]))
    if "$AllDepartments" in value:
        return AllDepartments()
    if "$PriorityGroup" in value:
        criterion, condition = [*list(value["$PriorityGroup"]), None, None][:2]
        try:
            return PriorityGroup(decode(criterion), applies_to=str(condition or ""))
        except Exception:
            return Opaque("PriorityGroup", f"a group with the condition {str(condition)[:60]!r}")
    if "$path" in value:
        return decode(value["$path"])
    if "$opaque" in value:
        return Opaque(str(value["$opaque"])[:40], str(value.get("text", ""))[:80])
    return Opaque("dict", "an unknown value")


# ---------------------------------------------------------------------------
# Framing: an 8-byte header (JSON length, payload length), JSON, payload


class _WorkerGoneError(Exception):
    """The worker's pipe closed: it ended or was stopped."""


class _TimedOutError(Exception):
    """No answer within the limit."""


def send_message(fd: int, header: Mapping[str, Any], payload: bytes = b"") -> None:
    """Write one message (used by both processes)."""
    body = json.dumps(header, separators=(",", ":")).encode()
    data = _HEADER.pack(len(body), len(payload)) + body + payload
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_exact(fd: int, n: int, deadline: float | None) -> bytes:
    chunks = []
    remaining = n
    while remaining:
        if deadline is not None:
            wait = deadline - _now()
            if wait <= 0:
                raise _TimedOutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise _TimedOutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise _WorkerGoneError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def receive_message(fd: int, deadline: float | None = None) -> tuple[dict[str, Any], bytes]:
    """Read one message; ``deadline`` is a :func:`time.monotonic` time (``None``: wait)."""
    size, payload_size = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > _MAX_JSON:
        raise ValueError("message too large")
    header = json.loads(_read_exact(fd, size, deadline))
    if not isinstance(header, dict):
        raise ValueError("message is not an object")
    payload = _read_exact(fd, payload_size, deadline) if payload_size else b""
    return header, payload


def _now() -> float:
    import time

    return time.monotonic()


# ---------------------------------------------------------------------------
# What the worker loads


@attrs.frozen
class Target:
    """How a worker finds a plug-in: a module (``pkg.mod`` or ``pkg.mod:attr``) or a pickle.

    A plug-in object passed with ``isolation="process"`` travels as a pickle
    from the caller to the worker (never the other way).
    """

    module: str | None = None
    attr: str | None = None
    pickled: bytes | None = attrs.field(default=None, repr=False)

    @classmethod
    def of_module_name(cls, name: str) -> Target:
        """``pkg.mod`` or ``pkg.mod:attr.path`` (an entry point's value)."""
        module, _, attr = name.partition(":")
        return cls(module=module.strip(), attr=attr.strip() or None)

    def to_json(self) -> dict[str, Any]:
        """The target as the worker's hello message carries it."""
        if self.pickled is not None:
            return {"pickle": self.pickled.hex()}
        return {"module": self.module, "attr": self.attr}


# ---------------------------------------------------------------------------
# Predicates that run in a worker


class RemotePredicate:
    """The predicate of an isolated criterion: a call runs it in the plug-in's worker.

    ``callable`` and ``accepts`` are what the worker reported about the
    plug-in's own predicate; the loader checks them as it checks any predicate.
    Calling it (as :meth:`fuaalborg.criteria.Registry.evaluate` does) sends the
    criterion's declared columns to the worker and returns its boolean Series.
    """

    def __init__(
        self,
        plugin: IsolatedPlugin,
        criterion_id: str,
        *,
        declared_callable: bool,
        accepts: Mapping[int, bool],
    ) -> None:
        self.plugin = plugin
        self.criterion_id = criterion_id
        self.declared_callable = declared_callable
        self._accepts = dict(accepts)
        self.__name__ = f"isolated:{criterion_id}"

    def accepts(self, arity: int) -> bool:
        """Whether the plug-in's predicate accepts ``arity`` positional arguments."""
        return bool(self._accepts.get(arity, False))

    def __call__(self, frame: pd.DataFrame, values: Mapping[str, Any] | None = None) -> Any:
        columns = {str(c): frame[c] for c in frame.columns}
        result = self.plugin.evaluate(
            [(self.criterion_id, tuple(columns), values)], columns, len(frame), time_limit=None
        )[self.criterion_id]
        return pd.Series(result, index=frame.index, name=self.criterion_id)

    def __repr__(self) -> str:
        return f"<predicate of {self.criterion_id!r} in the worker of {self.plugin.name!r}>"


# ---------------------------------------------------------------------------
# The caller's handle on one isolated plug-in


def _plain_problem(kind: str) -> type[errors.PluginError]:
    allowed: dict[str, type[errors.PluginError]] = {
        "PluginHookError": errors.PluginHookError,
        "InvalidHookResultError": errors.InvalidHookResultError,
        "InvalidHookError": errors.InvalidHookError,
        "PluginImportError": errors.PluginImportError,
    }
    return allowed.get(kind, errors.IsolationError)


def _declared(key: str, doc: str) -> Callable[[_Proxy], list[Any]]:
    """The proxy's implementation of a declaration hook: what the worker sent under ``key``."""

    def hook(self: _Proxy) -> list[Any]:
        return list(self._declarations[key])

    hook.__doc__ = doc
    return hookimpl(hook)


class _Proxy:
    """Registered with the caller's plug-in manager in the isolated plug-in's place."""

    def __init__(self, declarations: Mapping[str, list[Any]], organisation: Any) -> None:
        self._declarations = declarations
        self.ORGANISATION_CVR = organisation

    register_criteria = _declared("criteria", "The worker's criteria, rebuilt in the caller.")
    register_letting_agreements = _declared(
        "agreements", "The worker's agreements, rebuilt in the caller."
    )
    register_applicant_fields = _declared(
        "fields", "The worker's applicant fields, rebuilt in the caller."
    )
    register_parameter_files = _declared("parameter_files", "The worker's parameter file paths.")


def _shared_memory() -> int:
    """A file descriptor of anonymous shared memory (a memfd, else an unlinked temp file)."""
    if hasattr(os, "memfd_create"):
        return os.memfd_create("fuaalborg-isolated-plugin", 0)
    folder = "/dev/shm" if os.path.isdir("/dev/shm") else None
    handle = tempfile.TemporaryFile(dir=folder)  # noqa: SIM115 - kept open as a raw fd
    fd = os.dup(handle.fileno())
    handle.close()
    return fd


def _kill(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _shutdown(state: dict[str, Any], polite: bool = True) -> None:
    """Stop a worker and close the caller's ends (run at close, collection or exit).

    ``polite`` asks the worker to exit first; a worker that hangs or broke the
    protocol is killed at once.
    """
    if state.get("pid") != os.getpid():
        return  # a forked child: the worker belongs to the parent
    process = state.get("process")
    if polite and process is not None and process.poll() is None:
        try:
            send_message(state["request"], {"op": "exit"})
            process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            pass
    _kill(process)
    for key in ("request", "response", "memory"):
        fd = state.get(key)
        if fd is not None:
            with contextlib.suppress(OSError):
                os.close(fd)
            state[key] = None
    mapped = state.get("map")
    if mapped is not None:
        with contextlib.suppress(BufferError, ValueError):
            mapped.close()
        state["map"] = None
    state["process"] = None


class IsolatedPlugin:
    """One plug-in running in a worker process: its declarations and its evaluations.

    Created by the loader (:func:`fuaalborg.criteria.load`); ``name`` is the
    plug-in's name, ``target`` says how the worker imports it. :meth:`launch`
    starts the worker and asks for the declarations, :meth:`declarations`
    waits for them, :meth:`evaluate` runs criteria, :meth:`close` stops the
    worker. Thread-safe: one request at a time.
    """

    def __init__(self, name: str, target: Target, *, start_limit: float) -> None:
        self.name = name
        self.label = name
        self.target = target
        self.start_limit = start_limit
        self._lock = threading.RLock()
        self._state: dict[str, Any] = {}
        self._finalizer: Any = None
        self._digest: str | None = None
        self._seq = 0
        self._loaded_digest: str | None = None
        #: How many times a worker was started for this plug-in.
        self.starts = 0
        #: The time limit of a predicate called directly (seconds).
        self.default_time_limit = 60.0

    # -- the process ---------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether this process has a live worker."""
        process = self._state.get("process")
        return (
            self._state.get("pid") == os.getpid()
            and process is not None
            and process.poll() is None
        )

    @property
    def pid(self) -> int | None:
        """The worker's process id, when one runs."""
        process = self._state.get("process")
        return process.pid if self.running and process is not None else None

    def launch(self) -> None:
        """Start the worker and send it the hello; :meth:`declarations` reads the answer."""
        with self._lock:
            if self._state.get("pid") not in (None, os.getpid()):
                self._state = {}  # inherited from the process we were forked from
            if self.running:
                return
            self._stop()
            request_r, request_w = os.pipe()
            response_r, response_w = os.pipe()
            memory = _shared_memory()
            os.ftruncate(memory, mmap.PAGESIZE)
            command = [
                sys.executable,
                "-I",
                "-c",
                _BOOTSTRAP,
                str(request_r),
                str(response_w),
                str(memory),
                str(os.getpid()),
            ]
            stdout = 2 if _fd_open(2) else subprocess.DEVNULL
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.DEVNULL,
                    stdout=stdout,
                    pass_fds=(request_r, response_w, memory),
                    start_new_session=True,
                    close_fds=True,
                )
            finally:
                os.close(request_r)
                os.close(response_w)
            self._state = {
                "process": process,
                "request": request_w,
                "response": response_r,
                "memory": memory,
                "map": None,
                "size": 0,
                "pid": os.getpid(),
            }
            self._finalizer = weakref.finalize(self, _shutdown, self._state)
            self.starts += 1
            os.write(request_w, (json.dumps(list(map(str, sys.path))) + "\n").encode())
            self._seq += 1
            send_message(
                request_w,
                {
                    "op": "hello",
                    "seq": self._seq,
                    "name": self.name,
                    "target": self.target.to_json(),
                },
            )

    def _stop(self, polite: bool = False) -> None:
        if self._state:
            _shutdown(self._state, polite)
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None

    def close(self) -> None:
        """Stop the worker (it starts again if the plug-in is used later)."""
        with self._lock:
            if self._state.get("pid") == os.getpid():
                self._stop(polite=True)
            self._state = {}

    def _answer(self, deadline: float | None) -> tuple[dict[str, Any], bytes]:
        try:
            header, payload = receive_message(self._state["response"], deadline)
        except _TimedOutError:
            self._stop()
            raise
        except (_WorkerGoneError, OSError, ValueError) as exc:
            status = self._exit_status()
            self._stop()
            raise _WorkerGoneError(status) from exc
        if header.get("seq") != self._seq:
            self._stop()
            raise _WorkerGoneError("an answer out of turn")
        return header, payload

    def _exit_status(self) -> str:
        process = self._state.get("process")
        if process is None:
            return "stopped"
        try:
            code = process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return "not answering"
        return f"exit status {code}"

    # -- declarations ----------------------------------------------------------------

    def declarations(self) -> tuple[_Proxy | None, list[tuple[type[errors.PluginError], str]]]:
        """Wait for the worker's declarations: (a proxy to register, problems found).

        The proxy's hooks return the declarations rebuilt as the library's own
        objects, with :class:`RemotePredicate` predicates.
        """
        with self._lock:
            deadline = _now() + self.start_limit
            try:
                header, _ = self._answer(deadline)
            except _TimedOutError:
                return None, [
                    (
                        errors.IsolationError,
                        "its worker process did not load the plug-in within "
                        f"{self.start_limit:g} s",
                    )
                ]
            except _WorkerGoneError as exc:
                return None, [
                    (
                        errors.IsolationError,
                        f"its worker process ended while loading the plug-in ({exc})",
                    )
                ]
            problems = [
                (_plain_problem(str(p.get("kind"))), str(p.get("detail", ""))[:2000])
                for p in header.get("problems", [])
                if isinstance(p, dict)
            ]
            raw = header.get("declarations")
            if not isinstance(raw, dict):
                return None, problems or [
                    (errors.IsolationError, "its worker process sent no declarations")
                ]
            self._digest = hashlib.sha256(
                json.dumps(raw, sort_keys=True).encode()
            ).hexdigest()
            decoded, more = self._decode(raw)
            return _Proxy(decoded, decode(raw.get("organisation_cvr"))), problems + more

    def _decode(
        self, raw: Mapping[str, Any]
    ) -> tuple[dict[str, list[Any]], list[tuple[type[errors.PluginError], str]]]:
        problems: list[tuple[type[errors.PluginError], str]] = []
        builders: tuple[tuple[str, Callable[[Any], Any]], ...] = (
            ("criteria", self._criterion),
            ("agreements", _agreement),
            ("fields", _field),
            ("parameter_files", _path),
        )
        out: dict[str, list[Any]] = {kind: [] for kind, _ in builders}
        for kind, build in builders:
            items = raw.get(kind, [])
            if not isinstance(items, list):
                continue
            for i, item in enumerate(items):
                try:
                    out[kind].append(build(item))
                except Exception as exc:
                    problems.append(
                        (
                            errors.InvalidHookResultError,
                            f"declaration {i + 1} of its {kind.replace('_', ' ')} cannot be read "
                            f"back from its worker process ({type(exc).__name__})",
                        )
                    )
        return out, problems

    def _criterion(self, item: Mapping[str, Any]) -> Criterion:
        fields = {k: decode(item.get(k)) for k in _CRITERION_FIELDS}
        accepts = item.get("accepts", {})
        predicate = RemotePredicate(
            self,
            str(fields["id"]),
            declared_callable=bool(item.get("callable")),
            accepts={
                int(k): bool(v) for k, v in (accepts.items() if isinstance(accepts, dict) else ())
                if str(k).isdigit()
            },
        )
        reads = fields.pop("reads")
        parameters = fields.pop("parameters")
        return Criterion(
            reads=_as_tuple(reads),
            parameters=_as_tuple(parameters),
            predicate=predicate,
            **fields,
        )

    # -- evaluation --------------------------------------------------------------------

    def _ensure(self) -> None:
        if self.running:
            return
        self.launch()
        proxy, problems = self.declarations()
        digest = self._digest
        if proxy is None or problems:
            detail = "; ".join(d for _, d in problems) or "it declared nothing"
            raise _WorkerGoneError(f"the restarted worker could not load the plug-in: {detail}")
        if digest != self._loaded_digest:
            self._stop()
            raise _WorkerGoneError(
                "the restarted worker declared other criteria than when the plug-in was loaded"
            )

    def remember_declarations(self) -> None:
        """Record the loaded declarations; a restarted worker must declare the same."""
        self._loaded_digest = self._digest

    def evaluate(
        self,
        batch: Sequence[tuple[str, Iterable[str], Mapping[str, Any] | None]],
        columns: Mapping[str, pd.Series[Any]],
        rows: int,
        *,
        time_limit: float | None,
    ) -> dict[str, np.ndarray[Any, np.dtype[np.bool_]]]:
        """Evaluate ``batch`` — (criterion id, fields read, parameter values) — in the worker.

        ``columns`` holds every column the batch reads (and no other: the
        caller's firewall chooses them). Returns one boolean array per
        criterion. Raises :class:`~fuaalborg.criteria.PredicateError` (or a
        subclass) naming the plug-in and the first criterion that failed; later
        criteria of the batch are not evaluated then.
        """
        limit = time_limit if time_limit is not None else self.default_time_limit
        with self._lock:
            try:
                return self._evaluate(batch, columns, rows, limit)
            except KeyboardInterrupt:
                self._stop()  # the worker is mid-request: its next answer would be stale
                raise

    def _evaluate(
        self,
        batch: Sequence[tuple[str, Iterable[str], Mapping[str, Any] | None]],
        columns: Mapping[str, pd.Series[Any]],
        rows: int,
        limit: float,
    ) -> dict[str, np.ndarray[Any, np.dtype[np.bool_]]]:
        first = batch[0][0] if batch else "?"
        try:
            self._ensure()
        except _WorkerGoneError as exc:
            raise errors.PredicateError(
                f"its worker process cannot run: {exc}", plugin=self.label, criterion=first
            ) from None
        needed = sorted({str(f) for _, reads, _ in batch for f in reads})
        try:
            layout, size = self._write({name: columns[name].array for name in needed})
        except Exception as exc:  # a column of Python objects that cannot be pickled
            raise errors.PredicateError(
                f"its columns cannot be sent to its worker process ({type(exc).__name__}: "
                f"{' '.join(str(exc).split())[:200]})",
                plugin=self.label,
                criterion=first,
            ) from None
        self._seq += 1
        request = {
            "op": "evaluate",
            "seq": self._seq,
            "rows": int(rows),
            "size": size,
            "layout": layout,
            "criteria": [
                {
                    "id": cid,
                    "reads": sorted(str(f) for f in reads),
                    "values": None
                    if values is None
                    else {str(k): encode(v) for k, v in values.items()},
                }
                for cid, reads, values in batch
            ],
        }
        try:
            send_message(self._state["request"], request)
        except OSError:
            status = self._exit_status()
            self._stop()
            raise errors.PredicateError(
                f"its worker process ended ({status})", plugin=self.label, criterion=first
            ) from None
        out: dict[str, npt.NDArray[np.bool_]] = {}
        for cid, _reads, _values in batch:
            try:
                header, payload = self._answer(_now() + limit)
            except _TimedOutError:
                raise errors.PredicateTimeoutError(
                    f"its predicate ran longer than the time limit of {limit:g} s "
                    f"({TIME_LIMIT_PARAMETER}); its worker process was stopped",
                    plugin=self.label,
                    criterion=cid,
                ) from None
            except _WorkerGoneError as exc:
                raise errors.PredicateError(
                    f"its worker process ended while the predicate ran ({exc})",
                    plugin=self.label,
                    criterion=cid,
                ) from None
            if header.get("id") != cid:
                self._stop()
                raise errors.PredicateError(
                    "its worker process answered for another criterion",
                    plugin=self.label,
                    criterion=cid,
                )
            if not header.get("ok"):  # the worker stops a batch at its first failure
                raise _failure(header, self.label, cid)
            out[cid] = _bits(payload, rows, self.label, cid)
        return out

    def _write(self, arrays: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
        buffers: list[pickle.PickleBuffer] = []

        def keep(buffer: pickle.PickleBuffer) -> bool:
            try:
                buffer.raw()
            except BufferError:
                return True  # not contiguous: pickled in band
            buffers.append(buffer)
            return False

        head = pickle.dumps(dict(arrays), protocol=5, buffer_callback=keep)
        spans = []
        offset = len(head)
        raws = [b.raw() for b in buffers]
        for raw in raws:
            offset = -(-offset // _ALIGN) * _ALIGN
            spans.append((offset, raw.nbytes))
            offset += raw.nbytes
        size = max(offset, 1)
        self._reserve(size)
        mapped = self._state["map"]
        mapped[0 : len(head)] = head
        for (start, length), raw in zip(spans, raws, strict=True):
            mapped[start : start + length] = raw.cast("B")
        return {"head": [0, len(head)], "buffers": spans}, size

    def _reserve(self, size: int) -> None:
        if size <= self._state["size"] and self._state["map"] is not None:
            return
        grown = max(size, 2 * self._state["size"], 1 << 20)
        grown = -(-grown // mmap.PAGESIZE) * mmap.PAGESIZE
        if self._state["map"] is not None:
            self._state["map"].close()
        os.ftruncate(self._state["memory"], grown)
        self._state["map"] = mmap.mmap(self._state["memory"], grown)
        self._state["size"] = grown


def _fd_open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True


def _failure(header: Mapping[str, Any], plugin: str, cid: str) -> errors.PredicateError:
    kind = header.get("kind")
    detail = str(header.get("detail", "its predicate failed"))[:1000]
    if kind == "access":
        return errors.CriterionAccessError(cid, str(header.get("field", "?"))[:200], plugin=plugin)
    if kind == "result":
        return errors.CriterionResultError(detail, plugin=plugin, criterion=cid)
    return errors.PredicateError(detail, plugin=plugin, criterion=cid)


def _bits(payload: bytes, rows: int, plugin: str, cid: str) -> npt.NDArray[np.bool_]:
    if len(payload) != (rows + 7) // 8:
        raise errors.PredicateError(
            "its worker process sent a result of the wrong length", plugin=plugin, criterion=cid
        )
    packed = np.frombuffer(payload, dtype=np.uint8)
    return np.unpackbits(packed, count=rows).astype(bool)


def _as_tuple(value: Any) -> Any:
    if isinstance(value, tuple):
        return value
    return (value,) if value is not None else ()


_CRITERION_FIELDS = (
    "id",
    "title",
    "reads",
    "legal_basis",
    "valid_from",
    "valid_until",
    "documentation",
    "title_da",
    "parameters",
)


def _agreement(item: Mapping[str, Any]) -> LettingAgreement:
    names = [a.name for a in attrs.fields(LettingAgreement)]
    fields = {k: decode(item.get(k)) for k in names if k in item}
    return LettingAgreement(**fields)


def _field(item: Mapping[str, Any]) -> ApplicantField:
    names = [a.name for a in attrs.fields(ApplicantField) if a.name != "check"]
    fields = {k: decode(item.get(k)) for k in names if k in item}
    allowed = fields.get("allowed")
    if allowed is not None and not isinstance(allowed, tuple):
        fields["allowed"] = (allowed,)
    field = ApplicantField(**fields)
    if item.get("check"):
        return attrs.evolve(field, check=RemoteCheck())
    return field


class RemoteCheck:
    """Marks a field whose own check function stayed in the plug-in's worker.

    The loader refuses such a field: the check would have to run in the caller.
    """

    def __call__(self, values: pd.Series[Any]) -> pd.Series[bool]:  # pragma: no cover
        raise errors.IsolationError(
            "the check function of an isolated plug-in's field cannot run in the caller",
            plugin="?",
        )


def _path(item: Any) -> str:
    value = decode(item)
    if not isinstance(value, str):
        raise TypeError("not a path")
    return value
