"""Dwelling facts where rankings are made: the example, the ledger, ``rank --dwelling``.

A group of an agreement may apply only to some dwellings (``PriorityGroup(...,
applies_to=DwellingCondition(...))``). The facts it reads — floor, dwelling
type, lift — come from the municipality's dwellings table: the example fills
them from a random stream of their own; a ledger keeps them from the table it
was created from and :meth:`Ledger.rank` fills the vacancy with them; ``fuaalborg
rank --dwelling ID`` reads them from the table.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

import fuaalborg
from fuaalborg import Municipality, examples
from fuaalborg.cli import main
from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup
from fuaalborg.criteria.conditions import UnknownDwellingFactError
from fuaalborg.examples import _generator
from fuaalborg.letting import ranking as ranking_module
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.registry import facts_by_dwelling
from fuaalborg.specs import DWELLING_TYPES

FJORDBY = Path(__file__).parent.parent / "docs" / "fjordby"
# the senior age band is an assumed placeholder until an agreement's values are loaded
pytestmark = pytest.mark.filterwarnings("ignore::fuaalborg.errors.AssumedTermsWarning")
ON = dt.date(2024, 5, 1)
ORGANISATION = "29190011"  # Fjordby's Andelsboligforeningen Kystbo (invented)


def run(*args: object) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


# -- the example --------------------------------------------------------------------------


def test_the_example_states_plausible_floors_types_and_lifts() -> None:
    dwellings = examples.load().dwellings
    assert dwellings["floor"].notna().all()
    assert dwellings["lift"].notna().all()
    assert dwellings["floor"].between(0, 8).all()
    assert 0.3 < (dwellings["floor"] == 0).mean() < 0.7
    assert set(dwellings["dwelling_type"]) == set(DWELLING_TYPES)
    assert (dwellings["dwelling_type"] == "family").mean() > 0.9
    reached = (dwellings["floor"] == 0) | dwellings["lift"]
    earmarked = dwellings["dwelling_type"].isin(["senior", "accessible"])
    assert reached[earmarked].all(), "a senior or accessible dwelling up stairs"
    assert (dwellings.loc[dwellings["kind"] == "bab", "dwelling_type"] == "family").all()
    assert (dwellings.loc[dwellings["dwelling_type"].isin(["senior", "youth"]),
                          "rooms"] <= 2).all()
    # one building form per department: a lift reaches every floor of its building
    assert (dwellings.groupby("department_id")["lift"].nunique() == 1).all()


def test_the_facts_move_no_other_figure_of_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    town = examples.load()

    def none(rng: np.random.Generator, departments: pd.DataFrame,
             dwellings: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(index=dwellings.index)

    monkeypatch.setattr(_generator, "dwelling_facts", none)
    without = _generator.generate()
    for table in examples.TABLES:
        mine = getattr(town, table)
        if table == "dwellings":
            mine = mine.drop(columns=["floor", "dwelling_type", "lift"])
        pd.testing.assert_frame_equal(getattr(without, table), mine, obj=table)


# -- the ledger ---------------------------------------------------------------------------


def _agreement(department: str, cvr: str = ORGANISATION) -> LettingAgreement:
    return LettingAgreement(
        organisation_cvr=cvr, departments=(department,),
        groups=(PriorityGroup("senior", applies_to=[DwellingCondition(floor=0),
                                                     DwellingCondition(lift=True)]),),
        flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1 (test)",
        valid_from=dt.date(2020, 1, 1), valid_until=None,
    )


def _applicants() -> pd.DataFrame:
    return pd.DataFrame({
        "applicant_id": ["young", "old", "older"], "list": ["external"] * 3,
        "seniority_date": pd.to_datetime(["2001-01-01", "2010-01-01", "2015-01-01"]),
        "household_size": [1, 1, 1], "age": [30, 70, 80]})


def _town() -> Municipality:
    """Fjordby: its dwellings table states floor, dwelling type and lift."""
    return Municipality.from_folder(FJORDBY)


def test_a_ledger_keeps_the_dwelling_facts_and_ranks_with_them(tmp_path: Path) -> None:
    town = _town()
    ground, upstairs = "D004-005", "D004-004"
    target = f"sqlite:///{tmp_path}/l.db"
    with Ledger.create(target, town, flexible_shares={"D004": "1"}) as ledger:
        ledger.record_vacancy("V1", ground, "D004", "family", "2024-03-01", 4911.0, 2,
                              colour="green")
        ledger.record_vacancy("V2", upstairs, "D004", "family", "2024-03-02", 4927.0, 2,
                              colour="green")
        (created,) = ledger.events(type="created")
    facts = facts_by_dwelling(created["dwelling_facts"])
    assert facts[ground] == {"floor": 0, "dwelling_type": "senior", "lift": False}
    assert facts[upstairs] == {"floor": 3, "dwelling_type": "family", "lift": False}
    assert created["dwelling_facts"]["dwelling_type"]["senior"] == [
        "D004-001", "D004-005", "D004-013", "D006-001", "D006-002", "D006-003", "D006-004",
        "D006-005", "D006-006"]
    with Ledger.open(target, readonly=True) as ledger:
        on_ground = ledger.rank("V1", _applicants(), agreement=_agreement("D004"))
        up_stairs = ledger.rank("V2", _applicants(), agreement=_agreement("D004"))
        both = ledger.rank_many(["V1", "V2"], _applicants(), agreement=_agreement("D004"))
    assert on_ground.vacancy.floor == 0
    assert on_ground.frame["applicant_id"].tolist() == ["old", "older", "young"]
    assert up_stairs.frame["applicant_id"].tolist() == ["young", "old", "older"]
    assert [r.frame["applicant_id"].tolist() for r in both] == [
        on_ground.frame["applicant_id"].tolist(), up_stairs.frame["applicant_id"].tolist()]
    assert "the group applies" in on_ground.explain("old", lang="en")
    assert "the group does not apply here" in up_stairs.explain("old", lang="en")
    # the offer round takes the ranking made from the ledger's facts
    with Ledger.open(target) as ledger:
        offers = fuaalborg.OfferRound("V1", ledger.rank("V1", _applicants(),
                                                        agreement=_agreement("D004")),
                                      ledger=ledger, size=1)
        assert offers.send("2024-03-05") == ["old"]


def test_a_ledger_without_facts_takes_them_from_its_municipality(tmp_path: Path) -> None:
    town = _town()
    ground = "D004-005"
    bare = town.dwellings.drop(columns=["floor", "dwelling_type", "lift"]).merge(
        town.departments[["department_id", "organisation_cvr"]], on="department_id")
    target = str(tmp_path / "old.jsonl")
    with Ledger.create(target, bare, name="Fjordby Kommune",
                       flexible_shares={"D004": "1"}) as ledger:
        ledger.record_vacancy("V1", ground, "D004", "family", "2024-03-01", 4911.0, 2,
                              colour="green")
        assert "dwelling_facts" not in ledger.events(type="created")[0]
    header = json.loads(Path(target).read_text(encoding="utf-8").splitlines()[0])
    assert "dwelling_facts" not in header  # as every ledger written before the facts
    with Ledger.open(target) as ledger:
        with pytest.raises(UnknownDwellingFactError, match="floor"):
            ledger.rank("V1", _applicants(), agreement=_agreement("D004"))
        ranked = ledger.rank("V1", _applicants(), agreement=_agreement("D004"),
                             municipality=town)
    assert ranked.vacancy.floor == 0
    assert ranked.frame["applicant_id"].iloc[0] == "old"


# -- the command line ---------------------------------------------------------------------


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
    # an explicit fact overrides the table's
    senior = ground.output.split("seniority_date", 1)[1].split()[1]
    moved = run(*common, "--dwelling", "D004-004", "--floor", "0", "--explain", senior,
                "--lang", "en")
    assert moved.exit_code == 0, moved.output
    assert "this dwelling: ground floor, no lift — the group applies" in moved.output
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


def test_rank_dwelling_refuses_what_it_cannot_find(folder: Path) -> None:
    for args, said in [
        (["--dwelling", "D404-001"], "'D404-001' is not in Fjordby Kommune's dwellings table"),
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


def test_the_demo_shows_a_ranking_where_a_dwelling_condition_applies() -> None:
    from fuaalborg.cli.ranking import ranking_section

    lines = ranking_section(examples.load(), ON)
    text = "\n".join(lines)
    assert "A dwelling condition (illustration, no organisation's agreement)" in text
    assert "— the group applies." in text
    assert "— the group does not apply here." in text
