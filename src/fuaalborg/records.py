"""Decision records (afgørelsesgrundlag) of rankings: data only.

A :class:`RankingBasis` holds what a ranking decided on: the vacancy, the date,
the route and turn with their basis, the department's colour and its basis,
the area designation, the organisation, the letting agreement's terms, the
criteria (id, title, fields read, legal basis), every parameter value used with
its reference and period, and the plug-ins with their distribution versions.
A :class:`~fuaalborg.letting.ranking.Ranking` keeps its basis
(:attr:`~fuaalborg.letting.ranking.Ranking.basis`), and its
:class:`RankingRecord` is that basis and the outcome: a fingerprint of the
waiting list (over the columns used only, independent of row order), the
counts, the library version, the resulting order and the ranking's notices
(:class:`~fuaalborg.letting.notices.Notice`: what it could not check, as codes
with counts, never an applicant's data). A record converts to JSON with cattrs
and back; :func:`fuaalborg.replay`
(:mod:`fuaalborg.letting.replay`) ranks the same waiting list again under the
recorded terms and lists every difference.

The format is :data:`SCHEMA`. Its ``notices``, ``bounds`` and ``municipality``
came later than its other fields: a record without them (written by release
0.1, or before records kept the bounds or named the municipality) still loads,
replays and is written back as it was, with ``None`` — not recorded, which is
not the same as none (``[]``). ``municipality`` names the municipality the
ranking was made for (:class:`MunicipalityRef`: its name, municipality code and
whether it is the bundled synthetic example — never its data).

>>> import datetime as dt
>>> from fuaalborg.letting.vacancy import Vacancy
>>> rec = RankingRecord(
...     vacancy=Vacancy("D1", 2, 5000.0, dt.date(2024, 5, 1)),
...     on=dt.date(2024, 5, 1), route="ordinary", route_basis="given",
...     turn=None, turn_basis="one list", colour=None, colour_basis="not used",
...     organisation_cvr=None, agreement=None, criteria=(), parameters=(), plugins=(),
...     input=InputFingerprint(rows=0, columns=(), sha256=""), top=None,
...     eligible=0, ineligible=0, ranked=(), library_version="0.1.0",
... )
>>> RankingRecord.from_json(rec.to_json()) == rec
True
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import warnings
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import attrs
import cattrs
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.v import format_exception

from fuaalborg._strict import FormError, register_strict_hooks
from fuaalborg._types import Language, Subroute, Turn
from fuaalborg.errors import FuaalborgError, InputError, Problem, ValidationError
from fuaalborg.formatting import format_value
from fuaalborg.letting.notices import Notice
from fuaalborg.letting.vacancy import Vacancy

__all__ = [
    "SCHEMA",
    "AgreementTerms",
    "CriterionUse",
    "InputFingerprint",
    "MunicipalityRef",
    "ParameterUse",
    "PluginUse",
    "RankingBasis",
    "RankingRecord",
]

#: Name and version of the record format.
SCHEMA = "fuaalborg.ranking-record/1"


@attrs.frozen
class ParameterUse:
    """One parameter value a ranking used, with its legal reference and period."""

    name: str
    value: str
    reference: str
    start: dt.date
    end: dt.date | None
    source: str = ""


@attrs.frozen
class PluginUse:
    """A criteria plug-in loaded when the ranking was made, with its distribution version."""

    name: str
    distribution: str | None
    version: str | None


@attrs.frozen
class CriterionUse:
    """A criterion of the agreement's priority groups: its group, title and legal basis."""

    id: str
    group: int
    title: str
    reads: tuple[str, ...]
    legal_basis: str
    title_da: str | None = None


