"""The worker process of an isolated plug-in (run by :mod:`fuaalborg.criteria.isolation`).

Started as a fresh interpreter with three inherited file descriptors: a pipe
for requests, a pipe for answers and the shared memory the caller writes the
declared columns into (mapped here read-only). It imports one plug-in and then
serves requests until the caller says ``exit`` or goes away:

``hello``
    import the plug-in, call its hooks, answer with its declarations as plain
    data (see :func:`fuaalborg.criteria.isolation.encode`) and every problem
    found while calling the hooks;
``evaluate``
    read the columns, and for each criterion of the request build the
    predicate's frame with the firewall (:func:`fuaalborg.criteria.firewall.project`:
    the declared columns only, each a private copy), run the predicate and
    check its result (:func:`~fuaalborg.criteria.firewall.check_result`);
    answer with one bit per applicant, or the failure. A batch stops at its
    first failure.

Nothing here trusts the plug-in: it runs in this process, so it could change
any of this code — which is why the caller checks every answer again and never
reads anything from this process but JSON and bits.
"""

from __future__ import annotations

import importlib
import mmap
import os
import pickle
import signal
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd
import pluggy

from fuaalborg.criteria import errors
from fuaalborg.criteria.declarations import Criterion, LettingAgreement
from fuaalborg.criteria.firewall import check_result, describe_exception, project, run
from fuaalborg.criteria.hookspecs import PROJECT, HookSpecs
from fuaalborg.criteria.isolation import encode, receive_message, send_message
from fuaalborg.criteria.vocabulary import ApplicantField

__all__ = ["main"]

_HOOKS = (
    ("register_criteria", Criterion, "criteria"),
    ("register_letting_agreements", LettingAgreement, "agreements"),
    ("register_applicant_fields", ApplicantField, "fields"),
    ("register_parameter_files", str, "parameter_files"),
)


