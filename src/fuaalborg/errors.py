"""The exceptions and warnings that fuaalborg raises.

Every error a user can cause derives from :class:`FuaalborgError`, so a letting
system can catch the library's errors in one place, and the command line turns
them into a one-line message on standard error instead of a traceback.

Errors never carry personal data (CPR numbers, names, applicant ids): a message
names the table, column, row and the expected form. It shows no value of a table
of persons (the waiting list, :attr:`fuaalborg.tables.TableSpec.personal`) and,
in any other table, no value shaped like a CPR number
(:mod:`fuaalborg.personal_data`).

Every problem at once
---------------------
Input with several problems — a table, a parameter file, a scenario, the
arguments of a ledger call — raises one :class:`ProblemsError` that lists them
all: ``problems`` holds one :class:`Problem` per problem (*where* it is, *what*
is wrong), and the message shows them under one head line written by
:func:`format_problems`. Every multi-problem error of the library derives from
it; those about input are also a :class:`ValidationError` (:class:`InputError`,
:class:`ParameterFileError`, :class:`~fuaalborg.tables.TableValidationError`,
:class:`~fuaalborg.criteria.errors.PluginLoadError`,
:class:`~fuaalborg.letting.errors.LedgerInputError`, …).

It is a plain error holding structured problems, not an :class:`ExceptionGroup`
of one exception per problem (the shape cattrs uses), because a problem is
data, not a failure of its own: a letting system sorts, filters and counts the
problems of a 100 000-row waiting list, shows them as a table
(:meth:`fuaalborg.errors.ProblemsError.to_frame`) or sends them as JSON, and none of that needs
an exception (and a traceback) per failing cell. It also pickles as it is, so
an error crosses from a worker process intact. Where the problems are of
different *kinds* that a caller handles differently — loading plug-ins — the
error is both: :class:`~fuaalborg.criteria.errors.PluginLoadError` is a
:class:`ProblemsError` and an :class:`ExceptionGroup` of named errors, so
``except* DiscriminatoryCriterionError`` picks one kind, and its members have a
*where* and a *what* like every other problem.

>>> err = ProblemsError(
...     [Problem("vacant_on", "'2024-13-01' is not a date (YYYY-MM-DD)"),
...      Problem("rooms", "0 is not a whole number >= 1")],
...     head="vacancy 'V1': {count}",
... )
>>> print(err)
vacancy 'V1': 2 problems
  - vacant_on: '2024-13-01' is not a date (YYYY-MM-DD)
  - rooms: 0 is not a whole number >= 1
>>> [p.where for p in err.problems]
['vacant_on', 'rooms']

What to do about it
-------------------
An error may end with what the caller can do: a :class:`Remedy`. Its
``text`` speaks to a caller of the Python API ("pass colour= or
municipality="); its ``key`` and ``arguments`` name the same remedy, so that
another front end says it in its own terms — the command line names its
options and commands — with :meth:`FuaalborgError.worded` and a
:class:`Wording`, without reading (or rewriting) the library's text. A
problem placed at an argument (``where`` is the argument's name) is listed
under the front end's name for it.

>>> give = Remedy("give", "pass colour= or municipality=", ("colour", "municipality"))
>>> err = FuaalborgError("the department's colour is not known", remedy=give)
>>> print(err)
the department's colour is not known; pass colour= or municipality=
>>> cli = Wording(
...     names={"colour": "--colour", "municipality": "--municipality"},
...     remedies=lambda r: "give " + " or ".join(cli.name(a) for a in r.arguments),
... )
>>> print(err.worded(cli))
the department's colour is not known; give --colour or --municipality
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

import attrs

from fuaalborg.formatting import counted

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LIBRARY_WORDING",
    "MAX_PROBLEM_LINES",
    "AssumedTermsWarning",
    "FuaalborgError",
    "InputError",
    "NotInForceError",
    "ParameterFileError",
    "Problem",
    "ProblemLike",
    "ProblemsError",
    "Remedy",
    "ValidationError",
    "WithRemedy",
    "Wording",
    "format_problems",
    "unknown_keys",
]

#: How many problems a message lists before it counts the rest.
MAX_PROBLEM_LINES = 40


@attrs.frozen
class Remedy:
    """What the caller can do about an error, in the library's words and by name.

    ``key`` names the remedy (``"give"``, ``"repair"``, ``"open_existing"``, …;
    each module that raises one documents its keys), ``text`` is the library's
    wording for a caller of its Python API, and ``arguments`` are the keyword
    arguments it concerns, most useful first. A front end maps ``key`` and
    ``arguments`` to its own terms (see :meth:`FuaalborgError.worded`).
    """

    key: str
    text: str
    arguments: tuple[str, ...] = ()


def _no_words(remedy: Remedy) -> str | None:
    return None


@attrs.frozen
class Wording:
    """How a front end words what the library names: its arguments and its remedies.

    ``names`` gives the front end's name of a keyword argument
    (``{"colour": "--colour"}``): a problem whose ``where`` is such an
    argument is listed under that name. ``remedies`` words a :class:`Remedy`
    in the front end's terms, or returns ``None`` to keep the library's text.
    The library's own wording is ``Wording()``.
    """

    names: Mapping[str, str] = attrs.field(factory=dict)
    remedies: Callable[[Remedy], str | None] = _no_words

    def name(self, argument: str) -> str:
        """The front end's name of ``argument`` (the argument's own name by default)."""
        return self.names.get(argument, argument)

    def remedy(self, remedy: Remedy) -> str:
        """``remedy`` in the front end's words."""
        return self.remedies(remedy) or remedy.text


