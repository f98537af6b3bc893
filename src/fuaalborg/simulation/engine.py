"""The capacity simulation: years of vacancies run through the library's own rules.

For every run and simulated year the engine draws the vacancies
(:mod:`fuaalborg.simulation.arrivals`), gives each its department's colour (the
step model's placement in force on the year's first day, or the scenario's
override), and routes the whole stream through the letting ledger's routing
core, :func:`fuaalborg.letting.routing.route_codes` — the core the ledger's
:func:`~fuaalborg.letting.routing.route_frame` re-derives its log with —
carrying every department's counters, and every housing organisation's
internal/external turn, from year to year. Nothing about *whose turn* a vacancy
is is decided here. The routing runs on integer codes: a department of run *i*
is ``i × departments + d``, kinds and colours are their positions, and the
counters stay arrays (:class:`~fuaalborg.letting.routing.CodedCounters`) from
one year to the next; text appears only in the result's category names.

Counters start at zero on the first simulated day: the first year of
a run under-counts referral turns a little compared with a ledger that has been
running for years (a department's first turn comes at its 4th counting vacancy).
"""

from __future__ import annotations

import datetime as dt
import secrets
import sys
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from fuaalborg.errors import InputError, Problem
from fuaalborg.letting.routing import (
    DWELLING_KINDS,
    ROUTE_CODES,
    SUBROUTES,
    TURNS,
    CodedCounters,
    Rules,
    route_codes,
    rules_on,
)
from fuaalborg.model import COLOURS
from fuaalborg.municipality import Municipality, ReferralNeed
from fuaalborg.rents import rent_band
from fuaalborg.simulation.arrivals import Stock, YearOfVacancies, draw_year
from fuaalborg.simulation.result import (
    BREAKDOWNS,
    METRICS,
    NEED_METRICS,
    SimulationResult,
    no_need_note,
    year_labels,
)
from fuaalborg.simulation.scenarios import Scenario, ScenarioError, _fraction_or_none

__all__ = ["DEFAULT_START", "ColourSource", "simulate"]

#: The first simulated day unless one is given: the next agreement period's first day
#: (the agreement "follows the council period" from 2026).
DEFAULT_START = dt.date(2026, 1, 1)

#: A function giving every department's colour on a date: ``(municipality, on) ->
#: {department_id: colour}``.
ColourSource = Callable[[Municipality, dt.date], Mapping[str, str]]

_ROUTES = ("referral", "flexible", "ordinary")
_KIND_FAMILY, _KIND_BAB = (np.int8(DWELLING_KINDS.index(k)) for k in ("family", "bab"))
_REFERRAL = ROUTE_CODES.index("referral")
_FLEXIBLE = SUBROUTES.index("flexible")
_INTERNAL = TURNS.index("internal")
#: A chunk of runs holds about this many vacancies over all its years. Each year of a
#: chunk is routed at once: a third of this over three years, arrays small enough for the
#: processor's caches (measured: fewer rows per call cost more calls, more rows spill).
_CHUNK_ROWS = 100_000

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]




def _placement_colours(municipality: Municipality, on: dt.date) -> Mapping[str, str]:
    """Every department's colour on ``on`` from the step model's placement."""
    from fuaalborg.monitoring import placement_on

    colours = placement_on(municipality, on).colours()
    return {str(k): str(v) for k, v in colours.items()}


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@attrs.frozen(eq=False)
class _Year:
    """Everything one simulated year needs, resolved on its first day.

    ``rules`` holds the year's routing rules, one per referral share in use;
    ``rule`` gives each department's position in it. ``need`` is the referral's
    yearly need in force on the first day, ``None`` where none is stated.
    """

    start: dt.date
    days: int
    rate: FloatArray
    colour: IntArray
    rules: tuple[Rules, ...]
    rule: IntArray
    band: IntArray
    reported: npt.NDArray[np.bool_] | None
    need: ReferralNeed | None


