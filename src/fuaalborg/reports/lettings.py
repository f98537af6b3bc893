"""Reading a letting ledger for a report: its lettings, corrections and rule versions.

:func:`letting_frame` turns the ledger's events into one row per vacancy of the
period with its current decision, as R1–R3 and R6 count them;
:func:`corrections` lists the voids and corrections of the period (R1);
:func:`check_ledger` finds the rule versions the ledger's decisions in the
period were made under and every reason the ledger cannot be reported on — a
ledger of another format, of another municipality (by the fingerprint of its
departments and dwellings), or recorded under other rule versions than the
loaded agreement's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fuaalborg.errors import FuaalborgError
from fuaalborg.formatting import format_value
from fuaalborg.letting.events import FORMAT as LEDGER_FORMAT
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import RETIRED_PARAMETERS, ParameterSet

if TYPE_CHECKING:
    from fuaalborg.letting.ledger import Ledger

__all__ = [
    "check_ledger",
    "corrections",
    "ledger_events",
    "letting_frame",
    "removed_departments",
]


def ledger_events(ledger: Ledger | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events of ``ledger``: a :class:`~fuaalborg.letting.ledger.Ledger` or its
    list of events."""
    from fuaalborg.letting.ledger import Ledger

    if isinstance(ledger, Ledger):
        return list(ledger.events())
    return list(ledger)


