"""The letting ledger's errors: one base class, one subclass per way a ledger can fail.

Every message is one line that names the ledger (never a password) and says
what to do; none shows an applicant id or other personal data.
"""

from __future__ import annotations

from fuaalborg.errors import FuaalborgError, ValidationError

__all__ = [
    "LedgerBusyError",
    "LedgerConnectionError",
    "LedgerCorruptError",
    "LedgerError",
    "LedgerInputError",
    "LedgerLockedError",
    "LedgerMunicipalityError",
    "LedgerSchemaError",
]


class LedgerError(FuaalborgError):
    """A ledger that cannot be created, opened or written."""


class LedgerCorruptError(LedgerError):
    """A ledger whose log is damaged, holds a malformed event, or does not replay."""


class LedgerLockedError(LedgerError):
    """Another process holds the ledger and the call could not wait for it."""


class LedgerBusyError(LedgerLockedError):
    """Another writer held the ledger for longer than the wait allowed; nothing was written."""


class LedgerConnectionError(LedgerError):
    """The ledger's database cannot be reached or refuses the connection."""


class LedgerSchemaError(LedgerError):
    """A database whose ledger tables are missing, or were made by a newer fuaalborg."""


class LedgerMunicipalityError(LedgerError):
    """A municipality or colour source that is not the one the ledger was created for."""


class LedgerInputError(ValidationError):
    """Input the ledger refuses; ``problems`` lists every problem. Nothing was written."""

    def __init__(self, what: str, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        n = len(problems)
        head = f"{what}: {n} problem{'s' if n != 1 else ''}; nothing was written"
        super().__init__("\n".join([head, *(f"  - {p}" for p in problems)]))
