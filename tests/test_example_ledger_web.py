"""The example ledger service (``examples/ledger-web``) with four workers, hit concurrently."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fuaalborg import Municipality
from fuaalborg.letting.ledger import Ledger

APP = Path(__file__).resolve().parents[1] / "examples" / "ledger-web" / "app.py"


def _town_folder(
    folder: Path, example_municipality: Municipality
) -> tuple[Path, list[tuple[str, str, int, float]]]:
    """A municipality of four of the example's departments, as CSV files."""
    municipality = example_municipality
    deps = municipality.departments.head(4)
    keep = deps["department_id"]
    dwellings = municipality.dwellings[municipality.dwellings["department_id"].isin(keep)]
    folder.mkdir()
    municipality.organisations.to_csv(folder / "organisations.csv", index=False)
    deps.to_csv(folder / "departments.csv", index=False)
    dwellings.to_csv(folder / "dwellings.csv", index=False)
    municipality.areas.to_csv(folder / "areas.csv", index=False)
    municipality.indicators[municipality.indicators["department_id"].isin(keep)].to_csv(
        folder / "indicators.csv", index=False)
    municipality.lists.to_csv(folder / "lists.csv", index=False)
    municipality.applicants[["applicant_id", "list", "seniority_date", "household_size"]].head(
        300
    ).to_csv(folder / "waiting_list.csv", index=False)
    family = dwellings[dwellings["kind"] == "family"]
    # each family dwelling with its rooms and rent as the dwellings table states them
    return folder, list(zip(family["dwelling_id"], family["department_id"],
                            family["rooms"].astype(int).tolist(),
                            family["monthly_rent_dkk"].astype(float).tolist(),
                            strict=True))


def _call(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[
        int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("store", ["sqlite", "postgresql"])
def test_four_workers_record_concurrently_and_the_ledger_verifies(
    store: str, tmp_path: Path, request: pytest.FixtureRequest, example_municipality: Municipality
) -> None:
    folder, dwellings = _town_folder(tmp_path / "town", example_municipality)
    target = (f"sqlite:///{tmp_path}/ledger.db" if store == "sqlite"
              else str(request.getfixturevalue("pg_url")))
    from fuaalborg import Municipality

    Ledger.create(target, Municipality.from_folder(folder)).close()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [sys.executable, str(APP), target, "--municipality", str(folder), "--applicants",
         str(folder / "waiting_list.csv"), "--workers", "4", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert line.startswith("serving"), server.stderr.read() if server.stderr else line
        vacancies = [
            {"vacancy_id": f"V{i}", "dwelling_id": dwellings[i % len(dwellings)][0],
             "department_id": dwellings[i % len(dwellings)][1], "kind": "family",
             "vacant_on": f"2026-03-{1 + i % 28:02d}",
             "monthly_rent_dkk": dwellings[i % len(dwellings)][3],
             "rooms": dwellings[i % len(dwellings)][2]}
            for i in range(40)
        ]
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda v: _call(port, "POST", "/vacancies", v), vacancies))
        assert [status for status, _ in answers] == [201] * 40, answers
        by_department: dict[str, list[int]] = {}
        for _status, decision in answers:
            if decision["n_referral"] is not None and decision["colour"] != "red":
                by_department.setdefault(decision["department_id"], []).append(
                    decision["n_referral"])
        for counts in by_department.values():  # counted once each, none lost
            assert sorted(counts) == list(range(1, len(counts) + 1))
        status, report = _call(port, "GET", "/verify")
        assert (status, report["vacancies"]) == (200, 40)
        # one checked path from the vacancy to the signed lease
        waiting = next(d for _s, d in answers if d["route"] == "waiting_list")
        vid = waiting["vacancy_id"]
        status, sent = _call(port, "POST", f"/vacancies/{vid}/offers",
                             {"on": "2026-03-30", "size": 2})
        assert status == 200, sent
        first = sent["sent"][0]
        assert _call(port, "POST", f"/vacancies/{vid}/offers/answer",
                     {"applicant_id": first, "answer": "accept", "on": "2026-03-31"})[0] == 200
        assert _call(port, "POST", f"/vacancies/{vid}/offers/close",
                     {"on": "2026-04-10"})[1] == {"winner": first}
        assert _call(port, "POST", f"/vacancies/{vid}/offers/sign",
                     {"on": "2026-04-11"})[1] == {"status": "let"}
        # refused input: one error with every problem, and nothing written
        status, error = _call(port, "POST", "/vacancies", {**vacancies[0], "vacancy_id": "V99",
                                                            "dwelling_id": "nope"})
        assert status == 400
        assert error["problems"] == [{"where": "dwelling_id", "what": "unknown dwelling 'nope'"}]
        status, _ = _call(port, "GET", "/vacancies/V99")
        assert status == 400
        other = next(d["vacancy_id"] for _s, d in answers if d["vacancy_id"] != vid)
        status, void = _call(port, "POST", f"/vacancies/{other}/void",
                             {"reason": "recorded twice", "on": "2026-04-01", "by": "kb"})
        assert (status, void["status"]) == (200, "void"), void
    finally:
        server.terminate()
        server.wait(timeout=60)
    assert server.stderr is not None
    assert "Traceback" not in server.stderr.read()
    with Ledger.open(target, readonly=True) as ledger:
        assert ledger.verify().vacancies == 40
