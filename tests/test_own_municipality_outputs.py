"""What a municipality of its own sees in every output: its rules, its figures, its name,
its language.

The folder is the guide's (``docs/fjordby``: Danish Excel CSV files, department ids
overlapping the example's). Each test states what a new user found wrong: a BAB
dwelling ranked although the ledger gives it to the referral, Aalborg's referral need
in a small town's report, a planning figure suppressed as if it counted people, a
blank cell in a public table, "Aalborg Kommune" in another municipality's calendar,
English words in Danish outputs, and command-line help that advertised a hidden
option or no command at all.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import fuaalborg
from cli_support import run
from fuaalborg.cli import COMMAND_MODULES, main
from fuaalborg.letting.ledger import Ledger
from fuaalborg.reports import NO_CASES, SUPPRESSED, build_report
from municipality_support import FJORDBY

README = Path(__file__).parent.parent / "README.md"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def _settings(folder: Path, need: tuple[int, int] | None) -> None:
    """Rewrite municipality.toml with the referral need ``need`` (``None``: none stated)."""
    path = folder / "municipality.toml"
    text = path.read_text(encoding="utf-8").split("[referral_need]")[0]
    if need is not None:
        text += (f"[referral_need]\nlow = {need[0]}\nhigh = {need[1]}\nfrom = 2024-01-01\n"
                 'reference = "Fjordby Kommune, boligsocial strategi 2024 (invented)"\n')
    path.write_text(text, encoding="utf-8")


def _ledger(municipality: fuaalborg.Municipality, path: Path, departments: list[str]) -> Ledger:
    """A ledger of ``town`` with a vacancy a month in each of ``departments`` in 2024."""
    ledger = Ledger.create(path, municipality)
    dwellings = municipality.dwellings
    n = 0
    for month in range(2, 10):
        for dep in departments:
            row = dwellings[dwellings["department_id"] == dep].iloc[n % 5]
            ledger.record_vacancy(f"V{n}", row["dwelling_id"], dep, row["kind"],
                                  dt.date(2024, month, 1), float(row["monthly_rent_dkk"]),
                                  int(row["rooms"]))
            n += 1
    return ledger


# -- 1. a BAB dwelling: one decision for the ledger and the ranking ---------------------


def _with_bab_in_red(folder: Path) -> str:
    """Make D001's first dwelling (a red department in 2024) a BAB dwelling; return its id."""
    dwellings = folder / "boliger.csv"
    text = dwellings.read_text(encoding="utf-8-sig")
    text = text.replace("D001-001;D001;familie;", "D001-001;D001;bab;", 1)
    dwellings.write_text(text, encoding="utf-8-sig")
    departments = folder / "afdelinger.csv"
    text = departments.read_text(encoding="utf-8-sig")
    departments.write_text(text.replace("D001;29190003;Fjordparken;F01;60;0;",
                                        "D001;29190003;Fjordparken;F01;59;1;", 1),
                           encoding="utf-8-sig")
    return "D001-001"


def test_rank_refuses_a_bab_dwelling_the_ledger_gives_to_the_referral(
    folder: Path, tmp_path: Path
) -> None:
    result = run("rank", "--municipality", folder, "--dwelling", "D003-013", "--on",
                 "2025-05-01", "-o", tmp_path / "r.csv")
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: dwelling D003-013 of department D003 is a BAB")
    assert "let by municipal referral" in result.output
    assert "referral.bab_share" in result.output
    assert "Fælles Udlejningsaftale, afsnit 3" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.csv").exists()
    # the ledger routes the same dwelling to the referral
    municipality = fuaalborg.Municipality.from_folder(folder)
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger:
        decision = ledger.record_vacancy("V1", "D003-013", "D003", "bab",
                                         dt.date(2025, 5, 1), 3381.0, 2)
    assert decision.route == "referral"
    # a vacancy named by its department and --kind bab: the same refusal
    named = run("rank", "--municipality", folder, "--department", "D004", "--rooms", "2",
                "--rent", "3000", "--kind", "bab", "--on", "2025-05-01")
    assert named.exit_code == 1
    assert "is a BAB dwelling" in named.output
    # without a colour the route of a BAB dwelling cannot be decided, whatever --route says
    blind = run("rank", folder / "venteliste.csv", "--department", "D004", "--rooms", "2",
                "--rent", "3000", "--kind", "bab", "--on", "2025-05-01", "--route", "ordinary")
    assert blind.exit_code == 1
    assert blind.output.rstrip().endswith(
        "the ranking needs the department's colour; give --colour (or --municipality)")