@attrs.frozen
class AgreementTerms:
    """The terms of a flexible-letting agreement (bilag 4) that a ranking applied.

    Built from a :class:`fuaalborg.criteria.LettingAgreement` (or anything with
    the same attributes); ``departments`` is a text (ids or the selector).
    ``groups`` are the groups' criterion ids; ``applies_to`` holds, when any
    group applies only to certain dwellings, each group's dwelling condition in
    its text form (``""``: always), see :mod:`fuaalborg.criteria.conditions`.
    """

    organisation_cvr: str | None
    groups: tuple[str, ...]
    flexible_share: str
    legal_basis: str
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None
    internal_moves_exempt: bool = False
    children_first_for_rooms: int | None = None
    departments: str = ""
    applies_to: tuple[str, ...] = ()

    @classmethod
    def of(cls, agreement: Any) -> AgreementTerms:
        """The terms of ``agreement`` (an :class:`AgreementTerms` is returned as is)."""
        if isinstance(agreement, AgreementTerms):
            return agreement
        try:
            ids = getattr(agreement, "group_ids", None)
            groups = tuple(str(g) for g in (agreement.groups if ids is None else ids))
            share = agreement.flexible_share
        except AttributeError as exc:
            raise ValidationError(
                f"agreement: expected a LettingAgreement with groups and flexible_share ({exc})"
            ) from None
        describe = getattr(agreement, "describe_departments", None)
        departments = (
            describe() if callable(describe) else str(getattr(agreement, "departments", ""))
        )
        rooms = getattr(agreement, "children_first_for_rooms", None)
        conditions = tuple(str(c) for c in getattr(agreement, "group_conditions", ()))
        return cls(
            organisation_cvr=getattr(agreement, "organisation_cvr", None),
            groups=groups,
            flexible_share=_share_text(share),
            legal_basis=str(getattr(agreement, "legal_basis", "")),
            valid_from=getattr(agreement, "valid_from", None),
            valid_until=getattr(agreement, "valid_until", None),
            internal_moves_exempt=bool(getattr(agreement, "internal_moves_exempt", False)),
            children_first_for_rooms=None if rooms is None else int(rooms),
            departments=departments,
            applies_to=conditions if any(conditions) else (),
        )

    @property
    def share(self) -> Fraction:
        """The flexible share as an exact fraction."""
        return Fraction(self.flexible_share)


def _share_text(share: Any) -> str:
    frac = Fraction(share)
    if isinstance(share, float):
        frac = frac.limit_denominator(10_000)
    return format_value(frac)


@attrs.frozen
class InputFingerprint:
    """The waiting list a ranking read: rows, the columns used and their SHA-256.

    The hash covers only the columns the ranking used, in a row-order-independent
    way, so reordering rows or changing unused (e.g. protected) columns keeps it.
    """

    rows: int
    columns: tuple[str, ...]
    sha256: str


@attrs.frozen
class MunicipalityRef:
    """The municipality (kommune) a ranking was made for, by name: never its data.

    ``name`` is :attr:`Municipality.name <fuaalborg.municipality.Municipality.name>`
    (its ``municipality.toml``'s, "unnamed municipality" for a folder without
    one), ``code`` its municipality code (kommunekode, ``None``: not stated) and
    ``synthetic`` whether it is the bundled synthetic example municipality
    (:attr:`Municipality.synthetic <fuaalborg.municipality.Municipality.synthetic>`).
    A ranking names it in its record (:attr:`RankingBasis.municipality`);
    ``fuaalborg replay`` names it and refuses another municipality's waiting list.

    >>> ref = MunicipalityRef("Fjordby Kommune", "999")
    >>> ref.describe("da"), ref.describe("en")
    ('Fjordby Kommune (kommunekode 999)', 'Fjordby Kommune (municipality code 999)')
    >>> ref.differs_from(MunicipalityRef("Fjordby", "999"))
    False
    >>> ref.differs_from(MunicipalityRef("Fjordby Kommune", "998"))
    True
    """

    name: str
    code: str | None = None
    synthetic: bool = False

    @classmethod
    def of(cls, municipality: Any) -> MunicipalityRef:
        """The name, code and synthetic flag of ``municipality`` (a ``MunicipalityRef`` as is).

        ``municipality`` is a :class:`~fuaalborg.municipality.Municipality` or
        anything with its ``name`` (and, optionally, ``code`` and ``synthetic``).
        """
        if isinstance(municipality, MunicipalityRef):
            return municipality
        try:
            name = municipality.name
        except AttributeError:
            raise ValidationError(
                f"municipality: expected a Municipality or a MunicipalityRef, got "
                f"{type(municipality).__name__}"
            ) from None
        code = getattr(municipality, "code", None)
        return cls(
            name=str(name), code=None if code is None else str(code),
            synthetic=bool(getattr(municipality, "synthetic", False)),
        )

    def differs_from(self, other: MunicipalityRef) -> bool:
        """Whether ``other`` is another municipality than this one, as far as both tell.

        The municipality code decides where both state one (a name is text that
        may be written otherwise); else the names do. The bundled example is
        never the same as a municipality that is not synthetic.
        """
        if self.synthetic != other.synthetic:
            return True
        if self.code is not None and other.code is not None:
            return self.code != other.code
        return self.name != other.name

    def describe(self, lang: Language = "da") -> str:
        """The name, with the municipality code where stated, in Danish or English."""
        if self.code is None:
            return self.name
        word = "kommunekode" if lang == "da" else "municipality code"
        return f"{self.name} ({word} {self.code})"


