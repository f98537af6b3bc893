"""A whole report, built now, is the report recorded before the reports were split.

``tests/recorded/reports`` holds a month of a demonstration ledger (with a void,
a correction and a late vacancy), an evictions table and four reports built
from them by fuaalborg 0.1.0 — parties and public, Danish and English, two with
the demonstration banner — described through their public surface
(``tests/report_support.py``): envelope, sources and notes, every table as
shown with its dtypes, the values and suppression of every protected table, the
rule versions, the plain text, the figures and the xlsx workbook cell by cell.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fuaalborg import Municipality
from report_support import CASES, HERE, build, header, read_events


@pytest.fixture(scope="module")
def built(
    tmp_path_factory: pytest.TempPathFactory, example_municipality: Municipality
) -> list[dict[str, Any]]:
    municipality = example_municipality
    folder: Path = tmp_path_factory.mktemp("reports")
    return build(municipality, [header(municipality, folder), *read_events()], folder)


@pytest.fixture(scope="module")
def recorded() -> list[dict[str, Any]]:
    expected: list[dict[str, Any]] = json.loads(
        (HERE / "expected.json").read_text(encoding="utf-8"))
    return expected


def _without_pixels(summary: dict[str, Any]) -> dict[str, Any]:
    """The summary without the figures' bytes (another matplotlib draws other pixels)."""
    figures = {name: {"size": fig["size"]} for name, fig in summary["figures"].items()}
    return {**summary, "figures": figures, "matplotlib": None}


@pytest.mark.parametrize("case", range(len(CASES)),
                         ids=[f"{d}-{lang}{'-banner' if b else ''}" for d, lang, b in CASES])
def test_the_report_is_the_recorded_one(case: int, built: list[dict[str, Any]],
                                        recorded: list[dict[str, Any]]) -> None:
    got, want = built[case], recorded[case]
    if got["matplotlib"] != want["matplotlib"]:
        got, want = _without_pixels(got), _without_pixels(want)
    assert [t["key"] for t in got["tables"]] == [t["key"] for t in want["tables"]]
    for mine, theirs in zip(got["tables"], want["tables"], strict=True):
        assert mine == theirs, f"table {theirs['key']} differs"
    for sheet, recorded_sheet in zip(got["workbook"]["sheets"], want["workbook"]["sheets"],
                                     strict=True):
        assert sheet == recorded_sheet, f"sheet {recorded_sheet['name']} differs"
    assert got == want


def test_the_recorded_reports_cover_what_a_report_can_show(
    recorded: list[dict[str, Any]],
) -> None:
    parties_da, parties_en, public_da, public_en = recorded
    keys = {t["key"] for t in parties_da["tables"]}
    # corrections and voids, a late vacancy, priority groups, the audit
    assert {"R1_corrections", "R1_late_dep", "R3_group_dep", "R7_audit", "R7_rules"} <= keys
    corrections = next(t for t in parties_da["tables"] if t["key"] == "R1_corrections")
    assert {row[1] for row in corrections["frame"]["rows"]} == {"Annulleret", "Rettet"}
    # suppression in the public reports
    assert any(t["protected"] and '".."' in json.dumps(t["frame"])
               for t in public_en["tables"])
    assert all(t["section"] != "R7" for t in public_da["tables"])
    # the banner heads every sheet of a demonstration, and no other workbook
    for summary in (parties_da, public_en):
        assert all(s["head"][0] == [summary["banner"]] for s in summary["workbook"]["sheets"])
    for summary in (parties_en, public_da):
        assert summary["banner"] == ""
    assert parties_en["workbook"]["sheets"][0]["name"] == "Cover"
    assert public_da["workbook"]["sheets"][0]["name"] == "Forside"
