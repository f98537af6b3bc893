"""``fuaalborg rank`` and the ranking's demo section.

``rank`` on a waiting-list file (plain or Danish CSV), its header, its outputs
checked before any work and never partial, its messages in options; ``rank
--dwelling ID`` reading floor, dwelling type and lift from the municipality's
dwellings table (a group of an agreement may apply only to some dwellings).
"""

from __future__ import annotations

import datetime as dt
import importlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from cli_support import run
from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.letting import ranking as ranking_module
from municipality_support import FJORDBY
from test_ranking import table

ON = dt.date(2024, 5, 1)


# -- a waiting-list file --------------------------------------------------------------------


def test_cli_rank_writes_a_file_and_explains(tmp_path: Any) -> None:

    t = table(("a", "external", "2010-01-01", 1), ("b", "external", "2012-01-01", 1),
              name=["Anna", "Bo"])
    src = tmp_path / "list.csv"
    t.to_csv(src, index=False)
    out = tmp_path / "ranked.csv"
    runner = CliRunner()
    result = runner.invoke(main, [
        "rank", str(src), "--department", "D1", "--rooms", "2", "--rent", "5000",
        "--on", "2024-06-01", "--route", "ordinary", "-o", str(out), "--explain", "b",
        "--lang", "en",
    ])
    assert result.exit_code == 0, result.output
    assert pd.read_csv(out)["applicant_id"].tolist() == ["a", "b"]
    assert "Position 2 of 2" in result.output
    assert (tmp_path / "ranked.record.json").exists()
    future = tmp_path / "future.csv"
    table(("a", "external", "2099-01-01", 1), name=["Anna"]).to_csv(future, index=False)
    bad = runner.invoke(main, [
        "rank", str(future), "--department", "D1", "--rooms", "2", "--rent", "5000",
        "--on", "2024-06-01", "--route", "ordinary", "-o", str(tmp_path / "no.csv"),
    ])
    assert bad.exit_code == 1
    assert not (tmp_path / "no.csv").exists()
    assert "Anna" not in bad.output


def _rank_cli(*args: str) -> Any:

    return CliRunner().invoke(main, ["rank", *args])


