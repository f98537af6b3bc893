"""Offers (tilbud): a waiting-list vacancy offered to the top of its ranking, up to a signed lease.

An :class:`OfferRound` takes a vacancy recorded in a
:class:`~fuaalborg.letting.ledger.Ledger` that went to the waiting list (or
that the municipality declined and returned) and a ranking made **for that
vacancy's decision** — :meth:`Ledger.rank <fuaalborg.letting.ledger.Ledger.rank>`
makes one; a :class:`~fuaalborg.letting.ranking.Ranking` from
:func:`fuaalborg.rank` is accepted only when its department, dwelling, rooms,
rent, route and turn are the decision's, and the error names every difference.
Offers go to the first ``size`` candidates at once; each answers ``accept`` or
``refuse`` within the reply period, or not at all. The dwelling goes to the
first acceptor in rank order. A refusal costs nothing by default; unanswered
offers count towards passive status (three within a year by default:
organisation practice, parameters ``ledger.offers.*``). Signing the lease uses
the applicant's seniority on that list. Every step is a ledger event, written
in one transaction with the checks that allow it.

The :class:`OfferBook` is the offers' state as the ledger keeps it (rounds per
vacancy, applicants' unanswered and refused offers, passive status, used
seniority); :meth:`OfferBook.apply` is the one place offer events change it.

>>> import datetime as dt, tempfile, pathlib
>>> import pandas as pd
>>> from fuaalborg.letting.ledger import Ledger
>>> registry = pd.DataFrame({"dwelling_id": ["D1"], "department_id": ["A"], "kind": ["family"],
...                          "organisation_cvr": ["31831814"]})
>>> ledger = Ledger.create(pathlib.Path(tempfile.mkdtemp()) / "l.jsonl", registry)
>>> decision = ledger.record_vacancy("V1", "D1", "A", "family", "2024-03-01", 5100.0, 3,
...                                  colour="green")
>>> decision.turn
'internal'
>>> applicants = pd.DataFrame({"applicant_id": ["a", "b", "c"],
...                            "list": ["internal", "external", "internal"],
...                            "seniority_date": pd.to_datetime(["2019-01-01", "2015-01-01",
...                                                              "2020-01-01"]),
...                            "household_size": [2, 2, 2]})
>>> ranking = ledger.rank("V1", applicants)
>>> ranking.frame["applicant_id"].tolist()
['a', 'c', 'b']
>>> offers = OfferRound("V1", ranking, ledger=ledger, size=2)
>>> offers.send("2024-03-02")
['a', 'c']
>>> offers.answer("c", "accept", "2024-03-04")
>>> offers.answer("a", "refuse", "2024-03-05")
>>> offers.close("2024-03-07")
'c'
>>> offers.sign("2024-03-10")
>>> ledger.status("V1"), ledger.consumed[("c", "internal")]
('let', 'V1')
>>> ledger.close()
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import attrs
import pandas as pd

from fuaalborg._types import RankingLike
from fuaalborg.dates import parse_date
from fuaalborg.errors import Problem, ValidationError
from fuaalborg.letting.errors import LedgerCorruptError, LedgerInputError
from fuaalborg.letting.events import (
    ApplicantPassive,
    Event,
    OfferAnswered,
    OfferRoundClosed,
    OffersSent,
    Signed,
)
from fuaalborg.letting.store import ApplicantRow, RoundRow, StateView, StateWriter

if TYPE_CHECKING:
    from fuaalborg.letting.ledger import Decision, Ledger

__all__ = ["OFFER_ANSWERS", "OFFER_EVENTS", "OfferBook", "OfferRound", "ranking_differences"]

#: An applicant's answers to an offer; ``no_answer`` is recorded when the round closes.
OFFER_ANSWERS = ("accept", "refuse")
#: The event types of offers.
OFFER_EVENTS = ("offers_sent", "offer_answer", "offer_round_closed", "applicant_passive",
                "signed")

_OPEN_FOR_OFFERS = {"waiting_list", "returned", "offered"}


def _date(value: Any, what: str, problems: list[Problem]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        problems.append(Problem(what, f"{value!r} is not a date (YYYY-MM-DD)"))
    return day


def _refuse(what: str, problems: list[Problem]) -> None:
    if problems:
        raise LedgerInputError(what, problems)


# ---------------------------------------------------------------------------
# The offers' state


class OfferBook:
    """The offers a ledger keeps: rounds, unanswered and refused offers, passive, used seniority.

    A read-only view of a ledger's state (``ledger.offers``); offer events
    change it only through :meth:`apply`, which the ledger calls for every
    offer event it writes or replays.
    """

    def __init__(self, state: StateView) -> None:
        self._state = state

    def rounds(self, vacancy_id: str) -> list[RoundRow]:
        """A vacancy's offer rounds, in order."""
        return self._state.rounds(str(vacancy_id))

    def current(self, vacancy_id: str) -> RoundRow | None:
        """A vacancy's latest round, or ``None`` before the first offers go out."""
        rounds = self.rounds(vacancy_id)
        return rounds[-1] if rounds else None

    def applicant(self, applicant_id: str) -> ApplicantRow:
        """An applicant's offer history (empty when they had no offer)."""
        return self._state.applicant(str(applicant_id)) or ApplicantRow(str(applicant_id))

    def consumed_by(self, applicant_id: str, list_name: str) -> str | None:
        """The vacancy an applicant's seniority on ``list_name`` was used for, if any."""
        return self._state.consumed_by(str(applicant_id), str(list_name))

    def passive(self) -> dict[str, dt.date]:
        """Passive applicants and the day they became passive."""
        return {a.applicant_id: a.passive_on for a in self._state.applicants()
                if a.passive_on is not None}

    def unanswered(self) -> dict[str, list[dt.date]]:
        """Each applicant's unanswered offers (the days their rounds closed)."""
        return {a.applicant_id: list(a.unanswered) for a in self._state.applicants()
                if a.unanswered}

    def refused(self) -> dict[str, list[dt.date]]:
        """Each applicant's refused offers (the days they refused)."""
        return {a.applicant_id: list(a.refused) for a in self._state.applicants() if a.refused}

    def consumed(self) -> dict[tuple[str, str], str]:
        """Every used seniority: (applicant, list) -> vacancy."""
        return self._state.consumed()

    @staticmethod
    def apply(event: Event, tx: StateWriter) -> None:
        """Apply one offer event to the state (when it is written, and when it is replayed)."""
        if isinstance(event, OffersSent):
            tx.put_round(event.vacancy_id, RoundRow(
                round=event.round, on=event.on, deadline=event.deadline,
                offers={o.applicant_id: {"list": o.list_name, "rank": o.rank, "group": o.group,
                                         "answer": None} for o in event.offers},
            ))
            _set_status(tx, event, "offered")
        elif isinstance(event, OfferAnswered):
            current = _current(tx, event)
            offers = {k: dict(v) for k, v in current.offers.items()}
            if event.applicant_id not in offers:
                raise LedgerCorruptError(
                    f"event {event.seq} (offer_answer): the applicant has no offer in round "
                    f"{current.round}"
                )
            offers[event.applicant_id]["answer"] = event.answer
            tx.put_round(event.vacancy_id, attrs.evolve(current, offers=offers))
            if event.answer in ("no_answer", "refuse"):
                who = tx.applicant(event.applicant_id) or ApplicantRow(event.applicant_id)
                if event.answer == "no_answer":
                    who = attrs.evolve(who, unanswered=(*who.unanswered, event.on))
                else:
                    who = attrs.evolve(who, refused=(*who.refused, event.on))
                tx.put_applicant(who)
        elif isinstance(event, ApplicantPassive):
            who = tx.applicant(event.applicant_id) or ApplicantRow(event.applicant_id)
            tx.put_applicant(attrs.evolve(who, passive_on=event.on))
        elif isinstance(event, OfferRoundClosed):
            current = _current(tx, event)
            tx.put_round(event.vacancy_id,
                         attrs.evolve(current, closed_on=event.on, winner=event.winner))
        elif isinstance(event, Signed):
            tx.put_consumed(event.applicant_id, event.list_name, event.vacancy_id)
            _set_status(tx, event, "let")


