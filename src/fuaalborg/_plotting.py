"""Drawing with matplotlib: one set-up for the figures of the reports and the simulation.

matplotlib is imported only when a figure is drawn (the ``plot`` extra). Every
figure fuaalborg draws is drawn inside :func:`drawing` — matplotlib's own
defaults whatever the user's ``matplotlibrc`` says, in a font that has the
Danish letters and the signs the labels use (``≤``, ``–``, ``≥``), with SVG
output that is the same from run to run — and is made by :func:`figure`:

- a figure the library only renders (a report's PNG) belongs to no backend and
  no pyplot state: drawing it needs no display, opens no window and is safe in
  any thread of a letting system;
- a figure handed to the user (the simulation's ``plot()``) is managed by
  pyplot, so a notebook shows it and Sphinx's ``plot`` directive picks it up. If
  pyplot is not imported yet, it is set up with the non-interactive Agg backend,
  so a server without a display can draw; a backend the user (or the notebook)
  chose before is kept.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fuaalborg.errors import FuaalborgError
from fuaalborg.tables import atomic_write

__all__ = ["COLOUR_HEX", "STYLE", "drawing", "figure", "png", "save"]

#: The face colours of the step model's colours in every figure.
COLOUR_HEX = {"green": "#3a9d4a", "yellow": "#f2c12e", "red": "#c8302c"}

#: The style of every figure: matplotlib's defaults, then these settings.
STYLE: dict[str, Any] = {
    "font.family": "DejaVu Sans",  # ships with matplotlib; has æ, ø, å, ≤, ≥ and –
    "svg.hashsalt": "fuaalborg",  # the same element ids in every SVG of a figure
}


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise FuaalborgError(
            "figures need matplotlib: pip install 'fuaalborg[plot]'"
        ) from None
    return matplotlib


@contextmanager
def drawing() -> Iterator[None]:
    """Draw inside this block with :data:`STYLE` (and nothing of the user's rc settings)."""
    _matplotlib()
    from matplotlib import style

    with style.context(["default", STYLE]):
        yield


def figure(figsize: tuple[float, float], *, pyplot: bool = False) -> Any:
    """A new, empty figure of ``figsize`` inches.

    With ``pyplot=False`` (a figure the library only renders) it belongs to no
    backend; with ``pyplot=True`` (a figure for the user) pyplot manages it, on
    the Agg backend unless pyplot was set up before.
    """
    matplotlib = _matplotlib()
    if not pyplot:
        from matplotlib.figure import Figure

        return Figure(figsize=figsize)
    if "matplotlib.pyplot" not in sys.modules:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize)


def png(fig: Any, dpi: int) -> bytes:
    """``fig`` as PNG bytes at ``dpi``, cropped to its content; no software version
    in the file, so the same figure gives the same bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight",
                metadata={"Software": None})
    return buffer.getvalue()


def save(fig: Any, path: str | os.PathLike[str], dpi: int) -> None:
    """Write ``fig`` to ``path`` atomically, cropped to its content; PNG, SVG or PDF by
    the suffix."""
    with atomic_write(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
