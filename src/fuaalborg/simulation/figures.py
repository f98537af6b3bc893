"""Figures of the capacity simulation (matplotlib; the ``plot`` extra).

:func:`plot_need` draws, per simulated year, the cheap dwellings reaching the
referral (median and 10th–90th percentile band) against the referral's expected
need (a band: the example's is Aalborg's 250–300); :func:`plot_comparison` draws
two scenarios side by side against the same need. Where the municipality states
no need, no need is drawn and the figure says so. Both draw as the reports' figures do, with
:mod:`fuaalborg._plotting`: the returned figure is pyplot's (a notebook shows it),
on the non-interactive Agg backend unless pyplot was set up before.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fuaalborg import _plotting

if TYPE_CHECKING:
    from fuaalborg.simulation.result import ScenarioComparison, SimulationResult

__all__ = ["plot_comparison", "plot_need"]

_COLOURS = ("#1b6ca8", "#d1495b", "#66a182", "#edae49")
#: The resolution of a figure saved to a file.
_DPI = 150
_SIZE = (7, 4.2)


def _bands(ax: Any, stats: dict[str, list[float]], years: int, offset: float, colour: str,
           label: str) -> None:
    """One bar a year at ``year + offset``: the 10th–90th percentile of ``stats``, with its
    median as a line; ``label`` names the first in the legend."""
    for y in range(years):
        x, lo, hi = y + offset, stats["p10"][y], stats["p90"][y]
        ax.bar(x, hi - lo, width=0.32, bottom=lo, color=colour, alpha=0.35,
               label=label if y == 0 else None)
        ax.hlines(stats["median"][y], x - 0.16, x + 0.16, color=colour, linewidth=2.5)


def _need_and_years(ax: Any, result: SimulationResult) -> float:
    """The referral's expected need as a band, and a tick a simulated year; the highest
    need drawn (0 for none).

    One band across the figure where every year has the same need; a band per year
    where the need changes; none where none is stated (the title says so,
    :func:`_no_need`).
    """
    needs = result.need_by_year
    stated = [need for need in needs if need is not None]
    if stated and len(set(needs)) == 1:
        low, high = stated[0]
        ax.axhspan(low, high, color=_COLOURS[1], alpha=0.18,
                   label=f"expected need {low}–{high}")
    elif stated:
        first = True
        for y, need in enumerate(needs):
            if need is None:
                continue
            ax.bar(y, need[1] - need[0], width=1.0, bottom=need[0], color=_COLOURS[1],
                   alpha=0.18, label="expected need (per year)" if first else None)
            first = False
    ax.set_xticks(range(result.years), result.year_labels)
    ax.set_xlim(-0.6, result.years - 0.4)
    return float(max((need[1] for need in stated), default=0))



def _no_need(result: SimulationResult) -> str:
    """A title's last line where no need is stated (else empty)."""
    if result.has_need:
        return ""
    return "\nno yearly need of the referral is stated (municipality.toml [referral_need])"


def _axes(ax: Any) -> tuple[Any, Any]:
    """The figure and axes to draw on: ``ax``'s, or a new figure's."""
    if ax is not None:
        return ax.figure, ax
    fig = _plotting.figure(_SIZE, pyplot=True)
    return fig, fig.subplots()


def _finish(fig: Any, ax: Any, path: str | os.PathLike[str] | None) -> None:
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    if path is not None:
        _plotting.save(fig, path, _DPI)


def plot_need(
    result: SimulationResult, path: str | os.PathLike[str] | None = None, *, ax: Any = None
) -> Any:
    """Cheap dwellings reaching the referral per year against the referral's need.

    Each year shows the median (line) and the 10th–90th percentile (bar) of the
    cheap dwellings reaching the referral and of all cheap vacancies (the most any
    routing rule could give); the need is the shaded horizontal band (none where
    the municipality states none: the legend says so). Saves to
    ``path`` (PNG, SVG or PDF by suffix) when given; returns the figure.
    """
    with _plotting.drawing():
        fig, ax = _axes(ax)
        supply = result.stats("cheap_vacancies")
        _bands(ax, supply, result.years, -0.18, _COLOURS[2], "all cheap vacancies")
        _bands(ax, result.stats("referral_cheap"), result.years, 0.18, _COLOURS[0],
               "cheap dwellings to the referral")
        need = _need_and_years(ax, result)
        ax.set_ylim(0, max(need, max(supply["p90"]), 1.0) * 1.15)
        ax.set_ylabel("dwellings ≤ 3,500 kr a month per year")
        ax.set_title(
            f"Cheap dwellings for the referral — {result.scenario_title}\n"
            f"{result.runs} runs, seed {result.seed}; median and 10th–90th percentile"
            f"{_no_need(result)}",
            fontsize=10,
        )
        _finish(fig, ax, path)
    return fig


def plot_comparison(
    comparison: ScenarioComparison,
    path: str | os.PathLike[str] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Two scenarios' cheap referral dwellings per year, side by side, against the need."""
    with _plotting.drawing():
        fig, ax = _axes(ax)
        top = 0.0
        for i, result in enumerate((comparison.base, comparison.other)):
            stats = result.stats("referral_cheap")
            top = max(top, *stats["p90"])
            _bands(ax, stats, result.years, (i - 0.5) * 0.36, _COLOURS[i * 3 % 4],
                   result.scenario_title)
        base = comparison.base
        need = _need_and_years(ax, base)
        diff = comparison.difference("referral_cheap")
        for y in range(base.years):
            ax.annotate(f"{diff['mean'][y]:+.0f}", (y, top * 1.02), ha="center", fontsize=8)
        ax.set_ylim(0, max(need, top, 1.0) * 1.2)
        ax.set_ylabel("cheap dwellings to the referral per year")
        ax.set_title(
            "Scenario comparison: median and 10th–90th percentile; mean difference above the "
            f"bars{_no_need(base)}",
            fontsize=10,
        )
        _finish(fig, ax, path)
    return fig
