"""The report as an xlsx workbook (openpyxl), written atomically.

One sheet for the cover (the envelope: municipality, period, agreement,
disclosure level, language, sources and notes), one per section (R1 … R7)
with a heading and each table under its own heading, the section's figure
embedded, and one sheet of the rule versions. A report's banner (a
demonstration on invented data says so) heads every sheet. A public report is checked once
more before anything is written (:func:`~fuaalborg.reports.disclosure.check_protected`);
the file appears only when it is complete.

The writer reads a report through the shapes :class:`WorkbookReport` and
:class:`WorkbookTable` — what it needs of a :class:`~fuaalborg.reports.model.Report`
and its tables — rather than importing the report's class, so that
:meth:`Report.write <fuaalborg.reports.model.Report.write>` can call it without
the two modules importing each other.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from fuaalborg.reports.disclosure import ProtectedTable, check_protected
from fuaalborg.reports.labels import label, language
from fuaalborg.tables import atomic_write

__all__ = ["WorkbookReport", "WorkbookTable", "sheet_names", "write_workbook"]


class WorkbookTable(Protocol):
    """What the workbook reads of a table (a :class:`~fuaalborg.reports.model.ReportTable`)."""

    @property
    def key(self) -> str:
        """The table's key."""

    @property
    def section(self) -> str:
        """The section it belongs to (``R1`` … ``R7``)."""

    @property
    def title(self) -> str:
        """Its heading."""

    @property
    def note(self) -> str:
        """The note under its heading (empty for none)."""

    @property
    def frame(self) -> pd.DataFrame:
        """The table as shown."""

    @property
    def protected(self) -> ProtectedTable | None:
        """Its values and suppression, if it is protected."""


class WorkbookReport(Protocol):
    """What the workbook reads of a report (a :class:`~fuaalborg.reports.model.Report`)."""

    @property
    def start(self) -> dt.date:
        """The first day of the period."""

    @property
    def end(self) -> dt.date:
        """The last day of the period."""

    @property
    def disclosure(self) -> str:
        """``parties`` or ``public``."""

    @property
    def lang(self) -> str:
        """``da`` or ``en``."""

    @property
    def banner(self) -> str:
        """The line that heads every sheet (empty for none)."""

    @property
    def tables(self) -> Sequence[WorkbookTable]:
        """The tables, in order."""

    @property
    def sections(self) -> list[str]:
        """The sections present, in order."""

    @property
    def figures(self) -> Mapping[str, bytes]:
        """The figures as PNG bytes, by section."""

    @property
    def rule_versions(self) -> pd.DataFrame:
        """The rule versions in force."""

    def envelope(self) -> list[tuple[str, str]]:
        """The envelope as (heading, text) pairs."""


def sheet_names(report: WorkbookReport) -> list[str]:
    """The sheets the workbook of ``report`` has, in order."""
    lang = language(report.lang)
    return [label("cover", lang), *report.sections, label("rules", lang)]


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and pd.isna(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if hasattr(value, "item") and not isinstance(value, str):
        return value.item()
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _banner(sheet: Any, text: str) -> None:
    """Put ``text`` (a report's banner) in the sheet's first row, in bold red."""
    from openpyxl.styles import Font

    if text:
        sheet.append([text])
        sheet.cell(row=1, column=1).font = Font(bold=True, color="C00000")


def write_workbook(report: WorkbookReport, path: str | os.PathLike[str]) -> Path:
    """Write ``report`` to ``path`` as xlsx; never leaves a partial file."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    if report.disclosure == "public":
        check_protected((t.key, t.protected) for t in report.tables if t.protected is not None)
    lang = language(report.lang)
    book = Workbook()
    cover = book.active
    cover.title = label("cover", lang)
    _banner(cover, report.banner)
    cover.append([label("title", lang)])
    cover.cell(row=cover.max_row, column=1).font = Font(bold=True, size=14)
    cover.append([])
    for heading, text in report.envelope():
        cover.append([heading, text])
        cover.cell(row=cover.max_row, column=1).font = Font(bold=True)
    cover.column_dimensions["A"].width = 24
    cover.column_dimensions["B"].width = 100
    for section in report.sections:
        sheet = book.create_sheet(section)
        _banner(sheet, report.banner)
        sheet.append([label(section, lang)])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
        sheet.append([f"{label('period', lang)}: {report.start.isoformat()} – "
                      f"{report.end.isoformat()}; {label('disclosure', lang)}: "
                      f"{label('disclosure.' + report.disclosure, lang)}"])
        for table in (t for t in report.tables if t.section == section):
            sheet.append([])
            sheet.append([table.title])
            sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True)
            if table.note:
                sheet.append([table.note])
                sheet.cell(row=sheet.max_row, column=1).font = Font(italic=True)
            sheet.append([str(c) for c in table.frame.columns])
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
            for row in table.frame.itertuples(index=False, name=None):
                sheet.append([_cell(v) for v in row])
        sheet.column_dimensions["A"].width = 34
        png = report.figures.get(section)
        if png:
            image = Image(io.BytesIO(png))
            column = max(sheet.max_column + 2, 8)
            from openpyxl.utils import get_column_letter

            sheet.add_image(image, f"{get_column_letter(column)}3")
    rules = book.create_sheet(label("rules", lang))
    _banner(rules, report.banner)
    versions = report.rule_versions
    rules.append([label(c, lang) for c in versions.columns])
    for cell in rules[rules.max_row]:
        cell.font = Font(bold=True)
    for row in versions.itertuples(index=False, name=None):
        rules.append([_cell(v) for v in row])
    book.properties.title = label("title", lang)
    target = Path(path)
    with atomic_write(target) as tmp:
        book.save(tmp)
    return target
