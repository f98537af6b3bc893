"""The routing rules of the letting ledger: examples and properties over random streams."""

from __future__ import annotations

import datetime as dt
import tempfile
from fractions import Fraction
from math import floor
from pathlib import Path

import attrs
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg import load_parameters
from fuaalborg.errors import ValidationError
from fuaalborg.letting.ledger import Ledger, rules_on
from fuaalborg.letting.routing import (
    CounterKey,
    Counters,
    Rules,
    fires,
    fires_array,
    internal_turn,
    route_frame,
    route_one,
)

#: The rules in force on a date of the 2023 agreement, read from the parameter files, with
#: the turn counted per department: these tests follow one department's counters (the
#: organisation's turn, the default, is tested with its own counters below).
BASE = attrs.evolve(rules_on(load_parameters(), dt.date(2024, 1, 1)), turn_scope="department")


def make_rules(**changes: object) -> Rules:
    """The parameters' rules with ``changes``."""
    return attrs.evolve(BASE, **changes)  # type: ignore[arg-type]


GREEN = make_rules(referral_share=Fraction(1, 4), internal_share=Fraction(1, 2))


def _stream(steps: list[tuple[str, str]], rules: Rules = GREEN) -> list[str]:
    counters = Counters()
    out = []
    for kind, colour in steps:
        routed, counters = route_one(counters, kind, colour, rules)
        out.append(routed.route)
    return out


def test_every_fourth_family_vacancy_goes_to_referral() -> None:
    routes = _stream([("family", "green")] * 12)
    assert [i + 1 for i, r in enumerate(routes) if r == "referral"] == [4, 8, 12]


@pytest.mark.parametrize(
    ("share", "expected"),
    [(Fraction(1, 4), [4, 8, 12]), (Fraction(1, 3), [3, 6, 9, 12]),
     (Fraction(2, 5), [3, 5, 8, 10]), (Fraction(0), []), (Fraction(1), list(range(1, 13)))],
)
def test_fraction_counter_fires_on_floor_steps(share: Fraction, expected: list[int]) -> None:
    assert [n for n in range(1, 13) if fires(n, share)] == expected
    assert fires_array(range(1, 13), share.numerator, share.denominator).nonzero()[0].tolist() == [
        n - 1 for n in expected
    ]


def test_bab_goes_to_referral_where_it_may_place_and_advances_nothing() -> None:
    counters = Counters(referral=3, flexible=2, turns=2)
    for colour in ("green", "yellow"):
        routed, after = route_one(counters, "bab", colour, GREEN)
        assert routed.route == "referral"
        assert routed.reason_code == "bab"
        assert after == counters


def test_bab_in_red_is_let_from_the_waiting_list_without_a_referral_count() -> None:
    counters = Counters(referral=3, flexible=2, turns=2)
    routed, after = route_one(counters, "bab", "red", GREEN)
    assert (routed.route, routed.subroute, routed.reason_code) == (
        "waiting_list", "flexible", "bab_exempt")
    assert routed.n_referral is None
    assert after == Counters(referral=3, flexible=3, turns=3)
    # the other reading, a layer with red = { placement = "yes" }: the referral keeps it
    keeps = make_rules(placement_colours=("green", "yellow", "red"))
    routed, after = route_one(counters, "bab", "red", keeps)
    assert (routed.route, routed.reason_code, after) == ("referral", "bab", counters)


def test_red_counts_nothing_and_the_counter_resumes() -> None:
    steps = [("family", "green")] * 3 + [("family", "red")] * 5 + [("family", "green")]
    routes = _stream(steps)
    assert routes[:8] == ["waiting_list"] * 8
    assert routes[8] == "referral"  # the 4th *counting* vacancy


def test_red_is_always_flexible_green_follows_the_share() -> None:
    counters = Counters()
    subroutes = []
    for colour in ["red", "red", "green", "green"]:
        routed, counters = route_one(counters, "family", colour, GREEN)
        subroutes.append(routed.subroute)
    assert subroutes == ["flexible", "flexible", "ordinary", "ordinary"]
    half = make_rules(flexible_share=Fraction(1, 2), internal_share=Fraction(1, 2))
    counters = Counters()
    subs = []
    for _ in range(6):
        routed, counters = route_one(counters, "family", "yellow", half)
        subs.append(routed.subroute)
    # waiting-list lettings 1, 2, 3, then the referral (4th), then 4, 5
    assert subs == ["ordinary", "flexible", "ordinary", None, "flexible", "ordinary"]


def test_internal_external_alternate_starting_internal() -> None:
    assert [internal_turn(k, Fraction(1, 2)) for k in range(1, 7)] == [
        True, False, True, False, True, False
    ]
    assert [internal_turn(k, Fraction(1, 2), "external") for k in range(1, 5)] == [
        False, True, False, True
    ]
    counters = Counters()
    turns = []
    for _ in range(5):
        routed, counters = route_one(counters, "family", "green", GREEN)
        turns.append(routed.turn)
    assert turns == ["internal", "external", "internal", None, "external"]


def test_no_turn_before_the_fifty_fifty_rule() -> None:
    routed, after = route_one(Counters(), "family", "green", make_rules(internal_share=None))
    assert routed.turn is None
    assert after.turns == 0


def test_invalid_rules_and_inputs() -> None:
    with pytest.raises(ValidationError, match="bab_share"):
        make_rules(bab_share=Fraction(1, 2))
    with pytest.raises(ValidationError, match="colour"):
        route_one(Counters(), "family", "blue", GREEN)
    with pytest.raises(ValidationError, match="kind"):
        route_one(Counters(), "student", "green", GREEN)


