"""The whole chain on a municipality of one's own, as a letting system and an analyst run it.

Vesterå Kommune is invented for this test: four departments whose ids (D001 …)
are the bundled example's too, written as Danish Excel saves CSV — ``;``,
decimal comma, a byte-order mark, Danish headers, values and file names — with
a municipality.toml. Its waiting list lacks three columns some criteria read.

The chain: place the departments, the overview, a ledger in SQLite, four
processes recording vacancies at once (some dated before others: late), verify,
rank one dwelling by its id, offer a vacancy from the ledger's own ranking to a
signed lease, the yearly report from the ledger, a capacity simulation, the
calendar, the audit and the plug-ins. No output may hold anything of the
bundled example, and no command may print a traceback.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import Result

import fuaalborg
from cli_support import run
from fuaalborg import Municipality
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.letting.ledger import Ledger
from fuaalborg.tables import read_table

NAME = "Vesterå Kommune"
ON = "2024-05-01"


def _cvr(first_seven: str) -> str:
    """A CVR number passing the modulus-11 check (weights 2,7,6,5,4,3,2,1)."""
    total = sum(int(d) * w for d, w in zip(first_seven, (2, 7, 6, 5, 4, 3, 2), strict=True))
    check = -total % 11
    assert check < 10, first_seven
    return first_seven + str(check)


ORGS = {_cvr("3918402"): "Vesterå Boligselskab", _cvr("3918403"): "Boligforeningen Åbrinken"}
(ORG_A, ORG_B) = ORGS
DEPARTMENTS = [  # id, organisation, name, area, family, bab, residents, residents 18-64
    ("D001", ORG_A, "Åparken", "V1", 12, 0, 27, 18),
    ("D002", ORG_A, "Engbo", "V1", 10, 0, 23, 15),
    ("D003", ORG_B, "Skovly", "", 8, 2, 24, 21),
    ("D004", ORG_B, "Havebyen", "", 8, 0, 26, 20),
]
# the twin tool's figures (%): outside work or education, basic education only,
# income vs the national average, non-Western share — D003 meets the yellow criteria
TWIN = {"D001": ("34,0", "58,0", "61,0", "35,0"), "D002": ("31,5", "44,0", "63,5", "28,0"),
        "D003": ("33,2", "63,1", "72,0", "18,0"), "D004": ("12,0", "21,0", "96,0", "9,0")}


def _write(path: Path, rows: list[list[object]]) -> None:
    """A table as Danish Excel saves CSV: ';', decimal comma, CRLF and a byte-order mark."""
    text = "\r\n".join(";".join("" if v is None else str(v) for v in row) for row in rows)
    path.write_text(text + "\r\n", encoding="utf-8-sig")


def _kr(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def build_town(folder: Path) -> Path:
    """Write Vesterå Kommune's folder."""
    folder.mkdir()
    (folder / "municipality.toml").write_text(textwrap.dedent("""\
        # Vesterå Kommune: invented for a test; every name, number and CVR is invented.
        name = "Vesterå Kommune"
        code = 997
        presets = ["socioeconomic"]

        [referral_need]
        low = 8
        high = 12
        from = 2024-01-01
        reference = "Vesterå Kommune, boligpolitik 2024 (invented)"
        """), encoding="utf-8")
    _write(folder / "boligorganisationer.csv",
           [["boligorganisation_cvr", "navn"], *([c, n] for c, n in ORGS.items())])
    _write(folder / "afdelinger.csv", [
        ["afdeling_id", "boligorganisation_cvr", "navn", "område_id", "familieboliger",
         "bab_boliger", "beboere", "beboere_18_64"], *(list(d) for d in DEPARTMENTS)])
    _write(folder / "områder.csv", [["område_id", "navn", "type", "beboere"],
                                    ["V1", "Åparken og Engbo", "ministeriel", "1.050"]])
    _write(folder / "lister.csv", [["område_id", "listedato", "udpegning"],
                                   ["V1", "2022-12-01", "forebyggelse"],
                                   ["V1", "2023-12-01", "forebyggelse"]])
    indicators: list[list[object]] = [[
        "afdeling_id", "opgørelsesdato", "kilde", "beboere_18_64", "lejemål", "beboere",
        "uden_arbejde_uddannelse_pct", "dømte_gange_landsgennemsnit", "dømte_pct",
        "kun_grundskole_pct", "indkomst_pct_af_gennemsnit", "ikkevestlige_pct"]]
    for dep, _org, _name, _area, family, bab, residents, adults in DEPARTMENTS:
        outside, basic, income, western = TWIN[dep]
        indicators.append([dep, "2023-11-01", "tvillingeværktøj", adults, family + bab,
                           residents, outside, None, None, basic, income, western])
    _write(folder / "indikatorer.csv", indicators)
    dwellings: list[list[object]] = [["bolig_id", "afdeling_id", "type", "rum", "areal_m2",
                                      "månedsleje_kr", "etage", "boligtype", "elevator"]]
    for dep, _org, _name, _area, family, bab, *_ in DEPARTMENTS:
        for i in range(family + bab):
            rooms = 1 + i % 4
            kind = "bab" if i >= family else "familie"
            floor = i % 3
            use = ("ældreegnet" if rooms <= 2 and floor == 0 and i % 2 == 0
                   else "ungdomsegnet" if rooms == 1 and floor > 0 else "familie")
            rent = 3100 + 1050 * rooms + 37 * i if kind == "familie" else 2900 + 150 * rooms
            dwellings.append([f"{dep}-{chr(65 + floor)}{i:02d}", dep, kind, rooms,
                              _kr(30 + 22 * rooms + i % 5), _kr(rent), floor,
                              "familie" if kind == "bab" else use,
                              "ja" if dep == "D003" else "nej"])
    _write(folder / "boliger.csv", dwellings)
    waiting: list[list[object]] = [[
        "ansøger_id", "liste", "anciennitetsdato", "aktiv", "husstandsstørrelse", "børn",
        "nuværende_afdeling_id", "arbejdstimer_pr_uge", "fastansat",
        "tidsbegrænset_ansættelse_måneder", "løntilskud", "selvstændig_cvr",
        "partner_arbejdstimer_pr_uge", "partner_fastansat", "under_uddannelse", "elev_lærling",
        "partner_under_uddannelse", "mindst_rum", "højst_månedsleje_kr", "alder",
        "højeste_uddannelse", "husstandsindkomst_kr_år", "behov_for_tilgængelig_bolig"]]
    levels = ["grundskole", "gymnasial", "erhvervsfaglig", "kort_videregående", "videregående"]
    for n in range(1, 33):
        internal = n % 4 == 0
        waiting.append([
            f"VK-{n:03d}", "intern" if internal else "ekstern",
            f"{2003 + n % 20}-{1 + n % 12:02d}-{1 + n % 27:02d}", "ja" if n % 9 else "nej",
            1 + n % 4, n % 3 if n % 4 > 1 else 0, "D004" if internal else None,
            "37" if n % 3 else "0", "ja" if n % 3 else "nej", 0, "nej", None,
            "30,5" if n % 5 == 0 else "0", "nej", "ja" if n % 7 == 0 else "nej", "nej", "nej",
            1 + n % 3, "9000", 19 + (n * 7) % 70, levels[n % 5], 180000 + 9000 * n,
            "ja" if n % 11 == 0 else "nej"])
    _write(folder / "venteliste.csv", waiting)
    return folder


