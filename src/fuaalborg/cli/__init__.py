"""The ``fuaalborg`` command line: click commands, one module per area, loaded lazily.

The commands hold no logic of their own; they call the library. A user error
(bad input, a date outside every rule, a file that cannot be read or written)
prints one line to standard error and exits with status 1, without a traceback;
a warning prints as one line ``warning: …``. A command whose reader goes away
(``fuaalborg calendar | head -3``) stops quietly with status 141.

Each command's module is imported only when the command runs (or its help is
shown): ``fuaalborg --version`` imports neither pandas nor the library.
:data:`COMMAND_MODULES` maps every command name to the module and attribute that
define it; a new command is one name in its module's entry there. Options shared by
commands live in :mod:`fuaalborg.cli._common`.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import io
import os
import re
import sys
import warnings
from collections.abc import Mapping
from typing import Any, NoReturn

import click

from fuaalborg import _lazy
from fuaalborg._version import __version__
from fuaalborg.errors import FuaalborgError

__all__ = ["COMMAND_MODULES", "SuggestingGroup", "main"]

#: The commands each module of ``fuaalborg.cli`` defines, by name (the module lists the
#: click commands themselves as its ``COMMANDS``); a new command is one name here.
_COMMAND_NAMES: Mapping[str, tuple[str, ...]] = {
    "demo": ("demo",),
    "parameters": ("parameters",),
    "simulate": ("simulate",),
    "monitoring": ("classify-areas", "place", "overview", "colour-rules", "compare-presets"),
    "calendar": ("calendar",),
    "criteria": ("plugins", "audit"),
    "ranking": ("rank",),
    "replay": ("replay",),
    "ledger": ("ledger",),
    "report": ("report",),
}

#: The commands that are groups of subcommands (``fuaalborg ledger init``).
_GROUPS = frozenset({"ledger"})


def _attribute(name: str) -> str:
    """The attribute of its module that defines command ``name``.

    ``colour-rules`` is ``colour_rules_command``; the group ``ledger`` is ``ledger_group``.
    """
    return f"{name.replace('-', '_')}_{'group' if name in _GROUPS else 'command'}"


#: Every command: its name, and the module and attribute of ``fuaalborg.cli`` defining it.
COMMAND_MODULES: Mapping[str, tuple[str, str]] = {
    name: (module, _attribute(name)) for module, names in _COMMAND_NAMES.items() for name in names
}

_NEGATIVE = re.compile(r"-\d[\d.,]*")


class SuggestingGroup(click.Group):
    """A click group that answers a mistyped command with the commands it may have meant."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        """Resolve ``args[0]`` to a command; a mistyped one says which are close."""
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            import difflib

            close = difflib.get_close_matches(name, self.list_commands(ctx), n=3, cutoff=0.6)
            if close:
                ctx.fail(f"No such command {name!r}. Did you mean "
                         f"{' or '.join(repr(c) for c in close)}?")
        return super().resolve_command(ctx, args)


def _without_hidden(exc: click.NoSuchOption) -> click.NoSuchOption:
    """``exc`` suggesting no hidden or deprecated option (``--folder``): never advertise one."""
    command = exc.ctx.command if exc.ctx is not None else None
    shown = [
        name
        for param in getattr(command, "params", ())
        if isinstance(param, click.Option)
        and not (param.hidden or getattr(param, "deprecated", False))
        for name in (*param.opts, *param.secondary_opts)
    ]
    return click.NoSuchOption(exc.option_name, possibilities=shown or None, ctx=exc.ctx)


class _Group(SuggestingGroup):
    """A click group that loads its commands lazily and turns errors into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMAND_MODULES, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        if cmd_name not in COMMAND_MODULES:
            return None
        module, attribute = COMMAND_MODULES[cmd_name]
        command: click.Command = getattr(
            importlib.import_module(f"fuaalborg.cli.{module}"), attribute
        )
        return command

    def invoke(self, ctx: click.Context) -> Any:
        previous = warnings.showwarning
        warnings.showwarning = _show_warning
        try:
            return super().invoke(ctx)
        except click.NoSuchOption as exc:
            if not _NEGATIVE.fullmatch(exc.option_name):
                raise _without_hidden(exc) from None
            raise click.UsageError(
                f"a negative number ({exc.option_name}…) where only numbers >= 0 are "
                "accepted: amounts, rooms and counts cannot be negative",
                exc.ctx,
            ) from None
        except FuaalborgError as exc:
            lines = str(exc).splitlines() or [type(exc).__name__]
            click.echo(f"Error: {lines[0]}", err=True)
            for line in lines[1:]:
                click.echo(line, err=True)
            sys.exit(1)
        except OSError as exc:  # a file the user named cannot be read or written
            if exc.errno == errno.EPIPE and exc.filename is None:
                _reader_gone()
            name = str(exc.filename) if exc.filename else "a file"
            reason = exc.strerror or type(exc).__name__
            click.echo(f"Error: cannot use {name}: {reason}", err=True)
            sys.exit(1)
        finally:
            warnings.showwarning = previous


#: The exit status when the reader of the output goes away: 128 + SIGPIPE, as a program
#: stopped by the signal gives (``fuaalborg calendar | head -3`` under ``set -o pipefail``).
BROKEN_PIPE_STATUS = 141


def _reader_gone() -> NoReturn:
    """The output's reader went away (``… | head``): stop at once and say nothing.

    What is still buffered for standard output goes nowhere, so that Python's
    own flush at exit does not complain either.
    """
    with contextlib.suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    sys.exit(BROKEN_PIPE_STATUS)


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

    Every command that reads a municipality's data works on your own with
    --municipality DIR (a folder of CSV or xlsx tables, English or Danish, and a
    municipality.toml). Without it such a command uses the bundled, synthetic
    example municipality and says so in the first line of its output.
    colour-rules and parameters state the rules, the same for every
    municipality; demo tours the example.
    """


# Renamed names, kept for one release: ``COMMANDS`` is, in each command module, the
# list of its click commands.
_RENAMED = {"COMMANDS": ("fuaalborg.cli", "COMMAND_MODULES")}


def __getattr__(name: str) -> Any:
    """``COMMANDS`` is deprecated: it is :data:`COMMAND_MODULES`."""
    return _lazy.deprecated(__name__, name, _RENAMED)
