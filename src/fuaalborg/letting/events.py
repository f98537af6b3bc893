"""The letting ledger's events (hændelser): one typed class per event type, one converter.

A ledger is a sequence of events, each a JSON document with a sequence number
``seq``, a ``type``, the time ``at`` it was written and the fields of its type.
This module defines every event type as a frozen attrs class and reads
documents into them with one cattrs converter that forbids unknown keys and
checks every field's type: a document that lacks a field, carries one it
should not or holds a value of the wrong type is a :class:`LedgerCorruptError`
that names the event and the field.

It also holds the line encoding shared by every store: a document is written
as compact JSON with a CRC-32 checksum of the document appended as its last
key, ``"crc"``. The file store writes one such line per event; the database
stores keep the very same text, so an event moves between stores byte for byte.

>>> doc = {"seq": 3, "type": "flexible_share", "at": "2024-05-01T08:00:00.000+00:00",
...        "on": "2024-05-01", "department_id": "A", "share": "1/2"}
>>> line = encode(doc)
>>> line.endswith(b'"}\\n'), check_line(line.rstrip(b"\\n"))
(True, True)
>>> event = structure(decode(line.rstrip(b"\\n")))
>>> type(event).__name__, event.share
('FlexibleShareSet', '1/2')
>>> structure({**doc, "share": 0.5})
Traceback (most recent call last):
...
fuaalborg.letting.errors.LedgerCorruptError: event 3 (flexible_share): share: expected text, ...
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Mapping
from typing import Any, ClassVar, TypeAlias

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override

from fuaalborg._strict import FormError, form_of, objects_only, register_strict_hooks
from fuaalborg.letting.errors import LedgerCorruptError

__all__ = [
    "EVENT_CLASSES",
    "EVENT_TYPES",
    "FORMAT",
    "AnswerRecorded",
    "ApplicantPassive",
    "Event",
    "FlexibleShareSet",
    "LedgerCreated",
    "Offer",
    "OfferAnswered",
    "OfferRoundClosed",
    "OffersSent",
    "OrganisationsRecorded",
    "RulesRecorded",
    "Signed",
    "Skipped",
    "StockUpdated",
    "VacancyCorrected",
    "VacancyRecorded",
    "VacancyVoided",
    "check_line",
    "decode",
    "encode",
    "structure",
]

#: The format tag written in every ledger's first event.
FORMAT = "fuaalborg-ledger/1"

_CRC_PREFIX = b',"crc":"'
_SUFFIX_LEN = 18  # ,"crc":"xxxxxxxx"}


# ---------------------------------------------------------------------------
# Line encoding


def encode(doc: Mapping[str, Any]) -> bytes:
    """One event as a line: compact JSON with its CRC-32 as the last key, and a newline."""
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    crc = zlib.crc32(body)
    return body[:-1] + _CRC_PREFIX + f"{crc:08x}".encode() + b'"}\n'


def check_line(line: bytes) -> bool:
    """Whether ``line`` (without its newline) is a complete event whose checksum holds."""
    if len(line) < _SUFFIX_LEN + 2 or line[-_SUFFIX_LEN:-10] != _CRC_PREFIX:
        return False
    if line[-2:] != b'"}':
        return False
    body = line[:-_SUFFIX_LEN] + b"}"
    try:
        return int(line[-10:-2], 16) == zlib.crc32(body)
    except ValueError:
        return False


def decode(line: bytes | str) -> dict[str, Any]:
    """The document of a checked line, without its ``crc`` key."""
    doc: dict[str, Any] = json.loads(line)
    doc.pop("crc", None)
    return doc


# ---------------------------------------------------------------------------
# Event types


def _check_facts(value: dict[str, dict[str, Any]] | None) -> None:
    """``dwelling_facts``: each fact's values map to lists of dwelling ids (text)."""
    if value is None:
        return
    for groups in value.values():
        for ids in groups.values():
            if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                raise ValueError("expected lists of dwelling ids (text) for each fact's values")


@attrs.frozen
class _Recorded:
    """What every event holds first: its sequence number ``seq`` and the time ``at`` written."""

    seq: int
    at: str


