"""The capacity simulation's routing as it was before the core worked on integer codes.

A faithful copy of fuaalborg 0.1.0's code, kept only for ``bench_simulation.py``
to measure against in the same run: ``route_frame`` as it routed through text
columns (departments keyed ``"run/department"``, kinds and colours as text,
counters in a dict of ``Counters``), ``draw_year`` as it sorted a year's days,
and the engine that called them, routing once per year and referral-share
group. Only the name of the entry point differs (:func:`simulate_before`); the
parts that did not change (the rules, the dwellings, the rent bands, the
scenarios, the result) are the library's own.
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg.errors import ValidationError
from fuaalborg.letting.routing import (
    COLOURS,
    DWELLING_KINDS,
    CounterKey,
    Counters,
    Rules,
    rules_on,
)
from fuaalborg.municipality import Municipality
from fuaalborg.rents import rent_band
from fuaalborg.simulation.arrivals import Stock, YearOfVacancies
from fuaalborg.simulation.result import BREAKDOWNS, METRICS, SimulationResult
from fuaalborg.simulation.scenarios import Scenario, ScenarioError

DEFAULT_START = dt.date(2026, 1, 1)
ColourSource = Callable[[Municipality, dt.date], Mapping[str, str]]
_ROUTES = ("referral", "flexible", "ordinary")
_KIND_NAMES = np.asarray(["family", "bab"], dtype=object)
_COLOUR_NAMES = np.asarray(COLOURS, dtype=object)
_CHUNK_ROWS = 200_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def fires_array(
    n: npt.ArrayLike, numerator: npt.ArrayLike, denominator: npt.ArrayLike
) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`fires`: ``floor(n·a/b) > floor((n−1)·a/b)`` element-wise.

    >>> fires_array([1, 2, 3, 4], 1, 4).tolist()
    [False, False, False, True]
    """
    nn = np.asarray(n, dtype=np.int64)
    a = np.asarray(numerator, dtype=np.int64)
    b = np.asarray(denominator, dtype=np.int64)
    return np.asarray((nn * a) // b > ((nn - 1) * a) // b, dtype=np.bool_)


def _internal_array(
    k: npt.NDArray[np.int64],
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    first_internal: npt.NDArray[np.bool_],
) -> npt.NDArray[np.bool_]:
    ceil_now = -((-k * a) // b)
    ceil_before = -((-(k - 1) * a) // b)
    by_ceil = ceil_now > ceil_before
    by_floor = (k * a) // b > ((k - 1) * a) // b
    return np.asarray(np.where(first_internal, by_ceil, by_floor), dtype=np.bool_)


def _fraction(value: Any) -> Fraction:
    if isinstance(value, Fraction):
        return value
    if isinstance(value, str):
        return Fraction(value)
    if isinstance(value, int | np.integer):
        return Fraction(int(value))
    raise ValidationError(f"expected an exact fraction such as '1/4', got {value!r}")


def route_frame(
    frame: pd.DataFrame,
    rules: Rules | Sequence[Rules],
    start: Mapping[CounterKey, Counters] | None = None,
) -> tuple[pd.DataFrame, dict[CounterKey, Counters]]:
    """Route a stream of vacancies at once, vectorised; the same rules as :func:`route_one`.

    ``frame`` has one row per event in the order they happen, with columns
    ``department_id``, ``kind`` (family/bab) and ``colour``; optional
    ``returned`` (True for a dwelling the municipality declined, let from the
    waiting list without touching the referral counter) and ``flexible_share``
    (a department's own share, as a Fraction or ``"a/b"``) and ``undoes`` (for
    a void: the positions of the earlier rows of the voided vacancy, whose
    counting it takes back; empty or missing otherwise) and ``organisation_id``
    (the department's housing organisation: required on rows whose rules count
    the turn per organisation). ``rules`` is one :class:`Rules` for every row
    or a sequence with one per row. ``start`` gives the counters before the
    stream: a department's by its id, an organisation's by
    ``("organisation", id)``.

    Returns a frame (same index) with ``route``, ``subroute``, ``turn``,
    ``reason_code``, ``n_referral``, ``n_flexible``, ``n_turn``,
    ``turn_scope`` (whose counter ``n_turn`` is) and ``n_organisation_turn``
    (the organisation's turn counter after a row that counted it, or after a
    void that took a turn back from it), and the counters after the stream,
    keyed as ``start``. A void's row has the route and reason ``"void"`` and
    the department's counters after it.

    >>> from fuaalborg import load_parameters
    >>> rules = rules_on(load_parameters(), dt.date(2024, 1, 1))
    >>> stream = pd.DataFrame({"department_id": ["A"] * 8, "kind": "family", "colour": "green",
    ...                        "organisation_id": "31831814"})
    >>> out, end = route_frame(stream, rules)
    >>> out["route"].tolist().count("referral"), end["A"]
    (2, Counters(referral=8, flexible=6, turns=6))
    >>> two = pd.DataFrame({"department_id": ["A", "B", "A"], "kind": "family",
    ...                     "colour": "green", "organisation_id": "31831814"})
    >>> out, end = route_frame(two, rules)
    >>> out["turn"].tolist(), end[("organisation", "31831814")].turns
    (['internal', 'external', 'internal'], 3)
    """
    n_rows = len(frame)
    missing = [c for c in ("department_id", "kind", "colour") if c not in frame.columns]
    if missing:
        raise ValidationError(f"route_frame: missing columns {', '.join(missing)}")
    kinds = frame["kind"].astype(str).to_numpy()
    colours = frame["colour"].astype(str).to_numpy()
    bad_kind = ~np.isin(kinds, DWELLING_KINDS)
    bad_colour = ~np.isin(colours, COLOURS)
    if bad_kind.any() or bad_colour.any():
        rows = (np.flatnonzero(bad_kind | bad_colour) + 1).tolist()[:10]
        raise ValidationError(f"route_frame: unknown kind or colour in rows {rows}")
    if isinstance(rules, Rules):
        rule_list: list[Rules] = [rules]
        rule_idx = np.zeros(n_rows, dtype=np.int64)
    else:
        if len(rules) != n_rows:
            raise ValidationError("route_frame: give one Rules per row or a single Rules")
        # by identity first (the same object on most rows), then by value
        by_object: dict[int, int] = {}
        by_value: dict[Rules, int] = {}
        rule_list = []
        idx = []
        for r in rules:
            pos = by_object.get(id(r))
            if pos is None:
                pos = by_value.get(r)
                if pos is None:
                    pos = by_value[r] = len(rule_list)
                    rule_list.append(r)
                by_object[id(r)] = pos
            idx.append(pos)
        rule_idx = np.asarray(idx, dtype=np.int64)

    def per_rule(values: list[int]) -> npt.NDArray[np.int64]:
        return np.asarray(values, dtype=np.int64)[rule_idx]

    ref_a = per_rule([r.referral_share.numerator for r in rule_list])
    ref_b = per_rule([r.referral_share.denominator for r in rule_list])
    has_turn = per_rule([int(r.internal_share is not None) for r in rule_list]).astype(bool)
    int_a = per_rule([(r.internal_share or Fraction(0)).numerator for r in rule_list])
    int_b = per_rule([(r.internal_share or Fraction(0)).denominator for r in rule_list])
    first_internal = per_rule([int(r.first_turn == "internal") for r in rule_list]).astype(bool)
    by_organisation = per_rule([int(r.turns_per_organisation) for r in rule_list]).astype(bool)
    bab_right = per_rule([int(r.bab_share is not None) for r in rule_list]).astype(bool)
    counts_colour = np.zeros(n_rows, dtype=bool)
    placeable = np.zeros(n_rows, dtype=bool)
    mandatory = np.zeros(n_rows, dtype=bool)
    for pos, r in enumerate(rule_list):
        mask = rule_idx == pos
        counts_colour[mask] = np.isin(colours[mask], r.referral_colours)
        placeable[mask] = np.isin(colours[mask], r.placement_colours)
        mandatory[mask] = np.isin(colours[mask], r.mandatory_colours)

    flex_a = per_rule([r.flexible_share.numerator for r in rule_list])
    flex_b = per_rule([r.flexible_share.denominator for r in rule_list])
    if "flexible_share" in frame.columns:
        own = frame["flexible_share"].astype(object)
        own = own.where(own.notna(), None)
        own_codes, own_values = pd.factorize(own.astype(str).where(own.notna(), ""))
        parsed = [None if v == "" else _fraction(v) for v in own_values.tolist()]
        own_a = np.asarray([0 if f is None else f.numerator for f in parsed], dtype=np.int64)
        own_b = np.asarray([1 if f is None else f.denominator for f in parsed], dtype=np.int64)
        has_own = np.asarray([f is not None for f in parsed], dtype=bool)[own_codes]
        flex_a = np.where(has_own, own_a[own_codes], flex_a)
        flex_b = np.where(has_own, own_b[own_codes], flex_b)
    mand_a = per_rule([r.mandatory_share.numerator for r in rule_list])
    mand_b = per_rule([r.mandatory_share.denominator for r in rule_list])
    flex_a = np.where(mandatory, mand_a, flex_a)
    flex_b = np.where(mandatory, mand_b, flex_b)

    codes, uniques = pd.factorize(frame["department_id"].astype(str), sort=False)
    start = start or {}
    start_ref = np.asarray([start.get(d, Counters()).referral for d in uniques], dtype=np.int64)
    start_flex = np.asarray([start.get(d, Counters()).flexible for d in uniques], dtype=np.int64)
    start_turn = np.asarray([start.get(d, Counters()).turns for d in uniques], dtype=np.int64)

    def cumulate(steps: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        series = pd.Series(steps)
        return np.asarray(series.groupby(codes).cumsum().to_numpy(), dtype=np.int64)

    returned = (
        frame["returned"].fillna(False).astype(bool).to_numpy()
        if "returned" in frame.columns
        else np.zeros(n_rows, dtype=bool)
    )
    undo = _undo_rows(frame, codes) if "undoes" in frame.columns else []
    is_void = np.zeros(n_rows, dtype=bool)
    for pos, _rows in undo:
        is_void[pos] = True

    def steps(flag: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        # +1 where a row advances the counter; a void takes back what its rows added
        out = flag.astype(np.int64)
        for pos, rows in undo:
            out[pos] = -int(flag[rows].sum())
        return out

    bab_kind = (kinds == "bab") & bab_right & ~returned & ~is_void
    is_bab = bab_kind & placeable
    bab_exempt = bab_kind & ~placeable
    counting = ((kinds == "family") | ~bab_right) & counts_colour & ~returned & ~is_void
    n_ref = cumulate(steps(counting)) + start_ref[codes]
    referral = is_bab | (counting & fires_array(n_ref, ref_a, ref_b))
    waiting = ~referral & ~is_void
    n_flex = cumulate(steps(waiting)) + start_flex[codes]
    flexible = waiting & fires_array(np.maximum(n_flex, 1), flex_a, flex_b)
    turning = waiting & has_turn
    n_turn = cumulate(steps(turning)) + start_turn[codes]
    # the turn of udlejningsbekendtgørelsen § 7: the organisation's counter where the
    # rules count per organisation, else the department's (which counts every turn)
    org_turning = turning & by_organisation
    if "organisation_id" in frame.columns:  # None or NaN: no organisation (code -1)
        org_codes, org_uniques = pd.factorize(frame["organisation_id"], sort=False)
    else:
        org_codes, org_uniques = np.full(n_rows, -1, dtype=np.intp), pd.Index([])
    lacking = org_turning & (org_codes < 0)
    if lacking.any():
        rows = (np.flatnonzero(lacking) + 1).tolist()[:10]
        raise ValidationError(
            "route_frame: the internal/external turn counts per housing organisation "
            f"(letting.internal_turn_scope) but rows {rows} have no organisation_id"
        )
    start_org = np.asarray(
        [start.get(("organisation", str(o)), Counters()).turns for o in org_uniques] or [0],
        dtype=np.int64,
    )
    org_steps = steps(org_turning)
    for pos, rows in undo:
        taken = [r for r in rows if org_turning[r]]
        if taken and any(org_codes[r] != org_codes[pos] for r in taken):
            raise ValidationError(
                f"route_frame: the void in row {pos + 1} takes back an organisation's turn: it "
                "must carry that organisation_id"
            )
    n_org = np.where(
        org_codes >= 0,
        np.asarray(pd.Series(org_steps).groupby(org_codes).cumsum().to_numpy(), dtype=np.int64)
        + start_org[np.maximum(org_codes, 0)],
        0,
    )
    counted_org = org_turning | (is_void & (org_steps != 0))
    k = np.where(org_turning, n_org, n_turn)
    internal = turning & _internal_array(
        np.maximum(k, 1), int_a, np.maximum(int_b, 1), first_internal
    )

    reason = np.where(
        is_void,
        "void",
        np.where(
            returned,
            "returned",
            np.where(
                is_bab,
                "bab",
                np.where(
                    bab_exempt,
                    "bab_exempt",
                    np.where(~counting, "colour_exempt",
                             np.where(referral, "referral_turn", "waiting_list_turn")),
                ),
            ),
        ),
    )
    index = frame.index

    def text(values: npt.NDArray[Any], keep: npt.NDArray[np.bool_]) -> pd.Series[Any]:
        return pd.Series(values, index=index, dtype="string").where(keep)

    def number(values: npt.NDArray[np.int64], keep: npt.NDArray[np.bool_]) -> pd.Series[Any]:
        return pd.Series(values, index=index, dtype="Int64").where(keep)

    out = pd.DataFrame(
        {
            "route": np.where(is_void, "void", np.where(referral, "referral", "waiting_list")),
            "subroute": text(np.where(flexible, "flexible", "ordinary"), waiting),
            "turn": text(np.where(internal, "internal", "external"), turning),
            "reason_code": reason,
            "n_referral": number(n_ref, ~(bab_kind | returned)),
            "n_flexible": number(n_flex, waiting | is_void),
            "n_turn": number(k, turning | is_void),
            "turn_scope": text(np.where(org_turning, "organisation", "department"), turning),
            "n_organisation_turn": number(n_org, counted_org),
        },
        index=index,
    )
    end: dict[CounterKey, Counters] = {}
    last = pd.Series(np.arange(n_rows)).groupby(codes).max()
    for code, pos in zip(last.index.tolist(), last.tolist(), strict=True):
        end[str(uniques[code])] = Counters(
            int(n_ref[pos]), int(n_flex[pos]), int(n_turn[pos])
        )
    if counted_org.any():
        last_org = pd.Series(np.flatnonzero(counted_org)).groupby(
            org_codes[counted_org]).max()
        for code, pos in zip(last_org.index.tolist(), last_org.tolist(), strict=True):
            end[("organisation", str(org_uniques[code]))] = Counters(turns=int(n_org[pos]))
    for key, counters in start.items():
        end.setdefault(key, counters)
    return out, end


def _undo_rows(frame: pd.DataFrame, codes: npt.NDArray[np.intp]) -> list[tuple[int, list[int]]]:
    """The void rows of ``frame`` and the earlier rows (same department) each takes back."""
    out: list[tuple[int, list[int]]] = []
    bad: list[int] = []
    for pos, value in enumerate(frame["undoes"].tolist()):
        if value is None or (isinstance(value, float) and np.isnan(value)):
            continue
        rows = [int(v) for v in value]
        if not rows:
            continue
        if any(r < 0 or r >= pos or codes[r] != codes[pos] for r in rows):
            bad.append(pos + 1)
        out.append((pos, rows))
    if bad:
        raise ValidationError(
            f"route_frame: a void must undo earlier rows of its own department (rows {bad[:10]})"
        )
    return out


def draw_year(
    stock: Stock, rate: FloatArray, days: int, rng: np.random.Generator
) -> YearOfVacancies:
    """Draw one year of vacancies: ``rate[d]`` is department ``d``'s expected vacancies.

    ``rate`` is dwellings × yearly turnover; the draws are vectorised over all
    departments.
    """
    counts = rng.poisson(rate)
    department = np.repeat(np.arange(len(rate), dtype=np.int64), counts)
    offset = (rng.random(len(department)) * stock.size[department]).astype(np.int64)
    dwelling = stock.start[department] + offset
    day = rng.integers(0, days, len(department), dtype=np.int64)
    order = np.argsort(day, kind="stable")
    return YearOfVacancies(department[order], dwelling[order], day[order])


def _placement_colours(town: Municipality, on: dt.date) -> Mapping[str, str]:
    """Every department's colour on ``on`` from the step model's placement."""
    from fuaalborg.monitoring import placement_on

    colours = placement_on(town, on).colours()
    return {str(k): str(v) for k, v in colours.items()}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@attrs.frozen(eq=False)
class _Year:
    """Everything one simulated year needs, resolved on its first day."""

    start: dt.date
    days: int
    rate: FloatArray
    colour: IntArray
    groups: tuple[tuple[IntArray, Rules], ...]
    band: IntArray
    reported: npt.NDArray[np.bool_] | None
    need_low: int
    need_high: int


def _plan_year(
    scenario: Scenario,
    stock: Stock,
    colours_on: Mapping[str, str],
    on: dt.date,
    end: dt.date,
    band_labels: list[str] | None,
    problems: list[str],
) -> tuple[_Year, list[str]]:
    params = scenario.parameters
    ids = stock.department_ids
    index = {d: i for i, d in enumerate(ids)}
    n = len(ids)
    # turnover
    base_pct = float(params.get("agreement.figures.turnover_pct", on, warn=False))
    pct = np.full(n, base_pct)
    for dep, value in scenario.knob("simulation.department_turnover_pct", on, {}).items():
        if dep not in index:
            problems.append(f"simulation.department_turnover_pct: unknown department {dep!r}")
            continue
        pct[index[dep]] = float(value)
    rate = stock.size * pct / 100.0
    # colours
    overrides: Mapping[str, str] = scenario.knob("simulation.colour_overrides", on, {})
    for dep in overrides:
        if dep != "*" and dep not in index:
            problems.append(f"simulation.colour_overrides: unknown department {dep!r}")
    names = [overrides.get(d, overrides.get("*", colours_on.get(d))) for d in ids]
    missing = [d for d, c in zip(ids, names, strict=True) if c is None]
    if missing:
        problems.append(
            f"no colour on {on.isoformat()} for {len(missing)} department(s), e.g. "
            f"{', '.join(missing[:5])}"
        )
    colour = np.asarray([COLOURS.index(c) if c in COLOURS else 0 for c in names], dtype=np.int64)
    # rules: one group per referral share
    rules = rules_on(params, on)
    shares: dict[int, Fraction] = {}
    for dep, value in scenario.knob("simulation.department_referral_share", on, {}).items():
        if dep not in index:
            problems.append(f"simulation.department_referral_share: unknown department {dep!r}")
            continue
        frac = _fraction_or_none(value)
        if frac is not None:
            shares[index[dep]] = frac
    if scenario.knob("simulation.compensation", on, False):
        counting = np.isin(np.asarray(COLOURS)[colour], rules.referral_colours)
        plain = np.ones(n, dtype=bool)
        plain[list(shares)] = False
        family_rate = stock.family * pct / 100.0
        whole = float(family_rate[plain].sum())
        counted = float(family_rate[plain & counting].sum())
        if counted > 0:
            raised = min(Fraction(1), rules.referral_share * Fraction(whole / counted))
            raised = raised.limit_denominator(1000)
            for d in np.flatnonzero(plain & counting).tolist():
                shares[d] = raised
    share_of = [shares.get(d, rules.referral_share) for d in range(n)]
    groups: list[tuple[IntArray, Rules]] = []
    for share in sorted(set(share_of)):
        members = np.asarray([d for d in range(n) if share_of[d] == share], dtype=np.int64)
        groups.append((members, attrs.evolve(rules, referral_share=share)))
    # rent bands and the reporting ceiling
    bands = rent_band(pd.Series(stock.rent), "agreement", on, params)
    labels = [str(c) for c in bands.cat.categories]
    if band_labels is not None and labels != band_labels:
        problems.append(
            f"the agreement's rent bands change during the simulation ({band_labels} → {labels})"
        )
    ceiling = scenario.knob("simulation.referral_rent_ceiling_dkk", on, None)
    reported = None if ceiling is None else np.asarray(stock.rent <= float(ceiling))
    year = _Year(
        start=on,
        days=(end - on).days,
        rate=np.asarray(rate, dtype=np.float64),
        colour=colour,
        groups=tuple(groups),
        band=np.asarray(bands.cat.codes.to_numpy(), dtype=np.int64),
        reported=reported,
        need_low=int(params.get("referral.expected_need_low", on, warn=False)),
        need_high=int(params.get("referral.expected_need_high", on, warn=False)),
    )
    return year, labels


def _progress(total: int, enabled: bool) -> Any:
    """A tqdm progress bar on standard error, or ``None`` when quiet."""
    if not enabled or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the ``progress`` extra is not installed
        return None
    return tqdm(total=total, unit="run", desc="simulating", file=sys.stderr, leave=False)


def _chunks(runs: int, per_chunk: int) -> Iterator[range]:
    for first in range(0, runs, per_chunk):
        yield range(first, min(runs, first + per_chunk))


def _check_arguments(years: Any, runs: Any, seed: Any, workers: Any) -> None:
    problems = []
    for name, value in (("years", years), ("runs", runs), ("workers", workers)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            problems.append(f"{name} must be a whole number >= 1, got {value!r}")
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        problems.append(f"seed must be a whole number >= 0, got {seed!r}")
    if problems:
        raise ValidationError("simulate: " + "; ".join(problems))


def simulate_before(
    municipality: Municipality,
    years: int = 3,
    runs: int = 1000,
    seed: int | None = None,
    scenario: str | Scenario = "agreement",
    *,
    start: dt.date | None = None,
    colours: ColourSource | None = None,
    progress: bool = False,
    workers: int = 1,
) -> SimulationResult:
    """Simulate ``years`` of vacancies ``runs`` times under ``scenario`` (kapacitetssimulering).

    Vacancies arrive per department as a Poisson process with rate dwellings ×
    turnover (``agreement.figures.turnover_pct``, 13.7 % a year), hit the
    department's real dwellings, and are routed by the letting ledger's routing
    core with the rules in force on each year's first day. ``scenario`` is a
    built-in name (:func:`~fuaalborg.simulation.scenarios.builtin_scenarios`), a
    scenario file or a :class:`Scenario`; a name or file is layered over the
    municipality's parameters (its ``municipality.toml``'s referral need and
    bounds). ``colours`` gives the departments'
    colours on a date (default: the step model's placement,
    ``fuaalborg.monitoring.placement_on``). The same ``seed`` gives the same result; without
    one a seed is drawn and recorded in the result. Department and organisation
    counters start at zero on ``start`` (default :data:`DEFAULT_START`).
    ``workers`` > 1 spreads the runs over that many processes; the result is the
    same as with one.

    >>> from fuaalborg import examples
    >>> result = simulate(examples.load(), years=1, runs=20, seed=1)
    >>> result.seed, result.runs, round(result.stats("vacancies")["mean"][0], -2)
    (1, 20, 3200.0)
    """
    _check_arguments(years, runs, seed, workers)
    years, runs = int(years), int(runs)
    seed = secrets.randbits(32) if seed is None else int(seed)
    first_day = start or DEFAULT_START
    chosen = Scenario.load(scenario, base=municipality.parameters)
    deps = municipality.departments
    stock = Stock.from_frame(
        municipality.dwellings, deps["department_id"].astype(str).tolist(),
        deps["organisation_cvr"].astype(str).tolist(),
    )
    colour_source = colours or _placement_colours
    starts = [_add_years(first_day, y) for y in range(years + 1)]
    problems: list[str] = []
    plans: list[_Year] = []
    labels: list[str] | None = None
    for y in range(years):
        needs_placement = "*" not in chosen.knob("simulation.colour_overrides", starts[y], {})
        placed = colour_source(municipality, starts[y]) if needs_placement else {}
        plan, labels = _plan_year(chosen, stock, placed, starts[y], starts[y + 1], labels, problems)
        plans.append(plan)
    if problems:
        raise ScenarioError(sorted(set(problems)))
    assert labels is not None
    counts = _run(stock, plans, runs, seed, len(labels), progress, int(workers))
    first_plan = plans[0]
    return SimulationResult(
        seed=seed,
        years=years,
        runs=runs,
        scenario=chosen.name,
        scenario_title=chosen.title,
        start=first_day,
        year_starts=tuple(starts[:-1]),
        need_low=first_plan.need_low,
        need_high=first_plan.need_high,
        counts=counts,
        categories={"rent_band": tuple(labels), "colour": COLOURS, "route": _ROUTES},
        notes=(
            "department and organisation counters start at zero on the first simulated "
            f"day ({first_day.isoformat()})",
            "vacancies arrive per department as a Poisson process with rate dwellings × "
            "turnover; colours are fixed for each year on its first day",
        ),
    )


def _empty(runs: int, years: int, n_bands: int) -> dict[str, FloatArray]:
    shape = (runs, years)
    return {
        "vacancies_by_band": np.zeros((*shape, n_bands)),
        "vacancies_by_colour": np.zeros((*shape, len(COLOURS))),
        "referral_by_band": np.zeros((*shape, n_bands)),
        "referral_by_colour": np.zeros((*shape, len(COLOURS))),
        "lettings_by_route": np.zeros((*shape, len(_ROUTES))),
        "bab_vacancies": np.zeros(shape),
        "lettings_internal": np.zeros(shape),
        "lettings_external": np.zeros(shape),
    }


def _run_chunk(
    stock: Stock, plans: list[_Year], chunk: range, seed: int, n_bands: int
) -> dict[str, FloatArray]:
    """Simulate the runs in ``chunk``; counts of shape ``(len(chunk), years, ...)``.

    Run ``r`` draws from the ``r``-th stream spawned from ``seed``, whatever the chunk.
    """
    arrays = _empty(len(chunk), len(plans), n_bands)
    generators = [
        np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(r,))) for r in chunk
    ]
    draws: list[list[YearOfVacancies]] = [
        [draw_year(stock, plan.rate, plan.days, rng) for plan in plans] for rng in generators
    ]
    n_dep = len(stock.department_ids)
    keys = np.asarray([f"{r}/{d}" for r in chunk for d in stock.department_ids], dtype=object)
    # each run's organisations keep their own internal/external turn (udlejningsbekendtgørelsen
    # § 7): an organisation of run i is the integer key i × organisations + its code
    codes, uniques = pd.factorize(pd.Series(stock.organisation_ids, dtype=object))
    orgs = (np.arange(len(chunk), dtype=np.int64)[:, None] * max(len(uniques), 1)
            + np.asarray(codes, dtype=np.int64)[None, :]).ravel()
    counters: dict[CounterKey, Counters] = {}
    for y, plan in enumerate(plans):
        counters = _route_year(stock, plan, y, len(chunk), draws, keys, orgs, n_dep, counters,
                               arrays)
    return arrays


def _run(
    stock: Stock,
    plans: list[_Year],
    runs: int,
    seed: int,
    n_bands: int,
    progress: bool,
    workers: int,
) -> dict[str, FloatArray]:
    arrays = _empty(runs, len(plans), n_bands)
    expected_rows = max(1.0, float(sum(p.rate.sum() for p in plans)))
    per_chunk = max(1, int(_CHUNK_ROWS // expected_rows))
    chunks = list(_chunks(runs, per_chunk))
    bar = _progress(runs, progress)

    def store(chunk: range, part: dict[str, FloatArray]) -> None:
        for name, values in part.items():
            arrays[name][chunk.start : chunk.stop] = values
        if bar is not None:
            bar.update(len(chunk))

    try:
        if workers <= 1 or len(chunks) == 1:
            for chunk in chunks:
                store(chunk, _run_chunk(stock, plans, chunk, seed, n_bands))
        else:
            with ProcessPoolExecutor(max_workers=workers) as pool:
                futures = {
                    pool.submit(_run_chunk, stock, plans, chunk, seed, n_bands): chunk
                    for chunk in chunks
                }
                for future in as_completed(futures):
                    store(futures[future], future.result())
    finally:
        if bar is not None:
            bar.close()
    return _derive(arrays, plans)


def _route_year(
    stock: Stock,
    plan: _Year,
    y: int,
    n_local: int,
    draws: list[list[YearOfVacancies]],
    keys: npt.NDArray[Any],
    orgs: npt.NDArray[Any],
    n_dep: int,
    counters: dict[CounterKey, Counters],
    arrays: dict[str, FloatArray],
) -> dict[CounterKey, Counters]:
    """Route one year of a chunk of runs; add its counts to ``arrays``; new counters."""
    sizes = [len(draws[i][y].department) for i in range(n_local)]
    local = np.repeat(np.arange(n_local, dtype=np.int64), sizes)
    dep = np.concatenate([draws[i][y].department for i in range(n_local)])
    dwelling = np.concatenate([draws[i][y].dwelling for i in range(n_local)])
    n_bands = arrays["vacancies_by_band"].shape[2]
    bab = stock.bab[dwelling]
    colour = plan.colour[dep]
    band = plan.band[dwelling]
    referral = np.zeros(len(dep), dtype=bool)
    flexible = np.zeros(len(dep), dtype=bool)
    internal = np.zeros(len(dep), dtype=bool)
    turned = np.zeros(len(dep), dtype=bool)
    group_of = np.empty(n_dep, dtype=np.int64)
    for g, (members, _rules) in enumerate(plan.groups):
        group_of[members] = g
    for g, (_members, rules) in enumerate(plan.groups):
        rows = np.flatnonzero(group_of[dep] == g)
        if len(rows) == 0:
            continue
        frame = pd.DataFrame(
            {
                "department_id": keys[local[rows] * n_dep + dep[rows]],
                "kind": _KIND_NAMES[bab[rows].astype(np.int64)],
                "colour": _COLOUR_NAMES[colour[rows]],
            }
        )
        if len(orgs):
            frame["organisation_id"] = orgs[local[rows] * n_dep + dep[rows]]
        if plan.reported is not None:
            # dwellings above the scenario's rent ceiling are not reported to the
            # referral: the ledger lets them from the waiting list without a count
            frame["returned"] = ~plan.reported[dwelling[rows]] & ~bab[rows]
        out, counters = route_frame(frame, rules, counters)
        referral[rows] = out["route"].to_numpy() == "referral"
        flexible[rows] = out["subroute"].eq("flexible").to_numpy(dtype=bool, na_value=False)
        internal[rows] = out["turn"].eq("internal").to_numpy(dtype=bool, na_value=False)
        turned[rows] = out["turn"].notna().to_numpy()

    def add(name: str, cat: IntArray, k: int, mask: npt.NDArray[np.bool_] | None = None) -> None:
        index = local * k + cat
        weights = None if mask is None else mask.astype(np.float64)
        total = np.bincount(index, weights=weights, minlength=n_local * k).reshape(n_local, k)
        arrays[name][:, y, :] += total

    route = np.where(referral, 0, np.where(flexible, 1, 2)).astype(np.int64)
    add("vacancies_by_band", band, n_bands)
    add("vacancies_by_colour", colour, len(COLOURS))
    add("referral_by_band", band, n_bands, referral)
    add("referral_by_colour", colour, len(COLOURS), referral)
    add("lettings_by_route", route, len(_ROUTES))
    for name, mask in (
        ("bab_vacancies", bab),
        ("lettings_internal", internal),
        ("lettings_external", turned & ~internal),
    ):
        total = np.bincount(local, weights=mask.astype(np.float64), minlength=n_local)
        arrays[name][:, y] += total
    return counters


def _derive(arrays: dict[str, FloatArray], plans: list[_Year]) -> dict[str, FloatArray]:
    need_low = np.asarray([p.need_low for p in plans], dtype=np.float64)
    need_high = np.asarray([p.need_high for p in plans], dtype=np.float64)
    vac = arrays["vacancies_by_band"]
    ref = arrays["referral_by_band"]
    routes = arrays["lettings_by_route"]
    out: dict[str, FloatArray] = {
        "vacancies": vac.sum(axis=2),
        "cheap_vacancies": vac[:, :, 0],
        "bab_vacancies": arrays["bab_vacancies"],
        "referral_dwellings": ref.sum(axis=2),
        "referral_cheap": ref[:, :, 0],
    }
    with np.errstate(all="ignore"):  # a year's need of 0 has no share met (NaN)
        for name, need in (("need_met_low", need_low), ("need_met_high", need_high)):
            out[name] = np.where(need > 0, out["referral_cheap"] / need, np.nan)
    out["waiting_list_lettings"] = routes[:, :, 1] + routes[:, :, 2]
    out["waiting_list_cheap"] = vac[:, :, 0] - ref[:, :, 0]
    with np.errstate(all="ignore"):
        out["waiting_list_cheap_share"] = np.where(
            vac[:, :, 0] > 0, out["waiting_list_cheap"] / vac[:, :, 0], np.nan
        )
    out["lettings_flexible"] = routes[:, :, 1]
    out["lettings_ordinary"] = routes[:, :, 2]
    out["lettings_internal"] = arrays["lettings_internal"]
    out["lettings_external"] = arrays["lettings_external"]
    for name in BREAKDOWNS:
        out[name] = arrays[name]
    assert set(METRICS) <= set(out)
    return out


def _fraction_or_none(value: Any) -> Any:
    from fractions import Fraction

    try:
        if isinstance(value, str) and "/" in value:
            num, _, den = value.partition("/")
            frac = Fraction(int(num), int(den))
        elif isinstance(value, int) and not isinstance(value, bool):
            frac = Fraction(value)
        else:
            return None
    except (ValueError, ZeroDivisionError):
        return None
    return frac if 0 <= frac <= 1 else None
