"""The yearly report to the strategic working group (afrapportering, afsnit 7.2).

:func:`build_report` turns a municipality, its letting ledger and (optionally)
an evictions table into a :class:`Report`: sections R1–R7 as tables, figures,
and an envelope stating the period, the sources, the rule versions in force
and the disclosure level.

- **R1** lettings by route (referral, flexible, internal, ordinary) per
  organisation and department;
- **R2** the municipal referral: vacancies, those reported to the referral and
  what became of them (let, accepted, declined and returned, awaiting answer),
  by department, and by the agreement's and Landsbyggefonden's rent bands next
  to the stock of dwellings, with the referral's expected need alongside (the
  municipality's own, from its ``municipality.toml``; a municipality that states
  none gets none, never Aalborg's);
- **R3** use of flexible letting per organisation (and per priority group where
  the ledger records it);
- **R4** evictions (fogedsager) per department and route;
- **R5** monitoring: the placement, colour changes, the red/yellow overview and
  the preset (and whether it uses an aggregate ethnicity indicator);
- **R6** waiting time at letting: median and 90th percentile of seniority age;
- **R7** (parties only) the criteria audit and the rule versions.

Every vacancy event in the period is counted exactly once in R1 and R2, by
its current decision (a dwelling the municipality declined counts under its
waiting-list route in R1 and as "declined and returned" in R2), with its
facts as corrected; a vacancy voided by the end of the period was recorded in
error and is not counted. R1 also counts the vacancies recorded late (dated
before an earlier-recorded vacancy of their department: the ledger counts in
the order it records) and, for the parties, lists every void and correction
with who made it, when and why.

``disclosure="parties"`` shows department rows. ``disclosure="public"``
aggregates to organisation and municipality and protects every count table
with :func:`~fuaalborg.reports.disclosure.protect_counts` (counts 1–4
suppressed by default, with secondary suppression), hides derived values from
few cases, never shows indicator values and leaves out R7 and the department
overview.

The report is put together from the modules of :mod:`fuaalborg.reports`:
:mod:`~fuaalborg.reports.lettings` reads the ledger,
:mod:`~fuaalborg.reports.sections` builds R1–R7 from it,
:mod:`~fuaalborg.reports.model` holds the result (:class:`Report`, also importable
from here as before), :mod:`~fuaalborg.reports.figures` draws it and
:mod:`~fuaalborg.reports.labels` words it.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd

from fuaalborg.agreement import agreement_in_force
from fuaalborg.errors import AssumedTermsWarning, FuaalborgError, Problem
from fuaalborg.formatting import format_value
from fuaalborg.municipality import NEED_PARAMETERS, Municipality
from fuaalborg.parameters import ParameterSet
from fuaalborg.reports.evictions import read_evictions
from fuaalborg.reports.figures import report_figures
from fuaalborg.reports.labels import LANGUAGES, Language, label
from fuaalborg.reports.lettings import (
    check_ledger,
    corrections,
    ledger_events,
    letting_frame,
    removed_departments,
)
from fuaalborg.reports.model import (
    DISCLOSURE_LEVELS,
    REFERRAL_OUTCOMES,
    ROUTE_CATEGORIES,
    Disclosure,
    Report,
    ReportInputError,
    ReportTable,
)
from fuaalborg.reports.sections import context, notice, r1, r2, r3, r4, r5, r6, r7

if TYPE_CHECKING:
    from fuaalborg.criteria.audit import AuditReport
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.monitoring.steps import Placement

# Names defined in model and lettings, importable from here as before the split.
__all__ = [
    "DISCLOSURE_LEVELS",
    "REFERRAL_OUTCOMES",
    "ROUTE_CATEGORIES",
    "Report",
    "ReportInputError",
    "ReportTable",
    "build_report",
    "letting_frame",
]


def _agreement_title(start: dt.date, end: dt.date, params: ParameterSet) -> tuple[str, list[str]]:
    """The title of the agreement in force for the whole period, and the period's problems."""
    problems: list[str] = []
    title = ""
    if end < start:
        problems.append(f"the period ends ({end.isoformat()}) before it starts "
                        f"({start.isoformat()})")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumedTermsWarning)
            try:
                first = params.lookup("agreement.period", start)
                last = params.lookup("agreement.period", end)
                if first.start != last.start:
                    problems.append(
                        f"the period {start.isoformat()} – {end.isoformat()} spans two agreement "
                        f"periods ({first.value['title']} and {last.value['title']}); report "
                        "each period separately"
                    )
                title = agreement_in_force(start, params).title
            except FuaalborgError as exc:
                problems.append(f"no agreement in force for the whole period: {exc}")
    return title, problems


def _reporting_versions(params: ParameterSet, end: dt.date, *, need: bool) -> pd.DataFrame:
    """The reporting parameters R7 lists; the referral's need only where R2 shows it."""
    rows = []
    names = ("reporting.disclosure.threshold", "reporting.waiting_time.percentiles",
             *(NEED_PARAMETERS if need else ()), "rent_bands.agreement", "rent_bands.lbf")
    for name in names:
        dated = params.lookup(name, end, warn=False)
        rows.append(
            {
                "parameter": name,
                "value": dated.value,
                "from": dated.start.isoformat(),
                "until": dated.end.isoformat() if dated.end else None,
                "reference": dated.reference,
            }
        )
    return pd.DataFrame(rows)


def _shown(versions: pd.DataFrame, lang: Language) -> pd.DataFrame:
    """The rule versions with their values as the report shows them, in its language.

    A list reads as its items, a table as ``key: value`` pairs, a colour or a
    placement answer in the report's language
    (:func:`~fuaalborg.formatting.format_value` with ``lang``). Only the report's
    copy changes: the ledger keeps the value it recorded, and the check that the
    ledger's rules are the loaded ones compares those.
    """
    shown = versions.copy()
    shown["value"] = [None if value is None else format_value(value, lang)
                      for value in versions["value"]]
    return shown