@attrs.frozen
class _Dated(_Recorded):
    """An event in force from the day ``on`` (all but the creation, organisations and rules)."""

    on: dt.date


@attrs.frozen
class _OfVacancy(_Dated):
    """An event of one vacancy, ``vacancy_id`` (its record, answer, void, correction, offers
    and lease)."""

    vacancy_id: str


@attrs.frozen
class LedgerCreated(_Recorded):
    """The first event: the municipality's registry of departments and dwellings.

    ``fingerprint`` identifies the registry (departments and their family and
    BAB dwellings); a ledger refuses a municipality or colour source whose
    fingerprint differs from its current stock's (this one, until a
    :class:`StockUpdated` event records a change). ``dwelling_facts`` holds what the municipality's
    dwellings table states about its dwellings — for each of ``floor``,
    ``dwelling_type`` and ``lift``, each value (as text) and the dwellings that
    have it — which a ranking's dwelling conditions read; it is absent when the
    table states none (and in ledgers written before it existed).
    ``organisations`` maps departments to their housing organisation (absent in a
    ledger created without them). ``danish`` is true when the municipality's
    files were written in Danish, so that the ledger's tables are written in
    Danish by default too (absent: English).
    """

    TYPE: ClassVar[str] = "created"
    format: str
    municipality: str
    fingerprint: str
    flexible_shares: dict[str, str]
    registry: dict[str, dict[str, list[str]]]
    # checked by a validator: one hook call per dwelling id would triple the cost of
    # opening a ledger file of a large municipality
    dwelling_facts: dict[str, dict[str, Any]] | None = attrs.field(
        default=None, validator=lambda _e, _a, value: _check_facts(value)
    )
    organisations: dict[str, str] = attrs.field(factory=dict)
    danish: bool = False


@attrs.frozen
class OrganisationsRecorded(_Recorded):
    """The housing organisation of each department, recorded after the ledger's creation.

    A ledger created without them records them in the transaction that first
    needs them: the internal/external turn counts per housing organisation
    (udlejningsbekendtgørelsen § 7).
    """

    TYPE: ClassVar[str] = "organisations"
    organisations: dict[str, str]


@attrs.frozen
class StockUpdated(_Dated):
    """The municipality's housing stock (boligbestanden) changed, in force from ``on``.

    ``registry`` is the whole new registry of departments and their family and
    BAB dwellings, ``fingerprint`` its fingerprint; ``changes`` names what
    changed from the registry before (the ids of departments and dwellings
    added, removed, resized, moved or of another kind:
    :class:`fuaalborg.letting.stock.StockChange`). Continuing departments keep
    their counters; new ones start at zero; removed ones take no vacancy dated
    from ``on``. ``organisations`` are the housing organisations of the new
    departments, ``dwelling_facts`` the new dwellings table's (as in
    :class:`LedgerCreated`); ``by`` names who recorded the change and ``note``
    why.
    """

    TYPE: ClassVar[str] = "stock"
    fingerprint: str
    registry: dict[str, dict[str, list[str]]]
    changes: dict[str, list[str]]
    by: str
    note: str | None = None
    organisations: dict[str, str] = attrs.field(factory=dict)
    dwelling_facts: dict[str, dict[str, Any]] | None = attrs.field(
        default=None, validator=lambda _e, _a, value: _check_facts(value)
    )


@attrs.frozen
class RulesRecorded(_Recorded):
    """The rule values (with references and periods) that decisions point to by ``id``."""

    TYPE: ClassVar[str] = "rules"
    id: str
    values: dict[str, dict[str, Any]]


@attrs.frozen
class FlexibleShareSet(_Dated):
    """A department's agreed flexible share (§ 60, stk. 1) from ``on``."""

    TYPE: ClassVar[str] = "flexible_share"
    department_id: str
    share: str


