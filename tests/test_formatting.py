"""One value, one text: parameters, the ledger's shares and the reports print with
``format_value``."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from fuaalborg.cli._common import counted as screen_counted
from fuaalborg.cli._common import number
from fuaalborg.formatting import counted, format_value, kroner, whole
from fuaalborg.letting.routing import show_share
from fuaalborg.parameters import DatedValue, load_parameters
from fuaalborg.reports.lettings import check_ledger

fractions = st.fractions(min_value=0, max_value=10)
scalars = st.one_of(fractions, st.integers(-10**6, 10**6), st.booleans(),
                    st.text(max_size=12), st.floats(allow_nan=False))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z_]{1,8}", fullmatch=True), inner, max_size=3)),
    max_leaves=10)


@given(fractions)
def test_a_fraction_reads_back_as_itself_and_a_whole_one_as_a_whole_number(value: Fraction) -> (
    None
):
    text = format_value(value)
    assert Fraction(text) == value
    assert ("/" in text) == (value.denominator != 1)


@given(fractions)
def test_the_ledger_writes_a_share_as_the_formatter_prints_it(value: Fraction) -> None:
    assert show_share(value) == format_value(value)


@given(values)
def test_a_parameter_describes_its_value_as_the_formatter_prints_it(value: Any) -> None:
    dated = DatedValue(name="x.y", start=dt.date(2024, 1, 1), end=None, value=value,
                       reference="§ 1")
    assert dated.describe() == f"x.y = {format_value(value)} (2024-01-01–…; § 1)"


@given(st.lists(scalars, max_size=5))
def test_a_list_is_its_items_in_brackets(items: list[Any]) -> None:
    assert format_value(items) == "[" + ", ".join(format_value(i) for i in items) + "]"
    assert format_value(tuple(items)) == format_value(items)


def test_a_report_names_another_rule_version_as_the_parameter_files_write_it() -> None:
    params = load_parameters()
    day = dt.date(2024, 3, 1)
    recorded = {"referral.bab_share": {"value": "1/2", "from": "2023-01-01"},
                "referral.share": {"value": "1/4", "from": "2010-01-01"}}
    events = [
        {"type": "rules", "id": "r1", "values": recorded},
        {"type": "vacancy", "on": day.isoformat(), "rules": "r1"},
    ]
    versions, problems = check_ledger(events, None, day, day, params)  # type: ignore[arg-type]
    assert list(versions["parameter"]) == list(recorded)
    assert problems[0] == "the ledger has no 'created' header event"
    # the loaded agreement's value 1 reads "1", as the ledger writes it, not "1/1"
    assert problems[1:] == [
        "the ledger was recorded under another rule version: referral.bab_share = 1/2 "
        "from 2023-01-01, but 1 from 2023-01-01 is in force on 2024-03-01 ("
        + params.lookup("referral.bab_share", day, warn=False).reference + ")"
    ]


def test_a_report_reads_a_ledger_recorded_under_a_since_renamed_rule() -> None:
    params = load_parameters()
    day = dt.date(2024, 3, 1)
    recorded = {"ledger.flexible_share_red": {"value": "1", "from": "2018-12-01"}}
    events = [
        {"type": "rules", "id": "r1", "values": recorded},
        {"type": "vacancy", "on": day.isoformat(), "rules": "r1"},
    ]
    versions, problems = check_ledger(events, None, day, day, params)  # type: ignore[arg-type]
    assert list(versions["parameter"]) == ["ledger.flexible_share_red"]
    assert problems == ["the ledger has no 'created' header event"]


@given(scalars)
def test_a_record_and_an_error_about_a_cell_print_a_value_as_the_formatter_does(
    value: Any,
) -> None:
    from fuaalborg.records import _recorded_text
    from fuaalborg.tables import cell_text

    assert _recorded_text(value) == format_value(value)
    if not isinstance(value, str):
        shown = format_value(value)
        assert cell_text(value) == (shown if len(shown) <= 40 else shown[:37] + "…")


def test_a_record_keeps_a_table_as_release_0_1_wrote_it() -> None:
    # replay compares this text with the value in force; tests/recorded holds such records
    from fuaalborg.records import _recorded_text

    table = {"areas": {"omdannelse": "§ 61 a"}, "benefits": ["cash_benefit"]}
    assert _recorded_text(table) == str(table)


def test_verify_reads_its_counts_in_the_right_number() -> None:
    from fuaalborg.letting.verification import VerifyReport

    one = VerifyReport(target="t", events=1, vacancies=1, voided=0, late=0, corrections=(),
                       stock_changes=1)
    (line,) = one.describe()
    assert line.startswith("t: 1 event verified (0 voids, 0 corrections, 1 change of stock); "
                           "1 vacancy (0 void vacancies, 0 late vacancies); ")
    many = VerifyReport(target="t", events=9, vacancies=7, voided=1, late=2, corrections=())
    assert many.describe()[0].startswith("t: 9 events verified (0 voids, 0 corrections); "
                                         "7 vacancies (1 void vacancy, 2 late vacancies); ")


def test_verify_words_every_count_with_its_noun() -> None:
    # a void is an event, a void vacancy a vacancy: no bare "0 void" beside "0 voids"
    from fuaalborg.letting.verification import VerifyReport

    for (voided, late, stock), counts in [
        ((0, 0, 0), "(0 voids, 0 corrections); 7 vacancies (0 void vacancies, 0 late vacancies)"),
        ((1, 1, 1), "(0 voids, 0 corrections, 1 change of stock); 7 vacancies (1 void vacancy, "
                    "1 late vacancy)"),
        ((2, 3, 2), "(0 voids, 0 corrections, 2 changes of stock); 7 vacancies (2 void "
                    "vacancies, 3 late vacancies)"),
    ]:
        report = VerifyReport(target="t", events=9, vacancies=7, voided=voided, late=late,
                              corrections=(), stock_changes=stock)
        assert report.describe()[0] == (
            f"t: 9 events verified {counts}; every checksum, decision, counter and state row "
            "agrees with the events")


def test_verify_counts_voids_apart_from_corrections() -> None:
    from fuaalborg.letting.verification import Correction, VerifyReport

    void = Correction(5, "void", dt.date(2024, 6, 1), "t", "V2", "kb", "not vacant",
                      {"referral": 1})
    fix = Correction(7, "correction", dt.date(2024, 6, 3), "t", "V6", "kb", "typo",
                     {"monthly_rent_dkk": [4530.0, 4350.0]})
    report = VerifyReport(target="t", events=9, vacancies=7, voided=1, late=0,
                          corrections=(void, fix, fix))
    head, *listed = report.describe()
    assert head.startswith("t: 9 events verified (1 void, 2 corrections); ")
    assert [line.split("(")[1].split(" on")[0] for line in listed] == [
        "void", "correction", "correction"]
# -- a value as a report shows it, in the report's language -------------------------------


def test_a_report_shows_the_colour_rules_in_its_language() -> None:
    placement = {"green": {"placement": "yes"},
                 "yellow": {"placement": "restricted", "criteria": "referral.limits.stk7"},
                 "red": {"placement": "no"}}
    assert format_value(["green", "yellow"], lang="da") == "grøn, gul"
    assert format_value(["green", "yellow"], lang="en") == "green, yellow"
    assert format_value(placement, lang="da") == (
        "grøn (placement: ja); gul (placement: begrænset, criteria: referral.limits.stk7); "
        "rød (placement: nej)")
    assert format_value(placement, lang="en") == (
        "green (placement: yes); yellow (placement: restricted, criteria: "
        "referral.limits.stk7); red (placement: no)")
    assert format_value({"colours": [], "designations": []}, lang="da") == (
        "colours: ingen; designations: ingen")
    assert format_value({"colours": ["red"], "share": "1", "designations": ["udsat"]},
                        lang="en") == "colours: red; share: 1; designations: udsat"
    assert format_value([50, 90], lang="da") == "50, 90"
    assert (format_value(True, lang="da"), format_value(Fraction(1, 4), lang="da")) == (
        "ja", "1/4")


def test_the_recorded_form_is_unchanged_where_no_language_is_asked() -> None:
    """The ledger and the records keep their text: replay compares it."""
    assert format_value(["green", "yellow"]) == "[green, yellow]"
    assert format_value({"edges": [3500], "closed": "right"}) == "edges = [3500]; closed = right"


@given(values, st.sampled_from(["da", "en"]))
def test_a_value_a_report_shows_is_never_a_python_repr(value: Any, lang: str) -> None:
    """No quotes or braces of a repr; brackets and parentheses balance (nesting stays
    readable); whatever the nesting."""
    text = format_value(value, lang=lang)
    own = "".join(str(leaf) for leaf in _leaves(value))
    for mark in "{}'":
        assert text.count(mark) == own.count(mark)
    assert text.count("[") - own.count("[") == text.count("]") - own.count("]")
    assert text.count("(") - own.count("(") == text.count(")") - own.count(")")


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [*value, *(leaf for v in value.values() for leaf in _leaves(v))]
    if isinstance(value, list | tuple):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


def test_every_table_or_list_of_the_parameter_files_reads_without_a_repr() -> None:
    params = load_parameters()
    seen = 0
    for layer in params.layers:
        for parameter in layer.values():
            for dated in parameter.values:
                if isinstance(dated.value, list | dict):
                    seen += 1
                    for lang in ("da", "en"):
                        text = format_value(dated.value, lang=lang)
                        own = "".join(str(leaf) for leaf in _leaves(dated.value))
                        assert text.count("{") == own.count("{"), (parameter.name, text)
                        assert text.count("'") == own.count("'"), (parameter.name, text)
    assert seen > 20


@given(st.integers(-10**9, 10**9))
def test_a_whole_number_groups_its_thousands_in_either_language_and_reads_back(n: int) -> None:
    danish, english = whole(n, "da"), whole(n, "en")
    assert int(danish.replace(".", "")) == int(english.replace(",", "")) == n
    assert danish == english.replace(",", ".")
    digits = english.lstrip("-").split(",")
    assert all(len(group) == 3 for group in digits[1:])
    assert 1 <= len(digits[0]) <= 3
    # the screen, kroner and counts group a number the same way
    assert number(n) == kroner(n) == danish
    assert screen_counted(n, "row") == counted(n, "row", group="da")
    assert counted(n, "row", group="da").startswith(danish + " ")
