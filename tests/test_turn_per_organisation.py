"""The internal/external turn counts per housing organisation (udlejningsbekendtgørelsen § 7).

»hver anden ledige almene familiebolig i boligorganisationen« (BEK 1360/2018 § 7 as
amended by BEK 519/2019, in force 2019-07-01; BEK 977/2024 § 7): the turn alternates over
the organisation's waiting-list lettings, whichever of its departments they are in. An
agreement may count per department: a dated parameter layer says so. A ledger written
before the rule was a parameter keeps the per-department count it was written under.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fuaalborg import Municipality, load_parameters, simulate
from fuaalborg.letting.errors import LedgerInputError, LedgerMunicipalityError
from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.routing import Counters, route_frame, rules_on
from fuaalborg.parameters import ParameterSet

OLD_LEDGER = Path(__file__).parent / "data" / "ledger-before-colour-rules.jsonl"
ORG = "31831814"
OTHER = "12011814"
#: A and B belong to one organisation, C to another.
REGISTRY = pd.DataFrame({
    "dwelling_id": ["A1", "B1", "C1"],
    "department_id": ["A", "B", "C"],
    "kind": ["family"] * 3,
    "organisation_cvr": [ORG, ORG, OTHER],
})


def per_department(tmp_path: Path, start: str = "2019-07-01") -> ParameterSet:
    """A layer for an agreement that counts the turn per department from ``start``."""
    path = tmp_path / "per-department.toml"
    path.write_text(
        '[meta]\ntitle = "agreement"\nversion = "1"\n\n'
        '[letting.internal_turn_scope]\ndescription = "test"\nunit = "text"\n\n'
        f'[[letting.internal_turn_scope.values]]\nfrom = {start}\nvalue = "department"\n'
        'reference = "An agreement between the municipality and the organisation: '
        'the 50/50 rule per department"\n',
        encoding="utf-8",
    )
    return load_parameters(path)


def record(ledger: Ledger, departments: str, start: dt.date) -> list[str | None]:
    """Record one green family vacancy per letter of ``departments``; return the turns."""
    turns = []
    for i, dep in enumerate(departments):
        n = len(ledger.decisions())
        d = ledger.record_vacancy(f"V{n}", f"{dep}1", dep, "family",
                                  start + dt.timedelta(days=i), 4000.0, 2, colour="green")
        turns.append(d.turn if d.route == "waiting_list" else "referral")
    return turns


def test_the_turn_alternates_over_the_organisation_across_its_departments(
    tmp_path: Path,
) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY) as ledger:
        # A and B alternate as one organisation; C keeps its own turn
        assert record(ledger, "ABABC", dt.date(2024, 1, 1)) == [
            "internal", "external", "internal", "external", "internal"]
        assert ledger.counters(ORG, scope="organisation").turns == 4
        assert ledger.counters(OTHER, scope="organisation").turns == 1
        assert ledger.counters("A").turns == 2  # the department still counts its own turns
        decision = ledger.decision("V1")
        assert "the housing organisation's no. 2" in decision.reason
        assert ledger.events(type="vacancy")[1]["organisation"] == ORG
        assert ledger.verify().vacancies == 5
    with Ledger.open(tmp_path / "l.jsonl", readonly=True) as again:
        assert again.counters(ORG, scope="organisation").turns == 4


def test_per_department_when_the_parameter_says_so(tmp_path: Path) -> None:
    params = per_department(tmp_path)
    assert rules_on(params, dt.date(2024, 1, 1)).turn_scope == "department"
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, parameters=params) as ledger:
        assert record(ledger, "ABAB", dt.date(2024, 1, 1)) == [
            "internal", "internal", "external", "external"]
        assert ledger.counters(ORG, scope="organisation") == Counters()
        assert "organisation" not in ledger.events(type="vacancy")[0]
        ledger.verify()


def test_a_ledger_crossing_to_per_department_counting_and_the_vectorised_core(
    tmp_path: Path,
) -> None:
    params = per_department(tmp_path, "2024-03-01")
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY, parameters=params) as ledger:
        before = record(ledger, "ABA", dt.date(2024, 2, 1))
        after = record(ledger, "BAB", dt.date(2024, 3, 1))
        # the organisation's 1st–3rd, then each department's own count: B's 2nd, A's 3rd …
        assert before == ["internal", "external", "internal"]
        assert after == ["external", "internal", "internal"]
        ledger.verify()
    frame = pd.DataFrame({"department_id": list("ABAB"), "kind": "family", "colour": "green",
                          "organisation_id": ORG})
    by_org, end = route_frame(frame, rules_on(load_parameters(), dt.date(2024, 1, 1)))
    assert by_org["turn"].tolist() == ["internal", "external", "internal", "external"]
    assert by_org["turn_scope"].tolist() == ["organisation"] * 4
    assert end[("organisation", ORG)].turns == 4
    by_dep, _ = route_frame(frame, rules_on(params, dt.date(2024, 3, 1)))
    assert by_dep["turn"].tolist() == ["internal", "internal", "external", "external"]


def test_a_void_gives_the_organisation_its_turn_back(tmp_path: Path) -> None:
    with Ledger.create(tmp_path / "l.jsonl", REGISTRY) as ledger:
        record(ledger, "AB", dt.date(2024, 1, 1))
        ledger.void("V1", "recorded in error", "2024-01-05", by="test")
        assert ledger.counters(ORG, scope="organisation").turns == 1
        assert record(ledger, "A", dt.date(2024, 1, 6)) == ["external"]
        void = ledger.events(type="void")[0]
        assert (void["organisation"], void["counted"]["organisation_turns"],
                void["counters"]["organisation_turns"]) == (ORG, 1, 1)
        ledger.verify()


def test_a_ledger_without_organisations_refuses_the_turn_and_learns_them(tmp_path: Path) -> None:
    bare = REGISTRY.drop(columns="organisation_cvr")
    path = tmp_path / "l.jsonl"
    with Ledger.create(path, bare) as ledger:
        with pytest.raises(LedgerInputError, match="does not know department 'A''s organisation"):
            record(ledger, "A", dt.date(2024, 1, 1))
        assert ledger.events(type="vacancy") == []
        # before the 50/50 rule there is no turn to take
        ledger.record_vacancy("V0", "A1", "A", "family", "2019-06-01", 4000.0, 2, colour="green")
    orgs = {"A": ORG, "B": ORG, "C": OTHER}
    with Ledger.open(path, organisations=orgs) as ledger:
        assert record(ledger, "AB", dt.date(2024, 1, 1)) == ["internal", "external"]
        assert ledger.events(type="organisations")[0]["organisations"] == orgs
        assert len(ledger.events(type="organisations")) == 1
    with Ledger.open(path) as ledger:  # recorded now: no need to give them again
        assert record(ledger, "C", dt.date(2024, 2, 1)) == ["internal"]
        assert ledger.organisations == orgs
        ledger.verify()
    with pytest.raises(LedgerMunicipalityError, match="records other housing organisations"):
        Ledger.open(path, organisations={"A": OTHER})


def test_an_existing_ledger_file_replays_verifies_and_crosses_to_the_organisation(
    tmp_path: Path,
) -> None:
    """A ledger written before the colour rules and the organisation's turn were parameters."""
    path = tmp_path / "old.jsonl"
    shutil.copy(OLD_LEDGER, path)
    orgs = {"A": ORG, "B": ORG, "R": OTHER, "Y": OTHER}
    with Ledger.open(path, readonly=True) as old:
        report = old.verify()
        before = old.decisions()
        # the old reading stays what it was: a red BAB dwelling went to the referral
        bab = before.loc[before["vacancy_id"] == "V18"].iloc[0]
        assert (bab["colour"], bab["reason_code"], bab["returned"]) == ("red", "returned", True)
        assert "organisation" not in old.events(type="vacancy")[-1]
        old_counters = {d: old.counters(d) for d in old.departments}
    with Ledger.open(path, organisations=orgs) as ledger:
        # under today's rules: the organisation's first turn, then alternation across A and B
        decisions = [
            ledger.record_vacancy(f"N{i}", f"{dep}1", dep, "family",
                                  dt.date(2024, 7, 1) + dt.timedelta(days=i), 4000.0, 2,
                                  colour="green")
            for i, dep in enumerate("ABAB")
        ]
        turns = [d.turn for d in decisions if d.route == "waiting_list"]
        # the organisation's counter starts at zero: its first turn, then alternation
        assert turns == ["internal", "external", "internal"][: len(turns)]
        assert len(turns) == 3  # one of the four was the referral's turn
        assert ledger.counters(ORG, scope="organisation").turns == 3
        red_bab = ledger.record_vacancy("N9", "RB", "R", "bab", "2024-08-01", 3000.0, 1,
                                        colour="red")
        assert red_bab.reason_code == "bab_exempt"
        assert ledger.counters(OTHER, scope="organisation").turns == 1
        taken = sum(d.department_id == "A" and d.turn is not None for d in decisions)
        assert ledger.counters("A").turns == old_counters["A"].turns + taken
        assert ledger.verify().vacancies == report.vacancies + 5
        copy = Ledger.convert(path, f"sqlite:///{tmp_path}/old.db")
    with Ledger.open(f"sqlite:///{tmp_path}/old.db") as db:
        assert db.verify().events == copy.events
        assert db.counters(ORG, scope="organisation").turns == 3
        n = db.counters("B").referral + 1
        expected = "referral" if n % 4 == 0 else "external"  # B counts towards the referral
        assert record(db, "B", dt.date(2024, 9, 1)) == [expected]
        db.verify()


def test_the_simulation_alternates_per_organisation(example_municipality: Municipality) -> None:
    municipality = example_municipality
    result = simulate(municipality, years=1, runs=3, seed=5)
    internal, external = result.values("lettings_internal"), result.values("lettings_external")
    organisations = municipality.departments["organisation_cvr"].nunique()
    # each organisation's turns alternate from internal: at most one more internal each
    assert ((internal - external >= 0) & (internal - external <= organisations)).all()
    assert (internal + external > 10 * organisations).all()
    assert np.isfinite(internal).all()