@attrs.frozen
class VacancyRecorded(_OfVacancy):
    """A vacancy (ledig bolig) and its route, with the counter values it was decided at.

    ``late`` marks a vacancy whose date is before the latest date of the
    department's counting vacancies recorded before it (notices arrive out of
    date order; the ledger counts in the order it records). ``organisation``
    names the housing organisation whose internal/external turn the letting
    took (absent where the turn counted per department, or none was taken).
    """

    TYPE: ClassVar[str] = "vacancy"
    dwelling_id: str
    department_id: str
    kind: str
    monthly_rent_dkk: float
    rooms: int
    colour: str
    colour_basis: str
    route: str
    subroute: str | None
    turn: str | None
    reason_code: str
    n_referral: int | None
    n_flexible: int | None
    n_turn: int | None
    rules: str
    department_share: str | None = None
    late: bool = False
    organisation: str | None = None


@attrs.frozen
class AnswerRecorded(_OfVacancy):
    """The municipality's answer to a referred vacancy; a decline carries its waiting-list route."""

    TYPE: ClassVar[str] = "answer"
    answer: str
    department_id: str | None = None
    dwelling_id: str | None = None
    kind: str | None = None
    colour: str | None = None
    route: str | None = None
    subroute: str | None = None
    turn: str | None = None
    reason_code: str | None = None
    n_referral: int | None = None
    n_flexible: int | None = None
    n_turn: int | None = None
    rules: str | None = None
    department_share: str | None = None
    organisation: str | None = None


@attrs.frozen
class VacancyVoided(_OfVacancy):
    """A vacancy recorded in error stops counting from ``on`` (its decision stays in history).

    ``counted`` is what the vacancy had added to its department's counters and
    no longer counts; ``counters`` the department's counters after the void.
    Where it took a housing organisation's turn, ``organisation`` names it and
    ``counted`` and ``counters`` hold ``organisation_turns`` too.
    ``by`` names who voided it and ``reason`` why.
    """

    TYPE: ClassVar[str] = "void"
    department_id: str
    reason: str
    by: str
    counted: dict[str, int]
    counters: dict[str, int]
    organisation: str | None = None


@attrs.frozen
class VacancyCorrected(_OfVacancy):
    """Fields of a vacancy corrected from ``on``: ``changes`` maps each to ``[old, new]``."""

    TYPE: ClassVar[str] = "correction"
    reason: str
    by: str
    changes: dict[str, list[Any]]


@attrs.frozen
class Offer:
    """One applicant's offer in a round: their list (``"list"`` in the event), rank and group."""

    applicant_id: str
    list_name: str
    rank: int
    group: int | None = None


@attrs.frozen
class Skipped:
    """A candidate passed over when offers went out, and why."""

    applicant_id: str
    reason: str


@attrs.frozen
class OffersSent(_OfVacancy):
    """A round of offers of a waiting-list vacancy."""

    TYPE: ClassVar[str] = "offers_sent"
    round: int
    deadline: dt.date
    offers: list[Offer]
    skipped: list[Skipped] = attrs.field(factory=list)


@attrs.frozen
class OfferAnswered(_OfVacancy):
    """An applicant's answer to an offer: accept, refuse, or no_answer at the round's close."""

    TYPE: ClassVar[str] = "offer_answer"
    applicant_id: str
    answer: str


@attrs.frozen
class OfferRoundClosed(_OfVacancy):
    """A round closed; ``winner`` is the first acceptor in rank order, if any."""

    TYPE: ClassVar[str] = "offer_round_closed"
    round: int
    winner: str | None


@attrs.frozen
class ApplicantPassive(_Dated):
    """An applicant made passive after ``unanswered`` offers within ``period_days``."""

    TYPE: ClassVar[str] = "applicant_passive"
    applicant_id: str
    unanswered: int
    period_days: int


@attrs.frozen
class Signed(_OfVacancy):
    """The lease signed: the vacancy is let and the applicant's seniority on the list used.

    ``list_name`` is the event's ``"list"``.
    """

    TYPE: ClassVar[str] = "signed"
    applicant_id: str
    list_name: str
    group: int | None = None
    seniority_consumed: bool = True


