"""A municipality's own folder in tests: the guide's Fjordby, and editing its Danish files."""

from __future__ import annotations

from pathlib import Path

#: The invented municipality of the guide "Your own municipality" (Danish-Excel CSV files).
FJORDBY = Path(__file__).parent.parent / "docs" / "fjordby"


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Set one cell of a Danish CSV file (``;``-separated, BOM; row 1 is the first data row)."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(";")
    cells = lines[row].split(";")
    cells[header.index(column)] = value
    lines[row] = ";".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
