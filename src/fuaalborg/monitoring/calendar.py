"""The monitoring calendar, the agreement's duties and deadlines, and the placement in force.

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

:func:`agreement_calendar` lists the agreement's own duties and deadlines —
the monitoring updates, the meetings of the bodies of afsnit 7, the yearly
assessment and review of the annexes, renegotiation and evaluation (afsnit
9–10), the revision of flexible-letting agreements (almenboligloven § 60,
stk. 2) and the renewal and lapse of mandatory criteria (§ 60, stk. 4) — with
overdue items flagged:

>>> cal = agreement_calendar("2024-01-01", "2024-12-31", on="2024-10-15")
>>> [(d.id, d.status) for d in cal.duties if d.kind == "renegotiation_call"]
[('renegotiation_call:2023–2025', 'overdue')]
>>> for duty in cal.duties:
...     if duty.body == "Strategisk arbejdsgruppe":
...         print(duty.due, duty.status, duty.id)
2024-06-30 overdue meeting:strategic_group:2024-Q2
2024-12-31 due meeting:strategic_group:2024-Q4
2024-12-31 due yearly_assessment:2024
2024-12-31 due annex_review:2024
"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import os
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd

from fuaalborg import danish
from fuaalborg._types import Language
from fuaalborg.colours import MandatoryFlexible, mandatory_flexible
from fuaalborg.dates import as_date
from fuaalborg.errors import InputError, NotInForceError, Problem, ValidationError
from fuaalborg.formatting import counted
from fuaalborg.parameters import DatedValue, ParameterSet, load_parameters
from fuaalborg.tables import Column, TableSpec, read_table

if TYPE_CHECKING:
    from fuaalborg.monitoring.steps import Placement, StepModel
    from fuaalborg.municipality import Municipality

__all__ = [
    "CALENDAR_SOURCES",
    "COMPLETIONS",
    "DUTY_KINDS",
    "DUTY_STATUSES",
    "AgreementCalendar",
    "Duty",
    "ScheduledUpdate",
    "agreement_calendar",
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
    municipality: Municipality, on: dt.date | str, preset: str | None = None
) -> Placement:
    """The placement in force on ``on`` for a municipality (cached).

    ``preset`` defaults to the municipality's own (:attr:`Municipality.preset
    <fuaalborg.municipality.Municipality.preset>`: the first preset of its
    ``municipality.toml``, else ``aalborg-2023``).

    It is the placement made at the latest moment on or before ``on`` when the
    monitoring was updated: a scheduled update (:func:`last_update`) or the start
    of the preset's current rules (e.g. the agreement's start, 2023-01-01). Its
    ``on`` is that moment; the data used are those measured on or before it.
    Ranking and the letting ledger ask ``placement_on(municipality, day).colour_of(dep)``.
    """
    from fuaalborg.monitoring.steps import StepModel

    day = as_date(on, "on")
    preset = preset or municipality.preset
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
    key = (id(municipality), moment, preset)
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is municipality:
        return hit[1]
    placement = model.place(
        municipality.departments,
        municipality.indicators,
        municipality.lists,
        moment,
        validate=False,
    )
    for stale in [k for k, (ref, _p) in _CACHE.items() if ref() is None]:
        del _CACHE[stale]
    if len(_CACHE) >= _CACHE_SIZE:
        del _CACHE[next(iter(_CACHE))]
    _CACHE[key] = (weakref.ref(municipality), placement)
    return placement


def colour_on(
    municipality: Municipality, department_id: str, on: dt.date | str, preset: str | None = None
) -> str:
    """The colour (green, yellow, red) of a department on a date: the placement in force.

    Shorthand for ``placement_on(municipality, on, preset).colour_of(department_id)``.
    """
    return placement_on(municipality, on, preset).colour_of(department_id)


# ---------------------------------------------------------------------------
# The agreement's own duties and deadlines

#: Kinds of calendar items, in the order they are listed on one day.
DUTY_KINDS: tuple[str, ...] = (
    "monitoring_update",
    "meeting",
    "yearly_assessment",
    "annex_review",
    "renegotiation_call",
    "evaluation",
    "renegotiation",
    "agreement_revision",
    "mandatory_criteria_revision",
    "mandatory_criteria_lapse",
)
#: The status of a calendar item on the calendar's date.
DUTY_STATUSES: tuple[str, ...] = ("done", "overdue", "due", "upcoming", "event")

#: A record of duties done: one row per calendar item id (``done=`` of :func:`agreement_calendar`).
COMPLETIONS = TableSpec(
    name="completions",
    description="Duties of the agreement's calendar recorded as done",
    description_da="Opgaver i aftalens kalender, der er udført",
    key=("id",),
    columns=(
        Column("id", "string", "the calendar item's id", "kalenderpunktets id", nullable=False),
        Column("done_on", "date", "the date it was done", "datoen det blev udført",
               nullable=False),
    ),
)

_BODIES = ("housing_committee", "strategic_group", "practical_forum")


@attrs.frozen
class Duty:
    """One duty or dated event of the agreement's calendar.

    ``id`` is stable (use it to record a duty as done); ``due`` is the deadline
    (for an event, its date); ``opens`` the start of the period the duty belongs
    to. ``reading`` marks a deadline the library reads where the text names no
    date; ``assumed`` one that rests on the agreement's assumed terms (2026–2029).
    ``status`` is ``done``, ``overdue``, ``due`` (its period has begun),
    ``upcoming`` or ``event`` on the calendar's date. ``body_da`` names the body
    in Danish where ``body`` is composed in English (empty: ``body`` is the
    body's own name, the same in both languages).
    """

    id: str
    kind: str
    body: str
    subject: str
    subject_da: str
    due: dt.date
    opens: dt.date | None
    source: str
    reading: bool = False
    assumed: bool = False
    done_on: dt.date | None = None
    status: str = "upcoming"
    body_da: str = ""

    def describe(self) -> str:
        """``2024-06-30 overdue: strategic working group: meeting … (source)``."""
        flags = "".join(
            f" [{f}]" for f, on in (("reading", self.reading), ("assumed", self.assumed)) if on
        )
        done = f" on {self.done_on.isoformat()}" if self.done_on else ""
        return (f"{self.due.isoformat()} {self.status}{done}: {self.body}: {self.subject}"
                f"{flags} ({self.source})")


@attrs.frozen
class AgreementCalendar:
    """The agreement's duties and deadlines from ``start`` to ``end``, as of ``on``.

    ``duties`` are sorted by date; :attr:`overdue` lists those past their
    deadline and not recorded as done; ``notes`` says what could not be computed.
    """

    start: dt.date
    end: dt.date
    on: dt.date
    duties: tuple[Duty, ...]
    notes: tuple[str, ...] = ()

    @property
    def overdue(self) -> tuple[Duty, ...]:
        """The duties overdue on :attr:`on`."""
        return tuple(d for d in self.duties if d.status == "overdue")

    @property
    def frame(self) -> pd.DataFrame:
        """One row per item: id, due, status, kind, body, subject, subject_da, opens,
        done_on, reading, assumed, source."""
        return self.table("en")

    def table(self, lang: Language = "da") -> pd.DataFrame:
        """:attr:`frame`, with ``body`` in ``lang`` (``"da"``: each duty's ``body_da``).

        The headers and closed-set values are translated on writing
        (:func:`fuaalborg.tables.to_danish`); ``subject`` and ``subject_da``
        are both kept.
        """
        columns = ["id", "due", "status", "kind", "body", "subject", "subject_da", "opens",
                   "done_on", "reading", "assumed", "source"]
        rows = [{c: getattr(d, c) for c in columns} for d in self.duties]
        if lang == "da":
            for row, duty in zip(rows, self.duties, strict=True):
                row["body"] = duty.body_da or duty.body
        frame = pd.DataFrame(rows, columns=columns)
        for c in ("due", "opens", "done_on"):
            frame[c] = pd.to_datetime(frame[c]).astype("datetime64[s]")
        for c in ("reading", "assumed"):
            frame[c] = frame[c].astype(bool)
        return frame

    def describe(self) -> list[str]:
        """Readable lines: a heading, one line per item, the notes."""
        head = (f"Agreement calendar {self.start.isoformat()} – {self.end.isoformat()} as of "
                f"{self.on.isoformat()}: {len(self.duties)} items, {len(self.overdue)} overdue")
        return [head, *(f"  {d.describe()}" for d in self.duties),
                *(f"  note: {n}" for n in self.notes)]


def _quarter_end(year: int, quarter: int) -> dt.date:
    month = 3 * quarter
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _done_map(done: Any) -> dict[str, dt.date]:
    """Recorded completions: a mapping id -> date, or a table (frame or file) of COMPLETIONS."""
    if done is None:
        return {}
    if isinstance(done, pd.DataFrame | str | os.PathLike):
        table = read_table(done, COMPLETIONS)
        return {str(k): v.date() if isinstance(v, pd.Timestamp) else as_date(v, "done_on")
                for k, v in zip(table["id"].tolist(), table["done_on"].tolist(), strict=True)}
    if isinstance(done, Mapping):
        rows = list(done.items())
    else:
        raise ValidationError("done: expected a mapping of item id to date, or a table with "
                              "id and done_on")
    out: dict[str, dt.date] = {}
    problems = []
    for i, (key, when) in enumerate(rows, start=1):
        try:
            out[str(key)] = as_date(when, "done_on")
        except ValidationError:
            problems.append(Problem(f"row {i}", "done_on is not a date (YYYY-MM-DD)"))
    if problems:
        raise InputError(problems, head="done: {count}")
    return out


def _dated(params: ParameterSet, name: str, on: dt.date) -> DatedValue | None:
    if name not in params:
        return None
    try:
        return params.lookup(name, on, warn=False)
    except NotInForceError:
        return None


def _mandatory_on(params: ParameterSet, on: dt.date) -> MandatoryFlexible | None:
    """Mandatory flexible letting (§ 60, stk. 4) on ``on``, where it governs any colour.

    The one dated source the ledger, the ranking and the registry read
    (``colour_rules.mandatory_flexible``): a layer that takes every colour out
    of it takes the § 60, stk. 4 duties out of the calendar too.
    """
    try:
        rule = mandatory_flexible(params, on)
    except NotInForceError:
        return None
    return rule if rule.colours and rule.share > 0 else None


def _agreement_duties(
    params: ParameterSet, start: dt.date, end: dt.date, who: str, who_da: str
) -> list[Duty]:
    out: list[Duty] = []
    for year in range(start.year, end.year + 1):
        year_end = dt.date(year, 12, 31)
        period = _dated(params, "agreement.period", year_end)
        if period is None:
            continue
        assumed = period.assumed
        for key in _BODIES:
            body = _dated(params, f"agreement.bodies.{key}", year_end)
            if body is None:
                continue
            v = body.value
            name = str(v["name"])
            per_year = int(v.get("meetings_per_year", 0))
            slots: list[tuple[int, dt.date, dt.date, bool]] = []
            if per_year:
                months = 12 // per_year
                for n in range(per_year):
                    first = dt.date(year, n * months + 1, 1)
                    last_month = (n + 1) * months
                    last = dt.date(year, last_month, calendar.monthrange(year, last_month)[1])
                    slots.append((n + 1, first, last, True))
            for q in v.get("meeting_quarters", []):
                q = int(q)
                slots.append((q, dt.date(year, 3 * q - 2, 1), _quarter_end(year, q), False))
            for n, first, last, reading in slots:
                label = f"{year}-Q{n}" if per_year in (0, 4) else f"{year}-{n}"
                out.append(Duty(
                    id=f"meeting:{key}:{label}", kind="meeting", body=name,
                    subject=f"{v['name_en']} meeting ({label})",
                    subject_da=f"møde i {name.lower()} ({label})",
                    due=last, opens=first, source=body.reference, reading=reading,
                    assumed=assumed,
                ))
            for flag, kind, en, da in (
                ("yearly_assessment", "yearly_assessment",
                 "yearly assessment of adjustments, progress and new needs, with the yearly "
                 "reporting (afsnit 7.2)",
                 "årlig vurdering af justeringer, fremdrift og nye behov med afrapportering"),
                ("annex_review", "annex_review",
                 "yearly review of whether the annexes need updating (afsnit 9)",
                 "årlig vurdering af behovet for at opdatere bilagene"),
            ):
                if v.get(flag):
                    out.append(Duty(
                        id=f"{kind}:{year}", kind=kind, body=name, subject=f"{en} {year}",
                        subject_da=f"{da} {year}", due=year_end, opens=dt.date(year, 1, 1),
                        source=body.reference, reading=True, assumed=assumed,
                    ))
    # renegotiation and evaluation (afsnit 10), once per agreement period
    seen: set[tuple[dt.date, dt.date | None]] = set()
    for dated in sorted(params.history("agreement.renegotiation"), key=lambda d: d.start):
        if dated.ended or (dated.start, dated.end) in seen:
            continue
        seen.add((dated.start, dated.end))
        period = _dated(params, "agreement.period", dated.start)
        label = (f"{dated.start.year}–{dated.end.year}" if dated.end else
                 f"{dated.start.year}–")
        items = [
            ("renegotiation_call", dated.value["call_by"], (who, who_da),
             f"call the parties to renegotiate the agreement {label}",
             f"indkald parterne til genforhandling af aftalen {label}"),
            ("evaluation", dated.value["evaluation_by"],
             (f"{who} and the parties", f"{who_da} og parterne"),
             f"joint, coordinated evaluation of the agreement {label}",
             f"samlet og koordineret evaluering af aftalen {label}"),
        ]
        if period is not None and period.end is not None:
            items.append(("renegotiation", period.end, ("the parties", "parterne"),
                          f"renegotiate the agreement {label} before it ends",
                          f"genforhandl aftalen {label} inden ophør"))
        for kind, due, (body_name, body_da), en, da in items:
            due = as_date(due, kind)
            if start <= due <= end:
                out.append(Duty(
                    id=f"{kind}:{label}", kind=kind, body=body_name, body_da=body_da,
                    subject=en, subject_da=da,
                    due=due, opens=None, source=dated.reference, assumed=dated.assumed,
                ))
    return out


def _monitoring_duties(
    params: ParameterSet, start: dt.date, end: dt.date, who: str, who_da: str
) -> list[Duty]:
    out = []
    for update in scheduled_updates(start, end, parameters=params):
        period = _dated(params, "agreement.period", update.on)
        if period is None:
            continue
        out.append(Duty(
            id=f"monitoring_update:{update.on.isoformat()}", kind="monitoring_update",
            body=who, body_da=who_da, subject=f"update the monitoring tool: {update.source}",
            subject_da=f"opdatér monitoreringsværktøjet: {danish.value(update.source)}",
            due=update.on,
            opens=None, source=update.reference,
            assumed=period.assumed,
        ))
    return out


def _revision_duties(
    params: ParameterSet, agreements: Iterable[Any], start: dt.date, end: dt.date, who: str,
    who_da: str,
) -> list[Duty]:
    """§ 60, stk. 2: each organisation agreement revised within the dated number of years."""
    own = [a for a in agreements if getattr(a, "organisation_cvr", None) is not None]
    out = []
    for a in own:
        years = _dated(params, "letting.flexible_agreement_revision_years", a.valid_from)
        if years is None:
            continue
        due = _add_years(a.valid_from, int(years.value))
        if a.valid_until is not None and a.valid_until < due:
            continue  # it ends before a revision falls due
        scope = a.describe_departments()
        newer = sorted(
            b.valid_from for b in own
            if b is not a and b.organisation_cvr == a.organisation_cvr
            and b.describe_departments() == scope and a.valid_from < b.valid_from <= due
        )
        if start <= due <= end:
            out.append(Duty(
                id=f"agreement_revision:{a.organisation_cvr}:{a.valid_from.isoformat()}",
                kind="agreement_revision", body=f"organisation {a.organisation_cvr} and {who}",
                body_da=f"boligorganisation {a.organisation_cvr} og {who_da}",
                subject=f"revise the flexible-letting agreement of {a.valid_from.isoformat()} "
                f"({scope})",
                subject_da=f"revidér aftalen om fleksibel udlejning af "
                f"{a.valid_from.isoformat()} ({scope})",
                due=due, opens=None, source=years.reference, reading=True,
                done_on=newer[0] if newer else None,
            ))
    return out


def _mandatory_duties(
    params: ParameterSet,
    municipality: Municipality,
    start: dt.date,
    end: dt.date,
    set_on: Mapping[str, dt.date],
) -> list[Duty]:
    """§ 60, stk. 4: mandatory criteria revised each period and lapsing off the lists."""
    lists = municipality.lists
    if lists is None or lists.empty:
        return []
    frame = pd.DataFrame({
        "area_id": lists["area_id"].astype(str).to_numpy(),
        "list_date": pd.to_datetime(lists["list_date"]).dt.date.to_numpy(),
        "designation": lists["designation"].astype(str).to_numpy(),
    })
    deps = municipality.departments
    counts = deps["area_id"].astype("string").value_counts()
    out: list[Duty] = []
    list_dates = sorted(set(frame["list_date"]))
    wanted = {d: _mandatory_on(params, d) for d in list_dates}
    for area in sorted(set(frame["area_id"])):
        rows = frame.loc[frame["area_id"] == area].set_index("list_date")["designation"]

        def listed(day: dt.date, rows: pd.Series[Any] = rows) -> bool:
            dated = wanted[day]
            return (dated is not None and day in rows.index
                    and rows.loc[day] in set(dated.designations))

        run_start: dt.date | None = None
        n_deps = int(counts.get(area, 0))
        where = f"area {area} ({n_deps} department{'s' if n_deps != 1 else ''})"
        for day in list_dates:
            if listed(day) and run_start is None:
                run_start = max(day, set_on.get(area, day))
                years = _dated(params, "letting.mandatory_criteria_years", day)
                if years is None:
                    continue
                n = 1
                due = _add_years(run_start, int(years.value))
                # each period that ends while the area is still listed (beyond the last
                # list, while it stays on it: a projection)
                while due <= end and all(listed(d) for d in list_dates if day <= d <= due):
                    if start <= due:
                        out.append(Duty(
                            id=f"mandatory_criteria_revision:{area}:{run_start.isoformat()}:{n}",
                            kind="mandatory_criteria_revision", body=municipality.name,
                            subject=f"set the mandatory employment and education criteria of "
                            f"{where} again (period {n} from {run_start.isoformat()} ends)",
                            subject_da=f"fastsæt de obligatoriske kriterier for område {area} "
                            f"igen (periode {n} fra {run_start.isoformat()} udløber)",
                            due=due, opens=None, source=years.reference, reading=True,
                        ))
                    n += 1
                    due = _add_years(run_start, n * int(years.value))
            elif not listed(day) and run_start is not None:
                if start <= day <= end:
                    before = wanted[max(d for d in list_dates if d < day)]
                    source = before.reference if before is not None else "§ 60, stk. 4"
                    out.append(Duty(
                        id=f"mandatory_criteria_lapse:{area}:{day.isoformat()}",
                        kind="mandatory_criteria_lapse", body=municipality.name,
                        subject=f"the mandatory criteria of {where} lapse: the area is not on "
                        f"the list of {day.isoformat()}",
                        subject_da=f"de obligatoriske kriterier for område {area} bortfalder: "
                        f"området er ikke på listen af {day.isoformat()}",
                        due=day, opens=None, source=source, reading=True,
                    ))
                run_start = None
    return out


def agreement_calendar(
    start: dt.date | str,
    end: dt.date | str,
    *,
    on: dt.date | str | None = None,
    municipality: Municipality | None = None,
    agreements: Iterable[Any] | None = None,
    done: Any = None,
    criteria_set_on: Mapping[str, dt.date | str] | None = None,
    parameters: ParameterSet | None = None,
) -> AgreementCalendar:
    """The agreement's duties and deadlines from ``start`` to ``end`` (both inclusive).

    From the cited, dated parameters: the monitoring updates (afsnit 5), the
    meetings of the bodies of afsnit 7 (Boligudvalget 4 a year, the strategic
    working group in Q2 and Q4 with its yearly assessment, the practical forum
    4 a year), the yearly review of the annexes (afsnit 9) and the
    renegotiation call, evaluation and renegotiation (afsnit 10). From
    ``agreements`` (organisation agreements on flexible letting, e.g.
    ``fuaalborg.criteria.load().agreements``): each one's revision within 4
    years (almenboligloven § 60, stk. 2). From ``municipality``'s lists: for
    each area on a list with mandatory criteria, their renewal every 4 years and
    their lapse on the first list without the area (§ 60, stk. 4);
    ``criteria_set_on`` maps area ids to the date the municipality set them
    (default: the list the area entered).

    ``on`` (default: today) decides each item's status; ``done`` records
    completions (a mapping of item id to date, or a table — frame, CSV or xlsx
    file — of :data:`COMPLETIONS`). An item past its deadline and not done is
    ``overdue``.
    """
    params = parameters or load_parameters()
    first, last = as_date(start, "start"), as_date(end, "end")
    if last < first:
        raise ValidationError(f"end {last.isoformat()} is before start {first.isoformat()}")
    day = as_date(on, "on") if on is not None else dt.date.today()
    completed = _done_map(done)
    set_on = {str(k): as_date(v, "criteria_set_on") for k, v in (criteria_set_on or {}).items()}
    notes: list[str] = []
    # the agreement names Aalborg Kommune; a duty is the municipality's whose calendar it is
    who = municipality.name if municipality is not None else "the municipality"
    who_da = municipality.name if municipality is not None else "kommunen"
    items = (_monitoring_duties(params, first, last, who, who_da)
             + _agreement_duties(params, first, last, who, who_da))
    if agreements is None:
        notes.append("no agreements given: the revisions of § 60, stk. 2 are not listed")
    else:
        items += _revision_duties(params, agreements, first, last, who, who_da)
    if municipality is None:
        notes.append("no municipality given: the mandatory criteria of § 60, stk. 4 are "
                     "not listed")
    else:
        items += _mandatory_duties(params, municipality, first, last, set_on)
    items = [d for d in items if first <= d.due <= last]
    unknown = sorted(set(completed) - {d.id for d in items})
    if unknown:
        notes.append(f"{counted(len(unknown), 'recorded completion')} match no item in the "
                     "period")
    resolved = []
    for duty in items:
        when = completed.get(duty.id, duty.done_on)
        if duty.kind == "mandatory_criteria_lapse":
            status = "event"
        elif when is not None and when <= day:
            status = "done"
        elif duty.due < day:
            status = "overdue"
        elif duty.opens is not None and duty.opens <= day:
            status = "due"
        else:
            status = "upcoming"
        resolved.append(attrs.evolve(duty, done_on=when if status == "done" else None,
                                     status=status))
    resolved.sort(key=lambda d: (d.due, DUTY_KINDS.index(d.kind), d.id))
    return AgreementCalendar(first, last, day, tuple(resolved), tuple(notes))
