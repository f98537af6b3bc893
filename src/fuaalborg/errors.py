"""The exceptions and warnings that fuaalborg raises.

Every error a user can cause derives from :class:`FuaalborgError`, so a letting
system can catch the library's errors in one place, and the command line turns
them into a one-line message on standard error instead of a traceback.

Errors never carry personal data (CPR numbers, names): a message names the table,
column, row and the expected form, and shows a value only when the column is not
personal.
"""

from __future__ import annotations

__all__ = [
    "AssumedTermsWarning",
    "FuaalborgError",
    "NotInForceError",
    "ParameterFileError",
    "ValidationError",
]


class FuaalborgError(Exception):
    """Base class of every error fuaalborg raises on purpose."""


class ValidationError(FuaalborgError, ValueError):
    """Input that does not have the form the agreement or the law requires.

    A :class:`ValueError`, so code that already catches ``ValueError`` keeps working.
    """


class ParameterFileError(ValidationError):
    """A parameter file that cannot be loaded.

    ``problems`` lists every problem found, each as ``"file: key: what is wrong"``;
    the message shows them all at once.
    """

    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in parameter data:"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


class NotInForceError(FuaalborgError, LookupError):
    """A rule or parameter looked up for a date on which no version of it applies."""


class AssumedTermsWarning(UserWarning):
    """A value used on a date where the terms are assumed, not adopted.

    The agreement of 2023 says that it "follows the council period" after
    2025-12-31 but no newer agreement text has been loaded: fuaalborg applies the
    2023 terms and warns. Load a newer agreement file to silence it.
    """