#: The library's own wording: argument names and remedies as its Python API says them.
LIBRARY_WORDING = Wording()


class WithRemedy(Exception):  # noqa: N818 - the base of errors and warnings alike
    """An exception whose message may end with a :class:`Remedy`: the base of errors and warnings.

    :class:`FuaalborgError` derives from it, and so do warnings that say what to do
    (:class:`~fuaalborg.letting.store.file.TornLineWarning`), so that a front end
    words the remedy of either with :meth:`worded`.
    """

    #: What the caller can do, or ``None``.
    remedy: Remedy | None = None

    def __init__(self, *args: object, remedy: Remedy | None = None) -> None:
        super().__init__(*args)
        if remedy is not None:
            self.remedy = remedy

    def __str__(self) -> str:
        return self.worded()

    def worded(self, words: Wording = LIBRARY_WORDING) -> str:
        """The message, with the remedy in ``words`` (default: the library's own)."""
        text = super().__str__()
        if self.remedy is None:
            return text
        return f"{text}; {words.remedy(self.remedy)}"


class FuaalborgError(WithRemedy):
    """Base class of every error fuaalborg raises on purpose.

    ``remedy`` (keyword-only) is what the caller can do; the message ends with
    its text. :meth:`~WithRemedy.worded` gives the message with the remedy in another front
    end's words.
    """


class ValidationError(FuaalborgError, ValueError):
    """Input that does not have the form the agreement or the law requires.

    A :class:`ValueError`, so code that already catches ``ValueError`` keeps working.
    """


@attrs.frozen
class Problem:
    """One problem of an input: where it is and what is wrong.

    ``where`` places it — a file and key (``rules.toml: referral.share``), the
    argument of a call (``vacant_on``), a row (``row 3``) — and is empty for a
    problem with no place of its own; ``what`` says what is wrong and, where it
    helps, what was expected. Neither shows a personal value. ``remedy`` is
    what the caller can do about this problem (see :class:`Remedy`).

    ``str(problem)`` is its line in a message: ``where: what``.
    """

    where: str
    what: str
    remedy: Remedy | None = attrs.field(default=None, kw_only=True)

    #: The fields a list of these problems is laid out under, one column each (and the
    #: columns of :meth:`fuaalborg.errors.ProblemsError.to_frame`); empty for one line
    #: per problem (``  - where: what``) and the columns ``where`` and ``what``.
    COLUMNS: ClassVar[tuple[str, ...]] = ()

    def cells(self) -> tuple[str, ...]:
        """The problem's text in each of :attr:`COLUMNS`."""
        return ()

    def worded(self, words: Wording = LIBRARY_WORDING) -> str:
        """The problem's line in ``words`` (default: the library's): its place and remedy."""
        return _line(self, words)

    def __str__(self) -> str:
        return self.worded()


