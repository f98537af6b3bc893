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
  to the stock of dwellings, with the referral's expected need alongside;
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
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import attrs
import numpy as np
import pandas as pd

from fuaalborg.agreement import agreement_in_force
from fuaalborg.errors import AssumedTermsWarning, FuaalborgError, ValidationError
from fuaalborg.letting.events import FORMAT as LEDGER_FORMAT
from fuaalborg.letting.routing import COUNTING_REASONS
from fuaalborg.model import COLOURS
from fuaalborg.municipality import Municipality
from fuaalborg.parameters import ParameterSet, load_parameters
from fuaalborg.rents import rent_band, rent_band_labels
from fuaalborg.reports.disclosure import (
    Margins,
    ProtectedTable,
    protect_counts,
    protect_derived,
)
from fuaalborg.reports.evictions import read_evictions
from fuaalborg.reports.labels import LANGUAGES, Language, label
from fuaalborg.reports.waiting import waiting_time

if TYPE_CHECKING:
    from fuaalborg.criteria.audit import AuditReport
    from fuaalborg.letting.ledger import Ledger
    from fuaalborg.monitoring.steps import Placement

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

#: The disclosure levels: for the parties to the agreement, or public.
DISCLOSURE_LEVELS = ("parties", "public")
#: The route categories of a letting in R1, R4 and R6.
ROUTE_CATEGORIES = ("referral", "flexible", "internal", "ordinary")
#: What became of a vacancy in R2 (a partition of the vacancies).
REFERRAL_OUTCOMES = (
    "not_referred",
    "referral_let",
    "referral_accepted",
    "referral_declined",
    "referral_pending",
)

Disclosure = Literal["parties", "public"]


