"""A ledger's state in memory: what the file store replays into, and what ``verify`` rebuilds.

:class:`MemoryState` implements every read and write of a ledger's state on
Python dictionaries. The file store keeps its state here (rebuilt by replaying
the file when it is opened); :meth:`fuaalborg.Ledger.verify` and
:meth:`fuaalborg.Ledger.convert` replay a ledger's events into a fresh one to
compare with, or to load, a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from fuaalborg.letting.routing import Counters
from fuaalborg.letting.store import ApplicantRow, LedgerMeta, RoundRow, VacancyRow

__all__ = ["MemoryState"]


class MemoryState:
    """Every part of a ledger's state, on dictionaries; events are kept as documents."""

    def __init__(self) -> None:
        self._meta: LedgerMeta | None = None
        self.docs: list[dict[str, Any]] = []
        self._dwellings: dict[str, tuple[str, str]] = {}
        self._departments: list[str] = []
        self._stock_seq = 0
        self._shares: dict[str, str] = {}
        self._organisations: dict[str, str] = {}
        self._rules: dict[str, dict[str, Any]] = {}
        self._counters: dict[tuple[str, str], Counters] = {}
        self._vacancies: dict[str, VacancyRow] = {}
        self._open_dates: dict[str, dict[str, dt.date]] = {}
        self._latest: dict[str, dt.date | None] = {}
        self._rounds: dict[str, list[RoundRow]] = {}
        self._applicants: dict[str, ApplicantRow] = {}
        self._consumed: dict[tuple[str, str], str] = {}

    # -- reading ------------------------------------------------------------------

    def meta(self) -> LedgerMeta:
        """The ledger's metadata (set by its first event)."""
        if self._meta is None:  # pragma: no cover - every ledger starts with 'created'
            raise LookupError("the ledger has no 'created' event")
        return self._meta

    def head(self) -> int:
        """The last event's sequence number (-1 before the first)."""
        return len(self.docs) - 1

    def dwelling(self, dwelling_id: str) -> tuple[str, str] | None:
        """A dwelling's department and kind."""
        return self._dwellings.get(dwelling_id)

    def department_ids(self) -> list[str]:
        """Every department the stock has had, sorted."""
        return list(self._departments)

    def stock_seq(self) -> int:
        """The event that set the current stock."""
        return self._stock_seq

    def department_share(self, department_id: str) -> str | None:
        """A department's agreed flexible share."""
        return self._shares.get(department_id)

    def organisations(self) -> dict[str, str]:
        """Each department's housing organisation, as recorded."""
        return dict(self._organisations)

    def rules(self, rules_id: str) -> dict[str, Any] | None:
        """Recorded rule values."""
        return self._rules.get(rules_id)

    def counters(self, scope: str, key: str) -> Counters:
        """The counters of a key in a scope (zero when never advanced)."""
        return self._counters.get((scope, key), Counters())

    def all_counters(self, scope: str) -> dict[str, Counters]:
        """Every key's counters in a scope."""
        return {k: c for (s, k), c in self._counters.items() if s == scope}

    def vacancy(self, vacancy_id: str) -> VacancyRow | None:
        """A vacancy's current state."""
        return self._vacancies.get(vacancy_id)

    def vacancies(self) -> list[VacancyRow]:
        """Every vacancy, in the order recorded."""
        return list(self._vacancies.values())

    def latest_vacant_on(self, department_id: str) -> dt.date | None:
        """The latest date among the department's vacancies that are not void."""
        if department_id not in self._latest:
            dates = self._open_dates.get(department_id)
            self._latest[department_id] = max(dates.values()) if dates else None
        return self._latest[department_id]

    def rounds(self, vacancy_id: str) -> list[RoundRow]:
        """A vacancy's offer rounds."""
        return list(self._rounds.get(vacancy_id, ()))

    def all_rounds(self) -> dict[str, list[RoundRow]]:
        """Every vacancy's offer rounds."""
        return {v: list(r) for v, r in self._rounds.items()}

    def applicant(self, applicant_id: str) -> ApplicantRow | None:
        """An applicant's offer history."""
        return self._applicants.get(applicant_id)

    def applicants(self) -> list[ApplicantRow]:
        """Every applicant with an offer history."""
        return list(self._applicants.values())

    def consumed_by(self, applicant_id: str, list_name: str) -> str | None:
        """The vacancy an applicant's seniority on a list was used for."""
        return self._consumed.get((applicant_id, list_name))

    def consumed(self) -> dict[tuple[str, str], str]:
        """Every used seniority."""
        return dict(self._consumed)

    def event_docs(
        self,
        *,
        types: Sequence[str] | None = None,
        vacancy_id: str | None = None,
        department_id: str | None = None,
    ) -> list[dict[str, Any]]:
        """Event documents in order (copies), filtered."""
        wanted = set(types) if types is not None else None
        out = []
        for doc in self.docs:
            if wanted is not None and doc["type"] not in wanted:
                continue
            if vacancy_id is not None and doc.get("vacancy_id") != vacancy_id:
                continue
            if department_id is not None:
                dep = doc.get("department_id")
                if dep is None and "vacancy_id" in doc:
                    row = self._vacancies.get(str(doc["vacancy_id"]))
                    dep = row.department_id if row is not None else None
                if dep != department_id:
                    continue
            out.append(dict(doc))
        return out

    # -- writing ------------------------------------------------------------------

    def add_docs(self, docs: Sequence[dict[str, Any]]) -> None:
        """Keep written (or replayed) event documents, in order."""
        self.docs.extend(docs)

    def put_meta(self, meta: LedgerMeta) -> None:
        """Set the ledger's metadata."""
        self._meta = meta

    def put_registry(self, registry: Mapping[str, Mapping[str, Sequence[str]]],
                     seq: int = 0) -> None:
        """Set the registry of departments and dwellings (of event ``seq``)."""
        self._stock_seq = seq
        for dep, groups in registry.items():
            for kind, dwellings in groups.items():
                for dwelling in dwellings:
                    self._dwellings[str(dwelling)] = (str(dep), str(kind))
        self._departments = sorted({*self._departments, *map(str, registry)})

    def put_department_share(self, department_id: str, share: str | None) -> None:
        """Set (or clear) a department's agreed flexible share."""
        if share is None:
            self._shares.pop(department_id, None)
        else:
            self._shares[department_id] = share

    def put_organisations(self, organisations: Mapping[str, str]) -> None:
        """Record departments' housing organisations."""
        self._organisations.update({str(k): str(v) for k, v in organisations.items()})

    def put_rules(self, rules_id: str, values: Mapping[str, Any]) -> None:
        """Store rule values."""
        self._rules[rules_id] = dict(values)

    def put_counters(self, scope: str, key: str, counters: Counters) -> None:
        """Set counters."""
        self._counters[(scope, key)] = counters

    def put_vacancy(self, row: VacancyRow) -> None:
        """Insert or replace a vacancy's state (keeping its place in the order)."""
        self._vacancies[row.vacancy_id] = row
        dep = row.department_id
        dates = self._open_dates.setdefault(dep, {})
        old_date = dates.get(row.vacancy_id)
        new_date: dt.date | None = None
        if row.status == "void":
            dates.pop(row.vacancy_id, None)
        else:
            new_date = dates[row.vacancy_id] = row.vacant_on
        if dep not in self._latest:
            return  # computed when asked
        latest = self._latest[dep]
        if new_date is not None and (latest is None or new_date >= latest):
            self._latest[dep] = new_date
        elif old_date is not None and old_date == latest and (
            new_date is None or new_date < old_date
        ):
            del self._latest[dep]

    def put_round(self, vacancy_id: str, row: RoundRow) -> None:
        """Insert or replace an offer round."""
        rounds = self._rounds.setdefault(vacancy_id, [])
        for i, existing in enumerate(rounds):
            if existing.round == row.round:
                rounds[i] = row
                return
        rounds.append(row)

    def put_applicant(self, row: ApplicantRow) -> None:
        """Insert or replace an applicant's offer history."""
        self._applicants[row.applicant_id] = row

    def put_consumed(self, applicant_id: str, list_name: str, vacancy_id: str) -> None:
        """Record a used seniority."""
        self._consumed[(applicant_id, list_name)] = vacancy_id

    # -- comparing ----------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """The state as plain data, to compare two stores' states."""
        return {
            "vacancies": [attrs.asdict(v) for v in self._vacancies.values()],
            "counters": {f"{s}:{k}": attrs.astuple(c) for (s, k), c in
                         sorted(self._counters.items())},
            "shares": dict(sorted(self._shares.items())),
            "organisations": dict(sorted(self._organisations.items())),
            "rounds": {v: [attrs.asdict(r) for r in rs] for v, rs in sorted(self._rounds.items())},
            "applicants": [attrs.asdict(a) for a in
                           sorted(self._applicants.values(), key=lambda a: a.applicant_id)],
            "consumed": sorted(self._consumed.items()),
        }
