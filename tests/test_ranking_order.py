"""The order of a ranking: list, group, children first, seniority, applicant id.

A reference order written from the rules (not from the sort key) is compared with
:func:`fuaalborg.letting.ranking.rank` on generated waiting lists.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ranking_support as support
from fuaalborg.criteria.declarations import LettingAgreement
from fuaalborg.letting.ranking import INELIGIBILITY_REASONS, KEY_LAYOUT, Ranking, rank, rank_many
from fuaalborg.letting.vacancy import Vacancy
from ranking_support import CVR, ON, FakeRegistry, criteria

MAX_PERSONS_PER_ROOM = 2


def agreement(**kw: Any) -> LettingAgreement:
    """The shared test agreement, with one priority group unless told otherwise."""
    kw.setdefault("groups", ("education",))
    return support.agreement(**kw)


def ranked(frame: pd.DataFrame, vacancy: Vacancy, terms: LettingAgreement, **kw: Any) -> Ranking:
    return rank(
        frame, vacancy, registry=FakeRegistry(criteria(), terms), agreement=terms,
        colour="green", organisation_cvr=CVR, **kw,
    )


def two_applicants() -> pd.DataFrame:
    """``group1``: in education, no children, later seniority; ``kids``: children only."""
    return pd.DataFrame({
        "applicant_id": ["group1", "kids"],
        "list": ["external", "external"],
        "seniority_date": pd.to_datetime(["2020-05-01", "2011-01-01"]),
        "household_size": [1, 3],
        "in_education": [True, False],
        "employment_permanent": [False, False],
        "children": [0, 2],
    })


def test_group_ranks_above_children_first() -> None:
    vacancy = Vacancy("D1", rooms=3, monthly_rent_dkk=6000, vacant_on=ON)
    terms = agreement(groups=("education",), children_first_for_rooms=3)
    flexible = ranked(two_applicants(), vacancy, terms, route="flexible")
    assert flexible.frame["applicant_id"].tolist() == ["group1", "kids"]
    assert flexible.frame["group"].tolist() == [1, pd.NA]
    assert flexible.position_of("group1") == 1
    # the same with another criterion as group 1
    frame = two_applicants().assign(
        in_education=False, employment_permanent=[True, False]
    )
    terms = agreement(groups=("employment",), children_first_for_rooms=3)
    again = ranked(frame, vacancy, terms, route="flexible")
    assert again.frame["applicant_id"].tolist() == ["group1", "kids"]
    # on the ordinary route no group applies: children first, then seniority
    ordinary = ranked(two_applicants(), vacancy, terms, route="ordinary")
    assert ordinary.frame["applicant_id"].tolist() == ["kids", "group1"]


def test_children_first_only_from_the_agreed_number_of_rooms() -> None:
    frame = pd.DataFrame({
        "applicant_id": ["early", "family"],
        "list": ["external", "external"],
        "seniority_date": pd.to_datetime(["2011-01-01", "2020-05-01"]),
        "household_size": [1, 2],
        "in_education": [False, False],
        "employment_permanent": [False, False],
        "children": [0, 1],
    })
    terms = agreement(groups=("education",), children_first_for_rooms=3)
    for rooms, first in ((2, "early"), (3, "family"), (4, "family")):
        vacancy = Vacancy("D1", rooms=rooms, monthly_rent_dkk=6000, vacant_on=ON)
        for route in ("flexible", "ordinary"):
            got = ranked(frame, vacancy, terms, route=route).frame["applicant_id"].tolist()
            assert got[0] == first, (rooms, route)
    no_rule = agreement(groups=("education",), children_first_for_rooms=None)
    vacancy = Vacancy("D1", rooms=5, monthly_rent_dkk=6000, vacant_on=ON)
    got = ranked(frame, vacancy, no_rule, route="flexible").frame["applicant_id"].tolist()
    assert got == ["early", "family"]


def test_key_layout_puts_group_above_children() -> None:
    names = [name for name, _, _ in KEY_LAYOUT]
    assert names == [
        "list", "group", "children", "seniority_days_since_1900", "applicant_code",
    ]
    lowest = {name: low for name, low, _ in KEY_LAYOUT}
    assert lowest["list"] > lowest["group"] > lowest["children"]
    assert lowest["children"] > lowest["seniority_days_since_1900"] > lowest["applicant_code"]


# ---------------------------------------------------------------------------
# The reference order, from the rules.

IDS = [f"a{i:02d}" for i in range(12)]
GROUP_NAMES = ("education", "employment", "families")

KEYS = [(applicant, lst) for applicant in IDS for lst in ("internal", "external")]
ROW = st.fixed_dictionaries({
    "seniority_date": st.integers(0, 20).map(
        lambda d: pd.Timestamp("2010-01-01") + pd.Timedelta(days=d)
    ),
    "household_size": st.integers(1, 4),
    "active": st.booleans() | st.just(True),
    "in_education": st.booleans(),
    "employment_permanent": st.booleans(),
    "children": st.integers(0, 2),
    "current_department_id": st.sampled_from(["D1", "D2", None]),
})


def _waiting_list(keys: list[tuple[str, str]]) -> st.SearchStrategy[pd.DataFrame]:
    return st.lists(ROW, min_size=len(keys), max_size=len(keys)).map(
        lambda rows: pd.DataFrame(
            [{"applicant_id": a, "list": lst, **r} for (a, lst), r in zip(keys, rows, strict=True)]
        )
    )


#: An applicant appears at most once per list; many are on both lists.
WAITING_LISTS = st.lists(st.sampled_from(KEYS), unique=True, min_size=4, max_size=16).flatmap(
    _waiting_list
)


def meets(row: Any, criterion: str) -> bool:
    if criterion == "education":
        return bool(row.in_education)
    if criterion == "employment":
        return bool(row.employment_permanent)
    return int(row.children) > 0


def reference(
    frame: pd.DataFrame,
    rooms: int,
    route: str,
    turn: str | None,
    groups: tuple[str, ...],
    children_first_for_rooms: int | None,
    exempt: bool,
) -> list[tuple[str, str]]:
    """(applicant_id, list) in the contract's order, written without the sort key."""
    children_first = children_first_for_rooms is not None and rooms >= children_first_for_rooms
    best: dict[str, tuple[tuple[Any, ...], str]] = {}
    for row in frame.itertuples(index=False):
        if not row.active or row.household_size > MAX_PERSONS_PER_ROOM * rooms:
            continue
        if turn == "external" and row.list == "internal":
            continue
        list_part = (0 if row.list == "internal" else 1) if turn == "internal" else 0
        if route == "flexible":
            group = next(
                (i + 1 for i, g in enumerate(groups) if meets(row, g)), len(groups) + 1
            )
            if exempt and row.list == "internal" and row.current_department_id == "D1":
                group = 1
        else:
            group = 0
        child_part = (0 if row.children > 0 else 1) if children_first else 0
        key = (list_part, group, child_part, row.seniority_date, row.applicant_id)
        tie = 0 if row.list == "internal" else 1
        old = best.get(row.applicant_id)
        if old is None or (key, tie) < (old[0], 0 if old[1] == "internal" else 1):
            best[row.applicant_id] = (key, row.list)
    ordered = sorted(best.items(), key=lambda item: item[1][0])
    return [(applicant, lst) for applicant, (_, lst) in ordered]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    frame=WAITING_LISTS,
    turn=st.sampled_from([None, "internal", "external"]),
    groups=st.lists(st.sampled_from(GROUP_NAMES), unique=True, min_size=1, max_size=3).map(
        tuple
    ),
    children_first_for_rooms=st.integers(1, 5),
    exempt=st.booleans(),
)
def test_ranking_equals_the_reference_order(
    frame: pd.DataFrame,
    turn: str | None,
    groups: tuple[str, ...],
    children_first_for_rooms: int,
    exempt: bool,
) -> None:
    terms = agreement(
        groups=groups, children_first_for_rooms=children_first_for_rooms,
        internal_moves_exempt=exempt,
    )
    registry = FakeRegistry(criteria(), terms)
    for rooms in range(1, 6):
        vacancy = Vacancy("D1", rooms=rooms, monthly_rent_dkk=6000, vacant_on=ON)
        for route in ("flexible", "ordinary"):
            result = rank(
                frame, vacancy, registry=registry, agreement=terms, colour="green",
                organisation_cvr=CVR, route=route, turn=turn,
            )
            got = list(
                zip(result.frame["applicant_id"], result.frame["list"].astype(str), strict=True)
            )
            expected = reference(
                frame, rooms, route, turn, groups, children_first_for_rooms, exempt
            )
            assert got == expected, (rooms, route)


