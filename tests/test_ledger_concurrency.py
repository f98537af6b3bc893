"""Several processes writing one ledger at once, and a writer killed mid-stream.

Four processes record vacancies of shared departments at the same time (on a
file, SQLite and PostgreSQL). Afterwards every decision must be what the
routing rules give when applied in the order the ledger recorded (``seq``),
written here from the law, not from the library: BAB always to referral, red
departments not counted, every 4th counting vacancy of a department to referral
(``floor(n·a/b) > floor((n−1)·a/b)`` with 1/4), waiting-list lettings
alternating internal/external starting internal, red ones flexible. No vacancy
may be lost or recorded twice, and the counters must equal a recount.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuaalborg.letting.ledger import Ledger
from fuaalborg.letting.routing import Counters
from ledger_support import FORK, run_together

WORKERS = 4
DEPARTMENTS = {"A": "green", "B": "yellow", "R": "red"}
REGISTRY = pd.DataFrame(
    {
        "dwelling_id": ["A1", "A2", "AB", "B1", "B2", "R1", "R2"],
        "department_id": ["A", "A", "A", "B", "B", "R", "R"],
        "kind": ["family", "family", "bab", "family", "family", "family", "family"],
    }
)
#: A and B belong to one housing organisation: the internal/external turn counts per
#: organisation (udlejningsbekendtgørelsen § 7), so writers of A and B share its counter.
ORGANISATIONS = {"A": "org-AB", "B": "org-AB", "R": "org-R"}
REGISTRY["organisation_cvr"] = REGISTRY["department_id"].map(ORGANISATIONS)
DWELLINGS = {
    ("A", "family"): "A1", ("A", "bab"): "AB", ("B", "family"): "B1", ("R", "family"): "R1",
}

Vacancy = tuple[str, str, str, int]  # department, kind, vacancy id, day offset


def _worker(target: str, vacancies: list[Vacancy], start: Any, done: Any) -> None:
    start.wait(timeout=60)
    try:
        with Ledger.open(target) as ledger:
            for dep, kind, vid, offset in vacancies:
                ledger.record_vacancy(vid, DWELLINGS[(dep, kind)], dep, kind,
                                      dt.date(2024, 1, 1) + dt.timedelta(days=offset), 4000.0, 2,
                                      colour=DEPARTMENTS[dep])
        done.put(("ok", len(vacancies)))
    except BaseException as exc:  # report to the parent: a child's traceback is lost
        done.put(("error", f"{type(exc).__name__}: {exc}"))


def _oracle(events: list[dict[str, Any]]) -> tuple[dict[str, tuple[Any, ...]],
                                                   dict[str, Counters]]:
    """Each vacancy's (route, subroute, turn, n_referral) by the law, in seq order."""
    referral: dict[str, int] = {}
    letting: dict[str, int] = {}
    turns: dict[str, int] = {}  # each organisation's waiting-list lettings
    out: dict[str, tuple[Any, ...]] = {}
    for event in events:
        if event["type"] != "vacancy":
            continue
        dep, kind = event["department_id"], event["kind"]
        if kind == "bab":
            out[event["vacancy_id"]] = ("referral", None, None, None)
            continue
        n = None
        if DEPARTMENTS[dep] != "red":
            n = referral[dep] = referral.get(dep, 0) + 1
            if (n * 1) // 4 > ((n - 1) * 1) // 4:
                out[event["vacancy_id"]] = ("referral", None, None, n)
                continue
        letting[dep] = letting.get(dep, 0) + 1
        org = ORGANISATIONS[dep]
        k = turns[org] = turns.get(org, 0) + 1
        subroute = "flexible" if DEPARTMENTS[dep] == "red" else "ordinary"
        turn = "internal" if k % 2 == 1 else "external"
        out[event["vacancy_id"]] = ("waiting_list", subroute, turn,
                                    n if n is not None else referral.get(dep, 0))
    counters = {d: Counters(referral.get(d, 0), letting.get(d, 0), letting.get(d, 0))
                for d in DEPARTMENTS}
    return out, counters


