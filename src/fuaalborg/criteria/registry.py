"""Loading plug-ins, validating them centrally, and evaluating criteria.

:func:`load` builds a :class:`Registry` from the built-in plug-in, plug-ins
passed in directly and (unless ``entry_points=False``) the plug-ins installed in
the entry-point group ``fuaalborg``. Every contribution is validated in one
pass and *all* problems are raised together as one
:class:`~fuaalborg.criteria.PluginLoadError`.

Which installed plug-ins load is controlled by two environment variables, each
a comma-separated list of distribution names:

``FUAALBORG_PLUGINS``
    when set, only these distributions load (set it empty to load none);
``FUAALBORG_DISABLE_PLUGINS``
    these distributions never load.

The built-in plug-in is registered directly and is never switched off.

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
import importlib.metadata as metadata
import inspect
import os
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pluggy

from fuaalborg.criteria import errors
from fuaalborg.criteria.builtin import BUILTIN_PLUGIN_NAME, BuiltinPlugin
from fuaalborg.criteria.declarations import (
    COLOURS,
    AllDepartments,
    ByColour,
    Criterion,
    LettingAgreement,
)
from fuaalborg.criteria.firewall import check_result, project, run
from fuaalborg.criteria.hookspecs import PROJECT, HookSpecs
from fuaalborg.criteria.vocabulary import APPLICANT_FIELDS, ApplicantField, is_protected_name
from fuaalborg.dates import as_date
from fuaalborg.errors import NotInForceError
from fuaalborg.model import is_valid_cvr
from fuaalborg.parameters import DatedValue, ParameterSet, load_parameters, parse_parameter_file

__all__ = [
    "COMPOSITE_SEPARATOR",
    "DISABLE_ENV",
    "PLUGINS_ENV",
    "LoadReport",
    "PluginInfo",
    "Registry",
    "discover",
    "load",
]

#: Environment variable naming the only distributions whose plug-ins load.
PLUGINS_ENV = "FUAALBORG_PLUGINS"
#: Environment variable naming distributions whose plug-ins never load.
DISABLE_ENV = "FUAALBORG_DISABLE_PLUGINS"
#: Joins criterion ids into a group that requires all of them ("a&b").
COMPOSITE_SEPARATOR = "&"

_ID = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")


@attrs.frozen
class PluginInfo:
    """What one loaded plug-in is and what it contributed (for listings and decision records).

    ``distribution`` and ``version`` are those of the installed package the
    plug-in came from (``None`` when registered directly); ``builtin`` marks the
    library's own plug-in.
    """

    name: str
    distribution: str | None
    version: str | None
    builtin: bool = False
    criteria: tuple[str, ...] = ()
    agreements: int = 0
    fields: tuple[str, ...] = ()
    parameter_files: tuple[str, ...] = ()

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
    criteria's dated values come from. Create one with :func:`load`.
    """

    criteria: Mapping[str, Criterion]
    agreements: tuple[LettingAgreement, ...]
    plugins: tuple[PluginInfo, ...]
    fields: Mapping[str, ApplicantField]
    parameters: ParameterSet
    origins: Mapping[str, str] = attrs.field(factory=dict)

    # -- criteria -------------------------------------------------------------

    def parts(self, criterion_id: str) -> tuple[Criterion, ...]:
        """The criteria of an id: one, or several for a composite group ``"a&b"``."""
        out = []
        for part in criterion_id.split(COMPOSITE_SEPARATOR):
            try:
                out.append(self.criteria[part])
            except KeyError:
                raise errors.CriterionNotFoundError(
                    f"no loaded plug-in provides a criterion {part!r}"
                ) from None
        return tuple(out)

    def title(self, criterion_id: str, *, danish: bool = False) -> str:
        """The criterion's title (a composite's titles joined by "and")."""
        parts = self.parts(criterion_id)
        join = " og " if danish else " and "
        return join.join((c.title_da or c.title) if danish else c.title for c in parts)

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

        The predicate sees only the criterion's declared columns (see
        :mod:`fuaalborg.criteria.firewall`). A composite id ``"a&b"`` requires
        every part. Raises :class:`~fuaalborg.errors.NotInForceError` outside the
        criterion's dates.
        """
        day = as_date(on)
        parts = self.parts(criterion_id)
        result = self._evaluate_one(parts[0], applicants, day)
        for crit in parts[1:]:
            result = result & self._evaluate_one(crit, applicants, day)
        return result.rename(criterion_id)

    def evaluate_many(
        self, criterion_ids: Iterable[str], applicants: pd.DataFrame, on: dt.date
    ) -> pd.DataFrame:
        """One boolean column per criterion id (composites allowed); each criterion once."""
        day = as_date(on)
        ids = list(dict.fromkeys(criterion_ids))
        cache: dict[str, pd.Series[bool]] = {}
        columns: dict[str, pd.Series[bool]] = {}
        for cid in ids:
            combined: pd.Series[bool] | None = None
            for crit in self.parts(cid):
                if crit.id not in cache:
                    cache[crit.id] = self._evaluate_one(crit, applicants, day)
                part = cache[crit.id]
                combined = part if combined is None else combined & part
            assert combined is not None
            columns[cid] = combined.rename(cid)
        return pd.DataFrame(columns, index=applicants.index)

    def _evaluate_one(
        self, crit: Criterion, applicants: pd.DataFrame, on: dt.date
    ) -> pd.Series[bool]:
        if not crit.in_force(on):
            since = crit.valid_from.isoformat() if crit.valid_from else "…"
            until = crit.valid_until.isoformat() if crit.valid_until else "…"
            raise NotInForceError(
                f"criterion {crit.id!r} does not apply on {on.isoformat()} "
                f"(in force {since}–{until})"
            )
        values = (
            {n: self.parameters.get(n, on) for n in crit.parameters} if crit.parameters else None
        )
        frame = project(applicants, crit.reads, crit.id)
        result = run(crit.id, crit.predicate, frame, values)
        return check_result(crit.id, result, len(applicants), applicants.index)

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
        departments). For a red department the mandatory § 60, stk. 4 criterion
        always applies: an organisation's agreement may tighten it but not drop
        it, so each of its groups is combined with the mandatory criterion
        (``"group&employment_or_education"``), the mandatory criterion follows as
        the last group, and the whole waiting-list letting is flexible. Without an
        organisation agreement, a red department gets the statutory agreement;
        another department gets ``None``.
        """
        day = as_date(on)
        chosen = self._organisation_agreement(department_id, organisation_cvr, colour, day)
        if colour != "red":
            return chosen
        statutory = [a for a in self.statutory if a.in_force(day)]
        if not statutory:
            return chosen
        mandatory = statutory[0]
        if chosen is None:
            return mandatory
        return _tighten(chosen, mandatory)

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


