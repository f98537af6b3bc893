"""What :func:`fuaalborg.replay` finds, as facts: one :class:`ReplayDifference` per difference.

Each kind states its own facts (counts, positions, versions, values and
references then and now, never an applicant), reads in Danish and English, and
says whether it decides that the decision does not replay. ``Replay.matches``
and the English ``Replay.differences`` are derived from the facts, so neither
can disagree with them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuaalborg
from fuaalborg.errors import ValidationError
from fuaalborg.letting.notices import Notice
from fuaalborg.letting.ranking import _default_registry, _plugins, rank
from fuaalborg.letting.replay import (
    DECIDING_KINDS,
    DIFFERENCE_KINDS,
    Replay,
    ReplayDifference,
)
from fuaalborg.letting.vacancy import Vacancy
from fuaalborg.records import ParameterUse, PluginUse, RankingRecord

ON = dt.date(2024, 5, 1)
PROVISION = "almenboligloven § 51 c"
ONE = Notice("s51c_rows_unchecked", rows=1, provision=PROVISION)

#: One difference of each kind, with its English and Danish words.
EACH_KIND: list[tuple[ReplayDifference, str, str]] = [
    (ReplayDifference("waiting_list", rows_then=40, rows_now=41),
     "the waiting list differs from the one ranked: 40 rows then, 41 now, fingerprints differ",
     "ventelisten er en anden end den, der blev rangeret: 40 rækker dengang, 41 nu, "
     "fingeraftrykkene er forskellige"),
    (ReplayDifference("order", positions=(2, 3, 7), ranked_then=29, ranked_now=28,
                      no_longer_ranked=1, newly_ranked=0),
     "the order differs from position 2 on (29 ranked then, 28 now)",
     "rækkefølgen er en anden fra plads 2 (29 placeret dengang, 28 nu)"),
    (ReplayDifference("notices", notices_then=(ONE,), notices_now=()),
     "the notices differ: «almenboligloven § 51 c: 1 row without benefit information could "
     "not be checked and is not refused» at the decision, none now",
     "bemærkningerne er andre: «almenboligloven § 51 c: 1 række uden oplysning om ydelser "
     "kunne ikke kontrolleres og afvises ikke» ved afgørelsen, ingen nu"),
    (ReplayDifference("plugin_added", name="acme", now="2.0"),
     "plug-in acme was not loaded at the decision",
     "plugin acme var ikke indlæst ved afgørelsen"),
    (ReplayDifference("plugin_version", name="acme", then="1.0", now="2.0"),
     "plug-in acme: version 1.0 at the decision, 2.0 now",
     "plugin acme: version 1.0 ved afgørelsen, 2.0 nu"),
    (ReplayDifference("plugin_removed", name="acme", then="1.0"),
     "plug-in acme is no longer loaded",
     "plugin acme er ikke længere indlæst"),
    (ReplayDifference("library_version", then="0.0.9", now="0.1.0"),
     "fuaalborg 0.0.9 at the decision, 0.1.0 now",
     "fuaalborg 0.0.9 ved afgørelsen, 0.1.0 nu"),
    (ReplayDifference("parameter_removed", name="letting.gone", on=ON),
     "parameter letting.gone no longer exists",
     "parameteren letting.gone findes ikke længere"),
    (ReplayDifference("parameter_lapsed", name="letting.lapsed", on=ON),
     "parameter letting.lapsed has no value on 2024-05-01 any more",
     "parameteren letting.lapsed har ikke længere en værdi den 2024-05-01"),
    (ReplayDifference("parameter_changed", name="letting.max_persons_per_room", on=ON,
                      then="2", now="3", reference_then="BEK § 26", reference_now="BEK § 27"),
     "parameter letting.max_persons_per_room on 2024-05-01: 2 (BEK § 26) at the decision, "
     "now 3 (BEK § 27)",
     "parameteren letting.max_persons_per_room den 2024-05-01: 2 (BEK § 26) ved "
     "afgørelsen, nu 3 (BEK § 27)"),
]


def test_every_kind_is_worded_in_both_languages() -> None:
    assert [d.kind for d, _, _ in EACH_KIND] == list(DIFFERENCE_KINDS)
    for difference, english, danish in EACH_KIND:
        assert difference.describe("en") == english
        assert difference.describe("da") == danish
        assert difference.describe() == danish  # Danish by default, as everywhere
        assert difference.decides == (difference.kind in DECIDING_KINDS)
        assert eval(repr(difference), {  # the repr gives the facts, and only those given
            "ReplayDifference": ReplayDifference, "Notice": Notice, "datetime": dt,
        }) == difference
    assert {"waiting_list", "order", "notices"} == DECIDING_KINDS
    with pytest.raises(ValidationError, match="lang must be 'da' or 'en'"):
        EACH_KIND[0][0].describe("de")  # type: ignore[arg-type]


def test_a_difference_states_the_facts_of_its_kind_and_no_others() -> None:
    with pytest.raises(ValidationError, match="unknown kind 'colour'"):
        ReplayDifference("colour")  # type: ignore[arg-type]
    with pytest.raises(ValidationError) as err:
        ReplayDifference("library_version", then="0.1", name="acme")
    assert str(err.value) == "replay difference library_version: needs now; takes no name"
    with pytest.raises(ValidationError, match="positions must be ascending"):
        ReplayDifference("order", positions=(3, 2), ranked_then=3, ranked_now=3,
                         no_longer_ranked=0, newly_ranked=0)
    # a plug-in that states no version is a plug-in without one, not a missing fact
    assert ReplayDifference("plugin_version", name="acme", then=None, now="1").describe("en") == (
        "plug-in acme: version None at the decision, 1 now")


def test_matches_and_the_english_differences_are_read_from_the_facts() -> None:
    ranking = rank(_applicants(), _vacancy(), route="ordinary")
    since = tuple(d for d, _, _ in EACH_KIND if not d.decides)
    replayed = Replay(ranking, found=since)
    assert replayed.matches
    assert replayed.differences == tuple(en for d, en, _ in EACH_KIND if not d.decides)
    assert replayed.describe("da") == tuple(da for d, _, da in EACH_KIND if not d.decides)
    assert not Replay(ranking, found=(EACH_KIND[2][0], *since)).matches


# -- what replay() finds ----------------------------------------------------------------------


def _applicants() -> pd.DataFrame:
    return pd.DataFrame({
        "applicant_id": ["a1", "a2", "a3", "a4"], "list": ["external"] * 4,
        "seniority_date": pd.to_datetime(["2015-03-01", "2012-06-15", "2013-01-01",
                                          "2011-02-02"]),
        "household_size": [2, 3, 1, 7],
    })


def _vacancy(on: dt.date = ON) -> Vacancy:
    return Vacancy("D1", rooms=3, monthly_rent_dkk=6500, vacant_on=on)


def _installed() -> tuple[ReplayDifference, ...]:
    """The installed plug-ins, not loaded by an ordinary ranking, found as added where a
    record names plug-ins (the decision looked for an agreement, replay does not)."""
    return tuple(ReplayDifference("plugin_added", name=p.name, now=p.version)
                 for p in _plugins(_default_registry()))


@pytest.fixture(scope="module")
def record() -> RankingRecord:
    return rank(_applicants(), _vacancy(), route="ordinary").record


def test_a_changed_list_is_found_as_the_list_and_the_order(record: RankingRecord) -> None:
    changed = _applicants()
    changed.loc[0, "seniority_date"] = pd.Timestamp("2001-01-01")  # a1 first now
    changed = changed.iloc[:3]  # a4 (not eligible: seven persons, three rooms) gone
    result = fuaalborg.replay(record, changed)
    assert record.ranked == ("a2", "a3", "a1")
    assert result.found == (
        ReplayDifference("waiting_list", rows_then=4, rows_now=3),
        ReplayDifference("order", positions=(1, 2, 3), ranked_then=3, ranked_now=3,
                         no_longer_ranked=0, newly_ranked=0),
    )
    assert not result.matches
    assert result.differences == (
        "the waiting list differs from the one ranked: 4 rows then, 3 now, fingerprints differ",
        "the order differs from position 1 on (3 ranked then, 3 now)",
    )
    shorter = fuaalborg.replay(record, _applicants().drop(index=2))  # a3 gone
    order = shorter.found[1]
    assert (order.positions, order.no_longer_ranked, order.newly_ranked) == ((2, 3), 1, 0)


def test_changes_since_the_decision_are_found_with_their_values(record: RankingRecord) -> None:
    rooms = next(p for p in record.parameters if p.name == "letting.max_persons_per_room")
    older = attrs.evolve(
        record,
        library_version="0.0.9",
        plugins=(PluginUse("acme-criteria", "acme", "1.2"),),
        parameters=(
            *(attrs.evolve(p, reference="BEK nr. 1 § 26 (then)") if p is rooms else p
              for p in record.parameters),
            ParameterUse("letting.withdrawn", "7", "a rule since repealed",
                         dt.date(2020, 1, 1), None),
        ),
    )
    result = fuaalborg.replay(older, _applicants())
    assert result.matches
    now = fuaalborg.__version__
    assert result.found == (
        *_installed(),
        ReplayDifference("plugin_removed", name="acme-criteria", then="1.2"),
        ReplayDifference("library_version", then="0.0.9", now=now),
        ReplayDifference("parameter_changed", name=rooms.name, on=ON, then="2", now="2",
                         reference_then="BEK nr. 1 § 26 (then)", reference_now=rooms.reference),
        ReplayDifference("parameter_removed", name="letting.withdrawn", on=ON),
    )
    assert result.describe("da")[-2] == (
        f"parameteren letting.max_persons_per_room den 2024-05-01: 2 (BEK nr. 1 § 26 (then)) "
        f"ved afgørelsen, nu 2 ({rooms.reference})")
    assert result.differences[-3] == f"fuaalborg 0.0.9 at the decision, {now} now"


def test_a_parameter_not_in_force_on_the_decisions_date_is_found_lapsed() -> None:
    on = dt.date(2021, 5, 1)  # before the agreement's bodies were set up (2023)
    made = rank(_applicants(), _vacancy(on), route="ordinary").record
    record = attrs.evolve(made, parameters=(*made.parameters, ParameterUse(
        "agreement.bodies.housing_committee", "x", "a reading", dt.date(2020, 1, 1), None)))
    result = fuaalborg.replay(record, _applicants())
    assert result.found == (
        ReplayDifference("parameter_lapsed", name="agreement.bodies.housing_committee", on=on),)
    assert result.matches


#: Versions and references as a record could hold them (printable, one line).
_TEXT = st.text(st.characters(codec="utf-8", categories=("L", "N", "P", "Zs")),
                min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=25, deadline=None)
@given(
    library=st.none() | _TEXT,
    gone=st.dictionaries(st.from_regex(r"[a-z][a-z-]{0,10}", fullmatch=True),
                         st.none() | _TEXT, max_size=3),
    references=st.dictionaries(st.integers(0, 2), _TEXT, max_size=3),
    removed=st.lists(st.from_regex(r"letting\.[a-z_]{1,12}_x", fullmatch=True),
                     max_size=2, unique=True),
)
def test_the_english_differences_are_the_facts_worded_for_generated_changes(
    record: RankingRecord, library: str | None, gone: dict[str, str | None],
    references: dict[int, str], removed: list[str],
) -> None:
    """Changes since the decision, generated: each found once, as its facts say, in order."""
    uses = list(record.parameters)
    changed = {i: attrs.evolve(uses[i], reference=ref) for i, ref in references.items()
               if ref != uses[i].reference}
    older = attrs.evolve(
        record,
        library_version=library or record.library_version,
        plugins=tuple(PluginUse(name, None, version) for name, version in gone.items()),
        parameters=tuple(changed.get(i, u) for i, u in enumerate(uses)) + tuple(
            ParameterUse(name, "1", "gone", dt.date(2000, 1, 1), None) for name in removed),
    )
    result = fuaalborg.replay(older, _applicants())
    expected: list[Any] = list(_installed()) if gone else []
    expected += [ReplayDifference("plugin_removed", name=name, then=gone[name])
                           for name in sorted(gone)]
    if library and library != record.library_version:
        expected.append(ReplayDifference("library_version", then=library,
                                         now=record.library_version))
    expected += [
        ReplayDifference("parameter_changed", name=uses[i].name, on=ON, then=uses[i].value,
                         now=uses[i].value, reference_then=changed[i].reference,
                         reference_now=uses[i].reference)
        for i in sorted(changed)
    ]
    expected += [ReplayDifference("parameter_removed", name=name, on=ON) for name in removed]
    assert result.found == tuple(expected)
    assert result.matches  # none of them is the order, the list or the notices
    assert result.differences == tuple(d.describe("en") for d in result.found)
    danish = result.describe("da")
    assert len(danish) == len(result.differences)
    assert all(d.name is None or d.name in text for d, text in zip(result.found, danish,
                                                                   strict=True))
