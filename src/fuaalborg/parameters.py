"""Cited, effective-dated parameters: every number the rules use, as data.

Each parameter lives in a TOML file shipped in ``fuaalborg/parameters/``. A
parameter is a table with a ``values`` array; every entry of the array starts on a
date, carries its legal reference and runs until the next entry starts (or until
its own ``until`` date). A rule is ended by a dated entry with ``ended = true``,
never by deleting history::

    [referral.share]
    description = "Share of vacant family dwellings per department for the municipal referral"
    description_da = "Andel af ledige familieboliger pr. afdeling til kommunal anvisning"
    unit = "fraction"

    [[referral.share.values]]
    from = 1998-01-01
    value = "1/4"
    reference = "Almenboligloven § 59, stk. 1"
    url = "https://danskelove.dk/almenboligloven/59"

The loader rejects unknown keys, malformed dates, overlapping periods, values
without a reference and values that do not fit the unit, and reports *all*
problems of all files in one :class:`~fuaalborg.errors.ParameterFileError`.

A :class:`ParameterSet` is a stack of layers: the bundled files at the bottom, a
user's own files (a newer agreement, the municipality's real bilag 7 values) on
top. A lookup takes the value of the topmost layer whose periods cover the date.

>>> from datetime import date
>>> params = load_parameters()
>>> params.get("referral.share", date(2024, 5, 1))
Fraction(1, 4)
>>> params.lookup("referral.share", date(2024, 5, 1)).reference
'Almenboligloven § 59, stk. 1'
"""

from __future__ import annotations

import datetime as dt
import tomllib
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from fuaalborg._strict import FormError, objects_only, register_strict_hooks, strict_date
from fuaalborg.dates import as_date
from fuaalborg.errors import (
    AssumedTermsWarning,
    NotInForceError,
    ParameterFileError,
    Problem,
    unknown_keys,
)
from fuaalborg.formatting import format_value

__all__ = [
    "RETIRED_PARAMETERS",
    "UNITS",
    "DatedValue",
    "Parameter",
    "ParameterSet",
    "bundled_parameter_files",
    "load_parameters",
    "parse_parameter_file",
]

#: Units a parameter may declare, with the form its values must take.
UNITS: Mapping[str, str] = {
    "fraction": 'an exact fraction written "a/b" (e.g. "1/4"), or 0 or 1',
    "share": "a number from 0 to 1",
    "percent": "a number from 0 to 100",
    "count": "a whole number >= 0",
    "ratio": "a number >= 0 (a multiple of an average)",
    "dkk_per_month": "an amount in kroner per month, >= 0",
    "dkk_per_year": "an amount in kroner per year, >= 0",
    "hours_per_week": "a number of hours per week, from 0 to 168",
    "months": "a whole number of months >= 0",
    "days": "a whole number of days >= 0",
    "years": "a whole number of years >= 0",
    "boolean": "true or false",
    "text": "a string",
    "date": "a date (YYYY-MM-DD)",
    "month_day": 'a month and day written "MM-DD"',
    "table": "a TOML table; its keys are documented in the description",
    "list": "a TOML array",
}

#: Parameter names fuaalborg no longer reads, with what replaced them. A parameter file
#: (a user's layer, a scenario, a municipality's settings) that still defines one is
#: refused with this text, never read silently or ignored.
RETIRED_PARAMETERS: Mapping[str, str] = {
    "ledger.referral_colours": (
        "colour_rules.referral_counting (the same list of colours: what a colour means has "
        "one dated source, colour_rules.*)"
    ),
    "ledger.flexible_share_red": (
        "colour_rules.mandatory_flexible (its colours and share: mandatory flexible letting "
        "under almenboligloven § 60, stk. 4 for every reader at once)"
    ),
    "criteria.mandatory.flexible_share": (
        "colour_rules.mandatory_flexible (its share; the statutory agreement is derived from it)"
    ),
    "ledger.referral_limits.yellow_uses_stk7": (
        'colour_rules.referral_placement (yellow = { placement = "restricted", criteria = '
        '"referral.limits.stk7" }; placement = "yes" for no agreement limit)'
    ),
    "ledger.referral_limits.red_placement": (
        'colour_rules.referral_placement (red = { placement = "no" } or { placement = "yes" })'
    ),
    "letting.mandatory_criteria_designations": (
        "colour_rules.mandatory_flexible (its designations)"
    ),
}