def _tighten(org: LettingAgreement, mandatory: LettingAgreement) -> LettingAgreement:
    required = mandatory.groups
    groups: list[str] = []
    for group in org.groups:
        combined = group if group in required else COMPOSITE_SEPARATOR.join((group, *required))
        groups.append(combined)
    groups.extend(required)
    until = [d for d in (org.valid_until, mandatory.valid_until) if d is not None]
    return attrs.evolve(
        org,
        groups=tuple(dict.fromkeys(groups)),
        flexible_share=max(org.flexible_share, mandatory.flexible_share),
        legal_basis=f"{org.legal_basis}; {mandatory.legal_basis}",
        valid_from=max(org.valid_from, mandatory.valid_from),
        valid_until=min(until) if until else None,
    )



# --------------------------------------------------------------------------
# Loading


@attrs.frozen
class LoadReport:
    """The outcome of loading: every plug-in found, every problem, and the registry if valid."""

    plugins: tuple[PluginInfo, ...]
    problems: tuple[errors.PluginError, ...]
    registry: Registry | None

    @property
    def ok(self) -> bool:
        """Whether every plug-in loaded and validated."""
        return not self.problems


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().strip()


def _env_names(var: str) -> set[str] | None:
    raw = os.environ.get(var)
    if raw is None:
        return None
    return {_normalise(n) for n in raw.split(",") if n.strip()}


def _object_name(obj: object) -> str:
    name = getattr(obj, "__name__", None)
    if isinstance(name, str):
        return name
    return type(obj).__name__


