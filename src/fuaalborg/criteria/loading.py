"""Finding plug-ins, loading them (isolated or in-process) and validating them centrally.

:func:`load` builds a :class:`~fuaalborg.criteria.Registry` from the built-in
plug-in, the plug-ins passed in (objects, or module names as text) and
(unless ``entry_points=False``) the plug-ins installed in the entry-point group
``fuaalborg``. Every contribution is validated in one pass by the checks of
:mod:`fuaalborg.criteria.checks`, and *all* problems are raised together as one
:class:`~fuaalborg.criteria.PluginLoadError`; :func:`discover` returns them
instead.

Where each plug-in runs (``isolation``):

``"auto"`` (the default)
    installed plug-ins (entry points) and plug-ins given by module name
    (``load(plugins=["fuaalborg_myorg"])``) run in a worker process of their
    own (:mod:`fuaalborg.criteria.isolation`); plug-in *objects* passed in
    (tests, notebooks) run in this process;
``"process"``
    every plug-in but the library's own runs in a worker process (an object
    must be a module, or picklable, to be re-created there);
``"in-process"``
    every plug-in runs in this process.

Which installed plug-ins load is controlled by two environment variables, each
a comma-separated list of distribution names:

``FUAALBORG_PLUGINS``
    when set, only these distributions load (set it empty to load none);
``FUAALBORG_DISABLE_PLUGINS``
    these distributions never load.

The built-in plug-in is registered directly, in this process, and is never
switched off.

>>> from fuaalborg.criteria import load
>>> registry = load(entry_points=False)
>>> [(p.name, p.isolation) for p in registry.plugins]
[('fuaalborg.builtin', 'in-process')]
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.metadata as metadata
import os
import pickle
import re
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pluggy

from fuaalborg.criteria import checks, errors
from fuaalborg.criteria.builtin import BUILTIN_PLUGIN_NAME, BuiltinPlugin
from fuaalborg.criteria.declarations import Criterion, LettingAgreement
from fuaalborg.criteria.hookspecs import PROJECT, HookSpecs
from fuaalborg.criteria.isolation import (
    ISOLATION_MODES,
    START_LIMIT_PARAMETER,
    IsolatedPlugin,
    Target,
)
from fuaalborg.criteria.registry import PluginInfo, Registry
from fuaalborg.criteria.vocabulary import APPLICANT_FIELDS, ApplicantField
from fuaalborg.parameters import ParameterSet, load_parameters, parse_parameter_file

__all__ = [
    "DISABLE_ENV",
    "PLUGINS_ENV",
    "LoadReport",
    "call_hook",
    "discover",
    "load",
]

#: Environment variable naming the only distributions whose plug-ins load.
PLUGINS_ENV = "FUAALBORG_PLUGINS"
#: Environment variable naming distributions whose plug-ins never load.
DISABLE_ENV = "FUAALBORG_DISABLE_PLUGINS"


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


def call_hook(
    manager: pluggy.PluginManager, hook: str, expected: type
) -> tuple[list[tuple[str, Any]], list[tuple[type[errors.PluginError], str, str]]]:
    """Call each plug-in's implementation of ``hook``: its items and the problems found.

    Returns (plug-in name, item) pairs of the declared type, and (error kind,
    detail, plug-in name) for a hook that raised (``BaseException`` included)
    or returned something other than a list of ``expected``. Used in this
    process and in isolated plug-ins' workers alike.
    """
    items: list[tuple[str, Any]] = []
    problems: list[tuple[type[errors.PluginError], str, str]] = []
    caller = getattr(manager.hook, hook)
    for impl in reversed(caller.get_hookimpls()):
        name = impl.plugin_name
        try:
            result = impl.function()
        except BaseException as exc:
            text = " ".join(str(exc).split())[:300]
            problems.append(
                (errors.PluginHookError, f"hook {hook} raised {type(exc).__name__}: {text}", name)
            )
            continue
        if not isinstance(result, list | tuple):
            problems.append(
                (
                    errors.InvalidHookResultError,
                    f"hook {hook} returned {type(result).__name__}, expected a list of "
                    f"{expected.__name__}",
                    name,
                )
            )
            continue
        for i, item in enumerate(result):
            if (expected is str and isinstance(item, str | os.PathLike)) or isinstance(
                item, expected
            ):
                items.append((name, item))
            else:
                problems.append(
                    (
                        errors.InvalidHookResultError,
                        f"hook {hook} returned {type(item).__name__} at position {i}, expected "
                        f"{expected.__name__}",
                        name,
                    )
                )
    return items, problems


@attrs.define
class _Entry:
    distribution: str | None
    version: str | None
    builtin: bool
    isolation: str
    organisation: Any = None
    organisation_invalid: bool = False
    criteria: list[str] = attrs.field(factory=list)
    agreements: int = 0
    fields: list[str] = attrs.field(factory=list)
    parameter_files: list[str] = attrs.field(factory=list)


class _Loader:
    def __init__(self, parameters: ParameterSet, isolation: str) -> None:
        self.pm = pluggy.PluginManager(PROJECT)
        self.pm.add_hookspecs(HookSpecs)
        self.base_parameters = parameters
        self.isolation = isolation
        self.entries: dict[str, _Entry] = {}
        self.problems: checks.Problems = []
        self.isolated: dict[str, IsolatedPlugin] = {}
        start = parameters.get(START_LIMIT_PARAMETER, dt.date.today(), warn=False)
        self.start_limit = float(start)

    def source(self, plugin: str) -> checks.Source:
        entry = self.entries.get(plugin)
        return checks.Source(plugin, entry.distribution if entry else None)

    def problem(
        self, cls: type[errors.PluginError], detail: str, plugin: str, subject: str | None = None
    ) -> None:
        self.problems.append(self.source(plugin).error(cls, detail, subject))

    def _unique(self, name: str) -> str:
        unique, n = name, 1
        while unique in self.entries:
            n += 1
            unique = f"{name}#{n}"
        return unique

    def register(
        self,
        obj: object,
        name: str,
        distribution: str | None,
        version: str | None,
        *,
        builtin: bool = False,
    ) -> None:
        """Register a plug-in that runs in this process."""
        unique = self._unique(name)
        self.entries[unique] = _Entry(distribution, version, builtin, "in-process")
        try:
            organisation = getattr(obj, "ORGANISATION_CVR", None)
        except Exception as exc:
            self.problem(errors.PluginHookError, f"ORGANISATION_CVR raised {exc!r}", unique)
            organisation = None
        self.entries[unique].organisation = organisation
        try:
            self.pm.register(obj, name=unique)
        except pluggy.PluginValidationError as exc:
            self.problem(errors.InvalidHookError, str(exc), unique)
        except ValueError as exc:
            self.problem(errors.InvalidHookError, f"cannot be registered ({exc})", unique)

    def isolate(
        self, target: Target, name: str, distribution: str | None, version: str | None
    ) -> None:
        """Start a worker for a plug-in; its declarations are collected by :meth:`gather`."""
        unique = self._unique(name)
        self.entries[unique] = _Entry(distribution, version, False, "process")
        handle = IsolatedPlugin(unique, target, start_limit=self.start_limit)
        try:
            handle.launch()
        except Exception as exc:  # no POSIX pipes and fds (Windows), no interpreter, …
            self.problem(
                errors.IsolationError,
                f"its worker process cannot be started ({type(exc).__name__}: {exc}); process "
                "isolation needs a POSIX system — load it with isolation='in-process' to run it "
                "in this process",
                unique,
            )
            handle.close()
            return
        self.isolated[unique] = handle

    def gather(self) -> None:
        """Register the isolated plug-ins' declarations (the workers started in parallel)."""
        for name, handle in list(self.isolated.items()):
            proxy, found = handle.declarations()
            for cls, detail in found:
                self.problem(cls, detail, name)
            if proxy is None:
                handle.close()
                del self.isolated[name]
                continue
            handle.remember_declarations()
            self.entries[name].organisation = proxy.ORGANISATION_CVR
            self.pm.register(proxy, name=name)

    def add(self, obj: object) -> None:
        """A plug-in passed to :func:`load`: an object, or a module name as text."""
        if isinstance(obj, str):
            if self.isolation == "in-process":
                module, _, attr = obj.partition(":")
                try:
                    found: Any = importlib.import_module(module)
                    for part in filter(None, attr.split(".")):
                        found = getattr(found, part)
                except Exception as exc:
                    self.entries.setdefault(obj, _Entry(None, None, False, "in-process"))
                    self.problem(
                        errors.PluginImportError,
                        f"cannot be imported ({type(exc).__name__}: {exc})",
                        obj,
                    )
                    return
                self.register(found, obj, None, None)
            else:
                self.isolate(Target.of_module_name(obj), obj, None, None)
            return
        if self.isolation != "process":
            self.register(obj, _object_name(obj), None, None)
            return
        name = _object_name(obj)
        if isinstance(obj, types.ModuleType) and getattr(obj, "__spec__", None) is not None:
            self.isolate(Target(module=obj.__name__), name, None, None)
            return
        try:
            pickled = pickle.dumps(obj)
        except Exception as exc:
            unique = self._unique(name)
            self.entries[unique] = _Entry(None, None, False, "process")
            self.problem(
                errors.IsolationError,
                "the plug-in object cannot be re-created in a worker process "
                f"({type(exc).__name__}); pass its module name (load(plugins=['pkg.module'])) "
                "or isolation='in-process'",
                unique,
            )
            return
        self.isolate(Target(pickled=pickled), name, None, None)

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
            if self.isolation != "in-process":
                self.isolate(Target.of_module_name(ep.value), ep.name, dist_name, version)
                continue
            try:
                obj = ep.load()
            except Exception as exc:
                self.entries.setdefault(ep.name, _Entry(dist_name, version, False, "in-process"))
                self.problem(
                    errors.PluginImportError,
                    f"entry point {ep.value!r} cannot be imported ({type(exc).__name__}: {exc})",
                    ep.name,
                )
                continue
            self.register(obj, ep.name, dist_name, version)
        for missing in sorted((only or set()) - seen):
            self.problems.append(
                errors.PluginNotFoundError(
                    f"named in {PLUGINS_ENV} but no installed distribution provides a "
                    f"'{PROJECT}' entry point",
                    plugin=missing,
                )
            )

    def call(self, hook: str, expected: type) -> list[tuple[str, Any]]:
        items, found = call_hook(self.pm, hook, expected)
        for cls, detail, name in found:
            self.problem(cls, detail, name)
        return items

    # -- parameter files, fields, criteria, agreements ------------------------

    def parameter_files(self) -> ParameterSet:
        known = set(self.base_parameters.names())
        owners: dict[str, str] = {}
        good: list[Path] = []
        for plugin, raw in self.call("register_parameter_files", str):
            path = Path(raw)
            self.entries[plugin].parameter_files.append(path.name)
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
                    self.problem(errors.PluginParameterFileError, str(p), plugin)
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
        owners: dict[str, str] = {}
        for plugin, field in self.call("register_applicant_fields", ApplicantField):
            self.entries[plugin].fields.append(str(field.name))
            if checks.check_field(self.problems, self.source(plugin), field, fields, owners):
                fields[field.name] = field
                owners[field.name] = plugin
        return fields

    def criteria(
        self, fields: Mapping[str, ApplicantField], parameters: ParameterSet
    ) -> tuple[dict[str, Criterion], dict[str, str]]:
        criteria: dict[str, Criterion] = {}
        origins: dict[str, str] = {}
        known_parameters = set(parameters.names())
        for plugin, crit in self.call("register_criteria", Criterion):
            before = len(self.problems)
            checks.check_criterion(
                self.problems, self.source(plugin), crit, fields, known_parameters
            )
            if isinstance(crit.id, str) and crit.id in criteria:
                self.problem(
                    errors.DuplicateCriterionError,
                    f"the id is already used by plug-in {origins[crit.id]!r}",
                    plugin,
                    f"criterion {crit.id!r}",
                )
                continue
            self.entries[plugin].criteria.append(str(crit.id))
            if len(self.problems) == before:
                criteria[crit.id] = crit
                origins[crit.id] = plugin
            else:
                origins.setdefault(str(crit.id), plugin)
        return criteria, origins

    def organisations(self) -> None:
        for name, entry in self.entries.items():
            before = len(self.problems)
            checks.check_organisation(self.problems, self.source(name), entry.organisation)
            if len(self.problems) != before:
                entry.organisation = None
                entry.organisation_invalid = True

    def agreements(
        self,
        criteria: Mapping[str, Criterion],
        all_ids: set[str],
        departments: pd.DataFrame | None,
    ) -> list[tuple[str, LettingAgreement]]:
        found = self.call("register_letting_agreements", LettingAgreement)
        statutory = [a for p, a in found if self.entries[p].builtin and a.organisation_cvr is None]
        out: list[tuple[str, LettingAgreement]] = []
        for plugin, agr in found:
            entry = self.entries[plugin]
            organisation = entry.organisation if isinstance(entry.organisation, str) else None
            entry.agreements += 1
            before = len(self.problems)
            if entry.organisation_invalid:
                continue  # its ORGANISATION_CVR is already reported
            checks.check_agreement(
                self.problems,
                self.source(plugin),
                agr,
                builtin=entry.builtin,
                organisation_cvr=organisation,
                criteria=criteria,
                all_ids=all_ids,
                statutory=statutory,
                departments=departments,
            )
            if len(self.problems) == before:
                out.append((plugin, agr))
        checks.check_conflicts(self.problems, [(self.source(p), a) for p, a in out])
        return out

    def infos(self) -> tuple[PluginInfo, ...]:
        return tuple(
            PluginInfo(
                name=name,
                distribution=e.distribution,
                version=e.version,
                builtin=e.builtin,
                criteria=tuple(e.criteria),
                agreements=e.agreements,
                fields=tuple(e.fields),
                parameter_files=tuple(e.parameter_files),
                isolation=e.isolation,
                organisation_cvr=e.organisation if isinstance(e.organisation, str) else None,
            )
            for name, e in self.entries.items()
        )