@attrs.frozen
class DatedValue:
    """One value of a parameter and the period it applies in.

    ``start`` and ``end`` are both inclusive; ``end`` is ``None`` while the value
    is open-ended. ``ended`` marks a dated null: from ``start`` on, the rule no
    longer applies. ``assumed`` marks a value that is not adopted but assumed to
    carry on (looking it up warns with :class:`~fuaalborg.errors.AssumedTermsWarning`).
    """

    name: str
    start: dt.date
    end: dt.date | None
    value: Any
    reference: str
    url: str | None = None
    note: str | None = None
    ended: bool = False
    assumed: bool = False
    source: str = ""

    def covers(self, on: dt.date) -> bool:
        """Whether ``on`` falls inside this value's period."""
        return self.start <= on and (self.end is None or on <= self.end)

    def describe(self) -> str:
        """One line for explanations: value, period and reference."""
        until = self.end.isoformat() if self.end else "…"
        shown = "no longer applies" if self.ended else format_value(self.value)
        return f"{self.name} = {shown} ({self.start.isoformat()}–{until}; {self.reference})"


@attrs.frozen
class Parameter:
    """A named parameter and its full dated history in one layer."""

    name: str
    description: str
    unit: str
    values: tuple[DatedValue, ...]
    description_da: str | None = None
    source: str = ""

    def value_on(self, on: dt.date) -> DatedValue | None:
        """The dated value covering ``on``, or ``None``."""
        for dated in self.values:
            if dated.covers(on):
                return dated
        return None


# --------------------------------------------------------------------------
# Raw file structure, loaded with cattrs (forbidding unknown keys).


@attrs.frozen
class _RawValue:
    start: dt.date
    reference: str
    until: dt.date | None = None
    value: Any = None
    ended: bool = False
    url: str | None = None
    note: str | None = None
    assumed: bool = False


@attrs.frozen
class _RawParameter:
    description: str
    unit: str
    values: list[_RawValue]
    description_da: str | None = None


@attrs.frozen
class _RawMeta:
    title: str
    version: str
    description: str | None = None
    title_da: str | None = None


_PARAMETER_KEYS = {"description", "description_da", "unit", "values"}


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    # a TOML date or YYYY-MM-DD text; a parameter file holds no personal data, so a
    # refused value is shown, to find it by
    register_strict_hooks(conv, native_dates=True, show_values=True)
    conv.register_structure_hook(Any, lambda v, _t: v)
    conv.register_structure_hook(
        _RawValue,
        objects_only(make_dict_structure_fn(
            _RawValue, conv, _cattrs_forbid_extra_keys=True, start=override(rename="from")
        )),
    )
    return conv


_CONVERTER = _make_converter()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


#: Units whose values are taken as they stand once a test passes: the test, and what
#: a value that fails it is ("... is <that>; expected <UNITS[unit]>").
_PLAIN_UNITS: Mapping[str, tuple[Callable[[Any], bool], str]] = {
    "share": (lambda v: _is_number(v) and 0 <= v <= 1, "not a number from 0 to 1"),
    "percent": (lambda v: _is_number(v) and 0 <= v <= 100, "not a number from 0 to 100"),
    **dict.fromkeys(
        ("count", "months", "days", "years"),
        (lambda v: _is_whole(v) and v >= 0, "not a whole number >= 0"),
    ),
    **dict.fromkeys(
        ("ratio", "dkk_per_month", "dkk_per_year"),
        (lambda v: _is_number(v) and v >= 0, "not a number >= 0"),
    ),
    "hours_per_week": (
        lambda v: _is_number(v) and 0 <= v <= 168, "not a number of hours from 0 to 168"
    ),
    "boolean": (lambda v: isinstance(v, bool), "not true or false"),
    "text": (lambda v: isinstance(v, str), "not a string"),
    "table": (lambda v: isinstance(v, dict), "not a table"),
    "list": (lambda v: isinstance(v, list), "not an array"),
}


