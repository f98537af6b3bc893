"""``fuaalborg simulate``: will the referral get the cheap dwellings it needs?"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import TYPE_CHECKING, Any

import click

from fuaalborg.cli._common import (
    DATE,
    CommandError,
    cannot_write,
    check_output,
    dayfirst_option,
    echo_notice,
    load_municipality,
    municipality_option,
    number,
    output_option,
)
from fuaalborg.municipality import Municipality

if TYPE_CHECKING:
    from fuaalborg.parameters import ParameterSet
    from fuaalborg.simulation import SimulationResult

__all__ = ["COMMANDS", "simulate_command", "simulation_section"]


@click.command("simulate")
@click.option(
    "--years",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Simulated years per run.",
)
@click.option(
    "--runs", default=1000, show_default=True, type=click.IntRange(min=1), help="Monte Carlo runs."
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Random seed (default: drawn, and shown in the output).",
)
@click.option(
    "--scenario",
    default="agreement",
    show_default=True,
    metavar="NAME|FILE",
    help="A built-in scenario (see --list) or a scenario file.",
)
@click.option(
    "--compare",
    "compare_with",
    metavar="NAME|FILE",
    help="A second scenario, run on the same vacancies; shows the difference.",
)
@click.option(
    "--start",
    type=DATE,
    help="First simulated day (default 2026-01-01); counters start at zero on it.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Processes to spread the runs over (the result does not change).",
)
@click.option("--need", nargs=2, type=click.IntRange(min=0), metavar="LOW HIGH",
              help="The referral's yearly need of cheap dwellings (default: municipality.toml's "
              "[referral_need]; the bundled example's is Aalborg's 250–300; without one no "
              "need met is shown).")
@municipality_option
@dayfirst_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@output_option(".png", ".svg", ".pdf", dest="figure",
               help="Write the figure (.png, .svg or .pdf).")
@click.option("--list", "list_scenarios", is_flag=True, help="List the built-in scenarios.")
def simulate_command(
    years: int,
    runs: int,
    seed: int | None,
    scenario: str,
    compare_with: str | None,
    start: dt.date | None,
    workers: int,
    need: tuple[int, int] | None,
    municipality_dir: str | None,
    dayfirst: bool,
    as_json: bool,
    quiet: bool,
    figure: str | None,
    list_scenarios: bool,
) -> None:
    """Simulate years of vacancies through the agreement's rules (kapacitetssimulering).

    Runs the municipality's vacancies (--municipality DIR; default: the bundled
    example) through the step model and the letting ledger's routing, RUNS times,
    and reports per year the median and 10th–90th percentile of vacancies, cheap
    vacancies (the agreement's lowest rent band), dwellings reaching the referral
    and the share of its yearly need met (--need, or municipality.toml's
    [referral_need]; the example's is Aalborg's 250–300). A municipality that
    states no need gets no need met, and a note that says how to give one.
    """
    import secrets

    from fuaalborg.simulation import Scenario, builtin_scenarios, simulate

    if list_scenarios:
        for name, title in builtin_scenarios().items():
            click.echo(f"{name:<18} {title}")
        return
    check_output(figure)
    if need is not None and need[0] > need[1]:
        raise CommandError(f"--need {need[0]} {need[1]}: LOW is above HIGH")
    municipality = load_municipality(municipality_dir, dayfirst=dayfirst)
    if not as_json:  # the JSON object names the municipality (and says when it is the example)
        echo_notice(municipality, "its dwellings and colours")
    params = _with_need(municipality.parameters, need)
    if not as_json:
        from fuaalborg.simulation.engine import DEFAULT_START

        stated = municipality.referral_need(start or DEFAULT_START, params)
        if stated is not None:  # whose need: without one the result's note says so, once
            click.echo(f"{municipality.name}: the referral's need {stated.low}–{stated.high} "
                       f"cheap dwellings a year ({stated.reference})")
    base = Scenario.load(scenario, base=params)
    other = Scenario.load(compare_with, base=params) if compare_with else None
    chosen_seed = secrets.randbits(32) if seed is None else seed

    def run(chosen: Scenario) -> SimulationResult:
        return simulate(
            municipality,
            years=years,
            runs=runs,
            seed=chosen_seed,
            scenario=chosen,
            start=start,
            progress=not quiet and sys.stderr.isatty(),
            workers=workers,
        )

    result = _on_the_command_line(run(base))
    if other is None:
        if figure:
            _plot(result, figure)
        if as_json:
            click.echo(json.dumps({"municipality": _described(municipality), **result.to_dict()},
                                  ensure_ascii=False))
        else:
            click.echo("\n".join(result.lines()))
        _wrote(figure, as_json)
        return
    second = _on_the_command_line(run(other))
    comparison = result.compare(second)
    if figure:
        _plot(comparison, figure)
    if as_json:
        click.echo(json.dumps({"municipality": _described(municipality), **comparison.to_dict()},
                              ensure_ascii=False))
    else:
        click.echo("\n".join([*result.lines(), "", *second.lines(omit=result.notes), "",
                               *comparison.lines()]))
    _wrote(figure, as_json)


#: How to give the referral's need, as the command's notes say it.
_HOW_TO_GIVE_NEED = (
    "give one with [referral_need] in municipality.toml (low, high, from, reference) or "
    "with --need LOW HIGH on the command line"
)


def _on_the_command_line(result: SimulationResult) -> SimulationResult:
    """``result`` with its notes saying how to give a need here (--need), not in the
    library (a scenario)."""
    import attrs

    from fuaalborg.simulation.result import HOW_TO_GIVE_NEED

    notes = tuple(n.replace(HOW_TO_GIVE_NEED, _HOW_TO_GIVE_NEED) for n in result.notes)
    return attrs.evolve(result, notes=notes)


def _wrote(figure: str | None, as_json: bool) -> None:
    """Say which figure was written (on standard error beside --json's one object)."""
    if figure:
        from pathlib import Path

        click.echo(f"wrote {Path(figure).name}", err=as_json)


def _described(municipality: Municipality) -> str:
    """The municipality as JSON output names it (the example says it is synthetic)."""
    return (
        f"{municipality.name} (example municipality (synthetic))"
        if municipality.synthetic
        else municipality.name
    )


def _with_need(params: ParameterSet, need: tuple[int, int] | None) -> ParameterSet:
    """``params`` with the referral's need given on the command line on top."""
    if need is None:
        return params
    from fuaalborg.parameters import DatedValue, Parameter, ParameterSet

    layer = {}
    for name, value in (("referral.expected_need_low", need[0]),
                        ("referral.expected_need_high", need[1])):
        dated = DatedValue(name=name, start=dt.date(1900, 1, 1), end=None, value=value,
                           reference="given on the command line (--need)", source="--need")
        layer[name] = Parameter(name=name, description=params.parameter(name).description,
                                unit="count", values=(dated,), source="--need")
    return ParameterSet((*params.layers, layer), (*params.sources, "--need"))


def _plot(result: Any, figure: str) -> None:
    """Draw the figure to ``figure`` (written atomically: a failure leaves no file)."""
    try:
        result.plot(figure)
    except OSError as exc:
        raise cannot_write(figure, exc) from None


def simulation_section(municipality: Municipality, on: dt.date) -> list[str]:
    """Demo: 200 runs × 1 year of the agreement from ``on``, with the headline numbers."""
    from fuaalborg.simulation import simulate

    result = simulate(municipality, years=1, runs=200, seed=2023, start=on)
    mean = {m: result.stats(m)["mean"][0] for m in result.metrics}
    cheap_band = result.categories["rent_band"][0]
    met = (
        f": {mean['need_met_low']:.0%} of the lower need ({result.need_low}), "
        f"{mean['need_met_high']:.0%} of the upper ({result.need_high})"
        if result.has_need else " (no need of the referral is stated)"
    )
    return [
        f"Capacity simulation: 200 runs × 1 year from {on.isoformat()} (seed 2023, "
        "counters start at zero)",
        f"  vacancies {number(mean['vacancies'])}, of them cheap ({cheap_band}) "
        f"{number(mean['cheap_vacancies'])} incl. {number(mean['bab_vacancies'])} BAB",
        f"  to the referral {number(mean['referral_dwellings'])}, cheap "
        f"{number(mean['referral_cheap'])}{met}",
    ]




COMMANDS = [simulate_command]
