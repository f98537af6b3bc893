"""`fuaalborg ledger …` with the shared options: the municipality, amounts, Danish tables.

Amounts on the command line take a decimal point or a Danish decimal comma, and
thousands separators where the form reads one way only (6.100,50); a form that
reads two ways (6.100) is refused with how to write it; the ledger commands read the
municipality like every other command and write Danish tables with --danish.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_support import run
from fuaalborg import danish
from fuaalborg.cli._common import parse_amount
from fuaalborg.letting.events import EVENT_TYPES
from fuaalborg.letting.routing import ROUTING_REASONS
from municipality_support import FJORDBY

# -- amounts ------------------------------------------------------------------------------


@given(st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False))
def test_an_amount_reads_the_same_with_a_decimal_point_or_comma(value: object) -> None:
    text = f"{value:f}"
    if re.fullmatch(r"[1-9]\d{0,2}\.\d{3}", text):  # 4.550: refused as ambiguous, below
        return
    assert parse_amount(text) == pytest.approx(float(text))
    assert parse_amount(text.replace(".", ",")) == pytest.approx(float(text))


@pytest.mark.parametrize(
    ("text", "advice"),
    [
        ("4.550", "write 4550 for the whole number (no thousands separator), or 4,55"),
        ("4,551", "or 4,5510 for a decimal"),
        ("45.50,5", "groups of three digits"),
        ("4.550.5", "or write it without them (6100,50 or 6100.50)"),
        ("04.550,5", "groups of three digits"),
        ("4.550,5.5", "groups of three digits"),
    ],
)
def test_a_form_that_reads_two_ways_or_none_is_refused_with_how_to_write_it(
    text: str, advice: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(advice)):
        parse_amount(text)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("4.550,5", 4550.5),  # Danish: thousands dots, a decimal comma
        ("6.100,50", 6100.5),
        ("1.234.567,89", 1234567.89),
        ("1.234.567", 1234567.0),  # two separators of one sign: thousands only
        ("4,550.5", 4550.5),  # the English form is as unambiguous
        ("1,234,567", 1234567.0),
        ("-6.500,50", -6500.5),
        ("6 100,50", 6100.5),
    ],
)
def test_thousands_separators_that_read_one_way_only_are_read(text: str, value: float) -> None:
    assert parse_amount(text) == value


@given(st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False),
       st.sampled_from(["da", "en"]))
def test_an_amount_as_the_screen_writes_it_reads_back_to_itself(value: object,
                                                                 lang: str) -> None:
    from decimal import Decimal

    from fuaalborg.formatting import kroner

    assert isinstance(value, Decimal)
    amount = float(value)
    text = kroner(amount, lang)  # type: ignore[arg-type]
    try:
        read = parse_amount(text)
    except ValueError as exc:
        # only a whole amount of one thousands separator reads two ways (6.500: 6500, or
        # 6,5?): it is refused, and the first way the message offers is the amount
        assert re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", text), text
        advice = re.search(r"write (\S+) for the whole number", str(exc))
        assert advice is not None
        assert parse_amount(advice.group(1)) == round(amount)
        return
    assert read == pytest.approx(round(amount, 2), abs=0.005)
    assert kroner(read, lang) == text  # type: ignore[arg-type]


def test_amounts_on_the_command_line(tmp_path: Path) -> None:
    ledger = tmp_path / "l.jsonl"
    assert run("ledger", "init", ledger).exit_code == 0
    args = ("ledger", "vacancy", ledger, "V1", "D001-0001", "D001", "family", "2024-05-01")
    for rent, rooms, said in [
        ("45.50,5", "2", "'45.50,5' is not an amount as written"),
        ("1e300", "2", "is above 40.000, the plausible bound"),
        ("4550", "2,5", "is not a whole number"),
        ("4550", "0", "below 1"),
        ("-4550", "2", "a negative number"),
        ("mange", "2", "'mange' is not a number"),
    ]:
        result = run(*args, rent, rooms, "--colour", "green")
        assert result.exit_code == 2, (rent, rooms, result.output)
        errors = [line for line in result.output.splitlines() if line.startswith("Error")]
        assert len(errors) == 1, result.output
        assert said in errors[0], result.output
    taken = run(*args, "4550,5", "2", "--colour", "green")
    assert taken.exit_code == 0, taken.output
    danish = run("ledger", "vacancy", ledger, "V2", "D001-0002", "D001", "family", "2024-05-02",
                 "6.100,50", "2", "--colour", "green")
    assert danish.exit_code == 0, danish.output
    assert run("ledger", "vacancy", ledger, "V3", "D001-0003", "D001", "family",
               "2024-05-03", "6.100", "2", "--colour", "green").exit_code == 2
    fixed = run("ledger", "correct", ledger, "V2", "2024-05-03", "--reason", "typo",
                "--rent", "6.200,25")
    assert fixed.exit_code == 0, fixed.output
    assert "--rent 6.100,50 kr. -> 6.200,25 kr." in fixed.output
    rank = run("rank", "--department", "D001", "--rooms", "2", "--rent", "4.550",
               "--on", "2024-05-01")
    assert rank.exit_code == 2
    assert "could be read two ways" in rank.output


# -- the municipality ---------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FJORDBY, tmp_path / "fjordby"))


def test_init_on_the_example_says_so_in_its_first_line(tmp_path: Path) -> None:
    result = run("ledger", "init", f"sqlite:///{tmp_path}/l.db")
    assert result.exit_code == 0, result.output
    first, *_ = result.output.splitlines()
    assert first.startswith("Using the example municipality (synthetic)")


def test_ledger_commands_take_the_shared_municipality_options(folder: Path,
                                                              tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path}/l.db"
    created = run("ledger", "init", target, "--municipality", folder)
    assert created.exit_code == 0, created.output
    assert created.output.startswith("created sqlite:///")
    assert "Fjordby Kommune" in created.output
    # the deprecated --folder alias works as everywhere else, with its warning
    recorded = run("ledger", "vacancy", target, "V1", "D001-001", "D001", "family",
                   "2024-03-01", "6546,00", "3", "--folder", folder)
    assert recorded.exit_code == 0, recorded.output
    assert "--folder is deprecated" in recorded.output
    assert "(red, step model)" in recorded.output
    # a rent above the bundled bound, admitted by the municipality's own [bounds] (and
    # 6.9 times the table's, admitted by its own factor; a warning, not a refusal)
    settings = folder / "municipality.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '\n[bounds]\nmonthly_rent_dkk = 60000\nrent_ratio_to_table = 10\n'
                        'reference = "test"\n', encoding="utf-8")
    args = ("ledger", "correct", target, "V1", "2024-03-02", "--reason", "typo",
            "--rent", "45000")
    assert run(*args).exit_code == 2
    corrected = run(*args, "--municipality", folder)
    assert corrected.exit_code == 0, corrected.output
    assert "warning: correction of 'V1': --rent 45.000 kr. differs" in corrected.output
    # dates in the tables of the folder may be day-first with --dayfirst
    dates = folder / "indikatorer.csv"
    text = dates.read_text(encoding="utf-8-sig")
    dates.write_text(re.sub(r"(\d{4})-(\d{2})-(\d{2})", r"\3-\2-\1", text),
                     encoding="utf-8-sig")
    refused = run("ledger", "vacancy", target, "V2", "D001-002", "D001", "family",
                  "2024-03-05", "3068", "1", "--municipality", folder)
    assert refused.exit_code == 1
    assert "--dayfirst" in refused.output
    taken = run("ledger", "vacancy", target, "V2", "D001-002", "D001", "family",
                "2024-03-05", "3068", "1", "--municipality", folder, "--dayfirst")
    assert taken.exit_code == 0, taken.output


def test_the_ledger_routes_by_the_municipalitys_own_preset(folder: Path,
                                                           tmp_path: Path) -> None:
    # Fjordby's municipality.toml names the socio-economic preset first; under it
    # Strandlyst (D003) is yellow, under aalborg-2023 (the non-Western share too) green
    placed = run("compare-presets", "--municipality", folder, "--on", "2024-05-01")
    assert "D003   yellow    green" in placed.output
    target = str(tmp_path / "l.jsonl")
    assert run("ledger", "init", target, "--municipality", folder).exit_code == 0
    recorded = run("ledger", "vacancy", target, "V1", "D003-001", "D003", "family",
                   "2024-05-01", "5200", "2", "--municipality", folder)
    assert recorded.exit_code == 0, recorded.output
    assert "(yellow, step model)" in recorded.output


# -- Danish tables ------------------------------------------------------------------------


def _full_ledger(tmp_path: Path) -> str:
    """A ledger with every kind of event a ledger writes."""
    import fuaalborg
    from fuaalborg.letting.ledger import Ledger

    target = f"sqlite:///{tmp_path}/full.db"
    registry = pd.DataFrame({"dwelling_id": ["A1", "A2", "B1"], "department_id": ["A", "A", "A"],
                             "kind": ["family", "family", "bab"]})
    applicants = pd.DataFrame({
        "applicant_id": ["a", "b", "c", "d"], "list": ["internal", "external"] * 2,
        "seniority_date": pd.to_datetime(["2019-01-01", "2015-01-01", "2020-01-01",
                                          "2016-01-01"]),
        "household_size": [2, 2, 2, 2]})
    Ledger.create(target, registry, name="test").close()  # without organisations: the
    with Ledger.open(target, organisations={"A": "12011814"}) as ledger:  # first write records
        ledger.set_flexible_share("A", "1/2", "2024-01-01")
        for i in range(1, 5):
            ledger.record_vacancy(f"V{i}", "A1", "A", "family", f"2024-02-0{i}", 4200.0, 3,
                                  colour="green")
        ledger.record_vacancy("V0", "A2", "A", "family", "2024-01-15", 4200.0, 3,
                              colour="green")  # late
        ledger.record_vacancy("VB", "B1", "A", "bab", "2024-02-10", 3100.0, 2, colour="green")
        ledger.record_answer("V4", "declined", "2024-02-12")
        ledger.record_answer("VB", "accepted", "2024-02-12")
        ledger.void("V2", "not vacant after all", "2024-02-13", by="kb")
        ledger.correct("V3", "typo", "2024-02-13", by="kb", monthly_rent_dkk=4300.0)
        ranking = ledger.rank("V1", applicants)
        offers = fuaalborg.OfferRound("V1", ranking, ledger=ledger, size=3)
        sent = offers.send("2024-02-14")
        offers.answer(sent[0], "refuse", "2024-02-15")
        offers.answer(sent[1], "accept", "2024-02-15")
        offers.close("2024-02-20")
        offers.sign("2024-02-25")
        grown = pd.concat([registry, pd.DataFrame({"dwelling_id": ["C1"], "department_id": ["C"],
                                                   "kind": ["family"]})])
        ledger.update_stock(grown, on="2024-03-01", note="new build", by="kb",
                            organisations={"A": "12011814", "C": "12011814"})
    return target


def test_every_ledger_output_column_and_value_is_translated(tmp_path: Path) -> None:
    from fuaalborg.letting.ledger import Ledger

    target = _full_ledger(tmp_path)
    with Ledger.open(target, readonly=True) as ledger:
        events, state = ledger.to_frame(), ledger.state()
    assert set(events["type"]) >= set(EVENT_TYPES) - {"applicant_passive"}
    untranslated = [c for frame in (events, state) for c in frame.columns
                    if danish.header(str(c)) == c and c not in ("id", "format")]
    assert not untranslated, f"add Danish headers to fuaalborg.danish.HEADERS: {untranslated}"
    values = {str(v) for c in danish.VALUE_COLUMNS & set(events.columns)
              for v in events[c].dropna()}
    values |= set(EVENT_TYPES) | set(ROUTING_REASONS) | {"accepted", "declined", "let"}
    untranslated = sorted(v for v in values if v not in danish.VALUES)
    assert not untranslated, f"add Danish values to fuaalborg.danish.VALUES: {untranslated}"
    headers = [danish.header(str(c)) for frame in (events, state) for c in frame.columns]
    assert len(set(headers)) == len(set(map(str, [*events.columns, *state.columns])))


def test_ranking_reason_codes_are_not_ledger_words() -> None:
    from fuaalborg.letting.ranking import INELIGIBILITY_REASONS

    # reason_code is translated in the ledger's tables; a ranking's codes stay as they are
    assert not set(INELIGIBILITY_REASONS) & set(danish.VALUES)


def test_state_and_events_write_danish_tables(tmp_path: Path) -> None:
    target = _full_ledger(tmp_path)
    state = tmp_path / "tilstand.csv"
    result = run("ledger", "state", target, "-o", state, "--danish")
    assert result.exit_code == 0, result.output
    text = state.read_text(encoding="utf-8-sig")
    assert state.read_bytes().startswith(b"\xef\xbb\xbf")
    assert text.startswith("afdeling_id;tæller_anvisning;tæller_fleksibel;tæller_tur;")
    events = tmp_path / "hændelser.csv"
    result = run("ledger", "events", target, "-o", events, "--danish")
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(events, sep=";", encoding="utf-8-sig", dtype=str)
    assert {"løbenummer", "hændelse", "udlejningsvej", "tur", "svar"} <= set(frame.columns)
    assert {"oprettet", "ledig_bolig", "annullering", "rettelse", "tilbud_sendt",
            "lejekontrakt_underskrevet"} <= set(frame["hændelse"])
    assert {"venteliste", "anvisning"} <= set(frame["udlejningsvej"].dropna())
    assert set(frame["sent_registreret"].dropna()) == {"ja"}
    assert {"afvist", "accepteret", "afslår", "accepterer"} <= set(frame["svar"].dropna())
    book = tmp_path / "journal.xlsx"
    result = run("ledger", "events", target, "-o", book, "--danish")
    assert result.exit_code == 0, result.output
    workbook = openpyxl.load_workbook(book, read_only=True)
    assert workbook.sheetnames == ["hændelser", "tilstand"]
    english = tmp_path / "events.xlsx"
    assert run("ledger", "events", target, "-o", english).exit_code == 0
    assert openpyxl.load_workbook(english, read_only=True).sheetnames == ["events", "state"]
    refused = run("ledger", "state", target, "-o", tmp_path / "state.json")
    assert refused.exit_code == 2
    assert ".csv or .xlsx" in refused.output


def test_events_write_whole_numbers_with_gaps_as_whole_numbers(tmp_path: Path) -> None:
    target = _full_ledger(tmp_path)  # counters and rooms are absent on other events
    whole = {"en": ["seq", "rooms", "n_referral", "n_flexible", "n_turn"],
             "da": ["løbenummer", "rum", "nr_anvisning", "nr_fleksibel", "nr_tur"]}
    for lang, danish_flag in (("en", ()), ("da", ("--danish",))):
        csv = tmp_path / f"events-{lang}.csv"
        result = run("ledger", "events", target, "-o", csv, *danish_flag)
        assert result.exit_code == 0, result.output
        frame = pd.read_csv(csv, sep=";" if danish_flag else ",", encoding="utf-8-sig",
                            dtype=str)
        for column in whole[lang]:
            values = frame[column].dropna()
            assert len(values), (lang, column)
            assert values.str.fullmatch(r"\d+").all(), (lang, column)
            assert column == whole[lang][0] or frame[column].isna().any()  # with gaps
        rent = "månedsleje_kr" if danish_flag else "monthly_rent_dkk"
        assert frame[rent].dropna().str.contains("," if danish_flag else r"\.").all()
        book = tmp_path / f"events-{lang}.xlsx"
        assert run("ledger", "events", target, "-o", book, *danish_flag).exit_code == 0
        sheet = pd.read_excel(book, sheet_name=0, dtype=object)
        for column in whole[lang]:
            values = sheet[column].dropna()
            assert len(values), (lang, column)
            assert values.map(lambda v: isinstance(v, int)).all(), (lang, column)


def test_rank_reads_a_rent_as_danish_excel_writes_it() -> None:
    args = ("rank", "--department", "D001", "--rooms", "2", "--on", "2024-05-01", "--top", "1")
    danish = run(*args, "--rent", "6.100,50")
    plain = run(*args, "--rent", "6100.5")
    assert danish.exit_code == 0, danish.output
    assert danish.output == plain.output
    assert "6.100,50 kr./month" in danish.output
