"""Decision records (afgørelsesgrundlag) of rankings, and their replay.

A :class:`RankingRecord` holds everything needed to check a ranking later: the
vacancy, the route and turn with their basis, the department's colour and its
basis, the letting agreement's terms, the criteria (id, title, fields read,
legal basis), every parameter value used with its reference and period, the
plug-ins with their distribution versions, a fingerprint of the waiting list
(over the columns used only, independent of row order), the library version and
the resulting order. It converts to JSON with cattrs and back, and
:func:`replay` ranks the same waiting list again under the recorded terms and
lists every difference.

>>> import datetime as dt
>>> from fuaalborg.letting.vacancy import Vacancy
>>> rec = RankingRecord(
...     vacancy=Vacancy("D1", 2, 5000.0, dt.date(2024, 5, 1)),
...     on=dt.date(2024, 5, 1), route="ordinary", route_basis="given",
...     turn=None, turn_basis="one list", colour=None, colour_basis="not used",
...     organisation_cvr=None, agreement=None, criteria=(), parameters=(), plugins=(),
...     input=InputFingerprint(rows=0, columns=(), sha256=""), top=None,
...     eligible=0, ineligible=0, ranked=(), library_version="0.1.0",
... )
>>> RankingRecord.from_json(rec.to_json()) == rec
True
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import cattrs
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.letting.vacancy import Vacancy

if TYPE_CHECKING:
    from fuaalborg.letting.ranking import Ranking

__all__ = [
    "SCHEMA",
    "AgreementTerms",
    "CriterionUse",
    "InputFingerprint",
    "ParameterUse",
    "PluginUse",
    "RankingRecord",
    "Replay",
    "replay",
]

#: Name and version of the record format.
SCHEMA = "fuaalborg.ranking-record/1"


@attrs.frozen
class ParameterUse:
    """One parameter value a ranking used, with its legal reference and period."""

    name: str
    value: str
    reference: str
    start: dt.date
    end: dt.date | None
    source: str = ""


@attrs.frozen
class PluginUse:
    """A criteria plug-in loaded when the ranking was made, with its distribution version."""

    name: str
    distribution: str | None
    version: str | None


@attrs.frozen
class CriterionUse:
    """A criterion of the agreement's priority groups: its group, title and legal basis."""

    id: str
    group: int
    title: str
    reads: tuple[str, ...]
    legal_basis: str
    title_da: str | None = None


@attrs.frozen
class AgreementTerms:
    """The terms of a flexible-letting agreement (bilag 4) that a ranking applied.

    Built from a :class:`fuaalborg.criteria.LettingAgreement` (or anything with
    the same attributes); ``departments`` is a text (ids or the selector).
    ``groups`` are the groups' criterion ids; ``applies_to`` holds, when any
    group applies only to certain dwellings, each group's dwelling condition in
    its text form (``""``: always), see :mod:`fuaalborg.criteria.conditions`.
    """

    organisation_cvr: str | None
    groups: tuple[str, ...]
    flexible_share: str
    legal_basis: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    internal_moves_exempt: bool = False
    children_first_for_rooms: int | None = None
    departments: str = ""
    applies_to: tuple[str, ...] = ()

    @classmethod
    def of(cls, agreement: Any) -> AgreementTerms:
        """The terms of ``agreement`` (an :class:`AgreementTerms` is returned as is)."""
        if isinstance(agreement, AgreementTerms):
            return agreement
        try:
            ids = getattr(agreement, "group_ids", None)
            groups = tuple(str(g) for g in (agreement.groups if ids is None else ids))
            share = agreement.flexible_share
        except AttributeError as exc:
            raise ValidationError(
                f"agreement: expected a LettingAgreement with groups and flexible_share ({exc})"
            ) from None
        describe = getattr(agreement, "describe_departments", None)
        departments = (
            describe() if callable(describe) else str(getattr(agreement, "departments", ""))
        )
        rooms = getattr(agreement, "children_first_for_rooms", None)
        conditions = tuple(str(c) for c in getattr(agreement, "group_conditions", ()))
        return cls(
            organisation_cvr=getattr(agreement, "organisation_cvr", None),
            groups=groups,
            flexible_share=_share_text(share),
            legal_basis=str(getattr(agreement, "legal_basis", "")),
            valid_from=getattr(agreement, "valid_from", None),
            valid_until=getattr(agreement, "valid_until", None),
            internal_moves_exempt=bool(getattr(agreement, "internal_moves_exempt", False)),
            children_first_for_rooms=None if rooms is None else int(rooms),
            departments=departments,
            applies_to=conditions if any(conditions) else (),
        )

    @property
    def share(self) -> Fraction:
        """The flexible share as an exact fraction."""
        return Fraction(self.flexible_share)


