"""Figures of the report (R1, R2 and R5) as PNG, drawn with matplotlib's Agg backend.

matplotlib is imported only when a figure is drawn (the ``plot`` extra). The
figures are drawn from the report's *shown* tables, so a public report's
figures cannot show a suppressed value: a suppressed cell is drawn as nothing.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from fuaalborg.errors import FuaalborgError
from fuaalborg.reports.disclosure import SUPPRESSED
from fuaalborg.reports.labels import Language, label

if TYPE_CHECKING:
    from fuaalborg.monitoring.steps import Placement
    from fuaalborg.reports.report import Report

__all__ = ["FIGURES", "report_figures", "save_figures"]

#: The figures of a report: name → the table it is drawn from.
FIGURES = {"R1": "R1_org", "R2": "R2_rent_agreement", "R5": "R5_org"}

_COLOURS = {"green": "#3a9d4a", "yellow": "#f2c12e", "red": "#c8302c"}


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - matplotlib is in the plot extra
        raise FuaalborgError(
            "figures need matplotlib: install fuaalborg[plot]"
        ) from None
    return plt


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.replace(SUPPRESSED, np.nan)
    numbers: pd.DataFrame = out.apply(pd.to_numeric, errors="coerce")
    return numbers


def _png(fig: Any) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight",
                metadata={"Software": None})
    return buffer.getvalue()


def _stacked(frame: pd.DataFrame, title: str, colours: list[str] | None, ylabel: str) -> bytes:
    plt = _pyplot()
    rows = frame.iloc[:-1]  # without the total row
    names = rows.iloc[:, 0].astype(str).tolist()
    values = _numbers(rows.iloc[:, 1:])
    fig, ax = plt.subplots(figsize=(9, 0.35 * max(len(names), 4) + 1.5))
    left = np.zeros(len(names))
    for k, column in enumerate(values.columns):
        widths = values[column].fillna(0).to_numpy(dtype=float)
        ax.barh(names, widths, left=left, label=str(column),
                color=None if colours is None else colours[k % len(colours)])
        left += widths
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_xlabel(ylabel)
    ax.legend(fontsize="small", loc="lower right")
    png = _png(fig)
    plt.close(fig)
    return png


def report_figures(report: Report, placement: Placement | None = None) -> dict[str, bytes]:
    """Draw the figures of ``report`` (PNG bytes by name: ``R1``, ``R2``, ``R5``)."""
    lang: Language = "en" if report.lang == "en" else "da"
    out: dict[str, bytes] = {}
    keys = {t.key for t in report.tables}
    count_label = "Antal" if lang == "da" else "Count"
    if "R1_org" in keys:
        r1 = report.table("R1_org")
        out["R1"] = _stacked(r1.iloc[:, :-1] if r1.columns[-1] == label("total", lang) else r1,
                             label("R1", lang), None, count_label)
    if "R2_rent_agreement" in keys:
        plt = _pyplot()
        r2 = report.table("R2_rent_agreement")
        body = r2.iloc[:-1]
        values = _numbers(body.iloc[:, 1:])
        fig, ax = plt.subplots(figsize=(8, 4))
        x = np.arange(len(body))
        width = 0.8 / max(len(values.columns) - 1, 1)
        for k, column in enumerate(values.columns[1:]):
            ax.bar(x + k * width, values[column].fillna(0), width, label=str(column))
        ax.set_xticks(x + width * (len(values.columns) - 2) / 2,
                      body.iloc[:, 0].astype(str).tolist())
        ax.set_title(label("R2", lang))
        ax.set_ylabel(count_label)
        ax.legend(fontsize="small")
        out["R2"] = _png(fig)
        plt.close(fig)
    if "R5_org" in keys:
        r5 = report.table("R5_org")
        r5 = r5.iloc[:, :-1] if r5.columns[-1] == label("total", lang) else r5
        out["R5"] = _stacked(r5, label("R5", lang), [_COLOURS[c] for c in _COLOURS],
                             "Afdelinger" if lang == "da" else "Departments")
    return out


def save_figures(report: Report, folder: str | os.PathLike[str]) -> list[Path]:
    """Write the report's figures as ``<name>.png`` files into ``folder`` (atomically)."""
    from fuaalborg.tables import atomic_write

    paths = []
    for name, png in report.figures.items():
        target = Path(folder) / f"{name}.png"
        with atomic_write(target) as tmp:
            tmp.write_bytes(png)
        paths.append(target)
    return paths
