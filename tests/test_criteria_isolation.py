"""Isolated plug-ins against a determined author: each attack as a test.

One plug-in module, written to a temporary folder and loaded *by module name*
(so it runs in a worker process of its own), carries honest criteria and
attacking ones: a stack walk and a heap walk for the caller's waiting list, a
``setflags(write=True)`` write-through, ``SystemExit``, ``KeyboardInterrupt``,
an undeclared column, a hang and a hard exit. The same module is loaded
in-process to show each test's premise (the attack does work there, or the
in-process firewall stops it too). The workers are shared by the module's
tests: process start-up is the slow part.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from fuaalborg.criteria import PredicateError, Registry, load
from fuaalborg.criteria.errors import CriterionAccessError, PredicateTimeoutError
from fuaalborg.criteria.testing import applicant_frames, synthetic_applicants
from fuaalborg.parameters import load_parameters

ON = dt.date(2024, 5, 1)
MODULE = "fuaalborg_isolation_probe"

SOURCE = '''
"""A plug-in that probes the isolation (tests only)."""

import gc
import os
import sys
import time

import numpy as np
import pandas as pd

from fuaalborg.criteria import Criterion, hookimpl

BASIS = "Almenboligloven § 60, stk. 1"


def _protected_frames():
    """Every DataFrame this process can reach that carries a protected column."""
    found = []
    frame = sys._getframe()
    while frame is not None:
        for value in list(frame.f_locals.values()):
            if isinstance(value, pd.DataFrame) and "citizenship" in value.columns:
                found.append(value)
        frame = frame.f_back
    for obj in gc.get_objects():
        if isinstance(obj, pd.DataFrame) and "citizenship" in obj.columns:
            found.append(obj)
    return found


def stack_and_heap(frame):
    """Discriminates when it finds the waiting list, else lets everyone through."""
    found = _protected_frames()
    if not found:
        return pd.Series(True, index=frame.index)
    citizens = found[0]["citizenship"].to_numpy()
    return pd.Series(citizens[: len(frame)] == "DK", index=frame.index)


def write_through(frame):
    ages = frame["age"].to_numpy()
    ages.setflags(write=True)
    ages[:] = 99
    hours = frame["employment_hours_per_week"].to_numpy()
    hours.setflags(write=True)
    hours[:] = 0
    return pd.Series(False, index=frame.index)


def seniors(frame):
    return frame["age"].fillna(0) >= 65


def exits(frame):
    raise SystemExit(0)


def interrupts(frame):
    raise KeyboardInterrupt


def sneaks(frame):
    return frame["citizenship"] == "DK"


def hangs(frame):
    time.sleep(60)
    return pd.Series(False, index=frame.index)


def dies(frame):
    os._exit(7)


def mixed(frame):
    """Reads several dtypes, as an honest predicate would."""
    hours = frame["employment_hours_per_week"].fillna(0)
    level = frame["highest_education"].astype("string").fillna("")
    young = frame["age"].fillna(0) < 30
    return ((hours >= 20) | level.str.startswith("h")) & ~young


def dated(frame):
    since = pd.Timestamp("2015-01-01")
    return (frame["seniority_date"] < since).fillna(False).astype(bool)


def crit(cid, reads, predicate):
    return Criterion(id=cid, title=cid, reads=reads, predicate=predicate, legal_basis=BASIS)


@hookimpl
def register_criteria():
    return [
        crit("probe.stack_and_heap", {"age"}, stack_and_heap),
        crit("probe.write_through", {"age", "employment_hours_per_week"}, write_through),
        crit("probe.seniors", {"age"}, seniors),
        crit("probe.exits", {"age"}, exits),
        crit("probe.interrupts", {"age"}, interrupts),
        crit("probe.sneaks", {"age"}, sneaks),
        crit("probe.hangs", {"age"}, hangs),
        crit("probe.dies", {"age"}, dies),
        crit("probe.mixed", {"employment_hours_per_week", "highest_education", "age"}, mixed),
        crit("probe.dated", {"seniority_date"}, dated),
    ]
'''


@pytest.fixture(scope="module")
def module_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("probe")
    (folder / f"{MODULE}.py").write_text(textwrap.dedent(SOURCE), encoding="utf-8")
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop(MODULE, None)


@pytest.fixture(scope="module")
def short_limits(tmp_path_factory: pytest.TempPathFactory) -> object:
    path = tmp_path_factory.mktemp("params") / "limits.toml"
    path.write_text(
        '[meta]\ntitle = "test limits"\nversion = "1"\n'
        "[criteria.isolation.time_limit_seconds]\n"
        'description = "x"\nunit = "count"\n'
        "[[criteria.isolation.time_limit_seconds.values]]\n"
        'from = 2010-01-01\nvalue = 2\nreference = "test"\n',
        encoding="utf-8",
    )
    return load_parameters().with_files(path)


@pytest.fixture(scope="module")
def isolated(module_path: Path, short_limits: object) -> Iterator[Registry]:
    loaded_here = MODULE in sys.modules
    registry = load([MODULE], entry_points=False, parameters=short_limits)  # type: ignore[arg-type]
    # loading by module name never runs the plug-in's code in this process
    assert (MODULE in sys.modules) == loaded_here
    try:
        yield registry
    finally:
        registry.close()


@pytest.fixture(scope="module")
def in_process(module_path: Path) -> Registry:
    return load([MODULE], entry_points=False, isolation="in-process")


@pytest.fixture
def waiting() -> pd.DataFrame:
    frame = synthetic_applicants(400, seed=11)
    frame["citizenship"] = np.where(np.arange(len(frame)) % 3 == 0, "DK", "SY")
    return frame


def test_a_plugin_given_by_module_name_runs_in_a_worker_process(isolated: Registry) -> None:
    info = next(p for p in isolated.plugins if p.name == MODULE)
    assert info.isolation == "process"
    handle = isolated.isolated[MODULE]
    assert handle.pid is not None
    assert handle.pid != os.getpid()


def test_stack_and_heap_walks_find_nothing_in_the_worker(
    isolated: Registry, in_process: Registry, waiting: pd.DataFrame
) -> None:
    # premise: in this process the walk finds the waiting list and discriminates
    here = in_process.evaluate("probe.stack_and_heap", waiting, ON)
    assert not here.all()
    assert here.to_numpy().tolist() == (waiting["citizenship"] == "DK").tolist()
    # isolated: nothing to find, so no one is told apart
    there = isolated.evaluate("probe.stack_and_heap", waiting, ON)
    assert there.all()


@pytest.mark.parametrize("mode", ["isolated", "in_process"])
def test_setflags_write_through_reaches_nothing(
    mode: str, request: pytest.FixtureRequest, waiting: pd.DataFrame
) -> None:
    registry: Registry = request.getfixturevalue(mode)
    cached = waiting.copy(deep=False)  # shares the buffers, as a cached example frame does
    before = waiting.copy(deep=True)
    met = registry.evaluate_many(["probe.write_through", "probe.seniors"], waiting, ON)
    pd.testing.assert_frame_equal(waiting, before)
    pd.testing.assert_frame_equal(cached, before)
    # the next criterion in the same call saw the true ages, not the 99s
    assert met["probe.seniors"].tolist() == (before["age"] >= 65).tolist()


@pytest.mark.parametrize("mode", ["isolated", "in_process"])
def test_the_cached_example_is_untouched(mode: str, request: pytest.FixtureRequest) -> None:
    from fuaalborg import examples

    registry: Registry = request.getfixturevalue(mode)
    waiting = examples.load().applicants
    ages = waiting["age"].to_numpy(copy=True)
    seniors = int((waiting["age"] >= 65).sum())
    registry.evaluate_many(["probe.write_through"], waiting, ON)
    assert np.array_equal(examples.load().applicants["age"].to_numpy(), ages)
    assert int(registry.evaluate("probe.seniors", examples.load().applicants, ON).sum()) == seniors


@pytest.mark.parametrize("mode", ["isolated", "in_process"])
@pytest.mark.parametrize(
    ("criterion", "raised"),
    [("probe.exits", "SystemExit"), ("probe.interrupts", "KeyboardInterrupt")],
)
def test_base_exceptions_become_named_predicate_errors(
    mode: str, criterion: str, raised: str, request: pytest.FixtureRequest, waiting: pd.DataFrame
) -> None:
    registry: Registry = request.getfixturevalue(mode)
    with pytest.raises(PredicateError) as info:
        registry.evaluate(criterion, waiting, ON)
    assert info.value.plugin == MODULE
    assert info.value.criterion == criterion
    assert raised in str(info.value)
    assert f"plug-in '{MODULE}'" in str(info.value)


def test_a_real_ctrl_c_of_the_caller_still_interrupts(in_process: Registry) -> None:
    from fuaalborg.criteria.firewall import run

    def slow(frame: pd.DataFrame) -> pd.Series[bool]:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.5)
        return pd.Series(False, index=frame.index)

    # Python's own Ctrl-C handler, whatever an earlier test or library left installed
    # (a handler that chooses not to raise is the caller's decision, kept by run()).
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(KeyboardInterrupt):
            run("probe.slow", slow, pd.DataFrame({"age": [1]}), None, plugin=MODULE)
    finally:
        signal.signal(signal.SIGINT, before)


def test_an_undeclared_column_is_refused_in_the_worker(
    isolated: Registry, waiting: pd.DataFrame
) -> None:
    with pytest.raises(CriterionAccessError) as info:
        isolated.evaluate("probe.sneaks", waiting, ON)
    assert info.value.field == "citizenship"
    assert info.value.plugin == MODULE


def test_a_hang_is_stopped_at_the_time_limit_and_the_worker_restarts(
    isolated: Registry, waiting: pd.DataFrame
) -> None:
    handle = isolated.isolated[MODULE]
    started = handle.starts
    clock = time.monotonic()
    with pytest.raises(PredicateTimeoutError, match=r"probe\.hangs.*time limit of 2 s"):
        isolated.evaluate("probe.hangs", waiting, ON)
    assert time.monotonic() - clock < 20
    assert not handle.running
    assert isolated.evaluate("probe.seniors", waiting, ON).sum() == (waiting["age"] >= 65).sum()
    assert handle.starts == started + 1


def test_a_dying_worker_is_a_named_error_and_is_started_again(
    isolated: Registry, waiting: pd.DataFrame
) -> None:
    with pytest.raises(PredicateError, match=r"probe\.dies.*ended.*exit status 7"):
        isolated.evaluate("probe.dies", waiting, ON)
    assert isolated.evaluate("probe.seniors", waiting, ON).any()


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(frame=applicant_frames(max_rows=15))
def test_isolated_and_in_process_results_are_identical(
    isolated: Registry, in_process: Registry, frame: pd.DataFrame
) -> None:
    ids = ["probe.seniors", "probe.mixed", "probe.dated"]
    before = frame.copy(deep=True)
    here = in_process.evaluate_many(ids, frame, ON)
    there = isolated.evaluate_many(ids, frame, ON)
    pd.testing.assert_frame_equal(here, there)
    pd.testing.assert_frame_equal(frame, before)
    assert list(there.index) == list(frame.index)
