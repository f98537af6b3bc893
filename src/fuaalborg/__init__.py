"""fuaalborg: the joint letting agreement of Aalborg Kommune as tested, explainable code.

The public API is re-exported here; submodules hold one concept each. Both load
on first use (a module ``__getattr__``), so ``import fuaalborg`` is light and
``fuaalborg.examples.load()`` works after it alone.

>>> import fuaalborg
>>> len(fuaalborg.parties())
14
>>> fuaalborg.examples.load().synthetic
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fuaalborg import _lazy
from fuaalborg._version import __version__

if TYPE_CHECKING:
    from fuaalborg.agreement import Agreement, agreement_in_force
    from fuaalborg.criteria import (
        AllDepartments,
        ByColour,
        Criterion,
        DiscriminatoryCriterionError,
        LettingAgreement,
        PluginLoadError,
    )
    from fuaalborg.criteria import load as load_criteria
    from fuaalborg.criteria.audit import audit as audit_criteria
    from fuaalborg.errors import (
        AssumedTermsWarning,
        FuaalborgError,
        NotInForceError,
        ParameterFileError,
        ProblemsError,
        ValidationError,
    )
    from fuaalborg.letting.ledger import Decision, Ledger
    from fuaalborg.letting.offers import OfferRound
    from fuaalborg.letting.ranking import Ranking, rank, rank_many
    from fuaalborg.letting.referral_limits import check_referral
    from fuaalborg.letting.replay import replay
    from fuaalborg.letting.vacancy import Vacancy
    from fuaalborg.model import (
        Area,
        Department,
        Dwelling,
        Organisation,
        is_valid_cvr,
        parties,
        validate_cvr,
    )
    from fuaalborg.monitoring import (
        ConflictingSteps,
        NoListRulesError,
        NoStepApplies,
        Placement,
        StepModel,
        classify_areas,
        colour_on,
        placement_on,
        rules_for,
    )
    from fuaalborg.municipality import Municipality
    from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
    from fuaalborg.records import RankingBasis, RankingRecord
    from fuaalborg.rents import rent_band, rent_band_labels
    from fuaalborg.reports import Report, build_report
    from fuaalborg.simulation import Scenario, SimulationResult, compare_scenarios, simulate
    from fuaalborg.tables import (
        Column,
        TableProblem,
        TableSpec,
        TableValidationError,
        read_table,
        write_table,
    )

#: Every re-exported name, by the module that defines it under the same name.
_BY_MODULE: dict[str, tuple[str, ...]] = {
    "fuaalborg.agreement": ("Agreement", "agreement_in_force"),
    "fuaalborg.criteria": (
        "AllDepartments", "ByColour", "Criterion", "DiscriminatoryCriterionError",
        "LettingAgreement", "PluginLoadError",
    ),
    "fuaalborg.errors": (
        "AssumedTermsWarning", "FuaalborgError", "NotInForceError", "ParameterFileError",
        "ProblemsError", "ValidationError",
    ),
    "fuaalborg.letting.ledger": ("Decision", "Ledger"),
    "fuaalborg.letting.offers": ("OfferRound",),
    "fuaalborg.letting.ranking": ("Ranking", "rank", "rank_many"),
    "fuaalborg.letting.referral_limits": ("check_referral",),
    "fuaalborg.letting.replay": ("replay",),
    "fuaalborg.letting.vacancy": ("Vacancy",),
    "fuaalborg.model": (
        "Area", "Department", "Dwelling", "Organisation", "is_valid_cvr", "parties",
        "validate_cvr",
    ),
    "fuaalborg.monitoring": (
        "ConflictingSteps", "NoListRulesError", "NoStepApplies", "Placement", "StepModel",
        "classify_areas", "colour_on", "placement_on", "rules_for",
    ),
    "fuaalborg.municipality": ("Municipality",),
    "fuaalborg.parameters": ("DatedValue", "Parameter", "ParameterSet", "load_parameters"),
    "fuaalborg.records": ("RankingBasis", "RankingRecord"),
    "fuaalborg.rents": ("rent_band", "rent_band_labels"),
    "fuaalborg.reports": ("Report", "build_report"),
    "fuaalborg.simulation": ("Scenario", "SimulationResult", "compare_scenarios", "simulate"),
    "fuaalborg.tables": (
        "Column", "TableProblem", "TableSpec", "TableValidationError", "read_table", "write_table",
    ),
}
#: Re-exported names that differ from their name in the defining module.
_RENAMED: dict[str, tuple[str, str]] = {
    "audit_criteria": ("fuaalborg.criteria.audit", "audit"),
    "load_criteria": ("fuaalborg.criteria", "load"),
}
#: Every re-exported name: the module that defines it and its name there.
_EXPORTS: dict[str, tuple[str, str]] = {
    **{name: (module, name) for module, names in _BY_MODULE.items() for name in names},
    **_RENAMED,
}

#: The submodules ``fuaalborg.<name>`` loads on first use.
_SUBMODULES = frozenset(
    {
        "agreement", "cli", "criteria", "danish", "dates", "errors", "examples", "letting",
        "model", "monitoring", "municipality", "parameters", "records", "rents", "reports",
        "simulation", "specs", "tables",
    }
)


#: Former names, each kept as an alias of its new name until a later release.
_DEPRECATED: dict[str, tuple[str, str]] = {
    # 0.2: a table's failing cell is a TableProblem, one kind of fuaalborg.errors.Problem
    "Problem": ("fuaalborg.tables", "TableProblem"),
}


def __getattr__(name: str) -> Any:
    """Load a re-exported name or a submodule on first use (PEP 562)."""
    if name in _DEPRECATED:
        return _lazy.deprecated(__name__, name, _DEPRECATED)
    return _lazy.load(globals(), name, _EXPORTS, _SUBMODULES)


def __dir__() -> list[str]:
    return _lazy.names(globals(), _EXPORTS, _SUBMODULES)


__all__ = [
    "Agreement",
    "AllDepartments",
    "Area",
    "AssumedTermsWarning",
    "ByColour",
    "Column",
    "ConflictingSteps",
    "Criterion",
    "DatedValue",
    "Decision",
    "Department",
    "DiscriminatoryCriterionError",
    "Dwelling",
    "FuaalborgError",
    "Ledger",
    "LettingAgreement",
    "Municipality",
    "NoListRulesError",
    "NoStepApplies",
    "NotInForceError",
    "OfferRound",
    "Organisation",
    "Parameter",
    "ParameterFileError",
    "ParameterSet",
    "Placement",
    "PluginLoadError",
    "ProblemsError",
    "Ranking",
    "RankingBasis",
    "RankingRecord",
    "Report",
    "Scenario",
    "SimulationResult",
    "StepModel",
    "TableProblem",
    "TableSpec",
    "TableValidationError",
    "Vacancy",
    "ValidationError",
    "__version__",
    "agreement_in_force",
    "audit_criteria",
    "build_report",
    "check_referral",
    "classify_areas",
    "colour_on",
    "compare_scenarios",
    "is_valid_cvr",
    "load_criteria",
    "load_parameters",
    "parties",
    "placement_on",
    "rank",
    "rank_many",
    "read_table",
    "rent_band",
    "rent_band_labels",
    "replay",
    "rules_for",
    "simulate",
    "validate_cvr",
    "write_table",
]
