"""fuaalborg: the joint letting agreement of Aalborg Kommune as tested, explainable code.

The public API is re-exported here; submodules hold one concept each.

>>> import fuaalborg
>>> len(fuaalborg.parties())
14
"""

from fuaalborg._version import __version__
from fuaalborg.agreement import Agreement, agreement_in_force
from fuaalborg.criteria import (
    AllDepartments,
    ByColour,
    Criterion,
    DiscriminatoryCriterionError,
    LettingAgreement,
    PluginLoadError,
)
from fuaalborg.criteria import audit as audit_criteria
from fuaalborg.criteria import load as load_criteria
from fuaalborg.errors import (
    AssumedTermsWarning,
    FuaalborgError,
    NotInForceError,
    ParameterFileError,
    ValidationError,
)
from fuaalborg.letting.ledger import Decision, Ledger
from fuaalborg.letting.offers import OfferRound
from fuaalborg.letting.ranking import Ranking, rank, rank_many
from fuaalborg.letting.referral_limits import check_referral
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
from fuaalborg.records import RankingRecord, replay
from fuaalborg.rents import rent_band, rent_band_labels
from fuaalborg.reports import Report, build_report
from fuaalborg.simulation import Scenario, SimulationResult, compare_scenarios, simulate
from fuaalborg.tables import (
    Column,
    Problem,
    TableSpec,
    TableValidationError,
    read_table,
    write_table,
)

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
    "Problem",
    "Ranking",
    "RankingRecord",
    "Report",
    "Scenario",
    "SimulationResult",
    "StepModel",
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
