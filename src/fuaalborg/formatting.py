"""One way to print a value: in reports, parameter descriptions, errors and the ledger.

A parameter's value reaches people in many places — a rule-versions table of a
report, :meth:`DatedValue.describe <fuaalborg.parameters.DatedValue.describe>`,
an error that names a rule version, a share the letting ledger records. They
all print it with :func:`format_value`, so one value reads the same everywhere:
an exact fraction as the parameter files write it (``1/4``, and a whole one as
``1``), a list in brackets, a table as ``key = value`` pairs.

>>> from fractions import Fraction
>>> format_value(Fraction(1, 4)), format_value(Fraction(1)), format_value(Fraction(4, 2))
('1/4', '1', '2')
>>> format_value([50, 90])
'[50, 90]'
>>> format_value({"edges": [3500, 5000], "closed": "right"})
'edges = [3500, 5000]; closed = right'
>>> format_value("internal"), format_value(True), format_value(0.25)
('internal', 'True', '0.25')

A count reads with its noun in the right number, by :func:`counted`:

>>> counted(1, "vacancy", "vacancies"), counted(7, "vacancy", "vacancies"), counted(0, "event")
('1 vacancy', '7 vacancies', '0 events')
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

__all__ = ["counted", "format_value"]


def format_value(value: Any) -> str:
    """``value`` as fuaalborg prints it.

    - an exact fraction (:class:`fractions.Fraction`) as ``numerator/denominator``,
      a whole one as its whole number — as the parameter files and the letting
      ledger write shares (``1/4``, ``1``);
    - a list or tuple in brackets, each item printed by this function:
      ``[green, yellow]``;
    - a mapping (a parameter of unit ``table``) as ``key = value`` pairs joined by
      semicolons;
    - anything else as ``str()`` gives it (texts without quotes).
    """
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "; ".join(f"{key} = {format_value(item)}" for key, item in value.items())
    return str(value)


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for one: ``1 event``, ``2 events``, ``3 vacancies``.

    ``plural`` is the noun's plural where it is not ``noun + "s"``.
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