class _Loader:
    def __init__(self, parameters: ParameterSet) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(HookSpecs)
        self.base_parameters = parameters
        self.infos: dict[str, dict[str, Any]] = {}
        self.problems: list[errors.PluginError] = []

    def problem(
        self, cls: type[errors.PluginError], detail: str, plugin: str, subject: str | None = None
    ) -> None:
        info = self.infos.get(plugin, {})
        self.problems.append(
            cls(detail, plugin=plugin, distribution=info.get("distribution"), subject=subject)
        )

    def register(
        self, obj: object, name: str, distribution: str | None, version: str | None, builtin: bool
    ) -> None:
        unique, n = name, 1
        while unique in self.infos:
            n += 1
            unique = f"{name}#{n}"
        self.infos[unique] = {
            "distribution": distribution,
            "version": version,
            "builtin": builtin,
            "criteria": [],
            "agreements": 0,
            "fields": [],
            "parameter_files": [],
        }
        try:
            self.pm.register(obj, name=unique)
        except pluggy.PluginValidationError as exc:
            self.problem(errors.InvalidHookError, str(exc), unique)
        except ValueError as exc:
            self.problem(errors.InvalidHookError, f"cannot be registered ({exc})", unique)

    def entry_points(self) -> None:
        only, disabled = _env_names(PLUGINS_ENV), _env_names(DISABLE_ENV) or set()
        seen: set[str] = set()
        for ep in sorted(metadata.entry_points(group=PROJECT), key=lambda e: (e.name, e.value)):
            dist = ep.dist
            dist_name = dist.metadata["Name"] if dist is not None else ep.name
            version = dist.version if dist is not None else None
            key = _normalise(dist_name)
            seen.add(key)
            if (only is not None and key not in only) or key in disabled:
                continue
            try:
                obj = ep.load()
            except Exception as exc:
                self.infos.setdefault(
                    ep.name,
                    {
                        "distribution": dist_name,
                        "version": version,
                        "builtin": False,
                        "criteria": [],
                        "agreements": 0,
                        "fields": [],
                        "parameter_files": [],
                    },
                )
                self.problem(
                    errors.PluginImportError,
                    f"entry point {ep.value!r} cannot be imported ({type(exc).__name__}: {exc})",
                    ep.name,
                )
                continue
            self.register(obj, ep.name, dist_name, version, builtin=False)
        for missing in sorted((only or set()) - seen):
            self.problems.append(
                errors.PluginNotFoundError(
                    f"named in {PLUGINS_ENV} but no installed distribution provides a "
                    f"'{PROJECT}' entry point",
                    plugin=missing,
                )
            )

    def call(self, hook: str, expected: type) -> list[tuple[str, Any]]:
        """Call each plug-in's implementation of ``hook``; return (plug-in, item) pairs."""
        out: list[tuple[str, Any]] = []
        caller = getattr(self.pm.hook, hook)
        for impl in reversed(caller.get_hookimpls()):
            name = impl.plugin_name
            try:
                result = impl.function()
            except Exception as exc:
                self.problem(
                    errors.PluginHookError, f"hook {hook} raised {type(exc).__name__}: {exc}", name
                )
                continue
            if not isinstance(result, list | tuple):
                self.problem(
                    errors.InvalidHookResultError,
                    f"hook {hook} returned {type(result).__name__}, expected a list of "
                    f"{expected.__name__}",
                    name,
                )
                continue
            for i, item in enumerate(result):
                if (expected is str and isinstance(item, str | os.PathLike)) or isinstance(
                    item, expected
                ):
                    out.append((name, item))
                else:
                    self.problem(
                        errors.InvalidHookResultError,
                        f"hook {hook} returned {type(item).__name__} at position {i}, expected "
                        f"{expected.__name__}",
                        name,
                    )
        return out

    # -- parameter files, fields, criteria, agreements ------------------------

    def parameter_files(self) -> ParameterSet:
        known = set(self.base_parameters.names())
        owners: dict[str, str] = {}
        good: list[Path] = []
        for plugin, raw in self.call("register_parameter_files", str):
            path = Path(raw)
            self.infos[plugin]["parameter_files"].append(path.name)
            try:
                text = path.read_text(encoding="utf-8")
            except OSError as exc:
                self.problem(
                    errors.PluginParameterFileError,
                    f"cannot read {path.name} ({exc.strerror})",
                    plugin,
                )
                continue
            params, _meta, found = parse_parameter_file(text, path.name)
            if found:
                for p in found:
                    self.problem(errors.PluginParameterFileError, p, plugin)
                continue
            clash = False
            for name in params:
                if name in known:
                    self.problem(
                        errors.ParameterConflictError,
                        f"{path.name} redefines the bundled parameter {name!r}",
                        plugin,
                    )
                    clash = True
                elif name in owners and owners[name] != plugin:
                    self.problem(
                        errors.ParameterConflictError,
                        f"{path.name} redefines {name!r}, already defined by plug-in "
                        f"{owners[name]!r}",
                        plugin,
                    )
                    clash = True
                owners.setdefault(name, plugin)
            if not clash:
                good.append(path)
        return self.base_parameters.with_files(*good) if good else self.base_parameters

    def fields(self) -> dict[str, ApplicantField]:
        fields: dict[str, ApplicantField] = {f.name: f for f in APPLICANT_FIELDS}
        owner: dict[str, str] = {}
        for plugin, field in self.call("register_applicant_fields", ApplicantField):
            subject = f"field {field.name!r}"
            self.infos[plugin]["fields"].append(field.name)
            if not isinstance(field.name, str) or not _ID.fullmatch(field.name):
                self.problem(
                    errors.InvalidFieldError,
                    "a field name is lower case letters, digits and underscores",
                    plugin,
                    subject,
                )
            elif field.protected:
                self.problem(
                    errors.InvalidFieldError,
                    "a plug-in cannot declare protected fields",
                    plugin,
                    subject,
                )
            elif is_protected_name(field.name):
                self.problem(
                    errors.DiscriminatoryFieldError,
                    "the name matches a protected concept (ethnicity, origin, citizenship, "
                    "religion, name, …); criteria may never read such a field",
                    plugin,
                    subject,
                )
            elif not field.meaning.strip() or not field.meaning_da.strip():
                self.problem(
                    errors.InvalidFieldError,
                    "a field needs a meaning in English and Danish",
                    plugin,
                    subject,
                )
            elif field.name in fields:
                where = (
                    f"plug-in {owner[field.name]!r}" if field.name in owner else "the vocabulary"
                )
                self.problem(
                    errors.DuplicateFieldError, f"already declared by {where}", plugin, subject
                )
            else:
                fields[field.name] = field
                owner[field.name] = plugin
        return fields

    def criteria(
        self, fields: Mapping[str, ApplicantField], parameters: ParameterSet
    ) -> tuple[dict[str, Criterion], dict[str, str]]:
        criteria: dict[str, Criterion] = {}
        origins: dict[str, str] = {}
        known_parameters = set(parameters.names())
        for plugin, crit in self.call("register_criteria", Criterion):
            subject = f"criterion {crit.id!r}"
            before = len(self.problems)
            self._check_criterion(plugin, subject, crit, fields, known_parameters)
            if isinstance(crit.id, str) and crit.id in criteria:
                self.problem(
                    errors.DuplicateCriterionError,
                    f"the id is already used by plug-in {origins[crit.id]!r}",
                    plugin,
                    subject,
                )
                continue
            self.infos[plugin]["criteria"].append(crit.id)
            if len(self.problems) == before:
                criteria[crit.id] = crit
                origins[crit.id] = plugin
            else:
                origins.setdefault(crit.id, plugin)
        return criteria, origins

    def _check_criterion(
        self,
        plugin: str,
        subject: str,
        crit: Criterion,
        fields: Mapping[str, ApplicantField],
        known_parameters: set[str],
    ) -> None:
        if not isinstance(crit.id, str) or not _ID.fullmatch(crit.id):
            self.problem(
                errors.InvalidCriterionError,
                "an id is lower-case words of letters, digits and '_' joined by '.' "
                "(e.g. 'acme.in_work')",
                plugin,
                subject,
            )
        if not isinstance(crit.title, str) or not crit.title.strip():
            self.problem(errors.InvalidCriterionError, "the title is empty", plugin, subject)
        if not isinstance(crit.legal_basis, str) or not crit.legal_basis.strip():
            self.problem(
                errors.MissingLegalBasisError,
                "no legal basis (cite e.g. 'Almenboligloven § 60, stk. 1' and the agreement)",
                plugin,
                subject,
            )
        self._check_dates(plugin, subject, crit.valid_from, crit.valid_until, required=False)
        if not crit.reads:
            self.problem(
                errors.InvalidCriterionError,
                "reads no field (declare the fields it needs)",
                plugin,
                subject,
            )
        for field in sorted(crit.reads, key=str):
            if not isinstance(field, str):
                self.problem(
                    errors.InvalidCriterionError,
                    f"reads {field!r}, not a field name",
                    plugin,
                    subject,
                )
            elif ((f := fields.get(field)) is not None and f.protected) or is_protected_name(field):
                self.problem(
                    errors.DiscriminatoryCriterionError,
                    f"reads the protected field {field!r}: no criterion may use ethnicity, "
                    "national origin, citizenship, religion or a proxy for them "
                    "(forskelsbehandlingsloven § 1; lov om etnisk ligebehandling)",
                    plugin,
                    subject,
                )
            elif field not in fields:
                self.problem(
                    errors.UnknownFieldError,
                    f"reads {field!r}, which no vocabulary declares (declare it with the "
                    "register_applicant_fields hook)",
                    plugin,
                    subject,
                )
        for name in crit.parameters:
            if name not in known_parameters:
                self.problem(
                    errors.UnknownParameterError,
                    f"reads the parameter {name!r}, which no parameter file defines",
                    plugin,
                    subject,
                )
        if not callable(crit.predicate):
            self.problem(
                errors.InvalidCriterionError, "the predicate is not callable", plugin, subject
            )
        else:
            arity = 2 if crit.parameters else 1
            if not _accepts(crit.predicate, arity):
                self.problem(
                    errors.InvalidCriterionError,
                    f"the predicate must accept {arity} positional argument"
                    + (" (frame, parameter values)" if arity == 2 else " (the frame)"),
                    plugin,
                    subject,
                )

    def _check_dates(
        self, plugin: str, subject: str, start: Any, end: Any, *, required: bool
    ) -> None:
        ok = True
        for label, value in (("valid_from", start), ("valid_until", end)):
            if value is None and (label == "valid_until" or not required):
                continue
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                self.problem(
                    errors.InvalidDatesError, f"{label} is {value!r}, not a date", plugin, subject
                )
                ok = False
        if ok and start is not None and end is not None and end < start:
            self.problem(
                errors.InvalidDatesError,
                f"valid_until {end.isoformat()} is before valid_from {start.isoformat()}",
                plugin,
                subject,
            )

    def agreements(
        self,
        criteria: Mapping[str, Criterion],
        all_ids: set[str],
        departments: pd.DataFrame | None,
    ) -> list[tuple[str, LettingAgreement]]:
        out: list[tuple[str, LettingAgreement]] = []
        for plugin, agr in self.call("register_letting_agreements", LettingAgreement):
            builtin = self.infos[plugin]["builtin"]
            subject = f"agreement {_describe(agr)}"
            self.infos[plugin]["agreements"] += 1
            before = len(self.problems)
            if agr.organisation_cvr is None and builtin:
                pass
            elif not is_valid_cvr(agr.organisation_cvr):
                self.problem(
                    errors.InvalidAgreementError,
                    f"organisation_cvr {agr.organisation_cvr!r} is not a valid CVR number "
                    "(8 digits, modulus-11)",
                    plugin,
                    subject,
                )
            self._check_departments_shape(plugin, subject, agr)
            if not agr.groups:
                self.problem(errors.InvalidAgreementError, "no priority groups", plugin, subject)
            if len(set(agr.groups)) != len(agr.groups):
                self.problem(
                    errors.InvalidAgreementError, "a group is listed twice", plugin, subject
                )
            share = agr.flexible_share
            if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share <= 1:
                self.problem(
                    errors.InvalidAgreementError,
                    f"flexible_share {share!r} is not a share from 0 to 1",
                    plugin,
                    subject,
                )
            if not isinstance(agr.legal_basis, str) or not agr.legal_basis.strip():
                self.problem(
                    errors.MissingLegalBasisError,
                    "no legal basis (cite 'Almenboligloven § 60, stk. 1' and the bilag 4 text)",
                    plugin,
                    subject,
                )
            self._check_dates(plugin, subject, agr.valid_from, agr.valid_until, required=True)
            if not isinstance(agr.internal_moves_exempt, bool):
                self.problem(
                    errors.InvalidAgreementError,
                    "internal_moves_exempt is not true or false",
                    plugin,
                    subject,
                )
            rooms = agr.children_first_for_rooms
            if rooms is not None and (
                isinstance(rooms, bool) or not isinstance(rooms, int) or rooms < 1
            ):
                self.problem(
                    errors.InvalidAgreementError,
                    f"children_first_for_rooms {rooms!r} is not a number of rooms >= 1",
                    plugin,
                    subject,
                )
            for group in agr.groups:
                if group in criteria:
                    self._check_group_dates(plugin, subject, agr, criteria[group])
                elif group not in all_ids:
                    self.problem(
                        errors.UnknownCriterionError,
                        f"group {group!r} names no loaded criterion",
                        plugin,
                        subject,
                    )
            if departments is not None and agr.organisation_cvr is not None:
                self._check_ownership(plugin, subject, agr, departments)
            if len(self.problems) == before:
                out.append((plugin, agr))
        self._check_conflicts(out)
        return out

    def _check_departments_shape(self, plugin: str, subject: str, agr: LettingAgreement) -> None:
        deps = agr.departments
        if isinstance(deps, ByColour):
            if not deps.colours or any(c not in COLOURS for c in deps.colours):
                self.problem(
                    errors.InvalidAgreementError,
                    f"ByColour takes colours among {', '.join(COLOURS)}, got {deps.colours!r}",
                    plugin,
                    subject,
                )
        elif isinstance(deps, AllDepartments):
            return
        elif (
            not isinstance(deps, tuple)
            or not deps
            or not all(isinstance(d, str) and d.strip() for d in deps)
        ):
            self.problem(
                errors.InvalidAgreementError,
                "departments must be department ids, AllDepartments() or ByColour(...)",
                plugin,
                subject,
            )

    def _check_group_dates(
        self, plugin: str, subject: str, agr: LettingAgreement, crit: Criterion
    ) -> None:
        if not isinstance(agr.valid_from, dt.date):
            return
        starts_late = crit.valid_from is not None and crit.valid_from > agr.valid_from
        ends_early = crit.valid_until is not None and (
            agr.valid_until is None or crit.valid_until < agr.valid_until
        )
        if starts_late or ends_early:
            self.problem(
                errors.InvalidDatesError,
                f"criterion {crit.id!r} is not in force for the whole agreement period",
                plugin,
                subject,
            )

    def _check_ownership(
        self, plugin: str, subject: str, agr: LettingAgreement, departments: pd.DataFrame
    ) -> None:
        owners = dict(
            zip(
                departments["department_id"].astype(str),
                departments["organisation_cvr"].astype(str),
                strict=True,
            )
        )
        if isinstance(agr.departments, tuple):
            for dep in agr.departments:
                if dep not in owners:
                    self.problem(
                        errors.UnknownDepartmentError,
                        f"department {dep!r} is not in the municipality's departments",
                        plugin,
                        subject,
                    )
                elif owners[dep] != agr.organisation_cvr:
                    self.problem(
                        errors.ForeignDepartmentError,
                        f"department {dep!r} belongs to organisation {owners[dep]}, not "
                        f"{agr.organisation_cvr}",
                        plugin,
                        subject,
                    )
        elif agr.organisation_cvr not in set(owners.values()):
            self.problem(
                errors.UnknownDepartmentError,
                f"organisation {agr.organisation_cvr} owns no department in the municipality",
                plugin,
                subject,
            )

    def _check_conflicts(self, agreements: Sequence[tuple[str, LettingAgreement]]) -> None:
        for i, (plugin_a, a) in enumerate(agreements):
            for plugin_b, b in agreements[i + 1 :]:
                if a.organisation_cvr is None or a.organisation_cvr != b.organisation_cvr:
                    continue
                if a.specificity != b.specificity or not _periods_overlap(a, b):
                    continue
                if _departments_overlap(a, b):
                    self.problem(
                        errors.ConflictingAgreementsError,
                        f"overlaps {_describe(a)} of plug-in {plugin_a!r}: both apply to the "
                        "same department on the same day",
                        plugin_b,
                        f"agreement {_describe(b)}",
                    )

    def infos_tuple(self) -> tuple[PluginInfo, ...]:
        return tuple(
            PluginInfo(
                name=name,
                distribution=info["distribution"],
                version=info["version"],
                builtin=info["builtin"],
                criteria=tuple(info["criteria"]),
                agreements=info["agreements"],
                fields=tuple(info["fields"]),
                parameter_files=tuple(info["parameter_files"]),
            )
            for name, info in self.infos.items()
        )