def _convert_value(unit: str, value: Any) -> Any:
    """Check ``value`` against ``unit`` and return it in its Python form."""
    if unit in _PLAIN_UNITS:
        test, failure = _PLAIN_UNITS[unit]
        if test(value):
            return value
        raise ValueError(failure)
    if unit == "fraction":
        if isinstance(value, str) and "/" in value:
            num, _, den = value.partition("/")
            frac = Fraction(int(num.strip()), int(den.strip()))
        elif _is_whole(value):
            frac = Fraction(value)
        else:
            raise ValueError("not a fraction")
        if not 0 <= frac <= 1:
            raise ValueError("outside 0–1")
        return frac
    if unit == "date":
        try:
            return strict_date(value, native=True)
        except FormError:
            raise ValueError("not a date YYYY-MM-DD (or a TOML date)") from None
    if unit == "month_day":
        if isinstance(value, str):
            month, _, day = value.partition("-")
            dt.date(2000, int(month), int(day))  # raises on an impossible day
            return value
        raise ValueError("not MM-DD")
    raise ValueError(f"unknown unit {unit!r}")  # pragma: no cover - unit checked first


def _walk(
    table: Mapping[str, Any], prefix: str, source: str, problems: list[Problem]
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield ``(name, table)`` for every parameter table below ``table``."""
    for key, sub in table.items():
        name = f"{prefix}.{key}" if prefix else key
        if not isinstance(sub, dict):
            problems.append(Problem(
                f"{source}: {name}",
                f"unknown key (a parameter is a table with {', '.join(sorted(_PARAMETER_KEYS))})",
            ))
            continue
        if "values" in sub or "unit" in sub:
            yield name, sub
        else:
            yield from _walk(sub, name, source, problems)


def _format_exception(exc: BaseException, _type: Any) -> str:
    if isinstance(exc, KeyError):
        return "required key missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return "unknown key(s): " + ", ".join(sorted(exc.extra_fields))
    if isinstance(exc, ValueError | TypeError) and str(exc):
        return str(exc)
    return f"invalid value ({type(exc).__name__})"


def _cattrs_messages(exc: Exception, source: str, name: str) -> list[Problem]:
    if isinstance(exc, cattrs.BaseValidationError):
        out = []
        for line in cattrs.transform_error(exc, path=name, format_exception=_format_exception):
            message, _, where = line.rpartition(" @ ")
            where = where.replace(".start", ".from")
            out.append(Problem(f"{source}: {where}", message))
        return out
    return [Problem(f"{source}: {name}", str(exc))]


def parse_parameter_file(
    text: str, source: str
) -> tuple[dict[str, Parameter], _RawMeta | None, list[Problem]]:
    """Parse one parameter file's text; return its parameters, metadata and problems.

    Nothing is raised here: the caller collects the problems of every file and
    raises one :class:`~fuaalborg.errors.ParameterFileError`. Each problem's
    ``where`` is ``"source: key"``.
    """
    problems: list[Problem] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, None, [Problem(source, f"not valid TOML: {exc}")]
    meta: _RawMeta | None = None
    meta_raw = data.pop("meta", None)
    if meta_raw is None:
        problems.append(Problem(f"{source}: meta", "missing table [meta] with title and version"))
    else:
        try:
            meta = _CONVERTER.structure(meta_raw, _RawMeta)
        except Exception as exc:
            problems.extend(_cattrs_messages(exc, source, "meta"))
    params: dict[str, Parameter] = {}
    for name, table in _walk(data, "", source, problems):
        if name in RETIRED_PARAMETERS:
            problems.append(Problem(
                f"{source}: {name}",
                f"this parameter is no longer read; give instead {RETIRED_PARAMETERS[name]}",
            ))
            continue
        unknown = unknown_keys(table, _PARAMETER_KEYS, f"{source}: {name}")
        if unknown:
            problems += unknown
            table = {k: v for k, v in table.items() if k in _PARAMETER_KEYS}
        try:
            raw = _CONVERTER.structure(table, _RawParameter)
        except Exception as exc:
            problems.extend(_cattrs_messages(exc, source, name))
            continue
        param = _build_parameter(name, raw, source, problems)
        if param is not None:
            params[name] = param
    return params, meta, problems


def _build_parameter(
    name: str, raw: _RawParameter, source: str, problems: list[Problem]
) -> Parameter | None:
    ok = True
    if raw.unit not in UNITS:
        problems.append(Problem(
            f"{source}: {name}.unit",
            f"unknown unit {raw.unit!r}; expected one of {', '.join(sorted(UNITS))}",
        ))
        return None
    if not raw.values:
        problems.append(Problem(f"{source}: {name}.values", "no dated values"))
        return None
    entries = sorted(enumerate(raw.values), key=lambda pair: pair[1].start)
    built: list[DatedValue] = []
    for pos, (index, entry) in enumerate(entries):
        where = f"{source}: {name}.values[{index}]"
        if not entry.reference.strip():
            problems.append(
                Problem(f"{where}.reference", "empty; every value needs its legal source")
            )
            ok = False
        if entry.ended and entry.value is not None:
            problems.append(Problem(where, "has both a value and ended = true"))
            ok = False
        if not entry.ended and entry.value is None:
            problems.append(
                Problem(f"{where}.value", "missing (write ended = true to end a rule)")
            )
            ok = False
            continue
        value: Any = None
        if not entry.ended:
            try:
                value = _convert_value(raw.unit, entry.value)
            except (ValueError, TypeError, ZeroDivisionError) as exc:
                problems.append(Problem(
                    f"{where}.value", f"{entry.value!r} is {exc}; expected {UNITS[raw.unit]}"
                ))
                ok = False
        next_start = entries[pos + 1][1].start if pos + 1 < len(entries) else None
        end = entry.until
        if end is not None and end < entry.start:
            problems.append(Problem(f"{where}.until", f"{end} is before from = {entry.start}"))
            ok = False
        if next_start is not None:
            if next_start == entry.start or (end is not None and end >= next_start):
                problems.append(Problem(
                    where, f"period from {entry.start} overlaps the period from {next_start}"
                ))
                ok = False
            if end is None:
                end = next_start - dt.timedelta(days=1)
        built.append(
            DatedValue(
                name=name,
                start=entry.start,
                end=end,
                value=value,
                reference=entry.reference,
                url=entry.url,
                note=entry.note,
                ended=entry.ended,
                assumed=entry.assumed,
                source=source,
            )
        )
    if not ok:
        return None
    return Parameter(
        name=name,
        description=raw.description,
        description_da=raw.description_da,
        unit=raw.unit,
        values=tuple(built),
        source=source,
    )


def bundled_parameter_files() -> list[str]:
    """Names of the parameter files shipped with fuaalborg, in load order."""
    folder = resources.files("fuaalborg") / "parameters"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".toml"))


@attrs.frozen
class ParameterSet:
    """A stack of parameter layers, looked up by name and date.

    Build one with :func:`load_parameters`; add a user's file on top with
    :meth:`with_files`. Instances are immutable.
    """

    layers: tuple[Mapping[str, Parameter], ...]
    sources: tuple[str, ...] = ()

    def names(self) -> list[str]:
        """Every parameter name known in any layer, sorted."""
        return sorted({name for layer in self.layers for name in layer})

    def __contains__(self, name: object) -> bool:
        return any(name in layer for layer in self.layers)

    def history(self, name: str) -> list[DatedValue]:
        """Every dated value of ``name`` in every layer, topmost layer first."""
        self._require(name)
        out: list[DatedValue] = []
        for layer in reversed(self.layers):
            if name in layer:
                out.extend(layer[name].values)
        return out

    def parameter(self, name: str) -> Parameter:
        """The topmost layer's definition of ``name`` (description, unit, values)."""
        self._require(name)
        for layer in reversed(self.layers):
            if name in layer:
                return layer[name]
        raise AssertionError("unreachable")  # pragma: no cover

    def lookup(self, name: str, on: dt.date, *, warn: bool = True) -> DatedValue:
        """The dated value of ``name`` in force on ``on``, with its reference.

        Raises :class:`~fuaalborg.errors.NotInForceError` when no period covers
        the date or the rule has been ended by then. Warns with
        :class:`~fuaalborg.errors.AssumedTermsWarning` when the value is assumed.
        """
        self._require(name)
        on = as_date(on)
        for layer in reversed(self.layers):
            if name not in layer:
                continue
            dated = layer[name].value_on(on)
            if dated is None:
                continue
            if dated.ended:
                raise NotInForceError(
                    f"parameter {name!r} no longer applies on {on.isoformat()}: it ended "
                    f"{dated.start.isoformat()} ({dated.reference})"
                )
            if dated.assumed and warn:
                warnings.warn(
                    f"{name} on {on.isoformat()} uses assumed terms: {dated.note or ''} "
                    f"({dated.reference}). Load a newer agreement file to replace them.",
                    AssumedTermsWarning,
                    stacklevel=2,
                )
            return dated
        periods = ", ".join(
            f"{d.start.isoformat()}–{d.end.isoformat() if d.end else '…'}"
            for d in sorted(self.history(name), key=lambda d: d.start)
        )
        raise NotInForceError(
            f"parameter {name!r} has no value on {on.isoformat()}; periods: {periods}"
        )

    def get(self, name: str, on: dt.date, *, warn: bool = True) -> Any:
        """The value of ``name`` in force on ``on`` (see :meth:`lookup`)."""
        return self.lookup(name, on, warn=warn).value

    def with_files(self, *paths: str | Path) -> ParameterSet:
        """A new set with ``paths`` loaded as layers on top of this one."""
        layers, sources = _load_files([Path(p) for p in paths])
        return ParameterSet(self.layers + tuple(layers), self.sources + tuple(sources))

    def _require(self, name: str) -> None:
        if name not in self:
            raise KeyError(f"unknown parameter {name!r}")



def _load_files(paths: Iterable[Path]) -> tuple[list[dict[str, Parameter]], list[str]]:
    layers: list[dict[str, Parameter]] = []
    sources: list[str] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            problems.append(Problem(str(path), f"cannot be read ({exc.strerror})"))
            continue
        params, _meta, found = parse_parameter_file(text, str(path))
        problems.extend(found)
        layers.append(params)
        sources.append(str(path))
    if problems:
        raise ParameterFileError(problems)
    return layers, sources


_BUNDLED: ParameterSet | None = None


def load_parameters(*extra: str | Path) -> ParameterSet:
    """The bundled parameters, with ``extra`` files layered on top in order.

    The bundled set is parsed once per process and reused.
    """
    global _BUNDLED
    if _BUNDLED is None:
        folder = resources.files("fuaalborg") / "parameters"
        layer: dict[str, Parameter] = {}
        problems: list[Problem] = []
        for name in bundled_parameter_files():
            params, _meta, found = parse_parameter_file(
                (folder / name).read_text(encoding="utf-8"), name
            )
            problems.extend(found)
            for key, param in params.items():
                if key in layer:
                    problems.append(
                        Problem(f"{name}: {key}", f"already defined in {layer[key].source}")
                    )
                layer[key] = param
        if problems:
            raise ParameterFileError(problems)
        _BUNDLED = ParameterSet((layer,), ("bundled",))
    return _BUNDLED.with_files(*extra) if extra else _BUNDLED
