"""The report's data: :class:`Report`, its :class:`ReportTable` s and the categories it counts.

A :class:`Report` holds what :func:`~fuaalborg.reports.report.build_report`
found — the envelope (period, agreement, sources, notes, disclosure level,
language), the tables by section, the rule versions and the figures as PNG
bytes — and shows itself as the envelope's lines or as plain text. It is written
as a workbook by :mod:`~fuaalborg.reports.workbook` (:meth:`Report.write`).

This module imports nothing else of :mod:`fuaalborg.reports` but the labels and
the disclosure control; every other report module may import it.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import attrs
import pandas as pd

from fuaalborg._types import Language
from fuaalborg.errors import InputError, Problem
from fuaalborg.reports.disclosure import ProtectedTable
from fuaalborg.reports.labels import label, language

__all__ = [
    "DISCLOSURE_LEVELS",
    "REFERRAL_OUTCOMES",
    "ROUTE_CATEGORIES",
    "Disclosure",
    "Report",
    "ReportInputError",
    "ReportTable",
]

#: The disclosure levels: for the parties to the agreement, or public.
DISCLOSURE_LEVELS = ("parties", "public")
#: The route categories of a letting in R1, R4 and R6.
ROUTE_CATEGORIES = ("referral", "flexible", "internal", "ordinary")
#: What became of a vacancy in R2 (a partition of the vacancies).
REFERRAL_OUTCOMES = (
    "not_referred",
    "referral_let",
    "referral_accepted",
    "referral_declined",
    "referral_pending",
)

Disclosure = Literal["parties", "public"]


class ReportInputError(InputError):
    """Input a report cannot be built from; ``problems`` lists every one.

    A :class:`~fuaalborg.errors.ProblemsError`: each problem's ``where`` is the
    argument of :func:`~fuaalborg.reports.report.build_report` it concerns
    (``disclosure``, ``lang``), or empty for a problem of the ledger or the
    period as a whole; a text is taken as such a problem.
    """

    head = "cannot build the report: {count}"

    def __init__(self, problems: Iterable[Problem | str]) -> None:
        super().__init__(p if isinstance(p, Problem) else Problem("", p) for p in problems)


@attrs.frozen(eq=False)
class ReportTable:
    """One table of a report section.

    ``frame`` is the table as shown (suppressed cells hold
    :data:`~fuaalborg.reports.disclosure.SUPPRESSED` in a public report);
    ``protected`` keeps the values and the suppression mask of a protected
    table; ``note`` explains the table.
    """

    key: str
    section: str
    title: str
    frame: pd.DataFrame
    protected: ProtectedTable | None = None
    note: str = ""


@attrs.frozen(eq=False)
class Report:
    """A report: its envelope, its tables by section, and its figures (PNG bytes).

    ``banner`` (e.g. that the report is a demonstration on invented data) heads
    the text and every sheet of the workbook. ``rule_versions`` lists the rules
    in force (``parameter, value, from, until, reference``), each value as the
    report shows it in its language
    (:func:`~fuaalborg.formatting.format_value` with ``lang``).
    """

    municipality: str
    start: dt.date
    end: dt.date
    disclosure: Disclosure
    lang: Language
    agreement: str
    sources: tuple[str, ...]
    rule_versions: pd.DataFrame
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...] = ()
    empty: bool = False
    threshold: int = 5
    figures: Mapping[str, bytes] = attrs.field(factory=dict)
    banner: str = ""

    @property
    def sections(self) -> list[str]:
        """The sections present, in order (``R1`` … ``R7``)."""
        seen: list[str] = []
        for table in self.tables:
            if table.section not in seen:
                seen.append(table.section)
        return seen

    def table(self, key: str) -> pd.DataFrame:
        """The shown frame of the table called ``key``."""
        for table in self.tables:
            if table.key == key:
                return table.frame
        raise KeyError(f"the report has no table {key!r}")

    def envelope(self) -> list[tuple[str, str]]:
        """The report's envelope as (heading, text) pairs in the report's language."""
        lang = language(self.lang)
        rows = [
            (label("municipality", lang), self.municipality),
            (label("period", lang), f"{self.start.isoformat()} – {self.end.isoformat()}"),
            (label("agreement", lang), self.agreement),
            (label("disclosure", lang), label(f"disclosure.{self.disclosure}", lang)),
            (label("language", lang), self.lang),
            (label("sources", lang), "; ".join(self.sources)),
        ]
        rows.extend((label("notes", lang), note) for note in self.notes)
        return rows

    def to_text(self) -> str:
        """The whole report as plain text (envelope and every table)."""
        lines = ([self.banner] if self.banner else []) + [f"{k}: {v}" for k, v in self.envelope()]
        for table in self.tables:
            lines.extend(["", table.title])
            if table.note:
                lines.append(table.note)
            lines.append(table.frame.to_string(index=False) if len(table.frame) else "—")
        return "\n".join(lines)

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the report as an xlsx workbook, atomically; see
        :func:`fuaalborg.reports.workbook.write_workbook`."""
        from fuaalborg.reports.workbook import write_workbook

        return write_workbook(self, path)
