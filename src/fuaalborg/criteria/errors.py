"""The named errors of flexible-letting criteria and their plug-ins.

Loading plug-ins collects *every* problem before raising: :func:`fuaalborg.criteria.load`
raises one :class:`PluginLoadError`, an :class:`ExceptionGroup` whose members are
the named errors below (catch one kind with ``except*``). Each member names the
plug-in, its distribution, and the criterion, agreement or field concerned.
Errors never echo an applicant's data.

>>> from fuaalborg.criteria.errors import DiscriminatoryCriterionError, PluginLoadError
>>> err = DiscriminatoryCriterionError(
...     "reads the protected field 'citizenship'",
...     plugin="acme", distribution="acme-criteria", subject="criterion 'acme.x'",
... )
>>> print(err)
plug-in 'acme' (acme-criteria): criterion 'acme.x': reads the protected field 'citizenship'
>>> group = PluginLoadError([err])
>>> group.subgroup(DiscriminatoryCriterionError) is not None
True
"""

from __future__ import annotations

from collections.abc import Sequence

from fuaalborg.errors import FuaalborgError, ValidationError

__all__ = [
    "ConflictingAgreementsError",
    "CriterionAccessError",
    "CriterionNotFoundError",
    "CriterionResultError",
    "DiscriminatoryCriterionError",
    "DiscriminatoryFieldError",
    "DuplicateCriterionError",
    "DuplicateFieldError",
    "ForeignDepartmentError",
    "InvalidAgreementError",
    "InvalidCriterionError",
    "InvalidDatesError",
    "InvalidFieldError",
    "InvalidHookError",
    "InvalidHookResultError",
    "MissingApplicantFieldError",
    "MissingLegalBasisError",
    "ParameterConflictError",
    "PluginError",
    "PluginHookError",
    "PluginImportError",
    "PluginLoadError",
    "PluginNotFoundError",
    "PluginParameterFileError",
    "PredicateError",
    "UnknownCriterionError",
    "UnknownDepartmentError",
    "UnknownFieldError",
    "UnknownParameterError",
]


class PluginError(FuaalborgError):
    """A problem with one plug-in's contribution, found while loading it.

    ``plugin`` is the plug-in's name, ``distribution`` the installed package it
    came from (``None`` for a plug-in registered directly), ``subject`` the
    criterion, agreement or field concerned (or ``None`` for the whole plug-in).
    """

    def __init__(
        self,
        detail: str,
        *,
        plugin: str,
        distribution: str | None = None,
        subject: str | None = None,
    ) -> None:
        self.detail = detail
        self.plugin = plugin
        self.distribution = distribution
        self.subject = subject
        source = f"plug-in {plugin!r}"
        if distribution:
            source += f" ({distribution})"
        parts = [source, *([subject] if subject else []), detail]
        super().__init__(": ".join(parts))


class DiscriminatoryCriterionError(PluginError):
    """A criterion that declares a protected field among the fields it reads.

    Protected fields (ethnicity, national origin, citizenship, religion, name,
    CPR number and their proxies) may never decide a letting: forskelsbehandlingsloven
    § 1, lov om etnisk ligebehandling, and the housing authority's guidance.
    """


class DiscriminatoryFieldError(DiscriminatoryCriterionError):
    """A plug-in field whose name matches a protected concept (English or Danish)."""


class UnknownFieldError(PluginError):
    """A criterion that reads a field no vocabulary declares."""


class InvalidCriterionError(PluginError):
    """A malformed criterion: bad id, empty title, no fields, a predicate that is not callable."""


class DuplicateCriterionError(PluginError):
    """Two criteria with the same id: an error, never a silent override."""


class MissingLegalBasisError(PluginError):
    """A criterion or agreement without its legal basis (e.g. "Almenboligloven § 60, stk. 1")."""


class InvalidDatesError(PluginError):
    """Effective dates that are not dates, or a period that ends before it starts."""


class InvalidAgreementError(PluginError):
    """A malformed letting agreement: bad CVR, no groups, a share outside 0–1."""


class UnknownCriterionError(PluginError):
    """An agreement whose priority groups name a criterion that is not loaded."""


