"""Shared test configuration.

The test suite never auto-loads third-party flexible-letting plug-ins installed in
the environment: ``FUAALBORG_PLUGINS`` is set empty for every test (the built-in
plug-in always loads). A test that installs a plug-in sets the variable itself.

Tests of the PostgreSQL ledger share one throw-away server (``postgres``) and
get a fresh database each (``pg_url``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _no_third_party_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "")
    monkeypatch.delenv("FUAALBORG_DISABLE_PLUGINS", raising=False)
    return


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """One throw-away PostgreSQL server for the whole session (see ``postgres_server``).

    Skipped when no server programs exist; a failure instead when
    ``FUAALBORG_REQUIRE_POSTGRES`` is set (continuous integration).
    """
    import postgres_server

    runner = postgres_server.start()
    server = next(runner)
    if isinstance(server, str):
        if os.environ.get(postgres_server.REQUIRE):
            pytest.fail(f"{server} (and {postgres_server.REQUIRE} is set)")
        pytest.skip(server)
    yield server
    runner.close()


@pytest.fixture
def pg_url(postgres: Any) -> str:
    """The unix-socket URI of a new, empty database on the session's server."""
    import postgres_server

    return str(postgres.url(postgres_server.new_database(postgres)))
