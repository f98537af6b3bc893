"""Sphinx extension that generates fuaalborg's reference pages from the code itself.

Directives (usable from MyST Markdown as ```` ```{name} ```` fences):

``fuaalborg-table-specs``
    Argument: the dotted path of a :class:`fuaalborg.tables.TableSpec`, or of a
    mapping or sequence of them (``fuaalborg.specs.TABLE_SPECS``). Renders one
    section per table with a row per column: name, type, unit, allowed values or
    range, whether missing values are allowed, notes, and the meaning in English
    and Danish. Each table and column becomes a cross-reference target
    (``{tablespec}`departments``` and ``{tablecolumn}`departments.area_id```).

``fuaalborg-parameters``
    Renders every bundled parameter file (one section per file, one subsection per
    parameter) with every dated value: period, value, reference, URL, note and
    status (adopted, assumed, ended). A new file in ``fuaalborg/parameters/``
    appears without any edit here. Each parameter becomes a target for the
    ``{parameter}`referral.share``` role.

``fuaalborg-parameter-units``
    The table of units a parameter may declare (``fuaalborg.parameters.UNITS``).

``fuaalborg-preset-inputs``
    For each bundled step-model preset, per criterion and condition: the step, the
    indicator column (with its Danish header), the source rows it is read from,
    the test and its label (``StepModel.inputs``).

``fuaalborg-danish``
    The Danish glossary (``fuaalborg.danish``): every column name with its Danish
    header, and every closed-set value with its Danish word.

``fuaalborg-exports``
    Argument: a module name. A table of the names in the module's ``__all__``,
    each linked to the place it is documented, with the first line of its
    docstring.

``fuaalborg-applicant-fields``
    Argument: ``readable``, ``protected``, ``statutory`` or ``concepts``. The
    applicant fields of :mod:`fuaalborg.criteria.vocabulary` a criterion may
    read (with who reads them), the protected fields, the statutory-only fields,
    or the protected concepts and proxies with the words that name them — the
    plug-in authors' field reference.

``fuaalborg-api``
    Content: one module name per line. Renders one section per module with the
    module documented by autodoc. Adding a module to the API reference is adding
    one line.

The extension also resolves references to re-exported names (for example
``fuaalborg.load_parameters``) to the module that defines them
(``fuaalborg.parameters.load_parameters``).

The row generators (:func:`spec_rows`, :func:`parameter_files`,
:func:`value_rows`) are plain functions so the tests can check them without a
Sphinx build.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util.docutils import SphinxDirective

# --------------------------------------------------------------------------
# Generators: plain data, independent of Sphinx.

#: Header of the data-dictionary table of one spec.
SPEC_HEADER = (
    "Column",
    "Dansk kolonnenavn",
    "Type",
    "Unit",
    "Allowed values / range",
    "Missing allowed",
    "Notes",
    "Meaning (English)",
    "Betydning (dansk)",
)

#: Header of the plug-in authors' field reference.
FIELD_HEADER = ("Field", "Type", "Unit", "Allowed values / range", "Read by", "Meaning (English)",
                "Betydning (dansk)")
#: Header of the table of protected concepts and proxies.
CONCEPT_HEADER = ("Concept", "Begreb", "Kind", "Words and stems refused", "Legal basis")

#: Header of the table of one parameter's dated values.
VALUE_HEADER = ("From", "Until", "Value", "Reference", "Note", "Status")


def resolve_object(path: str) -> Any:
    """Import ``path`` (``package.module.ATTRIBUTE`` or a module name) and return it."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(f"cannot import {path!r}")


def table_specs(obj: Any) -> list[Any]:
    """The table specs in ``obj``: one spec, a mapping of specs or a sequence of specs."""
    from fuaalborg.tables import TableSpec

    if isinstance(obj, TableSpec):
        return [obj]
    if isinstance(obj, Mapping):
        items: Iterable[Any] = obj.values()
    elif isinstance(obj, Sequence) and not isinstance(obj, str):
        items = obj
    else:
        raise TypeError(f"expected a TableSpec or a collection of them, got {type(obj).__name__}")
    specs = list(items)
    bad = [type(s).__name__ for s in specs if not isinstance(s, TableSpec)]
    if bad:
        raise TypeError(f"not a TableSpec: {', '.join(bad)}")
    return specs


