"""The hooks a fuaalborg plug-in implements (pluggy project name ``fuaalborg``).

A plug-in is a module or object with functions marked ``@hookimpl`` and named
after the hooks below; it is found through the entry-point group ``fuaalborg``.
Every hook returns a list of declarative objects, which the library validates
centrally when it loads the plug-ins: a duplicate is an error, not an override.
A plug-in that publishes agreements declares ``ORGANISATION_CVR``, the CVR
number of the organisation it speaks for; it may publish agreements for that
organisation only.

>>> from fuaalborg.criteria.hookspecs import HookSpecs
>>> for name in sorted(n for n in dir(HookSpecs) if n.startswith("register_")):
...     print(name)
register_applicant_fields
register_criteria
register_letting_agreements
register_parameter_files
"""

from __future__ import annotations

import os

import pluggy

from fuaalborg.criteria.declarations import Criterion, LettingAgreement
from fuaalborg.criteria.vocabulary import ApplicantField

__all__ = ["PROJECT", "HookSpecs", "hookimpl", "hookspec"]

#: The pluggy project name and the entry-point group plug-ins register under.
PROJECT = "fuaalborg"

#: Marks a hook specification.
hookspec = pluggy.HookspecMarker(PROJECT)
#: Marks a plug-in's hook implementation: ``@fuaalborg.criteria.hookimpl``.
hookimpl = pluggy.HookimplMarker(PROJECT)


class HookSpecs:
    """The hook specifications (the namespace registered with the plug-in manager)."""

    @hookspec
    def register_criteria(self) -> list[Criterion]:  # type: ignore[empty-body]
        """Return the flexible-letting criteria this plug-in provides.

        :return: a list of :class:`~fuaalborg.criteria.Criterion`; ids must be
            unique across all plug-ins (prefix them with the organisation's name).

        Each criterion's ``reads`` may name only declared, unprotected applicant
        fields; a criterion that names a protected field is refused with
        :class:`~fuaalborg.criteria.DiscriminatoryCriterionError`.

        .. versionadded:: 0.1
        """

    @hookspec
    def register_letting_agreements(self) -> list[LettingAgreement]:  # type: ignore[empty-body]
        """Return the flexible-letting agreements (bilag 4) this plug-in provides.

        :return: a list of :class:`~fuaalborg.criteria.LettingAgreement` for the
            plug-in's own ``ORGANISATION_CVR``; their groups may name any loaded
            criterion, the library's or a plug-in's, combine criteria
            (``"a&b"``) or apply only to certain dwellings
            (:class:`~fuaalborg.criteria.PriorityGroup`).

        .. versionadded:: 0.1
        """

    @hookspec
    def register_applicant_fields(self) -> list[ApplicantField]:  # type: ignore[empty-body]
        """Return extra applicant fields this plug-in's criteria read.

        :return: a list of :class:`~fuaalborg.criteria.ApplicantField`, each with a
            meaning in English and Danish. A name or meaning that matches a
            protected concept or a proxy for one, in English or Danish, is
            refused, as is a field declared ``protected``, a field of the
            statutory referral limits, or one already declared elsewhere.

        .. versionadded:: 0.1
        """

    @hookspec
    def register_parameter_files(self) -> list[str | os.PathLike[str]]:  # type: ignore[empty-body]
        """Return paths of parameter files (TOML) with this plug-in's cited, dated values.

        :return: a list of paths in the format of :mod:`fuaalborg.parameters`.
            A plug-in may only add parameters: redefining a bundled parameter or
            another plug-in's is refused with
            :class:`~fuaalborg.criteria.errors.ParameterConflictError`.

        .. versionadded:: 0.1
        """
