"""The step model (trappetrinsmodellen): every department green, yellow or red.

A :class:`StepModel` is the rules of the agreement's bilag 7 as data: a cited,
dated preset file (the format of :mod:`fuaalborg.parameters`) with one
``step.<name>`` parameter per step. Two presets ship with fuaalborg:

- ``aalborg-2023``: the library's documented reading. Red = department in an
  area on any ministry list in force; yellow = monitored department meeting at
  least 2 of the socio-economic § 61 b criteria on its own data (twin-tool
  proxies, not the ministry's indicators) *and* an aggregate non-Western share
  above 30 % (mirroring § 61 b); green = the rest.
  It uses an aggregate ethnicity indicator, and every output says so, citing
  the EU Court of Justice, C-417/23 (18 December 2025).
- ``socioeconomic``: the same without any ethnicity indicator.

Aalborg's real bilag 7 is not public; write it in the same format and load it
with ``StepModel.load("path/to/bilag7.toml")``.

:meth:`StepModel.place` returns a :class:`Placement`: one row per department
with its colour, the basis (list / twin tool / unmonitored / no data), the
criteria met with their values, and a reason. A department with fewer than 20
residents aged 18–64 is *unmonitored*: green unless its area makes it red, and
its indicator values never appear in any output. Exactly one step must apply to
each department: otherwise :class:`NoStepApplies` or :class:`ConflictingSteps`
names the departments.

>>> import pandas as pd
>>> deps = pd.DataFrame({
...     "department_id": ["D1", "D2", "D3"], "organisation_cvr": ["31831814"] * 3,
...     "name": ["Øst", "Vest", "Nord"], "area_id": ["A1", None, None],
...     "family_dwellings": [200, 120, 10], "bab_dwellings": [0, 0, 0],
...     "residents": [450, 260, 18], "residents_18_64": [300, 170, 12]})
>>> ind = pd.DataFrame({
...     "department_id": ["D1", "D2", "D3"], "measured_on": ["2023-11-01"] * 3,
...     "source": ["twin_tool"] * 3, "residents_18_64": [300, 170, 12],
...     "units": [200, 120, 10], "residents": [450, 260, 18],
...     "outside_work_education_pct": [20.0, 35.0, 50.0], "conviction_ratio": [None] * 3,
...     "basic_education_pct": [40.0, 65.0, 70.0], "income_ratio_pct": [80.0, 70.0, 40.0],
...     "non_western_pct": [20.0, 40.0, 60.0]})
>>> lists = pd.DataFrame({"area_id": ["A1"], "list_date": ["2022-12-01"],
...                       "designation": ["forebyggelse"]})
>>> placement = StepModel.load("aalborg-2023").place(deps, ind, lists, "2024-01-15")
>>> placement.frame[["department_id", "colour", "basis", "monitored"]]
  department_id  colour        basis  monitored
0            D1     red         list       True
1            D2  yellow    twin tool       True
2            D3   green  unmonitored      False
>>> placement.colour_of("D2")
'yellow'
>>> placement.uses_ethnicity
True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg import danish, specs
from fuaalborg._types import Language
from fuaalborg.dates import as_date
from fuaalborg.errors import (
    FuaalborgError,
    NotInForceError,
    ParameterFileError,
    Problem,
    ValidationError,
    unknown_keys,
)
from fuaalborg.model import COLOURS
from fuaalborg.monitoring._compare import OPERATORS, compare, format_number
from fuaalborg.monitoring.lists import LIST_NAMES, conviction_ratios
from fuaalborg.parameters import Parameter, ParameterSet, load_parameters, parse_parameter_file
from fuaalborg.tables import (
    Column,
    TableProblem,
    TableSpec,
    TableValidationError,
    check_table,
    combine_errors,
    read_table,
)

__all__ = [
    "COLOURS",
    "ETHNICITY_COLUMNS",
    "ETHNICITY_NOTICE",
    "ETHNICITY_NOTICE_DA",
    "PREVIOUS_PLACEMENT",
    "ConflictingSteps",
    "NoStepApplies",
    "Placement",
    "PresetError",
    "Step",
    "StepModel",
    "Test",
    "compare_placements",
    "preset_names",
]


#: Indicator columns that are aggregate ethnicity indicators. A model using one is
#: flagged in every output (EU Court of Justice, C-417/23).
ETHNICITY_COLUMNS = frozenset({"non_western_pct"})

#: The notice every output of a model using an aggregate ethnicity indicator carries.
ETHNICITY_NOTICE = (
    "This placement uses an aggregate ethnicity indicator (the non-Western share of "
    "residents). On 18 December 2025 the EU Court of Justice (C-417/23) held that national "
    "legislation requiring development plans to reduce the share of social family housing in "
    "areas where, over the last five years, more than 50 % of the residents were immigrants "
    "from non-Western countries and their descendants is direct discrimination in so far as "
    "its adoption is based on the ethnic origin of the majority of those residents; the "
    "finding is left to Østre Landsret, and the judgment does not concern the 30 % test of "
    "the prevention areas. Compare with the 'socioeconomic' preset."
)

#: :data:`ETHNICITY_NOTICE` in Danish, for Danish tables and reports.
ETHNICITY_NOTICE_DA = (
    "Placeringen bruger en samlet etnicitetsindikator (andelen af beboere med "
    "ikkevestlig baggrund). Den 18. december 2025 fastslog EU-Domstolen (C-417/23), at "
    "national lovgivning, der kræver udviklingsplaner for at nedbringe andelen af almene "
    "familieboliger i boligområder, hvor over 50 pct. af beboerne de seneste fem år har "
    "været indvandrere fra ikkevestlige lande og deres efterkommere, er direkte "
    "forskelsbehandling, i det omfang den er vedtaget på grundlag af den etniske oprindelse "
    "hos flertallet af disse beboere; afgørelsen heraf overlades til Østre Landsret, og "
    "dommen angår ikke 30-procentskriteriet for forebyggelsesområder. Sammenlign med "
    "forudindstillingen 'socioeconomic'."
)

#: The basis of a colour, in the order they are decided.
BASES = ("list", "unmonitored", "no data", "twin tool")

#: A previous placement read from a file: department and colour.
PREVIOUS_PLACEMENT = TableSpec(
    name="previous placement",
    description="A previous placement: the colour of each department",
    description_da="En tidligere placering: hver afdelings farve",
    key=("department_id",),
    columns=(
        # the department as the indicators name it, here one row each
        attrs.evolve(specs.INDICATORS.column("department_id"), unique=True),
        Column("colour", "string", "green, yellow or red", "grøn, gul eller rød", allowed=COLOURS),
    ),
)

_INDICATOR_COLUMNS = frozenset(
    c.name
    for c in specs.INDICATORS.columns
    if c.dtype in ("int", "float") and c.name not in ("units", "conviction_pct")
)
#: Columns every source row may carry: they decide discretion, not a criterion.
_SIZE_COLUMNS = frozenset({"residents_18_64", "units", "residents"})
_STEP_KEYS = frozenset(
    {"colour", "step", "listed", "monitored", "min_criteria", "criteria", "conditions", "otherwise"}
)
_TEST_KEYS = frozenset({"column", "operator", "threshold", "source", "label", "label_da"})


class PresetError(ParameterFileError):
    """A step-model preset file that cannot be used; lists every problem at once."""


class NoStepApplies(FuaalborgError):  # noqa: N818 - the name the issue uses
    """No step of the model applies to some departments; ``department_ids`` names them."""

    def __init__(self, department_ids: Sequence[str], on: dt.date) -> None:
        self.department_ids = tuple(department_ids)
        shown = ", ".join(self.department_ids[:20])
        more = f" and {len(self.department_ids) - 20} more" if len(self.department_ids) > 20 else ""
        super().__init__(
            f"no step of the model applies on {on.isoformat()} to "
            f"{len(self.department_ids)} department(s): {shown}{more}"
        )


class ConflictingSteps(FuaalborgError):  # noqa: N818 - the name the issue uses
    """Two or more steps apply to some departments; ``conflicts`` maps each to its steps."""

    def __init__(self, conflicts: Mapping[str, tuple[str, ...]], on: dt.date) -> None:
        self.conflicts = dict(conflicts)
        items = list(self.conflicts.items())
        shown = "; ".join(f"{dep}: {', '.join(steps)}" for dep, steps in items[:20])
        more = f"; and {len(items) - 20} more" if len(items) > 20 else ""
        super().__init__(
            f"more than one step applies on {on.isoformat()} to {len(items)} "
            f"department(s): {shown}{more}"
        )


@attrs.frozen
class Test:
    """One comparison of a department indicator with a threshold.

    ``label`` says what the test stands for (e.g. which § 61 b criterion it is a
    proxy of); ``label_da`` says it in Danish, for Danish reasons (empty: the
    label is shown as it is).
    """

    column: str
    operator: str
    threshold: float
    source: str
    label: str = ""
    label_da: str = ""

    @property
    def ethnicity(self) -> bool:
        """Whether the test reads an aggregate ethnicity indicator."""
        return self.column in ETHNICITY_COLUMNS

    def describe(self, lang: Language | None = None) -> str:
        """``outside_work_education_pct > 30 (twin-tool proxy for § 61 b, nr. 1)``.

        In English by default (``None``, as before ``lang`` existed, or ``"en"``).
        In Danish (``lang="da"``) the column is named by its Danish header
        (:func:`fuaalborg.danish.header`), the threshold has a decimal comma and
        the label is ``label_da`` where the preset gives one.
        """
        if lang == "da":
            text = self.label_da or self.label
            label = f" ({text})" if text else ""
            threshold = format_number(self.threshold).replace(".", ",")
            return f"{danish.header(self.column)} {self.operator} {threshold}{label}"
        label = f" ({self.label})" if self.label else ""
        return f"{self.column} {self.operator} {format_number(self.threshold)}{label}"


@attrs.frozen
class Step:
    """One step of the model as in force on a date (one dated value of ``step.<name>``)."""

    name: str
    colour: str
    step: int
    reference: str
    listed: bool | None = None
    monitored: bool | None = None
    criteria: tuple[Test, ...] = ()
    min_criteria: int = 0
    conditions: tuple[Test, ...] = ()
    otherwise: bool = False

    @property
    def uses_ethnicity(self) -> bool:
        """Whether any test of the step reads an aggregate ethnicity indicator."""
        return any(t.ethnicity for t in (*self.criteria, *self.conditions))

    @property
    def tests(self) -> tuple[Test, ...]:
        """The criteria, then the conditions."""
        return (*self.criteria, *self.conditions)

    def describe(self) -> str:
        """The rule in one line."""
        parts: list[str] = []
        if self.otherwise:
            parts.append("when no other step applies")
        if self.listed is not None:
            parts.append("area on a list in force" if self.listed else "area on no list in force")
        if self.monitored is not None:
            parts.append("monitored" if self.monitored else "unmonitored")
        if self.criteria:
            parts.append(
                f"at least {self.min_criteria} of "
                f"[{'; '.join(t.describe() for t in self.criteria)}]"
            )
        parts.extend(t.describe() for t in self.conditions)
        head = f"{self.colour} (step {self.step}, {self.name})"
        return f"{head}: {', '.join(parts)} ({self.reference})"


def preset_names() -> list[str]:
    """The names of the bundled presets.

    >>> preset_names()
    ['aalborg-2023', 'socioeconomic']
    """
    folder = resources.files("fuaalborg.monitoring") / "presets"
    return sorted(p.name[: -len(".toml")] for p in folder.iterdir() if p.name.endswith(".toml"))


def _parse_test(raw: Any, where: str, problems: list[Problem]) -> Test | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(
            where,
            "expected a table with column, operator, threshold, source",
        ))
        return None
    extra = unknown_keys(raw, _TEST_KEYS, where)
    problems += extra
    ok = not extra
    for key in ("column", "operator", "threshold", "source"):
        if key not in raw:
            problems.append(Problem(f"{where}.{key}", "missing"))
            ok = False
    if not ok:
        return None
    if raw["column"] not in _INDICATOR_COLUMNS:
        problems.append(Problem(
            f"{where}.column",
            f"{raw['column']!r} is not an indicator column; expected one of "
            f"{', '.join(sorted(_INDICATOR_COLUMNS))}",
        ))
        ok = False
    if raw["operator"] not in OPERATORS:
        problems.append(Problem(
            f"{where}.operator",
            f"{raw['operator']!r} is not one of > >= < <=",
        ))
        ok = False
    threshold = raw["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        problems.append(Problem(f"{where}.threshold", f"{threshold!r} is not a number"))
        ok = False
    if raw["source"] not in specs.INDICATOR_SOURCES:
        problems.append(Problem(
            f"{where}.source",
            f"{raw['source']!r} is not one of "
            f"{', '.join(specs.INDICATOR_SOURCES)}",
        ))
        ok = False
    label = raw.get("label", "")
    label_da = raw.get("label_da", "")
    for key, text in (("label", label), ("label_da", label_da)):
        if not isinstance(text, str):
            problems.append(Problem(f"{where}.{key}", "not a text"))
            ok = False
    if not ok:
        return None
    return Test(raw["column"], raw["operator"], float(threshold), raw["source"], label, label_da)


def _parse_step(
    name: str, raw: Any, reference: str, where: str, problems: list[Problem]
) -> Step | None:
    if not isinstance(raw, Mapping):
        problems.append(Problem(where, "expected a table (colour, step, ...)"))
        return None
    start = len(problems)
    problems += unknown_keys(raw, _STEP_KEYS, where)
    colour = raw.get("colour")
    if colour not in COLOURS:
        problems.append(Problem(
            f"{where}.colour",
            f"{colour!r} is not one of {', '.join(COLOURS)}",
        ))
    number = raw.get("step")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        problems.append(Problem(f"{where}.step", f"{number!r} is not a whole number >= 1"))
    flags: dict[str, bool | None] = {}
    for key in ("listed", "monitored", "otherwise"):
        value = raw.get(key)
        if value is not None and not isinstance(value, bool):
            problems.append(Problem(f"{where}.{key}", f"{value!r} is not true or false"))
            value = None
        flags[key] = value
    tests: dict[str, list[Test]] = {"criteria": [], "conditions": []}
    for key in ("criteria", "conditions"):
        items = raw.get(key, [])
        if not isinstance(items, list):
            problems.append(Problem(f"{where}.{key}", "expected an array of tests"))
            continue
        for i, item in enumerate(items):
            test = _parse_test(item, f"{where}.{key}[{i}]", problems)
            if test is not None:
                tests[key].append(test)
    min_criteria = raw.get("min_criteria", 0)
    if raw.get("criteria"):
        if (
            not isinstance(min_criteria, int)
            or isinstance(min_criteria, bool)
            or not 1 <= min_criteria <= len(raw["criteria"])
        ):
            problems.append(Problem(
                f"{where}.min_criteria",
                f"{min_criteria!r} is not a whole number from 1 to "
                f"{len(raw['criteria'])} (the number of criteria)",
            ))
    elif "min_criteria" in raw:
        problems.append(Problem(f"{where}.min_criteria", "given without criteria"))
    otherwise = bool(flags["otherwise"])
    has_rule = any(
        (flags["listed"] is not None, flags["monitored"] is not None,
         bool(raw.get("criteria")), bool(raw.get("conditions")))
    )
    if otherwise and has_rule:
        problems.append(Problem(
            where,
            "a step with otherwise = true takes no other conditions",
        ))
    if not otherwise and not has_rule:
        problems.append(Problem(
            where,
            "the step has no condition (listed, monitored, criteria, conditions) "
            "and is not otherwise = true",
        ))
    if len(problems) > start:
        return None
    return Step(
        name=name,
        colour=str(colour),
        step=int(number) if isinstance(number, int) else 0,
        reference=reference,
        listed=flags["listed"],
        monitored=flags["monitored"],
        criteria=tuple(tests["criteria"]),
        min_criteria=int(min_criteria) if raw.get("criteria") else 0,
        conditions=tuple(tests["conditions"]),
        otherwise=otherwise,
    )


def _check_layer(layer: Mapping[str, Parameter], source: str, problems: list[Problem]) -> None:
    steps = [name for name in layer if name.startswith("step.")]
    if not steps:
        problems.append(Problem(
            source,
            "no steps (a step is a parameter step.<name> with unit table)",
        ))
    starts: set[dt.date] = set()
    for name in steps:
        param = layer[name]
        if param.unit != "table":
            problems.append(Problem(f"{source}: {name}.unit", 'a step has unit = "table"'))
            continue
        for i, dated in enumerate(param.values):
            starts.add(dated.start)
            if not dated.ended:
                _parse_step(
                    name.removeprefix("step."), dated.value, dated.reference,
                    f"{source}: {name}.values[{i}].value", problems,
                )
    if "model.listed_designations" not in layer:
        problems.append(Problem(
            f"{source}: model.listed_designations",
            "missing (the designations that count as "
            "listed, e.g. [\"omdannelse\", \"parallelsamfund\", \"udsat\", \"forebyggelse\"])",
        ))
    else:
        for i, listed in enumerate(layer["model.listed_designations"].values):
            bad = [d for d in (listed.value or []) if d not in LIST_NAMES]
            if bad:
                problems.append(Problem(
                    f"{source}: model.listed_designations.values[{i}].value",
                    "unknown "
                    f"designation(s) {', '.join(map(repr, bad))}; expected {', '.join(LIST_NAMES)}",
                ))
    if problems:
        return
    for start in sorted(starts):
        inforce = []
        for name in steps:
            found = layer[name].value_on(start)
            if found is not None and not found.ended and found.value.get("otherwise"):
                inforce.append(name)
        if len(inforce) > 1:
            problems.append(Problem(
                source,
                f"steps {', '.join(inforce)} are all otherwise = true on "
                f"{start.isoformat()}; at most one may be",
            ))


@attrs.frozen
class StepModel:
    """The step model's rules (bilag 7) as a cited, dated preset.

    Load one with :meth:`load`; place departments with :meth:`place`.
    ``title_da`` is the preset's Danish title (``title_da`` in its ``[meta]``;
    empty when the file gives none), which Danish reports show.
    """

    name: str
    title: str
    description: str
    parameters: ParameterSet = attrs.field(repr=False)
    step_names: tuple[str, ...]
    source: str = ""
    title_da: str = ""

    @classmethod
    def load(cls, preset: str | os.PathLike[str] = "aalborg-2023") -> StepModel:
        """Load a bundled preset by name, or a preset file by path.

        Every problem of the file is reported at once in a :class:`PresetError`.

        >>> StepModel.load("socioeconomic").uses_ethnicity("2024-01-01")
        False
        """
        if isinstance(preset, str) and preset in preset_names():
            folder = resources.files("fuaalborg.monitoring") / "presets"
            text = (folder / f"{preset}.toml").read_text(encoding="utf-8")
            name, source = preset, f"{preset}.toml"
        else:
            path = Path(preset)
            if not path.exists():
                raise ValidationError(
                    f"unknown step-model preset {str(preset)!r}: not a bundled preset "
                    f"({', '.join(preset_names())}) and no such file"
                )
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise PresetError([Problem(path.name, f"cannot be read ({exc})")]) from None
            name, source = path.stem, path.name
        layer, meta, problems = parse_parameter_file(text, source)
        if not problems:
            _check_layer(layer, source, problems)
        if problems:
            raise PresetError(problems)
        assert meta is not None
        base = load_parameters()
        params = ParameterSet((*base.layers, layer), (*base.sources, source))
        steps = tuple(sorted(n for n in layer if n.startswith("step.")))
        return cls(
            name=name,
            title=meta.title,
            description=meta.description or "",
            parameters=params,
            step_names=steps,
            source=source,
            title_da=meta.title_da or "",
        )

    def steps_on(self, on: dt.date | str) -> tuple[Step, ...]:
        """The steps in force on ``on``, highest step first.

        >>> [s.colour for s in StepModel.load().steps_on("2024-01-01")]
        ['red', 'yellow', 'green']
        """
        day = as_date(on)
        out: list[Step] = []
        for name in self.step_names:
            try:
                dated = self.parameters.lookup(name, day)
            except NotInForceError:
                continue
            problems: list[Problem] = []
            step = _parse_step(
                name.removeprefix("step."), dated.value, dated.reference, name, problems
            )
            if step is None:  # pragma: no cover - checked at load
                raise PresetError(problems)
            out.append(step)
        if not out:
            raise NotInForceError(f"preset {self.name!r} has no step in force on {day.isoformat()}")
        return tuple(sorted(out, key=lambda s: (-s.step, s.name)))

    def inputs(self, on: dt.date | str) -> pd.DataFrame:
        """Per criterion and condition in force on ``on``: the source and column it reads.

        Columns: ``step``, ``colour``, ``kind`` (criterion, condition), ``column``,
        ``source``, ``operator``, ``threshold``, ``label``, ``ethnicity``,
        ``reference``. An indicator of another source row is an error in
        :meth:`place`; the data dictionary shows this table for each bundled preset.

        >>> inputs = StepModel.load("socioeconomic").inputs("2024-01-01")
        >>> print(inputs[["column", "source"]].to_string(index=False))
                            column        source
        outside_work_education_pct     twin_tool
                  conviction_ratio parallel_data
               basic_education_pct     twin_tool
                  income_ratio_pct     twin_tool
        """
        return _tests_frame(self.steps_on(on))

    def listed_designations(self, on: dt.date | str) -> tuple[str, ...]:
        """The designations that make an area count as listed on ``on``."""
        return tuple(self.parameters.get("model.listed_designations", as_date(on)))

    def uses_ethnicity(self, on: dt.date | str) -> bool:
        """Whether the model in force on ``on`` reads an aggregate ethnicity indicator."""
        return any(step.uses_ethnicity for step in self.steps_on(on))

    def describe(self, on: dt.date | str) -> list[str]:
        """The model in force on ``on`` as readable lines."""
        lines = [f"{self.title}"]
        lines += [f"  {step.describe()}" for step in self.steps_on(on)]
        if self.uses_ethnicity(on):
            lines.append(f"  note: {ETHNICITY_NOTICE}")
        return lines

    def place(
        self,
        departments: pd.DataFrame | str | os.PathLike[str],
        indicators: pd.DataFrame | str | os.PathLike[str],
        lists: pd.DataFrame | str | os.PathLike[str],
        on: dt.date | str,
        previous: Placement | pd.DataFrame | str | os.PathLike[str] | None = None,
        *,
        validate: bool = True,
    ) -> Placement:
        """Place every department on the step model on ``on``.

        ``departments``, ``indicators`` and ``lists`` follow
        :data:`fuaalborg.specs.DEPARTMENTS`, ``INDICATORS`` and ``LISTS``; every
        problem in any of them is reported at once. The list in force is the latest
        list date on or before ``on``; for each indicator source the latest
        measurement on or before ``on`` is used. ``previous`` (a placement, or a
        table of ``department_id, colour``) adds ``previous_colour`` and
        ``changed``. ``validate=False`` skips validation for frames that are
        already validated (e.g. a :class:`~fuaalborg.Municipality`'s).
        """
        day = as_date(on)
        if validate:
            departments, indicators, lists = _validate_inputs(departments, indicators, lists)
        else:
            departments = _as_frame(departments, specs.DEPARTMENTS)
            indicators = _as_frame(indicators, specs.INDICATORS)
            lists = _as_frame(lists, specs.LISTS)
        prev = _previous_colours(previous) if previous is not None else None
        return _place(self, departments, indicators, lists, day, prev)

    def compare(
        self,
        other: StepModel,
        departments: pd.DataFrame,
        indicators: pd.DataFrame,
        lists: pd.DataFrame,
        on: dt.date | str,
        lang: Language | None = None,
    ) -> pd.DataFrame:
        """Departments whose colour differs between this model and ``other``, and why.

        The reasons are in ``lang`` (:func:`compare_placements`).
        """
        return compare_placements(
            self.place(departments, indicators, lists, on),
            other.place(departments, indicators, lists, on),
            lang,
        )



def _as_frame(source: pd.DataFrame | str | os.PathLike[str], spec: TableSpec) -> pd.DataFrame:
    if isinstance(source, pd.DataFrame):
        return source
    return read_table(source, spec)


def _validate_inputs(
    departments: pd.DataFrame | str | os.PathLike[str],
    indicators: pd.DataFrame | str | os.PathLike[str],
    lists: pd.DataFrame | str | os.PathLike[str],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    checked = {
        name: check_table(source, spec)
        for name, source, spec in (
            ("departments", departments, specs.DEPARTMENTS),
            ("indicators", indicators, specs.INDICATORS),
            ("lists", lists, specs.LISTS),
        )
    }
    errors = [c.error() for c in checked.values() if c.problems]
    # the references between them, on every row that could be read, also of a table
    # with problems of its own
    between = [c for c in specs.BETWEEN_TABLES if len(c.tables) > 1]
    problems, not_checked = specs.check_between_tables(
        {name: c.frame for name, c in checked.items()}, between
    )
    if problems:
        errors.append(TableValidationError("indicators", problems))
    if errors:  # each table's problems under its own head
        raise combine_errors(errors, not_checked=not_checked)
    return checked["departments"].frame, checked["indicators"].frame, checked["lists"].frame


def _previous_colours(
    previous: Placement | pd.DataFrame | str | os.PathLike[str],
) -> pd.Series[Any]:
    if isinstance(previous, Placement):
        frame = previous.frame[["department_id", "colour"]]
    else:
        frame = read_table(previous, PREVIOUS_PLACEMENT)
    return pd.Series(
        frame["colour"].to_numpy(dtype=object), index=frame["department_id"].to_numpy()
    )


def _tests_frame(steps: Sequence[Step]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "step": s.name, "colour": s.colour, "kind": kind, "column": t.column,
                "operator": t.operator, "threshold": t.threshold, "source": t.source,
                "label": t.label, "ethnicity": t.ethnicity, "reference": s.reference,
            }
            for s in steps
            for kind, group in (("criterion", s.criteria), ("condition", s.conditions))
            for t in group
        ],
        columns=[
            "step", "colour", "kind", "column", "operator", "threshold", "source", "label",
            "ethnicity", "reference",
        ],
    )


def _check_sources(preset: str, steps: Sequence[Step], indicators: pd.DataFrame) -> None:
    """Refuse an indicator given in a source row the preset does not read it from.

    Such a value would be silently ignored (and the criterion counted as not met);
    the error names the row, the column and the source the preset reads it from.
    A column the preset reads from no source at all (the non-Western share in a
    preset without it) and the size columns (discretion) may appear in any row.
    """
    reads: dict[str, set[str]] = {}
    for step in steps:
        for test in step.tests:
            reads.setdefault(test.column, set()).add(test.source)
    if not len(indicators):
        return
    source = indicators["source"].to_numpy(dtype=object)
    problems: list[TableProblem] = []
    for column, sources in sorted(reads.items()):
        if column in _SIZE_COLUMNS:
            continue
        given = [column] + (["conviction_pct"] if column == "conviction_ratio" else [])
        for name in given:
            if name not in indicators.columns:
                continue
            values = indicators[name]
            wrong = values.notna().to_numpy(dtype=bool) & ~np.isin(source, sorted(sources))
            for pos in np.flatnonzero(wrong):
                problems.append(
                    TableProblem(
                        "indicators", name, int(pos) + 1, format_number(float(values.iloc[pos])),
                        f"empty in a {source[pos]} row: preset {preset!r} reads {column} from "
                        f"{' and '.join(sorted(sources))} rows only (give it in such a row)",
                    )
                )
    if problems:
        raise TableValidationError("indicators", problems)


def _latest(indicators: pd.DataFrame, source: str, day: pd.Timestamp) -> pd.DataFrame:
    """The latest measurement of ``source`` on or before ``day`` per department."""
    dates = pd.to_datetime(indicators["measured_on"])
    mask = (indicators["source"] == source).to_numpy() & (dates <= day).to_numpy()
    sub = indicators.loc[mask].assign(_d=dates[mask])
    sub = sub.sort_values("_d", kind="stable").drop_duplicates("department_id", keep="last")
    return sub.set_index("department_id")


def _place(
    model: StepModel,
    deps: pd.DataFrame,
    inds: pd.DataFrame,
    lsts: pd.DataFrame,
    day: dt.date,
    previous: pd.Series[Any] | None,
) -> Placement:
    params = model.parameters
    steps = model.steps_on(day)
    _check_sources(model.name, steps, inds)
    inds = conviction_ratios(inds, "measured_on", params, table="indicators")
    decimals = int(params.get("lists.comparison_decimals", day))
    min_18_64 = int(params.get("monitoring.twin_tool.min_residents_18_64", day))
    # department-level parallel-society data exist only above these sizes (note 13)
    min_units = int(params.get("monitoring.parallel_data.min_units", day))
    min_residents = int(params.get("monitoring.parallel_data.min_residents", day))
    listed_set = model.listed_designations(day)
    stamp = pd.Timestamp(day)
    n = len(deps)
    dep_ids = deps["department_id"].to_numpy(dtype=object)

    # the ministry's list in force: the latest list date on or before the day
    list_dates = pd.to_datetime(lsts["list_date"])
    eligible = list_dates[list_dates <= stamp]
    list_date = eligible.max() if len(eligible) else None
    if list_date is not None:
        current = lsts.loc[(list_dates == list_date).to_numpy()]
        by_area = pd.Series(current["designation"].to_numpy(), index=current["area_id"].to_numpy())
        by_area = by_area[~by_area.index.duplicated(keep="last")]
        designation = deps["area_id"].map(by_area).fillna("none").to_numpy(dtype=object)
    else:
        designation = np.full(n, "none", dtype=object)
    listed = np.isin(designation, listed_set)

    # indicators: latest per source; monitored by the discretion threshold
    used_sources = {t.source for s in steps for t in s.tests} | {"twin_tool"}
    latest = {src: _latest(inds, src, stamp) for src in sorted(used_sources)}
    twin = latest["twin_tool"]
    twin_18_64 = twin["residents_18_64"].reindex(dep_ids).to_numpy(dtype="float64")
    has_data = ~np.isnan(twin_18_64)
    monitored = (deps["residents_18_64"].to_numpy(dtype="float64") >= min_18_64) & (
        np.isnan(twin_18_64) | (twin_18_64 >= min_18_64)
    )
    measured_on = pd.to_datetime(twin["_d"].reindex(dep_ids)).to_numpy()
    measured_on = np.where(monitored, measured_on, np.datetime64("NaT"))

    value_keys: dict[tuple[str, str], str] = {}
    for s in steps:
        for t in s.tests:
            clash = sum(1 for src, col in value_keys if col == t.column and src != t.source)
            if (t.source, t.column) not in value_keys:
                value_keys[(t.source, t.column)] = (
                    f"value_{t.column}" if clash == 0 else f"value_{t.source}_{t.column}"
                )
    values: dict[tuple[str, str], np.ndarray[Any, np.dtype[np.float64]]] = {}
    for (src, col) in value_keys:
        raw = (
            latest[src][col].reindex(dep_ids).to_numpy(dtype="float64")
            if len(latest[src])
            else np.full(n, np.nan)
        )
        if src == "parallel_data" and len(latest[src]):
            units = latest[src]["units"].reindex(dep_ids).to_numpy(dtype="float64")
            people = latest[src]["residents"].reindex(dep_ids).to_numpy(dtype="float64")
            raw = np.where((units > min_units) & (people > min_residents), raw, np.nan)
        values[(src, col)] = np.where(monitored, raw, np.nan)

    # evaluate every step
    masks: list[np.ndarray[Any, np.dtype[np.bool_]]] = []
    met_columns: dict[str, np.ndarray[Any, np.dtype[np.bool_]]] = {}
    counts: dict[str, np.ndarray[Any, np.dtype[np.int64]]] = {}
    for s in steps:
        mask = np.ones(n, dtype=bool)
        if s.listed is not None:
            mask &= listed == s.listed
        if s.monitored is not None:
            mask &= monitored == s.monitored
        if s.criteria:
            count = np.zeros(n, dtype=np.int64)
            for t in s.criteria:
                met = compare(values[(t.source, t.column)], t.operator, t.threshold, decimals)
                met_columns[f"met_{s.name}_{t.column}"] = met
                count += met
            counts[s.name] = count
            mask &= count >= s.min_criteria
        for t in s.conditions:
            met = compare(values[(t.source, t.column)], t.operator, t.threshold, decimals)
            met_columns[f"met_{s.name}_{t.column}"] = met
            mask &= met
        masks.append(mask if not s.otherwise else np.zeros(n, dtype=bool))
    matrix = np.column_stack(masks) if masks else np.zeros((n, 0), dtype=bool)
    applying = matrix.sum(axis=1)
    fallback = [i for i, s in enumerate(steps) if s.otherwise]
    if (applying >= 2).any():
        rows = np.flatnonzero(applying >= 2)
        raise ConflictingSteps(
            {
                str(dep_ids[r]): tuple(steps[i].name for i in np.flatnonzero(matrix[r]))
                for r in rows
            },
            day,
        )
    none = applying == 0
    if none.any() and not fallback:
        raise NoStepApplies([str(d) for d in dep_ids[none]], day)
    chosen = np.where(none, fallback[0] if fallback else 0, matrix.argmax(axis=1))

    colour = np.array([s.colour for s in steps], dtype=object)[chosen]
    step_no = np.array([s.step for s in steps], dtype=np.int64)[chosen]
    step_name = np.array([s.name for s in steps], dtype=object)[chosen]
    basis_code = np.select([listed, ~monitored, ~has_data], [0, 1, 2], default=3)
    basis = np.array(BASES, dtype=object)[basis_code]

    frame = pd.DataFrame(
        {
            "department_id": dep_ids,
            "name": deps["name"].to_numpy(dtype=object),
            "organisation_cvr": deps["organisation_cvr"].to_numpy(dtype=object),
            "area_id": deps["area_id"].to_numpy(dtype=object),
            "dwellings": (
                deps["family_dwellings"].to_numpy(dtype=np.int64)
                + deps["bab_dwellings"].to_numpy(dtype=np.int64)
            ),
            "colour": colour,
            "step": step_no,
            "step_name": step_name,
            "basis": basis,
            "monitored": monitored,
            "designation": designation,
            "list_date": pd.Series([list_date] * n, dtype="datetime64[s]").to_numpy(),
            "measured_on": pd.Series(measured_on, dtype="datetime64[s]").to_numpy(),
        }
    )
    hidden = ~monitored
    for name, count in counts.items():
        frame[f"{name}_criteria_met"] = pd.array(
            np.where(hidden, 0, count), dtype="Int64"
        )
        frame.loc[hidden, f"{name}_criteria_met"] = pd.NA
    for label, met in met_columns.items():
        flags = pd.array(met, dtype="boolean")
        flags[hidden] = pd.NA
        frame[label] = flags
    for key, label in value_keys.items():
        frame[label] = values[key]
    reason, reason_da = _reasons(
        steps, chosen, basis_code, designation, met_columns, hidden, list_date, day, min_18_64,
    )
    frame["reason"] = reason
    uses_ethnicity = any(s.uses_ethnicity for s in steps)
    frame["preset"] = model.name
    frame["ethnicity_indicator"] = uses_ethnicity
    if previous is not None:
        prev = pd.Series(dep_ids).map(previous).to_numpy(dtype=object)
        frame["previous_colour"] = prev
        frame["changed"] = pd.notna(prev) & (prev != colour)
    frame.attrs["preset"] = model.name
    frame.attrs["on"] = day.isoformat()
    if uses_ethnicity:
        frame.attrs["notice"] = ETHNICITY_NOTICE
    tests = _tests_frame(steps)
    return Placement(
        frame=frame,
        preset=model.name,
        title=model.title,
        on=day,
        list_date=list_date.date() if list_date is not None else None,
        uses_ethnicity=uses_ethnicity,
        tests=tests,
        steps=steps,
        title_da=model.title_da,
        reason_da=reason_da,
    )


def _reasons(
    steps: tuple[Step, ...],
    chosen: np.ndarray[Any, np.dtype[np.int64]],
    basis_code: np.ndarray[Any, np.dtype[np.int64]],
    designation: np.ndarray[Any, np.dtype[Any]],
    met_columns: Mapping[str, np.ndarray[Any, np.dtype[np.bool_]]],
    hidden: np.ndarray[Any, np.dtype[np.bool_]],
    list_date: pd.Timestamp | None,
    day: dt.date,
    min_18_64: int,
) -> tuple[np.ndarray[Any, np.dtype[Any]], np.ndarray[Any, np.dtype[Any]]]:
    """One reason per department in English and in Danish, each built once per
    distinct combination of the facts (fast)."""
    keys = pd.DataFrame(
        {"step": chosen, "basis": basis_code, "designation": designation, "hidden": hidden}
    )
    met_names = list(met_columns)
    for name in met_names:
        keys[name] = np.where(hidden, -1, met_columns[name].astype(np.int64))
    codes = keys.groupby(list(keys.columns), sort=False, dropna=False).ngroup().to_numpy()
    uniques = keys.drop_duplicates()
    listed_on = list_date.date().isoformat() if list_date is not None else "?"
    texts: dict[Language, list[str]] = {"en": [], "da": []}
    for row in uniques.itertuples(index=False):
        rec = dict(zip(uniques.columns, row, strict=True))
        for lang, out in texts.items():
            out.append(_reason(steps, rec, listed_on, day, min_18_64, lang))
    if not len(codes):
        return np.array([], dtype=object), np.array([], dtype=object)
    return (np.array(texts["en"], dtype=object)[codes], np.array(texts["da"], dtype=object)[codes])


#: The words of a reason, in English and in Danish (``{}`` filled in order).
_REASON_WORDS: Mapping[str, Mapping[Language, str]] = {
    "listed": {
        "en": "area on the ministry's list of {} as {}",
        "da": "området er på ministeriets liste af {} som {}",
    },
    "withheld": {
        "en": "unmonitored: fewer than {} residents aged 18–64 (values withheld)",
        "da": "ikke monitoreret: færre end {} beboere på 18–64 år (værdierne vises ikke)",
    },
    "on no list": {"en": "area on no list in force", "da": "området er ikke på en gældende liste"},
    "no data": {
        "en": "no twin-tool data on or before {}",
        "da": "ingen data fra tvillingeværktøjet på eller før {}",
    },
    "monitored": {"en": "monitored", "da": "monitoreret"},
    "criteria": {
        "en": "{} of {} criteria of step {} met",
        "da": "{} af {} kriterier for trin {} opfyldt",
    },
    "required": {"en": ", at least {} required", "da": ", mindst {} kræves"},
    "condition": {"en": "condition {} {}", "da": "betingelsen {} {}"},
    "met": {"en": "met", "da": "opfyldt"},
    "not met": {"en": "not met", "da": "ikke opfyldt"},
    "ethnicity": {
        "en": " [aggregate ethnicity indicator, C-417/23]",
        "da": " [samlet etnicitetsindikator, C-417/23]",
    },
    "otherwise": {"en": "no other step applies", "da": "intet andet trin gælder"},
    "applies": {"en": "step applies", "da": "trinnet gælder"},
    "head": {"en": "{} (step {}): {}: ", "da": "{} (trin {}): {}: "},
}


def _reason(
    steps: tuple[Step, ...],
    rec: Mapping[str, Any],
    listed_on: str,
    day: dt.date,
    min_18_64: int,
    lang: Language,
) -> str:
    """The reason for one combination of facts (step, basis, designation, tests met)."""

    def say(key: str, *args: object) -> str:
        return _REASON_WORDS[key][lang].format(*args)

    def word(canonical: str) -> str:
        return danish.value_in(canonical, lang)

    step = steps[int(rec["step"])]
    basis = BASES[int(rec["basis"])]
    parts: list[str] = []
    if basis == "list":
        parts.append(say("listed", listed_on, word(str(rec["designation"]))))
        if rec["hidden"]:
            parts.append(say("withheld", min_18_64))
    elif basis == "unmonitored":
        parts.append(f"{say('withheld', min_18_64)}; {say('on no list')}")
    elif basis == "no data":
        parts.append(f"{say('no data', day.isoformat())}; {say('on no list')}")
    else:
        parts.append(f"{say('monitored')}; {say('on no list')}")
    if basis in ("list", "twin tool") and not rec["hidden"]:
        for other in steps:
            if other.criteria:
                met = [t for t in other.criteria if rec[f"met_{other.name}_{t.column}"] == 1]
                listed_tests = "; ".join(t.describe(lang) for t in met)
                parts.append(
                    say("criteria", len(met), len(other.criteria), word(other.name))
                    + (f" ({listed_tests})" if met else "")
                    + say("required", other.min_criteria)
                )
            for t in other.conditions:
                ok = rec[f"met_{other.name}_{t.column}"] == 1
                flag = say("ethnicity") if t.ethnicity else ""
                parts.append(say("condition", t.describe(lang), say("met" if ok else "not met"))
                             + flag)
    lead = say("otherwise" if step.otherwise else "applies")
    return (say("head", word(step.colour), step.step, lead) + "; ".join(parts)
            + f" — {step.reference}")


@attrs.frozen
class Placement:
    """The colour of every department on a date under one preset.

    ``frame`` has one row per department: ``department_id, name,
    organisation_cvr, area_id, dwellings, colour, step, step_name, basis,
    monitored, designation, list_date, measured_on``, per step with criteria
    ``<step>_criteria_met``, per test ``met_<step>_<column>``, per indicator read
    ``value_<column>`` (missing for unmonitored departments), ``reason``,
    ``preset``, ``ethnicity_indicator`` and, given a previous placement,
    ``previous_colour`` and ``changed``. ``title`` and ``title_da`` are the
    preset's titles in English and Danish (``title_da`` empty when it has none).
    ``reason`` is in English; :meth:`reasons` gives the reasons in Danish too,
    composed from the same facts, and :meth:`output_frame` and :meth:`write`
    use them for a Danish table.
    """

    frame: pd.DataFrame = attrs.field(eq=False, repr=False)
    preset: str
    title: str
    on: dt.date
    list_date: dt.date | None
    uses_ethnicity: bool
    tests: pd.DataFrame = attrs.field(eq=False, repr=False)
    steps: tuple[Step, ...] = attrs.field(repr=False)
    title_da: str = attrs.field(default="", repr=False)
    reason_da: np.ndarray[Any, np.dtype[Any]] | None = attrs.field(
        default=None, eq=False, repr=False
    )
    _by_id: Mapping[str, str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(
            self,
            "_by_id",
            # through object arrays: iterating Arrow-backed text costs a Python call per cell
            dict(zip(self.frame["department_id"].to_numpy(dtype=object),
                     self.frame["colour"].to_numpy(dtype=object), strict=True)),
        )

    @property
    def notice(self) -> str | None:
        """The C-417/23 notice when the placement uses an aggregate ethnicity indicator."""
        return ETHNICITY_NOTICE if self.uses_ethnicity else None

    def notice_in(self, lang: Language = "da") -> str | None:
        """:attr:`notice` in English or in Danish (:data:`ETHNICITY_NOTICE_DA`)."""
        if not self.uses_ethnicity:
            return None
        return ETHNICITY_NOTICE_DA if lang == "da" else ETHNICITY_NOTICE

    def reasons(self, lang: Language = "da") -> pd.Series[Any]:
        """Every department's reason in English or in Danish, in the rows of :attr:`frame`.

        The Danish reason is composed from the same facts as the English one: the
        colour and step, the basis, the list and designation, each test met or
        not, with the columns named by their Danish headers, the preset's Danish
        labels (``label_da``) and the step's reference as the preset cites it.
        """
        if lang == "da" and self.reason_da is not None:
            return pd.Series(self.reason_da, index=self.frame.index, name="reason", dtype=object)
        return self.frame["reason"].copy()

    def colour_of(self, department_id: str) -> str:
        """The colour (green, yellow, red) of ``department_id``."""
        try:
            return self._by_id[department_id]
        except KeyError:
            raise ValidationError(
                f"department {department_id!r} is not in the placement of {self.on.isoformat()}"
            ) from None

    def colours(self) -> pd.Series[Any]:
        """The colour of every department, indexed by department id."""
        return pd.Series(self._by_id, name="colour", dtype=object)

    def counts(self) -> pd.DataFrame:
        """Departments and dwellings per colour (step 1 to 3)."""
        grouped = self.frame.groupby("colour")
        out = pd.DataFrame(
            {
                "colour": list(COLOURS),
                "departments": [int(grouped.size().get(c, 0)) for c in COLOURS],
                "dwellings": [int(grouped["dwellings"].sum().get(c, 0)) for c in COLOURS],
            }
        )
        return out

    def explain(self, department_id: str) -> str:
        """The reason for one department's colour."""
        rows = self.frame.loc[self.frame["department_id"] == department_id, "reason"]
        if rows.empty:
            raise ValidationError(f"department {department_id!r} is not in the placement")
        return str(rows.iloc[0])

    def output_frame(self, lang: Language | None = None) -> pd.DataFrame:
        """The frame as written to files (the same columns; attributes dropped).

        The reasons are the frame's own, in English (``None`` or ``"en"``);
        ``lang="da"`` puts the Danish reasons (:meth:`reasons`) in ``reason``;
        the headers and the other values are translated on writing
        (:func:`fuaalborg.tables.to_danish`).
        """
        out = self.frame.copy()
        out.attrs = {}
        if lang == "da":
            out["reason"] = self.reasons("da")
        return out

    def write(self, path: str | os.PathLike[str], *, danish: bool = False) -> Path:
        """Write the placement to CSV or xlsx, atomically (never a partial file).

        ``danish=True`` writes Danish headers, values and reasons.
        """
        from fuaalborg.tables import write_table

        return write_table(self.output_frame("da" if danish else "en"), path,
                           sheet_name="placement", danish=danish)


def compare_placements(
    a: Placement, b: Placement, lang: Language | None = None
) -> pd.DataFrame:
    """Departments whose colour differs between two placements, and why.

    Columns: ``department_id``, ``preset_a``, ``colour_a``, ``preset_b``,
    ``colour_b``, ``reason_a``, ``reason_b`` (the reasons in ``lang``: English
    by default, ``None`` as before ``lang`` existed, or Danish with ``"da"``).
    """
    words: Language = lang or "en"
    left = a.frame[["department_id", "colour"]].assign(reason=a.reasons(words))
    right = b.frame[["department_id", "colour"]].assign(reason=b.reasons(words))
    merged = left.merge(right, on="department_id", how="outer", suffixes=("_a", "_b"))
    diff = merged[merged["colour_a"].fillna("") != merged["colour_b"].fillna("")]
    out = diff.assign(preset_a=a.preset, preset_b=b.preset)
    return out[
        ["department_id", "preset_a", "colour_a", "preset_b", "colour_b", "reason_a", "reason_b"]
    ].reset_index(drop=True)
