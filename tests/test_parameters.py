"""The parameter store: loading, validation, dated lookup, layering."""

from __future__ import annotations

import datetime as dt
import warnings
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuaalborg
from fuaalborg.errors import AssumedTermsWarning, NotInForceError, ParameterFileError
from fuaalborg.parameters import bundled_parameter_files, load_parameters

HEADER = '[meta]\ntitle = "test"\nversion = "1"\n\n'


def write(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_bundled_parameters_load_and_every_value_is_cited() -> None:
    params = load_parameters()
    assert bundled_parameter_files()
    for name in params.names():
        for dated in params.history(name):
            assert dated.reference.strip(), name
            assert dated.start <= (dated.end or dt.date.max)


def test_lookup_returns_value_reference_and_period() -> None:
    params = load_parameters()
    share = params.lookup("referral.share", dt.date(2024, 3, 1))
    assert share.value == Fraction(1, 4)
    assert "§ 59, stk. 1" in share.reference
    assert params.get("referral.bab_share", dt.date(2024, 3, 1)) == 1
    assert params.get("monitoring.twin_tool.min_residents_18_64", dt.date(2024, 3, 1)) == 20
    assert params.get("referral.expected_need_low", dt.date(2024, 3, 1)) == 250
    assert params.get("referral.expected_need_high", dt.date(2024, 3, 1)) == 300
    assert params.get("agreement.figures.turnover_pct", dt.date(2024, 3, 1)) == 13.7


def test_agreement_periods() -> None:
    adopted = fuaalborg.agreement_in_force(dt.date(2025, 12, 31))
    assert adopted.status == "adopted"
    assert (adopted.start, adopted.end) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    with pytest.warns(AssumedTermsWarning, match="assumed"):
        assumed = fuaalborg.agreement_in_force(dt.date(2026, 1, 1))
    assert assumed.assumed
    assert assumed.end == dt.date(2029, 12, 31)
    with pytest.raises(NotInForceError, match="2022-12-31"):
        fuaalborg.agreement_in_force(dt.date(2022, 12, 31))
    with pytest.raises(NotInForceError, match="no longer applies"):
        fuaalborg.agreement_in_force(dt.date(2030, 1, 1))


def test_a_newer_agreement_file_replaces_the_assumed_terms(tmp_path: Path) -> None:
    newer = write(
        tmp_path,
        "agreement-2026.toml",
        """
[agreement.period]
description = "The agreement in force"
unit = "table"

[[agreement.period.values]]
from = 2026-01-01
until = 2029-12-31
value = { title = "Fælles Udlejningsaftale 2026–2029", status = "adopted" }
reference = "Fælles Udlejningsaftale 2026–2029, afsnit 9"
""",
    )
    params = load_parameters(newer)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        agreement = fuaalborg.agreement_in_force(dt.date(2027, 6, 1), params)
    assert agreement.title == "Fælles Udlejningsaftale 2026–2029"
    # the bundled layer still answers for dates the user's file does not cover
    assert fuaalborg.agreement_in_force(dt.date(2024, 1, 1), params).status == "adopted"


def test_broken_file_reports_every_problem_with_file_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "broken.toml",
        """
[referral.share]
description = "share"
unit = "fraction"
colour = "blue"

[[referral.share.values]]
from = 2020-01-01
value = "1/4"
reference = "ABL § 59"

[[referral.share.values]]
from = 2020-06-01
until = 2019-01-01
value = "1/3"
reference = "ABL § 59"

[rent.limit]
description = "limit"
unit = "dkk_per_month"

[[rent.limit.values]]
from = "2020-13-45"
value = 3500
reference = "agreement"

[turnover.pct]
description = "turnover"
unit = "percent"

[[turnover.pct.values]]
from = 2020-01-01
value = 13.7

[overlap.count]
description = "overlapping periods"
unit = "count"

[[overlap.count.values]]
from = 2020-01-01
until = 2021-06-30
value = 1
reference = "x"

[[overlap.count.values]]
from = 2021-01-01
value = 2
reference = "x"
""",
    )
    with pytest.raises(ParameterFileError) as info:
        load_parameters(path)
    assert all(p.where.startswith(str(path)) for p in info.value.problems)
    problems = [str(p) for p in info.value.problems]
    text = str(info.value)
    assert all(str(path) in p for p in problems)
    assert any("referral.share" in p and "colour" in p for p in problems), problems
    assert any("rent.limit" in p and "2020-13-45" in p for p in problems), problems
    assert any("turnover.pct" in p and "reference" in p for p in problems), problems
    assert any("overlap.count" in p and "overlaps" in p for p in problems), problems
    assert any("referral.share" in p and "until" in p for p in problems), problems
    assert text.startswith(f"{len(problems)} problems")


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ('[a.b]\ndescription = "x"\nunit = "count"\nvalues = []\n', "no dated values"),
        (
            '[a.b]\ndescription = "x"\nunit = "litres"\n[[a.b.values]]\nfrom = 2020-01-01\n'
            'value = 1\nreference = "r"\n',
            "unknown unit",
        ),
        (
            '[a.b]\ndescription = "x"\nunit = "percent"\n[[a.b.values]]\nfrom = 2020-01-01\n'
            'value = 130\nreference = "r"\n',
            "0 to 100",
        ),
        (
            '[a.b]\ndescription = "x"\nunit = "count"\n[[a.b.values]]\nfrom = 2020-01-01\n'
            'reference = "r"\n',
            "ended = true",
        ),
        (
            '[a.b]\ndescription = "x"\nunit = "count"\n[[a.b.values]]\nfrom = 2020-01-01\n'
            'value = 1\nreference = "  "\n',
            "legal source",
        ),
        ('[a.b]\ndescription = "x"\nunit = "count"\n[[a.b.values]]\nfrom = 2020-01-01\n'
         'value = 1\nreference = "r"\n[[a.b.values]]\nfrom = 2020-01-01\nvalue = 2\n'
         'reference = "r"\n', "overlaps"),
        ("this is = not [toml", "not valid TOML"),
    ],
)
def test_each_kind_of_problem_is_named(tmp_path: Path, body: str, needle: str) -> None:
    path = write(tmp_path, "bad.toml", body)
    with pytest.raises(ParameterFileError, match=needle):
        load_parameters(path)