def _current(tx: StateWriter, event: OfferAnswered | OfferRoundClosed) -> RoundRow:
    rounds = tx.rounds(event.vacancy_id)
    if not rounds:
        raise LedgerCorruptError(
            f"event {event.seq} ({event.TYPE}): vacancy {event.vacancy_id!r} has no offer round"
        )
    return rounds[-1]


def _set_status(tx: StateWriter, event: OffersSent | Signed, status: str) -> None:
    row = tx.vacancy(event.vacancy_id)
    if row is None:
        raise LedgerCorruptError(
            f"event {event.seq} ({event.TYPE}): unknown vacancy {event.vacancy_id!r}"
        )
    tx.put_vacancy(attrs.evolve(row, status=status))


# ---------------------------------------------------------------------------
# The seam between a ranking and a vacancy's decision


def ranking_differences(decision: Decision, ranking: RankingLike) -> list[str]:
    """Where ``ranking`` was not made for ``decision``: one sentence per difference."""
    vacancy = getattr(ranking, "vacancy", None)
    if vacancy is None or not hasattr(ranking, "route") or not hasattr(ranking, "turn"):
        return [
            "the ranking does not say which vacancy, route and turn it was made for: rank "
            "with Ledger.rank(vacancy_id, applicants)"
        ]
    out = []
    if decision.route != "waiting_list":
        out.append(f"the vacancy went to the {decision.route}, not to the waiting list")
        return out
    facts = (
        ("department", getattr(vacancy, "department_id", None), decision.department_id),
        ("dwelling", getattr(vacancy, "dwelling_id", None), decision.dwelling_id),
        ("rooms", getattr(vacancy, "rooms", None), decision.rooms),
    )
    for what, theirs, ours in facts:
        if theirs is None:
            out.append(f"the ranking names no {what}; the vacancy's is {ours!r}")
        elif str(theirs) != str(ours):
            out.append(f"the ranking is for {what} {theirs!r}, the vacancy's is {ours!r}")
    rent = getattr(vacancy, "monthly_rent_dkk", None)
    if rent is None or not math.isclose(float(rent), decision.monthly_rent_dkk, rel_tol=1e-9):
        out.append(f"the ranking is for a rent of {rent!r} kr., the vacancy's is "
                   f"{decision.monthly_rent_dkk!r} kr.")
    route = getattr(ranking, "route", None)
    if route != decision.subroute:
        out.append(f"the ranking is for the {route} route, the vacancy's decision is "
                   f"{decision.subroute}")
    turn = getattr(ranking, "turn", None)
    if turn != decision.turn:
        ours = f"the {decision.turn} turn" if decision.turn else "no turn"
        theirs = f"the {turn} turn" if turn else "no turn (both lists as one)"
        out.append(f"the ranking is for {theirs}, the vacancy's decision is {ours}")
    return out