def test_rank_ranks_a_bab_dwelling_the_ledger_lets_from_the_waiting_list(
    folder: Path, tmp_path: Path
) -> None:
    dwelling = _with_bab_in_red(folder)
    result = run("rank", "--municipality", folder, "--dwelling", dwelling, "--on",
                 "2024-05-01", "--top", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "department D001 (red)" in lines[0]
    assert "flexible letting" in lines[0]
    assert lines[1].startswith("note: BAB dwelling in a red department, where the municipal "
                               "referral does not place households")
    municipality = fuaalborg.Municipality.from_folder(folder)
    with Ledger.create(tmp_path / "l.jsonl", municipality) as ledger:
        decision = ledger.record_vacancy("V1", dwelling, "D001", "bab",
                                         dt.date(2024, 5, 1), 6546.0, 3)
    assert (decision.route, decision.subroute) == ("waiting_list", "flexible")


# -- 2. and 4. R2's need: the municipality's own or none; never suppressed --------------


def _r2_need(report: fuaalborg.reports.Report) -> tuple[pd.DataFrame, str]:
    (table,) = [t for t in report.tables if t.key == "R2_need"]
    return table.frame, table.note


@pytest.mark.parametrize("disclosure", ["parties", "public"])
def test_a_report_never_shows_aalborgs_need_for_a_municipality_that_states_none(
    folder: Path, tmp_path: Path, disclosure: str
) -> None:
    _settings(folder, None)
    municipality = fuaalborg.Municipality.from_folder(folder)
    assert municipality.referral_need("2024-12-31") is None
    with _ledger(municipality, tmp_path / "l.jsonl", ["D001", "D004"]) as ledger:
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              disclosure=disclosure, figures=False)  # type: ignore[arg-type]
    frame, note = _r2_need(report)
    assert list(frame.columns) == ["Billige boliger (≤ 3.500 kr) indmeldt til anvisning"]
    assert "250" not in frame.to_string()
    assert "300" not in frame.to_string()
    assert note.startswith("Fjordby Kommune har ikke angivet boliganvisningens forventede")
    assert "250–300" in note
    assert "Aalborg Kommunes behov" in note
    assert "Fælles Udlejningsaftale, afsnit 6" in note
    assert "referral.expected_need_low" not in set(report.rule_versions["parameter"])
    text = report.to_text()
    assert "Forventet behov pr. år" not in text


def test_a_public_report_shows_the_municipalitys_need_and_stock_however_small(
    folder: Path, tmp_path: Path
) -> None:
    _settings(folder, (2, 3))
    municipality = fuaalborg.Municipality.from_folder(folder)
    with _ledger(municipality, tmp_path / "l.jsonl", ["D001", "D002", "D003"]) as ledger:
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              disclosure="public", lang="en", figures=False)
        parties = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                               disclosure="parties", lang="en", figures=False)
    frame, note = _r2_need(report)
    row = frame.iloc[0]
    assert (row["Expected need per year, low"], row["Expected need per year, high"]) == (2, 3)
    assert (row["Expected need in period, low"], row["Expected need in period, high"]) == (2, 3)
    assert "boligsocial strategi 2024" in note
    # the stock of dwellings is the municipality's own table: shown whole
    rent = report.table("R2_rent_lbf")
    assert SUPPRESSED not in set(rent["Dwellings in stock"].astype(str))
    assert rent["Dwellings in stock"].tolist() == (
        parties.table("R2_rent_lbf")["Dwellings in stock"].tolist())
    assert rent["Dwellings in stock"].iloc[-1] == len(municipality.dwellings)
    # every public table shows a value, '..' or '–' in every cell: none is blank
    for table in report.tables:
        cells = table.frame.to_numpy().ravel()
        blank = [v for v in cells if v is None or (isinstance(v, float) and pd.isna(v))]
        assert not blank, table.key
    # an organisation with no waiting-list lettings has no share to show (R3), a route
    # with no lettings no waiting time (R6)
    r3 = report.table("R3_org").set_index("Organisation")
    assert r3.loc["Andelsboligforeningen Kystbo", "Share let flexibly"] == NO_CASES
    assert r3.loc["Andelsboligforeningen Kystbo", "Waiting-list lettings"] == 0
    r6 = report.table("R6").set_index("Route")
    assert r6.loc["Municipal referral", "Median (years)"] == NO_CASES
    notes = " ".join(report.notes)
    assert "'–' = nothing to compute" in notes
    # the parties' report shows the same '–' where there is nothing to compute, and says so
    shares = parties.table("R3_org").set_index("Organisation")["Share let flexibly"]
    assert shares["Andelsboligforeningen Kystbo"] == NO_CASES
    assert not shares.isna().any()
    assert "'–' = nothing to compute (no cases)." in parties.notes


