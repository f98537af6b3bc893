"""A municipality's data as one validated bundle of tables, and its settings.

:class:`Municipality` holds the tables every part of fuaalborg reads:
organisations, departments, dwellings, areas, indicators, the official lists
and (optionally) a waiting list of applicants. Building one validates every
table against its spec *and* the references between them (a department's
organisation and area exist; a dwelling's department exists; each department's
dwelling counts match its dwellings), reporting every problem at once.

A municipality's folder holds one file per table, ``<table>.csv`` or ``.xlsx``,
named in English or Danish (``departments.csv`` or ``afdelinger.csv``, see
:data:`TABLE_FILES`), each written in English or Danish. It may hold a
``municipality.toml`` (:class:`MunicipalitySettings`): the municipality's name
(the name every output shows; never the folder's), its municipality code, the
municipal referral's yearly need of cheap dwellings, the step-model presets
that apply, and overrides of the sanity bounds. Every number in it carries its
source, like every bundled parameter.

>>> from fuaalborg import examples
>>> municipality = examples.load()
>>> len(municipality.departments), municipality.preset
(271, 'aalborg-2023')
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import pandas as pd

from fuaalborg import specs
from fuaalborg.errors import InputError, Problem, ValidationError, unknown_keys
from fuaalborg.parameters import DatedValue, Parameter, ParameterSet, load_parameters
from fuaalborg.tables import (
    DANISH_NUMBER,
    CheckedTable,
    FileProblem,
    NotChecked,
    TableSpec,
    TableValidationError,
    UnreadableFileError,
    check_table,
    combine_errors,
    file_headers,
    normalise,
    read_csv_text,
    read_xlsx_text,
)

__all__ = [
    "DEFAULT_PRESET",
    "NEED_PARAMETERS",
    "SETTINGS_FILE",
    "TABLE_FILES",
    "UNNAMED",
    "FolderBounds",
    "Municipality",
    "MunicipalitySettings",
    "ReferralNeed",
    "SettingsError",
    "check_beside",
    "table_files",
]

#: The step-model preset used where a municipality names none (the library's reading).
DEFAULT_PRESET = "aalborg-2023"
#: The settings file of a municipality's folder.
SETTINGS_FILE = "municipality.toml"
#: Each table's Danish file name (without suffix); its English file name is the table's name.
_DANISH_FILES: Mapping[str, str] = {
    "organisations": "boligorganisationer",
    "departments": "afdelinger",
    "dwellings": "boliger",
    "areas": "områder",
    "indicators": "indikatorer",
    "lists": "lister",
    "applicants": "venteliste",
    "area_indicators": "områdeindikatorer",
}
#: Each table's file name (without suffix) in English and in Danish.
TABLE_FILES: Mapping[str, tuple[str, str]] = {
    table: (table, danish) for table, danish in _DANISH_FILES.items()
}
_OPTIONAL = ("applicants", "area_indicators")
#: How outputs name a municipality whose folder has no ``municipality.toml``: never by
#: the folder's name, which may be anything.
UNNAMED = "unnamed municipality"


def table_files(folder: str | os.PathLike[str], table: str) -> list[Path]:
    """The files of ``folder`` that hold ``table``, by :data:`TABLE_FILES`' names.

    None (a missing table), one, or several (the same table twice, a problem
    :meth:`Municipality.from_folder` reports).
    """
    base = Path(folder)
    return [
        base / f"{stem}{suffix}" for stem in TABLE_FILES[table] for suffix in (".csv", ".xlsx")
        if (base / f"{stem}{suffix}").exists()
    ]
#: Municipality.toml's [bounds] keys: each overrides the parameter ``bounds.<key>``, in
#: that parameter's unit.
_BOUNDS = (
    "monthly_rent_dkk", "rent_ratio_to_table", "rooms", "area_m2", "conviction_ratio",
    "applicant_age_min", "applicant_age_max", "household_size", "hours_per_week",
    "fixed_term_months", "benefit_months",
)


class SettingsError(InputError):
    """A ``municipality.toml`` that cannot be used; ``problems`` lists every problem.

    Each problem's ``where`` is the key concerned (``referral_need.low``).
    """

    def __init__(self, source: str, problems: Iterable[Problem]) -> None:
        self.source = source
        super().__init__(problems, head=f"{source}: {{count}}")


#: The parameters of the referral's yearly need, lower and upper end (Aalborg's: afsnit 6).
NEED_PARAMETERS = ("referral.expected_need_low", "referral.expected_need_high")


@attrs.frozen
class ReferralNeed:
    """The municipal referral's expected yearly need of cheap dwellings (low–high).

    Aalborg's is 250–300 (Fælles Udlejningsaftale, afsnit 6, parameters
    ``referral.expected_need_low``/``_high``); a municipality states its own with
    its source.
    """

    low: int
    high: int
    reference: str
    start: dt.date = dt.date(2000, 1, 1)


@attrs.frozen
class MunicipalitySettings:
    """What ``municipality.toml`` says: name, code, referral need, presets, bounds.

    ``code`` is the municipality code (kommunekode, 3 digits, e.g. ``851`` for
    Aalborg). ``presets`` are bundled preset names or preset files (relative to
    the folder); the first is the one placements use. ``bounds`` override the
    sanity bounds (``bounds.*`` parameters) with ``bounds_reference`` as their
    source.

    >>> text = '''
    ... name = "Fjordby Kommune"
    ... code = 999
    ... presets = ["socioeconomic"]
    ... [referral_need]
    ... low = 40
    ... high = 60
    ... reference = "Fjordby Kommune, boligsocial strategi 2024"
    ... '''
    >>> settings = MunicipalitySettings.from_text(text)
    >>> settings.name, settings.code, settings.presets, settings.need.high
    ('Fjordby Kommune', '999', ('socioeconomic',), 60)
    """

    name: str
    code: str | None = None
    presets: tuple[str, ...] = ()
    need: ReferralNeed | None = None
    bounds: Mapping[str, float] = attrs.field(factory=dict)
    bounds_reference: str = ""
    source: str = SETTINGS_FILE

    @classmethod
    def from_text(
        cls, text: str, source: str = SETTINGS_FILE, folder: Path | None = None
    ) -> MunicipalitySettings:
        """Parse the text of a ``municipality.toml``; every problem is reported at once."""
        try:
            raw = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError(source, [Problem("", f"not valid TOML ({exc})")]) from None
        problems: list[Problem] = []
        known = {"name", "code", "presets", "referral_need", "bounds"}
        problems += unknown_keys(raw, known)
        name = raw.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(Problem(
                "name",
                "missing; the municipality's name as outputs should show it",
            ))
            name = ""
        code = _code(raw.get("code"), problems)
        presets = _presets(raw.get("presets", []), folder, problems)
        need = _need(raw.get("referral_need"), problems)
        bounds, bounds_reference = _bounds(raw.get("bounds"), problems)
        if problems:
            raise SettingsError(source, problems)
        return cls(name.strip(), code, presets, need, bounds, bounds_reference, source)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> MunicipalitySettings:
        """Read a ``municipality.toml`` file; presets are resolved against its folder."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(file.name, [Problem("", f"cannot be read ({exc})")]) from None
        return cls.from_text(text, file.name, file.parent)

    @classmethod
    def of_folder(cls, folder: str | os.PathLike[str]) -> MunicipalitySettings | None:
        """A folder's settings, or ``None`` where it has no ``municipality.toml``.

        Read on their own, apart from the folder's tables: a file checked beside
        the folder (a waiting list given separately) is checked against these
        settings' bounds even when a table of the folder has problems.
        """
        path = Path(folder) / SETTINGS_FILE
        return cls.read(path) if path.exists() else None

    @property
    def parameters(self) -> ParameterSet:
        """The bundled parameters with these settings' need and bounds on top."""
        return _parameters(self)

    def layer(self) -> dict[str, Parameter]:
        """The settings' numbers as a parameter layer (need and bounds), each with its source."""
        out: dict[str, Parameter] = {}
        where = f"{self.source}"

        def add(name: str, description: str, unit: str, value: Any, reference: str,
                start: dt.date) -> None:
            dated = DatedValue(name=name, start=start, end=None, value=value,
                               reference=reference, source=where)
            out[name] = Parameter(name=name, description=description, unit=unit,
                                  values=(dated,), source=where)

        if self.need is not None:
            ref = f"{self.need.reference} ({self.source})"
            add("referral.expected_need_low", "The referral's expected yearly need, lower end",
                "count", self.need.low, ref, self.need.start)
            add("referral.expected_need_high", "The referral's expected yearly need, upper end",
                "count", self.need.high, ref, self.need.start)
        for key, value in self.bounds.items():
            ref = f"{self.bounds_reference} ({self.source} [bounds])"
            parameter = f"bounds.{key}"
            unit = load_parameters().parameter(parameter).unit
            shown = int(value) if unit == "count" and float(value).is_integer() else value
            add(parameter, f"Sanity bound {key} set by {self.source}", unit, shown, ref,
                dt.date(1900, 1, 1))
        return out