def _number(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,}"


def allowed_text(column: Any) -> str:
    """The allowed values (with their Danish forms), range or pattern of a column, in words.

    A sanity bound (a ``bounds.*`` parameter) is shown with its value in force today.
    """
    if column.allowed is not None:
        return ", ".join(
            en if da == en else f"{en} ({da})"
            for en, da in zip(column.allowed, column.allowed_da, strict=True)
        )
    lo, hi = column.plausible_range()
    if lo is not None and hi is not None:
        text = f"{_number(lo)} – {_number(hi)}"
    elif lo is not None:
        text = f"≥ {_number(lo)}"
    elif hi is not None:
        text = f"≤ {_number(hi)}"
    else:
        text = ""
    if column.pattern is not None:
        text = f"matches {column.pattern}" + (f"; {text}" if text else "")
    bounds = [b for b in (column.lower_bound, column.bound) if b is not None]
    if bounds:
        text += f" (plausible {'bounds' if len(bounds) > 1 else 'bound'} {', '.join(bounds)})"
    return text or "any"


def column_notes(spec: Any, column: Any) -> str:
    """Key, uniqueness, personal data and optionality of a column, in words."""
    notes = []
    if column.name in spec.key:
        notes.append("key")
    if column.unique:
        notes.append("unique")
    if column.personal:
        notes.append("personal data (never shown in errors)")
    if not column.required:
        notes.append("optional column")
    return "; ".join(notes)


def spec_rows(spec: Any) -> list[tuple[str, ...]]:
    """One row per declared column of ``spec``, in the order of :data:`SPEC_HEADER`."""
    return [
        (
            col.name,
            col.name_da,
            col.dtype,
            col.unit or "",
            allowed_text(col),
            "yes" if col.nullable else "no",
            column_notes(spec, col),
            col.meaning,
            col.meaning_da,
        )
        for col in spec.columns
    ]


#: Header of the table of a preset's inputs.
PRESET_HEADER = ("Step", "Kind", "Column", "Dansk kolonnenavn", "Source rows", "Test", "Label")


def preset_rows(preset: str, on: dt.date | None = None) -> list[tuple[str, ...]]:
    """One row per criterion and condition of ``preset`` in force on ``on`` (default: today)."""
    from fuaalborg import danish
    from fuaalborg.monitoring.steps import StepModel

    inputs = StepModel.load(preset).inputs(on or dt.date.today())
    return [
        (
            str(row.step),
            str(row.kind),
            str(row.column),
            danish.header(str(row.column)),
            f"{row.source} ({danish.value(str(row.source))})",
            f"{row.column} {row.operator} {float(row.threshold):g}",
            str(row.label),
        )
        for row in inputs.itertuples(index=False)
    ]


def glossary_rows() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The glossary's (column, Danish header) and (value, Danish value) pairs, sorted."""
    from fuaalborg import danish

    return sorted(danish.HEADERS.items()), sorted(danish.VALUES.items())


def applicant_field_rows(kind: str) -> list[tuple[str, ...]]:
    """One row per applicant field of ``kind`` (readable, protected, statutory), as FIELD_HEADER."""
    from fuaalborg.criteria.vocabulary import APPLICANT_FIELDS, IDENTIFYING_FIELDS, STATUTORY_FIELDS

    if kind == "statutory":
        fields = list(STATUTORY_FIELDS)
    elif kind == "protected":
        fields = [f for f in APPLICANT_FIELDS if f.protected]
    elif kind == "readable":
        fields = [f for f in APPLICANT_FIELDS if not f.protected and not f.statutory]
    else:
        raise ValueError(f"unknown kind of applicant field {kind!r}")
    rows = []
    for f in fields:
        if f.protected:
            reader = "never readable"
        elif f.statutory:
            reader = "the statutory referral check only"
        elif f.name in IDENTIFYING_FIELDS:
            reader = "the ranking (identifies the applicant; no criterion)"
        elif f.wish:
            reader = "the ranking (a wish); criteria may read it"
        else:
            reader = "criteria" + (" and the ranking" if f.required else "")
        rows.append(
            (f.name, f.dtype, f.unit or "", allowed_text(f), reader, f.meaning, f.meaning_da)
        )
    return rows


