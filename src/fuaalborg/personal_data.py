"""Recognising personal data where it does not belong: values shaped like a CPR number.

Errors never carry personal data. A table of persons (the waiting list) shows no
value at all in its errors (:attr:`fuaalborg.tables.TableSpec.personal`); every
other table shows a cell's value, except a value shaped like a CPR number,
which :func:`hide_cpr` replaces by :data:`CPR_MARKER`. A CPR number typed
into the wrong cell of a departments or dwellings table is still a person's
number.

The shape is the CPR number's (CPR-loven § 3; CPR-kontoret, "Personnummeret i
CPR"): six digits that are a date of birth ``DDMMYY`` — a real day of a real
month; 29 February when ``YY`` is divisible by 4, since the seventh digit, not
shown here, decides the century and 2000 was a leap year — then an optional
hyphen or space and four digits. The modulus-11 check is not applied: CPR
numbers issued since 2007 need not pass it. The shape also catches ten-digit
numbers that are no CPR number (an id ``1203851234``); where such a value is
refused (an applicant id), the error says why, and the letting system's own
number is the way out.

>>> looks_like_cpr("010190-1234"), looks_like_cpr("0101901234"), looks_like_cpr("010190 1234")
(True, True, True)
>>> looks_like_cpr("320190-1234"), looks_like_cpr("290201-1234"), looks_like_cpr("290204-1234")
(False, False, True)
>>> hide_cpr("'010190-1234'")
"'<looks like a CPR number: hidden>'"
>>> cpr_mask(pd.Series(["F0001", "0101901234", None, "311390-1234"])).tolist()
[False, True, False, False]
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["CPR_MARKER", "CPR_PATTERN", "PERSONAL_MARKER", "cpr_mask", "hide_cpr",
           "looks_like_cpr"]

#: What an error shows instead of a value shaped like a CPR number.
CPR_MARKER = "<looks like a CPR number: hidden>"
#: What an error shows instead of a cell's value in a table of persons.
PERSONAL_MARKER = "<personal data hidden>"

#: The CPR number's shape: DDMMYY (day 01–31, month 01–12), optional hyphen or space, 4 digits.
#: Not a full check of the date (:func:`looks_like_cpr` is): 31 April matches here.
CPR_PATTERN = r"(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])([0-9]{2})[- ]?[0-9]{4}"
_ANYWHERE = re.compile(rf"(?<![0-9]){CPR_PATTERN}(?![0-9])")
_WHOLE = re.compile(rf"\s*{CPR_PATTERN}\s*")
#: Days of each month (February's 29th is checked against the year).
_DAYS = np.array([0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _real_date(day: int, month: int, year: int) -> bool:
    if day > _DAYS[month]:
        return False
    return not (month == 2 and day == 29 and year % 4 != 0)


def looks_like_cpr(value: object) -> bool:
    """Whether ``value`` (a text, or a whole number) has the shape of a CPR number.

    A whole number of nine digits counts with its leading zero restored: a
    spreadsheet drops it from ``0101901234``.
    """
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, int | np.integer):
        if not 10**8 <= int(value) < 10**10:
            return False
        value = f"{int(value):010d}"
    if not isinstance(value, str):
        return False
    found = _WHOLE.fullmatch(value)
    return found is not None and _real_date(
        int(found.group(1)), int(found.group(2)), int(found.group(3))
    )


def _date_ok(match: re.Match[str]) -> bool:
    return _real_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))


def hide_cpr(text: str) -> str:
    """``text`` with every part shaped like a CPR number replaced by :data:`CPR_MARKER`."""
    if not any(c.isdigit() for c in text):
        return text
    return _ANYWHERE.sub(lambda m: CPR_MARKER if _date_ok(m) else m.group(0), text)


def _lengths(strings: pd.Series[Any]) -> npt.NDArray[np.float64]:
    """The length of each text without surrounding blanks (0 where missing)."""
    dtype = strings.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        array = pa.array(strings.array)
        # bytes are at least as many as characters: only those of 10 to 44 bytes can match
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        raw: npt.NDArray[Any] = pc.fill_null(pc.binary_length(array), 0).to_numpy(
            zero_copy_only=False
        )
        near = np.flatnonzero((raw >= 10) & (raw <= 44))
        out = np.zeros(len(strings), dtype="float64")
        if len(near):
            out[near] = strings.iloc[near].str.strip().str.len().to_numpy(
                dtype="float64", na_value=0
            )
        return out
    lengths = strings.str.strip().str.len().to_numpy(dtype="float64", na_value=0)
    return np.asarray(lengths, dtype=np.float64)


def cpr_mask(values: Any) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` (texts or whole numbers) has the shape of a CPR number.

    Vectorised: only values of a CPR number's length are matched against the
    pattern, so a column of a million short ids costs one length per value.
    Missing values are not CPR numbers.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    series = series.reset_index(drop=True)
    n = len(series)
    out = np.zeros(n, dtype=bool)
    if n == 0:
        return out
    if pd.api.types.is_bool_dtype(series.dtype):
        return out
    if pd.api.types.is_integer_dtype(series.dtype):
        numbers = series.to_numpy(dtype="float64", na_value=np.nan)
        cand = np.flatnonzero((numbers >= 10**8) & (numbers < 10**10))
        # DDMMYYxxxx by arithmetic (a lost leading zero is a day of one digit)
        whole: npt.NDArray[np.int64] = numbers[cand].astype(np.int64)
        out[cand[_real_dates(whole // 10**8, whole // 10**6 % 100, whole // 10**4 % 100)]] = True
        return out
    elif pd.api.types.is_numeric_dtype(series.dtype):
        return out  # a number with a fraction is no CPR number; a whole float is shown as x.0
    else:
        if series.dtype == object:
            ints = series.map(
                lambda v: isinstance(v, int | np.integer) and not isinstance(v, bool | np.bool_)
            ).to_numpy(dtype=bool)
            if ints.any():
                out[np.flatnonzero(ints)] = [looks_like_cpr(v) for v in series[ints]]
        strings = series.astype("string")
        length = _lengths(strings)
        cand = np.flatnonzero((length >= 10) & (length <= 11))
        if not len(cand):
            return out
        text = strings.iloc[cand].str.strip()
    parts = text.str.extract(rf"^{CPR_PATTERN}$")
    shaped = parts[0].notna().to_numpy(dtype=bool)
    if not shaped.any():
        return out
    day, month, year = (
        parts[k][shaped].astype("int64").to_numpy(dtype=np.int64) for k in range(3)
    )
    out[cand[np.flatnonzero(shaped)[_real_dates(day, month, year)]]] = True
    return out


def _real_dates(
    day: npt.NDArray[np.integer[Any]],
    month: npt.NDArray[np.integer[Any]],
    year: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.bool_]:
    """Whether each (day, month, two-digit year) is a real date, as :func:`_real_date`."""
    shaped = (day >= 1) & (month >= 1) & (month <= 12)
    last = _DAYS[np.where(shaped, month, 0)]
    leap_day = (month == 2) & (day == 29) & (year % 4 != 0)
    real: npt.NDArray[np.bool_] = shaped & (day <= last) & ~leap_day
    return real
