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
from fuaalborg.letting.ranking import KEY_LAYOUT, Ranking, rank
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
