"""``fuaalborg simulate``: will the referral get the cheap dwellings it needs?"""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Any

import click

from fuaalborg.cli._common import DATE, cannot_write, check_output, output_suffix
from fuaalborg.municipality import Municipality

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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option(
    "-o",
    "--output",
    "figure",
    type=click.Path(dir_okay=False),
    callback=output_suffix(".png", ".svg", ".pdf"),
    help="Write the figure (.png, .svg or .pdf).",
)
@click.option("--list", "list_scenarios", is_flag=True, help="List the built-in scenarios.")
def simulate_command(
    years: int,
    runs: int,
    seed: int | None,
    scenario: str,
    compare_with: str | None,
    start: dt.date | None,
    workers: int,
    as_json: bool,
    quiet: bool,
    figure: str | None,
    list_scenarios: bool,
) -> None:
    """Simulate years of vacancies through the agreement's rules (kapacitetssimulering).

    Runs the example municipality's vacancies through the step model and the
    letting ledger's routing, RUNS times, and reports per year the median and
    10th–90th percentile of vacancies, cheap vacancies (at most 3,500 kr),
    dwellings reaching the referral and the share of its 250–300 need met.
    """
    import secrets

    from fuaalborg import examples
    from fuaalborg.simulation import Scenario, SimulationResult, builtin_scenarios, simulate

    if list_scenarios:
        for name, title in builtin_scenarios().items():
            click.echo(f"{name:<18} {title}")
        return
    check_output(figure)
    base = Scenario.load(scenario)
    other = Scenario.load(compare_with) if compare_with else None
    town = examples.load()
    chosen_seed = secrets.randbits(32) if seed is None else seed

    def run(chosen: Scenario) -> SimulationResult:
        return simulate(
            town,
            years=years,
            runs=runs,
            seed=chosen_seed,
            scenario=chosen,
            start=start,
            progress=not quiet and sys.stderr.isatty(),
            workers=workers,
        )

    result = run(base)
    if other is None:
        if figure:
            _plot(result, figure)
        if as_json:
            click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            click.echo("\n".join(result.lines()))
        return
    second = run(other)
    comparison = result.compare(second)
    if figure:
        _plot(comparison, figure)
    if as_json:
        click.echo(json.dumps(comparison.to_dict(), ensure_ascii=False))
    else:
        click.echo("\n".join([*result.lines(), "", *second.lines(), "", *comparison.lines()]))


def _plot(result: Any, figure: str) -> None:
    """Draw the figure to ``figure`` (written atomically: a failure leaves no file)."""
    try:
        result.plot(figure)
    except OSError as exc:
        raise cannot_write(figure, exc) from None


def simulation_section(town: Municipality, on: dt.date) -> list[str]:
    """Demo: 200 runs × 1 year of the agreement from ``on``, with the headline numbers."""
    from fuaalborg.simulation import simulate

    result = simulate(town, years=1, runs=200, seed=2023, start=on)
    mean = {
        m: result.stats(m)["mean"][0]
        for m in (
            "vacancies",
            "cheap_vacancies",
            "bab_vacancies",
            "referral_dwellings",
            "referral_cheap",
            "need_met_low",
            "need_met_high",
        )
    }
    cheap_band = result.categories["rent_band"][0]
    return [
        f"Capacity simulation: 200 runs × 1 year from {on.isoformat()} (seed 2023, "
        "counters start at zero)",
        f"  vacancies {_n(mean['vacancies'])}, of them cheap ({cheap_band}) "
        f"{_n(mean['cheap_vacancies'])} incl. {_n(mean['bab_vacancies'])} BAB",
        f"  to the referral {_n(mean['referral_dwellings'])}, cheap "
        f"{_n(mean['referral_cheap'])}: {mean['need_met_low']:.0%} of the lower need "
        f"({result.need_low}), {mean['need_met_high']:.0%} of the upper ({result.need_high})",
    ]


def _n(value: float) -> str:
    """A whole number with Danish thousands separators."""
    return f"{value:,.0f}".replace(",", ".")


COMMANDS = [simulate_command]