def build_report(
    municipality: Municipality,
    ledger: Ledger | Sequence[Mapping[str, Any]],
    start: dt.date,
    end: dt.date,
    *,
    disclosure: Disclosure = "parties",
    lang: Language = "da",
    evictions: pd.DataFrame | str | None = None,
    placement: Placement | None = None,
    previous_placement: Placement | None = None,
    preset: str | None = None,
    audit: AuditReport | None = None,
    parameters: ParameterSet | None = None,
    figures: bool = True,
) -> Report:
    """Build the report for ``start`` – ``end`` (both inclusive).

    ``ledger`` is a :class:`~fuaalborg.letting.ledger.Ledger` or its list of
    events. ``evictions`` is a table of :data:`~fuaalborg.reports.evictions.EVICTIONS`.
    The placement defaults to the one in force on ``end``
    (:func:`fuaalborg.monitoring.placement_on`) compared with the one in force
    on ``start``, of ``preset`` (default: the municipality's own,
    :attr:`Municipality.preset <fuaalborg.municipality.Municipality.preset>`).
    ``parameters`` default to the municipality's
    (:attr:`Municipality.parameters <fuaalborg.municipality.Municipality.parameters>`:
    the bundled ones with the referral need of its ``municipality.toml``).
    ``audit`` (R7) is a :class:`~fuaalborg.criteria.audit.AuditReport`;
    without it R7 carries the rule versions only. A period with no ledger
    events gives an explicit, labelled empty report; a ledger recorded under
    other rule versions than the loaded agreement's, or of another
    municipality, raises :class:`ReportInputError`.
    """
    refused: list[Problem] = []
    if disclosure not in DISCLOSURE_LEVELS:
        refused.append(Problem("disclosure", f"must be parties or public, not {disclosure!r}"))
    if lang not in LANGUAGES:
        refused.append(Problem("lang", f"must be da or en, not {lang!r}"))
    if refused:
        raise ReportInputError(refused)
    # the municipality's own parameters: its referral need (municipality.toml) on top
    params = parameters or municipality.parameters
    events = ledger_events(ledger)
    title, problems = _agreement_title(start, end, params)
    versions, ledger_problems = check_ledger(events, municipality, start, end, params)
    problems += ledger_problems
    if problems:
        raise ReportInputError(dict.fromkeys(problems))  # each once, in order
    evictions_frame = None
    if evictions is not None:
        evictions_frame = read_evictions(evictions, municipality.departments["department_id"])
        days = pd.to_datetime(evictions_frame["date"])
        evictions_frame = evictions_frame[
            (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
        ]
    threshold = int(params.get("reporting.disclosure.threshold", end))
    lettings = letting_frame(events, start, end)
    removed, missing = removed_departments(events, municipality, lettings)
    if missing:
        raise ReportInputError(missing)
    ctx = context(municipality, disclosure, lang, threshold, removed)
    if placement is None:
        from fuaalborg.monitoring.calendar import placement_on
        from fuaalborg.monitoring.steps import StepModel

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", AssumedTermsWarning)
            before = placement_on(municipality, start, preset)
            after = placement_on(municipality, end, preset)
            placement = StepModel.load(preset or municipality.preset).place(
                municipality.departments, municipality.indicators, municipality.lists,
                after.on, previous=before, validate=False,
            )
    elif previous_placement is not None and "changed" not in placement.frame.columns:
        from fuaalborg.monitoring.steps import StepModel

        placement = StepModel.load(placement.preset).place(
            municipality.departments, municipality.indicators, municipality.lists,
            placement.on, previous=previous_placement, validate=False,
        )
    tables: list[ReportTable] = []
    tables += r1(ctx, lettings, corrections(events, start, end))
    tables += r2(ctx, lettings, params, start, end)
    tables += r3(ctx, lettings)
    tables += r4(ctx, evictions_frame)
    tables += r5(ctx, placement)
    tables += r6(ctx, lettings, params, end)
    shown_need = municipality.referral_need(end, params) is not None
    all_versions = _shown(pd.concat([versions, _reporting_versions(params, end, need=shown_need)],
                                    ignore_index=True), lang)
    if not ctx.public:
        tables += r7(ctx, audit, all_versions)
    empty = lettings.empty
    notes = []
    if empty:
        notes.append(label("empty", lang))
    if ctx.public:
        notes.append(label("suppressed_note", lang).format(last=threshold - 1,
                                                           threshold=threshold))
    else:
        notes.append(label("no_cases_note", lang))
    if placement.notice:
        notes.append(notice(placement, lang))
    if municipality.synthetic:
        notes.append(label("synthetic", lang))
    sources = (
        label("source.ledger", lang).format(
            total=sum(1 for e in events if e.get("type") == "vacancy"), period=len(lettings)),
        label("source.step_model", lang).format(preset=placement.preset,
                                                on=placement.on.isoformat()),
        label("source.dwellings", lang).format(n=len(municipality.dwellings)),
        label("source.evictions", lang).format(
            n=int(evictions_frame["count"].sum()) if evictions_frame is not None else "—"),
        label("source.audit", lang).format(on=audit.on.isoformat() if audit is not None
                                           else "—"),
    )
    report = Report(
        municipality=municipality.name,
        start=start,
        end=end,
        disclosure=disclosure,
        lang=lang,
        agreement=title,
        sources=sources,
        rule_versions=all_versions,
        tables=tuple(tables),
        notes=tuple(notes),
        empty=empty,
        threshold=threshold,
    )
    if figures:
        report = attrs.evolve(report, figures=report_figures(report, placement))
    return report


