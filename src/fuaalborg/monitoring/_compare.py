"""Threshold comparisons with the statute's operators and documented rounding.

A value is rounded to ``decimals`` decimals before it is compared, so binary noise
from a CSV file (``30.000000000000004``) cannot flip a result, while every digit
the ministry publishes is kept. A missing value never meets a criterion.

>>> import numpy as np
>>> compare(np.array([30.0, 30.000000000000004, 30.1, np.nan]), ">", 30, 6).tolist()
[False, False, True, False]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["OPERATORS", "OPERATOR_WORDS", "compare", "format_number"]

#: The operators a rule may use, with the statute's words for them.
OPERATOR_WORDS: Mapping[str, str] = {
    ">": "overstiger (strictly above)",
    ">=": "udgør mindst (at least)",
    "<": "udgør mindre end (strictly below)",
    "<=": "udgør højst (at most)",
}

OPERATORS: Mapping[str, Callable[..., Any]] = {
    ">": np.greater,
    ">=": np.greater_equal,
    "<": np.less,
    "<=": np.less_equal,
}


def compare(
    values: npt.ArrayLike, operator: str, threshold: float, decimals: int
) -> npt.NDArray[np.bool_]:
    """``round(values, decimals) <operator> threshold``; missing values give ``False``."""
    arr = np.asarray(values, dtype="float64")
    rounded = np.round(arr, decimals)
    with np.errstate(invalid="ignore"):
        result = np.asarray(OPERATORS[operator](rounded, float(threshold)), dtype=bool)
    out: npt.NDArray[np.bool_] = result & ~np.isnan(arr)
    return out


def format_number(value: float) -> str:
    """A threshold or value as a short text: ``40`` rather than ``40.0``."""
    return f"{value:g}"
