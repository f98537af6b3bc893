"""Shared test configuration.

The test suite never auto-loads third-party flexible-letting plug-ins installed in
the environment: ``FUAALBORG_PLUGINS`` is set empty for every test (the built-in
plug-in always loads). A test that installs a plug-in sets the variable itself.

Tests of the PostgreSQL ledger share one throw-away server (``postgres``) and
get a fresh database each (``pg_url``).

Tests on the bundled example municipality share one (``example_municipality``),
built once for the session. No test may change it: a test that needs a changed
municipality changes a copy (``attrs.evolve`` with copied tables, or
``examples.load()``, which returns fresh copies). A test that adds, drops or
retypes a column or a row of the shared one fails at its teardown; a change of
any value fails the session's end, where every table is compared by content.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fuaalborg import Municipality


@pytest.fixture(autouse=True)
def _no_third_party_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "")
    monkeypatch.delenv("FUAALBORG_DISABLE_PLUGINS", raising=False)
    return


def _layout(municipality: Municipality) -> dict[str, Any]:
    """Each table's columns, dtypes and index: cheap enough to compare after every test."""
    from fuaalborg import examples

    return {
        name: (tuple(frame.columns), tuple(map(str, frame.dtypes)), tuple(frame.index))
        for name in examples.TABLES
        for frame in [getattr(municipality, name)]
    }


def _content(municipality: Municipality) -> dict[str, Any]:
    """Each table's layout, a digest of its values in order, and the municipality's own fields."""
    import pandas as pd

    from fuaalborg import examples

    hashes = {
        name: hashlib.sha256(
            pd.util.hash_pandas_object(getattr(municipality, name), index=True).to_numpy()
        ).hexdigest()
        for name in examples.TABLES
    }
    own = (municipality.name, municipality.synthetic, municipality.danish,
           municipality.settings)
    return {"layout": _layout(municipality), "values": hashes, "fields": own}


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in before if before[name] != after[name])


@pytest.fixture(scope="session")
def example_municipality() -> Iterator[Municipality]:
    """The bundled example municipality, shared by the whole session: never change it."""
    from fuaalborg import examples

    municipality = examples.load()
    before = _content(municipality)
    yield municipality
    after = _content(municipality)
    if before != after:
        changed = {part: _changed(before[part], after[part]) for part in ("layout", "values")}
        pytest.fail(
            "a test changed the shared example municipality (change a copy instead): "
            f"tables {changed}, own fields changed: {before['fields'] != after['fields']}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _example_keeps_its_layout(request: pytest.FixtureRequest) -> Iterator[None]:
    if "example_municipality" not in request.fixturenames:
        yield
        return
    municipality = request.getfixturevalue("example_municipality")
    before = _layout(municipality)
    yield
    changed = _changed(before, _layout(municipality))
    if changed:
        pytest.fail(
            f"this test changed the shared example municipality's tables {changed} "
            "(change a copy instead)",
            pytrace=False,
        )


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
