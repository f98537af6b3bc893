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
from typing import Any, Literal, cast, get_args

import attrs
import pandas as pd

from fuaalborg._types import CriteriaRegistry, Language
from fuaalborg.errors import InputError, NotInForceError, Problem, ValidationError
from fuaalborg.letting._waiting_list import prepare
from fuaalborg.letting.notices import NOTICES_FROM_MUNICIPALITY, Notice
from fuaalborg.letting.ranking import Ranking, _default_registry, _plugins, rank
from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from fuaalborg.records import ParameterUse, RankingRecord, _recorded_text

__all__ = [
    "DECIDING_KINDS",
    "DIFFERENCE_KINDS",
    "DifferenceKind",
    "Replay",
    "ReplayDifference",
    "recorded_parameters",
    "replay",
]


#: What a difference of a replay is about: one of :data:`DIFFERENCE_KINDS`.
DifferenceKind = Literal[
    "waiting_list", "order", "notices",
    "plugin_added", "plugin_version", "plugin_removed", "library_version",
    "parameter_removed", "parameter_lapsed", "parameter_changed",
]
#: The kinds of difference, in the order :func:`replay` lists them.
DIFFERENCE_KINDS: tuple[DifferenceKind, ...] = get_args(DifferenceKind)
#: The kinds that decide whether a decision replays (:attr:`Replay.matches`): the
#: waiting list, the order and the notices. The others are changes since the
#: decision that the replay does not use (it ranks under the recorded values).
DECIDING_KINDS: frozenset[DifferenceKind] = frozenset({"waiting_list", "order", "notices"})

#: The facts each kind states: (required, may be ``None``). No other field is given.
_FACTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "waiting_list": (("rows_then", "rows_now"), ()),
    "order": (("positions", "ranked_then", "ranked_now", "no_longer_ranked",
               "newly_ranked"), ()),
    "notices": (("notices_then", "notices_now"), ()),
    "plugin_added": (("name",), ("now",)),
    "plugin_version": (("name",), ("then", "now")),
    "plugin_removed": (("name",), ("then",)),
    "library_version": (("then", "now"), ()),
    "parameter_removed": (("name", "on"), ()),
    "parameter_lapsed": (("name", "on"), ()),
    "parameter_changed": (("name", "on", "then", "now", "reference_then",
                           "reference_now"), ()),
}

#: The sentences: kind -> language -> template (the facts as :meth:`ReplayDifference.describe`
#: gives them).
_SAID: dict[str, dict[str, str]] = {
    "waiting_list": {
        "en": "the waiting list differs from the one ranked: {rows_then} rows then, "
        "{rows_now} now, fingerprints differ",
        "da": "ventelisten er en anden end den, der blev rangeret: {rows_then} rækker dengang, "
        "{rows_now} nu, fingeraftrykkene er forskellige",
    },
    "order": {
        "en": "the order differs from position {position} on "
        "({ranked_then} ranked then, {ranked_now} now)",
        "da": "rækkefølgen er en anden fra plads {position} "
        "({ranked_then} placeret dengang, {ranked_now} nu)",
    },
    "notices": {
        "en": "the notices differ: {notices_then} at the decision, {notices_now} now",
        "da": "bemærkningerne er andre: {notices_then} ved afgørelsen, {notices_now} nu",
    },
    "plugin_added": {
        "en": "plug-in {name} was not loaded at the decision",
        "da": "plugin {name} var ikke indlæst ved afgørelsen",
    },
    "plugin_version": {
        "en": "plug-in {name}: version {then} at the decision, {now} now",
        "da": "plugin {name}: version {then} ved afgørelsen, {now} nu",
    },
    "plugin_removed": {
        "en": "plug-in {name} is no longer loaded",
        "da": "plugin {name} er ikke længere indlæst",
    },
    "library_version": {
        "en": "fuaalborg {then} at the decision, {now} now",
        "da": "fuaalborg {then} ved afgørelsen, {now} nu",
    },
    "parameter_removed": {
        "en": "parameter {name} no longer exists",
        "da": "parameteren {name} findes ikke længere",
    },
    "parameter_lapsed": {
        "en": "parameter {name} has no value on {on} any more",
        "da": "parameteren {name} har ikke længere en værdi den {on}",
    },
    "parameter_changed": {
        "en": "parameter {name} on {on}: {then} ({reference_then}) at the decision, "
        "now {now} ({reference_now})",
        "da": "parameteren {name} den {on}: {then} ({reference_then}) ved afgørelsen, "
        "nu {now} ({reference_now})",
    },
}
_NONE = {"en": "none", "da": "ingen"}


