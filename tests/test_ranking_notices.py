"""A ranking's notices in its decision record: kept as codes, worded alike, replayed, private.

The notices say what a ranking could not check (almenboligloven § 51 c without
benefit information) or noticed (a current department not in the municipality's
departments table). The record keeps them as codes with counts; a record written
before records kept notices loads and replays as it did.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path
from typing import Any

import attrs
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fuaalborg
from fuaalborg import examples
from fuaalborg.cli import main
from fuaalborg.errors import InputError, ValidationError
from fuaalborg.letting.notices import NOTICE_CODES, Notice
from fuaalborg.letting.ranking import ApplicantNotFoundError, rank, rank_many
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingRecord
from municipality_support import FJORDBY, set_cell
from ranking_support import read_recorded_waiting_list

ON = dt.date(2024, 5, 1)
VAC = Vacancy("D1", rooms=3, monthly_rent_dkk=5000, vacant_on=ON)
RECORDED = Path(__file__).parent / "recorded"
PROVISION = "almenboligloven § 51 c"


def waiting(benefits: list[Any], current: list[Any] | None = None) -> pd.DataFrame:
    n = len(benefits)
    return pd.DataFrame({
        "applicant_id": [f"a{i + 1}" for i in range(n)],
        "list": "external",
        "seniority_date": pd.to_datetime([f"2010-01-{i + 1:02d}" for i in range(n)]),
        "household_size": 1,
        "current_department_id": current or [None] * n,
        "benefit_received": benefits,
        "partner_benefit_received": "no_partner",
    })


def test_a_ranking_with_a_notice_writes_it_to_its_record() -> None:
    r = rank(waiting(["none", None, None, "cash_benefit"]), VAC, route="ordinary",
             designation="omdannelse")
    assert r.record.notices == (Notice("s51c_rows_unchecked", rows=2, provision=PROVISION),)
    # the ranking's notices and the record's are the same sentences, in either language
    assert r.record.notice_texts("en") == r.notices == r.notice_texts("en") == (
        "almenboligloven § 51 c: 2 rows without benefit information could not be checked and "
        "are not refused",
    )
    assert r.record.notice_texts("da") == r.notice_texts() == (
        "almenboligloven § 51 c: 2 rækker uden oplysning om ydelser kunne ikke kontrolleres og "
        "afvises ikke",
    )
    assert json.loads(r.record.to_json())["notices"] == [
        {"code": "s51c_rows_unchecked", "rows": 2, "provision": PROVISION}
    ]
    # a ranking without notices records none, which is not the same as not recorded
    plain = rank(waiting(["none"]), VAC, route="ordinary", designation="omdannelse")
    assert plain.notices == ()
    assert plain.record.notices == ()
    assert json.loads(plain.record.to_json())["notices"] == []


def test_a_list_without_benefit_columns_records_that_s51c_was_not_checked() -> None:
    frame = waiting(["none", "none"]).drop(columns=["benefit_received", "partner_benefit_received"])
    r = rank(frame, VAC, route="ordinary", designation="omdannelse")
    (notice,) = r.record.notices or ()
    assert notice.code == "s51c_not_checked"
    assert notice.provision == PROVISION
    assert str(notice.area).startswith("omdannelsesområde")
    assert r.notices == (notice.text("en"),)
    assert "kommunen kontrollerer før udlejningen (stk. 3)" in notice.text()
    # it concerns every applicant
    assert r.notices_about("a1") == r.notices_about("a2") == (notice,)


@given(rows=st.integers(min_value=1, max_value=10_000))
def test_a_count_of_rows_agrees_with_its_noun_and_verb_in_either_language(rows: int) -> None:
    one = rows == 1
    unchecked = Notice("s51c_rows_unchecked", rows=rows, provision=PROVISION)
    assert unchecked.text("en") == (
        f"{PROVISION}: {rows} {'row' if one else 'rows'} without benefit information could "
        f"not be checked and {'is' if one else 'are'} not refused")
    assert unchecked.text("da") == (
        f"{PROVISION}: {rows} {'række' if one else 'rækker'} uden oplysning om ydelser kunne "
        "ikke kontrolleres og afvises ikke")
    elsewhere = Notice("department_elsewhere", rows=rows, municipality="Fjordby Kommune")
    assert elsewhere.text("en").startswith(f"{rows} {'row gives' if one else 'rows give'} a ")
    assert elsewhere.text("da").startswith(f"{rows} {'række' if one else 'rækker'} angiver en ")


def test_the_record_round_trips_through_a_dict_and_a_json_file(tmp_path: Path) -> None:
    r = rank(waiting(["none", None]), VAC, route="ordinary", designation="omdannelse")
    record = r.record
    assert RankingRecord.from_dict(record.to_dict()) == record
    path = tmp_path / "ranked.record.json"
    path.write_text(record.to_json(), encoding="utf-8")
    again = RankingRecord.from_json(path.read_text(encoding="utf-8"))
    assert again == record
    assert again.notices == (Notice("s51c_rows_unchecked", rows=1, provision=PROVISION),)


def test_a_record_s_notices_are_checked_when_it_is_loaded() -> None:
    data = rank(waiting(["none", None]), VAC, route="ordinary",
                designation="omdannelse").record.to_dict()
    bad = [
        {"code": "lottery"},
        {"code": "s51c_rows_unchecked", "provision": PROVISION},
        {"code": "s51c_rows_unchecked", "provision": PROVISION, "rows": "two"},
        {"code": "department_elsewhere", "rows": 1, "municipality": "X", "provision": "y"},
        {"code": "department_elsewhere", "rows": 1, "municipality": "X", "applicant": "a1"},
    ]
    with pytest.raises(InputError) as err:
        RankingRecord.from_dict({**data, "notices": bad})
    where = [p.where for p in err.value.problems]
    assert where == [f"record.notices[{i}]" + (".code" if i == 0 else ".rows" if i == 2 else "")
                     for i in range(len(bad))]
    text = str(err.value)
    for said in ("needs rows", "takes no provision", "extra fields found (applicant)"):
        assert said in text
    with pytest.raises(ValidationError, match="rows must be a whole number"):
        Notice("department_elsewhere", rows=0, municipality="X")
    assert set(NOTICE_CODES) == {"s51c_not_checked", "s51c_rows_unchecked",
                                 "department_elsewhere"}


def test_replay_compares_the_recorded_notices() -> None:
    frame = waiting(["none", None, None])
    record = rank(frame, VAC, route="ordinary", designation="omdannelse").record
    same = fuaalborg.replay(RankingRecord.from_json(record.to_json()), frame.iloc[::-1])
    assert same.matches, same.differences
    assert same.differences == ()
    assert same.ranking.record.notices == record.notices
    # a record whose notice the ranking does not make again does not match
    said = attrs.evolve(record, notices=(
        Notice("s51c_rows_unchecked", rows=1, provision=PROVISION),))
    other = fuaalborg.replay(said, frame)
    assert not other.matches
    assert other.differences == (
        "the notices differ: «almenboligloven § 51 c: 1 row without benefit information could "
        "not be checked and is not refused» at the decision, «almenboligloven § 51 c: 2 rows "
        "without benefit information could not be checked and are not refused» now",
    )
    silent = fuaalborg.replay(attrs.evolve(record, notices=()), frame)
    assert not silent.matches
    assert "none at the decision" in silent.differences[0]


def test_a_department_elsewhere_is_recorded_without_the_applicant_and_stands_on_replay() -> None:
    municipality = examples.load()
    frame = waiting(["none", "none", "none"], current=["D001", "HB-0417", "Z-9"])
    vacancy = Vacancy("D001", rooms=2, monthly_rent_dkk=4000, vacant_on=ON)
    r = rank(frame.drop(columns=["benefit_received", "partner_benefit_received"]), vacancy,
             municipality=municipality, route="ordinary", designation="none")
    assert r.record.notices == (
        Notice("department_elsewhere", rows=2, municipality=municipality.name),)
    text = json.dumps(r.record.to_dict()["notices"], ensure_ascii=False)
    for private in ("HB-0417", "Z-9", "a2", "a3", "row 2", "row 3"):
        assert private not in text
        assert all(private not in n for n in (*r.notices, *r.notice_texts()))
    assert "afdelingstabellen for Eksempelkommune (syntetisk)" in r.notice_texts()[0]
    # it concerns the two applicants of those rows, not the one living in D001
    assert r.notices_about("a1") == ()
    assert r.notices_about("a3") == r.record.notices
    assert "The applicant's current department is not in" in r.notices_about("a2")[0]\
        .about_applicant("en")
    with pytest.raises(ApplicantNotFoundError):
        r.notices_about("nobody")
    # the record does not hold the departments table: replay keeps the notice as recorded
    again = fuaalborg.replay(r.record, frame.drop(
        columns=["benefit_received", "partner_benefit_received"]))
    assert again.matches, again.differences
    assert again.differences == ()


def test_rank_many_records_the_notices_of_each_vacancy() -> None:
    municipality = examples.load()
    frame = waiting(["none", None], current=["X-1", None])
    vacancies = [Vacancy("D001", 2, 4000, ON), Vacancy("D002", 2, 4000, ON)]
    first, second = rank_many(frame, vacancies, municipality=municipality, route="ordinary",
                              designations={"D001": "omdannelse", "D002": "none"})
    elsewhere = Notice("department_elsewhere", rows=1, municipality=municipality.name)
    assert first.record.notices == (
        elsewhere, Notice("s51c_rows_unchecked", rows=1, provision=PROVISION))
    assert second.record.notices == (elsewhere,)


@pytest.mark.parametrize("name", ["s51c-omdannelse", "ordinary-wishes"])
def test_a_record_written_before_records_kept_notices_still_loads_and_replays(name: str) -> None:
    text = (RECORDED / f"{name}.record.json").read_text(encoding="utf-8")
    expected = json.loads((RECORDED / f"{name}.expected.json").read_text(encoding="utf-8"))
    record = RankingRecord.from_json(text)
    assert record.schema == "fuaalborg.ranking-record/1"
    assert record.notices is None  # not recorded, which is not "none"
    assert record.notice_texts() is None
    assert "notices" not in record.to_dict()  # written back as it was read
    frame = read_recorded_waiting_list(RECORDED / f"{name}.csv", expected["types"])
    result = fuaalborg.replay(record, frame)
    assert result.matches, result.differences
    assert not any("notices" in d for d in result.differences)
    # the ranking made again says what it could not check, as the old one did in words
    assert list(result.ranking.notices) == expected["notices"]
    assert result.ranking.record.notice_texts("en") == tuple(expected["notices"])


# -- no notice names an applicant -----------------------------------------------------------

_CPR = re.compile(r"\d{6}[- ]?\d{4}")
_IDS = st.from_regex(r"\A[A-ZÆØÅ][A-ZÆØÅ0-9]{5,9}\Z")


@st.composite
def cprs(draw: st.DrawFn) -> str:
    day = draw(st.dates(dt.date(1930, 1, 1), dt.date(2010, 12, 31)))
    return f"{day:%d%m%y}{draw(st.sampled_from(['', '-', ' ']))}{draw(st.integers(0, 9999)):04d}"


#: Department ids the example municipality does not have (nor one of its written differently).
_ELSEWHERE = st.from_regex(r"\A(HB|XK)-[0-9]{3,5}\Z")


@st.composite
def waiting_lists(draw: st.DrawFn) -> pd.DataFrame:
    """Ids, departments here and elsewhere, benefits given or not, CPR numbers and names in
    columns the ranking does not read (the ranking refuses a CPR-shaped id or department)."""
    ids = draw(st.lists(_IDS, min_size=1, max_size=8, unique=True))
    n = len(ids)
    current = draw(st.lists(
        st.one_of(st.none(), st.sampled_from(["D001", "D002", "D017"]), _ELSEWHERE),
        min_size=n, max_size=n))
    benefit = draw(st.lists(st.sampled_from([None, "none", "cash_benefit"]), min_size=n,
                            max_size=n))
    frame = pd.DataFrame({
        "applicant_id": ids,
        "list": draw(st.lists(st.sampled_from(["internal", "external"]), min_size=n, max_size=n)),
        "seniority_date": pd.to_datetime("2010-01-01")
        + pd.to_timedelta(draw(st.lists(st.integers(0, 4000), min_size=n, max_size=n)), "D"),
        "household_size": 1,
        "current_department_id": current,
        "benefit_received": benefit,
        "partner_benefit_received": "no_partner",
        "cpr": draw(st.lists(cprs(), min_size=n, max_size=n)),
        "name": draw(st.lists(_IDS, min_size=n, max_size=n)),
    })
    if draw(st.booleans()):
        frame = frame.drop(columns=["benefit_received", "partner_benefit_received"])
    return frame


MUNICIPALITY = examples.load()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=waiting_lists(), designation=st.sampled_from(["omdannelse", "none"]))
def test_no_notice_ever_names_an_applicant_or_shows_a_cpr_number(
    frame: pd.DataFrame, designation: str
) -> None:
    r = rank(frame, Vacancy("D001", 2, 4000, ON), municipality=MUNICIPALITY, route="ordinary",
             designation=designation)
    record = r.record
    words = [*r.notices, *r.notice_texts("da")]
    for applicant in frame["applicant_id"]:
        words += [n.about_applicant(lang) for n in r.notices_about(applicant)
                  for lang in ("da", "en")]
    words.append(json.dumps(record.to_dict()["notices"], ensure_ascii=False))
    private = [*frame["applicant_id"], *frame["current_department_id"].dropna(),
               *frame["cpr"], *frame["name"]]
    for text in words:
        assert not _CPR.search(text), text
        for value in private:
            if value not in ("D001", "D002", "D017"):  # the municipality's own departments
                assert value not in text, (value, text)
    unknown = frame["current_department_id"].notna() & ~frame["current_department_id"].isin(
        ["D001", "D002", "D017"])
    assert ("department_elsewhere" in [n.code for n in record.notices or ()]) == unknown.any()


# -- the command line ------------------------------------------------------------------------


def test_rank_o_prints_the_notices_its_record_keeps_and_explain_names_the_applicant_s(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "fjordby"
    shutil.copytree(FJORDBY, folder)
    set_cell(folder / "venteliste.csv", 1, "nuværende_afdeling_id", "HB-0417")  # applicant F0001
    out = tmp_path / "ranked.csv"
    args = ["rank", "--municipality", str(folder), "--department", "D004", "--rooms", "2",
            "--rent", "5000", "--on", "2024-05-01", "--route", "ordinary", "-o", str(out)]
    result = CliRunner().invoke(main, [*args, "--explain", "F0001", "--lang", "en"])
    assert result.exit_code == 0, result.output
    record = RankingRecord.from_json(out.with_suffix(".record.json").read_text(encoding="utf-8"))
    assert [n.code for n in record.notices or ()] == ["department_elsewhere"]
    printed = [line.removeprefix("note: ") for line in result.output.splitlines()
               if line.startswith("note: ")]
    assert printed == list(record.notice_texts("en") or ())
    assert "and the record (with 1 notice) to ranked.record.json" in result.output
    explained = result.output.split("\n\n", 1)[1]
    assert explained.rstrip().endswith(
        (record.notices or ())[0].about_applicant("en"))
    assert "HB-0417" not in result.output
    # another applicant's explanation does not carry it; in Danish by default
    other = CliRunner().invoke(main, [*args, "--explain", "F0002"])
    assert other.exit_code == 0, other.output
    assert "Ansøgerens nuværende afdeling" not in other.output
    mine = CliRunner().invoke(main, [*args, "--explain", "F0001"])
    assert "Ansøgerens nuværende afdeling står ikke i afdelingstabellen" in mine.output
