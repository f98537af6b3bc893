"""Which municipality a ledger belongs to: its registry of dwellings and their fingerprint.

A ledger is created for one municipality. Its first event holds the registry —
every department with its family and BAB dwellings — and the registry's
fingerprint; :func:`registry_fingerprint` computes the same for a
:class:`~fuaalborg.Municipality`, so a ledger can refuse a municipality (or a
colour source, :class:`StepModelColours`) that is not its own: a ledger of one
municipality never routes with another municipality's colours. It also records each
department's housing organisation (:func:`organisations_of`), whose waiting-list lettings the
internal/external turn counts; they are not part of the fingerprint, so a
ledger created before they were recorded keeps its fingerprint. When the
housing stock changes, a ``stock`` event records the new registry and its
fingerprint (:mod:`fuaalborg.letting.stock`).

>>> import pandas as pd
>>> dwellings = pd.DataFrame({"dwelling_id": ["A1", "B1"], "department_id": ["A", "B"],
...                           "kind": ["family", "bab"]})
>>> registry_fingerprint(dwellings) == registry_fingerprint(dwellings.iloc[::-1])
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from fuaalborg import _lazy
from fuaalborg._types import ColourSource as ColourSource
from fuaalborg.errors import InputError, Problem, ValidationError
from fuaalborg.letting.errors import OWN_COLOURS, OWN_MUNICIPALITY, LedgerMunicipalityError
from fuaalborg.letting.routing import DWELLING_KINDS
from fuaalborg.letting.store import LedgerMeta
from fuaalborg.municipality import Municipality

__all__ = [
    "DWELLING_FACT_COLUMNS",
    "ColourSource",
    "StepModelColours",
    "check_colour_source",
    "dwelling_facts_of",
    "facts_by_dwelling",
    "fingerprint_of",
    "organisations_of",
    "other_municipality",
    "other_organisations",
    "registry_fingerprint",
    "registry_of",
]

#: The optional facts of a dwelling a ledger keeps for the ranking's dwelling conditions
#: (:mod:`fuaalborg.criteria.conditions`); rooms and rent are each vacancy's own.
DWELLING_FACT_COLUMNS = ("floor", "dwelling_type", "lift")


def registry_of(
    source: Municipality | pd.DataFrame,
) -> tuple[dict[str, dict[str, list[str]]], str]:
    """The registry (department -> kind -> dwelling ids, sorted) and name of a municipality."""
    if isinstance(source, Municipality):
        dwellings = source.dwellings
        deps = source.departments["department_id"].astype(str).tolist()
        name = source.name
    elif isinstance(source, pd.DataFrame):
        dwellings = source
        deps = []
        name = "municipality"
    else:
        raise ValidationError(
            f"municipality: expected a Municipality or a dwellings table, got "
            f"{type(source).__name__}"
        )
    missing = [c for c in ("dwelling_id", "department_id", "kind") if c not in dwellings.columns]
    if missing:
        raise ValidationError(f"dwellings table: missing columns {', '.join(missing)}")
    registry: dict[str, dict[str, list[str]]] = {d: {"family": [], "bab": []} for d in deps}
    frame = dwellings[["dwelling_id", "department_id", "kind"]].astype(str)
    bad = ~frame["kind"].isin(DWELLING_KINDS)
    if bad.any():
        rows = (np.flatnonzero(bad.to_numpy()) + 1).tolist()[:10]
        raise ValidationError(f"dwellings table: kind must be family or bab (rows {rows})")
    dup = frame["dwelling_id"].duplicated()
    if dup.any():
        rows = (np.flatnonzero(dup.to_numpy()) + 1).tolist()[:10]
        raise ValidationError(f"dwellings table: duplicate dwelling_id (rows {rows})")
    for (dep, kind), ids in frame.groupby(["department_id", "kind"], sort=True)["dwelling_id"]:
        registry.setdefault(str(dep), {"family": [], "bab": []})[str(kind)] = sorted(
            ids.tolist()
        )
    return registry, name


def dwelling_facts_of(source: Municipality | pd.DataFrame) -> dict[str, dict[str, list[str]]]:
    """The dwellings' stated floor, dwelling type and lift, as a ledger keeps them.

    For each fact of :data:`DWELLING_FACT_COLUMNS` the table states: each value
    (as text: ``"0"``, ``"senior"``, ``"true"``) and the sorted ids of the
    dwellings that have it — the form of the registry, compact and quick to
    read. A dwelling without a value states nothing about that fact; a table
    without these columns gives ``{}``. The fingerprint does not cover them:
    the registry names the dwellings, these describe them.
    :func:`facts_by_dwelling` turns them back into each dwelling's facts.

    >>> dwellings = pd.DataFrame({"dwelling_id": ["A1", "A2"], "department_id": ["A", "A"],
    ...                           "kind": ["family", "family"], "floor": [0, None],
    ...                           "lift": [None, True]})
    >>> dwelling_facts_of(dwellings)
    {'floor': {'0': ['A1']}, 'lift': {'true': ['A2']}}
    >>> facts_by_dwelling(dwelling_facts_of(dwellings))
    {'A1': {'floor': 0}, 'A2': {'lift': True}}
    """
    dwellings = source.dwellings if isinstance(source, Municipality) else source
    if "dwelling_id" not in dwellings.columns:
        return {}
    ids = dwellings["dwelling_id"].astype(str)
    facts: dict[str, dict[str, list[str]]] = {}
    for column in DWELLING_FACT_COLUMNS:
        if column not in dwellings.columns:
            continue
        values = dwellings[column]
        stated = values.notna().to_numpy(dtype=bool)
        if not stated.any():
            continue
        texts = values[stated].map(_as_text)
        groups = ids[stated].groupby(texts.to_numpy(), sort=True)
        facts[column] = {str(value): sorted(group.tolist()) for value, group in groups}
    return facts


def facts_by_dwelling(
    facts: Mapping[str, Mapping[str, Sequence[str]]],
) -> dict[str, dict[str, Any]]:
    """Each dwelling's facts from :func:`dwelling_facts_of`'s form (``floor`` 0, ``lift`` True)."""
    out: dict[str, dict[str, Any]] = {}
    for column, groups in facts.items():
        for text, ids in groups.items():
            value: Any = (int(text) if column == "floor" else text == "true" if column == "lift"
                          else text)
            for dwelling in ids:
                out.setdefault(dwelling, {})[column] = value
    return out


def _as_text(value: Any) -> str:
    """A fact's value as the ledger writes it: ``2``, ``senior``, ``true``."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer) or (
        isinstance(value, float | np.floating) and float(value).is_integer()
    ):
        return str(int(value))
    return str(value)