@attrs.frozen(repr=False)
class ReplayDifference:
    """One difference :func:`replay` found (forskel), as facts: a kind and what it states.

    ``kind`` is one of :data:`DIFFERENCE_KINDS`; each kind states these facts
    and no others (never an applicant's id: positions and counts only):

    ``waiting_list``
        The waiting list's fingerprint or row count differs: ``rows_then``,
        ``rows_now``.
    ``order``
        The order differs: ``positions`` (1-based, ascending) hold another
        applicant (or none) now; ``ranked_then``, ``ranked_now`` applicants were
        ranked; ``no_longer_ranked`` of those ranked then are not ranked now,
        ``newly_ranked`` ranked now were not then. :attr:`position` is the first.
    ``notices``
        The notices made again differ from the recorded ones: ``notices_then``,
        ``notices_now`` (:class:`~fuaalborg.letting.notices.Notice`, those that
        compare the list with the municipality's tables left out).
    ``plugin_added``, ``plugin_version``, ``plugin_removed``
        A criteria plug-in (``name``) was not loaded at the decision, has another
        version, or is no longer loaded: its version ``then`` and ``now``, as far
        as each applies (``None``: the plug-in states none).
    ``library_version``
        fuaalborg's version ``then`` and ``now``.
    ``parameter_removed``, ``parameter_lapsed``, ``parameter_changed``
        A recorded parameter (``name``) no longer exists, has no value on the
        decision's date (``on``) any more, or has another value or reference on
        it: the recorded value ``then`` with ``reference_then``, today's ``now``
        with ``reference_now`` (values as the record writes them).

    The first three decide whether the decision replays (:attr:`decides`,
    :data:`DECIDING_KINDS`); the others are changes since the decision, which
    the replay does not use. :meth:`describe` words a difference in Danish or
    English.

    >>> gone = ReplayDifference("plugin_removed", name="acme-criteria", then="1.2")
    >>> gone.decides
    False
    >>> print(gone.describe("en"))
    plug-in acme-criteria is no longer loaded
    >>> changed = ReplayDifference("library_version", then="0.1.0", now="0.2.0")
    >>> changed.describe(), changed.describe("en")
    ('fuaalborg 0.1.0 ved afgørelsen, 0.2.0 nu', 'fuaalborg 0.1.0 at the decision, 0.2.0 now')
    """

    kind: DifferenceKind
    rows_then: int | None = None
    rows_now: int | None = None
    positions: tuple[int, ...] | None = None
    ranked_then: int | None = None
    ranked_now: int | None = None
    no_longer_ranked: int | None = None
    newly_ranked: int | None = None
    notices_then: tuple[Notice, ...] | None = None
    notices_now: tuple[Notice, ...] | None = None
    name: str | None = None
    then: str | None = None
    now: str | None = None
    reference_then: str | None = None
    reference_now: str | None = None
    on: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        facts = _FACTS.get(self.kind)
        if facts is None:
            raise ValidationError(
                f"replay difference: unknown kind {self.kind!r}; expected one of "
                f"{', '.join(DIFFERENCE_KINDS)}"
            )
        required, optional = facts
        problems = [f"needs {name}" for name in required if getattr(self, name) is None]
        problems += [
            f"takes no {name}"
            for name in attrs.fields_dict(ReplayDifference)
            if name not in (*required, *optional, "kind") and getattr(self, name) is not None
        ]
        if self.positions is not None and (
            not self.positions or list(self.positions) != sorted(set(self.positions))
            or self.positions[0] < 1
        ):
            problems.append("positions must be ascending positions from 1, at least one")
        if problems:
            raise ValidationError(f"replay difference {self.kind}: {'; '.join(problems)}")

    def __repr__(self) -> str:
        """The kind and the facts it states (those not given are left out)."""
        facts = [
            f"{name}={getattr(self, name)!r}" for name in attrs.fields_dict(ReplayDifference)
            if name != "kind" and getattr(self, name) is not None
        ]
        return f"ReplayDifference({', '.join([repr(self.kind), *facts])})"

    @property
    def decides(self) -> bool:
        """Whether this difference keeps the decision from replaying (:data:`DECIDING_KINDS`)."""
        return self.kind in DECIDING_KINDS

    @property
    def position(self) -> int | None:
        """The first position that holds another applicant (``order`` only)."""
        return self.positions[0] if self.positions else None

    def describe(self, lang: Language = "da") -> str:
        """The difference in words, in Danish or English.

        The English words are those of :attr:`Replay.differences`.
        """
        if lang not in ("da", "en"):
            raise ValidationError(f"lang must be 'da' or 'en', got {lang!r}")

        def listed(notices: tuple[Notice, ...] | None) -> str:
            return "; ".join(f"«{n.text(lang)}»" for n in notices or ()) or _NONE[lang]

        facts = {name: getattr(self, name) for name in attrs.fields_dict(ReplayDifference)}
        facts.update(
            position=self.position,
            notices_then=listed(self.notices_then),
            notices_now=listed(self.notices_now),
            on=self.on.isoformat() if self.on is not None else None,
        )
        return _SAID[self.kind][lang].format(**facts)


