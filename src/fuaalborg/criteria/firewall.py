"""The runtime firewall between a criterion's predicate and the waiting list.

:func:`project` builds, for one criterion, a *fresh* DataFrame holding only the
columns the criterion declares, on a plain ``RangeIndex`` (the caller's index,
which might itself carry personal data, is not passed on), with empty
``attrs`` and no reference to the caller's frame. The column data are shared,
not copied (pandas' copy-on-write keeps the caller's data safe), so the cost does
not grow with the number of columns in the waiting list.

Asking the projected frame for any other column raises
:class:`~fuaalborg.criteria.CriterionAccessError` naming the criterion.
:func:`run` calls the predicate, wraps any exception with the criterion's id,
and :func:`check_result` refuses a result that is not a boolean Series on the
same index without missing values.

>>> import pandas as pd
>>> from fuaalborg.criteria.firewall import project
>>> waiting = pd.DataFrame({"age": [30, 70], "citizenship": ["X", "Y"]}, index=[10, 11])
>>> frame = project(waiting, frozenset({"age"}), "example.senior")
>>> list(frame.columns), list(frame.index), frame.attrs
(['age'], [0, 1], {})
>>> frame["citizenship"]  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
fuaalborg.criteria.errors.CriterionAccessError: criterion 'example.senior' touched ...
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from fuaalborg.criteria.errors import (
    CriterionAccessError,
    CriterionResultError,
    MissingApplicantFieldError,
    PredicateError,
)
from fuaalborg.criteria.vocabulary import APPLICANTS, is_protected_name

__all__ = ["FirewalledFrame", "check_result", "project", "run"]

_VOCABULARY = frozenset(APPLICANTS.names)


class FirewalledFrame(pd.DataFrame):
    """The DataFrame a predicate receives: only the declared columns.

    Any other column asked for by ``frame[...]`` raises
    :class:`~fuaalborg.criteria.CriterionAccessError`, as does attribute access
    to an applicant field or a protected name. Frames derived from it (by
    selection or arithmetic) are ordinary DataFrames.
    """

    _metadata: ClassVar[list[str]] = ["_criterion_id"]
    _criterion_id: str

    @property
    def _constructor(self) -> Callable[..., pd.DataFrame]:
        return pd.DataFrame

    def __getitem__(self, key: Any) -> Any:
        try:
            return super().__getitem__(key)
        except KeyError:
            missing = _missing_key(key, self.columns)
            if missing is None:
                raise
            raise CriterionAccessError(
                object.__getattribute__(self, "_criterion_id"), missing
            ) from None

    def __getattr__(self, name: str) -> Any:  # type: ignore[misc]
        if (
            not name.startswith("_")
            and name not in self.columns
            and (name in _VOCABULARY or is_protected_name(name))
        ):
            raise CriterionAccessError(object.__getattribute__(self, "_criterion_id"), name)
        return super().__getattr__(name)


def _missing_key(key: Any, columns: pd.Index) -> str | None:
    if isinstance(key, str):
        return key if key not in columns else None
    if isinstance(key, list | tuple | pd.Index):
        for k in key:
            if isinstance(k, str) and k not in columns:
                return k
    return None


def project(applicants: pd.DataFrame, reads: Collection[str], criterion_id: str) -> FirewalledFrame:
    """A fresh frame of ``applicants``' columns named in ``reads`` (sorted), on a RangeIndex.

    Raises :class:`~fuaalborg.criteria.MissingApplicantFieldError` naming the
    criterion and every missing field.
    """
    names = sorted(reads)
    present = set(map(str, applicants.columns))
    missing = [n for n in names if n not in present]
    if missing:
        raise MissingApplicantFieldError(
            f"criterion {criterion_id!r} reads {', '.join(map(repr, missing))}, which the "
            "applicant table lacks"
        )
    index = pd.RangeIndex(len(applicants))
    # set_axis gives a copy-on-write view: no data copied, and a predicate that writes
    # to its frame never changes the caller's.
    data = {n: applicants[n].set_axis(index) for n in names}
    frame = FirewalledFrame(data, index=index, copy=False)
    object.__setattr__(frame, "_criterion_id", criterion_id)
    return frame


def run(
    criterion_id: str,
    predicate: Callable[..., Any],
    frame: pd.DataFrame,
    values: Mapping[str, Any] | None,
) -> Any:
    """Call the predicate; wrap any exception but the firewall's own with the criterion's id."""
    try:
        return predicate(frame) if values is None else predicate(frame, values)
    except CriterionAccessError:
        raise
    except Exception as exc:
        raise PredicateError(
            f"criterion {criterion_id!r}: its predicate raised {type(exc).__name__}: {exc}"
        ) from exc


def check_result(criterion_id: str, result: Any, n: int, index: pd.Index) -> pd.Series[bool]:
    """Check a predicate's result; return it as a plain boolean Series on ``index``.

    The result must be a pandas Series of ``n`` booleans (numpy ``bool`` or
    pandas ``boolean`` without missing values) on the projected frame's
    ``RangeIndex``.
    """
    if not isinstance(result, pd.Series):
        raise CriterionResultError(
            f"criterion {criterion_id!r}: the predicate returned {type(result).__name__}, "
            "expected a boolean pandas Series"
        )
    if len(result) != n:
        raise CriterionResultError(
            f"criterion {criterion_id!r}: the predicate returned {len(result)} values for "
            f"{n} applicants"
        )
    expected = pd.RangeIndex(n)
    if not result.index.equals(expected):
        raise CriterionResultError(
            f"criterion {criterion_id!r}: the predicate's result is not on the applicant "
            "frame's index (keep the index of the frame it was given)"
        )
    dtype = result.dtype
    if dtype == np.bool_:
        values = result.to_numpy()
    elif isinstance(dtype, pd.BooleanDtype):
        if result.isna().any():
            raise CriterionResultError(
                f"criterion {criterion_id!r}: the predicate's result holds "
                f"{int(result.isna().sum())} missing values (decide them: use .fillna(False))"
            )
        values = result.to_numpy(dtype=bool)
    else:
        raise CriterionResultError(
            f"criterion {criterion_id!r}: the predicate returned values of type {dtype}, "
            "expected booleans"
        )
    return pd.Series(values, index=index, name=criterion_id, copy=False)