def concept_rows() -> list[tuple[str, ...]]:
    """One row per protected concept or proxy, as CONCEPT_HEADER."""
    from fuaalborg.criteria.vocabulary import PROTECTED_CONCEPTS

    rows = []
    for c in PROTECTED_CONCEPTS:
        names = [*c.words, *c.name_words, *c.stems, *c.name_stems]
        rows.append((c.concept, c.concept_da, c.kind, ", ".join(dict.fromkeys(names)), c.basis))
    return rows


@dataclass(frozen=True)
class ParameterFile:
    """One bundled parameter file: its name, metadata and parameters in file order."""

    name: str
    title: str
    version: str
    description: str
    parameters: tuple[Any, ...]


def parameter_files() -> list[ParameterFile]:
    """Every bundled parameter file, parsed, in load order.

    Raises :class:`fuaalborg.errors.ParameterFileError` when a file has problems,
    so a broken file breaks the documentation build instead of vanishing from it.
    """
    from fuaalborg.errors import ParameterFileError
    from fuaalborg.parameters import bundled_parameter_files, parse_parameter_file

    folder = resources.files("fuaalborg") / "parameters"
    out = []
    problems: list[str] = []
    for name in bundled_parameter_files():
        params, meta, found = parse_parameter_file(
            (folder / name).read_text(encoding="utf-8"), name
        )
        problems.extend(found)
        out.append(
            ParameterFile(
                name=name,
                title=meta.title if meta else name,
                version=meta.version if meta else "",
                description=(meta.description or "") if meta else "",
                parameters=tuple(params.values()),
            )
        )
    if problems:
        raise ParameterFileError(problems)
    return out


def parameter_file_paths() -> list[Path]:
    """Paths of the bundled parameter files (for rebuild dependencies)."""
    from fuaalborg.parameters import bundled_parameter_files

    folder = Path(str(resources.files("fuaalborg") / "parameters"))
    return [folder / name for name in bundled_parameter_files()]


def format_value(value: Any) -> str:
    """A parameter value as it would be written in its TOML file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return "; ".join(f"{key} = {format_value(val)}" for key, val in value.items())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def value_status(dated: Any) -> str:
    """``ended``, ``assumed`` or ``adopted``."""
    if dated.ended:
        return "ended"
    if dated.assumed:
        return "assumed"
    return "adopted"


def value_rows(parameter: Any) -> list[dict[str, str]]:
    """One row per dated value of ``parameter``, oldest first (keys: :data:`VALUE_HEADER`
    in lower case, plus ``url``)."""
    rows = []
    for dated in sorted(parameter.values, key=lambda d: d.start):
        rows.append(
            {
                "from": dated.start.isoformat(),
                "until": dated.end.isoformat() if dated.end else "",
                "value": "(no longer applies)" if dated.ended else format_value(dated.value),
                "reference": dated.reference,
                "url": dated.url or "",
                "note": dated.note or "",
                "status": value_status(dated),
            }
        )
    return rows


def first_line(obj: Any) -> str:
    """The first paragraph of ``obj``'s docstring on one line, or an empty string."""
    doc = (inspect.getdoc(obj) or "").strip()
    return " ".join(line.strip() for line in doc.split("\n\n")[0].splitlines())


def export_rows(module_name: str) -> list[tuple[str, str, str, str]]:
    """``(name, kind, documented_as, summary)`` for each name in a module's ``__all__``."""
    module = importlib.import_module(module_name)
    rows = []
    for name in module.__all__:
        obj = getattr(module, name)
        kind, target = _kind_and_target(obj, module_name, name)
        summary = first_line(obj) if kind != "data" else _short_repr(obj)
        rows.append((name, kind, target, summary))
    return rows