@attrs.frozen
class Replay:
    """The result of :func:`replay`: the new ranking and every difference found.

    ``found`` holds the differences as facts (:class:`ReplayDifference`), in
    the order of :data:`DIFFERENCE_KINDS`: the waiting list, the order and the
    notices first, then what changed since the decision (plug-ins, the library,
    parameters), which need not change the order. :attr:`differences` words
    them in English, :meth:`describe` in either language.

    :attr:`matches` is true when the order equals the recorded one, the waiting
    list's fingerprint is unchanged and the ranking makes the recorded notices
    again (no difference that :attr:`~ReplayDifference.decides`). Notices are
    compared where the record keeps them (a record written before records kept
    notices has none to compare), except those that compare the list with the
    municipality's tables
    (:data:`~fuaalborg.letting.notices.NOTICES_FROM_MUNICIPALITY`): the record
    does not hold those tables and the order does not depend on them, so they
    stand as recorded (:attr:`RankingRecord.notices
    <fuaalborg.records.RankingRecord.notices>`).
    """

    ranking: Ranking
    found: tuple[ReplayDifference, ...] = ()

    @property
    def matches(self) -> bool:
        """Whether the decision replays: the same waiting list, order and notices."""
        return not any(d.decides for d in self.found)

    @property
    def differences(self) -> tuple[str, ...]:
        """Every difference found, in English words (:meth:`ReplayDifference.describe`)."""
        return self.describe("en")

    def describe(self, lang: Language = "da") -> tuple[str, ...]:
        """Every difference found, in Danish or English words."""
        return tuple(d.describe(lang) for d in self.found)


