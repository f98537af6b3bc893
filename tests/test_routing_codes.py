"""The routing core on integer codes: the same decisions as one vacancy at a time.

:func:`route_codes` is what :func:`route_frame` (the ledger's verify) and the
simulation both call. These properties hold it to :func:`route_one` with
several rules in one stream, own shares, returned dwellings, counters that
start anywhere and shares whose turns are decided by table or by arithmetic,
and check that a stream routed in two parts, the counters carried between
them, gives what it gives at once.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fuaalborg import load_parameters
from fuaalborg.errors import ValidationError
from fuaalborg.letting.routing import (
    COLOURS,
    DWELLING_KINDS,
    REASON_CODES,
    ROUTE_CODES,
    SUBROUTES,
    TURN_SCOPES,
    TURNS,
    CodedCounters,
    CodedRoutes,
    Counters,
    Rules,
    fires,
    internal_turn,
    route_codes,
    route_one,
    route_waiting_list,
    rules_on,
)

NOW = rules_on(load_parameters(), dt.date(2024, 1, 1))
DEPARTMENTS = 3
ORGANISATION = (0, 0, 1)  # departments 0 and 1 share an organisation

#: Shares whose turns come from a table of residues, and some whose denominator is too
#: large for one (decided by arithmetic).
SHARES = st.one_of(
    st.tuples(st.integers(0, 6), st.integers(1, 6)),
    st.tuples(st.integers(0, 9_999), st.integers(4_097, 10_000)),
).filter(lambda t: t[0] <= t[1]).map(lambda t: Fraction(t[0], t[1]))


@st.composite
def rule_sets(draw: st.DrawFn) -> Rules:
    internal = draw(st.one_of(st.none(), SHARES))
    return attrs.evolve(
        NOW,
        referral_share=draw(SHARES),
        flexible_share=draw(SHARES),
        mandatory_share=draw(SHARES),
        internal_share=internal,
        first_turn=draw(st.sampled_from(["internal", "external"])),
        turn_scope=draw(st.sampled_from(["organisation", "department"])),
        bab_share=draw(st.sampled_from([None, Fraction(1)])),
        placement_colours=draw(st.sampled_from([("green", "yellow"),
                                                ("green", "yellow", "red")])),
    )


EVENT = st.tuples(
    st.integers(0, DEPARTMENTS - 1),
    st.sampled_from(["family", "family", "family", "bab"]),
    st.sampled_from(COLOURS),
    st.booleans(),  # returned
)
OWN = st.sampled_from([None, Fraction(1, 2), Fraction(0), Fraction(1), Fraction(3, 5)])
START = st.integers(0, 10**6)


def _sequential(
    events: list[tuple[int, str, str, bool]], rules: list[Rules], rule_of: list[int],
    own: list[Fraction | None], start: dict[tuple[str, int], Counters],
) -> tuple[list[tuple[object, ...]], dict[tuple[str, int], Counters]]:
    """Each row routed by :func:`route_one` (a returned row by its waiting-list half)."""
    counters = dict(start)
    out = []
    for (dep, kind, colour, back), r in zip(events, rule_of, strict=True):
        rule = rules[r]
        org_key = ("organisation", ORGANISATION[dep])
        turn_counters = counters[org_key] if rule.turns_per_organisation else None
        if back:
            routed, counters[("department", dep)] = route_waiting_list(
                counters[("department", dep)], colour, rule, department_share=own[dep],
                reason_code="returned", turn_counters=turn_counters)
        else:
            routed, counters[("department", dep)] = route_one(
                counters[("department", dep)], kind, colour, rule, department_share=own[dep],
                turn_counters=turn_counters)
        if routed.turn_scope == "organisation":
            counters[org_key] = Counters(turns=routed.n_turn or 0)
        out.append((routed.route, routed.subroute, routed.turn, routed.reason_code,
                    routed.n_referral, routed.n_flexible, routed.n_turn, routed.turn_scope))
    return out, counters


def _shown(routed: CodedRoutes, i: int) -> tuple[object, ...]:
    """Row ``i`` of the core's codes as :func:`route_one` shows it."""

    def name(values: np.ndarray, names: tuple[str, ...]) -> str | None:
        return None if values[i] < 0 else names[values[i]]

    def number(values: np.ndarray) -> int | None:
        return None if values[i] < 0 else int(values[i])

    return (name(routed.route, ROUTE_CODES), name(routed.subroute, SUBROUTES),
            name(routed.turn, TURNS), name(routed.reason, REASON_CODES),
            number(routed.n_referral), number(routed.n_flexible), number(routed.n_turn),
            name(routed.turn_scope, TURN_SCOPES))


@settings(max_examples=120, deadline=None)
@given(events=st.lists(EVENT, max_size=60), rules=st.lists(rule_sets(), min_size=1, max_size=3),
       data=st.data())