def _short_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else ""


def _kind_and_target(obj: Any, module_name: str, name: str) -> tuple[str, str]:
    if inspect.isclass(obj):
        kind = "exception" if issubclass(obj, BaseException) else "class"
        return kind, f"{obj.__module__}.{obj.__qualname__}"
    if inspect.isfunction(obj) or inspect.isbuiltin(obj):
        return "function", f"{obj.__module__}.{obj.__qualname__}"
    if inspect.ismodule(obj):
        return "module", obj.__name__
    return "data", f"{module_name}.{name}"


# --------------------------------------------------------------------------
# Rendering helpers.


def _text_cell(text: str, *, literal: bool = False, emphasis: bool = False) -> nodes.entry:
    para = nodes.paragraph()
    if literal and text:
        para += nodes.literal(text, text)
    elif emphasis and text:
        para += nodes.emphasis(text, text)
    else:
        para += nodes.Text(text)
    return nodes.entry("", para)


def _node_cell(*children: nodes.Node) -> nodes.entry:
    para = nodes.paragraph()
    for child in children:
        para += child
    return nodes.entry("", para)


def build_table(
    header: Sequence[str],
    rows: Sequence[Sequence[nodes.entry]],
    *,
    widths: Sequence[int] | None = None,
    classes: Sequence[str] = (),
) -> nodes.table:
    """A docutils table with ``header`` and rows of prepared cells."""
    table = nodes.table(classes=["fuaalborg-generated", *classes])
    group = nodes.tgroup(cols=len(header))
    table += group
    for width in widths or [1] * len(header):
        group += nodes.colspec(colwidth=width)
    thead = nodes.thead()
    head_row = nodes.row()
    for title in header:
        head_row += _text_cell(title)
    thead += head_row
    group += thead
    tbody = nodes.tbody()
    for cells in rows:
        row = nodes.row()
        for cell in cells:
            row += cell
        tbody += row
    group += tbody
    return table


def spec_table(spec: Any) -> nodes.table:
    """The data-dictionary table of one spec."""
    rows = []
    for name, name_da, dtype, unit, allowed, nullable, notes, meaning, meaning_da in spec_rows(
        spec
    ):
        rows.append(
            [
                _text_cell(name, literal=True),
                _text_cell(name_da, literal=True),
                _text_cell(dtype),
                _text_cell(unit),
                _text_cell(allowed),
                _text_cell(nullable),
                _text_cell(notes),
                _text_cell(meaning),
                _text_cell(meaning_da, emphasis=True),
            ]
        )
    return build_table(SPEC_HEADER, rows, widths=[20, 20, 7, 9, 18, 8, 12, 28, 28])


def values_table(parameter: Any) -> nodes.table:
    """The table of one parameter's dated values."""
    rows = []
    for row in value_rows(parameter):
        reference: list[nodes.Node] = [nodes.Text(row["reference"])]
        if row["url"]:
            reference += [
                nodes.Text(" — "),
                nodes.reference(row["url"], row["url"], refuri=row["url"]),
            ]
        status = row["status"]
        rows.append(
            [
                _text_cell(row["from"]),
                _text_cell(row["until"] or "…"),
                _text_cell(row["value"], literal=status != "ended", emphasis=status == "ended"),
                _node_cell(*reference),
                _text_cell(row["note"]),
                _node_cell(
                    nodes.strong(status, status) if status != "adopted" else nodes.Text(status)
                ),
            ]
        )
    return build_table(VALUE_HEADER, rows, widths=[11, 11, 24, 36, 30, 9])


def _para(*children: nodes.Node) -> nodes.paragraph:
    para = nodes.paragraph()
    for child in children:
        para += child
    return para


# --------------------------------------------------------------------------
# Directives.