# ---------------------------------------------------------------------------
# properties

EVENT = st.tuples(
    st.sampled_from(["A", "B", "C"]),
    st.sampled_from(["family", "family", "family", "bab"]),
    st.sampled_from(["green", "yellow", "red"]),
)
SHARES = st.tuples(st.integers(0, 5), st.integers(1, 6)).filter(lambda t: t[0] <= t[1]).map(
    lambda t: Fraction(t[0], t[1])
)


@settings(max_examples=150, deadline=None)
@given(events=st.lists(EVENT, max_size=80), share=SHARES, flex=SHARES, bab=st.booleans(),
       turn=st.sampled_from([None, Fraction(1, 2), Fraction(1, 3)]), by_org=st.booleans(),
       placed=st.sampled_from([("green", "yellow"), ("green", "yellow", "red")]))
def test_vectorised_core_equals_sequential(
    events: list[tuple[str, str, str]], share: Fraction, flex: Fraction, bab: bool,
    turn: Fraction | None, by_org: bool, placed: tuple[str, ...],
) -> None:
    rules = make_rules(referral_share=share, flexible_share=flex, internal_share=turn,
                       bab_share=Fraction(1) if bab else None, placement_colours=placed,
                       turn_scope="organisation" if by_org else "department")
    organisation = {"A": "O1", "B": "O1", "C": "O2"}  # A and B share an organisation
    counters: dict[CounterKey, Counters] = {}
    expected = []
    for dep, kind, colour in events:
        org = ("organisation", organisation[dep])
        routed, counters[dep] = route_one(
            counters.get(dep, Counters()), kind, colour, rules,
            turn_counters=counters.get(org, Counters()) if by_org else None)
        if routed.turn_scope == "organisation":
            counters[org] = Counters(turns=routed.n_turn or 0)
        expected.append((routed.route, routed.subroute, routed.turn, routed.n_referral,
                         routed.n_flexible, routed.n_turn, routed.reason_code))
    frame = pd.DataFrame(events, columns=["department_id", "kind", "colour"])
    frame["organisation_id"] = frame["department_id"].map(organisation)
    out, end = route_frame(frame, rules)
    got = [
        tuple(None if pd.isna(v) else v for v in row)
        for row in out[["route", "subroute", "turn", "n_referral", "n_flexible", "n_turn",
                        "reason_code"]].itertuples(index=False, name=None)
    ]
    assert got == expected
    assert end == counters


@settings(max_examples=150, deadline=None)
@given(events=st.lists(EVENT, max_size=120), share=SHARES)
def test_exactly_floor_n_p_referrals_at_every_point(
    events: list[tuple[str, str, str]], share: Fraction
) -> None:
    rules = make_rules(referral_share=share, internal_share=Fraction(1, 2))
    counters: dict[str, Counters] = {}
    counting: dict[str, int] = {}
    referred: dict[str, int] = {}
    for dep, kind, colour in events:
        routed, counters[dep] = route_one(counters.get(dep, Counters()), kind, colour, rules)
        if kind == "bab":
            # BAB: the referral's wherever it may place households (not in red)
            assert routed.route == ("waiting_list" if colour == "red" else "referral")
            continue
        if colour == "red":
            assert routed.route == "waiting_list"  # red never
            assert routed.subroute == "flexible"
            continue
        counting[dep] = counting.get(dep, 0) + 1
        referred[dep] = referred.get(dep, 0) + (routed.route == "referral")
        for d, n in counting.items():
            assert referred[d] == floor(n * share)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(1, 200))
def test_internal_turns_are_half_rounded_up(n: int) -> None:
    internal = sum(internal_turn(k, Fraction(1, 2)) for k in range(1, n + 1))
    assert internal == (n + 1) // 2


# ---------------------------------------------------------------------------
# the ledger: the same decisions, and replaying the log reproduces them

REGISTRY = pd.DataFrame(
    {
        "dwelling_id": [f"{d}{i}" for d in "ABC" for i in range(4)],
        "department_id": [d for d in "ABC" for _ in range(4)],
        "kind": ["family", "family", "family", "bab"] * 3,
    }
)
#: Each department its own housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), here the same as per department.
REGISTRY["organisation_cvr"] = "org-" + REGISTRY["department_id"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(
        st.tuples(st.sampled_from("ABC"), st.integers(0, 3), st.sampled_from(
            ["green", "yellow", "red"]), st.booleans()),
        max_size=30,
    )
)
def test_ledger_replay_reproduces_every_decision(
    events: list[tuple[str, int, str, bool]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.jsonl"
        decisions = []
        day = dt.date(2024, 1, 1)
        with Ledger.create(path, REGISTRY) as ledger:
            for i, (dep, dwelling, colour, decline) in enumerate(events):
                kind = "bab" if dwelling == 3 else "family"
                d = ledger.record_vacancy(f"V{i}", f"{dep}{dwelling}", dep, kind,
                                          day + dt.timedelta(days=i), 4000.0, 2, colour=colour)
                decisions.append(d)
                if decline and d.route == "referral":
                    decisions.append(ledger.record_answer(f"V{i}", "declined",
                                                          day + dt.timedelta(days=i)))
            state = ledger.state()
            final = {d.vacancy_id: ledger.decision(d.vacancy_id) for d in decisions}
        with Ledger.open(path, readonly=True) as again:
            for vid, decision in final.items():
                assert again.decision(vid) == decision
            pd.testing.assert_frame_equal(again.state(), state)
            for dep in "ABC":
                assert again.counters(dep) == ledger.counters(dep)
