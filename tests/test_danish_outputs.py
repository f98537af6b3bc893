"""Danish tables say everything in Danish: placements, overviews, comparisons, calendar, ledger.

Every closed set of values a table writes has a Danish word in the glossary, every
column a Danish header, and a placement's reasons are composed in Danish from the
same facts as the English ones, so a Danish file carries no English leftovers.
"""

from __future__ import annotations

import re
from pathlib import Path

import attrs
import pandas as pd
import pytest
from click.testing import CliRunner

from fuaalborg import Municipality, danish
from fuaalborg.cli import main
from fuaalborg.letting import events as ledger_events
from fuaalborg.letting.ledger import ANSWERS
from fuaalborg.letting.offers import OFFER_ANSWERS
from fuaalborg.letting.routing import REASON_CODES, ROUTE_CODES
from fuaalborg.model import COLOURS, SUBROUTES, TURNS
from fuaalborg.monitoring import StepModel, preset_names
from fuaalborg.monitoring.calendar import CALENDAR_SOURCES, DUTY_KINDS, DUTY_STATUSES
from fuaalborg.monitoring.steps import BASES, PREVIOUS_PLACEMENT, PresetError
from fuaalborg.tables import read_table
from municipality_support import FJORDBY

#: Words of the English reasons that a Danish reason never contains.
ENGLISH = re.compile(r"\b(step|applies|criteria|met|area|list|required|monitored|condition|"
                     r"proxy|twin-tool|red|yellow|green)\b")


def _run(*args: str) -> None:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output


def _danish_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep=";", decimal=",", encoding="utf-8-sig", dtype=str)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("colours", COLOURS), ("colour bases", BASES), ("routes", ROUTE_CODES),
        ("subroutes", SUBROUTES), ("turns", TURNS), ("reason codes", REASON_CODES),
        ("answers", (*ANSWERS, *OFFER_ANSWERS)), ("event types", ledger_events.EVENT_TYPES),
        ("duty kinds", DUTY_KINDS), ("duty statuses", DUTY_STATUSES),
        ("data sources", tuple(CALENDAR_SOURCES.values())),
    ],
)
def test_every_closed_set_written_in_a_table_has_danish_words(
    name: str, values: tuple[str, ...]
) -> None:
    missing = [v for v in values if v not in danish.VALUES]
    assert not missing, f"{name}: add Danish values to fuaalborg.danish.VALUES: {missing}"


def test_every_event_field_of_the_ledger_has_a_danish_header() -> None:
    # registry and dwelling_facts are not exported (Ledger.to_frame leaves them out);
    # an applicant's list_name is "list" in the event
    for cls in ledger_events.EVENT_CLASSES.values():
        fields = {"list" if f.name == "list_name" else f.name for f in attrs.fields(cls)}
        fields -= {"registry", "dwelling_facts"}
        missing = sorted(f for f in fields if f not in danish.HEADERS)
        assert not missing, f"{cls.__name__}: add Danish headers: {missing}"


def test_the_bundled_presets_step_names_and_labels_are_danish() -> None:
    for preset in preset_names():
        for step in StepModel.load(preset).steps_on("2024-06-01"):
            assert step.name in danish.VALUES, (preset, step.name)
            for test in step.tests:
                assert test.label_da, (preset, test.column)
                assert test.label_da != test.label, (preset, test.column)


def test_a_preset_label_da_must_be_text(tmp_path: Path) -> None:
    from importlib import resources

    text = (resources.files("fuaalborg.monitoring") / "presets" / "socioeconomic.toml"
            ).read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('label_da = "tvillingeværktøjets tilnærmelse til § 61 b, nr. 1"',
                                "label_da = 7", 1), encoding="utf-8")
    with pytest.raises(PresetError, match=r"criteria\[0\]\.label_da: not a text"):
        StepModel.load(bad)


@pytest.mark.parametrize("preset", ["aalborg-2023", "socioeconomic"])
@pytest.mark.parametrize("on", ["2023-06-01", "2024-06-01", "2025-03-01"])
@pytest.mark.parametrize("where", ["fjordby", "example"])
def test_a_danish_reason_states_the_same_facts_as_the_english_one(
    where: str, preset: str, on: str, example_municipality: Municipality
) -> None:
    municipality = (Municipality.from_folder(FJORDBY) if where == "fjordby"
                    else example_municipality)
    indicators = municipality.indicators
    if where == "example":  # one department off every list without data: basis "no data"
        deps = municipality.departments
        gone = deps.loc[deps["area_id"].isna(), "department_id"].iloc[0]
        indicators = indicators.loc[indicators["department_id"] != gone]
    placement = StepModel.load(preset).place(
        municipality.departments, indicators, municipality.lists, on, validate=False,
    )
    english, dansk = placement.reasons("en"), placement.reasons("da")
    assert english.equals(placement.frame["reason"])
    for en, da, colour, step in zip(english, dansk, placement.frame["colour"],
                                    placement.frame["step"], strict=True):
        assert da.startswith(f"{danish.value(colour)} (trin {step}): ")
        body = da.split(" — ")[0]  # the step's reference is the preset's citation
        assert not ENGLISH.search(body), da
        # the same numbers in the same order: dates, counts, thresholds, paragraphs
        assert re.findall(r"\d+", da) == re.findall(r"\d+", en), (en, da)
    bases = set(placement.frame["basis"])
    assert where == "fjordby" or {"list", "no data", "unmonitored"} <= bases, bases


