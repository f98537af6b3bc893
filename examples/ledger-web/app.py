"""A letting system's ledger service: a small JSON web app served by several worker processes.

Standard library only (``wsgiref``), pre-forking: the parent opens the
listening socket and forks ``--workers`` processes; each opens its own
:class:`fuaalborg.Ledger` on the shared TARGET (SQLite or PostgreSQL — or a
file, for a trial) and serves requests. Two workers may record vacancies of
one department at the same moment: the ledger's transaction makes the second
wait and count after the first.

    python examples/ledger-web/app.py sqlite:///ledger.db --municipality town/ \\
        --applicants town/applicants.csv --workers 4 --port 8080

Endpoints (JSON in, JSON out; dates YYYY-MM-DD):

    POST /vacancies                       record a vacancy -> its decision
    GET  /vacancies/<id>                  its decision and status
    POST /vacancies/<id>/answer           {"answer", "on"}: the municipality's answer
    POST /vacancies/<id>/void             {"reason", "on", "by"}: recorded in error
    POST /vacancies/<id>/offers           {"on", "size"}: rank for the decision, send offers
    POST /vacancies/<id>/offers/answer    {"applicant_id", "answer", "on"}
    POST /vacancies/<id>/offers/close     {"on"} -> the winner
    POST /vacancies/<id>/offers/sign      {"on"}
    GET  /departments/<id>/counters       the department's counters
    GET  /verify                          re-derive everything from the events

A refused request answers 400 (or 404, 409) with ``{"error", "problems"}``, each
problem ``{"where", "what"}`` (the argument it concerns, what is wrong); a
busy ledger answers 503 and the client retries. No answer carries a traceback
or an applicant's data beyond what the request sent.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import sys
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import attrs
import pandas as pd

import fuaalborg
from fuaalborg.errors import FuaalborgError
from fuaalborg.letting.errors import LedgerBusyError, LedgerInputError
from fuaalborg.letting.ledger import Decision, Ledger

StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class Service:
    """The app: one per worker process, with its own ledger connection."""

    def __init__(self, target: str, municipality: fuaalborg.Municipality | None,
                 applicants: pd.DataFrame | None) -> None:
        self.ledger = Ledger.open(target, municipality=municipality)
        self.municipality = municipality
        self.applicants = applicants

    # -- routing ----------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "/")
        try:
            body = self._body(environ) if method == "POST" else {}
            status, payload = self._route(method, path, body)
        except LedgerInputError as exc:
            status, payload = "400 Bad Request", {"error": str(exc).splitlines()[0],
                                                  "problems": [{"where": p.where, "what": p.what}
                                                               for p in exc.problems]}
        except LedgerBusyError as exc:
            status, payload = "503 Service Unavailable", {"error": str(exc)}
        except FuaalborgError as exc:
            status, payload = "409 Conflict", {"error": str(exc).splitlines()[0]}
        except (ValueError, KeyError, TypeError) as exc:
            status, payload = "400 Bad Request", {"error": f"bad request: {type(exc).__name__}"}
        data = json.dumps(payload, ensure_ascii=False, default=str).encode()
        start_response(status, [("Content-Type", "application/json; charset=utf-8"),
                                ("Content-Length", str(len(data)))])
        return [data]

    @staticmethod
    def _body(environ: dict[str, Any]) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        data = json.loads(environ["wsgi.input"].read(length) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data

    def _route(self, method: str, path: str, body: dict[str, Any]) -> tuple[str, Any]:
        ok = "200 OK"
        if (method, path) == ("POST", "/vacancies"):
            d = self.ledger.record_vacancy(
                body["vacancy_id"], body["dwelling_id"], body["department_id"], body["kind"],
                body["vacant_on"], body["monthly_rent_dkk"], body["rooms"],
                colour=body.get("colour"))
            return "201 Created", _decision(d)
        if (method, path) == ("GET", "/verify"):
            report = self.ledger.verify()
            return ok, {"events": report.events, "vacancies": report.vacancies,
                        "corrections": [c.describe() for c in report.corrections]}
        match = re.fullmatch(r"/departments/([^/]+)/counters", path)
        if match and method == "GET":
            return ok, attrs.asdict(self.ledger.counters(match.group(1)))
        match = re.fullmatch(r"/vacancies/([^/]+)(/.*)?", path)
        if not match:
            return "404 Not Found", {"error": f"no such resource: {method} {path}"}
        vid, rest = match.group(1), match.group(2) or ""
        if (method, rest) == ("GET", ""):
            return ok, {**_decision(self.ledger.decision(vid)),
                        "status": self.ledger.status(vid)}
        if (method, rest) == ("POST", "/answer"):
            d = self.ledger.record_answer(vid, body["answer"], body["on"])
            return ok, {**_decision(d), "status": self.ledger.status(vid)}
        if (method, rest) == ("POST", "/void"):
            after = self.ledger.void(vid, body["reason"], body["on"], by=body.get("by"))
            return ok, {"status": "void", "counters": attrs.asdict(after)}
        if method == "POST" and rest.startswith("/offers"):
            return ok, self._offers(vid, rest, body)
        return "404 Not Found", {"error": f"no such resource: {method} {path}"}

    def _offers(self, vid: str, rest: str, body: dict[str, Any]) -> Any:
        if self.applicants is None:
            raise FuaalborgError("this service was started without a waiting list (--applicants)")
        ranking = self.ledger.rank(vid, self.applicants, municipality=self.municipality)
        offers = fuaalborg.OfferRound(vid, ranking, ledger=self.ledger,
                                      size=int(body.get("size", 5)))
        if rest == "/offers":
            return {"sent": offers.send(body["on"])}
        if rest == "/offers/answer":
            offers.answer(body["applicant_id"], body["answer"], body["on"])
            return {"answered": True}
        if rest == "/offers/close":
            return {"winner": offers.close(body["on"])}
        if rest == "/offers/sign":
            offers.sign(body["on"])
            return {"status": self.ledger.status(vid)}
        raise KeyError(rest)


def _decision(d: Decision) -> dict[str, Any]:
    return {
        "vacancy_id": d.vacancy_id, "department_id": d.department_id, "route": d.route,
        "subroute": d.subroute, "turn": d.turn, "colour": d.colour, "late": d.late,
        "seq": d.seq, "reason": d.reason, "n_referral": d.n_referral,
    }


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        return  # no access log: a URL may carry an id


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("target", help="the ledger: sqlite:///path.db, postgresql://… or a file")
    parser.add_argument("--municipality", help="folder with the municipality's tables")
    parser.add_argument("--applicants", help="the waiting list (CSV) offers are ranked from")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args(argv)

    town = fuaalborg.Municipality.from_folder(args.municipality) if args.municipality else None
    applicants = None
    if args.applicants:
        applicants = pd.read_csv(args.applicants, sep=None, engine="python", dtype=str)
        applicants["seniority_date"] = pd.to_datetime(applicants["seniority_date"])
        applicants["household_size"] = applicants["household_size"].astype(int)
    Ledger.open(args.target, municipality=town).close()  # refuse a bad target before forking

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.host, args.port))
    listener.listen(64)
    children = []
    for _ in range(args.workers):
        pid = os.fork()
        if pid == 0:  # a worker: its own ledger, the shared socket
            service = Service(args.target, town, applicants)
            server = WSGIServer((args.host, args.port), _Quiet, bind_and_activate=False)
            server.socket.close()
            server.socket = listener  # accept on the socket every worker shares
            server.server_name, server.server_port = args.host, args.port
            server.setup_environ()
            server.set_app(service)
            try:
                server.serve_forever()
            finally:
                service.ledger.close()
                os._exit(0)
        children.append(pid)
    with Ledger.open(args.target, readonly=True) as ledger:
        shown = ledger.target
    print(f"serving {shown} on http://{args.host}:{args.port} with {args.workers} workers",
          flush=True)

    def stop(signum: int, frame: Any) -> None:
        for pid in children:
            os.kill(pid, signal.SIGTERM)
        for pid in children:
            os.waitpid(pid, 0)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        signal.pause()


if __name__ == "__main__":
    main()
