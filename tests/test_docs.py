"""The documentation: docstrings of every public name, and the generated reference pages.

The data dictionary and the parameters page are generated at build time by the
Sphinx extension in ``docs/_ext``; its generator functions are tested here
directly, without a Sphinx build. One slower test builds a small site with the
extension's directives to check the cross-reference targets they register.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
import re
import sys
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import fuaalborg
from fuaalborg import specs
from fuaalborg.parameters import bundled_parameter_files, load_parameters
from fuaalborg.tables import Column, TableSpec

DOCS = Path(__file__).resolve().parent.parent / "docs"
sys.path.insert(0, str(DOCS / "_ext"))

import fuaalborg_docs as gen  # noqa: E402


def _public_modules() -> list[ModuleType]:
    modules = [fuaalborg]
    for info in pkgutil.walk_packages(fuaalborg.__path__, "fuaalborg."):
        if any(part.startswith("_") for part in info.name.split(".")):
            continue
        modules.append(importlib.import_module(info.name))
    return modules


PUBLIC_MODULES = _public_modules()


def _exported(module: ModuleType) -> list[tuple[str, Any]]:
    return [(name, getattr(module, name, None)) for name in getattr(module, "__all__", [])]


def _own_doc(obj: Any) -> str:
    """The object's own docstring (a class's is not inherited from its bases)."""
    doc = obj.__dict__.get("__doc__") if inspect.isclass(obj) else obj.__doc__
    return (doc or "").strip()


# --------------------------------------------------------------------------
# Docstrings


def test_public_modules_are_found() -> None:
    names = {m.__name__ for m in PUBLIC_MODULES}
    assert {"fuaalborg", "fuaalborg.parameters", "fuaalborg.tables", "fuaalborg.specs"} <= names


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_module_has_docstring(module: ModuleType) -> None:
    assert (module.__doc__ or "").strip(), f"module {module.__name__} has no docstring"


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_every_name_in_all_exists(module: ModuleType) -> None:
    missing = [name for name in getattr(module, "__all__", []) if not hasattr(module, name)]
    assert not missing, f"{module.__name__}.__all__ names missing attributes: {missing}"


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_public_classes_and_functions_have_docstrings(module: ModuleType) -> None:
    undocumented = [
        name
        for name, obj in _exported(module)
        if (inspect.isclass(obj) or inspect.isfunction(obj)) and not _own_doc(obj)
    ]
    assert not undocumented, f"{module.__name__}: no docstring on {undocumented}"


@pytest.mark.parametrize("module", PUBLIC_MODULES, ids=lambda m: m.__name__)
def test_public_methods_have_docstrings(module: ModuleType) -> None:
    undocumented = []
    for name, obj in _exported(module):
        if not inspect.isclass(obj) or obj.__module__ != module.__name__:
            continue
        for attr, value in vars(obj).items():
            if attr.startswith("_"):
                continue
            func = value.fget if isinstance(value, property) else getattr(value, "__func__", value)
            if inspect.isfunction(func) and not (func.__doc__ or "").strip():
                undocumented.append(f"{name}.{attr}")
    assert not undocumented, f"{module.__name__}: no docstring on {undocumented}"


def test_docstring_check_catches_a_missing_docstring() -> None:
    def bare() -> None:
        pass

    class Bare:
        pass

    assert not _own_doc(bare)
    assert not _own_doc(Bare)
    assert _own_doc(fuaalborg.Organisation)


# --------------------------------------------------------------------------
# API reference


def _api_modules() -> list[str]:
    text = (DOCS / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\{fuaalborg-api\}\n(.*?)```", text, re.S)
    assert blocks, "api.md has no fuaalborg-api block"
    return [
        line.strip()
        for block in blocks
        for line in block.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def test_api_reference_lists_only_existing_modules() -> None:
    for name in _api_modules():
        importlib.import_module(name)


def test_api_reference_lists_every_public_module_with_names() -> None:
    listed = set(_api_modules())
    expected = {
        m.__name__
        for m in PUBLIC_MODULES
        if m is not fuaalborg
        and not m.__name__.startswith("fuaalborg.cli")
        and gen.local_members(m.__name__)
    }
    missing = sorted(expected - listed)
    assert not missing, f"modules missing from docs/api.md: {missing}"


def test_local_members_leave_out_reexports() -> None:
    members = dict(gen.local_members("fuaalborg.model"))
    assert members["Organisation"] == "class"
    assert members["parties"] == "function"
    assert members["CVR_WEIGHTS"] == "data"
    assert "ValidationError" not in members  # imported from fuaalborg.errors
    assert dict(gen.local_members("fuaalborg.errors"))["ValidationError"] == "exception"
    top = dict(gen.local_members("fuaalborg"))
    assert "Organisation" not in top
    assert "load_parameters" not in top


def test_local_members_follow_source_order() -> None:
    names = [name for name, _kind in gen.local_members("fuaalborg.specs")]
    spec_names = ["ORGANISATIONS", "DEPARTMENTS", "DWELLINGS", "AREAS", "INDICATORS", "LISTS"]
    assert [n for n in names if n in spec_names] == spec_names


def test_module_rst_links_table_specs_to_the_data_dictionary() -> None:
    text = "\n".join(gen.module_rst("fuaalborg.specs"))
    assert text.startswith(".. automodule:: fuaalborg.specs\n   :no-members:")
    for spec in specs.TABLE_SPECS.values():
        assert f":tablespec:`{spec.name}`" in text
    assert ".. autodata:: fuaalborg.specs.DWELLING_KINDS" in text


def test_export_rows_cover_the_top_level_api() -> None:
    rows = gen.export_rows("fuaalborg")
    assert [r[0] for r in rows] == list(fuaalborg.__all__)
    for name, kind, target, summary in rows:
        obj = getattr(fuaalborg, name)
        if kind == "data":
            continue
        assert gen.resolve_object(target) is obj
        assert summary, f"{name} has no summary line"
    kinds = {r[0]: r[1] for r in rows}
    assert kinds["Organisation"] == "class"
    assert kinds["ValidationError"] == "exception"
    assert kinds["load_parameters"] == "function"


# --------------------------------------------------------------------------
# Data dictionary


@pytest.mark.parametrize("spec", list(specs.TABLE_SPECS.values()), ids=lambda s: s.name)
def test_data_dictionary_lists_every_column(spec: TableSpec) -> None:
    rows = gen.spec_rows(spec)
    assert [r[0] for r in rows] == spec.names
    for row, col in zip(rows, spec.columns, strict=True):
        assert len(row) == len(gen.SPEC_HEADER)
        assert row[1] == col.name_da
        assert row[2] == col.dtype
        assert row[7] == col.meaning
        assert row[8] == col.meaning_da
        assert row[5] == ("yes" if col.nullable else "no")
    text = gen.spec_table(spec).astext()
    for col in spec.columns:
        assert col.name in text
        assert col.name_da in text
        assert col.meaning_da in text


def test_data_dictionary_covers_every_spec() -> None:
    found = gen.table_specs(gen.resolve_object("fuaalborg.specs.TABLE_SPECS"))
    assert [s.name for s in found] == list(specs.TABLE_SPECS)


def _dictionary_specs() -> list[TableSpec]:
    text = (DOCS / "data-dictionary.md").read_text(encoding="utf-8")
    paths = re.findall(r"^```\{fuaalborg-table-specs\}\s+(\S+)", text, re.M)
    assert paths, "data-dictionary.md has no fuaalborg-table-specs directive"
    return [spec for path in paths for spec in gen.table_specs(gen.resolve_object(path))]


def test_data_dictionary_page_covers_every_exported_spec() -> None:
    documented = {id(spec) for spec in _dictionary_specs()}
    exported = {
        f"{module.__name__}.{name}"
        for module in PUBLIC_MODULES
        for name, obj in _exported(module)
        if isinstance(obj, TableSpec) and id(obj) not in documented
    }
    assert not exported, f"table specs missing from docs/data-dictionary.md: {sorted(exported)}"


def test_table_specs_accepts_one_spec_or_a_collection() -> None:
    assert gen.table_specs(specs.AREAS) == [specs.AREAS]
    assert gen.table_specs([specs.AREAS, specs.LISTS]) == [specs.AREAS, specs.LISTS]
    with pytest.raises(TypeError, match="TableSpec"):
        gen.table_specs(42)
    with pytest.raises(TypeError, match="not a TableSpec"):
        gen.table_specs([specs.AREAS, "lists"])


def test_allowed_text_and_notes() -> None:
    dwellings = specs.DWELLINGS
    assert gen.allowed_text(dwellings.column("kind")) == "family (familie), bab"
    assert gen.allowed_text(dwellings.column("rooms")) == "1 – 20 (plausible bound bounds.rooms)"
    assert gen.allowed_text(dwellings.column("dwelling_id")) == "any"
    assert gen.allowed_text(specs.DEPARTMENTS.column("organisation_cvr")).startswith("matches")
    assert gen.allowed_text(Column("x", "float", "x", "x", min=0.5)) == "≥ 0.5"
    assert gen.allowed_text(Column("x", "int", "x", "x", max=10)) == "≤ 10"
    assert gen.column_notes(dwellings, dwellings.column("dwelling_id")) == "key; unique"
    personal = Column("cpr", "string", "CPR", "CPR", personal=True, required=False)
    spec = TableSpec("p", (personal,))
    assert "personal data" in gen.column_notes(spec, personal)
    assert "optional column" in gen.column_notes(spec, personal)


_names = st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True)
_columns = st.builds(
    Column,
    name=_names,
    dtype=st.sampled_from(["string", "int", "float", "bool", "date"]),
    meaning=st.text(min_size=1, max_size=20),
    meaning_da=st.text(min_size=1, max_size=20),
    unit=st.none() | st.sampled_from(["%", "kr/month", "persons"]),
    nullable=st.booleans(),
    min=st.none() | st.integers(-5, 5).map(float),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(_columns, min_size=1, max_size=6, unique_by=lambda c: c.name))
def test_spec_rows_follow_any_spec(columns: list[Column]) -> None:
    spec = TableSpec("generated", tuple(columns), key=(columns[0].name,))
    rows = gen.spec_rows(spec)
    assert len(rows) == len(columns)
    for row, col in zip(rows, columns, strict=True):
        assert row[0] == col.name
        assert row[3] == (col.unit or "")
        assert row[8] == col.meaning_da
    assert rows[0][6].startswith("key")


# --------------------------------------------------------------------------
# Parameters page


def test_parameters_page_covers_every_bundled_file_and_parameter() -> None:
    files = gen.parameter_files()
    assert [f.name for f in files] == bundled_parameter_files()
    listed = [p.name for f in files for p in f.parameters]
    assert len(listed) == len(set(listed))
    assert sorted(listed) == load_parameters().names()
    for pfile in files:
        assert pfile.title
        assert pfile.version


def test_parameters_page_lists_every_dated_value_with_its_reference() -> None:
    params = load_parameters()
    for pfile in gen.parameter_files():
        for param in pfile.parameters:
            rows = gen.value_rows(param)
            assert len(rows) == len(params.history(param.name))
            assert [r["from"] for r in rows] == sorted(r["from"] for r in rows)
            text = gen.values_table(param).astext()
            for row, dated in zip(rows, sorted(param.values, key=lambda d: d.start), strict=True):
                assert row["reference"] == dated.reference
                assert row["reference"] in text
                assert row["url"] == (dated.url or "")
                if dated.url:
                    assert dated.url in text
                if dated.note:
                    assert dated.note in text
                assert row["status"] == gen.value_status(dated)


def test_assumed_and_ended_periods_are_marked() -> None:
    param = load_parameters().parameter("agreement.period")
    rows = {r["from"]: r for r in gen.value_rows(param)}
    assert rows["2023-01-01"]["status"] == "adopted"
    assert rows["2023-01-01"]["until"] == "2025-12-31"
    assert rows["2026-01-01"]["status"] == "assumed"
    assert rows["2030-01-01"]["status"] == "ended"
    assert rows["2030-01-01"]["value"] == "(no longer applies)"


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(1, 4), "1/4"),
        (True, "true"),
        (20, "20"),
        (13.7, "13.7"),
        ("11-01", '"11-01"'),
        (dt.date(2023, 1, 1), "2023-01-01"),
        ([3500, 5000], "[3500, 5000]"),
        ({"edges": [1, 2], "closed": "right"}, 'edges = [1, 2]; closed = "right"'),
    ],
)
def test_format_value(value: Any, shown: str) -> None:
    assert gen.format_value(value) == shown


# --------------------------------------------------------------------------
# A small build with the extension: sections and cross-reference targets.


@pytest.mark.slow
def test_directives_build_without_warnings(tmp_path: Path) -> None:
    from sphinx.cmd.build import build_main

    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(DOCS / '_ext')!r})\n"
        "extensions = ['myst_parser', 'fuaalborg_docs']\n"
        "exclude_patterns = ['_build']\n",
        encoding="utf-8",
    )
    (src / "index.md").write_text(
        "# Reference\n\n"
        "See {parameter}`referral.share`, {tablespec}`dwellings` and\n"
        "{tablecolumn}`dwellings.monthly_rent_dkk`.\n\n"
        "## Tables\n\n"
        "```{fuaalborg-table-specs} fuaalborg.specs.TABLE_SPECS\n```\n\n"
        "## Parameters\n\n"
        "```{fuaalborg-parameters}\n```\n",
        encoding="utf-8",
    )
    out = tmp_path / "html"
    status = build_main(["-W", "-n", "-q", "-b", "html", str(src), str(out)])
    assert status == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    for spec in specs.TABLE_SPECS.values():
        assert f'id="table-{spec.name}"' in html
        for col in spec.columns:
            col_id = f"column-{spec.name}-{col.name}".replace("_", "-")
            assert f'id="{col_id}"' in html
    for name in load_parameters().names():
        assert f'id="parameter-{name.replace(".", "-").replace("_", "-")}"' in html
    assert 'href="#parameter-referral-share"' in html
    assert 'href="#column-dwellings-monthly-rent-dkk"' in html
