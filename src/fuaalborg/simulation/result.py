"""The outcome of a capacity simulation: distributions per simulated year.

A :class:`SimulationResult` holds one number per run and year for every metric
(:data:`METRICS`), and per category for the breakdowns (:data:`BREAKDOWNS`: rent
band, colour, route). Its summaries give the mean, the median and the 10th and
90th percentiles over the runs; :meth:`SimulationResult.compare` sets two
results side by side with the difference and its uncertainty.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import warnings
from collections.abc import Collection, Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.formatting import whole

__all__ = [
    "BREAKDOWNS",
    "HOW_TO_GIVE_NEED",
    "METRICS",
    "NEED_METRICS",
    "ScenarioComparison",
    "SimulationResult",
    "no_need_note",
    "year_labels",
]

FloatArray = npt.NDArray[np.float64]

#: The metrics of a simulated year, with what they count.
METRICS: Mapping[str, str] = {
    "vacancies": "vacancies (ledige boliger) in the year",
    "cheap_vacancies": "vacancies in the cheapest rent band (at most 3,500 kr a month)",
    "bab_vacancies": "vacancies of BAB dwellings (100 % referral)",
    "referral_dwellings": "dwellings reaching the municipal referral (til kommunal anvisning)",
    "referral_cheap": "cheap dwellings (cheapest rent band) reaching the referral",
    "need_met_low": "referral_cheap as a share of the referral's lower yearly need (only where "
    "one is stated; the example's is Aalborg's 250)",
    "need_met_high": "referral_cheap as a share of the referral's upper yearly need (only where "
    "one is stated; the example's is Aalborg's 300)",
    "waiting_list_lettings": "dwellings let from the waiting list (venteliste)",
    "waiting_list_cheap": "cheap dwellings let from the waiting list",
    "waiting_list_cheap_share": "share of the cheap vacancies let from the waiting list",
    "lettings_flexible": "waiting-list lettings on the flexible route (fleksibel udlejning)",
    "lettings_ordinary": "waiting-list lettings by seniority (ordinær udlejning)",
    "lettings_internal": "waiting-list lettings that were internal turns (intern venteliste)",
    "lettings_external": "waiting-list lettings that were external turns (ekstern venteliste)",
}

#: The metrics measured against the referral's yearly need: a result has them only where
#: the municipality states a need (or one is given).
NEED_METRICS = ("need_met_low", "need_met_high")

#: How a caller of :func:`fuaalborg.simulate` gives the referral's need, as the notes and
#: errors say it (the ``simulate`` command says how to give it on the command line).
HOW_TO_GIVE_NEED = (
    "give one with [referral_need] in municipality.toml (low, high, from, reference) or "
    "with a scenario that sets referral.expected_need_low and referral.expected_need_high"
)


def no_need_note(name: str, years: list[str], of: int) -> str:
    """The note of a simulation of ``name`` without a stated need in ``years`` (of ``of``).

    It ends with how to give one, :data:`HOW_TO_GIVE_NEED`.

    >>> print(no_need_note("Fjordby Kommune", ["2026"], 2).split(", so ")[0])
    Fjordby Kommune states no yearly need of the referral in force in 2026
    """
    if len(years) == of:
        return (
            f"{name} states no yearly need of the referral (cheap dwellings a year), so nothing "
            f"is measured against one; {HOW_TO_GIVE_NEED}"
        )
    return (
        f"{name} states no yearly need of the referral in force in {', '.join(years)}, so "
        f"nothing is measured against one in {'that year' if len(years) == 1 else 'those years'}"
        f"; {HOW_TO_GIVE_NEED}"
    )


def year_labels(starts: tuple[dt.date, ...] | list[dt.date]) -> list[str]:
    """A label per simulated year from its first day: the year (``"2026"``) where every
    year starts on 1 January, else the first date."""
    if all(d.month == 1 and d.day == 1 for d in starts):
        return [str(d.year) for d in starts]
    return [d.isoformat() for d in starts]


#: Breakdowns by category: name -> (category kind, what it counts).
BREAKDOWNS: Mapping[str, tuple[str, str]] = {
    "vacancies_by_band": ("rent_band", "vacancies by the agreement's rent band"),
    "vacancies_by_colour": ("colour", "vacancies by the department's colour"),
    "referral_by_band": ("rent_band", "dwellings reaching the referral by rent band"),
    "referral_by_colour": ("colour", "dwellings reaching the referral by colour"),
    "lettings_by_route": ("route", "lettings by route: referral, flexible, ordinary"),
}

#: The statistics a summary gives for each year.
STATISTICS = ("mean", "median", "p10", "p90")


def _stats(values: FloatArray) -> dict[str, list[float]]:
    """Mean, median, 10th and 90th percentile over runs (axis 0), per year.

    A share has no value in a run where its base is 0 (NaN): the statistics are
    over the other runs, and NaN where no run has one.
    """
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a year where no run has a value
        return {
            "mean": np.nanmean(values, axis=0).tolist(),
            "median": np.nanmedian(values, axis=0).tolist(),
            "p10": np.nanpercentile(values, 10, axis=0).tolist(),
            "p90": np.nanpercentile(values, 90, axis=0).tolist(),
        }


def _clean(value: Any) -> Any:
    """JSON-safe numbers: NaN becomes ``None``; floats rounded to 4 decimals."""
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 4)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    return value


@attrs.frozen(eq=False)
class SimulationResult:
    """The distributions of a capacity simulation (kapacitetssimulering).

    ``counts`` maps every name of :data:`METRICS` to an array of shape
    ``(runs, years)`` and every name of :data:`BREAKDOWNS` to ``(runs, years,
    categories)``; ``categories`` names the categories of each kind (rent band
    labels, colours, routes). ``notes`` are statements every output repeats, such
    as when the department counters start.

    The referral's yearly need: ``year_needs`` gives each simulated year's
    ``(low, high)``, ``None`` for a year without a stated need;
    ``need_low``/``need_high`` are the first stated need, ``None`` where no year
    has one. Without a need ``counts`` has no :data:`NEED_METRICS` (``need_met_low``,
    ``need_met_high``), and no output shows a need met: a note says why.
    """

    seed: int
    years: int
    runs: int
    scenario: str
    scenario_title: str
    start: dt.date
    year_starts: tuple[dt.date, ...]
    need_low: int | None
    need_high: int | None
    counts: Mapping[str, FloatArray] = attrs.field(repr=False)
    categories: Mapping[str, tuple[str, ...]] = attrs.field(repr=False)
    notes: tuple[str, ...] = ()
    year_needs: tuple[tuple[int, int] | None, ...] = ()

    @property
    def year_labels(self) -> list[str]:
        """A label per simulated year: its first day's year (``"2026"``) or first date."""
        return year_labels(self.year_starts)

    @property
    def has_need(self) -> bool:
        """Whether a need is stated for any simulated year (and the need met measured)."""
        return all(name in self.counts for name in NEED_METRICS)

    @property
    def metrics(self) -> list[str]:
        """The names of :data:`METRICS` this result measured, in order (no need met without
        a need)."""
        return [name for name in METRICS if name in self.counts]

    def values(self, metric: str) -> FloatArray:
        """The ``(runs, years)`` array of ``metric``, or ``(runs, years, k)`` of a breakdown."""
        if metric in NEED_METRICS and metric not in self.counts:
            raise ValidationError(
                f"{metric} is not measured: no yearly need of the referral is stated; "
                f"{HOW_TO_GIVE_NEED}"
            )
        if metric not in self.counts:
            known = ", ".join([*METRICS, *BREAKDOWNS])
            raise ValidationError(f"unknown metric {metric!r}; expected one of {known}")
        return self.counts[metric]

    def stats(self, metric: str) -> dict[str, list[float]]:
        """Mean, median, 10th and 90th percentile of ``metric`` per year."""
        values = self.values(metric)
        if values.ndim != 2:
            raise ValidationError(f"{metric} is a breakdown; use summary() for it")
        return _stats(values)

    def summary(self) -> pd.DataFrame:
        """One row per metric, category and year: mean, median, p10 and p90 over the runs.

        ``category`` is empty for the plain metrics; for breakdowns it is the rent
        band, colour or route.
        """
        rows: list[dict[str, Any]] = []
        labels = self.year_labels
        for name in [*self.metrics, *BREAKDOWNS]:
            values = self.counts[name]
            if values.ndim == 2:
                parts = [("", values)]
            else:
                kind = BREAKDOWNS[name][0]
                parts = [(cat, values[:, :, k]) for k, cat in enumerate(self.categories[kind])]
            for category, part in parts:
                stats = _stats(part)
                for y, label in enumerate(labels):
                    rows.append(
                        {
                            "metric": name,
                            "category": category,
                            "year": label,
                            **{s: stats[s][y] for s in STATISTICS},
                        }
                    )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: the run's settings, notes and every summary.

        Each metric maps to ``{"mean": [...], "median": [...], "p10": [...],
        "p90": [...]}`` with one entry per simulated year; breakdowns map each
        category to the same. ``need_low``/``need_high`` are ``null`` where no need
        is stated, ``need_by_year`` gives each year's ``{"low", "high"}`` or
        ``null``, and ``need_met_low``/``need_met_high`` are absent where no year
        has a need (a year without one has ``null`` in them).
        """
        out: dict[str, Any] = {
            "seed": self.seed,
            "years": self.years,
            "runs": self.runs,
            "scenario": self.scenario,
            "scenario_title": self.scenario_title,
            "start": self.start.isoformat(),
            "year": self.year_labels,
            "need_low": self.need_low,
            "need_high": self.need_high,
            "need_by_year": [None if need is None else {"low": need[0], "high": need[1]}
                             for need in self.need_by_year],
            "notes": list(self.notes),
        }
        for name in self.metrics:
            out[name] = _stats(self.counts[name])
        for name, (kind, _what) in BREAKDOWNS.items():
            values = self.counts[name]
            out[name] = {
                cat: _stats(values[:, :, k]) for k, cat in enumerate(self.categories[kind])
            }
        cleaned: dict[str, Any] = _clean(out)
        return cleaned

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @property
    def need_by_year(self) -> tuple[tuple[int, int] | None, ...]:
        """Each simulated year's need ``(low, high)``, ``None`` where none is stated (a
        result built without ``year_needs`` has ``need_low``–``need_high`` every year)."""
        if self.year_needs:
            return self.year_needs
        one = None if self.need_low is None or self.need_high is None else (
            self.need_low, self.need_high)
        return (one,) * self.years

    def _need_titles(self) -> tuple[str, str]:
        """The need the need-met columns are headed by: its numbers where every year has
        the same, else ``low`` and ``high`` (the years' needs are listed under the table)."""
        needs = set(self.need_by_year)
        only = next(iter(needs)) if len(needs) == 1 else None
        if only is not None:
            return str(only[0]), str(only[1])
        return "low", "high"

    def lines(self, *, omit: Collection[str] = ()) -> list[str]:
        """A short plain-text report: headline metrics per year, median (10th–90th).

        ``omit`` are notes already said (a comparison prints its second result
        without the notes of its first).
        """
        head = (
            f"Scenario {self.scenario!r} ({self.scenario_title}): {self.runs} runs × "
            f"{self.years} year{'s' if self.years != 1 else ''} from "
            f"{self.start.isoformat()}, seed {self.seed}"
        )
        out = [head, *(f"  note: {n}" for n in self.notes if n not in omit)]
        width = max(len(label) for label in self.year_labels)
        low, high = self._need_titles()
        shown = [
            ("vacancies", "vacancies", False),
            ("cheap_vacancies", "cheap vacancies", False),
            ("referral_dwellings", "to referral", False),
            ("referral_cheap", "cheap to referral", False),
            *((("need_met_low", f"need met ({low})", True),
               ("need_met_high", f"need met ({high})", True)) if self.has_need else ()),
            ("waiting_list_cheap_share", "cheap to waiting list", True),
        ]
        for part in (shown[:4], shown[4:]):
            titles = "  ".join(f"{t:>24}" for _, t, _ in part)
            out.append("  " + "year".ljust(width) + "  " + titles)
            for y, label in enumerate(self.year_labels):
                cells = [_cell(self.counts[m][:, y], pct) for m, _t, pct in part]
                out.append("  " + label.ljust(width) + "  " + "  ".join(f"{c:>24}" for c in cells))
        out.append("  (median over runs, 10th–90th percentile in brackets)")
        out.extend(self._gaps())
        return out

    def _gaps(self) -> list[str]:
        """What a share without a value ("—") means, where the table shows one."""
        lines = []
        needs = self.need_by_year
        if self.has_need and self._need_titles() == ("low", "high"):
            lines.append("  need per year: " + ", ".join(
                f"{label} {'none stated' if need is None else f'{need[0]}–{need[1]}'}"
                for label, need in zip(self.year_labels, needs, strict=True)))
        if self.has_need and any(need is not None and 0 in need for need in needs):
            lines.append("  need met: — the need is 0, so there is no share of it to give")
        if self.has_need and None in needs:
            years = [label for label, need in zip(self.year_labels, needs, strict=True)
                     if need is None]
            lines.append(f"  need met: — no need is stated for {', '.join(years)}")
        share = self.counts["waiting_list_cheap_share"]
        none = [label for y, label in enumerate(self.year_labels) if np.isnan(share[:, y]).all()]
        some = np.isnan(share).any()
        if none:
            lines.append(
                f"  cheap to waiting list: — no run had a cheap vacancy in {', '.join(none)}: "
                "nothing cheap was vacant, so none reached the waiting list or the referral"
            )
        elif some:
            lines.append(
                "  cheap to waiting list: a share of each run's cheap vacancies; runs without "
                "a cheap vacancy in a year are left out of that year"
            )
        return lines

    def compare(self, other: SimulationResult) -> ScenarioComparison:
        """``other`` minus this result, run by run where both used the same seed."""
        return ScenarioComparison(self, other)

    def plot(self, path: str | None = None, *, ax: Any = None) -> Any:
        """Need vs supply per year with the uncertainty band.

        Drawn by :mod:`fuaalborg.simulation.figures`.
        """
        from fuaalborg.simulation.figures import plot_need

        return plot_need(self, path, ax=ax)


def _signed(value: float, pct: bool) -> str:
    if not math.isfinite(value):
        return "—"
    return f"{value:+.1%}" if pct else f"{value:+,.1f}"


#: Why a compared metric has no value in a year: of the metrics a comparison shows, only
#: the cheap dwellings' waiting-list share can have none (a share whose base is 0).
_NO_VALUE = "no cheap vacancy in the year in a run of either scenario"


def _cell(values: FloatArray, pct: bool) -> str:
    """Median (10th–90th percentile) of the runs that have a value; "—" where none has."""
    finite = values[np.isfinite(values)]
    if not len(finite):
        return "—"
    med, lo, hi = (float(np.percentile(finite, q)) for q in (50, 10, 90))
    if pct:
        return f"{med:.0%} ({lo:.0%}–{hi:.0%})"
    return f"{whole(med)} ({whole(lo)}–{whole(hi)})"


@attrs.frozen(eq=False)
class ScenarioComparison:
    """Two simulation results side by side: ``other`` minus ``base``.

    When both ran with the same seed, number of runs and years, run *i* of each
    saw the same vacancies (common random numbers) and the difference is taken
    run by run (``paired``): its 10th–90th percentile is the spread of the
    difference in a single year, and ``ci95`` the uncertainty of its mean. Without
    pairing the mean difference and its uncertainty come from the two
    distributions and no percentiles of the difference are given.
    """

    base: SimulationResult
    other: SimulationResult

    def __attrs_post_init__(self) -> None:
        if self.base.years != self.other.years or self.base.start != self.other.start:
            raise ValidationError(
                "scenario comparison: both results must cover the same years from the same start"
            )

    @property
    def metrics(self) -> list[str]:
        """The metrics both results measured (the need met only where both have a need)."""
        return [name for name in self.base.metrics if name in self.other.counts]

    @property
    def paired(self) -> bool:
        """Whether the runs are paired (same seed and number of runs)."""
        return self.base.seed == self.other.seed and self.base.runs == self.other.runs

    def difference(self, metric: str) -> dict[str, list[float]]:
        """Per year: mean difference, its 95 % interval, and (paired) p10/median/p90."""
        a, b = self.base.values(metric), self.other.values(metric)
        if a.ndim != 2:
            raise ValidationError(f"{metric} is a breakdown; compare a plain metric")
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a year no run has a value in
            if self.paired:
                diff = b - a
                mean = np.nanmean(diff, axis=0)
                se = np.nanstd(diff, axis=0, ddof=1) / np.sqrt(diff.shape[0])
                stats = _stats(diff)
            else:
                mean = np.nanmean(b, axis=0) - np.nanmean(a, axis=0)
                se = np.sqrt(
                    np.nanvar(a, axis=0, ddof=1) / a.shape[0]
                    + np.nanvar(b, axis=0, ddof=1) / b.shape[0]
                )
                nan = [math.nan] * a.shape[1]
                stats = {"mean": mean.tolist(), "median": nan, "p10": nan, "p90": nan}
        stats["ci95_low"] = (mean - 1.96 * se).tolist()
        stats["ci95_high"] = (mean + 1.96 * se).tolist()
        return stats

    def summary(self) -> pd.DataFrame:
        """One row per metric and year: both means and the difference with its uncertainty."""
        rows: list[dict[str, Any]] = []
        for name in self.metrics:
            a, b = self.base.stats(name), self.other.stats(name)
            d = self.difference(name)
            for y, label in enumerate(self.base.year_labels):
                rows.append(
                    {
                        "metric": name,
                        "year": label,
                        "base_mean": a["mean"][y],
                        "other_mean": b["mean"][y],
                        "difference_mean": d["mean"][y],
                        "difference_p10": d["p10"][y],
                        "difference_p90": d["p90"][y],
                        "ci95_low": d["ci95_low"][y],
                        "ci95_high": d["ci95_high"][y],
                    }
                )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary: both results and the differences per metric."""
        out: dict[str, Any] = {
            "base": self.base.to_dict(),
            "other": self.other.to_dict(),
            "paired": self.paired,
            "difference": {name: self.difference(name) for name in self.metrics},
        }
        cleaned: dict[str, Any] = _clean(out)
        return cleaned

    def lines(self) -> list[str]:
        """Plain text: the headline metrics of both scenarios and their difference."""
        base, other = self.base, self.other
        out = [
            f"Comparison: {other.scenario!r} minus {base.scenario!r} "
            f"({'paired runs, same seed' if self.paired else 'unpaired runs'})"
        ]
        for name in ("referral_dwellings", "referral_cheap", "waiting_list_cheap_share"):
            pct = name.endswith("share")
            d = self.difference(name)
            a_mean, b_mean = base.stats(name)["mean"], other.stats(name)["mean"]
            for y, label in enumerate(base.year_labels):
                if not math.isfinite(d["mean"][y]):
                    out.append(f"  {name} {label}: — (no value to compare: "
                               f"{_NO_VALUE})")
                    continue
                low, high = _signed(d["ci95_low"][y], pct), _signed(d["ci95_high"][y], pct)
                spread = (
                    f", single year {_signed(d['p10'][y], pct)} to {_signed(d['p90'][y], pct)}"
                    if self.paired
                    else ""
                )
                out.append(
                    f"  {name} {label}: {_signed(a_mean[y], pct).lstrip('+')} → "
                    f"{_signed(b_mean[y], pct).lstrip('+')}; difference "
                    f"{_signed(d['mean'][y], pct)} (95 % interval {low} to {high}{spread})"
                )
        return out

    def plot(self, path: str | None = None, *, ax: Any = None) -> Any:
        """Both scenarios' cheap referral dwellings per year against the need."""
        from fuaalborg.simulation.figures import plot_comparison

        return plot_comparison(self, path, ax=ax)