class _SectionDirective(SphinxDirective):
    """Shared helpers: make sections and register cross-reference targets."""

    def make_section(self, title: nodes.Node | str, node_id: str, name: str) -> nodes.section:
        section = nodes.section(ids=[node_id], names=[nodes.fully_normalize_name(name)])
        title_node = nodes.title()
        title_node += nodes.Text(title) if isinstance(title, str) else title
        section += title_node
        self.set_source_info(section)
        self.state.document.note_implicit_target(section, section)
        return section

    def note_target(self, objtype: str, name: str, node_id: str, node: nodes.Element) -> None:
        self.env.get_domain("std").note_object(objtype, name, node_id, location=node)  # type: ignore[attr-defined]


class TableSpecsDirective(_SectionDirective):
    """``fuaalborg-table-specs``: a data-dictionary section for each table spec."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        path = self.arguments[0]
        specs = table_specs(resolve_object(path))
        module = importlib.import_module(path.rpartition(".")[0] or path)
        if getattr(module, "__file__", None):
            self.env.note_dependency(str(module.__file__))
        out: list[nodes.Node] = []
        for spec in specs:
            node_id = nodes.make_id(f"table-{spec.name}")
            title = nodes.literal(spec.name, spec.name)
            section = self.make_section(title, node_id, f"table {spec.name}")
            self.note_target("tablespec", spec.name, node_id, section)
            if spec.description:
                section += _para(nodes.Text(spec.description + "."))
            if spec.description_da:
                section += _para(
                    nodes.Text("Dansk: "), nodes.emphasis(spec.description_da, spec.description_da)
                )
            facts: list[nodes.Node] = []
            if spec.key:
                facts.append(nodes.Text("Key: "))
                for i, key in enumerate(spec.key):
                    if i:
                        facts.append(nodes.Text(", "))
                    facts.append(nodes.literal(key, key))
                facts.append(
                    nodes.Text(
                        " (no two rows share a value). "
                        if len(spec.key) == 1
                        else " (no two rows share the combination). "
                    )
                )
            facts.append(
                nodes.Text(
                    "Columns not declared here are kept unchanged."
                    if spec.allow_extra
                    else "Columns not declared here are rejected."
                )
            )
            section += _para(*facts)
            table = spec_table(spec)
            # one target per column: the first cell of each body row
            tbody = next(iter(table.findall(nodes.tbody)))
            for col, row in zip(spec.columns, tbody.children, strict=True):
                col_id = nodes.make_id(f"column-{spec.name}-{col.name}")
                row["ids"].append(col_id)
                self.note_target("tablecolumn", f"{spec.name}.{col.name}", col_id, row)
            section += table
            out.append(section)
        return out


class ApplicantFieldsDirective(SphinxDirective):
    """``fuaalborg-applicant-fields``: the plug-in authors' field reference."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        from fuaalborg.criteria import vocabulary

        self.env.note_dependency(str(vocabulary.__file__))
        kind = self.arguments[0]
        if kind == "concepts":
            rows = [
                [
                    _text_cell(concept),
                    _text_cell(concept_da, emphasis=True),
                    _text_cell(what),
                    _text_cell(words, literal=True),
                    _text_cell(basis),
                ]
                for concept, concept_da, what, words, basis in concept_rows()
            ]
            return [build_table(CONCEPT_HEADER, rows, widths=[20, 20, 8, 40, 30])]
        field_rows = [
            [
                _text_cell(name, literal=True),
                _text_cell(dtype),
                _text_cell(unit),
                _text_cell(allowed),
                _text_cell(reader),
                _text_cell(meaning),
                _text_cell(meaning_da, emphasis=True),
            ]
            for name, dtype, unit, allowed, reader, meaning, meaning_da in applicant_field_rows(
                kind
            )
        ]
        return [build_table(FIELD_HEADER, field_rows, widths=[22, 7, 10, 16, 16, 30, 30])]


