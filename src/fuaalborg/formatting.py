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

That form is exact and the letting ledger and the records keep it. A report
shows a value to people in its language: given ``lang``, a list reads as its
items, a table as ``key: value`` pairs, and the words of fuaalborg's closed
vocabularies (colours, routes, turns, the referral's placement answers:
:data:`fuaalborg.danish.VALUES`) are in that language:

>>> format_value(["green", "yellow"], lang="da")
'grøn, gul'
>>> placement = {"green": {"placement": "yes"},
...              "yellow": {"placement": "restricted", "criteria": "referral.limits.stk7"},
...              "red": {"placement": "no"}}
>>> for entry in format_value(placement, lang="da").split("; "):
...     print(entry)
grøn (placement: ja)
gul (placement: begrænset, criteria: referral.limits.stk7)
rød (placement: nej)
>>> format_value({"colours": ["red"], "share": Fraction(1), "designations": []}, lang="en")
'colours: red; share: 1; designations: none'

A count reads with its noun in the right number, by :func:`counted`:

>>> counted(1, "vacancy", "vacancies"), counted(7, "vacancy", "vacancies"), counted(0, "event")
('1 vacancy', '7 vacancies', '0 events')

and a template (a report's label) words a :class:`Count` with the noun it names:

>>> "{n:violation|violations}".format(n=Count(1)), "{n:violation|violations}".format(n=Count(3))
('1 violation', '3 violations')
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fuaalborg._types import Language

__all__ = ["Count", "counted", "format_value", "kroner", "whole"]


def format_value(value: Any, lang: Language | None = None) -> str:
    """``value`` as fuaalborg prints it; with ``lang`` (``"da"`` or ``"en"``), as a report
    in that language shows it.

    - an exact fraction (:class:`fractions.Fraction`) as ``numerator/denominator``,
      a whole one as its whole number — as the parameter files and the letting
      ledger write shares (``1/4``, ``1``);
    - a list or tuple in brackets, each item printed by this function:
      ``[green, yellow]``;
    - a mapping (a parameter of unit ``table``) as ``key = value`` pairs joined by
      semicolons;
    - anything else as ``str()`` gives it (texts without quotes).

    With ``lang`` the value is read by people, not compared: see
    :func:`_readable`.
    """
    if lang is not None:
        return _readable(value, lang, 0)
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "; ".join(f"{key} = {format_value(item)}" for key, item in value.items())
    return str(value)


#: What an empty list reads as in a report.
_NONE: dict[Language, str] = {"da": "ingen", "en": "none"}
#: True and false in a report.
_YES_NO: dict[Language, tuple[str, str]] = {"da": ("ja", "nej"), "en": ("yes", "no")}


def _word(text: str, lang: Language) -> str:
    """A word of a closed vocabulary in ``lang`` (:func:`fuaalborg.danish.value_in`)."""
    from fuaalborg.danish import value_in

    return value_in(text, lang)


def _readable(value: Any, lang: Language, level: int) -> str:
    """``value`` for a reader of ``lang``; ``level`` 0 for the whole value, 1 for an entry
    of a table, 2 for anything nested deeper.

    - a list: its items joined by commas (``grøn, gul``); an empty one ``ingen``/``none``;
    - a table: ``key: value`` pairs joined by semicolons; an entry that is itself a
      table reads ``key (key: value, …)``;
    - deeper than that a list keeps its brackets and a table its parentheses, so
      that no comma is ambiguous;
    - a word of :data:`fuaalborg.danish.VALUES` (a colour, a route, a turn, a
      placement answer), as a key or a value, in ``lang``; true and false as
      ``ja``/``nej`` (``yes``/``no``);
    - anything else (a number, a share, a parameter name, a text) as
      :func:`format_value` prints it.
    """
    if lang not in _NONE:
        raise ValueError(f"lang must be da or en, not {lang!r}")
    if isinstance(value, bool):
        return _YES_NO[lang][0 if value else 1]
    if isinstance(value, str):
        return _word(value, lang)
    if isinstance(value, list | tuple | Mapping) and not value:
        return _NONE[lang]
    if isinstance(value, list | tuple):
        items = ", ".join(_readable(v, lang, 2) for v in value)
        return f"[{items}]" if level == 2 else items
    if isinstance(value, Mapping):
        if level == 0:
            return "; ".join(
                f"{_word(str(k), lang)} {_readable(v, lang, 2)}" if isinstance(v, Mapping)
                and v else f"{_word(str(k), lang)}: {_readable(v, lang, 1)}"
                for k, v in value.items()
            )
        pairs = ", ".join(f"{_word(str(k), lang)}: {_readable(v, lang, 2)}"
                          for k, v in value.items())
        return f"({pairs})"
    return format_value(value)


def whole(value: float, lang: Language = "da") -> str:
    """A whole number, its thousands grouped in ``lang``'s way (rounded to whole).

    The command line's screen output groups them the Danish way in either language.

    >>> whole(21618), whole(21618, "en"), whole(999.6)
    ('21.618', '21,618', '1.000')
    """
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "da" else text


def counted(
    n: int, noun: str, plural: str | None = None, *, group: Language | None = None
) -> str:
    """``n`` and its noun, singular for one: ``1 event``, ``2 events``, ``3 vacancies``.

    ``plural`` is the noun's plural where it is not ``noun + "s"``. ``group``
    groups the number's thousands in that language's way (:func:`whole`); without
    it the digits stand as they are.

    >>> counted(1, "vacancy", "vacancies"), counted(21618, "row", group="da")
    ('1 vacancy', '21.618 rows')
    """
    shown = str(n) if group is None else whole(n, group)
    return f"{shown} {noun if n == 1 else plural or noun + 's'}"


class Count(int):
    """A count that a ``str.format`` template words with its noun: ``{n:event|events}``.

    A field formatted ``noun|plural`` reads as :func:`counted` words it; any other
    format gives the number as an ``int`` does. So one count fills the templates of
    both languages, each putting its noun where its grammar wants it (a report's
    labels, :mod:`fuaalborg.reports.labels`):

    >>> english = "{n:violation|violations}; {n} unchecked"
    >>> danish = "overtrædelser: {n}"
    >>> english.format(n=Count(1)), danish.format(n=Count(1))
    ('1 violation; 1 unchecked', 'overtrædelser: 1')
    """

    __slots__ = ()

    def __format__(self, spec: str) -> str:
        if "|" not in spec:
            return super().__format__(spec)
        noun, plural = spec.split("|", 1)
        return counted(int(self), noun, plural)


def kroner(value: float, lang: Language = "da") -> str:
    """An amount of kroner: whole kroner, or with øre where it has them, in ``lang``'s way.

    >>> kroner(6500), kroner(6499.5), kroner(6499.5, "en")
    ('6.500', '6.499,50', '6,499.50')
    """
    if round(value, 2) == round(value):
        return whole(value, lang)
    text = f"{value:,.2f}"
    return text.translate(str.maketrans(",.", ".,")) if lang == "da" else text
