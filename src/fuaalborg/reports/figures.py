"""Figures of the report (R1, R2 and R5) as PNG.

matplotlib is imported only when a figure is drawn (the ``plot`` extra); the
figures are drawn as the simulation's are, with :mod:`fuaalborg._plotting`
(no display needed, no window opened, the same style whatever the user's
matplotlib settings). The figures are drawn from the report's *shown* tables,
so a public report's figures cannot show a suppressed value: a suppressed cell
is drawn as nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from fuaalborg import _plotting
from fuaalborg.reports.disclosure import SUPPRESSED
from fuaalborg.reports.labels import label, language
from fuaalborg.reports.model import Report

if TYPE_CHECKING:
    from fuaalborg.monitoring.steps import Placement

__all__ = ["FIGURES", "report_figures", "save_figures"]

#: The figures of a report: name → the table it is drawn from.
FIGURES = {"R1": "R1_org", "R2": "R2_rent_agreement", "R5": "R5_org"}

#: The resolution of a report's figures (sized for a sheet of the workbook).
_DPI = 110


def _numbers(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.replace(SUPPRESSED, np.nan)
    numbers: pd.DataFrame = out.apply(pd.to_numeric, errors="coerce")
    return numbers


def _stacked(frame: pd.DataFrame, title: str, colours: list[str] | None, ylabel: str) -> bytes:
    rows = frame.iloc[:-1]  # without the total row
    names = rows.iloc[:, 0].astype(str).tolist()
    values = _numbers(rows.iloc[:, 1:])
    fig = _plotting.figure((9, 0.35 * max(len(names), 4) + 1.5))
    ax = fig.subplots()
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
    return _plotting.png(fig, _DPI)


def report_figures(report: Report, placement: Placement | None = None) -> dict[str, bytes]:
    """Draw the figures of ``report`` (PNG bytes by name: ``R1``, ``R2``, ``R5``)."""
    with _plotting.drawing():
        return _figures(report)


def _figures(report: Report) -> dict[str, bytes]:
    lang = language(report.lang)
    out: dict[str, bytes] = {}
    keys = {t.key for t in report.tables}
    count_label = label("axis.count", lang)
    if "R1_org" in keys:
        r1 = report.table("R1_org")
        out["R1"] = _stacked(r1.iloc[:, :-1] if r1.columns[-1] == label("total", lang) else r1,
                             label("R1", lang), None, count_label)
    if "R2_rent_agreement" in keys:
        r2 = report.table("R2_rent_agreement")
        body = r2.iloc[:-1]
        values = _numbers(body.iloc[:, 1:])
        fig = _plotting.figure((8, 4))
        ax = fig.subplots()
        x = np.arange(len(body))
        width = 0.8 / max(len(values.columns) - 1, 1)
        for k, column in enumerate(values.columns[1:]):
            ax.bar(x + k * width, values[column].fillna(0), width, label=str(column))
        ax.set_xticks(x + width * (len(values.columns) - 2) / 2,
                      body.iloc[:, 0].astype(str).tolist())
        ax.set_title(label("R2", lang))
        ax.set_ylabel(count_label)
        ax.legend(fontsize="small")
        out["R2"] = _plotting.png(fig, _DPI)
    if "R5_org" in keys:
        r5 = report.table("R5_org")
        r5 = r5.iloc[:, :-1] if r5.columns[-1] == label("total", lang) else r5
        out["R5"] = _stacked(r5, label("R5", lang), list(_plotting.COLOUR_HEX.values()),
                             label("axis.departments", lang))
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