class ParametersDirective(_SectionDirective):
    """``fuaalborg-parameters``: every bundled parameter with its dated values."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from fuaalborg.parameters import UNITS

        for path in parameter_file_paths():
            self.env.note_dependency(str(path))
        out: list[nodes.Node] = []
        for pfile in parameter_files():
            file_id = nodes.make_id(f"parameter-file-{pfile.name}")
            section = self.make_section(pfile.title, file_id, f"parameter file {pfile.name}")
            intro: list[nodes.Node] = [
                nodes.Text("File "),
                nodes.literal(pfile.name, pfile.name),
                nodes.Text(f", version {pfile.version}." if pfile.version else "."),
            ]
            if pfile.description:
                intro.append(nodes.Text(" " + pfile.description))
            section += _para(*intro)
            for param in pfile.parameters:
                node_id = nodes.make_id(f"parameter-{param.name}")
                sub = self.make_section(
                    nodes.literal(param.name, param.name), node_id, f"parameter {param.name}"
                )
                self.note_target("parameter", param.name, node_id, sub)
                sub += _para(nodes.Text(param.description + "."))
                if param.description_da:
                    sub += _para(
                        nodes.Text("Dansk: "),
                        nodes.emphasis(param.description_da, param.description_da),
                    )
                sub += _para(
                    nodes.Text("Unit: "),
                    nodes.literal(param.unit, param.unit),
                    nodes.Text(f" — {UNITS.get(param.unit, '')}."),
                )
                sub += values_table(param)
                section += sub
            out.append(section)
        return out


class ParameterUnitsDirective(SphinxDirective):
    """``fuaalborg-parameter-units``: the units a parameter may declare."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from fuaalborg.parameters import UNITS

        rows = [[_text_cell(unit, literal=True), _text_cell(form)] for unit, form in UNITS.items()]
        return [build_table(("Unit", "Values must be"), rows, widths=[16, 50])]


class PresetInputsDirective(_SectionDirective):
    """``fuaalborg-preset-inputs``: per bundled preset, the source and column each test reads."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        from fuaalborg.monitoring.steps import StepModel, preset_names

        out: list[nodes.Node] = []
        for preset in preset_names():
            model = StepModel.load(preset)
            section = self.make_section(
                nodes.literal(preset, preset), nodes.make_id(f"preset-inputs-{preset}"),
                f"preset inputs {preset}",
            )
            section += _para(nodes.Text(model.title + "."))
            rows = [
                [_text_cell(cell, literal=i in (2, 3, 5)) for i, cell in enumerate(row)]
                for row in preset_rows(preset)
            ]
            section += build_table(PRESET_HEADER, rows, widths=[8, 9, 24, 24, 26, 28, 14])
            out.append(section)
        return out


class DanishDirective(SphinxDirective):
    """``fuaalborg-danish``: the Danish headers and values of the glossary."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        headers, values = glossary_rows()
        head = build_table(
            ("Column", "Dansk kolonnenavn"),
            [[_text_cell(en, literal=True), _text_cell(da, literal=True)] for en, da in headers],
            widths=[30, 30],
        )
        vals = build_table(
            ("Value", "Dansk værdi"),
            [[_text_cell(en, literal=True), _text_cell(da, literal=True)] for en, da in values],
            widths=[30, 30],
        )
        return [head, vals]


class ExportsDirective(SphinxDirective):
    """``fuaalborg-exports``: the names in a module's ``__all__``, linked."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        container = nodes.container()
        parse_rst(self, export_table_rst(self.arguments[0]), container)
        return list(container.children)


def export_table_rst(module_name: str) -> list[str]:
    """reST lines of a list-table of a module's exports (summaries are reST too)."""
    roles = {"class": "class", "exception": "exc", "function": "func", "module": "mod"}
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 24 10 50",
        "   :class: fuaalborg-generated",
        "",
        "   * - Name",
        "     - Kind",
        "     - Summary",
    ]
    for name, kind, target, summary in export_rows(module_name):
        if kind == "data":
            # module-level data has no documented target of its own
            shown, summary_rst = f"``{name}``", f"``{summary}``" if summary else ""
        else:
            shown, summary_rst = f":py:{roles[kind]}:`{name} <{target}>`", summary
        lines += [f"   * - {shown}", f"     - {kind}", f"     - {summary_rst}"]
    return lines


