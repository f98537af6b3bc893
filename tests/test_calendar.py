"""The agreement's duties and deadlines (afsnit 5, 7, 9, 10; almenboligloven § 60, stk. 2, 4).

The agreement's figures are literals here: the housing committee and the practical forum
meet 4 times a year, the strategic working group in the 2nd and 4th quarters, the
renegotiation is called by Q3 2024 and the evaluation is ready by Q1 2025; § 60 counts
4 years.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from fuaalborg import Municipality
from fuaalborg.criteria.declarations import LettingAgreement
from fuaalborg.errors import ValidationError
from fuaalborg.monitoring.calendar import DUTY_KINDS, AgreementCalendar, agreement_calendar

ON = dt.date(2024, 10, 15)


@pytest.fixture(scope="module")
def cal2024(example_municipality: Municipality) -> AgreementCalendar:
    return agreement_calendar("2024-01-01", "2024-12-31", on=ON, municipality=example_municipality,
                              agreements=[])


def due(cal: AgreementCalendar, kind: str, body: str | None = None) -> list[tuple[str, str]]:
    return [(d.due.isoformat(), d.status) for d in cal.duties
            if d.kind == kind and (body is None or d.body == body)]


def test_meetings_of_the_bodies_of_afsnit_7(cal2024: AgreementCalendar) -> None:
    quarters = [("2024-03-31", "overdue"), ("2024-06-30", "overdue"), ("2024-09-30", "overdue"),
                ("2024-12-31", "due")]
    assert due(cal2024, "meeting", "Boligudvalget") == quarters
    assert due(cal2024, "meeting", "Praktisk samarbejdsforum") == quarters
    assert due(cal2024, "meeting", "Strategisk arbejdsgruppe") == [
        ("2024-06-30", "overdue"), ("2024-12-31", "due")]
    assert due(cal2024, "yearly_assessment") == [("2024-12-31", "due")]
    assert due(cal2024, "annex_review") == [("2024-12-31", "due")]
    # read where the agreement names no date; Q2 and Q4 are the agreement's own words
    reading = {d.id: d.reading for d in cal2024.duties}
    assert reading["meeting:housing_committee:2024-Q1"] is True
    assert reading["meeting:strategic_group:2024-Q2"] is False


def test_monitoring_updates_renegotiation_and_evaluation(cal2024: AgreementCalendar) -> None:
    assert due(cal2024, "monitoring_update") == [
        ("2024-02-01", "overdue"), ("2024-11-01", "upcoming"), ("2024-12-01", "upcoming")]
    assert due(cal2024, "renegotiation_call") == [("2024-09-30", "overdue")]
    later = agreement_calendar("2025-01-01", "2029-12-31", on=ON)
    assert due(later, "evaluation") == [("2025-03-31", "upcoming"), ("2029-03-31", "upcoming")]
    assert due(later, "renegotiation") == [("2025-12-31", "upcoming"),
                                           ("2029-12-31", "upcoming")]
    assumed = {d.id: d.assumed for d in later.duties}
    assert assumed["evaluation:2023–2025"] is False
    assert assumed["renegotiation_call:2026–2029"] is True
    assert assumed["meeting:strategic_group:2026-Q2"] is True


def test_no_agreement_duties_outside_its_periods() -> None:
    before = agreement_calendar("2022-01-01", "2022-12-31", on=ON)
    assert before.duties == ()
    after = agreement_calendar("2030-01-01", "2030-12-31", on=ON)
    assert after.duties == ()


def test_mandatory_criteria_renewal_and_lapse_on_the_example(
    cal2024: AgreementCalendar, example_municipality: Municipality
) -> None:
    cal = agreement_calendar("2018-01-01", "2026-12-31", on=ON, municipality=example_municipality)
    items = {d.id: (d.due.isoformat(), d.status) for d in cal.duties
             if d.kind.startswith("mandatory")}
    assert items == {
        # M01 listed since 2018-12-01 (parallelsamfund, then omdannelse, then udsat)
        "mandatory_criteria_revision:M01:2018-12-01:1": ("2022-12-01", "overdue"),
        "mandatory_criteria_revision:M01:2018-12-01:2": ("2026-12-01", "upcoming"),
        # M02: udsat, then forebyggelse (mandatory from 2021-11-30), off the 2023 list
        "mandatory_criteria_revision:M02:2018-12-01:1": ("2022-12-01", "overdue"),
        "mandatory_criteria_lapse:M02:2023-12-01": ("2023-12-01", "event"),
        "mandatory_criteria_revision:M03:2021-12-01:1": ("2025-12-01", "upcoming"),
        "mandatory_criteria_revision:M04:2020-12-01:1": ("2024-12-01", "upcoming"),
    }
    set_later = agreement_calendar("2018-01-01", "2026-12-31", on=ON,
                                   municipality=example_municipality,
                                   criteria_set_on={"M04": "2023-03-01"})
    assert "mandatory_criteria_revision:M04:2023-03-01:1" not in {
        d.id for d in set_later.duties}  # due 2027-03-01, after the period
    assert not [d for d in set_later.duties if d.id.startswith("mandatory_criteria_revision:M04")]


def test_flexible_letting_agreements_are_revised_within_4_years() -> None:
    def agreement(valid_from: str, until: str | None = None, deps: tuple[str, ...] = ("D001",),
                  cvr: str = "31831814") -> LettingAgreement:
        return LettingAgreement(
            organisation_cvr=cvr, departments=deps, groups=("employment_or_education",),
            flexible_share=1.0, legal_basis="Almenboligloven § 60, stk. 1",
            valid_from=dt.date.fromisoformat(valid_from),
            valid_until=None if until is None else dt.date.fromisoformat(until),
        )

    old = agreement("2020-03-01")
    revised = agreement("2023-06-01")
    other_deps = agreement("2019-05-01", deps=("D002",))
    short = agreement("2021-01-01", until="2022-12-31", deps=("D003",))
    cal = agreement_calendar("2023-01-01", "2027-12-31", on=ON,
                             agreements=[old, revised, other_deps, short])
    items = {d.id: (d.due.isoformat(), d.status, d.done_on) for d in cal.duties
             if d.kind == "agreement_revision"}
    assert items == {
        "agreement_revision:31831814:2020-03-01": ("2024-03-01", "done", dt.date(2023, 6, 1)),
        "agreement_revision:31831814:2019-05-01": ("2023-05-01", "overdue", None),
        "agreement_revision:31831814:2023-06-01": ("2027-06-01", "upcoming", None),
    }


def test_done_items_are_not_overdue_and_unknown_ids_are_noted(tmp_path: Path) -> None:
    done = {"meeting:housing_committee:2024-Q1": "2024-03-12",
            "renegotiation_call:2023–2025": dt.date(2024, 9, 1), "no-such-item": "2024-01-01"}
    cal = agreement_calendar("2024-01-01", "2024-12-31", on=ON, done=done)
    status = {d.id: (d.status, d.done_on) for d in cal.duties}
    assert status["meeting:housing_committee:2024-Q1"] == ("done", dt.date(2024, 3, 12))
    assert status["renegotiation_call:2023–2025"] == ("done", dt.date(2024, 9, 1))
    assert status["meeting:housing_committee:2024-Q2"] == ("overdue", None)
    assert any("match no item" in n for n in cal.notes)
    assert len(cal.overdue) == sum(1 for d in cal.duties if d.status == "overdue")
    # a completion after the calendar's date is not counted yet
    future = agreement_calendar("2024-01-01", "2024-12-31", on=ON,
                                done={"meeting:housing_committee:2024-Q2": "2024-11-01"})
    assert {d.id: d.status for d in future.duties}[
        "meeting:housing_committee:2024-Q2"] == "overdue"
    # a Danish Excel export of completions
    path = tmp_path / "done.csv"
    path.write_text("id;done_on\nmeeting:housing_committee:2024-Q1;2024-03-12\n",
                    encoding="utf-8-sig")
    from_file = agreement_calendar("2024-01-01", "2024-12-31", on=ON, done=path)
    assert {d.id: d.status for d in from_file.duties}[
        "meeting:housing_committee:2024-Q1"] == "done"
    with pytest.raises(ValidationError, match="done_on"):
        agreement_calendar("2024-01-01", "2024-12-31", on=ON, done={"x": "soon"})
    with pytest.raises(ValidationError, match="before start"):
        agreement_calendar("2024-12-31", "2024-01-01")


def test_frame_has_one_row_per_item_in_date_order(cal2024: AgreementCalendar) -> None:
    frame = cal2024.frame
    assert len(frame) == len(cal2024.duties)
    assert frame["due"].is_monotonic_increasing
    assert set(frame["kind"]) <= set(DUTY_KINDS)
    assert str(frame["due"].dtype) == "datetime64[s]"