def _check(target: str, work: list[list[Vacancy]]) -> None:
    with Ledger.open(target, readonly=True) as ledger:
        events = ledger.events()
        report = ledger.verify()
        decisions = ledger.decisions()
        counters = {d: ledger.counters(d) for d in DEPARTMENTS}
    ids = [e["vacancy_id"] for e in events if e["type"] == "vacancy"]
    expected_ids = sorted(v[2] for part in work for v in part)
    assert sorted(ids) == expected_ids  # none lost, none twice
    assert [e["seq"] for e in events] == list(range(len(events)))
    oracle, recount = _oracle(events)
    got = {
        r.vacancy_id: (r.route, None if pd.isna(r.subroute) else r.subroute,
                       None if pd.isna(r.turn) else r.turn,
                       None if pd.isna(r.n_referral) else int(r.n_referral))
        for r in decisions.itertuples(index=False)
    }
    assert got == oracle
    assert counters == recount
    assert report.vacancies == len(expected_ids)
    # each worker's own vacancies were counted in the order it recorded them
    seq = {e["vacancy_id"]: e["seq"] for e in events if e["type"] == "vacancy"}
    for part in work:
        order = [seq[v[2]] for v in part]
        assert order == sorted(order)


_vacancy = st.tuples(st.sampled_from([("A", "family"), ("A", "bab"), ("B", "family"),
                                      ("R", "family")]), st.integers(0, 40))


def _workload(draw: Callable[[Any], Any]) -> list[list[Vacancy]]:
    parts = draw(st.lists(st.lists(_vacancy, min_size=4, max_size=12),
                          min_size=WORKERS, max_size=WORKERS))
    return [
        [(dep, kind, f"W{w}-{i}", offset) for i, ((dep, kind), offset) in enumerate(part)]
        for w, part in enumerate(parts)
    ]


workloads = st.composite(_workload)()


def _target(kind: str, folder: Path, request: pytest.FixtureRequest) -> str:
    if kind == "file":
        return str(folder / "ledger.jsonl")
    if kind == "sqlite":
        return f"sqlite:///{folder}/ledger.db"
    import postgres_server

    server = request.getfixturevalue("postgres")
    return str(server.url(postgres_server.new_database(server)))


@pytest.mark.parametrize("kind", ["file", "sqlite", "postgresql"])
@settings(max_examples=3, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(work=workloads)
def test_concurrent_writers_count_exactly_as_the_law_in_seq_order(
    kind: str, work: list[list[Vacancy]], tmp_path_factory: pytest.TempPathFactory,
    request: pytest.FixtureRequest,
) -> None:
    target = _target(kind, tmp_path_factory.mktemp(kind), request)
    Ledger.create(target, REGISTRY).close()
    run_together([(_worker, (target, part)) for part in work])
    _check(target, work)


def _crash_writer(target: str, ack: Any) -> None:
    with Ledger.open(target) as ledger:
        for i in range(100_000):
            dep = "AB"[i % 2]
            ledger.record_vacancy(f"V{i}", f"{dep}1", dep, "family",
                                  dt.date(2024, 1, 1) + dt.timedelta(days=i // 50), 4000.0, 2,
                                  colour="green")
            os.write(ack, f"V{i}\n".encode())


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_writer_killed_mid_stream_loses_no_acknowledged_vacancy(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    target = _target(kind, tmp_path, request)
    merged = REGISTRY["department_id"].replace({"R": "B"})
    Ledger.create(target, REGISTRY.assign(department_id=merged,
                                          organisation_cvr="org-" + merged)).close()
    read, write = os.pipe()
    child = FORK.Process(target=_crash_writer, args=(target, write))
    child.start()
    os.close(write)
    acknowledged: list[str] = []
    buffer = b""
    with os.fdopen(read, "rb", buffering=0) as pipe:
        while len(acknowledged) < 300:
            chunk = pipe.read(4096)
            assert chunk, "the writer stopped before it was killed"
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            acknowledged.extend(line.decode() for line in lines)
        os.kill(child.pid, signal.SIGKILL)  # mid-stream: it is writing the next one
        child.join(timeout=60)
        rest = pipe.read()
    acknowledged.extend(x for x in (buffer + rest).decode().split("\n") if x)
    assert child.exitcode == -signal.SIGKILL
    with Ledger.open(target) as ledger:
        report = ledger.verify()  # every event, decision and state row agrees
        recorded = [e["vacancy_id"] for e in ledger.events(type="vacancy")]
        assert set(acknowledged) <= set(recorded)
        assert len(recorded) - len(acknowledged) <= 1  # at most the one in flight
        assert len(set(recorded)) == len(recorded) == report.vacancies
        counters = ledger.counters("A")
        assert counters.referral == sum(1 for v in recorded if int(v[1:]) % 2 == 0)
        ledger.record_vacancy("after", "A1", "A", "family", "2025-01-01", 4000, 2,
                              colour="green")  # the ledger goes on
