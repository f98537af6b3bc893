"""fuaalborg: the joint letting agreement of Aalborg Kommune as tested, explainable code.

The public API is re-exported here; submodules hold one concept each.

>>> import fuaalborg
>>> len(fuaalborg.parties())
14
"""

from fuaalborg._version import __version__
from fuaalborg.agreement import Agreement, agreement_in_force
from fuaalborg.errors import (
    AssumedTermsWarning,
    FuaalborgError,
    NotInForceError,
    ParameterFileError,
    ValidationError,
)
from fuaalborg.model import (
    Area,
    Department,
    Dwelling,
    Organisation,
    is_valid_cvr,
    parties,
    validate_cvr,
)
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from fuaalborg.rents import rent_band, rent_band_labels
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
    "Area",
    "AssumedTermsWarning",
    "Column",
    "DatedValue",
    "Department",
    "Dwelling",
    "FuaalborgError",
    "Municipality",
    "NotInForceError",
    "Organisation",
    "Parameter",
    "ParameterFileError",
    "ParameterSet",
    "Problem",
    "TableSpec",
    "TableValidationError",
    "ValidationError",
    "__version__",
    "agreement_in_force",
    "is_valid_cvr",
    "load_parameters",
    "parties",
    "read_table",
    "rent_band",
    "rent_band_labels",
    "validate_cvr",
    "write_table",
]
