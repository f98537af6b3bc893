"""One shape for "every problem at once": ProblemsError, Problem and format_problems."""

from __future__ import annotations

import pickle
import warnings
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuaalborg
from fuaalborg.criteria.errors import DiscriminatoryCriterionError, PluginLoadError
from fuaalborg.errors import (
    MAX_PROBLEM_LINES,
    InputError,
    ParameterFileError,
    Problem,
    ProblemsError,
    Remedy,
    ValidationError,
    Wording,
    format_problems,
    unknown_keys,
)
from fuaalborg.letting.errors import GIVE_COLOUR, LedgerInputError
from fuaalborg.tables import TableProblem, TableValidationError

_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20)


@given(st.lists(st.builds(Problem, _text, _text), min_size=1, max_size=60))
def test_the_message_counts_every_problem_and_lists_them_up_to_the_limit(
    problems: list[Problem],
) -> None:
    text = format_problems(problems, head="x: {count}")
    lines = text.splitlines()
    n = len(problems)
    assert lines[0] == f"x: {n} problem{'' if n == 1 else 's'}"
    shown = min(n, MAX_PROBLEM_LINES)
    assert lines[1:1 + shown] == [f"  - {' '.join(str(p).splitlines())}"
                                  for p in problems[:shown]]
    assert len(lines) == 1 + shown + (n > shown)


def test_the_errors_of_lists_of_problems_share_one_shape() -> None:
    for cls in (ParameterFileError, LedgerInputError, TableValidationError, PluginLoadError):
        assert issubclass(cls, ProblemsError)
        assert issubclass(cls, ValidationError) or cls is PluginLoadError
    with pytest.raises(ValueError, match="at least one problem"):
        InputError([])


def test_an_error_crosses_a_process_boundary_with_its_problems() -> None:
    errors: list[ProblemsError[Any]] = [
        LedgerInputError("vacancy 'V1'", [Problem("colour", "required", remedy=GIVE_COLOUR)]),
        TableValidationError("t", [TableProblem("t", "rooms", 2, "0", "a whole number >= 1")]),
        ParameterFileError([Problem("a.toml: x", "unknown key")]),
        PluginLoadError([DiscriminatoryCriterionError("reads religion", plugin="p")]),
    ]
    for err in errors:
        back = pickle.loads(pickle.dumps(err))
        assert type(back) is type(err)
        assert str(back) == str(err)
        assert [(p.where, p.what) for p in back.problems] == [
            (p.where, p.what) for p in err.problems
        ]


def test_a_table_problem_is_a_problem_with_a_place_and_columns() -> None:
    p = TableProblem("departments", "residents", 3, "-1", "a whole number >= 0")
    assert (p.where, p.what) == (
        "table 'departments', column 'residents', row 3", "expected a whole number >= 0; found -1"
    )
    err = TableValidationError("departments", [p])
    assert list(err.to_frame().columns) == ["table", "column", "row", "value", "expected"]
    assert str(err).splitlines()[1].split() == ["column", "row", "value", "expected"]
    assert list(ParameterFileError([Problem("a", "b")]).to_frame().columns) == ["where", "what"]


def test_a_front_end_words_places_and_remedies_without_rewriting_text() -> None:
    err = LedgerInputError("vacancy 'V1'", [
        Problem("colour", "required: no step-model placement", remedy=GIVE_COLOUR),
        Problem("rooms", "0 is not a whole number >= 1"),
    ])
    words = Wording(names={"colour": "--colour", "rooms": "ROOMS"},
                    remedies=lambda r: "give --colour" if r.key == "give_colour" else None)
    assert err.worded(words).splitlines()[1:] == [
        "  - --colour: required: no step-model placement; give --colour",
        "  - ROOMS: 0 is not a whole number >= 1",
    ]
    assert "pass colour=" in str(err)
    # a remedy the front end does not word keeps the library's text
    other = fuaalborg.FuaalborgError("x", remedy=Remedy("other", "do y"))
    assert other.worded(words) == "x; do y"


def test_the_former_name_of_a_table_problem_still_works_and_warns() -> None:
    with pytest.warns(DeprecationWarning, match="TableProblem"):
        assert fuaalborg.Problem is TableProblem
    with pytest.warns(DeprecationWarning, match="TableProblem"):
        from fuaalborg.tables import Problem as Old
    assert Old is TableProblem
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fuaalborg.TableProblem is TableProblem


_KEY = st.text(alphabet="abcdefghij_", min_size=1, max_size=8)


@given(st.lists(_KEY, max_size=8), st.sets(_KEY, min_size=1, max_size=6))
def test_unknown_keys_names_each_key_that_is_not_known_once_at_its_own_place(
    given_keys: list[str], known: set[str]
) -> None:
    problems = unknown_keys(given_keys, known, "table")
    assert [p.where for p in problems] == [f"table.{k}" for k in sorted(set(given_keys) - known)]
    for problem in problems:
        assert problem.what.startswith("unknown key; ")
        assert problem.what.endswith("expected " + ", ".join(sorted(known)))
        assert "\n" not in str(problem)


def test_unknown_keys_suggests_the_near_miss_and_keeps_an_order_when_asked() -> None:
    (typo,) = unknown_keys(["treshold"], ("operator", "threshold"), "tests.a")
    assert typo.what == "unknown key; did you mean 'threshold'? expected operator, threshold"
    (bound,) = unknown_keys(["size"], ("rooms", "area_m2"), "bounds", what="bound",
                            in_order=True)
    assert str(bound) == "bounds.size: unknown bound; expected rooms, area_m2"


def test_settings_and_rule_files_name_a_mistyped_key_and_what_was_meant() -> None:
    from fuaalborg.colours import mandatory_value
    from fuaalborg.municipality import MunicipalitySettings

    text = 'name = "X"\nnmae = "Y"\n[referral_need]\nlow = 1\nhigh = 2\nrefrence = "r"\n'
    with pytest.raises(ProblemsError) as caught:
        MunicipalitySettings.from_text(text, "municipality.toml")
    lines = str(caught.value)
    assert "nmae: unknown key; did you mean 'name'?" in lines
    assert "referral_need.refrence: unknown key; did you mean 'reference'?" in lines
    with pytest.raises(ParameterFileError) as caught:
        mandatory_value({"colours": ["red"], "share": "1", "designations": [], "colour": 1})
    assert ("colour_rules.mandatory_flexible.colour: unknown key; did you mean 'colours'? "
            "expected colours, share, designations") in str(caught.value)