class ReportInputError(ValidationError):
    """Input a report cannot be built from; ``problems`` lists every one."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        super().__init__(
            "\n".join(
                [f"cannot build the report: {n} problem{'s' if n != 1 else ''}"]
                + [f"  - {p}" for p in self.problems]
            )
        )


@attrs.frozen(eq=False)
class ReportTable:
    """One table of a report section.

    ``frame`` is the table as shown (suppressed cells hold
    :data:`~fuaalborg.reports.disclosure.SUPPRESSED` in a public report);
    ``protected`` keeps the values and the suppression mask of a protected
    table; ``note`` explains the table.
    """

    key: str
    section: str
    title: str
    frame: pd.DataFrame
    protected: ProtectedTable | None = None
    note: str = ""


@attrs.frozen(eq=False)
class Report:
    """A report: its envelope, its tables by section, and its figures (PNG bytes).

    ``banner`` (e.g. that the report is a demonstration on invented data) heads
    the text and every sheet of the workbook.
    """

    municipality: str
    start: dt.date
    end: dt.date
    disclosure: str
    lang: str
    agreement: str
    sources: tuple[str, ...]
    rule_versions: pd.DataFrame
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...] = ()
    empty: bool = False
    threshold: int = 5
    figures: Mapping[str, bytes] = attrs.field(factory=dict)
    banner: str = ""

    @property
    def sections(self) -> list[str]:
        """The sections present, in order (``R1`` … ``R7``)."""
        seen: list[str] = []
        for table in self.tables:
            if table.section not in seen:
                seen.append(table.section)
        return seen

    def table(self, key: str) -> pd.DataFrame:
        """The shown frame of the table called ``key``."""
        for table in self.tables:
            if table.key == key:
                return table.frame
        raise KeyError(f"the report has no table {key!r}")

    def envelope(self) -> list[tuple[str, str]]:
        """The report's envelope as (heading, text) pairs in the report's language."""
        lang: Language = "en" if self.lang == "en" else "da"
        rows = [
            (label("municipality", lang), self.municipality),
            (label("period", lang), f"{self.start.isoformat()} – {self.end.isoformat()}"),
            (label("agreement", lang), self.agreement),
            (label("disclosure", lang), label(f"disclosure.{self.disclosure}", lang)),
            (label("language", lang), self.lang),
            (label("sources", lang), "; ".join(self.sources)),
        ]
        rows.extend((label("notes", lang), note) for note in self.notes)
        return rows

    def to_text(self) -> str:
        """The whole report as plain text (envelope and every table)."""
        lines = ([self.banner] if self.banner else []) + [f"{k}: {v}" for k, v in self.envelope()]
        for table in self.tables:
            lines.extend(["", table.title])
            if table.note:
                lines.append(table.note)
            lines.append(table.frame.to_string(index=False) if len(table.frame) else "—")
        return "\n".join(lines)

    def write(self, path: Any) -> Any:
        """Write the report as an xlsx workbook, atomically; see
        :func:`fuaalborg.reports.workbook.write_workbook`."""
        from fuaalborg.reports.workbook import write_workbook

        return write_workbook(self, path)


# --------------------------------------------------------------------------
# Reading the ledger


def _events_of(ledger: Ledger | Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    from fuaalborg.letting.ledger import Ledger

    if isinstance(ledger, Ledger):
        return list(ledger.events())
    return list(ledger)


def letting_frame(
    events: Sequence[Mapping[str, Any]], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """One row per vacancy recorded from ``start`` to ``end``, with its current decision.

    Columns: ``vacancy_id, on, department_id, dwelling_id, kind,
    monthly_rent_dkk, colour, route, subroute, turn, reason_code, rules,
    category`` (one of :data:`ROUTE_CATEGORIES`), ``referred`` (first sent to
    the referral), ``outcome`` (one of :data:`REFERRAL_OUTCOMES`, as of
    ``end``), ``signed_on``, ``applicant_id``, ``list`` and ``group`` (of a signed
    lease; the priority group on the flexible route, missing otherwise) and
    ``late``. Corrections made by ``end`` are applied; vacancies voided by
    ``end`` are left out.
    """
    vacancies: dict[str, dict[str, Any]] = {}
    voided: set[str] = set()
    for event in events:
        kind = event.get("type")
        if kind == "vacancy":
            day = dt.date.fromisoformat(str(event["on"]))
            if start <= day <= end:
                row = {k: event.get(k) for k in _VACANCY_FIELDS}
                row["referred"] = event["route"] == "referral"
                row["late"] = bool(event.get("late", False))
                row["answer"] = None
                row["signed_on"] = None
                row["applicant_id"] = None
                row["list"] = None
                row["group"] = None
                vacancies[str(event["vacancy_id"])] = row
            continue
        vid = str(event.get("vacancy_id"))
        row_or_none = vacancies.get(vid)
        if row_or_none is None or "on" not in event:
            continue
        if dt.date.fromisoformat(str(event["on"])) > end:
            continue
        row = row_or_none
        if kind == "answer":
            row["answer"] = event["answer"]
            if event["answer"] == "declined":
                for k in ("route", "subroute", "turn", "reason_code", "rules"):
                    row[k] = event.get(k)
        elif kind == "signed":
            row["signed_on"] = event["on"]
            row["applicant_id"] = event.get("applicant_id")
            row["list"] = event.get("list")
            row["group"] = event.get("group")
        elif kind == "void":
            voided.add(vid)
        elif kind == "correction":
            for name, (_old, new) in dict(event.get("changes", {})).items():
                row["on" if name == "vacant_on" else name] = new
    kept = [row for vid, row in vacancies.items() if vid not in voided]
    frame = pd.DataFrame(kept, columns=[*_VACANCY_FIELDS, "referred", "late", "answer",
                                        "signed_on", "applicant_id", "list", "group"])
    frame["late"] = frame["late"].astype(bool)
    frame["group"] = pd.to_numeric(frame["group"]).astype("Int64")
    frame["on"] = pd.to_datetime(frame["on"]).astype("datetime64[s]")
    frame["signed_on"] = pd.to_datetime(frame["signed_on"]).astype("datetime64[s]")
    route = frame["route"].astype(object)
    sub = frame["subroute"].astype(object)
    turn = frame["turn"].astype(object)
    frame["category"] = np.select(
        [route.eq("referral"), sub.eq("flexible"), turn.eq("internal")],
        ["referral", "flexible", "internal"],
        default="ordinary",
    )
    answer = frame["answer"].astype(object)
    frame["outcome"] = np.select(
        [
            ~frame["referred"].astype(bool),
            answer.eq("let"),
            answer.eq("accepted"),
            answer.eq("declined"),
        ],
        ["not_referred", "referral_let", "referral_accepted", "referral_declined"],
        default="referral_pending",
    )
    frame["monthly_rent_dkk"] = frame["monthly_rent_dkk"].astype(float)
    return frame


_VACANCY_FIELDS = (
    "vacancy_id",
    "on",
    "department_id",
    "dwelling_id",
    "kind",
    "monthly_rent_dkk",
    "colour",
    "route",
    "subroute",
    "turn",
    "reason_code",
    "rules",
)


def _check_inputs(
    events: Sequence[Mapping[str, Any]],
    town: Municipality,
    start: dt.date,
    end: dt.date,
    params: ParameterSet,
) -> tuple[str, pd.DataFrame]:
    """Check the period and the ledger; return the agreement title and rule versions."""
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
    header = next((e for e in events if e.get("type") == "created"), None)
    if events and header is None:
        problems.append("the ledger has no 'created' header event")
    if header is not None:
        if header.get("format") != LEDGER_FORMAT:
            problems.append(
                f"the ledger's format is {header.get('format')!r}; this report reads "
                f"{LEDGER_FORMAT!r}"
            )
        problems.extend(_other_municipality(header, town))
    rules_events = {e["id"]: e for e in events if e.get("type") == "rules"}
    used: dict[str, dt.date] = {}
    for e in events:
        if e.get("type") in ("vacancy", "answer") and e.get("rules") and "on" in e:
            day = dt.date.fromisoformat(str(e["on"]))
            if start <= day <= end and e["rules"] not in used:
                used[str(e["rules"])] = day
    rows = []
    for rules_id, day in used.items():
        event = rules_events.get(rules_id)
        if event is None:
            problems.append(f"the ledger uses rules {rules_id!r} but does not record them")
            continue
        for name, recorded in event["values"].items():
            rows.append(
                {
                    "parameter": name,
                    "value": recorded.get("value"),
                    "from": recorded.get("from"),
                    "until": recorded.get("until"),
                    "reference": recorded.get("reference"),
                }
            )
            if recorded.get("from") is None:
                continue
            try:
                current = params.lookup(name, day, warn=False)
            except (FuaalborgError, KeyError):
                problems.append(
                    f"the ledger's rule {name} (from {recorded.get('from')}) is not in force "
                    f"under the loaded agreement on {day.isoformat()}"
                )
                continue
            if current.start.isoformat() != recorded.get("from") or not _same(
                current.value, recorded.get("value")
            ):
                problems.append(
                    f"the ledger was recorded under another rule version: {name} = "
                    f"{_show(recorded.get('value'))} from {recorded.get('from')}, but "
                    f"{_show(current.value)} from {current.start.isoformat()} is in force on "
                    f"{day.isoformat()} ({current.reference})"
                )
    if problems:
        raise ReportInputError(sorted(set(problems), key=problems.index))
    versions = pd.DataFrame(rows, columns=["parameter", "value", "from", "until", "reference"])
    versions = versions.drop_duplicates(subset=["parameter", "from"]).reset_index(drop=True)
    return title, versions


def _other_municipality(header: Mapping[str, Any], town: Municipality) -> list[str]:
    """Why the ledger is not ``town``'s, by the fingerprint of the dwellings it was created for.

    The name a ledger recorded tells nothing (a municipality.toml may be
    renamed; two municipalities may share a name): the fingerprint of the
    departments and their dwellings does
    (:func:`~fuaalborg.letting.registry.registry_fingerprint`).
    """
    from fuaalborg.letting.registry import fingerprint_of, registry_fingerprint

    recorded = header.get("fingerprint")
    registry = header.get("registry") or {}
    found = registry_fingerprint(town)
    if recorded == found == fingerprint_of(registry):
        return []
    name = header.get("municipality")
    problem = (
        f"the ledger was created for {name!r} (fingerprint {recorded} of its departments and "
        f"dwellings); {town.name!r} has other departments or dwellings (fingerprint {found}): "
        "the ledger belongs to another municipality, or to another version of its dwellings "
        "table"
    )
    ours = set(town.departments["department_id"].astype(str))
    unknown = sorted(set(map(str, registry)) - ours)
    lacking = sorted(ours - set(map(str, registry)))
    for count, ids, what in ((len(unknown), unknown, "the municipality does not have"),
                             (len(lacking), lacking, "the ledger does not have")):
        if count:
            shown = ", ".join(ids[:10]) + (" …" if count > 10 else "")
            problem += f"; {count} department(s) {what}: {shown}"
    return [problem]


def _same(a: Any, b: Any) -> bool:
    """Whether a parameter value and its recorded form are the same value."""
    from fractions import Fraction

    try:
        return Fraction(str(_show(a))) == Fraction(str(_show(b)))
    except (ValueError, ZeroDivisionError):
        return _show(a) == _show(b)


def _show(value: Any) -> str:
    from fractions import Fraction

    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return str(value)


def _reporting_versions(params: ParameterSet, end: dt.date) -> pd.DataFrame:
    rows = []
    for name in ("reporting.disclosure.threshold", "reporting.waiting_time.percentiles",
                 "referral.expected_need_low", "referral.expected_need_high",
                 "rent_bands.agreement", "rent_bands.lbf"):
        dated = params.lookup(name, end, warn=False)
        rows.append(
            {
                "parameter": name,
                "value": _show(dated.value) if not isinstance(dated.value, dict)
                else "; ".join(f"{k} = {_show(v)}" for k, v in dated.value.items()),
                "from": dated.start.isoformat(),
                "until": dated.end.isoformat() if dated.end else None,
                "reference": dated.reference,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------
# Building tables


@attrs.frozen
class _Context:
    town: Municipality
    disclosure: str
    lang: Language
    threshold: int
    org_names: Mapping[str, str]
    dep_org: Mapping[str, str]
    dep_names: Mapping[str, str]
    dep_area: Mapping[str, Any]

    @property
    def public(self) -> bool:
        return self.disclosure == "public"

    def l(self, key: str) -> str:  # noqa: E743 - short on purpose
        return label(key, self.lang)

    def organisations(self) -> list[str]:
        return sorted(self.org_names.values())


def _context(town: Municipality, disclosure: str, lang: Language, threshold: int) -> _Context:
    orgs = town.organisations
    names = dict(zip(orgs["organisation_cvr"].astype(str), orgs["name"].astype(str),
                     strict=True))
    deps = town.departments
    dep_org = dict(zip(deps["department_id"].astype(str),
                       deps["organisation_cvr"].astype(str).map(names), strict=True))
    dep_names = dict(zip(deps["department_id"].astype(str), deps["name"].astype(str),
                         strict=True))
    dep_area = dict(zip(deps["department_id"].astype(str), deps["area_id"], strict=True))
    return _Context(town, disclosure, lang, threshold, names, dep_org, dep_names, dep_area)


def _years_covered(start: dt.date, end: dt.date) -> float:
    """How many years ``start`` – ``end`` covers: each calendar year's share of its days.

    A whole calendar year counts as exactly 1, leap year or not.

    >>> _years_covered(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    1.0
    >>> round(_years_covered(dt.date(2024, 1, 1), dt.date(2024, 3, 31)), 3)
    0.249
    """
    total = 0.0
    for year in range(start.year, end.year + 1):
        first = max(start, dt.date(year, 1, 1))
        last = min(end, dt.date(year, 12, 31))
        length = (dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days
        total += ((last - first).days + 1) / length
    return total


def _counts_by(frame: pd.DataFrame, by: str, column: str, categories: Sequence[str]) -> (
    pd.DataFrame
):
    """A table of counts: one row per value of ``by``, one column per category."""
    if frame.empty:
        return pd.DataFrame(0, index=pd.Index([], name=by), columns=list(categories),
                            dtype="int64")
    table = pd.crosstab(frame[by], frame[column]).reindex(columns=list(categories),
                                                           fill_value=0)
    table.columns.name = None
    return table.astype("int64")


def _count_tables(
    ctx: _Context,
    section: str,
    key: str,
    title: str,
    dep_counts: pd.DataFrame,
    *,
    note: str = "",
    margins: Margins = "both",
) -> list[ReportTable]:
    """Department counts as a department table and an organisation table (parties),
    or as a protected organisation table (public)."""
    columns = list(dep_counts.columns)
    headings = [ctx.l(c) for c in columns]
    total = ctx.l("total")
    by_org = dep_counts.groupby(dep_counts.index.map(ctx.dep_org)).sum()
    by_org = by_org.reindex(ctx.organisations(), fill_value=0).astype("int64")
    by_org.columns = headings
    out = []
    if ctx.public:
        protected = protect_counts(by_org, ctx.threshold, margins=margins, total_label=total)
        shown = protected.shown()
        shown.index.name = ctx.l("organisation")
        out.append(ReportTable(f"{key}_org", section, title, shown.reset_index(), protected,
                               note))
        return out
    deps = dep_counts.reindex(sorted(ctx.dep_names), fill_value=0).astype("int64")
    dep_frame = pd.DataFrame(
        {
            ctx.l("organisation"): deps.index.map(ctx.dep_org),
            ctx.l("department_id"): deps.index,
            ctx.l("department"): deps.index.map(ctx.dep_names),
        }
    )
    for col, heading in zip(columns, headings, strict=True):
        dep_frame[heading] = deps[col].to_numpy()
    if margins == "both":
        dep_frame[total] = deps.sum(axis=1).to_numpy()
    dep_frame = dep_frame.sort_values([ctx.l("organisation"), ctx.l("department_id")],
                                      kind="stable")
    total_row: dict[str, Any] = dict.fromkeys(dep_frame.columns, "")
    total_row[ctx.l("organisation")] = total
    for heading in dep_frame.columns[3:]:
        total_row[heading] = int(dep_frame[heading].sum())
    dep_frame = pd.concat([dep_frame, pd.DataFrame([total_row])], ignore_index=True)
    org_values = protect_counts(by_org, 1, margins=margins, total_label=total)
    org_frame = org_values.values.copy()
    org_frame.index.name = ctx.l("organisation")
    out.append(ReportTable(f"{key}_org", section, f"{title} — {ctx.l('organisation')}",
                           org_frame.reset_index(), None, note))
    out.append(ReportTable(f"{key}_dep", section, f"{title} — {ctx.l('department')}",
                           dep_frame.reset_index(drop=True), None, note))
    return out


def _r1(ctx: _Context, lettings: pd.DataFrame,
        corrections: Sequence[Mapping[str, Any]]) -> list[ReportTable]:
    counts = _counts_by(lettings, "department_id", "category", ROUTE_CATEGORIES)
    note = (
        "Hver ledig bolig i perioden tælles én gang efter sin aktuelle udlejningsvej; "
        "annullerede ledige boliger tælles ikke."
        if ctx.lang == "da"
        else "Every vacancy in the period is counted once, by its current route; voided "
        "vacancies are not counted."
    )
    out = _count_tables(ctx, "R1", "R1", ctx.l("R1"), counts, note=note)
    late = _counts_by(lettings.assign(when=np.where(lettings["late"], "late", "on_time")),
                      "department_id", "when", ["late"])
    late_note = (
        "Journalen tæller i den rækkefølge, den registrerer; en ledig bolig dateret før en "
        "tidligere registreret i samme afdeling er registreret sent."
        if ctx.lang == "da"
        else "The ledger counts in the order it records; a vacancy dated before one recorded "
        "earlier in its department is recorded late."
    )
    out += _count_tables(ctx, "R1", "R1_late", f"{ctx.l('R1')} — {ctx.l('late_title')}", late,
                         note=late_note, margins="columns")
    if ctx.public:
        return out
    rows = [
        {
            ctx.l("event"): int(e["seq"]),
            ctx.l("kind_of_correction"): ctx.l(str(e["type"])),
            ctx.l("vacancy_id"): e["vacancy_id"],
            ctx.l("on_date"): e["on"],
            ctx.l("written_at"): e.get("at"),
            ctx.l("by"): e.get("by"),
            ctx.l("reason"): e.get("reason"),
            ctx.l("changes"): "; ".join(
                f"{k} {v}" if e["type"] == "void" else f"{k}: {v[0]} -> {v[1]}"
                for k, v in dict((e.get("counted") if e["type"] == "void"
                                  else e.get("changes")) or {}).items()
                if not (e["type"] == "void" and not v)
            ),
        }
        for e in corrections
    ]
    columns = [ctx.l(k) for k in ("event", "kind_of_correction", "vacancy_id", "on_date",
                                  "written_at", "by", "reason", "changes")]
    out.append(ReportTable("R1_corrections", "R1",
                           f"{ctx.l('R1')} — {ctx.l('corrections_title')}",
                           pd.DataFrame(rows, columns=columns)))
    return out


def _r2(ctx: _Context, lettings: pd.DataFrame, params: ParameterSet, start: dt.date,
        end: dt.date) -> list[ReportTable]:
    out = []
    counts = _counts_by(lettings, "department_id", "outcome", REFERRAL_OUTCOMES)
    out.extend(_count_tables(ctx, "R2", "R2_flow", ctx.l("R2"), counts))
    if not ctx.public:
        extra = pd.DataFrame(
            {
                ctx.l("area_id"): [ctx.dep_area.get(d) for d in sorted(ctx.dep_names)],
                ctx.l("department_id"): sorted(ctx.dep_names),
            }
        )
        deps = lettings["department_id"]
        for key, values in (
            ("vacancies", deps.value_counts()),
            ("counting", lettings["reason_code"].isin(COUNTING_REASONS).groupby(deps).sum()),
            ("referred", lettings["referred"].astype(bool).groupby(deps).sum()),
            ("bab", lettings["kind"].eq("bab").groupby(deps).sum()),
        ):
            extra[ctx.l(key)] = (
                extra[ctx.l("department_id")].map(values).fillna(0).astype("int64").to_numpy()
            )
        area = extra.drop(columns=[ctx.l("department_id")]).groupby(
            ctx.l("area_id"), dropna=True).sum().reset_index()
        out.append(ReportTable("R2_area", "R2", f"{ctx.l('R2')} — {ctx.l('area_id')}", area))
    dwellings = ctx.town.dwellings
    for scheme in ("agreement", "lbf"):
        bands = rent_band_labels(scheme, end, params)
        stock = rent_band(dwellings["monthly_rent_dkk"], scheme, end, params)
        vac_band = rent_band(lettings["monthly_rent_dkk"], scheme, end, params)
        table = pd.DataFrame(
            {
                "stock": stock.value_counts().reindex(bands, fill_value=0),
                "vacancies": vac_band.value_counts().reindex(bands, fill_value=0),
                "referred": vac_band[lettings["referred"].to_numpy(dtype=bool)]
                .value_counts().reindex(bands, fill_value=0),
                "referral_let": vac_band[lettings["outcome"].eq("referral_let").to_numpy()]
                .value_counts().reindex(bands, fill_value=0),
            }
        ).astype("int64")
        table.index = pd.Index(bands, name=ctx.l("rent_band"))
        table.columns = [ctx.l(c) for c in table.columns]
        which = ("aftalen" if ctx.lang == "da" else "agreement") if scheme == "agreement" \
            else "LBF"
        title = f"{ctx.l('R2')} — {ctx.l('rent_band')} ({which})"
        protected = protect_counts(table, ctx.threshold if ctx.public else 1,
                                   margins="columns", total_label=ctx.l("total"))
        shown = protected.shown() if ctx.public else protected.values.copy()
        shown.index.name = ctx.l("rent_band")
        out.append(ReportTable(f"R2_rent_{scheme}", "R2", title, shown.reset_index(),
                               protected if ctx.public else None))
    # the referral's expected need, pro rata for the period
    years = _years_covered(start, end)
    low = int(params.get("referral.expected_need_low", end))
    high = int(params.get("referral.expected_need_high", end))
    cheap_label = rent_band_labels("agreement", end, params)[0]
    cheap = rent_band(lettings["monthly_rent_dkk"], "agreement", end, params).eq(cheap_label)
    cheap_referred = int((cheap & lettings["referred"].astype(bool)).sum())
    need = pd.DataFrame(
        {
            ctx.l("cheap_referred"): [cheap_referred],
            ctx.l("need_low"): [low],
            ctx.l("need_high"): [high],
            ctx.l("need_period_low"): [round(low * years)],
            ctx.l("need_period_high"): [round(high * years)],
        }
    )
    protected_need = protect_counts(need, ctx.threshold if ctx.public else 1, margins="none")
    out.append(ReportTable("R2_need", "R2", f"{ctx.l('R2')} — {ctx.l('expected_need')}",
                           protected_need.shown() if ctx.public else protected_need.values,
                           protected_need if ctx.public else None))
    return out


def _r3(ctx: _Context, lettings: pd.DataFrame) -> list[ReportTable]:
    wl = lettings[lettings["route"].eq("waiting_list")]
    counts = _counts_by(wl.assign(sub=np.where(wl["subroute"].eq("flexible"), "flexible",
                                               "ordinary")),
                        "department_id", "sub", ["flexible", "ordinary"])
    by_org = counts.groupby(counts.index.map(ctx.dep_org)).sum().reindex(
        ctx.organisations(), fill_value=0).astype("int64")
    total = ctx.l("total")
    protected = protect_counts(by_org, ctx.threshold if ctx.public else 1, margins="both",
                               total_label=total)
    values = protected.values
    share = (values["flexible"] / values[total].where(values[total] > 0)).to_frame(
        "flexible_share")
    cases = values[[total]].rename(columns={total: "flexible_share"})
    linked = protected.suppressed[["flexible"]].rename(columns={"flexible": "flexible_share"})
    derived = protect_derived(share, cases, ctx.threshold if ctx.public else 1,
                              hidden_inputs=linked if ctx.public else None)
    shown = (protected.shown() if ctx.public else values).copy()
    shown.columns = [ctx.l("flexible"), ctx.l("ordinary"), ctx.l("waiting_list")]
    shown_share = derived.shown() if ctx.public else derived.values
    shown[ctx.l("flexible_share")] = shown_share["flexible_share"].map(
        lambda v: v if isinstance(v, str) or pd.isna(v) else round(float(v), 3))
    shown.index.name = ctx.l("organisation")
    out = [ReportTable("R3_org", "R3", ctx.l("R3"), shown.reset_index(),
                       protected if ctx.public else None)]
    flexible = wl[wl["subroute"].eq("flexible") & wl["signed_on"].notna()]
    if "group" in lettings.columns and flexible["group"].notna().any():
        numbers = sorted(int(g) for g in flexible["group"].dropna().unique())
        labels = [ctx.l("group_n").format(n=n) for n in numbers] + [ctx.l("no_group")]
        named = flexible.assign(
            group_label=flexible["group"].map(
                lambda g: ctx.l("no_group") if pd.isna(g) else ctx.l("group_n").format(n=int(g))
            )
        )
        groups = _counts_by(named, "department_id", "group_label", labels)
        out.extend(_count_tables(ctx, "R3", "R3_group", f"{ctx.l('R3')} — {ctx.l('group')}",
                                 groups))
    else:
        note = (
            "Udlejningsjournalen registrerer ikke prioritetsgruppen ved udlejning; "
            "fordelingen på kriterier kan ikke opgøres."
            if ctx.lang == "da"
            else "The ledger does not record the priority group of a letting; lettings per "
            "criterion cannot be counted."
        )
        out[0] = attrs.evolve(out[0], note=note)
    return out


def _r4(ctx: _Context, evictions: pd.DataFrame | None) -> list[ReportTable]:
    categories = [*ROUTE_CATEGORIES, "unknown"]
    if evictions is None:
        frame = pd.DataFrame(columns=["department_id", "route", "count"])
        note = ("Ingen opgørelse af fogedsager indleveret." if ctx.lang == "da"
                else "No table of evictions was supplied.")
    else:
        frame = evictions
        note = ""
    if frame.empty:
        counts = pd.DataFrame(0, index=pd.Index([], name="department_id"), columns=categories,
                              dtype="int64")
    else:
        counts = frame.pivot_table(index="department_id", columns="route", values="count",
                                   aggfunc="sum", fill_value=0).reindex(
            columns=categories, fill_value=0).astype("int64")
        counts.columns.name = None
    return _count_tables(ctx, "R4", "R4", ctx.l("R4"), counts, note=note)


def _notice(placement: Placement, lang: Language) -> str:
    """The placement's notice on an ethnicity indicator, in the report's language."""
    return label("ethnicity_notice", lang) if placement.notice else ""


def _r5(ctx: _Context, placement: Placement) -> list[ReportTable]:
    frame = placement.frame
    colours = list(COLOURS)
    counts = _counts_by(frame.set_index("department_id", drop=False).rename_axis(None),
                        "department_id", "colour", colours)
    notice = _notice(placement, ctx.lang)
    yes_no = ("ja", "nej") if ctx.lang == "da" else ("yes", "no")
    meta = (
        f"{ctx.l('preset')}: {placement.preset} ({placement.title}); "
        f"{ctx.l('ethnicity_indicator')}: {yes_no[0] if placement.uses_ethnicity else yes_no[1]}"
        + (f". {notice}" if notice else "")
    )
    out = _count_tables(ctx, "R5", "R5", ctx.l("R5"), counts, note=meta)
    if "changed" in frame.columns:
        changed = frame.assign(ch=np.where(frame["changed"].astype(bool), "changed", "same"))
        ch_counts = _counts_by(changed, "department_id", "ch", ["changed"])
        out.extend(_count_tables(ctx, "R5", "R5_changed", f"{ctx.l('R5')} — {ctx.l('changed')}",
                                 ch_counts, margins="columns"))
    if ctx.public:
        return out
    columns = ["department_id", "name", "colour", "basis", "monitored", "preset",
               "ethnicity_indicator"]
    columns += [c for c in ("previous_colour", "changed") if c in frame.columns]
    values = [c for c in frame.columns if c.startswith("value_")]
    detail = frame[columns + values].copy()
    # never show indicator values for unmonitored departments
    detail.loc[~detail["monitored"].astype(bool), values] = np.nan
    detail.insert(0, "organisation", detail["department_id"].map(ctx.dep_org))
    detail = detail.rename(columns={c: ctx.l(c) for c in [*columns, "organisation"]}
                           | {"name": ctx.l("department")})
    out.append(ReportTable("R5_placement", "R5", f"{ctx.l('R5')} — {ctx.l('department')}",
                           detail.reset_index(drop=True), None, meta))
    from fuaalborg.monitoring.overview import overview

    red_yellow = overview(placement, ctx.town.organisations)
    out.append(ReportTable("R5_overview", "R5",
                           "Overblik over røde og gule afdelinger" if ctx.lang == "da"
                           else "Overview of red and yellow departments",
                           red_yellow.reset_index(drop=True), None, meta))
    return out


def _r6(ctx: _Context, lettings: pd.DataFrame, params: ParameterSet, end: dt.date) -> (
    list[ReportTable]
):
    percentiles = [float(q) for q in params.get("reporting.waiting_time.percentiles", end)]
    signed = lettings[lettings["signed_on"].notna() & lettings["route"].eq("waiting_list")]
    applicants = ctx.town.applicants
    note = ""
    if signed.empty or applicants.empty or "seniority_date" not in applicants.columns:
        joined = signed.assign(seniority_date=pd.Series(dtype="datetime64[s]"))
        joined = joined.iloc[0:0]
        note = ("Ingen underskrevne udlejninger med kendt anciennitet i perioden."
                if ctx.lang == "da" else
                "No signed lettings with a known seniority date in the period.")
    else:
        key = applicants[["applicant_id", "list", "seniority_date"]].copy()
        key["applicant_id"] = key["applicant_id"].astype(str)
        key["seniority_date"] = pd.to_datetime(key["seniority_date"]).astype("datetime64[s]")
        key = key.drop_duplicates(["applicant_id", "list"])
        joined = signed.assign(applicant_id=signed["applicant_id"].astype(str)).merge(
            key, on=["applicant_id", "list"], how="left")
        missing = int(joined["seniority_date"].isna().sum())
        if missing:
            raise ReportInputError([
                f"{missing} signed letting(s) name an applicant who is not on the waiting list "
                "given (applicant_id and list); their waiting time cannot be computed"
            ])
    joined = joined.assign(organisation=joined["department_id"].map(ctx.dep_org))
    by = ["category"] if ctx.public else ["category", "department_id"]
    stats = waiting_time(joined, by, percentiles)
    if ctx.public:
        stats = stats.reindex(list(ROUTE_CATEGORIES))
        stats["lettings"] = stats["lettings"].fillna(0).astype("int64")
        stats.index = pd.Index(list(ROUTE_CATEGORIES), name="category")
        counts = protect_counts(stats[["lettings"]], ctx.threshold, margins="columns",
                                total_label=ctx.l("total"))
        cases = stats[["lettings"]]
        derived_cols = [c for c in stats.columns if c != "lettings"]
        derived = protect_derived(
            stats[derived_cols], pd.concat([cases["lettings"]] * len(derived_cols), axis=1,
                                           keys=derived_cols), ctx.threshold)
        shown = derived.shown().map(lambda v: v if isinstance(v, str) or pd.isna(v)
                                    else round(float(v), 2))
        overall = waiting_time(joined.assign(_all=ctx.l("total")), ["_all"], percentiles)
        whole = overall.iloc[:, 1:].reindex([ctx.l("total")])
        overall_cases = pd.DataFrame(dict.fromkeys(whole.columns, overall["lettings"]),
                                     index=overall.index).reindex([ctx.l("total")]).fillna(0)
        whole_shown = protect_derived(whole, overall_cases, ctx.threshold).shown()
        shown = pd.concat([shown, whole_shown.map(
            lambda v: v if isinstance(v, str) or pd.isna(v) else round(float(v), 2))])
        table = counts.shown().join(shown)
        table.index = [ctx.l(str(i)) if str(i) in ROUTE_CATEGORIES else i for i in table.index]
        table.index.name = ctx.l("route")
        protected: ProtectedTable | None = counts
    else:
        table = stats.round(2).reset_index()
        table["category"] = table["category"].map(lambda c: ctx.l(str(c)))
        table.insert(2, ctx.l("department"), table["department_id"].map(ctx.dep_names))
        table = table.rename(columns={"category": ctx.l("route"),
                                      "department_id": ctx.l("department_id")})
        protected = None
    headings = {"lettings": ctx.l("lettings"), "p50": ctx.l("median_years"),
                "p90": ctx.l("p90_years")}
    table = table.rename(columns=headings)
    frame = table.reset_index() if ctx.public else table
    return [ReportTable("R6", "R6", ctx.l("R6"), frame, protected, note)]


def _r7(ctx: _Context, audit_report: AuditReport | None, versions: pd.DataFrame) -> (
    list[ReportTable]
):
    out = []
    if audit_report is not None:
        checks = pd.DataFrame([attrs.asdict(c) for c in audit_report.checks])
        note = (f"ok = {audit_report.ok}; "
                f"{len(audit_report.violations)} violations; "
                f"{len(audit_report.unchecked)} unchecked; "
                f"{len(audit_report.warnings)} four-fifths warnings for human review")
        out.append(ReportTable("R7_audit", "R7", ctx.l("R7"), checks, None, note))
    rules = versions.rename(columns={c: ctx.l(c) for c in versions.columns})
    out.append(ReportTable("R7_rules", "R7", ctx.l("rules"), rules))
    return out


# --------------------------------------------------------------------------
# The entry point


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
    ``audit`` (R7) is a :class:`~fuaalborg.criteria.audit.AuditReport`;
    without it R7 carries the rule versions only. A period with no ledger
    events gives an explicit, labelled empty report; a ledger recorded under
    other rule versions than the loaded agreement's, or of another
    municipality, raises :class:`ReportInputError`.
    """
    problems = []
    if disclosure not in DISCLOSURE_LEVELS:
        problems.append(f"disclosure must be parties or public, not {disclosure!r}")
    if lang not in LANGUAGES:
        problems.append(f"language must be da or en, not {lang!r}")
    if problems:
        raise ReportInputError(problems)
    params = parameters or load_parameters()
    events = _events_of(ledger)
    title, versions = _check_inputs(events, municipality, start, end, params)
    evictions_frame = None
    if evictions is not None:
        evictions_frame = read_evictions(evictions, municipality.departments["department_id"])
        days = pd.to_datetime(evictions_frame["date"])
        evictions_frame = evictions_frame[
            (days >= pd.Timestamp(start)) & (days <= pd.Timestamp(end))
        ]
    threshold = int(params.get("reporting.disclosure.threshold", end))
    ctx = _context(municipality, disclosure, lang, threshold)
    lettings = letting_frame(events, start, end)
    corrections = [
        e for e in events
        if e.get("type") in ("void", "correction") and "on" in e
        and start <= dt.date.fromisoformat(str(e["on"])) <= end
    ]
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
    tables += _r1(ctx, lettings, corrections)
    tables += _r2(ctx, lettings, params, start, end)
    tables += _r3(ctx, lettings)
    tables += _r4(ctx, evictions_frame)
    tables += _r5(ctx, placement)
    tables += _r6(ctx, lettings, params, end)
    all_versions = pd.concat([versions, _reporting_versions(params, end)], ignore_index=True)
    if not ctx.public:
        tables += _r7(ctx, audit, all_versions)
    empty = lettings.empty
    notes = []
    if empty:
        notes.append(label("empty", lang))
    if ctx.public:
        notes.append(label("suppressed_note", lang).format(last=threshold - 1,
                                                           threshold=threshold))
    if placement.notice:
        notes.append(_notice(placement, lang))
    if municipality.synthetic:
        notes.append(label("synthetic", lang))
    sources = (
        f"{'Udlejningsjournal' if lang == 'da' else 'Letting ledger'}: "
        f"{sum(1 for e in events if e.get('type') == 'vacancy')} "
        f"{'ledige boliger i alt' if lang == 'da' else 'vacancies in all'}, "
        f"{len(lettings)} {'i perioden' if lang == 'da' else 'in the period'}",
        f"{'Trappetrinsmodel' if lang == 'da' else 'Step model'}: {placement.preset}, "
        f"{placement.on.isoformat()}",
        f"{'Boliger' if lang == 'da' else 'Dwellings'}: {len(municipality.dwellings)}",
        f"{'Fogedsager' if lang == 'da' else 'Evictions'}: "
        + (str(int(evictions_frame["count"].sum())) if evictions_frame is not None else "—"),
        f"{'Kriterieaudit' if lang == 'da' else 'Criteria audit'}: "
        + (audit.on.isoformat() if audit is not None else "—"),
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
        from fuaalborg.reports.figures import report_figures

        report = attrs.evolve(report, figures=report_figures(report, placement))
    return report


