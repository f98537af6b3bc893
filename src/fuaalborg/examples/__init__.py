"""The bundled example municipality (eksempelkommune): synthetic, deterministic, calibrated.

Every feature of fuaalborg can be tried on :func:`load`, a synthetic
municipality with the agreement's 14 real housing organisations and invented
departments, areas, dwellings, indicators, list designations and waiting-list
applicants. Its counts reproduce the agreement's own figures exactly (271
departments; 22,972 family and 352 BAB dwellings; 1,849 dwellings at most
3,500 kr a month and 6,149 above 3,500 and at most 5,000 kr, 194 and 380 of them
in prevention areas). Everything else is invented: no row describes a real
department, area or person.

>>> municipality = load()
>>> municipality.name, municipality.synthetic
('Eksempelkommune (syntetisk)', True)
>>> len(municipality.departments), int(municipality.dwellings["kind"].eq("bab").sum())
(271, 352)

:func:`generate` builds the same kind of municipality from another seed;
:func:`export` writes the tables as files that
:meth:`Municipality.from_folder <fuaalborg.municipality.Municipality.from_folder>`
reads back.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Literal

import attrs

from fuaalborg.errors import ValidationError
from fuaalborg.examples._applicants import APPLICANT_COLUMNS, PROTECTED_COLUMNS
from fuaalborg.examples._calibration import Calibration
from fuaalborg.examples._generator import DEFAULT_SEED, NAME, generate
from fuaalborg.municipality import Municipality
from fuaalborg.tables import write_table

__all__ = [
    "APPLICANT_COLUMNS",
    "DEFAULT_SEED",
    "NAME",
    "PROTECTED_COLUMNS",
    "TABLES",
    "Calibration",
    "export",
    "generate",
    "load",
]

#: The tables :func:`export` writes, in order (``applicants`` and
#: ``area_indicators`` included).
TABLES = (
    "organisations",
    "departments",
    "dwellings",
    "areas",
    "indicators",
    "lists",
    "area_indicators",
    "applicants",
)


@cache
def _cached() -> Municipality:
    return generate(DEFAULT_SEED)


def load() -> Municipality:
    """The bundled example municipality, generated once per process with :data:`DEFAULT_SEED`.

    Each call returns a new :class:`~fuaalborg.municipality.Municipality` over
    copy-on-write copies of the cached tables, so changing one caller's frames
    does not change another's.
    """
    municipality = _cached()
    return attrs.evolve(
        municipality,
        **{table: getattr(municipality, table).copy(deep=False) for table in TABLES},
    )


def export(
    folder: str | os.PathLike[str],
    fmt: Literal["csv", "xlsx"] = "csv",
    *,
    municipality: Municipality | None = None,
) -> list[Path]:
    """Write each table of ``municipality`` (default: :func:`load`) as ``<table>.csv`` or ``.xlsx``.

    Each file is written atomically (a failure never leaves a partial file).
    :meth:`Municipality.from_folder <fuaalborg.municipality.Municipality.from_folder>`
    reads the folder back to the same tables. Returns the paths written.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     [p.name for p in export(folder)][:3]
    ['organisations.csv', 'departments.csv', 'dwellings.csv']
    """
    if fmt not in ("csv", "xlsx"):
        raise ValidationError(f"export format {fmt!r}: expected csv or xlsx")
    source = municipality if municipality is not None else load()
    base = Path(folder)
    frames = {table: getattr(source, table) for table in TABLES}
    written = []
    for table, frame in frames.items():
        if table in ("applicants", "area_indicators") and frame.empty:
            continue
        written.append(write_table(frame, base / f"{table}.{fmt}", sheet_name=table))
    return written