@pytest.mark.parametrize(("until", "overlaps"), [("2021-01-01", True), ("2020-12-31", False)])
def test_a_period_ending_the_day_before_the_next_does_not_overlap(
    tmp_path: Path, until: str, overlaps: bool
) -> None:
    path = write(
        tmp_path,
        "edge.toml",
        f"""
[edge.count]
description = "touching periods"
unit = "count"

[[edge.count.values]]
from = 2020-01-01
until = {until}
value = 1
reference = "x"

[[edge.count.values]]
from = 2021-01-01
value = 2
reference = "y"
""",
    )
    if overlaps:
        with pytest.raises(ParameterFileError, match="overlaps"):
            load_parameters(path)
    else:
        params = load_parameters(path)
        assert params.get("edge.count", dt.date(2020, 12, 31)) == 1
        assert params.get("edge.count", dt.date(2021, 1, 1)) == 2


def test_missing_meta_and_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "nometa.toml"
    path.write_text('[a.b]\ndescription = "x"\nunit = "count"\n', encoding="utf-8")
    with pytest.raises(ParameterFileError) as info:
        load_parameters(path, tmp_path / "absent.toml")
    text = str(info.value)
    assert "[meta]" in text
    assert "absent.toml: cannot be read" in text


def test_ended_rule_and_dates_outside_every_period(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ended.toml",
        """
[demo.rule]
description = "a rule that ended"
unit = "count"

[[demo.rule.values]]
from = 2020-01-01
value = 4
reference = "old law"

[[demo.rule.values]]
from = 2022-01-01
ended = true
reference = "repealed by new law"
""",
    )
    params = load_parameters(path)
    assert params.get("demo.rule", dt.date(2021, 12, 31)) == 4
    with pytest.raises(NotInForceError, match="repealed"):
        params.get("demo.rule", dt.date(2022, 1, 1))
    with pytest.raises(NotInForceError, match="no value on 2019-12-31"):
        params.get("demo.rule", dt.date(2019, 12, 31))
    with pytest.raises(KeyError, match="unknown parameter"):
        params.get("demo.other", dt.date(2021, 1, 1))


@given(
    starts=st.lists(
        st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)), min_size=1, max_size=6, unique=True
    ),
    probe=st.dates(dt.date(1999, 1, 1), dt.date(2041, 1, 1)),
)
def test_lookup_takes_the_latest_start_on_or_before_the_date(
    starts: list[dt.date], probe: dt.date
) -> None:
    values = "\n".join(
        f'[[p.x.values]]\nfrom = {start.isoformat()}\nvalue = {i}\nreference = "r{i}"\n'
        for i, start in enumerate(starts)
    )
    text = HEADER + f'[p.x]\ndescription = "x"\nunit = "count"\n\n{values}'
    from fuaalborg.parameters import ParameterSet, parse_parameter_file

    params, _meta, problems = parse_parameter_file(text, "gen.toml")
    assert problems == []
    pset = ParameterSet((params,))
    earlier = [(s, i) for i, s in enumerate(starts) if s <= probe]
    if not earlier:
        with pytest.raises(NotInForceError):
            pset.get("p.x", probe)
    else:
        assert pset.get("p.x", probe) == max(earlier)[1]