def _periods_overlap(a: LettingAgreement, b: LettingAgreement) -> bool:
    a_end = a.valid_until or dt.date.max
    b_end = b.valid_until or dt.date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


def _departments_overlap(a: LettingAgreement, b: LettingAgreement) -> bool:
    da, db = a.departments, b.departments
    if isinstance(da, AllDepartments) and isinstance(db, AllDepartments):
        return True
    if isinstance(da, ByColour) and isinstance(db, ByColour):
        return bool(set(da.colours) & set(db.colours))
    if isinstance(da, tuple) and isinstance(db, tuple):
        return bool(set(da) & set(db))
    return False


def _describe(agr: LettingAgreement) -> str:
    who = "statutory" if agr.organisation_cvr is None else f"CVR {agr.organisation_cvr}"
    since = (
        agr.valid_from.isoformat() if isinstance(agr.valid_from, dt.date) else repr(agr.valid_from)
    )
    deps = (
        agr.describe_departments()
        if isinstance(agr.departments, AllDepartments | ByColour | tuple)
        else repr(agr.departments)
    )
    return f"({who}, {deps}, from {since})"


def _accepts(func: Callable[..., Any], arity: int) -> bool:
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return True
    try:
        sig.bind(*([None] * arity))
    except TypeError:
        return False
    return True


