"""The sections R1–R7 of the report, each a list of :class:`~fuaalborg.reports.model.ReportTable`.

- :func:`r1` lettings by route (referral, flexible, internal, ordinary) per
  organisation and department, the vacancies recorded late and (for the
  parties) every void and correction;
- :func:`r2` the municipal referral: what became of the vacancies, by
  department and area, by the agreement's and Landsbyggefonden's rent bands
  next to the stock, and the referral's expected need for the period;
- :func:`r3` flexible letting per organisation and per priority group;
- :func:`r4` evictions (fogedsager) per department and route;
- :func:`r5` monitoring: the placement, colour changes and the red/yellow
  overview;
- :func:`r6` waiting time at letting;
- :func:`r7` (parties only) the criteria audit and the rule versions.

Each takes the report's :class:`Context` — the municipality, disclosure level,
language and threshold — and the lettings of
:func:`~fuaalborg.reports.lettings.letting_frame`. Department counts become a
department and an organisation table for the parties, or one protected
organisation table in a public report (:func:`~fuaalborg.reports.disclosure.protect_counts`).
Every word comes from :mod:`~fuaalborg.reports.labels`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg.formatting import Count
from fuaalborg.letting.routing import COUNTING_REASONS
from fuaalborg.model import COLOURS
from fuaalborg.municipality import NEED_PARAMETERS, Municipality
from fuaalborg.parameters import ParameterSet
from fuaalborg.rents import rent_band, rent_band_labels
from fuaalborg.reports.disclosure import (
    Margins,
    ProtectedTable,
    protect_counts,
    protect_derived,
)
from fuaalborg.reports.labels import Language, either, label
from fuaalborg.reports.model import (
    REFERRAL_OUTCOMES,
    ROUTE_CATEGORIES,
    ReportInputError,
    ReportTable,
)
from fuaalborg.reports.waiting import waiting_time

if TYPE_CHECKING:
    from fuaalborg.criteria.audit import AuditReport
    from fuaalborg.monitoring.steps import Placement

__all__ = ["Context", "context", "notice", "r1", "r2", "r3", "r4", "r5", "r6", "r7"]


@attrs.frozen
class Context:
    """What every section needs: the municipality, the disclosure level, the language,
    the threshold of suppression and the names of organisations and departments."""

    municipality: Municipality
    disclosure: str
    lang: Language
    threshold: int
    org_names: Mapping[str, str]
    dep_org: Mapping[str, str]
    dep_names: Mapping[str, str]
    dep_area: Mapping[str, Any]

    @property
    def public(self) -> bool:
        """Whether the report is public (organisation level, small counts suppressed)."""
        return self.disclosure == "public"

    def l(self, key: str) -> str:  # noqa: E743 - short on purpose
        """The label ``key`` in the report's language."""
        return label(key, self.lang)

    def organisations(self) -> list[str]:
        """The organisations' names, sorted."""
        return sorted(self.org_names.values())


def context(municipality: Municipality, disclosure: str, lang: Language, threshold: int,
            removed: Mapping[str, tuple[str, dt.date | None]] | None = None) -> Context:
    """The :class:`Context` of a report on ``municipality``.

    ``removed`` adds departments the municipality no longer has but the
    period's lettings are in (department -> organisation CVR and the day it
    left the ledger's stock): they are named by their id and that day.
    """
    orgs = municipality.organisations
    names = dict(zip(orgs["organisation_cvr"].astype(str), orgs["name"].astype(str),
                     strict=True))
    deps = municipality.departments
    dep_org = dict(zip(deps["department_id"].astype(str),
                       deps["organisation_cvr"].astype(str).map(names), strict=True))
    dep_names = dict(zip(deps["department_id"].astype(str), deps["name"].astype(str),
                         strict=True))
    dep_area = dict(zip(deps["department_id"].astype(str), deps["area_id"], strict=True))
    for dep, (org, left_on) in (removed or {}).items():
        dep_org[dep] = names.get(org, org)
        dep_names[dep] = label("department.removed", lang).format(
            id=dep, on="?" if left_on is None else left_on.isoformat())
        dep_area[dep] = None
    return Context(municipality, disclosure, lang, threshold, names, dep_org, dep_names, dep_area)


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
    ctx: Context,
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


def r1(ctx: Context, lettings: pd.DataFrame,
       corrections: Sequence[Mapping[str, Any]]) -> list[ReportTable]:
    """R1: lettings by route per organisation and department, the vacancies recorded late,
    and (for the parties) every void and correction of the period with who made it."""
    counts = _counts_by(lettings, "department_id", "category", ROUTE_CATEGORIES)
    note = ctx.l("R1_note")
    out = _count_tables(ctx, "R1", "R1", ctx.l("R1"), counts, note=note)
    late = _counts_by(lettings.assign(when=np.where(lettings["late"], "late", "on_time")),
                      "department_id", "when", ["late"])
    late_note = ctx.l("late_note")
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


