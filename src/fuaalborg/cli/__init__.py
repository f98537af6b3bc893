"""The ``fuaalborg`` command line: click commands, one module per area.

The commands hold no logic of their own; they call the library. A user error
(bad input, a date outside every rule) prints one line to standard error and
exits with status 1, without a traceback.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from fuaalborg._version import __version__
from fuaalborg.errors import FuaalborgError

__all__ = ["main"]


class _Group(click.Group):
    """A click group that turns fuaalborg's errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except FuaalborgError as exc:
            lines = str(exc).splitlines() or [type(exc).__name__]
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(1)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fuaalborg")
def main() -> None:
    """fuaalborg: Aalborg's joint letting agreement (Fælles Udlejningsaftale) as code.

    Every command defaults to the bundled, synthetic example municipality.
    """


def _register() -> None:
    from fuaalborg.cli import (
        criteria,
        demo,
        ledger,
        monitoring,
        parameters,
        ranking,
        report,
        simulate,
    )

    for module in (demo, parameters, simulate, monitoring, criteria, ranking, ledger, report):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
