"""Pieces the commands share: the ``DATE`` type, output-file checks, wording, counts."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from fuaalborg.errors import FuaalborgError

__all__ = [
    "DATE",
    "CommandError",
    "cannot_write",
    "check_output",
    "counted",
    "number",
    "output_suffix",
    "reword",
    "reworded",
]

class CommandError(FuaalborgError):
    """A user error found by a command, or a library message re-worded in its options."""


class _DateType(click.ParamType):  # type: ignore[type-arg]  # generic in newer click
    """A calendar date written YYYY-MM-DD; shown as ``DATE`` in usage lines."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "DATE"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"{text!r} is not a date in the form YYYY-MM-DD", param, ctx)
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date: there is no such day", param, ctx)


#: The click type of a date argument or option (YYYY-MM-DD, returns a ``datetime.date``).
DATE = _DateType()


def output_suffix(
    *suffixes: str,
) -> Callable[[click.Context, click.Parameter, str | None], str | None]:
    """An option callback accepting only a file name ending in one of ``suffixes``."""

    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        if value is not None and Path(value).suffix.lower() not in suffixes:
            head, last = ", ".join(suffixes[:-1]), suffixes[-1]
            allowed = f"{head} or {last}" if head else last
            raise click.BadParameter(f"{Path(value).name!r} is not a {allowed} file name")
        return value

    return check


def check_output(path: str | None) -> None:
    """Refuse, before any work, an output whose directory is missing or not writable."""
    if path is None:
        return
    folder = Path(path).parent
    if folder.is_dir():
        if os.access(folder, os.W_OK):
            return
        reason = f"directory {folder} is not writable"
    else:
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if existing.exists() and not existing.is_dir():
            reason = f"{existing} is not a directory"
        else:
            reason = f"directory {folder} does not exist"
    raise CommandError(f"cannot write {path}: {reason}")


def cannot_write(path: str | os.PathLike[str], exc: OSError) -> CommandError:
    """The one-line error for an output file that could not be written."""
    return CommandError(f"cannot write {os.fspath(path)}: {exc.strerror or exc}")


def reworded(exc: FuaalborgError, replacements: Sequence[tuple[str, str]]) -> FuaalborgError:
    """``exc`` with the library's wording replaced by the command line's, where it differs.

    ``replacements`` are (regular expression, replacement) pairs for :func:`re.sub`.
    """
    text = reword(str(exc), replacements)
    return exc if text == str(exc) else CommandError(text)


def reword(text: str, replacements: Sequence[tuple[str, str]]) -> str:
    """``text`` with each (regular expression, replacement) pair applied by :func:`re.sub`."""
    for pattern, new in replacements:
        text = re.sub(pattern, new, text)
    return text


def number(value: float) -> str:
    """A whole number with Danish thousands separators (21.618)."""
    return f"{value:,.0f}".replace(",", ".")


def counted(value: int, noun: str) -> str:
    """A count and its noun: ``1 row``, ``21.618 rows`` (Danish thousands separators)."""
    return f"{number(value)} {noun}{'' if value == 1 else 's'}"


