"""The agreement in force on a date.

The 2023 agreement runs 2023-01-01 – 2025-12-31 and afterwards "follows the
council period" (2026–2029). Without a newer agreement file the library applies
the 2023 terms in 2026–2029 and warns with
:class:`~fuaalborg.errors.AssumedTermsWarning`; load a newer file with
:func:`fuaalborg.load_parameters` to replace them.

>>> import datetime as dt
>>> agreement_in_force(dt.date(2024, 6, 1)).title
'Fælles Udlejningsaftale 2023–2025'
"""

from __future__ import annotations

import datetime as dt

import attrs

from fuaalborg.parameters import ParameterSet, load_parameters

__all__ = ["Agreement", "agreement_in_force"]


@attrs.frozen
class Agreement:
    """One period of the joint letting agreement (Fælles Udlejningsaftale).

    ``status`` is ``"adopted"`` for terms the parties signed and ``"assumed"``
    for a period the library fills with the previous terms.
    """

    title: str
    status: str
    start: dt.date
    end: dt.date | None
    reference: str
    note: str | None = None

    @property
    def assumed(self) -> bool:
        """Whether the terms are assumed to carry on rather than adopted."""
        return self.status == "assumed"


def agreement_in_force(on: dt.date, parameters: ParameterSet | None = None) -> Agreement:
    """The agreement in force on ``on``.

    Raises :class:`~fuaalborg.errors.NotInForceError` before 2023 and after the
    last known period; warns with :class:`~fuaalborg.errors.AssumedTermsWarning`
    when the terms are assumed.
    """
    params = parameters or load_parameters()
    dated = params.lookup("agreement.period", on)
    return Agreement(
        title=str(dated.value["title"]),
        status=str(dated.value["status"]),
        start=dated.start,
        end=dated.end,
        reference=dated.reference,
        note=dated.note,
    )