def discover(
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    *,
    departments: pd.DataFrame | None = None,
    parameters: ParameterSet | None = None,
) -> LoadReport:
    """Load and validate plug-ins without raising: a :class:`LoadReport` with every problem.

    The arguments are those of :func:`load`. ``fuaalborg plugins`` uses this to
    list plug-ins even when some are invalid.
    """
    loader = _Loader(parameters if parameters is not None else load_parameters())
    loader.register(
        BuiltinPlugin(loader.base_parameters), BUILTIN_PLUGIN_NAME, None, None, builtin=True
    )
    for obj in plugins:
        loader.register(obj, _object_name(obj), None, None, builtin=False)
    if entry_points:
        loader.entry_points()
    try:
        loader.pm.check_pending()
    except pluggy.PluginValidationError as exc:
        plugin = getattr(exc, "plugin", None)
        name = loader.pm.get_name(plugin) if plugin is not None else None
        loader.problem(errors.InvalidHookError, str(exc), name or "(unknown)")
    params = loader.parameter_files()
    fields = loader.fields()
    criteria, origins = loader.criteria(fields, params)
    agreements = loader.agreements(criteria, set(origins), departments)
    problems = tuple(loader.problems)
    registry = None
    if not problems:
        ordered = sorted(
            (a for _, a in agreements), key=lambda a: (a.organisation_cvr is not None,)
        )
        registry = Registry(
            criteria=types.MappingProxyType(dict(sorted(criteria.items()))),
            agreements=tuple(ordered),
            plugins=loader.infos_tuple(),
            fields=types.MappingProxyType(fields),
            parameters=params,
            origins=types.MappingProxyType(origins),
        )
    return LoadReport(plugins=loader.infos_tuple(), problems=problems, registry=registry)


def load(
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    *,
    departments: pd.DataFrame | None = None,
    parameters: ParameterSet | None = None,
) -> Registry:
    """Load the built-in plug-in, ``plugins`` and installed plug-ins; validate; return the registry.

    ``plugins`` are extra plug-in objects or modules registered directly (as in
    tests). ``entry_points=False`` skips installed plug-ins. ``departments`` (the
    municipality's departments table) lets the loader check that each
    agreement's departments exist and belong to its organisation.
    ``parameters`` replaces the bundled parameter set (e.g. one layered with the
    municipality's bilag 7 values). Raises one
    :class:`~fuaalborg.criteria.PluginLoadError` listing every problem.
    """
    report = discover(plugins, entry_points, departments=departments, parameters=parameters)
    if report.registry is None:
        raise errors.PluginLoadError(report.problems)
    return report.registry
