"""The report as an xlsx workbook (openpyxl), written atomically.

One sheet for the cover (the envelope: municipality, period, agreement,
disclosure level, language, sources and notes), one per section (R1 … R7)
with a heading and each table under its own heading, the section's figure
embedded, and one sheet of the rule versions. A report's banner (a
demonstration on invented data says so) heads every sheet. A public report is checked once
more before anything is written (:func:`~fuaalborg.reports.disclosure.check_protected`);
the file appears only when it is complete.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from fuaalborg.reports.disclosure import check_protected
from fuaalborg.reports.labels import Language, label
from fuaalborg.tables import atomic_write

if TYPE_CHECKING:
    from fuaalborg.reports.report import Report

__all__ = ["sheet_names", "write_workbook"]


def sheet_names(report: Report) -> list[str]:
    """The sheets the workbook of ``report`` has, in order."""
    lang: Language = "en" if report.lang == "en" else "da"
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


def write_workbook(report: Report, path: str | os.PathLike[str]) -> Path:
    """Write ``report`` to ``path`` as xlsx; never leaves a partial file."""
    from openpyxl import Workbook
    from openpyxl.drawing.image import Image
    from openpyxl.styles import Font

    if report.disclosure == "public":
        check_protected((t.key, t.protected) for t in report.tables if t.protected is not None)
    lang: Language = "en" if report.lang == "en" else "da"
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
