"""What the plug-in tests share: a plug-in that declares its own applicant field."""

from __future__ import annotations

import types

import pandas as pd

from fuaalborg.criteria import Criterion, hookimpl
from fuaalborg.criteria.vocabulary import ApplicantField

#: The field the volunteer plug-in declares: a yes/no answer, optional.
VOLUNTEER = ApplicantField("volunteer", "bool", "volunteers in the department",
                           "frivillig i afdelingen", required=False, nullable=True)


def volunteer_plugin(seen: list[str]) -> types.SimpleNamespace:
    """A plug-in whose criterion reads :data:`VOLUNTEER`; each call notes the column's dtype
    in ``seen``, so a test can check the field arrives with its declared type."""

    def volunteers(frame: pd.DataFrame) -> pd.Series[bool]:
        seen.append(str(frame["volunteer"].dtype))
        return frame["volunteer"].fillna(False).astype(bool)

    return types.SimpleNamespace(
        __name__="vol",
        register_applicant_fields=hookimpl(lambda: [VOLUNTEER]),
        register_criteria=hookimpl(lambda: [Criterion(
            "vol.volunteer", "Volunteers", {"volunteer"}, volunteers,
            "Almenboligloven § 60, stk. 1 (test)")]),
    )