def unknown_keys(
    given: Iterable[str],
    known: Iterable[str],
    where: str = "",
    *,
    what: str = "key",
    in_order: bool = False,
) -> list[Problem]:
    """One :class:`Problem` for each of ``given`` that is not one of ``known``.

    Each is placed at ``where.key`` (at ``key`` where ``where`` is empty), says what
    was expected and, for a near miss, which known key was probably meant. The known
    keys are listed sorted, or in their own order with ``in_order``.

    >>> for p in unknown_keys(["low", "hihg", "colour"], {"low", "high"}, "need"):
    ...     print(p)
    need.colour: unknown key; expected high, low
    need.hihg: unknown key; did you mean 'high'? expected high, low
    """
    expected = list(known) if in_order else sorted(known)
    problems = []
    for key in sorted(set(given) - set(expected)):
        close = difflib.get_close_matches(key, expected, n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        problems.append(Problem(
            f"{where}.{key}" if where else key,
            f"unknown {what}; {hint}expected {', '.join(expected)}",
        ))
    return problems


class ProblemLike(Protocol):
    """What a :class:`ProblemsError` needs of a problem: where it is, what is wrong.

    :class:`Problem` and its subclasses have it, and so has each member of a
    :class:`~fuaalborg.criteria.errors.PluginLoadError`.
    """

    @property
    def where(self) -> str:
        """Where the problem is (empty: no place of its own)."""
        ...

    @property
    def what(self) -> str:
        """What is wrong."""
        ...

    @property
    def remedy(self) -> Remedy | None:
        """What the caller can do about it, or ``None``."""
        ...


_P = TypeVar("_P", bound=ProblemLike)


def _line(problem: ProblemLike, words: Wording) -> str:
    where = words.name(problem.where)
    text = f"{where}: {problem.what}" if where else problem.what
    if problem.remedy is not None:
        text += f"; {words.remedy(problem.remedy)}"
    # one problem, one line: a line break inside a value or text (a cell may hold one,
    # U+2028 included) must not pass for the start of another problem
    return " ".join(text.splitlines())


def format_problems(
    problems: Sequence[ProblemLike],
    *,
    head: str = "{count}",
    words: Wording = LIBRARY_WORDING,
    limit: int | None = MAX_PROBLEM_LINES,
) -> str:
    """The message listing ``problems``: a head line, then one line per problem.

    ``{count}`` in ``head`` becomes "1 problem" or "N problems". Problems that
    declare :attr:`Problem.COLUMNS` (the cells of a table) are laid out in
    aligned columns under those headings — the first column only where it
    differs between the problems (the table, when problems of several tables
    are listed together); others as ``  - where: what``. At most ``limit``
    problems are listed (``None``: all); a last line counts the rest.
    ``words`` names the problems' places and remedies in a front end's terms
    (see :class:`Wording`).

    >>> print(format_problems([Problem("a.toml: x", "unknown key")], head="{count} in a.toml:"))
    1 problem in a.toml:
      - a.toml: x: unknown key
    """
    n = len(problems)
    shown = problems if limit is None else problems[:limit]
    first = problems[0] if problems else None
    columns = first.COLUMNS if isinstance(first, Problem) else ()
    if columns and all(isinstance(p, Problem) and columns == p.COLUMNS for p in problems):
        cells = [p.cells() for p in shown if isinstance(p, Problem)]
        if len({getattr(p, columns[0], None) for p in problems}) <= 1:
            columns, cells = columns[1:], [c[1:] for c in cells]
        rows = [columns, *cells]
        last = len(columns) - 1
        widths = [max(len(r[i]) for r in rows) for i in range(last)]
        lines = [
            ("  " + "  ".join(r[i].ljust(widths[i]) for i in range(last)) + "  " + r[last]).rstrip()
            for r in rows
        ]
    else:
        lines = [f"  - {_line(p, words)}" for p in shown]
    if n > len(shown):
        lines.append(f"  … and {n - len(shown)} more (see .problems or .to_frame())")
    return "\n".join([head.replace("{count}", counted(n, "problem")), *lines])


def _restore(cls: type[ProblemsError[Any]], args: tuple[Any, ...], state: dict[str, Any]) -> Any:
    err = cls.__new__(cls)
    err.args = args
    err.__dict__.update(state)
    return err


class ProblemsError(FuaalborgError, Generic[_P]):
    """Every problem of an input, raised at once; ``problems`` lists them.

    ``problems`` is a tuple of :class:`Problem` values (a subclass may hold its
    own problem-shaped values, see :class:`ProblemLike`); ``head`` is the
    message's first line, in which ``{count}`` becomes "1 problem" or
    "N problems". The message lists the problems with :func:`format_problems`;
    :meth:`worded` lists them with their remedies in a front end's words. An
    error without problems is a bug of its caller and refused.
    """

    #: The message's first line; ``{count}`` becomes "1 problem" or "N problems".
    head: str = "{count}"

    def __init__(self, problems: Iterable[_P], *, head: str | None = None) -> None:
        self.problems: tuple[_P, ...] = tuple(problems)
        if not self.problems:
            raise ValueError(f"{type(self).__name__} needs at least one problem")
        if head is not None:
            self.head = head
        super().__init__(format_problems(self.problems, head=self.head))

    def worded(self, words: Wording = LIBRARY_WORDING) -> str:
        """The message in ``words`` (default: the library's): the problems' places and remedies."""
        return format_problems(self.problems, head=self.head, words=words)

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame: one row each, a column per field (``where``, ``what``)."""
        import pandas as pd

        columns: tuple[str, ...] = getattr(self.problems[0], "COLUMNS", ()) or ("where", "what")
        return pd.DataFrame(
            [{c: getattr(p, c, None) for c in columns} for p in self.problems], columns=columns
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt from its state, not by calling __init__ with the message
        return (_restore, (type(self), self.args, self.__dict__))


class InputError(ProblemsError[Problem], ValidationError):
    """Input with problems, every one listed: a :class:`ProblemsError`, a :class:`ValidationError`.

    The shape of the library's multi-problem input errors: each subclass sets its
    :attr:`~ProblemsError.head` (or passes ``head=``).
    """


class ParameterFileError(InputError):
    """A parameter file that cannot be loaded.

    ``problems`` lists every problem found, each where = ``"file: key"``;
    the message shows them all at once.
    """

    head = "{count} in parameter data:"


class NotInForceError(FuaalborgError, LookupError):
    """A rule or parameter looked up for a date on which no version of it applies."""


class AssumedTermsWarning(UserWarning):
    """A value used on a date where the terms are assumed, not adopted.

    The agreement of 2023 says that it "follows the council period" after
    2025-12-31 but no newer agreement text has been loaded: fuaalborg applies the
    2023 terms and warns. Load a newer agreement file to silence it.
    """
