"""``fuaalborg parameters``: show the cited, dated parameters."""

from __future__ import annotations

import datetime as dt
import warnings

import click

from fuaalborg.cli._common import DATE
from fuaalborg.errors import NotInForceError
from fuaalborg.parameters import load_parameters

__all__ = ["COMMANDS", "parameters_command"]


@click.command("parameters")
@click.option("--on", "on", type=DATE, help="Show values in force on DATE.")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A parameter file to layer on top of the bundled ones (repeatable).",
)
@click.argument("names", nargs=-1)
def parameters_command(
    on: dt.date | None, files: tuple[str, ...], names: tuple[str, ...]
) -> None:
    """List parameters (all, or NAMES) with value, period and legal reference."""
    params = load_parameters(*files)
    day = on or dt.date.today()
    for name in names or tuple(params.names()):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                click.echo(params.lookup(name, day).describe())
            except NotInForceError as exc:
                click.echo(f"{name}: {exc}")
            except KeyError:
                raise click.UsageError(f"unknown parameter {name!r}") from None
        for w in caught:
            click.echo(f"  note: {w.message}")


COMMANDS = [parameters_command]
