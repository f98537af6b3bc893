"""Dwelling conditions on agreement groups, in ``rank`` and ``rank_many``, explained.

"Seniors to ground-floor dwellings", "students to youth dwellings", "families
with children to 4+ rooms": a group applies only to the vacancies its
condition holds for; elsewhere nobody is placed in it and the later groups
keep their numbers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg.criteria import DwellingCondition, LettingAgreement, PriorityGroup, load
from fuaalborg.criteria.conditions import UnknownDwellingFactError, applicability, parse
from fuaalborg.errors import ValidationError
from fuaalborg.letting.ranking import rank, rank_many
from fuaalborg.letting.replay import replay
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingRecord

ON = dt.date(2024, 6, 1)
CVR = "31831814"
pytestmark = pytest.mark.filterwarnings("ignore::fuaalborg.errors.AssumedTermsWarning")
REGISTRY = load(entry_points=False)

AGREEMENT = LettingAgreement(
    organisation_cvr=CVR,
    departments=("D1",),
    groups=(
        PriorityGroup("senior", applies_to=[DwellingCondition(floor=0), "lift = true"]),
        PriorityGroup("education", applies_to="dwelling_type = youth"),
        PriorityGroup("families_with_children", applies_to=DwellingCondition(min_rooms=4)),
    ),
    flexible_share=1.0,
    legal_basis="Almenboligloven § 60, stk. 1; bilag 4 (test)",
    valid_from=dt.date(2024, 1, 1),
    valid_until=None,
)


def waiting() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "applicant_id": ["old", "student", "family", "other"],
            "list": ["external"] * 4,
            "seniority_date": pd.to_datetime(["2020-01-01", "2019-01-01", "2018-01-01",
                                              "2010-01-01"]),
            "household_size": [1, 1, 3, 1],
            "age": [70, 22, 35, 40],
            "in_education": [False, True, False, False],
            "apprentice": [False, False, False, False],
            "partner_in_education": [False, False, False, False],
            "children": [0, 0, 2, 0],
        }
    )


def order(vacancy: Vacancy) -> list[str]:
    ranking = rank(waiting(), vacancy, registry=REGISTRY, route="flexible", agreement=AGREEMENT)
    return ranking.frame["applicant_id"].tolist()


def vacancy(**facts: object) -> Vacancy:
    return Vacancy("D1", rooms=int(facts.pop("rooms", 2)), monthly_rent_dkk=5000,  # type: ignore[call-overload]
                   vacant_on=ON, **facts)  # type: ignore[arg-type]


def test_each_group_applies_only_to_its_dwellings() -> None:
    # a ground-floor family dwelling of 2 rooms: only the seniors' group applies
    assert order(vacancy(floor=0, dwelling_type="family")) == ["old", "other", "family", "student"]
    # a youth dwelling on floor 3 without a lift: only the students' group
    assert order(vacancy(floor=3, lift=False, dwelling_type="youth")) == [
        "student", "other", "family", "old"
    ]
    # 4 rooms on floor 2 with a lift: seniors, then families
    assert order(vacancy(rooms=4, floor=2, lift=True, dwelling_type="family")) == [
        "old", "family", "other", "student"
    ]


def test_the_explanation_says_which_condition_made_a_group_apply() -> None:
    v = vacancy(floor=3, lift=False, dwelling_type="youth")
    ranking = rank(waiting(), v, registry=REGISTRY, route="flexible", agreement=AGREEMENT)
    text = ranking.explain("student", lang="en")
    assert "Priority group 2 (»In education«) applies only to dwellings suited for young " \
           "people; this dwelling: youth dwelling — the group applies." in text
    assert "Priority group 1 (»Senior applicants (age band)«) applies only to dwellings on the " \
           "ground floor or with a lift; this dwelling: floor 3, no lift — the group does not " \
           "apply here." in text
    assert "meets »In education« and is in priority group 2" in text
    danish = ranking.explain("old", lang="da")
    assert "gælder kun boliger i stueetagen eller med elevator" in danish
    assert "gruppen gælder ikke her" in danish


def test_rank_many_evaluates_the_conditions_for_the_whole_batch() -> None:
    rng = np.random.default_rng(4)
    vacancies = [
        vacancy(rooms=int(rng.integers(1, 6)), floor=int(rng.integers(0, 4)),
                lift=bool(rng.integers(0, 2)),
                dwelling_type=str(rng.choice(["family", "youth", "senior"])))
        for _ in range(40)
    ]
    many = rank_many(waiting(), vacancies, registry=REGISTRY, route="flexible",
                     agreement=AGREEMENT, top=None)
    for v, ranking in zip(vacancies, many, strict=True):
        assert ranking.frame["applicant_id"].tolist() == order(v)


def test_a_missing_fact_is_an_error_only_where_it_decides() -> None:
    # the floor decides (no lift stated either): refused, naming the facts
    with pytest.raises(UnknownDwellingFactError, match="floor, lift"):
        order(vacancy(dwelling_type="family", rooms=4))
    # floor 0 decides the seniors' group whatever the lift; the type decides the students'
    assert order(vacancy(floor=0, dwelling_type="senior"))[0] == "old"


def test_the_record_keeps_each_group_s_condition_and_replays() -> None:
    v = vacancy(floor=0, dwelling_type="family")
    ranking = rank(waiting(), v, registry=REGISTRY, route="flexible", agreement=AGREEMENT)
    record = RankingRecord.from_json(ranking.record.to_json())
    assert record.agreement is not None
    assert record.agreement.applies_to == (
        "floor = 0 or lift = true", "dwelling_type = youth", "rooms >= 4"
    )
    assert record.vacancy.floor == 0
    again = replay(record, waiting(), registry=REGISTRY)
    assert again.matches, again.differences


@settings(max_examples=50, deadline=None)
@given(
    rooms=st.integers(1, 6), floor=st.one_of(st.none(), st.integers(-1, 5)),
    lift=st.one_of(st.none(), st.booleans()),
    kind=st.one_of(st.none(), st.sampled_from(["family", "youth", "senior", "accessible"])),
)
def test_applicability_follows_the_conditions_one_vacancy_at_a_time(
    rooms: int, floor: int | None, lift: bool | None, kind: str | None
) -> None:
    v = vacancy(rooms=rooms, floor=floor, lift=lift, dwelling_type=kind)
    texts = ["", "floor = 0 or lift = true", "dwelling_type in (youth, senior)", "rooms >= 4"]
    try:
        got = applicability(texts, [v])[0].tolist()
    except UnknownDwellingFactError:
        assert floor is None or (floor != 0 and lift is None) or kind is None
        return
    assert got == [
        True,
        floor == 0 or lift is True,
        kind in ("youth", "senior"),
        rooms >= 4,
    ]


@pytest.mark.parametrize(
    "text",
    ["rooms > 4", "floor = ground", "dwelling_type = palace", "lift = maybe", "colour = red"],
)
def test_a_condition_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(ValidationError):
        parse(text)


def test_conditions_have_one_text_form() -> None:
    cond = DwellingCondition(min_rooms=2, max_rooms=3, max_floor=1,
                             dwelling_type=("youth", "senior"), lift=True)
    assert parse(str(cond)) == (cond,)