def organisations_of(
    source: Municipality | pd.DataFrame, given: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Each department's housing organisation (CVR), as the ledger records it.

    From ``given`` (department -> organisation) when passed, else from a
    :class:`~fuaalborg.Municipality`'s departments table or a dwellings table's
    ``organisation_cvr`` column (one organisation per department); empty when
    none of these says. Raises :class:`~fuaalborg.errors.InputError`
    listing every department with two organisations or an empty one.
    """
    if given is not None:
        pairs = [(str(d), o) for d, o in given.items()]
    elif isinstance(source, Municipality):
        deps = source.departments
        pairs = list(zip(deps["department_id"].astype(str), deps["organisation_cvr"],
                         strict=True))
    elif isinstance(source, pd.DataFrame) and "organisation_cvr" in source.columns:
        pairs = list(zip(source["department_id"].astype(str), source["organisation_cvr"],
                         strict=True))
    else:
        return {}
    found: dict[str, str] = {}
    problems: list[Problem] = []
    for dep, org in pairs:
        text = "" if org is None or (isinstance(org, float) and np.isnan(org)) else str(org)
        if not text.strip():
            problems.append(Problem("organisations", f"department {dep!r} has no organisation"))
        elif found.setdefault(dep, text) != text:
            problems.append(Problem(
                "organisations",
                f"department {dep!r} has two organisations ({found[dep]}, {text})",
            ))
    if problems:
        raise InputError(sorted(set(problems), key=str), head="organisations: {count}")
    return found


def other_organisations(
    target: str, recorded: Mapping[str, str], given: Mapping[str, str]
) -> str | None:
    """The message refusing organisations that differ from those a ledger records, if any."""
    differ = sorted(d for d in given if d in recorded and recorded[d] != given[d])
    if not differ:
        return None
    shown = ", ".join(f"{d!r} ({recorded[d]} in the ledger, {given[d]} given)" for d in differ[:5])
    return (
        f"{target} records other housing organisations for {len(differ)} department"
        f"{'s' if len(differ) != 1 else ''}: {shown}; the internal/external turn counts per "
        "organisation, so a department cannot change organisation behind the ledger's back"
    )


def fingerprint_of(registry: Mapping[str, Any]) -> str:
    """The fingerprint of a registry: a hash of its canonical JSON."""
    text = json.dumps(registry, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def registry_fingerprint(municipality: Municipality | pd.DataFrame) -> str:
    """The fingerprint of a municipality's departments and dwellings, as a ledger stores it.

    Two municipalities have the same fingerprint exactly when they have the same
    departments with the same family and BAB dwellings.
    """
    return fingerprint_of(registry_of(municipality)[0])


class StepModelColours:
    """A colour source: the step model's placement in force on a date, for one municipality.

    ``preset`` defaults to the municipality's own
    (:attr:`Municipality.preset <fuaalborg.municipality.Municipality.preset>`,
    the first preset of its ``municipality.toml``), the one ``fuaalborg place``
    and a ranking use. It carries its municipality's :func:`registry_fingerprint`,
    so a ledger refuses it when it was made for another municipality.
    """

    def __init__(self, municipality: Municipality, preset: str | None = None) -> None:
        self.municipality = municipality
        self.preset = preset or municipality.preset
        self.fingerprint = registry_fingerprint(municipality)

    def __call__(self, department_id: str, on: dt.date) -> str:
        """The colour of ``department_id`` on ``on``."""
        from fuaalborg.monitoring.calendar import colour_on

        return str(colour_on(self.municipality, department_id, on, self.preset))

    def __repr__(self) -> str:
        return f"<StepModelColours {self.municipality.name} ({self.preset})>"


def other_municipality(
    target: str, meta: LedgerMeta, name: str, found: str
) -> LedgerMunicipalityError:
    """The error refusing municipality ``name`` (fingerprint ``found``) for a ledger."""
    return LedgerMunicipalityError(
        f"{target} was created for municipality {meta.municipality!r} (fingerprint "
        f"{meta.fingerprint}); {name!r} has other departments or dwellings (fingerprint "
        f"{found})",
        remedy=OWN_MUNICIPALITY,
    )


def check_colour_source(source: ColourSource | None, fingerprint: str, municipality_name: str,
                        target: str) -> None:
    """Refuse a colour source that says it belongs to another municipality."""
    theirs = getattr(source, "fingerprint", None)
    if theirs is not None and theirs != fingerprint:
        name = getattr(getattr(source, "municipality", None), "name", "another municipality")
        raise LedgerMunicipalityError(
            f"the colour source is for {name!r} (fingerprint {theirs}), but {target} is for "
            f"{municipality_name!r} (fingerprint {fingerprint})",
            remedy=OWN_COLOURS,
        )


#: Names of this module that moved, for one release (old name → module, new name).
_RENAMED = {"other_town": (__name__, "other_municipality")}


def __getattr__(name: str) -> Any:
    """``other_town`` (now :func:`other_municipality`) is deprecated."""
    return _lazy.deprecated(__name__, name, _RENAMED)
