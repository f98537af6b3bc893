"""Checking a ledger: every decision, void and late mark re-derived, the state rebuilt.

:func:`check_decisions` re-derives every routing decision and void with the
vectorised routing core (:func:`~fuaalborg.letting.routing.route_frame`) and
every late mark from the vacancies recorded before it; :func:`snapshot` reads
a store's whole state so that it can be compared with the state the events
lead to. :meth:`fuaalborg.Ledger.verify` uses both and reports a
:class:`VerifyReport`; every disagreement is a
:class:`~fuaalborg.letting.errors.LedgerCorruptError` naming the first event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg.errors import LIBRARY_WORDING, ValidationError, Wording
from fuaalborg.formatting import counted, kroner
from fuaalborg.letting.errors import LedgerCorruptError
from fuaalborg.letting.routing import COUNTING_REASONS, Counters, Rules, route_frame
from fuaalborg.letting.store import StateView

__all__ = [
    "Correction",
    "RulesOf",
    "VerifyReport",
    "check_decisions",
    "check_late",
    "first_difference",
    "snapshot",
    "value_text",
]

#: Gives the :class:`~fuaalborg.letting.routing.Rules` of a rules id and its recorded values.
RulesOf = Callable[[str, Mapping[str, Any]], Rules]


@attrs.frozen
class Correction:
    """A void or a correction as the ledger records it: who, when, why, what changed."""

    seq: int
    type: str
    on: dt.date
    at: str
    vacancy_id: str
    by: str
    reason: str
    changes: Mapping[str, Any]

    def describe(self, words: Wording = LIBRARY_WORDING) -> str:
        """One line: ``event 12 (void, 2024-05-02 by kb): V3 — reason``.

        A correction names each fact it changed as ``words`` names the argument
        of :meth:`~fuaalborg.Ledger.correct` (the library's own wording: the
        argument, ``monthly_rent_dkk``; a front end's: its option, ``--rent``),
        and shows the old and the new value as :func:`value_text` does:

        >>> fix = Correction(4, "correction", dt.date(2024, 6, 3), "2024-06-03T09:00:00",
        ...                  "V1", "kb", "typo", {"monthly_rent_dkk": [6546.0, 45000.0],
        ...                                       "vacant_on": ["2024-06-01", "2024-06-02"]})
        >>> print(fix.describe().split(": ", 2)[2])
        monthly_rent_dkk 6.546 kr. -> 45.000 kr., vacant_on 2024-06-01 -> 2024-06-02; reason: typo
        >>> print(fix.describe(Wording(names={"monthly_rent_dkk": "--rent"})).split(": ", 2)[2])
        --rent 6.546 kr. -> 45.000 kr., vacant_on 2024-06-01 -> 2024-06-02; reason: typo
        """
        if self.type == "void":
            what = "stops counting (" + ", ".join(
                f"{k} -{v}" for k, v in self.changes.items() if v) + ")"
        else:
            what = ", ".join(
                f"{words.name(k)} {value_text(k, old)} -> {value_text(k, new)}"
                for k, (old, new) in self.changes.items()
            )
        return (f"event {self.seq} ({self.type} on {self.on.isoformat()} by {self.by}, written "
                f"{self.at}): {self.vacancy_id}: {what}; reason: {self.reason}")


def value_text(field: str, value: Any) -> str:
    """A corrected fact's value as a line shows it: a rent in kroner as the screen writes
    amounts (:func:`~fuaalborg.formatting.kroner`), rooms as a whole number, a date and a
    dwelling id as they are.

    >>> value_text("monthly_rent_dkk", 6499.5), value_text("rooms", 3.0)
    ('6.499,50 kr.', '3')
    """
    if value is None:
        return "–"
    if field == "monthly_rent_dkk":
        return f"{kroner(float(value))} kr."
    if field == "rooms" and isinstance(value, int | float) and float(value).is_integer():
        return str(int(value))
    return str(value)


@attrs.frozen
class VerifyReport:
    """What :meth:`fuaalborg.Ledger.verify` checked: events, vacancies, every void and correction.

    ``corrections`` holds the voids and the corrections, in order (each with its
    ``type``); :meth:`describe` counts them apart.
    """

    target: str
    events: int
    vacancies: int
    voided: int
    late: int
    corrections: tuple[Correction, ...]
    #: Changes of the housing stock (``stock`` events) checked.
    stock_changes: int = 0

    def describe(self, words: Wording = LIBRARY_WORDING) -> list[str]:
        """Readable lines: a summary, then each void and correction
        (:meth:`Correction.describe`, its facts named by ``words``).

        Every count reads with its noun (:func:`~fuaalborg.formatting.counted`): the
        events by type (a *void* is an event), the vacancies by what they are now
        (a *void vacancy* was voided):

        >>> report = VerifyReport(target="t", events=9, vacancies=7, voided=1, late=0,
        ...                       corrections=(), stock_changes=1)
        >>> for part in report.describe()[0].split("; "):
        ...     print(part)
        t: 9 events verified (0 voids, 0 corrections, 1 change of stock)
        7 vacancies (1 void vacancy, 0 late vacancies)
        every checksum, decision, counter and state row agrees with the events
        """
        voids = sum(c.type == "void" for c in self.corrections)
        fixes = len(self.corrections) - voids
        events = [counted(voids, "void"), counted(fixes, "correction")]
        if self.stock_changes:
            events.append(counted(self.stock_changes, "change") + " of stock")
        vacancies = [counted(self.voided, "void vacancy", "void vacancies"),
                     counted(self.late, "late vacancy", "late vacancies")]
        head = (f"{self.target}: {counted(self.events, 'event')} verified ({', '.join(events)}); "
                f"{counted(self.vacancies, 'vacancy', 'vacancies')} ({', '.join(vacancies)}); "
                "every checksum, decision, counter and state row agrees with the events")
        return [head, *(f"  {c.describe(words)}" for c in self.corrections)]


def check_decisions(docs: Sequence[Mapping[str, Any]], target: str,
                    rules_of: RulesOf) -> None:
    """Re-derive every routing decision, void and late mark with the vectorised core."""
    rules_values = {d["id"]: d["values"] for d in docs if d["type"] == "rules"}
    rows: list[Mapping[str, Any]] = []
    positions: dict[str, list[int]] = {}
    organisations: dict[str, str] = {}
    # each row's department's organisation, as the ledger recorded them before it
    organisation_of: list[str | None] = []
    for doc in docs:
        kind = doc["type"]
        if kind in ("created", "organisations", "stock"):
            organisations.update({str(k): str(v) for k, v in
                                  doc.get("organisations", {}).items()})
        if kind == "vacancy" or (kind == "answer" and doc.get("answer") == "declined"):
            if doc["rules"] not in rules_values:
                raise LedgerCorruptError(
                    f"{target}: event {doc['seq']} uses rules {doc['rules']!r} that the "
                    "ledger does not record"
                )
            positions.setdefault(str(doc["vacancy_id"]), []).append(len(rows))
            rows.append(doc)
            organisation_of.append(organisations.get(str(doc["department_id"])))
        elif kind == "void":
            if str(doc["vacancy_id"]) not in positions:
                raise LedgerCorruptError(
                    f"{target}: event {doc['seq']} voids an unknown vacancy")
            rows.append(doc)
            organisation_of.append(organisations.get(str(doc["department_id"])))
    check_late(docs, target)
    if not rows:
        return
    undo = [positions[str(e["vacancy_id"])] if e["type"] == "void" else [] for e in rows]
    first_rules = {vid: rows[pos[0]]["rules"] for vid, pos in positions.items()}
    by_vacancy = {vid: rows[pos[0]] for vid, pos in positions.items()}
    frame = pd.DataFrame(
        {
            "department_id": [e["department_id"] for e in rows],
            "kind": [by_vacancy[str(e["vacancy_id"])]["kind"] for e in rows],
            "colour": [by_vacancy[str(e["vacancy_id"])]["colour"] for e in rows],
            "returned": [e["type"] == "answer" for e in rows],
            "flexible_share": [e.get("department_share") for e in rows],
            "undoes": undo,
            "organisation_id": organisation_of,
        }
    )
    rules = [
        rules_of(e["rules"] if e["type"] != "void"
                       else first_rules[str(e["vacancy_id"])],
                       rules_values[e["rules"] if e["type"] != "void"
                                    else first_rules[str(e["vacancy_id"])]])
        for e in rows
    ]
    try:
        out, _end = route_frame(frame, rules)
    except ValidationError as exc:
        # an organisation's turn of a department whose organisation is not recorded
        raise LedgerCorruptError(f"{target}: {exc}") from None
    is_void = np.asarray([e["type"] == "void" for e in rows])

    def recorded(key: str, void_key: str | None) -> list[Any]:
        return [
            (e["counters"][void_key] if void_key else None) if e["type"] == "void"
            else e.get(key)
            for e in rows
        ]

    expected = {
        "route": [("void" if e["type"] == "void" else e["route"]) for e in rows],
        "subroute": recorded("subroute", None),
        "turn": recorded("turn", None),
        "reason_code": [("void" if e["type"] == "void" else e["reason_code"]) for e in rows],
        "n_referral": recorded("n_referral", "referral"),
        "n_flexible": recorded("n_flexible", "flexible"),
        "n_turn": recorded("n_turn", "turns"),
        "organisation": [e.get("organisation") if e["type"] != "void" else None
                         for e in rows],
    }
    by_org = out["turn_scope"].eq("organisation").fillna(False).to_numpy(dtype=bool)
    out["organisation"] = pd.Series(
        [o if took else None for o, took in zip(organisation_of, by_org, strict=True)],
        index=out.index, dtype="string")
    for column, values in expected.items():
        left = out[column].astype("string").fillna("-").to_numpy()
        right = pd.array(values, dtype="string").fillna("-").to_numpy()
        if column == "n_turn":
            # a void records the turn counter even where no turn rule was in force
            left = np.where(is_void, right, left)
        diff = np.flatnonzero(left != right)
        if diff.size:
            event = rows[int(diff[0])]
            raise LedgerCorruptError(
                f"{target}: event {event['seq']} ({event['type']}) records {column} = "
                f"{right[diff[0]]!r} but the rules give {left[diff[0]]!r}"
            )
    for pos in np.flatnonzero(is_void):
        event = rows[int(pos)]
        undone = out.iloc[undo[int(pos)]]
        counted = {
            "referral": int(undone["reason_code"].isin(list(COUNTING_REASONS)).sum()),
            "flexible": int(undone["route"].eq("waiting_list").sum()),
            "turns": int(undone["turn"].notna().sum()),
        }
        org_turns = int(undone["turn_scope"].eq("organisation").fillna(False).sum())
        organisation = None
        if org_turns:
            counted["organisation_turns"] = org_turns
            organisation = organisation_of[int(pos)]
        after = out["n_organisation_turn"].iloc[int(pos)]
        problems = []
        if {k: int(v) for k, v in event["counted"].items()} != counted:
            problems.append(f"counted = {event['counted']} but the vacancy counted {counted}")
        if event.get("organisation") != organisation:
            problems.append(f"organisation = {event.get('organisation')!r} but the turns it "
                            f"takes back are {organisation!r}'s")
        elif org_turns and event["counters"].get("organisation_turns") != int(after):
            problems.append(f"the organisation's turn counter "
                            f"{event['counters'].get('organisation_turns')!r} after it, but the "
                            f"events give {int(after)}")
        if problems:
            raise LedgerCorruptError(
                f"{target}: event {event['seq']} (void) records {problems[0]}"
            )

def check_late(docs: Sequence[Mapping[str, Any]], target: str) -> None:
    """Re-derive every vacancy's late mark from the vacancies recorded before it."""
    open_dates: dict[str, dict[str, dt.date]] = {}
    latest: dict[str, dt.date | None] = {}
    where: dict[str, str] = {}

    def top(dep: str) -> dt.date | None:
        if dep not in latest:
            dates = open_dates.get(dep)
            latest[dep] = max(dates.values()) if dates else None
        return latest[dep]

    for doc in docs:
        kind = doc["type"]
        if kind == "vacancy":
            dep, day = str(doc["department_id"]), dt.date.fromisoformat(doc["on"])
            before = top(dep)
            late = before is not None and day < before
            if bool(doc.get("late", False)) != late:
                raise LedgerCorruptError(
                    f"{target}: event {doc['seq']} (vacancy) records late = "
                    f"{bool(doc.get('late', False))} but the vacancies before it give {late}"
                )
            open_dates.setdefault(dep, {})[str(doc["vacancy_id"])] = day
            where[str(doc["vacancy_id"])] = dep
            if before is None or day >= before:
                latest[dep] = day
        elif kind == "void" or (kind == "correction" and "vacant_on" in doc["changes"]):
            vid = str(doc["vacancy_id"])
            dep = where.get(vid, "")
            dates = open_dates.get(dep, {})
            if kind == "void":
                dates.pop(vid, None)
            else:
                dates[vid] = dt.date.fromisoformat(str(doc["changes"]["vacant_on"][1]))
            latest.pop(dep, None)


def snapshot(view: StateView) -> dict[str, Any]:
    """A store's whole state as plain data, to compare with the state the events give."""
    deps = view.department_ids()
    return {
        "vacancies": [attrs.asdict(v) for v in view.vacancies()],
        "counters": {d: attrs.astuple(view.counters("department", d)) for d in deps},
        "organisation_counters": {o: attrs.astuple(c) for o, c in sorted(
            view.all_counters("organisation").items()) if c != Counters()},
        "organisations": dict(sorted(view.organisations().items())),
        "shares": {d: view.department_share(d) for d in deps},
        "rounds": {v: [attrs.asdict(r) for r in rs] for v, rs in sorted(view.all_rounds().items())},
        "applicants": sorted((attrs.asdict(a) for a in view.applicants()),
                             key=lambda a: str(a["applicant_id"])),
        "consumed": sorted(view.consumed().items()),
        "head": view.head(),
    }


def first_difference(target: str, part: str, ours: Any, theirs: Any) -> str:
    """The message naming where a store's state and the events' disagree first."""
    if part == "vacancies" and isinstance(ours, list) and isinstance(theirs, list):
        for mine, stored in zip(ours, theirs, strict=False):
            if mine != stored:
                field = next(k for k in mine if mine[k] != stored.get(k))
                return (f"{target}: the state of vacancy {mine['vacancy_id']!r} disagrees with "
                        f"the events: {field} is {stored.get(field)!r}, the events give "
                        f"{mine[field]!r}")
        return f"{target}: the store holds {len(theirs)} vacancies, the events {len(ours)}"
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs), key=str):
            if ours.get(key) != theirs.get(key):
                return (f"{target}: the stored {part} of {key!r} are {theirs.get(key)!r}, the "
                        f"events give {ours.get(key)!r}")
    return f"{target}: the stored {part} disagree with the events"