def test_the_coded_core_equals_one_vacancy_at_a_time(
    events: list[tuple[int, str, str, bool]], rules: list[Rules], data: st.DataObject,
) -> None:
    rule_of = [data.draw(st.integers(0, len(rules) - 1)) for _ in events]
    own = [data.draw(OWN) for _ in range(DEPARTMENTS)]
    starts = [data.draw(st.tuples(START, START, START)) for _ in range(DEPARTMENTS)]
    org_starts = [data.draw(START) for _ in range(2)]
    start = {("department", d): Counters(*starts[d]) for d in range(DEPARTMENTS)}
    start.update({("organisation", o): Counters(turns=org_starts[o]) for o in range(2)})
    expected, counters = _sequential(events, rules, rule_of, own, start)
    routed = route_codes(
        [e[0] for e in events], [DWELLING_KINDS.index(e[1]) for e in events],
        [COLOURS.index(e[2]) for e in events], rules, rule_of,
        organisation=[ORGANISATION[e[0]] for e in events],
        returned=[e[3] for e in events],
        own_share=([0 if own[e[0]] is None else own[e[0]].numerator for e in events],
                   [0 if own[e[0]] is None else own[e[0]].denominator for e in events]),
        start=CodedCounters(*zip(*starts, strict=True), org_starts),
    )
    assert [_shown(routed, i) for i in range(len(events))] == expected
    after = routed.counters
    for d in range(DEPARTMENTS):
        assert after.department(d) == counters[("department", d)]
    for o in range(2):
        assert after.organisation(o) == counters[("organisation", o)]


@settings(max_examples=80, deadline=None)
@given(events=st.lists(EVENT, max_size=60), rules=st.lists(rule_sets(), min_size=1, max_size=3),
       data=st.data())
def test_a_stream_in_two_parts_with_its_counters_carried_is_the_stream_at_once(
    events: list[tuple[int, str, str, bool]], rules: list[Rules], data: st.DataObject,
) -> None:
    rule_of = np.asarray([data.draw(st.integers(0, len(rules) - 1)) for _ in events],
                         dtype=np.int64)
    cut = data.draw(st.integers(0, len(events)))
    dep = np.asarray([e[0] for e in events], dtype=np.int64)
    kind = np.asarray([DWELLING_KINDS.index(e[1]) for e in events], dtype=np.int8)
    colour = np.asarray([COLOURS.index(e[2]) for e in events], dtype=np.int8)
    back = np.asarray([e[3] for e in events], dtype=bool)
    org = np.asarray(ORGANISATION, dtype=np.int64)[dep]
    zero = CodedCounters.zeros(DEPARTMENTS, 2)

    def part(rows: slice, start: CodedCounters) -> CodedRoutes:
        return route_codes(dep[rows], kind[rows], colour[rows], rules, rule_of[rows],
                           organisation=org[rows], returned=back[rows], start=start)

    whole = part(slice(None), zero)
    first = part(slice(None, cut), zero)
    second = part(slice(cut, None), first.counters)
    for name in ("route", "subroute", "turn", "reason", "turn_scope", "n_referral",
                 "n_flexible", "n_turn", "n_organisation_turn"):
        joined = np.concatenate([getattr(first, name), getattr(second, name)])
        np.testing.assert_array_equal(getattr(whole, name), joined, err_msg=name)
    for name in ("referral", "flexible", "turns", "organisation_turns"):
        np.testing.assert_array_equal(getattr(whole.counters, name),
                                      getattr(second.counters, name), err_msg=name)


@settings(max_examples=200, deadline=None)
@given(share=SHARES, first=st.integers(0, 10**6), length=st.integers(1, 30))
def test_turns_by_table_and_by_arithmetic_are_the_statutes_counts(
    share: Fraction, first: int, length: int,
) -> None:
    # one department, every row waiting-list and counting: n_flexible runs first + 1, …
    # the referral never fires (share 0), the flexible and the turn follow ``share``
    rules = attrs.evolve(NOW, referral_share=Fraction(0), flexible_share=share,
                         internal_share=share, turn_scope="department")
    start = CodedCounters([0], [first], [first], [])
    out = route_codes([0] * length, [0] * length, [0] * length, rules, start=start)
    counted = range(first + 1, first + length + 1)
    assert out.subroute.tolist() == [SUBROUTES.index("flexible" if fires(m, share)
                                                     else "ordinary") for m in counted]
    assert out.turn.tolist() == [TURNS.index("internal" if internal_turn(k, share)
                                             else "external") for k in counted]


def test_every_problem_with_the_codes_is_reported_at_once() -> None:
    with pytest.raises(ValidationError) as caught:
        route_codes([0, -1], [0, 2], [3, 0], NOW, organisation=[0, -2])
    message = str(caught.value)
    for part in ("department code below 0", "kind code outside", "colour code outside",
                 "organisation code below -1"):
        assert part in message
    with pytest.raises(ValidationError, match="several rules need each row's rule"):
        route_codes([0], [0], [0], [NOW, NOW])
    with pytest.raises(ValidationError, match="beyond the 1 counters of start"):
        route_codes([1], [0], [0], NOW, start=CodedCounters.zeros(1, 1), organisation=[0])
    with pytest.raises(ValidationError, match="rows \\[1\\] have no organisation_id"):
        route_codes([0], [0], [0], NOW)
    with pytest.raises(ValidationError, match="one value per department"):
        CodedCounters([0, 0], [0], [0], [])


def test_an_empty_stream_keeps_its_counters() -> None:
    start = CodedCounters([3], [2], [1], [5])
    out = route_codes([], [], [], NOW, start=start)
    assert len(out.route) == 0
    assert out.counters.department(0) == Counters(3, 2, 1)
    assert out.counters.organisation(0) == Counters(turns=5)
