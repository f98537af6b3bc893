"""The monitoring calendar and the placement in force on a date.

The monitoring tool is updated three times a year (agreement, afsnit 5): in
February (department-level prevention and parallel-society data), in November
(the twin tool) and on 1 December (the ministry's lists). The dates are the
cited parameters ``monitoring.calendar.*``. The placement in force on a date is
the latest one made on or before it.

>>> import datetime as dt
>>> update = next_update(dt.date(2024, 3, 15))
>>> update.on, update.source
(datetime.date(2024, 11, 1), 'twin tool')
>>> last_update(dt.date(2024, 3, 15)).source
'parallel-society data'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from fuaalborg.dates import as_date
from fuaalborg.errors import NotInForceError
from fuaalborg.parameters import ParameterSet, load_parameters

if TYPE_CHECKING:
    from fuaalborg.monitoring.steps import Placement, StepModel
    from fuaalborg.municipality import Municipality

__all__ = [
    "CALENDAR_SOURCES",
    "ScheduledUpdate",
    "colour_on",
    "last_update",
    "next_update",
    "placement_in_force",
    "placement_on",
    "scheduled_updates",
]

#: The calendar parameters and the data source each update refreshes.
CALENDAR_SOURCES: Mapping[str, str] = {
    "monitoring.calendar.parallel_data_update": "parallel-society data",
    "monitoring.calendar.twin_tool_update": "twin tool",
    "monitoring.calendar.ministry_lists": "ministry lists",
}


@attrs.frozen
class ScheduledUpdate:
    """One scheduled update of the monitoring tool: its date and the source it refreshes."""

    on: dt.date
    source: str
    parameter: str
    reference: str

    def describe(self) -> str:
        """``2024-11-01: twin tool (reference)``."""
        return f"{self.on.isoformat()}: {self.source} ({self.reference})"


def scheduled_updates(
    start: dt.date, end: dt.date, *, parameters: ParameterSet | None = None
) -> list[ScheduledUpdate]:
    """Every scheduled update from ``start`` to ``end`` (both inclusive), by date."""
    params = parameters or load_parameters()
    found: dict[tuple[dt.date, str], ScheduledUpdate] = {}
    for name, source in CALENDAR_SOURCES.items():
        if name not in params:
            continue
        for dated in params.history(name):  # topmost layer first
            if dated.ended:
                continue
            month, _, day = str(dated.value).partition("-")
            for year in range(start.year, end.year + 1):
                when = dt.date(year, int(month), int(day))
                if start <= when <= end and dated.covers(when):
                    found.setdefault(
                        (when, source), ScheduledUpdate(when, source, name, dated.reference)
                    )
    return sorted(found.values(), key=lambda u: (u.on, u.source))


def next_update(on: dt.date, *, parameters: ParameterSet | None = None) -> ScheduledUpdate:
    """The first scheduled update strictly after ``on`` and the source it refreshes."""
    updates = scheduled_updates(
        on + dt.timedelta(days=1), on + dt.timedelta(days=400), parameters=parameters
    )
    if not updates:
        raise NotInForceError(f"no monitoring update is scheduled after {on.isoformat()}")
    return updates[0]


def last_update(on: dt.date, *, parameters: ParameterSet | None = None) -> ScheduledUpdate:
    """The latest scheduled update on or before ``on``."""
    updates = scheduled_updates(on - dt.timedelta(days=400), on, parameters=parameters)
    if not updates:
        raise NotInForceError(f"no monitoring update is scheduled on or before {on.isoformat()}")
    return updates[-1]


def placement_in_force(placements: Iterable[Placement], on: dt.date) -> Placement:
    """Of ``placements``, the latest made on or before ``on``."""
    candidates = [p for p in placements if p.on <= on]
    if not candidates:
        raise NotInForceError(f"no placement was made on or before {on.isoformat()}")
    return max(candidates, key=lambda p: p.on)


_CACHE_SIZE = 64
_MODELS: dict[str, StepModel] = {}
_CACHE: dict[tuple[int, dt.date, str], tuple[weakref.ref[Any], Placement]] = {}


def placement_on(
    town: Municipality, on: dt.date | str, preset: str | None = None
) -> Placement:
    """The placement in force on ``on`` for a municipality (cached).

    ``preset`` defaults to the municipality's own (:attr:`Municipality.preset
    <fuaalborg.municipality.Municipality.preset>`: the first preset of its
    ``municipality.toml``, else ``aalborg-2023``).

    It is the placement made at the latest moment on or before ``on`` when the
    monitoring was updated: a scheduled update (:func:`last_update`) or the start
    of the preset's current rules (e.g. the agreement's start, 2023-01-01). Its
    ``on`` is that moment; the data used are those measured on or before it.
    Ranking and the letting ledger ask ``placement_on(town, day).colour_of(dep)``.
    """
    from fuaalborg.monitoring.steps import StepModel

    day = as_date(on, "on")
    preset = preset or town.preset
    model = _MODELS.get(preset)
    if model is None:
        model = _MODELS[preset] = StepModel.load(preset)
    moments = [
        dated.start
        for name in model.step_names
        for dated in model.parameters.history(name)
        if dated.start <= day
    ]
    with contextlib.suppress(NotInForceError):
        moments.append(last_update(day, parameters=model.parameters).on)
    if not moments:
        raise NotInForceError(f"preset {preset!r} has no placement on {day.isoformat()}")
    moment = max(moments)
    key = (id(town), moment, preset)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is town:
        return hit[1]
    placement = model.place(town.departments, town.indicators, town.lists, moment, validate=False)
    for stale in [k for k, (ref, _p) in _CACHE.items() if ref() is None]:
        del _CACHE[stale]
    if len(_CACHE) >= _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = (weakref.ref(town), placement)
    return placement


def colour_on(
    town: Municipality, department_id: str, on: dt.date | str, preset: str | None = None
) -> str:
    """The colour (green, yellow, red) of a department on a date: the placement in force.

    Shorthand for ``placement_on(town, on, preset).colour_of(department_id)``.
    """
    return placement_on(town, on, preset).colour_of(department_id)
