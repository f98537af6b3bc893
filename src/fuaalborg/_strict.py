"""Strict loading: a value read back from a file has the form its field declares.

fuaalborg reads its own files back with cattrs — decision records
(:mod:`fuaalborg.records`), ledger events (:mod:`fuaalborg.letting.events`),
parameter files (:mod:`fuaalborg.parameters`). Left to itself, cattrs
structures ``bool``, ``int``, ``float`` and ``str`` by calling the type, so
``"maybe"`` would load as ``True``, ``3.7`` as ``3`` and ``5`` as ``"5"``, and
a list from text or an object would become its characters or its keys: a
hand-edited or damaged file would load with wrong values instead of failing.
:func:`register_strict_hooks` gives a converter hooks that accept only the
form the field declares:

========================  ===============================================
field                     accepted
========================  ===============================================
``str``                   text
``bool``                  ``true`` or ``false``
``int``                   a whole number written without a decimal point
                          (not ``true``/``false``, not ``3.0``)
``float``                 a number (not ``true``/``false``), read as a float
``datetime.date``         text ``YYYY-MM-DD`` naming a day that exists; with
                          ``native_dates``, also a date value (a TOML date,
                          Python data) — never a date and time
``list[…]``,              a list (JSON array; a list or tuple in Python data)
``tuple[…, ...]``
``dict[…]``               an object (JSON object; a mapping in Python data)
``Literal[…]``            one of its values (of the same type: ``true`` is
                          not ``1``)
an attrs class            an object
========================  ===============================================

A whole number must be written as one: the library writes every whole number
as a JSON integer (and ``3.0`` has never been accepted in a ledger event or a
parameter file's counts), so a ``3.0`` where a count belongs is a sign of an
edit by hand or by another program, and refused like any other wrong form.

A refused value raises :class:`FormError`, whose message says what was
expected and what *kind* of value was found — never the value, which may be
personal (an applicant id in a record's order or a ledger's offer). The
caller's cattrs error handling places it at the field's path.

>>> import cattrs
>>> conv = register_strict_hooks(cattrs.Converter())
>>> conv.structure(3, int), conv.structure(3, float), conv.structure("2024-05-01", dt.date)
(3, 3.0, datetime.date(2024, 5, 1))
>>> conv.structure("maybe", bool)
Traceback (most recent call last):
...
fuaalborg._strict.FormError: expected true or false, got text
>>> conv.structure(3.0, int)
Traceback (most recent call last):
...
fuaalborg._strict.FormError: expected a whole number, got a number with a decimal point
>>> conv.structure("A1", list[str])
Traceback (most recent call last):
...
fuaalborg._strict.FormError: expected a list, got text
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Literal, get_args, get_origin

import attrs
import cattrs
from cattrs import BaseConverter
from cattrs.cols import (
    homogenous_tuple_structure_factory,
    list_structure_factory,
    mapping_structure_factory,
)
from cattrs.gen import make_dict_structure_fn

__all__ = ["FormError", "form_of", "objects_only", "register_strict_hooks", "strict_date"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class FormError(ValueError):
    """A value of another form than its field declares.

    The message is ``expected <form>, got <kind of value>``; it never shows the value.
    """


def form_of(value: Any) -> str:
    """What kind of value ``value`` is, in words (never the value: it may be personal)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a number with a decimal point"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dt.date):
        return "a date and time" if isinstance(value, dt.datetime) else "a date"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "a value of another kind"


