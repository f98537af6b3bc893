"""Flexible-letting criteria (fleksibel udlejning, almenboligloven § 60) as pluggy plug-ins.

Each housing organisation's criteria and its bilag 4 agreement live in a plug-in
it writes, versions and ships itself (entry-point group ``fuaalborg``). The
library keeps every criterion away from ethnicity, national origin,
citizenship, religion and proxies for them, in layers:

1. **static** — :func:`load` refuses a criterion that declares a protected or
   undeclared field, or a proxy for national origin, and a plug-in field whose
   name or meaning names one
   (:class:`DiscriminatoryCriterionError`), with every other problem, all at once;
2. **isolation** — plug-ins that are not the library's own run in a worker
   process of their own that receives only the declared columns
   (:mod:`fuaalborg.criteria.isolation`);
3. **runtime** — a predicate receives a fresh frame of only its declared
   columns, each its own copy (:mod:`fuaalborg.criteria.firewall`); every
   exception it raises becomes a :class:`PredicateError` naming the plug-in
   and the criterion;
4. **audit** — :func:`audit` proves on data that no result changes when the
   protected columns are shuffled, replaced or removed, and reports selection
   rates by group on labelled data.

The other named errors are in :mod:`fuaalborg.criteria.errors`.

>>> from datetime import date
>>> import pandas as pd
>>> from fuaalborg.criteria import load
>>> registry = load(entry_points=False)
>>> waiting = pd.DataFrame({"applicant_id": ["a", "b"], "children": [0, 2]})
>>> registry.evaluate("families_with_children", waiting, date(2024, 5, 1)).tolist()
[False, True]
"""

from fuaalborg.criteria.audit import AuditCheck, AuditReport, ImpactRow, audit, priority_groups
from fuaalborg.criteria.builtin import BUILTIN_PLUGIN_NAME, MANDATORY_CRITERION, BuiltinPlugin
from fuaalborg.criteria.conditions import DwellingCondition, PriorityGroup
from fuaalborg.criteria.declarations import (
    COLOURS,
    MAX_GROUPS,
    AllDepartments,
    ByColour,
    Criterion,
    LettingAgreement,
)
from fuaalborg.criteria.errors import (
    DiscriminatoryCriterionError,
    PluginError,
    PluginLoadError,
    PredicateError,
)
from fuaalborg.criteria.hookspecs import HookSpecs, hookimpl, hookspec
from fuaalborg.criteria.loading import (
    DISABLE_ENV,
    PLUGINS_ENV,
    LoadReport,
    discover,
    load,
)
from fuaalborg.criteria.registry import PluginInfo, Registry
from fuaalborg.criteria.vocabulary import (
    APPLICANTS,
    PROTECTED_FIELDS,
    ApplicantField,
    is_protected_name,
    validate_applicants,
)

__all__ = [
    "APPLICANTS",
    "BUILTIN_PLUGIN_NAME",
    "COLOURS",
    "DISABLE_ENV",
    "MANDATORY_CRITERION",
    "MAX_GROUPS",
    "PLUGINS_ENV",
    "PROTECTED_FIELDS",
    "AllDepartments",
    "ApplicantField",
    "AuditCheck",
    "AuditReport",
    "BuiltinPlugin",
    "ByColour",
    "Criterion",
    "DiscriminatoryCriterionError",
    "DwellingCondition",
    "HookSpecs",
    "ImpactRow",
    "LettingAgreement",
    "LoadReport",
    "PluginError",
    "PluginInfo",
    "PluginLoadError",
    "PredicateError",
    "PriorityGroup",
    "Registry",
    "audit",
    "discover",
    "hookimpl",
    "hookspec",
    "is_protected_name",
    "load",
    "priority_groups",
    "validate_applicants",
]