Event: TypeAlias = (
    LedgerCreated
    | OrganisationsRecorded
    | StockUpdated
    | RulesRecorded
    | FlexibleShareSet
    | VacancyRecorded
    | AnswerRecorded
    | VacancyVoided
    | VacancyCorrected
    | OffersSent
    | OfferAnswered
    | OfferRoundClosed
    | ApplicantPassive
    | Signed
)

#: Every event class, by its ``type``.
EVENT_CLASSES: Mapping[str, type[Any]] = {
    cls.TYPE: cls
    for cls in (
        LedgerCreated, RulesRecorded, FlexibleShareSet, VacancyRecorded, AnswerRecorded,
        VacancyVoided, VacancyCorrected, OffersSent, OfferAnswered, OfferRoundClosed,
        ApplicantPassive, Signed, OrganisationsRecorded, StockUpdated,
    )
}
#: The event types a ledger writes, in the order they are introduced.
EVENT_TYPES: tuple[str, ...] = tuple(EVENT_CLASSES)

_REQUIRED_WHEN_DECLINED = (
    "department_id", "dwelling_id", "kind", "colour", "route", "reason_code", "rules",
)


# ---------------------------------------------------------------------------
# The converter: strict types, no unknown keys


def _converter(detailed: bool) -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=detailed)
    register_strict_hooks(conv)  # text is text, a count a JSON integer, a list a list
    conv.register_structure_hook(Any, lambda value, _type: value)
    for cls in (Offer, Skipped, *EVENT_CLASSES.values()):  # parts before the events
        # an applicant's list is "list" in the JSON; "list_name" in Python
        renamed: dict[str, Any] = (
            {"list_name": override(rename="list")} if cls in (Offer, Signed) else {}
        )
        conv.register_structure_hook(cls, objects_only(
            make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True, **renamed)
        ))
    return conv


_FAST = _converter(detailed=False)
_DETAILED = _converter(detailed=True)


def _format(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown field{'s' if len(exc.extra_fields) > 1 else ''} " + ", ".join(
            sorted(exc.extra_fields)
        )
    if isinstance(exc, FormError) or (
        isinstance(exc, ValueError | TypeError) and str(exc).startswith("expected ")
    ):
        return str(exc)
    name = getattr(type_, "__name__", None) or str(type_)
    return f"expected {name}, got a value of another form"


def _describe(exc: Exception) -> str:
    lines = []
    for message in cattrs.transform_error(exc, path="", format_exception=_format):
        text, _, where = message.rpartition(" @ ")
        field = where.lstrip("$").lstrip(".")
        lines.append(f"{field}: {text}" if field else text)
    return "; ".join(lines)


def structure(doc: Mapping[str, Any]) -> Event:
    """Read one event document (without ``crc``) into its class.

    Raises :class:`LedgerCorruptError` naming the event (its ``seq`` and
    ``type``) and every field that is missing, unknown or of the wrong type.
    """
    seq = doc.get("seq")
    kind = doc.get("type")
    # a value of another kind is described, not shown: a damaged line may hold anything
    where = (
        f"event {seq}" if isinstance(seq, int) and not isinstance(seq, bool)
        else f"event (seq: {form_of(seq)})"
    )
    cls = EVENT_CLASSES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        named = repr(kind) if isinstance(kind, str) else f"({form_of(kind)})"
        raise LedgerCorruptError(f"{where}: unknown event type {named}")
    body = {k: v for k, v in doc.items() if k != "type"}
    try:
        event: Event = _FAST.structure(body, cls)
    except Exception:
        try:
            _DETAILED.structure(body, cls)
        except Exception as detailed:
            raise LedgerCorruptError(f"{where} ({kind}): {_describe(detailed)}") from None
        raise LedgerCorruptError(f"{where} ({kind}): malformed") from None  # pragma: no cover
    if isinstance(event, AnswerRecorded) and event.answer == "declined":
        missing = [f for f in _REQUIRED_WHEN_DECLINED if getattr(event, f) is None]
        if missing:
            raise LedgerCorruptError(
                f"{where} ({kind}): a declined answer needs {', '.join(missing)}"
            )
    return event