def test_cli_rank_reads_a_danish_export_like_the_plain_csv(
    tmp_path: Any, example_municipality: Municipality
) -> None:
    from fuaalborg.tables import write_table

    municipality = example_municipality
    waiting = municipality.applicants.head(400)
    plain, danish = tmp_path / "list.csv", tmp_path / "liste.csv"
    write_table(waiting, plain)
    write_table(waiting, danish, danish=True)
    assert ";" in danish.read_text(encoding="utf-8-sig").splitlines()[0]
    on = (waiting["seniority_date"].max() + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    args = ["--department", "D012", "--rooms", "3", "--rent", "6500", "--on", on, "--top", "10"]
    first = _rank_cli(str(plain), *args)
    second = _rank_cli(str(danish), *args)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "flexible letting" in first.output  # a red department: the criteria read numbers
    assert second.output == first.output


def test_cli_rank_prints_a_header_and_says_when_nobody_is_eligible(tmp_path: Any) -> None:
    src = tmp_path / "list.csv"
    table(("a", "external", "2010-01-01", 5), ("b", "internal", "2012-01-01", 9)).to_csv(
        src, index=False
    )
    args = ["--department", "D1", "--rent", "12500", "--on", "2024-06-01", "--route", "ordinary"]
    result = _rank_cli(str(src), "--rooms", "3", *args)
    assert result.exit_code == 0, result.output
    assert "<Ranking" not in result.output
    assert result.output.splitlines()[0] == (
        "Department D1, 3 rooms, 12.500 kr./month, 2024-06-01: ordinary letting, internal and "
        "external lists as one; 1 eligible, 1 row not eligible"
    )
    empty = _rank_cli(str(src), "--rooms", "2", "--turn", "internal", *args)
    assert empty.exit_code == 0, empty.output
    assert "Empty DataFrame" not in empty.output
    assert empty.output.splitlines()[1:] == ["no eligible applicants"]
    zero = _rank_cli(str(src), "--rooms", "3", "--top", "0", *args)
    assert zero.exit_code == 2
    assert "--top" in zero.output
    assert "Empty DataFrame" not in zero.output


def test_cli_rank_refuses_an_output_suffix_before_reading_the_list(tmp_path: Any) -> None:
    src = tmp_path / "list.csv"
    src.write_text("not,a\nwaiting,list\n", encoding="utf-8")
    out = tmp_path / "ranked.json"
    result = _rank_cli(str(src), "--department", "D1", "--rooms", "2", "--rent", "5000",
                       "--route", "ordinary", "-o", str(out))
    assert result.exit_code == 2
    assert ".csv or .xlsx" in result.output
    assert "applicants" not in result.output  # the table was not read
    assert list(tmp_path.iterdir()) == [src]


def test_cli_rank_output_that_cannot_be_written_leaves_no_file(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pathlib import Path

    src = tmp_path / "list.csv"
    table(("a", "external", "2010-01-01", 1)).to_csv(src, index=False)
    args = ["--department", "D1", "--rooms", "2", "--rent", "5000", "--on", "2024-06-01",
            "--route", "ordinary"]
    (tmp_path / "afile").write_text("a file, not a directory", encoding="utf-8")
    blocked = tmp_path / "afile" / "x.csv"
    result = _rank_cli(str(src), *args, "-o", str(blocked))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot write {blocked}: {tmp_path / 'afile'} is not a directory"
    ]
    missing = tmp_path / "nowhere" / "x.csv"
    result = _rank_cli(str(src), *args, "-o", str(missing))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {missing}: directory")
    assert not (tmp_path / "nowhere").exists()

    # the table is written, then the record fails: neither file (nor a temporary) is left
    def disk_full(self: Path, *args: Any, **kwargs: Any) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    result = _rank_cli(str(src), *args, "-o", str(tmp_path / "ranked.csv"))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"Error: cannot write {tmp_path / 'ranked.csv'}: No space left on device"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile", "list.csv"]


def test_cli_rank_speaks_in_options_not_keyword_arguments(tmp_path: Any) -> None:
    src = tmp_path / "list.csv"
    table(("a", "external", "2010-01-01", 1)).to_csv(src, index=False)
    result = _rank_cli(str(src), "--department", "D1", "--rooms", "2", "--rent", "5000",
                       "--on", "2024-06-01", "--route", "flexible", "--colour", "green",
                       "--organisation", "99999999")
    assert result.exit_code == 1
    assert "=" not in result.output
    assert "--route ordinary" in result.output
    assert "Traceback" not in result.output
    unknown = _rank_cli(str(src), "--department", "NOPE", "--rooms", "2", "--rent", "5000",
                        "--on", "2024-06-01")
    assert unknown.exit_code == 1
    assert "--colour and --organisation" in unknown.output
    bad_day = _rank_cli(str(src), "--department", "D1", "--rooms", "2", "--rent", "5000",
                        "--on", "2024-02-30")
    assert bad_day.exit_code == 2
    assert "not a date" in bad_day.output


# -- rank --dwelling: the facts from the dwellings table ------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Fjordby, whose dwellings table states floors, dwelling types and lifts."""
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


PLUGIN = '''
from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup, hookimpl
import datetime as dt

ORGANISATION_CVR = "29190011"


@hookimpl
def register_letting_agreements():
    return [LettingAgreement(
        organisation_cvr=ORGANISATION_CVR, departments=("D004",),
        groups=(PriorityGroup("senior", applies_to=[DwellingCondition(floor=0),
                                                     DwellingCondition(lift=True)]),),
        flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1; Kystbo bilag 4 (test)",
        valid_from=dt.date(2020, 1, 1), valid_until=None)]
'''


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An organisation's plug-in installed as a distribution, found through its entry point."""
    site = tmp_path / "site"
    (site / "fuaalborg_kystbo_test-1.0.dist-info").mkdir(parents=True)
    (site / "fuaalborg_kystbo_test.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "fuaalborg_kystbo_test-1.0.dist-info"
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fuaalborg-kystbo-test\n"
                                   "Version: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[fuaalborg]\nkystbo = fuaalborg_kystbo_test\n",
                                           encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setenv("FUAALBORG_PLUGINS", "fuaalborg-kystbo-test")
    importlib.invalidate_caches()
    ranking_module._default_registry.cache_clear()
    yield
    ranking_module._default_registry().close()
    ranking_module._default_registry.cache_clear()
    sys.modules.pop("fuaalborg_kystbo_test", None)


def test_rank_dwelling_takes_the_facts_from_the_dwellings_table(folder: Path,
                                                                  installed: None) -> None:
    common = ("rank", "--municipality", folder, "--on", ON, "--top", "3")
    ground = run(*common, "--dwelling", "D004-005")
    assert ground.exit_code == 0, ground.output
    assert ("department D004 (green), dwelling D004-005, 2 rooms, ground floor, senior "
            "dwelling, no lift, 4.911 kr./month") in ground.output
    assert "senior" in ground.output.split("seniority_date", 1)[1]
    upstairs = run(*common, "--dwelling", "D004-004")
    assert upstairs.exit_code == 0, upstairs.output
    assert "dwelling D004-004, 2 rooms, floor 3, family dwelling, no lift" in upstairs.output
    assert "senior " not in upstairs.output.split("seniority_date", 1)[1]
    # the explanation reads the table's facts
    senior = ground.output.split("seniority_date", 1)[1].split()[1]
    explained = run(*common, "--dwelling", "D004-005", "--explain", senior, "--lang", "en")
    assert explained.exit_code == 0, explained.output
    assert "this dwelling: ground floor, no lift — the group applies" in explained.output
    # a fact given as the table gives it is fine; otherwise it is refused, as --rooms is
    same = run(*common, "--dwelling", "D004-004", "--floor", "3", "--no-lift",
               "--dwelling-type", "familie", "--rooms", "2")
    assert same.exit_code == 0, same.output
    assert "dwelling D004-004, 2 rooms, floor 3, family dwelling, no lift" in same.output
    # without --dwelling the facts are options of their own
    given = run("rank", "--municipality", folder, "--on", ON, "--top", "3",
                "--department", "D004", "--rooms", "2", "--rent", "4800", "--lift")
    assert given.exit_code == 0, given.output
    (header,) = [line for line in given.output.splitlines() if line.startswith("Fjordby")]
    assert "2 rooms, lift, 4.800 kr./month" in header
    lacking = run("rank", "--municipality", folder, "--on", ON,
                  "--department", "D004", "--rooms", "2", "--rent", "4800")
    assert lacking.exit_code == 1
    assert "floor" in lacking.output
    assert "Traceback" not in lacking.output


def test_rank_dwelling_refuses_facts_that_differ_from_the_dwellings_table(folder: Path) -> None:
    # D004-004: 2 rooms, floor 3, a family dwelling, no lift, 4.927 kr.
    args = ("rank", "--municipality", folder, "--on", ON, "--dwelling", "D004-004")
    for option, said in [
        (["--floor", "0"], "--floor: 0 given, but the dwellings table gives dwelling "
                           "'D004-004' 3 (a dwelling's floor does not change); leave --floor "
                           "out, or, where the dwelling changed, correct the dwellings table"),
        (["--lift"], "--lift/--no-lift: lift given, but the dwellings table gives dwelling "
                     "'D004-004' no lift; leave --lift/--no-lift out"),
        # named as the user typed it: in Danish where typed so (the table's value too)
        (["--dwelling-type", "ældreegnet"], "--dwelling-type: ældreegnet given, but the "
                                            "dwellings table gives dwelling 'D004-004' "
                                            "familie; leave --dwelling-type out"),
        (["--dwelling-type", "senior"], "--dwelling-type: senior given, but the dwellings "
                                        "table gives dwelling 'D004-004' family; leave "
                                        "--dwelling-type out"),
    ]:
        refused = run(*args, *option)
        assert refused.exit_code == 1, (option, refused.output)
        assert refused.output == f"Error: --dwelling D004-004: 1 problem\n  - {said}" + (
            "" if said.endswith("table") else
            ", or, where the dwelling changed, correct the dwellings table") + "\n"
    every = run(*args, "--floor", "0", "--lift", "--dwelling-type", "senior", "--rooms", "3",
                "--rent", "19000")
    assert every.exit_code == 1
    assert every.output.startswith("Error: --dwelling D004-004: 5 problems\n")
    assert [line.split(":")[0] for line in every.output.splitlines()[1:]] == [
        "  - --rooms", "  - --floor", "  - --dwelling-type", "  - --lift/--no-lift",
        "  - --rent"]


def test_rank_explain_names_no_applicant_id_and_an_unknown_one_writes_nothing(
    folder: Path, tmp_path: Path
) -> None:
    args = ("rank", "--municipality", folder, "--on", ON, "--dwelling", "D004-004")
    out = tmp_path / "ranked.csv"
    for typed in ("F9999", "0101901234", ""):  # not on the list; shaped like a CPR number; empty
        unknown = run(*args, "-o", out, "--explain", typed)
        assert unknown.exit_code == 1, (typed, unknown.output)
        assert unknown.output == ("Error: the applicant id asked for is not on the waiting list "
                                  "that was ranked\n")
        assert not out.exists()
        assert not out.with_suffix(".record.json").exists()
    # on the list: the caseworker asked about this applicant, so the explanation speaks of
    # "the applicant" and of the others by position; the ranking's table shows the ids
    known = run(*args, "-o", out, "--explain", "F0002", "--lang", "en")
    assert known.exit_code == 0, known.output
    explanation = known.output.split("\n\n", 1)[1]
    assert explanation.startswith("Position 2 of 29 eligible applicants")
    assert "F0002" not in explanation
    assert "F00" not in explanation  # nor the id of the applicant ahead
    assert out.exists()


def test_rank_dwelling_refuses_what_it_cannot_find(folder: Path) -> None:
    for args, said in [
        (["--dwelling", "D404-001"], "'D404-001' is not in the dwellings table of Fjordby Kommune"),
        (["--dwelling", "D004-001", "--department", "D001"], "belongs to department D004"),
        (["--department", "D004", "--rent", "4800"], "--dwelling ID (with --municipality DIR), "
                                                     "or --rooms"),
        (["--dwelling", "D004-001", "--dwelling-type", "kollegium"], "Invalid value"),
        (["--dwelling", "D004-001", "--floor", "41"], "41 is not in the range -1<=x<=40"),
    ]:
        result = run("rank", "--municipality", folder, "--on", ON, *args)
        assert result.exit_code in (1, 2), (args, result.output)
        assert said in result.output, (args, result.output)
        assert "Traceback" not in result.output


def test_the_demo_shows_a_ranking_where_a_dwelling_condition_applies(
    example_municipality: Municipality
) -> None:
    from fuaalborg.cli.ranking import ranking_section

    lines = ranking_section(example_municipality, ON)
    text = "\n".join(lines)
    assert "A dwelling condition (illustration, no organisation's agreement)" in text
    assert "— the group applies." in text
    assert "— the group does not apply here." in text