def _candidates(ranking: RankingLike) -> pd.DataFrame:
    frame = getattr(ranking, "frame", None)
    if not isinstance(frame, pd.DataFrame):
        raise ValidationError("ranking: expected an object with a .frame DataFrame")
    missing = [c for c in ("rank", "applicant_id", "list") if c not in frame.columns]
    if missing:
        raise ValidationError(f"ranking.frame: missing columns {', '.join(missing)}")
    # the priority group (flexible route) goes into the ledger, so reports can
    # count lettings per group; a ranking without it has no group
    keep = ["rank", "applicant_id", "list"] + (["group"] if "group" in frame.columns else [])
    out = frame[keep].copy()
    out["applicant_id"] = out["applicant_id"].astype(str)
    out["list"] = out["list"].astype(str)
    return out.sort_values(["rank", "applicant_id"], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------


class OfferRound:
    """Offers of one waiting-list vacancy to the first ``size`` candidates of its ranking.

    ``vacancy`` is a vacancy id or its :class:`~fuaalborg.letting.ledger.Decision`;
    ``ranking`` must have been made for the vacancy's current decision (see
    :func:`ranking_differences`); ``reply_days`` defaults to the parameter
    ``ledger.offers.reply_days`` on the day the offers go out. Calling
    :meth:`send` again after a round closed without an acceptor starts the next
    round with the next candidates.
    """

    def __init__(
        self,
        vacancy: Decision | str,
        ranking: RankingLike,
        *,
        ledger: Ledger,
        size: int = 5,
        reply_days: int | None = None,
    ) -> None:
        self.ledger = ledger
        self.vacancy_id = str(getattr(vacancy, "vacancy_id", vacancy))
        self.candidates = _candidates(ranking)
        problems: list[Problem] = []
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            problems.append(Problem("size", f"{size!r} is not a whole number >= 1"))
        if reply_days is not None and (
            isinstance(reply_days, bool) or not isinstance(reply_days, int) or reply_days < 0
        ):
            problems.append(Problem("reply_days", f"{reply_days!r} is not a whole number >= 0"))
        row = ledger.store.vacancy(self.vacancy_id)
        self._department = None if row is None else row.department_id
        if row is None:
            problems.append(Problem("", f"unknown vacancy {self.vacancy_id!r}"))
        elif row.status == "void":
            problems.append(Problem("", f"vacancy {self.vacancy_id!r} is void"))
        else:
            problems.extend(Problem("ranking", d) for d in
                            ranking_differences(ledger.decision(self.vacancy_id), ranking))
        _refuse(f"offer round for {self.vacancy_id!r}", problems)
        self.size = size
        self.reply_days = reply_days

    # -- views --------------------------------------------------------------

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """This vacancy's rounds as recorded (round, on, deadline, offers, closed, winner)."""
        return [_round_dict(r) for r in self.ledger.offers.rounds(self.vacancy_id)]

    @property
    def current(self) -> dict[str, Any] | None:
        """The latest round, or ``None`` before the first offers go out."""
        rounds = self.rounds
        return rounds[-1] if rounds else None

    @property
    def winner(self) -> str | None:
        """The applicant the dwelling went to (first acceptor in rank order), once closed."""
        current = self.ledger.offers.current(self.vacancy_id)
        return None if current is None else current.winner

    def offers(self) -> pd.DataFrame:
        """Every offer of every round: round, rank, applicant_id, list, answer."""
        rows = [
            {"round": r.round, "rank": o["rank"], "applicant_id": aid, "list": o["list"],
             "answer": o["answer"]}
            for r in self.ledger.offers.rounds(self.vacancy_id) for aid, o in r.offers.items()
        ]
        return pd.DataFrame(rows, columns=["round", "rank", "applicant_id", "list", "answer"])

    # -- steps --------------------------------------------------------------

    def send(self, on: dt.date | str, applicants: Iterable[str] | None = None) -> list[str]:
        """Send offers to the next ``size`` candidates (or to ``applicants``); return their ids.

        Candidates who are passive, whose seniority on the list has been used for
        another dwelling, or who had an offer of this vacancy already are passed
        over (and listed in the event). Naming such an applicant, or one who is
        not an eligible candidate of the ranking, is an error and nothing is written.
        """
        problems: list[Problem] = []
        day = _date(on, "on", problems)
        named = None if applicants is None else [str(a) for a in applicants]
        chosen: list[str] = []

        def build(view: StateView) -> list[dict[str, Any]]:
            book = OfferBook(view)
            row = view.vacancy(self.vacancy_id)
            status = None if row is None else row.status
            current = book.current(self.vacancy_id)
            if status not in _OPEN_FOR_OFFERS:
                problems.append(Problem(
                    "", f"vacancy {self.vacancy_id!r} is {status}: only waiting-list vacancies "
                    "(or dwellings the municipality returned) are offered",
                ))
            if current is not None and not current.closed:
                problems.append(Problem("", f"round {current.round} is still open; close it first"))
            if current is not None and current.winner:
                problems.append(Problem(
                    "",
                    "the vacancy already went to an applicant of an earlier round",
                ))
            if day is not None and current is not None and current.closed_on is not None and (
                day < current.closed_on
            ):
                problems.append(
                    Problem("on", f"{day.isoformat()} is before the previous round closed")
                )
            if day is not None and row is not None and day < row.decided_on:
                problems.append(
                    Problem("on", f"{day.isoformat()} is before the vacancy ({row.decided_on})")
                )
            offered_before = {aid for r in book.rounds(self.vacancy_id) for aid in r.offers}
            lists = dict(zip(self.candidates["applicant_id"], self.candidates["list"],
                             strict=True))

            def why_not(aid: str) -> str | None:
                if book.applicant(aid).passive_on is not None:
                    return "passive"
                if book.consumed_by(aid, lists[aid]) is not None:
                    return "seniority used"
                if aid in offered_before:
                    return "offered before"
                return None

            skipped: list[dict[str, str]] = []
            if named is not None:
                # applicants are named by their place in ``applicants``: an id may be a
                # person number and is never shown
                for number, aid in enumerate(named, start=1):
                    if aid not in lists:
                        problems.append(Problem(
                            "applicants", f"no. {number} named is not an eligible candidate of "
                            "the ranking (see ranking.ineligible)",
                        ))
                    elif (reason := why_not(aid)) is not None:
                        problems.append(Problem(
                            "applicants", f"no. {number} named cannot have an offer: {reason}"
                        ))
                    else:
                        chosen.append(aid)
                if not chosen and not problems:
                    problems.append(Problem("applicants", "none named"))
            else:
                for aid in self.candidates["applicant_id"]:
                    if len(chosen) >= self.size:
                        break
                    reason = why_not(aid)
                    if reason is None:
                        chosen.append(aid)
                    elif reason != "offered before":
                        skipped.append({"applicant_id": aid, "reason": reason})
                if not chosen and not problems:
                    problems.append(Problem(
                        "",
                        "no candidates left in the ranking to offer the dwelling to",
                    ))
            _refuse(f"offers for {self.vacancy_id!r}", problems)
            assert day is not None
            reply_days = self.reply_days
            if reply_days is None:
                reply_days = int(self.ledger.parameters.get("ledger.offers.reply_days", day))
            ranks = dict(zip(self.candidates["applicant_id"], self.candidates["rank"],
                             strict=True))
            groups: dict[str, int | None] = {}
            if "group" in self.candidates.columns:
                groups = {
                    aid: None if pd.isna(g) else int(g)
                    for aid, g in zip(
                        self.candidates["applicant_id"], self.candidates["group"], strict=True
                    )
                }
            return [{
                "type": "offers_sent",
                "on": day.isoformat(),
                "vacancy_id": self.vacancy_id,
                "round": len(book.rounds(self.vacancy_id)) + 1,
                "deadline": (day + dt.timedelta(days=reply_days)).isoformat(),
                "offers": [
                    {"applicant_id": aid, "list": lists[aid], "rank": int(ranks[aid]),
                     "group": groups.get(aid)}
                    for aid in chosen
                ],
                "skipped": skipped,
            }]

        if problems:  # the date: refuse before taking the ledger
            _refuse(f"offers for {self.vacancy_id!r}", problems)
        self.ledger.commit(build, department_id=self._department)
        return chosen

    def answer(self, applicant_id: str, answer: str, on: dt.date | str) -> None:
        """Record an applicant's answer (``accept`` or ``refuse``) within the reply period."""
        problems: list[Problem] = []
        day = _date(on, "on", problems)
        aid = str(applicant_id)
        if answer not in OFFER_ANSWERS:
            problems.append(Problem("answer", f"{answer!r} is not accept or refuse"))

        def build(view: StateView) -> list[dict[str, Any]]:
            current = OfferBook(view).current(self.vacancy_id)
            if current is None or current.closed:
                problems.append(Problem("", f"vacancy {self.vacancy_id!r} has no open offer round"))
            elif aid not in current.offers:
                problems.append(Problem("", f"the applicant has no offer in round {current.round}"))
            elif current.offers[aid]["answer"] is not None:
                problems.append(Problem("", "the applicant has already answered"))
            if day is not None and current is not None and not current.closed:
                if day < current.on:
                    problems.append(
                        Problem("on", f"{day.isoformat()} is before the offers went out")
                    )
                if day > current.deadline:
                    problems.append(Problem(
                        "on",
                        f"{day.isoformat()} is after the reply deadline "
                        f"{current.deadline.isoformat()}",
                    ))
            _refuse(f"an answer to the offer of {self.vacancy_id!r}", problems)
            assert day is not None
            return [{"type": "offer_answer", "on": day.isoformat(),
                     "vacancy_id": self.vacancy_id, "applicant_id": aid, "answer": answer}]

        self.ledger.commit(build, department_id=self._department)

    def close(self, on: dt.date | str) -> str | None:
        """Close the round: record ``no_answer`` for the silent, passive status, the winner.

        Returns the first acceptor in rank order, or ``None`` (then :meth:`send`
        starts the next round). Before the deadline a round closes only when
        everyone has answered.
        """
        problems: list[Problem] = []
        day = _date(on, "on", problems)
        params = self.ledger.parameters
        won: list[str | None] = [None]

        def build(view: StateView) -> list[dict[str, Any]]:
            book = OfferBook(view)
            current = book.current(self.vacancy_id)
            if current is None or current.closed:
                problems.append(Problem("", f"vacancy {self.vacancy_id!r} has no open offer round"))
            elif day is not None:
                silent = [a for a, o in current.offers.items() if o["answer"] is None]
                if day < current.on:
                    problems.append(
                        Problem("on", f"{day.isoformat()} is before the offers went out")
                    )
                elif silent and day <= current.deadline:
                    problems.append(Problem(
                        "",
                        f"{len(silent)} offers are unanswered and the deadline "
                        f"{current.deadline.isoformat()} has not passed",
                    ))
            _refuse(f"closing offers for {self.vacancy_id!r}", problems)
            assert day is not None
            assert current is not None
            period = int(params.get("ledger.offers.passive_period_days", day))
            limit = int(params.get("ledger.offers.passive_after_unanswered", day))
            refusals_count = bool(params.get("ledger.offers.refusals_count_towards_passive", day))
            events: list[dict[str, Any]] = []
            for aid, offer in current.offers.items():
                answer = offer["answer"]
                if answer is None:
                    events.append({"type": "offer_answer", "on": day.isoformat(),
                                   "vacancy_id": self.vacancy_id, "applicant_id": aid,
                                   "answer": "no_answer"})
                counts = answer is None or (answer == "refuse" and refusals_count)
                who = book.applicant(aid)
                if counts and who.passive_on is None:
                    since = day - dt.timedelta(days=period)
                    before = list(who.unanswered)
                    if refusals_count:
                        # a refusal is in the ledger from its answer; this round's silence
                        # is recorded by this close, so it counts as today
                        before += who.refused
                    this_round = [day] if answer is None else []
                    earlier = [*(d for d in before if d > since), *this_round]
                    if len(earlier) >= limit:
                        events.append({"type": "applicant_passive", "on": day.isoformat(),
                                       "applicant_id": aid, "unanswered": len(earlier),
                                       "period_days": period})
            accepted = sorted(
                (o["rank"], aid) for aid, o in current.offers.items() if o["answer"] == "accept"
            )
            won[0] = accepted[0][1] if accepted else None
            events.append({"type": "offer_round_closed", "on": day.isoformat(),
                           "vacancy_id": self.vacancy_id, "round": current.round,
                           "winner": won[0]})
            return events

        self.ledger.commit(build, department_id=self._department)
        return won[0]

    def sign(self, on: dt.date | str) -> None:
        """The winner signs the lease: the vacancy is let and their seniority on the list used."""
        problems: list[Problem] = []
        day = _date(on, "on", problems)

        def build(view: StateView) -> list[dict[str, Any]]:
            current = OfferBook(view).current(self.vacancy_id)
            row = view.vacancy(self.vacancy_id)
            if current is None or not current.closed or current.winner is None:
                problems.append(Problem(
                    "",
                    f"vacancy {self.vacancy_id!r} has no closed round with an acceptor",
                ))
            elif row is not None and row.status == "let":
                problems.append(Problem("", f"vacancy {self.vacancy_id!r} is already let"))
            elif row is not None and row.status == "void":
                problems.append(Problem("", f"vacancy {self.vacancy_id!r} is void"))
            elif day is not None and current.closed_on is not None and day < current.closed_on:
                problems.append(Problem("on", f"{day.isoformat()} is before the round closed"))
            _refuse(f"signing {self.vacancy_id!r}", problems)
            assert current is not None
            assert current.winner is not None
            assert day is not None
            offer = current.offers[current.winner]
            return [{
                "type": "signed", "on": day.isoformat(), "vacancy_id": self.vacancy_id,
                "applicant_id": current.winner, "list": offer["list"],
                "group": offer.get("group"), "seniority_consumed": True,
            }]

        self.ledger.commit(build, department_id=self._department)


def _round_dict(row: RoundRow) -> dict[str, Any]:
    return {
        "round": row.round,
        "on": row.on,
        "deadline": row.deadline,
        "offers": {k: dict(v) for k, v in row.offers.items()},
        "closed": row.closed,
        "closed_on": row.closed_on,
        "winner": row.winner,
    }