def parse_rst(directive: SphinxDirective, lines: list[str], node: nodes.Element) -> None:
    """Parse reST ``lines`` into ``node``, from a reST or a MyST Markdown page."""
    if _is_markdown(directive):
        lines = ["```{eval-rst}", *lines, "```"]
    directive.state.nested_parse(
        StringList(lines, source=directive.env.docname), directive.content_offset, node
    )


class ApiDirective(_SectionDirective):
    """``fuaalborg-api``: one section per module (listed one per line), via autodoc."""

    has_content = True

    def run(self) -> list[nodes.Node]:
        out: list[nodes.Node] = []
        for line in self.content:
            module = line.strip()
            if not module or module.startswith("#"):
                continue
            section = self.make_section(
                nodes.literal(module, module), nodes.make_id(f"api-{module}"), f"api {module}"
            )
            parse_rst(self, module_rst(module), section)
            out.append(section)
        return out


#: Longest value representation shown after a documented constant.
MAX_VALUE_REPR = 80


def local_members(module_name: str) -> list[tuple[str, str]]:
    """``(name, kind)`` of the public names a module defines itself, in source order.

    Names come from ``__all__`` (or, without it, the module's public classes and
    functions); re-exported names are left out — they are documented where they
    are defined. ``kind`` is ``class``, ``exception``, ``function`` or ``data``.
    """
    module = importlib.import_module(module_name)
    try:
        source = inspect.getsource(module)
    except (OSError, TypeError):
        source = ""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, obj in vars(module).items()
            if not n.startswith("_")
            and (inspect.isclass(obj) or inspect.isfunction(obj))
            and obj.__module__ == module_name
        ]
    private_prefix = module_name + "._"
    private = [
        mod
        for mod_name, mod in list(sys.modules.items())
        if mod is not None and mod_name.startswith(private_prefix)
    ]
    found: list[tuple[int, int, str, str]] = []
    for index, name in enumerate(names):
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            continue
        if inspect.isclass(obj) or inspect.isfunction(obj):
            kind = "function" if inspect.isfunction(obj) else "class"
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                kind = "exception"
            if obj.__module__.startswith(private_prefix):
                # defined in a private submodule: this package is its public home
                found.append((1, index, name, kind))
                continue
            if obj.__module__ != module_name:
                continue
            pattern = rf"^(?:async\s+def|def|class)\s+{re.escape(name)}\b"
        else:
            kind = "data"
            if any(getattr(mod, name, None) is obj for mod in private):
                found.append((1, index, name, kind))
                continue
            pattern = rf"^{re.escape(name)}\s*[:=]"
        match = re.search(pattern, source, re.M)
        if match is None:
            continue  # imported from elsewhere
        found.append((0, match.start(), name, kind))
    return [(name, kind) for _group, _pos, name, kind in sorted(found)]


def _private_attr_doc(module_name: str, name: str) -> list[str]:
    """The ``#:`` comment of ``name`` in the private submodule that defines it, if any."""
    from sphinx.errors import PycodeError
    from sphinx.pycode import ModuleAnalyzer

    module = importlib.import_module(module_name)
    value = getattr(module, name)
    for mod_name, mod in list(sys.modules.items()):
        if mod is None or not mod_name.startswith(module_name + "._"):
            continue
        if getattr(mod, name, None) is not value:
            continue
        try:
            docs = ModuleAnalyzer.for_module(mod_name).find_attr_docs()
        except PycodeError:  # no source: no comment to show
            continue
        found = docs.get(("", name))
        if found:
            return list(found)
    return []


def drop_type_docstrings(
    app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]
) -> None:
    """Do not show a constant's *type* docstring (``tuple``'s, ``dict``'s) as its own."""
    if what not in {"data", "attribute"} or obj is None or inspect.isclass(obj):
        return
    type_doc = inspect.getdoc(type(obj))
    if type_doc and "\n".join(lines).strip() == type_doc.strip():
        lines.clear()


