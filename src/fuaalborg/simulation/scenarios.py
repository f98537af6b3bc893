"""Scenarios (scenarier): parameter overrides the capacity simulation runs under.

A scenario is a parameter file in the ordinary format (see
:mod:`fuaalborg.parameters`): a ``[meta]`` table with ``title``, ``version`` and
``description``, and parameter tables whose dated values are layered on top of the
bundled parameters. Anything a scenario changes is therefore cited and dated like
every other rule; a scenario can change a value from a date on (a share from
2026, a department turning red in 2027).

Besides the library's own parameters (``referral.share``,
``agreement.figures.turnover_pct``, …) a scenario may set the simulation's own
knobs, listed in :data:`SCENARIO_KNOBS`. The built-in scenarios ship with
fuaalborg; :func:`builtin_scenarios` names them.

>>> sorted(builtin_scenarios())[:2]
['agreement', 'compensation']
>>> Scenario.load("agreement").title
'The agreement as it stands'
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs

from fuaalborg.errors import InputError, Problem
from fuaalborg.model import COLOURS
from fuaalborg.parameters import ParameterSet, load_parameters, parse_parameter_file

__all__ = [
    "COLOURS",
    "SCENARIO_KNOBS",
    "Scenario",
    "ScenarioError",
    "builtin_scenarios",
]

#: The simulation's own scenario knobs: parameter name -> (unit, meaning).
SCENARIO_KNOBS: Mapping[str, tuple[str, str]] = {
    "simulation.colour_overrides": (
        "table",
        "department id -> colour (green, yellow, red) replacing the step model's placement "
        'from the value\'s date; the key "*" applies to every department not named',
    ),
    "simulation.department_turnover_pct": (
        "table",
        "department id -> yearly turnover in percent, replacing "
        "agreement.figures.turnover_pct for that department",
    ),
    "simulation.department_referral_share": (
        "table",
        'department id -> referral share "a/b" agreed for the department (ABL § 59, stk. 2)',
    ),
    "simulation.compensation": (
        "boolean",
        "exempt (red) departments' expected referral turns are moved to the counting "
        "departments by raising their share",
    ),
    "simulation.referral_rent_ceiling_dkk": (
        "dkk_per_month",
        "only dwellings at most this monthly rent are reported to the referral; dearer "
        "dwellings count nothing and go to the waiting list",
    ),
}


class ScenarioError(InputError):
    """A scenario that cannot be loaded or does not fit the municipality.

    ``problems`` lists every problem found (:class:`~fuaalborg.errors.Problem`,
    where = ``"file: parameter"``); the message shows them all.
    """

    head = "{count} in scenario:"


_PACKAGE_DIR = "simulation_scenarios"


def builtin_scenarios() -> dict[str, str]:
    """The built-in scenarios: name -> title."""
    folder = resources.files("fuaalborg") / _PACKAGE_DIR
    out: dict[str, str] = {}
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".toml"):
            name = entry.name.removesuffix(".toml")
            out[name] = Scenario.from_text(entry.read_text(encoding="utf-8"), name).title
    return out


@attrs.frozen
class Scenario:
    """A named set of parameter overrides for :func:`fuaalborg.simulate`.

    ``parameters`` is ``base`` — the parameter set the scenario was built on (the
    bundled one unless another was given) — with the scenario's own layer on top;
    ``overrides`` names the parameters the scenario sets. Build one with
    :meth:`load` (a built-in name or a file) or :meth:`from_text`;
    :meth:`over` lays the same overrides on other parameters, as
    :func:`fuaalborg.simulate` does with a municipality's. ``base`` is ``None``
    for a scenario constructed directly: its overrides cannot be told from the
    parameters beneath them.
    """

    name: str
    title: str
    description: str
    parameters: ParameterSet = attrs.field(eq=False, repr=False)
    overrides: tuple[str, ...] = ()
    source: str = "built-in"
    base: ParameterSet | None = attrs.field(default=None, eq=False, repr=False)

    @classmethod
    def load(
        cls, name_or_path: str | os.PathLike[str] | Scenario, base: ParameterSet | None = None
    ) -> Scenario:
        """A built-in scenario by name (``"agreement"``), or a scenario file by path."""
        if isinstance(name_or_path, Scenario):
            return name_or_path
        text_name = str(name_or_path)
        folder = resources.files("fuaalborg") / _PACKAGE_DIR
        builtin = folder / f"{text_name}.toml"
        if "/" not in text_name and not text_name.endswith(".toml") and builtin.is_file():
            return cls.from_text(builtin.read_text(encoding="utf-8"), text_name, base=base)
        path = Path(name_or_path)
        if not path.is_file():
            known = ", ".join(builtin_scenarios())
            raise ScenarioError(
                [Problem(text_name, f"neither a built-in scenario ({known}) nor a scenario file")]
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError([Problem(path.name, f"cannot be read ({exc.strerror})")]) from None
        return cls.from_text(text, path.stem, base=base, source=path.name)

    @classmethod
    def from_text(
        cls,
        text: str,
        name: str,
        *,
        base: ParameterSet | None = None,
        source: str = "built-in",
    ) -> Scenario:
        """Parse a scenario file's text; every problem is reported at once.

        >>> text = '''
        ... [meta]
        ... title = "A third"
        ... version = "1"
        ... description = "Referral share 1/3 from 2026."
        ... [referral.share]
        ... description = "Referral share"
        ... unit = "fraction"
        ... [[referral.share.values]]
        ... from = 2026-01-01
        ... value = "1/3"
        ... reference = "Scenario: ABL § 59, stk. 2 (an agreed share)"
        ... '''
        >>> s = Scenario.from_text(text, "third")
        >>> s.parameters.get("referral.share", dt.date(2026, 1, 1))
        Fraction(1, 3)
        >>> s.parameters.get("referral.share", dt.date(2025, 1, 1))
        Fraction(1, 4)
        """
        label = source if source != "built-in" else f"{name}.toml"
        params, meta, problems = parse_parameter_file(text, label)
        bundled = base or load_parameters()
        for pname, param in sorted(params.items()):
            if pname in SCENARIO_KNOBS:
                unit = SCENARIO_KNOBS[pname][0]
            elif pname in bundled:
                unit = bundled.parameter(pname).unit
            else:
                problems.append(Problem(
                    f"{label}: {pname}",
                    "unknown parameter (neither a bundled parameter nor one of "
                    f"{', '.join(SCENARIO_KNOBS)})",
                ))
                continue
            if param.unit != unit:
                problems.append(
                    Problem(f"{label}: {pname}.unit", f"{param.unit!r}; expected {unit!r}")
                )
            for dated in param.values:
                problems.extend(_check_knob(label, pname, dated.value))
        if problems:
            raise ScenarioError(problems)
        assert meta is not None  # a missing [meta] is a problem above
        return cls(
            name=name,
            title=meta.title,
            description=(meta.description or "").strip(),
            parameters=attrs.evolve(
                bundled,
                layers=(*bundled.layers, params),
                sources=(*bundled.sources, label),
            ),
            overrides=tuple(sorted(params)),
            source=source,
            base=bundled,
        )

    def builds_on(self, parameters: ParameterSet) -> bool:
        """Whether the scenario's parameters are ``parameters`` with layers on top (its own,
        and any other layer it was built on)."""
        return _extends(self.parameters, parameters)

    def over(self, parameters: ParameterSet) -> Scenario:
        """The same scenario with its overrides on top of ``parameters`` instead of its base.

        Raises :class:`ScenarioError` for a scenario whose base is not known (one
        constructed directly, not by :meth:`load` or :meth:`from_text`).

        >>> from fuaalborg.parameters import load_parameters
        >>> agreed = Scenario.load("agreement").over(load_parameters())
        >>> agreed.builds_on(load_parameters()), agreed.title
        (True, 'The agreement as it stands')
        """
        base = self.base
        if base is None or not _extends(self.parameters, base):
            raise ScenarioError([Problem(
                self.source if self.source != "built-in" else self.name,
                "its overrides cannot be told from the parameters they were laid on: "
                "build it with Scenario.load or Scenario.from_text (base= the parameters "
                "to lay them on)",
            )])
        own = len(base.layers)
        return attrs.evolve(
            self,
            parameters=ParameterSet(
                (*parameters.layers, *self.parameters.layers[own:]),
                (*parameters.sources, *self.parameters.sources[own:]),
            ),
            base=parameters,
        )

    def knob(self, name: str, on: dt.date, default: Any) -> Any:
        """The value of the scenario knob ``name`` on ``on``, or ``default`` if unset."""
        if name not in self.parameters:
            return default
        for dated in self.parameters.history(name):
            if dated.covers(on):
                return default if dated.ended else dated.value
        return default


def _extends(parameters: ParameterSet, base: ParameterSet) -> bool:
    """Whether ``parameters`` are ``base``'s layers with (possibly no) layers on top."""
    n = len(base.layers)
    return len(parameters.layers) >= n and all(
        mine is theirs or mine == theirs
        for mine, theirs in zip(parameters.layers[:n], base.layers, strict=True)
    )