class UnknownDepartmentError(PluginError):
    """An agreement naming a department that is not in the municipality's departments."""


class ForeignDepartmentError(PluginError):
    """An agreement naming a department that belongs to another organisation."""


class ConflictingAgreementsError(PluginError):
    """Two agreements of one organisation that apply to the same department on the same day.

    Exactly one agreement must apply; a more specific one (listed department ids)
    takes precedence over a selector, but two of the same kind conflict.
    """


class InvalidFieldError(PluginError):
    """A plug-in field without a meaning, or declared protected."""


class DuplicateFieldError(PluginError):
    """A plug-in field that another plug-in or the canonical vocabulary already declares."""


class UnknownParameterError(PluginError):
    """A criterion that reads a parameter no loaded parameter file defines."""


class ParameterConflictError(PluginError):
    """A plug-in parameter file that redefines a bundled parameter or another plug-in's.

    A plug-in may add its own parameters but never replace the library's (the
    statutory §60 stk. 4 values can be tightened by agreement, never dropped).
    """


class PluginImportError(PluginError):
    """An entry point in the ``fuaalborg`` group that cannot be imported."""


class PluginNotFoundError(PluginError):
    """A distribution named in ``FUAALBORG_PLUGINS`` that is not installed."""


class PluginHookError(PluginError):
    """A hook implementation that raised an exception."""


class InvalidHookError(PluginError):
    """A hook implementation with a misspelled name or arguments no hook declares.

    pluggy's ``check_pending()`` finds the misspelled names after loading.
    """


class PluginParameterFileError(PluginError):
    """A plug-in's parameter file that cannot be read or parsed."""


class InvalidHookResultError(PluginError):
    """A hook that returned something other than a list of the declared objects."""


class PluginLoadError(ExceptionGroup[PluginError], FuaalborgError):
    """Every problem found while loading plug-ins, raised at once.

    An :class:`ExceptionGroup` of :class:`PluginError` members: use
    ``except* DiscriminatoryCriterionError`` or :meth:`subgroup` to pick one kind.
    The message lists all problems, one a line.
    """

    def __new__(cls, problems: Sequence[PluginError]) -> PluginLoadError:
        return super().__new__(cls, _head(problems), list(problems))

    def __init__(self, problems: Sequence[PluginError]) -> None:
        super().__init__(_head(problems), list(problems))
        self.problems: tuple[PluginError, ...] = tuple(problems)

    def derive(self, excs: Sequence[PluginError]) -> PluginLoadError:  # type: ignore[override]
        """A group of the same kind holding ``excs`` (used by ``subgroup``/``split``)."""
        return PluginLoadError(excs)

    def __str__(self) -> str:
        return "\n".join([_head(self.problems), *(f"  - {p}" for p in self.problems)])


def _head(problems: Sequence[PluginError]) -> str:
    n = len(problems)
    return f"{n} problem{'s' if n != 1 else ''} loading flexible-letting plug-ins:"


class CriterionAccessError(FuaalborgError, KeyError):
    """A predicate that touched a field its criterion did not declare.

    The firewall hands a predicate only the declared columns; asking for any other
    column (or a protected or vocabulary field as an attribute) raises this error,
    naming the criterion. It is a :class:`KeyError`, as pandas raises for a missing
    column.
    """

    def __init__(self, criterion: str, field: str) -> None:
        self.criterion = criterion
        self.field = field
        super().__init__(
            f"criterion {criterion!r} touched the field {field!r}, which it does not declare "
            "in `reads`"
        )

    def __str__(self) -> str:
        return str(self.args[0])


class CriterionNotFoundError(FuaalborgError, KeyError):
    """A criterion id that no loaded plug-in provides."""

    def __str__(self) -> str:
        return str(self.args[0])


class PredicateError(FuaalborgError):
    """An exception raised inside a criterion's predicate, wrapped with the criterion's id."""


class CriterionResultError(FuaalborgError):
    """A predicate result other than a boolean Series on the frame's index without NA values."""


class MissingApplicantFieldError(ValidationError):
    """An applicant table that lacks a field a criterion reads."""