def replay(
    record: RankingRecord,
    applicants: pd.DataFrame,
    *,
    registry: CriteriaRegistry | None = None,
    bounds: ParameterSet | None = None,
) -> Replay:
    """Rank ``applicants`` again under the terms of ``record`` and compare.

    The recorded route, turn, colour, designation, agreement terms and
    parameter values are used (not today's); the record of the ranking made
    again names the recorded municipality (:attr:`RankingBasis.municipality
    <fuaalborg.records.RankingBasis.municipality>`), which is not compared: the
    order does not depend on it. The criteria come from
    ``registry`` (default: the installed plug-ins), whose versions are compared
    with the recorded ones.

    The waiting list is checked against the sanity bounds the record states
    (:attr:`RankingRecord.bounds <fuaalborg.records.RankingRecord.bounds>`):
    those the ranking checked it against, a municipality's own
    (``municipality.toml`` ``[bounds]``) included, so a list the decision
    accepted is accepted again without the municipality. A record that does
    not state them (written before records kept them) is checked against the
    bounds of ``bounds`` (a municipality's, e.g. :meth:`MunicipalitySettings.parameters
    <fuaalborg.municipality.MunicipalitySettings.parameters>`, where the ranking was
    made under its own ``[bounds]``), else against the bundled bounds; ``bounds`` is
    not used for a record that states its bounds.

    Every recorded parameter and bound value is checked first: a value that is
    not of its parameter's unit (a damaged record) is an
    :class:`~fuaalborg.errors.InputError` listing each at its place in the record
    (``record.parameters[3].value``).
    """
    frozen = recorded_parameters(record, bounds=bounds)
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
        # named only, as the record names it: the order does not depend on it
        municipality=record.municipality,
    )
    new = ranking.record
    found: list[ReplayDifference] = []
    if new.input.sha256 != record.input.sha256 or new.input.rows != record.input.rows:
        found.append(ReplayDifference(
            "waiting_list", rows_then=record.input.rows, rows_now=new.input.rows))
    if new.ranked != record.ranked:
        found.append(_order_change(record.ranked, new.ranked))
    notices = _notice_change(record, new)
    if notices is not None:
        found.append(notices)
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
            found.append(ReplayDifference("plugin_added", name=plugin.name, now=plugin.version))
        elif before.version != plugin.version:
            found.append(ReplayDifference(
                "plugin_version", name=plugin.name, then=before.version, now=plugin.version))
    found.extend(
        ReplayDifference("plugin_removed", name=name, then=old_plugins[name].version)
        for name in sorted(old_plugins)
    )
    if record.library_version != new.library_version:
        found.append(ReplayDifference(
            "library_version", then=record.library_version, now=new.library_version))
    found.extend(_parameter_changes(record.parameters, record.on))
    return Replay(ranking=ranking, found=tuple(found))


