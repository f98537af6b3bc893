"""Reports for the strategic working group (agreement, afsnit 7.2), with disclosure control.

- :mod:`~fuaalborg.reports.report`: :func:`build_report` and :class:`Report`
  (sections R1–R7, the envelope, figures);
- :mod:`~fuaalborg.reports.disclosure`: primary and secondary suppression of
  public tables and an independent check;
- :mod:`~fuaalborg.reports.evictions`: the evictions input table (fogedsager);
- :mod:`~fuaalborg.reports.waiting`: waiting time at letting (R6);
- :mod:`~fuaalborg.reports.workbook` and :mod:`~fuaalborg.reports.figures`:
  the xlsx workbook and the PNG figures;
- :mod:`~fuaalborg.reports.demo`: a demonstration ledger for the example
  municipality.
"""

from fuaalborg.reports.disclosure import (
    SUPPRESSED,
    DisclosureError,
    ProtectedTable,
    check_protected,
    protect_counts,
    protect_derived,
    recoverable_cells,
)
from fuaalborg.reports.evictions import EVICTIONS, read_evictions
from fuaalborg.reports.report import (
    DISCLOSURE_LEVELS,
    ROUTE_CATEGORIES,
    Report,
    ReportInputError,
    ReportTable,
    build_report,
    letting_frame,
)
from fuaalborg.reports.waiting import waiting_time
from fuaalborg.reports.workbook import write_workbook

__all__ = [
    "DISCLOSURE_LEVELS",
    "EVICTIONS",
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