def discover(
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    *,
    departments: pd.DataFrame | None = None,
    parameters: ParameterSet | None = None,
    isolation: str = "auto",
) -> LoadReport:
    """Load and validate plug-ins without raising: a :class:`LoadReport` with every problem.

    The arguments are those of :func:`load`. ``fuaalborg plugins`` uses this to
    list plug-ins even when some are invalid. When the report has problems, the
    worker processes started for it are stopped again.
    """
    if isolation not in ISOLATION_MODES:
        raise ValueError(
            f"isolation must be one of {', '.join(ISOLATION_MODES)}, got {isolation!r}"
        )
    loader = _Loader(parameters if parameters is not None else load_parameters(), isolation)
    loader.register(
        BuiltinPlugin(loader.base_parameters), BUILTIN_PLUGIN_NAME, None, None, builtin=True
    )
    try:
        for obj in plugins:
            loader.add(obj)
        if entry_points:
            loader.entry_points()
        loader.gather()
        try:
            loader.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            plugin = getattr(exc, "plugin", None)
            name = loader.pm.get_name(plugin) if plugin is not None else None
            loader.problem(errors.InvalidHookError, str(exc), name or "(unknown)")
        loader.organisations()
        params = loader.parameter_files()
        fields = loader.fields()
        criteria, origins = loader.criteria(fields, params)
        agreements = loader.agreements(criteria, set(origins), departments)
    except BaseException:
        for handle in loader.isolated.values():
            handle.close()
        raise
    problems = tuple(loader.problems)
    registry = None
    if problems:
        for handle in loader.isolated.values():
            handle.close()
    else:
        ordered = sorted(
            (a for _, a in agreements), key=lambda a: (a.organisation_cvr is not None,)
        )
        registry = Registry(
            criteria=types.MappingProxyType(dict(sorted(criteria.items()))),
            agreements=tuple(ordered),
            plugins=loader.infos(),
            fields=types.MappingProxyType(fields),
            parameters=params,
            origins=types.MappingProxyType(origins),
            isolated=types.MappingProxyType(dict(loader.isolated)),
        )
    return LoadReport(plugins=loader.infos(), problems=problems, registry=registry)


def load(
    plugins: Iterable[object] = (),
    entry_points: bool = True,
    *,
    departments: pd.DataFrame | None = None,
    parameters: ParameterSet | None = None,
    isolation: str = "auto",
) -> Registry:
    """Load the built-in plug-in, ``plugins`` and installed plug-ins; validate; return the registry.

    ``plugins`` are plug-in objects or modules registered directly (as in
    tests), or module names as text (``"fuaalborg_myorg"`` or
    ``"package.module:attribute"``). ``entry_points=False`` skips installed
    plug-ins. ``isolation`` says which plug-ins run in a worker process of
    their own (``"auto"``, ``"process"``, ``"in-process"``; see the module
    documentation). ``departments`` (the municipality's departments table)
    lets the loader check that each agreement's departments exist and belong
    to its organisation. ``parameters`` replaces the bundled parameter set
    (e.g. one layered with the municipality's bilag 7 values). Raises one
    :class:`~fuaalborg.criteria.PluginLoadError` listing every problem.
    """
    report = discover(
        plugins, entry_points, departments=departments, parameters=parameters, isolation=isolation
    )
    if report.registry is None:
        raise errors.PluginLoadError(report.problems)
    return report.registry
