"""Offer rounds (tilbudsrunder): a waiting-list vacancy offered to the top of a ranking.

An :class:`OfferRound` takes a vacancy recorded in a :class:`~fuaalborg.letting.ledger.Ledger`
that went to the waiting list (or was declined by the municipality and
returned), and a ranking of the waiting list for it — any object with a
``.frame`` holding the columns ``rank``, ``applicant_id`` and ``list``, such as
the result of :func:`fuaalborg.rank`. Offers go to the first ``size``
candidates at once; each answers ``accept`` or ``refuse`` within the reply
period, or not at all. The dwelling goes to the first acceptor in rank order.
A refusal costs nothing by default; unanswered offers count towards passive
status (three within a year by default: organisation practice, parameters
``ledger.offers.*``). Signing the lease consumes the applicant's seniority on
that list. Every step is a ledger event, written before the call returns.

>>> import tempfile, pathlib
>>> import pandas as pd
>>> from fuaalborg.letting.ledger import Ledger
>>> registry = pd.DataFrame({"dwelling_id": ["D1"], "department_id": ["A"], "kind": ["family"]})
>>> ledger = Ledger.create(pathlib.Path(tempfile.mkdtemp()) / "l.jsonl", registry)
>>> _ = ledger.record_vacancy("V1", "D1", "A", "family", "2024-03-01", 5100.0, 3, colour="green")
>>> class Ranked:  # stands in for fuaalborg.rank(...)
...     frame = pd.DataFrame({"rank": [1, 2, 3], "applicant_id": ["a", "b", "c"],
...                           "list": ["internal", "external", "external"]})
>>> offers = OfferRound("V1", Ranked(), ledger=ledger, size=2)
>>> offers.send("2024-03-02")
['a', 'b']
>>> offers.answer("b", "accept", "2024-03-04")
>>> offers.answer("a", "refuse", "2024-03-05")
>>> offers.close("2024-03-07")
'b'
>>> offers.sign("2024-03-10")
>>> ledger.status("V1"), ledger.consumed[("b", "external")]
('let', 'V1')
>>> ledger.close()
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import pandas as pd

from fuaalborg.dates import parse_date
from fuaalborg.errors import ValidationError

if TYPE_CHECKING:
    from fuaalborg.letting.ledger import Decision, Ledger

__all__ = ["OFFER_ANSWERS", "OfferRound", "apply_offer_event"]

#: An applicant's answers to an offer; ``no_answer`` is recorded when the round closes.
OFFER_ANSWERS = ("accept", "refuse")

_OPEN_FOR_OFFERS = {"waiting_list", "returned", "offered"}


def _date(value: Any, what: str, problems: list[str]) -> dt.date | None:
    day = parse_date(value)
    if day is None:
        problems.append(f"{what}: {value!r} is not a date (YYYY-MM-DD)")
    return day


def _refuse(what: str, problems: list[str]) -> None:
    from fuaalborg.letting.ledger import LedgerInputError

    if problems:
        raise LedgerInputError(what, problems)


def _candidates(ranking: Any) -> pd.DataFrame:
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


class OfferRound:
    """Offers of one waiting-list vacancy to the first ``size`` candidates of a ranking.

    ``vacancy`` is a vacancy id or its :class:`~fuaalborg.letting.ledger.Decision`;
    ``reply_days`` defaults to the parameter ``ledger.offers.reply_days`` on the
    day the offers go out. Calling :meth:`send` again after a round closed
    without an acceptor starts the next round with the next candidates.
    """

    def __init__(
        self,
        vacancy: Decision | str,
        ranking: Any,
        *,
        ledger: Ledger,
        size: int = 5,
        reply_days: int | None = None,
    ) -> None:
        self.ledger = ledger
        self.vacancy_id = str(getattr(vacancy, "vacancy_id", vacancy))
        self.candidates = _candidates(ranking)
        problems: list[str] = []
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            problems.append(f"size: {size!r} is not a whole number >= 1")
        if reply_days is not None and (
            isinstance(reply_days, bool) or not isinstance(reply_days, int) or reply_days < 0
        ):
            problems.append(f"reply_days: {reply_days!r} is not a whole number >= 0")
        status = ledger._status.get(self.vacancy_id)
        if status is None:
            problems.append(f"unknown vacancy {self.vacancy_id!r}")
        else:
            dep = ledger.vacancy(self.vacancy_id)["department_id"]
            ranked_for = getattr(getattr(ranking, "vacancy", None), "department_id", None)
            if ranked_for is not None and str(ranked_for) != dep:
                problems.append(
                    f"the ranking is for department {ranked_for!r}, the vacancy is in {dep!r}"
                )
        _refuse(f"offer round for {self.vacancy_id!r}", problems)
        self.size = size
        self.reply_days = reply_days

    # -- views --------------------------------------------------------------

    @property
    def rounds(self) -> list[dict[str, Any]]:
        """This vacancy's rounds as recorded in the ledger (round, on, deadline, offers, winner)."""
        return self.ledger.rounds.get(self.vacancy_id, [])

    @property
    def current(self) -> dict[str, Any] | None:
        """The latest round, or ``None`` before the first offers go out."""
        return self.rounds[-1] if self.rounds else None

    @property
    def winner(self) -> str | None:
        """The applicant the dwelling went to (first acceptor in rank order), once closed."""
        current = self.current
        return None if current is None else current.get("winner")

    def offers(self) -> pd.DataFrame:
        """Every offer of every round: round, rank, applicant_id, list, answer."""
        rows = [
            {"round": r["round"], "rank": o["rank"], "applicant_id": aid, "list": o["list"],
             "answer": o["answer"]}
            for r in self.rounds for aid, o in r["offers"].items()
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
        ledger = self.ledger
        problems: list[str] = []
        day = _date(on, "on", problems)
        status = ledger._status.get(self.vacancy_id)
        current = self.current
        if status not in _OPEN_FOR_OFFERS:
            problems.append(
                f"vacancy {self.vacancy_id!r} is {status}: only waiting-list vacancies "
                "(or dwellings the municipality returned) are offered"
            )
        if current is not None and not current["closed"]:
            problems.append(f"round {current['round']} is still open; close it first")
        if current is not None and current.get("winner"):
            problems.append("the vacancy already went to an applicant of an earlier round")
        if day is not None and current is not None and day < current["closed_on"]:
            problems.append(f"on {day.isoformat()} is before the previous round closed")
        if day is not None and status is not None:
            vacant_on = dt.date.fromisoformat(ledger.vacancy(self.vacancy_id)["on"])
            if day < vacant_on:
                problems.append(f"on {day.isoformat()} is before the vacancy ({vacant_on})")
        offered_before = {aid for r in self.rounds for aid in r["offers"]}
        lists = dict(zip(self.candidates["applicant_id"], self.candidates["list"], strict=True))

        def why_not(aid: str) -> str | None:
            if aid in ledger.passive:
                return "passive"
            if (aid, lists[aid]) in ledger.consumed:
                return "seniority used"
            if aid in offered_before:
                return "offered before"
            return None

        chosen: list[str] = []
        skipped: list[dict[str, str]] = []
        if applicants is not None:
            # applicants are named by their place in ``applicants``: an id may be a
            # person number and is never shown
            for number, aid in enumerate((str(a) for a in applicants), start=1):
                if aid not in lists:
                    problems.append(
                        f"applicant no. {number} named is not an eligible candidate of the "
                        "ranking (see ranking.ineligible)"
                    )
                elif (reason := why_not(aid)) is not None:
                    problems.append(f"applicant no. {number} named cannot have an offer: {reason}")
                else:
                    chosen.append(aid)
            if not chosen and not problems:
                problems.append("no applicants named")
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
                problems.append("no candidates left in the ranking to offer the dwelling to")
        _refuse(f"offers for {self.vacancy_id!r}", problems)
        assert day is not None
        reply_days = self.reply_days
        if reply_days is None:
            reply_days = int(ledger.parameters.get("ledger.offers.reply_days", day))
        ranks = dict(zip(self.candidates["applicant_id"], self.candidates["rank"], strict=True))
        groups: dict[str, int | None] = {}
        if "group" in self.candidates.columns:
            groups = {
                aid: None if pd.isna(g) else int(g)
                for aid, g in zip(
                    self.candidates["applicant_id"], self.candidates["group"], strict=True
                )
            }
        event = {
            "type": "offers_sent",
            "on": day.isoformat(),
            "vacancy_id": self.vacancy_id,
            "round": len(self.rounds) + 1,
            "deadline": (day + dt.timedelta(days=reply_days)).isoformat(),
            "offers": [
                {
                    "applicant_id": aid,
                    "list": lists[aid],
                    "rank": int(ranks[aid]),
                    "group": groups.get(aid),
                }
                for aid in chosen
            ],
            "skipped": skipped,
        }
        ledger.commit([event])
        return chosen

    def answer(self, applicant_id: str, answer: str, on: dt.date | str) -> None:
        """Record an applicant's answer (``accept`` or ``refuse``) within the reply period."""
        problems: list[str] = []
        day = _date(on, "on", problems)
        aid = str(applicant_id)
        current = self.current
        if answer not in OFFER_ANSWERS:
            problems.append(f"answer {answer!r} is not accept or refuse")
        if current is None or current["closed"]:
            problems.append(f"vacancy {self.vacancy_id!r} has no open offer round")
        elif aid not in current["offers"]:
            problems.append(f"the applicant has no offer in round {current['round']}")
        elif current["offers"][aid]["answer"] is not None:
            problems.append("the applicant has already answered")
        if day is not None and current is not None and not current["closed"]:
            if day < current["on"]:
                problems.append(f"on {day.isoformat()} is before the offers went out")
            if day > current["deadline"]:
                problems.append(
                    f"on {day.isoformat()} is after the reply deadline "
                    f"{current['deadline'].isoformat()}"
                )
        _refuse(f"an answer to the offer of {self.vacancy_id!r}", problems)
        assert day is not None
        self.ledger.commit([{
            "type": "offer_answer", "on": day.isoformat(), "vacancy_id": self.vacancy_id,
            "applicant_id": aid, "answer": answer,
        }])

    def close(self, on: dt.date | str) -> str | None:
        """Close the round: record ``no_answer`` for the silent, passive status, the winner.

        Returns the first acceptor in rank order, or ``None`` (then :meth:`send`
        starts the next round). Before the deadline a round closes only when
        everyone has answered.
        """
        ledger = self.ledger
        problems: list[str] = []
        day = _date(on, "on", problems)
        current = self.current
        if current is None or current["closed"]:
            problems.append(f"vacancy {self.vacancy_id!r} has no open offer round")
        elif day is not None:
            silent = [a for a, o in current["offers"].items() if o["answer"] is None]
            if day < current["on"]:
                problems.append(f"on {day.isoformat()} is before the offers went out")
            elif silent and day <= current["deadline"]:
                problems.append(
                    f"{len(silent)} offers are unanswered and the deadline "
                    f"{current['deadline'].isoformat()} has not passed"
                )
        _refuse(f"closing offers for {self.vacancy_id!r}", problems)
        assert day is not None
        assert current is not None
        period = int(ledger.parameters.get("ledger.offers.passive_period_days", day))
        limit = int(ledger.parameters.get("ledger.offers.passive_after_unanswered", day))
        refusals_count = bool(
            ledger.parameters.get("ledger.offers.refusals_count_towards_passive", day)
        )
        events: list[dict[str, Any]] = []
        for aid, offer in current["offers"].items():
            answer = offer["answer"]
            if answer is None:
                events.append({"type": "offer_answer", "on": day.isoformat(),
                               "vacancy_id": self.vacancy_id, "applicant_id": aid,
                               "answer": "no_answer"})
            counts = answer is None or (answer == "refuse" and refusals_count)
            if counts and aid not in ledger.passive:
                since = day - dt.timedelta(days=period)
                before = list(ledger.unanswered.get(aid, []))
                if refusals_count:
                    # a refusal is in the ledger from its answer; this round's silence
                    # is recorded by this close, so it counts as today
                    before += ledger.refused.get(aid, [])
                this_round = [day] if answer is None else []
                earlier = [*(d for d in before if d > since), *this_round]
                if len(earlier) >= limit:
                    events.append({"type": "applicant_passive", "on": day.isoformat(),
                                   "applicant_id": aid, "unanswered": len(earlier),
                                   "period_days": period})
        accepted = sorted(
            ((o["rank"], aid) for aid, o in current["offers"].items() if o["answer"] == "accept"),
        )
        winner = accepted[0][1] if accepted else None
        events.append({"type": "offer_round_closed", "on": day.isoformat(),
                       "vacancy_id": self.vacancy_id, "round": current["round"],
                       "winner": winner})
        ledger.commit(events)
        return winner

    def sign(self, on: dt.date | str) -> None:
        """The winner signs the lease: the vacancy is let and their seniority on the list used."""
        problems: list[str] = []
        day = _date(on, "on", problems)
        current = self.current
        if current is None or not current["closed"] or current.get("winner") is None:
            problems.append(f"vacancy {self.vacancy_id!r} has no closed round with an acceptor")
        elif self.ledger.status(self.vacancy_id) == "let":
            problems.append(f"vacancy {self.vacancy_id!r} is already let")
        elif day is not None and day < current["closed_on"]:
            problems.append(f"on {day.isoformat()} is before the round closed")
        _refuse(f"signing {self.vacancy_id!r}", problems)
        assert current is not None
        assert day is not None
        winner = current["winner"]
        self.ledger.commit([{
            "type": "signed", "on": day.isoformat(), "vacancy_id": self.vacancy_id,
            "applicant_id": winner, "list": current["offers"][winner]["list"],
            "group": current["offers"][winner].get("group"),
            "seniority_consumed": True,
        }])


def apply_offer_event(ledger: Ledger, event: Mapping[str, Any]) -> None:
    """Apply one offer event to the ledger's offer state (used when writing and replaying)."""
    kind = event["type"]
    day = dt.date.fromisoformat(event["on"])
    vid = event.get("vacancy_id")
    if kind == "offers_sent":
        assert vid is not None
        ledger.rounds.setdefault(vid, []).append({
            "round": event["round"],
            "on": day,
            "deadline": dt.date.fromisoformat(event["deadline"]),
            "offers": {
                o["applicant_id"]: {
                    "list": o["list"], "rank": o["rank"], "group": o.get("group"), "answer": None
                }
                for o in event["offers"]
            },
            "closed": False,
            "closed_on": None,
            "winner": None,
        })
        ledger._status[vid] = "offered"
    elif kind == "offer_answer":
        assert vid is not None
        current = ledger.rounds[vid][-1]
        current["offers"][event["applicant_id"]]["answer"] = event["answer"]
        if event["answer"] == "no_answer":
            ledger.unanswered.setdefault(event["applicant_id"], []).append(day)
        elif event["answer"] == "refuse":
            ledger.refused.setdefault(event["applicant_id"], []).append(day)
    elif kind == "applicant_passive":
        ledger.passive[event["applicant_id"]] = day
    elif kind == "offer_round_closed":
        assert vid is not None
        current = ledger.rounds[vid][-1]
        current["closed"] = True
        current["closed_on"] = day
        current["winner"] = event["winner"]
    elif kind == "signed":
        assert vid is not None
        ledger.consumed[(event["applicant_id"], event["list"])] = vid
        ledger._status[vid] = "let"
