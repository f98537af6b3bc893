"""Replaying a decision record: rank the same waiting list again under the recorded terms.

:func:`replay` takes a :class:`~fuaalborg.records.RankingRecord` and a waiting
list, ranks it with the recorded vacancy, date, route, turn, colour,
designation, organisation, agreement terms and parameter values (not today's),
checks the list against the recorded sanity bounds (a municipality's own where
the ranking was made under them: the record and the list are all replay
needs), and compares: the waiting list's fingerprint, the order, the notices
(what the ranking could not check, where the record keeps them), the plug-ins'
and the library's versions, and every parameter whose value or reference has
changed since. Also available as :func:`fuaalborg.replay`.

>>> import datetime as dt
>>> import pandas as pd
>>> from fuaalborg.letting.ranking import rank
>>> from fuaalborg.letting.vacancy import Vacancy
>>> applicants = pd.DataFrame({
...     "applicant_id": ["a1", "a2"], "list": ["external", "external"],
...     "seniority_date": pd.to_datetime(["2015-03-01", "2012-06-15"]),
...     "household_size": [2, 3],
... })
>>> vacancy = Vacancy("D1", rooms=3, monthly_rent_dkk=6500, vacant_on=dt.date(2024, 5, 1))
>>> record = rank(applicants, vacancy, route="ordinary").record
>>> result = replay(record, applicants.iloc[::-1])
>>> result.matches, result.ranking.frame["applicant_id"].tolist()
(True, ['a2', 'a1'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, cast

import attrs
import pandas as pd

from fuaalborg._types import CriteriaRegistry
from fuaalborg.errors import NotInForceError
from fuaalborg.letting._waiting_list import prepare
from fuaalborg.letting.notices import NOTICES_FROM_MUNICIPALITY, Notice
from fuaalborg.letting.ranking import Ranking, _default_registry, _plugins, rank
from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from fuaalborg.records import ParameterUse, RankingRecord, _recorded_text

__all__ = ["Replay", "recorded_parameters", "replay"]


@attrs.frozen
class Replay:
    """The result of :func:`replay`: the new ranking and every difference found.

    ``matches`` is true when the order equals the recorded one, the waiting
    list's fingerprint is unchanged and the ranking makes the recorded notices
    again. Notices are compared where the record keeps them (a record written
    before records kept notices has none to compare), except those that compare
    the list with the municipality's tables
    (:data:`~fuaalborg.letting.notices.NOTICES_FROM_MUNICIPALITY`): the record
    does not hold those tables and the order does not depend on them, so they
    stand as recorded (:attr:`RankingRecord.notices
    <fuaalborg.records.RankingRecord.notices>`). ``differences`` also names rule
    or plug-in versions that changed since the decision (which need not change
    the order).
    """

    ranking: Ranking
    matches: bool
    differences: tuple[str, ...]


def replay(
    record: RankingRecord, applicants: pd.DataFrame, *, registry: CriteriaRegistry | None = None
) -> Replay:
    """Rank ``applicants`` again under the terms of ``record`` and compare.

    The recorded route, turn, colour, designation, agreement terms and
    parameter values are used (not today's); the criteria come from
    ``registry`` (default: the installed plug-ins), whose versions are compared
    with the recorded ones.

    The waiting list is checked against the sanity bounds the record states
    (:attr:`RankingRecord.bounds <fuaalborg.records.RankingRecord.bounds>`):
    those the ranking checked it against, a municipality's own
    (``municipality.toml`` ``[bounds]``) included, so a list the decision
    accepted is accepted again without the municipality. A record that does
    not state them (written before records kept them) is checked against the
    bundled bounds, as it was when it was made.
    """
    frozen = recorded_parameters(record)
    # the list as the decision read it: a value check added since (a CPR-shaped id, a
    # CVR number's modulus 11) must not keep an old decision from being shown again
    listed = prepare(applicants, record.on, value_checks=False, parameters=frozen)
    ranking = rank(
        cast("pd.DataFrame", listed),  # a prepared list passes through rank() as it is
        record.vacancy,
        registry=registry,
        on=record.on,
        route=record.route,
        turn=record.turn,
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
    notices = _notice_change(record, new)
    if notices:
        differences.append(notices)
    order_ok = not differences
    loaded = new.plugins
    if record.plugins and not loaded:
        # the decision loaded the plug-ins to look for an agreement (and found none);
        # ranked again on the recorded route and terms, replay looks for none: compare
        # the plug-ins it would load, not none at all
        loaded = _plugins(registry if registry is not None else _default_registry())
    old_plugins = {p.name: p for p in record.plugins}
    for plugin in loaded:
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


def recorded_parameters(record: RankingRecord) -> ParameterSet:
    """The parameters of ``record``: the bundled ones with the recorded values on top.

    The recorded sanity bounds (:attr:`RankingRecord.bounds
    <fuaalborg.records.RankingRecord.bounds>`), each from its recorded start on,
    then every recorded parameter value for its recorded period. :func:`replay`
    ranks and checks the waiting list under them; a reader of the waiting list
    that :func:`replay` will rank (``fuaalborg replay`` reading a file) checks
    it against the same bounds. A record that states no bounds leaves the
    bundled ones.

    >>> import datetime as dt
    >>> from fuaalborg.records import InputFingerprint, ParameterUse
    >>> from fuaalborg.letting.vacancy import Vacancy
    >>> rooms = ParameterUse("bounds.rooms", "30", "municipality.toml [bounds]",
    ...                      dt.date(2024, 1, 1), None, "municipality.toml")
    >>> record = RankingRecord(
    ...     vacancy=Vacancy("D1", 2, 5000.0, dt.date(2024, 5, 1)),
    ...     on=dt.date(2024, 5, 1), route="ordinary", route_basis="given",
    ...     turn=None, turn_basis="one list", colour=None, colour_basis="not used",
    ...     organisation_cvr=None, agreement=None, criteria=(), parameters=(), plugins=(),
    ...     input=InputFingerprint(rows=0, columns=(), sha256=""), top=None,
    ...     eligible=0, ineligible=0, ranked=(), library_version="0.1.0", bounds=(rooms,),
    ... )
    >>> recorded_parameters(record).get("bounds.rooms", dt.date(2025, 1, 1))
    30
    """
    params = load_parameters()
    layers, sources = list(params.layers), list(params.sources)
    if record.bounds is not None:
        layers.append(_parameter_layer(record.bounds, bounds=True))
        sources.append("record (bounds)")
    layers.append(_parameter_layer(record.parameters))
    sources.append("record")
    return ParameterSet(tuple(layers), tuple(sources))


def _notice_change(record: RankingRecord, new: RankingRecord) -> str | None:
    """How the notices replay makes again differ from the recorded ones (``None``: alike)."""
    if record.notices is None or new.notices is None:
        return None
    then, now = (
        tuple(n for n in notices if n.code not in NOTICES_FROM_MUNICIPALITY)
        for notices in (record.notices, new.notices)
    )
    if then == now:
        return None

    def listed(notices: tuple[Notice, ...]) -> str:
        return "; ".join(f"«{n.text('en')}»" for n in notices) or "none"

    return f"the notices differ: {listed(then)} at the decision, {listed(now)} now"


def _parameter_layer(
    uses: Sequence[ParameterUse], *, bounds: bool = False
) -> dict[str, Any]:
    """A parameter layer holding each recorded value for its recorded period.

    ``bounds``: the recorded sanity bounds, each from its recorded start on
    without an end (the list is checked today, not on the decision's date) and
    with its recorded source, so that the record of the ranking made again states
    them as the decision's record does.
    """
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
                    end=None if bounds else use.end,
                    value=value,
                    reference=use.reference,
                    source=use.source if bounds else "record",
                ),
            ),
            source="record",
        )
    return layer


def _parse_value(text: str, unit: str, current: Any) -> Any:
    if current is not None and _recorded_text(current.value) == text:
        return current.value
    if unit == "fraction":
        return Fraction(text)
    if unit in {"count", "months", "days", "years"}:
        try:
            return int(text)
        except ValueError:  # a municipality's own bound may be a number with a point: 14.0
            return float(text)
    if unit in {"share", "percent", "ratio", "dkk_per_month", "dkk_per_year", "hours_per_week"}:
        return float(text)
    if unit == "boolean":
        return text == "True"
    return text


def _parameter_changes(uses: Sequence[ParameterUse], on: dt.date) -> list[str]:
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
        if _recorded_text(now.value) != use.value or now.reference != use.reference:
            out.append(
                f"parameter {use.name} on {on.isoformat()}: {use.value} ({use.reference}) at the "
                f"decision, now {_recorded_text(now.value)} ({now.reference})"
            )
    return out