def test_the_example_reports_aalborgs_need_and_says_whose_it_is(tmp_path: Path) -> None:
    municipality = fuaalborg.examples.load()
    need = municipality.referral_need("2024-12-31")
    assert need is not None
    assert (need.low, need.high) == (250, 300)
    from fuaalborg.reports.demo import demo_ledger

    with demo_ledger(municipality, dt.date(2024, 1, 1), dt.date(2024, 1, 31), signed=5) as ledger:
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 1, 31),
                              lang="en", figures=False)
    frame, note = _r2_need(report)
    assert frame.iloc[0]["Expected need per year, high"] == 300
    assert note.startswith("Expected need: Aalborg Kommune's figure from the agreement")


def test_simulate_shows_no_need_met_where_the_municipality_states_no_need(
    folder: Path, tmp_path: Path
) -> None:
    """Text, --json, the figure and --compare: no need met, never Aalborg's 250–300; said
    once, with how to give a need."""
    import json

    _settings(folder, None)
    args = ("simulate", "--municipality", folder, "--runs", "5", "--years", "2", "--seed", "1",
            "-q")
    text = run(*args, "-o", tmp_path / "need.png")
    assert text.exit_code == 0, text.output
    assert "need met" not in text.output
    assert "250" not in text.output
    assert text.output.count("Fjordby Kommune states no yearly need of the referral") == 1
    assert "--need LOW HIGH" in text.output
    assert "[referral_need]" in text.output
    assert (tmp_path / "need.png").stat().st_size > 1000
    data = json.loads(run(*args, "--json").output)
    assert (data["need_low"], data["need_high"]) == (None, None)
    assert "need_met_low" not in data
    assert "need_met_high" not in data
    assert sum("no yearly need" in n for n in data["notes"]) == 1
    both = run(*args, "--compare", "no-exemptions", "-o", tmp_path / "compare.svg")
    assert both.exit_code == 0, both.output
    assert "need met" not in both.output
    assert "250" not in both.output
    assert both.output.count("no yearly need of the referral") == 1
    compared = json.loads(run(*args, "--compare", "no-exemptions", "--json").output)
    assert "need_met_low" not in compared["difference"]
    own = run(*args, "--need", "2", "3")
    assert own.output.splitlines()[0].startswith("Fjordby Kommune: the referral's need 2–3")
    assert "need met (2)" in own.output
    assert "no yearly need" not in own.output


# -- 3. the municipality's own name on its duties ---------------------------------------


def test_the_calendar_names_the_municipality_whose_calendar_it_is(
    folder: Path, tmp_path: Path
) -> None:
    result = run("calendar", "--municipality", folder, "--on", "2024-10-15", "-o",
                 tmp_path / "kalender.csv")
    assert result.exit_code == 0, result.output
    assert "Aalborg" not in result.output.replace("Fælles Udlejningsaftale", "")
    assert "overdue: Fjordby Kommune: update the monitoring tool" in result.output
    assert "Fjordby Kommune: call the parties to renegotiate" in result.output
    written = (tmp_path / "kalender.csv").read_text(encoding="utf-8-sig")
    assert "Aalborg Kommune" not in written
    cal = fuaalborg.monitoring.calendar.agreement_calendar("2024-01-01", "2024-12-31",
                                                           on="2024-10-15")
    bodies = {d.body for d in cal.duties if d.kind in ("monitoring_update",
                                                       "renegotiation_call")}
    assert bodies == {"the municipality"}


# -- 5. outputs in their language ------------------------------------------------------