WORKER = """
import pathlib, sys, time
from click.testing import CliRunner
from fuaalborg.cli import main
import fuaalborg.cli.ledger, fuaalborg.letting.ledger, fuaalborg.monitoring.calendar

target, folder, signal, worker = sys.argv[1:5]
pathlib.Path(signal, f"ready-{worker}").touch()  # imported: from here on the writes race
while not pathlib.Path(signal, "go").exists():
    time.sleep(0.01)
for vacancy in sys.argv[5:]:
    vid, dwelling, dep, day, rent, rooms = vacancy.split("|")
    result = CliRunner().invoke(main, ["ledger", "vacancy", target, vid, dwelling, dep,
                                       "family", day, rent, rooms, "--municipality", folder])
    print(result.output, end="")
    if result.exit_code:
        sys.exit(result.exit_code)
"""


def _vacancies(municipality: Municipality) -> list[list[str]]:
    """Four workers' vacancies: D003 and D004 each shared by two, every worker's dated
    backwards, so that each records two vacancies late."""
    family = municipality.dwellings.loc[municipality.dwellings["kind"] == "family"]
    out = []
    for worker, dep in enumerate(("D003", "D003", "D004", "D004")):
        rows = family.loc[family["department_id"] == dep].iloc[3 * (worker % 2):][:3]
        out.append([
            f"W{worker}-{k}|{row.dwelling_id}|{dep}|2024-0{3 + worker % 2}-{20 - k:02d}|"
            f"{_kr(float(row.monthly_rent_dkk))}|{row.rooms}"
            for k, row in enumerate(rows.itertuples())
        ])
    return out