def module_rst(module_name: str) -> list[str]:
    """reST lines documenting ``module_name``: its docstring, then its own members.

    A constant holding a :class:`~fuaalborg.tables.TableSpec` links to its
    entry in the data dictionary instead of printing the whole declaration.
    """
    from fuaalborg.tables import TableSpec

    module = importlib.import_module(module_name)
    lines = [f".. automodule:: {module_name}", "   :no-members:", ""]
    directives = {
        "class": "autoclass",
        "exception": "autoexception",
        "function": "autofunction",
        "data": "autodata",
    }
    for name, kind in local_members(module_name):
        lines.append(f".. {directives[kind]}:: {module_name}.{name}")
        if kind == "data":
            value = getattr(module, name)
            comment = _private_attr_doc(module_name, name)
            if comment:
                # the ``#:`` comment lives in the private module that defines it
                lines += ["", *(f"   {line}" for line in comment)]
            if isinstance(value, TableSpec):
                lines += [
                    "   :no-value:",
                    "",
                    f"   The declaration of the table :tablespec:`{value.name}`; its columns"
                    " are listed in the data dictionary.",
                ]
            elif len(repr(value)) > MAX_VALUE_REPR:
                lines.append("   :no-value:")
        lines.append("")
    return lines


def _is_markdown(directive: SphinxDirective) -> bool:
    try:
        from myst_parser.mocking import MockState
    except ImportError:  # pragma: no cover - myst is a dev dependency
        return False
    return isinstance(directive.state, MockState)


# --------------------------------------------------------------------------
# Re-exported names: resolve ``fuaalborg.X`` to where X is defined.


def resolve_reexport(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.Element
) -> nodes.Element | None:
    """Resolve a Python reference to a re-exported name via its defining module."""
    if node.get("refdomain") != "py":
        return None
    target = str(node.get("reftarget", ""))
    candidates = [target]
    modname = node.get("py:module")
    if modname and not target.startswith(modname + "."):
        candidates.append(f"{modname}.{target}")
    for candidate in candidates:
        if not candidate.startswith("fuaalborg"):
            continue
        try:
            obj = resolve_object(candidate)
        except (ImportError, AttributeError):
            continue
        domain = env.get_domain("py")
        canonical = _canonical_name(obj)
        names = [candidate, canonical, _public_name(candidate)]
        if canonical is not None:
            names.append(_public_name(canonical))
        for name in dict.fromkeys(names):
            if name is None or name == target:
                continue
            resolved = domain.resolve_xref(
                env, node["refdoc"], app.builder, node["reftype"], name, node, contnode
            )
            if resolved is not None:
                return resolved
    return None


def _public_name(name: str) -> str | None:
    """``name`` without private components, or ``None`` when it has none."""
    public = ".".join(part for part in name.split(".") if not part.startswith("_"))
    return public if public != name else None


def _canonical_name(obj: Any) -> str | None:
    if inspect.ismodule(obj):
        return obj.__name__
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if module and qualname:
        return f"{module}.{qualname}"
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives, cross-reference types and the re-export resolver."""
    app.setup_extension("sphinx.ext.autodoc")
    app.add_object_type(
        "parameter", "parameter", objname="parameter", indextemplate="pair: %s; parameter"
    )
    app.add_object_type("tablespec", "tablespec", objname="table", indextemplate="pair: %s; table")
    app.add_object_type(
        "tablecolumn", "tablecolumn", objname="column", indextemplate="pair: %s; column"
    )
    app.add_directive("fuaalborg-table-specs", TableSpecsDirective)
    app.add_directive("fuaalborg-parameters", ParametersDirective)
    app.add_directive("fuaalborg-parameter-units", ParameterUnitsDirective)
    app.add_directive("fuaalborg-exports", ExportsDirective)
    app.add_directive("fuaalborg-preset-inputs", PresetInputsDirective)
    app.add_directive("fuaalborg-danish", DanishDirective)
    app.add_directive("fuaalborg-api", ApiDirective)
    app.add_directive("fuaalborg-applicant-fields", ApplicantFieldsDirective)
    app.connect("missing-reference", resolve_reexport)
    app.connect("autodoc-process-docstring", drop_type_docstrings)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
