"""Reports for the strategic working group (agreement, afsnit 7.2), with disclosure control.

One concern a module, each importing only the ones listed before it:

- :mod:`~fuaalborg.reports.labels`: every word of a report, in Danish and English;
- :mod:`~fuaalborg.reports.disclosure`: primary and secondary suppression of
  public tables and an independent check;
- :mod:`~fuaalborg.reports.workbook`: the xlsx workbook;
- :mod:`~fuaalborg.reports.model`: the data — :class:`Report`, :class:`ReportTable`
  and the categories a report counts;
- :mod:`~fuaalborg.reports.evictions`: the evictions input table (fogedsager);
- :mod:`~fuaalborg.reports.waiting`: waiting time at letting (R6);
- :mod:`~fuaalborg.reports.lettings`: reading the letting ledger — its
  lettings, corrections and rule versions;
- :mod:`~fuaalborg.reports.sections`: the sections R1–R7;
- :mod:`~fuaalborg.reports.figures`: the PNG figures;
- :mod:`~fuaalborg.reports.report`: :func:`build_report`, which puts them together;
- :mod:`~fuaalborg.reports.routes` and :mod:`~fuaalborg.reports.demo`: routes
  counted by colour and rent band, and a demonstration ledger for the example
  municipality.

The names below load on first use, as the top-level package's do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fuaalborg import _lazy

if TYPE_CHECKING:
    from fuaalborg.reports.disclosure import (
        NO_CASES,
        SUPPRESSED,
        DisclosureError,
        ProtectedTable,
        check_protected,
        protect_counts,
        protect_derived,
        recoverable_cells,
    )
    from fuaalborg.reports.evictions import EVICTIONS, read_evictions
    from fuaalborg.reports.lettings import letting_frame
    from fuaalborg.reports.model import (
        DISCLOSURE_LEVELS,
        ROUTE_CATEGORIES,
        Report,
        ReportInputError,
        ReportTable,
    )
    from fuaalborg.reports.report import build_report
    from fuaalborg.reports.waiting import waiting_time
    from fuaalborg.reports.workbook import write_workbook

_lazy.attach(
    globals(),
    {
        "fuaalborg.reports.disclosure": (
            "NO_CASES", "SUPPRESSED", "DisclosureError", "ProtectedTable", "check_protected",
            "protect_counts", "protect_derived", "recoverable_cells",
        ),
        "fuaalborg.reports.evictions": ("EVICTIONS", "read_evictions"),
        "fuaalborg.reports.lettings": ("letting_frame",),
        "fuaalborg.reports.model": (
            "DISCLOSURE_LEVELS", "ROUTE_CATEGORIES", "Report", "ReportInputError", "ReportTable",
        ),
        "fuaalborg.reports.report": ("build_report",),
        "fuaalborg.reports.waiting": ("waiting_time",),
        "fuaalborg.reports.workbook": ("write_workbook",),
    },
    submodules=frozenset({
        "demo", "disclosure", "evictions", "figures", "labels", "lettings", "model", "report",
        "routes", "sections", "waiting", "workbook",
    }),
)

__all__ = [
    "DISCLOSURE_LEVELS",
    "EVICTIONS",
    "NO_CASES",
    "ROUTE_CATEGORIES",
    "SUPPRESSED",
    "DisclosureError",
    "ProtectedTable",
    "Report",
    "ReportInputError",
    "ReportTable",
    "build_report",
    "check_protected",
    "letting_frame",
    "protect_counts",
    "protect_derived",
    "read_evictions",
    "recoverable_cells",
    "waiting_time",
    "write_workbook",
]
