"""How each event changes a ledger's state: the one projection every store uses.

:func:`project` applies one event — when a ledger writes it, when a file is
replayed, when a database is loaded, and when :meth:`fuaalborg.Ledger.verify`
rebuilds the state to compare — to any :class:`~fuaalborg.letting.store.StateWriter`.
Offer events are the :class:`~fuaalborg.letting.offers.OfferBook`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from fuaalborg.letting.errors import LedgerCorruptError
from fuaalborg.letting.events import (
    AnswerRecorded,
    Event,
    FlexibleShareSet,
    LedgerCreated,
    OrganisationsRecorded,
    RulesRecorded,
    StockUpdated,
    VacancyCorrected,
    VacancyRecorded,
    VacancyVoided,
)
from fuaalborg.letting.offers import OfferBook
from fuaalborg.letting.routing import COUNTING_REASONS, Counters
from fuaalborg.letting.store import LedgerMeta, StateView, StateWriter, VacancyRow

__all__ = ["project", "recorded_row"]


def _advanced(old: Counters, n_referral: int | None, n_flexible: int | None,
              n_turn: int | None, reason_code: str, organisation: str | None) -> Counters:
    referral = int(n_referral) if reason_code in COUNTING_REASONS and n_referral else (
        old.referral)
    flexible = old.flexible if n_flexible is None else int(n_flexible)
    if n_turn is None:
        turns = old.turns
    elif organisation is None:
        turns = int(n_turn)  # the department's own turn counter decided
    else:
        turns = old.turns + 1  # the organisation's decided; the department counts its turns
    return Counters(referral, flexible, turns)


def _organisation_turn(tx: StateWriter, organisation: str | None, n_turn: int | None) -> None:
    """A letting that took its housing organisation's turn sets that counter."""
    if organisation is not None and n_turn is not None:
        tx.put_counters("organisation", organisation, Counters(turns=int(n_turn)))


def _row_of(tx: StateView, event: Any) -> VacancyRow:
    row = tx.vacancy(event.vacancy_id)
    if row is None:
        raise LedgerCorruptError(
            f"event {event.seq} ({event.TYPE}): unknown vacancy {event.vacancy_id!r}"
        )
    return row


def recorded_row(event: VacancyRecorded) -> VacancyRow:
    """The state of a vacancy as its ``vacancy`` event records it."""
    return VacancyRow(
        vacancy_id=event.vacancy_id, seq=event.seq, department_id=event.department_id,
        dwelling_id=event.dwelling_id, kind=event.kind, vacant_on=event.on,
        monthly_rent_dkk=event.monthly_rent_dkk, rooms=event.rooms, colour=event.colour,
        colour_basis=event.colour_basis,
        status="referred" if event.route == "referral" else "waiting_list",
        late=event.late, decision_seq=event.seq, decided_on=event.on, route=event.route,
        subroute=event.subroute, turn=event.turn, reason_code=event.reason_code,
        n_referral=event.n_referral, n_flexible=event.n_flexible, n_turn=event.n_turn,
        rules_id=event.rules, department_share=event.department_share, returned=False,
    )


def project(event: Event, tx: StateWriter) -> None:
    """Apply one event to a ledger's state (when written, replayed, loaded or verified)."""
    if isinstance(event, VacancyRecorded):
        tx.put_vacancy(recorded_row(event))
        old = tx.counters("department", event.department_id)
        tx.put_counters("department", event.department_id, _advanced(
            old, event.n_referral, event.n_flexible, event.n_turn, event.reason_code,
            event.organisation))
        _organisation_turn(tx, event.organisation, event.n_turn)
    elif isinstance(event, AnswerRecorded):
        row = _row_of(tx, event)
        if event.answer != "declined":
            tx.put_vacancy(attrs.evolve(row, status=event.answer))
            return
        assert event.route is not None
        assert event.reason_code is not None
        assert event.rules is not None
        tx.put_vacancy(attrs.evolve(
            row, status="returned", decision_seq=event.seq, decided_on=event.on,
            route=event.route, subroute=event.subroute, turn=event.turn,
            reason_code=event.reason_code, n_referral=event.n_referral,
            n_flexible=event.n_flexible, n_turn=event.n_turn, rules_id=event.rules,
            department_share=event.department_share, returned=True,
        ))
        old = tx.counters("department", row.department_id)
        tx.put_counters("department", row.department_id, _advanced(
            old, None, event.n_flexible, event.n_turn, event.reason_code, event.organisation))
        _organisation_turn(tx, event.organisation, event.n_turn)
    elif isinstance(event, VacancyVoided):
        row = _row_of(tx, event)
        old = tx.counters("department", row.department_id)
        back = {k: int(event.counted.get(k, 0)) for k in ("referral", "flexible", "turns")}
        after = Counters(old.referral - back["referral"], old.flexible - back["flexible"],
                         old.turns - back["turns"])
        recorded = Counters(*(int(event.counters.get(k, -1))
                              for k in ("referral", "flexible", "turns")))
        if after != recorded:
            raise LedgerCorruptError(
                f"event {event.seq} (void): the department's counters {attrs.astuple(old)} less "
                f"what the vacancy counted {tuple(back.values())} are not the recorded "
                f"{attrs.astuple(recorded)}"
            )
        if event.organisation is not None:
            org_old = tx.counters("organisation", event.organisation)
            org_after = org_old.turns - int(event.counted.get("organisation_turns", 0))
            if org_after != int(event.counters.get("organisation_turns", -1)):
                raise LedgerCorruptError(
                    f"event {event.seq} (void): organisation {event.organisation}'s turn counter "
                    f"{org_old.turns} less what the vacancy counted "
                    f"{event.counted.get('organisation_turns', 0)} is not the recorded "
                    f"{event.counters.get('organisation_turns')}"
                )
            tx.put_counters("organisation", event.organisation, Counters(turns=org_after))
        tx.put_vacancy(attrs.evolve(row, status="void"))
        tx.put_counters("department", row.department_id, after)
    elif isinstance(event, VacancyCorrected):
        row = _row_of(tx, event)
        changes: dict[str, Any] = {}
        for name, (_old, new) in event.changes.items():
            if name == "vacant_on":
                changes["vacant_on"] = dt.date.fromisoformat(str(new))
            elif name == "monthly_rent_dkk":
                changes[name] = float(new)
            elif name == "rooms":
                changes[name] = int(new)
            elif name == "dwelling_id":
                changes[name] = str(new)
            else:
                raise LedgerCorruptError(
                    f"event {event.seq} (correction): field {name!r} cannot be corrected"
                )
        tx.put_vacancy(attrs.evolve(row, **changes))
    elif isinstance(event, RulesRecorded):
        tx.put_rules(event.id, event.values)
    elif isinstance(event, FlexibleShareSet):
        tx.put_department_share(event.department_id, event.share)
    elif isinstance(event, LedgerCreated):
        tx.put_meta(LedgerMeta(event.format, event.municipality, event.fingerprint, event.at))
        tx.put_registry(event.registry)
        for dep, share in event.flexible_shares.items():
            tx.put_department_share(dep, share)
        if event.organisations:
            tx.put_organisations(event.organisations)
    elif isinstance(event, OrganisationsRecorded):
        tx.put_organisations(event.organisations)
    elif isinstance(event, StockUpdated):
        # continuing departments keep their counters; new ones start at zero
        tx.put_registry(event.registry, event.seq)
        if event.organisations:
            tx.put_organisations(event.organisations)
    else:
        OfferBook.apply(event, tx)