def _text_of(path: Path) -> str:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path, read_only=True)
        return "\n".join(" ".join(str(c) for c in row if c is not None)
                         for sheet in book for row in sheet.iter_rows(values_only=True))
    return path.read_text(encoding="utf-8-sig")


@pytest.fixture(scope="module")
def example_words(example_municipality: Municipality) -> list[str]:
    """Text only the bundled example can put into an output."""
    municipality = example_municipality
    words = {municipality.name, "Eksempelkommune", "syntetisk", "example municipality"}
    words |= set(municipality.departments["name"].astype(str)) | set(
        municipality.areas["name"].astype(str)
    )
    words |= set(municipality.organisations["name"].astype(str))
    words |= set(municipality.areas["area_id"].astype(str))
    return sorted(w for w in words if len(w) > 2)


def _assert_own(what: str, text: str, words: list[str]) -> None:
    found = [w for w in words if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text)]
    assert not found, f"{what}: the bundled example in an output: {found[:5]}"
    assert not re.search(r"\bA\d{6}\b", text), f"{what}: an example applicant id"
    assert "Traceback" not in text, f"{what}: a traceback"


def test_a_stranger_runs_the_whole_chain_on_their_own_municipality(
    tmp_path: Path, example_words: list[str], example_municipality: Municipality
) -> None:
    folder = build_town(tmp_path / "vesterå")
    out = tmp_path / "ud"
    out.mkdir()
    municipality = Municipality.from_folder(folder)
    assert municipality.name == NAME
    assert set(municipality.departments["department_id"]) <= set(
        example_municipality.departments["department_id"])  # the ids overlap the example's
    m = ("--municipality", folder)
    db = f"sqlite:///{out}/udlejningsjournal.db"
    outputs: dict[str, Result] = {}

    def step(name: str, *args: object, status: int = 0) -> Result:
        result = run(*args)
        assert result.exit_code == status, (name, result.output)
        outputs[name] = result
        return result

    step("place", "place", *m, "--on", ON, "-o", out / "placering.csv")
    step("overview", "overview", *m, "--on", ON, "-o", out / "oversigt.xlsx")
    step("ledger init", "ledger", "init", db, *m)

    # four processes record vacancies at once
    signal = tmp_path / "signal"
    signal.mkdir()
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    workers = [
        subprocess.Popen([sys.executable, str(script), db, str(folder), str(signal), str(k),
                          *vacancies], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for k, vacancies in enumerate(_vacancies(municipality))
    ]
    deadline = time.monotonic() + 120
    while len(list(signal.glob("ready-*"))) < len(workers) and time.monotonic() < deadline:
        time.sleep(0.02)
    (signal / "go").touch()
    written = [w.communicate(timeout=120) for w in workers]
    for worker, (stdout, stderr) in zip(workers, written, strict=True):
        assert worker.returncode == 0, stdout + stderr
        _assert_own("ledger vacancy", stdout + stderr, example_words)
    recorded = "".join(stdout for stdout, _ in written)
    assert recorded.count("; late: dated before the department's latest vacancy") >= 8
    # routed by the municipality's own preset (socio-economic): Skovly is yellow, as placed
    assert re.search(r"W[01]-\d: .*\(yellow, step model\)", recorded)
    assert "(green, step model)" in recorded  # Havebyen

    verify = step("ledger verify", "ledger", "verify", db)
    assert "12 vacancies (0 void vacancies, " in verify.output
    assert "every checksum, decision, counter and state row agrees with the events" in\
        verify.output
    state = step("ledger state", "ledger", "state", db, "-o", out / "tilstand.csv", "--danish")
    assert "4 departments" in state.output
    counters = pd.read_csv(out / "tilstand.csv", sep=";", encoding="utf-8-sig")
    assert counters["ledige_boliger"].sum() == 12
    assert counters["sent_registreret"].sum() >= 8
    step("ledger events", "ledger", "events", db, "-o", out / "hændelser.xlsx", "--danish")

    ranked = step("rank", "rank", *m, "--dwelling", "D004-A03", "--on", ON,
                  "-o", out / "rangliste.csv", "--include-ineligible")
    assert "dwelling D004-A03" in ranked.output
    assert "ground floor" in ranked.output
    ranking_file = pd.read_csv(out / "rangliste.csv", sep=";", encoding="utf-8-sig")
    assert ranking_file["ansøger_id"].str.startswith("VK-").all()

    # a letting system offers a vacancy from the ledger's own ranking, to a signed lease
    applicants = read_table(municipality.applicants, APPLICANTS, parameters=municipality.parameters)
    with Ledger.open(db, municipality=municipality) as ledger:
        decisions = ledger.decisions().sort_values("vacancy_id")
        waiting = decisions.loc[decisions["route"] == "waiting_list", "vacancy_id"]
        rankings = {
            str(v): ledger.rank(str(v), applicants, municipality=municipality) for v in waiting
        }
        vid, ranking = next((v, r) for v, r in rankings.items() if r.eligible_count >= 2)
        offers = fuaalborg.OfferRound(vid, ranking, ledger=ledger, size=3)
        sent = offers.send("2024-05-02")
        offers.answer(sent[0], "refuse", "2024-05-03")
        offers.answer(sent[1], "accept", "2024-05-04")
        assert offers.close("2024-05-09") == sent[1]
        offers.sign("2024-05-15")
        assert ledger.status(vid) == "let"
    assert all(a.startswith("VK-") for a in sent)
    step("ledger verify after the lease", "ledger", "verify", db)

    report = step("report", "report", *m, "--from", "2024-01-01", "--to", "2024-12-31",
                  "--ledger", db, "-o", out / "rapport.xlsx")
    assert NAME in report.output
    assert "DEMONSTRATION" not in report.output
    simulated = step("simulate", "simulate", *m, "--runs", "20", "--years", "1", "--seed", "4",
                     "-q")
    assert "need met (8)" in simulated.output
    step("calendar", "calendar", *m, "--on", ON, "-o", out / "kalender.csv")
    audit = step("audit", "audit", *m, "--on", ON, status=3)
    assert "commuter: works_in_municipality (arbejder_i_kommunen)" in audit.output
    assert "add them to venteliste.csv" in audit.output
    step("plugins", "plugins", *m)

    for name, result in outputs.items():
        _assert_own(name, result.output, example_words)
        assert "warning: --folder" not in result.output
    for path in sorted(out.iterdir()):
        if path.suffix in (".csv", ".xlsx", ".json"):
            _assert_own(path.name, _text_of(path), example_words)
    assert {"placering.csv", "oversigt.xlsx", "tilstand.csv", "hændelser.xlsx", "rangliste.csv",
            "rangliste.record.json", "rapport.xlsx", "kalender.csv"} <= {
        p.name for p in out.iterdir()}
    assert dt.date.fromisoformat(ON)  # the run is dated, never "today"