def _share_text(share: Any) -> str:
    frac = Fraction(share)
    if isinstance(share, float):
        frac = frac.limit_denominator(10_000)
    return str(frac)


@attrs.frozen
class InputFingerprint:
    """The waiting list a ranking read: rows, the columns used and their SHA-256.

    The hash covers only the columns the ranking used, in a row-order-independent
    way, so reordering rows or changing unused (e.g. protected) columns keeps it.
    """

    rows: int
    columns: tuple[str, ...]
    sha256: str


@attrs.frozen
class RankingRecord:
    """The decision record of one ranking (see the module docs).

    ``ranked`` lists the applicant ids (as text) in the order of the ranking's
    frame (the first ``top`` when a top was asked for).
    """

    vacancy: Vacancy
    on: dt.date
    route: str
    route_basis: str
    turn: str | None
    turn_basis: str
    colour: str | None
    colour_basis: str
    organisation_cvr: str | None
    agreement: AgreementTerms | None
    criteria: tuple[CriterionUse, ...]
    parameters: tuple[ParameterUse, ...]
    plugins: tuple[PluginUse, ...]
    input: InputFingerprint
    top: int | None
    eligible: int
    ineligible: int
    ranked: tuple[str, ...]
    library_version: str
    schema: str = SCHEMA
    #: The department's area designation on the ministry's list (None: not known);
    #: it decides whether almenboligloven § 51 c applies.
    designation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The record as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RankingRecord:
        """Load a record from :meth:`to_dict` data; every problem is reported at once."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValidationError(f"not a ranking record (expected schema {SCHEMA!r})")
        try:
            return _CONVERTER.structure(data, cls)
        except cattrs.BaseValidationError as exc:
            lines = cattrs.transform_error(exc, path="record")
            raise ValidationError(
                "ranking record: " + str(len(lines)) + " problem(s)\n"
                + "\n".join(f"  - {line}" for line in lines)
            ) from None

    @classmethod
    def from_json(cls, text: str) -> RankingRecord:
        """Load a record from :meth:`to_json` text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"ranking record: not JSON ({exc.msg})") from None
        return cls.from_dict(data)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())

    def _date(value: Any, _t: Any) -> dt.date:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            return dt.date.fromisoformat(value)
        raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")

    conv.register_structure_hook(dt.date, _date)
    return conv


_CONVERTER = _make_converter()


@attrs.frozen
class Replay:
    """The result of :func:`replay`: the new ranking and every difference found.

    ``matches`` is true when the order equals the recorded one and the waiting
    list's fingerprint is unchanged. ``differences`` also names rule or plug-in
    versions that changed since the decision (which need not change the order).
    """

    ranking: Ranking
    matches: bool
    differences: tuple[str, ...]


