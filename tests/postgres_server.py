"""A throw-away PostgreSQL server for the tests: ``initdb`` + ``pg_ctl`` in a temporary folder.

The server listens on a unix socket in its folder and on 127.0.0.1 (password
authentication, for the "another host" case). PostgreSQL refuses to run as
root: under root the server programs run as the ``postgres`` system user, which
owns the folder. Without server programs the tests that need one are skipped,
unless ``FUAALBORG_REQUIRE_POSTGRES`` is set (continuous integration), which
makes the missing server a failure.
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import attrs

REQUIRE = "FUAALBORG_REQUIRE_POSTGRES"
PASSWORD = "ledger-test-password"


def _programs() -> tuple[str, str] | None:
    found = shutil.which("initdb"), shutil.which("pg_ctl")
    if all(found):
        return found[0], found[1]  # type: ignore[return-value]
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        initdb, pg_ctl = Path(folder) / "initdb", Path(folder) / "pg_ctl"
        if initdb.exists() and pg_ctl.exists():
            return str(initdb), str(pg_ctl)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@attrs.frozen
class Server:
    """A running server: its socket folder, port and the user every database belongs to."""

    folder: Path
    socket_dir: Path
    port: int
    user: str = "ledger"

    def url(self, dbname: str) -> str:
        """A unix-socket URI of a database on this server."""
        return f"postgresql://{self.user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def tcp_url(self, dbname: str, password: str = PASSWORD) -> str:
        """A TCP (loopback) URI with a password, as another host would connect."""
        return f"postgresql://{self.user}:{password}@127.0.0.1:{self.port}/{dbname}"


_COUNTER = itertools.count()


def new_database(server: Server) -> str:
    """Create an empty database on ``server``; return its name."""
    import psycopg

    name = f"ledger_{os.getpid()}_{next(_COUNTER)}"
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return name


def start(*, durable: bool = False) -> Iterator[Server | str]:
    """Start a server (yield it, then stop it), or yield why none can run.

    The tests' server skips ``fsync`` (their checks are about the ledger, not
    the disk); ``durable=True`` keeps PostgreSQL's defaults, for benchmarks.
    """
    programs = _programs()
    if programs is None:
        yield "no PostgreSQL server programs (initdb, pg_ctl) on PATH"
        return
    initdb, pg_ctl = programs
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="fuaalborg-pg-"))
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            yield "running as root without runuser: cannot start PostgreSQL as 'postgres'"
            return
        as_user = [runuser, "-u", "postgres", "--"]
        shutil.chown(folder, "postgres")
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    if as_user:
        shutil.chown(sock, "postgres")
    password_file = folder / "pw"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    if as_user:
        shutil.chown(password_file, "postgres")
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    try:
        run(initdb, "-D", str(data), "-U", "ledger", "--auth-local=trust",
            "--auth-host=scram-sha-256", f"--pwfile={password_file}", "--no-sync", "-E", "UTF8",
            "--locale=C.UTF-8")
        options = (f"-c listen_addresses=127.0.0.1 -p {port} -c unix_socket_directories={sock} "
                   "-c max_connections=60")
        if not durable:
            options += " -c fsync=off -c synchronous_commit=off"
        run(pg_ctl, "-D", str(data), "-l", str(folder / "log"), "-w", "-o", options, "start")
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        output = getattr(exc, "stderr", b"") or b""
        shutil.rmtree(folder, ignore_errors=True)
        yield f"PostgreSQL did not start: {output.decode(errors='replace').strip()[:300]}"
        return
    try:
        yield Server(folder, sock, port)
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60, check=False)
        # the databases' files take a while to delete on a slow disk: not the suite's time
        subprocess.Popen(["rm", "-rf", str(folder)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
