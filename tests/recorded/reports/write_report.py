"""Write the recorded report in this folder (run once; the files are the fixture).

- ``ledger.jsonl``: the events of a demonstration ledger of the example
  municipality for January 2024 (20 lettings through offer rounds), with a
  void, a correction and a vacancy recorded late — every event after the
  ``created`` header, which is not kept (it holds every dwelling of the
  example; the test writes a fresh one);
- ``evictions.csv``: an invented evictions table for the month;
- ``expected.json``: four reports built from them — parties and public, Danish
  and English, two of them with the demonstration banner — each described by
  ``tests/report_support.py``: envelope, tables as shown, protected values and
  suppression, rule versions, plain text, figures and the workbook cell by cell.

``tests/test_reports_recorded.py`` builds the same reports with the code at
hand and compares. The files were written by fuaalborg 0.1.0 before the
reports were split into modules. Run this again only when a report is meant to
change (a new table, new wording), and say so in the commit; ``--expected-only``
keeps the recorded ledger and evictions and writes the reports alone::

    python tests/recorded/reports/write_report.py [--expected-only]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent.parent))

from fuaalborg import examples  # noqa: E402
from fuaalborg.letting.ledger import Ledger  # noqa: E402
from fuaalborg.reports.demo import demo_evictions, demo_ledger  # noqa: E402
from report_support import END, START, build, dumps, header, read_events  # noqa: E402


def write_ledger(municipality: object, folder: Path) -> list[dict[str, object]]:
    """The demonstration ledger with a void, a correction and a late vacancy."""
    path = folder / "ledger.jsonl"
    demo_ledger(municipality, START, END, path=path, signed=20).close()  # type: ignore[arg-type]
    with Ledger.open(path) as ledger:
        events = ledger.events()
        vacancies = [e for e in events if e["type"] == "vacancy"]
        answered = {e["vacancy_id"] for e in events if e["type"] in ("answer", "offers_sent")}
        idle = [e for e in vacancies if e["vacancy_id"] not in answered]
        ledger.void(idle[0]["vacancy_id"], "recorded twice", "2024-01-20", by="Udlejningen")
        ledger.correct(idle[1]["vacancy_id"], "rent misread", "2024-01-21", by="Udlejningen",
                       monthly_rent_dkk=float(idle[1]["monthly_rent_dkk"]) + 100.0)
        last = vacancies[-1]
        dwellings = municipality.dwellings  # type: ignore[attr-defined]
        other = dwellings[(dwellings["department_id"] == last["department_id"])
                          & (dwellings["dwelling_id"] != last["dwelling_id"])
                          & (dwellings["kind"] == "family")].iloc[0]
        decision = ledger.record_vacancy(
            "V2024-LATE", other["dwelling_id"], last["department_id"], "family", "2024-01-02",
            float(other["monthly_rent_dkk"]), int(other["rooms"]), colour=str(last["colour"]))
        assert decision.late, "the vacancy is recorded late"
        return [e for e in ledger.events() if e["type"] != "created"]


def main(expected_only: bool = False) -> None:
    municipality = examples.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not expected_only:
            events = write_ledger(municipality, folder)
            with (HERE / "ledger.jsonl").open("w", encoding="utf-8") as fh:
                for event in events:
                    fh.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
            evictions = demo_evictions(municipality, START, END)
            evictions.to_csv(HERE / "evictions.csv", index=False)
            assert any(e["type"] == "signed" and e.get("group") is not None for e in events), (
                "a letting with a priority group (R3 per group)")
        # built as the test builds them: from the file just written
        expected = build(municipality, [header(municipality, folder), *read_events()], folder)
    (HERE / "expected.json").write_text(dumps(expected) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(expected_only="--expected-only" in sys.argv[1:])