def _watch_parent(parent: int) -> None:
    """End this process when the caller has gone (checked every second)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(0)
            time.sleep(1.0)

    threading.Thread(target=watch, name="fuaalborg-parent-watch", daemon=True).start()


def _load(target: Mapping[str, Any]) -> Any:
    if "pickle" in target:
        return pickle.loads(bytes.fromhex(str(target["pickle"])))
    module = importlib.import_module(str(target["module"]))
    obj: Any = module
    for part in filter(None, str(target.get("attr") or "").split(".")):
        obj = getattr(obj, part)
    return obj


def _encode_criterion(crit: Criterion) -> dict[str, Any]:
    from fuaalborg.criteria.checks import accepts

    predicate = crit.predicate
    is_callable = callable(predicate)
    return {
        "id": encode(crit.id),
        "title": encode(crit.title),
        "title_da": encode(crit.title_da),
        "reads": encode(crit.reads),
        "legal_basis": encode(crit.legal_basis),
        "valid_from": encode(crit.valid_from),
        "valid_until": encode(crit.valid_until),
        "documentation": encode(crit.documentation),
        "parameters": encode(crit.parameters),
        "callable": is_callable,
        "accepts": {str(k): bool(is_callable and accepts(predicate, k)) for k in (1, 2)},
    }


def _encode_attrs(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        a.name: encode(getattr(obj, a.name))
        for a in attrs.fields(type(obj))
        if a.name not in skip
    }


class _Worker:
    def __init__(self, request: int, response: int, memory: int) -> None:
        self.request = request
        self.response = response
        self.memory = memory
        self.map: mmap.mmap | None = None
        self.criteria: dict[str, Criterion] = {}

    def answer(self, seq: Any, header: dict[str, Any], payload: bytes = b"") -> None:
        send_message(self.response, {"seq": seq, **header}, payload)

    def hello(self, header: Mapping[str, Any]) -> None:
        from fuaalborg.criteria.loading import call_hook

        seq = header.get("seq")
        name = str(header.get("name"))
        target = header.get("target") or {}
        problems: list[dict[str, str]] = []
        try:
            obj = _load(target)
        except BaseException as exc:
            problems.append(
                {"kind": "PluginImportError", "detail": f"cannot be imported ({describe(exc)})"}
            )
            self.answer(seq, {"problems": problems})
            return
        manager = pluggy.PluginManager(PROJECT)
        manager.add_hookspecs(HookSpecs)
        try:
            manager.register(obj, name=name)
            manager.check_pending()
        except pluggy.PluginValidationError as exc:
            problems.append({"kind": "InvalidHookError", "detail": str(exc)})
        except ValueError as exc:
            problems.append({"kind": "InvalidHookError", "detail": f"cannot be registered ({exc})"})
        declarations: dict[str, Any] = {}
        for hook, expected, key in _HOOKS:
            items, found = call_hook(manager, hook, expected)
            problems.extend({"kind": cls.__name__, "detail": detail} for cls, detail, _ in found)
            encoded = []
            for _, item in items:
                if key == "criteria":
                    encoded.append(_encode_criterion(item))
                    if isinstance(item.id, str):
                        self.criteria.setdefault(item.id, item)
                elif key == "fields":
                    out = _encode_attrs(item, skip=("check",))
                    out["check"] = item.check is not None
                    encoded.append(out)
                elif key == "agreements":
                    encoded.append(_encode_attrs(item))
                else:
                    encoded.append(encode(item))
            declarations[key] = encoded
        try:
            declarations["organisation_cvr"] = encode(getattr(obj, "ORGANISATION_CVR", None))
        except BaseException as exc:
            problems.append({"kind": "PluginHookError", "detail": describe(exc)})
        self.answer(seq, {"declarations": declarations, "problems": problems})

    def _view(self, size: int) -> memoryview:
        if self.map is None or len(self.map) < size:
            self.map = mmap.mmap(self.memory, os.fstat(self.memory).st_size, prot=mmap.PROT_READ)
        return memoryview(self.map)

    def evaluate(self, header: Mapping[str, Any]) -> None:
        seq = header.get("seq")
        rows = int(header["rows"])
        view = self._view(int(header["size"]))
        layout = header["layout"]
        start, length = layout["head"]
        buffers = [view[o : o + n] for o, n in layout["buffers"]]
        arrays = pickle.loads(view[start : start + length], buffers=buffers)
        index = pd.RangeIndex(rows)
        columns = {name: pd.Series(a, index=index, copy=False) for name, a in arrays.items()}
        for item in header["criteria"]:
            cid = str(item["id"])
            failure = self._one(seq, item, cid, columns, rows, index)
            if failure is not None:
                self.answer(seq, {"id": cid, "ok": False, **failure})
                break
        del arrays, columns, buffers, view

    def _one(
        self,
        seq: Any,
        item: Mapping[str, Any],
        cid: str,
        columns: Mapping[str, pd.Series[Any]],
        rows: int,
        index: pd.RangeIndex,
    ) -> dict[str, str] | None:
        from fuaalborg.criteria.isolation import decode

        crit = self.criteria.get(cid)
        if crit is None:
            return {"kind": "predicate", "detail": "the plug-in's worker does not know it"}
        raw = item.get("values")
        values = None if raw is None else {str(k): _value(v, decode) for k, v in raw.items()}
        try:
            frame = project(columns, item["reads"], cid, rows=rows)
            result = run(cid, crit.predicate, frame, values)
            checked = check_result(cid, result, rows, index)
        except errors.CriterionAccessError as exc:
            return {"kind": "access", "field": exc.field}
        except errors.CriterionResultError as exc:
            return {"kind": "result", "detail": exc.detail}
        except errors.PredicateError as exc:
            return {"kind": "predicate", "detail": exc.detail}
        except BaseException as exc:
            return {"kind": "predicate", "detail": describe_exception(exc)}
        bits = np.packbits(checked.to_numpy(dtype=bool)).tobytes()
        self.answer(seq, {"id": cid, "ok": True}, bits)
        return None


def _value(raw: Any, decode: Any) -> Any:
    """A parameter value as the caller had it (lists stay lists, tables stay dicts)."""
    if isinstance(raw, dict) and "$list" in raw and isinstance(raw["$list"], list):
        return [_value(v, decode) for v in raw["$list"]]
    if isinstance(raw, dict) and "$dict" in raw and isinstance(raw["$dict"], list):
        return {decode(k): _value(v, decode) for k, v in raw["$dict"]}
    return decode(raw)


def describe(exc: BaseException) -> str:
    """``TypeName: message`` of an exception, shortened."""
    text = " ".join(str(exc).split())[:300]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def main(request: int, response: int, memory: int, parent: int) -> None:
    """Serve one isolated plug-in until the caller says ``exit`` or closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C is the caller's to handle
    _watch_parent(parent)
    worker = _Worker(request, response, memory)
    while True:
        try:
            header, _ = receive_message(request)
        except Exception:
            break
        op = header.get("op")
        if op == "hello":
            worker.hello(header)
        elif op == "evaluate":
            try:
                worker.evaluate(header)
            except Exception as exc:  # the request could not be read: fail its first criterion
                first = (header.get("criteria") or [{}])[0].get("id", "?")
                worker.answer(
                    header.get("seq"),
                    {"id": first, "ok": False, "kind": "predicate",
                     "detail": f"its worker process could not read the columns ({describe(exc)})"},
                )
        else:
            break
    sys.stdout.flush()
    os._exit(0)
