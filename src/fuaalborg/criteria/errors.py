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
from typing import Any

from fuaalborg.errors import FuaalborgError, ProblemsError, ValidationError, format_problems

__all__ = [
    "AgreementOrganisationError",
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
    "InvalidOrganisationError",
    "IsolationError",
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
    "PredicateTimeoutError",
    "StatutoryFieldError",
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
    As a problem of a :class:`PluginLoadError` its ``where`` is the plug-in
    (and the subject), its ``what`` the ``detail``.
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
        self.where = ": ".join([source, *([subject] if subject else [])])
        self.what = detail
        super().__init__(f"{self.where}: {detail}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_plugin_error, (type(self), self.detail, self.plugin, self.distribution,
                                self.subject))


def _plugin_error(
    cls: type[PluginError], detail: str, plugin: str, distribution: str | None,
    subject: str | None,
) -> PluginError:
    return cls(detail, plugin=plugin, distribution=distribution, subject=subject)


class DiscriminatoryCriterionError(PluginError):
    """A criterion that declares a protected field, or a proxy for one, among the fields it reads.

    Protected fields (ethnicity, national origin, citizenship, religion, name,
    CPR number) may never decide a letting: forskelsbehandlingsloven § 1, lov om
    etnisk ligebehandling § 3, and the housing authority's guidance on
    citizenship. Proxies for national or ethnic origin (time lived in Denmark,
    arrival date, residence permit, a Danish-language test, a previous address,
    postcode or area of birth, fields derived from a name) are refused as
    indirect discrimination (lov om etnisk ligebehandling § 3: a seemingly
    neutral criterion that puts persons of an ethnic origin at a disadvantage).
    See :data:`fuaalborg.criteria.vocabulary.PROTECTED_CONCEPTS`.
    """


class DiscriminatoryFieldError(DiscriminatoryCriterionError):
    """A plug-in field whose name or meaning (English or Danish) matches a protected concept."""


class StatutoryFieldError(PluginError):
    """A criterion or plug-in field that uses a field reserved for the statutory rules.

    The household facts of the municipal referral's limits (almenboligloven
    § 59, stk. 6 and 7: prison release, benefits, disability pension,
    citizenship of an EU/EEA country) are read only by the statutory check in
    :mod:`fuaalborg.letting.referral_limits`, never by a criterion
    (:data:`fuaalborg.criteria.vocabulary.STATUTORY_FIELDS`).
    """


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
    """A malformed letting agreement: bad CVR, no groups, a share outside 0–1, too many groups."""


class InvalidOrganisationError(PluginError):
    """A plug-in whose ``ORGANISATION_CVR`` is not a valid CVR number (8 digits, modulus-11)."""


class AgreementOrganisationError(PluginError):
    """An agreement that is not bound to the plug-in's own organisation.

    A plug-in speaks for the organisation named by its module attribute
    ``ORGANISATION_CVR``: it may publish agreements only for that CVR. A plug-in
    without ``ORGANISATION_CVR`` may publish criteria but no agreements.
    """


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
    """A plug-in (entry point or module name) that cannot be imported."""


class IsolationError(PluginError):
    """A plug-in that cannot run in an isolated worker process.

    The worker could not be started, or a plug-in object passed with
    ``isolation="process"`` cannot be re-created in a fresh process (pass its
    module name instead).
    """


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


class PluginLoadError(ExceptionGroup[PluginError], ProblemsError[PluginError]):
    """Every problem found while loading plug-ins, raised at once.

    A :class:`~fuaalborg.errors.ProblemsError` whose problems are the
    :class:`PluginError` found, and an :class:`ExceptionGroup` of them: use
    ``except* DiscriminatoryCriterionError`` or :meth:`subgroup` to pick one kind.
    The message lists all problems, one a line.
    """

    head = "{count} loading flexible-letting plug-ins:"

    def __new__(cls, problems: Sequence[PluginError]) -> PluginLoadError:
        return super().__new__(cls, _head(problems), list(problems))

    def __init__(self, problems: Sequence[PluginError]) -> None:
        super().__init__(_head(problems), list(problems))
        self.problems = tuple(problems)

    def derive(self, excs: Sequence[PluginError]) -> PluginLoadError:  # type: ignore[override]
        """A group of the same kind holding ``excs`` (used by ``subgroup``/``split``)."""
        return PluginLoadError(excs)

    def __str__(self) -> str:
        return self.worded()

    def __reduce__(self) -> tuple[Any, ...]:
        return (PluginLoadError, (list(self.problems),))


def _head(problems: Sequence[PluginError]) -> str:
    return format_problems(problems, head=PluginLoadError.head).splitlines()[0]


class PredicateError(FuaalborgError):
    """A criterion's predicate that failed while it ran, naming the plug-in and the criterion.

    Every exception a predicate raises becomes one — ``BaseException`` included:
    a ``SystemExit`` or ``KeyboardInterrupt`` raised by the predicate itself is
    the predicate's failure, not a request to stop (a real Ctrl-C of the caller
    still interrupts as ``KeyboardInterrupt``). ``plugin`` is the plug-in's
    label, ``criterion`` the criterion's id, ``detail`` what went wrong. The
    subclasses name the firewall's own findings. Messages never show an
    applicant's data.

    >>> err = PredicateError(
    ...     "its predicate raised SystemExit: 0", plugin="acme", criterion="acme.x"
    ... )
    >>> print(err)
    plug-in 'acme': criterion 'acme.x': its predicate raised SystemExit: 0
    """

    def __init__(self, detail: str, *, plugin: str | None = None, criterion: str) -> None:
        self.detail = detail
        self.plugin = plugin
        self.criterion = criterion
        parts = [*([f"plug-in {plugin!r}"] if plugin else []), f"criterion {criterion!r}", detail]
        self.message = ": ".join(parts)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class CriterionAccessError(PredicateError, KeyError):
    """A predicate that touched a field its criterion did not declare.

    The firewall hands a predicate only the declared columns; asking for any other
    column (or a protected or vocabulary field as an attribute) raises this error,
    naming the criterion. It is a :class:`KeyError`, as pandas raises for a missing
    column.
    """

    def __init__(self, criterion: str, field: str, *, plugin: str | None = None) -> None:
        self.field = field
        super().__init__(
            f"touched the field {field!r}, which it does not declare in `reads`",
            plugin=plugin,
            criterion=criterion,
        )


class CriterionResultError(PredicateError):
    """A predicate result other than a boolean Series on the frame's index without NA values."""


class PredicateTimeoutError(PredicateError):
    """An isolated predicate that ran past its time limit; its worker process was stopped.

    The limit is the dated parameter ``criteria.isolation.time_limit_seconds``.
    """


class CriterionNotFoundError(FuaalborgError, KeyError):
    """A criterion id that no loaded plug-in provides."""

    def __str__(self) -> str:
        return str(self.args[0])


class MissingApplicantFieldError(ValidationError):
    """An applicant table that lacks a field a criterion reads."""
