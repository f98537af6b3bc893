"""What the ledger tests share: a stand-in ranking made for a recorded vacancy's decision, and
writers started in several processes at once."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.vacancy import Vacancy


class Ranked:
    """A ranking of the given ids for a vacancy's decision (department, dwelling, route, turn).

    Offer tests need a waiting list in a known order, not the ranking rules:
    this stand-in has the shape :class:`~fuaalborg.letting.offers.OfferRound`
    reads and states the decision it was made for, as a real ranking does.
    """

    def __init__(self, ledger: Ledger, vacancy_id: str, ids: list[str],
                 lists: list[str] | None = None) -> None:
        decision = ledger.decision(vacancy_id)
        self.vacancy = Vacancy(decision.department_id, rooms=decision.rooms,
                               monthly_rent_dkk=decision.monthly_rent_dkk,
                               vacant_on=decision.on, dwelling_id=decision.dwelling_id)
        self.route: Any = decision.subroute
        self.turn: Any = decision.turn
        self.frame = pd.DataFrame(
            {"rank": range(1, len(ids) + 1), "applicant_id": ids,
             "list": lists or ["external"] * len(ids)}
        )


#: Processes that start from the test's state (fork), as a letting system's workers would.
FORK = multiprocessing.get_context("fork")


def run_together(jobs: Sequence[tuple[Callable[..., None], tuple[Any, ...]]]) -> None:
    """Run each ``(function, args)`` in its own process, all released at one moment.

    Each function is called with ``*args, start, done``: it waits for the event
    ``start``, then puts ``("ok", …)`` or ``("error", why)`` on the queue ``done``.
    Fails the test unless every process says ``ok``.
    """
    start, done = FORK.Event(), FORK.Queue()
    procs = [FORK.Process(target=function, args=(*args, start, done)) for function, args in jobs]
    for proc in procs:
        proc.start()
    start.set()
    results = [done.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    assert [r[0] for r in results] == ["ok"] * len(procs), results
