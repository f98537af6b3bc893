"""The registry of loaded criteria and agreements, and evaluating criteria.

A :class:`Registry` is what :func:`fuaalborg.criteria.load` returns
(:mod:`fuaalborg.criteria.loading`): every validated criterion and agreement,
the plug-ins they came from, the readable fields and the parameter set. It
evaluates criteria — in this process through the firewall
(:mod:`fuaalborg.criteria.firewall`), or in an isolated plug-in's worker
process (:mod:`fuaalborg.criteria.isolation`), whichever the plug-in was loaded
for — and finds the agreement that applies to a department on a date.

A registry with isolated plug-ins holds their worker processes: close it
(:meth:`Registry.close`, or ``with load() as registry:``) when done; they also
stop when the program ends.

>>> import pandas as pd
>>> from datetime import date
>>> from fuaalborg.criteria import load
>>> registry = load(entry_points=False)
>>> "employment_or_education" in registry.criteria
True
>>> waiting = pd.DataFrame({"children": [0, 3]}, index=["a", "b"])
>>> registry.evaluate("families_with_children", waiting, date(2024, 5, 1)).tolist()
[False, True]
>>> registry.agreement_for("dep-1", "12011814", "red", date(2024, 5, 1)).groups
('employment_or_education',)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import pandas as pd

from fuaalborg._types import Language
from fuaalborg.criteria import errors
from fuaalborg.criteria.declarations import (
    COMBINED_SEPARATOR,
    Criterion,
    LettingAgreement,
    tightened,
)
from fuaalborg.criteria.firewall import check_result, project, run
from fuaalborg.criteria.isolation import TIME_LIMIT_PARAMETER, IsolatedPlugin, RemotePredicate
from fuaalborg.criteria.vocabulary import APPLICANTS, ApplicantField
from fuaalborg.dates import as_date
from fuaalborg.errors import NotInForceError
from fuaalborg.parameters import DatedValue, ParameterSet
from fuaalborg.tables import TableSpec

__all__ = ["COMPOSITE_SEPARATOR", "PluginInfo", "Registry"]

#: Joins criterion ids into a group that requires all of them ("a&b").
COMPOSITE_SEPARATOR = COMBINED_SEPARATOR


@attrs.frozen
class PluginInfo:
    """What one loaded plug-in is and what it contributed (for listings and decision records).

    ``distribution`` and ``version`` are those of the installed package the
    plug-in came from (``None`` when registered directly); ``builtin`` marks the
    library's own plug-in. ``isolation`` is ``"process"`` when the plug-in runs
    in a worker process of its own, ``"in-process"`` otherwise;
    ``organisation_cvr`` the organisation it speaks for (its
    ``ORGANISATION_CVR``), if any.
    """

    name: str
    distribution: str | None
    version: str | None
    builtin: bool = False
    criteria: tuple[str, ...] = ()
    agreements: int = 0
    fields: tuple[str, ...] = ()
    parameter_files: tuple[str, ...] = ()
    isolation: str = "in-process"
    organisation_cvr: str | None = None

    def label(self) -> str:
        """``name (distribution version)`` for messages and records."""
        if self.builtin:
            from fuaalborg._version import __version__

            return f"{self.name} (fuaalborg {__version__})"
        if self.distribution:
            return f"{self.name} ({self.distribution} {self.version or ''})".replace(" )", ")")
        return f"{self.name} (registered directly)"


@attrs.frozen(eq=False)
class Registry:
    """The validated criteria and agreements of every loaded plug-in.

    ``criteria`` maps each criterion id to its :class:`~fuaalborg.criteria.Criterion`;
    ``agreements`` holds every agreement (the statutory one first);
    ``plugins`` describes each plug-in; ``fields`` is the readable vocabulary
    (canonical and plug-in fields); ``parameters`` the parameter set the
    criteria's dated values come from; ``isolated`` the worker handles of the
    plug-ins that run in a process of their own. Create one with
    :func:`~fuaalborg.criteria.load`.
    """

    criteria: Mapping[str, Criterion]
    agreements: tuple[LettingAgreement, ...]
    plugins: tuple[PluginInfo, ...]
    fields: Mapping[str, ApplicantField]
    parameters: ParameterSet
    origins: Mapping[str, str] = attrs.field(factory=dict)
    isolated: Mapping[str, IsolatedPlugin] = attrs.field(factory=dict, repr=False)

    # -- lifetime -------------------------------------------------------------

    def close(self) -> None:
        """Stop the worker processes of isolated plug-ins (they start again if used)."""
        for handle in self.isolated.values():
            handle.close()

    def __enter__(self) -> Registry:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- criteria -------------------------------------------------------------

    def parts(self, criterion_id: str) -> tuple[Criterion, ...]:
        """The criteria of an id: one, or several for a combined group ``"a&b"``."""
        out = []
        for part in criterion_id.split(COMPOSITE_SEPARATOR):
            try:
                out.append(self.criteria[part])
            except KeyError:
                raise errors.CriterionNotFoundError(
                    f"no loaded plug-in provides a criterion {part!r}"
                ) from None
        return tuple(out)

    def title(
        self, criterion_id: str, lang: Language = "da", *, danish: bool | None = None
    ) -> str:
        """The criterion's title in ``lang`` (a combined group's titles joined by "og"/"and").

        A criterion without a Danish title (``title_da``) shows its English one.
        ``danish`` is the former way to choose the language (``danish=False`` for
        English), deprecated: pass ``lang``.
        """
        if danish is not None:
            import warnings

            warnings.warn("Registry.title(danish=...) is deprecated: pass lang='da' or lang='en'",
                          DeprecationWarning, stacklevel=2)
            lang = "da" if danish else "en"
        parts = self.parts(criterion_id)
        if lang == "da":
            return " og ".join(c.title_da or c.title for c in parts)
        return " and ".join(c.title for c in parts)

    def plugin_of(self, criterion_id: str) -> PluginInfo:
        """The plug-in that provides a (simple) criterion."""
        self.parts(criterion_id)
        name = self.origins[criterion_id]
        return next(p for p in self.plugins if p.name == name)

    def in_force(self, on: dt.date) -> list[Criterion]:
        """The criteria that apply on ``on``, sorted by id."""
        day = as_date(on)
        return [c for _, c in sorted(self.criteria.items()) if c.in_force(day)]

    def parameter_values(self, criterion_id: str, on: dt.date) -> dict[str, DatedValue]:
        """The dated parameter values the criterion reads on ``on``, by name."""
        day = as_date(on)
        return {
            name: self.parameters.lookup(name, day)
            for crit in self.parts(criterion_id)
            for name in crit.parameters
        }

    def applicant_spec(self) -> TableSpec:
        """The waiting-list spec with the plug-ins' own fields added (to read a sample)."""
        extra = tuple(f for name, f in self.fields.items() if name not in APPLICANTS.names)
        return attrs.evolve(APPLICANTS, columns=APPLICANTS.columns + extra)

    def trace(self, criterion_id: str, on: dt.date) -> dict[str, Any]:
        """What a decision record needs: criteria, plug-ins, legal bases, parameter values."""
        day = as_date(on)
        return {
            "criterion": criterion_id,
            "on": day.isoformat(),
            "parts": [
                {
                    "id": c.id,
                    "title": c.title,
                    "legal_basis": c.legal_basis,
                    "reads": sorted(c.reads),
                    "plugin": self.plugin_of(c.id).label(),
                    "parameters": {
                        n: self.parameters.lookup(n, day, warn=False).describe()
                        for n in c.parameters
                    },
                }
                for c in self.parts(criterion_id)
            ],
        }

    def evaluate(self, criterion_id: str, applicants: pd.DataFrame, on: dt.date) -> pd.Series[bool]:
        """Whether each applicant meets the criterion on ``on``: a boolean Series.

        The predicate sees only the criterion's declared columns, each its own
        copy (see :mod:`fuaalborg.criteria.firewall`); an isolated plug-in's
        predicate runs in its worker process. A combined id ``"a&b"`` requires
        every part. Raises :class:`~fuaalborg.errors.NotInForceError` outside
        the criterion's dates and :class:`~fuaalborg.criteria.PredicateError`
        (naming the plug-in and the criterion) when a predicate fails.
        """
        return self.evaluate_many([criterion_id], applicants, on)[criterion_id]

    def evaluate_many(
        self, criterion_ids: Iterable[str], applicants: pd.DataFrame, on: dt.date
    ) -> pd.DataFrame:
        """One boolean column per criterion id (combined groups allowed); each criterion once.

        The criteria of one isolated plug-in are evaluated in one request to its
        worker, which receives each column they read once.
        """
        day = as_date(on)
        ids = list(dict.fromkeys(criterion_ids))
        needed: dict[str, Criterion] = {}
        for cid in ids:
            for crit in self.parts(cid):
                needed.setdefault(crit.id, crit)
        results = self._evaluate(list(needed.values()), applicants, day)
        columns: dict[str, pd.Series[bool]] = {}
        for cid in ids:
            combined: pd.Series[bool] | None = None
            for crit in self.parts(cid):
                part = results[crit.id]
                combined = part if combined is None else combined & part
            assert combined is not None
            columns[cid] = combined.rename(cid)
        return pd.DataFrame(columns, index=applicants.index)

    def _evaluate(
        self, criteria: list[Criterion], applicants: pd.DataFrame, on: dt.date
    ) -> dict[str, pd.Series[bool]]:
        for crit in criteria:
            if not crit.in_force(on):
                since = crit.valid_from.isoformat() if crit.valid_from else "…"
                until = crit.valid_until.isoformat() if crit.valid_until else "…"
                raise NotInForceError(
                    f"criterion {crit.id!r} does not apply on {on.isoformat()} "
                    f"(in force {since}–{until})"
                )
        results: dict[str, pd.Series[bool]] = {}
        remote: dict[int, tuple[IsolatedPlugin, list[Criterion]]] = {}
        for crit in criteria:
            predicate = crit.predicate
            if isinstance(predicate, RemotePredicate):
                remote.setdefault(id(predicate.plugin), (predicate.plugin, []))[1].append(crit)
            else:
                results[crit.id] = self._evaluate_here(crit, applicants, on)
        for handle, batch in remote.values():
            results.update(self._evaluate_isolated(handle, batch, applicants, on))
        return results

    def _values(self, crit: Criterion, on: dt.date) -> dict[str, Any] | None:
        if not crit.parameters:
            return None
        return {n: self.parameters.get(n, on) for n in crit.parameters}

    def _evaluate_here(
        self, crit: Criterion, applicants: pd.DataFrame, on: dt.date
    ) -> pd.Series[bool]:
        plugin = self.origins.get(crit.id)
        values = self._values(crit, on)
        frame = project(applicants, crit.reads, crit.id)
        result = run(crit.id, crit.predicate, frame, values, plugin=plugin)
        return check_result(crit.id, result, len(applicants), applicants.index, plugin=plugin)

    def _evaluate_isolated(
        self,
        handle: IsolatedPlugin,
        batch: list[Criterion],
        applicants: pd.DataFrame,
        on: dt.date,
    ) -> dict[str, pd.Series[bool]]:
        present = set(map(str, applicants.columns))
        for crit in batch:
            missing = sorted(f for f in crit.reads if f not in present)
            if missing:
                raise errors.MissingApplicantFieldError(
                    f"criterion {crit.id!r} reads {', '.join(map(repr, missing))}, which the "
                    "applicant table lacks"
                )
        names = sorted({f for crit in batch for f in crit.reads})
        columns = {name: applicants[name] for name in names}
        limit = float(self.parameters.get(TIME_LIMIT_PARAMETER, on))
        arrays = handle.evaluate(
            [(c.id, c.reads, self._values(c, on)) for c in batch],
            columns,
            len(applicants),
            time_limit=limit,
        )
        return {
            cid: pd.Series(values, index=applicants.index, name=cid, copy=False)
            for cid, values in arrays.items()
        }

    # -- agreements -----------------------------------------------------------

    @property
    def statutory(self) -> tuple[LettingAgreement, ...]:
        """The library's statutory agreements (§ 60, stk. 4), one per dated period."""
        return tuple(a for a in self.agreements if a.organisation_cvr is None)

    def agreement_for(
        self,
        department_id: str,
        organisation_cvr: str,
        colour: str | None,
        on: dt.date,
    ) -> LettingAgreement | None:
        """The flexible-letting agreement that applies to a department on ``on``.

        Of the organisation's agreements in force that cover the department, the
        most specific applies (listed ids before a colour selector before all
        departments). Where the mandatory § 60, stk. 4 criterion governs the
        department's colour (a statutory agreement covers it: red, from
        ``colour_rules.mandatory_flexible``) it always applies: an organisation's
        agreement may tighten it but not drop it, so each of its groups is
        combined with the mandatory criterion (``"group&employment_or_education"``),
        the mandatory criterion follows as the last group, and the whole
        waiting-list letting is flexible
        (:func:`~fuaalborg.criteria.declarations.tightened`). Without an
        organisation agreement such a department gets the statutory agreement;
        another department gets ``None``.
        """
        day = as_date(on)
        chosen = self._organisation_agreement(department_id, organisation_cvr, colour, day)
        statutory = [
            a for a in self.statutory if a.in_force(day) and a.covers(department_id, colour)
        ]
        if not statutory:
            return chosen
        mandatory = statutory[0]
        if chosen is None:
            return mandatory
        return tightened(chosen, mandatory)

    def _organisation_agreement(
        self, department_id: str, organisation_cvr: str, colour: str | None, on: dt.date
    ) -> LettingAgreement | None:
        candidates = [
            a
            for a in self.agreements
            if a.organisation_cvr is not None
            and a.organisation_cvr == organisation_cvr
            and a.in_force(on)
            and a.covers(department_id, colour)
        ]
        if not candidates:
            return None
        best = max(a.specificity for a in candidates)
        top = [a for a in candidates if a.specificity == best]
        if len(top) > 1:
            raise errors.ConflictingAgreementsError(
                f"{len(top)} agreements of the same kind apply to department "
                f"{department_id!r} on {on.isoformat()}",
                plugin="(several)",
                subject=f"organisation {organisation_cvr}",
            )
        return top[0]


_MOVED = ("DISABLE_ENV", "PLUGINS_ENV", "LoadReport", "discover", "load")


def __getattr__(name: str) -> Any:
    """Loading moved to :mod:`fuaalborg.criteria.loading`; its names stay importable here."""
    if name in _MOVED:
        from fuaalborg.criteria import loading

        return getattr(loading, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