# ---------------------------------------------------------------------------
# Ranks, groups and reasons against the reference, for every kind of id, with
# duplicates across the lists, missing values and ties; rank_many against rank.

#: Ids of each kind an export may hold, with their column dtype (None: as pandas infers).
ID_KINDS: dict[str, tuple[list[Any], str | None]] = {
    "short text": ([f"a{i:02d}" for i in range(12)], None),
    "Arrow text": ([f"a{i:02d}" for i in range(12)], "string"),
    "object text": ([f"a{i:02d}" for i in range(12)], "object"),
    "Danish letters, lengths": (
        ["Ø", "ø-1", "Åse", "aa", "Æble-12", "z", "Zoë", "bo", "Bø", "b", "é", "e"], "string"
    ),
    "long text": ([f"{'x' * (i % 3 * 20)}applicant-{i:03d}" for i in range(12)], "string"),
    "text with NUL": ([f"a\x00{i}" if i % 2 else f"a{i}" for i in range(12)], "string"),
    "whole numbers": (list(range(12)), None),
    "sparse whole numbers": ([i * 1_000_000_007 % 2**35 for i in range(12)], None),
    "negative whole numbers": ([i - 6 for i in range(12)], None),
}
SLOTS = [(slot, lst) for slot in range(12) for lst in ("internal", "external")]
ON_ROW = st.fixed_dictionaries({
    # ties: a few dates for many rows; some after the ranking date (not yet on the list)
    "seniority_date": st.sampled_from(
        ["2010-01-01", "2010-01-02", "2011-05-01", "2024-05-31", "2024-06-01", "2024-07-01"]
    ).map(pd.Timestamp),
    "household_size": st.integers(1, 5),
    "active": st.booleans() | st.just(True),
    "in_education": st.sampled_from([True, False, None]),
    "employment_permanent": st.sampled_from([True, False, None]),
    "children": st.sampled_from([0, 1, 2, None]),
    "current_department_id": st.sampled_from(["D1", "D2", None]),
    "min_rooms": st.sampled_from([1, 3, None]),
    "max_rent_dkk": st.sampled_from([4000.0, 8000.0, None]),
    "wanted_department_ids": st.sampled_from(["D1", "D2", "D1; D2", "", None]),
})