def test_place_danish_writes_danish_headers_values_and_reasons(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    _run("place", "--municipality", str(FJORDBY), "--on", "2024-06-01", "-o", str(out),
         "--danish")
    frame = _danish_csv(out)
    colour_words = {"red", "yellow", "green"}
    assert not [c for c in frame.columns if colour_words & set(re.split(r"_", c))]
    assert "gul_kriterier_opfyldt" in frame.columns
    assert "opfyldt_gul_uden_arbejde_uddannelse_pct" in frame.columns
    assert set(frame["trin_navn"]) <= {"rød", "gul", "grøn"}
    red = frame.loc[frame["farve"] == "rød", "begrundelse"].iloc[0]
    assert red.startswith("rød (trin 3): trinnet gælder: området er på ministeriets liste af "
                          "2023-12-01 som forebyggelse; ")
    assert "kriterier for trin gul opfyldt (uden_arbejde_uddannelse_pct > 30 (" in red
    assert red.endswith(" — Fælles Udlejningsaftale, afsnit 4 (trin 3)")


def test_a_danish_placement_is_read_back_as_the_previous_one(tmp_path: Path) -> None:
    first = tmp_path / "placering.csv"
    _run("place", "--municipality", str(FJORDBY), "--on", "2024-06-01", "-o", str(first),
         "--danish")
    previous = read_table(first, PREVIOUS_PLACEMENT)
    assert set(previous["colour"]) <= set(COLOURS)
    again = tmp_path / "igen.csv"
    _run("place", "--municipality", str(FJORDBY), "--on", "2024-06-01", "--previous",
         str(first), "-o", str(again), "--danish")
    frame = _danish_csv(again)
    assert (frame["tidligere_farve"] == frame["farve"]).all()
    assert (frame["ændret"] == "nej").all()
    xlsx = tmp_path / "placering.xlsx"
    _run("place", "--municipality", str(FJORDBY), "--on", "2024-06-01", "-o", str(xlsx),
         "--danish")
    assert read_table(xlsx, PREVIOUS_PLACEMENT)["colour"].tolist() == previous["colour"].tolist()


def test_overview_and_compare_presets_write_danish_reasons(tmp_path: Path) -> None:
    overview = tmp_path / "o.csv"
    _run("overview", "--municipality", str(FJORDBY), "--on", "2024-06-01", "--preset",
         "aalborg-2023", "-o", str(overview), "--danish")
    frame = _danish_csv(overview)
    assert len(frame)
    assert frame["begrundelse"].str.match(r"(rød|gul) \(trin \d\): ").all()
    assert frame["bemærkning"].str.startswith("Placeringen bruger en samlet "
                                              "etnicitetsindikator").all()
    compare = tmp_path / "c.csv"
    _run("compare-presets", "--municipality", str(FJORDBY), "--on", "2024-06-01", "-o",
         str(compare), "--danish")
    frame = _danish_csv(compare)
    assert len(frame)
    for column in ("begrundelse_a", "begrundelse_b"):
        assert frame[column].str.match(r"(rød|gul|grøn) \(trin \d\): ").all()


def test_calendar_danish_writes_danish_kinds_and_bodies(tmp_path: Path) -> None:
    out = tmp_path / "cal.csv"
    _run("calendar", "--municipality", str(FJORDBY), "--from", "2024-01-01", "--to",
         "2029-12-31", "-o", str(out), "--danish")
    frame = _danish_csv(out)
    assert set(frame["type"]) <= {danish.value(k) for k in DUTY_KINDS}
    assert {"møde", "monitoreringsopdatering", "genforhandling"} <= set(frame["type"])
    assert not frame["organ"].str.contains(r"\bthe parties\b|\band\b").any()
    assert "Fjordby Kommune og parterne" in set(frame["organ"])
    updates = frame.loc[frame["type"] == "monitoreringsopdatering", "emne"]
    assert not updates.str.contains("parallel-society|twin tool|ministry").any()


def test_ledger_exports_in_danish_have_no_english_headers(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    _run("ledger", "init", str(ledger), "--municipality", str(FJORDBY))
    _run("ledger", "vacancy", str(ledger), "V1", "D004-004", "D004", "family", "2024-04-04",
         "5000", "2", "--municipality", str(FJORDBY))
    # a Danish header may be spelt as another column's canonical name ("type")
    danish_headers = set(danish.HEADERS.values())
    for command, name in (("events", "ev.csv"), ("state", "st.csv")):
        out = tmp_path / name
        _run("ledger", command, str(ledger), "-o", str(out), "--danish")
        frame = _danish_csv(out)
        english = [c for c in frame.columns if c in danish.HEADERS and c not in danish_headers]
        assert not english, (command, english)
    events = _danish_csv(tmp_path / "ev.csv")
    assert "dansk" in events.columns
    assert events["hændelse"].tolist() == ["oprettet", "regler", "ledig_bolig"]
