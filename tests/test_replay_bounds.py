"""A decision replays under the sanity bounds it was made under, from its record alone.

A municipality raises a sanity bound in its ``municipality.toml`` ``[bounds]``
where a value is right but above the bundled bound. A ranking made under such
bounds (by :func:`fuaalborg.rank`, :func:`fuaalborg.rank_many`,
:meth:`fuaalborg.Ledger.rank` or ``fuaalborg rank``) records them
(:attr:`RankingRecord.bounds <fuaalborg.records.RankingRecord.bounds>`), and
:func:`fuaalborg.replay` checks the waiting list against the recorded bounds,
never the bundled example's in their place. A record that does not state them
(written before records kept them) loads and is written back the same way; it is
checked against the bundled bounds unless the caller gives the bounds it was made
under (``replay(..., bounds=)``, ``fuaalborg replay --municipality DIR``).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fuaalborg
from fuaalborg import Municipality
from fuaalborg.cli import main
from fuaalborg.criteria.vocabulary import APPLICANTS
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingRecord
from fuaalborg.tables import TableValidationError
from municipality_support import FJORDBY, set_cell

ON = dt.date(2024, 6, 1)
REFERENCE = "Fjordby Boligselskab: dwellings of up to 30 rooms, applicants from 14 (test)"


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fjordby with raised bounds, and a waiting list within them but not the bundled ones."""
    folder = Path(shutil.copytree(FJORDBY, tmp_path_factory.mktemp("own") / "fjordby"))
    settings = folder / "municipality.toml"
    settings.write_text(
        settings.read_text(encoding="utf-8")
        + f'\n[bounds]\nrooms = 30\napplicant_age_min = 14\nreference = "{REFERENCE}"\n',
        encoding="utf-8")
    set_cell(folder / "venteliste.csv", 3, "mindst_rum", "25")  # above the bundled 20 rooms
    set_cell(folder / "venteliste.csv", 2, "alder", "14")  # below the bundled 15 years
    return folder


@pytest.fixture(scope="module")
def own(folder: Path) -> Municipality:
    return Municipality.from_folder(folder, applicants=APPLICANTS)


def _vacancy() -> Vacancy:
    return Vacancy("D001", rooms=3, monthly_rent_dkk=6546.0, vacant_on=ON,
                   dwelling_id="D001-001")


def _stored(record: RankingRecord) -> RankingRecord:
    """The record as a letting system stores and reads it back."""
    return RankingRecord.from_json(record.to_json())


def _ranked_by(how: str, own: Municipality, tmp_path: Path) -> RankingRecord:
    if how == "rank":
        return fuaalborg.rank(own.applicants, _vacancy(), municipality=own).record
    if how == "rank_many":
        (ranking,) = fuaalborg.rank_many(own.applicants, [_vacancy()], municipality=own, top=None)
        return ranking.record
    with Ledger.create(tmp_path / "ledger.jsonl", own) as ledger:
        ledger.record_vacancy("V1", "D004-001", "D004", "family", ON, 3319.0, 1,
                              colour="green")
        return ledger.rank("V1", own.applicants, municipality=own).record


@pytest.mark.parametrize("how", ["rank", "rank_many", "Ledger.rank"])
def test_a_ranking_under_own_bounds_replays_from_its_record_alone(
    how: str, own: Municipality, tmp_path: Path
) -> None:
    record = _stored(_ranked_by(how, own, tmp_path))
    assert record.bounds is not None
    stated = {b.name: b for b in record.bounds}
    assert stated["bounds.rooms"].value == "30"
    assert REFERENCE in stated["bounds.rooms"].reference
    assert stated["bounds.applicant_age_max"].value == "120"  # the bundled one, not raised
    result = fuaalborg.replay(record, own.applicants.sample(frac=1, random_state=1))
    assert result.matches, result.differences
    assert result.differences == ()  # no plug-in said to be gone that the decision loaded
    assert result.ranking.record.bounds == record.bounds