@st.composite
def waiting_lists(draw: st.DrawFn) -> tuple[pd.DataFrame, str]:
    """A waiting list of one id kind; an applicant at most once per list, many on both."""
    kind = draw(st.sampled_from(sorted(ID_KINDS)))
    ids, dtype = ID_KINDS[kind]
    slots = draw(st.lists(st.sampled_from(SLOTS), unique=True, min_size=1, max_size=18))
    rows = [
        {"applicant_id": ids[slot], "list": lst, **draw(ON_ROW)} for slot, lst in slots
    ]
    frame = pd.DataFrame(rows)
    frame["children"] = frame["children"].astype("Int64")
    frame["min_rooms"] = frame["min_rooms"].astype("Int64")
    frame["max_rent_dkk"] = frame["max_rent_dkk"].astype("float64")
    if dtype is not None:
        frame["applicant_id"] = frame["applicant_id"].astype(dtype)
    return frame, kind


def reasons_of(row: Any, rooms: int, rent: float, department: str, turn: str | None) -> list[str]:
    """The reasons of :data:`INELIGIBILITY_REASONS` that apply to one row, in their order."""
    wanted = row.wanted_department_ids
    wishes = [] if wanted is None or pd.isna(wanted) else [
        w.strip() for w in str(wanted).split(";") if w.strip()
    ]
    found = {
        "inactive": not row.active,
        "household_too_large": row.household_size > MAX_PERSONS_PER_ROOM * rooms,
        "fewer_rooms_than_wished": not pd.isna(row.min_rooms) and row.min_rooms > rooms,
        "rent_above_wish": not pd.isna(row.max_rent_dkk) and row.max_rent_dkk < rent,
        "department_not_wished": bool(wishes) and department not in wishes,
        "not_this_turn": turn == "external" and row.list == "internal",
        "not_yet_on_list": row.seniority_date > pd.Timestamp(ON),
    }
    return [r for r in INELIGIBILITY_REASONS if found.get(r, False)]


def reference_ranking(
    frame: pd.DataFrame, vacancy: Vacancy, route: str, turn: str | None,
    groups: tuple[str, ...], children_first_for_rooms: int | None, exempt: bool,
) -> tuple[list[tuple[int, Any, str, int | None]], list[tuple[Any, str, str, str]]]:
    """(rank, id, list, group) of the ranked and (id, list, reason, reasons) of the rest."""
    rooms, rent, department = vacancy.rooms, vacancy.monthly_rent_dkk, vacancy.department_id
    children_first = children_first_for_rooms is not None and rooms >= children_first_for_rooms
    ineligible = []
    best: dict[Any, tuple[tuple[Any, ...], str, int | None]] = {}
    for row in frame.itertuples(index=False):
        why = reasons_of(row, rooms, rent, department, turn)
        if why:
            ineligible.append((row.applicant_id, row.list, why[0], "; ".join(why)))
            continue
        group: int | None = None
        group_part = 0
        if route == "flexible":
            met = [i + 1 for i, g in enumerate(groups) if meets_or_missing(row, g)]
            group_part = met[0] if met else len(groups) + 1
            if exempt and row.list == "internal" and row.current_department_id == department:
                group_part = 1
            group = group_part if group_part <= len(groups) else None
        list_part = (0 if row.list == "internal" else 1) if turn == "internal" else 0
        kids = 0 if pd.isna(row.children) else int(row.children)
        child_part = (0 if kids > 0 else 1) if children_first else 0
        key = (list_part, group_part, child_part, row.seniority_date, row.applicant_id,
               0 if row.list == "internal" else 1)
        old = best.get(row.applicant_id)
        if old is None or key < old[0]:
            best[row.applicant_id] = (key, row.list, group)
    ordered = sorted(best.items(), key=lambda item: item[1][0])
    ranked = [(i + 1, a, lst, g) for i, (a, (_, lst, g)) in enumerate(ordered)]
    return ranked, ineligible


