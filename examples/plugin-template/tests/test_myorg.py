"""Tests of the template plug-in, with fuaalborg's helpers for plug-in authors."""

from __future__ import annotations

import datetime as dt

import pandas as pd

import fuaalborg_myorg as plugin
from fuaalborg.criteria import testing

ON = dt.date(2026, 6, 1)


def test_loads() -> None:
    assert "myorg.large_families" in testing.load_plugin(plugin).criteria


def test_large_families() -> None:
    registry = testing.load_plugin(plugin)
    frame = pd.DataFrame({"children": [0, 3, None]})
    assert registry.evaluate("myorg.large_families", frame, ON).tolist() == [False, True, False]


def test_independent_of_protected_columns() -> None:
    testing.assert_independent_of_protected(plugin, on=ON)
