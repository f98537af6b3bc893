"""The ministry's area lists: almenboligloven § 61 a and § 61 b.

:func:`classify_areas` classifies housing areas (boligområder) against the lists
for the law version in force on each row's list date:

- **udsat boligområde** (§ 61 a, stk. 1): at least 2 of 4 socio-economic criteria;
- **parallelsamfund** (§ 61 a, stk. 2; before L 23 "ghettoområde"): the non-Western
  share overstiger 50 % and at least 2 of the udsat criteria;
- **omdannelsesområde** (§ 61 a, stk. 4; before L 23 "hårdt ghettoområde"):
  parallelsamfund on each of the last 5 yearly lists (the 2018 text's 4 years
  were replaced by 5 for the lists of 2018–2020 by its transitional rule, and by
  the 2021 text from then on: parameter ``lists.omdannelse_years``);
- **forebyggelsesområde** (§ 61 b, only from the 2021 text): the non-Western share
  overstiger 30 % and at least 2 of 4 milder criteria.

Areas with fewer than 1,000 residents are on no list (§ 61 a, stk. 3). Udsat and
forebyggelse are independent conditions: an area may meet both. The boolean
columns say which conditions an area *meets*: ``forebyggelse`` is true for every
area meeting § 61 b, udsat areas included. ``designation`` follows the published
lists, on which an area appears once, under its most severe designation — the
library's reading of the published lists: the forebyggelse list does not repeat
areas on the udsat list, so an udsat area that also meets § 61 b is designated
``udsat``. Every threshold, operator and history length is a cited, dated
parameter in ``lists.toml``.

**Boundaries.** The statute's words decide the operator: "overstiger" is strict
``>``, "udgør mindst" is ``>=``, "udgør mindre end" is strict ``<``; 30.0 does not
overstige 30. Before comparing, every indicator is rounded to
``lists.comparison_decimals`` decimals (6): a value read from a CSV file as
``30.000000000000004`` counts as 30.0 and cannot flip a result, while every
digit the ministry publishes (at most 2 decimals) is kept. Pass ``decimals=`` to
use another number.

>>> import pandas as pd
>>> areas = pd.DataFrame({
...     "area_id": ["A", "B"], "list_date": ["2022-12-01", "2022-12-01"],
...     "residents": [2500, 1800], "non_western_pct": [55.0, 35.0],
...     "outside_work_education_pct": [45.0, 30.000000000000004],
...     "conviction_ratio": [1.0, 2.0], "basic_education_pct": [65.0, 50.0],
...     "income_ratio_pct": [60.0, 64.9]})
>>> classify_areas(areas)[["area_id", "udsat", "parallelsamfund", "forebyggelse", "designation"]]
  area_id  udsat  parallelsamfund  forebyggelse      designation
0       A   True             True          True  parallelsamfund
1       B  False            False          True     forebyggelse
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import numpy as np
import pandas as pd

from fuaalborg.dates import as_date
from fuaalborg.errors import (
    NotInForceError,
    ParameterFileError,
    Problem,
    ValidationError,
    unknown_keys,
)
from fuaalborg.monitoring._compare import OPERATORS, compare, format_number
from fuaalborg.parameters import ParameterSet, load_parameters
from fuaalborg.specs import AREAS, DESIGNATIONS, INDICATORS, LISTS, one_conviction_form
from fuaalborg.tables import Column, TableProblem, TableSpec, read_table

__all__ = [
    "AREA_INDICATORS",
    "LIST_NAMES",
    "Condition",
    "Criterion",
    "ListLevel",
    "ListRules",
    "NoListRulesError",
    "classify_areas",
    "compare_with_lists",
    "conviction_ratios",
    "list_rules",
]

#: The four lists, most severe first (the order of ``designation``).
LIST_NAMES = ("omdannelse", "parallelsamfund", "udsat", "forebyggelse")

_PCT: dict[str, Any] = {"unit": "%", "min": 0.0, "max": 100.0}

def _one_conviction_given(frame: pd.DataFrame) -> Iterator[TableProblem]:
    """Each area row gives its conviction share, as a ratio or in percent."""
    pct = frame["conviction_pct"] if "conviction_pct" in frame.columns else None
    given = frame["conviction_ratio"].notna() if "conviction_ratio" in frame.columns else None
    if given is None:
        given = pd.Series(False, index=frame.index)
    if pct is not None:
        given = given | pct.notna()
    for pos in np.flatnonzero(~given.to_numpy(dtype=bool)):
        yield TableProblem(
            "area_indicators", "conviction_ratio", int(pos) + 1, None,
            "a number (required; or give the share in percent as conviction_pct)",
        )


#: Input of :func:`classify_areas`: the ministry's indicators per area and list date.
AREA_INDICATORS = TableSpec(
    name="area_indicators",
    description="The ministry's indicators per housing area and list date (§ 61 a, § 61 b)",
    description_da="Ministeriets indikatorer pr. boligområde og listedato",
    key=("area_id", "list_date"),
    columns=(
        # the areas' own identifier and residents (fuaalborg.specs), one row per list date
        attrs.evolve(AREAS.column("area_id"), unique=False),
        Column(
            "list_date", "date", "the list's publication date (1 December)", "listens dato"
        ),
        AREAS.column("residents"),
        Column(
            "non_western_pct",
            "float",
            "aggregate share of immigrants and descendants from non-Western countries",
            "andel indvandrere og efterkommere fra ikkevestlige lande",
            **_PCT,
        ),
        Column(
            "outside_work_education_pct",
            "float",
            "share of residents aged 18–64 outside work or education, 2-year average",
            "andel 18–64-årige uden tilknytning til arbejdsmarked eller uddannelse",
            **_PCT,
        ),
        Column(
            "conviction_ratio",
            "float",
            "share convicted (criminal code, weapons, drugs), 2-year average, as a multiple "
            "of the national average (or give conviction_pct)",
            "andel dømte i forhold til landsgennemsnittet",
            unit="× national average",
            min=0.0,
            nullable=True,
            bound="bounds.conviction_ratio",
        ),
        # the same share in percent, converted with the national average
        attrs.evolve(INDICATORS.column("conviction_pct")),
        # the same indicator as the departments' (fuaalborg.specs), required per area
        attrs.evolve(INDICATORS.column("basic_education_pct"), nullable=False),
        Column(
            "income_ratio_pct",
            "float",
            "average gross income of residents aged 15–64 (students excluded) as a share of "
            "the region's",
            "gennemsnitlig bruttoindkomst i procent af regionens",
            unit="%",
            min=0.0,
            max=1000.0,
        ),
    ),
    checks=(
        functools.partial(one_conviction_form, table="area_indicators"),
        _one_conviction_given,
    ),
)


class NoListRulesError(NotInForceError):
    """A list date for which no version of §§ 61 a–61 b is implemented (before 2018-12-01).

    ``rows`` lists ``(row, area_id, list_date)`` of every such row (1-based rows).
    """

    def __init__(self, rows: list[tuple[int, str, dt.date]], first: dt.date | None) -> None:
        self.rows = tuple(rows)
        since = f" (rules are implemented from {first.isoformat()})" if first else ""
        lines = [
            f"no version of almenboligloven §§ 61 a–61 b is implemented for "
            f"{len(rows)} row{'s' if len(rows) != 1 else ''}{since}:"
        ]
        lines += [f"  row {r}: area {a!r}, list date {d.isoformat()}" for r, a, d in rows[:40]]
        if len(rows) > 40:
            lines.append(f"  … and {len(rows) - 40} more")
        super().__init__("\n".join(lines))


@attrs.frozen
class Criterion:
    """One numbered criterion of a list, e.g. § 61 a, stk. 1, nr. 1."""

    column: str
    nr: int
    operator: str
    threshold: float
    wording: str

    def describe(self) -> str:
        """``nr. 1: outside_work_education_pct > 40``."""
        return f"nr. {self.nr}: {_comparison(self)}"


@attrs.frozen
class Condition:
    """A condition that must hold on top of the criteria (the non-Western share)."""

    column: str
    operator: str
    threshold: float
    wording: str

    def describe(self) -> str:
        """``non_western_pct > 50``."""
        return _comparison(self)


def _comparison(test: Criterion | Condition) -> str:
    """``column operator threshold``, as a criterion or condition states it."""
    return f"{test.column} {test.operator} {format_number(test.threshold)}"


@attrs.frozen
class ListLevel:
    """One list (udsat, parallelsamfund, forebyggelse) as in force on a date."""

    name: str
    paragraph: str
    reference: str
    min_criteria: int
    criteria: tuple[Criterion, ...]
    condition: Condition | None


@attrs.frozen
class ListRules:
    """Every rule of §§ 61 a–61 b for lists published on ``list_date``.

    ``forebyggelse`` is ``None`` before § 61 b took effect (2021-11-30).
    """

    list_date: dt.date
    version: str
    act: str
    reference: str
    min_residents: int
    residents_paragraph: str
    omdannelse_years: int
    omdannelse_paragraph: str
    omdannelse_reference: str
    udsat: ListLevel
    parallelsamfund: ListLevel
    forebyggelse: ListLevel | None
    decimals: int

    def describe(self) -> list[str]:
        """The rules as readable lines, each with its paragraph."""
        lines = [f"Lists of {self.list_date.isoformat()}: {self.version} text ({self.act})"]
        lines.append(
            f"  at least {self.min_residents} residents ({self.residents_paragraph})"
        )
        for level in (self.udsat, self.parallelsamfund, self.forebyggelse):
            if level is None:
                lines.append("  forebyggelse: not in force (§ 61 b applies from 2021-11-30)")
                continue
            crit = "; ".join(c.describe() for c in level.criteria)
            cond = f"{level.condition.describe()} and " if level.condition else ""
            lines.append(
                f"  {level.name} ({level.paragraph}): {cond}at least {level.min_criteria} "
                f"of [{crit}]"
            )
        lines.append(
            f"  omdannelse ({self.omdannelse_paragraph}): parallelsamfund on "
            f"{self.omdannelse_years} yearly lists in a row"
        )
        return lines


_NUMERIC_COLUMNS = frozenset(
    c.name for c in AREA_INDICATORS.columns if c.dtype in ("int", "float")
)



def _test_table(
    raw: Any, where: str, problems: list[Problem], *, numbered: bool
) -> dict[str, Any] | None:
    keys = {"operator", "threshold", "wording"} | ({"nr"} if numbered else {"column"})
    if not isinstance(raw, Mapping):
        problems.append(Problem(where, f"expected a table with {', '.join(sorted(keys))}"))
        return None
    extra = unknown_keys(raw, keys, where)
    problems += extra
    ok = not extra
    for missing in sorted(keys - set(raw)):
        problems.append(Problem(f"{where}.{missing}", "missing"))
        ok = False
    if raw.get("operator") not in OPERATORS:
        problems.append(Problem(
            f"{where}.operator",
            f"{raw.get('operator')!r} is not one of > >= < <=",
        ))
        ok = False
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float):
        problems.append(Problem(f"{where}.threshold", f"{threshold!r} is not a number"))
        ok = False
    if not numbered and raw.get("column") not in _NUMERIC_COLUMNS:
        problems.append(Problem(
            f"{where}.column",
            f"{raw.get('column')!r} is not an indicator column",
        ))
        ok = False
    return dict(raw) if ok else None


def _level(
    name: str,
    value: Any,
    reference: str,
    problems: list[Problem],
    inherited: tuple[Criterion, ...] = (),
) -> ListLevel | None:
    where = f"lists.{name}"
    if not isinstance(value, Mapping):
        problems.append(Problem(where, "expected a table"))
        return None
    allowed = {"paragraph", "min_criteria", "criteria", "criteria_of", "condition"}
    problems += unknown_keys(value, allowed, where)
    criteria: list[Criterion] = []
    raw_criteria = value.get("criteria", {})
    if not isinstance(raw_criteria, Mapping):
        problems.append(Problem(f"{where}.criteria", "expected a table of criteria"))
        raw_criteria = {}
    for column, raw in raw_criteria.items():
        if column not in _NUMERIC_COLUMNS:
            problems.append(Problem(f"{where}.criteria.{column}", "not an indicator column"))
            continue
        table = _test_table(raw, f"{where}.criteria.{column}", problems, numbered=True)
        if table is not None:
            criteria.append(
                Criterion(
                    column, int(table["nr"]), table["operator"], float(table["threshold"]),
                    str(table["wording"]),
                )
            )
    if "criteria_of" in value:
        criteria = list(inherited)
    condition = None
    if "condition" in value:
        table = _test_table(value["condition"], f"{where}.condition", problems, numbered=False)
        if table is not None:
            condition = Condition(
                table["column"], table["operator"], float(table["threshold"]),
                str(table["wording"]),
            )
    min_criteria = value.get("min_criteria")
    if not isinstance(min_criteria, int) or isinstance(min_criteria, bool) or min_criteria < 1:
        problems.append(Problem(
            f"{where}.min_criteria",
            f"{min_criteria!r} is not a whole number >= 1",
        ))
        min_criteria = 0
    elif criteria and min_criteria > len(criteria):
        problems.append(Problem(
            f"{where}.min_criteria",
            f"{min_criteria} exceeds the {len(criteria)} criteria",
        ))
    if not criteria:
        problems.append(Problem(where, "no criteria"))
    paragraph = value.get("paragraph")
    if not isinstance(paragraph, str):
        problems.append(Problem(f"{where}.paragraph", "missing (the paragraph cited in reasons)"))
        paragraph = ""
    return ListLevel(
        name, paragraph, reference, min_criteria,
        tuple(sorted(criteria, key=lambda c: c.nr)), condition,
    )


def list_rules(
    list_date: dt.date | str,
    *,
    parameters: ParameterSet | None = None,
    decimals: int | None = None,
) -> ListRules:
    """The rules of §§ 61 a–61 b for a list published on ``list_date``.

    Raises :class:`NoListRulesError` before 2018-12-01.

    >>> rules = list_rules("2020-12-01")
    >>> rules.version, rules.omdannelse_years, rules.forebyggelse is None
    ('2018', 5, True)
    >>> list_rules("2021-12-01").omdannelse_years
    5
    """
    params = parameters or load_parameters()
    on = as_date(list_date)
    try:
        version = params.lookup("lists.law_version", on)
    except NotInForceError:
        first = min(v.start for v in params.history("lists.law_version"))
        raise NoListRulesError([], first) from None
    problems: list[Problem] = []
    udsat_dv = params.lookup("lists.udsat", on)
    udsat = _level("udsat", udsat_dv.value, udsat_dv.reference, problems)
    par_dv = params.lookup("lists.parallelsamfund", on)
    par = _level(
        "parallelsamfund", par_dv.value, par_dv.reference, problems,
        udsat.criteria if udsat else (),
    )
    fore: ListLevel | None = None
    try:
        fore_dv = params.lookup("lists.forebyggelse", on)
        fore = _level("forebyggelse", fore_dv.value, fore_dv.reference, problems)
    except NotInForceError:
        fore = None
    omd = params.lookup("lists.omdannelse_years", on)
    info = version.value
    for key in ("name", "act", "residents_paragraph", "omdannelse_paragraph"):
        if not isinstance(info.get(key), str):
            problems.append(Problem(f"lists.law_version.{key}", "missing text"))
    if problems or udsat is None or par is None:
        raise ParameterFileError(problems)
    if par.condition is None:
        raise ParameterFileError([Problem("lists.parallelsamfund.condition", "missing")])
    return ListRules(
        list_date=on,
        version=str(info["name"]),
        act=str(info["act"]),
        reference=version.reference,
        min_residents=int(params.get("lists.min_residents", on)),
        residents_paragraph=str(info["residents_paragraph"]),
        omdannelse_years=int(omd.value),
        omdannelse_paragraph=str(info["omdannelse_paragraph"]),
        omdannelse_reference=omd.reference,
        udsat=udsat,
        parallelsamfund=par,
        forebyggelse=fore,
        decimals=int(
            decimals if decimals is not None else params.get("lists.comparison_decimals", on)
        ),
    )


def _one_list_per_year(frame: pd.DataFrame) -> Iterator[TableProblem]:
    """Each area appears at most once per list year (history is matched by year)."""
    years = frame["list_date"].dt.year
    dup = pd.DataFrame({"a": frame["area_id"], "y": years}).duplicated(keep="first")
    for pos in np.flatnonzero(dup.to_numpy()):
        yield TableProblem(
            "area_indicators",
            "area_id, list_date",
            int(pos) + 1,
            f"({frame['area_id'].iloc[pos]}, {frame['list_date'].iloc[pos].date()})",
            "one list date per area per year",
        )


def _join(acc: pd.Series[str], part: pd.Series[str], sep: str = ", ") -> pd.Series[str]:
    """Append ``part`` to ``acc`` with ``sep`` where both are non-empty (vectorised)."""
    both = (acc != "") & (part != "")
    return acc.where(part == "", acc.where(~both, acc + sep) + part)


def _text(values: Any, index: Any) -> pd.Series[Any]:
    return pd.Series(values, index=index, dtype=object)


def _shown(values: pd.Series[Any], decimals: int) -> pd.Series[Any]:
    # a whole column of indicator values at once, rounded to the decimals the lists
    # compare at (format_value prints one value and knows no decimals); 12.0 as "12"
    text: pd.Series[Any] = values.round(decimals).astype(str)
    return text.str.replace(r"\.0$", "", regex=True)


def _measure(
    sub: pd.DataFrame, test: Criterion | Condition, decimals: int
) -> tuple[np.ndarray[Any, np.dtype[np.bool_]], pd.Series[str]]:
    """Where ``test`` holds, and ``column value operator threshold`` for every area."""
    met = compare(sub[test.column].to_numpy(), test.operator, test.threshold, decimals)
    text = (
        f"{test.column} " + _shown(sub[test.column], decimals)
        + f" {test.operator} {format_number(test.threshold)}"
    )
    return met, text


def _evaluate_level(
    sub: pd.DataFrame, level: ListLevel, decimals: int
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], pd.Series[str]]:
    """Count the criteria met and list them with value and threshold."""
    count = np.zeros(len(sub), dtype=np.int64)
    listed = pd.Series("", index=sub.index, dtype=object)
    for crit in level.criteria:
        met, text = _measure(sub, crit, decimals)
        count += met
        listed = _join(listed, (f"nr. {crit.nr}: " + text).where(met, ""), "; ")
    return count, listed


def _count_text(
    count: np.ndarray[Any, np.dtype[np.int64]], listed: pd.Series[str], level: ListLevel
) -> pd.Series[str]:
    """``2 of 4 criteria met (nr. 1: …; nr. 3: …), at least 2 required``."""
    index = listed.index
    return (
        pd.Series(count, index=index).astype(str) + f" of {len(level.criteria)} criteria met"
        + listed.where(listed == "", " (" + listed + ")")
        + f", at least {level.min_criteria} required"
    )


def _level_text(
    level: ListLevel,
    holds: np.ndarray[Any, np.dtype[np.bool_]],
    enough: np.ndarray[Any, np.dtype[np.bool_]],
    counted: pd.Series[str],
    condition: pd.Series[str] | None,
    condition_met: np.ndarray[Any, np.dtype[np.bool_]] | None,
    not_enough: pd.Series[str] | None = None,
) -> pd.Series[str]:
    """``<list> (§): yes, …`` or ``<list> (§): no, …`` saying which part fails."""
    index = counted.index
    head = f"{level.name} ({level.paragraph}): "
    few = not_enough if not_enough is not None else "only " + counted
    if condition is None or condition_met is None:
        verdict: pd.Series[str] = _text(np.where(holds, "yes, ", "no, "), index)
        return head + verdict + _text(np.where(holds, counted, few), index)
    yes = "yes, " + condition + " and " + counted
    no_condition = "no, " + condition.str.replace(
        r" (>=|<=|>|<) ", r" is not \1 ", n=1, regex=True
    ) + " (" + counted + ")"
    no_count = "no, " + few + " (" + condition + " is met)"
    both = "no, " + condition.str.replace(
        r" (>=|<=|>|<) ", r" is not \1 ", n=1, regex=True
    ) + " and " + few
    return head + pd.Series(
        np.select(
            [holds, ~condition_met & enough, condition_met & ~enough],
            [yes, no_condition, no_count],
            default=both,
        ),
        index=index,
    )


def classify_areas(
    areas: pd.DataFrame | str | os.PathLike[str],
    on: dt.date | str | None = None,
    *,
    lists: pd.DataFrame | str | os.PathLike[str] | None = None,
    decimals: int | None = None,
    parameters: ParameterSet | None = None,
) -> pd.DataFrame:
    """Classify housing areas against §§ 61 a–61 b for each row's list date.

    ``areas`` has one row per area per list date (see :data:`AREA_INDICATORS`);
    every problem in it is reported at once. The result has one row per input row
    (same index) with ``law_version``, ``udsat_criteria_met``, the booleans
    ``udsat``, ``parallelsamfund``, ``omdannelse``, ``forebyggelse``,
    ``parallelsamfund_years`` (yearly lists in a row, capped at the number
    required), ``forebyggelse_criteria_met`` (missing before § 61 b), the single
    most severe ``designation`` (the published lists' reading: an area is listed
    once) and a ``reason`` citing the paragraphs. The booleans say which
    conditions hold: ``forebyggelse`` is also true for an udsat area meeting § 61 b.

    Omdannelse uses the frame's own history: the area must be parallelsamfund on
    this list and on each previous yearly list, 5 in all (``lists.omdannelse_years``:
    for the lists of 2018–2020 under § 61 a, stk. 5 of the 2018 text, and from
    2021-11-30; the 2018 text's main rule of 4 years never governed a list).
    ``lists`` (the official lists, :data:`fuaalborg.specs.LISTS`) fills years the
    frame lacks (a designation of parallelsamfund or omdannelse
    counts as parallelsamfund). Missing history means not omdannelse, and the
    reason says which list is missing.

    ``on`` keeps only the rows of the list in force on that date (the latest
    list date on or before it); history still comes from the whole frame.
    A list date before 2018-12-01 raises :class:`NoListRulesError`.
    """
    params = parameters or load_parameters()
    frame = read_table(areas, AREA_INDICATORS, checks=(_one_list_per_year,))
    official = read_table(lists, LISTS) if lists is not None else None
    n = len(frame)
    dates = frame["list_date"]
    rules: dict[pd.Timestamp, ListRules] = {}
    bad: list[pd.Timestamp] = []
    for stamp in sorted(dates.dropna().unique()):
        ts = pd.Timestamp(stamp)
        try:
            rules[ts] = list_rules(ts.date(), parameters=params, decimals=decimals)
        except NoListRulesError:
            bad.append(ts)
    if bad:
        mask = dates.isin(bad).to_numpy()
        rows = [
            (int(i) + 1, str(frame["area_id"].iloc[i]), dates.iloc[i].date())
            for i in np.flatnonzero(mask)
        ]
        first = min(v.start for v in params.history("lists.law_version"))
        raise NoListRulesError(rows, first)

    work = conviction_ratios(frame.reset_index(drop=True), "list_date", params,
                             table="area_indicators")
    version: pd.Series[Any] = pd.Series("", index=work.index, dtype=object)
    udsat_count = np.zeros(n, dtype=np.int64)
    fore_count = pd.array([pd.NA] * n, dtype="Int64")
    udsat = np.zeros(n, dtype=bool)
    parallel = np.zeros(n, dtype=bool)
    fore = np.zeros(n, dtype=bool)
    years_required = np.zeros(n, dtype=np.int64)
    reason: pd.Series[Any] = pd.Series("", index=work.index, dtype=object)
    # the forebyggelse text, placed after the omdannelse text
    tail: pd.Series[Any] = pd.Series("", index=work.index, dtype=object)
    omd_par: pd.Series[Any] = pd.Series("", index=work.index, dtype=object)
    big_all = np.zeros(n, dtype=bool)

    for ts, rule in rules.items():
        pos = np.flatnonzero((work["list_date"] == ts).to_numpy())
        sub = work.iloc[pos]
        dec = rule.decimals
        big = sub["residents"].to_numpy() >= rule.min_residents
        big_all[pos] = big
        version.iloc[pos] = rule.version
        years_required[pos] = rule.omdannelse_years
        omd_par.iloc[pos] = rule.omdannelse_paragraph
        head = f"[{rule.version} text] "
        small = (
            head + sub["residents"].astype(str)
            + f" residents, fewer than {rule.min_residents} ({rule.residents_paragraph}):"
            " on no list"
        )
        lvl = rule.udsat
        count, met_text = _evaluate_level(sub, lvl, dec)
        udsat_count[pos] = count
        enough = count >= lvl.min_criteria
        u = big & enough
        udsat[pos] = u
        counted = _count_text(count, met_text, lvl)
        u_text = _level_text(lvl, u, enough, counted, None, None)
        plvl = rule.parallelsamfund
        cond = plvl.condition
        assert cond is not None
        cond_met, cond_text = _measure(sub, cond, dec)
        same = plvl.criteria == lvl.criteria and plvl.min_criteria == lvl.min_criteria
        if same:
            p_enough, p_counted = u, pd.Series("udsat", index=sub.index)
            p_few = pd.Series("the area is not udsat", index=sub.index)
        else:
            p_count, p_met = _evaluate_level(sub, plvl, dec)
            p_enough = big & (p_count >= plvl.min_criteria)
            p_counted = _count_text(p_count, p_met, plvl)
            p_few = "only " + p_counted
        p = big & cond_met & p_enough
        parallel[pos] = p
        p_text = _level_text(plvl, p, p_enough, p_counted, cond_text, cond_met, p_few)
        reason.iloc[pos] = pd.Series(
            np.where(big, (head + u_text + "; " + p_text).to_numpy(), small.to_numpy()),
            index=sub.index,
        ).to_numpy()
        flvl = rule.forebyggelse
        if flvl is None:
            tail.iloc[pos] = pd.Series(
                np.where(big, "; forebyggelse: § 61 b not in force before 2021-11-30", ""),
                index=sub.index,
            ).to_numpy()
            continue
        fcount, fmet = _evaluate_level(sub, flvl, dec)
        fore_count[pos] = fcount
        fcond = flvl.condition
        f_enough = fcount >= flvl.min_criteria
        fcond_text: pd.Series[str] | None = None
        if fcond is not None:
            fcond_met, fcond_text = _measure(sub, fcond, dec)
        else:
            fcond_met = np.ones(len(sub), dtype=bool)
        f = big & fcond_met & f_enough
        fore[pos] = f
        f_text = _level_text(
            flvl, f, f_enough, _count_text(fcount, fmet, flvl), fcond_text,
            fcond_met if fcond is not None else None,
        )
        tail.iloc[pos] = _text(np.where(big, ("; " + f_text).to_numpy(), ""), sub.index).to_numpy()

    year = work["list_date"].dt.year.to_numpy().astype(np.int64)
    streak, missing_year = _parallel_streak(
        work["area_id"], year, parallel, years_required, official
    )
    omdannelse = parallel & (streak >= years_required)
    required_text = pd.Series(years_required).astype(str)
    streak_text = pd.Series(streak).astype(str)
    omd_head = "; omdannelse (" + omd_par + "): "
    omd_text = pd.Series(
        np.select(
            [~big_all, omdannelse, parallel & (missing_year > 0), parallel],
            [
                "",
                omd_head + "yes, parallelsamfund on " + required_text + " yearly lists in a row",
                omd_head + "no, parallelsamfund on " + streak_text + " of " + required_text
                + " yearly lists in a row; no data for the list of "
                + pd.Series(missing_year).astype(str),
                omd_head + "no, parallelsamfund on only " + streak_text + " of " + required_text
                + " yearly lists in a row",
            ],
            default=omd_head + "no, not parallelsamfund",
        ),
        index=work.index,
    )
    designation = np.select(
        [omdannelse, parallel, udsat, fore], list(LIST_NAMES), default=DESIGNATIONS[-1]
    )
    verdict = pd.Series(
        np.where(
            designation == DESIGNATIONS[-1],
            ". Designation: none (no list is met)",
            ". Designation: " + pd.Series(designation).astype(str)
            + " (the most severe list met)",
        ),
        index=work.index,
    ).where(big_all, "")
    out = pd.DataFrame(
        {
            "area_id": work["area_id"].to_numpy(),
            "list_date": work["list_date"].to_numpy(),
            "law_version": version.to_numpy(),
            "residents": work["residents"].to_numpy(),
            "udsat_criteria_met": udsat_count,
            "udsat": udsat,
            "parallelsamfund": parallel,
            "parallelsamfund_years": streak,
            "omdannelse": omdannelse,
            "forebyggelse_criteria_met": fore_count,
            "forebyggelse": fore,
            "designation": designation,
            "reason": (reason + omd_text + tail + verdict).to_numpy(),
        },
        index=frame.index,
    )
    if official is not None:
        out.insert(
            list(out.columns).index("designation") + 1,
            "official_designation",
            _official(out, official).to_numpy(),
        )
    if on is not None:
        day = pd.Timestamp(as_date(on))
        in_force = out["list_date"][out["list_date"] <= day]
        if in_force.empty:
            return out.iloc[0:0]
        out = out[out["list_date"] == in_force.max()]
    return out


def _official(classified: pd.DataFrame, official: pd.DataFrame) -> pd.Series[Any]:
    """The official designation of each row; missing where no official list has its date.

    An area absent from an official list that exists for the date is on no list
    there (``none``).
    """
    published = set(pd.to_datetime(official["list_date"]))
    lookup = official.drop_duplicates(["area_id", "list_date"], keep="last").set_index(
        ["area_id", "list_date"]
    )["designation"]
    keys = pd.MultiIndex.from_arrays(
        [classified["area_id"].to_numpy(), pd.to_datetime(classified["list_date"]).to_numpy()]
    )
    found = pd.Series(lookup.reindex(keys).to_numpy(dtype=object), index=classified.index)
    has_list = pd.to_datetime(classified["list_date"]).isin(published).to_numpy()
    return found.where(~(found.isna() & has_list), DESIGNATIONS[-1]).where(has_list, None)


def conviction_ratios(
    frame: pd.DataFrame, date_column: str, parameters: ParameterSet, *, table: str
) -> pd.DataFrame:
    """``frame`` with ``conviction_ratio`` filled from ``conviction_pct`` where that is given.

    The share in percent is divided by the national average in force on the row's
    date (``indicators.conviction_national_average_pct``, a dated, cited parameter).
    Returns ``frame`` itself when it has no ``conviction_pct`` values.

    >>> frame = pd.DataFrame({"list_date": pd.to_datetime(["2023-12-01"] * 2),
    ...                       "conviction_ratio": [2.5, None], "conviction_pct": [None, 2.7]})
    >>> params = load_parameters()
    >>> conviction_ratios(frame, "list_date", params, table="areas")["conviction_ratio"].round(2)
    0    2.5
    1    3.0
    Name: conviction_ratio, dtype: float64
    """
    if "conviction_pct" not in frame.columns or not frame["conviction_pct"].notna().any():
        return frame
    pct = frame["conviction_pct"].astype("float64")
    dates = pd.to_datetime(frame[date_column])
    average = pd.Series(np.nan, index=frame.index)
    for stamp in dates[pct.notna()].unique():
        day = pd.Timestamp(stamp).date()
        try:
            value = float(parameters.get("indicators.conviction_national_average_pct", day))
        except NotInForceError as exc:
            raise ValidationError(
                f"{table}: conviction_pct on {day.isoformat()} cannot be converted to a ratio: "
                f"{exc}"
            ) from None
        average[(dates == stamp).to_numpy()] = value
    ratio = frame["conviction_ratio"].astype("float64").where(pct.isna(), pct / average)
    return frame.assign(conviction_ratio=ratio)


def _parallel_streak(
    area_ids: pd.Series[Any],
    year: np.ndarray[Any, np.dtype[np.int64]],
    parallel: np.ndarray[Any, np.dtype[np.bool_]],
    required: np.ndarray[Any, np.dtype[np.int64]],
    official: pd.DataFrame | None,
) -> tuple[np.ndarray[Any, np.dtype[np.int64]], np.ndarray[Any, np.dtype[np.int64]]]:
    """Yearly lists in a row on which each row's area was parallelsamfund (vectorised).

    Returns the streak (capped at ``required``) and, per row, the first year whose
    list was missing while the streak was still running (0 if none).
    """
    areas = area_ids.astype(str).to_numpy()
    hist = pd.Series(parallel.astype("float64"), index=pd.MultiIndex.from_arrays([areas, year]))
    if official is not None and len(official):
        off = pd.DataFrame(
            {
                "a": official["area_id"].astype(str).to_numpy(),
                "y": official["list_date"].dt.year.to_numpy().astype(np.int64),
                "p": official["designation"]
                .isin(["parallelsamfund", "omdannelse"])
                .to_numpy()
                .astype("float64"),
            }
        ).drop_duplicates(["a", "y"], keep="last")
        extra = pd.Series(
            off["p"].to_numpy(), index=pd.MultiIndex.from_arrays([off["a"], off["y"]])
        )
        extra = extra[~extra.index.isin(hist.index)]
        hist = pd.concat([hist, extra])
    streak = parallel.astype(np.int64)
    missing = np.zeros(len(year), dtype=np.int64)
    alive = parallel.copy()
    top = int(required.max()) if len(required) else 0
    for k in range(1, top):
        need = alive & (k < required)
        prev = hist.reindex(pd.MultiIndex.from_arrays([areas, year - k])).to_numpy()
        present = ~np.isnan(prev)
        missing = np.where(need & ~present & (missing == 0), year - k, missing)
        ok = need & present & (prev == 1.0)
        streak = streak + ok
        alive = ok
    return streak, missing


def compare_with_lists(
    classified: pd.DataFrame, lists: pd.DataFrame | str | os.PathLike[str]
) -> pd.DataFrame:
    """Rows where the computed designation differs from the official list.

    ``classified`` is the result of :func:`classify_areas`; ``lists`` the
    ministry's published lists (authoritative). An area missing from an official
    list that exists for the date counts as ``none`` there; a list date with no
    official list is not compared. Columns: ``area_id``, ``list_date``,
    ``computed``, ``official``, ``reason``.
    """
    official = read_table(lists, LISTS)
    shown = _official(classified, official)
    differs = shown.notna() & (shown != classified["designation"])
    out = classified.loc[differs, ["area_id", "list_date", "designation", "reason"]].assign(
        official=shown[differs]
    )
    return out.rename(columns={"designation": "computed"})[
        ["area_id", "list_date", "computed", "official", "reason"]
    ].reset_index(drop=True)