def _said(value: Any, show_values: bool) -> str:
    return repr(value) if show_values else form_of(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


#: The scalar fields: the test a value passes, how it is read, what a field expects.
_SCALARS: tuple[tuple[type[Any], Callable[[Any], bool], Callable[[Any], Any], str], ...] = (
    (str, lambda v: isinstance(v, str), lambda v: v, "text"),
    (bool, lambda v: isinstance(v, bool), lambda v: v, "true or false"),
    (int, lambda v: isinstance(v, int) and not isinstance(v, bool), lambda v: v,
     "a whole number"),
    (float, _is_number, float, "a number"),
)


def _scalar(
    test: Callable[[Any], bool], read: Callable[[Any], Any], expected: str, show_values: bool
) -> Callable[[Any, Any], Any]:
    def structure_scalar(value: Any, _type: Any) -> Any:
        if test(value):
            return read(value)
        raise FormError(f"expected {expected}, got {_said(value, show_values)}")

    return structure_scalar


def strict_date(value: Any, *, native: bool = False, show_values: bool = False) -> dt.date:
    """``value`` as a date: text ``YYYY-MM-DD`` of a day that exists (or, ``native``, a date).

    Raises :class:`FormError` otherwise (a date and time is not a date); its
    message shows the value only with ``show_values``.
    """
    if native and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            got = repr(value) if show_values else "a day that does not exist"
            raise FormError(f"expected a date YYYY-MM-DD, got {got}") from None
    got = "text in another form" if isinstance(value, str) else form_of(value)
    raise FormError(f"expected a date YYYY-MM-DD, got {repr(value) if show_values else got}")


def objects_only(hook: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """``hook`` (structuring an attrs class), refusing a value that is not an object.

    For a class whose hook is registered by hand (a renamed field): without it, a
    list or text in the object's place fails once for every field of the class.
    """

    def structure_object(value: Any, type_: Any) -> Any:
        if not isinstance(value, Mapping):
            raise FormError(f"expected an object, got {form_of(value)}")
        return hook(value, type_)

    return structure_object


def _is_list(type_: Any) -> bool:
    origin, args = get_origin(type_), get_args(type_)
    return origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis)


def _lists_only(type_: Any, conv: BaseConverter) -> Callable[[Any, Any], Any]:
    factory = list_structure_factory if get_origin(type_) is list else (
        homogenous_tuple_structure_factory
    )
    inner = factory(type_, conv)

    def structure_list(value: Any, type_: Any) -> Any:
        if not isinstance(value, list | tuple):
            raise FormError(f"expected a list, got {form_of(value)}")
        return inner(value, type_)

    return structure_list


def _is_literal(type_: Any) -> bool:
    return get_origin(type_) is Literal


def _one_of(type_: Any, show_values: bool) -> Callable[[Any, Any], Any]:
    allowed = get_args(type_)
    words = ", ".join(str(a) for a in allowed)

    def structure_literal(value: Any, _type: Any) -> Any:
        # the value's own type too: true is not 1, nor 1 true
        if any(value == a and type(value) is type(a) for a in allowed):
            return value
        got = "other text" if isinstance(value, str) else form_of(value)
        raise FormError(f"expected one of {words}, got {repr(value) if show_values else got}")

    return structure_literal


def _is_dict(type_: Any) -> bool:
    return get_origin(type_) is dict


def _mappings_only(type_: Any, conv: BaseConverter) -> Callable[[Any, Any], Any]:
    inner = mapping_structure_factory(type_, conv)

    def structure_mapping(value: Any, type_: Any) -> Any:
        if not isinstance(value, Mapping):
            raise FormError(f"expected an object, got {form_of(value)}")
        return inner(value, type_)

    return structure_mapping


def _objects(cls: Any, conv: BaseConverter) -> Callable[[Any, Any], Any]:
    return objects_only(make_dict_structure_fn(cls, conv))


def register_strict_hooks(
    conv: cattrs.Converter, *, native_dates: bool = False, show_values: bool = False
) -> cattrs.Converter:
    """Give ``conv`` the strict hooks of the module's table, and return it.

    ``native_dates``: a date field also takes a date value (a TOML date, Python
    data), not only ``YYYY-MM-DD`` text. ``show_values``: a refused text, bool,
    number or date is shown in the message (``got '2024-13-01'``) instead of its
    kind — only for files that hold no personal data (parameter files). Hooks
    the caller registers for a class afterwards take precedence; wrap an attrs
    class's in :func:`objects_only`.
    """
    for type_, test, read, expected in _SCALARS:
        conv.register_structure_hook(type_, _scalar(test, read, expected, show_values))
    conv.register_structure_hook(
        dt.date,
        lambda value, _t: strict_date(value, native=native_dates, show_values=show_values),
    )
    conv.register_structure_hook_factory(_is_list, _lists_only)
    conv.register_structure_hook_factory(_is_literal, lambda t: _one_of(t, show_values))
    conv.register_structure_hook_factory(_is_dict, _mappings_only)
    conv.register_structure_hook_factory(attrs.has, _objects)
    return conv