def _check_knob(label: str, name: str, value: Any) -> list[Problem]:
    """Problems with the value of one of the simulation's knobs."""
    where = f"{label}: {name}"
    problems: list[Problem] = []
    if value is None:
        return problems
    if name == "simulation.colour_overrides":
        for key, colour in value.items():
            if colour not in COLOURS:
                problems.append(
                    Problem(where, f"{key} = {colour!r}; expected one of {', '.join(COLOURS)}")
                )
    elif name == "simulation.department_turnover_pct":
        for key, pct in value.items():
            if isinstance(pct, bool) or not isinstance(pct, int | float) or not 0 <= pct <= 100:
                problems.append(
                    Problem(where, f"{key} = {pct!r}; expected a percent from 0 to 100")
                )
    elif name == "simulation.department_referral_share":
        for key, share in value.items():
            if _fraction_or_none(share) is None:
                problems.append(
                    Problem(where, f'{key} = {share!r}; expected a fraction "a/b" in 0–1')
                )
    return problems


def _fraction_or_none(value: Any) -> Any:
    from fractions import Fraction

    try:
        if isinstance(value, str) and "/" in value:
            num, _, den = value.partition("/")
            frac = Fraction(int(num), int(den))
        elif isinstance(value, int) and not isinstance(value, bool):
            frac = Fraction(value)
        else:
            return None
    except (ValueError, ZeroDivisionError):
        return None
    return frac if 0 <= frac <= 1 else None
