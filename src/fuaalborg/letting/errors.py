"""The letting ledger's errors: one base class, one subclass per way a ledger can fail.

Every message is one line that names the ledger (never a password) and says
what to do; none shows an applicant id or other personal data. Input the
ledger refuses raises :class:`LedgerInputError`, listing every problem at
once.

What to do is a :class:`~fuaalborg.errors.Remedy` at the end of the message
(or of a problem's line): the constants below, each worded for a caller of the
Python API. The command line words the same keys in its own commands and
options (see :meth:`~fuaalborg.errors.FuaalborgError.worded`):

- ``open_existing`` (:data:`OPEN_EXISTING`): the target already holds a ledger;
- ``repair`` (:data:`REPAIR`): the file ends with a torn line;
- ``reopen`` (:data:`REOPEN`): a write failed, or another writer changed what
  this ledger read;
- ``give_colour`` (:data:`GIVE_COLOUR`): no colour for a vacancy;
- ``give_organisations`` (:data:`GIVE_ORGANISATIONS`): the turn counts per
  organisation and the ledger does not know a department's;
- ``own_municipality`` (:data:`OWN_MUNICIPALITY`) and ``own_colours``
  (:data:`OWN_COLOURS`): a municipality or colour source of another ledger;
- ``correct_instead`` (:data:`CORRECT_INSTEAD`) and ``void_and_record``
  (:data:`VOID_AND_RECORD`): a change the ledger makes another way;
- ``update_stock`` (:data:`UPDATE_STOCK`): a municipality whose housing stock
  differs from the ledger's; ``current_stock`` (:data:`CURRENT_STOCK`): one
  whose stock the ledger has moved on from; ``void_or_later``
  (:data:`VOID_OR_LATER`): a change of stock that would leave a recorded
  vacancy outside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from fuaalborg.errors import FuaalborgError, InputError, Problem, Remedy

__all__ = [
    "CORRECT_INSTEAD",
    "CORRECT_TOO",
    "CURRENT_STOCK",
    "GIVE_COLOUR",
    "GIVE_ORGANISATIONS",
    "OPEN_EXISTING",
    "OWN_COLOURS",
    "OWN_MUNICIPALITY",
    "REBUILT",
    "REMEDIES",
    "REOPEN",
    "REPAIR",
    "UPDATE_STOCK",
    "VOID_AND_RECORD",
    "VOID_OR_LATER",
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


class LedgerInputError(InputError):
    """Input the ledger refuses; ``problems`` lists every problem. Nothing was written.

    ``what`` names the call refused (``"vacancy 'V1'"``); each problem's
    ``where`` is the argument it concerns (``vacant_on``), where it concerns one.
    """

    def __init__(self, what: str, problems: Iterable[Problem]) -> None:
        self.what = what
        super().__init__(problems, head=f"{what}: {{count}}; nothing was written")


#: The target already holds a ledger.
OPEN_EXISTING = Remedy("open_existing", "open it with Ledger.open")
#: The ledger file ends with a torn line (a write cut short).
REPAIR = Remedy("repair", "repair it first with Ledger.repair")
#: A write failed, or another writer changed what this ledger had read.
REOPEN = Remedy("reopen", "reopen the ledger")
#: No colour for the vacancy.
GIVE_COLOUR = Remedy(
    "give_colour", "pass colour=, or open the ledger with its municipality or a colour_source",
    ("colour", "municipality", "colour_source"),
)
#: The turn counts per organisation and the ledger does not know the department's.
GIVE_ORGANISATIONS = Remedy(
    "give_organisations",
    "open the ledger with its municipality or organisations=, and the first write records them",
    ("municipality", "organisations"),
)
#: A municipality that is not the one the ledger was created for.
OWN_MUNICIPALITY = Remedy(
    "own_municipality", "give the ledger its own municipality", ("municipality",)
)
#: A colour source that is not the ledger's municipality's.
OWN_COLOURS = Remedy(
    "own_colours", "give the ledger its own municipality's colours",
    ("colour_source", "municipality"),
)
#: A let vacancy: its facts are corrected, not voided.
CORRECT_INSTEAD = Remedy("correct_instead", "correct its facts with Ledger.correct instead")
#: A fact that decides the route: the vacancy is voided and recorded again.
VOID_AND_RECORD = Remedy(
    "void_and_record", "void the vacancy (Ledger.void) and record it again"
)
#: A municipality whose housing stock differs from the ledger's (new, merged or removed
#: departments and dwellings).
UPDATE_STOCK = Remedy(
    "update_stock",
    "if the stock changed on purpose, record the change with Ledger.update_stock from the day "
    "it is in force; else give the ledger its own municipality",
    ("municipality", "on"),
)
#: A municipality whose housing stock is one the ledger has moved on from.
CURRENT_STOCK = Remedy(
    "current_stock", "give the ledger its municipality as it is now", ("municipality",)
)
#: A change of stock that would leave a recorded vacancy outside the stock of its date.
VOID_OR_LATER = Remedy(
    "void_or_later", "void the vacancy (Ledger.void), or record the change from a later day",
    ("on",),
)
#: Rooms given otherwise than the dwellings table gives them (its ``arguments``: the fact).
REBUILT = Remedy(
    "rebuilt",
    "where the dwelling was rebuilt, correct the dwellings table and record the change of "
    "stock (Ledger.update_stock)",
)
#: A vacancy re-dated into a stock whose dwellings table disagrees with a fact it recorded
#: (its ``arguments``: the fact): that fact is corrected in the same call.
CORRECT_TOO = Remedy("correct_too", "correct it in the same call")
#: Every remedy of the ledger, by key.
REMEDIES: Mapping[str, Remedy] = {
    r.key: r for r in (OPEN_EXISTING, REPAIR, REOPEN, GIVE_COLOUR, GIVE_ORGANISATIONS,
                       OWN_MUNICIPALITY, OWN_COLOURS, CORRECT_INSTEAD, VOID_AND_RECORD,
                       UPDATE_STOCK, CURRENT_STOCK, VOID_OR_LATER, REBUILT, CORRECT_TOO)
}
