"""Packages whose names load on first use (PEP 562), as ``fuaalborg`` and ``fuaalborg.reports``.

A package lists the names it re-exports (each with the module that defines it and
its name there) and its submodules, and either defines ``__getattr__`` and
``__dir__`` in one line each with :func:`load` and :func:`names`, or has
:func:`attach` define them. Importing the package then imports none of them;
the first use of a name imports its module and keeps the value in the package's
namespace.

A module whose public name was renamed keeps the old name for one release with
:func:`deprecated`: its ``__getattr__`` hands the old name on to it, which warns
and returns the new name's value.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Mapping, MutableMapping, Sequence, Set
from typing import Any

__all__ = ["attach", "deprecated", "load", "names"]


def load(
    namespace: MutableMapping[str, Any],
    name: str,
    exports: Mapping[str, tuple[str, str]],
    submodules: Set[str],
) -> Any:
    """The value of ``name`` in the package whose globals are ``namespace``: a re-exported
    name (``exports[name]`` is its module and its name there) or a submodule."""
    package = namespace["__name__"]
    if name in exports:
        module, attribute = exports[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in submodules:
        value = importlib.import_module(f"{package}.{name}")
    else:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    namespace[name] = value
    return value


def names(
    namespace: Mapping[str, Any], exports: Mapping[str, tuple[str, str]], submodules: Set[str]
) -> list[str]:
    """Every name of the package, loaded or not (for :func:`dir`)."""
    return sorted({*namespace, *exports, *submodules})


def attach(
    namespace: MutableMapping[str, Any],
    exports: Mapping[str, Sequence[str]],
    submodules: Set[str],
) -> None:
    """Give the package whose globals are ``namespace`` a ``__getattr__`` and a ``__dir__``
    that load ``exports`` (module → the names it defines) and ``submodules`` on first use."""
    by_name = {name: (module, name) for module, listed in exports.items() for name in listed}

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        return load(namespace, name, by_name, submodules)

    def __dir__() -> list[str]:  # noqa: N807
        return names(namespace, by_name, submodules)

    namespace["__getattr__"] = __getattr__
    namespace["__dir__"] = __dir__


def deprecated(module: str, name: str, renamed: Mapping[str, tuple[str, str]]) -> Any:
    """The value of the deprecated name ``name`` of ``module``, with a :class:`DeprecationWarning`.

    ``renamed`` maps each old name of ``module`` to the module and name that now hold
    its value. Called from the module's ``__getattr__``, so a name that is neither
    defined nor renamed raises :class:`AttributeError` as usual.
    """
    if name not in renamed:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    target_module, target = renamed[name]
    warnings.warn(
        f"{module}.{name} is deprecated: use {target_module}.{target}",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(importlib.import_module(target_module), target)