def r2(ctx: Context, lettings: pd.DataFrame, params: ParameterSet, start: dt.date,
       end: dt.date) -> list[ReportTable]:
    """R2: the municipal referral — what became of the vacancies by department (and area),
    by the rent bands next to the stock, and the referral's expected need for the period."""
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
    dwellings = ctx.municipality.dwellings
    for scheme in ("agreement", "lbf"):
        bands = rent_band_labels(scheme, end, params)
        stock = rent_band(dwellings["monthly_rent_dkk"], scheme, end, params)
        vac_band = rent_band(lettings["monthly_rent_dkk"], scheme, end, params)
        table = pd.DataFrame(
            {
                "vacancies": vac_band.value_counts().reindex(bands, fill_value=0),
                "referred": vac_band[lettings["referred"].to_numpy(dtype=bool)]
                .value_counts().reindex(bands, fill_value=0),
                "referral_let": vac_band[lettings["outcome"].eq("referral_let").to_numpy()]
                .value_counts().reindex(bands, fill_value=0),
            }
        ).astype("int64")
        table.index = pd.Index(bands, name=ctx.l("rent_band"))
        table.columns = [ctx.l(c) for c in table.columns]
        which = ctx.l(f"scheme.{scheme}")
        title = f"{ctx.l('R2')} — {ctx.l('rent_band')} ({which})"
        protected = protect_counts(table, ctx.threshold if ctx.public else 1,
                                   margins="columns", total_label=ctx.l("total"))
        shown = protected.shown() if ctx.public else protected.values.copy()
        # the stock is a count of dwellings, not of households: never suppressed
        counted = stock.value_counts().reindex(bands, fill_value=0).astype("int64")
        shown.insert(0, ctx.l("stock"), [*counted.tolist(), int(counted.sum())])
        shown.index.name = ctx.l("rent_band")
        out.append(ReportTable(f"R2_rent_{scheme}", "R2", title, shown.reset_index(),
                               protected if ctx.public else None))
    out.append(_need_table(ctx, lettings, params, start, end))
    return out


def _need_table(ctx: Context, lettings: pd.DataFrame, params: ParameterSet, start: dt.date,
                end: dt.date) -> ReportTable:
    """R2's expected need: the cheap dwellings reported to the referral next to the
    municipality's own yearly need, pro rata for the period.

    The need is a planning figure, not a count of households: it is never
    suppressed. A municipality of its own that states no need
    (``municipality.toml``, ``[referral_need]``) gets none — Aalborg's is
    Aalborg's — and the note says so; the count is protected as any other.
    """
    years = _years_covered(start, end)
    cheap_label = rent_band_labels("agreement", end, params)[0]
    cheap = rent_band(lettings["monthly_rent_dkk"], "agreement", end, params).eq(cheap_label)
    cheap_referred = int((cheap & lettings["referred"].astype(bool)).sum())
    heading = ctx.l("cheap_referred").format(band=cheap_label)
    counted = pd.DataFrame({heading: [cheap_referred]})
    protected = protect_counts(counted, ctx.threshold if ctx.public else 1, margins="none")
    shown = (protected.shown() if ctx.public else protected.values).copy()
    need = ctx.municipality.referral_need(end, params)
    if need is None:
        low, high = (params.lookup(name, end, warn=False) for name in NEED_PARAMETERS)
        note = ctx.l("need_missing").format(
            name=ctx.municipality.name, low=low.value, high=high.value, reference=low.reference)
    else:
        for key, value in (("need_low", need.low), ("need_high", need.high),
                           ("need_period_low", round(need.low * years)),
                           ("need_period_high", round(need.high * years))):
            shown[ctx.l(key)] = [value]
        note = ctx.l("need_example" if ctx.municipality.synthetic else "need_source").format(
            reference=need.reference)
    return ReportTable("R2_need", "R2", f"{ctx.l('R2')} — {ctx.l('expected_need')}", shown,
                       protected if ctx.public else None, note)