def replay(record: RankingRecord, applicants: pd.DataFrame, *, registry: Any = None) -> Replay:
    """Rank ``applicants`` again under the terms of ``record`` and compare.

    The recorded route, turn, colour, agreement terms and parameter values are
    used (not today's); the criteria come from ``registry`` (default: the
    installed plug-ins), whose versions are compared with the recorded ones.
    """
    from fuaalborg.letting.ranking import rank
    from fuaalborg.parameters import load_parameters

    params = load_parameters()
    overlay = _parameter_layer(record.parameters)
    from fuaalborg.parameters import ParameterSet

    frozen = ParameterSet((*params.layers, overlay), (*params.sources, "record"))
    ranking = rank(
        applicants,
        record.vacancy,
        registry=registry,
        on=record.on,
        route=record.route,  # type: ignore[arg-type]
        turn=record.turn,  # type: ignore[arg-type]
        top=record.top,
        colour=record.colour,
        organisation_cvr=record.organisation_cvr,
        agreement=record.agreement,
        parameters=frozen,
        designation=record.designation,
    )
    new = ranking.record
    differences: list[str] = []
    if new.input.sha256 != record.input.sha256 or new.input.rows != record.input.rows:
        differences.append(
            f"the waiting list differs from the one ranked: {record.input.rows} rows then, "
            f"{new.input.rows} now, fingerprints differ"
        )
    if new.ranked != record.ranked:
        first = next(
            (i for i, (a, b) in enumerate(zip(new.ranked, record.ranked, strict=False)) if a != b),
            min(len(new.ranked), len(record.ranked)),
        )
        differences.append(
            f"the order differs from position {first + 1} on "
            f"({len(record.ranked)} ranked then, {len(new.ranked)} now)"
        )
    order_ok = not differences
    old_plugins = {p.name: p for p in record.plugins}
    for plugin in new.plugins:
        before = old_plugins.pop(plugin.name, None)
        if before is None:
            differences.append(f"plug-in {plugin.name} was not loaded at the decision")
        elif before.version != plugin.version:
            differences.append(
                f"plug-in {plugin.name}: version {before.version} at the decision, "
                f"{plugin.version} now"
            )
    differences.extend(f"plug-in {name} is no longer loaded" for name in sorted(old_plugins))
    if record.library_version != new.library_version:
        differences.append(
            f"fuaalborg {record.library_version} at the decision, {new.library_version} now"
        )
    differences.extend(_parameter_changes(record.parameters, record.on))
    return Replay(ranking=ranking, matches=order_ok, differences=tuple(differences))


def _parameter_layer(uses: Sequence[ParameterUse]) -> dict[str, Any]:
    from fuaalborg.parameters import DatedValue, Parameter, load_parameters

    current = load_parameters()
    layer: dict[str, Any] = {}
    for use in uses:
        base = current.parameter(use.name) if use.name in current else None
        value = current_value = None
        if base is not None:
            current_value = base.value_on(use.start)
        value = _parse_value(use.value, base.unit if base else "text", current_value)
        layer[use.name] = Parameter(
            name=use.name,
            description=base.description if base else use.name,
            unit=base.unit if base else "text",
            values=(
                DatedValue(
                    name=use.name,
                    start=use.start,
                    end=use.end,
                    value=value,
                    reference=use.reference,
                    source="record",
                ),
            ),
            source="record",
        )
    return layer


def _parse_value(text: str, unit: str, current: Any) -> Any:
    if current is not None and _show(current.value) == text:
        return current.value
    if unit == "fraction":
        return Fraction(text)
    if unit in {"count", "months", "days", "years"}:
        return int(text)
    if unit in {"share", "percent", "ratio", "dkk_per_month", "dkk_per_year", "hours_per_week"}:
        return float(text)
    if unit == "boolean":
        return text == "True"
    return text


def _show(value: Any) -> str:
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(
            value.numerator
        )
    return str(value)


def _parameter_changes(uses: Sequence[ParameterUse], on: dt.date) -> list[str]:
    from fuaalborg.errors import NotInForceError
    from fuaalborg.parameters import load_parameters

    current = load_parameters()
    out = []
    for use in uses:
        if use.name not in current:
            out.append(f"parameter {use.name} no longer exists")
            continue
        try:
            now = current.lookup(use.name, on, warn=False)
        except NotInForceError:
            out.append(f"parameter {use.name} has no value on {on.isoformat()} any more")
            continue
        if _show(now.value) != use.value or now.reference != use.reference:
            out.append(
                f"parameter {use.name} on {on.isoformat()}: {use.value} ({use.reference}) at the "
                f"decision, now {_show(now.value)} ({now.reference})"
            )
    return out
