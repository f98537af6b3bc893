"""One name, one meaning: a public constant is defined in one module; renamed ones warn."""

from __future__ import annotations

import ast
import importlib
import warnings
from collections import defaultdict
from pathlib import Path

import pytest

import fuaalborg

PACKAGE = Path(fuaalborg.__file__).parent

# Each command module lists its own click commands as ``COMMANDS``: one meaning, a value
# per module (as ``__all__``).
PER_MODULE = {"COMMANDS"}


def _constants() -> dict[str, list[str]]:
    """Public UPPER_CASE names bound at module level to a value of their own, by module."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign):
                targets, value = node.targets, node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                targets, value = [node.target], node.value
            else:
                continue
            if isinstance(value, ast.Name | ast.Attribute):
                continue  # another name for a value defined elsewhere
            for target in targets:
                if (isinstance(target, ast.Name) and target.id.isupper()
                        and not target.id.startswith("_")):
                    found[target.id].append(module)
    return found


def test_every_public_constant_is_defined_in_one_module() -> None:
    twice = {name: modules for name, modules in _constants().items()
             if len(modules) > 1 and name not in PER_MODULE}
    assert not twice, f"define each of these once and import it elsewhere: {twice}"


def test_the_vocabularies_of_routes_subroutes_and_turns() -> None:
    from fuaalborg import model
    from fuaalborg.criteria import vocabulary
    from fuaalborg.letting import _waiting_list, ranking, routing

    assert model.ROUTES == ("referral", "waiting_list")
    assert model.SUBROUTES == ("flexible", "ordinary")
    assert model.TURNS == ("internal", "external")
    assert routing.ROUTES is model.ROUTES
    assert routing.SUBROUTES is model.SUBROUTES
    assert routing.TURNS is ranking.TURNS is _waiting_list.TURNS is model.TURNS
    listed = next(f for f in vocabulary.APPLICANT_FIELDS if f.name == "list")
    assert tuple(listed.allowed or ()) == model.TURNS


@pytest.mark.parametrize(
    ("module", "old", "new_module", "new"),
    [
        ("fuaalborg.letting.ranking", "ROUTES", "fuaalborg.model", "SUBROUTES"),
        ("fuaalborg.letting.ranking", "REASONS", "fuaalborg.letting.ranking",
         "INELIGIBILITY_REASONS"),
        ("fuaalborg.letting.routing", "REASONS", "fuaalborg.letting.routing", "ROUTING_REASONS"),
        ("fuaalborg.criteria.vocabulary", "LISTS", "fuaalborg.model", "TURNS"),
        ("fuaalborg.letting.store.sql", "SCHEMA", "fuaalborg.letting.store.sql",
         "SCHEMA_STATEMENTS"),
        ("fuaalborg.cli", "COMMANDS", "fuaalborg.cli", "COMMAND_MODULES"),
    ],
)
def test_a_renamed_name_still_works_for_a_release_and_warns(
    module: str, old: str, new_module: str, new: str
) -> None:
    value = getattr(importlib.import_module(new_module), new)
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated: use "
                      rf"{new_module}\.{new}"):
        assert getattr(importlib.import_module(module), old) is value
    with pytest.warns(DeprecationWarning, match=rf"{module}\.{old} is deprecated"):
        exec(f"from {module} import {old}", {})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(AttributeError, match="no_such_name"):
            importlib.import_module(module).no_such_name  # noqa: B018 - the lookup is the test
