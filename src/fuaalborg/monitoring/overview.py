"""The overview of red and yellow departments per organisation, and the figure.

The agreement gathers the red and yellow departments in "one overview" for the
organisations and the municipality (afsnit 5). :func:`overview` lists them per
organisation with their reason; :func:`overview_summary` counts departments and
dwellings per organisation and colour; :func:`changes` lists what changed since
the previous placement; :func:`staircase_figure` draws the step model as a
staircase with the number of departments and dwellings on each step.

Unmonitored departments never show indicator values: the overview has no value
columns at all, and their reasons carry none.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from fuaalborg._types import Language
from fuaalborg.formatting import whole
from fuaalborg.model import COLOURS, parties
from fuaalborg.monitoring.steps import Placement
from fuaalborg.tables import atomic_write

__all__ = ["OVERVIEW_COLUMNS", "changes", "overview", "overview_summary", "staircase_figure"]

#: The columns of :func:`overview`.
OVERVIEW_COLUMNS = (
    "organisation_cvr",
    "organisation",
    "department_id",
    "department",
    "area_id",
    "colour",
    "step",
    "basis",
    "designation",
    "dwellings",
    "previous_colour",
    "changed",
    "reason",
    "preset",
    "ethnicity_indicator",
)


def _names(organisations: pd.DataFrame | None) -> dict[str, str]:
    if organisations is not None and len(organisations):
        return dict(
            zip(
                organisations["organisation_cvr"].astype(str),
                organisations["name"].astype(str),
                strict=True,
            )
        )
    return {org.cvr: org.name for org in parties()}


def overview(
    placement: Placement,
    organisations: pd.DataFrame | None = None,
    lang: Language | None = None,
) -> pd.DataFrame:
    """Red and yellow departments per organisation, red first, with their reason.

    ``organisations`` (``organisation_cvr, name``) names the organisations;
    without it the agreement's parties are used. When the placement was made
    with a previous one, departments that were red or yellow and have left those
    steps are listed too (with their new colour and ``changed`` true), so the
    overview shows every change at the top of the staircase. The reasons are in
    ``lang`` (:meth:`Placement.reasons <fuaalborg.monitoring.steps.Placement.reasons>`):
    English by default (``None``, as before ``lang`` existed), Danish with ``"da"``.
    """
    frame = placement.frame
    watched = frame["colour"].isin(["red", "yellow"])
    if "previous_colour" in frame:
        watched |= frame["previous_colour"].isin(["red", "yellow"]).fillna(False).astype(bool)
    sub = frame[watched]
    names = _names(organisations)
    out = pd.DataFrame(
        {
            "organisation_cvr": sub["organisation_cvr"].to_numpy(dtype=object),
            "organisation": sub["organisation_cvr"].map(names).fillna(sub["organisation_cvr"])
            .to_numpy(dtype=object),
            "department_id": sub["department_id"].to_numpy(dtype=object),
            "department": sub["name"].to_numpy(dtype=object),
            "area_id": sub["area_id"].to_numpy(dtype=object),
            "colour": sub["colour"].to_numpy(dtype=object),
            "step": sub["step"].to_numpy(),
            "basis": sub["basis"].to_numpy(dtype=object),
            "designation": sub["designation"].to_numpy(dtype=object),
            "dwellings": sub["dwellings"].to_numpy(),
            "previous_colour": (
                sub["previous_colour"].to_numpy(dtype=object)
                if "previous_colour" in sub
                else [None] * len(sub)
            ),
            "changed": sub["changed"].to_numpy() if "changed" in sub else [False] * len(sub),
            "reason": placement.reasons(lang or "en")[watched].to_numpy(dtype=object),
            "preset": placement.preset,
            "ethnicity_indicator": placement.uses_ethnicity,
        },
        columns=list(OVERVIEW_COLUMNS),
    )
    out = out.sort_values(
        ["organisation", "step", "department_id"], ascending=[True, False, True], kind="stable"
    ).reset_index(drop=True)
    notice = placement.notice_in(lang or "en")
    if notice:
        out.attrs["notice"] = notice
    return out


def overview_summary(
    placement: Placement, organisations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per organisation: red and yellow departments and dwellings, and how many changed."""
    frame = placement.frame
    names = _names(organisations)
    org = frame["organisation_cvr"]
    table = pd.DataFrame({"organisation_cvr": org.unique()})
    table["organisation"] = table["organisation_cvr"].map(names).fillna(table["organisation_cvr"])
    for colour in ("red", "yellow"):
        sub = frame[frame["colour"] == colour]
        deps = sub.groupby("organisation_cvr").size()
        dws = sub.groupby("organisation_cvr")["dwellings"].sum()
        table[f"{colour}_departments"] = (
            table["organisation_cvr"].map(deps).fillna(0).astype("int64")
        )
        table[f"{colour}_dwellings"] = table["organisation_cvr"].map(dws).fillna(0).astype("int64")
    if "changed" in frame:
        changed = frame[frame["changed"]].groupby("organisation_cvr").size()
        table["changed"] = table["organisation_cvr"].map(changed).fillna(0).astype("int64")
    table = table.sort_values("organisation", kind="stable").reset_index(drop=True)
    return table