def _plan_year(
    scenario: Scenario,
    stock: Stock,
    colours_on: Mapping[str, str],
    on: dt.date,
    end: dt.date,
    band_labels: list[str] | None,
    problems: list[str],
    need: ReferralNeed | None,
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
    in_use = sorted(set(share_of))
    position = {share: i for i, share in enumerate(in_use)}
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
        rules=tuple(attrs.evolve(rules, referral_share=share) for share in in_use),
        rule=np.asarray([position[share] for share in share_of], dtype=np.int64),
        band=np.asarray(bands.cat.codes.to_numpy(), dtype=np.int64),
        reported=reported,
        need=need,
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
            problems.append(Problem(name, f"must be a whole number >= 1, got {value!r}"))
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        problems.append(Problem("seed", f"must be a whole number >= 0, got {seed!r}"))
    if problems:
        raise InputError(problems, head="simulate: {count}")


def _scenario_for(municipality: Municipality, scenario: str | Scenario) -> Scenario:
    """``scenario`` with its overrides on top of ``municipality``'s parameters.

    A built-in name or a file is loaded on the municipality's parameters
    (:attr:`Municipality.parameters <fuaalborg.municipality.Municipality.parameters>`:
    the bundled ones with its ``municipality.toml``'s need and bounds). A
    :class:`Scenario` object already built on them (``base=municipality.parameters``,
    with or without layers of one's own above them) is used as it is; one built
    on other parameters — the bundled ones, by default — keeps its base and its
    overrides, with the municipality's settings laid between them
    (:meth:`Municipality.parameters_over
    <fuaalborg.municipality.Municipality.parameters_over>`): never the bundled
    example's need in place of the municipality's.
    """
    own = municipality.parameters
    if not isinstance(scenario, Scenario):
        return Scenario.load(scenario, base=own)
    if scenario.builds_on(own):
        return scenario
    if scenario.base is None:
        raise ScenarioError([Problem(
            scenario.name,
            "a Scenario constructed directly, not on the municipality's parameters: its "
            "overrides cannot be laid on them; build it with Scenario.load or "
            "Scenario.from_text",
        )])
    return scenario.over(municipality.parameters_over(scenario.base))


def simulate(
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
    scenario file or a :class:`Scenario`; its overrides are layered over the
    municipality's parameters (its ``municipality.toml``'s referral need and
    bounds), also those of a :class:`Scenario` object built on other parameters
    (the bundled ones, by default): it keeps its base and its overrides, with the
    municipality's settings laid between them
    (:meth:`Scenario.over <fuaalborg.simulation.scenarios.Scenario.over>`). One
    built on the municipality's parameters (``base=municipality.parameters``, with
    or without a layer of one's own above them) is used as it is. The need met
    (``need_met_low``/``_high``) is measured against the
    referral's yearly need that the municipality states
    (:meth:`Municipality.referral_need <fuaalborg.municipality.Municipality.referral_need>`:
    its ``[referral_need]``, or a scenario or parameter layer that sets
    ``referral.expected_need_low``/``_high``); the bundled example's is
    Aalborg's 250–300. A municipality of one's own that states none gets no need
    met — never Aalborg's — and a note that says so and how to give one; a year
    without a need in force has no value. ``colours`` gives the departments'
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
    chosen = _scenario_for(municipality, scenario)
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
        # the municipality's own need, or none: never the bundled example's behind its back
        need = municipality.referral_need(starts[y], chosen.parameters)
        plan, labels = _plan_year(chosen, stock, placed, starts[y], starts[y + 1], labels,
                                  problems, need)
        plans.append(plan)
    if problems:
        raise ScenarioError(Problem("", p) for p in sorted(set(problems)))
    assert labels is not None
    counts = _run(stock, plans, runs, seed, len(labels), progress, int(workers))
    notes = [
        "department and organisation counters start at zero on the first simulated "
        f"day ({first_day.isoformat()})",
        "vacancies arrive per department as a Poisson process with rate dwellings × "
        "turnover; colours are fixed for each year on its first day",
    ]
    without = [label for label, plan in zip(year_labels(starts[:-1]), plans, strict=True)
               if plan.need is None]
    if without:
        notes.append(no_need_note(municipality.name, without, len(plans)))
    first_need = next((p.need for p in plans if p.need is not None), None)
    return SimulationResult(
        seed=seed,
        years=years,
        runs=runs,
        scenario=chosen.name,
        scenario_title=chosen.title,
        start=first_day,
        year_starts=tuple(starts[:-1]),
        need_low=None if first_need is None else first_need.low,
        need_high=None if first_need is None else first_need.high,
        counts=counts,
        categories={"rent_band": tuple(labels), "colour": COLOURS, "route": _ROUTES},
        notes=tuple(notes),
        year_needs=tuple(None if p.need is None else (p.need.low, p.need.high)
                         for p in plans),
    )


def _empty(runs: int, years: int, n_bands: int) -> dict[str, FloatArray]:
    """Zero counts for ``runs`` runs: a breakdown has a column per category of its kind."""
    shape = (runs, years)
    categories = {"rent_band": n_bands, "colour": len(COLOURS), "route": len(_ROUTES)}
    return {
        **{name: np.zeros((*shape, categories[kind])) for name, (kind, _) in BREAKDOWNS.items()},
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
    # each run keeps its own counters: department d of run i is the integer code
    # i × departments + d, and its housing organisation (whose internal/external turn it
    # takes, udlejningsbekendtgørelsen § 7) i × organisations + the organisation's code
    codes, uniques = pd.factorize(pd.Series(stock.organisation_ids, dtype=object))
    n_org = max(len(uniques), 1)
    org_of = np.asarray(codes, dtype=np.int64) if len(uniques) else None
    counters = CodedCounters.zeros(len(chunk) * n_dep, len(chunk) * n_org)
    for y, plan in enumerate(plans):
        counters = _route_year(stock, plan, y, len(chunk), draws, org_of, n_org, counters,
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
    org_of: IntArray | None,
    n_org: int,
    counters: CodedCounters,
    arrays: dict[str, FloatArray],
) -> CodedCounters:
    """Route one year of a chunk of runs; add its counts to ``arrays``; the new counters."""
    sizes = [len(draws[i][y].department) for i in range(n_local)]
    local = np.repeat(np.arange(n_local, dtype=np.int64), sizes)
    dep = np.concatenate([draws[i][y].department for i in range(n_local)])
    dwelling = np.concatenate([draws[i][y].dwelling for i in range(n_local)])
    n_dep = len(stock.department_ids)
    bab = stock.bab[dwelling]
    colour = plan.colour[dep]
    band = plan.band[dwelling]
    one_rule = len(plan.rules) == 1
    routed = route_codes(
        local * n_dep + dep,
        np.where(bab, _KIND_BAB, _KIND_FAMILY),
        colour,
        plan.rules[0] if one_rule else plan.rules,
        None if one_rule else plan.rule[dep],
        organisation=None if org_of is None else local * n_org + org_of[dep],
        # dwellings above the scenario's rent ceiling are not reported to the
        # referral: the ledger lets them from the waiting list without a count
        returned=None if plan.reported is None else ~plan.reported[dwelling] & ~bab,
        start=counters,
    )
    referral = routed.route == _REFERRAL
    flexible = routed.subroute == _FLEXIBLE
    internal = routed.turn == _INTERNAL
    turned = routed.turn >= 0

    def add(name: str, cat: IntArray, mask: npt.NDArray[np.bool_] | None = None) -> None:
        k = arrays[name].shape[2]  # the categories of the breakdown's kind
        index = local * k + cat
        weights = None if mask is None else mask.astype(np.float64)
        total = np.bincount(index, weights=weights, minlength=n_local * k).reshape(n_local, k)
        arrays[name][:, y, :] += total

    route = np.where(referral, 0, np.where(flexible, 1, 2)).astype(np.int64)
    add("vacancies_by_band", band)
    add("vacancies_by_colour", colour)
    add("referral_by_band", band, referral)
    add("referral_by_colour", colour, referral)
    add("lettings_by_route", route)
    for name, mask in (
        ("bab_vacancies", bab),
        ("lettings_internal", internal),
        ("lettings_external", turned & ~internal),
    ):
        total = np.bincount(local, weights=mask.astype(np.float64), minlength=n_local)
        arrays[name][:, y] += total
    return routed.counters


def _derive(arrays: dict[str, FloatArray], plans: list[_Year]) -> dict[str, FloatArray]:
    """The metrics from the counts. The need met has no value (NaN) in a year without a
    stated need, and is not measured at all where no year has one."""
    need_low = np.asarray([np.nan if p.need is None else p.need.low for p in plans],
                          dtype=np.float64)
    need_high = np.asarray([np.nan if p.need is None else p.need.high for p in plans],
                           dtype=np.float64)
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
    if any(p.need is not None for p in plans):
        with np.errstate(all="ignore"):  # a year's need of 0 (or none) has no share met
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
    assert set(METRICS) - set(NEED_METRICS) <= set(out)
    return out
