"""Figures of the capacity simulation (matplotlib, Agg backend; the ``plot`` extra).

:func:`plot_need` draws, per simulated year, the cheap dwellings reaching the
referral (median and 10th–90th percentile band) against the referral's expected
need (the 250–300 band); :func:`plot_comparison` draws two scenarios side by side
against the same need.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from fuaalborg.errors import FuaalborgError
from fuaalborg.tables import atomic_write

if TYPE_CHECKING:
    from fuaalborg.simulation.result import ScenarioComparison, SimulationResult

__all__ = ["plot_comparison", "plot_need"]

_COLOURS = ("#1b6ca8", "#d1495b", "#66a182", "#edae49")


def _pyplot() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise FuaalborgError(
            "figures need matplotlib: install fuaalborg with the 'plot' extra"
        ) from None
    if matplotlib.get_backend().lower() != "agg":
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _band(
    ax: Any, x: float, width: float, lo: float, hi: float, med: float, color: str, label: str | None
) -> None:
    ax.bar(x, hi - lo, width=width, bottom=lo, color=color, alpha=0.35, label=label)
    ax.hlines(med, x - width / 2, x + width / 2, color=color, linewidth=2.5)


def _save(fig: Any, path: str | os.PathLike[str] | None) -> None:
    if path is None:
        return
    with atomic_write(path) as tmp:
        fig.savefig(tmp, dpi=150, bbox_inches="tight")


def plot_need(
    result: SimulationResult, path: str | os.PathLike[str] | None = None, *, ax: Any = None
) -> Any:
    """Cheap dwellings reaching the referral per year against the 250–300 need.

    Each year shows the median (line) and the 10th–90th percentile (bar) of the
    cheap dwellings reaching the referral and of all cheap vacancies (the most any
    routing rule could give); the need is the shaded horizontal band. Saves to
    ``path`` (PNG, SVG or PDF by suffix) when given; returns the figure.
    """
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    labels = result.year_labels
    cheap = result.stats("referral_cheap")
    supply = result.stats("cheap_vacancies")
    for y in range(result.years):
        _band(
            ax,
            y - 0.18,
            0.32,
            supply["p10"][y],
            supply["p90"][y],
            supply["median"][y],
            _COLOURS[2],
            "all cheap vacancies" if y == 0 else None,
        )
        _band(
            ax,
            y + 0.18,
            0.32,
            cheap["p10"][y],
            cheap["p90"][y],
            cheap["median"][y],
            _COLOURS[0],
            "cheap dwellings to the referral" if y == 0 else None,
        )
    ax.axhspan(
        result.need_low,
        result.need_high,
        color=_COLOURS[1],
        alpha=0.18,
        label=f"expected need {result.need_low}–{result.need_high}",
    )
    ax.set_xticks(range(result.years), labels)
    ax.set_xlim(-0.6, result.years - 0.4)
    ax.set_ylim(0, max(result.need_high, max(supply["p90"])) * 1.15)
    ax.set_ylabel("dwellings ≤ 3,500 kr a month per year")
    ax.set_title(
        f"Cheap dwellings for the referral — {result.scenario_title}\n"
        f"{result.runs} runs, seed {result.seed}; median and 10th–90th percentile",
        fontsize=10,
    )
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    _save(fig, path)
    return fig


def plot_comparison(
    comparison: ScenarioComparison,
    path: str | os.PathLike[str] | None = None,
    *,
    ax: Any = None,
) -> Any:
    """Two scenarios' cheap referral dwellings per year, side by side, against the need."""
    plt = _pyplot()
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4.2))
    else:
        fig = ax.figure
    results = (comparison.base, comparison.other)
    top = 0.0
    for i, result in enumerate(results):
        stats = result.stats("referral_cheap")
        top = max(top, *stats["p90"])
        for y in range(result.years):
            _band(
                ax,
                y + (i - 0.5) * 0.36,
                0.32,
                stats["p10"][y],
                stats["p90"][y],
                stats["median"][y],
                _COLOURS[i * 3 % 4],
                result.scenario_title if y == 0 else None,
            )
    base = comparison.base
    ax.axhspan(
        base.need_low,
        base.need_high,
        color=_COLOURS[1],
        alpha=0.18,
        label=f"expected need {base.need_low}–{base.need_high}",
    )
    diff = comparison.difference("referral_cheap")
    for y in range(base.years):
        ax.annotate(f"{diff['mean'][y]:+.0f}", (y, top * 1.02), ha="center", fontsize=8)
    ax.set_xticks(range(base.years), base.year_labels)
    ax.set_xlim(-0.6, base.years - 0.4)
    ax.set_ylim(0, max(base.need_high, top) * 1.2)
    ax.set_ylabel("cheap dwellings to the referral per year")
    ax.set_title(
        "Scenario comparison: median and 10th–90th percentile; mean difference above the bars",
        fontsize=10,
    )
    ax.legend(loc="upper left", fontsize=8, frameon=False, ncols=3)
    _save(fig, path)
    return fig