def changes(placement: Placement) -> pd.DataFrame:
    """Departments whose colour changed since the previous placement (empty without one)."""
    frame = placement.frame
    if "changed" not in frame:
        return pd.DataFrame(columns=["department_id", "previous_colour", "colour", "reason"])
    sub = frame[frame["changed"]]
    return sub[["department_id", "previous_colour", "colour", "reason"]].reset_index(drop=True)


_FACE = {"green": "#3a9d4a", "yellow": "#f2c12e", "red": "#c8302c"}


def staircase_figure(
    placement: Placement, path: str | os.PathLike[str] | None = None
) -> Any:
    """Draw the step model as a staircase; save to ``path`` (.png or .svg) if given.

    Each step is a bar as high as its step number, labelled with the number of
    departments and dwellings on it. Needs matplotlib (the ``plot`` extra); the
    non-interactive Agg backend is used. The file is written atomically.
    Returns the matplotlib figure.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib.figure import Figure
    except ImportError:  # pragma: no cover - depends on the environment
        from fuaalborg.errors import FuaalborgError

        raise FuaalborgError(
            "the figure needs matplotlib: pip install 'fuaalborg[plot]'"
        ) from None
    counts = placement.counts()
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    for i, colour in enumerate(COLOURS):
        row = counts[counts["colour"] == colour].iloc[0]
        ax.bar(i, i + 1, width=1.0, color=_FACE[colour], edgecolor="black", align="edge")
        ax.text(
            i + 0.5,
            i + 1 + 0.08,
            f"{int(row['departments'])} departments\n{whole(row['dwellings'])} dwellings",
            ha="center",
            va="bottom",
            fontsize=9,
        )
        ax.text(i + 0.5, 0.25, f"step {i + 1}\n{colour}", ha="center", va="bottom", fontsize=10)
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 4.3)
    ax.set_xticks([])
    ax.set_yticks([])
    title = f"Step model on {placement.on.isoformat()} ({placement.preset})"
    ax.set_title(title)
    if placement.uses_ethnicity:
        fig.text(
            0.01, 0.01,
            "Uses an aggregate ethnicity indicator (see C-417/23).",
            fontsize=7,
        )
    if path is not None:
        target = Path(path)
        fmt = target.suffix.lower().lstrip(".")
        if fmt not in ("png", "svg"):
            from fuaalborg.errors import ValidationError

            raise ValidationError(f"figure file {target.name}: expected a .png or .svg file")
        with atomic_write(target) as tmp:
            fig.savefig(tmp, format=fmt)
    return fig