def recorded_parameters(
    record: RankingRecord, *, bounds: ParameterSet | None = None
) -> ParameterSet:
    """The parameters of ``record``: the bundled ones with the recorded values on top.

    The recorded sanity bounds (:attr:`RankingRecord.bounds
    <fuaalborg.records.RankingRecord.bounds>`), each from its recorded start on,
    then every recorded parameter value for its recorded period. :func:`replay`
    ranks and checks the waiting list under them; a reader of the waiting list
    that :func:`replay` will rank (``fuaalborg replay`` reading a file) checks
    it against the same bounds. A record that states no bounds (written before
    records kept them) leaves the bundled ones, or takes the sanity bounds
    (``bounds.*``) of ``bounds`` where given (a municipality's parameters, whose
    ``[bounds]`` the ranking was made under); ``bounds`` is not used for a record
    that states its bounds, and nothing of it but its sanity bounds is used.

    A recorded value that is not of its parameter's unit is refused, every one
    at once (:class:`~fuaalborg.errors.InputError`, each at its place in the
    record: ``record.bounds[0].value``).

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
    _check_values(record)
    params = load_parameters()
    layers, sources = list(params.layers), list(params.sources)
    if record.bounds is not None:
        layers.append(_parameter_layer(record.bounds, bounds=True))
        sources.append("record (bounds)")
    elif bounds is not None:  # the bounds the ranking was made under, as the caller knows
        for layer, source in zip(bounds.layers, bounds.sources, strict=False):
            own = {name: p for name, p in layer.items() if name.startswith("bounds.")}
            if own:
                layers.append(own)
                sources.append(source)
    layers.append(_parameter_layer(record.parameters))
    sources.append("record")
    return ParameterSet(tuple(layers), tuple(sources))


def _order_change(then: tuple[str, ...], now: tuple[str, ...]) -> ReplayDifference:
    """Where two orders differ: the positions that hold another applicant, and the counts."""
    positions = tuple(
        i + 1 for i in range(max(len(then), len(now)))
        if i >= len(then) or i >= len(now) or then[i] != now[i]
    )
    before, after = set(then), set(now)
    return ReplayDifference(
        "order", positions=positions, ranked_then=len(then), ranked_now=len(now),
        no_longer_ranked=len(before - after), newly_ranked=len(after - before),
    )


def _notice_change(record: RankingRecord, new: RankingRecord) -> ReplayDifference | None:
    """How the notices replay makes again differ from the recorded ones (``None``: alike)."""
    if record.notices is None or new.notices is None:
        return None
    then, now = (
        tuple(n for n in notices if n.code not in NOTICES_FROM_MUNICIPALITY)
        for notices in (record.notices, new.notices)
    )
    if then == now:
        return None
    return ReplayDifference("notices", notices_then=then, notices_now=now)


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


#: The units whose recorded values are numbers: unit -> what a value is expected to be.
_NUMBERS = {
    "count": "a whole number", "months": "a whole number of months",
    "days": "a whole number of days", "years": "a whole number of years",
    "share": "a number (a share)", "percent": "a number (a percentage)",
    "ratio": "a number (a ratio)", "dkk_per_month": "an amount in kroner a month",
    "dkk_per_year": "an amount in kroner a year", "hours_per_week": "a number of hours a week",
}


def _value_problem(text: str, unit: str) -> str | None:
    """What is wrong with a recorded value of a parameter of ``unit`` (``None``: nothing).

    Never shows the value: says what was expected.
    """
    if unit == "fraction":
        try:
            Fraction(text)
        except (ValueError, ZeroDivisionError):
            return f"not a fraction: expected a share such as 1/4 or 0.25 (unit {unit})"
        return None
    if unit in _NUMBERS:
        try:
            number = float(text)
        except ValueError:
            return f"not a number: expected {_NUMBERS[unit]} (unit {unit})"
        if number != number or number in (float("inf"), float("-inf")):
            return f"not a finite number: expected {_NUMBERS[unit]} (unit {unit})"
        return None
    if unit == "boolean" and text not in ("True", "False"):
        return f"not True or False (unit {unit})"
    return None


def _check_values(record: RankingRecord) -> None:
    """Refuse a record whose parameter or bound values are not of their units: all at once."""
    current = load_parameters()
    problems = [
        Problem(f"record.{field}[{i}].value", what)
        for field, uses in (("parameters", record.parameters), ("bounds", record.bounds or ()))
        for i, use in enumerate(uses)
        if (what := _value_problem(
            use.value, current.parameter(use.name).unit if use.name in current else "text",
        )) is not None
    ]
    if problems:
        raise InputError(problems, head="ranking record: {count}")


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


def _parameter_changes(uses: Sequence[ParameterUse], on: dt.date) -> list[ReplayDifference]:
    """The recorded parameters whose value or reference on ``on`` is not today's."""
    current = load_parameters()
    out = []
    for use in uses:
        if use.name not in current:
            out.append(ReplayDifference("parameter_removed", name=use.name, on=on))
            continue
        try:
            now = current.lookup(use.name, on, warn=False)
        except NotInForceError:
            out.append(ReplayDifference("parameter_lapsed", name=use.name, on=on))
            continue
        if _recorded_text(now.value) != use.value or now.reference != use.reference:
            out.append(ReplayDifference(
                "parameter_changed", name=use.name, on=on, then=use.value,
                now=_recorded_text(now.value), reference_then=use.reference,
                reference_now=now.reference,
            ))
    return out