def test_the_danish_report_words_r5_in_danish(folder: Path, tmp_path: Path) -> None:
    municipality = fuaalborg.Municipality.from_folder(folder)
    with _ledger(municipality, tmp_path / "l.jsonl", ["D001"]) as ledger:
        report = build_report(municipality, ledger, dt.date(2024, 1, 1), dt.date(2024, 12, 31),
                              figures=False)
    detail = report.table("R5_placement")
    overview = report.table("R5_overview")
    for frame in (detail, overview):
        assert not [c for c in frame.columns if re.search(r"_|^[a-z]", str(c))], frame.columns
        words = set(frame.astype(str).to_numpy().ravel())
        assert not words & {"red", "yellow", "green", "twin tool", "none", "unmonitored"}
    assert {"gul", "grøn"} <= set(detail["Farve"])
    assert "Uden for arbejde og uddannelse (%)" in detail.columns
    (r5,) = [t for t in report.tables if t.key == "R5_placement"]
    assert "bibliotekets læsning af bilag 7" in r5.note
    assert "the library's reading" not in r5.note


def test_overview_prints_no_english_none_among_the_laws_danish_terms(folder: Path) -> None:
    result = run("overview", "--municipality", folder, "--on", "2024-05-01")
    assert result.exit_code == 0, result.output
    assert "forebyggelse" in result.output
    assert not re.search(r"\bnone\b", result.output)


def test_a_danish_municipalitys_ledger_writes_danish_tables_by_default(
    folder: Path, tmp_path: Path
) -> None:
    ledger = tmp_path / "journal.jsonl"
    assert run("ledger", "init", ledger, "--municipality", folder).exit_code == 0
    assert run("ledger", "vacancy", ledger, "V1", "D004-005", "D004", "family", "2024-03-01",
               "4911", "2", "--municipality", folder).exit_code == 0
    for command, name in (("state", "tilstand.csv"), ("events", "hændelser.csv")):
        result = run("ledger", command, ledger, "-o", tmp_path / name)
        assert result.exit_code == 0, result.output
        text = (tmp_path / name).read_text(encoding="utf-8-sig")
        assert text.splitlines()[0].startswith(("afdeling_id;", "løbenummer;")), command
        english = run("ledger", command, ledger, "-o", tmp_path / f"en-{name}", "--no-danish")
        assert english.exit_code == 0
        assert (tmp_path / f"en-{name}").read_text(encoding="utf-8").startswith(
            ("department_id,", "seq,"))
    # a ledger of the example (English files) stays English
    example = tmp_path / "example.jsonl"
    assert run("ledger", "init", example).exit_code == 0
    assert run("ledger", "state", example, "-o", tmp_path / "s.csv").exit_code == 0
    assert (tmp_path / "s.csv").read_text(encoding="utf-8").startswith("department_id,")


# -- 6. the command line ---------------------------------------------------------------


def test_a_mistyped_option_never_suggests_a_hidden_one(folder: Path) -> None:
    result = run("ledger", "vacancy", "x.jsonl", "--colur", "red")
    assert result.exit_code == 2
    assert "Did you mean '--colour'?" in result.output
    assert "--folder" not in result.output
    result = run("place", "--foldr", folder)
    assert "--folder" not in result.output


def test_a_mistyped_command_says_which_it_may_have_meant() -> None:
    result = run("plce")
    assert result.exit_code == 2
    assert "No such command 'plce'. Did you mean 'place'?" in result.output
    assert "Did you mean 'state'?" in run("ledger", "stat").output
    assert "Did you mean" not in run("xyzzy").output


def test_simulate_says_which_figure_it_wrote(tmp_path: Path) -> None:
    figure = tmp_path / "simulering.png"
    result = run("simulate", "--runs", "5", "--years", "1", "--seed", "1", "-q", "-o", figure)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "wrote simulering.png"
    assert figure.exists()


def test_the_readme_says_exactly_which_commands_take_a_municipality() -> None:
    import click

    def takes(command: click.Command) -> bool:
        return any("--municipality" in p.opts for p in command.params)

    group = main
    ctx = click.Context(group)
    without = set()
    for name in COMMAND_MODULES:
        command = group.get_command(ctx, name)
        assert command is not None
        if isinstance(command, click.Group):
            subs = dict(command.commands.items())
            assert {n for n, c in subs.items() if takes(c)} == {
                "init", "vacancy", "correct", "update-stock"}
        elif not takes(command):
            without.add(name)
    assert without == {"colour-rules", "parameters", "demo"}
    readme = " ".join(README.read_text(encoding="utf-8").split())
    assert ("Three commands take no municipality: `colour-rules` and `parameters` state the "
            "rules") in readme
    assert "`init`, `vacancy`, `correct` and `update-stock` (which carries" in readme
