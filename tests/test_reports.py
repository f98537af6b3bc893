"""Reports R1–R7: reconciliation with the ledger and the dwellings, public disclosure,
the workbook, bad input and the command line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from fuaalborg.cli import main
from fuaalborg.errors import NotInForceError
from fuaalborg.letting.ledger import Ledger
from fuaalborg.municipality import Municipality
from fuaalborg.rents import rent_band, rent_band_labels
from fuaalborg.reports import (
    SUPPRESSED,
    DisclosureError,
    Report,
    ReportInputError,
    build_report,
    check_protected,
    letting_frame,
    read_evictions,
)
from fuaalborg.reports.demo import demo_evictions, demo_ledger
from fuaalborg.reports.workbook import sheet_names, write_workbook
from fuaalborg.tables import TableValidationError

START, END = dt.date(2024, 1, 1), dt.date(2024, 3, 31)


@pytest.fixture(scope="module")
def municipality(example_municipality: Municipality) -> Municipality:
    return example_municipality


@pytest.fixture(scope="module")
def ledger(municipality: Municipality, tmp_path_factory: pytest.TempPathFactory) -> Ledger:
    path = tmp_path_factory.mktemp("ledger") / "ledger.jsonl"
    return demo_ledger(municipality, START, END, path=path, signed=40)


@pytest.fixture(scope="module")
def events(ledger: Ledger) -> list[dict[str, Any]]:
    return ledger.events()


@pytest.fixture(scope="module")
def evictions(municipality: Municipality) -> pd.DataFrame:
    return demo_evictions(municipality, START, END)


@pytest.fixture(scope="module")
def parties(municipality: Municipality, events: list[dict[str, Any]],
            evictions: pd.DataFrame) -> Report:
    return build_report(municipality, events, START, END, evictions=evictions)


@pytest.fixture(scope="module")
def public(
    municipality: Municipality, events: list[dict[str, Any]], evictions: pd.DataFrame
) -> Report:
    return build_report(municipality, events, START, END, disclosure="public", evictions=evictions,
                        lang="en")


def _total_row(frame: pd.DataFrame) -> pd.Series:
    return frame.iloc[-1]


# -- reconciliation with the ledger ----------------------------------------


def test_every_vacancy_event_is_counted_once(parties: Report, events: list[dict[str, Any]]) -> (
    None
):
    vacancies = [e for e in events if e["type"] == "vacancy"
                 and START <= dt.date.fromisoformat(e["on"]) <= END]
    assert vacancies
    r1 = parties.table("R1_org")
    assert _total_row(r1)["I alt"] == len(vacancies)
    r1_dep = parties.table("R1_dep")
    assert r1_dep["I alt"].iloc[:-1].sum() == len(vacancies)
    r2 = parties.table("R2_flow_org")
    assert _total_row(r2)["I alt"] == len(vacancies)
    frame = letting_frame(events, START, END)
    assert frame["vacancy_id"].is_unique
    assert len(frame) == len(vacancies)


def test_routes_and_answers_reconcile_with_the_ledger(
    parties: Report, events: list[dict[str, Any]]
) -> None:
    answers = {e["vacancy_id"]: e["answer"] for e in events if e["type"] == "answer"}
    referred = [e for e in events if e["type"] == "vacancy" and e["route"] == "referral"]
    declined = sum(1 for a in answers.values() if a == "declined")
    let = sum(1 for a in answers.values() if a == "let")
    r2 = _total_row(parties.table("R2_flow_org"))
    assert r2["Afvist og returneret"] == declined
    assert r2["Anvist og udlejet"] == let
    assert r2["Ikke til anvisning"] + declined + let + r2["Afventer svar"] + r2[
        "Accepteret, ikke udlejet"] == r2["I alt"]
    # R1: a returned dwelling counts on its waiting-list route, never twice
    r1 = _total_row(parties.table("R1_org"))
    assert r1["Kommunal anvisning"] == len(referred) - declined
    waiting = [e for e in events if e["type"] == "vacancy" and e["route"] == "waiting_list"]
    flexible = sum(1 for e in waiting if e["subroute"] == "flexible") + sum(
        1 for e in events
        if e["type"] == "answer" and e["answer"] == "declined" and e["subroute"] == "flexible"
    )
    assert r1["Fleksibel udlejning"] == flexible


def test_rent_bands_reconcile_with_the_dwellings_table(
    parties: Report, municipality: Municipality, events: list[dict[str, Any]]
) -> None:
    for scheme, key in (("agreement", "R2_rent_agreement"), ("lbf", "R2_rent_lbf")):
        table = parties.table(key)
        labels = rent_band_labels(scheme, END)  # type: ignore[arg-type]
        body = table.iloc[:-1].set_index("Huslejeinterval")
        assert list(body.index) == labels
        stock = rent_band(municipality.dwellings["monthly_rent_dkk"], scheme, END)  # type: ignore[arg-type]
        expected = stock.value_counts().reindex(labels, fill_value=0)
        assert body["Boliger i bestanden"].tolist() == expected.tolist()
        assert _total_row(table)["Boliger i bestanden"] == len(municipality.dwellings)
        # the vacancies' bands come from the dwellings table's rents
        frame = letting_frame(events, START, END)
        rents = municipality.dwellings.set_index("dwelling_id")["monthly_rent_dkk"]
        by_dwelling = rent_band(
            frame["dwelling_id"].map(rents).astype(float), scheme, END  # type: ignore[arg-type]
        ).value_counts().reindex(labels, fill_value=0)
        assert body["Ledige boliger"].tolist() == by_dwelling.tolist()
        assert body["Indmeldt til anvisning"].sum() == int(frame["referred"].sum())


def test_agreement_figures_for_the_stock(example_municipality: Municipality) -> None:
    municipality = example_municipality
    bands = rent_band(municipality.dwellings["monthly_rent_dkk"], "agreement", END).value_counts()
    cheap = rent_band_labels("agreement", END)[0]
    assert int(bands[cheap]) == 1849  # the agreement's cheap dwellings


# -- disclosure ---------------------------------------------------------------


def test_public_report_has_no_department_rows_and_passes_the_suppression_check(
    public: Report, municipality: Municipality
) -> None:
    assert "R7" not in public.sections
    assert not any(t.key.endswith("_dep") for t in public.tables)
    protected = [(t.key, t.protected) for t in public.tables if t.protected is not None]
    assert {k for k, _ in protected} >= {"R1_org", "R2_flow_org", "R3_org", "R4_org", "R5_org"}
    check_protected(protected)
    dep_ids = set(municipality.departments["department_id"])
    for table in public.tables:
        cells = table.frame.astype(str).to_numpy().ravel()
        assert not dep_ids & set(cells), table.key
        if table.protected is not None and table.protected.kind == "counts":
            shown = table.protected.shown().to_numpy().ravel()
            numbers = [v for v in shown if not isinstance(v, str)]
            assert all(not (1 <= int(v) < public.threshold) for v in numbers), table.key


def test_public_derived_values_from_few_cases_are_hidden(public: Report) -> None:
    table = next(t for t in public.tables if t.key == "R6")
    assert table.protected is not None
    true_n = table.protected.values.iloc[:, 0].to_numpy()
    for n, median in zip(true_n, table.frame["Median (years)"], strict=True):
        if 0 < n < public.threshold:
            assert median == SUPPRESSED
        elif n >= public.threshold:
            assert median != SUPPRESSED
    r3 = public.table("R3_org")
    for _, row in r3.iterrows():
        if row["Flexible letting"] == SUPPRESSED:
            assert row["Share let flexibly"] == SUPPRESSED


def test_unmonitored_departments_never_show_indicator_values(parties: Report) -> None:
    from fuaalborg.reports.labels import label

    placement = parties.table("R5_placement")
    indicators = ("outside_work_education_pct", "conviction_ratio", "conviction_pct",
                  "basic_education_pct", "income_ratio_pct", "non_western_pct")
    headings = {label(f"value.{i}", "da") for i in indicators}
    value_columns = [c for c in placement.columns if c in headings]
    assert value_columns
    unmonitored = ~placement["Monitoreret"].astype(bool)
    assert unmonitored.any()
    assert placement.loc[unmonitored, value_columns].isna().all(axis=None)


# -- the workbook ---------------------------------------------------------------


def test_workbook_opens_with_sheets_headings_and_figures(public: Report, parties: Report,
                                                         tmp_path: Path) -> None:
    for report, lang in ((parties, "da"), (public, "en")):
        path = write_workbook(report, tmp_path / f"{report.disclosure}.xlsx")
        book = openpyxl.load_workbook(path)
        assert book.sheetnames == sheet_names(report)
        cover = book[book.sheetnames[0]]
        texts = [str(c.value) for row in cover.iter_rows() for c in row if c.value]
        assert any("2024-01-01 – 2024-03-31" in t for t in texts)
        assert any(("Offentlig" if lang == "da" else "Public") in t or "parter" in t
                   or "Parties" in t for t in texts)
        assert book["R1"]["A1"].value == ("R1 Udlejninger efter udlejningsvej" if lang == "da"
                                          else "R1 Lettings by route")
        for section in ("R1", "R2", "R5"):
            assert len(book[section]._images) == 1, section
        rules = book[book.sheetnames[-1]]
        assert rules.max_row > 5
    book = openpyxl.load_workbook(tmp_path / "parties.xlsx")
    assert "R7" in book.sheetnames


def test_workbook_is_never_partial(public: Report, tmp_path: Path) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"old")
    table = next(t for t in public.tables if t.key == "R4_org")
    assert table.protected is not None
    leaky = type(table.protected)(
        values=table.protected.values,
        suppressed=table.protected.suppressed & False,
        primary=table.protected.primary,
        threshold=table.protected.threshold,
        margins=table.protected.margins,
    )
    import attrs

    bad = attrs.evolve(public, tables=tuple(
        attrs.evolve(t, protected=leaky) if t.key == "R4_org" else t for t in public.tables))
    if table.protected.n_primary:
        with pytest.raises(DisclosureError):
            write_workbook(bad, target)
        assert target.read_bytes() == b"old"
    assert list(tmp_path.iterdir()) == [target]


# -- bad input and empty periods ------------------------------------------------


def test_a_period_without_events_is_an_explicit_empty_report(
    municipality: Municipality, events: list[dict[str, Any]], tmp_path: Path
) -> None:
    report = build_report(municipality, events, dt.date(2024, 6, 1), dt.date(2024, 6, 30),
                          figures=False)
    assert report.empty
    assert any("Tom rapport" in n for n in report.notes)
    assert _total_row(report.table("R1_org"))["I alt"] == 0
    assert report.table("R6")["Udlejninger"].sum() == 0 if len(report.table("R6")) else True
    write_workbook(report, tmp_path / "empty.xlsx")


def test_ledger_from_another_rule_version_is_an_error(
    municipality: Municipality, events: list[dict[str, Any]]
) -> None:
    changed = json.loads(json.dumps(events))
    for event in changed:
        if event["type"] == "rules":
            event["values"]["referral.share"]["value"] = "1/3"
            event["values"]["referral.share"]["from"] = "2020-01-01"
    with pytest.raises(ReportInputError, match=r"another rule version: referral\.share"):
        build_report(municipality, changed, START, END, figures=False)


def test_ledger_of_another_format_or_municipality_is_an_error(
    municipality: Municipality, events: list[dict[str, Any]]
) -> None:
    changed = json.loads(json.dumps(events))
    changed[0]["format"] = "fuaalborg-ledger/0"
    changed[0]["registry"]["X999"] = {"family": ["XX1"]}
    with pytest.raises(ReportInputError) as info:
        build_report(municipality, changed, START, END, figures=False)
    message = str(info.value)
    assert "fuaalborg-ledger/0" in message
    assert "X999" in message


def test_period_problems(municipality: Municipality, events: list[dict[str, Any]]) -> None:
    with pytest.raises(ReportInputError, match="before it starts"):
        build_report(municipality, events, END, START, figures=False)
    with pytest.raises(ReportInputError, match="spans two agreement periods"):
        build_report(municipality, [], dt.date(2025, 12, 1), dt.date(2026, 1, 31), figures=False)
    with pytest.raises(ReportInputError, match="no agreement in force"):
        build_report(municipality, [], dt.date(2022, 1, 1), dt.date(2022, 3, 31), figures=False)
    with pytest.raises(ReportInputError, match="disclosure"):
        build_report(municipality, events, START, END, disclosure="everyone",  # type: ignore[arg-type]
                      figures=False)
    assert NotInForceError  # the agreement lookup error is wrapped, not leaked


def test_bad_evictions_report_every_problem(municipality: Municipality) -> None:
    table = pd.DataFrame({
        "department_id": ["D001", "NOPE", "D002"],
        "date": ["2024-01-05", "2024-02-01", "someday"],
        "count": [1, -3, 2],
        "route": ["referral", "flexible", "by magic"],
    })
    with pytest.raises(TableValidationError) as info:
        read_evictions(table, municipality.departments["department_id"])
    problems = {(p.column, p.row) for p in info.value.problems}
    assert problems == {("department_id", 2), ("count", 2), ("date", 3), ("route", 3)}


def test_evictions_reconcile(parties: Report, evictions: pd.DataFrame) -> None:
    r4 = parties.table("R4_org")
    assert _total_row(r4)["I alt"] == int(evictions["count"].sum())


def test_waiting_time_needs_the_applicants(municipality: Municipality,
                                           events: list[dict[str, Any]]) -> None:
    changed = json.loads(json.dumps(events))
    signed = [e for e in changed if e["type"] == "signed"]
    assert signed
    signed[0]["applicant_id"] = "NOBODY"
    with pytest.raises(ReportInputError, match="not on the waiting list"):
        build_report(municipality, changed, START, END, figures=False)


def test_waiting_time_matches_the_ledger_and_applicants(
    parties: Report, municipality: Municipality, events: list[dict[str, Any]]
) -> None:
    signed = [e for e in events if e["type"] == "signed"]
    r6 = parties.table("R6")
    assert r6["Udlejninger"].sum() == len(signed)
    seniority = municipality.applicants.set_index(["applicant_id", "list"])["seniority_date"]
    years = [
        (pd.Timestamp(e["on"]) - pd.Timestamp(seniority[(e["applicant_id"], e["list"])])).days
        / 365.25
        for e in signed
    ]
    overall = parties.table("R6")
    assert overall["Median (år)"].notna().all()
    assert min(years) <= overall["Median (år)"].min() + 0.01
    assert max(years) >= overall["90-percentil (år)"].max() - 0.01


# -- command line ---------------------------------------------------------------------


def test_cli_writes_the_workbook(tmp_path: Path, ledger: Ledger) -> None:
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(main, [
        "report", "--from", "2024-01-01", "--to", "2024-03-31", "--disclosure", "public",
        "--lang", "en", "--ledger", str(ledger.path), "-o", str(out),
        "--figures", str(tmp_path / "fig"),
    ])
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Cover"
    assert sorted(p.name for p in (tmp_path / "fig").iterdir()) == ["R1.png", "R2.png",
                                                                    "R5.png"]


def test_cli_bad_period_is_one_line(tmp_path: Path, ledger: Ledger) -> None:
    result = CliRunner().invoke(main, [
        "report", "--from", "2024-03-31", "--to", "2024-01-01", "--ledger", str(ledger.path),
        "-o", str(tmp_path / "r.xlsx"),
    ])
    assert result.exit_code == 1
    assert "before it starts" in result.output
    assert not (tmp_path / "r.xlsx").exists()


def test_figures_are_png(public: Report) -> None:
    assert set(public.figures) == {"R1", "R2", "R5"}
    assert all(png.startswith(b"\x89PNG") for png in public.figures.values())
    assert np.isfinite(len(public.figures["R1"]))


def test_r7_speaks_the_reports_language(municipality: Municipality) -> None:
    """A Danish report's criteria audit is Danish: headers, kinds, variants and its note; an
    English one words it as ``fuaalborg audit`` does."""
    from fuaalborg.criteria import audit, load
    from fuaalborg.criteria.testing import synthetic_applicants
    from fuaalborg.reports.sections import context, r7

    checked = audit(load(entry_points=False), synthetic_applicants(200, seed=3), START)
    versions = pd.DataFrame(columns=["parameter"])
    da = r7(context(municipality, "parties", "da", 5), checked, versions)[0]
    en = r7(context(municipality, "parties", "en", 5), checked, versions)[0]
    assert list(da.frame.columns) == ["Kriterium eller aftale", "Art", "Variant af stikprøven",
                                      "Ansøgere med ændret resultat"]
    assert set(da.frame["Art"]) == {"kriterium", "aftale"}
    assert set(da.frame["Variant af stikprøven"]) == {"blandet", "erstattet", "fjernet",
                                                      "anden rækkefølge"}
    assert da.note.startswith("Auditten bestået: ja; overtrædelser: 0;")
    for english in ("violations", "unchecked", "True", "ok ="):
        assert english not in da.note
    # the English report is as it was: the audit's own names and terms
    assert list(en.frame.columns) == ["subject", "kind", "variant", "changed"]
    assert set(en.frame["kind"]) == {"criterion", "agreement"}
    assert set(en.frame["variant"]) == {"shuffled", "synthetic", "removed", "row order"}
    assert en.note == ("ok = True; 0 violations; 0 unchecked; "
                       "0 four-fifths warnings for human review")
    assert da.frame["Kriterium eller aftale"].tolist() == en.frame["subject"].tolist()
