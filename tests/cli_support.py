"""The command line as the tests call it: every argument as text, the result kept."""

from __future__ import annotations

from click.testing import CliRunner, Result

from fuaalborg.cli import main


def run(*args: object) -> Result:
    """Run ``fuaalborg`` with ``args`` (paths and numbers as text) in a fresh runner."""
    return CliRunner().invoke(main, [str(a) for a in args])
