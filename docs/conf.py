"""Sphinx configuration of the fuaalborg documentation.

Build with warnings as errors, in nitpicky mode::

    sphinx-build -W -n --keep-going -b html docs docs/_build/html
    sphinx-build -W -n --keep-going -b doctest docs docs/_build/doctest

The build needs no network: there is no intersphinx. References to third-party
and standard-library types that cannot be resolved offline are listed in
``nitpick_ignore_regex`` below, by package, so a typo in a reference to
fuaalborg's own names still fails the build.
"""

from __future__ import annotations

import doctest
import sys
import tomllib
from pathlib import Path

import fuaalborg

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "fuaalborg"
author = "fuaalborg contributors"
copyright = "fuaalborg contributors"
release = fuaalborg.__version__
version = ".".join(release.split(".")[:2])
language = "en"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.doctest",
    "matplotlib.sphinxext.plot_directive",
    "fuaalborg_docs",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "conftest.py", "fjordby"]

# -- MyST -------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "fieldlist", "attrs_inline"]
myst_heading_anchors = 3

# -- autodoc ------------------------------------------------------------------
# Modules are documented member by member by the ``fuaalborg-api`` directive
# (docs/_ext): each module's own names, never its re-exports twice.
autodoc_default_options = {
    "members": True,
    "undoc-members": True,
    "show-inheritance": True,
    "member-order": "bysource",
}
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
autodoc_class_signature = "mixed"
python_use_unqualified_type_names = True
add_module_names = False

# -- doctest ------------------------------------------------------------------
# Examples in the pages and in docstrings shown by autodoc run with the public
# names of every fuaalborg module imported, as ``pytest --doctest-modules`` runs
# them in their module's namespace.
doctest_global_setup = """
import datetime as dt
import importlib as _importlib
import pkgutil as _pkgutil
import warnings as _warnings
from datetime import date

import pandas as pd

import fuaalborg

for _info in _pkgutil.walk_packages(fuaalborg.__path__, "fuaalborg."):
    if _info.name.startswith("fuaalborg.cli"):
        continue
    _module = _importlib.import_module(_info.name)
    globals().update({_n: getattr(_module, _n) for _n in getattr(_module, "__all__", [])})
globals().update({_n: getattr(fuaalborg, _n) for _n in fuaalborg.__all__})
"""
# The guide "Your own municipality" reads the small Danish municipality shipped
# beside it, wherever the build runs from.
doctest_global_setup += f"""
from pathlib import Path as _Path
FJORDBY = _Path({str(Path(__file__).parent / "fjordby")!r})
"""
# The same option flags as ``pytest --doctest-modules`` (pyproject.toml), so an
# example passes in both or in neither.
_pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text("utf-8"))
_flag_names = _pyproject["tool"]["pytest"]["ini_options"].get("doctest_optionflags", "")
doctest_default_flags = doctest.DONT_ACCEPT_TRUE_FOR_1
for _flag in _flag_names.split():
    doctest_default_flags |= doctest.OPTIONFLAGS_BY_NAME[_flag]

# -- figures (matplotlib's plot directive) -------------------------------------
plot_formats = [("png", 100)]
plot_html_show_formats = False
plot_html_show_source_link = False
plot_include_source = False

# -- nitpicky -----------------------------------------------------------------
# Third-party and standard-library types appear in signatures; without
# intersphinx they cannot be linked. Ignore them by package, never fuaalborg's.
_EXTERNAL = (
    r"(pd|pandas|np|numpy|dt|datetime|pathlib|os|io|fractions|typing|typing_extensions"
    r"|collections|collections\.abc|abc|enum|attr|attrs|cattrs|click|pluggy|openpyxl"
    r"|matplotlib|tqdm|hypothesis|tomllib|importlib|contextlib|warnings|types|re|decimal)"
)
nitpick_ignore_regex = [
    # private names (a leading underscore) are not documented by design
    (r"py:.*", r"fuaalborg(\.\w+)*\._\w+(\.\w+)*"),
    (r"py:.*", _EXTERNAL + r"\..*"),
    # bare names of standard types as they appear in evaluated annotations
    (
        r"py:.*",
        r"(Any|Path|PathLike|Fraction|Mapping|Sequence|Iterable|Iterator|Callable|Hashable"
        r"|Literal|Self|TypeAlias|DataFrame|Series|Index|Timestamp|NDArray|ndarray"
        r"|Attribute|Context|Group|Command|Decimal|date|datetime|timedelta"
        r"|ExceptionGroup|BaseExceptionGroup|Axes|Figure|SearchStrategy|DrawFn)",
    ),
    # type aliases that exist only for the type checker
    (r"py:class", r"(Dtype|Disclosure)"),
    # methods of built-in exception groups
    (r"py:meth", r"(subgroup|split|derive|add_note|with_traceback)"),
]
nitpick_ignore: list[tuple[str, str]] = []

# -- HTML -----------------------------------------------------------------------
html_theme = "furo"
html_title = f"fuaalborg {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
