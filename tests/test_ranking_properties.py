"""Properties of the waiting-list ranking on generated waiting lists."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg.letting.ranking import Ranking, rank
from fuaalborg.letting.replay import replay
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import RankingRecord
from ranking_support import CVR, ON, FakeRegistry, agreement, criteria

VACANCY = Vacancy("D1", rooms=2, monthly_rent_dkk=5500, vacant_on=ON)


def registry(**kw: Any) -> FakeRegistry:
    return FakeRegistry(criteria(), agreement(**kw))


ROW = st.fixed_dictionaries(
    {
        "applicant_id": st.sampled_from([f"a{i:02d}" for i in range(25)]),
        "list": st.sampled_from(["internal", "external"]),
        "seniority_date": st.integers(0, 40).map(
            lambda d: pd.Timestamp("2010-01-01") + pd.Timedelta(days=d)
        ),
        "household_size": st.integers(1, 6),
        "active": st.booleans() | st.just(True),
        "in_education": st.booleans(),
        "employment_permanent": st.booleans(),
        "children": st.integers(0, 2),
        "current_department_id": st.sampled_from(["D1", "D2", None]),
        "name": st.sampled_from(["Anna", "Mohammed", "Jens"]),
        "citizenship": st.sampled_from(["DK", "SY", "PL"]),
    }
)

WAITING_LISTS = st.lists(
    ROW, min_size=0, max_size=30, unique_by=lambda r: (r["applicant_id"], r["list"])
).map(pd.DataFrame)

TURNS = st.sampled_from([None, "internal", "external"])
ROUTES = st.sampled_from(["flexible", "ordinary"])
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def full(frame: pd.DataFrame, **kw: Any) -> Ranking:
    if frame.empty:
        frame = pd.DataFrame({c: pd.Series([], dtype=object) for c in ROW_COLUMNS})
        frame["seniority_date"] = pd.to_datetime(frame["seniority_date"])
    kw.setdefault("registry", registry())
    kw.setdefault("colour", "green")
    kw.setdefault("organisation_cvr", CVR)
    return rank(frame, VACANCY, **kw)


ROW_COLUMNS = (
    "applicant_id", "list", "seniority_date", "household_size", "active", "in_education",
    "employment_permanent", "children", "current_department_id", "name", "citizenship",
)


def order(r: Ranking) -> list[tuple[str, str, int]]:
    f = r.frame
    return list(zip(f["applicant_id"], f["list"].astype(str), f["sort_key"], strict=True))


@SETTINGS
@given(WAITING_LISTS, TURNS, ROUTES, st.randoms(use_true_random=False))
def test_row_order_never_changes_the_ranking(
    frame: pd.DataFrame, turn: str | None, route: str, rnd: Any
) -> None:
    before = full(frame, turn=turn, route=route)
    if frame.empty:
        return
    positions = list(range(len(frame)))
    rnd.shuffle(positions)
    shuffled = frame.iloc[positions].reset_index(drop=True)
    after = full(shuffled, turn=turn, route=route)
    assert order(after) == order(before)
    assert after.record.input.sha256 == before.record.input.sha256


@SETTINGS
@given(WAITING_LISTS, TURNS, ROUTES, st.randoms(use_true_random=False))
def test_protected_columns_never_change_the_ranking(
    frame: pd.DataFrame, turn: str | None, route: str, rnd: Any
) -> None:
    if frame.empty:
        return
    before = full(frame, turn=turn, route=route)
    changed = frame.copy()
    names = list(changed["name"])
    rnd.shuffle(names)
    changed["name"] = names
    changed["citizenship"] = ["XX"] * len(changed)
    changed["country_of_birth"] = "Narnia"
    after = full(changed, turn=turn, route=route)
    assert order(after) == order(before)
    assert after.record.input.sha256 == before.record.input.sha256
    for applicant in after.frame["applicant_id"].head(3):
        text = after.explain(applicant, lang="en") + after.explain(applicant, lang="da")
        assert "Narnia" not in text
        assert "XX" not in text


@SETTINGS
@given(WAITING_LISTS, TURNS, st.data())
def test_meeting_a_higher_group_never_moves_an_applicant_down(
    frame: pd.DataFrame, turn: str | None, data: st.DataObject
) -> None:
    base = full(frame, turn=turn, route="flexible")
    if base.frame.empty:
        return
    who = data.draw(st.sampled_from(list(base.frame["applicant_id"])))
    column = data.draw(st.sampled_from(["in_education", "employment_permanent", "children"]))
    better = frame.copy()
    rows = better["applicant_id"] == who
    better.loc[rows, column] = 1 if column == "children" else True
    after = full(better, turn=turn, route="flexible")
    old, new = base.position_of(who), after.position_of(who)
    assert old is not None
    assert new is not None
    assert new <= old


@SETTINGS
@given(WAITING_LISTS, TURNS, ROUTES)
def test_within_a_group_earlier_seniority_never_ranks_lower(
    frame: pd.DataFrame, turn: str | None, route: str
) -> None:
    f = full(frame, turn=turn, route=route).frame
    group = f["group"].fillna(99).astype(int).tolist()
    lists = f["list"].astype(str).tolist()
    dates = f["seniority_date"].tolist()
    ids = f["applicant_id"].tolist()
    for i in range(len(f) - 1):
        same_block = group[i] == group[i + 1] and (turn != "internal" or lists[i] == lists[i + 1])
        if same_block:
            assert (dates[i], ids[i]) < (dates[i + 1], ids[i + 1])
    # the group never decreases down the list (on an internal turn, within each list)
    if route == "flexible" and turn != "internal":
        assert group == sorted(group)
    assert f["sort_key"].is_monotonic_increasing
    assert f["applicant_id"].is_unique


@SETTINGS
@given(WAITING_LISTS, TURNS, ROUTES, st.integers(0, 35))
def test_top_n_equals_the_first_n_of_the_full_ranking(
    frame: pd.DataFrame, turn: str | None, route: str, n: int
) -> None:
    whole = full(frame, turn=turn, route=route)
    part = full(frame, turn=turn, route=route, top=n)
    assert order(part) == order(whole)[:n]
    assert part.eligible_count == whole.eligible_count


@SETTINGS
@given(WAITING_LISTS, TURNS, ROUTES, st.none() | st.integers(1, 10))
def test_a_record_replays_to_the_same_ranking(
    frame: pd.DataFrame, turn: str | None, route: str, top: int | None
) -> None:
    reg = registry()
    first = full(frame, turn=turn, route=route, top=top, registry=reg)
    record = RankingRecord.from_json(first.record.to_json())
    assert record == first.record
    if frame.empty:
        return
    again = replay(record, frame.sample(frac=1, random_state=1), registry=reg)
    assert again.matches, again.differences
    assert order(again.ranking) == order(first)


def test_fake_registry_matches_the_contract() -> None:
    reg = registry()
    assert isinstance(reg.criteria, Mapping)
    frame = pd.DataFrame({"in_education": [True, False]})
    assert reg.evaluate_many(["education"], frame, ON)["education"].tolist() == [True, False]
