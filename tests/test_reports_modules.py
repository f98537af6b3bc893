"""The shape of ``fuaalborg.reports``: one concern a module, no import cycle, every word in
the labels, one plotting set-up shared with the simulation, and the public names where
users import them."""

from __future__ import annotations

import ast
import importlib
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fuaalborg.reports
from fuaalborg.reports.lettings import _same

PACKAGE = "fuaalborg.reports"
FOLDER = Path(fuaalborg.reports.__path__[0])
MODULES = sorted(f"{PACKAGE}.{m.name}" for m in pkgutil.iter_modules([str(FOLDER)]))
#: The modules the reports share with the rest of the package.
SHARED = ("fuaalborg.formatting", "fuaalborg._plotting", "fuaalborg.simulation.figures")


def _path(module: str) -> Path:
    if module == PACKAGE:
        return FOLDER / "__init__.py"
    return FOLDER / f"{module.rsplit('.', 1)[1]}.py"


def _imported(module: str) -> set[str]:
    """The report modules ``module`` imports anywhere in its source: at the top, inside a
    function, or for the type checker only."""
    known = {PACKAGE, *MODULES}
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    package = module if module == PACKAGE else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name in known and name != module}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """A cycle of ``graph`` as the path that closes it, or ``[]``."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        state[node] = 2
        path.pop()
        return []

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_the_reports_import_each_other_without_a_cycle() -> None:
    graph = {module: _imported(module) for module in [PACKAGE, *MODULES]}
    # the split is there: data, reading the ledger, the sections and the entry point
    assert {f"{PACKAGE}.{name}" for name in ("model", "lettings", "sections", "report")} <= set(
        MODULES)
    assert f"{PACKAGE}.sections" in graph[f"{PACKAGE}.report"]
    cycle = _cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)
    # the data stands below everything that reads the ledger, builds, draws or writes a
    # report but the workbook it writes itself to
    assert graph[f"{PACKAGE}.model"] <= {f"{PACKAGE}.{name}"
                                         for name in ("labels", "disclosure", "workbook")}
    assert graph[f"{PACKAGE}.labels"] == set()


_FIRST_IMPORT = textwrap.dedent(
    """
    import importlib, os, sys
    import attrs, numpy, pandas  # third-party only: no fuaalborg module is loaded yet
    assert not [m for m in sys.modules if m.split(".")[0] == "fuaalborg"]
    failed = []
    for name in sys.argv[1:]:
        if hasattr(os, "fork"):
            pid = os.fork()
            if pid == 0:
                try:
                    importlib.import_module(name)
                except BaseException as exc:
                    print(f"{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                    os._exit(1)
                os._exit(0)
            failed += [name] if os.waitpid(pid, 0)[1] else []
        else:
            done = __import__("subprocess").run([sys.executable, "-c", f"import {name}"])
            failed += [name] if done.returncode else []
    print(" ".join(failed))
    """
)


def test_every_report_module_imports_first_in_a_fresh_interpreter() -> None:
    """Each module is imported first in a process that has loaded no fuaalborg module (a
    fork of one interpreter that loaded only numpy, pandas and attrs)."""
    modules = [PACKAGE, *MODULES, *SHARED]
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "MPLBACKEND": ""}
    done = subprocess.run([sys.executable, "-c", _FIRST_IMPORT, *modules], capture_output=True,
                          text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [], done.stderr


def test_the_package_imports_none_of_its_modules_until_a_name_is_used() -> None:
    code = ("import sys, fuaalborg.reports as r; "
            "print(sorted(m for m in sys.modules if m.startswith('fuaalborg.reports.'))); "
            "r.build_report; print('fuaalborg.reports.report' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.split("\n")[:2] == ["[]", "True"]


@pytest.mark.parametrize("module", [m for m in MODULES if not m.endswith(".labels")])
def test_no_report_module_but_the_labels_chooses_words_by_language(module: str) -> None:
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    choices = [
        node.lineno for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(isinstance(part, ast.Constant) and part.value in ("da", "en")
                for part in [node.left, *node.comparators])
    ]
    assert not choices, f"{module} compares with a language on lines {choices}: use labels"


def test_a_section_is_headed_by_its_key_and_a_closed_set_word_is_itself_in_english() -> None:
    from fuaalborg.reports.labels import label

    for key, da, en in (("R1", "Udlejninger efter udlejningsvej", "Lettings by route"),
                        ("R7", "Bilag: kriterieaudit og regler",
                         "Annex: criteria audit and rules")):
        assert (label(key, "da"), label(key, "en")) == (f"{key} {da}", f"{key} {en}")
    for value, danish in (("green", "grøn"), ("twin tool", "tvillingeværktøj"),
                          ("udsat", "udsat"), ("none", "ingen")):
        assert (label(f"word.{value}", "da"), label(f"word.{value}", "en")) == (danish, value)
    from fuaalborg.model import COLOURS
    from fuaalborg.monitoring.steps import BASES

    # every colour and basis has its own Danish word: none is left in English
    assert all(label(f"word.{value}", "da") != value for value in (*COLOURS, *BASES))
    assert label("word.purple", "en") == "word.purple"  # not a word of a closed set
    assert label("audit_note", "da") != label("audit_note", "en")


def test_the_audit_note_counts_in_the_right_number_in_either_language() -> None:
    from fuaalborg.formatting import Count
    from fuaalborg.reports.labels import Language, label

    def note(n: int, lang: Language) -> str:
        return label("audit_note", lang).format(ok="x", violations=Count(n), unchecked=Count(n),
                                                warnings=Count(n))

    assert note(1, "en") == ("ok = x; 1 violation; 1 unchecked; 1 four-fifths warning for human "
                             "review")
    assert note(2, "en") == ("ok = x; 2 violations; 2 unchecked; 2 four-fifths warnings for human "
                             "review")
    # Danish puts each count after its label, where one word serves every number
    assert note(1, "da") == ("Auditten bestået: x; overtrædelser: 1; ikke kontrolleret: 1; "
                             "advarsler efter firefemtedelsreglen til menneskelig vurdering: 1")


@pytest.mark.parametrize("module", [*MODULES, "fuaalborg.simulation.figures"])
def test_only_the_plotting_module_sets_matplotlib_up(module: str) -> None:
    source = (Path(importlib.import_module(module).__file__ or "")).read_text(encoding="utf-8")
    tree = ast.parse(source)
    direct = [
        node.lineno for node in ast.walk(tree)
        if (isinstance(node, ast.Import) and any(a.name.startswith("matplotlib")
                                                 for a in node.names))
        or (isinstance(node, ast.ImportFrom) and (node.module or "").startswith("matplotlib"))
    ]
    assert not direct, f"{module} imports matplotlib itself (lines {direct}): use _plotting"


def test_the_public_names_stay_where_users_import_them() -> None:
    import fuaalborg
    from fuaalborg.reports import lettings, model, report, workbook

    assert fuaalborg.Report is model.Report is report.Report
    assert fuaalborg.build_report is report.build_report
    for name in ("ReportInputError", "ReportTable", "DISCLOSURE_LEVELS", "ROUTE_CATEGORIES",
                 "REFERRAL_OUTCOMES"):
        assert getattr(report, name) is getattr(model, name)
    assert report.letting_frame is lettings.letting_frame
    for name in fuaalborg.reports.__all__:
        value = getattr(fuaalborg.reports, name)
        assert value is getattr(importlib.import_module(_defining(value, name)), name)
    assert fuaalborg.reports.write_workbook is workbook.write_workbook
    assert set(fuaalborg.reports.__all__) <= set(dir(fuaalborg.reports))


def _defining(value: object, name: str) -> str:
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and module.startswith(PACKAGE) and hasattr(
            importlib.import_module(module), name):
        return module
    return next(m for m in MODULES if name in vars(importlib.import_module(m)))


def test_a_report_figure_leaves_pyplot_and_the_backend_alone() -> None:
    """A report's figures are drawn without pyplot: no window, no backend chosen for the
    user, nothing left open; a figure for the user (the simulation's) is pyplot's."""
    code = textwrap.dedent(
        """
        import sys, datetime as dt
        import pandas as pd
        import matplotlib
        from fuaalborg.reports.figures import report_figures
        from fuaalborg.reports.model import Report, ReportTable
        r1 = pd.DataFrame({"Organisation": ["A", "B", "Total"], "Referral": [3, "..", 9],
                           "Flexible": [1, 2, 3], "Total": [4, 8, 12]})
        report = Report("X", dt.date(2024, 1, 1), dt.date(2024, 12, 31), "public", "en", "",
                        (), pd.DataFrame(), (ReportTable("R1_org", "R1", "R1", r1),))
        png = report_figures(report)["R1"]
        assert png.startswith(b"\\x89PNG"), png[:8]
        assert "matplotlib.pyplot" not in sys.modules
        from fuaalborg import _plotting
        fig = _plotting.figure((3, 2), pyplot=True)
        import matplotlib.pyplot as plt
        print(matplotlib.get_backend(), plt.get_fignums())
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.lower().split() == ["agg", "[1]"]


def test_a_backend_chosen_before_is_kept() -> None:
    code = textwrap.dedent(
        """
        import matplotlib
        matplotlib.use("svg")
        import matplotlib.pyplot as plt
        from fuaalborg import _plotting
        fig = _plotting.figure((3, 2), pyplot=True)
        print(matplotlib.get_backend(), plt.get_fignums())
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["svg", "[1]"]


_LEAF = st.one_of(st.integers(-5, 5), st.sampled_from(["1/4", "1", "red", "0.25"]))
_VALUE = st.recursive(
    _LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.sampled_from("abcd"), inner, max_size=4)),
    max_leaves=8,
)


def _reordered(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reordered(value[k]) for k in sorted(value, reverse=True)}
    if isinstance(value, list):
        return [_reordered(v) for v in value]
    return value


@given(_VALUE)
def test_a_recorded_rule_is_the_same_value_whatever_order_its_table_keys_come_back_in(
    value: Any,
) -> None:
    assert _same(value, _reordered(value))
    assert _same({"colours": ["red"], "share": "1", "designations": []},
                 {"designations": [], "colours": ["red"], "share": "1"})
    assert _same(0.25, "1/4")
    assert not _same({"colours": ["red"]}, {"colours": ["red", "yellow"]})
    assert not _same({"a": 1}, {"a": 1, "b": 1})