def meets_or_missing(row: Any, criterion: str) -> bool:
    """As :func:`meets`, a missing answer not meeting the criterion."""
    value = {"education": row.in_education, "employment": row.employment_permanent,
             "families": row.children}[criterion]
    if value is None or pd.isna(value):
        return False
    return bool(value) if criterion != "families" else int(value) > 0


def shown(ranking: Ranking) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    f, bad = ranking.frame, ranking.ineligible
    ranked = [
        (int(r), a, str(lst), None if pd.isna(g) else int(g))
        for r, a, lst, g in zip(f["rank"], f["applicant_id"], f["list"], f["group"], strict=True)
    ]
    rest = [
        (a, str(lst), str(r), str(rs))
        for a, lst, r, rs in zip(bad["applicant_id"], bad["list"], bad["reason"], bad["reasons"],
                                 strict=True)
    ]
    return ranked, rest


VACANCIES = st.builds(
    Vacancy, department_id=st.sampled_from(["D1", "D2"]), rooms=st.integers(1, 4),
    monthly_rent_dkk=st.sampled_from([3000.0, 6000.0, 9000.0]), vacant_on=st.just(ON),
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    listed=waiting_lists(),
    vacancy=VACANCIES,
    route=st.sampled_from(["flexible", "ordinary"]),
    turn=st.sampled_from([None, "internal", "external"]),
    groups=st.lists(st.sampled_from(GROUP_NAMES), unique=True, min_size=1, max_size=3).map(tuple),
    children_first_for_rooms=st.none() | st.integers(1, 4),
    exempt=st.booleans(),
)
def test_ranks_groups_and_reasons_equal_the_reference(
    listed: tuple[pd.DataFrame, str],
    vacancy: Vacancy,
    route: str,
    turn: str | None,
    groups: tuple[str, ...],
    children_first_for_rooms: int | None,
    exempt: bool,
) -> None:
    frame, kind = listed
    terms = agreement(groups=groups, children_first_for_rooms=children_first_for_rooms,
                      internal_moves_exempt=exempt, departments=("D1", "D2"))
    result = rank(frame, vacancy, registry=FakeRegistry(criteria(), terms), agreement=terms,
                  colour="green", organisation_cvr=CVR, route=route, turn=turn)  # type: ignore[arg-type]
    expected = reference_ranking(frame, vacancy, route, turn, groups, children_first_for_rooms,
                                 exempt)
    assert shown(result) == expected, kind
    assert result.eligible_count == len(expected[0])
    for position, applicant, _, _ in expected[0]:
        assert result.position_of(applicant) == position


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    listed=waiting_lists(),
    vacancies=st.lists(VACANCIES, min_size=1, max_size=5),
    turns=st.lists(st.sampled_from([None, "internal", "external"]), min_size=5, max_size=5),
    exempt=st.booleans(),
    top=st.none() | st.integers(0, 6),
)
def test_rank_many_equals_rank_for_every_vacancy(
    listed: tuple[pd.DataFrame, str],
    vacancies: list[Vacancy],
    turns: list[str | None],
    exempt: bool,
    top: int | None,
) -> None:
    # what one call shares between vacancies (reason bits, sort keys) must not leak
    frame, _ = listed
    terms = agreement(groups=("education", "families"), children_first_for_rooms=3,
                      internal_moves_exempt=exempt, departments=("D1", "D2"))
    turn = turns[: len(vacancies)]
    many = rank_many(frame, vacancies, top=top, registry=FakeRegistry(criteria(), terms),
                     agreement=terms, route="flexible", turn=turn)  # type: ignore[arg-type]
    for vacancy, t, got in zip(vacancies, turn, many, strict=True):
        one = rank(frame, vacancy, top=top, registry=FakeRegistry(criteria(), terms),
                   agreement=terms, route="flexible", turn=t)  # type: ignore[arg-type]
        pd.testing.assert_frame_equal(got.frame, one.frame)
        pd.testing.assert_frame_equal(got.ineligible, one.ineligible)
        assert got.eligible_count == one.eligible_count
        assert got.record.ranked == one.record.ranked