def letting_frame(
    events: Sequence[Mapping[str, Any]], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """One row per vacancy recorded from ``start`` to ``end``, with its current decision.

    Columns: ``vacancy_id, on, department_id, dwelling_id, kind,
    monthly_rent_dkk, colour, route, subroute, turn, reason_code, rules,
    category`` (one of :data:`~fuaalborg.reports.model.ROUTE_CATEGORIES`), ``referred``
    (first sent to the referral), ``outcome`` (one of
    :data:`~fuaalborg.reports.model.REFERRAL_OUTCOMES`, as of
    ``end``), ``signed_on``, ``applicant_id``, ``list`` and ``group`` (of a signed
    lease; the priority group on the flexible route, missing otherwise) and
    ``late``. Corrections made by ``end`` are applied; vacancies voided by
    ``end`` are left out.
    """
    vacancies: dict[str, dict[str, Any]] = {}
    voided: set[str] = set()
    for event in events:
        kind = event.get("type")
        if kind == "vacancy":
            day = dt.date.fromisoformat(str(event["on"]))
            if start <= day <= end:
                row = {k: event.get(k) for k in _VACANCY_FIELDS}
                row["referred"] = event["route"] == "referral"
                row["late"] = bool(event.get("late", False))
                row["answer"] = None
                row["signed_on"] = None
                row["applicant_id"] = None
                row["list"] = None
                row["group"] = None
                vacancies[str(event["vacancy_id"])] = row
            continue
        vid = str(event.get("vacancy_id"))
        row_or_none = vacancies.get(vid)
        if row_or_none is None or "on" not in event:
            continue
        if dt.date.fromisoformat(str(event["on"])) > end:
            continue
        row = row_or_none
        if kind == "answer":
            row["answer"] = event["answer"]
            if event["answer"] == "declined":
                for k in ("route", "subroute", "turn", "reason_code", "rules"):
                    row[k] = event.get(k)
        elif kind == "signed":
            row["signed_on"] = event["on"]
            row["applicant_id"] = event.get("applicant_id")
            row["list"] = event.get("list")
            row["group"] = event.get("group")
        elif kind == "void":
            voided.add(vid)
        elif kind == "correction":
            for name, (_old, new) in dict(event.get("changes", {})).items():
                row["on" if name == "vacant_on" else name] = new
    kept = [row for vid, row in vacancies.items() if vid not in voided]
    frame = pd.DataFrame(kept, columns=[*_VACANCY_FIELDS, "referred", "late", "answer",
                                        "signed_on", "applicant_id", "list", "group"])
    frame["late"] = frame["late"].astype(bool)
    frame["group"] = pd.to_numeric(frame["group"]).astype("Int64")
    frame["on"] = pd.to_datetime(frame["on"]).astype("datetime64[s]")
    frame["signed_on"] = pd.to_datetime(frame["signed_on"]).astype("datetime64[s]")
    route = frame["route"].astype(object)
    sub = frame["subroute"].astype(object)
    turn = frame["turn"].astype(object)
    frame["category"] = np.select(
        [route.eq("referral"), sub.eq("flexible"), turn.eq("internal")],
        ["referral", "flexible", "internal"],
        default="ordinary",
    )
    answer = frame["answer"].astype(object)
    frame["outcome"] = np.select(
        [
            ~frame["referred"].astype(bool),
            answer.eq("let"),
            answer.eq("accepted"),
            answer.eq("declined"),
        ],
        ["not_referred", "referral_let", "referral_accepted", "referral_declined"],
        default="referral_pending",
    )
    frame["monthly_rent_dkk"] = frame["monthly_rent_dkk"].astype(float)
    return frame


_VACANCY_FIELDS = (
    "vacancy_id",
    "on",
    "department_id",
    "dwelling_id",
    "kind",
    "monthly_rent_dkk",
    "colour",
    "route",
    "subroute",
    "turn",
    "reason_code",
    "rules",
)



def corrections(
    events: Sequence[Mapping[str, Any]], start: dt.date, end: dt.date
) -> list[Mapping[str, Any]]:
    """The voids and corrections made from ``start`` to ``end`` (both inclusive), in order."""
    return [
        e for e in events
        if e.get("type") in ("void", "correction") and "on" in e
        and start <= dt.date.fromisoformat(str(e["on"])) <= end
    ]


def check_ledger(
    events: Sequence[Mapping[str, Any]],
    municipality: Municipality,
    start: dt.date,
    end: dt.date,
    params: ParameterSet,
) -> tuple[pd.DataFrame, list[str]]:
    """The rule versions the ledger's decisions from ``start`` to ``end`` were made under,
    and every problem with the ledger.

    The versions are one row per parameter and start date (``parameter, value,
    from, until, reference``, as the ledger recorded them). A problem is a ledger
    without its header, of another format or another municipality, that uses
    rules it does not record, or whose rules differ from the loaded parameters'.
    """
    problems: list[str] = []
    header = next((e for e in events if e.get("type") == "created"), None)
    if events and header is None:
        problems.append("the ledger has no 'created' header event")
    if header is not None:
        if header.get("format") != LEDGER_FORMAT:
            problems.append(
                f"the ledger's format is {header.get('format')!r}; this report reads "
                f"{LEDGER_FORMAT!r}"
            )
        problems.extend(_other_municipality(events, header, municipality, end))
    rules_events = {e["id"]: e for e in events if e.get("type") == "rules"}
    used: dict[str, dt.date] = {}
    for e in events:
        if e.get("type") in ("vacancy", "answer") and e.get("rules") and "on" in e:
            day = dt.date.fromisoformat(str(e["on"]))
            if start <= day <= end and e["rules"] not in used:
                used[str(e["rules"])] = day
    rows = []
    for rules_id, day in used.items():
        event = rules_events.get(rules_id)
        if event is None:
            problems.append(f"the ledger uses rules {rules_id!r} but does not record them")
            continue
        for name, recorded in event["values"].items():
            rows.append(
                {
                    "parameter": name,
                    "value": recorded.get("value"),
                    "from": recorded.get("from"),
                    "until": recorded.get("until"),
                    "reference": recorded.get("reference"),
                }
            )
            if recorded.get("from") is None or name in RETIRED_PARAMETERS:
                # a rule the parameter files have since renamed: its recorded value decided,
                # and the ledger's verify re-derives those decisions from it
                continue
            try:
                current = params.lookup(name, day, warn=False)
            except (FuaalborgError, KeyError):
                problems.append(
                    f"the ledger's rule {name} (from {recorded.get('from')}) is not in force "
                    f"under the loaded agreement on {day.isoformat()}"
                )
                continue
            if current.start.isoformat() != recorded.get("from") or not _same(
                current.value, recorded.get("value")
            ):
                problems.append(
                    f"the ledger was recorded under another rule version: {name} = "
                    f"{format_value(recorded.get('value'))} from {recorded.get('from')}, but "
                    f"{format_value(current.value)} from {current.start.isoformat()} is in force "
                    f"on {day.isoformat()} ({current.reference})"
                )
    versions = pd.DataFrame(rows, columns=["parameter", "value", "from", "until", "reference"])
    versions = versions.drop_duplicates(subset=["parameter", "from"]).reset_index(drop=True)
    return versions, problems


def _other_municipality(events: Sequence[Mapping[str, Any]], header: Mapping[str, Any],
                        municipality: Municipality, end: dt.date) -> list[str]:
    """Why the ledger is not ``municipality``'s, by the fingerprint of its departments and
    dwellings.

    The name a ledger recorded tells nothing (a municipality.toml may be
    renamed; two municipalities may share a name): the fingerprint of the
    departments and their dwellings does
    (:func:`~fuaalborg.letting.registry.registry_fingerprint`). Where the
    ledger's stock has changed (``stock`` events), ``municipality`` is accepted as the
    stock as it is now — the tables a municipality keeps — or as it was on the
    period's last day ``end``; a stock the ledger had before and moved on from
    in the period or since is named, with the day it changed.
    """
    from fuaalborg.letting.registry import registry_fingerprint
    from fuaalborg.letting.stock import StockHistory

    # the fingerprints of the registries the events hold (not those they state)
    history = StockHistory.from_events(
        [{**e, "registry": e.get("registry") or {}} for e in events
         if e.get("type") in ("created", "stock")], recorded=False)
    current, at_end = history.current, history.in_force(end)
    found = registry_fingerprint(municipality)
    if found in (current.fingerprint, at_end.fingerprint):
        return []
    older = history.find(found)
    if older is not None:
        later = history.stocks[history.stocks.index(older) + 1]
        then = ("" if at_end is current else f" or as they were on {end.isoformat()} "
                f"(fingerprint {at_end.fingerprint})")
        return [
            f"{municipality.name!r} has the ledger's departments and dwellings as they were "
            f"before the stock changed on {later.on} (event {later.seq}): give the "
            f"municipality's tables as they are now (fingerprint {current.fingerprint}){then}"
        ]
    name = header.get("municipality")
    since = "" if current.on is None else f", its stock since {current.on}"
    problem = (
        f"the ledger was created for {name!r} (fingerprint {current.fingerprint} of its "
        f"departments and dwellings{since}); {municipality.name!r} has other departments or "
        f"dwellings (fingerprint {found}): the ledger belongs to another municipality, or to "
        "another version of its dwellings table (a change of stock is recorded with "
        "`fuaalborg ledger update-stock`)"
    )
    ours = set(municipality.departments["department_id"].astype(str))
    unknown = sorted(set(map(str, current.registry)) - ours)
    lacking = sorted(ours - set(map(str, current.registry)))
    for count, ids, what in ((len(unknown), unknown, "the municipality does not have"),
                             (len(lacking), lacking, "the ledger does not have")):
        if count:
            shown = ", ".join(ids[:10]) + (" …" if count > 10 else "")
            problem += f"; {count} department(s) {what}: {shown}"
    return [problem]


def removed_departments(
    events: Sequence[Mapping[str, Any]], municipality: Municipality, lettings: pd.DataFrame
) -> tuple[dict[str, tuple[str, dt.date | None]], list[str]]:
    """Departments of the period's lettings that ``municipality`` no longer has, and problems.

    A department removed from the ledger's stock (a ``stock`` event) keeps its
    lettings of before the change: the report counts them under the
    department's housing organisation as the ledger records it, with the day
    it left the stock. Returns department -> (organisation CVR, day it left),
    and a problem for each such department whose organisation the ledger does
    not record. Never drops a letting silently.
    """
    ours = set(municipality.departments["department_id"].astype(str))
    missing = sorted(set(lettings["department_id"].astype(str)) - ours)
    if not missing:
        return {}, []
    organisations: dict[str, str] = {}
    left: dict[str, dt.date] = {}
    present: set[str] = set()
    for event in events:
        kind = event.get("type")
        if kind in ("created", "organisations", "stock"):
            organisations.update({str(k): str(v) for k, v in
                                  dict(event.get("organisations") or {}).items()})
        if kind in ("created", "stock"):
            now = set(map(str, dict(event.get("registry") or {})))
            for dep in present - now:
                left[dep] = dt.date.fromisoformat(str(event["on"]))
            for dep in now:
                left.pop(dep, None)
            present = now
    found: dict[str, tuple[str, dt.date | None]] = {}
    problems = []
    for dep in missing:
        org = organisations.get(dep)
        if org is None:
            problems.append(
                f"the period has lettings in department {dep!r}, which the municipality's "
                "tables do not have and whose housing organisation the ledger does not record")
        else:
            found[dep] = (org, left.get(dep))
    return found, problems


def _same(a: Any, b: Any) -> bool:
    """Whether a parameter value and its recorded form are the same value: tables key by
    key in any order (a stored event's keys may come back sorted), lists item by item,
    numbers by exact value (``0.25`` is ``"1/4"``)."""
    from fractions import Fraction

    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    try:
        return Fraction(format_value(a)) == Fraction(format_value(b))
    except (ValueError, ZeroDivisionError, TypeError):
        return format_value(a) == format_value(b)

