"""The example plug-in package, installed into a temporary folder and run isolated.

Installed with pip into a folder of its own, found through its entry point,
it runs in a worker process of its own: its module is never imported by the
program that loads it. The command line, run as a fresh process on that
environment, lists it as isolated and valid after running each predicate.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fuaalborg.criteria import discover, load
from fuaalborg.criteria.testing import synthetic_applicants

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "plugin-example"
ON = dt.date(2024, 6, 1)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    target = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, f"installing the example plug-in failed:\n{built.stderr}"
    sys.path.insert(0, str(target))
    importlib.invalidate_caches()
    try:
        yield target
    finally:
        sys.path.remove(str(target))
        for name in [m for m in sys.modules if m.startswith("fuaalborg_fjordlys")]:
            del sys.modules[name]


def test_example_plugin_is_discovered_through_its_entry_point_and_runs_isolated(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "fuaalborg-fjordlys")
    registry = load()
    info = next(p for p in registry.plugins if p.name == "fjordlys")
    assert (info.isolation, info.organisation_cvr) == ("process", "29990018")
    assert "fuaalborg_fjordlys" not in sys.modules
    handle = registry.isolated["fjordlys"]
    assert handle.pid is not None
    assert handle.pid != os.getpid()
    sample = synthetic_applicants(500, seed=4, extra=[registry.fields["volunteer_in_department"]])
    met = registry.evaluate_many(
        ["fjordlys.household_in_work_or_education", "fjordlys.volunteer"], sample, ON
    )
    assert met.any().all()
    assert not met.all().any()
    assert (info.distribution, info.version) == ("fuaalborg-fjordlys", "1.1.0")
    assert "fjordlys.household_in_work_or_education" in registry.criteria
    assert registry.plugin_of("fjordlys.volunteer").label() == "fjordlys (fuaalborg-fjordlys 1.1.0)"
    red = registry.agreement_for("FJ-1", "29990018", "red", ON)
    assert red is not None
    assert red.groups[-1] == "employment_or_education"
    assert red.group_conditions[2] == "floor = 0 or lift = true"
    registry.close()
    assert handle.pid is None


def test_the_command_line_lists_it_isolated_from_a_fresh_process(installed: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(installed), *sys.path]),
        "FUAALBORG_PLUGINS": "fuaalborg-fjordlys",
    }
    result = subprocess.run(
        [sys.executable, "-c", "from fuaalborg.cli import main; main()", "plugins", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    payload = json.loads(result.stdout)
    fjordlys = next(p for p in payload["plugins"] if p["name"] == "fjordlys")
    assert (fjordlys["isolation"], fjordlys["problems"]) == ("process", [])
    agreement = next(a for a in payload["agreements"] if a["organisation_cvr"] == "29990018")
    assert agreement["applies_to"] == ["", "", "floor = 0 or lift = true"]


def test_environment_variables_control_loading(
    installed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FUAALBORG_PLUGINS", "")
    assert "fjordlys.volunteer" not in load().criteria
    monkeypatch.delenv("FUAALBORG_PLUGINS")
    monkeypatch.setenv("FUAALBORG_DISABLE_PLUGINS", "fuaalborg_fjordlys")
    assert "fjordlys.volunteer" not in discover().plugins[-1].criteria
    monkeypatch.delenv("FUAALBORG_DISABLE_PLUGINS")
    assert "fjordlys.volunteer" in load().criteria
    assert "fjordlys.volunteer" not in load(entry_points=False).criteria


def test_example_plugin_own_tests_pass(installed: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed), *sys.path])}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            str(EXAMPLE / "tests"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=EXAMPLE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