def _code(value: Any, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    text = str(value).strip() if isinstance(value, int | str) and not isinstance(value, bool)\
        else ""
    digits = text.lstrip("0") if len(text) == 4 else text
    if not (digits.isdigit() and len(digits) == 3 and 101 <= int(digits) <= 999):
        problems.append(Problem(
            "code",
            f"{value!r} is not a municipality code (kommunekode: 3 digits, e.g. 851)",
        ))
        return None
    return digits


def _presets(value: Any, folder: Path | None, problems: list[Problem]) -> tuple[str, ...]:
    from importlib import resources

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        problems.append(Problem("presets", "expected a list of preset names or files"))
        return ()
    bundled = {
        p.name.removesuffix(".toml")
        for p in (resources.files("fuaalborg.monitoring") / "presets").iterdir()
        if p.name.endswith(".toml")
    }
    out = []
    for item in value:
        if item in bundled:
            out.append(item)
            continue
        path = Path(item) if folder is None or Path(item).is_absolute() else folder / item
        if not path.is_file():
            problems.append(Problem(
                "presets",
                f"{item!r} is neither a bundled preset ({', '.join(sorted(bundled))}) "
                "nor a file in the folder",
            ))
            continue
        out.append(str(path))
    return tuple(out)


def _need(value: Any, problems: list[Problem]) -> ReferralNeed | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append(Problem("referral_need", "expected a table with low, high, reference"))
        return None
    known = {"low", "high", "reference", "from"}
    problems += unknown_keys(value, known, "referral_need")
    ok = True
    for key in ("low", "high"):
        v = value.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            problems.append(Problem(
                f"referral_need.{key}",
                f"{v!r} is not a whole number of dwellings >= 0",
            ))
            ok = False
    if ok and value["low"] > value["high"]:
        problems.append(Problem(
            "referral_need",
            f"low ({value['low']}) is above high ({value['high']})",
        ))
        ok = False
    reference = value.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        problems.append(Problem("referral_need.reference", "missing; where the need comes from"))
        ok = False
    start = value.get("from", dt.date(2000, 1, 1))
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        problems.append(Problem("referral_need.from", f"{start!r} is not a date (YYYY-MM-DD)"))
        ok = False
    if not ok:
        return None
    return ReferralNeed(int(value["low"]), int(value["high"]), str(reference).strip(), start)


def _bounds(value: Any, problems: list[Problem]) -> tuple[dict[str, float], str]:
    if value is None:
        return {}, ""
    if not isinstance(value, Mapping):
        problems.append(Problem("bounds", "expected a table"))
        return {}, ""
    out: dict[str, float] = {}
    for key, v in value.items():
        if key == "reference":
            continue
        if key not in _BOUNDS:
            problems += unknown_keys([key], _BOUNDS, "bounds", what="bound", in_order=True)
        elif isinstance(v, bool) or not isinstance(v, int | float) or v <= 0:
            problems.append(Problem(f"bounds.{key}", f"{v!r} is not a number > 0"))
        elif key == "rent_ratio_to_table" and v < 1:
            problems.append(Problem(f"bounds.{key}", f"{v!r} is not a factor >= 1"))
        else:
            out[key] = float(v)
    reference = value.get("reference")
    if reference is not None and not isinstance(reference, str):
        problems.append(Problem(
            "bounds.reference",
            f"{reference!r} is not text; say why the bounds are raised, in quotes"))
        reference = None
    elif out and (reference is None or not reference.strip()):
        problems.append(Problem("bounds.reference", "missing; why the bounds are raised"))
    return out, (reference or "").strip()


def _optional_frame() -> pd.DataFrame:
    return pd.DataFrame()


@attrs.frozen
class Municipality:
    """The validated tables of one municipality, with its settings.

    Construct it with :meth:`from_frames` or :meth:`from_folder` (which validate);
    the attributes are pandas DataFrames with the canonical columns of
    :mod:`fuaalborg.specs`. ``applicants`` is the waiting list, validated by the
    applicant vocabulary of :mod:`fuaalborg.criteria` where that is used.
    ``area_indicators`` (optional) holds the ministry's indicators per area and
    list date, the input of :func:`fuaalborg.classify_areas`. ``settings`` are
    those of ``municipality.toml``; ``danish`` is true when its files were
    written in Danish (``;`` and decimal comma, or Danish headers), so that
    outputs default to Danish too.
    """

    organisations: pd.DataFrame = attrs.field(eq=False)
    departments: pd.DataFrame = attrs.field(eq=False)
    dwellings: pd.DataFrame = attrs.field(eq=False)
    areas: pd.DataFrame = attrs.field(eq=False)
    indicators: pd.DataFrame = attrs.field(eq=False)
    lists: pd.DataFrame = attrs.field(eq=False)
    applicants: pd.DataFrame = attrs.field(eq=False, factory=_optional_frame)
    area_indicators: pd.DataFrame = attrs.field(eq=False, factory=_optional_frame)
    name: str = "municipality"
    synthetic: bool = False
    settings: MunicipalitySettings | None = None
    danish: bool = False

    @property
    def code(self) -> str | None:
        """The municipality code (kommunekode) from ``municipality.toml``, if given."""
        return self.settings.code if self.settings else None

    @property
    def presets(self) -> tuple[str, ...]:
        """The step-model presets that apply (the first is used), or the default one."""
        if self.settings and self.settings.presets:
            return self.settings.presets
        return (DEFAULT_PRESET,)

    @property
    def preset(self) -> str:
        """The step-model preset placements use: the first of :attr:`presets`."""
        return self.presets[0]

    @property
    def parameters(self) -> ParameterSet:
        """The bundled parameters with ``municipality.toml``'s need and bounds on top."""
        return _parameters(self.settings)

    def parameters_over(self, base: ParameterSet) -> ParameterSet:
        """``base`` (a scenario's or a ledger's parameters) with ``municipality.toml``'s need
        and bounds on top: the municipality's own settings win wherever it states them."""
        return _parameters(self.settings, base)

    def referral_need(
        self, on: dt.date | str, parameters: ParameterSet | None = None
    ) -> ReferralNeed | None:
        """The municipal referral's yearly need of cheap dwellings in force on ``on``.

        Read from ``parameters`` (default: :attr:`parameters`, with
        ``municipality.toml``'s ``[referral_need]`` on top). The bundled value
        is Aalborg's (250–300, Fælles Udlejningsaftale, afsnit 6): it is the
        need of the bundled example, which is modelled on Aalborg, but never of
        a municipality of one's own — for that ``None`` unless its
        ``municipality.toml`` (or a layered parameter file) states its own.
        ``None`` too on a date no need is in force.

        >>> import fuaalborg
        >>> fuaalborg.examples.load().referral_need("2024-06-01").high
        300
        """
        from fuaalborg.dates import as_date
        from fuaalborg.errors import NotInForceError

        params = parameters or self.parameters
        day = as_date(on, "on")
        try:
            low, high = (params.lookup(name, day, warn=False) for name in NEED_PARAMETERS)
        except NotInForceError:
            return None
        if not self.synthetic:
            bundled = load_parameters()
            if all(
                found == bundled.lookup(found.name, day, warn=False) for found in (low, high)
            ):
                return None
        reference = " ".join(dict.fromkeys((low.reference, high.reference)))
        return ReferralNeed(int(low.value), int(high.value), reference, low.start)

    @classmethod
    def from_frames(
        cls,
        *,
        organisations: pd.DataFrame,
        departments: pd.DataFrame,
        dwellings: pd.DataFrame,
        areas: pd.DataFrame,
        indicators: pd.DataFrame,
        lists: pd.DataFrame,
        applicants: pd.DataFrame | None = None,
        area_indicators: pd.DataFrame | None = None,
        name: str = "municipality",
        synthetic: bool = False,
        settings: MunicipalitySettings | None = None,
    ) -> Municipality:
        """Validate every table and the references between them; all problems at once."""
        raw = {
            "organisations": organisations,
            "departments": departments,
            "dwellings": dwellings,
            "areas": areas,
            "indicators": indicators,
            "lists": lists,
        }
        municipality = cls._build(
            {t: (f, False) for t, f in raw.items()}, applicants, name=name,
            synthetic=synthetic, settings=settings,
        )
        if area_indicators is not None:
            municipality = attrs.evolve(municipality, area_indicators=area_indicators)
        return municipality

    @classmethod
    def from_folder(
        cls,
        folder: str | os.PathLike[str],
        *,
        name: str | None = None,
        dayfirst: bool = False,
        applicants: TableSpec | None = None,
    ) -> Municipality:
        """Read each table from ``folder``: ``<table>.csv`` or ``.xlsx``, English or Danish.

        The file names are those of :data:`TABLE_FILES`. ``applicants`` and
        ``area_indicators`` are optional and read as text (with canonical headers
        and values, see :func:`fuaalborg.tables.normalise`), to be validated by the
        code that uses them (the applicant vocabulary,
        :func:`fuaalborg.classify_areas`); every other table is required. A
        ``municipality.toml`` gives the name shown in outputs (else ``name``,
        else "unnamed municipality" — never the folder's name). ``dayfirst`` reads
        dates written ``dd-mm-yyyy``.

        ``applicants`` is the spec to validate the waiting list with as well (the
        applicant vocabulary, :data:`fuaalborg.criteria.vocabulary.APPLICANTS`,
        for code that ranks it): its problems are then reported together with
        every other table's, in one error. The waiting list is kept as read.

        Every table is checked against the sanity bounds of the folder's own
        ``municipality.toml`` (:attr:`MunicipalitySettings.parameters`). The
        problems of several tables are listed table by table, each headed by its
        file's name (``afdelinger.csv (table 'departments'): 2 problems``).
        """
        base = Path(folder)
        if not base.is_dir():
            raise ValidationError(f"municipality folder {base} does not exist")
        # everything that stops a table (or the settings) from being read is a problem of
        # its file, reported with every other table's problems: one run shows them all
        read = _read_settings(base)
        settings = read.settings
        problems: list[FileProblem] = [
            FileProblem.of(SETTINGS_FILE, p.what, p.where) for p in read.problems
        ]
        files: dict[str, str] = {SETTINGS_FILE: SETTINGS_FILE} if problems else {}
        unreadable: dict[str, str] = {}
        found: dict[str, Path] = {}
        missing: list[str] = []
        for table, names in TABLE_FILES.items():
            candidates = table_files(base, table)
            if len(candidates) > 1:
                twice = [p.name for p in candidates]
                files[table] = ", ".join(twice[:-1]) + " and " + twice[-1]
                unreadable[table] = "are the same table twice"
                problems.append(FileProblem.of(
                    table, f"the same table in {len(twice)} files; keep one, named "
                    f"{names[0]}.csv or {names[1]}.csv (or .xlsx)",
                ))
            elif candidates:
                found[table] = candidates[0]
            elif table not in _OPTIONAL:
                missing.append(table)
        # a missing file is named as the folder's other files are: in Danish or in English
        in_danish = 2 * sum(path.stem == TABLE_FILES[t][1] for t, path in found.items()) \
            > len(found)
        shown = base.resolve().name  # also of a folder given as "."
        for table in missing:
            english, danish_name = TABLE_FILES[table]
            first, other = (danish_name, english) if in_danish else (english, danish_name)
            files[table] = f"{first}.csv"
            unreadable[table] = "is missing"
            problems.append(FileProblem.of(
                table, f"missing {first}.csv (or {other}.csv, or .xlsx) in folder {shown}"
            ))
        raw: dict[str, tuple[pd.DataFrame, bool]] = {}
        danish = False
        for table, path in found.items():
            files[table] = path.name
            try:
                frame, decimal_comma = _read_raw(path)
            except UnreadableFileError as exc:
                unreadable[table] = "cannot be read"
                problems.append(FileProblem.of(table, exc.problem))
                continue
            spec = specs.TABLE_SPECS.get(table)
            danish = danish or decimal_comma or (
                spec is not None and spec.language_of(frame.columns) == "da"
            ) or any(str(c) in _DANISH_HEADERS for c in frame.columns)
            raw[table] = (frame, decimal_comma)
        extra = {
            t: _optional_table(raw.pop(t), dayfirst) for t in _OPTIONAL if t in raw
        }
        shown = settings.name if settings else (name or UNNAMED)
        waiting = extra.get("applicants")
        municipality = cls._build(
            raw, waiting, name=shown, synthetic=False, settings=settings,
            dayfirst=dayfirst, parameters=read.parameters,
            applicants_spec=None if waiting is None else applicants,
            files=files,
            # problems first, table by table in their order (the settings first)
            file_problems=sorted(problems, key=lambda p: _FILE_ORDER.get(p.table, -1)),
            unreadable=unreadable, unbounded=read.unbounded, unbounded_reason=read.reason,
        )
        municipality = attrs.evolve(municipality, danish=danish)
        if "area_indicators" in extra:
            municipality = attrs.evolve(municipality, area_indicators=extra["area_indicators"])
        return municipality

    @classmethod
    def _build(
        cls,
        raw: Mapping[str, tuple[pd.DataFrame, bool]],
        applicants: pd.DataFrame | None,
        *,
        name: str,
        synthetic: bool,
        settings: MunicipalitySettings | None = None,
        dayfirst: bool = False,
        parameters: ParameterSet | None = None,
        applicants_spec: TableSpec | None = None,
        files: Mapping[str, str] | None = None,
        file_problems: Sequence[FileProblem] = (),
        unreadable: Mapping[str, str] | None = None,
        unbounded: frozenset[str] = frozenset(),
        unbounded_reason: str = "",
    ) -> Municipality:
        # the problems of files that cannot be read (and of the settings) come first
        errors: list[TableValidationError] = (
            [TableValidationError("folder", file_problems)] if file_problems else []
        )
        checked: dict[str, CheckedTable] = {}
        specs_used: dict[str, TableSpec] = {}
        for table, (frame, decimal_comma) in raw.items():
            spec = specs_used[table] = _without_bounds(specs.TABLE_SPECS[table], unbounded)
            checked[table] = spec.check(
                frame, decimal_comma=decimal_comma, dayfirst=dayfirst, parameters=parameters
            )
            if checked[table].problems:
                errors.append(checked[table].error())
        read = dict(checked)
        if applicants is not None and applicants_spec is not None:
            # the waiting list stands on its own: its problems join the other tables'
            specs_used["applicants"] = applicants_spec  # as declared: its bounds are named
            spec = _without_bounds(applicants_spec, unbounded)
            waiting = read["applicants"] = spec.check(applicants, parameters=parameters)
            if waiting.problems:
                errors.append(waiting.error())
        # the checks between the tables, on every row that could be read (also of a table
        # with problems of its own): all problems in one round, each column named as its
        # own file names it; a check that reads a column a table lacks, or a table whose
        # file is missing or cannot be read, is named as not made
        problems, not_checked = specs.check_between_tables(
            {table: c.frame for table, c in checked.items()}, unreadable=unreadable
        )
        not_checked += _bounds_not_checked(read, specs_used, unbounded, unbounded_reason)
        if problems:
            errors.append(TableValidationError("municipality", problems))
        if errors:  # a check is not made only where something cannot be read: a problem
            raise combine_errors(errors, files, not_checked)
        tables = {table: c.frame for table, c in checked.items()}
        return cls(
            organisations=tables["organisations"],
            departments=tables["departments"],
            dwellings=tables["dwellings"],
            areas=tables["areas"],
            indicators=tables["indicators"],
            lists=tables["lists"],
            applicants=applicants if applicants is not None else pd.DataFrame(),
            name=name,
            synthetic=synthetic,
            settings=settings,
        )

    def department(self, department_id: str) -> pd.Series[Any]:
        """The departments-table row of ``department_id``."""
        rows = self.departments.loc[self.departments["department_id"] == department_id]
        if rows.empty:
            raise ValidationError(f"unknown department {department_id!r}")
        return rows.iloc[0]


def _parameters(
    settings: MunicipalitySettings | None, base: ParameterSet | None = None
) -> ParameterSet:
    """``base`` (default: the bundled parameters) with ``settings``' need and bounds on top."""
    base = base if base is not None else load_parameters()
    layer = settings.layer() if settings else {}
    if not layer:
        return base
    assert settings is not None
    return ParameterSet((*base.layers, layer), (*base.sources, settings.source))


def _danish_headers() -> frozenset[str]:
    from fuaalborg import danish

    return frozenset(v for k, v in danish.HEADERS.items() if v != k)


_DANISH_HEADERS = _danish_headers()


def _read_raw(path: Path) -> tuple[pd.DataFrame, bool]:
    """A table file as text cells, and whether numbers use the decimal comma.

    A file that cannot be read raises :class:`~fuaalborg.tables.UnreadableFileError`.
    """
    if path.suffix.lower() == ".xlsx":
        return read_xlsx_text(path, path.name), False
    return read_csv_text(path, path.name)


#: The order in which a folder's file problems are listed: the settings, then the tables.
_FILE_ORDER: Mapping[str, int] = {
    SETTINGS_FILE: -1, **{table: i for i, table in enumerate(TABLE_FILES)}
}


@attrs.frozen
class _ReadSettings:
    """A folder's settings as far as they can be read, and what the tables are checked
    against: the bounds that could be read, and the bounds (``bounds.*`` parameters)
    that cannot be checked because the settings' ``[bounds]`` cannot be read."""

    settings: MunicipalitySettings | None
    problems: tuple[Problem, ...]
    parameters: ParameterSet
    unbounded: frozenset[str] = frozenset()
    reason: str = ""


def _read_settings(base: Path) -> _ReadSettings:
    """The settings of folder ``base``; their problems kept, not raised.

    A problem of the settings does not stop the tables from being checked: only
    the sanity bounds come from ``municipality.toml``. Where its ``[bounds]`` (or
    the whole file) cannot be read, the bounds that could be read apply, and the
    columns whose bound the settings may have meant to set are checked against
    their absolute limits only, never against the bundled bound in place of the
    municipality's own: those checks are named as not made.
    """
    try:
        settings = MunicipalitySettings.of_folder(base)
    except SettingsError as err:
        problems = tuple(err.problems)
    else:
        return _ReadSettings(settings, (), _parameters(settings))
    whole = any(not p.where for p in problems)  # not readable, or not TOML at all
    in_bounds = whole or any(
        p.where.split(".")[0] == "bounds" and p.where != "bounds.reference" for p in problems
    )
    bounds: dict[str, float] = {}
    reference = ""
    if not whole:
        raw = tomllib.loads((base / SETTINGS_FILE).read_text(encoding="utf-8"))
        bounds, reference = _bounds(raw.get("bounds"), [])
    partial = MunicipalitySettings("", bounds=bounds, bounds_reference=reference)
    unbounded = frozenset(f"bounds.{k}" for k in _BOUNDS if k not in bounds) if in_bounds \
        else frozenset()
    reason = "cannot be read" if whole else "has problems in [bounds]"
    return _ReadSettings(None, problems, _parameters(partial), unbounded, reason)


def _without_bounds(spec: TableSpec, unbounded: frozenset[str]) -> TableSpec:
    """``spec`` with the sanity bounds named in ``unbounded`` left out (its limits stay)."""
    if not unbounded or not any(
        c.bound in unbounded or c.lower_bound in unbounded for c in spec.columns
    ):
        return spec
    columns = tuple(
        attrs.evolve(
            c,
            bound=None if c.bound in unbounded else c.bound,
            lower_bound=None if c.lower_bound in unbounded else c.lower_bound,
        )
        for c in spec.columns
    )
    return attrs.evolve(spec, columns=columns)


def _bounds_not_checked(
    checked: Mapping[str, CheckedTable],
    used: Mapping[str, TableSpec],
    unbounded: frozenset[str],
    reason: str,
) -> list[NotChecked]:
    """The sanity bounds not checked because the settings that state them cannot be read.

    ``used`` gives each table's spec as declared (with its bounds), where it is not
    one of :data:`fuaalborg.specs.TABLE_SPECS`.
    """
    if not unbounded:
        return []
    names = []
    for table, result in checked.items():
        declared = specs.TABLE_SPECS.get(table) or used[table]
        headers = file_headers(result.frame)
        for col in declared.columns:
            bounds = [b for b in (col.lower_bound, col.bound) if b in unbounded]
            if bounds and col.name in result.frame.columns:
                header = headers.get(col.name, col.name)
                names.append(f"the {table}' {header} against {' and '.join(bounds)}")
    return [NotChecked(SETTINGS_FILE, "", tuple(names), reason)] if names else []


@attrs.frozen
class FolderBounds:
    """The sanity bounds a municipality's folder is checked against, as far as they can be read.

    ``parameters`` are the bundled parameters with the bounds of the folder's
    ``municipality.toml`` on top, as far as its ``[bounds]`` can be read;
    ``unbounded`` names the bounds (``bounds.rooms``) it may have meant to set
    but that cannot be read, and ``reason`` says why (``"has problems in
    [bounds]"``, ``"cannot be read"``). A column with such a bound is checked
    against its absolute limits only, never against the bundled bound in place
    of the municipality's own (:meth:`Municipality.from_folder` does the same).
    """

    parameters: ParameterSet
    unbounded: frozenset[str] = frozenset()
    reason: str = ""

    @classmethod
    def of_folder(cls, folder: str | os.PathLike[str]) -> FolderBounds:
        """The bounds of ``folder``'s settings (the bundled ones where it has none)."""
        read = _read_settings(Path(folder))
        return cls(read.parameters, read.unbounded, read.reason)


def check_beside(
    source: str | os.PathLike[str],
    spec: TableSpec,
    folder: str | os.PathLike[str] | None = None,
    *,
    dayfirst: bool = False,
    parameters: ParameterSet | None = None,
) -> CheckedTable:
    """Check a table file given beside a municipality's folder as the folder's own are.

    A waiting list given apart from the folder is checked against the sanity
    bounds of ``folder``'s ``municipality.toml`` as far as they can be read
    (:class:`FolderBounds`; without ``folder``, against ``parameters``). Its
    problems are returned, not raised (:class:`~fuaalborg.tables.CheckedTable`,
    named by the file's name), so that a front end reports them with the
    folder's in one error (:func:`~fuaalborg.tables.combine_errors`): a file
    that cannot be read at all (not UTF-8, not CSV, not an xlsx workbook) is
    one :class:`~fuaalborg.tables.FileProblem`, and a check against a bound
    that cannot be read is named as not made
    (:attr:`~fuaalborg.tables.CheckedTable.not_checked`; the settings' own
    problems are the folder's, reported by :meth:`Municipality.from_folder`).
    """
    bounds = FolderBounds.of_folder(folder) if folder is not None \
        else FolderBounds(parameters if parameters is not None else load_parameters())
    used = _without_bounds(spec, bounds.unbounded)
    name = Path(source).name
    try:
        checked = check_table(source, used, dayfirst=dayfirst, parameters=bounds.parameters)
    except UnreadableFileError as exc:
        return CheckedTable(spec.name, pd.DataFrame(),
                            (FileProblem.of(spec.name, exc.problem),), file=name)
    not_checked = _bounds_not_checked(
        {spec.name: checked}, {spec.name: spec}, bounds.unbounded, bounds.reason
    )
    return attrs.evolve(checked, not_checked=tuple(not_checked))

def _optional_table(raw: tuple[pd.DataFrame, bool], dayfirst: bool) -> pd.DataFrame:
    """An optional table as text with canonical headers; Danish decimals made plain."""
    frame, decimal_comma = raw
    out = normalise(frame, dayfirst=dayfirst)
    if decimal_comma:
        # text numbers in the Danish form (1.234,5) become plain (1234.5); other text stays
        for column in out.columns:
            values = out[column]
            if values.dtype != object and not pd.api.types.is_string_dtype(values.dtype):
                continue
            text = values.astype("string").str.strip()
            match = text.str.fullmatch(DANISH_NUMBER).fillna(False).astype(bool)
            if match.any():
                plain = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
                out[column] = values.astype(object).where(~match, plain)
    return out
