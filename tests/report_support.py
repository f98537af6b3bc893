"""A whole report as plain JSON, and the recorded inputs it is built from.

Used by ``tests/test_reports_recorded.py`` and by the script that wrote its
fixture (``tests/recorded/reports/write_report.py``): both describe a report the
same way, through its public surface only — the envelope, every table as shown
(with its dtypes, and the values and suppression of a protected table), the
rule versions, the plain text, the figures and the xlsx workbook read back cell
by cell.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).parent / "recorded" / "reports"
START, END = dt.date(2024, 1, 1), dt.date(2024, 1, 31)
#: The four reports: (disclosure, language, a demonstration — with the banner and the
#: figures; figures take a second a report to draw, so the other two have none).
CASES = (
    ("parties", "da", True),
    ("parties", "en", False),
    ("public", "da", False),
    ("public", "en", True),
)


def cell(value: Any) -> Any:
    """A cell as JSON: missing values as ``None``, numbers and texts as they are."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, str):
        return value
    if isinstance(value, pd.Timestamp | dt.date | dt.datetime):
        return {"date": value.isoformat()}
    return {"repr": repr(value)}


#: Frames longer than this are kept as their first rows and a digest of all of them.
LONG = 40


def frame(table: pd.DataFrame) -> dict[str, Any]:
    """A frame as JSON: index, columns, dtypes and every cell (a long frame's cells as a
    digest, its first rows in full)."""
    index = [cell(i) for i in table.index]
    rows = [[cell(v) for v in row] for row in table.itertuples(index=False, name=None)]
    out: dict[str, Any] = {
        "index_name": cell(table.index.name),
        "columns": [str(c) for c in table.columns],
        "dtypes": [str(t) for t in table.dtypes],
        "n_rows": len(rows),
    }
    if len(rows) <= LONG:
        return out | {"index": index, "rows": rows}
    return out | {"index": digest(index), "rows": digest(rows), "head": rows[:10]}


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height of a PNG image, from its header."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def digest(value: Any) -> str:
    """The SHA-256 of ``value`` as canonical JSON (or of bytes)."""
    data = value if isinstance(value, bytes) else json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(data).hexdigest()


def workbook(path: Path) -> dict[str, Any]:
    """Every sheet of an xlsx file: its cells (as a digest; the first rows in full), which
    are bold, italic or coloured, its images and its column widths."""
    import openpyxl

    book = openpyxl.load_workbook(path)
    out: dict[str, Any] = {"sheets": [], "title": book.properties.title}
    for sheet in book.worksheets:
        rows = [[cell(c.value) for c in row] for row in sheet.iter_rows()]
        while rows and all(v is None for v in rows[-1]):
            rows.pop()
        styled = [
            [c.coordinate, bool(c.font.bold), bool(c.font.italic),
             None if c.font.color is None else str(c.font.color.rgb), c.font.size]
            for row in sheet.iter_rows() for c in row
            if c.has_style and c.value is not None
            and (c.font.bold or c.font.italic or c.font.color is not None)
        ]
        images = [
            [img.anchor._from.col, img.anchor._from.row, *png_size(img._data())]
            for img in sheet._images
        ]
        out["sheets"].append({"name": sheet.title, "n_rows": len(rows),
                              "head": [_trimmed(r) for r in rows[:6]],
                              "cells": digest([_trimmed(r) for r in rows]),
                              "styled": digest(styled), "n_styled": len(styled),
                              "images": images,
                              "widths": {k: d.width for k, d in
                                         sorted(sheet.column_dimensions.items())
                                         if d.width}})
    return out


def _trimmed(row: list[Any]) -> list[Any]:
    row = list(row)
    while row and row[-1] is None:
        row.pop()
    return row


