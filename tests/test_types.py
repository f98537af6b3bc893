"""The typed seams: Literal vocabularies and one ``lang: Language = "da"`` everywhere."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any, get_args

import pytest

import fuaalborg
from fuaalborg import _types, model
from fuaalborg.letting import ranking, routing


def _public_callables() -> Iterator[tuple[str, Any]]:
    """Every public function and method of the package, by qualified name."""
    for info in pkgutil.walk_packages(fuaalborg.__path__, "fuaalborg."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # documented where it is defined
            if inspect.isfunction(obj):
                yield f"{info.name}.{name}", obj
            elif inspect.isclass(obj):
                for attr, member in vars(obj).items():
                    if inspect.isfunction(member) and not attr.startswith("_"):
                        yield f"{info.name}.{name}.{attr}", member


def test_every_output_language_is_lang_language_defaulting_to_danish() -> None:
    found = []
    for qualname, fn in _public_callables():
        params = inspect.signature(fn).parameters
        lang = params.get("lang")
        if lang is not None:
            found.append(qualname)
            assert "Language" in str(lang.annotation), qualname
            assert lang.default in ("da", None, inspect.Parameter.empty), qualname
    assert len(found) >= 8  # the explanations, describe/reasons, tables, the report


def test_the_vocabularies_are_read_from_their_aliases() -> None:
    assert _types.ROUTES == get_args(_types.Route) == routing.ROUTES == model.ROUTES
    assert _types.SUBROUTES == get_args(_types.Subroute) == ranking.SUBROUTES
    assert _types.TURNS == get_args(_types.Turn) == routing.TURNS == ranking.TURNS
    assert _types.LANGUAGES == ("da", "en")
    assert _types.COLOURS == ("green", "yellow", "red")


def test_one_of_narrows_or_names_what_was_wrong() -> None:
    assert _types.one_of("external", _types.TURNS, "turn") == "external"
    with pytest.raises(ValueError, match="turn: 'sideways' is not one of internal, external"):
        _types.one_of("sideways", _types.TURNS, "turn")


def test_the_criteria_registry_and_ranking_meet_their_protocols() -> None:
    from fuaalborg.criteria import load
    from fuaalborg.examples import load as example

    registry: _types.CriteriaRegistry = load()
    assert registry.criteria
    municipality = example()
    vacancy = fuaalborg.Vacancy(municipality.departments["department_id"].iloc[0], rooms=2,
                                monthly_rent_dkk=5000.0, vacant_on="2024-06-01")
    ranked: _types.RankingLike = fuaalborg.rank(
        municipality.applicants, vacancy, route="ordinary", turn="external", registry=registry
    )
    assert (ranked.route, ranked.turn) == ("ordinary", "external")
    assert {"rank", "applicant_id", "list"} <= set(ranked.frame.columns)
