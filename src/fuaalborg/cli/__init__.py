"""The ``fuaalborg`` command line: click commands, one module per area.

The commands hold no logic of their own; they call the library. A user error
(bad input, a date outside every rule, a file that cannot be read or written)
prints one line to standard error and exits with status 1, without a traceback;
a warning prints as one line ``warning: …``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import click

from fuaalborg._version import __version__
from fuaalborg.errors import FuaalborgError

__all__ = ["main"]


class _Group(click.Group):
    """A click group that turns fuaalborg's errors into one-line messages."""

    def invoke(self, ctx: click.Context) -> Any:
        previous = warnings.showwarning
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except FuaalborgError as exc:
            lines = str(exc).splitlines() or [type(exc).__name__]
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(1)
        except OSError as exc:  # a file the user named cannot be read or written
            name = str(exc.filename) if exc.filename else "a file"
            reason = exc.strerror or type(exc).__name__
            click.echo(f"Error: cannot use {name}: {reason}", err=True)
            sys.exit(1)
        finally:
            warnings.showwarning = previous


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """Print a warning as one readable line on standard error."""
    text = " ".join(str(message).split())
    click.echo(f"warning: {text}", err=True)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="fuaalborg")
def main() -> None:
    """fuaalborg: Aalborg's joint letting agreement (Fælles Udlejningsaftale) as code.

    Every command defaults to the bundled, synthetic example municipality.
    """


def _register() -> None:
    from fuaalborg.cli import (
        calendar,
        criteria,
        demo,
        ledger,
        monitoring,
        parameters,
        ranking,
        report,
        simulate,
    )

    for module in (demo, parameters, simulate, monitoring, calendar, criteria, ranking, ledger,
                   report):
        for command in module.COMMANDS:
            main.add_command(command)


_register()
