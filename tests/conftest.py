"""Shared test configuration.

The test suite never auto-loads third-party flexible-letting plug-ins installed in
the environment: ``FUAALBORG_PLUGINS`` is set empty for every test (the built-in
plug-in always loads). A test that installs a plug-in sets the variable itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _no_third_party_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "")
    monkeypatch.delenv("FUAALBORG_DISABLE_PLUGINS", raising=False)
    return