def r3(ctx: Context, lettings: pd.DataFrame) -> list[ReportTable]:
    """R3: flexible letting per organisation with its share of waiting-list lettings, and per
    priority group where the ledger records the group of a letting."""
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
    # the parties' threshold of 1 hides nothing; a share of no lettings shows NO_CASES
    shown[ctx.l("flexible_share")] = derived.shown()["flexible_share"].map(
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
        out[0] = attrs.evolve(out[0], note=ctx.l("no_group_note"))
    return out


def r4(ctx: Context, evictions: pd.DataFrame | None) -> list[ReportTable]:
    """R4: evictions (fogedsager) per department and route; ``evictions`` is the table read by
    :func:`~fuaalborg.reports.evictions.read_evictions`, for the period."""
    categories = [*ROUTE_CATEGORIES, "unknown"]
    if evictions is None:
        frame = pd.DataFrame(columns=["department_id", "route", "count"])
        note = ctx.l("no_evictions")
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


def notice(placement: Placement, lang: Language) -> str:
    """The placement's notice on an ethnicity indicator in ``lang`` (empty without one)."""
    return placement.notice_in(lang) or ""


#: The R5 columns whose values are words of a closed set, shown in the report's language.
_R5_WORDS = ("colour", "previous_colour", "basis", "designation")


def _word(ctx: Context, value: Any) -> Any:
    """A value of a closed set (``word.<value>`` in the labels) in the report's language;
    a missing value, or one the labels lack, as it is."""
    if pd.isna(value):
        return value
    shown = ctx.l(f"word.{value}")
    return value if shown == f"word.{value}" else shown


def _in_words(ctx: Context, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its closed-set values (colours, bases, designations) and headers in
    the report's language; an indicator's value column is headed by the indicator."""
    def heading(column: str) -> str:
        if column == "reason":  # the step model words its reasons in English
            return ctx.l("reason_en")
        if column.startswith("value_"):
            indicator = column.removeprefix("value_")
            shown = ctx.l(f"value.{indicator}")
            return column if shown == f"value.{indicator}" else shown
        return ctx.l(column)

    out = frame.copy()
    for column in _R5_WORDS:
        if column in out.columns:
            out[column] = out[column].map(lambda v: _word(ctx, v))
    return out.rename(columns={c: heading(c) for c in out.columns})


def r5(ctx: Context, placement: Placement) -> list[ReportTable]:
    """R5: departments per colour, colour changes and (for the parties) the placement of every
    department and the overview of red and yellow departments."""
    frame = placement.frame
    colours = list(COLOURS)
    counts = _counts_by(frame.set_index("department_id", drop=False).rename_axis(None),
                        "department_id", "colour", colours)
    notice_text = notice(placement, ctx.lang)
    title = either(placement.title, placement.title_da, ctx.lang)
    meta = (
        f"{ctx.l('preset')}: {placement.preset} ({title}); "
        f"{ctx.l('ethnicity_indicator')}: {ctx.l('yes' if placement.uses_ethnicity else 'no')}"
        + (f". {notice_text}" if notice_text else "")
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
    detail = _in_words(ctx, detail.rename(columns={"name": "department"}))
    out.append(ReportTable("R5_placement", "R5", f"{ctx.l('R5')} — {ctx.l('department')}",
                           detail.reset_index(drop=True), None, meta))
    from fuaalborg.monitoring.overview import overview

    red_yellow = _in_words(ctx, overview(placement, ctx.municipality.organisations))
    out.append(ReportTable("R5_overview", "R5", ctx.l("overview_title"),
                           red_yellow.reset_index(drop=True), None, meta))
    return out


def r6(ctx: Context, lettings: pd.DataFrame, params: ParameterSet, end: dt.date) -> (
    list[ReportTable]
):
    """R6: waiting time at letting — the seniority age of the applicants who signed, by route
    (and department for the parties)."""
    percentiles = [float(q) for q in params.get("reporting.waiting_time.percentiles", end)]
    signed = lettings[lettings["signed_on"].notna() & lettings["route"].eq("waiting_list")]
    applicants = ctx.municipality.applicants
    note = ""
    if signed.empty or applicants.empty or "seniority_date" not in applicants.columns:
        joined = signed.assign(seniority_date=pd.Series(dtype="datetime64[s]"))
        joined = joined.iloc[0:0]
        note = ctx.l("no_waiting_time")
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


#: The columns of the criteria audit's table (:class:`fuaalborg.criteria.audit.AuditCheck`).
_AUDIT_COLUMNS = ("subject", "kind", "variant", "changed")


def r7(ctx: Context, audit_report: AuditReport | None, versions: pd.DataFrame) -> (
    list[ReportTable]
):
    """R7 (for the parties): the criteria audit, if one is given, and the rule versions."""
    out = []
    if audit_report is not None:
        checks = pd.DataFrame([attrs.asdict(c) for c in audit_report.checks],
                              columns=list(_AUDIT_COLUMNS))
        for column in ("kind", "variant"):
            checks[column] = checks[column].map(lambda v: _word(ctx, v))
        checks = checks.rename(columns={c: ctx.l(f"audit.{c}") for c in _AUDIT_COLUMNS})
        note = ctx.l("audit_note").format(
            ok=ctx.l(f"audit.ok.{audit_report.ok}"), violations=Count(len(audit_report.violations)),
            unchecked=Count(len(audit_report.unchecked)),
            warnings=Count(len(audit_report.warnings)))
        out.append(ReportTable("R7_audit", "R7", ctx.l("R7"), checks, None, note))
    rules = versions.rename(columns={c: ctx.l(c) for c in versions.columns})
    out.append(ReportTable("R7_rules", "R7", ctx.l("rules"), rules))
    return out