@attrs.frozen
class RankingBasis:
    """What one ranking decided on (see the module docs), each decision with its basis.

    ``route_basis``, ``turn_basis`` and ``colour_basis`` say how the route, the
    turn and the colour were decided (given with the ranking, the step model's
    placement, the agreement, the law); ``designation`` is the department's area
    designation on the ministry's list (``None``: not known), which decides
    whether almenboligloven § 51 c applies. ``municipality`` names the
    municipality the ranking was made for (:class:`MunicipalityRef`); ``None``
    means not recorded: a ranking given no municipality, or a record written
    before records named it (its JSON has no ``municipality``). It names the
    municipality only: the order does not depend on it.
    """

    vacancy: Vacancy
    on: dt.date
    route: Subroute
    route_basis: str
    turn: Turn | None
    turn_basis: str
    colour: str | None
    colour_basis: str
    organisation_cvr: str | None
    agreement: AgreementTerms | None
    criteria: tuple[CriterionUse, ...]
    parameters: tuple[ParameterUse, ...]
    plugins: tuple[PluginUse, ...]
    designation: str | None = None
    municipality: MunicipalityRef | None = None


@attrs.frozen(kw_only=True)
class RankingRecord(RankingBasis):
    """The decision record of one ranking: its :class:`RankingBasis` and the outcome.

    ``input`` fingerprints the waiting list read; ``eligible`` and
    ``ineligible`` count the rows; ``ranked`` lists the applicant ids (as text)
    in the order of the ranking's frame (the first ``top`` when a top was asked
    for). ``notices`` are the ranking's notices (bemærkninger) as codes with
    their parameters, in the ranking's order — what it could not check, or
    noticed; :meth:`notice_texts` words them. ``None`` means not recorded: a
    record written before records kept them (its JSON has no ``notices``); a
    ranking without notices records ``()``. ``bounds`` are the sanity bounds
    (``bounds.*``) the waiting list's columns were checked against, each value
    with its reference and period as in force when the list was checked — the
    bundled ones, or a municipality's own (its ``municipality.toml``'s
    ``[bounds]``) or a parameter layer's: :func:`fuaalborg.replay` checks the
    list against them again, so that a list a ranking accepted replays without
    the municipality. ``None`` means not recorded (a record written before
    records kept them): :func:`fuaalborg.replay` then checks the list against
    the bounds its caller gives (``bounds=``, a municipality's where the ranking
    was made under its own ``[bounds]``), else the bundled ones of today. The
    fields after the basis's are keyword-only.
    """

    input: InputFingerprint
    top: int | None
    eligible: int
    ineligible: int
    ranked: tuple[str, ...]
    library_version: str
    schema: str = SCHEMA
    notices: tuple[Notice, ...] | None = None
    bounds: tuple[ParameterUse, ...] | None = None

    @classmethod
    def of(
        cls,
        basis: RankingBasis,
        *,
        input: InputFingerprint,
        top: int | None,
        eligible: int,
        ineligible: int,
        ranked: tuple[str, ...],
        library_version: str,
        notices: tuple[Notice, ...] = (),
        bounds: tuple[ParameterUse, ...] | None = None,
    ) -> RankingRecord:
        """The record of a ranking on ``basis`` with this outcome.

        ``bounds``: the sanity bounds the waiting list was checked against
        (``None``: not recorded).
        """
        return cls(
            **_fields_of(basis), input=input, top=top, eligible=eligible,
            ineligible=ineligible, ranked=ranked, library_version=library_version,
            notices=tuple(notices), bounds=None if bounds is None else tuple(bounds),
        )

    def notice_texts(self, lang: Language = "da") -> tuple[str, ...] | None:
        """The notices in words, in Danish or English (``None``: not recorded)."""
        if self.notices is None:
            return None
        return tuple(n.text(lang) for n in self.notices)

    @property
    def basis(self) -> RankingBasis:
        """What the recorded ranking decided on, without the outcome."""
        return RankingBasis(**_fields_of(self))

    def to_dict(self) -> dict[str, Any]:
        """The record as plain JSON-ready data."""
        data: dict[str, Any] = _CONVERTER.unstructure(self)
        return data

    def to_json(self, *, indent: int | None = 2) -> str:
        """The record as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RankingRecord:
        """Load a record from :meth:`to_dict` data; every problem is reported at once."""
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise ValidationError(f"not a ranking record (expected schema {SCHEMA!r})")
        try:
            return _CONVERTER.structure(data, cls)
        except cattrs.BaseValidationError as exc:
            problems = []
            for line in cattrs.transform_error(exc, path="record", format_exception=_said):
                what, _, where = line.rpartition(" @ ")
                problems.append(Problem(where, what) if what else Problem("", line))
            raise InputError(problems, head="ranking record: {count}") from None

    @classmethod
    def from_json(cls, text: str) -> RankingRecord:
        """Load a record from :meth:`to_json` text."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"ranking record: not JSON ({exc.msg})") from None
        return cls.from_dict(data)


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_unstructure_hook(dt.date, lambda d: d.isoformat())
    # every field only in the form it declares ("maybe" is no bool, 3.7 no count);
    # from_dict also takes Python data, a date value included
    register_strict_hooks(conv, native_dates=True)
    # a notice lists only the parameters its code takes; a record written before
    # records kept notices (or bounds, or named the municipality) has no "notices"
    # ("bounds", "municipality"), None, and is written back the same way
    conv.register_unstructure_hook(
        Notice, make_dict_unstructure_fn(Notice, conv, _cattrs_omit_if_default=True)
    )
    conv.register_unstructure_hook(
        RankingRecord,
        make_dict_unstructure_fn(
            RankingRecord, conv, notices=override(omit_if_default=True),
            bounds=override(omit_if_default=True),
            municipality=override(omit_if_default=True),
        ),
    )
    return conv


