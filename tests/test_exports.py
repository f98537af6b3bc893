"""The top-level package's re-exports: one list for the lazy loader, the type checker and ``*``.

The names are declared three times because each reader needs its own form: the
lazy loader's table (``_EXPORTS``), the imports a type checker reads (under
``TYPE_CHECKING``) and ``__all__``. These tests hold the three to one meaning.
"""

from __future__ import annotations

import ast
import importlib
import inspect

import fuaalborg


def _type_checking_imports() -> dict[str, tuple[str, str]]:
    """The names imported under ``if TYPE_CHECKING:``: each with its module and name there."""
    tree = ast.parse(inspect.getsource(fuaalborg))
    found: dict[str, tuple[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                assert statement.module
                for alias in statement.names:
                    found[alias.asname or alias.name] = (statement.module, alias.name)
    return found


def test_the_lazy_table_the_type_checker_and_all_name_the_same_objects() -> None:
    exports = fuaalborg._EXPORTS
    assert _type_checking_imports() == exports
    assert sorted(fuaalborg.__all__) == sorted([*exports, "__version__"])
    for name, (module, there) in exports.items():
        assert getattr(fuaalborg, name) is getattr(importlib.import_module(module), there)