def test_a_record_written_by_the_rank_command_replays(folder: Path, own: Municipality,
                                                    tmp_path: Path) -> None:
    out = tmp_path / "ranked.csv"
    written = CliRunner().invoke(main, [
        "rank", "--municipality", str(folder), "--department", "D001", "--rooms", "3",
        "--rent", "6546", "--on", ON.isoformat(), "-o", str(out)])
    assert written.exit_code == 0, written.output
    record = RankingRecord.from_json((tmp_path / "ranked.record.json").read_text("utf-8"))
    result = fuaalborg.replay(record, own.applicants)
    assert result.matches, result.differences


def test_replay_checks_the_list_against_the_recorded_bounds_not_the_bundled(
    own: Municipality,
) -> None:
    data = fuaalborg.rank(own.applicants, _vacancy(), municipality=own).record.to_dict()
    for bound in data["bounds"]:
        if bound["name"] == "bounds.rooms":
            bound["value"] = "24"  # a record stating a lower bound than the list's 25 rooms
    with pytest.raises(TableValidationError, match="at most 24, the plausible bound"):
        fuaalborg.replay(RankingRecord.from_dict(data), own.applicants)


def _without_bounds(record: RankingRecord) -> dict[str, Any]:
    data = record.to_dict()
    del data["bounds"]
    return data


def test_a_record_without_bounds_loads_and_replays_as_before(own: Municipality) -> None:
    data = _without_bounds(fuaalborg.rank(own.applicants, _vacancy(), municipality=own).record)
    older = RankingRecord.from_dict(data)
    assert older.bounds is None  # not recorded, which is not the same as none
    assert json.loads(older.to_json()) == data  # written back as it was read
    # without the bounds it was made under: checked against the bundled bounds
    with pytest.raises(TableValidationError, match="at most 20, the plausible bound"):
        fuaalborg.replay(older, own.applicants)
    # with them (the municipality's, as its folder states them): it replays
    again = fuaalborg.replay(older, own.applicants, bounds=own.parameters)
    assert again.matches, again.differences
    stated = {b.name: b for b in again.ranking.record.bounds or ()}
    assert stated["bounds.rooms"].value == "30"


def test_given_bounds_are_not_used_for_a_record_that_states_its_own(
    own: Municipality,
) -> None:
    record = fuaalborg.rank(own.applicants, _vacancy(), municipality=own).record
    bundled = fuaalborg.load_parameters()
    again = fuaalborg.replay(record, own.applicants, bounds=bundled)
    assert again.matches
    assert again.ranking.record.bounds == record.bounds


def test_the_cli_checks_a_record_without_bounds_against_the_folder_s(
    folder: Path, own: Municipality, tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from fuaalborg.cli import main

    older = tmp_path / "older.record.json"
    data = _without_bounds(fuaalborg.rank(own.applicants, _vacancy(), municipality=own).record)
    older.write_text(json.dumps(data), encoding="utf-8")
    result = CliRunner().invoke(main, ["replay", str(older), "--municipality", str(folder),
                                       "--lang", "en"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == 0, result.output
    assert ("The record states no sanity bounds (written before records kept them): the "
            "waiting list was checked against fjordby's municipality.toml [bounds]") in (
        result.output)
    assert "The decision replays" in result.output
    # the list given as a file, without the folder: the bundled bounds, refused as before
    given = CliRunner().invoke(main, ["replay", str(older), str(folder / "venteliste.csv")])
    assert given.exit_code == 1
    assert "at most 20" in given.output


def test_a_ranking_under_the_bundled_bounds_records_them() -> None:
    example = fuaalborg.examples.load()
    vacancy = Vacancy("D004", rooms=3, monthly_rent_dkk=6000, vacant_on=ON)
    record = fuaalborg.rank(example.applicants, vacancy, route="ordinary").record
    assert record.bounds is not None
    names = [b.name for b in record.bounds]
    assert names == sorted(names)
    assert {"bounds.rooms", "bounds.household_size", "bounds.applicant_age_min",
            "bounds.hours_per_week"} <= set(names)
    assert {b.source for b in record.bounds} == {"bounds.toml"}
    again = _stored(record)
    assert again == record
    older = RankingRecord.from_dict(_without_bounds(record))
    assert fuaalborg.replay(older, example.applicants).matches