_CONVERTER = _make_converter()


def _said(exc: BaseException, type_: Any) -> str:
    """A structuring problem in words: the library's own message where it raised one."""
    if isinstance(exc, FuaalborgError | FormError):
        return str(exc)
    return format_exception(exc, type_)


def _fields_of(basis: RankingBasis) -> dict[str, Any]:
    return {f.name: getattr(basis, f.name) for f in attrs.fields(RankingBasis)}


def _recorded_text(value: Any) -> str:
    """A parameter's value as a ranking record keeps it (:attr:`ParameterUse.value`).

    As :func:`~fuaalborg.formatting.format_value` prints it, except a list or a table:
    replay compares the recorded text with the value in force, and records written
    since release 0.1 (``tests/recorded``) keep a table or a list as Python prints it
    (``{'provision': …}``), which also keeps a nested table unambiguous.
    """
    if isinstance(value, Mapping | list | tuple):
        return str(value)
    return format_value(value)


#: Names that moved to :mod:`fuaalborg.letting.replay`.
_MOVED = {"replay", "Replay"}


def __getattr__(name: str) -> Any:
    """``replay`` and ``Replay`` moved to :mod:`fuaalborg.letting.replay` (deprecated here)."""
    if name in _MOVED:
        also = " (or fuaalborg.replay)" if name == "replay" else ""
        warnings.warn(
            f"fuaalborg.records.{name} is deprecated: import it from "
            f"fuaalborg.letting.replay{also}; fuaalborg.records holds the records' data only",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module("fuaalborg.letting.replay")
        return getattr(module, name)
    raise AttributeError(f"module 'fuaalborg.records' has no attribute {name!r}")