def summary(report: Any, folder: Path) -> dict[str, Any]:
    """The whole of ``report`` as JSON, its workbook written into ``folder``."""
    import matplotlib

    tables = []
    for table in report.tables:
        protected = None
        if table.protected is not None:
            p = table.protected
            protected = {
                "values": frame(p.values),
                "suppressed": frame(p.suppressed),
                "primary": frame(p.primary),
                "threshold": p.threshold,
                "margins": p.margins,
                "kind": p.kind,
            }
        tables.append({
            "key": table.key,
            "section": table.section,
            "title": table.title,
            "note": table.note,
            "frame": frame(table.frame),
            "protected": protected,
        })
    path = report.write(folder / f"{report.disclosure}-{report.lang}.xlsx")
    return {
        "municipality": report.municipality,
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "disclosure": report.disclosure,
        "lang": report.lang,
        "agreement": report.agreement,
        "sources": list(report.sources),
        "notes": list(report.notes),
        "empty": report.empty,
        "threshold": report.threshold,
        "banner": report.banner,
        "sections": list(report.sections),
        "envelope": [list(pair) for pair in report.envelope()],
        "text_head": report.to_text().splitlines()[:12],
        "text": digest(report.to_text()),
        "tables": tables,
        "rule_versions": frame(report.rule_versions),
        "figures": {
            name: {"size": list(png_size(png)), "sha256": digest(png)}
            for name, png in sorted(report.figures.items())
        },
        "matplotlib": matplotlib.__version__,
        "workbook": workbook(path),
    }


def dumps(value: Any, indent: str = "") -> str:
    """JSON with one line per list of plain values (a table's row), readable in a diff."""
    inner = indent + " "
    if isinstance(value, dict) and value:
        items = [f"{inner}{json.dumps(k, ensure_ascii=False)}: {dumps(v, inner)}"
                 for k, v in sorted(value.items())]
        return "{\n" + ",\n".join(items) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, list | dict) and v for v in value):
        return "[\n" + ",\n".join(inner + dumps(v, inner) for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def read_events() -> list[dict[str, Any]]:
    """The recorded ledger events after the header (``ledger.jsonl``)."""
    with (HERE / "ledger.jsonl").open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def header(municipality: Any, folder: Path) -> dict[str, Any]:
    """The ``created`` event a new ledger of ``town`` starts with (the recorded events'
    header is not kept: it holds every dwelling of the example municipality)."""
    from fuaalborg.letting.ledger import Ledger

    with Ledger.create(folder / "header.jsonl", municipality) as ledger:
        events: Iterator[dict[str, Any]] = iter(ledger.events())
        return next(e for e in events if e["type"] == "created")


def audit_report() -> Any:
    """A criteria audit for R7: a changed result, an unchecked subject, a warning."""
    from fuaalborg.criteria.audit import AuditCheck, AuditReport, ImpactRow

    return AuditReport(
        on=END,
        applicants=1200,
        protected=("citizenship", "ethnicity"),
        checks=(
            AuditCheck("builtin.youth", "criterion", "without ethnicity", 0),
            AuditCheck("builtin.youth", "criterion", "without citizenship", 0),
            AuditCheck("agreement.31831814", "agreement", "without ethnicity", 2),
        ),
        unchecked=(("org.custom", "the sample lacks field 'income'"),),
        impact=(
            ImpactRow("builtin.youth", "age_band", "18-24", 300, 0.5, 1.0, False),
            ImpactRow("builtin.youth", "age_band", "25-34", 400, 0.2, 0.4, True, 0.001),
        ),
        threshold=0.8,
        min_group_size=20,
    )


def build(municipality: Any, events: list[dict[str, Any]], folder: Path) -> list[dict[str, Any]]:
    """The four reports of :data:`CASES` from ``events``, each as :func:`summary`."""
    import attrs

    from fuaalborg.reports import build_report
    from fuaalborg.reports.labels import label

    out = []
    for disclosure, lang, banner in CASES:
        report = build_report(municipality, events, START, END, disclosure=disclosure, lang=lang,
                              evictions=str(HERE / "evictions.csv"), audit=audit_report(),
                              preset=municipality.preset, figures=banner)
        if banner:  # as ``fuaalborg report`` marks a demonstration
            text = label("demonstration", lang)
            report = attrs.evolve(report, banner=text, notes=(text, *report.notes))
        out.append(summary(report, folder))
    return out
