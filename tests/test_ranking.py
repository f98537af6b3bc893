"""Example tests for each clause of the ranking contract, bad input, records and replay."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pandas as pd
import pytest

import fuaalborg
from fuaalborg import Municipality
from fuaalborg.letting.ranking import (
    ApplicantNotFoundError,
    RankingContextError,
    rank,
    rank_many,
)
from fuaalborg.letting.replay import replay
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingRecord
from fuaalborg.tables import TableValidationError
from ranking_support import CVR, ON, FakeRegistry, agreement, criteria
from test_ranking_properties import registry

V2 = Vacancy("D1", rooms=2, monthly_rent_dkk=5500, vacant_on=ON)
V3 = Vacancy("D1", rooms=3, monthly_rent_dkk=6500, vacant_on=ON)


def table(*rows: tuple[Any, ...], **extra: list[Any]) -> pd.DataFrame:
    """Rows of (applicant_id, list, seniority_date, household_size)."""
    frame = pd.DataFrame(rows, columns=["applicant_id", "list", "seniority_date", "household_size"])
    frame["seniority_date"] = pd.to_datetime(frame["seniority_date"])
    for name, values in extra.items():
        frame[name] = values
    return frame


def ids(r: fuaalborg.Ranking) -> list[str]:
    return [str(v) for v in r.frame["applicant_id"]]


# -- order ------------------------------------------------------------------------


def test_ordinary_letting_is_by_seniority_and_ties_break_on_applicant_id() -> None:
    t = table(
        ("b", "external", "2015-01-01", 1),
        ("c", "external", "2012-01-01", 1),
        ("a", "external", "2015-01-01", 1),
        ("d", "external", "2015-01-01", 1),
    )
    r = rank(t, V2, route="ordinary")
    assert ids(r) == ["c", "a", "b", "d"]
    assert r.frame["rank"].tolist() == [1, 2, 3, 4]
    assert r.frame["group"].isna().all()
    assert "lower applicant id" in r.explain("b", lang="en")
    assert "lavere ansøgernummer" in r.explain("b", lang="da")


def test_integer_ids_and_text_ids_order_the_same_way() -> None:
    t = table((10, "external", "2015-01-01", 1), (9, "external", "2015-01-01", 1))
    assert ids(rank(t, V2, route="ordinary")) == ["9", "10"]
    t["applicant_id"] = ["10", "9"]
    assert ids(rank(t, V2, route="ordinary")) == ["10", "9"]  # text order


def test_flexible_letting_puts_groups_first_and_does_not_exclude() -> None:
    t = table(
        ("old", "external", "2001-01-01", 1),
        ("student", "external", "2019-01-01", 1),
        ("worker", "external", "2010-01-01", 1),
        ("both", "external", "2018-01-01", 1),
        in_education=[False, True, False, True],
        employment_permanent=[False, False, True, True],
        children=[0, 0, 0, 0],
    )
    r = rank(t, V2, route="flexible", registry=registry(), colour="green", organisation_cvr=CVR)
    assert ids(r) == ["both", "student", "worker", "old"]
    assert r.frame["group"].tolist()[:3] == [1, 1, 2]
    assert pd.isna(r.frame["group"].iloc[3])
    assert r.frame["criteria_met"].astype(str).tolist() == [
        "education; employment", "education", "employment", ""
    ]
    text = r.explain("worker", lang="en")
    assert "»In permanent employment«" in text
    assert "priority group 2" in text
    assert "Not met: »In education«" in text
    assert "higher priority group (group 1 against group 2)" in text
    old = r.explain("old", lang="da")
    assert "opfylder ingen af kriterierne" in old


def test_red_department_where_nobody_meets_the_criteria_keeps_seniority_order() -> None:
    t = table(
        ("x", "external", "2016-01-01", 1),
        ("y", "external", "2011-01-01", 1),
        ("z", "internal", "2013-01-01", 1),
        in_education=[False] * 3, employment_permanent=[False] * 3, children=[0] * 3,
    )
    r = rank(t, V2, registry=registry(), colour="red", organisation_cvr=CVR)
    assert r.route == "flexible"
    assert "§ 60, stk. 4" in r.record.route_basis
    assert ids(r) == ["y", "z", "x"]
    assert r.frame["group"].isna().all()
    assert "rød" in r.explain("x", lang="da")


def test_red_is_mandatory_flexible_only_from_the_law_s_date() -> None:
    t = table(
        ("x", "external", "2010-01-01", 1),
        in_education=[False], employment_permanent=[False], children=[0],
    )
    before = Vacancy("D1", rooms=2, monthly_rent_dkk=5500, vacant_on=dt.date(2018, 11, 30))
    since = Vacancy("D1", rooms=2, monthly_rent_dkk=5500, vacant_on=dt.date(2018, 12, 1))
    none = FakeRegistry(criteria(), None)
    old = rank(t, before, registry=none, colour="red", organisation_cvr=CVR)
    assert old.route == "ordinary"
    assert "colour_rules.mandatory_flexible" in [p.name for p in old.record.parameters]
    assert rank(t, before, colour="red", route="ordinary").route == "ordinary"
    new = rank(t, since, registry=registry(), colour="red", organisation_cvr=CVR)
    assert new.route == "flexible"
    assert "§ 60, stk. 4" in new.record.route_basis
    with pytest.raises(RankingContextError, match=r"§ 60, stk\. 4"):
        rank(t, since, colour="red", route="ordinary")
    # the explanation says "mandatory" from the same dated rule, not from the colour alone
    assert "obligatorisk, fordi afdelingen er rød" in new.explain("x", lang="da")
    chosen = rank(t, before, registry=registry(), colour="red", organisation_cvr=CVR,
                  route="flexible")
    assert chosen.route == "flexible"
    assert "mandatory" not in chosen.explain("x", lang="en")


def test_internal_turn_puts_internal_rows_first_and_external_turn_excludes_them() -> None:
    t = table(
        ("i1", "internal", "2020-01-01", 1),
        ("e1", "external", "2005-01-01", 1),
        ("i2", "internal", "2019-01-01", 1),
    )
    internal = rank(t, V2, route="ordinary", turn="internal")
    assert ids(internal) == ["i2", "i1", "e1"]
    assert "internal list" in internal.explain("e1", lang="en")
    external = rank(t, V2, route="ordinary", turn="external")
    assert ids(external) == ["e1"]
    assert set(external.ineligible["reason"].astype(str)) == {"not_this_turn"}
    assert "external list's turn" in external.explain("i1", lang="en")
    both = rank(t, V2, route="ordinary")
    assert ids(both) == ["e1", "i2", "i1"]


def test_external_turn_did_not_exist_before_2019_07_01() -> None:
    t = table(("e", "external", "2005-01-01", 1))
    early = Vacancy("D1", 2, 5000, dt.date(2019, 6, 30))
    with pytest.raises(RankingContextError, match="no external turn"):
        rank(t, early, route="ordinary", turn="external")
    assert len(rank(t, attrs_evolve(early, dt.date(2019, 7, 1)), route="ordinary",
                    turn="external")) == 1


def attrs_evolve(v: Vacancy, day: dt.date) -> Vacancy:
    return Vacancy(v.department_id, v.rooms, v.monthly_rent_dkk, day)


def test_an_applicant_on_both_lists_appears_once_at_the_best_position() -> None:
    t = table(
        ("dual", "internal", "2018-01-01", 1),
        ("dual", "external", "2009-01-01", 1),
        ("solo", "external", "2012-01-01", 1),
    )
    one = rank(t, V2, route="ordinary")
    assert ids(one) == ["dual", "solo"]
    assert one.frame["list"].astype(str).tolist() == ["external", "external"]
    assert "also on the internal list" in one.explain("dual", lang="en")
    turn = rank(t, V2, route="ordinary", turn="internal")
    assert ids(turn) == ["dual", "solo"]
    assert turn.frame["list"].astype(str).tolist()[0] == "internal"


def test_internal_moves_exempt_count_as_group_one() -> None:
    t = table(
        ("mover", "internal", "2020-01-01", 1),
        ("other", "internal", "2020-01-01", 1),
        ("student", "external", "2010-01-01", 1),
        in_education=[False, False, True], employment_permanent=[False] * 3, children=[0] * 3,
        current_department_id=["D1", "D9", None],
    )
    reg = registry(internal_moves_exempt=True)
    r = rank(t, V2, route="flexible", registry=reg, colour="green", organisation_cvr=CVR)
    assert ids(r) == ["student", "mover", "other"]
    assert r.frame["group"].tolist()[:2] == [1, 1]
    assert "exempts internal moves" in r.explain("mover", lang="en")
    missing = t.drop(columns="current_department_id")
    with pytest.raises(TableValidationError, match="current_department_id"):
        rank(missing, V2, route="flexible", registry=reg, colour="green", organisation_cvr=CVR)


def test_children_first_for_large_dwellings_only() -> None:
    t = table(
        ("single", "external", "2005-01-01", 1),
        ("family", "external", "2015-01-01", 3),
        children=[0, 1],
    )
    reg = FakeRegistry(criteria(), agreement(groups=(), flexible_share=0.0,
                                             children_first_for_rooms=3))
    small = rank(t, V2, registry=reg, colour="green", organisation_cvr=CVR)
    assert small.route == "ordinary"
    assert ids(small) == ["single", "family"]
    large = rank(t, V3, registry=reg, colour="green", organisation_cvr=CVR)
    assert ids(large) == ["family", "single"]
    assert "family with children" in large.explain("single", lang="en")


# -- eligibility ----------------------------------------------------------------------


def test_households_too_large_wishes_and_passive_applications_are_ineligible() -> None:
    t = table(
        ("fits", "external", "2010-01-01", 4),
        ("big", "external", "2010-01-01", 5),
        ("passive", "external", "2010-01-01", 1),
        ("rooms", "external", "2010-01-01", 1),
        ("rent", "external", "2010-01-01", 1),
        ("place", "external", "2010-01-01", 1),
        ("any", "external", "2011-01-01", 1),
        active=[True, True, False, True, True, True, True],
        min_rooms=[None, None, None, 3, None, None, 1],
        max_rent_dkk=[None, None, None, None, 5000.0, None, 9000.0],
        wanted_department_ids=[None, None, None, None, None, "D2;D3", "D1; D4"],
    )
    r = rank(t, V2, route="ordinary")
    assert ids(r) == ["fits", "any"]
    reasons = dict(zip(r.ineligible["applicant_id"], r.ineligible["reason"].astype(str),
                       strict=True))
    assert reasons == {
        "big": "household_too_large",
        "passive": "inactive",
        "rooms": "fewer_rooms_than_wished",
        "rent": "rent_above_wish",
        "place": "department_not_wished",
    }
    assert "household of 5 persons for 2 rooms" in r.explain("big", lang="en")
    assert "udlejningsbekendtgørelsens § 26" in r.explain("big", lang="da")
    assert "5.000 kr." in r.explain("rent", lang="da")
    assert r.record.ineligible == 5
    # a rent with øre is shown with them, in each language's way
    with_ore = attrs.evolve(V2, monthly_rent_dkk=5500.5)
    cents = rank(table(("x", "external", "2010-01-01", 1)), with_ore, route="ordinary")
    assert "5.500,50 kr. om måneden" in cents.explain("x", lang="da")
    assert "5,500.50 kr. a month" in cents.explain("x", lang="en")


# -- route decisions ------------------------------------------------------------------


def test_route_follows_colour_and_agreement_share() -> None:
    t = table(("a", "external", "2010-01-01", 1), in_education=[True],
              employment_permanent=[False], children=[0])
    assert rank(t, V2, registry=registry(), colour="green",
                organisation_cvr=CVR).route == "flexible"
    none = FakeRegistry(criteria(), None)
    assert rank(t, V2, registry=none, colour="yellow", organisation_cvr=CVR).route == "ordinary"
    half = registry(flexible_share=0.5)
    with pytest.raises(RankingContextError, match="letting ledger"):
        rank(t, V2, registry=half, colour="green", organisation_cvr=CVR)
    assert rank(t, V2, registry=half, colour="green", organisation_cvr=CVR,
                route="ordinary").route == "ordinary"
    with pytest.raises(RankingContextError, match="colour"):
        rank(t, V2, registry=registry())
    with pytest.raises(RankingContextError, match=r"§ 60, stk\. 4"):
        rank(t, V2, registry=registry(), colour="red", organisation_cvr=CVR, route="ordinary")
    with pytest.raises(RankingContextError, match="unknown colour"):
        rank(t, V2, registry=registry(), colour="purple", organisation_cvr=CVR)


def test_a_criterion_column_missing_is_named() -> None:
    t = table(("a", "external", "2010-01-01", 1))
    with pytest.raises(TableValidationError) as err:
        rank(t, V2, registry=registry(), colour="green", organisation_cvr=CVR)
    assert {p.column for p in err.value.problems} == {
        "children", "employment_permanent", "in_education"
    }


# -- bad input -------------------------------------------------------------------------


def test_bad_waiting_list_reports_every_problem_without_personal_data() -> None:
    t = table(
        ("a1", "external", "2010-01-01", 1),
        ("a1", "external", "2011-01-01", 2),
        ("x2", "elsewhere", "2010-01-01", 1),
        ("x3", "internal", "2030-01-01", 0),
        ("x4", "internal", "2010-01-01", 2.5),
        ("0101801234", "internal", "2010-01-01", 1),
        name=["Anna Hansen", "Anna Hansen", "Bo", "Cy", "Di", "Ea"],
    )
    with pytest.raises(TableValidationError) as err:
        rank(t, V2, route="ordinary")
    message = str(err.value)
    found = {(p.column, p.row) for p in err.value.problems}
    assert found == {
        ("applicant_id", 6),
        ("list", 3),
        ("seniority_date", 4),
        ("household_size", 4),
        ("household_size", 5),
        ("applicant_id, list", 2),
    }
    # a table of persons: no cell's value, only where and what was expected
    for hidden in ("0101801234", "Anna", "a1", "elsewhere", "2030-01-01", "2.5"):
        assert hidden not in message
    assert "row 1 has the same" in message
    assert "applicant number" in message  # what to use instead of a CPR number


def test_missing_required_columns_are_all_listed() -> None:
    with pytest.raises(TableValidationError) as err:
        rank(pd.DataFrame({"applicant_id": ["a"], "name": ["Anna"]}), V2, route="ordinary")
    assert {p.column for p in err.value.problems} == {"list", "seniority_date", "household_size"}


def test_text_tables_are_coerced_and_bad_dates_reported() -> None:
    t = pd.DataFrame({
        "applicant_id": ["a", "b", "c"],
        "list": ["external", "External ", "internal"],
        "seniority_date": ["2010-01-05", "05-01-2009", "soon"],
        "household_size": ["1", "2", "1"],
        "active": ["ja", "true", "maybe"],
    })
    with pytest.raises(TableValidationError) as err:
        rank(t, V2, route="ordinary")
    assert {(p.column, p.row) for p in err.value.problems} == {
        ("seniority_date", 2), ("seniority_date", 3), ("active", 3)
    }
    # a day-first date is never guessed: the error says how to read one
    (dayfirst,) = [p for p in err.value.problems if p.row == 2]
    assert "day-first" in dayfirst.expected
    ok = t.iloc[:2].assign(seniority_date=["2010-01-05", "2009-01-05"])
    assert ids(rank(ok, V2, route="ordinary")) == ["b", "a"]


def test_bad_arguments() -> None:
    t = table(("a", "external", "2010-01-01", 1))
    with pytest.raises(fuaalborg.ValidationError, match="top"):
        rank(t, V2, route="ordinary", top=-1)
    with pytest.raises(RankingContextError, match="route"):
        rank(t, V2, route="lottery")  # type: ignore[arg-type]
    with pytest.raises(fuaalborg.ValidationError, match="rooms"):
        Vacancy("D1", rooms=0, monthly_rent_dkk=1, vacant_on=ON)
    with pytest.raises(fuaalborg.ValidationError, match="monthly_rent_dkk"):
        Vacancy("D1", rooms=1, monthly_rent_dkk=-1, vacant_on=ON)
    r = rank(t, V2, route="ordinary")
    with pytest.raises(ApplicantNotFoundError):
        r.explain("nobody")
    with pytest.raises(fuaalborg.ValidationError, match="lang"):
        r.explain("a", lang="fr")  # type: ignore[arg-type]
    assert len(rank(t, V2, route="ordinary", top=0)) == 0


# -- records and replay ------------------------------------------------------------------


def test_record_holds_the_rules_and_round_trips_through_json() -> None:
    t = table(("a", "external", "2010-01-01", 1), ("b", "internal", "2009-01-01", 1),
              in_education=[True, False], employment_permanent=[False, False], children=[0, 0],
              name=["Anna", "Bo"])
    r = rank(t, V2, registry=registry(), colour="green", organisation_cvr=CVR, turn="internal")
    rec = r.record
    data = json.loads(rec.to_json())
    assert data["schema"] == "fuaalborg.ranking-record/1"
    assert data["route"] == "flexible"
    assert data["turn"] == "internal"
    assert data["agreement"]["groups"] == ["education", "employment", "families"]
    names = {p["name"] for p in data["parameters"]}
    assert {"letting.max_persons_per_room", "letting.internal_share"} <= names
    share = next(p for p in data["parameters"] if p["name"] == "letting.internal_share")
    assert share["value"] == "1/2"
    assert share["start"] == "2019-07-01"
    assert data["ranked"] == ["b", "a"]
    assert "name" not in data["input"]["columns"]
    assert "Anna" not in rec.to_json()
    assert RankingRecord.from_json(rec.to_json()) == rec
    with pytest.raises(fuaalborg.ValidationError, match="problem"):
        RankingRecord.from_dict({**data, "on": "not a date"})


def test_replay_reports_a_changed_waiting_list() -> None:
    t = table(("a", "external", "2010-01-01", 1), ("b", "external", "2012-01-01", 1))
    r = rank(t, V2, route="ordinary")
    same = replay(r.record, t.iloc[::-1])
    assert same.matches
    assert same.differences == ()
    changed = t.copy()
    changed.loc[1, "seniority_date"] = pd.Timestamp("2001-01-01")
    other = replay(r.record, changed)
    assert not other.matches
    assert any("order differs from position 1" in d for d in other.differences)
    assert any("fingerprint" in d for d in other.differences)


# -- many vacancies ------------------------------------------------------------------------


def test_rank_many_equals_rank_and_evaluates_each_criterion_once() -> None:
    t = table(
        *[(f"p{i:02d}", "external" if i % 3 else "internal", f"20{10 + i % 9}-0{1 + i % 8}-01",
           1 + i % 5) for i in range(40)],
        in_education=[i % 4 == 0 for i in range(40)],
        employment_permanent=[i % 3 == 0 for i in range(40)],
        children=[i % 2 for i in range(40)],
    )
    vacancies = [Vacancy(f"D{k}", rooms=1 + k % 3, monthly_rent_dkk=5000, vacant_on=ON)
                 for k in range(6)]
    reg = registry()
    many = rank_many(t, vacancies, top=5, registry=reg,
                     colours={f"D{k}": "red" if k == 0 else "green" for k in range(6)},
                     organisation_cvr=CVR, route=[None, "flexible", "ordinary", None, None, None],
                     turn="internal")
    assert reg.calls == 1
    for vac, got in zip(vacancies, many, strict=True):
        single = rank(t, vac, top=5, registry=registry(),
                      colour="red" if vac.department_id == "D0" else "green",
                      organisation_cvr=CVR, route=got.route, turn="internal")  # type: ignore[arg-type]
        assert ids(got) == ids(single)
        assert got.record.ranked == single.record.ranked
    assert rank_many(t, [], registry=reg) == []


# -- the example municipality and the real criteria ------------------------------------------


def test_example_municipality_red_and_green_departments(example_municipality: Municipality) -> None:
    from fuaalborg.monitoring.calendar import placement_on

    municipality = example_municipality
    on = municipality.applicants["seniority_date"].max().date()
    colours = placement_on(municipality, on).colours()
    red = str(colours[colours == "red"].index[0])
    green = str(colours[colours == "green"].index[0])
    for dep, route in ((red, "flexible"), (green, "ordinary")):
        r = rank(
            municipality.applicants, Vacancy(dep, 3, 6500, on), municipality=municipality, top=10
        )
        assert r.route == route
        assert len(r) == 10
        first = r.frame["applicant_id"].iloc[0]
        text = r.explain(first, lang="da")
        names = municipality.applicants.loc[
            municipality.applicants["applicant_id"] == first, "name"
        ]
        assert str(names.iloc[0]) not in text
        assert r.record.plugins  # the built-in plug-in, with its version
    red_rank = rank(
        municipality.applicants, Vacancy(red, 3, 6500, on), municipality=municipality, top=10
    )
    assert red_rank.frame["group"].notna().any()
    assert red_rank.criteria[-1].legal_basis


def test_an_applicant_not_yet_on_the_list_is_ineligible_with_the_reason() -> None:
    t = table(
        ("a", "external", "2010-01-01", 1),
        ("b", "external", "2024-07-01", 1),  # registered after the ranking date
        name=["Anna", "Bo"],
    )
    ranking = rank(t, Vacancy("D1", 2, 5000, dt.date(2024, 6, 1)), route="ordinary")
    assert ranking.frame["applicant_id"].tolist() == ["a"]
    ineligible = ranking.ineligible
    assert ineligible["applicant_id"].tolist() == ["b"]
    assert ineligible["reason"].tolist() == ["not_yet_on_list"]
    assert "not yet on the list" in ranking.explain("b", lang="en")
    later = rank(t, Vacancy("D1", 2, 5000, dt.date(2024, 7, 1)), route="ordinary")
    assert later.frame["applicant_id"].tolist() == ["a", "b"]
