"""Flexible-letting criteria (fleksibel udlejning, almenboligloven § 60) as pluggy plug-ins.

Each housing organisation's criteria and its bilag 4 agreement live in a plug-in
it writes, versions and ships itself (entry-point group ``fuaalborg``). The
library guarantees by construction that no criterion reads ethnicity, national
origin, citizenship, religion or a proxy for them:

1. **static** — :func:`load` refuses a criterion that declares a protected or
   undeclared field (:class:`DiscriminatoryCriterionError`,
   :class:`UnknownFieldError`), with every other problem, all at once;
2. **runtime** — a predicate receives a fresh frame of only its declared
   columns (:mod:`fuaalborg.criteria.firewall`);
3. **audit** — :func:`audit` proves on data that no result changes when the
   protected columns are shuffled, replaced or removed.

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
from fuaalborg.criteria.declarations import (
    COLOURS,
    AllDepartments,
    ByColour,
    Criterion,
    LettingAgreement,
)
from fuaalborg.criteria.errors import (
    ConflictingAgreementsError,
    CriterionAccessError,
    CriterionNotFoundError,
    CriterionResultError,
    DiscriminatoryCriterionError,
    DiscriminatoryFieldError,
    DuplicateCriterionError,
    DuplicateFieldError,
    ForeignDepartmentError,
    InvalidAgreementError,
    InvalidCriterionError,
    InvalidDatesError,
    InvalidFieldError,
    InvalidHookError,
    InvalidHookResultError,
    MissingApplicantFieldError,
    MissingLegalBasisError,
    ParameterConflictError,
    PluginError,
    PluginHookError,
    PluginImportError,
    PluginLoadError,
    PluginNotFoundError,
    PluginParameterFileError,
    PredicateError,
    UnknownCriterionError,
    UnknownDepartmentError,
    UnknownFieldError,
    UnknownParameterError,
)
from fuaalborg.criteria.hookspecs import HookSpecs, hookimpl, hookspec
from fuaalborg.criteria.registry import (
    DISABLE_ENV,
    PLUGINS_ENV,
    LoadReport,
    PluginInfo,
    Registry,
    discover,
    load,
)
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
    "PLUGINS_ENV",
    "PROTECTED_FIELDS",
    "AllDepartments",
    "ApplicantField",
    "AuditCheck",
    "AuditReport",
    "BuiltinPlugin",
    "ByColour",
    "ConflictingAgreementsError",
    "Criterion",
    "CriterionAccessError",
    "CriterionNotFoundError",
    "CriterionResultError",
    "DiscriminatoryCriterionError",
    "DiscriminatoryFieldError",
    "DuplicateCriterionError",
    "DuplicateFieldError",
    "ForeignDepartmentError",
    "HookSpecs",
    "ImpactRow",
    "InvalidAgreementError",
    "InvalidCriterionError",
    "InvalidDatesError",
    "InvalidFieldError",
    "InvalidHookError",
    "InvalidHookResultError",
    "LettingAgreement",
    "LoadReport",
    "MissingApplicantFieldError",
    "MissingLegalBasisError",
    "ParameterConflictError",
    "PluginError",
    "PluginHookError",
    "PluginImportError",
    "PluginInfo",
    "PluginLoadError",
    "PluginNotFoundError",
    "PluginParameterFileError",
    "PredicateError",
    "Registry",
    "UnknownCriterionError",
    "UnknownDepartmentError",
    "UnknownFieldError",
    "UnknownParameterError",
    "audit",
    "discover",
    "hookimpl",
    "hookspec",
    "is_protected_name",
    "load",
    "priority_groups",
    "validate_applicants",
]
